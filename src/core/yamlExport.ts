// The YAML export: every annotation of a corpus (or of chosen documents) in one file people can read and other
// programs can load, and the import that reads it back. Deterministic output, so two exports of the same state
// are byte-identical and diff cleanly.
import { Document, Scalar, isPair, isScalar, visit } from 'yaml';
import type { ScalarTag, Tags } from 'yaml';
import exportSchema from '../../schemas/export.schema.json';
import { TOOL_ID } from '../constants';
import { parseDocumentMetadata } from './metadata';
import type { AnchorState, AnchorStatus, Annotation, AttributeValue, Attributes, ResolveMethod } from './model';
import { PathError, toRelPath } from './paths';
import {
  YamlFileError,
  compileSchema,
  describeValue,
  formatPath,
  parseYamlSafely,
  schemaProblem,
  type ErrorFactory,
  type ParsedYaml,
  type ValuePath,
  type YamlFileErrorCode,
} from './schemaValidate';
import { LineIndex, contentHash } from './text';

export const EXPORT_FORMAT = 'marginalia-export';
export const EXPORT_VERSION = 1;

/** The comment that opens every export: the units, for people who open the file without the schema. */
const HEADER_COMMENT = [
  ' Marginalia export. Offsets are UTF-16 code units; lines and columns are 1-based (columns count UTF-16 code units).',
  ' end is exclusive (one past the last character). Format: schemas/export.schema.json (JSON Schema draft-07).',
].join('\n');

/** What to do about a file that fails the checks, appended to every schema and semantic error. */
const FIX_HINT = 'fix it by hand, or export again with Marginalia (the format is schemas/export.schema.json)';

const CONTEXT_KEYS = new Set(['prefix', 'suffix']);

/** Our exports never contain aliases; a hand-edited file may use a few, a hostile one must not expand without end. */
const MAX_ALIASES = 10;

/** A problem found in an export file. `line` and `column` are 1-based; 1:1 when the problem has no better place. */
export class ExportFormatError extends YamlFileError {
  declare readonly line: number;
  declare readonly column: number;
  constructor(file: string, code: YamlFileErrorCode, reason: string, line = 1, column = 1) {
    super(file, code, reason, line, column);
    this.name = 'ExportFormatError';
  }
}

export interface ExportInputDocument {
  /** Workspace-relative path (normalised with toRelPath). */
  path: string;
  /** The document's current text; undefined when it is missing on disk (its annotations are still exported). */
  text: string | undefined;
  /** The document's annotations; each one's `doc` must name this document. */
  annotations: readonly Annotation[];
}

export interface ExportInput {
  documents: readonly ExportInputDocument[];
  /** When the export is written; now by default (tests pass a fixed date). */
  generated?: Date;
  /** The writing tool, "marginalia 0.1.0" by default. */
  tool?: string;
}

/** One document read back from an export. */
export interface ExportedDocument {
  path: string;
  /** Content hash of the text at export; absent when the document was missing then. */
  hash?: string;
  /** Header metadata at export; absent when the document was missing then. */
  metadata?: Record<string, string>;
  /** Model annotations: offsets from `offset`, `doc` set to `path`. */
  annotations: Annotation[];
}

// ---------------------------------------------------------------------------------------------------------------
// Writing

interface PositionOut {
  line?: number;
  column?: number;
  offset: number;
}

/**
 * Writes one export file for `input.documents` (see schemas/export.schema.json). Documents are sorted by path,
 * annotations by start offset then id, keys come in a fixed order (attributes sorted by name), lines are never
 * folded; strings that a YAML 1.1 reader (PyYAML) would read differently from a YAML 1.2 reader are quoted.
 * Throws Error for input that breaks the model's invariants (annotation of another document, start after end,
 * a non-finite number attribute), since such an export could not be imported again.
 */
