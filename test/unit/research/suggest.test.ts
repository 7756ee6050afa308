import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { addEntity, emptyRegister } from '../../../src/core/store';
import type { EntityType } from '../../../src/core/model';
import { DEFAULT_MIN_CONFIDENCE, findNames, groupSuggestions, suggest, type Suggestion, type SuggestionKind } from '../../../src/core/research';

// Compiled to out/test/unit/research; the fixtures and the sample corpus stay in the source tree.
const ROOT = path.resolve(__dirname, '../../../..');
const CORPUS = path.join(ROOT, 'sample/corpus');
const GOLD_FILE = path.join(ROOT, 'test/fixtures/suggestions/gold.json');
const HELD_OUT = path.join(ROOT, 'test/fixtures/suggestions/heldout');
const HELD_OUT_FILE = path.join(ROOT, 'test/fixtures/suggestions/heldout.json');
const HELD_OUT_FIGURES = 14;
const HELD_OUT_ENTITIES = 44;
// Measured at the first run on the held-out texts: figures exact P 0.929, lenient R 1.000; entities exact P 0.878,
// exact R 0.818 (misses: Reuters, a name after "Chief executive" at a sentence start, "Tedros Adhanom Ghebreyesus",
// "East African Community", "Samsung Electronics"; "Lee Jae-yong" cut at its hyphen, "South Korea" cut to "Korea",
// the towns Taylor and Austin taken for people, the unit TEU for an organisation).
const HELD_OUT_FLOORS = { figureP: 0.85, figureR: 0.9, entityP: 0.8, entityR: 0.75 };

interface GoldEntry {
  quote: string;
  occurrence: number | number[] | 'all';
  type?: EntityType;
  canonical?: string;
  value?: number;
  unit?: string;
}

interface GoldDocument {
  doc: string;
  figures: GoldEntry[];
  entities: GoldEntry[];
}

interface GoldSpan {
  start: number;
  end: number;
  entry: GoldEntry;
}

const WORD = /[\p{L}\p{M}\p{N}]/u;

/** Whole-word occurrences of `quote` (case-sensitive), as the gold file counts them. */
function occurrences(text: string, quote: string): number[] {
  const out: number[] = [];
  for (let i = text.indexOf(quote); i !== -1; i = text.indexOf(quote, i + 1)) {
    if (i > 0 && WORD.test(text[i - 1]) && WORD.test(quote[0])) continue;
    const end = i + quote.length;
    if (end < text.length && WORD.test(text[end]) && WORD.test(quote[quote.length - 1])) continue;
    out.push(i);
  }
  return out;
}

/** Gold spans of one kind: listed occurrences first, then "all" entries, longest quote first, skipping occurrences
 *  inside a span already placed (so "Putin": "all" leaves out the Putin of "Vladimir Putin"). */
function resolve(text: string, doc: string, entries: readonly GoldEntry[]): GoldSpan[] {
  const spans: GoldSpan[] = [];
  const overlaps = (s: number, e: number): boolean => spans.some((x) => x.start < e && s < x.end);
  for (const entry of entries) {
    if (entry.occurrence === 'all') continue;
    const found = occurrences(text, entry.quote);
    for (const k of Array.isArray(entry.occurrence) ? entry.occurrence : [entry.occurrence]) {
      const start = found[k];
      assert.ok(start !== undefined, `${doc}: "${entry.quote}" has no occurrence ${k} (it has ${found.length})`);
      assert.ok(!overlaps(start, start + entry.quote.length), `${doc}: gold spans overlap at "${entry.quote}"`);
      spans.push({ start, end: start + entry.quote.length, entry });
    }
  }
  const all = entries.filter((e) => e.occurrence === 'all').sort((a, b) => b.quote.length - a.quote.length);
  for (const entry of all) {
    const found = occurrences(text, entry.quote);
    assert.ok(found.length > 0, `${doc}: "${entry.quote}" does not occur`);
    for (const start of found) if (!overlaps(start, start + entry.quote.length)) spans.push({ start, end: start + entry.quote.length, entry });
  }
  return spans.sort((a, b) => a.start - b.start);
}

interface Score {
  predicted: number;
  gold: number;
  exact: number;
  lenient: number;
  typed: number;
}

