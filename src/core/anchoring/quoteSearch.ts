// Finding a quote (exact text plus prefix/suffix context) in a text without knowing how the text changed, the way
// Hypothesis anchors a TextQuoteSelector: exact occurrences first, approximate ones (approx-string-match, Myers'
// bit-parallel search) when there are none worth taking, each scored on the quote, its context and its distance
// from where it used to be. Unlike Hypothesis we also look for approximate matches near the old position when the
// exact occurrences have the wrong context (a duplicated paragraph elsewhere must not beat the edited original),
// and we refuse matches below a minimum score: an orphan is better than a wrong place.
import search from 'approx-string-match';
import type { TextQuote } from '../model';

export interface QuoteMatch {
  start: number;
  end: number;
  /** Edit distance between the quote and text[start, end) (0 for an exact occurrence). */
  errors: number;
  /** 0..1, from the quote and its context alone: what acceptance is decided on. */
  score: number;
  /** score with the distance to the hint folded in: what candidates are ranked by. */
  rank: number;
  /** Mean similarity (0..1) of the text around the match to the stored prefix and suffix. */
  context: number;
}

export interface QuoteSearchOptions {
  /** Where the quote started in the text it was taken from. */
  hint?: number;
  /** Candidates must score at least this (default {@link MIN_QUOTE_SCORE}). */
  minScore?: number;
  /** Only candidates this returns true for are considered (e.g. "lies in text the diff inserted"). */
  accept?: (start: number, end: number) => boolean;
  /** Search only these [from, to) ranges of the text (sorted, not overlapping); default: all of it. */
  within?: ReadonlyArray<readonly [number, number]>;
  /** At most this many candidates are returned, best first (default 3). */
  limit?: number;
}

// Weights as in Hypothesis's match-quote (quote 50, prefix 20, suffix 20), but position gets its own, stronger,
// scale: in a text with repeated passages it is the only thing telling identical candidates apart.
const QUOTE_WEIGHT = 50;
const PREFIX_WEIGHT = 20;
const SUFFIX_WEIGHT = 20;
const POSITION_WEIGHT = 30;
/** Distance from the hint (UTF-16 units) at which the position score halves. */
const POSITION_SCALE = 1000;
/** Minimum normalised quote+context score to accept a candidate. An exact quote with no matching context scores
 *  0.56; an approximate one needs most of its context, e.g. 70 % of the quote with 75 % of the context. */
export const MIN_QUOTE_SCORE = 0.65;
/** Quotes at least this long are evidence enough on their own; shorter ones need context. */
const SELF_EVIDENT_LENGTH = 32;
/** Mean context similarity a shorter quote needs (unrelated English text scores about 0.3–0.4). */
const MIN_SHORT_QUOTE_CONTEXT = 0.5;
/** Beyond this distance from the hint (UTF-16 units) a candidate needs FAR_MIN_SCORE. */
const FAR_FROM_HINT = 1000;
const FAR_MIN_SCORE = 0.9;
/** Approximate search looks this far around the hint before searching the whole text. */
const WINDOW = 4096;
/** Beyond this many exact occurrences only the best by a cheap context check are fully scored. */
const MAX_SCORED = 32;

