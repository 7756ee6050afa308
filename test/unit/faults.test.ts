// Issue 5, the core half: each failure case of the issue as its own test, on real temporary folders through the real
// AnnotationStore and NodeWorkspaceFs (the CLI half is test/cli/faults.test.ts; the failure-case matrix of
// docs/testing.md lists both).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { parse } from 'yaml';
import { AnnotationInputError, createAnnotation } from '../../src/core/model';
import { checkDocument, writeCheck } from '../../src/core/store';
import { defaultCodebook, findKind } from '../../src/core/store';
import { NotTextError, listTextCorpus, readDocument } from '../../src/core/store';
import { applyEdits } from '../../src/core/anchoring';
import { lockFileFor, withFileLock } from '../../src/node';
import type { Annotation } from '../../src/core/model';
import { MoveError, detectMoves, moveAnnotations, restoreDocument } from '../../src/core/store';
import { NodeWorkspaceFs } from '../../src/node';
import { annotateInStore as annotate } from '../support/annotations';
import type { WorkspaceFs } from '../../src/core/store';
import { AnnotationStore } from '../../src/core/store';
import { LineIndex } from '../../src/core/model';
import { exportYaml, parseExportYaml } from '../../src/core/formats';

const DOC = 'corpus/doc.txt';
const SIDECAR = `.marginalia/annotations/${DOC}.yaml`;
const KIND = findKind(defaultCodebook(), 'claim')!;

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'marginalia-faults-'));
}

/** A workspace folder holding `files` (strings as UTF-8, buffers as they are). */
function workspace(files: Record<string, string | Buffer>): { root: string; nfs: NodeWorkspaceFs; store: AnnotationStore } {
  const root = tempDir();
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), content);
  }
  const nfs = new NodeWorkspaceFs(root);
  return { root, nfs, store: new AnnotationStore(nfs) };
}

function ids(list: readonly Annotation[]): string[] {
  return list.map((a) => a.id).sort();
}

/**
 * The whole pipeline on one awkward document, asserting at each step that every annotation still covers its text:
 * add (core annotate), edit tracking (an insertion before and one inside the document), re-anchoring after the file
 * changed on disk (check + write), the YAML export's line and column, and import back into a fresh workspace.
 */
async function pipeline(raw: Buffer, spans: readonly [number, number][]): Promise<{ text: string; stored: Annotation[]; exported: string; after: string }> {
  const { root, nfs, store } = workspace({ [DOC]: raw });
  const text = (await readDocument(nfs, DOC)) as string;
  const made: Annotation[] = [];
  for (const [s, e] of spans) made.push(await annotate(store, DOC, s, e));
  const stored = await store.loadDoc(DOC);
  assert.equal(stored.length, spans.length, 'every annotation stored');
  for (const a of stored) assert.equal(text.slice(a.target.start, a.target.end), a.target.quote.exact);

  // Edit tracking: typing before everything shifts every span and keeps its text.
  const insert = 'Inserted line.\n';
  const tracked = applyEdits(
    stored.map((a) => ({ id: a.id, start: a.target.start, end: a.target.end })),
    [{ offset: 0, deleteLength: 0, insertText: insert }],
  );
  const typed = insert + text;
  for (const [i, t] of tracked.entries()) {
    assert.equal(t.orphaned, false);
    assert.equal(typed.slice(t.start, t.end), stored[i].target.quote.exact, 'edit tracking kept the text');
  }

  // Outside change: the file is rewritten on disk (the same BOM and line ends as before) with text before and after.
  const bom = raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf ? '\ufeff' : '';
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const after = `A new first line.${eol}${text}A new last line.${eol}`;
  fs.writeFileSync(path.join(root, DOC), bom + after);
  const reread = (await readDocument(nfs, DOC)) as string;
  assert.equal(reread, after, 'the BOM is not part of the text');
  const check = await checkDocument(store, DOC, stored, reread);
  await writeCheck(store, check, reread);
  const moved = await store.loadDoc(DOC);
  const shift = `A new first line.${eol}`.length;
  for (const a of moved) {
    const before = stored.find((b) => b.id === a.id)!;
    assert.equal(a.anchor.status, 'reanchored', `${a.id} re-anchored`);
    assert.equal(a.target.start, before.target.start + shift);
    assert.equal(reread.slice(a.target.start, a.target.end), before.target.quote.exact);
  }

  // YAML export: 1-based lines and UTF-16 columns, as the header says.
  const exported = exportYaml({ documents: [{ path: DOC, text: reread, annotations: moved }], generated: new Date(0) });
  const lines = new LineIndex(reread);
  const doc = (
    parse(exported) as {
      documents: {
        annotations: { id: string; start: { line: number; column: number; offset: number }; end: { line: number; column: number; offset: number } }[];
      }[];
    }
  ).documents[0];
  for (const x of doc.annotations) {
    const a = moved.find((m) => m.id === x.id)!;
    for (const [where, offset] of [
      [x.start, a.target.start],
      [x.end, a.target.end],
    ] as const) {
      const p = lines.position(offset);
      assert.deepEqual(where, { line: p.line + 1, column: p.character + 1, offset });
    }
  }

  // Import back into a fresh workspace holding the same file: the same spans.
  const other = workspace({ [DOC]: bom + after });
  const imported = parseExportYaml(exported, 'export.yaml');
  const recheck = await checkDocument(other.store, DOC, imported[0].annotations, (await readDocument(other.nfs, DOC)) as string);
  for (const r of recheck.results) {
    const a = moved.find((m) => m.id === r.id)!;
    assert.notEqual(r.status, 'orphaned');
    assert.deepEqual(r.after, { start: a.target.start, end: a.target.end }, `${r.id} imported at the same place`);
  }
  return { text, stored, exported, after: reread };
}

