// One sidecar: the YAML file that holds one document's annotations. It is written in exactly one canonical form
// (fixed key order, annotations sorted by position, one line per field, a deterministic quoting rule) so that
// `git diff` shows one line per changed field and two people annotating different passages merge without conflict.
// It is read defensively (size cap, no tags, few aliases, JSON Schema + semantic checks) so that a hand-edited or
// badly merged file is either loaded exactly or refused with its file, line and column, and never rewritten.
import sidecarSchema from '../../../schemas/sidecar.schema.json';
import { STORE_DIR } from '../../constants';
import type { AnchorStatus, Annotation, AttributeValue, Relation, ResolveMethod } from '../model';
import { PathError, isRelPath, normaliseRelations, relationKey, toRelPath } from '../model';
import {
  YamlFileError,
  decodeYamlBytes,
  describeValue,
  formatPath,
  parseYamlSafely,
  schemaProblem,
  type ErrorFactory,
  type PatternHints,
  type Problem,
  errorFactoryFor,
  validator,
  NEEDS_ESCAPE,
  isPlainSafe,
  quoteString,
  yamlScalar,
} from '../yaml';

/** The sidecar format version this build reads and writes. */
export const SIDECAR_VERSION = 1;
/** Folder (workspace-relative) that mirrors the corpus with one sidecar per annotated document. */
export const ANNOTATIONS_DIR = `${STORE_DIR}/annotations`;
/** Folder of the reviewed set: one sidecar per adjudicated document, in the same format as the coders' sidecars. */
export const REVIEWED_DIR = `${STORE_DIR}/reviewed`;

/** The layers of annotations the store keeps: the coders' own ('coders', what people tag) and the reviewed set
 *  an adjudication makes of them ('reviewed'). Each is a folder of sidecars mirroring the corpus. */
export const LAYERS = ['coders', 'reviewed'] as const;
export type LayerName = (typeof LAYERS)[number];

/** The folder of a layer's sidecars. */
export function layerDir(layer: LayerName): string {
  return layer === 'reviewed' ? REVIEWED_DIR : ANNOTATIONS_DIR;
}
export const SIDECAR_EXTENSION = '.yaml';
/** Larger sidecars are refused: even 20,000 annotations of a long document stay far below this. */
export const MAX_SIDECAR_BYTES = 20 * 1024 * 1024;

/** A sidecar that cannot be loaded; it is reported and left untouched. */
export class SidecarError extends YamlFileError {
  override readonly name = 'SidecarError';
}

// ---------------------------------------------------------------------------------------------------------------
// Paths

/** Checks a document path is normalised, inside the workspace and outside the store; returns it. */
export function checkDocPath(doc: string): string {
  const rel = toRelPath(doc);
  if (rel !== doc)
    throw new PathError(`document path must be normalised (forward slashes, no "." or empty segments): ${JSON.stringify(doc)}; use ${JSON.stringify(rel)}`);
  if (isInStore(rel)) throw new PathError(`${doc} is inside ${STORE_DIR}, Marginalia's own store, and cannot be annotated`);
  return rel;
}

/** '.marginalia/annotations/<doc>.yaml'. Throws PathError for paths outside the workspace or inside the store. */
export function sidecarPathFor(doc: string): string {
  return sidecarPathIn(ANNOTATIONS_DIR, doc);
}

/** '<dir>/<doc>.yaml' for a folder that mirrors the corpus (a layer's, the review decisions'). Throws PathError for
 *  paths outside the workspace or inside the store, and for names too long to carry the extension. */
export function sidecarPathIn(dir: string, doc: string): string {
  const rel = checkDocPath(doc);
  const name = rel.slice(rel.lastIndexOf('/') + 1) + SIDECAR_EXTENSION;
  const bytes = utf8Length(name);
  if (bytes > MAX_NAME_BYTES) {
    throw new PathError(
      `${doc} cannot be annotated: its name is too long for a sidecar beside it (${name} would be ${bytes} bytes, over the ${MAX_NAME_BYTES} a file name can have); rename the document to at most ${MAX_NAME_BYTES - utf8Length(SIDECAR_EXTENSION)} bytes`,
    );
  }
  return `${dir}/${rel}${SIDECAR_EXTENSION}`;
}

/** The longest file name (in UTF-8 bytes) the usual file systems take (ext4, APFS, NTFS: 255). */
export const MAX_NAME_BYTES = 255;

