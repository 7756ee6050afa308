import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { figureOfAnnotation, findFigures, formatFigure, parseFigure, type FigureParse, type NormalisedFigure } from '../../../src/core/research';

const CORPUS = path.join(__dirname, '../../../../sample/corpus');

function parsed(passage: string): FigureParse {
  const p = parseFigure(passage);
  assert.ok(p, `expected a figure in ${JSON.stringify(passage)}`);
  return p;
}

/** The figures of a text as [matched text, canonical unit, canonical value], for compact expectations. */
function figuresOf(text: string): Array<[string, string, number]> {
  return findFigures(text).map((c) => [c.parse.text, c.parse.normalised.unit, c.parse.normalised.value]);
}

describe('figures: parseFigure', () => {
  it('"11.2 trillion roubles" is 11.2 trillion roubles, exactly 1.12e13 RUB', () => {
    const p = parsed('11.2 trillion roubles');
    assert.equal(p.value, 11.2);
    assert.equal(p.unit, 'trillion roubles');
    assert.equal(p.text, '11.2 trillion roubles');
    assert.deepEqual(p.normalised, { value: 1.12e13, unit: 'RUB' });
  });
  it('scales by decimal string, so amounts where multiplying would round twice stay exact', () => {
    // 1.07 * 1e9 === 1070000000.0000001 and 0.27 * 1e12 === 270000000000.00003 in binary floating point.
    assert.notEqual(1.07 * 1e9, 1.07e9);
    assert.equal(parsed('1.07 billion dollars').normalised.value, 1.07e9);
    assert.equal(parsed('0.27 trillion roubles').normalised.value, 2.7e11);
    assert.equal(parsed('2.05 million people').normalised.value, 2.05e6);
  });
  it('"80%" is 80 %, canonically 80 percent', () => {
    const p = parsed('80%');
    assert.deepEqual([p.value, p.unit, p.normalised], [80, '%', { value: 80, unit: 'percent' }]);
  });
  it('"$109 billion" is 109 billion USD, exactly 1.09e11 USD', () => {
    const p = parsed('$109 billion');
    assert.deepEqual([p.value, p.unit, p.normalised], [109, 'billion USD', { value: 1.09e11, unit: 'USD' }]);
  });
  it('"six to nine-month" is a range of 6 to 9 months', () => {
    const p = parsed('six to nine-month');
    assert.deepEqual([p.value, p.high, p.unit, p.text], [6, 9, 'month', 'six to nine-month']);
    assert.deepEqual(p.normalised, { value: 6, unit: 'month', low: 6, high: 9 });
  });
  it("gives a range's high end as written, in the scale of its low end", () => {
    const high = (s: string): [number, number | undefined, string] => [parsed(s).value, parsed(s).high, parsed(s).unit];
    assert.deepEqual(high('$1-2 billion'), [1, 2, 'billion USD']);
    assert.deepEqual(high('5% to 10%'), [5, 10, '%']);
    assert.deepEqual(high('$500 million to 1 billion'), [500, 1000, 'million USD']);
    assert.equal(parsed('11.2 trillion roubles').high, undefined);
    assert.equal(parsed('billions of dollars').high, undefined, "a vague magnitude's bracket is not a range the text states");
  });
  it('"31st out of 83" is rank 31 of 83', () => {
    const p = parsed('31st out of 83');
    assert.deepEqual(p.normalised, { value: 31, unit: 'rank', rank: { position: 31, of: 83 } });
    assert.equal(p.unit, 'out of 83');
  });
  it('"billions of dollars" has no exact value: approximate, with its order-of-magnitude bracket', () => {
    const p = parsed('billions of dollars');
    assert.deepEqual(p.normalised, { value: 1e9, unit: 'USD', low: 1e9, high: 1e12, approximate: true });
    assert.equal(parsed('tens of billions of dollars').normalised.low, 1e10);
  });
  it('"US$ 2.5 million" is 2.5e6 USD', () => {
    const p = parsed('US$ 2.5 million');
    assert.deepEqual([p.value, p.unit, p.normalised], [2.5, 'million USD', { value: 2.5e6, unit: 'USD' }]);
  });
  it('"€3bn" is 3e9 EUR', () => {
    const p = parsed('€3bn');
    assert.deepEqual([p.value, p.unit, p.normalised], [3, 'bn EUR', { value: 3e9, unit: 'EUR' }]);
  });
  it('"1,200 specialists" is a count of 1200', () => {
    const p = parsed('1,200 specialists');
    assert.deepEqual([p.value, p.unit, p.normalised], [1200, 'specialists', { value: 1200, unit: 'count' }]);
  });
  it('"2030" alone is a calendar year', () => {
    assert.deepEqual(parsed('2030').normalised, { value: 2030, unit: 'calendar-year' });
  });
  it('"half" is the fraction 0.5', () => {
    assert.deepEqual(parsed('half').normalised, { value: 0.5, unit: 'fraction' });
  });
  it('"20 percent" is 20 percent', () => {
    const p = parsed('20 percent');
    assert.deepEqual([p.value, p.unit, p.normalised], [20, 'percent', { value: 20, unit: 'percent' }]);
  });
  it('"5.5 per cent" is 5.5 percent', () => {
    const p = parsed('5.5 per cent');
    assert.deepEqual([p.value, p.unit, p.normalised], [5.5, 'per cent', { value: 5.5, unit: 'percent' }]);
  });
  it('"RUB 100 billion" is 1e11 RUB', () => {
    const p = parsed('RUB 100 billion');
    assert.deepEqual([p.value, p.unit, p.normalised], [100, 'billion RUB', { value: 1e11, unit: 'RUB' }]);
  });
  it('"100 billion rubles" is 1e11 RUB', () => {
    assert.deepEqual(parsed('100 billion rubles').normalised, { value: 1e11, unit: 'RUB' });
  });
  it('"10 million yuan" is 1e7 CNY', () => {
    assert.deepEqual(parsed('10 million yuan').normalised, { value: 1e7, unit: 'CNY' });
  });
  it('"two-thirds" is the fraction 2/3', () => {
    const p = parsed('two-thirds');
    assert.deepEqual([p.value, p.unit, p.normalised], [2, 'thirds', { value: 2 / 3, unit: 'fraction' }]);
  });
  it('keeps a hedge as qualifier and marks it approximate; a bound is a qualifier only', () => {
    assert.deepEqual(parsed('nearly 30 countries').normalised, {
      value: 30,
      unit: 'count',
      qualifier: 'nearly',
      approximate: true,
    });
    assert.deepEqual(parsed('more than 40%').normalised, { value: 40, unit: 'percent', qualifier: 'more than' });
  });
  it('distributes a scale over a range and reads "between … and …"', () => {
    assert.deepEqual(parsed('$1-2 billion').normalised, { value: 1e9, unit: 'USD', low: 1e9, high: 2e9 });
    assert.deepEqual(parsed('between 5 and 10 percent').normalised, { value: 5, unit: 'percent', low: 5, high: 10 });
    assert.deepEqual(parsed('5% to 10%').normalised, { value: 5, unit: 'percent', low: 5, high: 10 });
  });
  it('reads spelled-out numbers, factors, durations, SI units and negative values', () => {
    assert.deepEqual(parsed('two million people').normalised, { value: 2e6, unit: 'count' });
    assert.equal(parsed('one hundred and twenty-five staff').value, 125);
    assert.deepEqual(parsed('sevenfold').normalised, { value: 7, unit: 'factor' });
    assert.deepEqual(parsed('a 10-year plan').normalised, { value: 10, unit: 'year' });
    assert.deepEqual(parsed('5 GW').normalised, { value: 5e9, unit: 'W' });
    assert.deepEqual(parsed('−3.5 percentage points').normalised, { value: -3.5, unit: 'percentage-point' });
  });
  it('a bare ordinal in a selection is a rank without a total', () => {
    assert.deepEqual(parsed('29th').normalised, { value: 29, unit: 'rank', rank: { position: 29 } });
  });
  it('prefers the figure findFigures would suggest over an earlier bare number', () => {
    assert.equal(parsed('In 2023, 80% of the workforce').text, '80%');
  });
  it('finds no figure in dates, identifiers, versions and times', () => {
    for (const s of ['November 27th', 'July 1, 2024', 'GPT-4', 'G7', 'COVID-19', '1.2.3', '10:30', 'the 2030s', '']) {
      assert.equal(parseFigure(s), undefined, s);
    }
  });
});

