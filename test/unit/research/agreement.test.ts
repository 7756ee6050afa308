// computeAgreement: the corpus report from annotations, against figures computed by hand and by the coefficient
// functions on the same data laid out explicitly.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Annotation, Attributes } from '../../../src/core/model';
import {
  cohenKappa,
  computeAgreement,
  fleissKappa,
  krippendorffAlpha,
  normaliseUnits,
  unitizedAlpha,
  unitizedDisagreement,
  type AgreementDocument,
} from '../../../src/core/research';
import { defaultCodebook, parseCodebook } from '../../../src/core/store';

let counter = 0;
function ann(author: string, doc: string, start: number, end: number, kind = 'claim', attributes: Attributes = {}): Annotation {
  counter++;
  return {
    id: `01J${String(counter).padStart(23, '0')}`,
    kind,
    doc,
    target: { start, end, quote: { exact: '', prefix: '', suffix: '' } },
    note: '',
    attributes,
    provenance: { author, created: '2026-01-01T00:00:00.000Z', modified: '2026-01-01T00:00:00.000Z', tool: 'test', docHash: 'sha256:0' },
    anchor: { status: 'anchored' },
  };
}

const docs = (...pairs: Array<[string, number]>): AgreementDocument[] => pairs.map(([path, length]) => ({ path, length }));
const close = (x: number | null, y: number | null): void => {
  if (x === null || y === null) assert.equal(x, y);
  else assert.ok(Math.abs(x - y) < 1e-12, `${x} vs ${y}`);
};