function score(predicted: readonly Suggestion[], gold: readonly GoldSpan[], into: Score): void {
  into.predicted += predicted.length;
  into.gold += gold.length;
  const byOffsets = new Map(gold.map((g) => [`${g.start}:${g.end}`, g]));
  for (const p of predicted) {
    const g = byOffsets.get(`${p.start}:${p.end}`);
    if (!g) continue;
    into.exact++;
    if (p.kind === 'entity' ? p.attributes.type === g.entry.type : p.attributes.value === g.entry.value) into.typed++;
  }
  // Lenient: any overlap, each gold span matched at most once.
  const used = new Set<GoldSpan>();
  for (const p of predicted) {
    const g = gold.find((x) => !used.has(x) && x.start < p.end && p.start < x.end);
    if (g) {
      used.add(g);
      into.lenient++;
    }
  }
}

const ratio = (a: number, b: number): number => (b === 0 ? 1 : a / b);

interface Measured {
  scores: Map<string, Score>;
  table: string;
}

/** Scores suggest() against a gold file whose documents are in `dir`: per kind, per entity type and per document. */
function measure(goldFile: string, dir: string): Measured {
  const gold = JSON.parse(readFileSync(goldFile, 'utf8')) as { documents: GoldDocument[] };
  const scores = new Map<string, Score>();
  const blank = (): Score => ({ predicted: 0, gold: 0, exact: 0, lenient: 0, typed: 0 });
  const add = (key: string, predicted: readonly Suggestion[], spans: readonly GoldSpan[]): void => {
    const s = scores.get(key) ?? blank();
    score(predicted, spans, s);
    scores.set(key, s);
  };
  for (const d of gold.documents) {
    const text = readFileSync(path.join(dir, d.doc), 'utf8');
    const suggestions = suggest(text);
    const byKind: Record<SuggestionKind, GoldSpan[]> = { figure: resolve(text, d.doc, d.figures), entity: resolve(text, d.doc, d.entities) };
    for (const kind of ['figure', 'entity'] as const) {
      const mine = suggestions.filter((s) => s.kind === kind);
      add(kind, mine, byKind[kind]);
      add(`${kind} ${d.doc.slice(0, 3)}`, mine, byKind[kind]);
      if (kind !== 'entity') continue;
      for (const type of ['person', 'organisation', 'place'] as const) {
        const typed = mine.filter((m) => m.kind === 'entity' && m.attributes.type === type);
        add(
          `  ${type}`,
          typed,
          byKind.entity.filter((g) => g.entry.type === type),
        );
      }
    }
  }
  const pct = (x: number): string => x.toFixed(3);
  const rows = [`suggest() at the default confidence floor ${DEFAULT_MIN_CONFIDENCE}, against ${path.relative(ROOT, goldFile)}`];
  rows.push('kind             predicted  gold  exact-P  exact-R  lenient-P  lenient-R  type/value ok');
  const perDoc = [...scores.keys()].filter((k) => / \S{3}$/.test(k) && !k.startsWith(' ')).sort();
  for (const key of ['figure', 'entity', '  person', '  organisation', '  place', ...perDoc]) {
    const s = scores.get(key);
    if (!s) continue;
    rows.push(
      `${key.padEnd(16)} ${String(s.predicted).padStart(9)} ${String(s.gold).padStart(5)}  ${pct(ratio(s.exact, s.predicted)).padStart(7)}  ${pct(ratio(s.exact, s.gold)).padStart(7)}` +
        `  ${pct(ratio(s.lenient, s.predicted)).padStart(9)}  ${pct(ratio(s.lenient, s.gold)).padStart(9)}  ${pct(ratio(s.typed, s.exact)).padStart(13)}`,
    );
  }
  return { scores, table: rows.join('\n') };
}

/** Measures once, before the tests of the enclosing describe, and prints the table. */
function measuredBefore(goldFile: string, dir: string): { m: Measured; get: (key: string) => Score } {
  const out = { m: { scores: new Map(), table: '' } as Measured, get: (key: string): Score => out.m.scores.get(key) as Score };
  before(() => {
    out.m = measure(goldFile, dir);
    console.log('\n' + out.m.table + '\n');
  });
  return out;
}

