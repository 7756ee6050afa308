// Figures in prose as numbers: the quantity behind "11.2 trillion roubles", "80%" or "31st out of 83", for
// pre-filling a figure annotation, suggesting figures in a document, and showing them in a hover. English prose only.
// Offsets are UTF-16 code units, half-open [start, end), as everywhere in the core.
//
// Exactness: a value scaled by a word ("1.07 billion") is computed by handing JavaScript the decimal string "1.07e9",
// which it rounds once, correctly, to the nearest double (1070000000 exactly). Multiplying 1.07 × 1e9 rounds twice
// and gives 1070000000.0000001; that happens for about one two-decimal amount in thirty.
import { wordList } from './wordList';

/** A rank such as "31st out of 83"; `of` is absent when the text gives no total ("places Russia at 29th"). */
export interface FigureRank {
  position: number;
  of?: number;
}

/** A figure in canonical units, comparable across documents. */
export interface NormalisedFigure {
  /** In `unit`. For a range, the low end; for a vague magnitude ("billions of dollars"), the low end of its bracket. */
  value: number;
  /**
   * Canonical code: ISO 4217 for money (RUB, USD, EUR, CNY, GBP, JPY, ...); `percent`, `percentage-point`,
   * `basis-point`; `count`; `calendar-year` (2030); durations `second` … `month`, `year`, `decade`, `century`;
   * `rank`; `fraction` (0.5 for "half"); `factor` (7 for "sevenfold"); or an SI unit (`W`, `Wh`, `m`, `kg`, `B`, `FLOPS`).
   */
  unit: string;
  /** Both ends of a range ("six to nine-month", "5–10%") or of a vague magnitude's bracket. */
  low?: number;
  high?: number;
  rank?: FigureRank;
  /** The text says the value is not exact: a vague magnitude, or a hedge such as "about" or "nearly". */
  approximate?: boolean;
  /** The hedge or bound written before the number, lower-cased: "nearly", "more than", "up to". */
  qualifier?: string;
}

export interface FigureParse {
  /** The number as written, before its scale word: 11.2 for "11.2 trillion roubles", 6 for "six to nine-month". */
  value: number;
  /** A range's high end in the same terms as `value` (9 for "six to nine-month", 2 for "$1-2 billion"); absent for a
   *  single number and for a vague magnitude's bracket. */
  high?: number;
  /** The unit as written, scale word included ("trillion roubles", "%", "per cent"); a currency symbol or code is
   *  given as its ISO code ("$109 billion" → "billion USD"). Empty for a bare number or year. */
  unit: string;
  normalised: NormalisedFigure;
  /** The matched phrase, qualifier included: "nearly 30 countries". */
  text: string;
}

/** A figure found in a document: [start, end) in UTF-16 code units, and its parse. */
export interface FigureCandidate {
  start: number;
  end: number;
  parse: FigureParse;
}

/**
 * The figure a selected passage states, for pre-filling a figure annotation: the first figure {@link findFigures}
 * would suggest in it, or failing that the first number-like phrase at all (a bare count, a year such as "2030", an
 * ordinal such as "29th", a fraction such as "half"). Vague magnitudes ("billions of dollars") come back with
 * `normalised.approximate` set and the magnitude's bracket in low/high: check it before treating `value` as exact.
 * Dates ("November 27th") are not figures and give undefined.
 */
export function parseFigure(passage: string): FigureParse | undefined {
  return (scan(passage, true, true)[0] ?? scan(passage, false, true)[0])?.parse;
}

/**
 * Every figure worth suggesting in a document, in order and never overlapping. The heuristic favours precision
 * over recall, because every suggestion costs a reader's attention:
 * - a number counts when it carries a unit: money (symbol, code or word: "$109 billion", "RUB 100 billion",
 *   "€3bn", "11.2 trillion roubles"), a percentage, an SI unit, a duration ("nine-month"), a factor ("sevenfold"),
 *   a scale word ("2 million"), or a plural noun within three words ("42 AI metrics", "1,200 specialists");
 *   a bare number ("aged 77", "has eight") does not;
 * - a year counts only as a deadline or target: directly after "by", "before", "until", "till", "through" or
 *   "no later than" ("by 2030"), not as context ("in 2023") or in a name ("2023 AI Journey");
 * - an ordinal counts only as a rank: with a total ("31st out of 83"), before "place"/"position", or closing a
 *   clause after a ranking verb ("places Russia at 29th."); "the 21st century" is not a rank;
 * - a fraction counts before "of" ("two-thirds of"); a vague magnitude counts with its unit ("billions of dollars");
 * - dates ("November 27th", "July 1, 2024", "October 2019", "2023-11-27") and URLs are skipped whole, and digits
 *   joined to a word ("G7", "GPT-4", "COVID-19", "5G"), versions ("1.2.3") and times ("10:30") are not numbers;
 * - a hedge before the number ("nearly 30 countries") is part of the span, and marked on the parse.
 */
export function findFigures(text: string): FigureCandidate[] {
  return scan(text, true, false);
}