function utf8Length(s: string): number {
  return new TextEncoder().encode(s).length;
}

/** The document a sidecar path belongs to, or undefined if the path is not one a sidecar can have. */
export function docForSidecarPath(file: string): string | undefined {
  return docForPathIn(ANNOTATIONS_DIR, file);
}

/** The document a '<dir>/<doc>.yaml' path belongs to, or undefined if it is not one. */
export function docForPathIn(dir: string, file: string): string | undefined {
  const prefix = dir + '/';
  if (!file.startsWith(prefix) || !file.endsWith(SIDECAR_EXTENSION)) return undefined;
  const doc = file.slice(prefix.length, file.length - SIDECAR_EXTENSION.length);
  return isRelPath(doc) && !isInStore(doc) ? doc : undefined;
}

function isInStore(rel: string): boolean {
  return rel === STORE_DIR || rel.startsWith(STORE_DIR + '/');
}

// ---------------------------------------------------------------------------------------------------------------
// Ordering

/** Sidecar order: by start, then end, then id (ids are ULIDs, so ties fall back to creation order). */
export function compareAnnotations(a: Annotation, b: Annotation): number {
  return a.target.start - b.target.start || a.target.end - b.target.end || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** A sorted copy. */
export function sortAnnotations(annotations: readonly Annotation[]): Annotation[] {
  return [...annotations].sort(compareAnnotations);
}

// ---------------------------------------------------------------------------------------------------------------
// Writing

/**
 * The flat, one-line-per-field record an annotation becomes in the file, in file key order. The order is chosen for
 * git: each record starts with `id` and ends with `created`, which never change, so an annotation added between two
 * others touches no line that an edit or a re-anchoring of its neighbours changes. Inside a record, what people edit
 * (kind to tool) comes before what re-anchoring rewrites (start to detail), with `exact`, which rarely changes,
 * between them: a note edited on one branch and the document edited and re-anchored on another merge cleanly.
 */
interface SidecarRecord {
  id: string;
  relations?: Relation[];
  kind: string;
  note?: string;
  attributes?: Record<string, AttributeValue>;
  author: string;
  modified: string;
  tool: string;
  exact: string;
  start: number;
  end: number;
  prefix?: string;
  suffix?: string;
  docHash: string;
  status: AnchorStatus;
  method?: ResolveMethod;
  detail?: string;
  created: string;
}

interface SidecarValue {
  version: number;
  document: string;
  annotations: SidecarRecord[];
}

function toRecord(a: Annotation): SidecarRecord {
  const r: SidecarRecord = {
    id: a.id,
    kind: a.kind,
    start: a.target.start,
    end: a.target.end,
    exact: a.target.quote.exact,
    prefix: a.target.quote.prefix,
    suffix: a.target.quote.suffix,
    note: a.note,
    attributes: a.attributes,
    author: a.provenance.author,
    created: a.provenance.created,
    modified: a.provenance.modified,
    tool: a.provenance.tool,
    docHash: a.provenance.docHash,
    status: a.anchor.status,
  };
  if (a.anchor.method !== undefined) r.method = a.anchor.method;
  if (a.anchor.detail !== undefined) r.detail = a.anchor.detail;
  if (a.relations !== undefined && a.relations.length > 0) r.relations = a.relations;
  return r;
}

/**
 * The canonical sidecar text for `doc`. Throws PathError for a bad path, and Error when an annotation belongs to
 * another document or would not load back (bad id, start > end, duplicate id, non-finite number, ...): the store
 * never writes a file it would refuse to read.
 */
export function serializeSidecar(doc: string, annotations: readonly Annotation[]): string {
  checkDocPath(doc);
  for (const a of annotations) {
    if (a.doc !== doc) throw new Error(`annotation ${a.id} belongs to ${a.doc}, not ${doc}; it cannot be saved in ${sidecarPathFor(doc)}`);
  }
  const sorted = sortAnnotations(annotations);
  const value: SidecarValue = { version: SIDECAR_VERSION, document: doc, annotations: sorted.map(toRecord) };
  const problem = checkSidecarValue(value, doc);
  if (problem) {
    const [, index] = problem.path;
    const who = typeof index === 'number' ? `annotation ${sorted[index]?.id ?? index}: ` : '';
    throw new Error(`refusing to save annotations of ${doc} that could not be loaded back: ${who}${problem.reason}`);
  }
  return emit(doc, sorted);
}

function emit(doc: string, sorted: readonly Annotation[]): string {
  let out =
    `${headerLine(doc)}\n` + `version: ${SIDECAR_VERSION}\ndocument: ${yamlScalar(doc)}\n` + (sorted.length === 0 ? 'annotations: []\n' : 'annotations:\n');
  // Key order is SidecarRecord's (see there for why). Written field by field, without intermediate objects: this also runs for every
  // file loadAll reads (see parseCanonical).
  for (const a of sorted) {
    const q = a.target.quote;
    const p = a.provenance;
    out += `  - id: ${yamlScalar(a.id)}\n`;
    const relations = normaliseRelations(a.relations);
    if (relations !== undefined) {
      out += '    relations:\n';
      for (const r of relations) {
        out += `      - type: ${yamlScalar(r.type)}\n        to: ${yamlScalar(r.to)}\n        author: ${yamlScalar(r.author)}\n        created: ${yamlScalar(r.created)}\n`;
      }
    }
    out += `    kind: ${yamlScalar(a.kind)}\n    note: ${yamlScalar(a.note)}\n`;
    const names = Object.keys(a.attributes).sort();
    if (names.length === 0) out += '    attributes: {}\n';
    else {
      out += '    attributes:\n';
      for (const name of names) out += `      ${yamlScalar(name)}: ${yamlScalar(a.attributes[name])}\n`;
    }
    out +=
      `    author: ${yamlScalar(p.author)}\n    modified: ${yamlScalar(p.modified)}\n    tool: ${yamlScalar(p.tool)}\n` +
      `    exact: ${yamlScalar(q.exact)}\n    start: ${yamlScalar(a.target.start)}\n    end: ${yamlScalar(a.target.end)}\n` +
      `    prefix: ${yamlScalar(q.prefix)}\n    suffix: ${yamlScalar(q.suffix)}\n    docHash: ${yamlScalar(p.docHash)}\n` +
      `    status: ${yamlScalar(a.anchor.status)}\n`;
    if (a.anchor.method !== undefined) out += `    method: ${yamlScalar(a.anchor.method)}\n`;
    if (a.anchor.detail !== undefined) out += `    detail: ${yamlScalar(a.anchor.detail)}\n`;
    out += `    created: ${yamlScalar(p.created)}\n`;
  }
  return out;
}

/** The first line. The path is made safe for a comment: nothing that could end the line or hide in it. */
function headerLine(doc: string): string {
  const shown = doc.replace(/[\p{C}\p{Zl}\p{Zp}]/gu, '?');
  return `# Marginalia annotations for ${shown}. Offsets are UTF-16 code units. Schema: schemas/sidecar.schema.json`;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

export interface ParseOptions {
  /** Use the fast reader for files already in canonical form (default true; tests turn it off to compare). */
  fastPath?: boolean;
  /** Whether the document the file's path names must be the `document` field (default true). A merge turns it off
   *  to read the versions of a sidecar git paired across a rename of its document, then decides itself. */
  documentFromPath?: boolean;
}

/** Parses a sidecar's bytes: size cap and UTF-8 first, then as `parseSidecar`. */
export function parseSidecarBytes(bytes: Uint8Array, file: string, options?: ParseOptions): Annotation[] {
  return parseSidecar(decodeSidecarBytes(bytes, file), file, options);
}

/**
 * Refuses, before anything is written, a sidecar the reader would refuse by its size (MAX_SIDECAR_BYTES): the store
 * never acknowledges a save that makes the document's annotations unloadable. Throws SidecarError 'too-large'.
 */
export function assertSidecarFits(file: string, size: number): void {
  if (size <= MAX_SIDECAR_BYTES) return;
  const mb = (n: number): string => (n / (1024 * 1024)).toFixed(1);
  throw new SidecarError(
    file,
    'too-large',
    `saving would make the sidecar ${mb(size)} MB, over the ${mb(MAX_SIDECAR_BYTES)} MB limit Marginalia reads, so nothing was saved; ` +
      'annotate shorter passages or split the document (each annotation stores its quoted text)',
  );
}

/** A sidecar's text: under the size cap and UTF-8, or a SidecarError about `file` (`what` names the version read). */
export function decodeSidecarBytes(bytes: Uint8Array, file: string, what = 'the sidecar'): string {
  return decodeYamlBytes(bytes, MAX_SIDECAR_BYTES, errorFactory(file), what);
}

/**
 * The annotations of a sidecar, sorted. `file` is the sidecar's workspace-relative path: it names the file in errors
 * and, when it is under .marginalia/annotations, gives the document the `document` field must match.
 * Throws SidecarError with the line and column of the first problem.
 */
export function parseSidecar(text: string, file: string, options: ParseOptions = {}): Annotation[] {
  const expectedDoc = options.documentFromPath === false ? undefined : (docForSidecarPath(file) ?? docForPathIn(REVIEWED_DIR, file));
  if (options.fastPath !== false) {
    const fast = readCanonical(text, expectedDoc);
    if (fast) return fast;
  }
  const fail = errorFactory(file);
  const parsed = parseYamlSafely(text, fail, {
    conflictHint:
      'by keeping the annotations of both sides and deleting the <<<<<<<, ======= and >>>>>>> lines, ' +
      `or take one side with \`git checkout --ours -- ${file}\` (or --theirs); Marginalia leaves the file as it is until then`,
  });
  const problem = checkSidecarValue(parsed.value, expectedDoc);
  if (problem) {
    const at = parsed.locate(problem.path, problem.key);
    throw fail(problem.code, `${problem.reason}. ${FIX_HINT}`, at?.line, at?.column);
  }
  const value = parsed.value as SidecarValue;
  return sortAnnotations(value.annotations.map((r) => toAnnotation(r, value.document)));
}

const FIX_HINT = 'Fix it by hand or restore it from git; Marginalia will not load or rewrite this file until then';

function errorFactory(file: string): ErrorFactory {
  return errorFactoryFor(SidecarError, file);
}

const HINTS: PatternHints = {
  id: 'a ULID (26 characters, digits and capital letters except I, L, O and U)',
  kind: 'a kind name (a letter, then up to 63 letters, digits, "-" or "_"; nested kinds join such names with "/", e.g. parent/child)',
  docHash: '"sha256:" followed by 64 lowercase hex digits',
  'attributes[]': 'a letter or "_", then up to 63 letters, digits, "-" or "_"',
  to: 'the id of an annotation: a ULID (26 characters, digits and capital letters except I, L, O and U)',
  type: 'a relation type name (a letter, then up to 63 letters, digits, "-" or "_")',
};

/** Version, schema and meaning, in that order: a newer file is named as such rather than as a schema failure. */
function checkSidecarValue(value: unknown, expectedDoc: string | undefined): Problem | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { path: [], code: 'schema', reason: 'a sidecar must be a YAML mapping with version, document and annotations' };
  }
  const version = (value as { version?: unknown }).version;
  if (version !== SIDECAR_VERSION && version !== undefined) {
    if (typeof version === 'number' && Number.isInteger(version) && version > SIDECAR_VERSION) {
      return {
        path: ['version'],
        code: 'version',
        reason: `written by a newer Marginalia (sidecar format version ${version}; this one reads version ${SIDECAR_VERSION}); update Marginalia to read it`,
      };
    }
    return {
      path: ['version'],
      code: 'version',
      reason: `unknown sidecar format version ${describeValue(version)}; this Marginalia reads version ${SIDECAR_VERSION}`,
    };
  }
  const problem = schemaProblem(validator('sidecar'), value, HINTS);
  if (problem) return problem;
  const v = value as SidecarValue;
  if (!isRelPath(v.document) || isInStore(v.document)) {
    return {
      path: ['document'],
      code: 'invalid',
      reason: `document must be a workspace-relative path with forward slashes, outside ${STORE_DIR}, not ${JSON.stringify(v.document)}`,
    };
  }
  if (expectedDoc !== undefined && v.document !== expectedDoc) {
    return {
      path: ['document'],
      code: 'invalid',
      reason: `document is ${JSON.stringify(v.document)}, but this file's path says it holds the annotations of ${JSON.stringify(expectedDoc)}; move the file to ${sidecarPathFor(v.document)} or correct the field`,
    };
  }
  const seen = new Map<string, number>();
  for (let i = 0; i < v.annotations.length; i++) {
    const a = v.annotations[i];
    if (a.start > a.end) {
      return {
        path: ['annotations', i, 'end'],
        code: 'invalid',
        reason: `${formatPath(['annotations', i])} (id ${a.id}) ends at ${a.end}, before its start ${a.start}; offsets are [start, end) in UTF-16 code units`,
      };
    }
    const before = seen.get(a.id);
    if (before !== undefined) {
      return {
        path: ['annotations', i, 'id'],
        code: 'invalid',
        reason: `annotation id ${a.id} is used twice (annotations[${before}] and annotations[${i}]); delete one, or give one a new id`,
      };
    }
    seen.set(a.id, i);
    const relations = new Map<string, number>();
    for (let j = 0; j < (a.relations ?? []).length; j++) {
      const r = (a.relations as Relation[])[j];
      if (r.to === a.id) {
        return {
          path: ['annotations', i, 'relations', j, 'to'],
          code: 'invalid',
          reason: `annotation ${a.id} is linked to itself (${r.type}); a relation joins two annotations, so delete this one`,
        };
      }
      const twice = relations.get(relationKey(r));
      if (twice !== undefined) {
        return {
          path: ['annotations', i, 'relations', j],
          code: 'invalid',
          reason: `annotation ${a.id} has the relation ${r.type} to ${r.to} twice (relations[${twice}] and relations[${j}]); delete one`,
        };
      }
      relations.set(relationKey(r), j);
    }
  }
  return undefined;
}