describe('agreement: computeAgreement', () => {
  it('two coders on one document: α_u and Cohen’s kappa as computed by hand from the same units', () => {
    const annotations = [ann('ann', 'a.txt', 0, 4), ann('bob', 'a.txt', 2, 6)];
    const r = computeAgreement({ documents: docs(['a.txt', 10]), annotations, coders: ['ann', 'bob'], codebook: defaultCodebook() });
    // The hand-computed case of the statistics tests: α_u = 1 - 0.08 / (36.8 / 356).
    close(r.kinds.claim.alphaU, 1 - 0.08 / (36.8 / 356));
    // Code units: both marked 2-4 (2), only ann 0-2 (2), only bob 4-6 (2), neither 6-10 (4).
    close(
      r.kinds.claim.kappa,
      cohenKappa([
        [2, 2],
        [2, 4],
      ]),
    );
    assert.equal(r.kappaMethod, 'cohen');
    close(r.overall.alphaU, r.kinds.claim.alphaU);
    close(r.documents['a.txt'].kinds.claim.alphaU, r.kinds.claim.alphaU);
    assert.deepEqual(
      r.disagreements.map((d) => [d.type, d.start, d.end]),
      // Overlapping by 2 of a union of 6, less than half: two passages, each tagged by one coder.
      [
        ['only-one', 0, 4],
        ['only-one', 2, 6],
      ],
    );
    assert.equal(r.agreed, 0);
  });

  it('identical layers give 1 everywhere; a kind nobody used on the compared documents is null, never 1', () => {
    const annotations = ['ann', 'bob'].flatMap((c) => [
      ann(c, 'a.txt', 3, 9),
      ann(c, 'b.txt', 0, 2, 'figure', { value: 2 }),
      ann(c, 'b.txt', 4, 8, 'figure', { value: 5 }),
    ]);
    const r = computeAgreement({
      documents: docs(['a.txt', 20], ['b.txt', 10]),
      annotations,
      coders: ['ann', 'bob'],
      kinds: ['claim', 'figure', 'entity'],
      codebook: defaultCodebook(),
    });
    assert.deepEqual(r.overall, { alphaU: 1, kappa: 1 });
    assert.deepEqual({ alphaU: r.kinds.claim.alphaU, kappa: r.kinds.claim.kappa }, { alphaU: 1, kappa: 1 });
    assert.deepEqual({ alphaU: r.kinds.entity.alphaU, kappa: r.kinds.entity.kappa }, { alphaU: null, kappa: null });
    assert.deepEqual(r.kinds.figure.attributes.value, { alpha: 1, level: 'ratio' });
    assert.deepEqual(r.kinds.figure.attributes.unit, { alpha: null, level: 'nominal' }); // nobody set a unit
    assert.deepEqual(r.kinds.entity.attributes.type, { alpha: null, level: 'nominal' });
    assert.deepEqual(r.documents['a.txt'].kinds.figure, { alphaU: null, kappa: null });
    assert.equal(r.disagreements.length, 0);
    assert.equal(r.agreed, 3);
  });

  it('two coders with nothing to compare give null, never 1', () => {
    const r = computeAgreement({ documents: docs(['a.txt', 10]), annotations: [], coders: ['ann', 'bob'], codebook: defaultCodebook() });
    assert.deepEqual(r.overall, { alphaU: null, kappa: null });
    assert.deepEqual(r.kinds, {});
    assert.deepEqual(r.documents, {});
  });

  it('compares only documents every coder annotated, and names the others', () => {
    const annotations = [ann('ann', 'a.txt', 0, 4), ann('bob', 'a.txt', 0, 4), ann('ann', 'b.txt', 0, 4), ann('cat', 'c.txt', 1, 2)];
    const r = computeAgreement({
      documents: docs(['c.txt', 5], ['b.txt', 10], ['a.txt', 10], ['d.txt', 10]),
      annotations,
      coders: ['ann', 'bob'],
      codebook: defaultCodebook(),
    });
    assert.deepEqual(Object.keys(r.documents), ['a.txt']);
    assert.deepEqual(r.notCompared, ['b.txt']);
    assert.equal(r.overall.alphaU, 1);
    assert.equal(r.disagreements.length, 0);
  });

  it('over the corpus, the documents are one continuum laid end to end in path order', () => {
    const annotations = [ann('ann', 'a.txt', 0, 4), ann('bob', 'a.txt', 1, 5), ann('ann', 'b.txt', 6, 9), ann('bob', 'b.txt', 2, 4), ann('bob', 'b.txt', 6, 8)];
    const r = computeAgreement({ documents: docs(['b.txt', 12], ['a.txt', 10]), annotations, coders: ['ann', 'bob'], codebook: defaultCodebook() });
    const joined = unitizedDisagreement(22, [
      [
        { start: 0, end: 4 },
        { start: 16, end: 19 },
      ],
      [
        { start: 1, end: 5 },
        { start: 12, end: 14 },
        { start: 16, end: 18 },
      ],
    ]);
    close(r.kinds.claim.alphaU, unitizedAlpha(joined));
    close(
      r.documents['b.txt'].alphaU,
      unitizedAlpha(
        unitizedDisagreement(12, [
          [{ start: 6, end: 9 }],
          [
            { start: 2, end: 4 },
            { start: 6, end: 8 },
          ],
        ]),
      ),
    );
  });

  it('with three coders, Fleiss’ kappa over code units, as fleissKappa gives on the table written out', () => {
    const annotations = [ann('ann', 'a.txt', 0, 3), ann('bob', 'a.txt', 1, 3), ann('cat', 'a.txt', 2, 5)];
    const r = computeAgreement({ documents: docs(['a.txt', 6]), annotations, coders: ['ann', 'bob', 'cat'], codebook: defaultCodebook() });
    // Code units 0..5 marked by: ann {0,1,2}, bob {1,2}, cat {2,3,4}.
    const marks = [0, 1, 2, 3, 4, 5].map((u) => [u < 3, u >= 1 && u < 3, u >= 2 && u < 5].filter(Boolean).length);
    close(r.kinds.claim.kappa, fleissKappa(marks.map((k) => [3 - k, k])));
    assert.equal(r.kappaMethod, 'fleiss');
  });

  it('pools kinds for the overall kappa and sums their disagreements for the overall α_u', () => {
    const annotations = [ann('ann', 'a.txt', 0, 4), ann('bob', 'a.txt', 0, 3), ann('ann', 'a.txt', 5, 9, 'figure'), ann('bob', 'a.txt', 6, 9, 'figure')];
    const r = computeAgreement({ documents: docs(['a.txt', 12]), annotations, coders: ['ann', 'bob'], codebook: defaultCodebook() });
    const claim = unitizedDisagreement(12, [[{ start: 0, end: 4 }], [{ start: 0, end: 3 }]]);
    const figure = unitizedDisagreement(12, [[{ start: 5, end: 9 }], [{ start: 6, end: 9 }]]);
    close(r.overall.alphaU, unitizedAlpha([claim, figure]));
    // 24 items (12 code units × 2 kinds): both 6, ann only 2, bob only 0, neither 16.
    close(
      r.overall.kappa,
      cohenKappa([
        [6, 2],
        [0, 16],
      ]),
    );
  });

  it('attribute alpha over passages the coders both tagged, at the field’s level, with missing values', () => {
    const codebook = parseCodebook(
      [
        'version: 1',
        'kinds:',
        '  - name: rating',
        '    colour: "#112233"',
        '    attributes:',
        '      - name: grade',
        '        type: enum',
        '        values: [low, mid, high]',
        '        level: ordinal',
        '      - name: score',
        '        type: number',
        '',
      ].join('\n'),
    );
    const grades = [
      ['low', 'low'],
      ['mid', 'high'],
      ['high', 'high'],
      ['low', null],
    ];
    const scores = [
      [1, 2],
      [5, 5],
      [9, 'nine'],
      [3, 4],
    ];
    const annotations: Annotation[] = [];
    grades.forEach(([g1, g2], i) => {
      const attrs = (g: string | null, s: number | string): Attributes => ({ ...(g === null ? {} : { grade: g }), score: s });
      annotations.push(ann('ann', 'a.txt', i * 10, i * 10 + 5, 'rating', attrs(g1, scores[i][0])));
      annotations.push(ann('bob', 'a.txt', i * 10 + 1, i * 10 + 5, 'rating', attrs(g2, scores[i][1])));
    });
    annotations.push(ann('ann', 'a.txt', 50, 55, 'rating', { grade: 'high', score: 0 })); // only ann: no pair
    const r = computeAgreement({ documents: docs(['a.txt', 60]), annotations, coders: ['ann', 'bob'], codebook });
    const grade = r.kinds.rating.attributes.grade;
    assert.equal(grade.level, 'ordinal');
    close(grade.alpha, krippendorffAlpha(grades, 'ordinal', { order: ['low', 'mid', 'high'] }));
    const score = r.kinds.rating.attributes.score;
    assert.equal(score.level, 'interval');
    // "nine" is not a number: missing at the interval level.
    close(
      score.alpha,
      krippendorffAlpha(
        [
          [1, 2],
          [5, 5],
          [9, null],
          [3, 4],
        ],
        'interval',
      ),
    );
  });

  it('refuses fewer than two coders', () => {
    assert.throws(() => computeAgreement({ documents: [], annotations: [], coders: ['ann'], codebook: defaultCodebook() }), RangeError);
    assert.throws(() => computeAgreement({ documents: [], annotations: [], coders: ['ann', 'ann'], codebook: defaultCodebook() }), RangeError);
  });

  it('property: the report does not depend on the order of the coders or of the annotations', () => {
    const spec = fc.tuple(
      fc.constantFrom('ann', 'bob', 'cat'),
      fc.constantFrom('a.txt', 'b.txt'),
      fc.nat(90),
      fc.integer({ min: 1, max: 10 }),
      fc.constantFrom('claim', 'figure'),
    );
    fc.assert(
      fc.property(fc.array(spec, { maxLength: 30 }), (specs) => {
        const list = specs.map(([who, doc, s, len, kind]) => ann(who, doc, s, s + len, kind));
        const d = docs(['a.txt', 100], ['b.txt', 100]);
        const x = computeAgreement({ documents: d, annotations: list, coders: ['ann', 'bob', 'cat'], codebook: defaultCodebook() });
        const y = computeAgreement({
          documents: [...d].reverse(),
          annotations: [...list].reverse(),
          coders: ['cat', 'ann', 'bob'],
          codebook: defaultCodebook(),
        });
        close(x.overall.alphaU, y.overall.alphaU);
        close(x.overall.kappa, y.overall.kappa);
        assert.deepEqual(Object.keys(x.documents), Object.keys(y.documents));
        assert.equal(x.disagreements.length, y.disagreements.length);
        // Per-document α_u from the same units laid out by hand.
        for (const doc of Object.keys(x.documents)) {
          const layers = ['ann', 'bob', 'cat'].map((c) =>
            normaliseUnits(
              list.filter((a) => a.doc === doc && a.kind === 'claim' && a.provenance.author === c).map((a) => a.target),
              100,
            ),
          );
          close(x.documents[doc].kinds.claim?.alphaU ?? null, unitizedAlpha(unitizedDisagreement(100, layers)));
        }
      }),
    );
  });
});
