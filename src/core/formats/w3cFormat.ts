// W3C Web Annotation export and import (JSON-LD, https://www.w3.org/TR/annotation-model/). Inside Marginalia
// offsets are UTF-16 code units; the model's TextPositionSelector counts Unicode code points, so positions are
// converted on the way out and back (which needs the document text). What the W3C model has no term for (the kind,
// typed attribute values, the anchor state, the document hash) travels in properties of a Marginalia vocabulary
// declared in an extra @context object, so another W3C client can ignore it and Marginalia loses nothing.
//
// Mapping (one Marginalia annotation → one W3C Annotation):
//   id                → "id": annotationBase + ULID (default urn:marginalia:annotation:<ULID>)
//   kind              → "motivation" (see KIND_MOTIVATIONS), a TextualBody with purpose "tagging" and value = kind,
//                       and "marginalia:kind" (what the importer reads)
//   note              → a TextualBody with purpose "commenting" (left out when the note is empty)
//   attributes        → one TextualBody per attribute, purpose "describing", value "name: value" for people, with
//                       "marginalia:attribute" (the name) and "marginalia:value" (the typed JSON value)
//   provenance.author → "creator": { type: Person, name }; created/modified → "created"/"modified"
//   provenance.tool   → "marginalia:tool"; "generator" is the exporting Marginalia, "generated" the export time
//   target            → a SpecificResource: "source" = documentBase + percent-encoded path, "selector" = a
//                       TextQuoteSelector and a TextPositionSelector (code points), "marginalia:docHash",
//                       "marginalia:anchorStatus" / "marginalia:anchorMethod" / "marginalia:anchorDetail"
//   When the code-point position cannot be computed exactly (the document is missing, or the annotation's offsets
//   refer to another version of it: an orphan), the TextPositionSelector is left out and the UTF-16 offsets travel
//   as "marginalia:utf16Start" / "marginalia:utf16End" instead: never a wrong position under a standard name.
import { TOOL_VERSION } from '../../constants';
import {
  isId,
  newId,
  PathError,
  toRelPath,
  contentHash,
  isHighSurrogate,
  isLowSurrogate,
  LineIndex,
  makeQuote,
  compareCodeUnits,
  inexactNumberReason,
} from '../model';
import type { AnchorState, Annotation, AttributeValue } from '../model';
import { describeValue, formatPath, schemaProblem, type ValuePath, type YamlFileErrorCode, validator } from '../yaml';
import { ExportFormatError, type ExportInput, type ExportedDocument, assertSpanHolds, exportDocuments } from './exportInput';

/** The W3C Web Annotation JSON-LD context (the model requires this exact IRI). */
export const ANNO_CONTEXT = 'http://www.w3.org/ns/anno.jsonld';
/** Marginalia's vocabulary; the "marginalia:" prefix of the extension properties expands to it. */
export const MARGINALIA_VOCAB = 'urn:marginalia:vocab#';
/** The @context of every export: the W3C context plus the Marginalia prefix. */
export const W3C_CONTEXT: readonly [string, Readonly<Record<string, string>>] = [ANNO_CONTEXT, { marginalia: MARGINALIA_VOCAB }];
/** Documents are named by IRI: this prefix plus the percent-encoded workspace-relative path. */
export const DEFAULT_DOCUMENT_BASE = 'urn:marginalia:doc:';
/** Annotation ids are IRIs: this prefix plus the ULID. (urn:uuid: would be wrong: a ULID is not a UUID.) */
export const DEFAULT_ANNOTATION_BASE = 'urn:marginalia:annotation:';
/** The docHash of an imported annotation whose document version is unknown (no hash, no text): matches no text, so
 *  re-anchoring searches for the quote. */
export const UNKNOWN_DOC_HASH = 'sha256:' + '0'.repeat(64);

/** The motivations the W3C model defines (section 3.3.5). */
export const W3C_MOTIVATIONS = [
  'assessing',
  'bookmarking',
  'classifying',
  'commenting',
  'describing',
  'editing',
  'highlighting',
  'identifying',
  'linking',
  'moderating',
  'questioning',
  'replying',
  'tagging',
] as const;
export type W3cMotivation = (typeof W3C_MOTIVATIONS)[number];

/**
 * Motivation by kind. A claim is assessed (checked for truth), an entity identified, a figure described (its value,
 * unit, date); any other codebook kind tags the passage with the kind's name.
 */
export const KIND_MOTIVATIONS: Readonly<Record<string, W3cMotivation>> = { claim: 'assessing', entity: 'identifying', figure: 'describing' };
export const DEFAULT_MOTIVATION: W3cMotivation = 'tagging';

/** Where annotations and documents live as IRIs. */
export interface W3cIriOptions {
  /** Absolute IRI prefix for documents; a document's IRI is this plus its percent-encoded path. */
  documentBase?: string;
  /** Absolute IRI prefix for annotation ids; an annotation's id is this plus its ULID. */
  annotationBase?: string;
}

export interface W3cExportOptions extends W3cIriOptions {
  /** Motivation per kind, overriding KIND_MOTIVATIONS; values must be W3C motivations. */
  motivations?: Readonly<Record<string, W3cMotivation>>;
  /** The collection's IRI; default urn:marginalia:export:<generated time>. Pages are <id>?page=N. */
  collectionId?: string;
  /** The collection's label; default "Marginalia annotations". */
  label?: string;
}

export type W3cExportInput = ExportInput & W3cExportOptions;

export interface W3cPagedExportInput extends W3cExportInput {
  /** Annotations per AnnotationPage (a whole number ≥ 1). */
  pageSize: number;
  /** File name stem: the collection is <stem>.jsonld, later pages <stem>-page<N>.jsonld; default "annotations". */
  fileStem?: string;
}

/** A W3C annotation as exported (a plain JSON object with the keys in a fixed order). */
export type W3cAnnotation = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------------------------
// Writing

/**
 * One annotation as a standalone W3C Annotation (with @context). `text` is the document's current text, undefined
 * when it is missing; it is needed to count the position in code points.
 */
export function toW3cAnnotation(a: Annotation, text: string | undefined, options: W3cExportOptions & { generated?: Date } = {}): W3cAnnotation {
  const doc = toRelPath(a.doc);
  const ctx = writeContext(options, options.generated ?? new Date(), text === undefined ? undefined : new DocumentText(text));
  return { '@context': contextValue(), ...annotationBody(a, doc, ctx) };
}

