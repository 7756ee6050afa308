// Accuracy of re-anchoring against ground truth, on the sample corpus and larger synthetic texts.
//
// Ground truth: the edits are replayed through the edit tracker, which knows where each annotation's original
// characters went (see editTracking.ts for its rules); an annotation most of whose characters were deleted must be
// orphaned. A result is correct when it is the tracked span (compared without whitespace at either end that the
// original quote did not have, as re-anchoring trims it) or an orphan where the truth is an orphan; "wrong place"
// when it is attached anywhere else; "lost" when it is orphaned although its text survives.
// Edit volume X % means words substituted, deleted or inserted amount to X % of the document's words (see
// test/support/editGenerator.ts), in two rounds.
import * as assert from 'node:assert/strict';
import type { Annotation } from '../../../src/core/model';
import { reanchorDocument } from '../../../src/core/anchoring';
import { contentHash } from '../../../src/core/model';
import {
  type EditSource,
  applyToText,
  corpusSource,
  editDocument,
  loadCorpus,
  mulberry32,
  placeAnnotations,
  synthText,
  wordsOf,
} from '../../support/editGenerator';
import { annotation } from '../../support/annotations';

interface Doc {
  name: string;
  text: string;
  /** Annotations per placement, and how many independent placements (seeds). */
  annotations: number;
  reps: number;
}

interface Tally {
  total: number;
  correct: number;
  wrong: number;
  lost: number;
  truthOrphans: number;
  orphansFound: number;
}

const corpus = loadCorpus();
const source: EditSource = corpusSource(corpus);
const names = [...corpus.keys()];

const docs: Doc[] = [
  ...names.map((name) => ({ name, text: corpus.get(name) as string, annotations: 150, reps: 4 })),
  // 000 and 001 share paragraphs, and 000 repeats its lede: quotes occur more than once.
  { name: '000+001', text: `${corpus.get(names[0])}\n${corpus.get(names[1])}`, annotations: 150, reps: 4 },
  { name: 'synthetic 100 KB', text: synthText(mulberry32(1), source.sentences, source.vocab, 100_000, 0.25), annotations: 2000, reps: 1 },
  { name: 'synthetic 150 KB', text: synthText(mulberry32(2), source.sentences, source.vocab, 150_000, 0.25), annotations: 2000, reps: 1 },
];

function trim(text: string, start: number, end: number): [number, number] {
  while (start < end && /\s/.test(text[start])) start++;
  while (end > start && /\s/.test(text[end - 1])) end--;
  return [start, end];
}

function measure(percent: number, withSnapshot: boolean, seed: number): Tally {
  const t: Tally = { total: 0, correct: 0, wrong: 0, lost: 0, truthOrphans: 0, orphansFound: 0 };
  docs.forEach((doc, d) => {
    for (let rep = 0; rep < doc.reps; rep++) {
      const rng = mulberry32(seed * 7919 + d * 101 + rep);
      const placed = placeAnnotations(rng, doc.text, doc.annotations);
      const hash = contentHash(doc.text);
      const annotations = placed.map((p) => annotation({ id: p.id, text: doc.text, start: p.start, end: p.end, docHash: hash }));
      const edited = editDocument(rng, doc.text, placed, percent, source);
      const results = reanchorDocument({
        text: edited.after,
        annotations,
        snapshot: (h) => (withSnapshot && h === hash ? doc.text : undefined),
      });
      for (const r of results) {
        const truth = edited.truth.get(r.id);
        assert.ok(truth);
        t.total++;
        if (truth.orphaned) t.truthOrphans++;
        if (r.status === 'orphaned') {
          if (truth.orphaned) {
            t.correct++;
            t.orphansFound++;
          } else t.lost++;
          continue;
        }
        assert.ok(r.after);
        // Whatever it says, an attached annotation carries the text it is attached to.
        assert.equal(r.annotation.target.quote.exact, edited.after.slice(r.after.start, r.after.end));
        const [s, e] = trim(edited.after, truth.start, truth.end);
        if (!truth.orphaned && r.after.start === s && r.after.end === e) t.correct++;
        else t.wrong++;
      }
    }
  });
  return t;
}

const pct = (n: number, of: number): string => ((100 * n) / of).toFixed(2);