export function exportYaml(input: ExportInput): string {
  const seen = new Set<string>();
  const docs = input.documents.map((d) => {
    const path = toRelPath(d.path);
    if (seen.has(path)) throw new Error(`cannot export: document ${path} is listed twice`);
    seen.add(path);
    return { ...d, path };
  });
  docs.sort((a, b) => compareCodeUnits(a.path, b.path));
  const plain = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    offsetUnit: 'utf-16',
    generated: (input.generated ?? new Date()).toISOString(),
    tool: input.tool ?? TOOL_ID,
    documents: docs.map((d) => {
      const index = d.text === undefined ? undefined : new LineIndex(d.text);
      const annotations = [...d.annotations].sort((a, b) => a.target.start - b.target.start || compareCodeUnits(a.id, b.id));
      return {
        path: d.path,
        hash: d.text === undefined ? null : contentHash(d.text),
        metadata: d.text === undefined ? null : parseDocumentMetadata(d.text, d.path).fields,
        annotations: annotations.map((a) => exportAnnotation(a, d.path, index)),
      };
    }),
  };
  const doc = new Document(plain, { version: '1.2', aliasDuplicateObjects: false, customTags: withPortableNumbers });
  doc.commentBefore = HEADER_COMMENT;
  visit(doc, {
    Scalar(_key, node, path) {
      if (typeof node.value !== 'string') return;
      const parent = path[path.length - 1];
      // Quote context is at most 32 characters: "…\nRussia plans " reads better than a block scalar for it.
      const context = isPair(parent) && parent.value === node && isScalar(parent.key) && CONTEXT_KEYS.has(String(parent.key.value));
      if (needsDoubleQuotes(node.value) || (context && node.value.includes('\n'))) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  const out = doc.toString({ lineWidth: 0, indentSeq: true });
  // Only double-quoted scalars can hold these characters (needsDoubleQuotes forced them there), and inside double
  // quotes an escape means the same as the raw character, so replacing them all is safe.
  return out.replace(ESCAPE_IN_OUTPUT, escapeChar);
}

function exportAnnotation(a: Annotation, path: string, index: LineIndex | undefined): Record<string, unknown> {
  const { start, end } = a.target;
  if (toRelPath(a.doc) !== path) throw new Error(`cannot export: annotation ${a.id} belongs to ${a.doc}, not to ${path}`);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new Error(`cannot export: annotation ${a.id} in ${path} has offsets ${start}-${end}; start must be a whole number ≤ end`);
  }
  // Lines and columns only where they mean something: offsets of an orphan may lie beyond the current text.
  const inText = index !== undefined && end <= index.text.length;
  const position = (offset: number): PositionOut => {
    if (!inText) return { offset };
    const p = index.position(offset);
    return { line: p.line + 1, column: p.character + 1, offset };
  };
  const status: { status: AnchorStatus; method?: ResolveMethod; detail?: string } = { status: a.anchor.status };
  if (a.anchor.method !== undefined) status.method = a.anchor.method;
  if (a.anchor.detail !== undefined) status.detail = a.anchor.detail;
  return {
    id: a.id,
    kind: a.kind,
    quote: { exact: a.target.quote.exact, prefix: a.target.quote.prefix, suffix: a.target.quote.suffix },
    start: position(start),
    end: position(end),
    note: a.note,
    attributes: sortedAttributes(a.attributes, a.id),
    provenance: {
      author: a.provenance.author,
      created: a.provenance.created,
      modified: a.provenance.modified,
      tool: a.provenance.tool,
      docHash: a.provenance.docHash,
    },
    status,
  };
}

function sortedAttributes(attrs: Attributes, id: string): Attributes {
  const out: Attributes = {};
  for (const key of Object.keys(attrs).sort(compareCodeUnits)) {
    const v = attrs[key];
    if (typeof v === 'number' && !Number.isFinite(v)) {
      throw new Error(`cannot export: annotation ${id} has attribute ${key} = ${v}, which YAML and JSON readers cannot agree on; store a finite number or text`);
    }
    Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Code unit order: the same on every machine, unlike localeCompare. */
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Characters a YAML 1.1 reader such as PyYAML rejects when written raw (C0/C1 controls, U+FFFE/U+FFFF, lone
 * surrogates) or reads as line breaks (U+0085, U+2028, U+2029), plus the invisible U+FEFF; they are written as
 * escapes. Tab is here because PyYAML ends a plain scalar at a tab.
 */
const NEEDS_ESCAPE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\u2028\u2029\uFEFF\uFFFE\uFFFF]|\p{Cs}/u;
const ESCAPE_IN_OUTPUT = new RegExp(NEEDS_ESCAPE.source, 'gu');

/**
 * Plain scalars that YAML 1.1 (PyYAML) and YAML 1.2 (the `yaml` package) may resolve to something other than the
 * same string: 1.1 reads yes/no/on/off/y/n as booleans, 1_000, 0b11, 017, 1:30 as integers, 2026-11-23 as a date,
 * "=" and "<<" specially; 1.2 reads 0o17 and 1e3 as numbers where 1.1 keeps text. Rather than track each rule,
 * every single-line string starting with a digit, sign, dot, "~", "=" or "<", and every boolean/null word, is
 * double-quoted: both then read the same string. (Multi-line strings become block scalars, always strings.)
 */
const AMBIGUOUS_PLAIN = /^(?:[-+.0-9~=<]|(?:y|n|yes|no|on|off|true|false|null)$)/i;

/**
 * Multi-line text reads best as a block scalar, except when it starts with a line break (an invisible first line)
 * or has whitespace at a line's end, which editors that trim trailing whitespace would silently delete.
 */
const FRAGILE_BLOCK = /^\n|[ \t](?:\n|$)/;

function needsDoubleQuotes(s: string): boolean {
  if (NEEDS_ESCAPE.test(s) || s.includes('\t')) return true;
  return s.includes('\n') ? FRAGILE_BLOCK.test(s) : AMBIGUOUS_PLAIN.test(s);
}

function escapeChar(ch: string): string {
  const c = ch.charCodeAt(0);
  return c <= 0xff ? '\\x' + c.toString(16).toUpperCase().padStart(2, '0') : '\\u' + c.toString(16).toUpperCase().padStart(4, '0');
}

/**
 * JavaScript writes 1e21 and 1e-7 without a decimal point, which YAML 1.1 readers take as text; "1.0e+21" is a
 * float to both. -0 is written as 0 (JSON has no -0).
 */
function portableNumber(n: number): string {
  const s = String(n);
  return s.includes('e') && !s.includes('.') ? s.replace('e', '.0e') : s;
}

const INT_TAG = 'tag:yaml.org,2002:int';
const FLOAT_TAG = 'tag:yaml.org,2002:float';

function withPortableNumbers(tags: Tags): Tags {
  return tags.map((t) => {
    if (typeof t !== 'object' || !('tag' in t) || (t.tag !== INT_TAG && t.tag !== FLOAT_TAG) || t.format !== undefined) return t;
    const tag: ScalarTag = { ...(t as ScalarTag), stringify: (item) => portableNumber(Number((item as Scalar).value)) };
    return tag;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

const PATTERN_HINTS = {
  id: 'a ULID (26 characters: digits and capital letters except I, L, O, U)',
  kind: 'a name of letters, digits, _ and - starting with a letter',
  hash: '"sha256:" and 64 lower-case hex digits',
  docHash: '"sha256:" and 64 lower-case hex digits',
  'attributes[]': 'letters, digits, _ and -, starting with a letter or _',
};

/** Exactly the shape schemas/export.schema.json admits; the checks below rely on it. */
interface RawPosition {
  line?: number;
  column?: number;
  offset: number;
}
interface RawAnnotation {
  id: string;
  kind: string;
  quote: { exact: string; prefix: string; suffix: string };
  start: RawPosition;
  end: RawPosition;
  note: string;
  attributes: Record<string, AttributeValue>;
  provenance: { author: string; created: string; modified: string; tool: string; docHash: string };
  status: AnchorState;
}
interface RawDocument {
  path: string;
  hash: string | null;
  metadata: Record<string, string> | null;
  annotations: RawAnnotation[];
}
interface RawExport {
  format: string;
  version: number;
  documents: RawDocument[];
}

let validator: ReturnType<typeof compileSchema> | undefined;

/**
 * Reads an export file back into model annotations, refusing (with ExportFormatError naming `file`, line and
 * column) anything that is not a valid version-1 export: bad YAML, tags, alias bombs, another format, a newer
 * version, schema violations, unsafe paths, duplicate documents or ids, start after end, lines and columns that
 * contradict the offsets.
 */
export function parseExportYaml(source: string, file: string): ExportedDocument[] {
  const fail: ErrorFactory = (code, reason, line, column) => new ExportFormatError(file, code, reason, line, column);
  const parsed = parseYamlSafely(source, fail, {
    conflictHint: `in ${file} (keep one side of each conflict), or export again`,
    maxAliasCount: MAX_ALIASES,
  });
  const at: Locator = (path, code, reason, key = false) => {
    const p = parsed.locate(path, key);
    return new ExportFormatError(file, code, reason, p?.line, p?.column);
  };
  checkFormatAndVersion(parsed, at);
  validator ??= compileSchema(exportSchema);
  const problem = schemaProblem(validator, parsed.value, PATTERN_HINTS);
  if (problem) throw at(problem.path, problem.code, `${problem.reason}; ${FIX_HINT}`, problem.key);
  const raw = parsed.value as RawExport;
  checkSemantics(raw, at);
  return raw.documents.map((d) => {
    const path = toRelPath(d.path);
    const out: ExportedDocument = { path, annotations: d.annotations.map((a) => toAnnotation(a, path)) };
    if (d.hash !== null) out.hash = d.hash;
    if (d.metadata !== null) out.metadata = d.metadata;
    return out;
  });
}

/** Builds the error for a place in the file; `key` points at the property name (`end:`) rather than its value. */
type Locator = (path: ValuePath, code: YamlFileErrorCode, reason: string, key?: boolean) => ExportFormatError;

/** Checked before the schema, so a newer export or another kind of YAML gets a clear message, not a schema error. */
function checkFormatAndVersion(parsed: ParsedYaml, at: Locator): void {
  const v = parsed.value;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw at([], 'schema', `not a Marginalia export: the file holds ${describeValue(v)}, not a mapping with format: ${EXPORT_FORMAT}; choose a file written by \`marginalia export\``);
  }
  const root = v as Record<string, unknown>;
  if (root.format !== EXPORT_FORMAT) {
    const found = root.format === undefined ? 'has no "format" field' : `has format ${describeValue(root.format)}`;
    throw at(root.format === undefined ? [] : ['format'], 'schema', `not a Marginalia export: it ${found}, expected format: ${EXPORT_FORMAT}; choose a file written by \`marginalia export\``);
  }
  if (typeof root.version === 'number' && Number.isInteger(root.version) && root.version > EXPORT_VERSION) {
    throw at(
      ['version'],
      'version',
      `written in export format version ${root.version} by a newer Marginalia; this one reads version ${EXPORT_VERSION}. Update Marginalia to import it`,
    );
  }
}

function checkSemantics(raw: RawExport, at: Locator): void {
  const paths = new Map<string, number>();
  const ids = new Map<string, string>();
  raw.documents.forEach((d, di) => {
    const here: ValuePath = ['documents', di];
    let path: string;
    try {
      path = toRelPath(d.path);
    } catch (e) {
      if (!(e instanceof PathError)) throw e;
      throw at([...here, 'path'], 'invalid', `${formatPath([...here, 'path'])} is not a safe workspace-relative path (${e.message}); use a path relative to the workspace folder, without ".."`);
    }
    const dup = paths.get(path);
    if (dup !== undefined) throw at([...here, 'path'], 'invalid', `document ${path} appears twice (also documents[${dup}]); merge the two entries`);
    paths.set(path, di);
    const missing = d.hash === null;
    if (missing !== (d.metadata === null)) {
      throw at([...here, missing ? 'hash' : 'metadata'], 'invalid', `${formatPath(here)} has ${missing ? 'no hash but metadata' : 'a hash but no metadata'}; both are null only for a document missing at export. ${capitalise(FIX_HINT)}`);
    }
    d.annotations.forEach((a, ai) => {
      const ah: ValuePath = [...here, 'annotations', ai];
      const prev = ids.get(a.id);
      if (prev !== undefined) throw at([...ah, 'id'], 'invalid', `annotation id ${a.id} is used twice (also at ${prev}); ids must be unique, remove the copy`);
      ids.set(a.id, formatPath(ah));
      if (a.start.offset > a.end.offset) {
        throw at([...ah, 'end'], 'invalid', `${formatPath(ah)} ends (offset ${a.end.offset}) before it starts (offset ${a.start.offset}); ${FIX_HINT}`, true);
      }
      checkLineColumn(a, ah, missing, at);
    });
  });
}

/** Lines and columns are for people; where given they must agree with the offsets, so hand edits cannot diverge. */
function checkLineColumn(a: RawAnnotation, ah: ValuePath, missing: boolean, at: Locator): void {
  const s = a.start;
  const e = a.end;
  if ((s.line === undefined) !== (e.line === undefined)) {
    throw at([...ah, s.line === undefined ? 'start' : 'end'], 'invalid', `${formatPath(ah)} gives line and column for only one end; give them for both or neither. ${capitalise(FIX_HINT)}`, true);
  }
  if (s.line === undefined || e.line === undefined || s.column === undefined || e.column === undefined) return;
  if (missing) {
    throw at([...ah, 'start'], 'invalid', `${formatPath(ah)} has line and column, but its document was missing at export (hash: null); remove them. ${capitalise(FIX_HINT)}`, true);
  }
  if (s.line > e.line || (s.line === e.line && s.column > e.column)) {
    throw at([...ah, 'end'], 'invalid', `${formatPath(ah)} ends (line ${e.line}, column ${e.column}) before it starts (line ${s.line}, column ${s.column}); ${FIX_HINT}`, true);
  }
  if (s.line === e.line && e.column - s.column !== e.offset - s.offset) {
    throw at([...ah, 'end'], 'invalid', `${formatPath(ah)} spans ${e.column - s.column} columns on one line but ${e.offset - s.offset} offsets; the offsets are what counts, correct the columns. ${capitalise(FIX_HINT)}`, true);
  }
}

function toAnnotation(a: RawAnnotation, doc: string): Annotation {
  const anchor: AnchorState = { status: a.status.status };
  if (a.status.method !== undefined) anchor.method = a.status.method;
  if (a.status.detail !== undefined) anchor.detail = a.status.detail;
  return {
    id: a.id,
    kind: a.kind,
    doc,
    target: {
      start: a.start.offset,
      end: a.end.offset,
      quote: { exact: a.quote.exact, prefix: a.quote.prefix, suffix: a.quote.suffix },
    },
    note: a.note,
    attributes: { ...a.attributes },
    provenance: {
      author: a.provenance.author,
      created: a.provenance.created,
      modified: a.provenance.modified,
      tool: a.provenance.tool,
      docHash: a.provenance.docHash,
    },
    anchor,
  };
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
