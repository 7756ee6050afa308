// The agreement coefficients against the values their authors published, to the digits given, and their edge cases.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Span } from '../../../src/core/model';
import {
  cohenKappa,
  fleissKappa,
  fleissKappaBinary,
  krippendorffAlpha,
  normaliseUnits,
  unitizedAlpha,
  unitizedDisagreement,
  type CodedValue,
} from '../../../src/core/research';

/** `x` rounded to `digits` decimals, as a published value is printed. */
function rounded(x: number | null, digits: number): string {
  assert.ok(x !== null, 'expected a value, got null');
  return x.toFixed(digits);
}

/** Reliability data as published: one row per coder, one column per unit, '*' for a missing value; returned per unit. */
function byUnit(rows: readonly string[], parse: (s: string) => CodedValue = Number): CodedValue[][] {
  const cells = rows.map((r) => r.trim().split(/\s+/));
  return cells[0].map((_, u) => cells.map((row) => (row[u] === '*' ? null : parse(row[u]))));
}

// Krippendorff (2004), Content Analysis, 2nd ed., p. 230: four observers, twelve units, values 1-5, missing values.
const K2004 = byUnit([
  '1 2 3 3 2 1 4 1 2 * * *', // A
  '1 2 3 3 2 2 4 1 2 5 * 3', // B
  '* 3 3 3 2 3 4 2 2 5 1 *', // C
  '1 2 3 3 2 4 4 1 2 5 1 *', // D
]);

// Wikipedia, "Krippendorff's alpha", "A computational example": three coders, fifteen units.
const WIKIPEDIA = byUnit([
  '* * * * * 3 4 1 2 1 1 3 3 * 3', // A
  '1 * 2 1 3 3 4 3 * * * * * * *', // B
  '* * 2 1 3 4 4 * 2 1 1 3 3 * 4', // C
]);

// Fleiss (1971), Table 1 as the irr package's `diagnoses`: thirty patients, six psychiatrists each, five diagnoses
// (1 depression, 2 personality disorder, 3 schizophrenia, 4 neurosis, 5 other).
const FLEISS_1971 = [
  [4, 4, 4, 4, 4, 4],
  [2, 2, 2, 5, 5, 5],
  [2, 3, 3, 3, 3, 5],
  [5, 5, 5, 5, 5, 5],
  [2, 2, 2, 4, 4, 4],
  [1, 1, 3, 3, 3, 3],
  [3, 3, 3, 3, 5, 5],
  [1, 1, 3, 3, 3, 4],
  [1, 1, 4, 4, 4, 4],
  [5, 5, 5, 5, 5, 5],
  [1, 4, 4, 4, 4, 4],
  [1, 2, 4, 4, 4, 4],
  [2, 2, 2, 3, 3, 3],
  [1, 4, 4, 4, 4, 4],
  [2, 2, 4, 4, 4, 5],
  [3, 3, 3, 3, 3, 5],
  [1, 1, 1, 4, 5, 5],
  [1, 1, 1, 1, 1, 2],
  [2, 2, 4, 4, 4, 4],
  [1, 3, 3, 5, 5, 5],
  [5, 5, 5, 5, 5, 5],
  [2, 4, 4, 4, 4, 4],
  [2, 2, 4, 5, 5, 5],
  [1, 1, 4, 4, 4, 4],
  [1, 4, 4, 4, 4, 5],
  [2, 2, 2, 2, 2, 4],
  [1, 1, 1, 1, 5, 5],
  [2, 2, 4, 4, 4, 4],
  [1, 3, 3, 3, 3, 3],
  [5, 5, 5, 5, 5, 5],
];

/** Ratings per item → counts per item and category (categories 1..k). */
function countsOf(ratings: readonly (readonly number[])[], k: number): number[][] {
  return ratings.map((row) => Array.from({ length: k }, (_, c) => row.filter((r) => r === c + 1).length));
}

