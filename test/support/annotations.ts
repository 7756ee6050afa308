// The one builder of annotations for tests: valid, deterministic annotations from a few words, with every field open
// to override. Offsets are UTF-16 code units, as in the model. Tests that need an annotation as the editor or the CLI
// makes it (span checks, coerced attributes) call the core's createAnnotation instead; annotateInStore does that.
import * as assert from 'node:assert/strict';
import { TOOL_ID } from '../../src/constants';
import { contentHash, createAnnotation, makeQuote } from '../../src/core/model';
import type { AnchorState, Annotation, Attributes, Span, TextQuote } from '../../src/core/model';
import { defaultCodebook, findKind, readDocument, type AnnotationStore } from '../../src/core/store';

/** When a builder annotation was created, unless a test says otherwise. */
export const CREATED = '2026-11-20T09:30:00.000Z';
export const AUTHOR = 'tester';
export const DOC = 'doc.txt';

/**
 * What a test says about an annotation; everything is optional. The passage is one of:
 * - `text` and `phrase`: the `occurrence`-th place (1-based, default the first) the phrase appears in the text;
 * - `text`, `start` and `end`: that span of the text (the whole text when neither is given);
 * - `start` and `end` without a text: a quote of that many `x` (or `quote.exact`), no context, and a fixed hash.
 * With a text, the quote's context comes from the core's makeQuote and docHash is the text's content hash.
 * `quote` overrides parts of the computed quote; the other fields override what they name.
 */
export interface AnnotationSpec {
  id?: string;
  kind?: string;
  doc?: string;
  text?: string;
  phrase?: string;
  occurrence?: number;
  start?: number;
  end?: number;
  quote?: Partial<TextQuote>;
  note?: string;
  attributes?: Attributes;
  author?: string;
  created?: string;
  /** Defaults to `created`. */
  modified?: string;
  tool?: string;
  docHash?: string;
  anchor?: AnchorState;
}

/** A ULID-shaped id that sorts by `n` (a valid ULID: Crockford base-32 digits, 26 of them). */
export function ulid(n: number): string {
  assert.ok(Number.isSafeInteger(n) && n >= 0, `test ids are made from whole numbers, got ${n}`);
  return '01JD' + String(n).padStart(22, '0');
}

/** Where the builder's own ids start: above the small numbers tests give to `ulid`, so the two never collide. */
const SEQUENCE_START = 1_000_000;
let serial = SEQUENCE_START;
/** The next id of the builder's sequence: distinct, and increasing in the order annotations are built. */
export function nextUlid(): string {
  return ulid(++serial);
}

/** The span of the `occurrence`-th place (1-based) `phrase` appears in `text`, overlapping places counted. */
export function phraseSpan(text: string, phrase: string, occurrence = 1): Span {
  assert.ok(phrase !== '', 'test fixture: the phrase is empty');
  let start = -1;
  for (let k = 0; k < occurrence; k++) {
    start = text.indexOf(phrase, start + 1);
    assert.ok(start >= 0, `test fixture: ${JSON.stringify(phrase)} does not occur ${occurrence === 1 ? 'in the text' : `${occurrence} times in the text`}`);
  }
  return { start, end: start + phrase.length };
}

/** The hash of a builder annotation made without a document text. */
const NO_TEXT_HASH = contentHash('');

function passage(spec: AnnotationSpec): Span & { quote: TextQuote } {
  const { text, phrase } = spec;
  if (phrase !== undefined) {
    assert.ok(text !== undefined, 'test fixture: a phrase is looked up in a text; give the text too');
    assert.ok(spec.start === undefined && spec.end === undefined, 'test fixture: give a phrase or start and end, not both');
    const span = phraseSpan(text, phrase, spec.occurrence);
    return { ...span, quote: { ...makeQuote(text, span.start, span.end), ...spec.quote } };
  }
  assert.ok(spec.occurrence === undefined, 'test fixture: an occurrence needs a phrase');
  if (text !== undefined) {
    const start = spec.start ?? 0;
    const end = spec.end ?? text.length;
    return { start, end, quote: { ...makeQuote(text, start, end), ...spec.quote } };
  }
  const start = spec.start ?? 0;
  const end = spec.end ?? start + (spec.quote?.exact?.length ?? 1);
  return { start, end, quote: { exact: 'x'.repeat(Math.max(0, end - start)), prefix: '', suffix: '', ...spec.quote } };
}

/** A valid annotation made from `spec` (see AnnotationSpec), with fixed stamps and the next id unless given. */
export function annotation(spec: AnnotationSpec = {}): Annotation {
  const { start, end, quote } = passage(spec);
  const created = spec.created ?? CREATED;
  return {
    id: spec.id ?? nextUlid(),
    kind: spec.kind ?? 'claim',
    doc: spec.doc ?? DOC,
    target: { start, end, quote: { exact: quote.exact, prefix: quote.prefix, suffix: quote.suffix } },
    note: spec.note ?? '',
    attributes: { ...spec.attributes },
    provenance: {
      author: spec.author ?? AUTHOR,
      created,
      modified: spec.modified ?? created,
      tool: spec.tool ?? TOOL_ID,
      docHash: spec.docHash ?? (spec.text !== undefined ? contentHash(spec.text) : NO_TEXT_HASH),
    },
    anchor: { ...(spec.anchor ?? { status: 'anchored' }) },
  };
}

let clock = Date.parse('2026-12-01T10:00:00.000Z');
/** An ISO stamp later than every one this function returned before, and later than `than` when given. */
export function later(than?: string): string {
  clock = Math.max(clock, than === undefined ? 0 : Date.parse(than)) + 1000;
  return new Date(clock).toISOString();
}

/** What a person changes when they edit an annotation. */
export interface Edit {
  note?: string;
  attributes?: Attributes;
  author?: string;
  /** Defaults to a stamp later than the annotation's (see `later`). */
  modified?: string;
}

/** `a` after an edit: the fields given replaced, and `modified` moved on. */
export function edited(a: Annotation, change: Edit): Annotation {
  return {
    ...a,
    note: change.note ?? a.note,
    attributes: change.attributes ?? a.attributes,
    provenance: { ...a.provenance, author: change.author ?? a.provenance.author, modified: change.modified ?? later(a.provenance.modified) },
  };
}

/**
 * `a` as re-anchoring leaves it after `shift` characters were inserted before it, in `text` (the document after the
 * insertion): new offsets, quote context and hash, re-anchored by edits; `modified` stays.
 */
export function moved(a: Annotation, shift: number, text: string): Annotation {
  const start = a.target.start + shift;
  const end = a.target.end + shift;
  return {
    ...a,
    target: { start, end, quote: makeQuote(text, start, end) },
    provenance: { ...a.provenance, docHash: contentHash(text) },
    anchor: { status: 'reanchored', method: 'edits', detail: `moved ${shift} characters` },
  };
}

const CLAIM = findKind(defaultCodebook(), 'claim');

/**
 * Annotates [start, end) of the document as it is on disk as a claim, the way the CLI's add does: the core's
 * createAnnotation (which checks the span), a snapshot of the text, then the store's update.
 */
export async function annotateInStore(store: AnnotationStore, doc: string, start: number, end: number, note = ''): Promise<Annotation> {
  assert.ok(CLAIM);
  const text = await readDocument(store.fs, doc);
  assert.ok(text !== undefined, `${doc} exists`);
  const a = createAnnotation(text, { doc, kind: CLAIM.name, start, end, note, author: AUTHOR }, CLAIM, new Date(later()));
  await store.putSnapshot(text);
  await store.update(doc, { upsert: [a] });
  return a;
}