function toAnnotation(r: SidecarRecord, doc: string): Annotation {
  const source = r.attributes ?? {};
  const attributes: Record<string, AttributeValue> = {};
  // Sorted so equal sidecars give deepEqual annotations whatever order a hand edit left the keys in.
  for (const name of Object.keys(source).sort()) attributes[name] = source[name];
  const a: Annotation = {
    id: r.id,
    kind: r.kind,
    doc,
    target: { start: r.start, end: r.end, quote: { exact: r.exact, prefix: r.prefix ?? '', suffix: r.suffix ?? '' } },
    note: r.note ?? '',
    attributes,
    provenance: { author: r.author, created: r.created, modified: r.modified, tool: r.tool, docHash: r.docHash },
    anchor: { status: r.status },
  };
  if (r.method !== undefined) a.anchor.method = r.method;
  if (r.detail !== undefined) a.anchor.detail = r.detail;
  const relations = normaliseRelations(r.relations);
  if (relations !== undefined) a.relations = relations;
  return a;
}

// ---------------------------------------------------------------------------------------------------------------
// The fast reader
//
// A general YAML parser reads about 5 MB/s; a corpus of 10,000 sidecars holds 50 MB or more. Files Marginalia
// wrote, and git merges of them, are in canonical form, so they are read here token by token, accepting a line only
// if it is exactly what `emit` writes for the value read (same key order, same quoting, sorted annotations and
// attribute names, the same header) and the values pass the schema's own patterns. Anything else (hand edits,
// other quoting, errors) returns undefined and goes to the full parser, which also locates errors. So for every
// text it accepts, serializing the result gives the same bytes, and the tests show the full parser reads every such
// text to the same annotations.

