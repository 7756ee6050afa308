// Safe YAML in, located errors out: shared by sidecars and the codebook. Both are files people edit by hand and
// git merges, so a bad one must be refused with its file, line and column, and never half-loaded.
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Document, LineCounter } from 'yaml';
import { UserError, inexactNumberReason } from '../model';
import { yamlLib } from './yamlLib';
import { aOrAn, plural } from '../model';

export type YamlFileErrorCode =
  | 'too-large' // over the size cap
  | 'encoding' // not UTF-8
  | 'conflict' // git conflict markers
  | 'syntax' // not YAML, or YAML we refuse (duplicate keys, several documents)
  | 'tag' // an explicit tag such as !!js/function
  | 'alias' // too many aliases (billion laughs)
  | 'empty' // no content
  | 'version' // unknown or newer format version
  | 'schema' // fails the JSON Schema
  | 'invalid' // passes the schema but makes no sense (start > end, duplicate id, wrong document)
  | 'io'; // could not be read

/** A store file that cannot be loaded. `line` and `column` are 1-based, present when the problem has a place. */
export class YamlFileError extends UserError {
  constructor(
    /** Workspace-relative path of the file. */
    override readonly file: string,
    readonly code: YamlFileErrorCode,
    /** What is wrong and what to do, without the location prefix. */
    readonly reason: string,
    override readonly line?: number,
    readonly column?: number,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}:${column ?? 1}`}: ${reason}`, { file, line });
  }
}

/** Builds the caller's error subclass, so sidecar and codebook errors stay distinguishable. */
export type ErrorFactory = (code: YamlFileErrorCode, reason: string, line?: number, column?: number) => YamlFileError;

/** The ErrorFactory that makes errors of class `Err` about `file` (each file kind has its own error class). */
export function errorFactoryFor(
  Err: new (file: string, code: YamlFileErrorCode, reason: string, line?: number, column?: number) => YamlFileError,
  file: string,
): ErrorFactory {
  return (code, reason, line, column) => new Err(file, code, reason, line, column);
}

export interface Position {
  line: number;
  column: number;
}

/** A path into the parsed value: property names and array indices, as in ajv's instancePath. */
export type ValuePath = readonly (string | number)[];

/** A problem found in a parsed value; `key` points at the property name rather than its value. */
export interface Problem {
  path: ValuePath;
  reason: string;
  code: YamlFileErrorCode;
  key?: boolean;
}

const CONFLICT_MARKER = /^(<{7}|\|{7}|={7}|>{7})(?: |\r?$)/m;

/** 1-based line of the first git conflict marker, or undefined. Only column 0 counts: git writes them there, and
 *  no line of our formats can legitimately start with them. */
export function findConflictMarker(text: string): number | undefined {
  const m = CONFLICT_MARKER.exec(text);
  if (!m) return undefined;
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < m.index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Checks the size cap and decodes UTF-8 (a leading BOM is dropped). */
export function decodeYamlBytes(bytes: Uint8Array, maxBytes: number, fail: ErrorFactory, what: string): string {
  if (bytes.length > maxBytes) {
    const mb = (n: number): string => (n / (1024 * 1024)).toFixed(1);
    // The line where the limit is passed: a file that grew by accident (a paste, a bad merge) shows it there.
    const line = countLines(bytes.subarray(0, maxBytes));
    throw fail(
      'too-large',
      `${what} is ${mb(bytes.length)} MB, over the ${mb(maxBytes)} MB limit (passed at line ${line}); Marginalia will not load it. ` +
        `Split the document, or check that this file is what it should be`,
      line,
      1,
    );
  }
  try {
    return utf8.decode(bytes);
  } catch {
    throw fail('encoding', `${what} is not valid UTF-8; re-save it as UTF-8 or restore it from git`);
  }
}

/** 1-based number of the line the end of `bytes` is on. */
function countLines(bytes: Uint8Array): number {
  let line = 1;
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, i + 1)) line++;
  return line;
}

export interface ParsedYaml {
  doc: Document;
  lineCounter: LineCounter;
  value: unknown;
  /** Where a path points in the source (see `locate`). */
  locate(path: ValuePath, key?: boolean): Position | undefined;
}

