// Reading a YAML export back (see yamlExport.ts for the writing): the whole file at once (parseExportYaml), or
// streamed a document at a time (YamlExportSource), so that an export of a million annotations imports in bounded
// memory. The streamed reader reads the export's own canonical form line by line and checks every value against
// the writer; a document written any other way (edited by hand) goes to the general YAML parser on its own, and a
// file whose layout is not an export's (documents not last, flow style, several YAML documents) is read whole.
import { ExportFormatError, type ExportedDocument } from './exportInput';
import { EXPORT_FORMAT, EXPORT_VERSION, canonicalPair, canonicalString } from './yamlExport';
import type { AnchorState, Annotation, AttributeValue } from '../model';
import { PathError, contentHash, toRelPath, plural, normaliseRelations, relationKey, type Relation } from '../model';
import {
  describeValue,
  formatPath,
  parseYamlSafely,
  schemaProblem,
  type ErrorFactory,
  type ParsedYaml,
  type ValuePath,
  type YamlFileErrorCode,
  errorFactoryFor,
  validator,
} from '../yaml';

/** What to do about a file that fails the checks, appended to every schema and semantic error. */
const FIX_HINT = 'fix it by hand, or export again with Marginalia (the format is schemas/export.schema.json)';

/** Our exports never contain aliases; a hand-edited file may use a few, a hostile one must not expand without end. */
const MAX_ALIASES = 10;

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
  relations?: Relation[];
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

/**
 * Reads an export file back into model annotations, refusing (with ExportFormatError naming `file`, line and
 * column) anything that is not a valid version-1 export: bad YAML, tags, alias bombs, another format, a newer
 * version, schema violations, unsafe paths, duplicate documents or ids, start after end, lines and columns that
 * contradict the offsets.
 */
export function parseExportYaml(source: string, file: string): ExportedDocument[] {
  const fail: ErrorFactory = errorFactoryFor(ExportFormatError, file);
  const parsed = parseYamlSafely(source, fail, parseOptions(file));
  const at: Locator = (path, code, reason, key = false) => {
    const p = parsed.locate(path, key);
    return new ExportFormatError(file, code, reason, p?.line, p?.column);
  };
  checkFormatAndVersion(parsed, at);
  const problem = schemaProblem(validator('export'), parsed.value, PATTERN_HINTS);
  if (problem) throw at(problem.path, problem.code, `${problem.reason}; ${FIX_HINT}`, problem.key);
  const raw = parsed.value as RawExport;
  const seen = newSeen();
  raw.documents.forEach((d, di) => checkDocumentSemantics(d, di, at, seen));
  return raw.documents.map(toExportedDocument);
}

function toExportedDocument(d: RawDocument): ExportedDocument {
  const path = toRelPath(d.path);
  const out: ExportedDocument = { path, annotations: d.annotations.map((a) => toAnnotation(a, path)) };
  if (d.hash !== null) out.hash = d.hash;
  if (d.metadata !== null) out.metadata = d.metadata;
  return out;
}

function parseOptions(file: string): Parameters<typeof parseYamlSafely>[2] {
  return {
    conflictHint: `in ${file} (keep one side of each conflict), or export again`,
    maxAliasCount: MAX_ALIASES,
    fixHint: 'export it again with `marginalia export`',
  };
}

/** Builds the error for a place in the file; `key` points at the property name (`end:`) rather than its value. */
type Locator = (path: ValuePath, code: YamlFileErrorCode, reason: string, key?: boolean) => ExportFormatError;

