import * as assert from 'node:assert/strict';
import { CodebookError, defaultCodebook } from '../../../src/core/store';
import type { Annotation } from '../../../src/core/model';
import { AnnotationInputError, PathError } from '../../../src/core/model';
import { SidecarError, serializeSidecar } from '../../../src/core/store';
import { AnnotationStore, STORE_IGNORE, STORE_IGNORE_PATH, mergeAnnotationSets } from '../../../src/core/store';
import { contentHash } from '../../../src/core/model';
import { annotation, edited, type AnnotationSpec } from '../../support/annotations';
import { MemoryFs } from '../../support/memoryFs';

const DOC = 'corpus/a.txt';
const SIDECAR = '.marginalia/annotations/corpus/a.txt.yaml';
const HASH = contentHash('text of a');

/** A valid annotation of DOC on [start, end) (a quote of x's); ids are increasing unless given. */
function makeAnnotation(start: number, end: number, extra: AnnotationSpec = {}): Annotation {
  return annotation({ doc: DOC, start, end, author: 'alice', created: '2026-11-23T10:00:00.000Z', docHash: HASH, ...extra });
}

/** Records every call that changes files, to show writes go through writeAtomic and nothing else. */
class SpyFs extends MemoryFs {
  readonly calls: string[] = [];
  override async writeAtomic(rel: string, data: Uint8Array): Promise<void> {
    this.calls.push(`writeAtomic ${rel}`);
    return super.writeAtomic(rel, data);
  }
  override async delete(rel: string): Promise<void> {
    this.calls.push(`delete ${rel}`);
    return super.delete(rel);
  }
}

async function rejectsWith(p: Promise<unknown>, check: (e: SidecarError) => void): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof SidecarError, `expected a SidecarError, got ${String(e)}`);
    check(e);
    return true;
  });
}

