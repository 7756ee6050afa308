// Text helpers shared by anchoring, store and formats. Offsets are UTF-16 code units.
import { createHash } from 'node:crypto';
import indefinite from 'indefinite';
import pluralize from 'pluralize';
import type { TextQuote } from './model';

/** How many characters of context a quote keeps on either side (as the W3C TextQuoteSelector and Hypothesis do). */
export const QUOTE_CONTEXT = 32;

/** Content address of a document version: "sha256:" + hex of the UTF-8 bytes. */
export function contentHash(text: string): string {
  return 'sha256:' + createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The quote selector for [start, end) of `text`, never splitting a surrogate pair in the context. */
export function makeQuote(text: string, start: number, end: number, context = QUOTE_CONTEXT): TextQuote {
  let p = Math.max(0, start - context);
  if (p > 0 && isLowSurrogate(text.charCodeAt(p))) p--;
  let s = Math.min(text.length, end + context);
  if (s < text.length && isLowSurrogate(text.charCodeAt(s))) s++;
  return { exact: text.slice(start, end), prefix: text.slice(p, start), suffix: text.slice(end, s) };
}

export function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}
export function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The first half of a character standing alone in `s` (which UTF-8 cannot encode), or undefined. */
export function loneSurrogate(s: string): { index: number; code: number } | undefined {
  const m = LONE_SURROGATE.exec(s);
  return m ? { index: m.index, code: m[0].charCodeAt(0) } : undefined;
}

/** True when `offset` falls between the two halves of a surrogate pair of `text` (inside one character). */
export function cutsPair(text: string, offset: number): boolean {
  return offset > 0 && offset < text.length && isLowSurrogate(text.charCodeAt(offset)) && isHighSurrogate(text.charCodeAt(offset - 1));
}

/**
 * True when [start, end) is a span of whole characters of `text` holding exactly `exact`: what a stored target must
 * be for its offsets to be used as they are. A hand edit or a merge can leave one whose end disagrees with the
 * quote, lies beyond the text, or cuts a character in half; the check re-anchors such a span, exports refuse it.
 */
export function spanHolds(text: string, start: number, end: number, exact: string): boolean {
  return (
    Number.isSafeInteger(start) &&
    start >= 0 &&
    end - start === exact.length &&
    end <= text.length &&
    text.startsWith(exact, start) &&
    !cutsPair(text, start) &&
    !cutsPair(text, end)
  );
}

/** Line starts of a text, for offset ↔ line/column conversion. Lines end at \n; a \r before it stays on the line. */
export class LineIndex {
  private readonly starts: number[];
  constructor(readonly text: string) {
    const starts = [0];
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    this.starts = starts;
  }
  get lineCount(): number {
    return this.starts.length;
  }
  /** 0-based line and UTF-16 column of an offset. */
  position(offset: number): { line: number; character: number } {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - this.starts[lo] };
  }
  /** UTF-16 offset of a 0-based line and UTF-16 column (clamped to the text). */
  offset(line: number, character: number): number {
    if (line < 0) return 0;
    if (line >= this.starts.length) return this.text.length;
    return Math.min(this.starts[line] + Math.max(0, character), this.text.length);
  }
}

/** Number of Unicode code points in text.slice(0, utf16Offset) (the W3C model and brat count code points). */
export function utf16ToCodePoint(text: string, utf16Offset: number): number {
  let cp = 0;
  for (let i = 0; i < utf16Offset && i < text.length; i++) {
    cp++;
    if (isHighSurrogate(text.charCodeAt(i)) && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1))) i++;
  }
  return cp;
}

/** UTF-16 offset of the code-point offset `cp` in text. */
export function codePointToUtf16(text: string, cp: number): number {
  let i = 0;
  for (let n = 0; n < cp && i < text.length; n++) {
    i += isHighSurrogate(text.charCodeAt(i)) && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1)) ? 2 : 1;
  }
  return i;
}

/** "1 annotation", "3 annotations": counts in messages people read. */
/** "1 annotation", "2 entities": a count with its noun in the right number (pluralize's English rules). */
export function plural(n: number, word: string, many = pluralize(word)): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** "a figure", "an entity", "an hour", "a unit": the noun with the indefinite article English gives it. */
export function aOrAn(noun: string): string {
  return indefinite(noun);
}

/** Orders strings by UTF-16 code units: the same on every machine, unlike localeCompare. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// C0 and C1 controls, DEL, and the characters that reorder or hide text on a terminal or in a message: bidi
// embeddings, overrides and isolates (U+202E shows "txt.exe" as "exe.txt"), the Arabic letter mark, the line and
// paragraph separators. Tab and line feed count too: inside a name they would forge columns and lines.
const UNSAFE_FOR_DISPLAY = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `s` with every control, bidi and line-separator character written as a visible escape (\x1b, \u202e, \n), for
 *  messages shown to a person: a file name holding an escape sequence must not drive the terminal. */
export function escapeControls(s: string): string {
  return s.replace(UNSAFE_FOR_DISPLAY, (c) => {
    const n = c.charCodeAt(0);
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return n <= 0xff ? '\\x' + n.toString(16).padStart(2, '0') : '\\u' + n.toString(16).padStart(4, '0');
  });
}
