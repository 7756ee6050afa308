// Issue 5, the extension-host half: what goes wrong with sidecars, writers, documents and paths, seen in a real VS
// Code. Every document and sidecar lives under faults/ of the workspace copy and is removed afterwards, so the suites
// that run after this one see the sample corpus as it was.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import * as vscode from 'vscode';
import { parse } from 'yaml';
import type { Annotation } from '../../src/core/model';
import type { MarginaliaApi } from '../../src/extension';
import type { CorpusNode } from '../../src/host/corpusTree';
import type { FolderModel } from '../../src/host/folderModel';
import { serializeSidecar, wholeFileConflict } from '../../src/core/store';
import { contentHash } from '../../src/core/model';
import { withFileLock } from '../../src/node';
import { annotation as build, edited } from '../support/annotations';
import { api, child, closeAll, eventually, folderModel, hoverText, logged, openAndSelect, treeLabels } from './support/helpers';

const REPO = path.resolve(__dirname, '..', '..', '..');
const DIR = 'faults';
let root: string;

const abs = (rel: string): string => path.join(root, ...rel.split('/'));
const sidecarRel = (doc: string): string => `.marginalia/annotations/${doc}.yaml`;
const sidecarFile = (doc: string): string => abs(sidecarRel(doc));

function write(rel: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(abs(rel)), { recursive: true });
  fs.writeFileSync(abs(rel), data);
}

/** Writes a document into the workspace and waits until the folder model lists it in the corpus. */
async function addToCorpus(f: FolderModel, doc: string, data: string | Uint8Array): Promise<void> {
  write(doc, data);
  await eventually(() => f.isCorpus(doc), 15_000, `${doc} in the corpus`);
}

function stored(doc: string): { document: string; annotations: Record<string, unknown>[] } | undefined {
  return fs.existsSync(sidecarFile(doc)) ? parse(fs.readFileSync(sidecarFile(doc), 'utf8')) : undefined;
}

/** A claim on `quote` (its first occurrence) in `text`. */
function annotation(text: string, doc: string, quote: string, note: string, modified?: string): Annotation {
  return build({ doc, text, phrase: quote, note, created: '2026-11-01T10:00:00.000Z', modified });
}

/** Labels of the documents under faults/ in the Corpus view ([] when the folder is not shown). */
function faultDocs(a: MarginaliaApi, sub?: string): string[] {
  let dir = a.tree.getChildren().find((n) => n.type === 'dir' && n.dir.path === DIR);
  if (dir && sub) dir = a.tree.getChildren(dir).find((n) => n.type === 'dir' && n.dir.path === `${DIR}/${sub}`);
  return dir ? treeLabels(a, dir) : [];
}

function errorNode(a: MarginaliaApi, file: string): CorpusNode | undefined {
  return a.tree.getChildren().find((n) => n.type === 'error' && n.file === file);
}

async function hoverAt(editor: vscode.TextEditor, offset: number): Promise<string> {
  return hoverText(
    (await vscode.commands.executeCommand('vscode.executeHoverProvider', editor.document.uri, editor.document.positionAt(offset))) as vscode.Hover[],
  );
}

/** Removes a document and its sidecar, and waits until the extension has let go of both. */
async function removeDoc(a: MarginaliaApi, doc: string): Promise<void> {
  const f = folderModel(a);
  fs.rmSync(abs(doc), { force: true });
  fs.rmSync(sidecarFile(doc), { force: true });
  await eventually(() => !f.documents().includes(doc) && !f.errors.some((e) => e.file === sidecarRel(doc)), 15_000, `${doc} forgotten`);
}