describe('issue 5: two writers on one document', () => {
  it('two AnnotationStore instances on one folder, interleaving writes to one document, keep every annotation', async () => {
    const { root } = workspace({ [DOC]: 'one two three four five six seven eight nine ten eleven twelve\n' });
    const a = new AnnotationStore(new NodeWorkspaceFs(root));
    const b = new AnnotationStore(new NodeWorkspaceFs(root));
    // Each store loads, then both write in turns and at once, neither re-loading in between.
    await a.loadAll();
    await b.loadAll();
    const written: Annotation[] = [];
    for (let i = 0; i < 6; i++) {
      written.push(await annotate(i % 2 === 0 ? a : b, DOC, i * 4, i * 4 + 3));
    }
    written.push(...(await Promise.all([annotate(a, DOC, 30, 33), annotate(b, DOC, 34, 37), annotate(a, DOC, 38, 41), annotate(b, DOC, 42, 45)])));
    assert.deepEqual(ids(await a.loadDoc(DOC)), ids(written));
    assert.deepEqual(ids(await b.loadDoc(DOC)), ids(written));
  });

  it('a writer without a lock that saves between our read and our write is merged in, not overwritten', async () => {
    const { root, store: other } = workspace({ [DOC]: 'alpha beta gamma delta epsilon\n' });
    const first = await annotate(other, DOC, 0, 5);
    // Another host's store (no cross-process lock, e.g. a remote file system) saves just after we read the sidecar.
    let sneaked: Annotation | undefined;
    const nfs = new NodeWorkspaceFs(root);
    const racing: WorkspaceFs = {
      read: async (rel) => {
        const bytes = await nfs.read(rel);
        if (rel === SIDECAR && sneaked === undefined) sneaked = await annotate(other, DOC, 6, 10, 'saved meanwhile');
        return bytes;
      },
      writeAtomic: (rel, data) => nfs.writeAtomic(rel, data),
      delete: (rel) => nfs.delete(rel),
      list: (rel) => nfs.list(rel),
      stat: (rel) => nfs.stat(rel),
    };
    const mine = await annotate(new AnnotationStore(racing), DOC, 11, 16);
    assert.ok(sneaked);
    assert.deepEqual(ids(await other.loadDoc(DOC)), ids([first, sneaked, mine]));
  });

  it('a lock left by a killed writer is broken at once, and a live holder is waited for', async () => {
    const dir = tempDir();
    const target = path.join(dir, 'x.yaml');
    // A process that is gone (a child that has exited) left its lock behind.
    const child = spawn(process.execPath, ['-e', '0']);
    const deadPid = await new Promise<number>((resolve) => child.on('exit', () => resolve(child.pid as number)));
    fs.writeFileSync(lockFileFor(target), JSON.stringify({ pid: deadPid, host: os.hostname(), nonce: 'dead' }));
    const t0 = Date.now();
    assert.equal(await withFileLock(target, async () => 'ran'), 'ran');
    assert.ok(Date.now() - t0 < 2000, 'a dead holder is not waited for');
    assert.equal(fs.existsSync(lockFileFor(target)), false, 'the lock is released');
    // A live holder: the second waits until the first is done.
    const order: string[] = [];
    let release!: () => void;
    let entered!: () => void;
    const firstIn = new Promise<void>((r) => (entered = r));
    const held = withFileLock(target, () => new Promise<void>((r) => ((release = r), order.push('first in'), entered()))).then(() => order.push('first out'));
    await firstIn;
    const second = withFileLock(target, async () => void order.push('second in'));
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(order, ['first in']);
    release();
    await Promise.all([held, second]);
    assert.deepEqual(order, ['first in', 'first out', 'second in']);
  });
});

