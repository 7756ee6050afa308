// Hangs and crashes found by the adversarial round, the core half: each case as its own test, on real temporary
// folders through NodeWorkspaceFs, the lock and the store (the CLI half is test/cli/hangs.test.ts).
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PathError } from '../../src/core/model';
import type { Annotation } from '../../src/core/model';
import { isPlainSafe } from '../../src/core/yaml';
import {
  AnnotationStore,
  MoveError,
  checkCorpus,
  parseSidecar,
  restoreDocument,
  serializeSidecar,
  sidecarPathFor,
  type UncheckedDocument,
  type WorkspaceFs,
} from '../../src/core/store';
import { parseExportYaml, writeExportYaml } from '../../src/core/formats';
import { LockPathError, NodeWorkspaceFs, NotRegularFileError, lockFileFor, withFileLock, writeFileAtomic } from '../../src/node';
import { annotation } from '../support/annotations';
import { MemoryFs } from '../support/memoryFs';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'marginalia-hangs-'));
}

/** NodeWorkspaceFs reading one of its two ways: synchronously while reads are quick, through the thread pool after slow ones. */
function openFs(root: string, pooled: boolean): NodeWorkspaceFs {
  const wfs = new NodeWorkspaceFs(root);
  if (pooled) (wfs as unknown as { cachedReads: boolean }).cachedReads = false;
  return wfs;
}

const WAYS = [false, true];
const wayName = (pooled: boolean): string => (pooled ? 'through the thread pool' : 'synchronously');

