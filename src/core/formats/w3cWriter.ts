// W3C Web Annotation export: annotations as an AnnotationCollection (one file, or pages), positions counted in
// Unicode code points as the model's TextPositionSelector requires. The mapping is described in w3cVocabulary.ts.
import { TOOL_VERSION } from '../../constants';
import { isId, toRelPath, compareCodeUnits, normaliseRelations, relationGuid } from '../model';
import type { Annotation, Relation } from '../model';
import { assertSpanHolds, exportDocuments } from './exportInput';
import { CodePointText } from './codePoints';
import {
  W3C_CONTEXT,
  DEFAULT_DOCUMENT_BASE,
  DEFAULT_ANNOTATION_BASE,
  W3C_MOTIVATIONS,
  KIND_MOTIVATIONS,
  DEFAULT_MOTIVATION,
  documentIri,
  type W3cAnnotation,
  type W3cExportInput,
  type W3cExportOptions,
  type W3cMotivation,
  type W3cPagedExportInput,
} from './w3cVocabulary';

/**
 * One annotation as a standalone W3C Annotation (with @context). `text` is the document's current text, undefined
 * when it is missing; it is needed to count the position in code points.
 */
export function toW3cAnnotation(a: Annotation, text: string | undefined, options: W3cExportOptions & { generated?: Date } = {}): W3cAnnotation {
  const doc = toRelPath(a.doc);
  const ctx = writeContext(options, options.generated ?? new Date(), text === undefined ? undefined : new CodePointText(text));
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
  if (!Number.isSafeInteger(input.pageSize) || input.pageSize < 1)
    throw new Error(`cannot export: the page size must be a whole number ≥ 1, not ${input.pageSize}`);
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
  text: CodePointText | undefined;
}

function writeContext(options: W3cExportOptions, generated: Date, text: CodePointText | undefined): WriteContext {
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
    throw new Error(
      `cannot export: the ${what} base ${JSON.stringify(base)} is not an absolute IRI (such as urn:marginalia:${what}: or https://example.org/${what}s/)`,
    );
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
    const ctx = writeContext(input, generated, d.text === undefined ? undefined : new CodePointText(d.text));
    const sorted = [...d.annotations].sort((a, b) => a.target.start - b.target.start || compareCodeUnits(a.id, b.id));
    for (const a of sorted) {
      if (ids.has(a.id)) throw new Error(`cannot export: annotation id ${a.id} appears twice`);
      ids.add(a.id);
      items.push(annotationBody(a, d.path, ctx));
      // Its relations follow it, each a linking annotation (see w3cVocabulary.ts).
      for (const r of normaliseRelations(a.relations) ?? []) items.push(linkBody(a.id, r, ctx));
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

/**
 * One relation as a standalone W3C Annotation (with @context): motivation "linking", its target the annotation the
 * relation starts from and its body the one it points to, both by their annotation IRIs.
 */
export function toW3cLink(from: string, r: Relation, options: W3cExportOptions & { generated?: Date } = {}): W3cAnnotation {
  const ctx = writeContext(options, options.generated ?? new Date(), undefined);
  return { '@context': contextValue(), ...linkBody(from, r, ctx) };
}

function linkBody(from: string, r: Relation, ctx: WriteContext): W3cAnnotation {
  if (!isId(from) || !isId(r.to)) throw new Error(`cannot export: the relation ${r.type} from ${from} to ${r.to} does not join two annotation ids (ULIDs)`);
  const creator: Record<string, unknown> = { type: 'Person' };
  if (r.author !== '') creator.name = r.author;
  return {
    id: `urn:uuid:${relationGuid(from, r.type, r.to)}`,
    type: 'Annotation',
    motivation: 'linking',
    creator,
    created: r.created,
    generator: { type: 'Software', name: 'Marginalia', 'schema:softwareVersion': TOOL_VERSION },
    generated: ctx.generated,
    'marginalia:relationType': r.type,
    body: ctx.annotationBase + r.to,
    target: ctx.annotationBase + from,
  };
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
