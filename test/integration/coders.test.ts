// Several coders in the extension host: blind coding (a coder sees only their own annotations), the compare layer,
// the Review view (each decision into the reviewed layer, with reviewer and time), and the agreement report (the
// numbers `marginalia agreement --json` prints, passages that open, tables exported as CSV). Two coders, ana and ben,
// tag one document by switching marginalia.author; everything this suite writes is removed after it.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Annotation } from '../../src/core/model';
import { codeFrequencies, computeAgreement, kindCooccurrence } from '../../src/core/research';
import { parseDecisions, parseSidecar } from '../../src/core/store';
import { reportJson } from '../../src/cli/agreement';
import type { MarginaliaApi } from '../../src/extension';
import type { CorpusNode } from '../../src/host/corpusTree';
import type { ReviewNode } from '../../src/host/reviewView';
import { api, closeAll, eventually, folderModel, hoverText, openAndSelect } from './support/helpers';

const DOC = '002_4d4efb0aba07dc3f.txt';
const REPO = path.resolve(__dirname, '..', '..', '..');
const AGREED = 'Russian President Vladimir Putin recently announced Russia’s ambitious plan to develop AI technology';
const LONG = 'Artificial Intelligence (AI) has become a powerful force shaping the world we live in';
const SHORT = 'Artificial Intelligence (AI) has become a powerful force';
const BEN_ONLY = 'a comprehensive national strategy to advance AI technology';
const KINDS = 'generative AI and large language models';
const ANA_ONLY = 'Generative AI, a branch of AI that involves training machines to generate new content';

const settings = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('marginalia');

/** Tags (and decides) as this person: marginalia.author is a user setting (a person's name is not the workspace's). */
async function as(a: MarginaliaApi, name: string | undefined): Promise<void> {
  await settings().update('author', name, vscode.ConfigurationTarget.Global);
  if (name !== undefined) await eventually(() => a.layers.author === name, 5000, `author ${name}`);
}

async function tag(a: MarginaliaApi, kind: string, ...quotes: string[]): Promise<Annotation[]> {
  await openAndSelect(folderModel(a), DOC, ...quotes);
  return (await vscode.commands.executeCommand('marginalia.tag', { kind, attributes: {}, note: '' })) as Annotation[];
}

/** The ids of the annotations the Corpus view shows under DOC. */
function treeIds(a: MarginaliaApi): string[] {
  const ids: string[] = [];
  const walk = (node: CorpusNode | undefined, inDoc: boolean): void => {
    for (const n of a.tree.getChildren(node)) {
      if (n.type === 'annotation') {
        if (inDoc) ids.push(n.annotation.id);
      } else if (n.type === 'doc') {
        if (n.doc.doc === DOC) walk(n, true);
      } else if (n.type !== 'relation') walk(n, inDoc);
    }
  };
  walk(undefined, false);
  return ids.sort();
}

function textsOf(editor: vscode.TextEditor, ranges: readonly vscode.Range[] | undefined): string[] {
  return (ranges ?? []).map((r) => editor.document.getText(r)).sort();
}

function readYaml(a: MarginaliaApi, rel: string): string {
  return fs.readFileSync(path.join(folderModel(a).folder.uri.fsPath, rel), 'utf8');
}

