// The alternative to re-anchoring through a snapshot diff: find each quote again the way Hypothesis anchors a
// TextQuoteSelector (its client's src/annotator/anchoring/html.ts and match-quote.ts), written here from that
// description for the benchmark:
//   1. the stored position, if the text there still equals the quote (its TextPositionSelector, checked);
//   2. otherwise every exact occurrence of the quote, or when there is none, the closest approximate matches
//      (approx-string-match, at most min(256, length / 2) errors);
//   3. each candidate scored on the quote (weight 50), the similarity of the text before and after it to the
//      stored prefix and suffix (20 each; a context's similarity is 1 - errors / length of its best approximate
//      occurrence in the text where it should be) and its distance from the stored position (2, as a tie-breaker:
//      1 - distance / text length); the best candidate wins. There is no minimum score: any match is taken.
import search from 'approx-string-match';
import type { TextQuote } from '../../src/core/model';

export interface FuzzyMatch {
  start: number;
  end: number;
  score: number;
}

const QUOTE_WEIGHT = 50;
const PREFIX_WEIGHT = 20;
const SUFFIX_WEIGHT = 20;
const POSITION_WEIGHT = 2;

/** Where the quote is now, or undefined (an orphan) when no candidate is found. */
export function anchorLikeHypothesis(text: string, quote: TextQuote, position: { start: number; end: number }): FuzzyMatch | undefined {
  if (text.slice(position.start, position.end) === quote.exact) return { start: position.start, end: position.end, score: 1 };
  return matchQuote(text, quote, position.start);
}

function matchQuote(text: string, quote: TextQuote, hint: number): FuzzyMatch | undefined {
  const exact = quote.exact;
  if (exact.length === 0) return undefined;
  const candidates = closest(text, exact, Math.min(256, exact.length / 2));
  let best: FuzzyMatch | undefined;
  for (const c of candidates) {
    const q = 1 - c.errors / exact.length;
    const p = quote.prefix ? similarity(text.slice(Math.max(0, c.start - quote.prefix.length), c.start), quote.prefix) : 1;
    const s = quote.suffix ? similarity(text.slice(c.end, c.end + quote.suffix.length), quote.suffix) : 1;
    const pos = 1 - Math.abs(c.start - hint) / text.length;
    const score =
      (QUOTE_WEIGHT * q + PREFIX_WEIGHT * p + SUFFIX_WEIGHT * s + POSITION_WEIGHT * pos) / (QUOTE_WEIGHT + PREFIX_WEIGHT + SUFFIX_WEIGHT + POSITION_WEIGHT);
    if (best === undefined || score > best.score) best = { start: c.start, end: c.end, score };
  }
  return best;
}

/** Exact occurrences, or failing those the approximate matches with the fewest errors (at most maxErrors). */
function closest(text: string, pattern: string, maxErrors: number): Array<{ start: number; end: number; errors: number }> {
  const out = [];
  for (let i = text.indexOf(pattern); i !== -1; i = text.indexOf(pattern, i + 1)) out.push({ start: i, end: i + pattern.length, errors: 0 });
  return out.length > 0 ? out : search(text, pattern, maxErrors);
}

/** 1 - errors / length of the closest occurrence of `expected` in `actual`; 0 when either is empty. */
function similarity(actual: string, expected: string): number {
  if (actual.length === 0 || expected.length === 0) return 0;
  const m = closest(actual, expected, expected.length);
  return m.length === 0 ? 0 : 1 - m[0].errors / expected.length;
}