describe('AnnotationStore: sidecars', () => {
  it('maps a document to its sidecar path and refuses paths outside the workspace', () => {
    const store = new AnnotationStore(new MemoryFs());
    assert.equal(store.sidecarPath(DOC), SIDECAR);
    assert.throws(() => store.sidecarPath('../secret.txt'), PathError);
    assert.throws(() => store.sidecarPath('.marginalia/codebook.yaml'), PathError);
  });

  it('returns [] for a document without a sidecar', async () => {
    assert.deepEqual(await new AnnotationStore(new MemoryFs()).loadDoc(DOC), []);
  });

  it('writes through writeAtomic, in canonical form, and loads back what it wrote', async () => {
    const fs = new SpyFs();
    const store = new AnnotationStore(fs);
    const a = makeAnnotation(10, 20, { note: 'first', attributes: { speaker: 'Jane' } });
    const b = makeAnnotation(0, 5);
    const stored = await store.update(DOC, { upsert: [a, b] });
    assert.deepEqual(stored, [b, a]);
    assert.deepEqual(fs.calls, [`writeAtomic ${STORE_IGNORE_PATH}`, `writeAtomic ${SIDECAR}`]);
    assert.equal(fs.text(SIDECAR), serializeSidecar(DOC, [a, b]));
    assert.deepEqual(await store.loadDoc(DOC), [b, a]);
  });

  it('puts a .gitignore for its temporary and lock files in the store once, and never overwrites one', async () => {
    const fs = new SpyFs();
    const store = new AnnotationStore(fs);
    await store.update(DOC, { upsert: [makeAnnotation(0, 5)] });
    await store.update(DOC, { upsert: [makeAnnotation(6, 9)] });
    assert.equal(fs.calls.filter((c) => c.endsWith(STORE_IGNORE_PATH)).length, 1);
    assert.match(fs.text(STORE_IGNORE_PATH)!, /^\.\*\.tmp$/m);
    assert.match(fs.text(STORE_IGNORE_PATH)!, /^\.\*\.lock$/m);
    const own = new SpyFs();
    await own.writeAtomic(STORE_IGNORE_PATH, new TextEncoder().encode('# mine\n'));
    await new AnnotationStore(own).update(DOC, { upsert: [makeAnnotation(0, 5)] });
    assert.equal(own.text(STORE_IGNORE_PATH), '# mine\n');
    assert.ok(
      STORE_IGNORE.split('\n').every((l) => l === '' || l.startsWith('#') || l.startsWith('.*.')),
      'only patterns of hidden temporary files',
    );
  });

  it('update re-reads the sidecar before writing, so another writer’s annotations survive', async () => {
    const fs = new MemoryFs();
    const mine = new AnnotationStore(fs);
    const theirs = new AnnotationStore(fs);
    const first = makeAnnotation(0, 5);
    await mine.update(DOC, { upsert: [first] });
    const loaded = await mine.loadDoc(DOC);
    // Between this load and the next update, another writer (another window, the CLI) adds and edits.
    const added = makeAnnotation(50, 60);
    await theirs.update(DOC, { upsert: [added] });
    const mineEdit = { ...loaded[0], note: 'my edit' };
    const result = await mine.update(DOC, { upsert: [mineEdit, makeAnnotation(30, 35)] });
    assert.deepEqual(
      result.map((a) => [a.target.start, a.note]),
      [
        [0, 'my edit'],
        [30, ''],
        [50, ''],
      ],
    );
    assert.deepEqual(await theirs.loadDoc(DOC), result);
  });

  it('update replaces by id with the incoming annotation, even one with an older timestamp', async () => {
    const store = new AnnotationStore(new MemoryFs());
    const a = makeAnnotation(0, 5, { note: 'new', modified: '2026-11-23T12:00:00.000Z' });
    await store.update(DOC, { upsert: [a] });
    const older = edited(a, { note: 'restored', modified: '2026-01-01T00:00:00.000Z' });
    assert.equal((await store.update(DOC, { upsert: [older] }))[0].note, 'restored');
  });

  it('update removes ids (removal wins over an upsert of the same id) and deletes the sidecar when nothing is left', async () => {
    const fs = new SpyFs();
    const store = new AnnotationStore(fs);
    const a = makeAnnotation(0, 5);
    const b = makeAnnotation(6, 9);
    await store.update(DOC, { upsert: [a, b] });
    assert.deepEqual(await store.update(DOC, { upsert: [{ ...b, note: 'x' }], remove: [b.id, 'not-there'] }), [a]);
    assert.deepEqual(await store.update(DOC, { remove: [a.id] }), []);
    assert.equal(fs.files.has(SIDECAR), false);
    assert.equal(fs.calls[fs.calls.length - 1], `delete ${SIDECAR}`);
    assert.deepEqual(await store.update(DOC, { remove: [a.id] }), [], 'removing from a missing sidecar is a no-op');
  });

  it('update edits apply to the version read under the lock, so what another store saved meanwhile stays', async () => {
    const fs = new MemoryFs();
    const mine = new AnnotationStore(fs);
    const other = new AnnotationStore(fs);
    const a = makeAnnotation(0, 5);
    await mine.update(DOC, { upsert: [a] });
    await other.update(DOC, { upsert: [{ ...a, attributes: { speaker: 'TASS' } }] }); // saved meanwhile
    const saved = await mine.update(DOC, { edit: new Map([[a.id, (cur: Annotation) => ({ ...cur, note: 'mine' })]]) });
    assert.deepEqual([saved[0].note, saved[0].attributes], ['mine', { speaker: 'TASS' }]);
    const before = fs.files.get(SIDECAR);
    await assert.rejects(
      mine.update(DOC, { edit: new Map([['01ZZZZZZZZZZZZZZZZZZZZZZZZ', (cur: Annotation) => cur]]) }),
      (e: unknown) =>
        e instanceof AnnotationInputError && /annotation 01ZZZZZZZZZZZZZZZZZZZZZZZZ is not in \.marginalia\/annotations\/corpus\/a\.txt\.yaml/.test(e.message),
    );
    assert.equal(fs.files.get(SIDECAR), before, 'nothing written');
  });

  it('does not rewrite a sidecar whose content would not change', async () => {
    const fs = new SpyFs();
    const store = new AnnotationStore(fs);
    const a = makeAnnotation(0, 5);
    await store.update(DOC, { upsert: [a] });
    await store.update(DOC, { upsert: [a] });
    await store.saveDoc(DOC, [a]);
    assert.deepEqual(
      fs.calls.filter((c) => c.endsWith(SIDECAR)),
      [`writeAtomic ${SIDECAR}`],
    );
  });

  it('a read started while this store writes the document waits for the write, so it never returns an older version', async () => {
    class SlowFs extends MemoryFs {
      override async writeAtomic(rel: string, data: Uint8Array): Promise<void> {
        await new Promise((r) => setTimeout(r, 20));
        return super.writeAtomic(rel, data);
      }
    }
    const store = new AnnotationStore(new SlowFs());
    const first = makeAnnotation(0, 5);
    await store.update(DOC, { upsert: [first] });
    const second = makeAnnotation(6, 9);
    const writing = store.update(DOC, { upsert: [second] });
    const read = store.loadDoc(DOC); // as a file watcher reacting to the first save would, mid-write
    const [written, seen] = await Promise.all([writing, read]);
    assert.deepEqual(seen, written);
    assert.deepEqual(
      seen.map((a) => a.id),
      [first.id, second.id],
    );
  });

  it('runs concurrent updates of one document one after another, losing none', async () => {
    const store = new AnnotationStore(new MemoryFs());
    const many = Array.from({ length: 25 }, (_, i) => makeAnnotation(i * 10, i * 10 + 5));
    await Promise.all(many.map((a) => store.update(DOC, { upsert: [a] })));
    assert.equal((await store.loadDoc(DOC)).length, 25);
  });

  it('a failed update does not block later ones', async () => {
    const store = new AnnotationStore(new MemoryFs());
    const wrongDoc = { ...makeAnnotation(0, 1), doc: 'other.txt' };
    await assert.rejects(store.update(DOC, { upsert: [wrongDoc] }), /belongs to other\.txt/);
    await assert.rejects(store.update(DOC, { upsert: [{ ...makeAnnotation(0, 1), id: 'bad' }] }), /id must be a ULID/);
    assert.equal((await store.update(DOC, { upsert: [makeAnnotation(0, 1)] })).length, 1);
  });

  it('refuses to write over a broken sidecar, leaving it byte for byte as it was', async () => {
    const broken = 'version: 1\ndocument: corpus/a.txt\nannotations:\n  - id: [\n';
    const fs = new SpyFs({ [SIDECAR]: broken });
    const store = new AnnotationStore(fs);
    await rejectsWith(store.update(DOC, { upsert: [makeAnnotation(0, 1)] }), (e) => {
      assert.equal(e.file, SIDECAR);
      assert.equal(e.code, 'syntax');
    });
    await rejectsWith(store.update(DOC, { remove: ['x'] }), (e) => assert.equal(e.file, SIDECAR));
    await rejectsWith(store.saveDoc(DOC, []), (e) => assert.equal(e.file, SIDECAR));
    await rejectsWith(store.loadDoc(DOC), (e) => assert.equal(e.code, 'syntax'));
    assert.equal(fs.text(SIDECAR), broken);
    assert.deepEqual(fs.calls, []);
  });

  it('saveDoc replaces the whole set, deletes the sidecar when empty, and overwrites a broken one only when told to', async () => {
    const fs = new MemoryFs();
    const store = new AnnotationStore(fs);
    await store.update(DOC, { upsert: [makeAnnotation(0, 1), makeAnnotation(2, 3)] });
    const only = makeAnnotation(5, 6);
    await store.saveDoc(DOC, [only]);
    assert.deepEqual(await store.loadDoc(DOC), [only]);
    await store.saveDoc(DOC, []);
    assert.equal(fs.files.has(SIDECAR), false);
    fs.files.set(SIDECAR, Buffer.from('<<<<<<< HEAD\n'));
    await rejectsWith(store.saveDoc(DOC, [only]), (e) => assert.equal(e.code, 'conflict'));
    await store.saveDoc(DOC, [only], { overwriteBroken: true });
    assert.deepEqual(await store.loadDoc(DOC), [only]);
  });
});