const annotationSchema = sidecarSchema.definitions.annotation.properties;
const ID = new RegExp(annotationSchema.id.pattern);
const KIND = new RegExp(annotationSchema.kind.pattern);
const DOC_HASH = new RegExp(annotationSchema.docHash.pattern);
const ATTRIBUTE_NAME = new RegExp(annotationSchema.attributes.propertyNames.pattern);
const STATUSES: ReadonlySet<string> = new Set(annotationSchema.status.enum);
const METHODS: ReadonlySet<string> = new Set(annotationSchema.method.enum);
const INTEGER = /^(?:0|[1-9][0-9]{0,15})$/;

const NO = Symbol('not canonical');
type No = typeof NO;

/** The annotations of a sidecar text that is valid and exactly in the form serializeSidecar writes; undefined for
 *  any other text (which may still be a valid sidecar: parseSidecar reads those). For "is this file canonical?". */
export function parseCanonicalSidecar(text: string, file: string): Annotation[] | undefined {
  return readCanonical(text, docForSidecarPath(file));
}

function readCanonical(text: string, expectedDoc: string | undefined): Annotation[] | undefined {
  let pos = 0;
  /** The rest of the current line, consuming its newline; undefined at the end of the text. */
  const line = (): string | undefined => {
    const nl = text.indexOf('\n', pos);
    if (nl === -1) return undefined;
    const s = text.slice(pos, nl);
    pos = nl + 1;
    return s;
  };
  /** The value token of a line that must start with `prefix`. */
  const field = (prefix: string): string | undefined => (text.startsWith(prefix, pos) ? ((pos += prefix.length), line()) : undefined);
  /** A field of repeated values: when the token is the same as the last one read for it (the tool, the document's
   *  hash, the status ...), its value is taken without looking it up. */
  const repeated = (prefix: string, values: Repeated): string | No => {
    const token = field(prefix);
    if (token !== undefined && token === values.lastToken) return values.lastValue;
    const value = values.get(token);
    if (token !== undefined && value !== NO) values.remember(token, value);
    return value;
  };
  const optional = (prefix: string, values: Repeated): string | No | undefined => {
    if (!text.startsWith(prefix, pos)) return undefined;
    pos += prefix.length;
    const token = line();
    return token === undefined ? NO : values.get(token);
  };

  const header = line();
  if (line() !== `version: ${SIDECAR_VERSION}`) return undefined;
  const docToken = field('document: ');
  const doc = docToken === undefined ? NO : canonicalString(docToken);
  // expectedDoc, when given, has passed these checks already (docForSidecarPath).
  if (doc === NO || (expectedDoc !== undefined ? doc !== expectedDoc : !isRelPath(doc) || isInStore(doc))) return undefined;
  if (header !== headerLine(doc)) return undefined;
  const docPath = expectedDoc ?? detach(doc);
  const out: Annotation[] = [];
  const head = line();
  if (head === 'annotations: []') return pos === text.length ? out : undefined;
  if (head !== 'annotations:' || pos === text.length) return undefined;
  const ids = new Set<string>();
  while (pos < text.length) {
    const id = unique(field('  - id: '));
    let relations: Relation[] | undefined;
    if (text.startsWith('    relations:\n', pos)) {
      pos += '    relations:\n'.length;
      relations = [];
      while (text.startsWith('      - type: ', pos)) {
        const type = repeated('      - type: ', REPEATED.relationType);
        const to = unique(field('        to: '));
        const author = repeated('        author: ', REPEATED.author);
        const created = unique(field('        created: '));
        if (type === NO || to === NO || author === NO || created === NO || !ID.test(to) || to === id || !isDateTime(created)) return undefined;
        const r: Relation = { type, to, author, created };
        // Strictly increasing (type, then to): sorted as emit sorts them, and no duplicates.
        const last = relations[relations.length - 1];
        if (last !== undefined && !(last.type < type || (last.type === type && last.to < to))) return undefined;
        relations.push(r);
      }
      if (relations.length === 0) return undefined;
    }
    const kind = repeated('    kind: ', REPEATED.kind);
    const note = repeated('    note: ', REPEATED.note);
    if (id === NO || kind === NO || note === NO || !ID.test(id) || ids.has(id)) return undefined;
    ids.add(id);
    const attributes: Record<string, AttributeValue> = {};
    const attrHead = line();
    if (attrHead === '    attributes:') {
      let last: string | undefined;
      while (text.startsWith('      ', pos)) {
        const entry = line();
        if (entry === undefined) return undefined;
        const parsed = attributeLine(entry);
        // Names strictly increasing: sorted as emit sorts them, and no duplicates.
        if (parsed === NO || (last !== undefined && !(last < parsed[0]))) return undefined;
        last = parsed[0];
        attributes[parsed[0]] = parsed[1];
      }
      if (last === undefined) return undefined;
    } else if (attrHead !== '    attributes: {}') return undefined;
    const author = repeated('    author: ', REPEATED.author);
    const modifiedToken = field('    modified: ');
    const modified = unique(modifiedToken);
    const tool = repeated('    tool: ', REPEATED.tool);
    const exact = unique(field('    exact: '));
    const start = int(field('    start: '));
    const end = int(field('    end: '));
    const prefix = unique(field('    prefix: '));
    const suffix = unique(field('    suffix: '));
    const docHash = repeated('    docHash: ', REPEATED.docHash);
    const status = repeated('    status: ', REPEATED.status);
    const method = optional('    method: ', REPEATED.method);
    const detail = optional('    detail: ', REPEATED.detail);
    const createdToken = field('    created: ');
    // Most annotations were never modified: one string for both.
    const created = createdToken !== undefined && createdToken === modifiedToken ? modified : unique(createdToken);
    if (author === NO || modified === NO || tool === NO || exact === NO || start === NO || end === NO || prefix === NO || suffix === NO) return undefined;
    if (docHash === NO || status === NO || method === NO || detail === NO || created === NO) return undefined;
    if (start > end || !isDateTime(created) || (modified !== created && !isDateTime(modified))) return undefined;
    const a: Annotation = {
      id,
      kind,
      doc: docPath,
      target: { start, end, quote: { exact, prefix, suffix } },
      note,
      attributes,
      provenance: { author, created, modified, tool, docHash },
      anchor: { status: status as AnchorStatus },
    };
    if (method !== undefined) a.anchor.method = method as ResolveMethod;
    if (detail !== undefined) a.anchor.detail = detail;
    if (relations !== undefined) a.relations = relations;
    if (out.length > 0 && compareAnnotations(out[out.length - 1], a) >= 0) return undefined;
    out.push(a);
  }
  return out;
}

