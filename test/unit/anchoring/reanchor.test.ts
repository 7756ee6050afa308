import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AnchorStatus, ResolveMethod } from '../../../src/core/model';
import { DiffMap, diffTexts, reanchorDocument } from '../../../src/core/anchoring';
import { findQuote } from '../../../src/core/anchoring';
import { contentHash, makeQuote } from '../../../src/core/model';
import { EditTracker } from '../../../src/core/anchoring';
import { annotation, phraseSpan } from '../../support/annotations';
import { applyToText } from '../../support/editGenerator';

interface Expectation {
  after: { start: number; end: number; text: string } | null;
  status: AnchorStatus;
  method: ResolveMethod;
}

interface FixtureAnnotation {
  id: string;
  note: string;
  before: { start: number; end: number; text: string };
  /** By mode: "snapshot" (the before text is available by hash) or "quote" (imported, no snapshot). */
  expect: { snapshot: Expectation; quote: Expectation };
}

function findFixtures(): string {
  for (let d = __dirname; d !== path.dirname(d); d = path.dirname(d)) {
    const f = path.join(d, 'test', 'fixtures', 'reanchor');
    if (fs.existsSync(f)) return f;
  }
  throw new Error('test/fixtures/reanchor not found');
}

describe('re-anchoring', () => {
  describe('fixture pairs (test/fixtures/reanchor)', () => {
    const root = findFixtures();
    for (const name of fs.readdirSync(root).sort()) {
      const dir = path.join(root, name);
      const before = fs.readFileSync(path.join(dir, 'before.txt'), 'utf8');
      const after = fs.readFileSync(path.join(dir, 'after.txt'), 'utf8');
      const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8')) as {
        description: string;
        modes: Array<'snapshot' | 'quote'>;
        annotations: FixtureAnnotation[];
      };
      for (const mode of expected.modes) {
        it(`${name} (${mode === 'snapshot' ? 'with snapshot' : 'quote only'}): ${expected.description}`, () => {
          const anns = expected.annotations.map((e) => {
            assert.equal(before.slice(e.before.start, e.before.end), e.before.text, `fixture ${e.id}: before offsets`);
            return annotation({ id: e.id, text: before, start: e.before.start, end: e.before.end });
          });
          const results = reanchorDocument({
            text: after,
            annotations: anns,
            snapshot: (h) => (mode === 'snapshot' && h === contentHash(before) ? before : undefined),
          });
          results.forEach((r, i) => {
            const e = expected.annotations[i];
            const x = e.expect[mode];
            const label = `${e.id} (${e.note}): ${r.detail}`;
            assert.equal(r.id, e.id);
            assert.deepEqual(r.before, { start: e.before.start, end: e.before.end });
            if (x.after === null) {
              assert.equal(r.after, undefined, label);
              assert.deepEqual(r.annotation.target, anns[i].target, 'an orphan keeps its old target');
              assert.equal(r.annotation.provenance.docHash, anns[i].provenance.docHash, 'and its old docHash');
            } else {
              assert.equal(after.slice(x.after.start, x.after.end), x.after.text, `fixture ${e.id}: after offsets`);
              assert.deepEqual(r.after, { start: x.after.start, end: x.after.end }, label);
              assert.equal(r.annotation.target.quote.exact, x.after.text);
              assert.deepEqual(r.annotation.target.quote, makeQuote(after, x.after.start, x.after.end), 'a fresh quote');
              assert.equal(r.annotation.provenance.docHash, contentHash(after));
            }
            assert.equal(r.status, x.status, label);
            assert.equal(r.method, x.method, label);
            assert.deepEqual(r.annotation.anchor, { status: r.status, method: r.method, detail: r.detail });
          });
        });
      }
    }
  });

  describe('reanchorDocument', () => {
    const text = 'Alpha beta gamma delta. Epsilon zeta eta theta. Iota kappa lambda mu.';

    it('keeps annotations of an unchanged document anchored, method exact', () => {
      const a = annotation({ id: 'a', text, phrase: 'zeta eta' });
      const [r] = reanchorDocument({ text, annotations: [a], snapshot: () => assert.fail('no snapshot needed') });
      assert.deepEqual([r.status, r.method, r.after], ['anchored', 'exact', { start: a.target.start, end: a.target.end }]);
      assert.deepEqual(r.annotation.target, a.target);
    });

    it('searches by quote when the stored offsets do not match the quote of the same version', () => {
      const a = annotation({ id: 'a', text, phrase: 'zeta eta' });
      a.target = { ...a.target, start: 0, end: 8 }; // corrupted offsets
      const [r] = reanchorDocument({ text, annotations: [a], snapshot: () => undefined });
      assert.deepEqual(r.after, { start: text.indexOf('zeta eta'), end: text.indexOf('zeta eta') + 8 });
      assert.equal(r.method, 'quote');
    });

    it('diffs each distinct snapshot once, whatever the number of annotations', () => {
      const v1 = text;
      const v2 = text.replace('Alpha', 'Alpha prime');
      const now = v2.replace('Iota', 'Iota iota');
      const anns = [
        annotation({ id: 'a', text: v1, phrase: 'gamma delta' }),
        annotation({ id: 'b', text: v1, phrase: 'kappa lambda' }),
        annotation({ id: 'c', text: v2, phrase: 'Epsilon zeta' }),
        annotation({ id: 'd', text: v2, phrase: 'theta' }),
      ];
      const asked: string[] = [];
      const snapshots = new Map([v1, v2].map((t) => [contentHash(t), t]));
      const res = reanchorDocument({ text: now, annotations: anns, snapshot: (h) => (asked.push(h), snapshots.get(h)) });
      assert.deepEqual(asked.sort(), [...snapshots.keys()].sort());
      assert.deepEqual(
        res.map((r) => now.slice(r.after?.start, r.after?.end)),
        ['gamma delta', 'kappa lambda', 'Epsilon zeta', 'theta'],
      );
      assert.ok(res.every((r) => r.method === 'diff' || r.method === 'exact'));
    });

    it('never leaves an annotation on text that does not match it: a rewritten passage is orphaned', () => {
      const now = text.replace('Epsilon zeta eta theta', 'Something else entirely');
      const a = annotation({ id: 'a', text, phrase: 'zeta eta' });
      const [r] = reanchorDocument({ text: now, annotations: [a], snapshot: () => text });
      assert.equal(r.status, 'orphaned');
      assert.match(r.detail, /^passage deleted/);
      assert.equal(r.annotation.anchor.status, 'orphaned');
    });

    it('without a snapshot, prefers the occurrence whose context matches', () => {
      const t = 'The cat sat on the mat. A dog sat on the rug. The cat sat on the sofa.';
      const a = annotation({ id: 'a', text: t, phrase: 'cat sat on the', occurrence: 2 });
      const now = 'Intro. ' + t;
      const [r] = reanchorDocument({ text: now, annotations: [a], snapshot: () => undefined });
      assert.deepEqual(r.after, { start: now.lastIndexOf('cat sat on the'), end: now.lastIndexOf('cat sat on the') + 14 });
    });

    it('without a snapshot, orphans a short quote whose context is gone rather than guess', () => {
      const t = 'Prices rose in the north last year. Sales fell sharply.';
      const a = annotation({ id: 'a', text: t, phrase: 'the' });
      const now = 'Prices rose last year. Sales fell sharply in the south.';
      const [r] = reanchorDocument({ text: now, annotations: [a], snapshot: () => undefined });
      assert.equal(r.status, 'orphaned');
      assert.match(r.detail, /^no snapshot; quote not found/);
    });

    it('keeps UTF-16 offsets across astral characters', () => {
      const t = '😀 Emoji 𝒳 before. The quoted words here. After 中文.';
      const now = '😀😀 More 𝒳𝒳 emoji. ' + t;
      const a = annotation({ id: 'a', text: t, phrase: 'quoted words' });
      for (const snapshot of [() => t, () => undefined]) {
        const [r] = reanchorDocument({ text: now, annotations: [a], snapshot });
        assert.equal(now.slice(r.after?.start, r.after?.end), 'quoted words');
      }
    });
  });

  describe('diff', () => {
    it('maps spans with the edit tracker’s rules', () => {
      const before = 'aaa bbb ccc ddd eee fff';
      const cases: Array<[string, number, number]> = [
        ['aaa bbb ccc xyz ddd eee fff', 4, 11], // insertion after the span
        ['aaa bbb ccc ddd eee fff', 8, 15],
        ['aaa XX bbb ccc ddd eee fff', 4, 11], // insertion before it
        ['aaa bbb ZZ ccc ddd eee fff', 4, 11], // insertion inside it
        ['aaa qqq ccc ddd eee fff', 4, 11], // first word replaced
        ['aaa bbb ccc ddd', 12, 23], // tail deleted
      ];
      for (const [after, s, e] of cases) {
        const map = diffTexts(before, after);
        const tracker = new EditTracker([{ id: 'x', start: s, end: e }]);
        // The single edit the diff found, applied to the tracker, must give the same span.
        const edits = Array.from({ length: map.size }, (_, h) => ({
          offset: map.oldStart[h],
          deleteLength: map.oldEnd[h] - map.oldStart[h],
          insertText: after.slice(map.newStart[h], map.newEnd[h]),
        }));
        assert.equal(applyToText(before, edits), after);
        tracker.apply(edits);
        const t = tracker.get('x');
        const m = map.mapSpan(s, e);
        assert.deepEqual([m.start, m.end, m.kept], [t?.start, t?.end, t?.remaining], `${before} → ${after}`);
      }
    });

    it('replaces whole words, not characters ("cat" → "scat" is one replacement)', () => {
      const map = diffTexts('the cat sat', 'the scat sat');
      assert.deepEqual([map.size, map.oldStart[0], map.oldEnd[0], map.newStart[0], map.newEnd[0]], [1, 4, 7, 4, 8]);
      assert.deepEqual(map.mapSpan(4, 11), { start: 4, end: 12, kept: 4 });
    });

    it('finds scattered edits in a large text and reports inserted text', () => {
      const words = Array.from({ length: 20_000 }, (_, i) => `w${(i * 7919) % 5003}`);
      const before = words.join(' ');
      const changed = [...words];
      for (let i = 100; i < changed.length; i += 1000) changed[i] = 'CHANGED';
      const after = changed.join(' ');
      const map = diffTexts(before, after);
      assert.equal(map.size, 20);
      const h = map.newStart[0];
      assert.equal(after.slice(h, map.newEnd[0]), 'CHANGED');
      assert.equal(map.insertedIn(0, after.length), 20 * 'CHANGED'.length);
      assert.ok(map instanceof DiffMap);
    });
  });

  describe('quote search', () => {
    it('scores context and position; returns nothing below the minimum', () => {
      const text = 'red apples and green pears; red apples and yellow pears';
      const quote = makeQuote(text, 28, 38);
      assert.equal(findQuote(text, quote, { hint: 28 })?.start, 28);
      assert.equal(findQuote(text, quote, { hint: 0 })?.start, 28, 'context beats position');
      assert.equal(findQuote('nothing like it', quote), undefined);
    });
  });
});

