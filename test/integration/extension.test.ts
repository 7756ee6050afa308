// Marginalia inside a real VS Code extension host (code-server), on a copy of the sample corpus.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parse } from 'yaml';
import type { Annotation } from '../../src/core/model';
import { api, child, closeAll, eventually, folderModel, hoverText, logged, openAndSelect, treeLabels } from './support/helpers';

const D0 = '000_66ca398fea36cc01.txt';
const D1 = '001_7b613edff552618b.txt';
const D2 = '002_4d4efb0aba07dc3f.txt';
const D3 = '003_9c64581d9f6d6d73.txt';
const D4 = '004_93f4aeba23e3ae0c.txt';

function sidecar(root: string, doc: string): { document: string; annotations: Record<string, unknown>[] } | undefined {
  const file = path.join(root, '.marginalia', 'annotations', doc + '.yaml');
  return fs.existsSync(file) ? parse(fs.readFileSync(file, 'utf8')) : undefined;
}

describe('Marginalia in the extension host', function () {
  this.timeout(60_000);
  let root: string;

  before(async () => {
    const a = await api();
    root = folderModel(a).folder.uri.fsPath;
  });
  afterEach(closeAll);

  describe('corpus view', () => {
    it('lists the five sample documents with no annotations yet', async () => {
      const a = await api();
      const labels = treeLabels(a);
      assert.deepEqual(labels, [D0, D1, D2, D3, D4]);
      assert.equal(a.treeView.message, undefined, 'no read-only message in a trusted workspace');
    });
  });

  describe('tagging, tree, hover, highlights', () => {
    let claim: Annotation;

    it('tags the selection as a claim from a command, storing it in the sidecar', async () => {
      const a = await api();
      const f = folderModel(a);
      await openAndSelect(f, D0, 'Russian President Vladimir Putin stated');
      const created = (await vscode.commands.executeCommand('marginalia.tagClaim', {
        note: 'key statement',
        attributes: { speaker: 'Vladimir Putin' },
      })) as Annotation[];
      assert.equal(created.length, 1);
      claim = created[0];
      assert.equal(claim.kind, 'claim');
      assert.equal(claim.target.quote.exact, 'Russian President Vladimir Putin stated');
      assert.deepEqual(claim.attributes, { speaker: 'Vladimir Putin' });
      const stored = sidecar(root, D0);
      assert.ok(stored, 'sidecar written');
      assert.equal(stored.document, D0);
      assert.deepEqual(
        stored.annotations.map((x) => x.id),
        [claim.id],
      );
      assert.equal(stored.annotations[0].note, 'key statement');
    });

    it('shows the document → kind → passage in the tree, with counts', async () => {
      const a = await api();
      await eventually(() => treeLabels(a).includes(`${D0} (1)`), 5000, 'count on the document');
      const doc = child(a, undefined, D0);
      assert.deepEqual(treeLabels(a, doc), ['claim (1)']);
      const kind = child(a, doc, 'claim');
      assert.deepEqual(treeLabels(a, kind), ['Russian President Vladimir Putin stated (speaker: Vladimir Putin — key statement)']);
      const item = a.tree.getTreeItem(a.tree.getChildren(kind)[0]);
      assert.equal(item.contextValue, 'annotation');
      assert.equal(item.command?.command, 'marginalia._openAnnotation');
    });

    it('opens the document with the passage selected when a passage is clicked', async () => {
      const a = await api();
      const node = a.tree.getChildren(child(a, child(a, undefined, D0), 'claim'))[0];
      const cmd = a.tree.getTreeItem(node).command!;
      await vscode.commands.executeCommand(cmd.command, ...(cmd.arguments ?? []));
      const editor = vscode.window.activeTextEditor!;
      assert.equal(path.basename(editor.document.uri.fsPath), D0);
      assert.equal(editor.document.getText(editor.selection), 'Russian President Vladimir Putin stated');
    });

    it('hovers with provenance: kind, attributes, note, author, source header, anchor state, command links', async () => {
      const a = await api();
      const editor = await openAndSelect(folderModel(a), D0, 'Vladimir Putin stated');
      const hovers = (await vscode.commands.executeCommand('vscode.executeHoverProvider', editor.document.uri, editor.selection.start)) as vscode.Hover[];
      const text = hoverText(hovers);
      for (const expected of [
        'Claim',
        'speaker',
        'Vladimir Putin',
        'key statement',
        'Tagged by',
        'Article Source',
        'TMTPOST',
        'Author',
        'Lin Zhijia',
        'anchored exactly',
        'command:marginalia.revealInTree',
        'command:marginalia.deleteAnnotation',
      ]) {
        assert.ok(text.includes(expected), `hover has "${expected}":\n${text}`);
      }
      const outside = (await vscode.commands.executeCommand('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(0, 0))) as vscode.Hover[];
      assert.ok(!hoverText(outside).includes('Tagged by'), 'no provenance hover outside annotations');
    });

    it('highlights the passage with the claim decoration', async () => {
      const a = await api();
      const editor = await openAndSelect(folderModel(a), D0, 'Russian President Vladimir Putin stated');
      a.decorations.refreshNow();
      const drawn = a.decorations.drawn.get(editor);
      assert.ok(drawn, 'decorations drawn for the editor');
      const ranges = drawn.get('claim') ?? [];
      assert.equal(ranges.length, 1);
      assert.equal(editor.document.getText(ranges[0]), 'Russian President Vladimir Putin stated');
    });

    it('tags every selection with multiple cursors, and overlapping passages stay visible', async () => {
      const a = await api();
      const f = folderModel(a);
      const editor = await openAndSelect(f, D0, 'Global Times', 'Moscow', 'Vladimir Putin');
      const created = (await vscode.commands.executeCommand('marginalia.tagEntity', { attributes: { type: 'place' }, note: '' })) as Annotation[];
      assert.equal(created.length, 3);
      assert.deepEqual(
        created.map((c) => c.target.quote.exact),
        ['Global Times', 'Moscow', 'Vladimir Putin'],
      );
      a.decorations.refreshNow();
      const drawn = a.decorations.drawn.get(editor)!;
      assert.equal(drawn.get('entity')?.length, 3);
      // "Vladimir Putin" lies inside the claim: both kinds are drawn over it.
      assert.equal(drawn.get('claim')?.length, 1);
      const inner = (await vscode.commands.executeCommand(
        'vscode.executeHoverProvider',
        editor.document.uri,
        editor.document.positionAt(editor.document.getText().indexOf('Vladimir Putin') + 3),
      )) as vscode.Hover[];
      const text = hoverText(inner);
      assert.ok(text.includes('Entity') && text.includes('Claim'), `both overlapping annotations in the hover:\n${text}`);
      await vscode.commands.executeCommand('marginalia.undo');
      await eventually(() => f.annotations(D0).length === 1, 5000, 'undo of the tagging');
    });

    it('edits the note, the attributes and the kind, and deletes with undo', async () => {
      const a = await api();
      const f = folderModel(a);
      const args = [f.folder.uri.toString(), D0, claim.id];
      await vscode.commands.executeCommand('marginalia.editNote', ...args, { note: 'checked against the Kremlin transcript' });
      assert.equal(f.get(D0, claim.id)?.note, 'checked against the Kremlin transcript');
      await vscode.commands.executeCommand('marginalia.editAttributes', ...args, { attributes: { speaker: 'V. Putin' } });
      assert.deepEqual(f.get(D0, claim.id)?.attributes, { speaker: 'V. Putin' });
      assert.equal(sidecar(root, D0)?.annotations[0].note, 'checked against the Kremlin transcript');
      await vscode.commands.executeCommand('marginalia.changeKind', ...args, { kind: 'entity' });
      assert.equal(f.get(D0, claim.id)?.kind, 'entity');
      assert.deepEqual(f.get(D0, claim.id)?.attributes, {}, 'a claim speaker is not an entity attribute');
      await vscode.commands.executeCommand('marginalia.undo');
      assert.equal(f.get(D0, claim.id)?.kind, 'claim');
      assert.deepEqual(f.get(D0, claim.id)?.attributes, { speaker: 'V. Putin' });
      await vscode.commands.executeCommand('marginalia.deleteAnnotation', ...args);
      assert.equal(f.get(D0, claim.id), undefined);
      assert.equal(sidecar(root, D0), undefined, 'the last annotation gone: no sidecar left');
      await vscode.commands.executeCommand('marginalia.undo');
      await eventually(() => f.get(D0, claim.id), 5000, 'the claim restored');
      assert.deepEqual(
        sidecar(root, D0)?.annotations.map((x) => x.id),
        [claim.id],
      );
    });

    it('exports the corpus and the current document as YAML, and in the other formats', async () => {
      const a = await api();
      const out = vscode.Uri.file(path.join(root, 'exports', 'all.yaml'));
      const result = (await vscode.commands.executeCommand('marginalia.export', { scope: 'corpus', target: out.toString() })) as {
        documents: number;
        annotations: number;
      };
      assert.deepEqual({ documents: result.documents, annotations: result.annotations }, { documents: 1, annotations: 1 });
      const exported = parse(fs.readFileSync(out.fsPath, 'utf8'));
      assert.equal(exported.format, 'marginalia-export');
      assert.equal(exported.documents[0].path, D0);
      assert.equal(exported.documents[0].metadata['Article Source'], 'TMTPOST');
      const ann = exported.documents[0].annotations[0];
      assert.equal(ann.kind, 'claim');
      assert.equal(ann.quote.exact, 'Russian President Vladimir Putin stated');
      assert.equal(ann.note, 'checked against the Kremlin transcript');
      assert.equal(ann.start.line, 8);
      await openAndSelect(folderModel(a), D0, 'Putin');
      const one = vscode.Uri.file(path.join(root, 'exports', 'one.yaml'));
      await vscode.commands.executeCommand('marginalia.export', { scope: 'document', target: one.toString() });
      assert.deepEqual(
        parse(fs.readFileSync(one.fsPath, 'utf8')).documents.map((d: { path: string }) => d.path),
        [D0],
      );
      // The other formats, through the same command.
      const csv = vscode.Uri.file(path.join(root, 'exports', 'all.csv'));
      await vscode.commands.executeCommand('marginalia.export', { scope: 'corpus', format: 'csv', target: csv.toString() });
      assert.match(fs.readFileSync(csv.fsPath, 'utf8'), /^id,document,kind,start_utf16,end_utf16/);
      const w3c = vscode.Uri.file(path.join(root, 'exports', 'all.jsonld'));
      await vscode.commands.executeCommand('marginalia.export', { scope: 'corpus', format: 'w3c', target: w3c.toString() });
      assert.equal(JSON.parse(fs.readFileSync(w3c.fsPath, 'utf8')).type, 'AnnotationCollection');
      const brat = vscode.Uri.file(path.join(root, 'exports', 'brat'));
      await vscode.commands.executeCommand('marginalia.export', { scope: 'corpus', format: 'brat', target: brat.toString() });
      assert.match(
        fs.readFileSync(path.join(brat.fsPath, D0.replace(/\.txt$/, '.ann')), 'utf8'),
        /^T1\tclaim \d+ \d+\tRussian President Vladimir Putin stated/m,
      );
      assert.ok(fs.existsSync(path.join(brat.fsPath, 'annotation.conf')));
      fs.rmSync(path.join(root, 'exports'), { recursive: true });
    });

    it('refuses to export over a sidecar, a snapshot or a corpus document, or brat into the workspace root, writing nothing', async () => {
      const before = (rel: string): Buffer => fs.readFileSync(path.join(root, rel));
      const sidecarRel = `.marginalia/annotations/${D0}.yaml`;
      const sidecarBytes = before(sidecarRel);
      const documentBytes = before(D0);
      const snapshots = fs
        .readdirSync(path.join(root, '.marginalia', 'snapshots'), { recursive: true })
        .map(String)
        .filter((n) => n.endsWith('.txt'));
      assert.ok(snapshots.length > 0);
      const snapshotRel = `.marginalia/snapshots/${snapshots[0]}`;
      const attempts: [string, string, RegExp][] = [
        ['csv', sidecarRel, /is the sidecar of/],
        ['yaml', D0, /is a document of the corpus/],
        ['w3c', snapshotRel, /is inside \.marginalia/],
        ['brat', '.', /is a document of the corpus/],
      ];
      for (const [format, rel, why] of attempts) {
        const target = vscode.Uri.file(path.join(root, rel));
        const result = await vscode.commands.executeCommand('marginalia.export', { scope: 'corpus', format, target: target.toString() });
        assert.equal(result, undefined, `${format} to ${rel} is refused`);
        await logged(await api(), new RegExp(`marginalia\\.export: Refusing to export there: ${rel === '.' ? '' : rel.replace(/[.]/g, '\\.')}.*${why.source}`));
      }
      assert.ok(before(sidecarRel).equals(sidecarBytes), 'the sidecar is untouched');
      assert.ok(before(D0).equals(documentBytes), 'the document is untouched');
      assert.equal(fs.existsSync(path.join(root, 'annotation.conf')), false, 'nothing of the brat export was written');
    });

    it('shows the current document’s count in the status bar', async () => {
      const a = await api();
      await openAndSelect(folderModel(a), D0, 'Putin');
      await eventually(() => a.status.item.text === '$(tag) 1', 5000, 'status bar count');
      assert.match(String(a.status.item.tooltip), /1 annotation in 000_66ca398fea36cc01\.txt/);
    });
  });

  describe('edit tracking while typing', () => {
    it('moves annotations with WorkspaceEdits and typing, and saves the new offsets', async () => {
      const a = await api();
      const f = folderModel(a);
      const editor = await openAndSelect(f, D1, 'Sberbank');
      const [entity] = (await vscode.commands.executeCommand('marginalia.tagEntity', {
        attributes: { type: 'organisation', canonical: 'Sberbank' },
      })) as Annotation[];
      const doc = editor.document;
      const start0 = entity.target.start;

      // A WorkspaceEdit before the passage shifts it.
      const we = new vscode.WorkspaceEdit();
      we.insert(doc.uri, new vscode.Position(0, 0), 'EDITED. ');
      assert.ok(await vscode.workspace.applyEdit(we));
      await eventually(() => f.get(D1, entity.id)?.target.start === start0 + 8, 5000, 'shifted by the WorkspaceEdit');

      // Typing inside the document, far before the passage, one keystroke at a time.
      editor.selection = new vscode.Selection(new vscode.Position(0, 0), new vscode.Position(0, 0));
      for (const ch of 'abc') await vscode.commands.executeCommand('type', { text: ch });
      const moved = await eventually(() => (f.get(D1, entity.id)?.target.start === start0 + 11 ? f.get(D1, entity.id) : undefined), 5000, 'shifted by typing');
      assert.equal(moved.target.start, start0 + 11);
      assert.equal(doc.getText().slice(moved.target.start, moved.target.end), 'Sberbank');

      // Typing inside the passage grows it.
      const inside = doc.positionAt(moved.target.start + 4);
      editor.selection = new vscode.Selection(inside, inside);
      await vscode.commands.executeCommand('type', { text: '-' });
      const grown = await eventually(
        () => (f.get(D1, entity.id)?.target.end === moved.target.end + 1 ? f.get(D1, entity.id) : undefined),
        5000,
        'grown by typing inside',
      );
      assert.equal(doc.getText().slice(grown.target.start, grown.target.end), 'Sber-bank');

      // Saving writes the new offsets, a fresh quote and the hash of the saved text.
      assert.ok(await doc.save());
      await eventually(() => sidecar(root, D1)?.annotations[0].start === grown.target.start, 5000, 'saved offsets');
      const saved = sidecar(root, D1)!.annotations[0];
      assert.equal(saved.exact, 'Sber-bank');
      assert.equal(saved.status, 'reanchored');
      assert.equal(saved.method, 'edits');
    });

    it('orphans an annotation whose passage is deleted in the editor, and re-attaches it to a new selection', async () => {
      const a = await api();
      const f = folderModel(a);
      const editor = await openAndSelect(f, D1, 'graphics processing units (GPUs)');
      const [figure] = (await vscode.commands.executeCommand('marginalia.tagClaim', { attributes: {}, note: '' })) as Annotation[];
      const doc = editor.document;
      const start = doc.positionAt(figure.target.start);
      const end = doc.positionAt(figure.target.end);
      await editor.edit((b) => b.delete(new vscode.Range(start, end)));
      await eventually(() => f.get(D1, figure.id)?.anchor.status === 'orphaned', 5000, 'orphaned');
      await eventually(() => treeLabels(a, child(a, undefined, D1)).includes('orphaned (1)'), 5000, 'orphans group in the tree');
      await editor.edit((b) => b.insert(start, 'GPUs'));
      editor.selection = new vscode.Selection(start, start.translate(0, 4));
      await vscode.commands.executeCommand('marginalia.reattach', f.folder.uri.toString(), D1, figure.id);
      const back = f.get(D1, figure.id)!;
      assert.equal(back.anchor.status, 'reanchored');
      assert.equal(back.target.quote.exact, 'GPUs');
      assert.ok(await doc.save());
    });
  });

  describe('outside changes', () => {
    it('follows a new corpus file and a deletion on disk', async () => {
      const a = await api();
      const file = path.join(root, 'notes', 'new-source.md');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, '# A new source\n\nSome text.\n');
      await eventually(() => treeLabels(a).some((l) => l.startsWith('notes')), 20_000, 'the notes folder in the tree').catch((e) => {
        throw new Error(`${e.message}; corpus: ${folderModel(a).corpus.join(', ')}; tree: ${treeLabels(a).join(' | ')}`);
      });
      assert.deepEqual(treeLabels(a, child(a, undefined, 'notes')), ['new-source.md']);
      fs.rmSync(path.dirname(file), { recursive: true });
      await eventually(() => !treeLabels(a).some((l) => l.startsWith('notes')), 20_000, 'the notes folder gone');
    });

    it('re-anchors a closed document changed on disk, and orphans a deleted passage', async () => {
      const a = await api();
      const f = folderModel(a);
      await openAndSelect(f, D2, 'Russia’s National Strategy for AI Development', 'Western monopoly');
      const [heading, monopoly] = (await vscode.commands.executeCommand('marginalia.tagClaim', { attributes: {}, note: '' })) as Annotation[];
      // The editor is closed; VS Code may keep the document loaded, and then reloads it: either way it is followed.
      await closeAll();
      const file = path.join(root, D2);
      const before = fs.readFileSync(file, 'utf8');
      const inserted = 'A paragraph added by another tool.\n\n';
      const removed = 'aiming to counter the Western monopoly and ';
      fs.writeFileSync(file, inserted + before.replace(removed, ''));
      const shift = inserted.length - removed.length;
      await eventually(() => f.get(D2, heading.id)?.target.start === heading.target.start + shift, 15_000, 're-anchored heading');
      // VS Code reloads the open document with minimal edits (edit tracking follows them) or the file is re-anchored
      // through a diff: either way the heading is where its text is now.
      assert.notEqual(f.get(D2, heading.id)?.anchor.status, 'orphaned');
      assert.equal(f.get(D2, monopoly.id)?.anchor.status, 'orphaned');
      await eventually(() => sidecar(root, D2)?.annotations.find((x) => x.id === heading.id)?.start === heading.target.start + shift, 5000, 'saved');
      const stored = sidecar(root, D2)!;
      assert.equal(stored.annotations.find((x) => x.id === monopoly.id)?.status, 'orphaned');
      await eventually(() => treeLabels(a, child(a, undefined, D2)).includes('orphaned (1)'), 5000, 'orphan in the tree');
    });
    // Broken sidecars, other writers, renames, moves and deletions: test/integration/faults.test.ts (issue 5).
  });

  describe('manifest', () => {
    it('contributes keybindings that VS Code’s defaults do not use', async () => {
      await vscode.commands.executeCommand('workbench.action.openDefaultKeybindingsFile');
      const defaults = await eventually(() => vscode.window.activeTextEditor?.document.getText(), 10_000, 'default keybindings');
      const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../package.json'), 'utf8'));
      const used = defaults.split('\n').filter((l) => /"key":/.test(l) && !l.includes('"marginalia.'));
      for (const kb of manifest.contributes.keybindings as { key: string }[]) {
        const first = kb.key.split(' ')[0];
        const clash = used.filter((l) => l.includes(`"key": "${first}"`) || l.includes(`"key": "${first} `));
        assert.deepEqual(clash, [], `${first} is free in VS Code's defaults`);
      }
    });
  });
});
