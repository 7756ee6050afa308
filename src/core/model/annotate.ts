// Creating and editing annotations: the one place that checks a span and coerces attributes for a kind.
import { newId } from './annotationIds';
import type { Annotation, Attributes, AttributeValue, Span } from './model';
import { aOrAn, contentHash, isHighSurrogate, isLowSurrogate, LineIndex, makeQuote } from './text';
import { inexactNumberReason } from './decimal';
import { toRelPath } from './paths';
import { UserError } from './userError';
import { TOOL_ID } from '../../constants';

/** An attribute field of a kind, as the codebook declares it. */
export interface FieldSpec {
  name: string;
  type: 'string' | 'number' | 'boolean' | 'enum';
  values?: readonly string[];
  required?: boolean;
}

/** What annotate needs to know about a kind. */
export interface KindSpec {
  name: string;
  attributes?: readonly FieldSpec[];
}

/** A mistake in what a person asked for; its message is meant for them. */
export class AnnotationInputError extends UserError {}

export interface NewAnnotation {
  doc: string;
  kind: string;
  start: number;
  end: number;
  note?: string;
  /** Raw values (from a CLI `key=value` or a form); coerced by the kind's fields. */
  attributes?: Record<string, string | number | boolean>;
  author: string;
}

/** Checks that [start, end) is a non-empty span of `text` that does not cut a character in half. */
export function checkSpan(text: string, start: number, end: number, doc: string): void {
  if (!Number.isInteger(start) || !Number.isInteger(end))
    throw new AnnotationInputError(`start and end must be whole numbers (UTF-16 offsets), got ${start} and ${end}`);
  if (start < 0 || end > text.length) throw new AnnotationInputError(`span ${start}-${end} is outside ${doc}, which has ${text.length} UTF-16 code units`);
  if (start >= end) throw new AnnotationInputError(`span ${start}-${end} is empty: select at least one character`);
  if (isLowSurrogate(text.charCodeAt(start)) && isHighSurrogate(text.charCodeAt(start - 1)))
    throw new AnnotationInputError(`start ${start} falls inside a character (a surrogate pair) of ${doc}`);
  if (end < text.length && isLowSurrogate(text.charCodeAt(end)) && isHighSurrogate(text.charCodeAt(end - 1)))
    throw new AnnotationInputError(`end ${end} falls inside a character (a surrogate pair) of ${doc}`);
}

/** Coerces raw attribute values to the kind's declared field types; unknown fields and bad values are errors. */
export function coerceAttributes(kind: KindSpec, raw: Record<string, string | number | boolean>): Attributes {
  const fields = new Map((kind.attributes ?? []).map((f) => [f.name, f]));
  const out: Attributes = {};
  for (const [key, value] of Object.entries(raw)) {
    const field = fields.get(key);
    if (!field) {
      const known = [...fields.keys()];
      throw new AnnotationInputError(
        known.length > 0
          ? `unknown attribute "${key}" for kind ${kind.name} (its attributes: ${known.join(', ')})`
          : `kind ${kind.name} declares no attributes; add "${key}" to it in the codebook first`,
      );
    }
    out[key] = coerceValue(kind.name, field, value);
  }
  return out;
}

