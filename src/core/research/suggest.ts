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
//   rules read it in a fraction of a second. The rules are in names.ts (findNames), the word lists in nameLexicon.ts.
//   English prose only.
import { ENTITY_KIND, findEntity, type Entity, type EntityRegister } from '../store';
import { boilerplateLines } from './boilerplate';
import { findRegisterMentions } from './entityMatch';
import { findFigures, formatFigure, type FigureCandidate } from './figures';
import type { EntityType, Span } from '../model';
import { findNames, roundConfidence } from './names';

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
  /** Also suggest in navigation and boilerplate lines (default false: see boilerplate.ts). */
  boilerplate?: boolean;
}

/**
 * The default confidence floor. It keeps suggestions that have evidence (a word list, a title, an organisation word,
 * the register) and leaves out bare capitalised words of unknown kind, which are as often products, events or
 * headings as names; pass 0 to see those too (as type 'other').
 */
export const DEFAULT_MIN_CONFIDENCE = 0.5;

/**
 * Candidate figures and entities for `text`, every mention, sorted by position (then kind); groupSuggestions gathers
 * the mentions of each candidate. Suggestions of one kind never overlap each other or an existing annotation of that
 * kind; a figure and an entity may overlap. Navigation and boilerplate lines give none (boilerplate.ts).
 */
export function suggest(text: string, options: SuggestOptions = {}): Suggestion[] {
  const kinds = new Set(options.kinds ?? ['figure', 'entity']);
  const min = options.minConfidence ?? DEFAULT_MIN_CONFIDENCE;
  const existing = options.existing ?? [];
  const boilerplate = new SpanSet(options.boilerplate === true ? [] : boilerplateLines(text), text.length);
  const keep = (s: Suggestion): boolean => s.confidence >= min && !boilerplate.overlaps(s.start, s.end);
  const out: Suggestion[] = [];
  if (kinds.has('figure')) {
    const taken = new SpanSet(
      existing.filter((a) => a.kind === 'figure').map((a) => a.target),
      text.length,
    );
    for (const c of findFigures(text)) {
      const s = figureSuggestion(text, c, options.years === true);
      if (s && keep(s) && !taken.overlaps(s.start, s.end)) out.push(s);
    }
  }
  if (kinds.has('entity')) {
    const taken = existing.filter((a) => a.kind === ENTITY_KIND).map((a) => a.target);
    for (const s of entitySuggestions(text, options.register, taken)) if (keep(s)) out.push(s);
  }
  return out.sort((a, b) => a.start - b.start || a.end - b.end || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
}

/** One candidate of a document with all its mentions: a name or a figure is offered once, however often written. */
export interface SuggestionGroup {
  /** Stable within one call: kind, then the entity's type and canonical name, or the figure's text, value and unit. */
  key: string;
  /** The mentions in document order; the first is the one offered. */
  mentions: Suggestion[];
}

/**
 * Groups suggestions (as suggest returns them) by candidate: an entity by its type and canonical name ("Putin" and
 * "Vladimir Putin" are one person), a figure by its text, value and unit ("billions of dollars" three times). Groups
 * are in the order of their first mentions.
 */
export function groupSuggestions(suggestions: readonly Suggestion[]): SuggestionGroup[] {
  const groups = new Map<string, SuggestionGroup>();
  for (const s of suggestions) {
    const key = groupKey(s);
    const g = groups.get(key);
    if (g) g.mentions.push(s);
    else groups.set(key, { key, mentions: [s] });
  }
  return [...groups.values()];
}

function groupKey(s: Suggestion): string {
  if (s.kind === 'entity') return ['entity', s.attributes.type, s.attributes.canonical.toLowerCase()].join('\u0000');
  return ['figure', s.text.toLowerCase().replace(/\s+/g, ' '), s.attributes.value, s.attributes.unit ?? ''].join('\u0000');
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
    confidence: roundConfidence(confidence),
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

// ---------------------------------------------------------------------------------------------------------------
// Helpers

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