describe('AnnotationStore.loadAll', () => {
  it('loads every sidecar, reports broken ones by file, and still returns the good ones', async () => {
    const good = (doc: string, start: number): string => serializeSidecar(doc, [makeAnnotation(start, start + 3, { doc })]);
    const fs = new MemoryFs({
      '.marginalia/annotations/corpus/a.txt.yaml': good('corpus/a.txt', 1),
      '.marginalia/annotations/corpus/deep/b.md.yaml': good('corpus/deep/b.md', 2),
      '.marginalia/annotations/top.txt.yaml': good('top.txt', 3),
      '.marginalia/annotations/corpus/conflicted.txt.yaml': '<<<<<<< HEAD\nversion: 1\n=======\nversion: 2\n>>>>>>> x\n',
      '.marginalia/annotations/corpus/newer.txt.yaml': good('corpus/newer.txt', 4).replace('version: 1', 'version: 7'),
      '.marginalia/annotations/corpus/moved.txt.yaml': good('corpus/a.txt', 5),
      '.marginalia/annotations/corpus/.a.txt.yaml.1234.abcd.tmp': 'half-written',
      '.marginalia/annotations/corpus/README': 'not a sidecar',
      '.marginalia/annotations/.yaml': good('top.txt', 6),
      '.marginalia/codebook.yaml': 'not: loaded here',
      'corpus/a.txt': 'the document itself',
    });
    const { docs, errors } = await new AnnotationStore(fs, { concurrency: 2 }).loadAll();
    assert.deepEqual([...docs.keys()], ['corpus/a.txt', 'corpus/deep/b.md', 'top.txt']);
    assert.deepEqual(
      docs.get('corpus/deep/b.md')!.map((a) => [a.doc, a.target.start]),
      [['corpus/deep/b.md', 2]],
    );
    assert.deepEqual(
      errors.map((e) => [e.file, e.code]),
      [
        ['.marginalia/annotations/.yaml', 'invalid'],
        ['.marginalia/annotations/corpus/conflicted.txt.yaml', 'conflict'],
        ['.marginalia/annotations/corpus/moved.txt.yaml', 'invalid'],
        ['.marginalia/annotations/corpus/newer.txt.yaml', 'version'],
      ],
    );
    assert.ok(errors.every((e) => e instanceof SidecarError));
    assert.equal(errors[1].line, 1);
  });

  it('turns read failures into SidecarErrors for that file only', async () => {
    const fs = new MemoryFs({
      '.marginalia/annotations/a.txt.yaml': serializeSidecar('a.txt', [makeAnnotation(0, 1, { doc: 'a.txt' })]),
      '.marginalia/annotations/b.txt.yaml': 'unreadable',
    });
    const read = fs.read.bind(fs);
    fs.read = async (rel: string) => {
      if (rel.endsWith('b.txt.yaml')) throw new Error('EACCES: permission denied');
      return read(rel);
    };
    const { docs, errors } = await new AnnotationStore(fs).loadAll();
    assert.deepEqual([...docs.keys()], ['a.txt']);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].code, 'io');
    assert.match(errors[0].message, /^\.marginalia\/annotations\/b\.txt\.yaml: could not read the sidecar: EACCES/);
  });

  it('returns nothing, and no errors, for a workspace without a store', async () => {
    const { docs, errors } = await new AnnotationStore(new MemoryFs({ 'a.txt': 'text' })).loadAll();
    assert.equal(docs.size, 0);
    assert.equal(errors.length, 0);
  });

  it('loads 2,000 sidecars with 10 annotations each', async () => {
    const fs = new MemoryFs();
    for (let d = 0; d < 2000; d++) {
      const doc = `corpus/${d % 20}/doc${d}.txt`;
      const list = Array.from({ length: 10 }, (_, i) => makeAnnotation(i * 100, i * 100 + 40, { note: i % 3 ? '' : 'see: p. 4', doc }));
      fs.files.set(`.marginalia/annotations/${doc}.yaml`, Buffer.from(serializeSidecar(doc, list)));
    }
    const { docs, errors } = await new AnnotationStore(fs).loadAll();
    assert.equal(errors.length, 0);
    assert.equal(docs.size, 2000);
    assert.equal(
      [...docs.values()].reduce((n, l) => n + l.length, 0),
      20000,
    );
  });
});

