// Finding names: people, organisations and places named in English prose, by the word lists of nameLexicon.ts
// and rules over runs of capitalised words (see findNames). Offsets are UTF-16 code units, half-open [start, end).
import type { EntityType } from '../model';
import {
  ABBREVIATIONS,
  ARTICLES,
  COMMON_ENDINGS,
  DOTTED,
  FIRM_ENDINGS,
  FUNCTION_WORDS,
  ORG_HEADS,
  ORG_NOUNS,
  ORG_ROLES,
  PARTICLES,
  PERSON_ROLES,
  PLACE_HEADS,
  PLACE_SUFFIXES,
  STOP_ACRONYMS,
  TITLES,
  lexicon,
  type NameLexicon,
} from './nameLexicon';

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
    const listed = (m: FoundName | undefined, gap: string): boolean =>
      m !== undefined && m.type === 'person' && m.confidence >= 0.6 && /^(?:,|,? and|,? or)[ \u00a0]$/.test(gap);
    const words = n.text.split(' ').length;
    const nextToPerson = listed(prev, prev ? text.slice(prev.end, n.start) : '') || listed(next, next ? text.slice(n.end, next.start) : '');
    if (n.type === 'other' && words >= 2 && words <= 3 && /^\p{Lu}\p{Ll}/u.test(n.text) && nextToPerson) {
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
    return {
      ...n,
      type: 'person',
      canonical: full,
      confidence: Math.max(n.confidence, 0.8),
      source: 'rules',
      reason: `surname of ${full}, named in full in this document`,
    };
  }
  const e = evidence.get(n.text);
  if (e && e.confidence > n.confidence && (e.type !== n.type || n.confidence < 0.5)) {
    return {
      ...n,
      type: e.type,
      canonical: e.canonical,
      confidence: Math.max(n.confidence, Math.min(e.confidence, 0.7)),
      source: e.source,
      reason: `${e.reason} elsewhere in this document`,
    };
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
    if (typeof full === 'string')
      return {
        start,
        end,
        text: s,
        type: 'person',
        canonical: full,
        confidence: 0.75,
        source: 'rules',
        reason: `surname of ${full}, named in full in this document`,
      };
    const g = gazetteer(s, lex) ?? firstNamePerson(toks.slice(i, j), lex) ?? headingOrganisation(toks.slice(i, j), lex);
    return g && { start, end, text: s, type: g.type, canonical: g.canonical ?? s, confidence: g.confidence, source: g.source, reason: g.reason };
  };
  for (let i = 0; i < toks.length;) {
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
    confidence: roundConfidence(e.confidence),
    source: e.source,
    reason: e.reason,
  });
  const g = gazetteer(s, lex);
  if (g) return make(g);
  if (toks.length >= 2 && (lex.orgWords.has(last) || seg.orgHead)) {
    const reason = seg.orgHead ? 'an organisation word with its "of" part' : `ends in the organisation word "${toks[toks.length - 1].text}"`;
    return make({ type: 'organisation', confidence: 0.7, source: 'rules', reason });
  }
  if (seg.placeHead) return make({ type: 'place', confidence: 0.7, source: 'rules', reason: 'a place word with its "of" part' });
  const words = toks.length;
  if (toks.every((t) => t.shape === 'cap') && words <= 4) {
    const p = words >= 2 ? firstNamePerson(toks, lex) : undefined;
    if (p) return make(p);
    if (seg.titleBefore) return make({ type: 'person', confidence: 0.75, source: 'rules', reason: `after the title ${seg.titleBefore}` });
    if (seg.roleAfter) return make({ type: 'person', confidence: 0.7, source: 'rules', reason: `before ", ${seg.roleAfter}"` });
    if (seg.actorBefore && words >= 2) return make({ type: 'person', confidence: 0.7, source: 'rules', reason: `after "${seg.actorBefore}"` });
    if (words <= 3 && lex.lastNames.has(last))
      return make({ type: 'person', confidence: words === 1 ? 0.6 : 0.65, source: 'compromise', reason: 'a known surname' });
  }
  if (seg.orgCue) return make({ type: 'organisation', confidence: 0.6, source: 'rules', reason: seg.orgCue });
  if (seg.placeCue && words === 1) return make({ type: 'place', confidence: 0.6, source: 'rules', reason: seg.placeCue });
  if (words === 1 && toks[0].shape === 'upper' && !/\d/.test(toks[0].text))
    return make({ type: 'organisation', confidence: 0.5, source: 'rules', reason: 'an acronym' });
  if (words === 1 && toks[0].shape === 'mixed') return make({ type: 'organisation', confidence: 0.4, source: 'rules', reason: 'a camel-case name' });
  if (seg.actorBefore) return make({ type: 'person', confidence: 0.45, source: 'rules', reason: `after "${seg.actorBefore}"` });
  // Capitalised, unknown, and nothing around it says what it names. A sentence's first word is capitalised anyway.
  const confidence = seg.sentenceStart ? 0.2 : words >= 2 ? 0.35 : 0.3;
  return make({ type: 'other', confidence, source: 'rules', reason: seg.sentenceStart ? 'a capitalised word starting a sentence' : 'a capitalised name' });
}

/** A known place, organisation or person for the whole text, by compromise's lists and the abbreviation table. */
function gazetteer(s: string, lex: NameLexicon): Evidence | undefined {
  const abbreviation = ABBREVIATIONS.get(s);
  if (abbreviation)
    return { type: abbreviation[0], canonical: abbreviation[1], confidence: 0.85, source: 'rules', reason: `the usual abbreviation of ${abbreviation[1]}` };
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

/** Words, with inner apostrophes and hyphens ("O'Brien", "Human-Centered"), and dotted initials ("U.S."). */
const TOKEN = /(?:\p{Lu}\.){2,}|[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}\p{N}]+)*(?:[-‐][\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}\p{N}]+)*)*/gu;
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
    const t: Token = {
      index: this.tokens.length,
      start,
      end: start + word.length,
      text: word,
      lower: word.toLowerCase(),
      shape: shapeOf(word),
      line,
      sentenceStart,
      closes,
    };
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
    while (from < to && (ARTICLES.has(raw[from].lower) || lex.calendar.has(raw[from].lower) || (raw[from].sentenceStart && this.isCommonStart(raw[from]))))
      from++;
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
    if (after && (SPACE.test(gapAfter) || /^['’]s[ \u00a0]$/.test(gapAfter)) && ORG_ROLES.has(after.lower))
      seg.orgCue = `before "${gapAfter.trim()}${gapAfter.trim() ? ' ' : ''}${after.text}"`;
    if (after && /^,[ \u00a0]$/.test(gapAfter)) {
      // An apposition: ", head of ...", or a noun phrase whose last word is an organisation noun (", Russia's largest
      // state bank,", ", once a traditional savings bank,").
      const phrase = this.phraseAfter(last);
      const role = phrase
        .filter((t) => !ARTICLES.has(t.lower))
        .slice(0, 2)
        .find((t) => t.shape === 'lower' && (lex.actors.has(t.lower) || PERSON_ROLES.has(t.lower)));
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

/** Confidences are given to two decimals. */
export function roundConfidence(x: number): number {
  return Math.round(x * 100) / 100;
}