/** Checked before the schema, so a newer export or another kind of YAML gets a clear message, not a schema error. */
function checkFormatAndVersion(parsed: ParsedYaml, at: Locator): void {
  const v = parsed.value;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw at(
      [],
      'schema',
      `not a Marginalia export: the file holds ${describeValue(v)}, not a mapping with format: ${EXPORT_FORMAT}; choose a file written by \`marginalia export\``,
    );
  }
  const root = v as Record<string, unknown>;
  if (root.format !== EXPORT_FORMAT) {
    const found = root.format === undefined ? 'has no "format" field' : `has format ${describeValue(root.format)}`;
    throw at(
      root.format === undefined ? [] : ['format'],
      'schema',
      `not a Marginalia export: it ${found}, expected format: ${EXPORT_FORMAT}; choose a file written by \`marginalia export\``,
    );
  }
  if (typeof root.version === 'number' && Number.isInteger(root.version) && root.version > EXPORT_VERSION) {
    throw at(
      ['version'],
      'version',
      `written in export format version ${root.version} by a newer Marginalia; this one reads version ${EXPORT_VERSION}. Update Marginalia to import it`,
    );
  }
}

/** What the documents before this one held: a path or an id may appear once in an export. */
interface SeenSoFar {
  paths: Map<string, number>;
  /** id → where it was: document index × ITEM_SPAN + annotation index (numbers, not strings: a million of them). */
  ids: Map<string, number>;
}

const ITEM_SPAN = 2 ** 21;

function newSeen(): SeenSoFar {
  return { paths: new Map(), ids: new Map() };
}

/** The checks the schema cannot make, for document `di`; `seen` carries the paths and ids of those before it. */
function checkDocumentSemantics(d: RawDocument, di: number, at: Locator, seen: SeenSoFar): void {
  const here: ValuePath = ['documents', di];
  let path: string;
  try {
    path = toRelPath(d.path);
  } catch (e) {
    if (!(e instanceof PathError)) throw e;
    throw at(
      [...here, 'path'],
      'invalid',
      `${formatPath([...here, 'path'])} is not a safe workspace-relative path (${e.message}); use a path relative to the workspace folder, without ".."`,
    );
  }
  const dup = seen.paths.get(path);
  if (dup !== undefined) throw at([...here, 'path'], 'invalid', `document ${path} appears twice (also documents[${dup}]); merge the two entries`);
  seen.paths.set(ownString(path), di);
  const missing = d.hash === null;
  if (missing !== (d.metadata === null)) {
    throw at(
      [...here, missing ? 'hash' : 'metadata'],
      'invalid',
      `${formatPath(here)} has ${missing ? 'no hash but metadata' : 'a hash but no metadata'}; both are null only for a document missing at export. ${capitalise(FIX_HINT)}`,
    );
  }
  d.annotations.forEach((a, ai) => {
    const ah: ValuePath = [...here, 'annotations', ai];
    const prev = seen.ids.get(a.id);
    if (prev !== undefined) {
      const was = formatPath(['documents', Math.floor(prev / ITEM_SPAN), 'annotations', prev % ITEM_SPAN]);
      throw at([...ah, 'id'], 'invalid', `annotation id ${a.id} is used twice (also at ${was}); ids must be unique, remove the copy`);
    }
    seen.ids.set(ownString(a.id), di * ITEM_SPAN + ai);
    if (a.start.offset > a.end.offset) {
      throw at([...ah, 'end'], 'invalid', `${formatPath(ah)} ends (offset ${a.end.offset}) before it starts (offset ${a.start.offset}); ${FIX_HINT}`, true);
    }
    const keys = new Set<string>();
    (a.relations ?? []).forEach((r, ri) => {
      const rh: ValuePath = [...ah, 'relations', ri];
      if (r.to === a.id)
        throw at([...rh, 'to'], 'invalid', `${formatPath(rh)} links annotation ${a.id} to itself; a relation joins two annotations, remove it`);
      if (keys.has(relationKey(r))) throw at(rh, 'invalid', `${formatPath(rh)} repeats the relation ${r.type} to ${r.to}; remove the copy`);
      keys.add(relationKey(r));
    });
    checkLineColumn(a, ah, missing, at);
  });
}

/**
 * A copy of `s` that holds no reference to the text it was cut from: V8 keeps a slice of a long string as a view of
 * it, so an id kept from each document would keep every chunk of a large import in memory. Joining its characters
 * makes one flat string of its own (cheaper to keep a million of than a slice of a copy).
 */
