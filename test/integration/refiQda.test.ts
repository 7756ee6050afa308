// REFI-QDA in the extension host: Export Annotations… as a .qdpx (valid against Project.xsd), and Import REFI-QDA
// Project… bringing it back into a folder of the workspace, with the folder prompt offering the project's name.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { strToU8, unzipSync, zipSync } from 'fflate';
import type { Annotation } from '../../src/core/model';
import type { ExportResult } from '../../src/host/exportCommand';
import type { RefiImportResult } from '../../src/host/refiImportCommand';
import { schemaErrors } from '../support/refiSchema';
import { api, closeAll, folderModel, openAndSelect } from './support/helpers';

const DOC = '002_4d4efb0aba07dc3f.txt';

describe('REFI-QDA export and import in the extension host', function () {
  this.timeout(60_000);
  let out: string;
  let tagged: Annotation[] = [];
  let imported: string[] = [];
  let codebookBefore: Uint8Array | undefined;

  before(async () => {
    const f = folderModel(await api());
    out = fs.mkdtempSync(path.join(path.dirname(f.folder.uri.fsPath), 'refi-'));
    codebookBefore = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(f.folder.uri, '.marginalia', 'codebook.yaml')).then(
      (b) => b,
      () => undefined,
    );
    await openAndSelect(f, DOC, 'Russia’s Ambitious Plan');
    tagged = (await vscode.commands.executeCommand('marginalia.tagClaim', { note: 'The headline.', attributes: {} })) as Annotation[];
    assert.equal(tagged.length, 1);
    await closeAll();
  });

  after(async () => {
    const f = folderModel(await api());
    await f.remove(DOC, [tagged[0].id]);
    for (const doc of imported) {
      await f.remove(
        doc,
        f.annotations(doc).map((a) => a.id),
      );
      await vscode.workspace.fs.delete(vscode.Uri.joinPath(f.folder.uri, doc));
    }
    // The kind the import added goes too, so later tests see the codebook they expect.
    const codebook = vscode.Uri.joinPath(f.folder.uri, '.marginalia', 'codebook.yaml');
    if (codebookBefore === undefined) await vscode.workspace.fs.delete(codebook).then(undefined, () => undefined);
    else await vscode.workspace.fs.writeFile(codebook, codebookBefore);
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('Export Annotations… as REFI-QDA writes a .qdpx whose project.qde is valid against Project.xsd', async () => {
    const f = folderModel(await api());
    const target = vscode.Uri.file(path.join(out, 'corpus.qdpx'));
    const result = (await vscode.commands.executeCommand('marginalia.export', { scope: 'corpus', format: 'qdpx', target: target.toString() })) as ExportResult;
    assert.equal(result.annotations, f.count());
    const files = unzipSync(fs.readFileSync(target.fsPath));
    const qde = Buffer.from(files['project.qde']).toString('utf8');
    assert.deepEqual(await schemaErrors(qde, 'Project.xsd'), []);
    assert.match(qde, /name="Russia’s Ambitious Plan"/);
    assert.match(qde, /<PlainTextContent>The headline\.<\/PlainTextContent>/);
  });

  it('Import REFI-QDA Project… of a project exported from this workspace adds nothing: its texts and annotations are already here', async () => {
    const f = folderModel(await api());
    const before = f.count();
    const result = (await vscode.commands.executeCommand('marginalia.importRefiQda', {
      file: vscode.Uri.file(path.join(out, 'corpus.qdpx')).toString(),
      to: 'again',
    })) as RefiImportResult;
    assert.equal(result.created, 0);
    assert.ok(result.documents.includes(DOC));
    assert.equal(f.count(), before);
    assert.ok(!fs.existsSync(path.join(f.folder.uri.fsPath, 'again')));
  });

  it('Import REFI-QDA Project… refuses a document already there with another text as a plain message (ImportError crosses the chunk), writing nothing', async () => {
    const a = await api();
    const f = folderModel(a);
    const dir = vscode.Uri.joinPath(f.folder.uri, 'clash');
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(dir, DOC), Buffer.from('Another text.\n'));
    try {
      const before = f.count();
      const error = await a.refiImport.run({ file: vscode.Uri.file(path.join(out, 'corpus.qdpx')).toString(), to: 'clash' }).then(
        () => undefined,
        (e: Error) => e,
      );
      assert.ok(error, 'refused');
      // Thrown by the host as a message for the person: the chunk's ImportError is the main bundle's class.
      assert.equal(error.constructor.name, 'UserFacingError');
      assert.match(error.message, new RegExp(`clash/${DOC.replace(/\./g, '\\.')} already exists with another text.*Nothing was imported`));
      assert.deepEqual(
        (await vscode.workspace.fs.readDirectory(dir)).map(([n]) => n),
        [DOC],
      );
      assert.equal(f.count(), before);
    } finally {
      await vscode.workspace.fs.delete(dir, { recursive: true });
    }
  });

  it('Import REFI-QDA Project… of another tool’s project asks for the folder (the project’s name offered), writes the texts there and shows their annotations', async () => {
    const a = await api();
    const f = folderModel(a);
    const text = '😀 The vaccine question came up repeatedly. Trust was low.\n';
    const start = [...text.slice(0, text.indexOf('Trust was low'))].length;
    const qde =
      '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="Vaccines" origin="NVivo-shaped test">' +
      '<Users><User guid="8ca3a2c1-8b7a-41c3-a9dd-a8fb46caa645" name="Coder One"/></Users>' +
      '<CodeBook><Codes><Code guid="3c51efbb-071f-43a7-9f32-228b89668e8d" name="Attitudes" isCodable="false">' +
      '<Code guid="4d62f0cc-182f-44b8-a043-339c90779e9e" name="Trust" isCodable="true" color="#3366cc"/></Code></Codes></CodeBook>' +
      '<Sources><TextSource guid="56a79789-d535-4fb8-bedd-a915504c54ba" name="Interview 1" plainTextPath="internal://56a79789-d535-4fb8-bedd-a915504c54ba.txt">' +
      `<PlainTextSelection guid="fd960901-8191-4db1-a3dd-a91626d56c4b" name="Trust was low" startPosition="${start}" endPosition="${start + 13}" creatingUser="8ca3a2c1-8b7a-41c3-a9dd-a8fb46caa645">` +
      '<Coding guid="aa960901-8191-4db1-a3dd-a91626d56c4b"><CodeRef targetGUID="4d62f0cc-182f-44b8-a043-339c90779e9e"/></Coding>' +
      '</PlainTextSelection></TextSource></Sources></Project>';
    const file = vscode.Uri.file(path.join(out, 'vaccines.qdpx'));
    fs.writeFileSync(file.fsPath, zipSync({ 'project.qde': strToU8(qde), 'sources/56a79789-d535-4fb8-bedd-a915504c54ba.txt': strToU8(text) }));
    const asked: vscode.InputBoxOptions[] = [];
    const real = a.refiImport.prompts;
    a.refiImport.prompts = {
      open: async () => [file],
      input: async (options) => {
        asked.push(options);
        return options.value;
      },
      pick: async () => undefined,
    };
    let result: RefiImportResult | undefined;
    try {
      result = (await vscode.commands.executeCommand('marginalia.importRefiQda')) as RefiImportResult | undefined;
    } finally {
      a.refiImport.prompts = real;
    }
    assert.ok(result, 'the import ran');
    imported = result.documents;
    assert.equal(asked.length, 1);
    assert.equal(asked[0].value, 'Vaccines');
    const doc = 'Vaccines/Interview 1.txt';
    assert.deepEqual(result.documents, [doc]);
    assert.deepEqual(result.newKinds, ['Attitudes/Trust']);
    assert.equal(result.exact, 1);
    const here = f.annotations(doc);
    assert.equal(here.length, 1);
    assert.equal(here[0].kind, 'Attitudes/Trust');
    assert.equal(here[0].target.quote.exact, 'Trust was low');
    assert.equal(here[0].provenance.author, 'Coder One');
    assert.ok(f.documents().includes(doc), 'the Corpus view lists the imported document');
    assert.equal(f.kind('Attitudes/Trust')?.colour, '#3366cc');
  });
});