describe('mergeAnnotationSets', () => {
  it('is the union by id where the later modified wins, in sidecar order, whichever side is first', () => {
    const a = makeAnnotation(10, 20, { note: 'a' });
    const b = makeAnnotation(0, 5, { note: 'b' });
    const aLater = edited(a, { note: 'a edited', modified: '2026-11-24T09:00:00.000Z' });
    const c = makeAnnotation(30, 40);
    const left = [a, b];
    const right = [aLater, c];
    assert.deepEqual(mergeAnnotationSets(left, right), [b, aLater, c]);
    assert.deepEqual(mergeAnnotationSets(right, left), [b, aLater, c]);
  });

  it('compares timestamps as instants, and breaks exact ties the same way from both sides', () => {
    const a = makeAnnotation(0, 5, { modified: '2026-11-23T12:00:00+02:00' });
    const utcLater = edited(a, { note: 'later', modified: '2026-11-23T10:30:00.000Z' });
    assert.equal(mergeAnnotationSets([a], [utcLater])[0].note, 'later');
    const tieX = { ...a, note: 'x' };
    const tieY = { ...a, note: 'y' };
    assert.deepEqual(mergeAnnotationSets([tieX], [tieY]), mergeAnnotationSets([tieY], [tieX]));
  });
});

describe('AnnotationStore: snapshots', () => {
  it('stores a snapshot under its content hash, sharded by the first two hex digits, and writes it only once', async () => {
    const fs = new SpyFs();
    const store = new AnnotationStore(fs);
    const text = 'The minister said prices rose 4.5%.\n😀 é\n';
    const hash = await store.putSnapshot(text);
    assert.equal(hash, contentHash(text));
    const hex = hash.slice('sha256:'.length);
    assert.equal(store.snapshotPath(hash), `.marginalia/snapshots/${hex.slice(0, 2)}/${hex}.txt`);
    assert.equal(fs.text(store.snapshotPath(hash)), text);
    assert.equal(await store.putSnapshot(text), hash);
    assert.deepEqual(fs.calls, [`writeAtomic ${store.snapshotPath(hash)}`], 'the second put writes nothing');
    assert.equal(await store.getSnapshot(hash), text);
  });

  it('keeps a byte order mark, and returns undefined for a missing or damaged snapshot (and a put repairs it)', async () => {
    const fs = new MemoryFs();
    const store = new AnnotationStore(fs);
    const bom = '\ufeffwith BOM';
    assert.equal(await store.getSnapshot(await store.putSnapshot(bom)), bom);
    const text = 'original';
    const hash = contentHash(text);
    assert.equal(await store.getSnapshot(hash), undefined);
    fs.files.set(store.snapshotPath(hash), Buffer.from('tampered'));
    assert.equal(await store.getSnapshot(hash), undefined);
    await store.putSnapshot(text);
    assert.equal(await store.getSnapshot(hash), text);
  });

  it('recognises a snapshot whose line endings git converted to CRLF', async () => {
    const fs = new SpyFs();
    const store = new AnnotationStore(fs);
    const text = 'line one\nline two\n';
    const hash = contentHash(text);
    fs.files.set(store.snapshotPath(hash), Buffer.from(text.replace(/\n/g, '\r\n')));
    assert.equal(await store.getSnapshot(hash), text);
    await store.putSnapshot(text);
    assert.deepEqual(fs.calls, [], 'not rewritten, so git sees no change');
  });

  it('refuses a malformed hash instead of reading an arbitrary path', async () => {
    const store = new AnnotationStore(new MemoryFs());
    await assert.rejects(store.getSnapshot('sha256:../../etc/passwd'), /not a snapshot hash/);
    assert.throws(() => store.snapshotPath('md5:abc'), /not a snapshot hash/);
  });
});