describe('agreement statistics: Cohen’s kappa', () => {
  it('Cohen (1960), p. 45: 200 items in three categories, p_o = .70, p_c = .41, kappa = .492', () => {
    const table = [
      [88, 14, 18],
      [10, 40, 10],
      [2, 6, 12],
    ];
    assert.equal(rounded(cohenKappa(table), 3), '0.492');
    // The same table as proportions gives the same kappa.
    assert.equal(rounded(cohenKappa(table.map((r) => r.map((x) => x / 200))), 3), '0.492');
  });

  it('full agreement is 1; agreement at chance is 0; a table with one category used by both is null, not 1', () => {
    assert.equal(
      cohenKappa([
        [30, 0],
        [0, 70],
      ]),
      1,
    );
    assert.equal(
      cohenKappa([
        [25, 25],
        [25, 25],
      ]),
      0,
    );
    assert.equal(
      cohenKappa([
        [0, 0],
        [0, 100],
      ]),
      null,
    );
    assert.equal(
      cohenKappa([
        [0, 0],
        [0, 0],
      ]),
      null,
    );
  });
});

describe('agreement statistics: Fleiss’ kappa', () => {
  it('Fleiss (1971): thirty patients, six psychiatrists, five diagnoses, kappa = .430', () => {
    const counts = countsOf(FLEISS_1971, 5);
    // The category totals the irr package and statsmodels check, so the table above is the published one.
    assert.deepEqual(
      [0, 1, 2, 3, 4].map((c) => counts.reduce((s, row) => s + row[c], 0)),
      [26, 26, 30, 55, 43],
    );
    assert.equal(rounded(fleissKappa(counts), 3), '0.430');
  });

  it('Wikipedia’s example (ten subjects, fourteen raters, five categories) gives .210', () => {
    const counts = [
      [0, 0, 0, 0, 14],
      [0, 2, 6, 4, 2],
      [0, 0, 3, 5, 6],
      [0, 3, 9, 2, 0],
      [2, 2, 8, 1, 1],
      [7, 7, 0, 0, 0],
      [3, 2, 6, 3, 0],
      [2, 5, 3, 2, 2],
      [6, 5, 2, 1, 0],
      [0, 2, 2, 3, 7],
    ];
    assert.equal(rounded(fleissKappa(counts), 3), '0.210');
  });

  it('the binary histogram form equals the full table, and undefined cases are null', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }), fc.array(fc.nat(20), { minLength: 7, maxLength: 7 }), (raters, raw) => {
        const weights = raw.slice(0, raters + 1);
        const rows: number[][] = [];
        weights.forEach((w, r) => {
          for (let i = 0; i < w; i++) rows.push([raters - r, r]);
        });
        const full = fleissKappa(rows);
        const fast = fleissKappaBinary(weights);
        if (full === null || fast === null) assert.equal(fast, full);
        else assert.ok(Math.abs(full - fast) < 1e-9, `${full} vs ${fast}`);
      }),
    );
    assert.equal(fleissKappaBinary([5, 0, 0]), null); // nobody marked anything
    assert.equal(fleissKappaBinary([0, 0, 0, 0]), null); // no items
    assert.equal(fleissKappaBinary([3, 0, 0, 4]), 1);
    assert.equal(fleissKappa([]), null);
  });
});