describe('suggest: precision and recall on the hand-made gold of the sample corpus', function () {
  const measured = measuredBefore(GOLD_FILE, CORPUS);
  const get = measured.get;

  it('the gold file resolves: every listed occurrence exists and no two gold spans of a kind overlap', () => {
    assert.equal(get('figure').gold, 23);
    assert.equal(get('entity').gold, 306);
  });

  // Floors a little below what was measured (figures P 0.950 R 0.826; entities P 1.000 R 0.951, types all right), so
  // a regression fails here. The name rules were written looking at these five documents: on unseen text expect
  // less (see the held-out set below).
  it('suggests figures with precision ≥ 0.9 and recall ≥ 0.8', () => {
    const s = get('figure');
    assert.ok(ratio(s.exact, s.predicted) >= 0.9, measured.m.table);
    assert.ok(ratio(s.exact, s.gold) >= 0.8, measured.m.table);
    assert.ok(ratio(s.typed, s.exact) >= 0.95, 'values of the exactly matched figures');
  });

  it('suggests entities with precision ≥ 0.95 and recall ≥ 0.9, and types them right', () => {
    const s = get('entity');
    assert.ok(ratio(s.exact, s.predicted) >= 0.95, measured.m.table);
    assert.ok(ratio(s.exact, s.gold) >= 0.9, measured.m.table);
    assert.ok(ratio(s.lenient, s.gold) >= 0.9, measured.m.table);
    assert.ok(ratio(s.typed, s.exact) >= 0.95, measured.m.table);
  });

  // Measured: people 0.970, places 1.000, organisations 0.750 (unknown single-word names such as Kremlin, Gazprom and
  // Congress, and names in headings, are left below the confidence floor).
  it('finds people and places with recall ≥ 0.9, organisations with recall ≥ 0.65', () => {
    for (const [type, floor] of [
      ['person', 0.9],
      ['organisation', 0.65],
      ['place', 0.9],
    ] as const) {
      const s = get(`  ${type}`);
      assert.ok(ratio(s.exact, s.gold) >= floor, `${type}\n${measured.m.table}`);
      assert.ok(ratio(s.exact, s.predicted) >= 0.9, `${type}\n${measured.m.table}`);
    }
  });
});

describe('suggest: precision and recall on held-out texts', function () {
  const measured = measuredBefore(HELD_OUT_FILE, HELD_OUT);
  const get = measured.get;

  it('the held-out gold resolves', () => {
    assert.equal(get('figure').gold, HELD_OUT_FIGURES);
    assert.equal(get('entity').gold, HELD_OUT_ENTITIES);
  });

  // Texts written for measuring, never for tuning (see the file's description): the floors sit a little below what
  // was measured, so that a change that helps the sample corpus at the cost of unseen text fails here.
  it('suggests figures and entities on unseen text with useful precision and recall', () => {
    const f = get('figure');
    const e = get('entity');
    assert.ok(ratio(f.exact, f.predicted) >= HELD_OUT_FLOORS.figureP, measured.m.table);
    assert.ok(ratio(f.lenient, f.gold) >= HELD_OUT_FLOORS.figureR, measured.m.table);
    assert.ok(ratio(e.exact, e.predicted) >= HELD_OUT_FLOORS.entityP, measured.m.table);
    assert.ok(ratio(e.exact, e.gold) >= HELD_OUT_FLOORS.entityR, measured.m.table);
  });

  it('suggests nothing in their navigation and boilerplate lines', () => {
    for (const doc of readdirSync(HELD_OUT)) {
      const text = readFileSync(path.join(HELD_OUT, doc), 'utf8');
      const tail = text.slice(text.search(/^(?:Related Posts|Advertisement|Home » )/m));
      const inTail = suggest(text).filter((s) => s.start >= text.length - tail.length);
      assert.deepEqual(
        inTail.map((s) => s.text),
        [],
        doc,
      );
    }
  });
});

