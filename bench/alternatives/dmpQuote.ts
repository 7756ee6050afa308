// The alternative a user of diff-match-patch would reach for: match_main (bitap) finds a pattern near an expected
// location. Bitap works on machine words, so patterns are limited to Match_MaxBits (32) characters: we look for the
// first 32 characters of the quote at its stored start and take the quote's length from there, as a caller of that
// API has to. Match_Threshold 0.4 (a little stricter than the default 0.5, so most matches are close ones) and
// Match_Distance 100,000: a match d characters from the expected place costs d / 100,000 of the threshold, so text
// drifting by the few thousand characters that 5 % edits move a 1 MB document is tolerated, unlike the default of
// 1,000, which orphans everything that drifted more than 400 characters.
import DiffMatchPatch from 'diff-match-patch';
import type { TextQuote } from '../../src/core/model';

export const DMP_THRESHOLD = 0.4;
export const DMP_DISTANCE = 100_000;

export function dmpMatcher(): (text: string, quote: TextQuote, position: { start: number; end: number }) => { start: number; end: number } | undefined {
  const dmp = new DiffMatchPatch();
  dmp.Match_Threshold = DMP_THRESHOLD;
  dmp.Match_Distance = DMP_DISTANCE;
  const maxBits = dmp.Match_MaxBits;
  return (text, quote, position) => {
    const pattern = quote.exact.slice(0, maxBits);
    if (pattern.length === 0) return undefined;
    const at = dmp.match_main(text, pattern, Math.min(position.start, text.length));
    return at === -1 ? undefined : { start: at, end: Math.min(text.length, at + quote.exact.length) };
  };
}