describe('agreement statistics: Krippendorff’s alpha', () => {
  it('Krippendorff (2004), p. 230, four coders, twelve units with missing values: nominal .743, interval .849', () => {
    assert.equal(rounded(krippendorffAlpha(K2004, 'nominal'), 3), '0.743');
    assert.equal(rounded(krippendorffAlpha(K2004, 'interval'), 3), '0.849');
  });

  it('the same data at the other levels, as Krippendorff (2011) computes them: ordinal .815, ratio .797', () => {
    assert.equal(rounded(krippendorffAlpha(K2004, 'ordinal'), 3), '0.815');
    assert.equal(rounded(krippendorffAlpha(K2004, 'ratio'), 3), '0.797');
  });

  it('Wikipedia’s computational example, three coders, fifteen units: nominal .691, interval .811', () => {
    assert.equal(rounded(krippendorffAlpha(WIKIPEDIA, 'nominal'), 3), '0.691');
    assert.equal(rounded(krippendorffAlpha(WIKIPEDIA, 'interval'), 3), '0.811');
  });

  it('Krippendorff (2004), pp. 224 and 227, two coders: .095 for the dichotomy, .734 for three categories', () => {
    const dichotomy = byUnit(['1 1 0 0 0 0 0 0 0 0', '0 1 1 0 0 1 0 1 0 0']);
    assert.equal(rounded(krippendorffAlpha(dichotomy, 'nominal'), 3), '0.095');
    const three = byUnit(['a a b b b b b c c c c c', 'a b b b b b c c c c c c'], String);
    assert.equal(rounded(krippendorffAlpha(three, 'nominal'), 3), '0.734');
  });

  it('nominal values keep their type: the string "1" and the number 1 differ; ordinal follows a given order', () => {
    assert.equal(
      krippendorffAlpha(
        [
          [1, '1'],
          [2, 2],
        ],
        'nominal',
      )! < 1,
      true,
    );
    const order = ['low', 'mid', 'high'];
    const units = [
      ['low', 'low'],
      ['mid', 'high'],
      ['high', 'high'],
    ];
    const ordered = krippendorffAlpha(units, 'ordinal', { order });
    const alphabetic = krippendorffAlpha(units, 'ordinal');
    assert.ok(ordered !== null && alphabetic !== null && ordered !== alphabetic, 'the order changes the ordinal distances');
    assert.throws(() => krippendorffAlpha([['low', 'odd']], 'ordinal', { order }), /not one of the ordered values/);
  });

  it('full agreement is 1; nothing pairable, or no variation, is null and never 1', () => {
    assert.equal(
      krippendorffAlpha(
        [
          [1, 1],
          [2, 2, 2],
          [3, null, 3],
        ],
        'nominal',
      ),
      1,
    );
    assert.equal(
      krippendorffAlpha(
        [
          [1, 1],
          [2, 2, 2],
          [3, null, 3],
        ],
        'interval',
      ),
      1,
    );
    assert.equal(krippendorffAlpha([], 'nominal'), null);
    assert.equal(krippendorffAlpha([[1, null], [null, 2], [3]], 'nominal'), null);
    assert.equal(
      krippendorffAlpha(
        [
          ['person', 'person'],
          ['person', 'person'],
        ],
        'nominal',
      ),
      null,
    );
  });

  it('interval and ratio refuse values they cannot measure', () => {
    assert.throws(() => krippendorffAlpha([['a', 1]], 'interval'), /needs numbers/);
    assert.throws(() => krippendorffAlpha([[-1, 1]], 'ratio'), /0 or more/);
  });

  it('interval alpha is unchanged by shifting all values, even by 1e12, where a sum of squares would cancel', () => {
    const shifted = K2004.map((u) => u.map((v) => (v === null ? null : (v as number) + 1e12)));
    assert.equal(rounded(krippendorffAlpha(shifted, 'interval'), 6), rounded(krippendorffAlpha(K2004, 'interval'), 6));
  });
});

/** Units as Krippendorff's studies give them: [start, length] pairs. */
const units = (...pairs: Array<[number, number]>): Span[] => pairs.map(([b, l]) => ({ start: b, end: b + l }));

/** α_u's parts of one category, with the continuum starting at `begin` (the studies' offsets are absolute). */
function study(begin: number, length: number, coders: Span[][]): { observed: number; expected: number } {
  return unitizedDisagreement(
    length,
    coders.map((c) =>
      normaliseUnits(
        c.map((s) => ({ start: s.start - begin, end: s.end - begin })),
        length,
      ),
    ),
  );
}

