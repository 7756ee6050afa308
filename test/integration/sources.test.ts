// Add Source… and Import Hypothesis Annotations… in the extension host: a PDF by its file, a page by its address
// (through the command's prompts, answered here), the new document opened, its front matter and page in the hover,
// and Hypothesis annotations anchored on a captured page.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Annotation } from '../../src/core/model';
import type { HypothesisPlan } from '../../src/core/capture';
import type { AddSourceResult, SourcePrompts } from '../../src/host/sourceCommands';
import { makePdf } from '../support/pdfFixture';
import { api, closeAll, eventually, folderModel, hoverText, openAndSelect } from './support/helpers';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/capture');

describe('sources in the extension host', function () {
  // The first capture loads the capture chunks (pdf.js and its worker are 1.7 MB) in an extension host that may be busy.
  this.timeout(120_000);
  let server: http.Server;
  let base: string;
  const created: string[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/harbour') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(fs.readFileSync(path.join(FIXTURES, 'article.html')));
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const a = await api();
    await eventually(() => a.workspace.all()[0], 30_000, 'the workspace folder loaded');
  });
  afterEach(closeAll);
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    // Leave the workspace as the other suites expect it.
    const f = folderModel(await api());
    for (const doc of created) {
      const ids = f.annotations(doc).map((a) => a.id);
      if (ids.length > 0) await f.remove(doc, ids);
    }
    for (const rel of ['sources', 'web', 'web2', '.marginalia/originals']) {
      await vscode.workspace.fs.delete(vscode.Uri.joinPath(f.folder.uri, rel), { recursive: true, useTrash: false }).then(undefined, () => undefined);
    }
    for (const doc of created)
      await vscode.workspace.fs.delete(vscode.Uri.joinPath(f.folder.uri, '.marginalia/annotations', doc + '.yaml')).then(undefined, () => undefined);
  });

  async function withPrompts<T>(prompts: Partial<SourcePrompts>, run: () => Thenable<T>): Promise<T> {
    const a = await api();
    const real = a.sources.prompts;
    a.sources.prompts = { ...real, ...prompts };
    try {
      return await run();
    } finally {
      a.sources.prompts = real;
    }
  }

  it('adds a PDF given by its file, opens it, and the hover names the page and the front matter', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'marginalia-pdf-'));
    const file = path.join(dir, 'survey.pdf');
    fs.writeFileSync(file, await makePdf());
    const result = (await vscode.commands.executeCommand('marginalia.addSource', { uri: vscode.Uri.file(file).toString() })) as AddSourceResult;
    created.push(result.doc);
    assert.equal(result.doc, 'sources/housing-survey-2023.md');
    assert.equal(result.existed, false);
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), result.uri.toString(), 'the new document is open');
    const text = vscode.window.activeTextEditor.document.getText();
    assert.match(text, /^---\ntitle: Housing survey 2023\nauthor: City Statistics Office\n/);
    assert.match(text, /\n<!-- page 2 -->\n\nRents rose by 7\.5 percent in 2023\./);
    const f = folderModel(await api());
    await eventually(() => f.documents().includes(result.doc), 10_000, 'the new document in the corpus');
    const editor = await openAndSelect(f, result.doc, 'Rents rose by 7.5 percent');
    const tagged = (await vscode.commands.executeCommand('marginalia.tagClaim', { attributes: {}, note: '' })) as Annotation[];
    assert.equal(tagged.length, 1);
    const inside = editor.document.positionAt(tagged[0].target.start + 3);
    const hover = await eventually(
      async () => hoverText((await vscode.commands.executeCommand('vscode.executeHoverProvider', editor.document.uri, inside)) as vscode.Hover[]),
      10_000,
      'the hover of the new claim',
    );
    assert.match(hover, /Source: ` sources\/housing-survey-2023\.md `, p\. 2/);
    assert.match(hover, /title: \*\*Housing survey 2023\*\*/);
    assert.match(hover, /author: \*\*City Statistics Office\*\*/);
  });

  it('asks where the source comes from, fetches the address typed, and an empty address adds nothing', async () => {
    const shown: string[] = [];
    const pickUrl: SourcePrompts['pick'] = async <T extends vscode.QuickPickItem>(items: T[], options: vscode.QuickPickOptions) => {
      shown.push(`pick: ${options.placeHolder}: ${items.map((i) => i.label).join(' | ')}`);
      return items.find((i) => i.label.includes('Web Address'));
    };
    const result = await withPrompts({ pick: pickUrl, input: async (o) => (shown.push(`input: ${o.prompt}`), `${base}/harbour`) }, () =>
      vscode.commands.executeCommand<AddSourceResult>('marginalia.addSource', { to: 'web' }),
    );
    created.push(result.doc);
    assert.deepEqual(shown, [
      'pick: Add a source to the corpus: $(file) From a File… | $(globe) From a Web Address…',
      'input: The web address of a page or a PDF',
    ]);
    assert.equal(result.doc, 'web/harbour-dredging-doubles-cargo.md');
    const text = vscode.window.activeTextEditor?.document.getText() ?? '';
    assert.match(text, new RegExp(`\\nurl: ${base.replace(/[.]/g, '\\.')}/harbour\\n`));
    assert.match(text, /\n## What the figures show\n/);
    assert.doesNotMatch(text, /Great news for the town|See also/);

    const before = fs.readdirSync(path.join(folderModel(await api()).folder.uri.fsPath, 'web'));
    const cancelled = await withPrompts({ pick: pickUrl, input: async () => '' }, () => vscode.commands.executeCommand('marginalia.addSource', { to: 'web' }));
    assert.equal(cancelled, undefined);
    assert.deepEqual(fs.readdirSync(path.join(folderModel(await api()).folder.uri.fsPath, 'web')), before, 'nothing written');
  });

  it("answers VS Code's own quick pick and input box: the address typed is fetched, an empty Enter adds nothing", async () => {
    const a = await api();
    const accept = (): Thenable<unknown> => vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    const pickWebAddress = async (): Promise<vscode.InputBox> => {
      const pick = await eventually(
        () => {
          const c = a.sources.current;
          return c && 'items' in c && c.items.length === 2 && c.activeItems.length > 0 ? c : undefined;
        },
        10_000,
        'the Add Source pick',
      );
      assert.deepEqual(
        pick.items.map((i) => i.label),
        ['$(file) From a File…', '$(globe) From a Web Address…'],
      );
      // Down, as the widget takes it; the extension hears of the new active row before Enter.
      await vscode.commands.executeCommand('quickInput.next');
      await eventually(() => pick.activeItems[0] === pick.items[1], 10_000, 'the second row active');
      await accept();
      return eventually(
        () => {
          const c = a.sources.current;
          return c && !('items' in c) ? c : undefined;
        },
        10_000,
        'the web address input box',
      );
    };

    const running = vscode.commands.executeCommand<AddSourceResult | undefined>('marginalia.addSource', { to: 'web2' });
    const box = await pickWebAddress();
    assert.equal(box.prompt, 'The web address of a page or a PDF');
    box.value = `${base}/harbour`;
    await accept();
    const result = await running;
    assert.ok(result);
    created.push(result.doc);
    assert.equal(result.doc, 'web2/harbour-dredging-doubles-cargo.md');
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), result.uri.toString(), 'the new document is open');

    const root = folderModel(a).folder.uri.fsPath;
    const before = fs.readdirSync(path.join(root, 'web2'));
    const skipped = vscode.commands.executeCommand('marginalia.addSource', { to: 'web2' });
    const empty = await pickWebAddress();
    assert.equal(empty.value, '');
    await accept();
    assert.equal(await skipped, undefined);
    assert.deepEqual(fs.readdirSync(path.join(root, 'web2')), before, 'nothing written');
  });

  it('imports Hypothesis annotations onto the captured page and reports those it could not anchor', async () => {
    const added = (await vscode.commands.executeCommand('marginalia.addSource', {
      uri: vscode.Uri.file(path.join(FIXTURES, 'article.html')).toString(),
    })) as AddSourceResult;
    created.push(added.doc);
    const f = folderModel(await api());
    await eventually(() => f.documents().includes(added.doc), 10_000, 'the captured page in the corpus');
    const opened: string[] = [];
    const plan = await withPrompts({ open: async (o) => (opened.push(o.openLabel ?? ''), [vscode.Uri.file(path.join(FIXTURES, 'hypothesis.json'))]) }, () =>
      vscode.commands.executeCommand<HypothesisPlan>('marginalia.importHypothesis'),
    );
    assert.deepEqual(opened, ['Import']);
    assert.equal(plan.anchored, 3);
    assert.deepEqual(
      plan.unanchored.map((u) => u.id),
      ['hyp-comment-4', 'hyp-pagenote-5', 'hyp-elsewhere-6'],
    );
    const stored = f.annotations(added.doc);
    assert.deepEqual(stored.map((a) => a.kind).sort(), ['claim', 'claim', 'entity']);
    const text = fs.readFileSync(f.uri(added.doc).fsPath, 'utf8');
    assert.ok(stored.some((a) => text.slice(a.target.start, a.target.end) === 'rose from 1.2 million tonnes to 2.5 million tonnes'));
    const sidecar = fs.readFileSync(path.join(f.folder.uri.fsPath, '.marginalia/annotations', added.doc + '.yaml'), 'utf8');
    assert.match(sidecar, /mara@hypothes\.is/);
  });
});
