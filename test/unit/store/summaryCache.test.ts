// The summary cache: the Corpus view's first level from counts kept between sessions, shown before the sidecars are
// read, and never trusted for a sidecar that changed since it was counted.
import * as assert from 'node:assert/strict';
import type { Annotation } from '../../../src/core/model';
import {
  CorpusFolder,
  DEFAULT_INCLUDE,
  countAnnotations,
  Pacer,
  parseSummaryCache,
  renderSummaryCache,
  serializeSidecar,
  sidecarPathFor,
  summariseCounts,
  type SummaryCachePort,
} from '../../../src/core/store';
import { annotation } from '../../support/annotations';
import { MemoryFs } from '../../support/memoryFs';

const TEXT = 'Moscow announced a national AI strategy in 2019. It sets goals up to 2030. Sberbank leads the work.';
const NOW = Date.parse('2026-01-02T03:04:05Z');

function tag(doc: string, phrase: string, author = 'ana', kind = 'claim'): Annotation {
  return annotation({ doc, text: TEXT, phrase, kind, author });
}

/** A cache held in memory, counting reads and writes. */
class MemoryCache implements SummaryCachePort {
  text: string | undefined;
  writes = 0;
  async read(): Promise<string | undefined> {
    return this.text;
  }
  async write(text: string): Promise<void> {
    this.writes++;
    this.text = text;
  }
}