// Memory. A string sliced from a text keeps the whole text alive in V8, so annotations whose fields were slices of
// their sidecar would hold every sidecar text (two bytes a character as soon as one character is beyond Latin-1):
// twice the size of the annotations themselves at 100,000 annotations. So each field is either a copy (`unique`:
// ids, quotes, dates) or one shared string for every annotation with the same value (`Repeated`: kind, note,
// author, tool, document hash, status, attribute lines), which also checks each such value once per load.

/** A copy of `s` that shares no memory with the text it was sliced from. V8 copies substrings shorter than 13
 *  characters anyway; longer ones are concatenated (a cons string) and flattened at once by reading a character. */
function detach(s: string): string {
  if (s.length < 13) return s;
  const copy = s.charAt(0) + s.slice(1);
  copy.charCodeAt(0);
  return copy;
}

function unique(token: string | undefined): string | No {
  const v = str(token);
  return v === NO ? NO : detach(v);
}

/** The values one field takes, read from their tokens once and shared; forgotten when there are too many. */
class Repeated {
  private readonly values = new Map<string, string | No>();
  /** The last token read for this field, and its value. */
  lastToken: string | undefined;
  lastValue: string | No = NO;

  constructor(private readonly valid: (value: string) => boolean = () => true) {}

  get(token: string | undefined): string | No {
    if (token === undefined) return NO;
    let v = this.values.get(token);
    if (v === undefined) {
      const read = canonicalString(token);
      v = read === NO || !this.valid(read) ? NO : read === token ? detach(token) : detach(read);
      if (this.values.size >= MAX_REPEATED) this.values.clear();
      this.values.set(v === NO ? detach(token) : read === token ? v : detach(token), v);
    }
    return v;
  }