/** Candidate positions of `quote` in `text`, best first; empty when nothing scores at least the minimum. */
export function searchQuote(text: string, quote: TextQuote, options: QuoteSearchOptions = {}): QuoteMatch[] {
  const exact = quote.exact;
  if (exact.length === 0) return [];
  const minScore = options.minScore ?? MIN_QUOTE_SCORE;
  const accept = options.accept ?? (() => true);
  const limit = options.limit ?? 3;
  const hint = options.hint;

  // Fast path: still at the old position, context intact.
  if (
    hint !== undefined &&
    text.startsWith(exact, hint) &&
    text.endsWith(quote.prefix, hint) &&
    text.startsWith(quote.suffix, hint + exact.length) &&
    accept(hint, hint + exact.length)
  ) {
    return [{ start: hint, end: hint + exact.length, errors: 0, score: 1, rank: 1, context: 1 }];
  }

  // A short quote ("the", "AI") occurs everywhere: without most of its context it says nothing about where it is.
  // Far from where it was, a match is more often a copy of a deleted passage than the passage moved: it must then
  // match with nearly all its context (unless the caller restricts candidates itself, as to text a diff inserted).
  const acceptable = (c: QuoteMatch): boolean =>
    c.score >= minScore &&
    (exact.length >= SELF_EVIDENT_LENGTH || c.context >= MIN_SHORT_QUOTE_CONTEXT) &&
    (hint === undefined || options.accept !== undefined || Math.abs(c.start - hint) <= FAR_FROM_HINT || c.score >= FAR_MIN_SCORE);
  const candidates: QuoteMatch[] = [];
  let occurrences: number[] = [];
  const ranges = options.within ?? [[0, text.length] as const];
  for (const [from, to] of ranges) {
    const part = from === 0 && to === text.length ? text : text.slice(from, to);
    for (let i = part.indexOf(exact); i !== -1; i = part.indexOf(exact, i + 1)) {
      if (accept(from + i, from + i + exact.length)) occurrences.push(from + i);
    }
  }
  if (occurrences.length > MAX_SCORED) {
    const cheap = (i: number): number => commonSuffix(text, i, quote.prefix) + commonPrefix(text, i + exact.length, quote.suffix) + positionScore(i, hint);
    occurrences = occurrences
      .map((i) => ({ i, c: cheap(i) }))
      .sort((x, y) => y.c - x.c)
      .slice(0, MAX_SCORED)
      .map((x) => x.i);
  }
  for (const i of occurrences) candidates.push(scoreCandidate(text, quote, i, i + exact.length, 0, hint));

  // An exact occurrence with its whole context settles it, unless it is far from where the quote was: then the
  // passage itself may have been edited, and the near approximate match be the one (a repeated paragraph).
  const near = (c: QuoteMatch): boolean => hint === undefined || Math.abs(c.start - hint) <= FAR_FROM_HINT;
  if (!candidates.some((c) => c.score === 1 && near(c))) {
    // The quote itself may have been edited: approximate matches near the old position, then anywhere.
    const maxErrors = Math.min(256, Math.floor(exact.length / 2));
    const seen = new Set(candidates.map((c) => c.start));
    const addApprox = (from: number, to: number): void => {
      // approx-string-match returns only the lowest-error matches: blank out the exact occurrences (already
      // candidates) so they do not hide an edited copy of the passage in the same range.
      let part = text.slice(from, to);
      if (part.includes(exact)) part = part.split(exact).join('\u0000'.repeat(exact.length));
      for (const m of search(part, exact, maxErrors)) {
        const s = from + m.start;
        const e = from + m.end;
        if (m.errors === 0 || seen.has(s) || !accept(s, e)) continue;
        seen.add(s);
        candidates.push(scoreCandidate(text, quote, s, e, m.errors, hint));
      }
    };
    if (options.within) {
      // Restricted searches look for a passage that moved: a short one must have moved verbatim (approximate matches
      // of a few words are everywhere, and searching every range for them is what would cost the time).
      // Ranges without any intact piece of the quote are skipped (an edited passage keeps some words as they were).
      if (exact.length >= SELF_EVIDENT_LENGTH) {
        const n = 12;
        const pieces = [exact.slice(0, n), exact.slice((exact.length - n) >> 1, (exact.length + n) >> 1), exact.slice(-n)];
        for (const [from, to] of options.within) {
          const part = text.slice(from, to);
          if (pieces.some((p) => part.includes(p))) addApprox(from, to);
        }
      }
    } else {
      if (hint !== undefined && text.length > 2 * WINDOW + exact.length) {
        addApprox(Math.max(0, hint - WINDOW), Math.min(text.length, hint + exact.length + WINDOW));
      }
      if (!candidates.some(acceptable)) addApprox(0, text.length);
    }
  }
  return candidates
    .filter(acceptable)
    .sort((x, y) => y.rank - x.rank || x.start - y.start)
    .slice(0, limit);
}

/** The best position of `quote` in `text`, or undefined when no candidate scores at least the minimum. */
export function findQuote(text: string, quote: TextQuote, options: QuoteSearchOptions = {}): QuoteMatch | undefined {
  return searchQuote(text, quote, { ...options, limit: 1 })[0];
}