describe('agreement statistics: unitized alpha (α_u)', () => {
  // Krippendorff (2004), p. 254, as DKPro Statistics' Krippendorff2004Test sets it up: the continuum 150-450, two
  // observers, categories c and k.
  const c = [units([225, 70], [370, 30]), units([220, 80], [355, 20], [400, 20])];
  const k = [units([180, 60], [300, 50]), units([180, 60], [300, 50])];

  it('Krippendorff (2004), p. 254: category c D_o = .0144, D_e = .0532, α_u = .7286; k α_u = 1; both .859', () => {
    const pc = study(150, 300, c);
    const pk = study(150, 300, k);
    assert.equal(pc.observed.toFixed(4), '0.0144');
    assert.equal(pc.expected.toFixed(4), '0.0532');
    assert.equal(rounded(unitizedAlpha(pc), 4), '0.7286');
    assert.equal(pk.observed, 0);
    assert.equal(pk.expected.toFixed(4), '0.0490');
    assert.equal(unitizedAlpha(pk), 1);
    // DKPro gives .8591 (to ±.0005): 1 - .0144 / (.0532 + .0490) from the rounded parts; unrounded it is .85867.
    assert.equal(rounded(unitizedAlpha([pc, pk]), 3), '0.859');
  });

  // Krippendorff (1995), p. 57: four pairs of coders on a continuum of 24, as DKPro's Krippendorff1995Test sets it up.
  const K1995: Record<string, Span[][]> = {
    A: [units([2, 8], [14, 6]), units([4, 4], [15, 2])],
    B: [units([0, 18]), units([0, 2], [2, 1], [3, 1], [4, 1], [5, 1], [6, 3], [9, 1])],
    C: [units([2, 6], [10, 2], [14, 4], [20, 2]), units([0, 2], [4, 4], [10, 4], [16, 2], [20, 2])],
    D: [units([0, 2], [2, 8], [10, 4], [14, 6], [20, 4]), units([0, 4], [4, 4], [8, 7], [15, 2], [17, 7])],
  };

  it('Krippendorff (1995), p. 57, the four pairs of coders: D_o of A .03125, B 2.26736, C .02778, D .38715', () => {
    const observed = Object.fromEntries(Object.entries(K1995).map(([name, coders]) => [name, study(0, 24, coders).observed.toFixed(5)]));
    assert.deepEqual(observed, { A: '0.03125', B: '2.26736', C: '0.02778', D: '0.38715' });
  });

  it('Krippendorff (1995), stretched 50,000-fold to 1.2 million code units: α_u of A .553, B -.926, C .679, D .066 (±.02, as DKPro)', () => {
    // The 1995 paper's D_e has a slip that the 2004 book corrects, so its α_u are matched as DKPro matches them.
    const stretch = (l: Span[]): Span[] => l.map((s) => ({ start: s.start * 50_000, end: s.end * 50_000 }));
    const published: Record<string, number> = { A: 0.553, B: -0.926, C: 0.679, D: 0.066 };
    for (const [name, coders] of Object.entries(K1995)) {
      const alpha = unitizedAlpha(study(0, 24 * 50_000, coders.map(stretch)));
      assert.ok(alpha !== null && Math.abs(alpha - published[name]) <= 0.02, `${name}: ${alpha} vs ${published[name]}`);
    }
  });

  it('DKPro Statistics’ small case: one coder marks 1-9, the other three single units: D_o .9100, D_e .5351, α_u -.7003', () => {
    const p = study(0, 10, [units([1, 8]), units([2, 1], [4, 1], [6, 1])]);
    assert.equal(p.observed.toFixed(4), '0.9100');
    assert.ok(Math.abs(p.expected - 0.5351) <= 1e-4, `D_e ${p.expected}`); // 0.535185…, DKPro's test allows ±.0001
    assert.equal(rounded(unitizedAlpha(p), 4), '-0.7003');
  });

  it('by hand: two coders, L = 10, one unit each, [0,4) and [2,6)', () => {
    // D_o = 2 · ((0-2)² + (4-6)²) / (2 · 1 · 10²) = 0.08.
    // D_e: N = 2, both l = 4: each unit adds (2-1)·4·3·7/3 = 28, plus 16 · Σ over the gaps ≥ 4 of (l_g - 3):
    // gaps are 6 ([4,10)) and 4 ([6,10)) and 2 ([0,2)), so 16 · (3 + 1) = 64. Σ = 2 · 92 = 184; × 2/10 = 36.8;
    // ÷ (2·10·19 - 2·12 = 356) = 0.103370…; α_u = 1 - 0.08 / 0.103370 = 0.226087.
    const p = study(0, 10, [units([0, 4]), units([2, 4])]);
    assert.ok(Math.abs(p.observed - 0.08) < 1e-12);
    assert.ok(Math.abs(p.expected - 36.8 / 356) < 1e-12);
    assert.equal(rounded(unitizedAlpha(p), 6), (1 - 0.08 / (36.8 / 356)).toFixed(6));
  });

  it('one unit against nothing is 0 (D_o = D_e, as DKPro has it); no unit at all is null, never 1', () => {
    const lone = unitizedDisagreement(20, [units([0, 1]), [], []]);
    assert.ok(Math.abs(lone.observed - lone.expected) < 1e-15);
    assert.ok(Math.abs(unitizedAlpha(lone)!) < 1e-12);
    assert.equal(unitizedAlpha(unitizedDisagreement(20, [[], []])), null);
    assert.equal(unitizedAlpha([]), null);
  });

  it('normaliseUnits clips, sorts, drops empty units and merges overlapping ones, keeping touching ones apart', () => {
    assert.deepEqual(normaliseUnits(units([8, 4], [0, 3], [2, 3], [5, 2], [7, 0], [-2, 3]), 10), units([0, 5], [5, 2], [8, 2]));
  });

  const layer = fc.array(fc.tuple(fc.nat(190), fc.integer({ min: 1, max: 20 })), { maxLength: 12 }).map((xs) => normaliseUnits(units(...xs), 200));

  it('property: identical layers give 1, and α_u does not depend on coder order', () => {
    fc.assert(
      fc.property(layer, layer, layer, (a, b, c) => {
        if (a.length > 0) assert.equal(unitizedAlpha(unitizedDisagreement(200, [a, a, a])), 1);
        const x = unitizedAlpha(unitizedDisagreement(200, [a, b, c]));
        const y = unitizedAlpha(unitizedDisagreement(200, [c, a, b]));
        if (x === null || y === null) assert.equal(x, y);
        else assert.ok(Math.abs(x - y) < 1e-9);
      }),
    );
  });

  it('property: mirroring the continuum changes nothing; nor does shifting every unit while each coder’s first and last gaps stay at least as long as the longest unit', () => {
    // D_e reads the gaps only through Σ (l_g - l_u + 1) over gaps at least l_u long: a shift lengthens the first gap
    // by as much as it shortens the last, so the sum is unchanged while both stay long enough to count.
    fc.assert(
      fc.property(layer, layer, fc.integer({ min: -30, max: 30 }), (a, b, shift) => {
        // Overlapping units merge, so a unit can be longer than the 20 generated.
        fc.pre([...a, ...b].every((s) => s.end - s.start <= 50 - Math.abs(shift)));
        const place = (l: Span[], by: number): Span[] => l.map((s) => ({ start: s.start + 50 + by, end: s.end + 50 + by }));
        const x = unitizedAlpha(unitizedDisagreement(300, [place(a, 0), place(b, 0)]));
        const y = unitizedAlpha(unitizedDisagreement(300, [place(a, shift), place(b, shift)]));
        const mirror = (l: Span[]): Span[] => l.map((s) => ({ start: 300 - s.end, end: 300 - s.start })).reverse();
        const z = unitizedAlpha(unitizedDisagreement(300, [mirror(place(a, 0)), mirror(place(b, 0))]));
        for (const other of [y, z]) {
          if (x === null || other === null) assert.equal(other, x);
          else assert.ok(Math.abs(x - other) < 1e-9, `${x} vs ${other}`);
        }
      }),
    );
  });
});