export function ownString(s: string): string {
  return s.length < 13 ? s : s.split('').join('');
}

/** Lines and columns are for people; where given they must agree with the offsets, so hand edits cannot diverge. */
function checkLineColumn(a: RawAnnotation, ah: ValuePath, missing: boolean, at: Locator): void {
  const s = a.start;
  const e = a.end;
  if ((s.line === undefined) !== (e.line === undefined)) {
    throw at(
      [...ah, s.line === undefined ? 'start' : 'end'],
      'invalid',
      `${formatPath(ah)} gives line and column for only one end; give them for both or neither. ${capitalise(FIX_HINT)}`,
      true,
    );
  }
  if (s.line === undefined || e.line === undefined || s.column === undefined || e.column === undefined) return;
  if (missing) {
    throw at(
      [...ah, 'start'],
      'invalid',
      `${formatPath(ah)} has line and column, but its document was missing at export (hash: null); remove them. ${capitalise(FIX_HINT)}`,
      true,
    );
  }
  if (s.line > e.line || (s.line === e.line && s.column > e.column)) {
    throw at(
      [...ah, 'end'],
      'invalid',
      `${formatPath(ah)} ends (line ${e.line}, column ${e.column}) before it starts (line ${s.line}, column ${s.column}); ${FIX_HINT}`,
      true,
    );
  }
  if (s.line === e.line && e.column - s.column !== e.offset - s.offset) {
    throw at(
      [...ah, 'end'],
      'invalid',
      `${formatPath(ah)} spans ${plural(e.column - s.column, 'column')} on one line but ${plural(e.offset - s.offset, 'offset')}; the offsets are what counts, correct the columns. ${capitalise(FIX_HINT)}`,
      true,
    );
  }
}

