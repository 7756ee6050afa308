// Creating and editing annotations: the one place that checks a span and coerces attributes for a kind.
import { newId } from './annotationIds';
import type { Annotation, Attributes, AttributeValue } from './model';
import { contentHash, isHighSurrogate, isLowSurrogate, makeQuote } from './text';
import { inexactNumberReason } from './decimal';
import { toRelPath } from './paths';
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
export class AnnotationInputError extends Error {}

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
  if (!Number.isInteger(start) || !Number.isInteger(end)) throw new AnnotationInputError(`start and end must be whole numbers (UTF-16 offsets), got ${start} and ${end}`);
  if (start < 0 || end > text.length) throw new AnnotationInputError(`span ${start}-${end} is outside ${doc}, which has ${text.length} UTF-16 code units`);
  if (start >= end) throw new AnnotationInputError(`span ${start}-${end} is empty: select at least one character`);
  if (isLowSurrogate(text.charCodeAt(start)) && isHighSurrogate(text.charCodeAt(start - 1))) throw new AnnotationInputError(`start ${start} falls inside a character (a surrogate pair) of ${doc}`);
  if (end < text.length && isLowSurrogate(text.charCodeAt(end)) && isHighSurrogate(text.charCodeAt(end - 1))) throw new AnnotationInputError(`end ${end} falls inside a character (a surrogate pair) of ${doc}`);
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
        if (!Number.isFinite(value)) throw new AnnotationInputError(`attribute ${field.name} of a ${kind} must be a finite number, got ${value}`);
        return value;
      }
      // Thousands separators (1,000 or 1_000 or 1 000) are dropped only between groups of three digits: "1,5" is no number.
      const grouped = /^[-+]?\d{1,3}(?:[,_\s]\d{3})+(?:\.\d*)?(?:[eE][-+]?\d+)?$/.test(s);
      const digits = grouped ? s.replace(/[,_\s]/g, '') : s;
      const why = s === '' ? 'it is empty' : inexactNumberReason(digits);
      if (why !== undefined) {
        throw new AnnotationInputError(
          `attribute ${field.name} of a ${kind} must be a number written in decimal digits that a number holds exactly (such as 16, -2.5 or 1e6), got "${s}": ${why}. ` +
            `Write it that way, or declare ${field.name} as text (type: string) in the codebook to keep it as written`,
        );
      }
      return Number(digits);
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (/^(true|yes|1)$/i.test(s)) return true;
      if (/^(false|no|0)$/i.test(s)) return false;
      throw new AnnotationInputError(`attribute ${field.name} of a ${kind} must be true or false, got "${s}"`);
    case 'enum':
      if (!field.values?.includes(s)) throw new AnnotationInputError(`attribute ${field.name} of a ${kind} must be one of ${(field.values ?? []).join(', ')}, got "${s}"`);
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
