// Suggestions: the figures and entities a careful annotator would probably tag in a document, offered for review.
// Nothing is stored here; the host shows the suggestions and creates annotations (createAnnotation) for the ones a
// person accepts. Offsets are UTF-16 code units, half-open [start, end), as everywhere in the core.
//
// Figures come from findFigures. Entities come from two places:
// - the workspace's entity register: every written name or alias of a known entity (findRegisterMentions), trusted
//   most, since a person put it there;
// - name heuristics over the text, which use the word lists of the `compromise` NLP library (countries, cities and
//   regions, organisations, first and last names, demonyms, occupations, and the common words of English) but not its
//   tagger: the tagger reads about 50-100 KB a second, so a 1 MB document would take 10-20 s, while word lists and
//   rules read it in a fraction of a second. The rules are described at findNames. English prose only.
import { ENTITY_KIND, findEntity, type Entity, type EntityRegister } from '../store';
import { findRegisterMentions } from './entityMatch';
import { findFigures, formatFigure, type FigureCandidate } from './figures';
import type { EntityType } from '../model';

export type SuggestionKind = 'figure' | 'entity';

/** Where a suggestion comes from: findFigures, the entity register, a word list of compromise, or a rule of this module. */
export type SuggestionSource = 'figures' | 'register' | 'compromise' | 'rules';

interface SuggestionBase {
  start: number;
  end: number;
  /** The suggested passage as written. */
  text: string;
  /** 0-1: how likely a careful annotator would tag this passage so; for sorting and filtering, not a probability. */
  confidence: number;
  source: SuggestionSource;
  /** Why it is suggested, for people: "money", "known organisation", "after the title President". */
  reason: string;
}

export interface FigureSuggestion extends SuggestionBase {
  kind: 'figure';
  /** The figure kind's attributes: `value` in canonical units (1.12e13 for "11.2 trillion roubles"), and `unit`: an
   *  ISO 4217 code for money, "%" for a percentage, the counted noun for a count ("countries"), or findFigures'
   *  canonical unit (rank, factor, month, ...); `high` is a range's high end in the same units ("six to nine-month"). */
  attributes: { value: number; high?: number; unit?: string };
}

export interface EntitySuggestion extends SuggestionBase {
  kind: 'entity';
  /** The entity kind's attributes; `canonical` is the register's name when the register knows the entity. */
  attributes: { type: EntityType; canonical: string };
}

export type Suggestion = FigureSuggestion | EntitySuggestion;

/** An annotation already in the document, as far as suggestions care: an Annotation will do. */
export interface ExistingAnnotation {
  kind: string;
  target: { start: number; end: number };
}

export interface SuggestOptions {
  /** Which kinds to suggest (default both). */
  kinds?: readonly SuggestionKind[];
  /** Known entities: their names and aliases are suggested wherever written, with the register's type and name. */
  register?: EntityRegister;
  /** The document's annotations: a suggestion overlapping an annotation of its own kind is left out. */
  existing?: readonly ExistingAnnotation[];
  /** Leave out suggestions below this confidence (default DEFAULT_MIN_CONFIDENCE). */
  minConfidence?: number;
  /** Also suggest target years ("by 2030") as figures (default false: a year dates a figure, it is not one). */
  years?: boolean;
}

/**
 * The default confidence floor. It keeps suggestions that have evidence (a word list, a title, an organisation word,
 * the register) and leaves out bare capitalised words of unknown kind, which are as often products, events or
 * headings as names; pass 0 to see those too (as type 'other').
 */
export const DEFAULT_MIN_CONFIDENCE = 0.5;

/**
 * Candidate figures and entities for `text`, sorted by position (then kind). Suggestions of one kind never overlap
 * each other or an existing annotation of that kind; a figure and an entity may overlap.
 */