describe('issue 5: documents moving', () => {
  it('a document renamed or moved on disk: its annotations follow it (found by content hash)', async () => {
    const text = 'The quick brown fox jumps over the lazy dog.\n';
    const { root, nfs, store } = workspace({ [DOC]: text, 'corpus/other.txt': 'unrelated\n' });
    const a = await annotate(store, DOC, 4, 9);
    const b = await annotate(store, DOC, 10, 19);
    fs.mkdirSync(path.join(root, 'archive'));
    fs.renameSync(path.join(root, DOC), path.join(root, 'archive', 'fox.txt'));
    const { docs } = await store.loadAll();
    const moves = await detectMoves(nfs, docs, async () => ['archive/fox.txt', 'corpus/other.txt']);
    assert.deepEqual(moves, [[DOC, 'archive/fox.txt']]);
    const moved = await moveAnnotations(store, DOC, 'archive/fox.txt');
    assert.deepEqual(ids(moved), ids([a, b]));
    assert.ok(moved.every((x) => x.doc === 'archive/fox.txt'));
    assert.equal(fs.existsSync(path.join(root, SIDECAR)), false, 'the old sidecar is gone');
    const check = await checkDocument(store, 'archive/fox.txt', moved, text);
    assert.ok(
      check.results.every((r) => r.method === 'exact'),
      'still exactly where they were',
    );
  });

  it('a deleted document: its annotations are kept as orphans with their last snapshot, and it can be restored', async () => {
    const text = 'Deleted by mistake: a passage worth keeping.\n';
    const { root, nfs, store } = workspace({ [DOC]: text });
    const a = await annotate(store, DOC, text.indexOf('passage'), text.indexOf('passage') + 7);
    fs.rmSync(path.join(root, DOC));
    const check = await checkDocument(store, DOC, await store.loadDoc(DOC), await readDocument(nfs, DOC));
    assert.equal(check.exists, false);
    await writeCheck(store, check, undefined);
    const [orphan] = await store.loadDoc(DOC);
    assert.equal(orphan.anchor.status, 'orphaned');
    assert.deepEqual(orphan.target, a.target, 'the last target is kept');
    assert.equal(await store.getSnapshot(orphan.provenance.docHash), text, 'and its snapshot');
    assert.equal(await restoreDocument(store, DOC, [orphan], {}), orphan.provenance.docHash);
    assert.equal(fs.readFileSync(path.join(root, DOC), 'utf8'), text);
    const back = await checkDocument(store, DOC, [orphan], await readDocument(nfs, DOC));
    await writeCheck(store, back, text);
    const [restored] = await store.loadDoc(DOC);
    assert.equal(restored.anchor.status, 'anchored');
    assert.equal(text.slice(restored.target.start, restored.target.end), 'passage');
    // Nothing to restore over an existing file, nor without a snapshot.
    await assert.rejects(restoreDocument(store, DOC, [orphan], {}), (e: unknown) => e instanceof MoveError && /exists/.test(e.message));
    fs.rmSync(path.join(root, DOC));
    fs.rmSync(path.join(root, '.marginalia', 'snapshots'), { recursive: true });
    await assert.rejects(
      restoreDocument(store, DOC, [orphan], {}),
      (e: unknown) => e instanceof MoveError && /no snapshot of corpus\/doc\.txt/.test(e.message),
    );
  });
});