describe('AnnotationStore: codebook', () => {
  it('gives the built-in codebook without a file, and loads back what it saves', async () => {
    const fs = new MemoryFs();
    const store = new AnnotationStore(fs);
    assert.deepEqual(await store.loadCodebook(), defaultCodebook());
    const cb = defaultCodebook();
    cb.kinds.push({ name: 'quote', colour: '#aa00ff', description: 'A direct quotation.', attributes: [] });
    await store.saveCodebook(cb);
    assert.ok(fs.text('.marginalia/codebook.yaml')!.startsWith('# Marginalia codebook'));
    assert.deepEqual(await store.loadCodebook(), cb);
  });

  it('reports a broken codebook file as a CodebookError and leaves it alone', async () => {
    const fs = new MemoryFs({ '.marginalia/codebook.yaml': 'version: 1\nkinds:\n  - name: claim\n    colour: red\n' });
    await assert.rejects(new AnnotationStore(fs).loadCodebook(), (e: unknown) => {
      assert.ok(e instanceof CodebookError);
      assert.equal(e.line, 4);
      assert.match(e.message, /^\.marginalia\/codebook\.yaml:4:13: kinds\[0\]\.colour must be a colour written #rrggbb/);
      return true;
    });
    assert.equal(fs.text('.marginalia/codebook.yaml'), 'version: 1\nkinds:\n  - name: claim\n    colour: red\n');
  });
});
