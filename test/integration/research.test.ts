// Research depth in the extension host: search, next/previous, the kind filter, codebook commands, figures.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parse } from 'yaml';
import type { Annotation } from '../../src/core/model';
import { parseCsvRecords } from '../../src/core/formats';
import type { ExportResult } from '../../src/host/exportCommand';
import { api, child, closeAll, eventually, folderModel, hoverText, openAndSelect, treeLabels } from './support/helpers';

const DOC = '004_93f4aeba23e3ae0c.txt';

describe('research tools in the extension host', function () {
  this.timeout(60_000);
  afterEach(closeAll);

  let figures: Annotation[] = [];

  before(async () => {
    const a = await api();
    await openAndSelect(folderModel(a), DOC, '11.2 trillion roubles', '$109 billion', '31st out of 83');
    figures = (await vscode.commands.executeCommand('marginalia.tagFigure', { attributes: {}, note: '' })) as Annotation[];
    assert.equal(figures.length, 3);
  });

  it('shows a figure as a normalised number in the hover', async () => {
    const a = await api();
    const f = folderModel(a);
    await f.mutate(DOC, figures[0].id, (x) => ({ ...x, attributes: { value: 11.2, unit: 'trillion roubles' } }));
    const editor = await openAndSelect(f, DOC, '11.2 trillion');
    const hovers = (await vscode.commands.executeCommand(
      'vscode.executeHoverProvider',
      editor.document.uri,
      editor.selection.start.translate(0, 2),
    )) as vscode.Hover[];
    assert.match(hoverText(hovers), /As a number: \*\*1\\?\.12 × 10/);
  });

  it('lists figures sorted by normalised value in the Figures view, and by document on request', async () => {
    const a = await api();
    const rows = a.figures.getChildren();
    const labels = rows.map((r) => a.figures.getTreeItem(r).label);
    assert.equal(rows.length, 3);
    const rub = rows.findIndex((r) => r.figure?.unit === 'RUB');
    const usd = rows.findIndex((r) => r.figure?.unit === 'USD');
    assert.ok(rub >= 0 && usd >= 0, `RUB and USD figures: ${labels.join(' | ')}`);
    await vscode.commands.executeCommand('marginalia.sortFiguresByDocument');
    assert.deepEqual(
      a.figures.getChildren().map((r) => r.annotation.id),
      figures.map((x) => x.id),
    );
    await vscode.commands.executeCommand('marginalia.sortFiguresByValue');
  });

  it('moves to the next and previous annotation, wrapping around', async () => {
    const a = await api();
    const editor = await openAndSelect(folderModel(a), DOC, 'The Russian government');
    await vscode.commands.executeCommand('marginalia.nextAnnotation');
    assert.equal(editor.document.getText(editor.selection), '11.2 trillion roubles');
    await vscode.commands.executeCommand('marginalia.nextAnnotation');
    assert.equal(editor.document.getText(editor.selection), '$109 billion');
    await vscode.commands.executeCommand('marginalia.nextAnnotation');
    await vscode.commands.executeCommand('marginalia.nextAnnotation');
    assert.equal(editor.document.getText(editor.selection), '11.2 trillion roubles', 'wraps to the first');
    await vscode.commands.executeCommand('marginalia.previousAnnotation');
    assert.equal(editor.document.getText(editor.selection), '31st out of 83', 'wraps to the last');
  });

  it('searches all annotations and opens the one picked', async () => {
    const search = vscode.commands.executeCommand('marginalia.search', '31st');
    await new Promise((r) => setTimeout(r, 500));
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    await search;
    const editor = await eventually(() => vscode.window.activeTextEditor, 5000, 'an editor');
    assert.equal(path.basename(editor.document.uri.fsPath), DOC);
    assert.equal(editor.document.getText(editor.selection), '31st out of 83');
  });

  it('searches a corpus too large to list with the core search: the words typed find the annotation, which opens', async () => {
    // A list limit of 0 stands in for a million annotations: the list holds only what the core search finds.
    const search = vscode.commands.executeCommand('marginalia.search', '31st out', 0);
    await new Promise((r) => setTimeout(r, 500));
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    await search;
    const editor = await eventually(() => vscode.window.activeTextEditor, 5000, 'an editor');
    assert.equal(path.basename(editor.document.uri.fsPath), DOC);
    assert.equal(editor.document.getText(editor.selection), '31st out of 83');
  });

  it('filters the Corpus view by kind', async () => {
    const a = await api();
    await vscode.commands.executeCommand('marginalia.filterKinds', ['claim']);
    const doc = child(a, undefined, DOC);
    assert.deepEqual(treeLabels(a, doc), [], 'no claims in this document');
    assert.equal(a.treeView.description, 'showing claim');
    await vscode.commands.executeCommand('marginalia.clearFilter');
    assert.deepEqual(treeLabels(a, child(a, undefined, DOC)), ['figure (3)']);
    const total = a.workspace.all().reduce((n, f) => n + f.count(), 0);
    assert.ok(total > 1);
    assert.equal(a.treeView.description, `${total} annotations`, 'after Show All Kinds the header counts the annotations again');
  });

  it('adds a kind and renames a kind, rewriting its annotations', async () => {
    const a = await api();
    const f = folderModel(a);
    await vscode.commands.executeCommand('marginalia.addKind', { name: 'quote', description: 'A direct quotation' });
    assert.ok(f.kind('quote'), 'the new kind is in the codebook');
    const codebookFile = path.join(f.folder.uri.fsPath, '.marginalia', 'codebook.yaml');
    assert.deepEqual(
      parse(fs.readFileSync(codebookFile, 'utf8')).kinds.map((k: { name: string }) => k.name),
      ['claim', 'figure', 'entity', 'quote'],
    );
    const r = (await vscode.commands.executeCommand('marginalia.renameKind', { from: 'figure', to: 'number' })) as { annotations: number };
    assert.ok(r.annotations >= 3);
    await eventually(() => f.annotations(DOC).every((x) => x.kind === 'number'), 5000, 'rewritten annotations');
    const sidecar = parse(fs.readFileSync(path.join(f.folder.uri.fsPath, '.marginalia', 'annotations', DOC + '.yaml'), 'utf8'));
    assert.ok(sidecar.annotations.every((x: { kind: string }) => x.kind === 'number'));
    await vscode.commands.executeCommand('marginalia.renameKind', { from: 'number', to: 'figure' });
    await eventually(() => f.annotations(DOC).every((x) => x.kind === 'figure'), 5000, 'renamed back');
  });

  it('opens the codebook for editing, and shows a problem at its line while the person types, without a YAML extension', async () => {
    const editor = (await vscode.commands.executeCommand('marginalia.openCodebook')) as vscode.TextEditor;
    const doc = editor.document;
    assert.match(doc.uri.path, /\.marginalia\/codebook\.yaml$/);
    assert.match(doc.getText(), /Schema: schemas\/codebook\.schema\.json/);
    const problems = (): vscode.Diagnostic[] => vscode.languages.getDiagnostics(doc.uri).filter((d) => d.source === 'Marginalia');
    await eventually(() => problems().length === 0, 5000, 'a valid codebook has no problems');
    const colourLine = doc
      .getText()
      .split('\n')
      .findIndex((l) => /^\s*colour:/.test(l));
    assert.ok(colourLine >= 0, 'the codebook has a colour line');
    const line = doc.lineAt(colourLine);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, line.range, line.text.replace(/colour:.*/, 'colour: reddish'));
    assert.ok(await vscode.workspace.applyEdit(edit));
    await eventually(() => problems().length === 1, 5000, 'the bad colour is reported');
    const [p] = problems();
    assert.equal(p.range.start.line, colourLine);
    assert.equal(p.severity, vscode.DiagnosticSeverity.Error);
    assert.match(p.message, /colour/);
    // Undoing the mistake clears it.
    await vscode.commands.executeCommand('undo');
    assert.doesNotMatch(doc.getText(), /reddish/);
    await eventually(() => problems().length === 0, 5000, 'the problem clears once the text is fixed');
  });

  it('lists a broken sidecar on disk in the Problems panel at the line of the problem', async () => {
    const f = folderModel(await api());
    const rel = '.marginalia/annotations/notes-broken.txt.yaml';
    const file = path.join(f.folder.uri.fsPath, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, 'version: 1\ndocument: notes-broken.txt\nannotations:\n  - id: 42\n');
    try {
      await vscode.commands.executeCommand('marginalia.refresh');
      const uri = vscode.Uri.file(file);
      await eventually(() => vscode.languages.getDiagnostics(uri).some((d) => d.source === 'Marginalia'), 5000, 'the broken sidecar is in the Problems panel');
      const [p] = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Marginalia');
      assert.equal(p.range.start.line, 3, 'at the annotation with the bad id (line 4)');
    } finally {
      fs.rmSync(file);
      await vscode.commands.executeCommand('marginalia.refresh');
    }
    await eventually(() => vscode.languages.getDiagnostics(vscode.Uri.file(file)).length === 0, 5000, 'gone with the file');
  });

  describe('export: the format, then which annotations, then the place', () => {
    interface Shown {
      prompt: 'pick' | 'save';
      text?: string;
      labels?: string[];
      defaultUri?: vscode.Uri;
    }

    /** Runs the Export command as the view's button or the palette does, answering its prompts: `choose` names the
     *  label to pick (by its start), `target` is the place the save dialog returns. */
    async function exportWith(arg: unknown, choose: string[], target: vscode.Uri): Promise<{ shown: Shown[]; result?: ExportResult }> {
      const a = await api();
      const shown: Shown[] = [];
      const answers = [...choose];
      const real = a.exporter.prompts;
      a.exporter.prompts = {
        pick: async <T extends vscode.QuickPickItem>(items: T[], options: vscode.QuickPickOptions) => {
          const labels = items.map((i) => i.label);
          shown.push({ prompt: 'pick', text: options.placeHolder, labels });
          const want = answers.shift();
          return items.find((i) => want !== undefined && i.label.startsWith(want));
        },
        save: async (options: vscode.SaveDialogOptions) => {
          shown.push({ prompt: 'save', text: options.title, defaultUri: options.defaultUri });
          return target;
        },
      };
      try {
        const result = (await vscode.commands.executeCommand('marginalia.export', arg)) as ExportResult | undefined;
        return { shown, result };
      } finally {
        a.exporter.prompts = real;
      }
    }

    const CLAIMED = '000_66ca398fea36cc01.txt';
    let out: string;
    let claim: Annotation;
    before(async () => {
      const f = folderModel(await api());
      out = fs.mkdtempSync(path.join(path.dirname(f.folder.uri.fsPath), 'exports-'));
      // A claim in a second document, beside the figures of DOC: a corpus of two documents and two kinds.
      await openAndSelect(f, CLAIMED, 'Russian President Vladimir Putin stated');
      [claim] = (await vscode.commands.executeCommand('marginalia.tagClaim', { note: '', attributes: {} })) as Annotation[];
      await closeAll();
    });
    after(async () => {
      fs.rmSync(out, { recursive: true, force: true });
      await vscode.commands.executeCommand('marginalia.clearFilter');
      await folderModel(await api()).remove(CLAIMED, [claim.id]);
    });

    it('from the Corpus view with a document selected and a kind filter on: format first, then the scope with the whole corpus first, then a save dialog outside the corpus', async () => {
      const a = await api();
      const f = folderModel(a);
      const annotated = f.documents().filter((d) => f.annotations(d).length > 0);
      assert.ok(annotated.length >= 2 && annotated.includes(DOC), `two annotated documents at least: ${annotated.join(', ')}`);
      await vscode.commands.executeCommand('marginalia.filterKinds', ['figure']);
      const node = child(a, undefined, DOC);
      const target = vscode.Uri.file(path.join(out, 'all.csv'));
      // The view passes its selected node to the title button, as VS Code does.
      const { shown, result } = await exportWith(node, ['CSV', '$(library) Whole corpus'], target);
      assert.deepEqual(
        shown.map((x) => [x.prompt, x.text]),
        [
          ['pick', 'Export annotations in which format?'],
          ['pick', 'Export which annotations as CSV?'],
          ['save', 'Export annotations as CSV'],
        ],
      );
      assert.deepEqual(shown[0].labels, [
        'YAML',
        'W3C Web Annotation (JSON-LD)',
        'CSV',
        'brat standoff',
        'REFI-QDA project (.qdpx)',
        'REFI-QDA codebook (.qdc)',
      ]);
      assert.deepEqual(shown[1].labels, ['$(library) Whole corpus', `$(file) ${DOC}`, '$(filter) Kinds shown: figure']);
      const offered = shown[2].defaultUri;
      assert.ok(offered, 'the save dialog offers a place');
      assert.equal(path.dirname(offered.fsPath), path.dirname(f.folder.uri.fsPath), 'next to the workspace folder, outside the corpus');
      assert.equal(path.basename(offered.fsPath), `${f.name}-annotations.csv`);
      assert.deepEqual(
        { documents: result?.documents, annotations: result?.annotations },
        { documents: annotated.length, annotations: f.count() },
        'the whole corpus, not the selected document',
      );
      // Records, not lines: a note or a quote may hold a line break inside its quoted field.
      const rows = parseCsvRecords(fs.readFileSync(target.fsPath, 'utf8'), target.fsPath).slice(1);
      assert.equal(rows.length, f.count());
    });

    it('exports only the selected document, or only the kinds the filter shows, when the person picks that', async () => {
      const a = await api();
      const f = folderModel(a);
      await vscode.commands.executeCommand('marginalia.filterKinds', ['claim']);
      const node = child(a, undefined, DOC);
      const one = vscode.Uri.file(path.join(out, 'one.yaml'));
      const doc = await exportWith(node, ['YAML', '$(file)'], one);
      assert.equal(path.basename(doc.shown[2].defaultUri?.fsPath ?? ''), `${DOC}.marginalia.yaml`);
      const exported = parse(fs.readFileSync(one.fsPath, 'utf8')) as { documents: { path: string; annotations: { kind: string }[] }[] };
      assert.deepEqual(
        exported.documents.map((d) => d.path),
        [DOC],
      );
      assert.equal(exported.documents[0].annotations.length, f.annotations(DOC).length);
      const claims = vscode.Uri.file(path.join(out, 'claims.yaml'));
      const filtered = await exportWith(undefined, ['YAML', '$(filter) Kinds shown: claim'], claims);
      const want = f.documents().flatMap((d) => f.annotations(d).filter((x) => x.kind === 'claim'));
      assert.ok(want.length > 0, 'the corpus has claims');
      assert.equal(filtered.result?.annotations, want.length);
      const kinds = (parse(fs.readFileSync(claims.fsPath, 'utf8')) as { documents: { annotations: { kind: string }[] }[] }).documents.flatMap((d) =>
        d.annotations.map((x) => x.kind),
      );
      assert.deepEqual([...new Set(kinds)], ['claim']);
      await vscode.commands.executeCommand('marginalia.clearFilter');
      const palette = await exportWith(undefined, ['YAML', '$(library) Whole corpus'], vscode.Uri.file(path.join(out, 'palette.yaml')));
      assert.ok(!palette.shown[1].labels?.some((l) => l.startsWith('$(filter)')), 'no filter scope without a filter');
    });

    it('leaves a brat export into the workspace, and any folder a Marginalia export marked, out of the corpus', async () => {
      const a = await api();
      const f = folderModel(a);
      const root = f.folder.uri.fsPath;
      const before = [...f.corpus];
      const brat = vscode.Uri.file(path.join(root, 'brat-out'));
      const { shown } = await exportWith(undefined, ['brat standoff', '$(library) Whole corpus'], brat);
      assert.equal(shown[2].text, 'Export annotations as brat standoff into a new folder');
      assert.ok(fs.existsSync(path.join(root, 'brat-out', '.marginalia-export')));
      assert.ok(fs.existsSync(path.join(root, 'brat-out', DOC)), 'brat wrote its copy of the document');
      // Another tool (the CLI) marks a folder and writes into it.
      fs.mkdirSync(path.join(root, 'cli-out'));
      fs.writeFileSync(path.join(root, 'cli-out', '.marginalia-export'), 'x');
      fs.writeFileSync(path.join(root, 'cli-out', 'copy.txt'), 'a copy');
      // A document written after them: once the model has it, it has heard of every file before it.
      fs.writeFileSync(path.join(root, 'later.txt'), 'a new document');
      try {
        await eventually(() => f.isCorpus('later.txt'), 10_000, 'the new document joins the corpus');
        assert.deepEqual(f.corpus, [...before, 'later.txt'].sort(), 'no copy in brat-out/ or cli-out/ is a corpus document');
        assert.ok(!treeLabels(a).some((l) => l.startsWith('brat-out') || l.startsWith('cli-out')), treeLabels(a).join(' | '));
        await vscode.commands.executeCommand('marginalia.refresh');
        assert.deepEqual(f.corpus, [...before, 'later.txt'].sort(), 'nor after listing the folder again');
        // The workspace folder itself: brat's copies would overwrite the documents, and that is what the refusal names.
        const inCorpus = fs.readdirSync(root).sort();
        await assert.rejects(
          a.exporter.run({ scope: 'corpus', format: 'brat', target: f.folder.uri.toString() }),
          /^Error: Refusing to export there: \S+\.txt is a document of the corpus, and the export would overwrite it/,
        );
        assert.deepEqual(fs.readdirSync(root).sort(), inCorpus);
        // A folder holding a person's other files is refused too, with nothing written into it.
        const mine = fs.mkdtempSync(path.join(path.dirname(root), 'mine-'));
        fs.writeFileSync(path.join(mine, 'notes.txt'), 'my notes');
        try {
          await assert.rejects(
            a.exporter.run({ scope: 'corpus', format: 'brat', target: vscode.Uri.file(mine).toString() }),
            /already holds files that no Marginalia export wrote; export into a new or empty folder/,
          );
          assert.deepEqual(fs.readdirSync(mine), ['notes.txt']);
        } finally {
          fs.rmSync(mine, { recursive: true, force: true });
        }
      } finally {
        for (const x of ['brat-out', 'cli-out', 'later.txt']) fs.rmSync(path.join(root, x), { recursive: true, force: true });
      }
      await eventually(() => !f.isCorpus('later.txt'), 10_000, 'the new document gone again');
    });
  });
});