/**
 * Every annotation of `input.documents` as one AnnotationCollection in one JSON-LD document: a single embedded
 * AnnotationPage (`first`) holds them all, sorted by document path, then start offset, then id. Deterministic.
 */
export function exportW3c(input: W3cExportInput): string {
  const items = exportItems(input);
  const collection = collectionObject(input, items.length);
  if (items.length > 0) {
    collection.first = pageObject(input, 0, 1, 0, items, false);
    collection.last = pageIri(collectionIri(input), 0);
  }
  return stringify(collection);
}

/**
 * The collection split into AnnotationPages of `pageSize` annotations, as the W3C Web Annotation Protocol serves them:
 * file name → JSON-LD. The first file is the collection with its first page embedded; each later page is its own
 * file, with `partOf`, `startIndex`, `prev` and `next`.
 */
export function exportW3cPages(input: W3cPagedExportInput): Map<string, string> {
  if (!Number.isSafeInteger(input.pageSize) || input.pageSize < 1) throw new Error(`cannot export: the page size must be a whole number ≥ 1, not ${input.pageSize}`);
  const stem = input.fileStem ?? 'annotations';
  if (!/^[^/\\]+$/.test(stem)) throw new Error(`cannot export: the file stem ${JSON.stringify(stem)} must be a plain file name`);
  const items = exportItems(input);
  const pages: W3cAnnotation[][] = [];
  for (let i = 0; i < items.length; i += input.pageSize) pages.push(items.slice(i, i + input.pageSize));
  const collection = collectionObject(input, items.length);
  const out = new Map<string, string>();
  if (pages.length > 0) {
    collection.first = pageObject(input, 0, pages.length, 0, pages[0], false);
    collection.last = pageIri(collectionIri(input), pages.length - 1);
  }
  out.set(`${stem}.jsonld`, stringify(collection));
  for (let n = 1; n < pages.length; n++) out.set(w3cPageFileName(stem, n), stringify(pageObject(input, n, pages.length, n * input.pageSize, pages[n], true)));
  return out;
}

/** The file exportW3cPages writes page `n` (n ≥ 1) to. */
export function w3cPageFileName(stem: string, n: number): string {
  return `${stem}-page${n}.jsonld`;
}

interface WriteContext {
  generated: string;
  documentBase: string;
  annotationBase: string;
  motivations: Readonly<Record<string, W3cMotivation>>;
  text: DocumentText | undefined;
}

function writeContext(options: W3cExportOptions, generated: Date, text: DocumentText | undefined): WriteContext {
  const motivations = { ...KIND_MOTIVATIONS, ...(options.motivations ?? {}) };
  for (const [kind, m] of Object.entries(motivations)) {
    if (!(W3C_MOTIVATIONS as readonly string[]).includes(m)) {
      throw new Error(`cannot export: motivation ${JSON.stringify(m)} for kind ${kind} is not one the W3C model defines (${W3C_MOTIVATIONS.join(', ')})`);
    }
  }
  return {
    generated: generated.toISOString(),
    documentBase: checkBase(options.documentBase ?? DEFAULT_DOCUMENT_BASE, 'document'),
    annotationBase: checkBase(options.annotationBase ?? DEFAULT_ANNOTATION_BASE, 'annotation'),
    motivations,
    text,
  };
}

/** A base must be an absolute IRI (scheme:...) so that every id built from it is one; relative paths are not IRIs. */
function checkBase(base: string, what: string): string {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:[^\s"<>\\^`{|}]*$/.test(base)) {
    throw new Error(`cannot export: the ${what} base ${JSON.stringify(base)} is not an absolute IRI (such as urn:marginalia:${what}: or https://example.org/${what}s/)`);
  }
  return base;
}

function contextValue(): unknown[] {
  return [W3C_CONTEXT[0], { ...W3C_CONTEXT[1] }];
}

/** The annotations of all documents, sorted; each without its own @context (the collection's applies). */
function exportItems(input: W3cExportInput): W3cAnnotation[] {
  const docs = exportDocuments(input.documents);
  const generated = input.generated ?? new Date();
  const items: W3cAnnotation[] = [];
  const ids = new Set<string>();
  for (const d of docs) {
    const ctx = writeContext(input, generated, d.text === undefined ? undefined : new DocumentText(d.text));
    const sorted = [...d.annotations].sort((a, b) => a.target.start - b.target.start || compareCodeUnits(a.id, b.id));
    for (const a of sorted) {
      if (ids.has(a.id)) throw new Error(`cannot export: annotation id ${a.id} appears twice`);
      ids.add(a.id);
      items.push(annotationBody(a, d.path, ctx));
    }
  }
  return items;
}

function annotationBody(a: Annotation, path: string, ctx: WriteContext): W3cAnnotation {
  const { start, end, quote } = a.target;
  if (toRelPath(a.doc) !== path) throw new Error(`cannot export: annotation ${a.id} belongs to ${a.doc}, not to ${path}`);
  if (!isId(a.id)) throw new Error(`cannot export: annotation id ${JSON.stringify(a.id)} is not a ULID`);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new Error(`cannot export: annotation ${a.id} in ${path} has offsets ${start}-${end}; start must be a whole number ≤ end`);
  }
  const bodies: Record<string, unknown>[] = [{ type: 'TextualBody', purpose: 'tagging', value: a.kind, format: 'text/plain' }];
  if (a.note !== '') bodies.push({ type: 'TextualBody', purpose: 'commenting', value: a.note, format: 'text/plain' });
  for (const name of Object.keys(a.attributes).sort(compareCodeUnits)) {
    const v = a.attributes[name];
    if (typeof v === 'number' && !Number.isFinite(v)) {
      throw new Error(`cannot export: annotation ${a.id} has attribute ${name} = ${v}, which JSON cannot hold; store a finite number or text`);
    }
    bodies.push({
      type: 'TextualBody',
      purpose: 'describing',
      value: `${name}: ${String(v)}`,
      format: 'text/plain',
      'marginalia:attribute': name,
      'marginalia:value': v,
    });
  }
  const selectors: Record<string, unknown>[] = [{ type: 'TextQuoteSelector', exact: quote.exact, prefix: quote.prefix, suffix: quote.suffix }];
  const target: Record<string, unknown> = {
    type: 'SpecificResource',
    source: documentIri(ctx.documentBase, path),
    selector: selectors,
  };
  // Code points only when the offsets refer to exactly this text: an orphan's offsets belong to a version we lack.
  const text = ctx.text;
  if (text !== undefined) assertSpanHolds(a, path, text.text, () => text.hash);
  if (text !== undefined && a.provenance.docHash === text.hash) {
    selectors.push({ type: 'TextPositionSelector', start: text.toCodePoint(start), end: text.toCodePoint(end) });
  } else {
    target['marginalia:utf16Start'] = start;
    target['marginalia:utf16End'] = end;
  }
  target['marginalia:docHash'] = a.provenance.docHash;
  target['marginalia:anchorStatus'] = a.anchor.status;
  if (a.anchor.method !== undefined) target['marginalia:anchorMethod'] = a.anchor.method;
  if (a.anchor.detail !== undefined) target['marginalia:anchorDetail'] = a.anchor.detail;
  const creator: Record<string, unknown> = { type: 'Person' };
  if (a.provenance.author !== '') creator.name = a.provenance.author;
  return {
    id: ctx.annotationBase + a.id,
    type: 'Annotation',
    motivation: ctx.motivations[a.kind] ?? DEFAULT_MOTIVATION,
    creator,
    created: a.provenance.created,
    modified: a.provenance.modified,
    generator: { type: 'Software', name: 'Marginalia', 'schema:softwareVersion': TOOL_VERSION },
    generated: ctx.generated,
    'marginalia:kind': a.kind,
    'marginalia:tool': a.provenance.tool,
    body: bodies,
    target,
  };
}