function toAnnotation(a: RawAnnotation, doc: string): Annotation {
  const anchor: AnchorState = { status: a.status.status };
  if (a.status.method !== undefined) anchor.method = a.status.method;
  if (a.status.detail !== undefined) anchor.detail = a.status.detail;
  const relations = normaliseRelations(a.relations);
  const out: Annotation = {
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
  if (relations !== undefined) out.relations = relations;
  return out;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// ---------------------------------------------------------------------------------------------------------------
// Streamed reading

/** One document of an export, as the streamed reader hands it on: read (parsed and checked) only when asked. */
export interface ExportBlock {
  /** Its position in `documents`, from 0. */
  index: number;
  /** The 1-based line of the file where it starts. */
  line: number;
  /** A hash of its text: the same document read twice (planning, then writing) must be the same. */
  digest: string;
  /** The document, parsed and checked against the schema and the documents before it (when they were read);
   *  throws ExportFormatError naming the file and line. */
  read(): ExportedDocument;
  /** How it was read: line by line in the writer's form, by the general parser on its own, or with the whole file
   *  (undefined before read()). */
  readonly form?: 'canonical' | 'general' | 'whole';
}

/** The streamed reader found a layout it cannot split into documents: what it handed on is to be forgotten, and the
 *  file is read again whole. */
class NotStreamable extends Error {}

/**
 * A YAML export read a document at a time from `open()` (a fresh pass over the file's text each call, in chunks of
 * any size). `forEach` may be called more than once (an import plans, then writes); each call reads the file again.
 */
export class YamlExportSource {
  /** Set once the file turned out not to split into documents: it is then parsed whole, every time. */
  private whole = false;

  constructor(
    private readonly open: () => AsyncIterable<string>,
    readonly file: string,
  ) {}

  /**
   * Calls `visit` with each document in order. When the file turns out to need reading whole after some documents
   * were handed on, `restart` is called (the caller forgets them) and the documents come again from the start;
   * without `restart` that is an error (the file changed between two readings).
   */
  async forEach(visit: (block: ExportBlock) => Promise<void>, restart?: () => void): Promise<void> {
    if (!this.whole) {
      let handed = 0;
      try {
        await this.streamed(async (b) => {
          handed++;
          await visit(b);
        });
        return;
      } catch (e) {
        if (!(e instanceof NotStreamable)) throw e;
        this.whole = true;
        if (handed > 0) {
          if (!restart) throw new ExportFormatError(this.file, 'invalid', `${this.file} changed while it was being imported; import it again`);
          restart();
        }
      }
    }
    await this.wholeFile(visit);
  }

  private async wholeFile(visit: (block: ExportBlock) => Promise<void>): Promise<void> {
    let source = '';
    for await (const chunk of this.open()) source += chunk;
    const docs = parseExportYaml(source.replace(/^\uFEFF/, ''), this.file);
    const digest = contentHash(source);
    for (let i = 0; i < docs.length; i++) {
      const d = docs[i];
      await visit({ index: i, line: 1, digest: `${digest}#${i}`, read: () => d, form: 'whole' });
    }
  }

  private async streamed(visit: (block: ExportBlock) => Promise<void>): Promise<void> {
    const file = this.file;
    const fail = errorFactoryFor(ExportFormatError, file);
    const seen = newSeen();
    let header: Record<string, unknown> | undefined;
    const head: string[] = [];
    /** 'head' before `documents:`, 'items' after it, 'empty' after `documents: []`. */
    let mode: 'head' | 'items' | 'empty' = 'head';
    let itemIndent: string | undefined;
    let block: string[] | undefined;
    let blockLine = 0;
    let index = 0;
    let lineNo = 0;

    const flush = async (): Promise<void> => {
      if (block === undefined || header === undefined) return;
      const lines = block;
      const b = new BlockReader(lines, blockLine, index++, header, itemIndent ?? '', file, fail, seen);
      block = undefined;
      await visit({
        index: b.index,
        line: b.line,
        digest: contentHash(lines.join('\n')),
        read: () => b.read(),
        get form() {
          return b.form;
        },
      });
    };

    for await (const lines of splitLines(this.open())) {
      for (const line of lines) {
        lineNo++;
        if (CONFLICT_LINE.test(line)) {
          throw fail(
            'conflict',
            `unresolved git merge conflict at line ${lineNo}; resolve it in ${file} (keep one side of each conflict), or export again`,
            lineNo,
            1,
          );
        }
        if (mode === 'head') {
          if (/^(?:---|\.\.\.|%)/.test(line)) throw new NotStreamable();
          const m = DOCUMENTS_KEY.exec(line);
          if (!m) {
            head.push(line);
            continue;
          }
          if (/^\s*(?:#.*)?$/.test(m[1])) mode = 'items';
          else if (/^\s*\[\]\s*(?:#.*)?$/.test(m[1])) mode = 'empty';
          else throw new NotStreamable();
          header = parseHeader(head, file, fail);
          continue;
        }
        if (BLANK_OR_COMMENT.test(line)) {
          block?.push(line);
          continue;
        }
        if (mode === 'empty') throw new NotStreamable();
        if (itemIndent === undefined) {
          const item = /^( *)-(?: |$)/.exec(line);
          if (!item) throw new NotStreamable();
          itemIndent = item[1];
        }
        if (line.startsWith(itemIndent) && line.charCodeAt(itemIndent.length) === 0x2d /* - */) {
          const after = line.charCodeAt(itemIndent.length + 1);
          if (after === 0x20 || Number.isNaN(after)) {
            await flush();
            block = [line];
            blockLine = lineNo;
            continue;
          }
        }
        // Inside an item everything is indented deeper than its "- "; anything else is a layout of its own.
        if (block === undefined || !line.startsWith(itemIndent + ' ')) throw new NotStreamable();
        block.push(line);
      }
    }
    if (mode === 'head') throw new NotStreamable(); // no `documents:` key: the whole-file reader says what is wrong
    await flush();
  }
}

/** The key that ends the header of an export: the rest of the file is its documents. */
const DOCUMENTS_KEY = /^documents[ \t]*:(.*)$/;
const BLANK_OR_COMMENT = /^[ \t]*(?:#.*)?$/;
const CONFLICT_LINE = /^(?:<{7}|\|{7}|={7}|>{7})(?: |$)/;

/** The lines of the text `chunks` make up, a chunk's worth at a time; a BOM at the start is dropped. Line breaks
 *  are \n, \r\n and a lone \r (as YAML counts them). */
async function* splitLines(chunks: AsyncIterable<string>): AsyncGenerator<string[]> {
  let rest = '';
  let first = true;
  for await (const chunk of chunks) {
    let text = rest + chunk;
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    // A CR at the end may be the first half of a CRLF: wait for the next chunk.
    const end = text.endsWith('\r') ? text.length - 1 : text.length;
    const out: string[] = [];
    let start = 0;
    for (let i = 0; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x0a) {
        out.push(text.slice(start, i));
        start = i + 1;
      } else if (c === 0x0d) {
        out.push(text.slice(start, i));
        if (text.charCodeAt(i + 1) === 0x0a) i++;
        start = i + 1;
      }
    }
    rest = text.slice(start);
    if (out.length > 0) yield out;
  }
  if (rest.endsWith('\r')) rest = rest.slice(0, -1);
  // The text after the last line break is a line of its own only when there is some (a file ends with a break).
  if (rest !== '') yield [rest];
}

const HEADER_FIELDS = ['format', 'version', 'offsetUnit', 'generated', 'tool'];

/** The export's own fields (everything before `documents:`), checked as the whole-file reader checks them. */
function parseHeader(head: string[], file: string, fail: ErrorFactory): Record<string, unknown> {
  const parsed = parseYamlSafely(head.join('\n') + '\ndocuments: []\n', fail, parseOptions(file));
  // A field missing here may follow the documents (YAML keeps no order): only the whole file can tell.
  const value = parsed.value;
  if (value !== null && typeof value === 'object' && HEADER_FIELDS.some((k) => !(k in value))) throw new NotStreamable();
  const at: Locator = (path, code, reason, key = false) => {
    const p = parsed.locate(path, key);
    return new ExportFormatError(file, code, reason, p?.line, p?.column);
  };
  checkFormatAndVersion(parsed, at);
  const problem = schemaProblem(validator('export'), parsed.value, PATTERN_HINTS);
  if (problem) throw at(problem.path, problem.code, `${problem.reason}; ${FIX_HINT}`, problem.key);
  return parsed.value as Record<string, unknown>;
}

/** One item of `documents`: its lines, read in the canonical form, else by the general parser. */
class BlockReader {
  /** The general parser's reading of the block, made when needed (a hand-edited block, or to locate an error). */
  private parsed: ParsedYaml | undefined;
  form: 'canonical' | 'general' | undefined;

  constructor(
    private readonly lines: string[],
    readonly line: number,
    readonly index: number,
    private readonly header: Record<string, unknown>,
    private readonly itemIndent: string,
    private readonly file: string,
    private readonly fail: ErrorFactory,
    private readonly seen: SeenSoFar,
  ) {}

  read(): ExportedDocument {
    const canonical = this.itemIndent === '  ' ? readCanonicalDocument(this.lines) : undefined;
    const raw = canonical ?? this.general();
    this.form = canonical ? 'canonical' : 'general';
    const problem = schemaProblem(validator('export'), { ...this.header, documents: [raw] }, PATTERN_HINTS);
    if (problem) throw this.at(problem.path, problem.code, `${this.renumber(problem.reason)}; ${FIX_HINT}`, problem.key);
    checkDocumentSemantics(raw as RawDocument, this.index, (path, code, reason, key) => this.at(path, code, reason, key), this.seen);
    return toExportedDocument(raw as RawDocument);
  }

  /** The block parsed as YAML on its own, under a `documents:` key (so the line numbers are off by a constant). */
  private general(): unknown {
    if (this.parsed === undefined) {
      const offset = this.line - 2;
      const fail: ErrorFactory = (code, reason, line, column) => this.fail(code, this.renumber(reason), line === undefined ? undefined : line + offset, column);
      this.parsed = parseYamlSafely('documents:\n' + this.lines.join('\n') + '\n', fail, parseOptions(this.file));
    }
    const value = this.parsed.value as { documents?: unknown[] } | null;
    return value?.documents?.[0];
  }

  /** An error at `path` (['documents', index, ...]), located in the file. */
  private at(path: ValuePath, code: YamlFileErrorCode, reason: string, key = false): ExportFormatError {
    this.general();
    const local: ValuePath = path.length >= 2 && path[0] === 'documents' ? ['documents', 0, ...path.slice(2)] : path;
    const p = this.parsed?.locate(local, key);
    return new ExportFormatError(this.file, code, reason, p === undefined ? this.line : p.line + this.line - 2, p?.column ?? 1);
  }

  /** The block was parsed as document 0: its messages name it by its place in the file. */
  private renumber(reason: string): string {
    return this.index === 0 ? reason : reason.replace(/\bdocuments\[0\]/g, `documents[${this.index}]`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The canonical form, line by line
//
// A document exactly as writeExportYaml writes it: fixed keys at fixed indentation, each value checked against the
// writer (a value is taken only when the writer would write that very text for it), so what is read here is what the
// general parser would read; anything else returns undefined and the block goes to the general parser.

/** Reads one `  - path: ...` item in the writer's layout, or returns undefined. */
function readCanonicalDocument(lines: readonly string[]): RawDocument | undefined {
  const c = new Cursor(lines);
  try {
    const path = c.string('  - path: ', '      ');
    const hash = c.nullOr('    hash: ', '      ');
    let metadata: Record<string, string> | null;
    if (c.take('    metadata: null')) metadata = null;
    else if (c.take('    metadata: {}')) metadata = {};
    else {
      c.expect('    metadata:');
      metadata = c.map('      ', false) as Record<string, string>;
    }
    const annotations: RawAnnotation[] = [];
    if (!c.take('    annotations: []')) {
      c.expect('    annotations:');
      while (c.startsWith('      - id: ')) annotations.push(readCanonicalAnnotation(c));
    }
    c.end();
    return { path, hash, metadata, annotations };
  } catch (e) {
    if (e === NOT_CANONICAL) return undefined;
    throw e;
  }
}

function readCanonicalAnnotation(c: Cursor): RawAnnotation {
  const V = '          ';
  const W = '            ';
  const id = c.string('      - id: ', V);
  const kind = c.string('        kind: ', V);
  c.expect('        quote:');
  const exact = c.string('          exact: ', W);
  const prefix = c.string('          prefix: ', W, true);
  const suffix = c.string('          suffix: ', W, true);
  const position = (key: string): RawPosition => {
    c.expect(`        ${key}:`);
    const p: RawPosition = { offset: 0 };
    if (c.startsWith('          line: ')) {
      p.line = c.integer('          line: ');
      p.column = c.integer('          column: ');
    }
    p.offset = c.integer('          offset: ');
    return p;
  };
  const start = position('start');
  const end = position('end');
  const note = c.string('        note: ', V);
  let attributes: Record<string, AttributeValue> = {};
  if (!c.take('        attributes: {}')) {
    c.expect('        attributes:');
    attributes = c.map(V, true);
  }
  c.expect('        provenance:');
  const provenance = {
    author: c.string('          author: ', W),
    created: c.string('          created: ', W),
    modified: c.string('          modified: ', W),
    tool: c.string('          tool: ', W),
    docHash: c.string('          docHash: ', W),
  };
  c.expect('        status:');
  const status = { status: c.string('          status: ', W) } as AnchorState;
  if (c.startsWith('          method: ')) status.method = c.string('          method: ', W) as AnchorState['method'];
  if (c.startsWith('          detail: ')) status.detail = c.string('          detail: ', W);
  const a: RawAnnotation = { id, kind, quote: { exact, prefix, suffix }, start, end, note, attributes, provenance, status };
  if (c.take('        relations:')) {
    const X = '              ';
    const relations: Relation[] = [];
    do {
      relations.push({
        type: c.string('          - type: ', X),
        to: c.string('            to: ', X),
        author: c.string('            author: ', X),
        created: c.string('            created: ', X),
      });
    } while (c.startsWith('          - type: '));
    a.relations = relations;
  }
  return a;
}

/** Thrown (one object, made once: it is thrown for every hand-edited value) when the text is not the writer's. */
const NOT_CANONICAL = new Error('not in the canonical form');
const CANONICAL_INTEGER = /^(?:0|[1-9][0-9]{0,15})$/;
const CANONICAL_NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:e[-+][0-9]+)?$/;
const KEY_CHARS = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Walks the lines of one document; every method throws NOT_CANONICAL when the text is not the writer's. */
class Cursor {
  private i = 0;
  constructor(private readonly lines: readonly string[]) {}

  startsWith(prefix: string): boolean {
    return this.i < this.lines.length && this.lines[this.i].startsWith(prefix);
  }

  take(line: string): boolean {
    if (this.lines[this.i] !== line) return false;
    this.i++;
    return true;
  }

  expect(line: string): void {
    if (!this.take(line)) throw NOT_CANONICAL;
  }

  /** Only empty lines may follow the document (the one the file ends with). */
  end(): void {
    for (; this.i < this.lines.length; this.i++) if (this.lines[this.i] !== '') throw NOT_CANONICAL;
  }

  /** The value after `prefix` and the continuation lines (indented by `indent`, or empty) that belong to it. */
  private value(prefix: string, indent: string): string {
    if (!this.startsWith(prefix)) throw NOT_CANONICAL;
    let text = this.lines[this.i++].slice(prefix.length);
    while (this.i < this.lines.length && (this.lines[this.i] === '' || this.lines[this.i].startsWith(indent))) text += '\n' + this.lines[this.i++];
    return text;
  }

  string(prefix: string, indent: string, context = false): string {
    const text = this.value(prefix, indent);
    const v = decodeString(text, indent);
    if (v === undefined || canonicalString(v, indent, context && v.includes('\n')) !== text) throw NOT_CANONICAL;
    return v;
  }

  nullOr(prefix: string, indent: string): string | null {
    if (this.take(prefix + 'null')) return null;
    return this.string(prefix, indent);
  }

  integer(prefix: string): number {
    if (!this.startsWith(prefix)) throw NOT_CANONICAL;
    const text = this.lines[this.i].slice(prefix.length);
    if (!CANONICAL_INTEGER.test(text)) throw NOT_CANONICAL;
    const n = Number(text);
    if (!Number.isSafeInteger(n)) throw NOT_CANONICAL;
    this.i++;
    return n;
  }

  /** A block mapping of scalars with keys at `indent`; `typed` admits numbers and booleans (attributes). */
  map(indent: string, typed: boolean): Record<string, AttributeValue> {
    const out: Record<string, AttributeValue> = {};
    const inner = indent + '  ';
    do {
      const line = this.lines[this.i];
      // A key is plain, or double-quoted when YAML 1.1 would read it as something else ("n", "yes").
      const quotedKey = line.charCodeAt(indent.length) === 0x22;
      const colon = quotedKey ? line.indexOf('": ', indent.length + 1) + 1 : line.indexOf(': ', indent.length);
      if (colon <= 0) throw NOT_CANONICAL;
      const rawKey = line.slice(indent.length, colon);
      const key = quotedKey ? quotedScalar(rawKey, '"') : rawKey;
      if (key === undefined || key === '__proto__' || (typed && !KEY_CHARS.test(key)) || Object.prototype.hasOwnProperty.call(out, key)) throw NOT_CANONICAL;
      const text = this.value(indent + rawKey + ': ', inner);
      let v: AttributeValue | undefined;
      if (typed && (text === 'true' || text === 'false')) v = text === 'true';
      else if (typed && CANONICAL_NUMBER.test(text)) v = Number(text);
      else v = decodeString(text, inner);
      if (v === undefined || canonicalPair(key, v, indent) !== rawKey + ': ' + text) throw NOT_CANONICAL;
      out[key] = v;
    } while (this.i < this.lines.length && this.startsWith(indent) && this.lines[this.i].charCodeAt(indent.length) !== 0x20);
    return out;
  }
}

/** A string scalar as the writer writes one (plain, quoted or a literal block), or undefined. */
function decodeString(text: string, indent: string): string | undefined {
  const c = text.charCodeAt(0);
  if (c === 0x7c /* | */) return literalBlock(text, indent);
  if (c === 0x22 /* " */) return quotedScalar(text, '"');
  if (c === 0x27 /* ' */) return quotedScalar(text, "'");
  return text.includes('\n') ? undefined : text;
}

/** A literal block scalar: its header, then lines indented by `indent` (or empty). */
function literalBlock(text: string, indent: string): string | undefined {
  const lines = text.split('\n');
  const header = /^\|[1-9]?([-+]?)$/.exec(lines[0]);
  if (!header) return undefined;
  const content: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i];
    if (l === '') content.push('');
    else if (l.startsWith(indent)) content.push(l.slice(indent.length));
    else return undefined;
  }
  if (header[1] !== '+') while (content.length > 0 && content[content.length - 1] === '') content.pop();
  return content.join('\n') + (header[1] === '-' ? '' : '\n');
}

const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\x85',
  _: '\xa0',
  L: '\u2028',
  P: '\u2029',
};
const HEX_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

/** A double- or single-quoted scalar (escapes, or '' for a quote), with YAML's line folding; undefined for
 *  anything malformed. */
function quotedScalar(text: string, quote: '"' | "'"): string | undefined {
  let out = '';
  let i = 1;
  for (;;) {
    if (i >= text.length) return undefined;
    const ch = text[i];
    if (ch === quote) {
      if (quote === "'" && text[i + 1] === "'") {
        out += "'";
        i += 2;
        continue;
      }
      return i === text.length - 1 ? out : undefined;
    }
    if (ch === '\\' && quote === '"') {
      const next = text[i + 1];
      if (next === '\n') {
        // An escaped line break: the lines join with nothing between them.
        i += 2;
        while (text[i] === ' ' || text[i] === '\t') i++;
        continue;
      }
      const hex = HEX_LENGTH[next];
      if (hex !== undefined) {
        const digits = text.slice(i + 2, i + 2 + hex);
        if (digits.length !== hex || !/^[0-9a-fA-F]+$/.test(digits)) return undefined;
        const code = parseInt(digits, 16);
        if (code > 0x10ffff) return undefined;
        out += String.fromCodePoint(code);
        i += 2 + hex;
        continue;
      }
      const e = ESCAPES[next];
      if (e === undefined) return undefined;
      out += e;
      i += 2;
      continue;
    }
    if (ch === ' ' || ch === '\t') {
      let j = i;
      while (text[j] === ' ' || text[j] === '\t') j++;
      if (text[j] !== '\n') out += text.slice(i, j); // whitespace before a line break is folded away
      i = j;
      continue;
    }
    if (ch === '\n') {
      // A line break folds into a space; each empty line after it is a line break of the value.
      let j = i + 1;
      let empty = 0;
      for (;;) {
        while (text[j] === ' ' || text[j] === '\t') j++;
        if (text[j] !== '\n') break;
        empty++;
        j++;
      }
      out += empty === 0 ? ' ' : '\n'.repeat(empty);
      i = j;
      continue;
    }
    // A run of ordinary characters at once.
    let j = i + 1;
    while (j < text.length) {
      const cj = text[j];
      if (cj === quote || cj === '\\' || cj === ' ' || cj === '\t' || cj === '\n') break;
      j++;
    }
    out += text.slice(i, j);
    i = j;
  }
}