export interface SafeParseOptions {
  /** Text for conflict-marker errors after "resolve it": how to resolve, naming the file. */
  conflictHint: string;
  /** Most aliases a file may expand; our writers never emit any, hand edits rarely need a few. */
  maxAliasCount?: number;
  /** What to do about a file that is not valid YAML (default: restore the file from git). */
  fixHint?: string;
}

/** Deepest nesting of mappings and lists a file may have (as for JSON): ours nest four deep; far deeper nesting only
 *  exhausts the parser's stack. */
export const MAX_YAML_DEPTH = 256;

/** Parses one YAML document refusing what a data file never needs: conflict markers, duplicate keys, several
 *  documents, explicit tags (`!!js/function`, `!custom`, even `!!str`), and alias expansion beyond a small count. */
export function parseYamlSafely(text: string, fail: ErrorFactory, options: SafeParseOptions): ParsedYaml {
  const conflict = findConflictMarker(text);
  if (conflict !== undefined) {
    throw fail('conflict', `unresolved git merge conflict at line ${conflict}; resolve it ${options.conflictHint}`, conflict, 1);
  }
  // YAML 1.2 counts a lone CR as a line break (old Mac line endings); the parser does not, and would take a file of
  // CR-only lines for one comment line. Turning each lone CR into LF is the same YAML, and keeps the line numbers.
  if (text.includes('\r')) text = text.replace(/\r(?!\n)/g, '\n');
  const fixHint = options.fixHint ?? 'restore the file from git';
  const tooDeep = `values are nested more than ${MAX_YAML_DEPTH} deep, which no Marginalia file needs; ${fixHint}`;
  const { LineCounter, isAlias, isNode, parseDocument, visit } = yamlLib();
  const lineCounter = new LineCounter();
  let doc: Document;
  try {
    doc = parseYamlDocument(parseDocument, text, lineCounter);
  } catch (e) {
    if (e instanceof RangeError) throw fail('syntax', tooDeep);
    throw e;
  }
  const pos = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const firstError = doc.errors[0];
  if (firstError) {
    const p = pos(firstError.pos[0]);
    // The parser reports its own stack overflow as a syntax error at the place it gave up.
    if (/Maximum call stack/i.test(firstError.message)) throw fail('syntax', tooDeep, p.line, p.column);
    throw fail('syntax', `not valid YAML: ${firstLine(firstError.message)}; fix the syntax or ${fixHint}`, p.line, p.column);
  }
  const deep = tooDeepNode(doc.contents, isNode);
  if (deep !== undefined) {
    const p = pos(deep);
    throw fail('syntax', tooDeep, p.line, p.column);
  }
  let tagged: { tag: string; offset: number } | undefined;
  visit(doc, (_key, node) => {
    if (isNode(node) && !isAlias(node) && node.tag !== undefined) {
      tagged = { tag: node.tag, offset: node.range?.[0] ?? 0 };
      return visit.BREAK;
    }
    return undefined;
  });
  if (tagged) {
    const p = pos(tagged.offset);
    const shown = tagged.tag.replace(/^tag:yaml\.org,2002:/, '!!');
    throw fail('tag', `YAML tags such as ${shown} are not allowed in this file; remove the tag and keep the plain value`, p.line, p.column);
  }
  const changed = valueChangedOnLoad(doc);
  if (changed) {
    const p = pos(changed.offset);
    throw fail('syntax', changed.reason, p.line, p.column);
  }
  const firstWarning = doc.warnings[0];
  if (firstWarning) {
    const p = pos(firstWarning.pos[0]);
    throw fail('syntax', `${firstLine(firstWarning.message)}; fix the YAML or restore the file from git`, p.line, p.column);
  }
  if (doc.contents === null) throw fail('empty', 'the file is empty; delete it, or restore it from git');
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: options.maxAliasCount ?? 50 });
  } catch (e) {
    let aliasAt: Position | undefined;
    visit(doc, {
      Alias(_k, node) {
        aliasAt = node.range ? pos(node.range[0]) : undefined;
        return visit.BREAK;
      },
    });
    throw fail(
      'alias',
      `the file expands too many YAML aliases (*name), as a "billion laughs" attack does (${(e as Error).message}); ` +
        'write the values out instead of using &anchors and *aliases',
      aliasAt?.line,
      aliasAt?.column,
    );
  }
  return {
    doc,
    lineCounter,
    value,
    locate: (path, key) => locateNode(doc, lineCounter, path, key),
  };
}