  remember(token: string, value: string | No): void {
    this.lastToken = detach(token);
    this.lastValue = value;
  }
}

/** Distinct values kept per field; a corpus has a few authors and kinds, and one hash per document version. */
const MAX_REPEATED = 4096;

const REPEATED = {
  kind: new Repeated((v) => KIND.test(v)),
  relationType: new Repeated((v) => KIND.test(v)),
  note: new Repeated(),
  author: new Repeated(),
  tool: new Repeated(),
  docHash: new Repeated((v) => DOC_HASH.test(v)),
  status: new Repeated((v) => STATUSES.has(v)),
  method: new Repeated((v) => METHODS.has(v)),
  detail: new Repeated(),
};

const attributeLines = new Map<string, [string, AttributeValue] | No>();

/** canonicalAttribute, once per distinct line (names and most values repeat: speaker, unit, type ...). */
function attributeLine(entry: string): [string, AttributeValue] | No {
  let v = attributeLines.get(entry);
  if (v === undefined) {
    const read = canonicalAttribute(entry);
    v = read === NO ? NO : [detach(read[0]), typeof read[1] === 'string' ? detach(read[1]) : read[1]];
    if (attributeLines.size >= MAX_REPEATED) attributeLines.clear();
    attributeLines.set(detach(entry), v);
  }
  return v;
}

