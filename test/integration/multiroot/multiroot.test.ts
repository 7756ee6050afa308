// A multi-root workspace: the sample corpus and a second folder. Each folder has its own store.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Annotation } from '../../../src/core/model';
import { api, child, closeAll, eventually, openAndSelect, treeLabels } from '../support/helpers';

describe('multi-root workspace', function () {
  this.timeout(60_000);
  afterEach(closeAll);

  it('opened two folders, each loaded with its own corpus', async () => {
    const a = await api();
    const folders = a.workspace.all();
    assert.deepEqual(
      folders.map((f) => f.name),
      ['corpus', 'newsroom'],
    );
    assert.equal(folders[0].corpus.length, 5);
    assert.deepEqual(folders[1].corpus, ['desk/brief.md']);
  });

  it('shows one root per folder in the Corpus view, with counts', async () => {
    const a = await api();
    const roots = treeLabels(a);
    assert.deepEqual(roots, ['corpus (5 documents · 0 annotations)', 'newsroom (1 document · 0 annotations)']);
    const newsroom = child(a, undefined, 'newsroom');
    assert.deepEqual(treeLabels(a, newsroom), ['desk (1 document · 0 annotations)']);
  });

  it('stores annotations in the store of the folder the document belongs to', async () => {
    const a = await api();
    const [corpus, newsroom] = a.workspace.all();
    await openAndSelect(newsroom, 'desk/brief.md', 'six to nine months');
    const [fig] = (await vscode.commands.executeCommand('marginalia.tagFigure', { attributes: { value: 6, unit: 'months' }, note: '' })) as Annotation[];
    assert.equal(fig.doc, 'desk/brief.md');
    const sidecar = path.join(newsroom.folder.uri.fsPath, '.marginalia', 'annotations', 'desk', 'brief.md.yaml');
    assert.ok(fs.existsSync(sidecar), 'sidecar in the newsroom folder');
    assert.ok(!fs.existsSync(path.join(corpus.folder.uri.fsPath, '.marginalia')), 'nothing written to the other folder');
    await eventually(() => treeLabels(a).includes('newsroom (1 document · 1 annotation)'), 5000, 'count on the newsroom root');

    await openAndSelect(corpus, '001_7b613edff552618b.txt', 'Sberbank');
    await vscode.commands.executeCommand('marginalia.tagEntity', { attributes: { type: 'organisation', canonical: 'Sberbank' } });
    assert.ok(fs.existsSync(path.join(corpus.folder.uri.fsPath, '.marginalia', 'annotations', '001_7b613edff552618b.txt.yaml')));
  });

  it('reads the Markdown front matter for the hover', async () => {
    const a = await api();
    const newsroom = a.workspace.all()[1];
    const editor = await openAndSelect(newsroom, 'desk/brief.md', 'six to nine');
    const hovers = (await vscode.commands.executeCommand(
      'vscode.executeHoverProvider',
      editor.document.uri,
      editor.selection.start.translate(0, 2),
    )) as vscode.Hover[];
    const text = hovers
      .flatMap((h) => h.contents)
      .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
      .join('\n');
    assert.match(text, /Figure/);
    assert.match(text, /Wire services/);
    assert.match(text, /Desk editor/);
  });

  it('exports a chosen folder’s corpus', async () => {
    const a = await api();
    const newsroom = a.workspace.all()[1];
    const target = vscode.Uri.joinPath(newsroom.folder.uri, 'out.yaml');
    const r = (await vscode.commands.executeCommand('marginalia.export', {
      scope: 'corpus',
      folder: newsroom.folder.uri.toString(),
      target: target.toString(),
    })) as { annotations: number };
    assert.equal(r.annotations, 1);
    assert.match(fs.readFileSync(target.fsPath, 'utf8'), /path: desk\/brief\.md/);
  });
});