describe('issue 5: awkward documents', () => {
  it('CRLF line ends: offsets count the \\r, lines are split at \\n, and the spans survive the whole pipeline', async () => {
    const raw = 'First line\r\nSecond line with words\r\nThird line\r\n';
    const { after, exported } = await pipeline(Buffer.from(raw), [
      [12, 18],
      [24, 34],
      [36, 41],
    ]);
    assert.ok(after.includes('\r\n'));
    // "Second" starts the text's second line, now line 3 after the new first line, at column 1 and offset 19 + 12.
    assert.match(exported, /exact: Second\n[^]*?start:\n\s+line: 3\n\s+column: 1\n\s+offset: 31\n/);
  });

  it('a UTF-8 byte order mark is not counted in offsets, and survives an outside change', async () => {
    const raw = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Headline\nBody text here\n')]);
    const { text, stored } = await pipeline(raw, [
      [0, 8],
      [9, 13],
    ]);
    assert.equal(text.charCodeAt(0), 0x48, 'the text starts after the BOM');
    assert.equal(stored[0].target.quote.exact, 'Headline');
  });

  it('emoji and other astral characters: offsets are UTF-16 code units, and a span splitting a surrogate pair is refused', async () => {
    const raw = 'Budget 😀 up 𝔘𝔫𝔦 by 11 % 🇷🇺 flag\n';
    const text = raw;
    const grin = text.indexOf('😀');
    const flag = text.indexOf('🇷🇺');
    const { stored } = await pipeline(Buffer.from(raw), [
      [grin, grin + 2],
      [text.indexOf('𝔘'), text.indexOf('𝔦') + 2],
      [flag, flag + 4],
    ]);
    assert.deepEqual(
      stored.map((a) => a.target.quote.exact),
      ['😀', '𝔘𝔫𝔦', '🇷🇺'],
    );
    assert.throws(
      () => createAnnotation(text, { doc: DOC, kind: 'claim', start: grin + 1, end: grin + 2, author: 't' }, KIND, new Date()),
      (e: unknown) => e instanceof AnnotationInputError && /start 8 falls inside a character \(a surrogate pair\)/.test(e.message),
    );
    assert.throws(
      () => createAnnotation(text, { doc: DOC, kind: 'claim', start: grin, end: grin + 1, author: 't' }, KIND, new Date()),
      /end 8 falls inside a character/,
    );
  });

  it('right-to-left text (Arabic and Hebrew, mixed with Latin): logical offsets, kept through the pipeline', async () => {
    const raw = 'Quote: قال الرئيس إن الميزانية ستنمو. Hebrew: הממשלה אישרה את התקציב.\n';
    const ar = raw.indexOf('الميزانية');
    const he = raw.indexOf('התקציב');
    const { stored } = await pipeline(Buffer.from(raw), [
      [ar, ar + 'الميزانية'.length],
      [he, he + 'התקציב'.length],
    ]);
    assert.deepEqual(
      stored.map((a) => a.target.quote.exact),
      ['الميزانية', 'התקציב'],
    );
  });

  it('combining marks: a span may end between a base letter and its combining mark (accepted, consistently, as a code point boundary)', async () => {
    const raw = 'Cafe\u0301 society and nai\u0308ve readers\n';
    const cafe = raw.indexOf('Cafe\u0301');
    // The whole cluster, and just the base letters without the accent: both are spans of whole code points.
    const { stored } = await pipeline(Buffer.from(raw), [
      [cafe, cafe + 5],
      [cafe, cafe + 4],
    ]);
    assert.deepEqual(stored.map((a) => a.target.quote.exact).sort(), ['Cafe', 'Cafe\u0301']);
  });

  it('a 0-length selection is refused with a clear message; a whole-document selection works', async () => {
    const raw = 'Short document.\nSecond line.\n';
    assert.throws(
      () => createAnnotation(raw, { doc: DOC, kind: 'claim', start: 5, end: 5, author: 't' }, KIND, new Date()),
      (e: unknown) => e instanceof AnnotationInputError && e.message === 'span 5-5 is empty: select at least one character',
    );
    const { stored } = await pipeline(Buffer.from(raw), [[0, raw.length]]);
    assert.equal(stored[0].target.quote.exact, raw);
  });

  it('overlapping and nested annotations are all kept, exported and re-anchored', async () => {
    const raw = 'The ministry of finance said the budget deficit would narrow next year.\n';
    const span = (s: string): [number, number] => [raw.indexOf(s), raw.indexOf(s) + s.length];
    const { stored, exported } = await pipeline(Buffer.from(raw), [
      span('ministry of finance said'),
      span('finance'),
      span('said the budget'),
      span('budget deficit would'),
      span('The ministry of finance said the budget deficit'),
    ]);
    assert.equal(stored.length, 5);
    assert.equal((exported.match(/^ {6}- id: /gm) ?? []).length, 5, 'all five exported');
  });

  it('binary files (NUL bytes, invalid UTF-8, a PNG named .md) are left out of the corpus with a reason, and cannot be annotated', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    const { nfs } = workspace({
      'corpus/a.txt': 'real text\n',
      'corpus/nul.txt': Buffer.from('text\0with a NUL\n'),
      'corpus/latin1.txt': Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]),
      'corpus/image.md': png,
    });
    const corpus = await listTextCorpus(nfs);
    assert.deepEqual(corpus.documents, ['corpus/a.txt']);
    assert.deepEqual(
      corpus.skipped.map((s) => [s.doc, s.reason]),
      [
        ['corpus/image.md', 'corpus/image.md looks like a binary file (it contains NUL bytes); it is left out of the corpus.'],
        ['corpus/latin1.txt', 'corpus/latin1.txt is not UTF-8 text; it is left out of the corpus. Re-save it as UTF-8 to annotate it.'],
        ['corpus/nul.txt', 'corpus/nul.txt looks like a binary file (it contains NUL bytes); it is left out of the corpus.'],
      ],
    );
    for (const doc of ['corpus/nul.txt', 'corpus/latin1.txt', 'corpus/image.md']) await assert.rejects(readDocument(nfs, doc), NotTextError);
  });
});