function folderOn(fs: MemoryFs, cache: SummaryCachePort | undefined, changed: (doc?: string) => void = () => {}): CorpusFolder {
  return new CorpusFolder({
    name: 'corpus',
    fs,
    settings: () => ({ corpus: { include: [...DEFAULT_INCLUDE], exclude: [] }, maxDocumentBytes: 1024 * 1024 }),
    log: { trace: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    changed,
    isTrusted: () => true,
    clock: { now: () => new Date(NOW) },
    summaryCache: cache,
    summaryDelayMs: 60_000,
  });
}

/** A workspace of `n` documents, each with two annotations of ana and one of ben, sidecars written long ago. */
function workspace(n: number): MemoryFs {
  const fs = new MemoryFs();
  fs.clock = NOW; // what the store writes from now on is fresh
  for (let i = 0; i < n; i++) {
    const doc = `d${i}.txt`;
    fs.files.set(doc, Buffer.from(TEXT));
    const list = [tag(doc, 'national AI strategy'), tag(doc, '2030', 'ana', 'figure'), tag(doc, 'Sberbank', 'ben', 'entity')];
    fs.files.set(sidecarPathFor(doc), Buffer.from(serializeSidecar(doc, list)));
    fs.mtimes.set(sidecarPathFor(doc), NOW - 3_600_000);
  }
  return fs;
}

/** A new folder on `fs` loaded with `cache`: the counts of `doc` and the sidecar reads so far when the first change
 *  fires (the Corpus view draws then), and how many changes fired in all. */
async function loadSeeingFirst(
  fs: MemoryFs,
  cache: SummaryCachePort,
  doc: string,
): Promise<{ folder: CorpusFolder; first: string; reads: number; changes: number }> {
  let sidecarReads = 0;
  const realRead = fs.read.bind(fs);
  fs.read = async (rel: string) => {
    if (rel.startsWith('.marginalia/annotations/')) sidecarReads++;
    return realRead(rel);
  };
  let first: string | undefined;
  let reads = -1;
  let changes = 0;
  const folder: CorpusFolder = folderOn(fs, cache, () => {
    changes++;
    if (first !== undefined) return;
    first = JSON.stringify(
      folder
        .counts(doc)
        .map((x) => [x.author, x.kind, x.anchored, x.orphaned])
        .sort(),
    );
    reads = sidecarReads;
  });
  await folder.load();
  fs.read = realRead;
  return { folder, first: first ?? '', reads, changes };
}

const rows = (xs: (string | number)[][]): string => JSON.stringify(xs.sort());

describe('Summary cache: the first level before the sidecars are read', () => {
  it('counts by coder and kind, and summarises what the view keeps', () => {
    const list = [tag('a.txt', 'national AI strategy'), tag('a.txt', '2030', 'ana', 'figure'), tag('a.txt', 'Sberbank', 'ben', 'entity')];
    const counts = countAnnotations(list);
    assert.deepEqual(
      counts.map((c) => [c.author, c.kind, c.anchored, c.orphaned]),
      [
        ['ana', 'claim', 1, 0],
        ['ana', 'figure', 1, 0],
        ['ben', 'entity', 1, 0],
      ],
    );
    const onlyAna = summariseCounts('x/a.txt', counts, (author) => author === 'ana');
    assert.equal(onlyAna.name, 'a.txt');
    assert.equal(onlyAna.total, 2);
    assert.deepEqual(
      [...onlyAna.byKind],
      [
        ['claim', 1],
        ['figure', 1],
      ],
    );
  });

  it('reads back what it writes, and treats anything else as an empty cache', async () => {
    const entries = new Map([
      ['.marginalia/annotations/a.txt.yaml', { size: 10, mtime: 5, counts: [{ author: 'ana', kind: 'claim', anchored: 2, orphaned: 1 }] }],
    ]);
    const text = await renderSummaryCache(entries, 'coders');
    assert.deepEqual(parseSummaryCache(text, 'coders'), entries);
    assert.deepEqual(JSON.parse(text), {
      version: 1,
      layer: 'coders',
      authors: ['ana'],
      kinds: ['claim'],
      sidecars: { '.marginalia/annotations/a.txt.yaml': [10, 5, 0, 0, 2, 1] },
    });
    const many = new Map(Array.from({ length: 3000 }, (_, i) => [`f"${i}\u2028.yaml`, { size: i, mtime: i + 0.5, counts: [] }]));
    assert.deepEqual(parseSummaryCache(await renderSummaryCache(many, 'coders', new Pacer(0)), 'coders'), many, 'names JSON must escape, in slices');
    assert.equal(parseSummaryCache(text, 'reviewed').size, 0, 'another layer');
    for (const bad of [
      '',
      '{',
      'null',
      text.replace('"version":1', '"version":2'),
      text.slice(0, text.length - 3),
      text.replace('[10,5,0,0,', '[10,5,7,0,'),
      text.replace('2,1]', '-2,1]'),
      text.replace('2,1]', '2]'),
    ])
      assert.equal(parseSummaryCache(bad, 'coders').size, 0, bad);
  });

  it('a second start shows every count from the cache before reading any sidecar, then loads them all', async () => {
    const fs = workspace(30);
    const cache = new MemoryCache();
    const first = folderOn(fs, cache);
    await first.load();
    assert.equal(cache.writes, 1, 'written after the first full load');
    first.dispose();

    const seen = await loadSeeingFirst(fs, cache, 'd7.txt');
    assert.equal(seen.reads, 0, 'no sidecar read before the first level');
    assert.equal(
      seen.first,
      rows([
        ['ana', 'claim', 1, 0],
        ['ana', 'figure', 1, 0],
        ['ben', 'entity', 1, 0],
      ]),
    );
    assert.equal(seen.changes, 2, 'the first level, then the full load');
    assert.equal(seen.folder.annotations('d7.txt').length, 3, 'loaded in full after');
    seen.folder.dispose();
  });

  it('a sidecar changed since it was counted (git pull) is read, never taken from the cache', async () => {
    const fs = workspace(20);
    const cache = new MemoryCache();
    const first = folderOn(fs, cache);
    await first.load();
    first.dispose();
    // Another tool adds an annotation of ben's: size and time change.
    const doc = 'd3.txt';
    const list = [tag(doc, 'national AI strategy'), tag(doc, '2030', 'ana', 'figure'), tag(doc, 'Sberbank', 'ben', 'entity'), tag(doc, 'goals', 'ben')];
    fs.files.set(sidecarPathFor(doc), Buffer.from(serializeSidecar(doc, list)));
    fs.mtimes.set(sidecarPathFor(doc), NOW - 60_000);

    const seen = await loadSeeingFirst(fs, cache, doc);
    assert.equal(seen.reads, 1, 'the changed sidecar alone is read for the first level');
    assert.equal(
      seen.first,
      rows([
        ['ana', 'claim', 1, 0],
        ['ana', 'figure', 1, 0],
        ['ben', 'claim', 1, 0],
        ['ben', 'entity', 1, 0],
      ]),
    );
    seen.folder.dispose();
  });

  it('same size, another time: not trusted; a sidecar modified just before it was counted is not cached', async () => {
    const fs = workspace(5);
    fs.mtimes.set(sidecarPathFor('d1.txt'), NOW - 500); // changed half a second before the load looked at it
    const cache = new MemoryCache();
    const first = folderOn(fs, cache);
    await first.load();
    first.dispose();
    const cached = parseSummaryCache(cache.text, 'coders');
    assert.equal(cached.size, 4);
    assert.ok(!cached.has(sidecarPathFor('d1.txt')), 'the racy sidecar is left out');
    // Same bytes, a touch: the time differs, so the entry is not used.
    fs.mtimes.set(sidecarPathFor('d2.txt'), NOW - 10_000);
    const seen = await loadSeeingFirst(fs, cache, 'd2.txt');
    assert.equal(seen.reads, 2, 'd1 (never cached) and d2 (touched) are read; the rest come from the cache');
    seen.folder.dispose();
  });

  it('with no cache, or too many sidecars changed, the first level waits for the full load', async () => {
    const fs = workspace(3);
    const seen = await loadSeeingFirst(fs, new MemoryCache(), 'd1.txt');
    assert.equal(seen.changes, 1, 'one change, after the full load');
    assert.equal(seen.reads, 3);
    seen.folder.dispose();
  });

  it('after tagging, the cache is brought up to date for that document alone', async () => {
    const fs = workspace(4);
    const cache = new MemoryCache();
    const folder = folderOn(fs, cache);
    await folder.load();
    const doc = 'd2.txt';
    await folder.add(doc, [tag(doc, 'goals', 'ana')], TEXT);
    assert.ok(
      !parseSummaryCache(cache.text, 'coders')
        .get(sidecarPathFor(doc))
        ?.counts.some((c) => c.kind === 'claim' && c.anchored === 2),
      'not yet written',
    );
    // The sidecar was just written (in the racy window): it is left out, and kept waiting.
    await folder.saveSummaries();
    assert.ok(!parseSummaryCache(cache.text, 'coders').has(sidecarPathFor(doc)));
    // Once it is older, the next write of the cache takes it.
    fs.mtimes.set(sidecarPathFor(doc), NOW - 10_000);
    await folder.saveSummaries();
    const entry = parseSummaryCache(cache.text, 'coders').get(sidecarPathFor(doc));
    assert.ok(entry);
    assert.deepEqual(
      entry.counts.map((c) => [c.author, c.kind, c.anchored]),
      [
        ['ana', 'claim', 2],
        ['ana', 'figure', 1],
        ['ben', 'entity', 1],
      ],
    );
    folder.dispose();
  });
});
