// The failure cases of the adversarial round where the extension's path differs from the CLI's: Import Annotations…
// (a hostile export, the merge by `modified`, a FIFO to import) and reads of documents and sidecars that are FIFOs,
// which workspace.fs would wait on forever. The CLI halves are test/cli/{security,dataLoss,hangs}.test.ts.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { contentHash, type Annotation } from '../../src/core/model';
import { serializeSidecar } from '../../src/core/store';
import { exportYaml } from '../../src/core/formats';
import { annotation, ulid } from '../support/annotations';
import { api, closeAll, eventually, folderModel, logged, openAndSelect } from './support/helpers';

const DIR = 'importfaults';
let root: string;
const abs = (rel: string): string => path.join(root, ...rel.split('/'));
const sidecarRel = (doc: string): string => `.marginalia/annotations/${doc}.yaml`;

function write(rel: string, data: string): void {
  fs.mkdirSync(path.dirname(abs(rel)), { recursive: true });
  fs.writeFileSync(abs(rel), data);
}

/** An export file outside the workspace folder, as a person would pick it. */
function exportFile(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'marginalia-import-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

/** Runs Import Annotations… on `file`; resolves with what the command returned (undefined when it stopped). */
async function runImport(file: string): Promise<{ documents: { doc: string; added: number; newerImported: number; keptHere: number }[] } | undefined> {
  return vscode.commands.executeCommand('marginalia.import', { file: vscode.Uri.file(file).toString() });
}

/** Every file under the workspace folder with its bytes, to show that nothing was written. */
function snapshotOfFolder(): Map<string, string> {
  const out = new Map<string, string>();
  for (const rel of fs.readdirSync(root, { recursive: true }).map(String)) {
    const p = path.join(root, rel);
    const st = fs.lstatSync(p);
    if (st.isFile()) out.set(rel, contentHash(fs.readFileSync(p, 'utf8')));
  }
  return out;
}

describe('issue 10 through the extension: import, FIFOs', function () {
  this.timeout(60_000);
  before(async () => {
    root = folderModel(await api()).folder.uri.fsPath;
  });
  afterEach(closeAll);
  after(async () => {
    const f = folderModel(await api());
    for (const p of [DIR, `.marginalia/annotations/${DIR}`]) fs.rmSync(abs(p), { recursive: true, force: true });
    await vscode.commands.executeCommand('marginalia.refresh');
    await eventually(() => !f.documents().some((d) => d.startsWith(DIR + '/')), 20_000, `${DIR}/ gone from the model`);
  });

  it('Import Annotations… of an export naming .git/config or .env is refused, naming the file; nothing is written and no secret copied', async () => {
    const a = await api();
    const secret = 'TOKEN=ghp_SECRETSECRETSECRET0123456789\n';
    write(`${DIR}/.env`, secret);
    for (const doc of ['.git/config', `${DIR}/.env`]) {
      const text = doc === '.git/config' ? '[remote "origin"]\n\turl = https://token@example.org/x.git\n' : secret;
      const hostile = exportYaml({
        documents: [{ path: doc, text, annotations: [annotation({ doc, text, start: 0, end: 5, author: 'hostile' })] }],
        generated: new Date('2026-11-23T10:00:00.000Z'),
      });
      const file = exportFile('hostile.yaml', hostile);
      const before = snapshotOfFolder();
      const result = await runImport(file);
      assert.equal(result, undefined, 'the command stopped');
      await logged(
        a,
        new RegExp(
          `^warn \\[import\\] marginalia\\.import: ${file.replace(/[.]/g, '\\.')}: document ${doc.replace(/[.]/g, '\\.')} is refused: .*is not a corpus document.*nothing was imported`,
        ),
      );
      assert.deepEqual(snapshotOfFolder(), before, `nothing written for ${doc}`);
      assert.equal(fs.existsSync(abs(sidecarRel(doc))), false);
      const h = contentHash(text).slice(7);
      assert.ok(!fs.existsSync(abs(`.marginalia/snapshots/${h.slice(0, 2)}/${h}.txt`)), `no snapshot of ${doc}`);
    }
  });

  it('Import Annotations… merges by modified: a newer note here is kept, a newer note in the file replaces the older one, and the summary says which', async () => {
    const a = await api();
    const f = folderModel(a);
    const doc = `${DIR}/merge.txt`;
    const text = 'Alpha claims one thing. Beta claims another. Gamma is new.\n';
    write(doc, text);
    await eventually(() => f.isCorpus(doc), 15_000, `${doc} in the corpus`);
    const keptHere = annotation({ id: ulid(910), doc, text, phrase: 'Alpha claims', note: 'newer here', modified: '2026-12-05T00:00:00.000Z' });
    const replaced = annotation({ id: ulid(911), doc, text, phrase: 'Beta claims', note: 'older here', modified: '2026-11-01T00:00:00.000Z' });
    write(sidecarRel(doc), serializeSidecar(doc, [keptHere, replaced]));
    await eventually(() => f.annotations(doc).length === 2, 15_000, 'the stored annotations loaded');
    const older: Annotation = { ...keptHere, note: 'older in the file', provenance: { ...keptHere.provenance, modified: '2026-11-02T00:00:00.000Z' } };
    const newer: Annotation = { ...replaced, note: 'newer in the file', provenance: { ...replaced.provenance, modified: '2026-12-04T00:00:00.000Z' } };
    const added = annotation({ id: ulid(912), doc, text, phrase: 'Gamma is new', note: 'only in the file' });
    const file = exportFile('backup.yaml', exportYaml({ documents: [{ path: doc, text, annotations: [older, newer, added] }], generated: new Date() }));
    const result = await runImport(file);
    assert.ok(result, 'the import ran');
    assert.deepEqual(
      result.documents.map((d) => [d.doc, d.added, d.newerImported, d.keptHere]),
      [[doc, 1, 1, 1]],
    );
    await logged(
      a,
      /^info \[import\] Imported 3 annotations of 1 document from backup\.yaml: 1 added, 1 replaced by the newer imported version, 1 kept as stored here/,
    );
    await logged(
      a,
      new RegExp(`^info \\[import\\]\\s+${doc.replace(/[.]/g, '\\.')}: 1 added, 1 replaced by the newer imported version, 1 kept as stored here`),
    );
    const notes = (): string[] =>
      f
        .annotations(doc)
        .map((x) => x.note)
        .sort();
    await eventually(() => notes().length === 3, 15_000, 'the model shows the import');
    assert.deepEqual(notes(), ['newer here', 'newer in the file', 'only in the file']);
    const onDisk = fs.readFileSync(abs(sidecarRel(doc)), 'utf8');
    assert.match(onDisk, /newer here/);
    assert.doesNotMatch(onDisk, /older/);
  });

  it('Import Annotations… of a FIFO fails at once with a plain message naming it', async () => {
    const a = await api();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'marginalia-import-'));
    const fifo = path.join(dir, 'pipe.yaml');
    execFileSync('mkfifo', [fifo]);
    const result = await runImport(fifo);
    assert.equal(result, undefined);
    await logged(a, new RegExp(`^warn \\[import\\] marginalia\\.import: ${fifo.replace(/[.]/g, '\\.')} is a named pipe \\(FIFO\\), not a regular file`));
  });

  it('a sidecar that is a FIFO: tagging fails at once with a plain message naming it, and the extension host goes on', async () => {
    const a = await api();
    const f = folderModel(a);
    const doc = `${DIR}/fifosidecar.txt`;
    write(doc, 'A document whose sidecar is a named pipe. Tag this passage.\n');
    await eventually(() => f.isCorpus(doc), 15_000, `${doc} in the corpus`);
    fs.mkdirSync(path.dirname(abs(sidecarRel(doc))), { recursive: true });
    execFileSync('mkfifo', [abs(sidecarRel(doc))]);
    try {
      await openAndSelect(f, doc, 'Tag this passage');
      const created = await vscode.commands.executeCommand('marginalia.tagClaim', { note: '', attributes: {} });
      assert.equal(created, undefined, 'nothing tagged');
      await logged(a, /fifosidecar\.txt\.yaml.*is a named pipe \(FIFO\), not a regular file/);
      assert.ok(fs.lstatSync(abs(sidecarRel(doc))).isFIFO(), 'the FIFO is left as it was');
    } finally {
      fs.rmSync(abs(sidecarRel(doc)), { force: true });
    }
  });

  it('an annotated document replaced by a FIFO: Re-anchor All passes over it naming it, the rest is checked, nothing hangs', async () => {
    const a = await api();
    const f = folderModel(a);
    const doc = `${DIR}/fifodoc.txt`;
    const other = `${DIR}/other.txt`;
    const text = 'This document will become a named pipe.\n';
    const otherText = 'This one stays a document, edited on disk.\n';
    write(doc, text);
    write(other, otherText);
    await eventually(() => f.isCorpus(doc) && f.isCorpus(other), 15_000, 'both in the corpus');
    write(sidecarRel(doc), serializeSidecar(doc, [annotation({ doc, text, phrase: 'named pipe' })]));
    write(sidecarRel(other), serializeSidecar(other, [annotation({ doc: other, text: otherText, phrase: 'stays a document' })]));
    // Sidecars written behind the extension's back: a refresh loads them whatever the file watcher saw.
    await vscode.commands.executeCommand('marginalia.refresh');
    await eventually(() => f.annotations(doc).length === 1 && f.annotations(other).length === 1, 15_000, 'the sidecars loaded');
    fs.rmSync(abs(doc));
    execFileSync('mkfifo', [abs(doc)]);
    write(other, 'Inserted. ' + otherText);
    await vscode.commands.executeCommand('marginalia.checkAnchors');
    await logged(a, /not re-anchored: importfaults\/fifodoc\.txt is a named pipe \(FIFO\), not a regular file/);
    await eventually(() => f.annotations(other)[0]?.target.start === 'Inserted. This one '.length, 15_000, 'the other document re-anchored');
    fs.rmSync(abs(doc), { force: true });
  });
});
