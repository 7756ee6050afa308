// Finding where the entities of the register are named in a text: whole words, possessives outside, longest first,
// for "tag all mentions" and suggestions. Offsets are UTF-16 code units, half-open [start, end).
import type { Span } from '../model';
import type { Entity, EntityRegister } from '../store';

/** A place in a document where a name of an entity is written. */
export interface Mention {
  start: number;
  end: number;
  /** The text as written there (the name or alias, in the document's spacing and apostrophes). */
  matched: string;
}

/** A mention found by findRegisterMentions: which entity it names. */
export interface RegisterMention extends Mention {
  entity: Entity;
}

export interface FindMentionsOptions {
  /**
   * Spans already tagged: a candidate overlapping any of them is skipped. Pass the spans of the entity's annotations
   * in the document (or of all its entity annotations, to avoid tagging a name inside another tagged name).
   */
  existing?: readonly Span[];
  /** Match names whatever their case (default false: "Apple" the company is not "apple" the fruit). */
  ignoreCase?: boolean;
}

/**
 * Every place in `text` where the entity's name or one of its aliases is written, for a "tag all mentions" preview;
 * nothing is stored. Rules:
 * - whole words only, by Unicode letters, marks and digits: "Putin" is not found in "Putinism", "Russia" not in
 *   "Russian", "Ан" not in "Анна"; names in scripts written without spaces (Chinese, Japanese, Thai, ...) match
 *   anywhere;
 * - a possessive stays outside the mention: "Putin's" and "Putin’s" give "Putin"; any other apostrophe joined to a
 *   word ("O'Brien") is part of that word, so "Brien" is not found there;
 * - case-sensitive unless `ignoreCase`; a space in a name matches any run of white space (a name may wrap across a
 *   line), and ' and ’ match each other;
 * - longest first and never overlapping: where "Vladimir Putin" is written, the alias "Putin" is not also found;
 * - nothing that overlaps an `existing` span.
 * Sorted by position.
 */
export function findMentions(text: string, entity: Entity, options: FindMentionsOptions = {}): Mention[] {
  return findRegisterMentions(text, { entities: [entity] }, options).map(({ start, end, matched }) => ({ start, end, matched }));
}

/** findMentions for every entity of a register at once, in one pass over the text (as suggestions need). Where two
 *  entities' names overlap, the longer match wins; for equal lengths, the earlier one, then register order. */
export function findRegisterMentions(text: string, reg: EntityRegister, options: FindMentionsOptions = {}): RegisterMention[] {
  const matcher = new NameMatcher(reg.entities, options.ignoreCase === true);
  const candidates = matcher.candidates(text);
  if (candidates.length === 0) return [];
  candidates.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start || a.order - b.order);
  // One byte per code unit marks what is taken: checking a candidate costs its own length, so even 100,000 mentions
  // in a 1 MB document are placed in linear time.
  const taken = new Uint8Array(text.length);
  for (const s of options.existing ?? []) {
    const from = Math.max(0, Math.floor(s.start));
    const to = Math.min(text.length, Math.ceil(s.end));
    taken.fill(1, from, Math.max(from, to));
  }
  const out: RegisterMention[] = [];
  next: for (const c of candidates) {
    for (let i = c.start; i < c.end; i++) if (taken[i] === 1) continue next;
    taken.fill(1, c.start, c.end);
    out.push({ start: c.start, end: c.end, matched: text.slice(c.start, c.end), entity: c.entity });
  }
  return out.sort((a, b) => a.start - b.start);
}

interface Candidate {
  start: number;
  end: number;
  entity: Entity;
  order: number;
}

interface NamePattern {
  re: RegExp;
  entity: Entity;
  order: number;
  /** False for names whose first (last) character belongs to a script written without spaces. */
  startBoundary: boolean;
  endBoundary: boolean;
}