describe('suggest: figures', () => {
  const figures = (text: string, options = {}): Suggestion[] => suggest(text, { kinds: ['figure'], ...options });

  it('gives value and unit as the figure kind stores them', () => {
    const text = 'Revenue of 11.2 trillion roubles ($109 billion), 80% of staff, 42 AI metrics, ranked 31st out of 83, a sevenfold rise.';
    assert.deepEqual(
      figures(text).map((s) => [s.text, s.attributes]),
      [
        ['11.2 trillion roubles', { value: 11.2e12, unit: 'RUB' }],
        ['$109 billion', { value: 109e9, unit: 'USD' }],
        ['80%', { value: 80, unit: '%' }],
        ['42 AI metrics', { value: 42, unit: 'AI metrics' }],
        ['31st out of 83', { value: 31, unit: 'rank' }],
        ['sevenfold', { value: 7, unit: 'factor' }],
      ],
    );
    for (const s of figures(text)) {
      assert.equal(s.source, 'figures');
      assert.ok(s.confidence > 0.5 && s.confidence <= 1);
      assert.ok(s.reason.length > 0);
    }
  });

  it('keeps both ends of a range, and no high end for a vague magnitude', () => {
    const text = 'Russia faces a six to nine-month lag, spending $1-2 billion, and billions of dollars more.';
    assert.deepEqual(
      figures(text, { minConfidence: 0 }).map((s) => [s.text, s.attributes]),
      [
        ['six to nine-month', { value: 6, high: 9, unit: 'month' }],
        ['$1-2 billion', { value: 1e9, high: 2e9, unit: 'USD' }],
        ['billions of dollars', { value: 1e9, unit: 'USD' }],
      ],
    );
  });

  it('leaves out target years unless asked', () => {
    const text = 'a plan for 80% of the workforce by 2030.';
    assert.deepEqual(
      figures(text).map((s) => s.text),
      ['80%'],
    );
    const withYears = figures(text, { years: true, minConfidence: 0 });
    assert.deepEqual(
      withYears.map((s) => [s.text, s.kind === 'figure' && s.attributes.value]),
      [
        ['80%', 80],
        ['2030', 2030],
      ],
    );
  });

  it('leaves out figures that overlap an existing figure annotation, not other kinds', () => {
    const text = 'It cost $5 million and 10% more.';
    const existing = [
      { kind: 'figure', target: { start: text.indexOf('5'), end: text.indexOf('5') + 1 } },
      { kind: 'claim', target: { start: 0, end: text.length } },
    ];
    assert.deepEqual(
      figures(text, { existing }).map((s) => s.text),
      ['10%'],
    );
  });
});