describe('issue 5: faults in the extension host', function () {
  this.timeout(60_000);

  before(async () => {
    const a = await api();
    root = folderModel(a).folder.uri.fsPath;
  });
  afterEach(closeAll);
  after(async () => {
    const a = await api();
    const f = folderModel(a);
    fs.rmSync(abs(DIR), { recursive: true, force: true });
    fs.rmSync(abs(`.marginalia/annotations/${DIR}`), { recursive: true, force: true });
    fs.rmSync(path.join(path.dirname(root), 'faults-outside'), { recursive: true, force: true });
    await eventually(
      () => !f.documents().some((d) => d.startsWith(DIR + '/')) && !f.errors.some((e) => e.file.includes(`/${DIR}/`)),
      20_000,
      'faults/ gone from the model',
    );
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('issue 5: broken sidecars', () => {
    const KEEP = `${DIR}/keep.txt`;
    const KEEP_TEXT = 'A document whose sidecar is fine: its passage stays annotated.\n';

    before(async () => {
      const a = await api();
      const f = folderModel(a);
      await addToCorpus(f, KEEP, KEEP_TEXT);
      await openAndSelect(f, KEEP, 'its passage stays annotated');
      const created = (await vscode.commands.executeCommand('marginalia.tagClaim', { note: 'kept', attributes: {} })) as Annotation[];
      assert.equal(created.length, 1);
      await closeAll();
    });

    const TEXT = 'A document whose sidecar someone broke. Tag this passage, please.\n';
    const good = (doc: string): string => serializeSidecar(doc, [annotation(TEXT, doc, 'someone broke', 'before it broke')]);
    const cases: { name: string; slug: string; make: (doc: string) => string; line?: number; reason: RegExp }[] = [
      {
        name: 'a YAML syntax error',
        slug: 'syntax',
        make: (d) => good(d).replace(/^ {4}exact: .*$/m, '    exact: someone: broke'),
        line: 12,
        reason: /not valid YAML/,
      },
      {
        name: 'git conflict markers',
        slug: 'conflict-markers',
        make: (d) => {
          const [head, body] = good(d).split('annotations:\n');
          return `${head}annotations:\n<<<<<<< HEAD\n${body}=======\n${body.replace('before it broke', 'theirs')}>>>>>>> theirs\n`;
        },
        line: 5,
        reason: /unresolved git merge conflict at line 5/,
      },
      {
        name: 'wrong types',
        slug: 'wrong-types',
        make: (d) => good(d).replace(/^ {4}start: \d+$/m, '    start: eight'),
        line: 13,
        reason: /start must be a whole number/,
      },
      {
        name: 'an unknown format version',
        slug: 'version',
        make: (d) => good(d).replace(/^version: 1$/m, 'version: 2'),
        line: 2,
        reason: /sidecar format version 2/,
      },
      {
        name: 'duplicate ids',
        slug: 'duplicate-ids',
        make: (d) => good(d).replace(/annotations:\n([\s\S]*)$/, (_m, body: string) => `annotations:\n${body}${body}`),
        line: 20,
        reason: /is used twice/,
      },
      {
        name: 'an alias bomb (billion laughs)',
        slug: 'alias-bomb',
        make: (d) => {
          const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
          for (let i = 1; i < 9; i++) {
            const prev = String.fromCharCode(96 + i);
            levels.push(
              `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
                .fill('*' + prev)
                .join(',')}]`,
            );
          }
          return good(d).replace(/^annotations:/m, `${levels.join('\n')}\nannotations:`);
        },
        line: 5,
        reason: /too many YAML aliases/,
      },
      {
        name: 'a custom !! tag',
        slug: 'custom-tag',
        make: (d) => good(d).replace(/^ {4}note: .*$/m, '    note: !!python/object/apply:os.system ["echo owned"]'),
        line: 7,
        reason: /YAML tags such as !!python/,
      },
      { name: 'a 50 MB file', slug: 'huge-sidecar', make: (d) => `# ${'x'.repeat(50 * 1024 * 1024)}\n${good(d)}`, reason: /50\.0 MB, over the 20\.0 MB limit/ },
    ];

    for (const c of cases) {
      it(`broken sidecar, ${c.name}: the Corpus view names the file${c.line ? ' and line' : ''}, the file is untouched, tagging is refused, the rest loads`, async () => {
        const a = await api();
        const f = folderModel(a);
        const doc = `${DIR}/broken-${c.slug}.txt`;
        const file = sidecarRel(doc);
        const bytes = Buffer.from(c.make(doc), 'utf8');
        await addToCorpus(f, doc, TEXT);
        write(file, bytes);
        const node = await eventually(() => errorNode(a, file), 15_000, `error item for ${file}`);
        const item = a.tree.getTreeItem(node);
        assert.equal(item.label, `Cannot load broken-${c.slug}.txt.yaml`);
        if (c.line) assert.equal(item.description, `line ${c.line}`);
        assert.match(String(item.tooltip), new RegExp(`^${file.replace(/[.]/g, '\\.')}${c.line ? `:${c.line}:\\d+` : '(:\\d+:\\d+)?'}: `));
        assert.match(String(item.tooltip), c.reason);
        assert.equal(f.annotations(doc).length, 0, 'nothing of the broken file is loaded');

        // Tagging in that document is refused with a message naming the file; the file keeps every byte.
        await openAndSelect(f, doc, 'Tag this passage');
        const result = await vscode.commands.executeCommand('marginalia.tagClaim', { note: '', attributes: {} });
        assert.equal(result, undefined, 'nothing tagged');
        await logged(
          a,
          new RegExp(
            `marginalia\\.tagClaim: Nothing was saved for ${doc.replace(/[.]/g, '\\.')}, because its sidecar does not load and Marginalia will not overwrite it: ${file.replace(/[.]/g, '\\.')}`,
          ),
        );
        assert.ok(fs.readFileSync(sidecarFile(doc)).equals(bytes), 'the broken sidecar is untouched, byte for byte');

        // Everything else still loads and shows.
        assert.ok(faultDocs(a).includes('keep.txt (1)'), `keep.txt still shows its annotation: ${faultDocs(a).join(' | ')}`);
        assert.equal(f.annotations(`${DIR}/keep.txt`)[0]?.note, 'kept');
        await closeAll();
        await removeDoc(a, doc);
        assert.equal(errorNode(a, file), undefined, 'the error item goes with the file');
      });
    }

    it('a broken sidecar fixed on disk: tagging works again at once, and keeps what the fixed file holds', async () => {
      const a = await api();
      const f = folderModel(a);
      const doc = `${DIR}/broken-then-fixed.txt`;
      const fixed = good(doc);
      await addToCorpus(f, doc, TEXT);
      write(sidecarRel(doc), fixed.replace(/^version: 1$/m, 'version: [1'));
      await eventually(() => errorNode(a, sidecarRel(doc)), 15_000, 'error item');
      await openAndSelect(f, doc, 'Tag this passage');
      // Fixed, and tagged straight away: the extension reads the sidecar again rather than trusting what it last saw.
      fs.writeFileSync(sidecarFile(doc), fixed);
      const created = (await vscode.commands.executeCommand('marginalia.tagClaim', { note: 'after the fix', attributes: {} })) as Annotation[] | undefined;
      assert.equal(created?.length, 1, 'tagged');
      assert.deepEqual(
        stored(doc)
          ?.annotations.map((x) => x.note)
          .sort(),
        ['after the fix', 'before it broke'],
      );
      assert.equal(errorNode(a, sidecarRel(doc)), undefined, 'no error item left');
      await closeAll();
      await removeDoc(a, doc);
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('issue 5: conflict markers resolved by keeping both sides', () => {
    const DOC = `${DIR}/conflict.txt`;
    const TEXT = 'Ours tagged the first claim. Both edited the shared claim. Theirs tagged the last claim.\n';
    let shared: Annotation;
    let oursOnly: Annotation;
    let theirsOnly: Annotation;
    let conflicted: Buffer;

    before(() => {
      shared = annotation(TEXT, DOC, 'Both edited the shared claim', 'ours: earlier edit', '2026-11-02T10:00:00.000Z');
      oursOnly = annotation(TEXT, DOC, 'Ours tagged the first claim', 'only ours');
      theirsOnly = annotation(TEXT, DOC, 'Theirs tagged the last claim', 'only theirs');
      const ours = serializeSidecar(DOC, [oursOnly, shared]);
      const theirs = serializeSidecar(DOC, [edited(shared, { note: 'theirs: later edit', modified: '2026-11-03T10:00:00.000Z' }), theirsOnly]);
      const [head, oursBody] = ours.split('annotations:\n');
      const theirsBody = theirs.split('annotations:\n')[1];
      conflicted = Buffer.from(`${head}annotations:\n<<<<<<< HEAD\n${oursBody}=======\n${theirsBody}>>>>>>> feature\n`, 'utf8');
    });

    it('offers "Resolve (keep both sides)" for a sidecar with conflict markers, on its Corpus view item and in a notification', async () => {
      const a = await api();
      const f = folderModel(a);
      await addToCorpus(f, DOC, TEXT);
      write(sidecarRel(DOC), conflicted);
      const node = await eventually(() => errorNode(a, sidecarRel(DOC)), 15_000, 'error item');
      const item = a.tree.getTreeItem(node);
      assert.equal(item.contextValue, 'error.conflict');
      assert.equal(item.description, 'line 5');
      const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
      const menus = (manifest.contributes.menus['view/item/context'] as { command: string; when: string }[]).filter(
        (m) => m.command === 'marginalia.resolveConflict',
      );
      assert.ok(
        menus.some((m) => m.when.includes('viewItem == error.conflict')),
        'the error item has the resolve action',
      );
      const command = (manifest.contributes.commands as { command: string; title: string }[]).find((c) => c.command === 'marginalia.resolveConflict');
      assert.match(command?.title ?? '', /Keep Both Sides/);
      await logged(a, new RegExp(`offered "Resolve \\(keep both sides\\)": ${sidecarRel(DOC).replace(/[.]/g, '\\.')} has git conflict markers \\(line 5\\)`));
      assert.ok(fs.readFileSync(sidecarFile(DOC)).equals(conflicted), 'untouched until the person asks');
    });

    it('resolves by keeping both sides: the union is written, the later modification wins, and both sides show in the tree and hover', async () => {
      const a = await api();
      const f = folderModel(a);
      const node = errorNode(a, sidecarRel(DOC));
      assert.ok(node, 'the conflicted sidecar is listed');
      const done = (await vscode.commands.executeCommand('marginalia.resolveConflict', node)) as { file: string; annotations: number; summary: string }[];
      assert.equal(done.length, 1);
      assert.equal(done[0].annotations, 3);
      const onDisk = stored(DOC);
      assert.ok(onDisk, 'the sidecar is there');
      assert.deepEqual(new Set(onDisk.annotations.map((x) => x.id)), new Set([oursOnly.id, shared.id, theirsOnly.id]));
      assert.equal(onDisk.annotations.find((x) => x.id === shared.id)?.note, 'theirs: later edit', 'the later modification wins');
      assert.doesNotMatch(fs.readFileSync(sidecarFile(DOC), 'utf8'), /^(<<<<<<<|=======|>>>>>>>)/m);
      assert.deepEqual(
        fs.readdirSync(path.dirname(sidecarFile(DOC))).filter((n) => n.endsWith('.tmp')),
        [],
        'written atomically: no temporary file left',
      );
      assert.equal(errorNode(a, sidecarRel(DOC)), undefined, 'the error item is gone');
      await eventually(() => faultDocs(a).includes('conflict.txt (3)'), 5000, 'three annotations in the tree');
      const doc = a.tree
        .getChildren(a.tree.getChildren().find((n) => n.type === 'dir' && n.dir.path === DIR))
        .find((n) => n.type === 'doc' && n.doc.doc === DOC);
      assert.ok(doc);
      const notes = treeLabels(a, child(a, doc, 'claim'));
      // Other tests of this workspace tagged as other coders, so each passage names its coder before its note.
      assert.deepEqual(notes, [
        'Ours tagged the first claim (tester — only ours)',
        'Both edited the shared claim (tester — theirs: later edit)',
        'Theirs tagged the last claim (tester — only theirs)',
      ]);
      const editor = await openAndSelect(f, DOC, 'Theirs tagged');
      assert.match(await hoverAt(editor, TEXT.indexOf('Theirs tagged') + 2), /only theirs/);
      assert.match(await hoverAt(editor, TEXT.indexOf('Ours tagged') + 2), /only ours/);
      assert.match(await hoverAt(editor, TEXT.indexOf('shared claim')), /theirs: later edit/);
    });

    it('resolves every conflicted sidecar at once from the Command Palette (no argument)', async () => {
      const a = await api();
      const f = folderModel(a);
      const docs = [`${DIR}/conflict-2.txt`, `${DIR}/conflict-3.txt`];
      for (const d of docs) {
        await addToCorpus(f, d, TEXT);
        write(sidecarRel(d), conflicted.toString('utf8').split(DOC).join(d));
      }
      await eventually(() => docs.every((d) => errorNode(a, sidecarRel(d))), 15_000, 'both listed as conflicted');
      assert.deepEqual(
        a.conflicts
          .conflicted()
          .map((c) => c.file)
          .sort(),
        docs.map(sidecarRel),
      );
      const done = (await vscode.commands.executeCommand('marginalia.resolveConflict')) as { file: string; annotations: number }[];
      assert.deepEqual(
        done.map((d) => [d.file, d.annotations]).sort(),
        docs.map((d) => [sidecarRel(d), 3]),
      );
      for (const d of docs) assert.equal(stored(d)?.annotations.length, 3);
      assert.deepEqual(a.conflicts.conflicted(), []);
      for (const d of docs) await logged(a, new RegExp(`resolved ${sidecarRel(d).replace(/[.]/g, '\\.')} from its conflict markers: 3 annotations`));
    });

    it('a sidecar the merge driver left conflicted across a rename of its document is shown, and resolved by id into the new name', async () => {
      const a = await api();
      const f = folderModel(a);
      const OLD = `${DIR}/before-rename.txt`;
      const NEW = `${DIR}/after-rename.txt`;
      await addToCorpus(f, NEW, TEXT);
      // Ours moved the document (git mv, check --write); theirs annotated it under its old name.
      const moved = [oursOnly, shared].map((x) => ({ ...x, doc: NEW }));
      const annotatedThere = [oursOnly, shared, theirsOnly].map((x) => ({ ...x, doc: OLD }));
      const ours = serializeSidecar(NEW, moved);
      const theirs = serializeSidecar(OLD, annotatedThere);
      write(sidecarRel(NEW), Buffer.from(wholeFileConflict(undefined, ours, theirs), 'utf8'));
      await eventually(() => errorNode(a, sidecarRel(NEW)), 15_000, 'the conflicted sidecar is listed');
      const done = (await vscode.commands.executeCommand(
        'marginalia.resolveConflict',
        a.conflicts
          .conflicted()
          .find((c) => c.file === sidecarRel(NEW))
          ?.folder.folder.uri.toString(),
        sidecarRel(NEW),
      )) as { document: string; annotations: number; summary: string }[];
      assert.equal(done[0].document, NEW);
      assert.equal(done[0].annotations, 3);
      assert.match(done[0].summary, /follow its rename/);
      assert.deepEqual(new Set(stored(NEW)?.annotations.map((x) => x.id)), new Set([oursOnly.id, shared.id, theirsOnly.id]));
      await eventually(() => f.annotations(NEW).length === 3, 5000, 'all three in the model under the new name');
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('issue 5: two writers on one document', () => {
    const DOC = `${DIR}/two-writers.txt`;
    const TEXT = 'The extension tags this first. The CLI tags this second. The extension tags this third.\n';

    it('the CLI adds to a document open in VS Code while the extension tags it: both sets survive in the sidecar and the tree', async () => {
      const a = await api();
      const f = folderModel(a);
      await addToCorpus(f, DOC, TEXT);
      await openAndSelect(f, DOC, 'The extension tags this first');
      const [first] = (await vscode.commands.executeCommand('marginalia.tagClaim', { note: 'window', attributes: {} })) as Annotation[];
      const start = TEXT.indexOf('The CLI tags this second');
      const out = await new Promise<string>((resolve, reject) =>
        execFile(
          process.execPath,
          [
            path.join(REPO, 'dist', 'cli.js'),
            'add',
            DOC,
            '--kind',
            'claim',
            '--start',
            String(start),
            '--end',
            String(start + 24),
            '--note',
            'cli',
            '--author',
            'cli',
            '--root',
            root,
            '--json',
          ],
          { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } },
          (e, stdout, stderr) => (e ? reject(new Error(`${e.message}\n${stderr}`)) : resolve(stdout)),
        ),
      );
      const cli = JSON.parse(out) as { id: string } | { id: string }[];
      const cliId = Array.isArray(cli) ? cli[0].id : cli.id;
      // Right after, before the extension has seen the CLI's write: its own next tag re-reads and merges.
      await openAndSelect(f, DOC, 'The extension tags this third');
      const [third] = (await vscode.commands.executeCommand('marginalia.tagClaim', { note: 'window again', attributes: {} })) as Annotation[];
      assert.deepEqual(new Set(stored(DOC)?.annotations.map((x) => x.id)), new Set([first.id, cliId, third.id]), 'all three in the sidecar');
      await eventually(() => faultDocs(a).includes('two-writers.txt (3)'), 10_000, 'all three in the tree');
      await eventually(() => f.annotations(DOC).some((x) => x.id === cliId && x.note === 'cli'), 10_000, 'the CLI’s annotation in the open document');
    });

    it('two store writes interleaved with an outside write (a second window) keep every annotation', async () => {
      const a = await api();
      const f = folderModel(a);
      const doc = `${DIR}/interleaved.txt`;
      const text = 'One, from this window. Two, from the other window. Three and four, from this window again.\n';
      await addToCorpus(f, doc, text);
      const one = annotation(text, doc, 'One, from this window', 'one');
      await f.add(doc, [one], text);
      // The other window writes the sidecar: this extension's loaded copy is now stale.
      const two = annotation(text, doc, 'Two, from the other window', 'two');
      fs.writeFileSync(sidecarFile(doc), serializeSidecar(doc, [one, two]));
      assert.ok(!f.annotations(doc).some((x) => x.id === two.id), 'not yet seen by this window');
      const three = annotation(text, doc, 'Three and four', 'three');
      const four = annotation(text, doc, 'from this window again', 'four');
      await Promise.all([f.add(doc, [three], text), f.add(doc, [four], text)]);
      assert.deepEqual(new Set(stored(doc)?.annotations.map((x) => x.id)), new Set([one.id, two.id, three.id, four.id]));
      await eventually(() => f.annotations(doc).length === 4, 10_000, 'all four loaded');
    });

    it('waits for the lock the CLI holds on a sidecar, then merges what the CLI wrote under it', async () => {
      const a = await api();
      const f = folderModel(a);
      const doc = `${DIR}/locked.txt`;
      const text = 'The CLI saves this passage. The window tags this one meanwhile.\n';
      await addToCorpus(f, doc, text);
      const fromCli = annotation(text, doc, 'The CLI saves this passage', 'cli');
      const fromWindow = annotation(text, doc, 'The window tags this one', 'window');
      fs.mkdirSync(path.dirname(sidecarFile(doc)), { recursive: true });
      let tagged = false;
      let pending: Promise<void> | undefined;
      // The CLI's side, as dist/cli.js does it: take the sidecar's lock file, then read, merge and write under it.
      await withFileLock(sidecarFile(doc), async () => {
        pending = f.add(doc, [fromWindow], text).then(() => {
          tagged = true;
        });
        await new Promise((r) => setTimeout(r, 400));
        assert.equal(tagged, false, 'the window waits while the lock is held');
        assert.ok(!fs.existsSync(sidecarFile(doc)), 'and has written nothing');
        fs.writeFileSync(sidecarFile(doc), serializeSidecar(doc, [fromCli]));
      });
      await pending;
      assert.deepEqual(new Set(stored(doc)?.annotations.map((x) => x.id)), new Set([fromCli.id, fromWindow.id]), 'both in the sidecar');
      assert.ok(!fs.existsSync(path.join(path.dirname(sidecarFile(doc)), '.locked.txt.yaml.lock')), 'the lock is released');
    });

    it('reloads a sidecar changed by another writer (the CLI, a git pull)', async () => {
      const a = await api();
      const f = folderModel(a);
      const file = sidecarFile(DOC);
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/note: window\n/, 'note: edited elsewhere\n'));
      await eventually(() => f.annotations(DOC).some((x) => x.note === 'edited elsewhere'), 10_000, 'the note from outside');
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('issue 5: awkward documents in the editor', () => {
    const docs: { name: string; doc: string; /** The file's bytes, when they are not its text (a BOM). */ data?: Buffer; text: string; quote: string }[] = [
      {
        name: 'CRLF line endings (a passage across a line break)',
        doc: `${DIR}/crlf.txt`,
        text: 'Budget report\r\nThe minister said spending rose by 12 percent.\r\nA third line follows.\r\n',
        quote: 'rose by 12 percent.\r\nA third line',
      },
      {
        name: 'a UTF-8 byte order mark',
        doc: `${DIR}/bom.txt`,
        data: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('First line after the mark.\nThe agency reported record output.\n', 'utf8')]),
        text: 'First line after the mark.\nThe agency reported record output.\n',
        quote: 'reported record output',
      },
      {
        name: 'emoji and other astral characters',
        doc: `${DIR}/emoji.txt`,
        text: 'Party 🎉 notes: the 🚀 launch at 𝟏𝟎:00 drew 👩‍👩‍👧 families.\n',
        quote: '🚀 launch at 𝟏𝟎:00 drew 👩‍👩‍👧',
      },
      {
        name: 'right-to-left text (Arabic and Hebrew)',
        doc: `${DIR}/rtl.txt`,
        text: 'Arabic: قال الوزير إن الميزانية ارتفعت.\nHebrew: השר אמר שהתקציב עלה.\n',
        quote: 'الميزانية ارتفعت.\nHebrew: השר אמר',
      },
      {
        name: 'combining marks',
        doc: `${DIR}/combining.txt`,
        text: 'Combining: Ha\u0300 No\u0323\u0302i and Zalgo z\u0335\u0351a\u0336\u0350l\u0334go.\n',
        quote: 'Ha\u0300 No\u0323\u0302i and Zalgo z\u0335\u0351a\u0336\u0350',
      },
    ];

    for (const d of docs) {
      it(`tags, hovers, follows typing and saves in a document with ${d.name}`, async () => {
        const a = await api();
        const f = folderModel(a);
        await addToCorpus(f, d.doc, d.data ?? d.text);
        const editor = await openAndSelect(f, d.doc, d.quote);
        assert.equal(editor.document.getText(), d.text, 'VS Code shows the text as expected (no BOM)');
        const note = `note on ${path.basename(d.doc, '.txt')}`;
        const [tagged] = (await vscode.commands.executeCommand('marginalia.tagClaim', { note, attributes: {} })) as Annotation[];
        const start = d.text.indexOf(d.quote);
        assert.deepEqual([tagged.target.start, tagged.target.end, tagged.target.quote.exact], [start, start + d.quote.length, d.quote]);
        const onDisk = stored(d.doc)?.annotations[0];
        assert.deepEqual(
          [onDisk?.start, onDisk?.end, onDisk?.exact],
          [start, start + d.quote.length, d.quote],
          'the sidecar has UTF-16 offsets and the exact quote',
        );
        assert.equal(onDisk?.docHash, contentHash(d.text));
        assert.match(await hoverAt(editor, start + 1), new RegExp(`Claim[\\s\\S]*${note}`));

        // A real edit before the passage: the annotation stays on the same text, then the save writes that.
        editor.selection = new vscode.Selection(0, 0, 0, 0);
        await vscode.commands.executeCommand('type', { text: 'Typed ' });
        const moved = await eventually(
          () => (f.get(d.doc, tagged.id)?.target.start === start + 6 ? f.get(d.doc, tagged.id) : undefined),
          5000,
          'moved by typing',
        );
        assert.equal(editor.document.getText().slice(moved.target.start, moved.target.end), d.quote);
        assert.match(await hoverAt(editor, moved.target.start + 1), new RegExp(note));
        assert.ok(await editor.document.save());
        await eventually(() => stored(d.doc)?.annotations[0].start === start + 6, 5000, 'saved offsets');
        const saved = stored(d.doc)!.annotations[0];
        assert.equal(saved.exact, d.quote);
        const fileText = fs.readFileSync(abs(d.doc), 'utf8').replace(/^\uFEFF/, '');
        assert.equal(fileText.slice(saved.start as number, saved.end as number), d.quote, 'the saved offsets point at the passage in the saved file');
      });
    }

    it('refuses to tag an empty (0-length) selection, with a message, storing nothing', async () => {
      const a = await api();
      const f = folderModel(a);
      const doc = `${DIR}/selection.txt`;
      await addToCorpus(f, doc, 'A short document, tagged whole.\n');
      const editor = await openAndSelect(f, doc, 'short');
      editor.selection = new vscode.Selection(0, 5, 0, 5);
      assert.equal(await vscode.commands.executeCommand('marginalia.tagClaim', { note: '', attributes: {} }), undefined);
      await logged(a, /marginalia\.tagClaim: Select the passage to tag first\./);
      assert.equal(f.annotations(doc).length, 0);
      assert.equal(stored(doc), undefined, 'no sidecar written');
    });

    it('tags a whole-document selection', async () => {
      const a = await api();
      const f = folderModel(a);
      const doc = `${DIR}/selection.txt`;
      const editor = await openAndSelect(f, doc, 'short');
      const text = editor.document.getText();
      editor.selection = new vscode.Selection(editor.document.positionAt(0), editor.document.positionAt(text.length));
      const [whole] = (await vscode.commands.executeCommand('marginalia.tagClaim', { note: 'all of it', attributes: {} })) as Annotation[];
      assert.deepEqual([whole.target.start, whole.target.end, whole.target.quote.exact], [0, text.length, text]);
      assert.equal(stored(doc)?.annotations[0].exact, text);
      assert.match(await hoverAt(editor, text.length - 2), /all of it/);
    });

    it('draws overlapping and nested annotations, and shows both in the hover', async () => {
      const a = await api();
      const f = folderModel(a);
      const doc = `${DIR}/overlap.txt`;
      await addToCorpus(f, doc, 'The alpha beta gamma delta epsilon passage.\n');
      await openAndSelect(f, doc, 'alpha beta gamma');
      await vscode.commands.executeCommand('marginalia.tagClaim', { note: 'outer', attributes: {} });
      await openAndSelect(f, doc, 'beta');
      await vscode.commands.executeCommand('marginalia.tagEntity', { note: 'nested', attributes: { type: 'other' } });
      const editor = await openAndSelect(f, doc, 'gamma delta');
      await vscode.commands.executeCommand('marginalia.tagFigure', { note: 'overlapping', attributes: {} });
      assert.equal(f.annotations(doc).length, 3);
      a.decorations.refreshNow();
      const drawn = a.decorations.drawn.get(editor);
      assert.ok(drawn, 'decorations drawn');
      const texts = (kind: string): string[] => (drawn.get(kind) ?? []).map((r) => editor.document.getText(r));
      assert.deepEqual([texts('claim'), texts('entity'), texts('figure')], [['alpha beta gamma'], ['beta'], ['gamma delta']]);
      const text = editor.document.getText();
      const nested = await hoverAt(editor, text.indexOf('beta') + 1);
      assert.ok(
        nested.includes('Entity') && nested.includes('Claim') && nested.includes('nested') && nested.includes('outer'),
        `both in the hover:\n${nested}`,
      );
      const overlapping = await hoverAt(editor, text.indexOf('gamma') + 1);
      assert.ok(overlapping.includes('Figure') && overlapping.includes('Claim') && overlapping.includes('overlapping'), `both in the hover:\n${overlapping}`);
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('issue 5: binary and huge documents', () => {
    it('leaves binary files out of the Corpus view and logs why: a .txt with NUL bytes, a PNG named .md', async () => {
      const a = await api();
      const f = folderModel(a);
      write(`${DIR}/binary/visible.txt`, 'A text document beside the binary ones.\n');
      write(`${DIR}/binary/nul.txt`, Buffer.from('Looks like text\0\0\0but is not\n', 'latin1'));
      write(`${DIR}/binary/picture.md`, Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex'));
      await logged(a, /faults\/binary\/nul\.txt looks like a binary file \(it contains NUL bytes\); it is left out of the corpus/, 15_000);
      await logged(a, /faults\/binary\/picture\.md looks like a binary file/, 15_000);
      await eventually(() => faultDocs(a, 'binary').includes('visible.txt'), 10_000, 'the text document listed');
      assert.deepEqual(faultDocs(a, 'binary'), ['visible.txt']);
      assert.ok(!f.corpus.includes(`${DIR}/binary/nul.txt`) && !f.corpus.includes(`${DIR}/binary/picture.md`));
      // A refresh lists the folder again: they stay out.
      await vscode.commands.executeCommand('marginalia.refresh');
      assert.deepEqual(faultDocs(a, 'binary'), ['visible.txt']);
    });

    it('declines a 50 MB text file with a message, listed as too large, and the extension host stays responsive', async function () {
      this.timeout(120_000);
      const a = await api();
      const f = folderModel(a);
      const doc = `${DIR}/huge.txt`;
      const line = 'A long line of a very large source document, repeated to make fifty megabytes of text.\n';
      const data = line.repeat(Math.floor(50_000_000 / line.length));
      // The extension host's event loop, sampled: a freeze shows as a long gap between ticks.
      let last = Date.now();
      let worst = 0;
      const sampler = setInterval(() => {
        const now = Date.now();
        worst = Math.max(worst, now - last);
        last = now;
      }, 20);
      try {
        write(doc, data);
        await eventually(() => faultDocs(a).includes('huge.txt (— too large, not annotated)'), 20_000, 'listed as too large');
        await logged(a, /faults\/huge\.txt is 47\.\d MB, over the 20\.0 MB limit \(setting marginalia\.maxDocumentSize\)/);
        const t0 = Date.now();
        await vscode.commands.executeCommand('setContext', 'marginalia:testProbe', true);
        const roundTrip = Date.now() - t0;
        assert.ok(roundTrip < 2000, `a command round trip took ${roundTrip} ms`);

        // Opening it works (it is VS Code's editor); tagging in it is declined with the same message.
        const document = await vscode.workspace.openTextDocument(f.uri(doc));
        const editor = await vscode.window.showTextDocument(document, { preview: false });
        editor.selection = new vscode.Selection(0, 2, 0, 12);
        assert.equal(await vscode.commands.executeCommand('marginalia.tagClaim', { note: '', attributes: {} }), undefined);
        await logged(a, /marginalia\.tagClaim: faults\/huge\.txt is 47\.\d MB, over the 20\.0 MB limit/);
        assert.equal(f.liveDocument(doc), undefined, 'not followed');
        assert.equal(stored(doc), undefined, 'nothing written');
        const t1 = Date.now();
        await vscode.commands.executeCommand('setContext', 'marginalia:testProbe', false);
        const after = Date.now() - t1;
        console.log(`      50 MB document: longest extension-host stall ${worst} ms, command round trips ${roundTrip} ms and ${after} ms`);
        assert.ok(after < 2000, `a command round trip after opening it took ${after} ms`);
        assert.ok(worst < 3000, `the extension host stalled for ${worst} ms`);
      } finally {
        clearInterval(sampler);
        await closeAll();
        fs.rmSync(abs(doc), { force: true });
      }
      await eventually(() => !f.corpus.includes(doc), 15_000, 'the huge file gone');
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('issue 5: documents moving', () => {
    const TEXT = 'A document that moves around. Its annotation follows it wherever it goes.\n';

    async function tagged(doc: string): Promise<Annotation> {
      const a = await api();
      const f = folderModel(a);
      await addToCorpus(f, doc, TEXT);
      await openAndSelect(f, doc, 'Its annotation follows it');
      const [e] = (await vscode.commands.executeCommand('marginalia.tagClaim', { note: 'moves', attributes: {} })) as Annotation[];
      await closeAll();
      return e;
    }

    it('a document renamed in VS Code (WorkspaceEdit.renameFile) takes its annotations along', async () => {
      const a = await api();
      const f = folderModel(a);
      const from = `${DIR}/move-a.txt`;
      const to = `${DIR}/renamed/move-a.txt`;
      const e = await tagged(from);
      const we = new vscode.WorkspaceEdit();
      we.renameFile(f.uri(from), f.uri(to));
      assert.ok(await vscode.workspace.applyEdit(we));
      await eventually(() => f.get(to, e.id) && stored(from) === undefined, 10_000, 'annotation under the new path');
      assert.equal(stored(from), undefined);
      assert.deepEqual(
        stored(to)?.annotations.map((x) => x.id),
        [e.id],
      );
    });

    it('a document renamed through workspace.fs.rename (seen as a delete and a create) takes its annotations along', async () => {
      const a = await api();
      const f = folderModel(a);
      const from = `${DIR}/move-b.txt`;
      const to = `${DIR}/move-b-renamed.txt`;
      const e = await tagged(from);
      await vscode.workspace.fs.rename(f.uri(from), f.uri(to));
      await eventually(() => f.get(to, e.id) && stored(from) === undefined, 20_000, 'annotation under the new path');
      assert.equal(stored(from), undefined);
      assert.deepEqual(
        stored(to)?.annotations.map((x) => x.id),
        [e.id],
      );
    });

    it('a document moved on disk into another folder (git mv, a file manager) takes its annotations along', async () => {
      const a = await api();
      const f = folderModel(a);
      const from = `${DIR}/renamed/move-a.txt`;
      const to = `${DIR}/elsewhere/move-a.txt`;
      const [e] = f.annotations(from);
      assert.ok(e, `${from} has its annotation (renamed above)`);
      fs.mkdirSync(path.dirname(abs(to)), { recursive: true });
      fs.renameSync(abs(from), abs(to));
      await eventually(() => f.get(to, e.id) && stored(from) === undefined, 20_000, 'annotation under the moved path');
      assert.equal(stored(from), undefined, 'the old sidecar is gone');
      assert.deepEqual(
        stored(to)?.annotations.map((x) => x.id),
        [e.id],
      );
    });

    it('a deleted document keeps its annotations as orphans with their last snapshot, and can be restored', async () => {
      const a = await api();
      const f = folderModel(a);
      const doc = `${DIR}/elsewhere/move-a.txt`;
      const original = fs.readFileSync(abs(doc), 'utf8');
      fs.rmSync(abs(doc));
      await eventually(() => faultDocs(a, 'elsewhere').some((l) => l.includes('file missing')), 20_000, 'missing document in the tree');
      assert.equal(f.annotations(doc).length, 1, 'its annotation is kept');
      assert.ok(stored(doc), 'its sidecar is kept');
      await vscode.commands.executeCommand('marginalia.restoreDocument', f.folder.uri.toString(), doc);
      assert.equal(fs.readFileSync(abs(doc), 'utf8'), original);
      await eventually(() => faultDocs(a, 'elsewhere').includes('move-a.txt (1)'), 20_000, 'document back, with its annotation');
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('issue 5: hostile paths', () => {
    it('refuses sidecars naming a document outside the workspace folder (../ and absolute): error items, nothing outside read', async () => {
      const a = await api();
      const f = folderModel(a);
      const outsideDir = path.join(path.dirname(root), 'faults-outside');
      const secret = 'A secret outside the workspace folder.\n';
      fs.mkdirSync(outsideDir, { recursive: true });
      fs.writeFileSync(path.join(outsideDir, 'outside.txt'), secret);
      const base = (doc: string): string => serializeSidecar(doc, [annotation(secret, doc, 'secret', 'hostile')]);
      const dotdot = `${DIR}/dotdot.txt`;
      const absolute = `${DIR}/absolute.txt`;
      write(sidecarRel(dotdot), base(dotdot).replace(/^document: .*$/m, 'document: ../faults-outside/outside.txt'));
      write(sidecarRel(absolute), base(absolute).replace(/^document: .*$/m, `document: ${JSON.stringify(path.join(outsideDir, 'outside.txt'))}`));
      for (const doc of [dotdot, absolute]) {
        const node = await eventually(() => errorNode(a, sidecarRel(doc)), 15_000, `error item for ${doc}`);
        const item = a.tree.getTreeItem(node);
        assert.equal(item.description, 'line 3');
        assert.match(String(item.tooltip), /document must be a workspace-relative path/);
      }
      assert.ok(!f.documents().some((d) => d.includes('outside')), 'no outside document is listed');
      await vscode.commands.executeCommand('marginalia.checkAnchors');
      assert.ok(
        !fs.existsSync(abs(`.marginalia/snapshots/${contentHash(secret).slice(7, 9)}/${contentHash(secret).slice(7)}.txt`)),
        'no copy of the outside file in the store',
      );
      fs.rmSync(sidecarFile(dotdot));
      fs.rmSync(sidecarFile(absolute));
      await eventually(() => !errorNode(a, sidecarRel(dotdot)) && !errorNode(a, sidecarRel(absolute)), 15_000, 'error items gone');
    });

    it('refuses a symbolic link leading out of the workspace folder: left out of the corpus, never read, not even through a sidecar', async () => {
      const a = await api();
      const f = folderModel(a);
      const outside = path.join(path.dirname(root), 'faults-outside', 'linked.txt');
      const secret = 'Another secret, reached through a link.\n';
      fs.mkdirSync(path.dirname(outside), { recursive: true });
      fs.writeFileSync(outside, secret);
      const doc = `${DIR}/link.txt`;
      write(`${DIR}/plain.txt`, 'A plain document next to the link.\n');
      fs.symlinkSync(outside, abs(doc));
      // A sidecar (say, committed by someone else) naming the link, made against another text so that checking it
      // would have to read the document.
      const other = 'Another secret, but changed since.\n';
      write(sidecarRel(doc), serializeSidecar(doc, [annotation(other, doc, 'Another secret', 'through a link')]));
      await eventually(() => faultDocs(a).includes('plain.txt'), 10_000, 'the plain document listed');
      await eventually(() => f.annotations(doc).length === 1, 10_000, 'the sidecar naming the link loaded');
      // Checking every annotated document would read it: the link is refused, with a message naming it.
      await vscode.commands.executeCommand('marginalia.checkAnchors');
      await logged(a, /faults\/link\.txt leads through the symbolic link faults\/link\.txt, which may point outside the workspace folder/, 15_000);
      assert.ok(!f.corpus.includes(doc), 'the link is not a corpus document');
      await vscode.commands.executeCommand('marginalia.refresh');
      assert.ok(!f.corpus.includes(doc), 'the link stays out after a refresh');
      await vscode.commands.executeCommand('marginalia.checkAnchors');
      const snapshot = abs(`.marginalia/snapshots/${contentHash(secret).slice(7, 9)}/${contentHash(secret).slice(7)}.txt`);
      assert.ok(!fs.existsSync(snapshot), 'no copy of the linked file in the store');
      assert.equal(stored(doc)?.annotations[0].note, 'through a link', 'the sidecar is left as it was');
    });

    it('refuses a sidecar that is a symbolic link leading out: an error item, not loaded, tagging refused, never written through', async () => {
      const a = await api();
      const f = folderModel(a);
      const doc = `${DIR}/sidelink.txt`;
      const text = 'A document whose sidecar is a link to a file outside.\n';
      const outside = path.join(path.dirname(root), 'faults-outside', 'evil.yaml');
      const evil = serializeSidecar(doc, [annotation(text, doc, 'whose sidecar is a link', 'from outside')]);
      fs.mkdirSync(path.dirname(outside), { recursive: true });
      fs.writeFileSync(outside, evil);
      await addToCorpus(f, doc, text);
      fs.mkdirSync(path.dirname(sidecarFile(doc)), { recursive: true });
      fs.symlinkSync(outside, sidecarFile(doc));
      const node = await eventually(() => errorNode(a, sidecarRel(doc)), 15_000, 'error item for the linked sidecar');
      assert.match(String(a.tree.getTreeItem(node).tooltip), /symbolic link/);
      assert.equal(f.annotations(doc).length, 0, 'nothing loaded from outside');
      await openAndSelect(f, doc, 'A document');
      assert.equal(await vscode.commands.executeCommand('marginalia.tagClaim', { note: '', attributes: {} }), undefined);
      await logged(
        a,
        new RegExp(`marginalia\\.tagClaim: Nothing was saved for ${doc.replace(/[.]/g, '\\.')}, because its sidecar does not load[^\\n]*symbolic link`),
      );
      await vscode.commands.executeCommand('marginalia.refresh');
      assert.ok(errorNode(a, sidecarRel(doc)), 'still reported after a refresh');
      assert.equal(f.annotations(doc).length, 0);
      assert.equal(fs.readFileSync(outside, 'utf8'), evil, 'the outside file is untouched');
      assert.ok(fs.lstatSync(sidecarFile(doc)).isSymbolicLink(), 'the link is left as it is');
      await closeAll();
      fs.rmSync(sidecarFile(doc));
      await eventually(() => !errorNode(a, sidecarRel(doc)), 15_000, 'error item gone with the link');
    });
  });
});