function coerceValue(kind: string, field: FieldSpec, value: AttributeValue): AttributeValue {
  const s = String(value).trim();
  switch (field.type) {
    case 'number': {
      if (typeof value === 'number') {
        if (!Number.isFinite(value)) throw new AnnotationInputError(`attribute ${field.name} of ${aOrAn(kind)} must be a finite number, got ${value}`);
        return value;
      }
      // Thousands separators (1,000 or 1_000 or 1 000) are dropped only between groups of three digits: "1,5" is no number.
      const grouped = /^[-+]?\d{1,3}(?:[,_\s]\d{3})+(?:\.\d*)?(?:[eE][-+]?\d+)?$/.test(s);
      const digits = grouped ? s.replace(/[,_\s]/g, '') : s;
      const why = s === '' ? 'it is empty' : inexactNumberReason(digits);
      if (why !== undefined) {
        throw new AnnotationInputError(
          `attribute ${field.name} of ${aOrAn(kind)} must be a number written in decimal digits that a number holds exactly (such as 16, -2.5 or 1e6), got "${s}": ${why}. ` +
            `Write it that way, or declare ${field.name} as text (type: string) in the codebook to keep it as written`,
        );
      }
      return Number(digits);
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (/^(true|yes|1)$/i.test(s)) return true;
      if (/^(false|no|0)$/i.test(s)) return false;
      throw new AnnotationInputError(`attribute ${field.name} of ${aOrAn(kind)} must be true or false, got "${s}"`);
    case 'enum':
      if (!field.values?.includes(s))
        throw new AnnotationInputError(`attribute ${field.name} of ${aOrAn(kind)} must be one of ${(field.values ?? []).join(', ')}, got "${s}"`);
      return s;
    case 'string':
      return s;
  }
}

/** A new annotation on [start, end) of `text`, anchored against this exact version of the document. */
export function createAnnotation(text: string, input: NewAnnotation, kind: KindSpec, now: Date): Annotation {
  const doc = toRelPath(input.doc);
  checkSpan(text, input.start, input.end, doc);
  const attributes = coerceAttributes(kind, input.attributes ?? {});
  const iso = now.toISOString();
  return {
    id: newId(now.getTime()),
    kind: kind.name,
    doc,
    target: { start: input.start, end: input.end, quote: makeQuote(text, input.start, input.end) },
    note: input.note ?? '',
    attributes,
    provenance: { author: input.author, created: iso, modified: iso, tool: TOOL_ID, docHash: contentHash(text) },
    anchor: { status: 'anchored' },
  };
}

/**
 * A copy with changes applied and `modified` bumped. `kind` is the annotation's kind after the change: when it differs
 * from the current one, attributes the new kind does not declare are dropped (and the rest re-checked).
 */
export function editAnnotation(
  a: Annotation,
  kind: KindSpec,
  change: { note?: string; attributes?: Record<string, string | number | boolean> },
  now: Date,
): Annotation {
  let raw: Record<string, AttributeValue> = change.attributes ?? a.attributes;
  if (kind.name !== a.kind && change.attributes === undefined) {
    const declared = new Set((kind.attributes ?? []).map((f) => f.name));
    raw = Object.fromEntries(Object.entries(raw).filter(([k]) => declared.has(k)));
  }
  return {
    ...a,
    kind: kind.name,
    note: change.note ?? a.note,
    attributes: coerceAttributes(kind, raw),
    provenance: { ...a.provenance, modified: now.toISOString(), tool: TOOL_ID },
  };
}

/** Units an offset given from outside may count in: UTF-16 code units (as stored), Unicode code points (Python's
 *  str, the W3C model), or bytes of the UTF-8 file (`grep -bo`, `wc -c`, most byte-oriented tools). */
export const OFFSET_UNITS = ['utf16', 'codepoint', 'byte'] as const;
export type OffsetUnit = (typeof OFFSET_UNITS)[number];

/**
 * The UTF-16 offset of `offset` counted in `unit` in `text`. Byte offsets count the UTF-8 bytes of the file, whose
 * first `skippedBytes` (a byte order mark) are not part of `text`. Throws AnnotationInputError for an offset past the
 * end or inside a character (a byte inside a multi-byte character, a UTF-16 offset between the halves of a pair).
 */
export function toUtf16Offset(text: string, offset: number, unit: OffsetUnit, doc: string, skippedBytes = 0): number {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new AnnotationInputError(`offset ${offset} must be a whole number of ${unitWords(unit)}`);
  if (unit === 'utf16') return offset; // checkSpan judges it, as for every span
  let units = unit === 'byte' ? skippedBytes : 0;
  if (unit === 'byte' && offset < skippedBytes)
    throw new AnnotationInputError(`byte offset ${offset} falls inside the byte order mark at the start of ${doc} (its first ${skippedBytes} bytes)`);
  for (let i = 0; ;) {
    if (units === offset) return i;
    if (i >= text.length) break;
    const c = text.codePointAt(i) as number;
    const width = unit === 'codepoint' ? 1 : c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    if (units + width > offset) {
      const ch = String.fromCodePoint(c);
      throw new AnnotationInputError(
        `byte offset ${offset} falls inside the character ${JSON.stringify(ch)} (U+${c.toString(16).toUpperCase().padStart(4, '0')}, bytes ${units}–${units + width - 1}) of ${doc}; give the offset of a character's first byte`,
      );
    }
    units += width;
    i += c > 0xffff ? 2 : 1;
  }
  throw new AnnotationInputError(`offset ${offset} is past the end of ${doc}, which has ${units} ${unitWords(unit)}`);
}

function unitWords(unit: OffsetUnit): string {
  return unit === 'utf16' ? 'UTF-16 code units' : unit === 'codepoint' ? 'code points' : 'bytes (UTF-8)';
}

/** Which occurrence of a quote to take when it occurs more than once: the n-th (1-based), or the one nearest an offset. */
export interface QuoteChoice {
  occurrence?: number;
  /** A UTF-16 offset. */
  near?: number;
}

/** Most occurrences listed in the message asking to choose one. */
const OCCURRENCES_LISTED = 10;

/**
 * The span of `quote` in `text`, found exactly (every occurrence, overlapping ones included). Throws
 * AnnotationInputError when it is not there, or when it occurs several times and `choice` does not say which: the
 * message lists where each occurrence is (offset and line) and how to choose.
 */
export function locateQuote(text: string, quote: string, doc: string, choice: QuoteChoice = {}): Span {
  if (quote === '') throw new AnnotationInputError('the quote is empty: give the exact text of the passage');
  const starts: number[] = [];
  for (let i = text.indexOf(quote); i !== -1; i = text.indexOf(quote, i + 1)) starts.push(i);
  if (starts.length === 0) {
    throw new AnnotationInputError(
      `the quote ${JSON.stringify(clipQuote(quote))} is not in ${doc}; give the exact text (same spaces, line breaks and punctuation)`,
    );
  }
  let start: number;
  if (choice.occurrence !== undefined) {
    if (!Number.isSafeInteger(choice.occurrence) || choice.occurrence < 1 || choice.occurrence > starts.length) {
      throw new AnnotationInputError(
        `occurrence ${choice.occurrence} does not exist: the quote occurs ${starts.length === 1 ? 'once' : `${starts.length} times`} in ${doc}`,
      );
    }
    start = starts[choice.occurrence - 1];
  } else if (choice.near !== undefined) {
    const near = choice.near;
    start = starts.reduce((best, s) => (Math.abs(s - near) < Math.abs(best - near) ? s : best));
  } else if (starts.length === 1) {
    start = starts[0];
  } else {
    const lines = new LineIndex(text);
    const listed = starts.slice(0, OCCURRENCES_LISTED).map((s, i) => `${i + 1}: offset ${s} (line ${lines.position(s).line + 1})`);
    const more = starts.length > OCCURRENCES_LISTED ? `, and ${starts.length - OCCURRENCES_LISTED} more` : '';
    throw new AnnotationInputError(
      `the quote ${JSON.stringify(clipQuote(quote))} occurs ${starts.length} times in ${doc} (${listed.join('; ')}${more}); ` +
        `choose one with --occurrence N or --near OFFSET, or quote more of the passage`,
    );
  }
  return { start, end: start + quote.length };
}

function clipQuote(s: string, n = 60): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}