describe('several coders in the extension host', function () {
  this.timeout(120_000);
  afterEach(closeAll);

  let ana: Annotation[] = [];
  let ben: Annotation[] = [];
  let codebookExisted = false;
  let author: string | undefined;

  before(async () => {
    const a = await api();
    const f = folderModel(a);
    codebookExisted = fs.existsSync(path.join(f.folder.uri.fsPath, '.marginalia', 'codebook.yaml'));
    author = settings().inspect<string>('author')?.globalValue;
    await as(a, 'ana');
    ana = await tag(a, 'claim', AGREED, LONG, KINDS, ANA_ONLY);
    await as(a, 'ben');
    ben = [...(await tag(a, 'claim', AGREED, SHORT, BEN_ONLY)), ...(await tag(a, 'figure', KINDS))];
    assert.equal(ana.length, 4);
    assert.equal(ben.length, 4);
  });

  after(async () => {
    const a = await api();
    const f = folderModel(a);
    await vscode.commands.executeCommand('marginalia.compareWithCoder', null);
    await a.layers.setBlindSwitchedOff(false);
    for (const p of [...a.report.panels.values()]) p.dispose();
    const mine = f.annotations(DOC).filter((x) => ['ana', 'ben', 'rev'].includes(x.provenance.author));
    await f.remove(
      DOC,
      mine.map((x) => x.id),
    );
    const root = f.folder.uri.fsPath;
    fs.rmSync(path.join(root, '.marginalia', 'reviewed'), { recursive: true, force: true });
    fs.rmSync(path.join(root, '.marginalia', 'decisions'), { recursive: true, force: true });
    if (codebookExisted) await vscode.commands.executeCommand('marginalia.setBlindCoding', false);
    else {
      fs.rmSync(path.join(root, '.marginalia', 'codebook.yaml'), { force: true });
      await f.loadCodebook();
      a.layers.changed();
    }
    await settings().update('author', author, vscode.ConfigurationTarget.Global);
    await a.review.view.refresh();
  });

  it('blind coding: a coder sees only their own annotations in the highlights, the Corpus view, the hover and the count; switched off, everyone’s', async () => {
    const a = await api();
    const f = folderModel(a);
    assert.equal(await vscode.commands.executeCommand('marginalia.setBlindCoding', true), true);
    assert.match(readYaml(a, '.marginalia/codebook.yaml'), /^blind: true$/m);
    const editor = await openAndSelect(f, DOC, BEN_ONLY);
    const bens = ben.map((x) => x.target.quote.exact).sort();
    await eventually(() => {
      const drawn = a.decorations.drawn.get(editor);
      assert.deepEqual(textsOf(editor, [...(drawn?.get('claim') ?? []), ...(drawn?.get('figure') ?? [])]), bens);
      return true;
    });
    assert.deepEqual(treeIds(a), ben.map((x) => x.id).sort());
    const hoverAt = async (quote: string): Promise<string> =>
      hoverText(
        (await vscode.commands.executeCommand(
          'vscode.executeHoverProvider',
          editor.document.uri,
          editor.document.positionAt(editor.document.getText().indexOf(quote) + 3),
        )) as vscode.Hover[],
      );
    assert.match(await hoverAt(BEN_ONLY), /Tagged by \*\*ben\*\*/);
    assert.doesNotMatch(await hoverAt(ANA_ONLY), /Tagged by/, 'ana’s passage has no hover for ben');
    await eventually(() => a.status.item.text.startsWith('$(tag) 4') && a.status.item.text.includes('$(eye-closed)'), 5000, 'count of 4');

    assert.equal(await vscode.commands.executeCommand('marginalia.toggleBlind', true), true);
    await eventually(() => {
      const drawn = a.decorations.drawn.get(editor);
      assert.equal((drawn?.get('claim') ?? []).length + (drawn?.get('figure') ?? []).length, 8);
      return true;
    });
    assert.equal(treeIds(a).length, 8);
    assert.match(await hoverAt(ANA_ONLY), /Tagged by \*\*ana\*\*/);
    await eventually(() => a.status.item.text.startsWith('$(tag) 8') && !a.status.item.text.includes('$(eye-closed)'), 5000, 'count of 8');
    assert.equal(await vscode.commands.executeCommand('marginalia.toggleBlind', false), false);
    await eventually(() => a.status.item.text.startsWith('$(tag) 4'), 5000, 'count of 4 again');
  });

  it('the compare layer: one’s own highlights filled, the compared coder’s dotted and apart, under blind coding too', async () => {
    const a = await api();
    const editor = await openAndSelect(folderModel(a), DOC, BEN_ONLY);
    assert.equal(await vscode.commands.executeCommand('marginalia.compareWithCoder', 'ana'), 'ana');
    await eventually(() => {
      const own = a.decorations.drawn.get(editor);
      const compared = a.decorations.drawnCompared.get(editor);
      assert.deepEqual(textsOf(editor, [...(own?.get('claim') ?? []), ...(own?.get('figure') ?? [])]), ben.map((x) => x.target.quote.exact).sort());
      assert.deepEqual(textsOf(editor, compared?.get('claim')), ana.map((x) => x.target.quote.exact).sort());
      return true;
    });
    assert.ok(a.status.item.text.includes('$(eye)'));
    assert.equal(await vscode.commands.executeCommand('marginalia.compareWithCoder', null), undefined);
    await eventually(() => (a.decorations.drawnCompared.get(editor)?.size ?? 0) === 0 || vscode.window.activeTextEditor !== editor, 5000, 'compare layer gone');
  });

  describe('the Review view', () => {
    let passages: ReviewNode[] = [];
    const byType = (type: string, quote?: string): ReviewNode => {
      const n = passages.find(
        (p) =>
          p.type === 'passage' &&
          p.passage.type === type &&
          (!quote ||
            Object.values(p.passage.coders)
              .flat()
              .some((x) => x.target.quote.exact === quote)),
      );
      assert.ok(n, `a ${type} passage ${quote ?? ''}`);
      return n;
    };
    const decisions = (a: MarginaliaApi) => parseDecisions(readYaml(a, `.marginalia/decisions/${DOC}.yaml`), `.marginalia/decisions/${DOC}.yaml`);
    const reviewed = (a: MarginaliaApi) => parseSidecar(readYaml(a, `.marginalia/reviewed/${DOC}.yaml`), `.marginalia/reviewed/${DOC}.yaml`);

    before(async () => {
      const a = await api();
      await as(a, 'rev');
      await vscode.commands.executeCommand('workbench.view.extension.marginalia');
      await a.review.view.refresh();
      const docs = a.review.view.getChildren();
      assert.deepEqual(
        docs.map((d) => d.type === 'doc' && d.review.doc),
        [DOC],
      );
      passages = a.review.view.getChildren(docs[0]);
    });

    it('lists the disagreements of the document, each with both coders’ versions, and shows both in the editor', async () => {
      const a = await api();
      assert.deepEqual(passages.map((p) => (p.type === 'passage' ? p.passage.type : '')).sort(), ['boundary', 'kind', 'only-one', 'only-one']);
      const boundary = byType('boundary');
      const item = a.review.view.getTreeItem(boundary);
      assert.match(String(item.label), /^claim · different boundaries$/);
      assert.equal(item.contextValue, 'reviewPassage.two');
      const versions = a.review.view.getChildren(boundary).map((v) => a.review.view.getTreeItem(v));
      assert.deepEqual(
        versions.map((v) => v.label),
        ['A  ana', 'B  ben'],
      );
      assert.match(String(versions[0].description), /^claim \d+–\d+$/);
      const editor = await a.review.view.open(boundary);
      assert.ok(editor);
      assert.equal(editor.document.getText(editor.selection), LONG);
      assert.deepEqual(textsOf(editor, a.review.view.shown.get('A')), [LONG]);
      assert.deepEqual(textsOf(editor, a.review.view.shown.get('B')), [SHORT]);
    });

    it('accepts one coder’s version into the reviewed layer with the reviewer and the time, with the agreed passage, and drops it from the list', async () => {
      const a = await api();
      const before = Date.now();
      await vscode.commands.executeCommand('marginalia.review.acceptB', byType('boundary'));
      const ds = decisions(a);
      const d = ds.find((x) => x.type === 'boundary');
      assert.ok(d);
      assert.equal(d.decision, 'accept');
      assert.equal(d.accepted, 'ben');
      assert.equal(d.reviewer, 'rev');
      assert.ok(Date.parse(d.decided) >= before - 1000 && Date.parse(d.decided) <= Date.now() + 1000, d.decided);
      const shortId = ben.find((x) => x.target.quote.exact === SHORT)?.id;
      assert.deepEqual(d.results, [shortId]);
      // The passage both coders tagged alike was accepted with the first decision, as the core does.
      assert.ok(ds.some((x) => x.decision === 'agreed' && x.reviewer === 'rev'));
      const kept = reviewed(a);
      assert.ok(kept.some((x) => x.id === shortId && x.provenance.author === 'ben'));
      assert.ok(kept.some((x) => x.target.quote.exact === AGREED));
      assert.ok(!kept.some((x) => x.target.quote.exact === LONG));
      passages = a.review.view.getChildren(a.review.view.getChildren()[0]);
      assert.equal(passages.length, 3);
      assert.ok(!passages.some((p) => p.type === 'passage' && p.passage.type === 'boundary'));
    });

    it('takes both versions, one merged annotation (asking the kind when the coders differ) and neither', async () => {
      const a = await api();
      await vscode.commands.executeCommand('marginalia.review.both', byType('only-one', BEN_ONLY));
      const asked: string[] = [];
      a.review.prompts = {
        pick: async (items, options) => {
          asked.push(String(options.placeHolder));
          return items.find((i) => i.label === 'claim');
        },
      };
      await vscode.commands.executeCommand('marginalia.review.merged', byType('kind'));
      assert.match(asked[0] ?? '', /different kinds/);
      const ds = decisions(a);
      const both = ds.find((x) => x.decision === 'both');
      assert.deepEqual(both?.results, [ben.find((x) => x.target.quote.exact === BEN_ONLY)?.id]);
      const merged = ds.find((x) => x.decision === 'merged');
      assert.ok(merged && merged.results.length === 1 && merged.reviewer === 'rev');
      const made = reviewed(a).find((x) => x.id === merged.results[0]);
      assert.ok(made);
      assert.equal(made.kind, 'claim');
      assert.equal(made.provenance.author, 'rev');
      assert.equal(made.target.quote.exact, KINDS);
      passages = a.review.view.getChildren(a.review.view.getChildren()[0]);
      assert.equal(passages.length, 1);
    });

    it('decides the selected disagreement from a key binding: the command runs on the view’s selection', async () => {
      const a = await api();
      const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
        contributes: { keybindings: { command: string; key: string; when: string }[] };
      };
      const keys = manifest.contributes.keybindings.filter((k) => k.command.startsWith('marginalia.review.'));
      assert.deepEqual(keys.map((k) => `${k.key} ${k.command}`).sort(), [
        'ctrl+alt+m a marginalia.review.acceptA',
        'ctrl+alt+m b marginalia.review.acceptB',
        'ctrl+alt+m m marginalia.review.merged',
        'ctrl+alt+m n marginalia.review.neither',
        'ctrl+alt+m o marginalia.review.both',
      ]);
      for (const k of keys) assert.match(k.when, /focusedView == marginalia\.review/);
      const last = byType('only-one', ANA_ONLY);
      await a.review.view.treeView.reveal(last, { select: true, focus: true });
      await eventually(() => a.review.view.treeView.selection[0]?.type === 'passage', 5000, 'the passage selected');
      await vscode.commands.executeCommand('marginalia.review.neither');
      const d = decisions(a).find((x) => x.decision === 'neither');
      assert.ok(d);
      assert.deepEqual(d.results, []);
      assert.equal(d.sources.length, 1);
      assert.equal(a.review.view.getChildren().length, 0);
      assert.equal(a.review.view.openCount(), 0);
      assert.match(a.review.view.treeView.message ?? '', /All 4 disagreements decided/);
    });

    it('accepts the passages the coders agree on from its command, once', async () => {
      const a = await api();
      fs.rmSync(path.join(folderModel(a).folder.uri.fsPath, '.marginalia', 'decisions'), { recursive: true, force: true });
      fs.rmSync(path.join(folderModel(a).folder.uri.fsPath, '.marginalia', 'reviewed'), { recursive: true, force: true });
      assert.deepEqual(await vscode.commands.executeCommand('marginalia.review.acceptAgreed'), { passages: 1, documents: 1 });
      const ds = decisions(a);
      assert.deepEqual(
        ds.map((x) => [x.decision, x.reviewer]),
        [['agreed', 'rev']],
      );
      assert.deepEqual(
        reviewed(a).map((x) => x.target.quote.exact),
        [AGREED],
      );
      assert.deepEqual(await vscode.commands.executeCommand('marginalia.review.acceptAgreed'), { passages: 0, documents: 0 });
      assert.equal(a.review.view.openCount(), 4);
    });

    it('follows a decision made elsewhere (the CLI): the decided passage leaves the list without a refresh', async () => {
      const a = await api();
      const f = folderModel(a);
      const open = a.review.view.getChildren(a.review.view.getChildren()[0]);
      assert.equal(open.length, 4);
      const first = open[0];
      assert.ok(first.type === 'passage');
      await new Promise<string>((resolve, reject) =>
        execFile(
          process.execPath,
          [path.join(REPO, 'dist', 'cli.js'), 'review', 'decide', first.passage.id, 'neither', '--author', 'cli-reviewer', '--root', f.folder.uri.fsPath],
          { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } },
          (e, stdout, stderr) => (e ? reject(new Error(`${e.message}\n${stderr}`)) : resolve(stdout)),
        ),
      );
      await eventually(() => a.review.view.openCount() === 3, 10_000, 'the view to follow the decision file');
      assert.ok(!a.review.view.getChildren(a.review.view.getChildren()[0]).some((p) => p.type === 'passage' && p.passage.id === first.passage.id));
    });
  });

  describe('the agreement report', () => {
    it('loads its chunk at first use and shows the numbers `marginalia agreement --json` prints on the same corpus', async () => {
      const a = await api();
      const f = folderModel(a);
      const chunk = path.join(REPO, 'dist', 'report.js');
      assert.ok(fs.existsSync(chunk), 'dist/report.js is built');
      assert.equal(require.cache[chunk], undefined, 'the report chunk is not loaded before its first use');
      await vscode.commands.executeCommand('marginalia.agreementReport');
      const panel = await eventually(() => a.report.panels.get(f), 10_000, 'the report panel');
      assert.ok(require.cache[chunk], 'the report chunk is loaded now');
      const data = await eventually(() => panel.data, 10_000, 'the report figures');

      const cli = await new Promise<string>((resolve, reject) =>
        execFile(
          process.execPath,
          [path.join(REPO, 'dist', 'cli.js'), 'agreement', '--json', '--root', f.folder.uri.fsPath],
          { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } },
          (e, stdout, stderr) => (e ? reject(new Error(`${e.message}\n${stderr}`)) : resolve(stdout)),
        ),
      );
      assert.deepEqual(reportJson(data.agreement), JSON.parse(cli));
      assert.deepEqual(data.coders, ['ana', 'ben']);
      assert.equal(data.agreement.disagreements.length, 4);

      // The same figures from the core directly, over the annotations the workspace holds.
      const all = f.annotations(DOC);
      const text = fs.readFileSync(f.uri(DOC).fsPath, 'utf8');
      const core = computeAgreement({ documents: [{ path: DOC, length: text.length }], annotations: all, coders: ['ana', 'ben'], codebook: f.codebook });
      assert.deepEqual(data.agreement.overall, core.overall);
      assert.deepEqual(data.frequencies, codeFrequencies(all, { coders: ['ana', 'ben'], kinds: Object.keys(core.kinds) }));
      assert.deepEqual(data.cooccurrence, kindCooccurrence(all, { coders: ['ana', 'ben'], kinds: Object.keys(core.kinds) }));

      const fmt = (x: number | null): string => (x === null ? '–' : x.toFixed(3));
      assert.ok(panel.html.includes(`data-figure="overall-alphaU">${fmt(data.agreement.overall.alphaU)}<`));
      assert.match(panel.html, /--vscode-charts-blue/);
      assert.match(panel.html, /<svg class="chart"/);
    });

    it('opens a disagreement’s passage from its link, and exports a table as CSV through the save dialog', async () => {
      const a = await api();
      const f = folderModel(a);
      const panel = await a.report.show(f);
      const d = panel.data?.agreement.disagreements.find((x) => x.type === 'boundary');
      assert.ok(d);
      assert.ok(panel.html.includes(`data-open="${JSON.stringify({ doc: d.doc, start: d.start, end: d.end }).replace(/"/g, '&#34;')}"`));
      await panel.handle({ type: 'open', doc: d.doc, start: d.start, end: d.end });
      const editor = await eventually(() => vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === f.uri(DOC).toString()));
      assert.equal(editor.document.getText(editor.selection), LONG);

      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'marginalia-report-'));
      const saved: vscode.SaveDialogOptions[] = [];
      a.report.prompts = {
        pick: async () => undefined,
        save: async (options) => {
          saved.push(options);
          return vscode.Uri.file(path.join(dir, `${saved.length}.csv`));
        },
      };
      const kinds = await panel.handle({ type: 'export', table: 'kinds' });
      assert.ok(kinds);
      assert.deepEqual(saved[0].filters, { CSV: ['csv'] });
      const r = panel.data!.agreement;
      const fmt = (x: number | null): string => (x === null ? '–' : x.toFixed(3));
      assert.equal(
        fs.readFileSync(kinds.fsPath, 'utf8'),
        [
          'Kind,α_u,kappa',
          ...Object.entries(r.kinds).map(([k, x]) => `${k},${fmt(x.alphaU)},${fmt(x.kappa)}`),
          `all kinds,${fmt(r.overall.alphaU)},${fmt(r.overall.kappa)}`,
        ]
          .map((l) => l + '\r\n')
          .join(''),
      );
      const co = await panel.handle({ type: 'export', table: 'cooccurrence' });
      assert.ok(co);
      const lines = fs.readFileSync(co.fsPath, 'utf8').trimEnd().split('\r\n');
      assert.equal(lines[0], `Kind,${panel.data!.cooccurrence.kinds.join(',')}`);
      assert.equal(lines.length, panel.data!.cooccurrence.kinds.length + 1);
      const freq = await panel.handle({ type: 'export', table: 'frequencies' });
      assert.ok(freq);
      assert.match(fs.readFileSync(freq.fsPath, 'utf8'), new RegExp(`^${DOC.replace(/\./g, '\\.')},ana,`, 'm'));
      assert.deepEqual(fs.readdirSync(dir).sort(), ['1.csv', '2.csv', '3.csv'], 'no temporary file left beside the exports');
      // A dismissed dialog writes nothing.
      a.report.prompts = { pick: async () => undefined, save: async () => undefined };
      assert.equal(await panel.handle({ type: 'export', table: 'documents' }), undefined);
      assert.equal(fs.readdirSync(dir).length, 3);
    });

    it('follows the annotations: a coder tagging the passage the other tagged turns the disagreement into agreement', async () => {
      const a = await api();
      const f = folderModel(a);
      const panel = await a.report.show(f);
      assert.equal(panel.data?.agreement.disagreements.length, 4);
      const agreedBefore = panel.data?.agreement.agreed;
      await as(a, 'ana');
      await tag(a, 'claim', BEN_ONLY);
      panel.panel.reveal();
      await eventually(() => panel.data?.agreement.disagreements.length === 3, 10_000, 'the report to follow the new annotation');
      assert.equal(panel.data?.agreement.agreed, (agreedBefore ?? 0) + 1);
      assert.ok(panel.html.includes(`${(agreedBefore ?? 0) + 1} passages agreed`));
    });
  });
});