function str(token: string | undefined): string | No {
  return token === undefined ? NO : canonicalString(token);
}

function int(token: string | undefined): number | No {
  if (token === undefined || !INTEGER.test(token)) return NO;
  const n = Number(token);
  return n <= Number.MAX_SAFE_INTEGER ? n : NO;
}

/** The string a token holds if it is exactly how yamlScalar writes that string, else NO. */
function canonicalString(token: string): string | No {
  if (token.charCodeAt(0) !== 0x22) return isPlainSafe(token) ? token : NO;
  let value: string;
  if (token.indexOf('\\') === -1) {
    // No escapes: the value is the text between the quotes, and quoteString writes it back as is unless it holds a
    // character that needs escaping (then the comparison below decides).
    if (token.length < 2 || token.indexOf('"', 1) !== token.length - 1) return NO;
    value = token.slice(1, -1);
    if (NEEDS_ESCAPE.test(value) && quoteString(value) !== token) return NO;
  } else {
    const q = readQuoted(token, 0);
    if (!q || q.end !== token.length) return NO;
    value = q.value;
    if (quoteString(value) !== token) return NO;
  }
  return isPlainSafe(value) ? NO : value;
}

/** `      name: value` in canonical form, with a valid attribute name. */
function canonicalAttribute(entry: string): [string, AttributeValue] | No {
  let name: string | No;
  let after: number;
  if (entry.charCodeAt(6) === 0x22) {
    const q = readQuoted(entry, 6);
    if (!q) return NO;
    name = canonicalString(entry.slice(6, q.end));
    after = q.end;
  } else {
    after = entry.indexOf(': ', 6);
    if (after === -1) return NO;
    name = canonicalString(entry.slice(6, after));
  }
  if (name === NO || !ATTRIBUTE_NAME.test(name) || !entry.startsWith(': ', after)) return NO;
  const token = entry.slice(after + 2);
  let value: AttributeValue | No;
  if (token === 'true' || token === 'false') value = token === 'true';
  else if (/^[-0-9]/.test(token)) {
    const n = Number(token);
    value = Number.isFinite(n) && yamlScalar(n) === token ? n : NO;
  } else value = canonicalString(token);
  return value === NO ? NO : [name, value];
}