/** A normalised figure for a hover: "1.12 × 10¹³ RUB", "80 %", "6–9 months", "rank 31 of 83", "nearly 30". */
export function formatFigure(n: NormalisedFigure): string {
  const prefix = n.qualifier ? `${n.qualifier} ` : n.approximate ? '~' : '';
  const ranged = n.low !== undefined && n.high !== undefined && n.low !== n.high;
  switch (n.unit) {
    case 'rank': {
      const r = n.rank ?? { position: n.value };
      return `${prefix}rank ${r.position}${r.of !== undefined ? ` of ${r.of}` : ''}`;
    }
    case 'calendar-year':
      return prefix + (ranged ? `${n.low}–${n.high}` : String(n.value));
    case 'fraction':
      return prefix + formatFraction(n.value);
  }
  const amount = ranged ? formatRange(n.low as number, n.high as number) : formatNumber(n.value);
  switch (n.unit) {
    case 'percent':
      return `${prefix}${amount} %`;
    case 'percentage-point':
      return `${prefix}${amount} pp`;
    case 'basis-point':
      return `${prefix}${amount} bp`;
    case 'count':
      return prefix + amount;
    case 'factor':
      return `${prefix}${amount}×`;
  }
  if (DURATIONS.has(n.unit)) {
    const plural = ranged || n.value !== 1;
    return `${prefix}${amount} ${plural ? (n.unit === 'century' ? 'centuries' : n.unit + 's') : n.unit}`;
  }
  return `${prefix}${amount} ${n.unit}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Vocabulary

/** Spaces a figure may contain. Never a line break: a figure does not run across lines. */
const SP = '[ \\u00a0\\u202f]';

const SMALL: Readonly<Record<string, number>> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
};
const TENS: Readonly<Record<string, number>> = {
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};
/** Scale words as powers of ten. */
const SCALES: Readonly<Record<string, number>> = { thousand: 3, million: 6, billion: 9, trillion: 12 };
const ORDINAL_WORDS: Readonly<Record<string, number>> = {
  first: 1,
  second: 2,
  third: 3,
  fourth: 4,
  fifth: 5,
  sixth: 6,
  seventh: 7,
  eighth: 8,
  ninth: 9,
  tenth: 10,
  eleventh: 11,
  twelfth: 12,
  thirteenth: 13,
  fourteenth: 14,
  fifteenth: 15,
  sixteenth: 16,
  seventeenth: 17,
  eighteenth: 18,
  nineteenth: 19,
  twentieth: 20,
  thirtieth: 30,
  fortieth: 40,
  fiftieth: 50,
  sixtieth: 60,
  seventieth: 70,
  eightieth: 80,
  ninetieth: 90,
};
const DENOMINATORS: Readonly<Record<string, number>> = {
  half: 2,
  halves: 2,
  third: 3,
  thirds: 3,
  quarter: 4,
  quarters: 4,
  fifth: 5,
  fifths: 5,
  sixth: 6,
  sixths: 6,
  seventh: 7,
  sevenths: 7,
  eighth: 8,
  eighths: 8,
  ninth: 9,
  ninths: 9,
  tenth: 10,
  tenths: 10,
};

/** Currency prefixes, longest first so "US$" wins over "$". "$" alone is taken as USD and "¥" as JPY. */
const CURRENCY_PREFIXES: ReadonlyArray<readonly [string, string]> = [
  ['U.S.$', 'USD'],
  ['US$', 'USD'],
  ['HK$', 'HKD'],
  ['CA$', 'CAD'],
  ['AU$', 'AUD'],
  ['CN¥', 'CNY'],
  ['C$', 'CAD'],
  ['A$', 'AUD'],
  ['$', 'USD'],
  ['€', 'EUR'],
  ['£', 'GBP'],
  ['¥', 'JPY'],
  ['₽', 'RUB'],
  ['₹', 'INR'],
  ['₩', 'KRW'],
];
const CURRENCY_CODES: Readonly<Record<string, string>> = {
  USD: 'USD',
  EUR: 'EUR',
  GBP: 'GBP',
  RUB: 'RUB',
  RUR: 'RUB',
  CNY: 'CNY',
  RMB: 'CNY',
  JPY: 'JPY',
  INR: 'INR',
  CHF: 'CHF',
  CAD: 'CAD',
  AUD: 'AUD',
  HKD: 'HKD',
  KRW: 'KRW',
};

/** SI-style units: canonical unit and the power of ten to it. Symbols are case-sensitive (MW is not mW). */
const SI_SYMBOLS: Readonly<Record<string, readonly [string, number]>> = {
  km: ['m', 3],
  kg: ['kg', 0],
  kW: ['W', 3],
  MW: ['W', 6],
  GW: ['W', 9],
  TW: ['W', 12],
  kWh: ['Wh', 3],
  MWh: ['Wh', 6],
  GWh: ['Wh', 9],
  TWh: ['Wh', 12],
  kB: ['B', 3],
  MB: ['B', 6],
  GB: ['B', 9],
  TB: ['B', 12],
  PB: ['B', 15],
  TFLOPS: ['FLOPS', 12],
  PFLOPS: ['FLOPS', 15],
  EFLOPS: ['FLOPS', 18],
};
const SI_WORDS: Readonly<Record<string, readonly [string, number]>> = {
  kilometre: ['m', 3],
  kilometer: ['m', 3],
  metre: ['m', 0],
  meter: ['m', 0],
  kilogram: ['kg', 0],
  tonne: ['kg', 3],
  kilowatt: ['W', 3],
  megawatt: ['W', 6],
  gigawatt: ['W', 9],
  terawatt: ['W', 12],
  gigabyte: ['B', 9],
  terabyte: ['B', 12],
  petabyte: ['B', 15],
  teraflop: ['FLOPS', 12],
  petaflop: ['FLOPS', 15],
  exaflop: ['FLOPS', 18],
};

const DURATIONS = new Set(['second', 'minute', 'hour', 'day', 'week', 'month', 'year', 'decade', 'century']);

/** Hedges that make a value approximate; other qualifiers ("more than", "up to") are bounds, exact as stated. */
const APPROXIMATE_QUALIFIERS = new Set(['about', 'around', 'approximately', 'approx.', 'roughly', 'nearly', 'almost', 'some', 'circa', '~', '≈']);

/** Words that may begin a figure; anything else at a word start is skipped without trying a match. */
const START_WORDS = new Set([
  ...Object.keys(SMALL),
  ...Object.keys(TENS),
  ...Object.keys(ORDINAL_WORDS),
  'a',
  'an',
  'half',
  'about',
  'around',
  'approximately',
  'approx',
  'roughly',
  'nearly',
  'almost',
  'some',
  'circa',
  'more',
  'over',
  'less',
  'fewer',
  'under',
  'at',
  'up',
  'as',
  'between',
  'several',
  'tens',
  'hundreds',
  'dozens',
  'thousands',
  'millions',
  'billions',
  'trillions',
]);

/** Words that never belong to a counted noun phrase ("in 2023 that replacing ..." is not a count of anything). */
const NOT_MODIFIERS = new Set(
  wordList(`
  a, an, the, of, to, in, on, at, by, for, from, with, and, or, but, nor, as, than, then, that, which, who,
  whom, whose, this, these, those, it, its, is, are, was, were, be, been, being, has, have, had, do, does, did,
  will, would, can, could, may, might, must, shall, should, not, no, per, more, less, most, least, over, under,
  up, down, out, into, onto, about, after, before, since, until, while, if, so, such, also, only, just, even,
  each, every, all, both, either, neither, some, any, other, another, very, too, here, there, when, where, why,
  how, what, his, her, their, our, your, my, we, they, he, she, you, i, me, him, them, us, said, says, among,
  between, against, during, through, across, via, within, without, including, percent, cent,
`),
);
/** Words ending in "s" that are not plural nouns. */
const NOT_PLURALS = new Set(
  wordList(`
  is, was, has, does, says, as, its, this, thus, us, plus, always, across, perhaps, unless, whereas, besides,
  sometimes, yes, less, towards, afterwards, nevertheless, news, his, hers, ours, yours, theirs, various,
  numerous, previous, serious, famous,
`),
);
const IRREGULAR_PLURALS = new Set(['people', 'staff', 'personnel', 'children', 'men', 'women', 'police', 'cattle']);

const MONTH =
  '(?:January|February|March|April|May|June|July|August|September|October|November|December|' + 'Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\\.?';
const DAY = '\\d{1,2}(?:st|nd|rd|th)?';
/** Dates and URLs: their digits are never figures. Month names are capitalised, so "may 5" is left alone. */
const RE_NO_FIGURE = new RegExp(
  `\\b(?:${MONTH}${SP}+${DAY}(?:,?${SP}+\\d{4})?|${DAY}(?:${SP}+of)?${SP}+${MONTH}(?:,?${SP}+\\d{4})?|` +
    `${MONTH},?${SP}+\\d{4}|\\d{4}-\\d{2}-\\d{2}|\\d{1,2}/\\d{1,2}/\\d{2,4})(?![\\w])|` +
    '\\b(?:https?://|www\\.)\\S+',
  'g',
);

// Sticky regexes, each tried at one position.
const RE_WORD = /[A-Za-z]+/y;
const RE_DIGITS = /[-−]?(?:\d{1,3}(?:,\d{3})+(?!\d)|\d{1,3}(?:[\u00a0\u202f\u2009]\d{3})+(?!\d)|\d+)(?:\.\d+)?/y;
const RE_ORDINAL_SUFFIX = /(?:st|nd|rd|th)(?![A-Za-z])/y;
const RE_CURRENCY_PREFIX = new RegExp(
  `(${CURRENCY_PREFIXES.map(([s]) => s.replace(/[.$]/g, '\\$&')).join('|')}|` + `(?:${Object.keys(CURRENCY_CODES).join('|')})(?=${SP}?[\\d]))${SP}?`,
  'y',
);
const RE_QUALIFIER = new RegExp(
  `(?:(about|around|approximately|approx\\.|roughly|nearly|almost|some|circa|more${SP}+than|over|less${SP}+than|` +
    `fewer${SP}+than|under|at${SP}+least|at${SP}+most|up${SP}+to|as${SP}+many${SP}+as|as${SP}+much${SP}+as|` +
    `between)${SP}+|([~≈])${SP}?)`,
  'iy',
);
const RE_SCALE_WORD = new RegExp(`(?:${SP}+|-)(thousand|million|billion|trillion)(?![A-Za-z])`, 'iy');
const RE_SCALE_ABBREVIATION = new RegExp(`(?:${SP}?(mn|mln|bn|bln|tn|trn|tln)|(k|m|b|K|M|B))(?![A-Za-z])`, 'y');
const RE_RANGE = new RegExp(`(?:${SP}*[–—]${SP}*|-|${SP}+to${SP}+)`, 'iy');
const RE_AND = new RegExp(`${SP}+and${SP}+`, 'iy');
const RE_PERCENT = new RegExp(`(?:${SP}?(%)|${SP}+(percent|per${SP}cent|pct)(?![A-Za-z]))`, 'iy');
const RE_POINTS = new RegExp(`(?:${SP}+(percentage${SP}+points?|basis${SP}+points?)(?![A-Za-z])|${SP}?(pp|p\\.p\\.|bps?)(?![A-Za-z]))`, 'iy');
const RE_CURRENCY_WORD = new RegExp(
  `${SP}+((?:U\\.?S\\.?|American|Hong${SP}Kong|Canadian|Australian)${SP}+dollars?|dollars?|euros?|` +
    `pounds?(?:${SP}+sterling)?|sterling|roubles?|rubles?|yuan|renminbi|yen|rupees?|Swiss${SP}+francs?)(?![A-Za-z])`,
  'iy',
);
const RE_CURRENCY_CODE = new RegExp(`${SP}+(${Object.keys(CURRENCY_CODES).join('|')})(?![A-Za-z])`, 'y');
const RE_SI_SYMBOL = new RegExp(
  `${SP}?(${Object.keys(SI_SYMBOLS)
    .sort((a, b) => b.length - a.length)
    .join('|')})(?![A-Za-z])`,
  'y',
);
const RE_SI_WORD = new RegExp(`${SP}+(${Object.keys(SI_WORDS).join('|')})(s?)(?![A-Za-z])`, 'iy');
const RE_DURATION = new RegExp(
  `(?:${SP}+|-)(seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|century|centuries)(-old|-long)?` + '(?![A-Za-z])',
  'iy',
);
const RE_FACTOR = /(?:[x×](?![A-Za-z0-9])|-?fold(?![A-Za-z]))/y;
const RE_OUT_OF = new RegExp(`${SP}+(?:out${SP}+of|of)${SP}+`, 'iy');
const RE_PLACE = new RegExp(`${SP}+(place|position|spot)(?![A-Za-z])`, 'iy');
const RE_OF = new RegExp(`${SP}+of(?![A-Za-z])`, 'iy');
const RE_FRACTION = new RegExp(
  `(?:(a|an|one|two|three|four|five|six|seven|eight|nine|ten)(?:${SP}+|-))?` + `(${Object.keys(DENOMINATORS).join('|')})(?![A-Za-z])`,
  'iy',
);
const RE_VAGUE = new RegExp(`(?:(tens|hundreds)${SP}+of${SP}+)?(dozens|hundreds|thousands|millions|billions|trillions)${SP}+of(?=${SP})`, 'iy');
const RE_SEVERAL = new RegExp(`(several|a${SP}+few)${SP}+(hundred|thousand|million|billion|trillion)(?=${SP})`, 'iy');
const RE_NUMBER_WORD_SEPARATOR = new RegExp(`(?:${SP}+and${SP}+|${SP}+|-)`, 'iy');
const RE_COUNT_WORD = new RegExp(`${SP}+([A-Za-z][A-Za-z'’-]*)`, 'y');
const RE_YEAR_CUE = /\b(?:by|before|until|till|through|no later than)[ \u00a0]+$/i;
const RE_RANK_CUE = /\b(?:rank(?:s|ed|ing)?|plac(?:e|es|ed|ing)|position(?:s|ed)?|came|comes|finish(?:ed|es)?|stands?|sits?)\b/i;
const RE_RANK_TAIL = new RegExp(`(?:${SP}*(?:$|[.,;:!?)\\]"”’'\\n\\r])|${SP}+(?:in|on|among|globally|worldwide|overall|behind|after|with|for)\\b)`, 'iy');

function matchAt(re: RegExp, text: string, pos: number): RegExpExecArray | null {
  re.lastIndex = pos;
  return re.exec(text);
}

// ---------------------------------------------------------------------------------------------------------------
// Scanning

function scan(text: string, strict: boolean, firstOnly: boolean): FigureCandidate[] {
  const zones = noFigureZones(text);
  const out: FigureCandidate[] = [];
  let z = 0;
  let p = 0;
  while (p < text.length) {
    while (z < zones.length && zones[z][1] <= p) z++;
    if (z < zones.length && zones[z][0] <= p) {
      p = zones[z][1];
      continue;
    }
    if (mayStart(text, p)) {
      const m = matchFigure(text, p, strict);
      // A figure running into a date ("at least 5 November ...") is a misreading of the date.
      if (m && (z >= zones.length || m.end <= zones[z][0])) {
        out.push(m);
        if (firstOnly) break;
        p = m.end;
        continue;
      }
    }
    // No figure starts inside a word: skip the rest of it at once (this loop is the cost of a long document).
    p++;
    while (p < text.length && isAsciiLetter(text.charCodeAt(p)) && isAsciiLetter(text.charCodeAt(p - 1))) p++;
  }
  return out;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function noFigureZones(text: string): Array<[number, number]> {
  const zones: Array<[number, number]> = [];
  RE_NO_FIGURE.lastIndex = 0;
  for (let m = RE_NO_FIGURE.exec(text); m; m = RE_NO_FIGURE.exec(text)) zones.push([m.index, m.index + m[0].length]);
  return zones;
}

function isWordChar(c: string | undefined): boolean {
  if (c === undefined) return false;
  const code = c.charCodeAt(0);
  if (code < 128) return isAsciiLetter(code) || (code >= 48 && code <= 57) || code === 95;
  return /[\p{L}\p{N}]/u.test(c);
}

/** Cheap filter before a full match: a digit, a currency sign, a sign, or a word that can begin a figure. */
function mayStart(text: string, p: number): boolean {
  const code = text.charCodeAt(p);
  if (code >= 48 && code <= 57) return true;
  const c = text[p];
  if (!isAsciiLetter(code)) {
    if ('$€£¥₽₹₩~≈'.includes(c)) return true;
    const next = text.charCodeAt(p + 1);
    return (c === '-' || c === '−') && next >= 48 && next <= 57;
  }
  if (isWordChar(text[p - 1])) return false;
  const w = (matchAt(RE_WORD, text, p) as RegExpExecArray)[0];
  const lw = w.toLowerCase();
  return START_WORDS.has(lw) || (lw.endsWith('fold') && lw.length > 4) || matchAt(RE_CURRENCY_PREFIX, text, p) !== null;
}

/** A figure may not start inside a word or an identifier: "G7", "GPT-4", "COVID-19", "3.14"'s "14", "10:30"'s "30". */
function leftBoundary(text: string, p: number): boolean {
  const prev = text[p - 1];
  if (prev === undefined) return true;
  if (isWordChar(prev)) return false;
  return !('-–/:.,'.includes(prev) && isWordChar(text[p - 2]));
}

function matchFigure(text: string, p: number, strict: boolean): FigureCandidate | undefined {
  if (!leftBoundary(text, p)) return undefined;
  let pos = p;
  let qualifier: string | undefined;
  let between = false;
  const qm = matchAt(RE_QUALIFIER, text, p);
  if (qm) {
    const q = (qm[1] ?? qm[2]).toLowerCase().replace(/\s+/g, ' ');
    if (q === 'between') between = true;
    else qualifier = q;
    pos = p + qm[0].length;
  }
  const ctx: Context = { text, start: p, strict, qualifier };
  if (!between) {
    const vague = matchVague(ctx, pos);
    if (vague) return vague;
    const fraction = matchFraction(ctx, pos);
    if (fraction) return fraction;
  }
  const a = readAmount(text, pos);
  if (!a) return undefined;
  if (a.ordinal) return between ? undefined : matchRank(ctx, a);
  if (a.fold) return between ? undefined : build(ctx, a.end, Number(a.num), 'fold', { value: Number(a.num), unit: 'factor' });
  return matchQuantity(ctx, a, between, true);
}

interface Context {
  text: string;
  start: number;
  strict: boolean;
  qualifier: string | undefined;
}

function build(ctx: Context, end: number, value: number, unit: string, normalised: NormalisedFigure, high?: number): FigureCandidate {
  if (ctx.qualifier) {
    normalised.qualifier = ctx.qualifier;
    if (APPROXIMATE_QUALIFIERS.has(ctx.qualifier)) normalised.approximate = true;
  }
  const parse: FigureParse = { value, unit, normalised, text: ctx.text.slice(ctx.start, end) };
  if (high !== undefined) parse.high = high;
  return { start: ctx.start, end, parse };
}

/** A number with its scale word, as written. */
interface Amount {
  end: number;
  /** The number as a decimal string ("11.2", "1200", "-5"), so scaling stays exact. */
  num: string;
  plainDigits: boolean;
  scaleExp: number;
  scaleText: string;
  /** The scale is an abbreviation ("bn", "m"), which only money may carry: "5m" alone could be metres. */
  abbreviated: boolean;
  currency: string | undefined;
  ordinal: boolean;
  fold: boolean;
}

function readAmount(text: string, pos: number): Amount | undefined {
  let currency: string | undefined;
  const cm = matchAt(RE_CURRENCY_PREFIX, text, pos);
  if (cm) {
    const sign = cm[1];
    currency = CURRENCY_CODES[sign] ?? CURRENCY_PREFIXES.find(([s]) => s === sign)?.[1];
    pos += cm[0].length;
  }
  let num: string;
  let end: number;
  let plainDigits = false;
  let ordinal = false;
  let fold = false;
  let scaleExp = 0;
  let scaleText = '';
  const dm = matchAt(RE_DIGITS, text, pos);
  if (dm) {
    num = dm[0].replace(/[,\u00a0\u202f\u2009]/g, '').replace('−', '-');
    plainDigits = /^\d+$/.test(dm[0]);
    end = pos + dm[0].length;
    // A version, time, slashed date or decimal comma: "1.2.3", "10:30", "11/27", "5,5".
    if (/^[.,:/]\d/.test(text.slice(end, end + 2))) return undefined;
    if (!currency && /^\d+$/.test(num) && matchAt(RE_ORDINAL_SUFFIX, text, end)) {
      ordinal = true;
      end += 2;
    }
  } else {
    const w = readNumberWords(text, pos);
    if (!w) return undefined;
    ({ end, ordinal, fold, scaleExp, scaleText } = w);
    num = String(w.value);
  }
  let abbreviated = false;
  if (!ordinal && !fold && scaleExp === 0) {
    const sm = matchAt(RE_SCALE_WORD, text, end);
    if (sm) {
      scaleText = sm[1];
      scaleExp = SCALES[sm[1].toLowerCase()];
      end += sm[0].length;
    } else if (dm) {
      const am = matchAt(RE_SCALE_ABBREVIATION, text, end);
      if (am) {
        scaleText = am[1] ?? am[2];
        const a = scaleText.toLowerCase();
        scaleExp = a === 'k' ? 3 : a.startsWith('m') ? 6 : a.startsWith('b') ? 9 : 12;
        abbreviated = true;
        end += am[0].length;
      }
    }
  }
  return { end, num, plainDigits, scaleExp, scaleText, abbreviated, currency, ordinal, fold };
}

interface NumberWords {
  end: number;
  value: number;
  scaleExp: number;
  scaleText: string;
  ordinal: boolean;
  fold: boolean;
}

type WordKind = 'article' | 'unit' | 'teen' | 'tens' | 'hundred' | 'scale' | 'dozen' | 'ordinal' | 'fold';

/** Which word kinds may follow which: "twenty-five", "two hundred and six", "a million"; not "five twenty". */
const NEXT: Readonly<Record<WordKind | 'none', readonly WordKind[]>> = {
  none: ['article', 'unit', 'teen', 'tens', 'ordinal', 'fold'],
  article: ['hundred', 'scale', 'dozen'],
  unit: ['hundred', 'scale', 'dozen'],
  teen: ['hundred', 'scale'],
  tens: ['unit', 'ordinal', 'scale'],
  hundred: ['unit', 'teen', 'tens', 'scale', 'ordinal'],
  scale: ['unit', 'teen', 'tens', 'ordinal'],
  dozen: [],
  ordinal: [],
  fold: [],
};

/** Reads a spelled-out number: "six", "twenty-five", "two hundred and six", "a million", "sevenfold", "twenty-first". */
function readNumberWords(text: string, start: number): NumberWords | undefined {
  let pos = start;
  let last: WordKind | 'none' = 'none';
  let total = 0;
  let group = 0;
  let end = -1;
  let scales = 0;
  let scaleExp = 0;
  let scaleText = '';
  let groupBeforeScale = 0;
  let ordinal = false;
  let fold = false;
  for (;;) {
    const wm = matchAt(RE_WORD, text, pos);
    if (!wm) break;
    const w = wm[0].toLowerCase();
    let kind: WordKind;
    if (last === 'none' && (w === 'a' || w === 'an')) kind = 'article';
    else if (w in SMALL) kind = SMALL[w] < 10 ? 'unit' : 'teen';
    else if (w in TENS) kind = 'tens';
    else if (w === 'hundred') kind = 'hundred';
    else if (w in SCALES) kind = 'scale';
    else if (w === 'dozen') kind = 'dozen';
    else if (w in ORDINAL_WORDS) kind = 'ordinal';
    else if (w.endsWith('fold') && (w.slice(0, -4) in SMALL || w.slice(0, -4) in TENS)) kind = 'fold';
    else break;
    if (!NEXT[last].includes(kind)) break;
    // "twenty-first" but not "twenty-tenth".
    if (kind === 'ordinal' && last === 'tens' && ORDINAL_WORDS[w] > 9) break;
    const wordEnd = pos + w.length;
    switch (kind) {
      case 'article':
        group = 1;
        break;
      case 'unit':
      case 'teen':
        group += SMALL[w];
        break;
      case 'tens':
        group += TENS[w];
        break;
      case 'hundred':
        group = (group || 1) * 100;
        break;
      case 'dozen':
        group = (group || 1) * 12;
        break;
      case 'scale':
        scales++;
        scaleExp = SCALES[w];
        scaleText = wm[0];
        groupBeforeScale = group || 1;
        total += groupBeforeScale * 10 ** scaleExp;
        group = 0;
        break;
      case 'ordinal':
        group += ORDINAL_WORDS[w];
        ordinal = true;
        break;
      case 'fold': {
        const stem = w.slice(0, -4);
        group += SMALL[stem] ?? TENS[stem];
        fold = true;
        break;
      }
    }
    last = kind;
    if (kind !== 'article') end = wordEnd;
    if (ordinal || fold) break;
    const sm = matchAt(RE_NUMBER_WORD_SEPARATOR, text, wordEnd);
    if (!sm) break;
    if (sm[0].trim().toLowerCase() === 'and' && last !== 'hundred' && last !== 'scale') break;
    pos = wordEnd + sm[0].length;
  }
  if (end < 0) return undefined;
  // "two million" keeps its scale word, as "2 million" does; "one million two hundred" is just a number.
  if (scales === 1 && last === 'scale') return { end, value: groupBeforeScale, scaleExp, scaleText, ordinal, fold };
  return { end, value: total + group, scaleExp: 0, scaleText: '', ordinal, fold };
}

/** The unit after a quantity: its canonical code, the text as written, and the power of ten it adds. */
interface UnitMatch {
  end: number;
  code: string;
  written: string;
  exp: number;
  money: boolean;
}

function matchUnit(text: string, pos: number): UnitMatch | undefined {
  let m = matchAt(RE_POINTS, text, pos);
  if (m) {
    const w = m[1] ?? m[2];
    const basis = /^b/i.test(w);
    return { end: pos + m[0].length, code: basis ? 'basis-point' : 'percentage-point', written: w, exp: 0, money: false };
  }
  m = matchAt(RE_PERCENT, text, pos);
  if (m) return { end: pos + m[0].length, code: 'percent', written: m[1] ?? m[2], exp: 0, money: false };
  m = matchAt(RE_CURRENCY_WORD, text, pos);
  if (m) return { end: pos + m[0].length, code: currencyOfWord(m[1]), written: m[1], exp: 0, money: true };
  m = matchAt(RE_CURRENCY_CODE, text, pos);
  if (m) return { end: pos + m[0].length, code: CURRENCY_CODES[m[1]], written: m[1], exp: 0, money: true };
  m = matchAt(RE_SI_SYMBOL, text, pos);
  if (m) {
    const [code, exp] = SI_SYMBOLS[m[1]];
    return { end: pos + m[0].length, code, written: m[1], exp, money: false };
  }
  m = matchAt(RE_SI_WORD, text, pos);
  if (m) {
    const [code, exp] = SI_WORDS[m[1].toLowerCase()];
    return { end: pos + m[0].length, code, written: m[1] + m[2], exp, money: false };
  }
  m = matchAt(RE_DURATION, text, pos);
  if (m) {
    const w = m[1].toLowerCase();
    const code = w.startsWith('centur') ? 'century' : w.replace(/s$/, '');
    return { end: pos + m[0].length, code, written: m[1] + (m[2] ?? ''), exp: 0, money: false };
  }
  m = matchAt(RE_FACTOR, text, pos);
  if (m) return { end: pos + m[0].length, code: 'factor', written: m[0].trim().replace(/^-/, ''), exp: 0, money: false };
  return undefined;
}

function currencyOfWord(w: string): string {
  const l = w.toLowerCase();
  if (l.startsWith('hong')) return 'HKD';
  if (l.startsWith('canadian')) return 'CAD';
  if (l.startsWith('australian')) return 'AUD';
  if (l.includes('dollar')) return 'USD';
  if (l.startsWith('euro')) return 'EUR';
  if (l.startsWith('pound') || l === 'sterling') return 'GBP';
  if (l.startsWith('rouble') || l.startsWith('ruble')) return 'RUB';
  if (l === 'yuan' || l === 'renminbi') return 'CNY';
  if (l === 'yen') return 'JPY';
  if (l.startsWith('rupee')) return 'INR';
  return 'CHF';
}

/** A plural noun within three modifier words: "specialists", "AI metrics", "significant machine learning systems". */
function matchCountNoun(text: string, pos: number): { end: number; noun: string } | undefined {
  let p = pos;
  for (let i = 0; i < 4; i++) {
    const m = matchAt(RE_COUNT_WORD, text, p);
    if (!m) return undefined;
    const w = m[1];
    const lw = w.toLowerCase();
    const wordEnd = p + m[0].length;
    if (isPluralNoun(w)) return { end: wordEnd, noun: text.slice(pos, wordEnd).trim() };
    if (i === 3 || NOT_MODIFIERS.has(lw) || /['’]/.test(w) || w.length < 2) return undefined;
    p = wordEnd;
  }
  return undefined;
}

function isPluralNoun(w: string): boolean {
  if (IRREGULAR_PLURALS.has(w)) return true;
  return /^[a-z][a-z-]*[a-z]s$/.test(w) && !/(?:ss|us|is|ous)$/.test(w) && !NOT_PLURALS.has(w);
}

function decimal(num: string, exp: number): number {
  return exp === 0 ? Number(num) : Number(`${num}e${exp}`);
}

function isYearLike(a: Amount): boolean {
  if (!a.plainDigits || a.scaleExp !== 0 || a.currency || a.num.length !== 4) return false;
  const y = Number(a.num);
  return y >= 1800 && y <= 2199;
}

function matchQuantity(ctx: Context, a: Amount, between: boolean, allowRange: boolean): FigureCandidate | undefined {
  const { text, strict } = ctx;
  // A unit written after both ends ("5% to 10%") is also allowed after the first.
  const firstUnit = matchAt(RE_PERCENT, text, a.end);
  const connectorAt = firstUnit ? a.end + firstUnit[0].length : a.end;
  let b: Amount | undefined;
  if (allowRange) {
    const cm = matchAt(between ? RE_AND : RE_RANGE, text, connectorAt);
    if (cm) {
      const c = readAmount(text, connectorAt + cm[0].length);
      if (c && !c.ordinal && !c.fold && (c.currency === undefined || c.currency === a.currency)) b = c;
    }
  }
  if (between && !b) return undefined;
  const last = b ?? a;
  let end = last.end;
  const currency = a.currency;
  let unit: UnitMatch | undefined;
  if (currency) unit = { end, code: currency, written: currency, exp: 0, money: true };
  else {
    unit = matchUnit(text, end);
    if (!unit && b && firstUnit) unit = { end, code: 'percent', written: firstUnit[1] ?? firstUnit[2], exp: 0, money: false };
  }
  // "bn" and "m" mean billion and million only for money.
  if ((a.abbreviated || b?.abbreviated) && !unit?.money) return undefined;
  // The scale of the second end carries to the first: "$1-2 billion" is 1 to 2 billion.
  const aExp = a.scaleExp || (b?.scaleExp ?? 0);
  const scaleText = a.scaleText || (b?.scaleText ?? '');
  let code: string;
  let written: string;
  let exp = 0;
  // Without a unit, a number glued to a word is part of it: "3D", "2030s", "5-star", "one-sided".
  if (!unit && /^(?:[A-Za-z0-9]|-[A-Za-z])/.test(text.slice(end, end + 2))) return undefined;
  if (unit) {
    end = unit.end;
    code = unit.code;
    written = unit.written;
    exp = unit.exp;
  } else if (isYearLike(a) && (!b || isYearLike(b))) {
    // A year, not a count, even before a noun ("2023 elections"); write "2,000 people" to count.
    if (strict && (b || !RE_YEAR_CUE.test(text.slice(Math.max(0, ctx.start - 20), ctx.start)) || ctx.qualifier)) {
      return undefined;
    }
    code = 'calendar-year';
    written = '';
  } else {
    const noun = matchCountNoun(text, end);
    if (noun) {
      end = noun.end;
      written = noun.noun;
    } else {
      if (strict && aExp === 0) return undefined; // a bare number: "aged 77", "has eight"
      written = '';
    }
    code = 'count';
  }
  const low = decimal(a.num, aExp + exp);
  const normalised: NormalisedFigure = { value: low, unit: code };
  let highWritten: number | undefined;
  if (b) {
    const high = decimal(b.num, b.scaleExp + exp);
    if (!(high >= low)) return allowRange ? matchQuantity(ctx, a, false, false) : undefined;
    normalised.low = low;
    normalised.high = high;
    // In the first end's scale: "$500 million to 1 billion" is 500 to 1000 (million USD).
    highWritten = decimal(b.num, b.scaleExp - aExp);
  }
  return build(ctx, end, Number(a.num), [scaleText, written].filter((s) => s).join(' '), normalised, highWritten);
}

function matchRank(ctx: Context, a: Amount): FigureCandidate | undefined {
  const { text } = ctx;
  const position = Number(a.num);
  let end = a.end;
  let of: number | undefined;
  let written = '';
  const om = matchAt(RE_OUT_OF, text, end);
  if (om) {
    const t = readAmount(text, end + om[0].length);
    if (t && !t.ordinal && !t.fold && !t.currency && t.scaleExp === 0 && /^\d+$/.test(t.num) && Number(t.num) >= position) {
      of = Number(t.num);
      written = text.slice(end, t.end).trim();
      end = t.end;
    }
  }
  let place = false;
  if (of === undefined) {
    const pm = matchAt(RE_PLACE, text, end);
    if (pm) {
      place = true;
      written = pm[1];
      end += pm[0].length;
    }
  }
  if (ctx.strict && of === undefined && !place && !rankContext(text, ctx.start, end)) return undefined;
  const rank: FigureRank = of === undefined ? { position } : { position, of };
  return build(ctx, end, position, written, { value: position, unit: 'rank', rank });
}

/** A bare ordinal is a rank when a ranking verb leads up to it in its sentence and the clause ends after it. */
function rankContext(text: string, start: number, end: number): boolean {
  if (!matchAt(RE_RANK_TAIL, text, end)) return false;
  const sentence =
    text
      .slice(Math.max(0, start - 60), start)
      .split(/[.!?\n]/)
      .pop() ?? '';
  return RE_RANK_CUE.test(sentence);
}

function matchFraction(ctx: Context, pos: number): FigureCandidate | undefined {
  const { text } = ctx;
  const m = matchAt(RE_FRACTION, text, pos);
  if (!m) return undefined;
  const denominatorWord = m[2];
  const denominator = DENOMINATORS[denominatorWord.toLowerCase()];
  // Without a numerator only "half" is a fraction: a bare "third" or "fifth" is an ordinal.
  if (!m[1] && denominator !== 2) return undefined;
  const end = pos + m[0].length;
  if (ctx.strict) {
    if (!matchAt(RE_OF, text, end)) return undefined;
    // "the second half of the year" is a period, not a share.
    if (/\b(?:first|second|last|latter|other|next|previous)[ \u00a0]+$/i.test(text.slice(Math.max(0, pos - 12), pos))) {
      return undefined;
    }
  }
  const n = m[1] ? (SMALL[m[1].toLowerCase()] ?? 1) : 1;
  return build(ctx, end, n, denominatorWord, { value: n / denominator, unit: 'fraction' });
}

function matchVague(ctx: Context, pos: number): FigureCandidate | undefined {
  const { text } = ctx;
  let low: number;
  let high: number;
  let end: number;
  const m = matchAt(RE_VAGUE, text, pos);
  if (m) {
    // An order-of-magnitude bracket: "billions" is [10⁹, 10¹²), "tens of billions" [10¹⁰, 10¹¹), "dozens" [12, 144).
    const head = m[2].toLowerCase();
    const base = head === 'dozens' ? 12 : head === 'hundreds' ? 100 : 10 ** SCALES[head.slice(0, -1)];
    const span = head === 'dozens' ? 12 : head === 'hundreds' ? 10 : 1000;
    if (m[1]) {
      low = base * (m[1].toLowerCase() === 'tens' ? 10 : 100);
      high = low * 10;
    } else {
      low = base;
      high = base * span;
    }
    end = pos + m[0].length;
  } else {
    const s = matchAt(RE_SEVERAL, text, pos);
    if (!s) return undefined;
    // "several million", "a few thousand": [2, 10) of the scale.
    const scale = s[2].toLowerCase() === 'hundred' ? 100 : 10 ** SCALES[s[2].toLowerCase()];
    low = 2 * scale;
    high = 10 * scale;
    end = pos + s[0].length;
  }
  let code = 'count';
  let written = '';
  const cw = matchAt(RE_CURRENCY_WORD, text, end);
  if (cw) {
    code = currencyOfWord(cw[1]);
    written = cw[1];
    end += cw[0].length;
  } else {
    const noun = matchCountNoun(text, end);
    if (noun) {
      written = noun.noun;
      end = noun.end;
    } else if (ctx.strict) return undefined;
  }
  return build(ctx, end, low, written, { value: low, unit: code, low, high, approximate: true });
}

// ---------------------------------------------------------------------------------------------------------------
// Display

const SUPERSCRIPT: Readonly<Record<string, string>> = {
  '0': '⁰',
  '1': '¹',
  '2': '²',
  '3': '³',
  '4': '⁴',
  '5': '⁵',
  '6': '⁶',
  '7': '⁷',
  '8': '⁸',
  '9': '⁹',
  '-': '⁻',
};

/** Mantissa and exponent from the shortest round-tripping representation, so 1.12e13 shows as "1.12", not "1.1199…". */
function scientific(v: number): { mantissa: string; exp: number } {
  const [m, e] = v.toExponential().split('e');
  return { mantissa: m, exp: Number(e) };
}

function isLarge(v: number): boolean {
  const a = Math.abs(v);
  return a >= 1e6 || (a > 0 && a < 1e-3);
}

function powerOfTen(exp: number): string {
  return '10' + [...String(exp)].map((c) => SUPERSCRIPT[c]).join('');
}

function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (isLarge(v)) {
    const { mantissa, exp } = scientific(v);
    if (mantissa === '1') return powerOfTen(exp);
    if (mantissa === '-1') return '−' + powerOfTen(exp);
    return `${mantissa.replace('-', '−')} × ${powerOfTen(exp)}`;
  }
  // 12 significant digits hide binary noise such as 0.30000000000000004.
  const [int, frac] = String(Number(v.toPrecision(12))).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (frac ? `${grouped}.${frac}` : grouped).replace('-', '−');
}

function formatRange(low: number, high: number): string {
  if (isLarge(low) && isLarge(high)) {
    const a = scientific(low);
    const b = scientific(high);
    if (a.exp === b.exp) return `(${a.mantissa}–${b.mantissa}) × ${powerOfTen(a.exp)}`;
  }
  return `${formatNumber(low)}–${formatNumber(high)}`;
}

function formatFraction(v: number): string {
  for (let d = 2; d <= 12; d++) {
    const n = Math.round(v * d);
    if (Math.abs(v * d - n) < 1e-9) return `${n}/${d}`;
  }
  return formatNumber(v);
}

/**
 * The normalised figure of a figure annotation: from its value, high and unit attributes when they read as a figure
 * ("11.2" + "trillion roubles"; "6" to "9" + "month" is the range 6–9 months), else from its quote; undefined when
 * neither holds a number.
 */
export function figureOfAnnotation(attributes: Readonly<Record<string, string | number | boolean>>, quote: string): NormalisedFigure | undefined {
  const { value, high, unit } = attributes;
  if (typeof value !== 'number') return parseFigure(quote)?.normalised;
  const written = typeof unit === 'string' ? unit.trim() : '';
  const low = normaliseAmount(value, written);
  if (typeof high === 'number' && high > value) {
    const top = normaliseAmount(high, written);
    if (top.unit === low.unit && top.value >= low.value) return { ...low, low: low.value, high: top.value };
  }
  return low;
}

/** One number with its unit as written, in canonical units ("11.2" + "trillion roubles" → 1.12e13 RUB). */
function normaliseAmount(value: number, written: string): NormalisedFigure {
  const parsed = written ? parseFigure(`${value} ${written}`) : undefined;
  if (parsed && parsed.value === value && parsed.high === undefined) return parsed.normalised;
  return { value, unit: written || 'count' };
}