export function suggest(text: string, options: SuggestOptions = {}): Suggestion[] {
  const kinds = new Set(options.kinds ?? ['figure', 'entity']);
  const min = options.minConfidence ?? DEFAULT_MIN_CONFIDENCE;
  const existing = options.existing ?? [];
  const out: Suggestion[] = [];
  if (kinds.has('figure')) {
    const taken = new SpanSet(existing.filter((a) => a.kind === 'figure').map((a) => a.target), text.length);
    for (const c of findFigures(text)) {
      const s = figureSuggestion(text, c, options.years === true);
      if (s && s.confidence >= min && !taken.overlaps(s.start, s.end)) out.push(s);
    }
  }
  if (kinds.has('entity')) {
    const taken = existing.filter((a) => a.kind === ENTITY_KIND).map((a) => a.target);
    for (const s of entitySuggestions(text, options.register, taken)) if (s.confidence >= min) out.push(s);
  }
  return out.sort((a, b) => a.start - b.start || a.end - b.end || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
}

// ---------------------------------------------------------------------------------------------------------------
// Figures

function figureSuggestion(text: string, c: FigureCandidate, years: boolean): FigureSuggestion | undefined {
  const n = c.parse.normalised;
  if (n.unit === 'calendar-year' && !years) return undefined;
  let unit: string | undefined;
  let confidence: number;
  let reason: string;
  if (/^[A-Z]{3}$/.test(n.unit)) {
    unit = n.unit;
    confidence = 0.95;
    reason = 'money';
  } else if (n.unit === 'percent' || n.unit === 'percentage-point' || n.unit === 'basis-point') {
    unit = n.unit === 'percent' ? '%' : n.unit === 'percentage-point' ? 'pp' : 'bp';
    confidence = 0.95;
    reason = 'a share';
  } else if (n.unit === 'count') {
    unit = c.parse.unit.replace(/^(?:thousand|million|billion|trillion)\b\s*/i, '') || undefined;
    confidence = unit ? 0.85 : 0.75;
    reason = unit ? `a count of ${unit}` : 'a count';
  } else if (n.unit === 'rank') {
    unit = 'rank';
    confidence = n.rank?.of !== undefined ? 0.95 : 0.8;
    reason = 'a rank';
  } else if (n.unit === 'calendar-year') {
    unit = 'year';
    confidence = 0.5;
    reason = 'a target year';
  } else {
    unit = n.unit;
    confidence = 0.85;
    reason = `a quantity in ${n.unit}`;
  }
  if (n.approximate && n.low !== undefined && n.high !== undefined && n.qualifier === undefined) {
    // "billions of dollars": worth tagging, but the value is only a bracket.
    confidence -= 0.15;
    reason += ', a vague magnitude';
  }
  const attributes: FigureSuggestion['attributes'] = { value: n.value };
  if (!n.approximate && n.low !== undefined && n.high !== undefined && n.high > n.low) attributes.high = n.high;
  if (unit !== undefined) attributes.unit = unit;
  return {
    kind: 'figure',
    start: c.start,
    end: c.end,
    text: text.slice(c.start, c.end),
    attributes,
    confidence: round(confidence),
    source: 'figures',
    reason: `${reason} (${formatFigure(n)})`,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Entities

function entitySuggestions(text: string, register: EntityRegister | undefined, taken: readonly Span[]): EntitySuggestion[] {
  const out: EntitySuggestion[] = [];
  // The register first: what it finds is not suggested again by the heuristics.
  const blocked: Span[] = [...taken];
  if (register && register.entities.length > 0) {
    for (const m of findRegisterMentions(text, register, { existing: taken })) {
      out.push({
        kind: 'entity',
        start: m.start,
        end: m.end,
        text: m.matched,
        attributes: { type: m.entity.type, canonical: m.entity.name },
        confidence: 0.95,
        source: 'register',
        reason: m.matched === m.entity.name ? 'in the entity register' : `in the entity register as ${m.entity.name}`,
      });
      blocked.push(m);
    }
  }
  const blockIndex = new SpanSet(blocked, text.length);
  for (const n of findNames(text)) {
    if (blockIndex.overlaps(n.start, n.end)) continue;
    // A name the register knows in another case ("SBERBANK") takes the register's type and name; but a register
    // entry written in lower case ("apple", the fruit) is no proper name and does not claim "Apple".
    const known = register ? knownAs(register, n.text) : undefined;
    out.push({
      kind: 'entity',
      start: n.start,
      end: n.end,
      text: n.text,
      attributes: known ? { type: known.type, canonical: known.name } : { type: n.type, canonical: n.canonical },
      confidence: known ? Math.max(n.confidence, 0.8) : n.confidence,
      source: known ? 'register' : n.source,
      reason: known ? `in the entity register as ${known.name}` : n.reason,
    });
  }
  return out;
}

/** The register entity with a spelling equal to `text` ignoring case, among spellings that have a capital letter. */
function knownAs(register: EntityRegister, text: string): Entity | undefined {
  const e = findEntity(register, text);
  if (!e) return undefined;
  const f = text.toLowerCase();
  return [e.name, ...e.aliases].some((s) => s.toLowerCase() === f && /\p{Lu}/u.test(s)) ? e : undefined;
}

/** A name found by the heuristics. */
export interface FoundName {
  start: number;
  end: number;
  text: string;
  type: EntityType;
  canonical: string;
  confidence: number;
  source: 'compromise' | 'rules';
  reason: string;
}

/**
 * People, organisations and places named in English prose, by word lists and rules, sorted by position and never
 * overlapping. The rules, in the order they apply:
 * - Candidates are runs of capitalised words (or all-capital or camel-case ones, or dotted abbreviations such as
 *   "U.S." and "St."), on one line, joined by single spaces; inside an organisation's name also by "of", "for", "and"
 *   and a comma list ("Ministry of Digital Development, Communications, and Mass Media"), and inside a person's by
 *   particles ("da", "von"). A possessive ends a run and stays outside it ("Putin's" → "Putin"). Hyphenated names
 *   of two known places are two mentions ("Russia-Ukraine"); a name before a lower-case suffix stands alone ("UK-based").
 * - A title (President, CEO, Minister, Dr, ...) splits a run and marks what follows as a person ("Russian President
 *   Vladimir Putin" → "Vladimir Putin"). Leading articles, months and weekdays are dropped, and a capitalised first
 *   word of a sentence is dropped when it is a common English word (a word list entry, a word the document also
 *   writes in lower case, or a word with a common-word ending such as -ly, -ing, -tion). A demonym alone
 *   ("Russian"), generic acronyms (AI, GDP, CEO) and runs of only such words are not names.
 * - Types, strongest evidence first: a known place, organisation or person of compromise's lists (the whole run);
 *   a few common abbreviations (U.S., UK, EU, UN); an organisation word ending the run or heading its "of" part
 *   (Ministry, Institute, Bank, University, Partners, Media, ...); a known first name starting a run of two or three
 *   words; a title before; an occupation before ("scientist Alexey Ekimov") or a role after (", head of ...");
 *   a known last name. Organisations also by a role after ("Sberbank CEO"), an organisation noun before ("technology
 *   giant Yandex") or in an apposition after (", Russia's largest state bank"); an unknown all-capital acronym is
 *   taken for an organisation, a camel-case word (OpenAI) less surely so.
 * - Within the document: a surname alone is the person named in full elsewhere ("Putin" → "Vladimir Putin"), and a
 *   name typed with good evidence in one place is typed so everywhere, even where it has none.
 * - Lines that look like headings (mostly capitalised words, no final full stop) give only names with word-list,
 *   first-name or document evidence, since every word there is capitalised.
 * - Anything else capitalised in mid-sentence is an entity of type 'other' with low confidence.
 */
export function findNames(text: string): FoundName[] {
  const lex = lexicon();
  const doc = new DocumentScan(text, lex);
  const found: FoundName[] = [];
  const headings: Segment[] = [];
  for (const seg of doc.segments()) {
    if (seg.heading) headings.push(seg);
    else found.push(classify(seg, lex));
  }
  // Within-document evidence: names typed with confidence vouch for the same spelling elsewhere, full names for
  // their surnames.
  const evidence = new Map<string, FoundName>();
  const surnames = new Map<string, string | null>();
  for (const n of found) {
    if (n.confidence < 0.5) continue;
    const prior = evidence.get(n.text);
    if (!prior || prior.confidence < n.confidence) evidence.set(n.text, n);
    if (n.type === 'person') {
      const words = n.canonical.split(' ');
      if (words.length >= 2) {
        const last = words[words.length - 1];
        const before = surnames.get(last);
        // A surname shared by two people named in full is nobody's in particular.
        surnames.set(last, before === undefined || before === n.canonical ? n.canonical : null);
      }
    }
  }
  const out = found.map((n) => refine(n, evidence, surnames));
  for (const seg of headings) out.push(...inHeading(seg, evidence, surnames, lex));
  out.sort((a, b) => a.start - b.start);
  return byNeighbours(text, out);
}

/**
 * Weak names typed by their neighbours: a short form in brackets after a name is the same kind of thing ("Angolan Oil
 * Society (Sonangol)"), and an unknown name of two or three words listed with people is a person ("Desidério Costa,
 * Manuel Africano and Zhang Guobao").
 */
function byNeighbours(text: string, names: FoundName[]): FoundName[] {
  return names.map((n, i) => {
    if (n.confidence >= 0.5) return n;
    const prev = names[i - 1] as FoundName | undefined;
    const next = names[i + 1] as FoundName | undefined;
    if (prev && prev.confidence >= 0.6 && /^[ \u00a0]?\($/.test(text.slice(prev.end, n.start)) && text[n.end] === ')') {
      return { ...n, type: prev.type, confidence: 0.6, reason: `in brackets after ${prev.text}` };
    }
    const listed = (m: FoundName | undefined, gap: string): boolean => m !== undefined && m.type === 'person' && m.confidence >= 0.6 && /^(?:,|,? and|,? or)[ \u00a0]$/.test(gap);
    const words = n.text.split(' ').length;
    if (n.type === 'other' && words >= 2 && words <= 3 && /^\p{Lu}\p{Ll}/u.test(n.text) && (listed(prev, prev ? text.slice(prev.end, n.start) : '') || listed(next, next ? text.slice(n.end, next.start) : ''))) {
      return { ...n, type: 'person', confidence: 0.6, reason: 'listed with people' };
    }
    return n;
  });
}

/** A name's evidence upgraded by the document: a lone surname becomes the person named in full; a weak guess takes
 *  the type of the same spelling found with better evidence elsewhere. */
function refine(n: FoundName, evidence: ReadonlyMap<string, FoundName>, surnames: ReadonlyMap<string, string | null>): FoundName {
  const full = surnames.get(n.text);
  if ((n.type === 'person' || n.confidence < 0.5) && !n.text.includes(' ') && typeof full === 'string' && full !== n.text) {
    return { ...n, type: 'person', canonical: full, confidence: Math.max(n.confidence, 0.8), source: 'rules', reason: `surname of ${full}, named in full in this document` };
  }
  const e = evidence.get(n.text);
  if (e && e.confidence > n.confidence && (e.type !== n.type || n.confidence < 0.5)) {
    return { ...n, type: e.type, canonical: e.canonical, confidence: Math.max(n.confidence, Math.min(e.confidence, 0.7)), source: e.source, reason: `${e.reason} elsewhere in this document` };
  }
  return n;
}

/**
 * Names in a heading, where every word is capitalised and so none is evidence: the longest stretches that the
 * document vouches for elsewhere, surnames of people it names in full, and names of the word lists.
 */
function inHeading(seg: Segment, evidence: ReadonlyMap<string, FoundName>, surnames: ReadonlyMap<string, string | null>, lex: NameLexicon): FoundName[] {
  const out: FoundName[] = [];
  const toks = seg.tokens;
  const text = seg.doc.text;
  const nameAt = (i: number, j: number): FoundName | undefined => {
    const start = toks[i].start;
    const end = toks[j - 1].end;
    const s = text.slice(start, end);
    const e = evidence.get(s);
    if (e) return { ...e, start, end, text: s, confidence: Math.min(e.confidence, 0.75), reason: `${e.reason} elsewhere in this document` };
    const full = j === i + 1 ? surnames.get(s) : undefined;
    if (typeof full === 'string') return { start, end, text: s, type: 'person', canonical: full, confidence: 0.75, source: 'rules', reason: `surname of ${full}, named in full in this document` };
    const g = gazetteer(s, lex) ?? firstNamePerson(toks.slice(i, j), lex) ?? headingOrganisation(toks.slice(i, j), lex);
    return g && { start, end, text: s, type: g.type, canonical: g.canonical ?? s, confidence: g.confidence, source: g.source, reason: g.reason };
  };
  for (let i = 0; i < toks.length; ) {
    let j = Math.min(toks.length, i + 6);
    let hit: FoundName | undefined;
    while (j > i) {
      hit = nameAt(i, j);
      if (hit) break;
      j--;
    }
    if (hit) {
      out.push(hit);
      i = j;
    } else i++;
  }
  return out;
}

interface Evidence {
  type: EntityType;
  canonical?: string;
  confidence: number;
  source: 'compromise' | 'rules';
  reason: string;
}

/** The type of a (non-heading) segment by the strongest evidence that applies. */
function classify(seg: Segment, lex: NameLexicon): FoundName {
  const toks = seg.tokens;
  const s = seg.doc.text.slice(seg.start, seg.end);
  const last = toks[toks.length - 1].lower;
  const make = (e: Evidence): FoundName => ({
    start: seg.start,
    end: seg.end,
    text: s,
    type: e.type,
    canonical: e.canonical ?? s.replace(/\s+/g, ' '),
    confidence: round(e.confidence),
    source: e.source,
    reason: e.reason,
  });
  const g = gazetteer(s, lex);
  if (g) return make(g);
  if (toks.length >= 2 && (lex.orgWords.has(last) || seg.orgHead)) {
    return make({ type: 'organisation', confidence: 0.7, source: 'rules', reason: seg.orgHead ? 'an organisation word with its "of" part' : `ends in the organisation word "${toks[toks.length - 1].text}"` });
  }
  if (seg.placeHead) return make({ type: 'place', confidence: 0.7, source: 'rules', reason: 'a place word with its "of" part' });
  const words = toks.length;
  if (toks.every((t) => t.shape === 'cap') && words <= 4) {
    const p = words >= 2 ? firstNamePerson(toks, lex) : undefined;
    if (p) return make(p);
    if (seg.titleBefore) return make({ type: 'person', confidence: 0.75, source: 'rules', reason: `after the title ${seg.titleBefore}` });
    if (seg.roleAfter) return make({ type: 'person', confidence: 0.7, source: 'rules', reason: `before ", ${seg.roleAfter}"` });
    if (seg.actorBefore && words >= 2) return make({ type: 'person', confidence: 0.7, source: 'rules', reason: `after "${seg.actorBefore}"` });
    if (words <= 3 && lex.lastNames.has(last)) return make({ type: 'person', confidence: words === 1 ? 0.6 : 0.65, source: 'compromise', reason: 'a known surname' });
  }
  if (seg.orgCue) return make({ type: 'organisation', confidence: 0.6, source: 'rules', reason: seg.orgCue });
  if (seg.placeCue && words === 1) return make({ type: 'place', confidence: 0.6, source: 'rules', reason: seg.placeCue });
  if (words === 1 && toks[0].shape === 'upper' && !/\d/.test(toks[0].text)) return make({ type: 'organisation', confidence: 0.5, source: 'rules', reason: 'an acronym' });
  if (words === 1 && toks[0].shape === 'mixed') return make({ type: 'organisation', confidence: 0.4, source: 'rules', reason: 'a camel-case name' });
  if (seg.actorBefore) return make({ type: 'person', confidence: 0.45, source: 'rules', reason: `after "${seg.actorBefore}"` });
  // Capitalised, unknown, and nothing around it says what it names. A sentence's first word is capitalised anyway.
  const confidence = seg.sentenceStart ? 0.2 : words >= 2 ? 0.35 : 0.3;
  return make({ type: 'other', confidence, source: 'rules', reason: seg.sentenceStart ? 'a capitalised word starting a sentence' : 'a capitalised name' });
}

/** A known place, organisation or person for the whole text, by compromise's lists and the abbreviation table. */
function gazetteer(s: string, lex: NameLexicon): Evidence | undefined {
  const abbreviation = ABBREVIATIONS.get(s);
  if (abbreviation) return { type: abbreviation[0], canonical: abbreviation[1], confidence: 0.85, source: 'rules', reason: `the usual abbreviation of ${abbreviation[1]}` };
  const key = lexKey(s);
  // Short list entries are postal and street abbreviations ("ga", "st", "rd"), not names to look for.
  if (key.length < 4 && !/^[A-Z]/.test(s)) return undefined;
  const hit = lex.names.get(key);
  if (!hit) return undefined;
  if (key.length < 4 && hit.type === 'place') return undefined;
  return { type: hit.type, confidence: 0.85, source: 'compromise', reason: `a known ${hit.what}` };
}

/** In a heading, two or more capitalised words ending in an organisation word ("Angola Press Agency"). */
function headingOrganisation(toks: readonly Token[], lex: NameLexicon): Evidence | undefined {
  if (toks.length < 2 || !toks.every((t) => t.shape === 'cap' || t.shape === 'upper') || !lex.orgWords.has(toks[toks.length - 1].lower)) return undefined;
  return { type: 'organisation', confidence: 0.6, source: 'rules', reason: `ends in the organisation word "${toks[toks.length - 1].text}"` };
}

function firstNamePerson(toks: readonly Token[], lex: NameLexicon): Evidence | undefined {
  if (toks.length < 2 || toks.length > 3 || !toks.every((t) => t.shape === 'cap')) return undefined;
  if (!lex.firstNames.has(toks[0].lower)) return undefined;
  const last = toks[toks.length - 1].lower;
  if (lex.orgWords.has(last) || lex.placeWords.has(last) || lex.names.has(last)) return undefined;
  return { type: 'person', confidence: 0.8, source: 'compromise', reason: `starts with the first name ${toks[0].text}` };
}

// ---------------------------------------------------------------------------------------------------------------
// Reading the text: tokens, lines, runs and segments

type Shape = 'cap' | 'upper' | 'mixed' | 'lower' | 'other';

interface Token {
  /** Position among the document's tokens. */
  index: number;
  start: number;
  end: number;
  text: string;
  lower: string;
  shape: Shape;
  line: number;
  /** The first word of a line or sentence, or after a colon: its capital says nothing. */
  sentenceStart: boolean;
  /** A possessive or a lower-case hyphen suffix follows: a name ends here. */
  closes: boolean;
  /** The lower-case hyphen suffix that followed, e.g. "based" in "UK-based". */
  suffix?: string;
}

/** A candidate name: one or more tokens, with what the words around it say. */
interface Segment {
  doc: DocumentScan;
  tokens: Token[];
  start: number;
  end: number;
  heading: boolean;
  /** A single word starting a sentence, which is capitalised anyway. */
  sentenceStart: boolean;
  /** An organisation word heads the name and takes an "of" or "for" part ("Institute of ..."). */
  orgHead: boolean;
  /** A place word heads the name and takes an "of" part ("Republic of Angola"). */
  placeHead?: boolean;
  titleBefore?: string;
  actorBefore?: string;
  roleAfter?: string;
  orgCue?: string;
  placeCue?: string;
}

/** Abbreviations written with a full stop that does not end a sentence. */
const DOTTED = new Set(['st', 'mt', 'ft', 'mr', 'mrs', 'ms', 'dr', 'prof', 'gen', 'sen', 'rep', 'gov', 'jr', 'sr', 'inc', 'corp', 'co', 'ltd', 'lt', 'col', 'capt', 'sgt', 'rev', 'hon']);
/** Words, with inner apostrophes and hyphens ("O'Brien", "Human-Centered"), and dotted initials ("U.S."). */
const TOKEN =
  /(?:\p{Lu}\.){2,}|[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}\p{N}]+)*(?:[-‐][\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}\p{N}]+)*)*/gu;