describe('suggest: entities', () => {
  const entities = (text: string, options = {}): [string, string, string][] =>
    suggest(text, { kinds: ['entity'], ...options }).map((s) => [
      s.text,
      s.kind === 'entity' ? s.attributes.type : '',
      s.kind === 'entity' ? s.attributes.canonical : '',
    ]);

  it('drops titles, demonyms and possessives, and names a surname by the full name in the document', () => {
    assert.deepEqual(entities("Russian President Vladimir Putin spoke in Moscow. Putin's aides agreed."), [
      ['Vladimir Putin', 'person', 'Vladimir Putin'],
      ['Moscow', 'place', 'Moscow'],
      ['Putin', 'person', 'Vladimir Putin'],
    ]);
  });

  it('splits two known places joined by a hyphen, and takes the name before a lower-case suffix', () => {
    assert.deepEqual(entities('the Russia-Ukraine war and a UK-based firm'), [
      ['Russia', 'place', 'Russia'],
      ['Ukraine', 'place', 'Ukraine'],
      ['UK', 'place', 'United Kingdom'],
    ]);
  });

  it('reads organisation names with "of", "and" and a comma list, and firms "and Partners"', () => {
    const text =
      'He heads the Federal Ministry of Digital Development, Communications, and Mass Media and studied at the Moscow Institute of Physics and Technology, then joined Yakov and Partners.';
    assert.deepEqual(
      entities(text).map(([t, type]) => [t, type]),
      [
        ['Federal Ministry of Digital Development, Communications, and Mass Media', 'organisation'],
        ['Moscow Institute of Physics and Technology', 'organisation'],
        ['Yakov and Partners', 'organisation'],
      ],
    );
  });

  it('does not take a capitalised common word starting a sentence for a name', () => {
    assert.deepEqual(entities('However, experts agree. Currently nothing moves. Despite this, Russia grows.'), [['Russia', 'place', 'Russia']]);
  });

  it('does not run a name across the full stop of "U.S."', () => {
    assert.deepEqual(entities('It lags behind China and the U.S. Putin said so.'), [
      ['China', 'place', 'China'],
      ['U.S.', 'place', 'United States'],
      ['Putin', 'person', 'Putin'],
    ]);
  });

  it('types people and organisations by the words around them', () => {
    assert.deepEqual(entities('Sberbank CEO German Gref met the scientist Alexey Ekimov and technology giant Yandex.'), [
      ['Sberbank', 'organisation', 'Sberbank'],
      ['German Gref', 'person', 'German Gref'],
      ['Alexey Ekimov', 'person', 'Alexey Ekimov'],
      ['Yandex', 'organisation', 'Yandex'],
    ]);
    assert.deepEqual(entities('We spoke to Maxim Shadaev, head of the ministry, and to Gazprom, the state gas company.'), [
      ['Maxim Shadaev', 'person', 'Maxim Shadaev'],
      ['Gazprom', 'organisation', 'Gazprom'],
    ]);
  });

  it('finds in headings only names with evidence', () => {
    assert.deepEqual(entities('Putin Drops Hints About Upcoming Strategy - Defense One\nVladimir Putin spoke.'), [
      ['Putin', 'person', 'Vladimir Putin'],
      ['Vladimir Putin', 'person', 'Vladimir Putin'],
    ]);
  });

  it('offers bare capitalised names as type other only below the default confidence floor', () => {
    const text = 'The Breachley Declaration was signed.';
    assert.deepEqual(entities(text), []);
    const low = suggest(text, { kinds: ['entity'], minConfidence: 0 });
    assert.deepEqual(
      low.map((s) => [s.text, s.kind === 'entity' && s.attributes.type]),
      [['Breachley Declaration', 'other']],
    );
    assert.ok(low[0].confidence < DEFAULT_MIN_CONFIDENCE);
  });

  it('suggests register names first, with the register type and canonical name', () => {
    let register = addEntity(emptyRegister(), { name: 'Vladimir Putin', type: 'person', aliases: ['Putin', 'VVP'] });
    register = addEntity(register, { name: 'Breachley Declaration', type: 'other', aliases: [] });
    register = addEntity(register, { name: 'Sberbank', type: 'organisation', aliases: [] });
    const text = 'VVP signed the Breachley Declaration; SBERBANK agreed, and Putin left.';
    const found = suggest(text, { kinds: ['entity'], register });
    assert.deepEqual(
      found.map((s) => [s.text, s.source, s.kind === 'entity' && s.attributes.canonical, s.kind === 'entity' && s.attributes.type]),
      [
        ['VVP', 'register', 'Vladimir Putin', 'person'],
        ['Breachley Declaration', 'register', 'Breachley Declaration', 'other'],
        // Not written as in the register, but the register knows it in another case.
        ['SBERBANK', 'register', 'Sberbank', 'organisation'],
        ['Putin', 'register', 'Vladimir Putin', 'person'],
      ],
    );
  });

  it('does not let a lower-case register entry claim a capitalised name', () => {
    const register = addEntity(emptyRegister(), { name: 'apple', type: 'other', aliases: [] });
    const found = suggest('Shares of Apple rose; an apple fell.', { kinds: ['entity'], register, minConfidence: 0 });
    assert.deepEqual(
      found.map((s) => [s.text, s.source, s.kind === 'entity' && s.attributes.type]),
      [
        ['Apple', 'rules', 'other'],
        ['apple', 'register', 'other'],
      ],
    );
  });

  it('leaves out entities that overlap an existing entity annotation', () => {
    const text = 'Vladimir Putin visited Moscow and Beijing.';
    const existing = [{ kind: 'entity', target: { start: text.indexOf('Moscow'), end: text.indexOf('Moscow') + 3 } }];
    assert.deepEqual(
      entities(text, { existing }).map(([t]) => t),
      ['Vladimir Putin', 'Beijing'],
    );
  });

  it('returns suggestions sorted, never overlapping within a kind', () => {
    const text = readFileSync(path.join(CORPUS, '004_93f4aeba23e3ae0c.txt'), 'utf8');
    const all = suggest(text, { minConfidence: 0 });
    for (let i = 1; i < all.length; i++) {
      assert.ok(all[i - 1].start <= all[i].start);
    }
    for (const kind of ['figure', 'entity']) {
      const list = all.filter((s) => s.kind === kind);
      for (let i = 1; i < list.length; i++) assert.ok(list[i - 1].end <= list[i].start, `${list[i - 1].text} / ${list[i].text}`);
    }
    for (const s of all) assert.equal(text.slice(s.start, s.end), s.text);
  });

  it('finds names in text of any shape without failing', () => {
    for (const text of ['', ' ', '\n\n', 'A', 'U.S.', "O'", '’s', 'ÉÉÉ Éé', '🙂 Putin', 'A-B-C D-E', 'X,Y', '  - name: Russia\n', 'St.', 'Mr. ']) {
      assert.doesNotThrow(() => findNames(text), JSON.stringify(text));
      assert.doesNotThrow(() => suggest(text, { minConfidence: 0 }), JSON.stringify(text));
    }
  });
});

