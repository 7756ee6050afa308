import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { IntervalIndex, type IdSpan } from '../../../src/core/anchoring';

/** Document order, as the index promises: by start, enclosing before enclosed, then by id. */
function documentOrder(spans: readonly IdSpan[]): IdSpan[] {
  return [...spans].sort((a, b) => a.start - b.start || b.end - a.end || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

const ids = (spans: readonly IdSpan[]): string[] => spans.map((s) => s.id);

const brute = {
  at: (spans: readonly IdSpan[], x: number) => spans.filter((s) => s.start <= x && x < s.end),
  touching: (spans: readonly IdSpan[], x: number) => spans.filter((s) => s.start <= x && x <= s.end),
  // An empty range shares no character with any span.
  overlapping: (spans: readonly IdSpan[], a: number, b: number) => (a >= b ? [] : spans.filter((s) => s.start < b && s.end > a)),
};

/** Random spans over a short document, so nesting, overlap, shared ends and duplicates are all frequent. */
const spansArb = fc
  .array(fc.record({ start: fc.nat(300), length: fc.integer({ min: 1, max: 80 }) }), { maxLength: 150 })
  .map((rs) => rs.map((r, i): IdSpan => ({ start: r.start, end: r.start + r.length, id: `s${i}` })));

/** A small seeded generator for the large cases, so failures reproduce. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('IntervalIndex', () => {
  it('property: at, touching, overlapping and the counts agree with a brute-force scan', () => {
    fc.assert(
      fc.property(spansArb, fc.array(fc.integer({ min: -5, max: 400 }), { minLength: 1, maxLength: 20 }), (spans, xs) => {
        const index = new IntervalIndex(spans);
        const sorted = documentOrder(spans);
        for (const x of xs) {
          assert.deepEqual(ids(index.at(x)), ids(brute.at(sorted, x)), `at(${x})`);
          assert.deepEqual(ids(index.touching(x)), ids(brute.touching(sorted, x)), `touching(${x})`);
          assert.equal(index.countAt(x), brute.at(sorted, x).length);
        }
        for (let i = 0; i + 1 < xs.length; i += 2) {
          const [a, b] = [Math.min(xs[i], xs[i + 1]), Math.max(xs[i], xs[i + 1])];
          assert.deepEqual(ids(index.overlapping(a, b)), ids(brute.overlapping(sorted, a, b)), `overlapping(${a}, ${b})`);
          assert.equal(index.countOverlapping(a, b), brute.overlapping(sorted, a, b).length);
        }
        assert.deepEqual(ids([...index]), ids(sorted));
        assert.equal(index.size, spans.length);
      }),
    );
  });

  it('agrees with brute force on 20,000 spans whose lengths fill sixteen length classes', () => {
    const rand = lcg(42);
    const spans: IdSpan[] = [];
    for (let i = 0; i < 20_000; i++) {
      const start = Math.floor(rand() * 200_000);
      // Mostly short spans, with a few long ones enclosing thousands of others.
      const length = rand() < 0.01 ? 1 + Math.floor(rand() * 50_000) : 1 + Math.floor(rand() * 300);
      spans.push({ start, end: start + length, id: `s${i}` });
    }
    const index = new IntervalIndex(spans);
    const sorted = documentOrder(spans);
    for (let q = 0; q < 300; q++) {
      const x = Math.floor(rand() * 260_000) - 1000;
      assert.deepEqual(ids(index.at(x)), ids(brute.at(sorted, x)), `at(${x})`);
      assert.deepEqual(ids(index.touching(x)), ids(brute.touching(sorted, x)), `touching(${x})`);
      const y = x + Math.floor(rand() * 5000);
      assert.deepEqual(ids(index.overlapping(x, y)), ids(brute.overlapping(sorted, x, y)), `overlapping(${x}, ${y})`);
    }
  });

  it('treats spans as half-open: start is inside, end is not; touching counts both', () => {
    const index = new IntervalIndex([{ start: 10, end: 20, id: 'a' }]);
    assert.deepEqual(ids(index.at(9)), []);
    assert.deepEqual(ids(index.at(10)), ['a']);
    assert.deepEqual(ids(index.at(19)), ['a']);
    assert.deepEqual(ids(index.at(20)), []);
    assert.deepEqual(ids(index.touching(20)), ['a'], 'a hover on the right half of the last character');
    assert.deepEqual(ids(index.touching(10)), ['a']);
    assert.deepEqual(ids(index.touching(21)), []);
  });

  it('finds both neighbours when a caret sits where one span ends and the next begins', () => {
    const index = new IntervalIndex([
      { start: 0, end: 5, id: 'left' },
      { start: 5, end: 9, id: 'right' },
    ]);
    assert.deepEqual(ids(index.at(5)), ['right']);
    assert.deepEqual(ids(index.touching(5)), ['left', 'right']);
  });

  it('returns nested spans enclosing-first and keeps identical spans apart by id', () => {
    const index = new IntervalIndex([
      { start: 4, end: 6, id: 'inner' },
      { start: 0, end: 10, id: 'outer' },
      { start: 2, end: 8, id: 'middle' },
      { start: 2, end: 8, id: 'middle-twin' },
    ]);
    assert.deepEqual(ids(index.at(5)), ['outer', 'middle', 'middle-twin', 'inner']);
    assert.deepEqual(ids(index.at(1)), ['outer']);
    assert.deepEqual(ids([...index]), ['outer', 'middle', 'middle-twin', 'inner']);
  });

  it('overlapping excludes spans that only touch the range, and an empty range finds nothing', () => {
    const index = new IntervalIndex([
      { start: 0, end: 5, id: 'before' },
      { start: 5, end: 10, id: 'inside' },
      { start: 10, end: 15, id: 'after' },
      { start: 0, end: 15, id: 'around' },
    ]);
    assert.deepEqual(ids(index.overlapping(5, 10)), ['around', 'inside']);
    assert.deepEqual(ids(index.overlapping(7, 7)), []);
    assert.equal(index.countOverlapping(7, 7), 0);
    assert.deepEqual(ids(index.overlapping(-Infinity, Infinity)), ['around', 'before', 'inside', 'after']);
  });

  it('answers a fractional offset as the character it falls in, and NaN with nothing', () => {
    const index = new IntervalIndex([{ start: 2, end: 3, id: 'c' }]);
    assert.deepEqual(ids(index.at(2.5)), ['c']);
    assert.deepEqual(ids(index.touching(2.5)), ['c']);
    assert.deepEqual(ids(index.at(NaN)), []);
    assert.deepEqual(ids(index.touching(NaN)), []);
  });

  it('is empty when built from nothing', () => {
    const index = new IntervalIndex([]);
    assert.equal(index.size, 0);
    assert.deepEqual(index.at(0), []);
    assert.deepEqual(index.touching(0), []);
    assert.deepEqual(index.overlapping(0, 100), []);
    assert.equal(index.countAt(0), 0);
    assert.deepEqual([...index], []);
  });

  it('rejects empty, reversed, negative and fractional spans, naming the span', () => {
    for (const bad of [
      { start: 5, end: 5, id: 'empty' },
      { start: 6, end: 5, id: 'reversed' },
      { start: -1, end: 5, id: 'negative' },
      { start: 1.5, end: 5, id: 'fractional' },
      { start: 0, end: NaN, id: 'nan' },
    ]) {
      assert.throws(
        () => new IntervalIndex([bad]),
        (e: unknown) => e instanceof RangeError && e.message.includes(`"${bad.id}"`),
      );
    }
  });

  it('keeps the caller’s objects and is unaffected by later changes to the input array', () => {
    const span = { start: 1, end: 4, id: 'x', kind: 'figure' };
    const input = [span];
    const index = new IntervalIndex(input);
    input.push({ start: 0, end: 9, id: 'late', kind: 'claim' });
    assert.equal(index.size, 1);
    const [found] = index.at(2);
    assert.equal(found, span);
    assert.equal(found.kind, 'figure');
  });
});