describe('re-anchoring accuracy (seeded edits, ground truth from the edit tracker)', function () {
  this.timeout(120_000);
  const rows: Array<{ setting: string; t: Tally }> = [];
  const run = (setting: string, percent: number, withSnapshot: boolean): Tally => {
    const t = measure(percent, withSnapshot, 1);
    rows.push({ setting, t });
    return t;
  };

  after(() => {
    const lines = rows.map(({ setting, t }) =>
      [
        setting.padEnd(26),
        String(t.total).padStart(6),
        pct(t.correct, t.total).padStart(8),
        pct(t.wrong, t.total).padStart(7),
        pct(t.lost, t.total).padStart(6),
        `${t.orphansFound}/${t.truthOrphans}`.padStart(9),
      ].join('  '),
    );
    console.log(
      [
        '',
        `      ${'setting'.padEnd(26)}  ${'annots'.padStart(6)}  ${'correct%'.padStart(8)}  ${'wrong%'.padStart(7)}  ${'lost%'.padStart(6)}  ${'orphans'.padStart(9)}`,
        ...lines.map((l) => '      ' + l),
        '      (wrong = attached somewhere other than the ground truth; lost = orphaned although its text survives;',
        '       orphans = ground-truth orphans found orphaned / all ground-truth orphans)',
      ].join('\n'),
    );
  });

  it('with snapshot, 5 % edits: ≥ 99.5 % correct, ≤ 0.5 % in a wrong place', () => {
    const t = run('snapshot, 5 % edits', 5, true);
    assert.ok(t.total >= 7000, `only ${t.total} annotations`);
    assert.ok(t.correct / t.total >= 0.995, `${pct(t.correct, t.total)} % correct`);
    assert.ok(t.wrong / t.total <= 0.005, `${pct(t.wrong, t.total)} % wrong place`);
  });

  it('with snapshot, 20 % edits: ≥ 98 % correct', () => {
    const t = run('snapshot, 20 % edits', 20, true);
    assert.ok(t.correct / t.total >= 0.98, `${pct(t.correct, t.total)} % correct`);
    assert.ok(t.wrong / t.total <= 0.01, `${pct(t.wrong, t.total)} % wrong place`);
  });

  it('quote only (no snapshot), 5 % edits: ≥ 95 % correct, ≤ 1 % in a wrong place', () => {
    const t = run('quote only, 5 % edits', 5, false);
    assert.ok(t.correct / t.total >= 0.95, `${pct(t.correct, t.total)} % correct`);
    assert.ok(t.wrong / t.total <= 0.01, `${pct(t.wrong, t.total)} % wrong place`);
  });

  it('quote only (no snapshot), 20 % edits: still ≤ 2 % in a wrong place', () => {
    const t = run('quote only, 20 % edits', 20, false);
    assert.ok(t.wrong / t.total <= 0.02, `${pct(t.wrong, t.total)} % wrong place`);
  });

  it('orphans annotations whose text was mostly deleted', () => {
    // On each document, pick annotations that do not overlap, delete more than half of each (its first or last
    // 60–100 %, word-aligned, sometimes with its neighbours), and re-anchor both ways.
    let total = 0;
    const orphaned = { snapshot: 0, quote: 0 };
    docs.forEach((doc, d) => {
      const rng = mulberry32(500 + d);
      const words = wordsOf(doc.text);
      const edits = [];
      const annotations: Annotation[] = [];
      const hash = contentHash(doc.text);
      for (let w = 5; w + 12 < words.length && annotations.length < 150; w += 12 + Math.floor(rng() * 30)) {
        const n = 2 + Math.floor(rng() * 8);
        const start = words[w].start;
        const end = words[w + n - 1].end;
        annotations.push(annotation({ id: `o${w}`, text: doc.text, start, end, docHash: hash }));
        const len = end - start;
        const cut = Math.ceil(len * (0.6 + 0.4 * rng()));
        const widen = rng() < 0.3 ? 1 : 0; // sometimes the deletion runs into the neighbouring word
        if (rng() < 0.5) edits.push({ offset: start - widen, deleteLength: cut + widen, insertText: '' });
        else edits.push({ offset: end - cut, deleteLength: cut + widen, insertText: '' });
      }
      const after = applyToText(doc.text, edits);
      total += annotations.length;
      for (const mode of ['snapshot', 'quote'] as const) {
        const res = reanchorDocument({ text: after, annotations, snapshot: (h) => (mode === 'snapshot' && h === hash ? doc.text : undefined) });
        orphaned[mode] += res.filter((r) => r.status === 'orphaned').length;
      }
    });
    console.log(`      mostly deleted: ${orphaned.snapshot}/${total} orphaned with snapshot, ${orphaned.quote}/${total} quote only`);
    assert.equal(orphaned.snapshot, total);
    assert.ok(orphaned.quote / total >= 0.97, `${orphaned.quote}/${total}`);
  });
});
