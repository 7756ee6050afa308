import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { EditTracker, applyEdits, type TrackedSpan } from '../../../src/core/anchoring';
import type { TextEdit } from '../../../src/core/model';
import { applyToText } from '../../support/editGenerator';

const ins = (offset: number, text: string): TextEdit => ({ offset, deleteLength: 0, insertText: text });
const del = (offset: number, length: number): TextEdit => ({ offset, deleteLength: length, insertText: '' });
const rep = (offset: number, length: number, text: string): TextEdit => ({ offset, deleteLength: length, insertText: text });

/** Tracks one span over `text` through one event; returns the span's text afterwards and its state. */
function track(text: string, start: number, end: number, edits: TextEdit[]) {
  const [s] = applyEdits([{ id: 'x', start, end }], edits);
  const after = applyToText(text, edits);
  return { ...s, text: after.slice(s.start, s.end) };
}

describe('edit tracking', () => {
  const text = 'The quick brown fox jumps.';
  //            0123456789012345678901234
  const quick = [4, 15] as const; // "quick brown"

  describe('boundaries', () => {
    it('puts an insertion exactly at the start before the annotation', () => {
      const s = track(text, ...quick, [ins(4, 'very ')]);
      assert.deepEqual([s.start, s.end, s.text], [9, 20, 'quick brown']);
    });
    it('puts an insertion exactly at the end after the annotation', () => {
      const s = track(text, ...quick, [ins(15, 'ish')]);
      assert.deepEqual([s.start, s.end, s.text], [4, 15, 'quick brown']);
    });
    it('grows the annotation for an insertion strictly inside', () => {
      const s = track(text, ...quick, [ins(10, 'and ')]);
      assert.deepEqual([s.start, s.end, s.text, s.remaining], [4, 19, 'quick and brown', 11]);
    });
    it('leaves the annotation alone for edits wholly before or after it', () => {
      const s = track(text, ...quick, [rep(0, 3, 'A'), del(16, 4), ins(26, '!')]);
      assert.deepEqual([s.start, s.end, s.text], [2, 13, 'quick brown']);
    });
    it('keeps a replaced first or last word inside the annotation', () => {
      assert.equal(track(text, ...quick, [rep(4, 5, 'slow')]).text, 'slow brown');
      assert.equal(track(text, ...quick, [rep(10, 5, 'red')]).text, 'quick red');
    });
    it('cuts the annotation where a replacement crosses its boundary, the new text outside', () => {
      const cutEnd = track(text, ...quick, [rep(13, 6, 'X')]); // "wn fox" → "X"
      assert.deepEqual([cutEnd.text, cutEnd.orphaned], ['quick bro', false]);
      const cutStart = track(text, ...quick, [rep(2, 5, 'Y')]); // "e qui" → "Y"
      assert.deepEqual([cutStart.text, cutStart.orphaned], ['ck brown', false]);
    });
  });

  describe('orphaning', () => {
    it('orphans an annotation whose text is deleted with its surroundings', () => {
      const s = track(text, ...quick, [del(2, 16)]);
      assert.equal(s.orphaned, true);
      assert.equal(s.start, s.end);
    });
    it('orphans when more than half of the original characters are removed, not at exactly half', () => {
      const t = '0123456789';
      assert.equal(track(t, 0, 10, [del(0, 5)]).orphaned, false);
      assert.equal(track(t, 0, 10, [del(0, 6)]).orphaned, true);
    });
    it('counts removals cumulatively across events, and only original characters', () => {
      const tracker = new EditTracker([{ id: 'a', start: 0, end: 10 }]);
      assert.deepEqual(tracker.apply([del(1, 3)]).orphaned, []);
      // Typing 20 characters inside and deleting them again erodes nothing.
      tracker.apply([ins(3, 'x'.repeat(20))]);
      tracker.apply([del(3, 20)]);
      assert.equal(tracker.get('a')?.remaining, 7);
      assert.deepEqual(tracker.apply([del(0, 3)]).orphaned, ['a']); // 6 of 10 gone
      assert.deepEqual(tracker.apply([del(0, 1)]).orphaned, [], 'an orphan is reported once');
    });
    it('orphans a span reduced to length 0', () => {
      const tracker = new EditTracker([{ id: 'a', start: 5, end: 6 }]);
      const out = tracker.apply([del(5, 1)]);
      assert.deepEqual(out.orphaned, ['a']);
      assert.deepEqual(tracker.get('a'), { id: 'a', start: 5, end: 5, original: 1, remaining: 0, orphaned: true });
    });
  });

  describe('batches (one change event)', () => {
    it('applies several changes relative to the text before the event, in any order', () => {
      const spans: TrackedSpan[] = [
        { id: 'quick', start: 4, end: 9 },
        { id: 'brown', start: 10, end: 15 },
        { id: 'fox', start: 16, end: 19 },
      ];
      const edits = [ins(16, 'red '), rep(10, 5, 'grey'), ins(4, '>'), ins(0, '# ')];
      const after = applyToText(text, edits);
      assert.equal(after, '# The >quick grey red fox jumps.');
      const res = applyEdits(spans, edits);
      assert.deepEqual(
        res.map((s) => after.slice(s.start, s.end)),
        ['quick', 'grey', 'fox'],
      );
    });
    it('handles a deletion next to an insertion in one event', () => {
      const edits = [del(4, 6), ins(10, 'X')]; // "quick " gone, "X" before "brown"
      const after = applyToText(text, edits);
      const [brown] = applyEdits([{ id: 'b', start: 10, end: 15 }], edits);
      assert.equal(after.slice(brown.start, brown.end), 'brown');
    });
    it('reports the spans that moved and rejects overlapping edits', () => {
      const tracker = new EditTracker([
        { id: 'a', start: 0, end: 3 },
        { id: 'b', start: 10, end: 12 },
      ]);
      // b only moves along with the edit before it: shifted as part of everything after the edit, not listed.
      assert.deepEqual(tracker.apply([ins(5, 'zz')]), { changed: [], orphaned: [], shifted: true });
      assert.deepEqual(tracker.apply([ins(13, 'zz')]), { changed: ['b'], orphaned: [], shifted: false });
      assert.deepEqual(tracker.get('b'), { id: 'b', start: 12, end: 16, original: 2, remaining: 2, orphaned: false });
      assert.throws(() => tracker.apply([del(0, 5), del(3, 2)]), RangeError);
    });
  });

  it('keeps overlapping and nested annotations independent', () => {
    const spans = [
      { id: 'outer', start: 0, end: 19 },
      { id: 'inner', start: 4, end: 9 },
      { id: 'cross', start: 8, end: 15 },
    ];
    const edits = [ins(9, ' and'), rep(16, 3, 'cat')];
    const after = applyToText(text, edits);
    const res = applyEdits(spans, edits);
    assert.deepEqual(
      res.map((s) => after.slice(s.start, s.end)),
      ['The quick and brown cat', 'quick', 'k and brown'],
    );
  });

  // How fast a keystroke is at this size is a row of `npm run bench` (typing), not a timed test on a shared machine.
  it('2,000 keystrokes at 10,000 annotations: every annotation after the caret moves with each one', () => {
    const spans = Array.from({ length: 10_000 }, (_, i) => ({ id: `a${i}`, start: i * 100, end: i * 100 + 40 }));
    const tracker = new EditTracker(spans);
    const keystrokes = 2000;
    for (let k = 0; k < keystrokes; k++) {
      // Typing near the top of the document: every annotation after it moves.
      tracker.apply([ins(50 + k, 'x')]);
    }
    assert.deepEqual(tracker.get('a0'), { id: 'a0', start: 0, end: 40, original: 40, remaining: 40, orphaned: false });
    assert.deepEqual(tracker.get('a9999'), {
      id: 'a9999',
      start: 999_900 + keystrokes,
      end: 999_940 + keystrokes,
      original: 40,
      remaining: 40,
      orphaned: false,
    });
  });

  describe('blocks with a lazy shift', () => {
    /** Spans answering a query, by brute force over every span: start <= s, end >= e, not orphaned, not empty. */
    const brute = (t: EditTracker, s: number, e: number): TrackedSpan[] =>
      t
        .spans()
        .filter((x) => !x.orphaned && x.end > x.start && x.start <= s && x.end >= e)
        .sort((x, y) => x.start - y.start || y.end - x.end || (x.id < y.id ? -1 : 1))
        .map(({ id, start, end }) => ({ id, start, end }));

    const op = fc.oneof(
      fc.record({ type: fc.constant('edit' as const), pos: fc.nat({ max: 3000 }), del: fc.nat({ max: 40 }), ins: fc.nat({ max: 40 }) }),
      fc.record({ type: fc.constant('batch' as const), pos: fc.array(fc.nat({ max: 3000 }), { minLength: 2, maxLength: 4 }), del: fc.nat({ max: 8 }) }),
      fc.record({ type: fc.constant('set' as const), start: fc.nat({ max: 3000 }), len: fc.nat({ max: 300 }), id: fc.nat({ max: 400 }) }),
      fc.record({ type: fc.constant('delete' as const), id: fc.nat({ max: 400 }) }),
      fc.record({ type: fc.constant('query' as const), at: fc.nat({ max: 3200 }), len: fc.nat({ max: 200 }) }),
    );

    it('small blocks behave exactly as one block holding every span (edits, batches, adds, deletes, queries)', () => {
      fc.assert(
        fc.property(fc.array(fc.tuple(fc.nat({ max: 3000 }), fc.nat({ max: 200 })), { maxLength: 300 }), fc.array(op, { maxLength: 60 }), (raw, ops) => {
          const spans = raw.map(([start, len], i) => ({ id: `s${i}`, start, end: start + len }));
          const small = new EditTracker(spans, { blockSize: 3 });
          const one = new EditTracker(spans, { blockSize: 1_000_000 });
          let length = 3300;
          for (const o of ops) {
            if (o.type === 'edit' || o.type === 'batch') {
              const edits: TextEdit[] =
                o.type === 'edit'
                  ? [{ offset: Math.min(o.pos, length), deleteLength: Math.min(o.del, length - Math.min(o.pos, length)), insertText: 'x'.repeat(o.ins) }]
                  : [...new Set(o.pos.map((p) => Math.min(p, length - 10) - (Math.min(p, length - 10) % 10)))].map((p) => ({
                      offset: p,
                      deleteLength: Math.min(o.del, 9),
                      insertText: 'yy',
                    }));
              const a = small.apply(edits);
              const b = one.apply(edits);
              assert.deepEqual(a.changed.sort(), b.changed.sort());
              assert.deepEqual(a.orphaned.sort(), b.orphaned.sort());
              for (const e of edits) length += e.insertText.length - e.deleteLength;
            } else if (o.type === 'set') {
              small.set({ id: `n${o.id}`, start: o.start, end: o.start + o.len });
              one.set({ id: `n${o.id}`, start: o.start, end: o.start + o.len });
            } else if (o.type === 'delete') {
              assert.equal(small.delete(`s${o.id}`), one.delete(`s${o.id}`));
            } else {
              assert.deepEqual(
                small.overlapping(o.at, o.at + o.len),
                brute(one, o.at + o.len - 1, o.at + 1).filter(() => o.len > 0),
              );
              assert.deepEqual(small.touching(o.at), brute(one, o.at, o.at));
            }
            assert.deepEqual(small.spans(), one.spans());
            assert.equal(small.size, one.size);
          }
          for (const x of one.spans()) assert.deepEqual(small.offsets(x.id), { id: x.id, start: x.start, end: x.end });
        }),
        { numRuns: 300, seed: 20261206 },
      );
    });

    it('finds a long span from far away, and none of the orphaned or emptied', () => {
      const t = new EditTracker(
        [
          { id: 'whole', start: 0, end: 10_000 },
          ...Array.from({ length: 1000 }, (_, i) => ({ id: `w${i}`, start: 10 + i * 9, end: 15 + i * 9 })),
          { id: 'gone', start: 9_500, end: 9_504 },
        ],
        { blockSize: 8 },
      );
      assert.deepEqual(
        t.touching(9_990).map((s) => s.id),
        ['whole'],
      );
      t.apply([del(9_500, 4)]);
      assert.equal(t.get('gone')?.orphaned, true);
      assert.ok(!t.overlapping(9_400, 9_600).some((s) => s.id === 'gone'));
      assert.deepEqual(
        t.overlapping(10, 20).map((s) => s.id),
        ['whole', 'w0', 'w1'],
      );
    });
  });

  describe('property: untouched annotations keep exactly their text', () => {
    const unit = fc.constantFrom('a', 'b', 'c', ' ', '\n', 'é', '中', '😀', '𝒳');
    const textArb = fc.array(unit, { maxLength: 80 }).map((cs) => cs.join(''));
    const rawEdit = fc.record({ pos: fc.nat(), del: fc.nat({ max: 6 }), ins: fc.array(unit, { maxLength: 4 }).map((cs) => cs.join('')) });
    const streamArb = fc.array(fc.array(rawEdit, { minLength: 1, maxLength: 3 }), { maxLength: 8 });
    const spansArb = fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 6 });

    it('holds for 10,000 random edit streams (astral characters included)', () => {
      fc.assert(
        fc.property(textArb, spansArb, streamArb, (text0, rawSpans, stream) => {
          const n = text0.length;
          const spans = rawSpans
            .map(([a, b], i) => {
              const x = a % (n + 1);
              const y = b % (n + 1);
              return { id: `s${i}`, start: Math.min(x, y), end: Math.max(x, y) };
            })
            .filter((s) => s.end > s.start);
          const tracker = new EditTracker(spans);
          // Oracle: every character carries an id; originals are 0..n-1, inserted ones get fresh ids.
          let ids = Array.from({ length: n }, (_, i) => i);
          let nextId = n;
          let text = text0;
          for (const raw of stream) {
            // One event: non-overlapping edits relative to the text before it, in shuffled order.
            const edits: TextEdit[] = [];
            let lastEnd = -1;
            let lastPos = -1;
            for (const r of [...raw].sort((x, y) => (x.pos % (text.length + 1)) - (y.pos % (text.length + 1)))) {
              const pos = r.pos % (text.length + 1);
              const d = Math.min(r.del, text.length - pos);
              if (pos < lastEnd || pos === lastPos) continue;
              edits.push({ offset: pos, deleteLength: d, insertText: r.ins });
              lastEnd = pos + d;
              lastPos = pos;
            }
            const before = new Map(tracker.spans().map((s) => [s.id, s]));
            const out = tracker.apply(edits.reverse());
            for (const e of [...edits].sort((x, y) => y.offset - x.offset)) {
              ids.splice(e.offset, e.deleteLength, ...Array.from({ length: e.insertText.length }, () => nextId++));
            }
            text = applyToText(text, edits);
            ids = [...ids];
            const moved = new Set(
              tracker
                .spans()
                .filter((s) => s.start !== before.get(s.id)?.start || s.end !== before.get(s.id)?.end)
                .map((s) => s.id),
            );
            // Listed ones really moved; the others that moved were shifted along with an edit before them.
            for (const id of out.changed) assert.ok(moved.has(id), `${id} listed as changed but did not move`);
            if ([...moved].some((id) => !out.changed.includes(id))) assert.ok(out.shifted, 'spans moved without being listed, and shifted is false');
          }
          assert.equal(ids.length, text.length);
          const where = new Map(ids.map((id, p) => [id, p]));
          for (const s0 of spans) {
            const s = tracker.get(s0.id);
            assert.ok(s);
            const survivors = [];
            for (let id = s0.start; id < s0.end; id++) if (where.has(id)) survivors.push(where.get(id) as number);
            const len = s0.end - s0.start;
            assert.equal(s.orphaned, survivors.length * 2 < len, `orphaned ${s0.id}`);
            if (s.orphaned) continue;
            assert.equal(s.remaining, survivors.length, `remaining ${s0.id}`);
            // Surviving original characters never leave their annotation.
            for (const p of survivors) assert.ok(p >= s.start && p < s.end, `${s0.id}: character at ${p} outside [${s.start}, ${s.end})`);
            const untouched = survivors.length === len && survivors[len - 1] - survivors[0] === len - 1;
            if (untouched) {
              assert.deepEqual([s.start, s.end], [survivors[0], survivors[0] + len]);
              assert.equal(text.slice(s.start, s.end), text0.slice(s0.start, s0.end));
            }
          }
        }),
        { numRuns: 10_000, seed: 20240607 },
      );
    });
  });
});