describe('figures: findFigures', () => {
  const corpus = (name: string): string => fs.readFileSync(path.join(CORPUS, name), 'utf8');

  it('finds the figures of 000 (TMTPost): vague billions, deadline years, counts; not dates or "in 2023"', () => {
    assert.deepEqual(figuresOf(corpus('000_66ca398fea36cc01.txt')), [
      ['billions of dollars', 'USD', 1e9],
      ['billions of dollars', 'USD', 1e9],
      ['2030', 'calendar-year', 2030], // "strategy by 2030"; "October 2019" is a date
      ['2030', 'calendar-year', 2030], // "by July 1, 2024, before 2030": the date is skipped whole
      ['nearly 30 countries', 'count', 30],
      ['18 countries', 'count', 18],
    ]);
  });
  it('finds the figures of 001 (SCMP): the six-to-nine-month lag and 2030', () => {
    const found = findFigures(corpus('001_7b613edff552618b.txt'));
    assert.deepEqual(
      found.map((c) => [c.parse.text, c.parse.normalised]),
      [
        ['six to nine-month', { value: 6, unit: 'month', low: 6, high: 9 }],
        ['2030', { value: 2030, unit: 'calendar-year' }],
      ],
    );
  });
  it('finds the counts of 002, not GPT-3 nor a bare "eight"', () => {
    assert.deepEqual(figuresOf(corpus('002_4d4efb0aba07dc3f.txt')), [
      ['two key areas', 'count', 2],
      ['16 significant machine learning systems', 'count', 16],
    ]);
  });
  it('finds nothing in 003, whose numbers are a date and list markers', () => {
    assert.deepEqual(figuresOf(corpus('003_9c64581d9f6d6d73.txt')), []);
  });
  it('finds every figure of 004 (Defence Talks): money, percentages, factor, ranks, counts', () => {
    assert.deepEqual(figuresOf(corpus('004_93f4aeba23e3ae0c.txt')), [
      ['$571 million', 'USD', 5.71e8],
      ['ten nations', 'count', 10],
      ['11.2 trillion roubles', 'RUB', 1.12e13],
      ['$109 billion', 'USD', 1.09e11],
      ['2030', 'calendar-year', 2030],
      ['0.2 trillion roubles', 'RUB', 2e11],
      ['$1.9 billion', 'USD', 1.9e9],
      ['80%', 'percent', 80],
      ['2030', 'calendar-year', 2030],
      ['5%', 'percent', 5],
      ['sevenfold', 'factor', 7],
      ['850 billion roubles', 'RUB', 8.5e11],
      ['31st out of 83', 'rank', 31],
      ['36 countries', 'count', 36],
      ['42 AI metrics', 'count', 42],
      ['29th', 'rank', 29], // "places Russia at 29th."
    ]);
  });
  it('reports spans that slice back to the matched text, in order and disjoint, over the whole corpus', () => {
    for (const name of fs.readdirSync(CORPUS).filter((f) => f.endsWith('.txt'))) {
      const text = corpus(name);
      let previousEnd = 0;
      for (const c of findFigures(text)) {
        assert.equal(text.slice(c.start, c.end), c.parse.text, name);
        assert.ok(c.start >= previousEnd, `${name}: ${c.parse.text} overlaps the previous figure`);
        previousEnd = c.end;
      }
    }
  });
  it('skips digits inside identifiers, versions, times, dates, URLs and bare numbers', () => {
    const text =
      'The G7 and COVID-19 slowed 5G; A100 chips and GPT-4 too. Version 1.2.3 shipped at 10:30 on 11/27/2023.\n' +
      '1. First item\nIn the third quarter of 2023, the second half of the year, the 21st century, the first time.\n' +
      'Putin, 71, said it in May 2020, across 2019–2023 and the 1990s. See https://x.com/2023/5 or www.a.com/10.';
    assert.deepEqual(figuresOf(text), []);
  });
  it('reads hedges, bounds, fractions before "of", ranks in context and money abbreviations', () => {
    const text =
      'Over 2,000 people, more than 40% of firms, up to $5bn, a third of voters, half of the budget, 3 is a number. ' +
      'Russia ranked 3rd in the world and came 12th. It sits at 4th place. Costs rose 5-fold to $3.2m; 30 km.';
    assert.deepEqual(figuresOf(text), [
      ['Over 2,000 people', 'count', 2000],
      ['more than 40%', 'percent', 40],
      ['up to $5bn', 'USD', 5e9],
      ['a third', 'fraction', 1 / 3],
      ['half', 'fraction', 0.5],
      ['3rd', 'rank', 3],
      ['12th', 'rank', 12],
      ['4th place', 'rank', 4],
      ['5-fold', 'factor', 5],
      ['$3.2m', 'USD', 3.2e6],
      ['30 km', 'm', 30000],
    ]);
  });
  it('never reads "m" or "bn" as a scale without money', () => {
    assert.deepEqual(figuresOf('a 5m run and 3bn things'), []);
  });
  it('counts UTF-16 code units in spans, astral characters included', () => {
    const text = '😀😀 costs $5 billion';
    const [c] = findFigures(text);
    assert.deepEqual([c.start, c.end], [11, 21]); // each emoji is two code units
    assert.equal(text.slice(c.start, c.end), '$5 billion');
  });
  it('property: a decimal with a scale word and currency parses exactly, as written and normalised', () => {
    const scales = [
      ['thousand', 3],
      ['million', 6],
      ['billion', 9],
      ['trillion', 12],
    ] as const;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 999_999 }),
        fc.integer({ min: 0, max: 3 }),
        fc.constantFrom(...scales),
        fc.constantFrom(['roubles', 'RUB'], ['dollars', 'USD'], ['euros', 'EUR'], ['yuan', 'CNY']),
        (units, decimals, [scale, exp], [word, code]) => {
          const digits = String(units);
          const num = decimals === 0 || digits.length <= decimals ? digits : `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
          const p = parsed(`about ${num} ${scale} ${word}.`);
          assert.equal(p.value, Number(num));
          assert.equal(p.unit, `${scale} ${word}`);
          assert.deepEqual(p.normalised, {
            value: Number(`${num}e${exp}`),
            unit: code,
            qualifier: 'about',
            approximate: true,
          });
        },
      ),
    );
  });
  it('property: on any mix of figure-like fragments, spans are in bounds, ordered, disjoint and slice to text', () => {
    const fragments = [
      '$',
      '€',
      '5',
      '1,200',
      '11.2',
      '2030',
      'by',
      'in',
      'November',
      '27th',
      'out of',
      '83',
      'billion',
      'bn',
      'roubles',
      '%',
      'per cent',
      'six',
      'to',
      'nine-month',
      'half',
      'of',
      'two-thirds',
      'countries',
      'GPT-4',
      '-',
      '–',
      '.',
      ',',
      'nearly',
      'between',
      'and',
      'places',
      '29th',
      'billions',
      'dollars',
      'sevenfold',
      '\n',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...fragments), { maxLength: 40 }), fc.constantFrom(' ', ''), (parts, sep) => {
        const text = parts.join(sep);
        let previousEnd = 0;
        for (const c of findFigures(text)) {
          assert.ok(c.start >= previousEnd && c.end > c.start && c.end <= text.length);
          assert.equal(text.slice(c.start, c.end), c.parse.text);
          assert.ok(Number.isFinite(c.parse.normalised.value));
          previousEnd = c.end;
        }
      }),
    );
  });
});

describe('figures: formatFigure', () => {
  const shown = (passage: string): string => formatFigure(parsed(passage).normalised);

  it('shows large amounts in scientific notation with the currency code', () => {
    assert.equal(shown('11.2 trillion roubles'), '1.12 × 10¹³ RUB');
    assert.equal(shown('$109 billion'), '1.09 × 10¹¹ USD');
    assert.equal(shown('RUB 100 billion'), '10¹¹ RUB');
  });
  it('shows percentages, ranges, ranks and years', () => {
    assert.equal(shown('80%'), '80 %');
    assert.equal(shown('six to nine-month'), '6–9 months');
    assert.equal(shown('31st out of 83'), 'rank 31 of 83');
    assert.equal(shown('29th'), 'rank 29');
    assert.equal(shown('2030'), '2030');
    assert.equal(shown('$1-2 billion'), '(1–2) × 10⁹ USD');
  });
  it('shows counts with grouping, fractions as ratios, factors, qualifiers and vague magnitudes', () => {
    assert.equal(shown('1,200 specialists'), '1,200');
    assert.equal(shown('two-thirds'), '2/3');
    assert.equal(shown('sevenfold'), '7×');
    assert.equal(shown('nearly 30 countries'), 'nearly 30');
    assert.equal(shown('billions of dollars'), '~10⁹–10¹² USD');
    assert.equal(shown('one-month'), '1 month');
  });
  it('formats any normalised figure it is handed, not only parsed ones', () => {
    const cases: Array<[NormalisedFigure, string]> = [
      [{ value: 0.1 + 0.2, unit: 'percent' }, '0.3 %'],
      [{ value: -2.5e-6, unit: 'kg' }, '−2.5 × 10⁻⁶ kg'],
      [{ value: 1, unit: 'century' }, '1 century'],
      [{ value: 2019, unit: 'calendar-year', low: 2019, high: 2023 }, '2019–2023'],
      [{ value: 3, unit: 'percentage-point' }, '3 pp'],
    ];
    for (const [n, expected] of cases) assert.equal(formatFigure(n), expected);
  });
});

describe('figureOfAnnotation', () => {
  it('normalises the value and unit attributes, else the quote', () => {
    assert.equal(figureOfAnnotation({ value: 11.2, unit: 'trillion roubles' }, 'whatever')?.value, 1.12e13);
    assert.equal(figureOfAnnotation({ value: 11.2, unit: 'trillion roubles' }, 'whatever')?.unit, 'RUB');
    assert.deepEqual(figureOfAnnotation({ value: 42, unit: 'widgets of note' }, 'x')?.value, 42);
    assert.equal(figureOfAnnotation({}, '$109 billion')?.value, 1.09e11);
    assert.equal(figureOfAnnotation({}, 'no number here'), undefined);
  });
  it('keeps both ends of a range (value and high) in the normalised number, shown as a range', () => {
    const months = figureOfAnnotation({ value: 6, high: 9, unit: 'month' }, 'six to nine-month');
    assert.deepEqual(months, { value: 6, unit: 'month', low: 6, high: 9 });
    assert.equal(formatFigure(months as NormalisedFigure), '6–9 months');
    assert.deepEqual(figureOfAnnotation({ value: 1, high: 2, unit: 'billion USD' }, 'x'), { value: 1e9, unit: 'USD', low: 1e9, high: 2e9 });
    assert.deepEqual(figureOfAnnotation({ value: 5, high: 10, unit: 'widgets' }, 'x'), {
      ...figureOfAnnotation({ value: 5, unit: 'widgets' }, 'x'),
      low: 5,
      high: 10,
    });
    assert.deepEqual(figureOfAnnotation({ value: 6, high: 6, unit: 'month' }, 'x'), { value: 6, unit: 'month' }, 'a range of one number is that number');
    assert.deepEqual(figureOfAnnotation({ value: 9, high: 6, unit: 'month' }, 'x'), { value: 9, unit: 'month' }, 'a high end below the value is not a range');
  });
});