function parseYamlDocument(parseDocument: ReturnType<typeof yamlLib>['parseDocument'], text: string, lineCounter: LineCounter): Document {
  return parseDocument(text, {
    lineCounter,
    uniqueKeys: true,
    prettyErrors: true,
    strict: true,
    version: '1.2',
    schema: 'core',
    merge: false,
    keepSourceTokens: false,
  });
}

/** Offset of the first node nested deeper than MAX_YAML_DEPTH, walked without recursion (so that the check itself
 *  cannot exhaust the stack); undefined when the nesting is within the limit. */
function tooDeepNode(root: unknown, isNode: (n: unknown) => n is { range?: readonly number[] | null }): number | undefined {
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (node === null || typeof node !== 'object') continue;
    const items = (node as { items?: unknown }).items;
    if (!Array.isArray(items)) continue;
    if (depth >= MAX_YAML_DEPTH) return isNode(node) ? (node.range?.[0] ?? 0) : 0;
    for (const item of items) {
      // A pair's key and value are one level down; a list's items too.
      const pair = item as { key?: unknown; value?: unknown };
      if (item !== null && typeof item === 'object' && 'value' in pair && 'key' in pair) {
        stack.push([pair.key, depth + 1], [pair.value, depth + 1]);
      } else stack.push([item, depth + 1]);
    }
  }
  return undefined;
}

/**
 * The first place where loading would silently change what the file says: a number not written in decimal digits
 * (0x10, 0o17) or one a double cannot hold as written (9007199254740993, .5e-400); a key written through an alias
 * (`{&k a: 1, *k : 2}` would load as `{a: 2}`), or two keys that load as the same property (`1` and `"1"`).
 */
function valueChangedOnLoad(doc: Document): { reason: string; offset: number } | undefined {
  const { isAlias, isMap, isPair, isScalar, visit } = yamlLib();
  let found: { reason: string; offset: number } | undefined;
  visit(doc, (_key, node) => {
    // .inf and .nan are YAML's own words (the schema decides about them); every other number is a numeral.
    if (isScalar(node) && typeof node.value === 'number' && typeof node.source === 'string' && !/^[-+]?\.(?:inf|nan)$/i.test(node.source)) {
      const why = inexactNumberReason(node.source);
      if (why !== undefined) {
        found = {
          reason: `the number ${node.source} would not load as written: ${why}; write it in decimal digits that a number holds exactly, or quote it ("${node.source}") to keep it as text`,
          offset: node.range?.[0] ?? 0,
        };
        return visit.BREAK;
      }
    }
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = pair.key;
        const offset = (key as { range?: [number, number, number] } | null)?.range?.[0] ?? node.range?.[0] ?? 0;
        if (isAlias(key)) {
          found = { reason: `a key is written through an alias (*${key.source}); aliases as keys can hide a duplicate key, so write the key out`, offset };
          return visit.BREAK;
        }
        if (!isScalar(key)) continue;
        const name = String(key.value);
        if (seen.has(name)) {
          found = { reason: `the key ${JSON.stringify(name)} appears twice in one mapping (once written another way); remove one`, offset };
          return visit.BREAK;
        }
        seen.add(name);
      }
    }
    return undefined;
  });
  return found;
}

/** Source position of the node at `path` (or its property name, with `key`); the deepest existing ancestor when the
 *  path does not exist, e.g. for a missing required field. */
export function locateNode(doc: Document, lineCounter: LineCounter, path: ValuePath, key = false): Position | undefined {
  const { isMap, isNode, isPair, isScalar, isSeq } = yamlLib();
  let node: unknown = doc.contents;
  let at: readonly number[] | null | undefined = isNode(node) ? node.range : undefined;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      const k = pair.key;
      const v = pair.value;
      if (last && key && isNode(k)) {
        at = k.range;
        break;
      }
      node = v;
      // `start:` with nothing after it has no value node worth pointing at: use the key.
      at = isNode(v) && v.range && !(isScalar(v) && v.value === null) ? v.range : isNode(k) ? k.range : at;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (!isNode(item)) break;
      node = item;
      at = item.range ?? at;
    } else {
      break;
    }
  }
  if (!at) return undefined;
  const p = lineCounter.linePos(at[0]);
  return { line: p.line, column: p.col };
}

/** Human descriptions of patterns, by the name of the property they constrain. */
export type PatternHints = Readonly<Record<string, string>>;