describe('hangs and crashes: files that are not regular files', () => {
  let root: string;
  before(() => {
    root = tempDir();
    fs.mkdirSync(path.join(root, 'corpus'));
    execFileSync('mkfifo', [path.join(root, 'corpus', 'fifo.txt')]);
    fs.symlinkSync('fifo.txt', path.join(root, 'corpus', 'link-to-fifo.txt'));
    fs.mkdirSync(path.join(root, 'corpus', 'folder.txt'));
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  for (const pooled of WAYS) {
    it(`a FIFO, and a link to one, is refused at once (NotRegularFileError naming it), never waited on, ${wayName(pooled)}`, async () => {
      const wfs = openFs(root, pooled);
      // Opening a FIFO for reading without O_NONBLOCK waits for a writer forever: this test would hang, not fail.
      for (const rel of ['corpus/fifo.txt', 'corpus/link-to-fifo.txt']) {
        await assert.rejects(wfs.read(rel), (e: unknown) => {
          assert.ok(e instanceof NotRegularFileError, String(e));
          assert.equal(e.file, rel);
          assert.match(e.message, new RegExp(`^${rel.replace('.', '\\.')} is a named pipe \\(FIFO\\), not a regular file`));
          return true;
        });
      }
    });

    it(`a folder read as a file is an EISDIR error naming it, ${wayName(pooled)}`, async () => {
      await assert.rejects(
        openFs(root, pooled).read('corpus/folder.txt'),
        (e: NodeJS.ErrnoException & { file?: string }) => e.code === 'EISDIR' && e.file === 'corpus/folder.txt' && /is a folder, not a file/.test(e.message),
      );
    });
  }
});

/** MemoryFs where reading one path fails as a file without permission does. */
class DeniedFs extends MemoryFs {
  constructor(
    initial: Record<string, string>,
    private readonly denied: string,
  ) {
    super(initial);
  }
  override async read(rel: string): Promise<Uint8Array | undefined> {
    if (rel === this.denied) throw Object.assign(new Error(`EACCES: permission denied, open '${rel}'`), { code: 'EACCES' });
    return super.read(rel);
  }
}

describe('hangs and crashes: one unreadable document does not stop the check of the rest', () => {
  const good = 'corpus/good.txt';
  const goodText = 'The committee approved the budget on Monday.';
  const cases: [string, Record<string, string | Uint8Array>, RegExp][] = [
    ['holds a NUL byte', { 'corpus/bad.txt': 'The committee\0 approved' }, /corpus\/bad\.txt looks like a binary file/],
    ['is not UTF-8', { 'corpus/bad.txt': Uint8Array.from([0x54, 0x68, 0xe9, 0x20, 0x63]) }, /corpus\/bad\.txt is not UTF-8 text/],
    ['cannot be read (no permission)', { 'corpus/bad.txt': 'The committee approved' }, /corpus\/bad\.txt could not be read \(EACCES: permission denied/],
  ];
  for (const [what, files, reason] of cases) {
    it(`a document that ${what} is listed as unchecked with the reason, its annotations untouched; the others are checked`, async () => {
      const mem = new DeniedFs({ [good]: goodText }, what.includes('permission') ? 'corpus/bad.txt' : '');
      for (const [rel, content] of Object.entries(files)) mem.files.set(rel, typeof content === 'string' ? Buffer.from(content) : content);
      const store = new AnnotationStore(mem as WorkspaceFs);
      const stored = new Map<string, Annotation[]>([
        ['corpus/bad.txt', [annotation({ doc: 'corpus/bad.txt', text: 'The committee approved', phrase: 'committee' })]],
        [good, [annotation({ doc: good, text: goodText, phrase: 'approved the budget' })]],
      ]);
      const unchecked: UncheckedDocument[] = [];
      const checks = await checkCorpus(store, mem, stored, unchecked);
      assert.deepEqual(
        checks.map((c) => [c.doc, c.results.map((r) => r.status)]),
        [[good, ['anchored']]],
      );
      assert.equal(unchecked.length, 1);
      assert.equal(unchecked[0].doc, 'corpus/bad.txt');
      assert.match(unchecked[0].reason, reason);
      assert.equal(mem.writes, 0, 'a check writes nothing');
    });
  }
});

describe('hangs and crashes: a snapshot that leads out of the workspace', () => {
  it('is reported through the store warning and passed over: check goes on, restore falls back to an older snapshot', async () => {
    const parent = tempDir();
    const root = path.join(parent, 'ws');
    fs.mkdirSync(path.join(root, 'corpus'), { recursive: true });
    fs.writeFileSync(path.join(parent, 'secret.txt'), 'token=hunter2');
    const doc = 'corpus/doc.txt';
    const v1 = 'First version: the committee approved the budget.';
    const v2 = 'Second version: the committee approved the budget on Monday.';
    const warnings: string[] = [];
    const wfs = new NodeWorkspaceFs(root);
    const store = new AnnotationStore(wfs, { warn: (m) => warnings.push(m) });
    const older = annotation({ doc, text: v1, phrase: 'committee', modified: '2020-01-01T00:00:00.000Z' });
    const newer = annotation({ doc, text: v2, phrase: 'Monday' });
    await store.putSnapshot(v1);
    const newest = await store.putSnapshot(v2);
    await store.update(doc, { upsert: [older, newer] });
    // The newest snapshot replaced by a link to a file outside the workspace.
    const snapshotFile = path.join(root, ...store.snapshotPath(newest).split('/'));
    fs.rmSync(snapshotFile);
    fs.symlinkSync(path.join(parent, 'secret.txt'), snapshotFile);

    fs.writeFileSync(path.join(root, doc), v2);
    const checks = await checkCorpus(store, wfs, new Map([[doc, await store.loadDoc(doc)]]));
    assert.equal(checks.length, 1, 'the document is still checked');
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0],
      /snapshots\/.*\.txt leads outside the workspace folder \(through a symbolic link to .*secret\.txt\); this snapshot is passed over as a missing one/,
    );

    fs.rmSync(path.join(root, doc));
    const hash = await restoreDocument(store, doc, await store.loadDoc(doc), {});
    assert.notEqual(hash, newest);
    assert.equal(fs.readFileSync(path.join(root, doc), 'utf8'), v1, 'restored from the older snapshot inside the workspace');
    assert.equal(warnings.length, 1, 'each unreadable snapshot is reported once');

    // With only the linked snapshot, restore refuses clearly (and still writes nothing outside).
    fs.rmSync(path.join(root, doc));
    await assert.rejects(restoreDocument(store, doc, [newer], {}), MoveError);
    assert.equal(fs.existsSync(path.join(root, doc)), false);
    assert.equal(fs.readFileSync(path.join(parent, 'secret.txt'), 'utf8'), 'token=hunter2');
    // A store without a warning channel still refuses such a snapshot outright.
    await assert.rejects(new AnnotationStore(wfs).getSnapshot(newest), PathError);
    fs.rmSync(parent, { recursive: true, force: true });
  });
});

describe('hangs and crashes: very long quotes and notes', () => {
  const n = 8_400_000;
  // Each shape took a different branch of the plain-scalar rule; before, each overflowed V8's regular-expression stack.
  const shapes: [string, string][] = [
    ['letters', 'A' + 'x'.repeat(n)],
    ['words', 'A' + 'xy z'.repeat(n / 4)],
    ['colons before non-spaces', 'A' + 'a:b'.repeat(n / 3)],
    ['hashes after non-spaces', 'A' + 'a#b'.repeat(n / 3)],
    ['quotes (double-quoted)', 'a"b'.repeat(n / 3)],
  ];
  for (const [what, note] of shapes) {
    it(`a note of ${n.toLocaleString('en')} characters (${what}) is written, read back (fast and full reader) and exported exactly`, async () => {
      const doc = 'corpus/doc.txt';
      const text = 'The committee approved the budget.';
      const a = annotation({ doc, text, phrase: 'committee', note });
      const yaml = serializeSidecar(doc, [a]);
      for (const fastPath of [true, false]) assert.equal(parseSidecar(yaml, sidecarPathFor(doc), { fastPath })[0].note, note);
      let exported = '';
      await writeExportYaml({ documents: [{ path: doc, annotations: [a] }], readText: async () => text }, (chunk) => {
        exported += chunk;
      });
      assert.equal(parseExportYaml(exported, 'export.yaml')[0].annotations[0].note, note);
    });
  }

  it('a quote of 8.4 million characters round-trips through the sidecar', () => {
    const doc = 'corpus/long.txt';
    const text = 'Intro. ' + 'A' + 'word '.repeat(n / 5) + 'end';
    const a = annotation({ doc, text, start: 7, end: text.length - 4 });
    assert.equal(a.target.quote.exact.length, n);
    assert.equal(parseSidecar(serializeSidecar(doc, [a]), sidecarPathFor(doc))[0].target.quote.exact, a.target.quote.exact);
  });

  it('the loop that replaced the ASCII pattern decides every short string as the pattern did', () => {
    const pattern = /^[A-Za-z](?:[ -"$-9;-~]|:(?=[!-~])|(?<! )#)*(?<! )$/;
    const alphabet = ['a', 'Z', ' ', ':', '#', '"', '-', '1', '\t', 'é', '\u0085', '~', '\x7f'];
    let seed = 7;
    const random = (k: number): number => (seed = (seed * 1103515245 + 12345) >>> 0) % k;
    for (let i = 0; i < 20_000; i++) {
      let s = '';
      for (let len = 1 + random(8); len > 0; len--) s += alphabet[random(alphabet.length)];
      const expected =
        pattern.test(s) || (/^\p{L}[\p{L}\p{M}\p{N}\p{P}\p{S} ]*$/u.test(s) && !s.includes(': ') && !s.includes(' #') && !s.endsWith(':') && !s.endsWith(' '));
      const word = s.length <= 5 && /^(?:y|yes|n|no|true|false|on|off|null)$/i.test(s);
      assert.equal(isPlainSafe(s), expected && !word, JSON.stringify(s));
    }
  });
});

describe('hangs and crashes: long file names', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('the sidecar of an 80-CJK-character document (a 249-byte name) and a 255-byte file take their locks and are written atomically', async () => {
    for (const base of ['文'.repeat(80) + '.txt.yaml', 'x'.repeat(250) + '.yaml']) {
      const file = path.join(dir, base);
      const lock = lockFileFor(file);
      assert.ok(Buffer.byteLength(path.basename(lock)) <= 255 - 21, `room for the lock's temporary name: ${path.basename(lock)}`);
      assert.equal(lockFileFor(file), lock, 'the same lock name in every process');
      await withFileLock(file, () => writeFileAtomic(file, 'annotations: []\n'));
      assert.equal(fs.readFileSync(file, 'utf8'), 'annotations: []\n');
      assert.deepEqual(fs.readdirSync(dir), [base], 'no lock or temporary file left');
      fs.rmSync(file);
    }
    // Short names keep their readable lock name.
    assert.equal(path.basename(lockFileFor(path.join(dir, 'doc.txt.yaml'))), '.doc.txt.yaml.lock');
  });

  it('a document name too long for a sidecar beside it (251 bytes or more) is refused with what to do', () => {
    assert.equal(sidecarPathFor(`corpus/${'x'.repeat(250)}`), `.marginalia/annotations/corpus/${'x'.repeat(250)}.yaml`);
    assert.throws(
      () => sidecarPathFor(`corpus/${'文'.repeat(84)}`),
      (e: unknown) =>
        e instanceof PathError &&
        /cannot be annotated: its name is too long for a sidecar beside it \(.* would be 257 bytes, over the 255 a file name can have\); rename the document to at most 250 bytes/.test(
          e.message,
        ),
    );
  });

  it('a path with a name over 255 bytes reads as a PathError that says so, not as an unexpected ENAMETOOLONG', async () => {
    fs.mkdirSync(path.join(dir, 'corpus'));
    for (const pooled of WAYS) {
      await assert.rejects(
        openFs(dir, pooled).read(`corpus/${'b'.repeat(300)}.txt`),
        (e: unknown) => e instanceof PathError && /is too long for the file system \(a name of 304 bytes, over the 255 a file name can have\)/.test(e.message),
      );
    }
    await assert.rejects(new NodeWorkspaceFs(dir).stat('c'.repeat(300)), PathError);
  });
});

describe('hangs and crashes: a lock path that is a folder', () => {
  it('is refused at once with a clear error naming it; nothing is moved aside, written or left behind', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'doc.txt.yaml');
    fs.mkdirSync(lockFileFor(file));
    fs.writeFileSync(path.join(lockFileFor(file), 'inside'), 'kept');
    let ran = false;
    await assert.rejects(
      withFileLock(file, async () => {
        ran = true;
      }),
      (e: unknown) =>
        e instanceof LockPathError &&
        e.file === lockFileFor(file) &&
        /is a folder, where Marginalia keeps the lock file of a save; the annotations were not saved\. Remove it and try again/.test(e.message),
    );
    assert.equal(ran, false);
    assert.deepEqual(fs.readdirSync(dir), [path.basename(lockFileFor(file))], 'no .stale or .tmp left');
    assert.equal(fs.readFileSync(path.join(lockFileFor(file), 'inside'), 'utf8'), 'kept');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