/** Percent-encodes each path segment (non-ASCII, spaces, "#", "?"), keeping "/" between segments. */
export function documentIri(base: string, path: string): string {
  return base + toRelPath(path).split('/').map(encodeURIComponent).join('/');
}

function collectionIri(input: W3cExportInput): string {
  const generated = (input.generated ?? new Date()).toISOString().replace(/[-:]|\.\d+/g, '');
  return input.collectionId === undefined ? `urn:marginalia:export:${generated}` : checkBase(input.collectionId, 'collection');
}

function pageIri(collection: string, n: number): string {
  return `${collection}${collection.includes('?') ? '&' : '?'}page=${n}`;
}

function collectionObject(input: W3cExportInput, total: number): Record<string, unknown> {
  return {
    '@context': contextValue(),
    id: collectionIri(input),
    type: 'AnnotationCollection',
    label: input.label ?? 'Marginalia annotations',
    total,
  };
}

function pageObject(input: W3cExportInput, n: number, pages: number, startIndex: number, items: W3cAnnotation[], standalone: boolean): Record<string, unknown> {
  const collection = collectionIri(input);
  const page: Record<string, unknown> = {};
  if (standalone) page['@context'] = contextValue();
  page.id = pageIri(collection, n);
  page.type = 'AnnotationPage';
  if (standalone) page.partOf = collection;
  page.startIndex = startIndex;
  if (n > 0) page.prev = pageIri(collection, n - 1);
  if (n < pages - 1) page.next = pageIri(collection, n + 1);
  page.items = items;
  return page;
}

function stringify(v: unknown): string {
  return JSON.stringify(v, null, 2) + '\n';
}

/** Code unit order: the same on every machine, unlike localeCompare. */

/**
 * A document text with UTF-16 ↔ code point conversion in O(1) after one pass (utf16ToCodePoint in text.ts walks the
 * text each call, too slow for thousands of annotations on a long document). Agrees with text.ts: an offset inside
 * a surrogate pair counts the whole pair; a lone surrogate is one code point.
 */