/** The first schema problem of `value`, described for people, or undefined when it is valid. */
export function schemaProblem(validate: ValidateFunction, value: unknown, hints: PatternHints = {}): Problem | undefined {
  if (validate(value)) return undefined;
  const err = validate.errors?.[0];
  if (!err) return { path: [], reason: 'does not match the schema', code: 'schema' };
  return describeAjvError(err, value, hints);
}

function describeAjvError(err: ErrorObject, root: unknown, hints: PatternHints): Problem {
  const path = parsePointer(err.instancePath);
  const where = path.length === 0 ? 'the file' : formatPath(path);
  const value = valueAt(root, path);
  const last = path[path.length - 1];
  const p = err.params as Record<string, unknown>;
  const problem = (reason: string, at: ValuePath = path, key = false): Problem => ({ path: at, reason, code: 'schema', key });
  if (err.propertyName !== undefined) {
    const name = err.propertyName;
    const hint = hints[`${typeof last === 'string' ? last : ''}[]`];
    return problem(`${where} has a field named ${JSON.stringify(name)}, which is not allowed${hint ? `: names must be ${hint}` : ''}`, [...path, name], true);
  }
  switch (err.keyword) {
    case 'type':
      return problem(`${where} must be ${typeWords(p.type)}, not ${describeValue(value)}`);
    case 'required':
      return problem(`${where} is missing the required field "${String(p.missingProperty)}"`);
    case 'additionalProperties': {
      const name = String(p.additionalProperty);
      return problem(`${where} has an unknown field "${name}" (a typo, or a field from a newer Marginalia?)`, [...path, name], true);
    }
    case 'enum':
      return problem(`${where} must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, not ${describeValue(value)}`);
    case 'const':
      return problem(`${where} must be ${JSON.stringify(p.allowedValue)}, not ${describeValue(value)}`);
    case 'pattern': {
      const hint = typeof last === 'string' ? hints[last] : undefined;
      return problem(`${where} must be ${hint ?? `text matching ${String(p.pattern)}`}, not ${describeValue(value)}`);
    }
    case 'format':
      return problem(
        `${where} must be ${p.format === 'date-time' ? 'an ISO 8601 date and time such as 2026-11-23T10:00:00.000Z' : aOrAn(String(p.format))}, not ${describeValue(value)}`,
      );
    case 'minimum':
      return problem(`${where} must be at least ${String(p.limit)}, not ${describeValue(value)}`);
    case 'maximum':
      return problem(`${where} must be at most ${String(p.limit)}, not ${describeValue(value)}`);
    case 'minLength':
      return problem(p.limit === 1 ? `${where} must not be empty` : `${where} must be at least ${plural(Number(p.limit), 'character')} long`);
    case 'maxLength':
      return problem(`${where} must be at most ${plural(Number(p.limit), 'character')} long`);
    case 'minItems':
      return problem(`${where} must have at least ${plural(Number(p.limit), 'item')}`);
    case 'uniqueItems':
      return problem(`${where} lists the same value twice (items ${String(p.j)} and ${String(p.i)})`, [...path, Number(p.i)]);
    default:
      return problem(`${where} ${err.message ?? 'does not match the schema'}`);
  }
}

/** "annotations[3].start" for ['annotations', 3, 'start']. */
export function formatPath(path: ValuePath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

function parsePointer(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

function valueAt(root: unknown, path: ValuePath): unknown {
  let v = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

function typeWords(t: unknown): string {
  const words: Record<string, string> = {
    integer: 'a whole number',
    number: 'a number',
    string: 'text',
    boolean: 'true or false',
    object: 'a mapping of fields',
    array: 'a list',
  };
  const list = Array.isArray(t) ? t : [t];
  return list.map((x) => words[String(x)] ?? String(x)).join(' or ');
}

/** A short rendering of a found value for error messages. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  // An unquoted "#rrggbb" is a YAML comment, so the value people meant arrives as null.
  if (v === null) return 'empty (null; a value starting with # must be quoted)';
  if (typeof v === 'string') return `text ${JSON.stringify(v.length > 60 ? v.slice(0, 57) + '...' : v)}`;
  if (typeof v === 'number') return Number.isFinite(v) ? `the number ${v}` : `the number ${String(v)}`;
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return 'a list';
  return 'a mapping';
}

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return (i === -1 ? s : s.slice(0, i)).replace(/ at line \d+, column \d+:?$/, '');
}
