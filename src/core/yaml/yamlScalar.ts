// The one quoting rule of the YAML files Marginalia writes by hand (sidecars, the codebook, the entity register): the
// same value always gives the same bytes, and every YAML 1.1 and 1.2 reader reads it back as written.
import type { AttributeValue } from '../model';

// A string is written plain (unquoted) only when every YAML 1.1 and 1.2 reader is certain to read it back as the
// same string: it starts with a letter (so it can be no number, date, null, indicator or document marker), holds only
// letters, marks, digits, punctuation, symbols and ASCII spaces (no control, format or invisible separator
// characters), has no ": " or " #" and no trailing ":" or space, and is not one of the words YAML 1.1 reads as a
// boolean or null (yes, no, on, off, y, n, true, false, null, in any case). Everything else is double-quoted on one
// line, escaping only \ " and characters that are invisible or not printable in YAML. The same value therefore
// always gives the same bytes, whichever library version wrote it.

const PLAIN_CHARS = /^\p{L}[\p{L}\p{M}\p{N}\p{P}\p{S} ]*$/u;
const YAML11_WORDS = /^(?:y|yes|n|no|true|false|on|off|null)$/i;

/**
 * The whole rule for ASCII text in one pass (a letter; then printable ASCII where ":" is followed by a non-space,
 * "#" follows a non-space, and the last character is no space), tried first: it decides most strings of a corpus,
 * and Unicode property classes are several times slower. A loop over the code units rather than a regular
 * expression with alternatives: V8 backtracks such a pattern on its stack, which overflows near 8 million characters.
 */
function isPlainAscii(s: string): boolean {
  const first = s.charCodeAt(0);
  if (!((first >= 0x41 && first <= 0x5a) || (first >= 0x61 && first <= 0x7a))) return false;
  for (let i = 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
    if (c === 0x3a) {
      const next = s.charCodeAt(i + 1); // NaN at the end: a trailing ":" is not plain
      if (!(next > 0x20 && next <= 0x7e)) return false;
    } else if (c === 0x23 && s.charCodeAt(i - 1) === 0x20) {
      return false;
    }
  }
  return s.charCodeAt(s.length - 1) !== 0x20;
}
/** True when `s` is written without quotes. */
export function isPlainSafe(s: string): boolean {
  // Both patterns below start with a letter: anything else ASCII (a digit, a quote, a space ...) is decided here.
  const first = s.charCodeAt(0);
  if (first < 0x80 && !((first >= 0x41 && first <= 0x5a) || (first >= 0x61 && first <= 0x7a))) return false;
  if (s.length <= 5 && YAML11_WORDS.test(s)) return false;
  if (isPlainAscii(s)) return true;
  return PLAIN_CHARS.test(s) && !s.includes(': ') && !s.includes(' #') && !s.endsWith(':') && !s.endsWith(' ');
}

/** A string as a one-line YAML double-quoted scalar. */
export function quoteString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return '"' + s + '"';
  let out = '"';
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | undefined;
    if (c === 0x22) esc = '\\"';
    else if (c === 0x5c) esc = '\\\\';
    else if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) esc = CONTROL_ESCAPES[c] ?? '\\x' + hex(c, 2);
    else if (c === 0x2028 || c === 0x2029 || c === 0xfeff || c === 0xfffe || c === 0xffff) esc = '\\u' + hex(c, 4);
    else if (c >= 0xd800 && c <= 0xdfff) {
      // A valid surrogate pair is an ordinary character (emoji stay readable); a lone half cannot be encoded in
      // UTF-8, so it is escaped to survive the round trip.
      const pair = c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
      if (pair) {
        i++;
        continue;
      }
      esc = '\\u' + hex(c, 4);
    }
    if (esc !== undefined) {
      out += s.slice(run, i) + esc;
      run = i + 1;
    }
  }
  return out + s.slice(run) + '"';
}

export const NEEDS_ESCAPE = /["\\\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]/;
const CONTROL_ESCAPES: Record<number, string> = { 0x00: '\\0', 0x09: '\\t', 0x0a: '\\n', 0x0d: '\\r' };

function hex(c: number, width: number): string {
  return c.toString(16).toUpperCase().padStart(width, '0');
}

/** A value as a YAML scalar by the quoting rule above. */
export function yamlScalar(v: AttributeValue): string {
  if (typeof v === 'string') return isPlainSafe(v) ? v : quoteString(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (!Number.isFinite(v)) throw new RangeError(`cannot store the number ${v}: only finite numbers are allowed`);
  // String() gives the shortest decimal that reads back as the same double; -0 is stored as 0.
  return Object.is(v, -0) ? '0' : String(v);
}