const WORD_CHAR = /[\p{L}\p{M}\p{N}]/u;
const WORD_RUN = /[\p{L}\p{M}\p{N}]+/gu;
const APOSTROPHE = /['’]/;
/** Scripts written without spaces between words, where a word boundary cannot be asked for. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}\p{Script=Tibetan}]/u;

/**
 * Matches many names at once. Names are indexed by their first word, so the text is read once, word by word, and a
 * name is only tried where its first word stands: the cost grows with the text, not with the size of the register.
 * Names that do not start with a word of a spaced script are searched for separately (there are few).
 */
class NameMatcher {
  private readonly byFirstWord = new Map<string, NamePattern[]>();
  private readonly others: NamePattern[] = [];

  constructor(entities: readonly Entity[], ignoreCase: boolean) {
    let order = 0;
    for (const entity of entities) {
      for (const name of [entity.name, ...entity.aliases]) {
        if (name.trim() === '') continue;
        const first = firstChar(name);
        const last = lastChar(name);
        const p: NamePattern = {
          re: new RegExp(namePattern(name), ignoreCase ? 'iuy' : 'uy'),
          entity,
          order: order++,
          startBoundary: WORD_CHAR.test(first) && !UNSPACED.test(first),
          endBoundary: WORD_CHAR.test(last) && !UNSPACED.test(last),
        };
        WORD_RUN.lastIndex = 0;
        const m = WORD_RUN.exec(name);
        if (p.startBoundary && m && m.index === 0) {
          const key = m[0].toLowerCase();
          const list = this.byFirstWord.get(key) ?? [];
          list.push(p);
          this.byFirstWord.set(key, list);
        } else {
          this.others.push(p);
        }
      }
    }
  }

  candidates(text: string): Candidate[] {
    const out: Candidate[] = [];
    if (this.byFirstWord.size > 0) {
      const words = new RegExp(WORD_RUN.source, 'gu');
      for (let m = words.exec(text); m; m = words.exec(text)) {
        const list = this.byFirstWord.get(m[0].toLowerCase());
        if (!list) continue;
        // A word glued to a letter by an apostrophe ("O'Brien") continues that word.
        if (m.index >= 2 && APOSTROPHE.test(text[m.index - 1]) && WORD_CHAR.test(charBefore(text, m.index - 1))) continue;
        for (const p of list) this.tryAt(text, m.index, p, out);
      }
    }
    for (const p of this.others) {
      for (let i = 0; i < text.length; i++) {
        if (this.tryAt(text, i, p, out)) i = out[out.length - 1].end - 1;
      }
    }
    return out;
  }

  private tryAt(text: string, at: number, p: NamePattern, out: Candidate[]): boolean {
    p.re.lastIndex = at;
    const m = p.re.exec(text);
    if (!m || m[0].length === 0) return false;
    const end = at + m[0].length;
    if (p.startBoundary && at > 0 && WORD_CHAR.test(charBefore(text, at))) return false;
    if (p.endBoundary && !endsWord(text, end)) return false;
    out.push({ start: at, end, entity: p.entity, order: p.order });
    return true;
  }
}

/** True when a name ending at `end` ends a word there: what follows is no letter or digit, or is a possessive. */
function endsWord(text: string, end: number): boolean {
  if (end >= text.length) return true;
  const next = charAtPoint(text, end);
  if (WORD_CHAR.test(next)) return false;
  if (!APOSTROPHE.test(next) || end + 1 >= text.length || !WORD_CHAR.test(charAtPoint(text, end + 1))) return true;
  // "Putin's" and "Putin’s" end the name; "Putin'sky" or "O'Brien"-style joins do not.
  return (text[end + 1] === 's' || text[end + 1] === 'S') && (end + 2 >= text.length || !WORD_CHAR.test(charAtPoint(text, end + 2)));
}

function namePattern(name: string): string {
  let out = '';
  for (const part of name.trim().split(/(\s+|['’])/u)) {
    if (part === '') continue;
    if (/^\s+$/u.test(part)) out += '\\s+';
    else if (part === "'" || part === '’') out += "['’]";
    else out += part.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
  }
  return out;
}

function firstChar(s: string): string {
  return String.fromCodePoint(s.codePointAt(0) ?? 0);
}

function lastChar(s: string): string {
  const c = s.charCodeAt(s.length - 1);
  return c >= 0xdc00 && c <= 0xdfff && s.length >= 2 ? s.slice(-2) : s.slice(-1);
}

function charAtPoint(text: string, i: number): string {
  return String.fromCodePoint(text.codePointAt(i) ?? 0);
}

function charBefore(text: string, i: number): string {
  const c = text.charCodeAt(i - 1);
  return c >= 0xdc00 && c <= 0xdfff && i >= 2 ? text.slice(i - 2, i) : text.slice(i - 1, i);
}