/** The schema's date-time check, with the form Marginalia writes (toISOString's) decided first, character by
 *  character. */
function isDateTime(s: string): boolean {
  return isIsoUtc(s) || (validator('dateTime')(s) as boolean);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** True for "YYYY-MM-DDTHH:MM:SS.mmmZ" naming a real day and time of day. */
function isIsoUtc(s: string): boolean {
  if (s.length !== 24) return false;
  const d = (i: number): number => {
    const c = s.charCodeAt(i) - 48;
    return c >= 0 && c <= 9 ? c : NaN;
  };
  if (s[4] !== '-' || s[7] !== '-' || s[10] !== 'T' || s[13] !== ':' || s[16] !== ':' || s[19] !== '.' || s[23] !== 'Z') return false;
  const year = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3);
  const month = d(5) * 10 + d(6);
  const day = d(8) * 10 + d(9);
  const hour = d(11) * 10 + d(12);
  const minute = d(14) * 10 + d(15);
  const second = d(17) * 10 + d(18);
  const millis = d(20) * 100 + d(21) * 10 + d(22);
  // NaN (a non-digit) fails every comparison below.
  if (!(year >= 0 && millis >= 0 && hour <= 23 && minute <= 59 && second <= 59 && month >= 1 && month <= 12 && day >= 1)) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]);
}

/** Decodes the escapes quoteString writes (and only those) from the double-quoted scalar at `pos`. */
function readQuoted(s: string, pos: number): { value: string; end: number } | undefined {
  let out = '';
  let run = pos + 1;
  for (let i = run; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) return { value: out + s.slice(run, i), end: i + 1 };
    if (c !== 0x5c) continue;
    out += s.slice(run, i);
    const e = s[i + 1];
    let width = 0;
    switch (e) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case '0':
        out += '\0';
        break;
      case '"':
      case '\\':
        out += e;
        break;
      case 'x':
        width = 2;
        break;
      case 'u':
        width = 4;
        break;
      default:
        return undefined;
    }
    if (width > 0) {
      const digits = s.slice(i + 2, i + 2 + width);
      if (digits.length !== width || !/^[0-9A-F]+$/.test(digits)) return undefined;
      out += String.fromCharCode(parseInt(digits, 16));
    }
    i += 1 + width;
    run = i + 1;
  }
  return undefined;
}