describe('suggest: each candidate once, boilerplate left out', () => {
  const text = readFileSync(path.join(CORPUS, '004_93f4aeba23e3ae0c.txt'), 'utf8');

  it('offers each distinct figure and entity of 004 once, with its other mentions grouped under it', () => {
    const all = suggest(text);
    const groups = groupSuggestions(all);
    assert.equal(
      groups.reduce((n, g) => n + g.mentions.length, 0),
      all.length,
      'every mention in exactly one group',
    );
    const offered = groups.map((g) => g.mentions[0]);
    const label = (s: Suggestion): string => (s.kind === 'entity' ? `${s.attributes.type}:${s.attributes.canonical}` : `figure:${s.text}`);
    assert.equal(new Set(offered.map(label)).size, offered.length, 'no candidate offered twice');
    const byName = new Map(groups.map((g) => [label(g.mentions[0]), g.mentions]));
    // "Russia" 13 times and the heading's "RUSSIA", Putin named in full and by surname: one candidate each.
    assert.equal(byName.get('place:Russia')?.length, 14);
    assert.deepEqual([...new Set(byName.get('person:Vladimir Putin')?.map((s) => s.text))], ['Vladimir Putin', 'Putin']);
    assert.equal(byName.get('place:China')?.length, 5);
    for (const g of groups) {
      for (let i = 1; i < g.mentions.length; i++) assert.ok(g.mentions[i - 1].start < g.mentions[i].start, 'mentions in document order');
    }
    // Groups come in the order of their first mentions.
    for (let i = 1; i < offered.length; i++) assert.ok(offered[i - 1].start <= offered[i].start);
    assert.ok(offered.length <= 40, `${offered.length} candidates for ${all.length} mentions`);
  });

  it('suggests nothing from the "See also", "Discover more", "Subscribe" and "Leave a Reply" lines of 004', () => {
    const texts = suggest(text).map((s) => s.text);
    for (const t of ['$571 million', 'Biden', 'Taiwan', 'Defence Talks', 'Defense News']) assert.ok(!texts.includes(t), t);
    const withBoilerplate = suggest(text, { boilerplate: true }).map((s) => s.text);
    assert.ok(withBoilerplate.includes('$571 million') && withBoilerplate.includes('Taiwan'), 'kept on request');
  });

  it('groups a register name with the other spellings of the same entity', () => {
    const register = addEntity(emptyRegister(), { name: 'Sberbank', type: 'organisation', aliases: ['Sber'] });
    const groups = groupSuggestions(suggest('Sber grew. Sberbank CEO German Gref spoke; SBERBANK agreed with Sber.', { kinds: ['entity'], register }));
    assert.deepEqual(
      groups.map((g) => g.mentions.map((s) => s.text)),
      [['Sber', 'Sberbank', 'SBERBANK', 'Sber'], ['German Gref']],
    );
  });
});

describe('suggest: speed', () => {
  // How fast is the bench's business (a timed test fails on a busy shared machine); this checks the result at 1 MB.
  it('reads a megabyte with a register of 500 entities: thousands of suggestions, each a whole span of the text', () => {
    const sample = ['000_66ca398fea36cc01.txt', '001_7b613edff552618b.txt', '002_4d4efb0aba07dc3f.txt', '003_9c64581d9f6d6d73.txt', '004_93f4aeba23e3ae0c.txt']
      .map((f) => readFileSync(path.join(CORPUS, f), 'utf8'))
      .join('\n\n');
    const text = sample.repeat(Math.ceil(1_000_000 / sample.length));
    let register = emptyRegister();
    for (let i = 0; i < 500; i++) register = addEntity(register, { name: `Entity Number${i}`, type: 'other', aliases: [`Number${i}`] });
    const found: Suggestion[] = suggest(text, { register });
    assert.ok(found.length > 5000, `${found.length} suggestions`);
    for (const s of found) assert.equal(text.slice(s.start, s.end).length, s.end - s.start);
  });
});