class DocumentText {
  private cpAt: Uint32Array | undefined;
  private unitAt: Uint32Array | undefined;
  readonly codePoints: number;
  private hashValue: string | undefined;
  constructor(readonly text: string) {
    if (!/[\uD800-\uDFFF]/.test(text)) {
      this.codePoints = text.length;
      return;
    }
    const cpAt = new Uint32Array(text.length + 1);
    const unitAt = new Uint32Array(text.length + 1);
    let cp = 0;
    let i = 0;
    while (i < text.length) {
      cpAt[i] = cp;
      unitAt[cp] = i;
      if (isHighSurrogate(text.charCodeAt(i)) && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1))) {
        cpAt[i + 1] = cp + 1;
        i += 2;
      } else {
        i++;
      }
      cp++;
    }
    cpAt[text.length] = cp;
    unitAt[cp] = text.length;
    this.cpAt = cpAt;
    this.unitAt = unitAt.subarray(0, cp + 1);
    this.codePoints = cp;
  }
  get hash(): string {
    this.hashValue ??= contentHash(this.text);
    return this.hashValue;
  }
  toCodePoint(utf16: number): number {
    return this.cpAt ? this.cpAt[utf16] : utf16;
  }
  /** UTF-16 offset of a code point offset, or undefined when it lies beyond the text. */
  toUtf16(cp: number): number | undefined {
    if (cp > this.codePoints) return undefined;
    return this.unitAt ? this.unitAt[cp] : cp;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

export interface W3cImportOptions extends W3cIriOptions {
  /** The current text of a document (by workspace-relative path), to convert code points back to UTF-16 offsets.
   *  Without it positions are estimates (code point = UTF-16 offset) and the annotation is listed in needsReanchor. */
  textFor?: (path: string) => string | undefined;
  /** Kind for annotations from other tools, which carry no marginalia:kind. Without it their kind comes from the
   *  motivation (assessing → claim, identifying → entity, describing → figure) or the import fails. */
  defaultKind?: string;
  /** Author for annotations from other tools that name no creator. */
  author?: string;
  /** Tool recorded for annotations from other tools that name no generator; default "unknown". */
  tool?: string;
  /** The time given to annotations from other tools that carry no created/modified; default now. */
  now?: Date;
}

/** A document read back from a W3C export. */
export interface W3cImportedDocument extends ExportedDocument {
  /** Ids of annotations whose UTF-16 offsets are estimates (no text, another version of the text, or only a quote):
   *  re-anchor these against the current text before trusting their offsets. */
  needsReanchor: string[];
  /** What was read but had no place in a Marginalia annotation (extra targets' bodies, links), for people. */
  warnings: string[];
}

/** One file of a (possibly paged) W3C export. */
export interface W3cSourceFile {
  file: string;
  source: string;
}

const REVERSE_MOTIVATIONS: Readonly<Record<string, string>> = { assessing: 'claim', identifying: 'entity', describing: 'figure' };

/**
 * Reads W3C Web Annotations back: a single Annotation, a JSON array of them, or an AnnotationCollection whose pages
 * are embedded (`first` with items). Throws ExportFormatError naming `file`, line and column for anything that is
 * not valid JSON or cannot become a Marginalia annotation. A collection whose later pages live in other files needs
 * parseW3cFiles.
 */
export function parseW3c(source: string, file: string, options: W3cImportOptions = {}): W3cImportedDocument[] {
  return parseW3cFiles([{ file, source }], options);
}

/**
 * Reads the files of a paged export (exportW3cPages writes them) and any standalone annotation files: pages are
 * matched to their collection by id and followed from `first` through `next`; the collection's `total` must match.
 */
export function parseW3cFiles(files: readonly W3cSourceFile[], options: W3cImportOptions = {}): W3cImportedDocument[] {
  const reader = new W3cReader(options);
  const parsed = files.map((f) => ({ file: f.file, json: parseJsonLocated(f.source, f.file) }));
  for (const p of parsed) reader.register(p.file, p.json);
  // Collections first, so that the pages they reach are read as part of them, whatever order the files come in.
  for (const p of parsed) if (isCollection(p.json.value)) reader.readTop(p.file, p.json);
  for (const p of parsed) if (!isCollection(p.json.value)) reader.readTop(p.file, p.json);
  return reader.result();
}

interface Located {
  file: string;
  json: LocatedJson;
}

interface PendingAnnotation {
  annotation: Annotation;
  estimated: boolean;
  at: string;
}

type Json = Record<string, unknown>;

class W3cReader {
  private readonly documentBase: string;
  private readonly annotationBase: string;
  private readonly pages = new Map<string, { node: Json; path: ValuePath; where: Located }>();
  private readonly consumedPages = new Set<string>();
  private readonly annotations: PendingAnnotation[] = [];
  private readonly texts = new Map<string, DocumentText | undefined>();
  private readonly warnings = new Map<string, string[]>();
  private readonly ids = new Map<string, string>();
  private readonly now: string;

  constructor(private readonly options: W3cImportOptions) {
    this.documentBase = options.documentBase ?? DEFAULT_DOCUMENT_BASE;
    this.annotationBase = options.annotationBase ?? DEFAULT_ANNOTATION_BASE;
    this.now = (options.now ?? new Date()).toISOString();
  }

  /** Remembers the standalone pages of every file, so a collection can follow `next` into them. */
  register(file: string, json: LocatedJson): void {
    const v = json.value;
    if (isObject(v) && hasType(v, 'AnnotationPage') && typeof v.id === 'string') this.pages.set(v.id, { node: v, path: [], where: { file, json } });
  }

  readTop(file: string, json: LocatedJson): void {
    const where = { file, json };
    const v = json.value;
    if (Array.isArray(v)) {
      v.forEach((item, i) => this.readAnnotation(item, [i], where, true));
      return;
    }
    if (!isObject(v)) throw this.fail(where, [], 'schema', `not a W3C Web Annotation: the file holds ${describeJson(v)}, not an object or a list of annotations`);
    this.checkContext(v, [], where, true);
    if (hasType(v, 'Annotation')) this.readAnnotation(v, [], where, false);
    else if (hasType(v, 'AnnotationCollection')) this.readCollection(v, where);
    else if (hasType(v, 'AnnotationPage')) {
      // A page file is read as part of its collection; one whose collection was not given is read on its own.
      if (typeof v.id === 'string' && this.consumedPages.has(v.id)) return;
      this.readPageItems(v, [], where);
    } else {
      throw this.fail(where, has(v, 'type') ? ['type'] : [], 'schema', `not a W3C Web Annotation: type is ${describeJson(v.type)}; expected Annotation, AnnotationCollection or AnnotationPage (or a list of annotations)`);
    }
  }

  private readCollection(c: Json, where: Located): void {
    const total = c.total;
    if (total !== undefined && !(typeof total === 'number' && Number.isSafeInteger(total) && total >= 0)) {
      throw this.fail(where, ['total'], 'schema', `the collection's total must be a whole number ≥ 0, not ${describeJson(total)}`);
    }
    let count = 0;
    let page: unknown = c.first;
    let path: ValuePath = ['first'];
    let at: Located = where;
    const seen = new Set<string>();
    while (page !== undefined) {
      if (typeof page === 'string') {
        const found = this.pages.get(page);
        if (!found) {
          throw this.fail(at, path, 'invalid', `the collection continues on page ${page}, which is not in ${where.file}${this.pages.size > 0 ? ' or the other files given' : ''}; import all the page files together`);
        }
        page = found.node;
        path = found.path;
        at = found.where;
      }
      if (!isObject(page) || !hasType(page, 'AnnotationPage')) throw this.fail(at, path, 'schema', `this must be an AnnotationPage, not ${describeJson(page)}`);
      const id = typeof page.id === 'string' ? page.id : undefined;
      if (id !== undefined) {
        if (seen.has(id)) throw this.fail(at, [...path, 'next'], 'invalid', `the pages loop back to ${id}; each page must appear once`);
        seen.add(id);
        this.consumedPages.add(id);
      }
      count += this.readPageItems(page, path, at);
      const next = page.next;
      if (next === undefined) break;
      if (typeof next !== 'string') throw this.fail(at, [...path, 'next'], 'schema', `next must be the IRI of the following page, not ${describeJson(next)}`);
      page = next;
      path = [...path, 'next'];
    }
    if (typeof total === 'number' && count !== total) {
      throw this.fail(where, ['total'], 'invalid', `the collection says it holds ${total} annotations but its pages hold ${count}; some page files are missing, or the file was cut short`);
    }
  }

  /** Reads a page's items; returns how many. */
  private readPageItems(page: Json, path: ValuePath, where: Located): number {
    const items = page.items;
    if (!Array.isArray(items)) throw this.fail(where, has(page, 'items') ? [...path, 'items'] : path, 'schema', `an AnnotationPage must list its annotations in "items", not ${describeJson(items)}`);
    items.forEach((item, i) => this.readAnnotation(item, [...path, 'items', i], where, true));
    return items.length;
  }

  /** An @context, where present, must include the W3C context; embedded items inherit their container's. */
  private checkContext(node: Json, path: ValuePath, where: Located, required: boolean): void {
    const ctx = node['@context'];
    if (ctx === undefined && !required) return;
    const list = Array.isArray(ctx) ? ctx : [ctx];
    if (!list.some((c) => c === ANNO_CONTEXT || c === 'https://www.w3.org/ns/anno.jsonld')) {
      throw this.fail(
        where,
        ctx === undefined ? path : [...path, '@context'],
        'schema',
        `not a W3C Web Annotation: its @context ${ctx === undefined ? 'is missing' : 'does not include'} ${ANNO_CONTEXT}`,
      );
    }
  }

  private readAnnotation(node: unknown, path: ValuePath, where: Located, embedded: boolean): void {
    if (typeof node === 'string') {
      throw this.fail(where, path, 'invalid', `the annotation ${node} is given by IRI only; export it with its full description (embedded in the page)`);
    }
    if (!isObject(node) || !hasType(node, 'Annotation')) throw this.fail(where, path, 'schema', `this must be an Annotation (type "Annotation"), not ${describeJson(node)}`);
    this.checkContext(node, path, where, !embedded);
    const ours = has(node, 'marginalia:kind');
    const origin: Record<string, ValuePath> = {};
    const at = (p: ValuePath): ValuePath => [...path, ...p];

    // Target: exactly one passage of one document.
    let target = node.target;
    let targetPath: ValuePath = ['target'];
    if (Array.isArray(target)) {
      if (target.length !== 1) throw this.fail(where, at(['target']), 'invalid', `the annotation has ${target.length} targets; a Marginalia annotation marks one passage of one document, so split it into one annotation per target`);
      target = target[0];
      targetPath = ['target', 0];
    }
    if (typeof target === 'string' || (isObject(target) && !has(target, 'selector'))) {
      throw this.fail(where, at(targetPath), 'invalid', `the annotation targets a whole document; Marginalia needs a passage: a SpecificResource with a TextQuoteSelector or TextPositionSelector`);
    }
    if (!isObject(target)) throw this.fail(where, at(targetPath), 'schema', `the target must be a SpecificResource object, not ${describeJson(target)}`);
    const sourceValue = isObject(target.source) ? target.source.id : target.source;
    const sourcePath = isObject(target.source) ? [...targetPath, 'source', 'id'] : [...targetPath, 'source'];
    if (typeof sourceValue !== 'string') throw this.fail(where, at(sourcePath), 'schema', `the target's source must be the document's IRI, not ${describeJson(sourceValue)}`);
    const docPath = this.pathOf(sourceValue, where, at(sourcePath));

    const selectorList = Array.isArray(target.selector) ? target.selector : [target.selector];
    let quoteSel: Json | undefined;
    let quoteIdx = -1;
    let posSel: Json | undefined;
    let posIdx = -1;
    selectorList.forEach((s, i) => {
      if (!isObject(s)) return;
      if (s.type === 'TextQuoteSelector' && quoteSel === undefined) [quoteSel, quoteIdx] = [s, i];
      if (s.type === 'TextPositionSelector' && posSel === undefined) [posSel, posIdx] = [s, i];
    });
    const selPath = (i: number): ValuePath => (Array.isArray(target.selector) ? [...targetPath, 'selector', i] : [...targetPath, 'selector']);
    const u16Start = target['marginalia:utf16Start'];
    const u16End = target['marginalia:utf16End'];
    if (!quoteSel && !posSel && u16Start === undefined) {
      throw this.fail(where, at([...targetPath, 'selector']), 'invalid', `the target has no TextQuoteSelector or TextPositionSelector, the only selectors that locate a passage of plain text`);
    }

    const text = this.textFor(docPath);
    const docHash = target['marginalia:docHash'];
    const knownHash = typeof docHash === 'string' ? docHash : undefined;
    let quote = { exact: '', prefix: '', suffix: '' };
    if (quoteSel) {
      for (const k of ['exact', 'prefix', 'suffix'] as const) {
        const v = quoteSel[k];
        if (v === undefined && k !== 'exact') continue;
        if (typeof v !== 'string') throw this.fail(where, at([...selPath(quoteIdx), k]), 'schema', `the TextQuoteSelector's ${k} must be text, not ${describeJson(v)}`);
        quote[k] = v;
      }
      origin['quote.exact'] = at([...selPath(quoteIdx), 'exact']);
    }

    let start: number;
    let end: number;
    let estimated = false;
    if (posSel) {
      const cp: number[] = [];
      for (const k of ['start', 'end'] as const) {
        const v = posSel[k];
        if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
          throw this.fail(where, at([...selPath(posIdx), k]), 'schema', `the TextPositionSelector's ${k} must be a whole number ≥ 0 (a code point offset), not ${describeJson(v)}`);
        }
        cp.push(v);
      }
      if (cp[0] > cp[1]) throw this.fail(where, at([...selPath(posIdx), 'end']), 'invalid', `the TextPositionSelector ends (${cp[1]}) before it starts (${cp[0]})`);
      const s16 = text?.toUtf16(cp[0]);
      const e16 = text?.toUtf16(cp[1]);
      if (text !== undefined && s16 !== undefined && e16 !== undefined) {
        [start, end] = [s16, e16];
        // Exact only when the text is the version the position was made against and the quote is where it says.
        estimated = (knownHash !== undefined && knownHash !== text.hash) || (quoteSel !== undefined && text.text.slice(s16, e16) !== quote.exact);
      } else {
        // No text (or a shorter one): a code point offset is the UTF-16 offset when nothing before it is astral.
        [start, end] = cp;
        estimated = true;
      }
      origin['start'] = at([...selPath(posIdx), 'start']);
      origin['end'] = at([...selPath(posIdx), 'end']);
    } else if (u16Start !== undefined || u16End !== undefined) {
      for (const [k, v] of [['marginalia:utf16Start', u16Start], ['marginalia:utf16End', u16End]] as const) {
        if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw this.fail(where, at([...targetPath, k]), 'schema', `${k} must be a whole number ≥ 0 (a UTF-16 offset), not ${describeJson(v)}`);
      }
      [start, end] = [u16Start as number, u16End as number];
      origin['start'] = at([...targetPath, 'marginalia:utf16Start']);
      origin['end'] = at([...targetPath, 'marginalia:utf16End']);
    } else {
      // Only a quote: place it where it occurs (with its context if possible) and let re-anchoring confirm.
      const found = text === undefined ? -1 : locateQuote(text.text, quote);
      [start, end] = found === -1 ? [0, 0] : [found, found + quote.exact.length];
      estimated = true;
      origin['start'] = origin['end'] = at([...selPath(quoteIdx)]);
    }
    if (start > end) throw this.fail(where, at(targetPath), 'invalid', `the annotation ends (offset ${end}) before it starts (offset ${start})`);
    if (!quoteSel && text !== undefined && !estimated) quote = makeQuote(text.text, start, end);

    // Bodies.
    const bodyList = node.body === undefined ? [] : Array.isArray(node.body) ? node.body : [node.body];
    const bodyPath = (i: number): ValuePath => (Array.isArray(node.body) ? at(['body', i]) : at(['body']));
    const notes: string[] = [];
    const tags: string[] = [];
    const attributes: Record<string, AttributeValue> = {};
    if (typeof node.bodyValue === 'string') notes.push(node.bodyValue);
    bodyList.forEach((b, i) => {
      if (!isObject(b) || typeof b.value !== 'string') {
        this.warn(docPath, `${where.file}: ${formatPath(bodyPath(i))} is not a textual body; Marginalia keeps only text bodies, so it was left out`);
        return;
      }
      const purpose = b.purpose;
      if (has(b, 'marginalia:attribute')) {
        const name = b['marginalia:attribute'];
        const value = b['marginalia:value'];
        if (typeof name !== 'string') throw this.fail(where, [...bodyPath(i), 'marginalia:attribute'], 'schema', `marginalia:attribute must be the attribute's name, not ${describeJson(name)}`);
        if (Object.hasOwn(attributes, name)) throw this.fail(where, [...bodyPath(i), 'marginalia:attribute'], 'invalid', `attribute ${JSON.stringify(name)} is given twice; keep one`);
        Object.defineProperty(attributes, name, { value, enumerable: true, writable: true, configurable: true });
        origin[`attributes.${name}`] = [...bodyPath(i), 'marginalia:value'];
        origin[`attributes[]`] = [...bodyPath(i), 'marginalia:attribute'];
      } else if (purpose === 'tagging') {
        tags.push(b.value);
      } else if (purpose === undefined || purpose === 'commenting' || purpose === 'describing' || purpose === 'replying' || purpose === 'questioning') {
        notes.push(b.value);
        origin['note'] = [...bodyPath(i), 'value'];
      } else {
        this.warn(docPath, `${where.file}: ${formatPath(bodyPath(i))} has purpose ${describeJson(purpose)}, which a Marginalia annotation has no place for; it was left out`);
      }
    });

    // Kind: ours name it; others get the caller's default or one implied by the motivation.
    let kind: unknown;
    if (ours) {
      kind = node['marginalia:kind'];
      origin['kind'] = at(['marginalia:kind']);
      // The tagging body repeats the kind for other W3C clients; it is not a tag.
      const i = tags.indexOf(String(kind));
      if (i !== -1) tags.splice(i, 1);
    } else {
      const motivation = Array.isArray(node.motivation) ? node.motivation[0] : node.motivation;
      kind = this.options.defaultKind ?? (typeof motivation === 'string' ? REVERSE_MOTIVATIONS[motivation] : undefined);
      if (kind === undefined) {
        throw this.fail(
          where,
          has(node, 'motivation') ? at(['motivation']) : path,
          'invalid',
          `the annotation comes from another tool and names no Marginalia kind (its motivation is ${describeJson(motivation)}); choose the kind to give such annotations (defaultKind, e.g. claim)`,
        );
      }
    }
    if (tags.length > 0) {
      if (ours || Object.hasOwn(attributes, 'tags')) this.warn(docPath, `${where.file}: ${formatPath(path) || 'the annotation'} has tags (${tags.join(', ')}) that Marginalia has no place for; they were left out`);
      else attributes.tags = tags.join(', ');
    }

    // Provenance. Ours carry all of it (a missing piece is an error); others get defaults for what they lack.
    const creatorValue = Array.isArray(node.creator) ? node.creator[0] : node.creator;
    let author: unknown;
    if (ours) author = isObject(creatorValue) ? (creatorValue.name ?? '') : creatorValue;
    else if (typeof creatorValue === 'string') author = creatorValue;
    else if (isObject(creatorValue)) author = creatorValue.name ?? creatorValue.nickname ?? (typeof creatorValue.id === 'string' ? creatorValue.id : undefined);
    if (Array.isArray(author)) author = author[0];
    if (!ours) author ??= this.options.author ?? '';
    origin['provenance.author'] = isObject(creatorValue) && has(creatorValue, 'name') ? at(['creator', 'name']) : has(node, 'creator') ? at(['creator']) : path;
    const created = ours ? node.created : (node.created ?? this.now);
    const modified = ours ? node.modified : (node.modified ?? created);
    origin['provenance.created'] = at(['created']);
    origin['provenance.modified'] = at(['modified']);
    let tool: unknown = node['marginalia:tool'];
    if (!ours || tool === undefined) {
      const g = Array.isArray(node.generator) ? node.generator[0] : node.generator;
      tool = isObject(g) && typeof g.name === 'string' ? [g.name, g['schema:softwareVersion']].filter((x) => typeof x === 'string').join(' ') : (this.options.tool ?? 'unknown');
    }
    origin['provenance.tool'] = at(['marginalia:tool']);
    const hash = docHash !== undefined ? docHash : text ? text.hash : UNKNOWN_DOC_HASH;
    origin['provenance.docHash'] = at([...targetPath, 'marginalia:docHash']);

    // Anchor state (ours only; others are as anchored as their selectors say).
    const anchor: Record<string, unknown> = { status: ours ? target['marginalia:anchorStatus'] : 'anchored' };
    if (ours && has(target, 'marginalia:anchorMethod')) anchor.method = target['marginalia:anchorMethod'];
    if (ours && has(target, 'marginalia:anchorDetail')) anchor.detail = target['marginalia:anchorDetail'];
    origin['status.status'] = at([...targetPath, 'marginalia:anchorStatus']);
    origin['status.method'] = at([...targetPath, 'marginalia:anchorMethod']);
    origin['status.detail'] = at([...targetPath, 'marginalia:anchorDetail']);

    // Id: the ULID after our base, or a ULID at the end of another base; annotations from other tools get a new one.
    const iri = node.id;
    origin['id'] = at(['id']);
    let id: string | undefined;
    if (typeof iri === 'string') {
      const rest = iri.startsWith(this.annotationBase) ? iri.slice(this.annotationBase.length) : (/[0-9A-HJKMNP-TV-Z]{26}$/.exec(iri)?.[0] ?? '');
      if (isId(rest)) id = rest;
    }
    if (ours && id === undefined) throw this.fail(where, at(['id']), 'schema', `the annotation's id must be ${this.annotationBase} followed by a ULID, not ${describeJson(iri)}`);
    id ??= newId(Date.parse(String(created)) || Date.now());

    const raw = {
      id,
      kind,
      quote,
      start: { offset: start },
      end: { offset: end },
      note: notes.join('\n\n'),
      attributes,
      provenance: { author, created, modified, tool, docHash: hash },
      status: anchor,
    };
    this.validate(raw, origin, path, where);
    const prev = this.ids.get(id);
    if (prev !== undefined) throw this.fail(where, at(['id']), 'invalid', `annotation id ${id} is used twice (also at ${prev}); ids must be unique, remove the copy`);
    this.ids.set(id, `${where.file}:${formatPath(path) || '(top)'}`);
    const state: AnchorState = { status: anchor.status as AnchorState['status'] };
    if (anchor.method !== undefined) state.method = anchor.method as AnchorState['method'];
    if (anchor.detail !== undefined) state.detail = anchor.detail as string;
    this.annotations.push({
      annotation: {
        id,
        kind: kind as string,
        doc: docPath,
        target: { start, end, quote },
        note: raw.note,
        attributes,
        provenance: raw.provenance as Annotation['provenance'],
        anchor: state,
      },
      estimated,
      at: formatPath(path),
    });
  }

  /** The workspace path a document IRI names: the inverse of documentIri. */
  private pathOf(iri: string, where: Located, path: ValuePath): string {
    if (!iri.startsWith(this.documentBase)) {
      throw this.fail(where, path, 'invalid', `the target document ${iri} is not under the document base ${this.documentBase}; import with the base IRI it was exported with (documentBase)`);
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(iri.slice(this.documentBase.length));
    } catch {
      throw this.fail(where, path, 'invalid', `the target document ${iri} has a broken percent-escape`);
    }
    try {
      return toRelPath(decoded);
    } catch (e) {
      if (!(e instanceof PathError)) throw e;
      throw this.fail(where, path, 'invalid', `the target document ${iri} is not a safe workspace-relative path (${e.message})`);
    }
  }

  private textFor(path: string): DocumentText | undefined {
    if (!this.texts.has(path)) {
      const t = this.options.textFor?.(path);
      this.texts.set(path, t === undefined ? undefined : new DocumentText(t));
    }
    return this.texts.get(path);
  }

  private validate(raw: Record<string, unknown>, origin: Record<string, ValuePath>, path: ValuePath, where: Located): void {
    const problem = schemaProblem(validator('exportAnnotation'), raw, RAW_HINTS);
    if (!problem) return;
    // Point at the W3C property the model field came from; the reason names the model field, said in W3C terms.
    const key = problem.path.length > 1 && problem.path[0] === 'attributes' ? (problem.key ? 'attributes[]' : `attributes.${String(problem.path[1])}`) : problem.path.slice(0, 2).join('.');
    const loc = origin[key] ?? origin[String(problem.path[0])] ?? path;
    if (problem.key && problem.path[0] === 'attributes') {
      throw this.fail(where, loc, problem.code, `the attribute name ${JSON.stringify(String(problem.path[1]))} is not allowed: names must be ${RAW_HINTS['attributes[]']}`);
    }
    const reason = problem.reason.replace(/^(\S+)/, (field) => {
      const base = field.replace(/\[.*$/, '');
      return W3C_FIELD_NAMES[base] ?? (base.startsWith('attributes.') ? `attribute ${base.slice('attributes.'.length)}` : field);
    });
    throw this.fail(where, loc, problem.code, reason);
  }

  private warn(doc: string, message: string): void {
    const list = this.warnings.get(doc) ?? [];
    list.push(message);
    this.warnings.set(doc, list);
  }

  /** An error at `path` of a file: its line and column, and the path itself (findable in any JSON viewer). */
  private fail(where: Located, path: ValuePath, code: YamlFileErrorCode, reason: string): ExportFormatError {
    const p = where.json.locate(path);
    const at = formatPath(path);
    return new ExportFormatError(where.file, code, at === '' ? reason : `${at}: ${reason}`, p?.line, p?.column);
  }

  result(): W3cImportedDocument[] {
    const byDoc = new Map<string, W3cImportedDocument>();
    for (const { annotation, estimated } of this.annotations) {
      let d = byDoc.get(annotation.doc);
      if (!d) {
        d = { path: annotation.doc, annotations: [], needsReanchor: [], warnings: this.warnings.get(annotation.doc) ?? [] };
        byDoc.set(annotation.doc, d);
      }
      d.annotations.push(annotation);
      if (estimated) d.needsReanchor.push(annotation.id);
    }
    const docs = [...byDoc.values()].sort((a, b) => compareCodeUnits(a.path, b.path));
    for (const d of docs) {
      d.annotations.sort((a, b) => a.target.start - b.target.start || compareCodeUnits(a.id, b.id));
      d.needsReanchor.sort(compareCodeUnits);
    }
    return docs;
  }
}

const RAW_HINTS = {
  id: 'a ULID (26 characters: digits and capital letters except I, L, O, U)',
  kind: 'a name of letters, digits, _ and - starting with a letter',
  docHash: '"sha256:" and 64 lower-case hex digits',
  'attributes[]': 'letters, digits, _ and -, starting with a letter or _',
};

/** How the model's fields are called in the W3C file, for error messages. */
const W3C_FIELD_NAMES: Readonly<Record<string, string>> = {
  id: 'id',
  kind: 'marginalia:kind',
  note: 'the note',
  'quote.exact': 'the TextQuoteSelector',
  'provenance.author': 'the creator',
  'provenance.created': 'created',
  'provenance.modified': 'modified',
  'provenance.tool': 'marginalia:tool',
  'provenance.docHash': 'marginalia:docHash',
  'status.status': 'marginalia:anchorStatus',
  'status.method': 'marginalia:anchorMethod',
  'status.detail': 'marginalia:anchorDetail',
  provenance: 'the provenance',
  status: 'the anchor state',
};

/** Where `quote` sits in `text`: with its context if it occurs so, else the first bare occurrence; -1 if nowhere. */
function locateQuote(text: string, quote: { exact: string; prefix: string; suffix: string }): number {
  if (quote.exact === '') return -1;
  const withContext = text.indexOf(quote.prefix + quote.exact + quote.suffix);
  if (withContext !== -1) return withContext + quote.prefix.length;
  return text.indexOf(quote.exact);
}

function isCollection(v: unknown): boolean {
  return isObject(v) && hasType(v, 'AnnotationCollection');
}

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function has(o: Json, key: string): boolean {
  return Object.hasOwn(o, key);
}

function hasType(o: Json, type: string): boolean {
  return o.type === type || (Array.isArray(o.type) && o.type.includes(type));
}

function describeJson(v: unknown): string {
  return v === null ? 'null' : describeValue(v);
}

// ---------------------------------------------------------------------------------------------------------------
// JSON with positions: JSON.parse reports no places, and an error that says "documents[3].target" without a line
// is hard to find in a 10 MB file. A small strict parser (RFC 8259; duplicate keys refused, as the YAML reader does).

export interface LocatedJson {
  value: unknown;
  /** 1-based line and column (UTF-16) of the value at `path` (or of its key); the deepest existing ancestor's place
   *  when the path does not exist. */
  locate(path: ValuePath, key?: boolean): { line: number; column: number } | undefined;
}

const MAX_JSON_DEPTH = 256;

/** Parses JSON, refusing duplicate keys and nesting deeper than 256; errors are ExportFormatError with line and column. */
export function parseJsonLocated(source: string, file: string): LocatedJson {
  const reader = new JsonReader(source, file);
  const value = reader.parse();
  const lines = new LineIndex(source);
  return {
    value,
    locate(path, key = false) {
      for (let n = path.length; n >= 0; n--) {
        const k = pathKey(path.slice(0, n));
        const offset = (key && n === path.length ? reader.keys.get(k) : undefined) ?? reader.values.get(k);
        if (offset !== undefined) {
          const p = lines.position(offset);
          return { line: p.line + 1, column: p.character + 1 };
        }
      }
      return undefined;
    },
  };
}

function pathKey(path: ValuePath): string {
  return path.map(String).join('\u0000');
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

class JsonReader {
  private i = 0;
  readonly values = new Map<string, number>();
  readonly keys = new Map<string, number>();
  constructor(
    private readonly s: string,
    private readonly file: string,
  ) {}

  parse(): unknown {
    if (this.s.charCodeAt(0) === 0xfeff) this.i = 1;
    this.ws();
    if (this.i >= this.s.length) throw this.error('the file is empty; export again, or restore it', 'empty');
    const v = this.value([], 0);
    this.ws();
    if (this.i < this.s.length) throw this.error(`unexpected ${this.describe()} after the end of the JSON value`);
    return v;
  }

  private value(path: (string | number)[], depth: number): unknown {
    if (depth > MAX_JSON_DEPTH) throw this.error(`values are nested more than ${MAX_JSON_DEPTH} deep; no annotation file needs that`);
    this.values.set(pathKey(path), this.i);
    const c = this.s[this.i];
    if (c === '{') return this.object(path, depth);
    if (c === '[') return this.array(path, depth);
    if (c === '"') return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.s.startsWith(word, this.i)) {
        this.i += word.length;
        return v;
      }
    }
    throw this.error(`unexpected ${this.describe()} where a value should be`);
  }

  private object(path: (string | number)[], depth: number): Record<string, unknown> {
    this.i++;
    const out: Record<string, unknown> = {};
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') throw this.error(`expected a property name in double quotes, found ${this.describe()}`);
      const keyAt = this.i;
      const key = this.string();
      if (Object.hasOwn(out, key)) {
        this.i = keyAt;
        throw this.error(`the property ${JSON.stringify(key)} appears twice in one object; keep one`);
      }
      this.keys.set(pathKey([...path, key]), keyAt);
      this.ws();
      if (this.s[this.i] !== ':') throw this.error(`expected ":" after the property name ${JSON.stringify(key)}, found ${this.describe()}`);
      this.i++;
      this.ws();
      // defineProperty: a "__proto__" key stays a plain property instead of replacing the prototype.
      Object.defineProperty(out, key, { value: this.value([...path, key], depth + 1), enumerable: true, writable: true, configurable: true });
      this.ws();
      const c = this.s[this.i];
      this.i++;
      if (c === '}') return out;
      if (c !== ',') {
        this.i--;
        throw this.error(`expected "," or "}" after a property value, found ${this.describe()}`);
      }
    }
  }

  private array(path: (string | number)[], depth: number): unknown[] {
    this.i++;
    const out: unknown[] = [];
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      out.push(this.value([...path, out.length], depth + 1));
      this.ws();
      const c = this.s[this.i];
      this.i++;
      if (c === ']') return out;
      if (c !== ',') {
        this.i--;
        throw this.error(`expected "," or "]" after a list item, found ${this.describe()}`);
      }
    }
  }

  private string(): string {
    const start = this.i;
    this.i++;
    let out = '';
    let run = this.i;
    for (;;) {
      if (this.i >= this.s.length) {
        this.i = start;
        throw this.error('a string is not closed (no ending ")');
      }
      const c = this.s.charCodeAt(this.i);
      if (c === 0x22) {
        out += this.s.slice(run, this.i);
        this.i++;
        return out;
      }
      if (c < 0x20) throw this.error(`a control character (U+${c.toString(16).toUpperCase().padStart(4, '0')}) must be escaped inside a string`);
      if (c !== 0x5c) {
        this.i++;
        continue;
      }
      out += this.s.slice(run, this.i);
      const e = this.s[this.i + 1];
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (e !== undefined && Object.hasOwn(simple, e)) {
        out += simple[e];
        this.i += 2;
      } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(this.s.slice(this.i + 2, this.i + 6))) {
        out += String.fromCharCode(parseInt(this.s.slice(this.i + 2, this.i + 6), 16));
        this.i += 6;
      } else {
        throw this.error(`invalid escape ${JSON.stringify(this.s.slice(this.i, this.i + 2))} in a string`);
      }
      run = this.i;
    }
  }

  private number(): number {
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.s);
    if (!m) throw this.error(`invalid number starting with ${this.describe()}`);
    const why = inexactNumberReason(m[0]);
    if (why !== undefined) throw this.error(`the number ${m[0]} would not load as written: ${why}; write it as a string ("${m[0]}") to keep it as text`, 'invalid');
    this.i += m[0].length;
    return Number(m[0]);
  }

  private ws(): void {
    for (;;) {
      const c = this.s.charCodeAt(this.i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.i++;
      else return;
    }
  }

  private describe(): string {
    if (this.i >= this.s.length) return 'the end of the file';
    const cp = this.s.codePointAt(this.i) as number;
    return JSON.stringify(String.fromCodePoint(cp));
  }

  private error(reason: string, code: YamlFileErrorCode = 'syntax'): ExportFormatError {
    const p = new LineIndex(this.s).position(this.i);
    const hint = code === 'syntax' ? '; fix the JSON, or export again' : '';
    return new ExportFormatError(this.file, code, `${code === 'syntax' ? 'not valid JSON: ' : ''}${reason}${hint}`, p.line + 1, p.character + 1);
  }
}