/**
 * Where a stored context string now is within text[from, to): the end of its last, or the start of its first,
 * closest approximate occurrence (at most a quarter of it changed); undefined when it is too short to tell or absent.
 */
export function findContextEdge(text: string, context: string, from: number, to: number, which: 'first' | 'last'): number | undefined {
  if (context.length < 8 || to - from < context.length >> 1) return undefined;
  const matches = search(text.slice(from, to), context, context.length >> 2);
  if (matches.length === 0) return undefined;
  return which === 'last' ? from + Math.max(...matches.map((m) => m.end)) : from + Math.min(...matches.map((m) => m.start));
}

/** Scores text[start, end) as a match of `quote` with `errors` differences (see QuoteMatch). */
export function scoreCandidate(text: string, quote: TextQuote, start: number, end: number, errors: number, hint?: number): QuoteMatch {
  const q = 1 - errors / quote.exact.length;
  const p = contextScore(text.slice(Math.max(0, start - quote.prefix.length), start), quote.prefix, start === 0, 'end');
  const s = contextScore(text.slice(end, end + quote.suffix.length), quote.suffix, end === text.length, 'start');
  const base = QUOTE_WEIGHT * q + PREFIX_WEIGHT * p + SUFFIX_WEIGHT * s;
  const scoreValue = base / (QUOTE_WEIGHT + PREFIX_WEIGHT + SUFFIX_WEIGHT);
  const rank = (base + POSITION_WEIGHT * positionScore(start, hint)) / (QUOTE_WEIGHT + PREFIX_WEIGHT + SUFFIX_WEIGHT + POSITION_WEIGHT);
  return { start, end, errors, score: scoreValue, rank, context: (p + s) / 2 };
}

/**
 * Similarity (0..1) of the text next to a candidate with the stored context. `anchored` says which end touches the
 * candidate; the far end is free, so a word inserted into the context costs its length once, not twice. An empty
 * stored context means the quote was at the edge of the document: it matches only there.
 */
function contextScore(actual: string, stored: string, atEdge: boolean, anchored: 'start' | 'end'): number {
  if (stored.length === 0) return atEdge ? 1 : 0.5;
  if (actual === stored) return 1;
  return 1 - Math.min(stored.length, anchoredEditDistance(actual, stored, anchored === 'end')) / stored.length;
}

/** Edit distance from `b` to the best prefix of `a` (or, `fromEnd`, to the best suffix of `a`, aligning `b`'s end
 *  with `a`'s): both anchored at one end, `a`'s other end free. */
function anchoredEditDistance(a: string, b: string, fromEnd: boolean): number {
  const n = a.length;
  const m = b.length;
  const ca = (j: number): number => a.charCodeAt(fromEnd ? n - j : j - 1);
  const cb = (i: number): number => b.charCodeAt(fromEnd ? m - i : i - 1);
  let prev = new Int32Array(n + 1);
  let cur = new Int32Array(n + 1);
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    const c = cb(i);
    for (let j = 1; j <= n; j++) {
      const sub = prev[j - 1] + (c === ca(j) ? 0 : 1);
      cur[j] = Math.min(sub, prev[j] + 1, cur[j - 1] + 1);
    }
    [prev, cur] = [cur, prev];
  }
  let best = m;
  for (let j = 0; j <= n; j++) best = Math.min(best, prev[j]);
  return best;
}

function positionScore(start: number, hint: number | undefined): number {
  return hint === undefined ? 1 : 1 / (1 + Math.abs(start - hint) / POSITION_SCALE);
}

/** Length of the common suffix of text[..end) and s. */
function commonSuffix(text: string, end: number, s: string): number {
  let n = 0;
  while (n < s.length && end - n - 1 >= 0 && text.charCodeAt(end - n - 1) === s.charCodeAt(s.length - n - 1)) n++;
  return n;
}

/** Length of the common prefix of text[start..) and s. */
function commonPrefix(text: string, start: number, s: string): number {
  let n = 0;
  while (n < s.length && start + n < text.length && text.charCodeAt(start + n) === s.charCodeAt(n)) n++;
  return n;
}