const PARTICLES = new Set(['da', 'de', 'del', 'della', 'der', 'di', 'du', 'la', 'le', 'van', 'von', 'bin', 'ibn', 'al', 'dos', 'das']);
const SPACE = /^[ \u00a0]$/;
const INITIALS = /^(?:\p{Lu}\.){2,}$/u;

/** The document as tokens, with the lines that look like headings; yields candidate names. */
class DocumentScan {
  readonly tokens: Token[] = [];
  /** Words the document writes in lower case: a capitalised sentence start among them is a common word. */
  private readonly lowerWords = new Set<string>();
  private readonly headingLines = new Set<number>();

  constructor(
    readonly text: string,
    private readonly lex: NameLexicon,
  ) {
    this.scan();
  }

  /** Candidate names, in order. */
  *segments(): Generator<Segment> {
    const toks = this.tokens;
    let i = 0;
    while (i < toks.length) {
      if (!nameLike(toks[i])) {
        i++;
        continue;
      }
      const { run, next, orgHead, placeHead } = this.growRun(i);
      yield* this.split(run, orgHead, placeHead);
      i = next;
    }
  }

  private scan(): void {
    const { text, lex } = this;
    let line = 0;
    let lineStart = 0;
    let prevEnd = 0;
    let capitalised = 0;
    let lowerContent = 0;
    const endLine = (lineEnd: number): void => {
      // A heading: mostly capitalised words, at most one lower-case content word, no full stop at the end.
      const tail = text.slice(lineStart, lineEnd).trimEnd();
      if (capitalised >= 2 && capitalised + lowerContent >= 3 && lowerContent <= 1 && !/[.!?]["”’)]*$/.test(tail)) this.headingLines.add(line);
      capitalised = 0;
      lowerContent = 0;
    };
    const re = new RegExp(TOKEN.source, 'gu');
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const start = m.index;
      const gap = text.slice(prevEnd, start);
      let lineStarts = false;
      for (let nl = gap.indexOf('\n'); nl !== -1; nl = gap.indexOf('\n', nl + 1)) {
        endLine(prevEnd + nl);
        line++;
        lineStart = prevEnd + nl + 1;
        lineStarts = true;
      }
      prevEnd = start + m[0].length;
      const prev = this.tokens[this.tokens.length - 1] as Token | undefined;
      // The full stop of "U.S." may also end a sentence: what follows may be capitalised for either reason.
      const sentenceStart = !prev || lineStarts || /[.!?:;•|]/.test(gap) || (INITIALS.test(prev.text) && SPACE.test(gap));
      let word = m[0];
      let closes = false;
      let suffix: string | undefined;
      const possessive = /^(.*\p{L})['’][sS]$/u.exec(word);
      if (possessive && /^\p{Lu}/u.test(word)) {
        word = possessive[1];
        closes = true;
      }
      const parts = word.split(/[-‐]/);
      if (parts.length > 1 && /^\p{Lu}/u.test(parts[0]) && !TITLES.has(word.toLowerCase())) {
        if (parts.slice(1).every((p) => /^\p{Ll}/u.test(p))) {
          // "UK-based", "English-speaking": the name is the first part.
          suffix = parts.slice(1).join('-').toLowerCase();
          word = parts[0];
          closes = true;
        } else if (parts.every((p) => lex.names.get(lexKey(p))?.type === 'place')) {
          // "Russia-Ukraine": two places, two mentions.
          let at = start;
          for (let k = 0; k < parts.length; k++) {
            this.push(at, parts[k], k === 0 && sentenceStart, true, undefined, line);
            at += parts[k].length + 1;
            capitalised++;
          }
          continue;
        }
      }
      let end = start + word.length;
      if (DOTTED.has(word.toLowerCase()) && text[end] === '.' && !closes && /^\p{Lu}/u.test(word)) {
        end++;
        prevEnd = end;
        word += '.';
      }
      const tok = this.push(start, word, sentenceStart, closes, suffix, line);
      if (tok.shape === 'lower') {
        this.lowerWords.add(tok.lower);
        if (word.length >= 4 && !FUNCTION_WORDS.has(tok.lower)) lowerContent++;
      } else if (tok.shape !== 'other') capitalised++;
    }
    endLine(text.length);
  }

  private push(start: number, word: string, sentenceStart: boolean, closes: boolean, suffix: string | undefined, line: number): Token {
    const t: Token = { index: this.tokens.length, start, end: start + word.length, text: word, lower: word.toLowerCase(), shape: shapeOf(word), line, sentenceStart, closes };
    if (suffix !== undefined) t.suffix = suffix;
    this.tokens.push(t);
    return t;
  }

  /** The run of name-like words from token i: joined by single spaces, "&", and the connectors organisation and
   *  personal names take. */
  private growRun(i: number): { run: Token[]; next: number; orgHead: boolean; placeHead: boolean } {
    const toks = this.tokens;
    const run: Token[] = [toks[i]];
    let orgHead = isOrgHead(toks[i]);
    let placeHead = isPlaceHead(toks[i]);
    let joined = false;
    let inComplement = false;
    let j = i + 1;
    const gapAt = (a: Token, b: Token): string => this.text.slice(a.end, b.start);
    while (j < toks.length && toks[j].line === toks[i].line && !run[run.length - 1].closes) {
      const prev = run[run.length - 1];
      const t = toks[j];
      const gap = gapAt(prev, t);
      if ((SPACE.test(gap) || gap === ' & ') && nameLike(t)) {
        // After initials such as "U.S." a capitalised word may start the next sentence ("... the U.S. Putin said"):
        // only an organisation word continues the name ("U.S. Army").
        if (/\.$/.test(prev.text) && INITIALS.test(prev.text) && !this.lex.orgWords.has(t.lower) && !ORG_HEADS.has(t.lower)) break;
        run.push(t);
        orgHead ||= isOrgHead(t);
        placeHead ||= isPlaceHead(t);
        j++;
        continue;
      }
      if ((SPACE.test(gap) || (gap === ', ' && t.lower === 'and' && orgHead && inComplement)) && t.shape === 'lower') {
        // A connector between capitalised words: "Institute of Physics", "Yakov and Partners", "da Vinci".
        let k = j + 1;
        if ((t.lower === 'of' || t.lower === 'for') && toks[k]?.lower === 'the' && SPACE.test(gapAt(t, toks[k]))) k++;
        const target = toks[k];
        if (target && target.line === t.line && nameLike(target) && SPACE.test(gapAt(toks[k - 1], target))) {
          const ok =
            ((t.lower === 'of' || t.lower === 'for') && orgHead) ||
            (t.lower === 'of' && placeHead && !inComplement) ||
            (t.lower === 'and' && ((orgHead && inComplement) || FIRM_ENDINGS.has(target.lower))) ||
            (PARTICLES.has(t.lower) && run.length <= 2 && run.every((r) => r.shape === 'cap') && target.shape === 'cap');
          if (ok) {
            if (t.lower === 'of' || t.lower === 'for') inComplement = true;
            joined = true;
            run.push(target);
            orgHead ||= isOrgHead(target);
            j = k + 1;
            continue;
          }
        }
      }
      if (orgHead && inComplement && nameLike(t) && gap === ', ' && LIST_TAIL.test(this.text.slice(prev.end, prev.end + 200))) {
        // A list inside the name, ended by "and": "Ministry of Digital Development, Communications, and Mass Media".
        run.push(t);
        j++;
        continue;
      }
      break;
    }
    return { run, next: j, orgHead: orgHead && joined, placeHead: placeHead && joined && !orgHead };
  }

  /** Splits a run at titles and trims what is not part of a name; yields the segments left. */
  private *split(run: Token[], orgHead: boolean, placeHead: boolean): Generator<Segment> {
    const heading = this.headingLines.has(run[0].line);
    // A whole known name is never cut: "General Motors", "Bank of America".
    if (run.length > 1 && (orgHead || placeHead || gazetteer(this.text.slice(run[0].start, run[run.length - 1].end), this.lex))) {
      const seg = this.segment(run, heading, orgHead, undefined);
      if (seg && placeHead) seg.placeHead = true;
      if (seg) yield seg;
      return;
    }
    let part: Token[] = [];
    let title = this.titleBefore(run[0]);
    for (const t of run) {
      if (!isTitle(t)) {
        part.push(t);
        continue;
      }
      if (part.length > 0) {
        const seg = this.segment(part, heading, false, title, t.text);
        if (seg) yield seg;
        title = undefined;
      }
      // "Prime Minister", "Vice President": one title.
      title = title !== undefined && part.length === 0 ? `${title} ${t.text}` : t.text;
      part = [];
    }
    if (part.length > 0) {
      const seg = this.segment(part, heading, false, title);
      if (seg) yield seg;
    }
  }

  private segment(raw: Token[], heading: boolean, orgHead: boolean, titleBefore: string | undefined, titleAfter?: string): Segment | undefined {
    const lex = this.lex;
    let from = 0;
    let to = raw.length;
    // Articles, months and weekdays, and a common word that is capitalised only because it starts the sentence.
    while (from < to && (ARTICLES.has(raw[from].lower) || lex.calendar.has(raw[from].lower) || (raw[from].sentenceStart && this.isCommonStart(raw[from])))) from++;
    while (to > from && lex.calendar.has(raw[to - 1].lower)) to--;
    const toks = raw.slice(from, to);
    if (toks.length === 0) return undefined;
    // Demonyms, generic acronyms and common words are no name by themselves ("Russian", "Western AI").
    if (!orgHead && toks.every((t) => lex.demonyms.has(t.lower) || notAName(t))) return undefined;
    if (toks.length === 1 && toks[0].shape === 'cap' && lex.common.has(toks[0].lower) && !lex.names.has(toks[0].lower)) return undefined;
    const first = toks[0];
    const last = toks[toks.length - 1];
    const seg: Segment = {
      doc: this,
      tokens: toks,
      start: first.start,
      end: last.end,
      heading,
      sentenceStart: toks.length === 1 && first.sentenceStart,
      orgHead,
    };
    if (titleBefore !== undefined && from === 0) seg.titleBefore = titleBefore;
    const before = this.tokens[first.index - 1] as Token | undefined;
    const gapBefore = before ? this.text.slice(before.end, first.start) : '';
    if (before && before.shape === 'lower' && SPACE.test(gapBefore)) {
      // "scientist Alexey Ekimov", "technology giant Yandex".
      if (lex.actors.has(before.lower)) seg.actorBefore = before.text;
      if (ORG_NOUNS.has(before.lower)) seg.orgCue = `after "${before.text}"`;
    }
    if (before && /^,[ \u00a0]$/.test(gapBefore) && !seg.actorBefore) {
      // "the minister of Industry, Vitaly Vovk": a role shortly before the comma.
      for (let k = first.index - 1; k >= Math.max(0, first.index - 4); k--) {
        const t = this.tokens[k];
        if (t.line !== first.line || (k < first.index - 1 && /[,.;:!?()]/.test(this.text.slice(t.end, this.tokens[k + 1].start)))) break;
        if (t.shape === 'lower' && (lex.actors.has(t.lower) || PERSON_ROLES.has(t.lower))) {
          seg.actorBefore = `${t.text} ...,`;
          break;
        }
      }
    }
    // "Author: Lin Zhijia".
    if (before && /^:[ \u00a0]+$/.test(gapBefore) && lex.actors.has(before.lower)) seg.actorBefore = `${before.text}:`;
    if (titleAfter !== undefined && ORG_ROLES.has(titleAfter.toLowerCase())) seg.orgCue = `before "${titleAfter}"`;
    const after = this.tokens[last.index + 1] as Token | undefined;
    const gapAfter = after ? this.text.slice(last.end, after.start) : '';
    if (after && (SPACE.test(gapAfter) || /^['’]s[ \u00a0]$/.test(gapAfter)) && ORG_ROLES.has(after.lower)) seg.orgCue = `before "${gapAfter.trim()}${gapAfter.trim() ? ' ' : ''}${after.text}"`;
    if (after && /^,[ \u00a0]$/.test(gapAfter)) {
      // An apposition: ", head of ...", or a noun phrase whose last word is an organisation noun (", Russia's largest
      // state bank,", ", once a traditional savings bank,").
      const phrase = this.phraseAfter(last);
      const role = phrase.filter((t) => !ARTICLES.has(t.lower)).slice(0, 2).find((t) => t.shape === 'lower' && (lex.actors.has(t.lower) || PERSON_ROLES.has(t.lower)));
      if (role && last.shape === 'cap') seg.roleAfter = role.text;
      const noun = phrase[phrase.length - 1];
      if (!role && toks.length === 1 && phrase.length <= 6 && noun?.shape === 'lower' && ORG_NOUNS.has(noun.lower)) seg.orgCue = `before ", ... ${noun.text}"`;
    }
    if (last.suffix !== undefined && PLACE_SUFFIXES.has(last.suffix)) seg.placeCue = `before "-${last.suffix}"`;
    return seg;
  }

  /** The words after the comma that follows `last`, up to the next punctuation or the end of the line (at most 8). */
  private phraseAfter(last: Token): Token[] {
    const out: Token[] = [];
    for (let k = last.index + 1; k < this.tokens.length && out.length < 8; k++) {
      const t = this.tokens[k];
      if (t.line !== last.line) break;
      if (out.length > 0 && !/^['’]?s?[ \u00a0]+$/.test(this.text.slice(this.tokens[k - 1].end, t.start))) break;
      out.push(t);
    }
    return out;
  }

  /** The title written just before a run ("President" in "President Vladimir Putin" when the run starts later). */
  private titleBefore(first: Token): string | undefined {
    const prev = this.tokens[first.index - 1] as Token | undefined;
    if (!prev || prev.line !== first.line || !SPACE.test(this.text.slice(prev.end, first.start))) return undefined;
    return isTitle(prev) ? prev.text : undefined;
  }

  /** A capitalised sentence start that is a common word: in the word list as one, written in lower case elsewhere in
   *  the document, or ending like one. */
  private isCommonStart(t: Token): boolean {
    if (t.shape !== 'cap') return false;
    const w = t.lower;
    const lex = this.lex;
    if (lex.names.has(w) || lex.firstNames.has(w) || lex.lastNames.has(w)) return false;
    if (lex.common.has(w) || FUNCTION_WORDS.has(w) || this.lowerWords.has(w) || lex.demonyms.has(w)) return true;
    return COMMON_ENDINGS.test(w);
  }
}

function nameLike(t: Token): boolean {
  return t.shape === 'cap' || t.shape === 'upper' || t.shape === 'mixed';
}

function isTitle(t: Token): boolean {
  return TITLES.has(t.lower);
}

/** Words that are never names themselves, though capitalised: generic acronyms, function words. */
function notAName(t: Token): boolean {
  return STOP_ACRONYMS.has(t.text) || FUNCTION_WORDS.has(t.lower);
}

const LIST_TAIL = /^(?:,[ \u00a0]\p{Lu}[\p{L}\p{M}-]*(?:[ \u00a0]\p{Lu}[\p{L}\p{M}-]*)*)+,?[ \u00a0]and[ \u00a0]\p{Lu}/u;

function shapeOf(s: string): Shape {
  if (!/\p{L}/u.test(s)) return 'other';
  const letters = s.replace(/[^\p{L}]/gu, '');
  if (/^\p{Ll}/u.test(letters)) return 'lower';
  if (!/^\p{Lu}/u.test(letters) && !/^\p{Lt}/u.test(letters)) return 'other';
  if (letters.length >= 2 && letters === letters.toUpperCase()) return 'upper';
  if (/\p{Lu}/u.test(letters.slice(1))) return 'mixed';
  return 'cap';
}

/** A place word that can head a name with an "of" part ("Republic of Angola", "Gulf of Mexico"). */
function isPlaceHead(t: Token): boolean {
  return t.shape === 'cap' && PLACE_HEADS.has(t.lower);
}

/** An organisation word that can head a name with an "of" part ("Ministry of ..."). */
function isOrgHead(t: Token): boolean {
  return t.shape === 'cap' && ORG_HEADS.has(t.lower);
}

/** The key of a name in compromise's lists: lower case, hyphens as spaces. */
function lexKey(s: string): string {
  return s.toLowerCase().replace(/[-‐]/g, ' ').replace(/’/g, "'").replace(/\s+/g, ' ').trim();
}

// ---------------------------------------------------------------------------------------------------------------
// Word lists

/** Abbreviations that every English news text uses, with the entity they name. */
const ABBREVIATIONS = new Map<string, readonly [EntityType, string]>([
  ['U.S.', ['place', 'United States']],
  ['US', ['place', 'United States']],
  ['USA', ['place', 'United States']],
  ['U.S.A.', ['place', 'United States']],
  ['UK', ['place', 'United Kingdom']],
  ['U.K.', ['place', 'United Kingdom']],
  ['UAE', ['place', 'United Arab Emirates']],
  ['USSR', ['place', 'Soviet Union']],
  ['EU', ['organisation', 'European Union']],
  ['E.U.', ['organisation', 'European Union']],
  ['UN', ['organisation', 'United Nations']],
  ['U.N.', ['organisation', 'United Nations']],
  ['NATO', ['organisation', 'NATO']],
]);

/** Acronyms that name no entity: kinds of thing, units, roles. */
const STOP_ACRONYMS = new Set([
  'AI', 'AGI', 'ML', 'LLM', 'LLMs', 'NLP', 'GDP', 'GNP', 'CEO', 'CEOs', 'CFO', 'CTO', 'COO', 'GPU', 'GPUs', 'CPU', 'CPUs',
  'IT', 'PR', 'TV', 'PC', 'PCs', 'USB', 'API', 'APIs', 'DNA', 'RNA', 'ID', 'IDs', 'OK', 'PDF', 'FAQ', 'HTML', 'URL',
  'VAT', 'IPO', 'ESG', 'KPI', 'AM', 'PM', 'BC', 'AD', 'CE', 'BCE', 'VR', 'AR', 'IoT', 'HQ', 'R&D', 'Q&A', 'SMS', 'GPS',
  'II', 'III', 'IV', 'VI', 'VII', 'VIII', 'IX', 'XI', 'XII', 'CO2', 'COVID', 'NB', 'PS', 'FY', 'YoY', 'B2B', 'B2C',
  'A', 'I', 'O',
  // Currency codes: units of figures, not entities.
  'USD', 'EUR', 'GBP', 'RUB', 'RUR', 'CNY', 'RMB', 'JPY', 'INR', 'CHF', 'CAD', 'AUD', 'HKD', 'KRW', 'BRL', 'ZAR', 'MXN', 'TRY', 'SEK', 'NOK', 'DKK', 'PLN', 'AOA', 'NGN', 'KES', 'EGP', 'SAR', 'AED', 'SGD',
]);

/** Titles before a person's name; they are not part of it. */
const TITLES = new Set([
  'president', 'president-elect', 'vice', 'premier', 'chancellor', 'minister', 'secretary', 'senator', 'sen', 'sen.',
  'governor', 'gov', 'gov.', 'mayor', 'king', 'queen', 'prince', 'princess', 'pope', 'emperor', 'general', 'gen',
  'gen.', 'colonel', 'col', 'col.', 'captain', 'capt', 'capt.', 'lieutenant', 'admiral', 'sergeant', 'judge',
  'justice', 'ambassador', 'chairman', 'chairwoman', 'ceo', 'cfo', 'cto', 'mr', 'mr.', 'mrs', 'mrs.', 'ms', 'ms.',
  'miss', 'dr', 'dr.', 'prof', 'prof.', 'professor', 'sir', 'dame', 'lord', 'lady', 'rev', 'rev.', 'reverend',
  'sheikh', 'emir', 'sultan', 'ayatollah', 'rep', 'rep.', 'representative', 'congressman', 'congresswoman', 'prime',
  'deputy', 'acting', 'spokesman', 'spokeswoman', 'commissioner', 'director', 'founder', 'chief', 'patriarch',
]);

/** Nouns for roles of people, in an apposition after a name (", head of the ministry"). */
const PERSON_ROLES = new Set(['head', 'leader', 'founder', 'chief', 'director', 'spokesman', 'spokeswoman', 'spokesperson', 'chairman', 'chairwoman', 'deputy', 'minister', 'president', 'professor', 'researcher', 'scientist', 'author', 'editor']);

/** Words after a name that make it an organisation's: "Sberbank CEO", "Google's founder". */
const ORG_ROLES = new Set(['ceo', 'cfo', 'cto', 'chairman', 'chairwoman', 'founder', 'co-founder', 'spokesman', 'spokeswoman', 'spokesperson', 'shareholders', 'shares', 'employees', 'headquarters', 'subsidiary', 'leadership', 'board']);

/** Nouns for organisations, before a name ("technology giant Yandex") or in an apposition after it. */
const ORG_NOUNS = new Set([
  'company', 'companies', 'firm', 'bank', 'lender', 'consultancy', 'agency', 'group', 'giant', 'conglomerate',
  'corporation', 'publisher', 'newspaper', 'broadcaster', 'outlet', 'startup', 'start-up', 'manufacturer', 'maker',
  'carrier', 'operator', 'institution', 'organisation', 'organization', 'regulator', 'ministry', 'party', 'insurer',
  'retailer', 'producer', 'supplier', 'developer', 'automaker', 'chipmaker', 'airline', 'university', 'charity',
  'nonprofit', 'non-profit', 'think-tank', 'tank', 'exchange', 'fund', 'club', 'team', 'union', 'alliance', 'bloc',
]);

/** Hyphen suffixes after a place name ("UK-based"). */
const PLACE_SUFFIXES = new Set(['based', 'born', 'made', 'bound', 'wide']);

/** Words that end a firm's name after "and": "Yakov and Partners", "Johnson and Sons". */
const FIRM_ENDINGS = new Set(['partners', 'sons', 'associates', 'company', 'co', 'co.', 'brothers']);

/** Organisation words that can head a name with an "of"/"for" part. */
const ORG_HEADS = new Set([
  'ministry', 'department', 'institute', 'institution', 'university', 'universities', 'academy', 'school', 'college',
  'bank', 'agency', 'office', 'council', 'committee', 'commission', 'federation', 'association', 'society',
  'foundation', 'bureau', 'court', 'centre', 'center', 'organisation', 'organization', 'union', 'party', 'board',
  'authority', 'directorate', 'museum', 'library', 'chamber', 'league', 'alliance', 'network', 'corporation',
  'company', 'service', 'administration', 'house', 'senate', 'parliament', 'assembly', 'secretariat', 'observatory',
  'laboratory', 'hospital', 'church',
]);

/** Place words that can head a name with an "of" part. */
const PLACE_HEADS = new Set(['republic', 'kingdom', 'state', 'states', 'province', 'city', 'region', 'island', 'islands', 'isle', 'gulf', 'bay', 'sea', 'emirate', 'principality', 'commonwealth', 'county', 'district', 'strait', 'straits', 'cape', 'lake', 'mount', 'river', 'valley', 'port']);

const ARTICLES = new Set(['the', 'a', 'an']);

/** Short words that carry no content: they neither make a line look like prose nor start names. */
const FUNCTION_WORDS = new Set([
  'the', 'a', 'an', 'of', 'to', 'in', 'on', 'at', 'by', 'for', 'from', 'with', 'and', 'or', 'but', 'nor', 'as', 'than',
  'that', 'this', 'these', 'those', 'it', 'its', 'is', 'are', 'was', 'were', 'be', 'been', 'has', 'have', 'had', 'do',
  'does', 'did', 'will', 'would', 'can', 'could', 'may', 'might', 'must', 'shall', 'should', 'not', 'no', 'about',
  'into', 'onto', 'over', 'under', 'after', 'before', 'since', 'until', 'while', 'if', 'so', 'also', 'only', 'just',
  'what', 'when', 'where', 'why', 'how', 'who', 'which', 'whom', 'whose', 'we', 'they', 'he', 'she', 'you', 'i', 'our',
  'your', 'their', 'his', 'her', 'my', 'here', 'there', 'then', 'all', 'some', 'any', 'each', 'every', 'more', 'most',
  'such', 'other', 'many', 'much', 'very', 'via', 'per', 'up', 'out', 'off', 'see', 'read', 'new',
]);

/** Endings of common words, for capitalised sentence starts that no list knows ("Currently", "Recognizing"). */
const COMMON_ENDINGS = /(?:ly|ing|ings|ed|tion|tions|sion|sions|ment|ments|ness|ity|ities|ive|ives|ous|ful|less|able|ible|ism|ize|ise|izes|ises|ized|ised|ance|ence|ship|ward|wards)$/;

/** Demonyms compromise does not list as such. */
const EXTRA_DEMONYMS = ['english', 'british', 'soviet', 'western', 'eastern', 'northern', 'southern', 'arab', 'arabic', 'irish', 'nordic', 'baltic', 'slavic', 'latin', 'scandinavian', 'european', 'asian', 'african', 'american', 'muslim', 'christian', 'jewish', 'catholic'];

/** Organisation words that end many title-case phrases that are not organisations. */
const WEAK_ORG_WORDS = ['conference', 'development', 'education', 'data', 'design', 'care', 'power', 'international', 'community', 'management', 'marketing', 'systems', 'service', 'services', 'capital', 'energy', 'mobile', 'military', 'investment', 'investments', 'markets', 'resources', 'financial', 'government', 'estate', 'marine', 'coffee', 'pizza', 'boys', 'girls', 'crew', 'collective', 'enterprise', 'electric', 'oil', 'gas', 'petrol', 'optical', 'interstate', 'comprehensive', 'containers', 'machines', 'computers', 'chemicals', 'drilling', 'brands', 'workers', 'post', 'press', 'reserve', 'subsidiary', 'utilities', 'entertainment', 'telecommunications', 'communications', 'television', 'radio', 'productions'];

interface NameHit {
  type: EntityType;
  what: string;
}

interface NameLexicon {
  /** Whole names (lower case, hyphens as spaces) of places, organisations and people. */
  names: Map<string, NameHit>;
  firstNames: Set<string>;
  lastNames: Set<string>;
  demonyms: Set<string>;
  /** Words with only common-word tags (verbs, adjectives, nouns, function words ...). */
  common: Set<string>;
  actors: Set<string>;
  calendar: Set<string>;
  orgWords: Set<string>;
  placeWords: Set<string>;
}

/** The parts of compromise's model this module reads (its type declarations say only `object`). */
interface CompromiseModel {
  one: { lexicon: Record<string, string | string[]> };
  two: { orgWords: Record<string, unknown>; placeWords: Record<string, unknown> };
}

let cachedLexicon: NameLexicon | undefined;

/** compromise's word lists, loaded at the first suggestion (about 0.3-0.5 s) rather than when the extension starts. */
function lexicon(): NameLexicon {
  if (cachedLexicon) return cachedLexicon;
  // A lazy require keeps the library off the activation path; it is bundled like any other import.
  const nlp = require('compromise/two') as { model(): object };
  const model = nlp.model() as CompromiseModel;
  const lex: NameLexicon = {
    names: new Map(),
    firstNames: new Set(),
    lastNames: new Set(),
    demonyms: new Set(EXTRA_DEMONYMS),
    common: new Set(),
    actors: new Set(),
    calendar: new Set(),
    orgWords: new Set(Object.keys(model.two.orgWords)),
    placeWords: new Set(Object.keys(model.two.placeWords)),
  };
  for (const w of WEAK_ORG_WORDS) lex.orgWords.delete(w);
  for (const w of ['ministry', 'university', 'universities', 'academy', 'alliance', 'network', 'institute', 'bank', 'partners', 'media', 'times']) lex.orgWords.add(w);
  const NAME_TAGS = new Set(['Country', 'City', 'Region', 'Place', 'Organization', 'SportsTeam', 'Person', 'MaleName', 'FemaleName', 'FirstName', 'LastName', 'ProperNoun', 'Demonym']);
  for (const [word, value] of Object.entries(model.one.lexicon)) {
    const tags = Array.isArray(value) ? value : [value];
    const has = (t: string): boolean => tags.includes(t);
    if (has('Country')) lex.names.set(word, { type: 'place', what: 'country' });
    else if (has('City')) lex.names.set(word, { type: 'place', what: 'city' });
    else if (has('Region')) lex.names.set(word, { type: 'place', what: 'region' });
    else if (has('Place')) lex.names.set(word, { type: 'place', what: 'place' });
    else if (has('Organization') || has('SportsTeam')) lex.names.set(word, { type: 'organisation', what: 'organisation' });
    else if (has('Person')) lex.names.set(word, { type: 'person', what: 'person' });
    if (has('MaleName') || has('FemaleName') || has('FirstName')) lex.firstNames.add(word);
    if (has('LastName')) lex.lastNames.add(word);
    if (has('Demonym')) lex.demonyms.add(word);
    if (has('Actor')) lex.actors.add(word);
    if (has('Month') || has('WeekDay')) lex.calendar.add(word);
    if (!tags.some((t) => NAME_TAGS.has(t))) lex.common.add(word);
  }
  for (const m of ['jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']) lex.calendar.add(m);
  cachedLexicon = lex;
  return lex;
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

interface Span {
  start: number;
  end: number;
}

/** Overlap tests against many spans in constant time each, by marking the covered code units. */
class SpanSet {
  private readonly covered: Uint8Array;

  constructor(spans: readonly Span[], length: number) {
    this.covered = new Uint8Array(length);
    for (const s of spans) {
      const from = Math.max(0, Math.floor(s.start));
      this.covered.fill(1, from, Math.max(from, Math.min(length, Math.ceil(s.end))));
    }
  }

  overlaps(start: number, end: number): boolean {
    for (let i = start; i < end; i++) if (this.covered[i] === 1) return true;
    return false;
  }
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
