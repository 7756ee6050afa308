// Research depth in the extension host: search, next/previous, the kind filter, codebook commands, figures.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parse } from 'yaml';
import type { Annotation } from '../../src/core/model';
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
    const hovers = (await vscode.commands.executeCommand('vscode.executeHoverProvider', editor.document.uri, editor.selection.start.translate(0, 2))) as vscode.Hover[];
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
    assert.deepEqual(a.figures.getChildren().map((r) => r.annotation.id), figures.map((x) => x.id));
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
    assert.deepEqual(parse(fs.readFileSync(codebookFile, 'utf8')).kinds.map((k: { name: string }) => k.name), ['claim', 'figure', 'entity', 'quote']);
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
    const colourLine = doc.getText().split('\n').findIndex((l) => /^\s*colour:/.test(l));
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
});