describe('re-anchoring verifies the whole stored span against the quote', () => {
  const text = 'Moscow announced a national AI strategy in 2019. It sets goals up to 2030.';

  it('a stored end that disagrees with the quote while start matches is re-anchored to the quote, not reported exact', () => {
    const { start: s, end: e } = phraseSpan(text, 'national AI strategy');
    const good = annotation({ id: 'A', text, start: s, end: e });
    for (const end of [e + 3, e - 4, s]) {
      const bad = { ...good, target: { ...good.target, end } };
      const [r] = reanchorDocument({ text, annotations: [bad], snapshot: () => undefined });
      assert.equal(r.status, 'reanchored', `end ${end}`);
      assert.notEqual(r.method, 'exact');
      assert.deepEqual(r.after, { start: s, end: e });
      assert.equal(r.annotation.target.end, e);
      assert.match(r.detail ?? '', /stored offsets do not match the quote/);
    }
    const [ok] = reanchorDocument({ text, annotations: [good], snapshot: () => undefined });
    assert.equal(ok.method, 'exact', 'a span that holds its quote is still exact');
  });

  it('a stored end beyond the text is re-anchored, even when the text up to its end is the quote', () => {
    const { start: s, end: e } = phraseSpan(text, 'up to 2030.');
    const good = annotation({ id: 'A', text, start: s, end: e });
    const bad = { ...good, target: { ...good.target, end: text.length + 5 } };
    const [r] = reanchorDocument({ text, annotations: [bad], snapshot: () => undefined });
    assert.equal(r.status, 'reanchored');
    assert.deepEqual(r.after, { start: s, end: e });
  });

  it('a span cutting a surrogate pair (a hand edit or a merge) is widened to whole characters, and its quote with it', () => {
    const emoji = 'Before 😀 the claim 🚀 after, and more text here.';
    const i = emoji.indexOf('😀');
    const j = emoji.indexOf('🚀');
    for (const [start, end] of [
      [i + 1, j],
      [i + 2, j + 1],
      [i + 1, j + 1],
    ]) {
      const split = annotation({ id: 'A', text: emoji, start, end });
      assert.ok(split.target.quote.exact.length > 0);
      const [r] = reanchorDocument({ text: emoji, annotations: [split], snapshot: () => undefined });
      assert.equal(r.status, 'reanchored', `${start}-${end}`);
      const want = { start: start === i + 1 ? i : start, end: end === j + 1 ? j + 2 : end };
      assert.deepEqual(r.after, want, `${start}-${end}`);
      assert.equal(r.annotation.target.quote.exact, emoji.slice(want.start, want.end));
      assert.ok(
        !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(r.annotation.target.quote.exact),
        'no half character in the quote',
      );
    }
  });
});
