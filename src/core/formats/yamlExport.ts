// The YAML export: every annotation of a corpus (or of chosen documents) in one file people can read and other
// programs can load (yamlImport.ts reads it back). Deterministic output, so two exports of the same state
// are byte-identical and diff cleanly.
import { TOOL_ID } from '../../constants';
import { parseDocumentMetadata } from '../research';
import { assertSpanHolds, exportDocuments, type ExportInput, type ExportInputDocument } from './exportInput';
import type { Annotation, Attributes } from '../model';
import { toRelPath, LineIndex, contentHash, compareCodeUnits, normaliseRelations } from '../model';

export const EXPORT_FORMAT = 'marginalia-export';
export const EXPORT_VERSION = 1;

/** The comment that opens every export: the units, for people who open the file without the schema. */
const HEADER_COMMENT = [
  ' Marginalia export. Offsets are UTF-16 code units; lines and columns are 1-based (columns count UTF-16 code units).',
  ' end is exclusive (one past the last character). Format: schemas/export.schema.json (JSON Schema draft-07).',
].join('\n');

/** Values under these keys with a line break are double-quoted: quote context is at most 32 characters, and
 *  "…\nRussia plans " reads better than a block scalar for it. */
const CONTEXT_KEYS = new Set(['prefix', 'suffix']);

// ---------------------------------------------------------------------------------------------------------------
// Writing

/**
 * Writes one export file for `input.documents` (see schemas/export.schema.json). Documents are sorted by path,
 * annotations by start offset then id, keys come in a fixed order (attributes sorted by name), lines are never
 * folded; strings that a YAML 1.1 reader (PyYAML) would read differently from a YAML 1.2 reader are quoted.
 * Throws Error for input that breaks the model's invariants (annotation of another document, start after end,
 * a non-finite number attribute), since such an export could not be imported again.
 */
export function exportYaml(input: ExportInput): string {
  const docs = exportDocuments(input.documents);
  const parts = [exportHead(input, docs.length)];
  for (const d of docs) parts.push(documentYaml(d));
  parts.push('\n');
  return parts.join('');
}

/** The documents of a streamed export: their texts are read one at a time, when each one's turn comes. */
export interface StreamedExportInput extends Omit<ExportInput, 'documents'> {
  documents: readonly { path: string; annotations: readonly Annotation[] }[];
  /** The document's current text, or undefined when it is missing (as ExportInputDocument.text). */
  readText(path: string): Promise<string | undefined>;
}

/** Output is handed on in pieces of about this many characters. */
const CHUNK = 1 << 20;

/**
 * The same text as exportYaml, handed to `write` in pieces of about a million characters, reading each document's
 * text only when it is written: neither every text nor the whole export (hundreds of MB as a string, at 100,000
 * annotations) is ever held at once.
 */
export async function writeExportYaml(input: StreamedExportInput, write: (chunk: string) => Promise<void> | void): Promise<void> {
  const docs = exportDocuments(input.documents);
  let pending = exportHead(input, docs.length);
  for (const d of docs) {
    pending += documentYaml({ path: d.path, text: await input.readText(d.path), annotations: d.annotations });
    if (pending.length >= CHUNK) {
      await write(pending);
      pending = '';
    }
  }
  await write(pending + '\n');
}

/** The header comment, the export's own fields and the `documents` key. */
function exportHead(input: Omit<ExportInput, 'documents'>, documents: number): string {
  const head = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    offsetUnit: 'utf-16',
    generated: (input.generated ?? new Date()).toISOString(),
    tool: input.tool ?? TOOL_ID,
  };
  // Written a document at a time, field by field (see "The writer" below): a corpus of 100,000 annotations never
  // exists as one tree of objects, and each document's text is joined once, flat.
  return HEADER_COMMENT.replace(/^/gm, '#') + '\n\n' + blockMap(head, '') + (documents === 0 ? '\ndocuments: []' : '\ndocuments:');
}

/** One item of `documents` (its path already normalised), starting with a line break. */
function documentYaml(d: ExportInputDocument): string {
  const lines: string[] = [''];
  const index = d.text === undefined ? undefined : new LineIndex(d.text);
  // A document: an item of `documents`, its keys at 4 spaces; annotations are items of its `annotations`, their
  // keys at 8 spaces, the fields of `quote`, `start`... at 10.
  lines.push(`  - path: ${valueScalar(d.path, '      ', false)}`);
  const hash = d.text === undefined ? undefined : contentHash(d.text);
  lines.push(`    hash: ${hash === undefined ? 'null' : valueScalar(hash, '      ', false)}`);
  if (d.text === undefined) lines.push('    metadata: null');
  else {
    const fields = parseDocumentMetadata(d.text, d.path).fields;
    lines.push(Object.keys(fields).length === 0 ? '    metadata: {}' : `    metadata:\n      ${blockMap(fields, '      ')}`);
  }
  const annotations = [...d.annotations].sort((a, b) => a.target.start - b.target.start || compareCodeUnits(a.id, b.id));
  lines.push(annotations.length === 0 ? '    annotations: []' : '    annotations:');
  for (const a of annotations) {
    assertSpanHolds(a, d.path, d.text, () => hash as string);
    writeAnnotation(a, d.path, index, lines);
  }
  return lines.join('\n');
}

/** One annotation as an item of its document's `annotations`, as lines (keys in the order of the format). */
function writeAnnotation(a: Annotation, path: string, index: LineIndex | undefined, lines: string[]): void {
  const { start, end, quote } = a.target;
  if (toRelPath(a.doc) !== path) throw new Error(`cannot export: annotation ${a.id} belongs to ${a.doc}, not to ${path}`);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new Error(`cannot export: annotation ${a.id} in ${path} has offsets ${start}-${end}; start must be a whole number ≤ end`);
  }
  // Lines and columns only where they mean something: offsets of an orphan may lie beyond the current text.
  const inText = index !== undefined && end <= index.text.length;
  const position = (key: string, offset: number): void => {
    lines.push(`        ${key}:`);
    if (inText) {
      const p = index.position(offset);
      lines.push(`          line: ${p.line + 1}`, `          column: ${p.character + 1}`);
    }
    lines.push(`          offset: ${offset}`);
  };
  const V = '          '; // where the continuation lines of a value of the annotation's own keys go
  const W = '            '; // ... and of a value one level deeper
  lines.push(`      - id: ${valueScalar(a.id, V, false)}`, `        kind: ${valueScalar(a.kind, V, false)}`);
  lines.push('        quote:', `          exact: ${valueScalar(quote.exact, W, false)}`);
  lines.push(`          prefix: ${valueScalar(quote.prefix, W, true)}`, `          suffix: ${valueScalar(quote.suffix, W, true)}`);
  position('start', start);
  position('end', end);
  lines.push(`        note: ${valueScalar(a.note, V, false)}`);
  const attributes = sortedAttributes(a.attributes, a.id);
  lines.push(Object.keys(attributes).length === 0 ? '        attributes: {}' : `        attributes:\n          ${blockMap(attributes, V)}`);
  const p = a.provenance;
  lines.push(
    '        provenance:',
    `          author: ${valueScalar(p.author, W, false)}`,
    `          created: ${valueScalar(p.created, W, false)}`,
    `          modified: ${valueScalar(p.modified, W, false)}`,
    `          tool: ${valueScalar(p.tool, W, false)}`,
    `          docHash: ${valueScalar(p.docHash, W, false)}`,
  );
  lines.push('        status:', `          status: ${valueScalar(a.anchor.status, W, false)}`);
  if (a.anchor.method !== undefined) lines.push(`          method: ${valueScalar(a.anchor.method, W, false)}`);
  if (a.anchor.detail !== undefined) lines.push(`          detail: ${valueScalar(a.anchor.detail, W, false)}`);
  const relations = normaliseRelations(a.relations);
  if (relations !== undefined) {
    const X = '              '; // continuation lines of a relation's values
    lines.push('        relations:');
    for (const r of relations) {
      lines.push(
        `          - type: ${valueScalar(r.type, X, false)}`,
        `            to: ${valueScalar(r.to, X, false)}`,
        `            author: ${valueScalar(r.author, X, false)}`,
        `            created: ${valueScalar(r.created, X, false)}`,
      );
    }
  }
}

function sortedAttributes(attrs: Attributes, id: string): Attributes {
  const out: Attributes = {};
  for (const key of Object.keys(attrs).sort(compareCodeUnits)) {
    const v = attrs[key];
    if (typeof v === 'number' && !Number.isFinite(v)) {
      throw new Error(
        `cannot export: annotation ${id} has attribute ${key} = ${v}, which YAML and JSON readers cannot agree on; store a finite number or text`,
      );
    }
    Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Code unit order: the same on every machine, unlike localeCompare. */

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

// ---------------------------------------------------------------------------------------------------------------
// The writer
//
// The layout is the one the `yaml` package (2.x) gives this shape of document with the options the export used to
// pass it (YAML 1.2, block collections, sequences indented under their key, no line folding): the same bytes,
// written directly, because building the package's node tree for a corpus took ten times longer than the rest of the
// export together and several hundred MB. test/unit/formats/yamlExportWriter.test.ts compares the two on generated values.
//
// On top of the package's choices, one rule of ours (see needsDoubleQuotes): strings YAML 1.1 readers could take
// for something else, and a quote's context with a line break in it, are always double-quoted.

const INDENT_STEP = '  ';
/** A string that is the whole of a YAML 1.2 core-schema scalar of another type must be quoted to stay a string. */
const CORE_SCALARS = [
  /^(?:~|[Nn]ull|NULL)?$/,
  /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/,
  /^0o[0-7]+$/,
  /^[-+]?[0-9]+$/,
  /^0x[0-9a-fA-F]+$/,
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
];
/** Characters a plain scalar cannot start with, or sequences it cannot contain or end with. */
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
/** Characters that make any string double-quoted. */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u;
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/m;
/** A double-quoted string at least this long (as JSON) has its line breaks written as real, folded ones. */
const MULTI_LINE_QUOTED = 40;

type Plain = string | number | boolean | null | readonly Plain[] | PlainMap;
interface PlainMap {
  readonly [key: string]: Plain;
}

/** A block mapping whose keys are at `indent`; its first line is not indented (the caller puts it after a key or
 *  "- "). */
function blockMap(obj: PlainMap, indent: string): string {
  const keys = Object.keys(obj);
  if (keys.length === 0) return '{}';
  let out = '';
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) out += '\n' + indent;
    out += pair(keys[i], obj[keys[i]], indent);
  }
  return out;
}

function blockSeq(items: readonly Plain[], indent: string): string {
  if (items.length === 0) return '[]';
  let out = '';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += '\n' + indent;
    out += '- ' + node(items[i], indent + INDENT_STEP);
  }
  return out;
}

function node(v: Plain, indent: string): string {
  if (Array.isArray(v)) return blockSeq(v, indent);
  if (v !== null && typeof v === 'object') return blockMap(v as PlainMap, indent);
  return scalar(v as string | number | boolean | null, indent, false);
}

function pair(key: string, value: Plain, indent: string): string {
  const inner = indent + INDENT_STEP;
  const k = stringScalar(key, inner, true, needsDoubleQuotes(key));
  // Keys longer than 1024 characters must be explicit ("? key" then ": value") to stay readable to YAML parsers.
  const explicit = k.length > 1024;
  const head = explicit ? `? ${k}\n${indent}:` : `${k}:`;
  if (value !== null && typeof value === 'object') {
    const body = node(value, inner);
    if (explicit || body === '[]' || body === '{}') return `${head} ${body}`;
    return `${head}\n${inner}${body}`;
  }
  const context = typeof value === 'string' && CONTEXT_KEYS.has(key) && value.includes('\n');
  return `${head} ${scalar(value, inner, context)}`;
}

function scalar(v: string | number | boolean | null, indent: string, context: boolean): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return portableNumber(v);
  return valueScalar(v, indent, context);
}

/** A string as a mapping's value; `context` for the prefix and suffix of a quote. */
function valueScalar(v: string, indent: string, context: boolean): string {
  // Most strings of a corpus are printable ASCII on one line: nothing to escape, no line breaks, only the plain
  // scalar rules left to decide (the same answer as below, without the Unicode-aware expressions).
  if (PRINTABLE_ASCII.test(v)) {
    if (AMBIGUOUS_PLAIN.test(v)) return JSON.stringify(v);
    if (NOT_PLAIN.test(v) || isCoreScalar(v)) return quoted(v, indent, false);
    return v;
  }
  return stringScalar(v, indent, false, (context && v.includes('\n')) || needsDoubleQuotes(v));
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/** Every core-schema scalar of another type starts with one of these characters, or is empty. */
const CORE_SCALAR_START = /^(?:[~nNtTfF0-9+.-]|$)/;

function isCoreScalar(v: string): boolean {
  return CORE_SCALAR_START.test(v) && CORE_SCALARS.some((re) => re.test(v));
}

/** A string as a key (`implicitKey`) or value whose continuation lines are indented by `indent`. */
function stringScalar(value: string, indent: string, implicitKey: boolean, doubleQuote: boolean): string {
  if (doubleQuote || CONTROL.test(value)) return doubleQuoted(value, indent, implicitKey);
  const multiLine = value.includes('\n');
  if (implicitKey && multiLine) return quoted(value, indent, implicitKey);
  if (NOT_PLAIN.test(value)) return implicitKey || !multiLine ? quoted(value, indent, implicitKey) : literalBlock(value, indent);
  if (multiLine) return literalBlock(value, indent);
  if (implicitKey && indent === INDENT_STEP && DOCUMENT_MARKER.test(value)) return quoted(value, indent, implicitKey);
  if (isCoreScalar(value)) return quoted(value, indent, implicitKey);
  return value;
}

/** Single quotes for text with double quotes and no single ones, else double quotes. */
function quoted(value: string, indent: string, implicitKey: boolean): string {
  const hasDouble = value.includes('"');
  const hasSingle = value.includes("'");
  if (!(hasDouble && !hasSingle) || (implicitKey && value.includes('\n')) || /[ \t]\n|\n[ \t]/.test(value)) {
    return doubleQuoted(value, indent, implicitKey);
  }
  const ind = indent || (DOCUMENT_MARKER.test(value) ? INDENT_STEP : '');
  return "'" + value.replace(/'/g, "''").replace(/\n+/g, `$&\n${ind}`) + "'";
}

/**
 * A double-quoted scalar: JSON's escapes, with YAML's shorter ones for some characters; in a value, a long string's
 * line breaks are written as real ones (a blank line each inside the quotes, continuation lines indented).
 * One deliberate difference from the `yaml` package (2.9): a line holding just a space is written "\ ", where the
 * package writes "\\ " (an escaped backslash, the space then lost), which reads back as a backslash.
 */
function doubleQuoted(value: string, indent: string, implicitKey: boolean): string {
  const json = JSON.stringify(value);
  const ind = indent || (DOCUMENT_MARKER.test(value) ? INDENT_STEP : '');
  let str = '';
  let start = 0;
  /** Where a continuation line's leading space was escaped: that space may also be the one before a line break. */
  let escapedAt = -1;
  for (let i = 0, ch = json[i]; ch; ch = json[++i]) {
    if (ch === ' ' && json[i + 1] === '\\' && json[i + 2] === 'n') {
      // A space before a line break is escaped, or a reader would fold it away.
      str += json.slice(start, i) + (escapedAt === i ? ' ' : '\\ ');
      i += 1;
      start = i;
      ch = '\\';
    }
    if (ch !== '\\') continue;
    const next = json[i + 1];
    if (next === 'u') {
      str += json.slice(start, i);
      const code = json.substr(i + 2, 4);
      const short = SHORT_ESCAPES[code];
      str += short ?? (code.startsWith('00') ? '\\x' + code.slice(2) : json.substr(i, 6));
      i += 5;
      start = i + 1;
    } else if (next === 'n' && !(implicitKey || json[i + 2] === '"' || json.length < MULTI_LINE_QUOTED)) {
      // The first line break becomes a blank line (a single one would be folded into a space), each further one
      // directly following it another; the continuation is indented, a leading space escaped.
      str += json.slice(start, i) + '\n\n';
      while (json[i + 2] === '\\' && json[i + 3] === 'n' && json[i + 4] !== '"') {
        str += '\n';
        i += 2;
      }
      str += ind;
      if (json[i + 2] === ' ') {
        str += '\\';
        escapedAt = i + 2;
      }
      i += 1;
      start = i + 1;
    } else i += 1;
  }
  str = start ? str + json.slice(start) : json;
  // Only double-quoted scalars can hold these characters (needsDoubleQuotes forces them there), and inside double
  // quotes an escape means the same as the raw character.
  return str.replace(ESCAPE_IN_OUTPUT, escapeChar);
}

const SHORT_ESCAPES: Record<string, string> = {
  '0000': '\\0',
  '0007': '\\a',
  '000b': '\\v',
  '001b': '\\e',
  '0085': '\\N',
  '00a0': '\\_',
  '2028': '\\L',
  '2029': '\\P',
};

/** A literal block scalar ("|"), with the chomping indicator its trailing line breaks need. */
function literalBlock(text: string, indent: string): string {
  // A block cannot end in whitespace on a line of its own.
  if (/\n[\t ]+$/.test(text)) return quoted(text, indent, false);
  let value = text;
  let endStart = value.length;
  while (endStart > 0 && (value[endStart - 1] === '\n' || value[endStart - 1] === '\t' || value[endStart - 1] === ' ')) endStart--;
  let end = value.substring(endStart);
  const endNl = end.indexOf('\n');
  const chomp = endNl === -1 ? '-' : value === end || endNl !== end.length - 1 ? '+' : '';
  if (end) {
    value = value.slice(0, -end.length);
    if (end[end.length - 1] === '\n') end = end.slice(0, -1);
    end = end.replace(/(^|(?<!\n))\n+(?!\n|$)/g, `$&${indent}`);
  }
  // Leading spaces need an explicit indentation indicator; leading blank lines are kept as they are.
  let startWithSpace = false;
  let startEnd = 0;
  let startNl = -1;
  for (; startEnd < value.length; startEnd++) {
    const ch = value[startEnd];
    if (ch === ' ') startWithSpace = true;
    else if (ch === '\n') startNl = startEnd;
    else break;
  }
  let start = value.substring(0, startNl < startEnd ? startNl + 1 : startEnd);
  if (start) {
    value = value.substring(start.length);
    start = start.replace(/\n+/g, `$&${indent}`);
  }
  const header = (startWithSpace ? '2' : '') + chomp;
  return `|${header}\n${indent}${start}${value.replace(/\n+/g, `$&${indent}`)}${end}`;
}

// ---------------------------------------------------------------------------------------------------------------
// The canonical form, for the reader (yamlImport.ts recognises it line by line and checks each value against these)

/** How the writer writes string `v` as the value of one of an annotation's or a document's own keys whose
 *  continuation lines are indented by `indent`; `context` for a quote's prefix and suffix. */
export function canonicalString(v: string, indent: string, context: boolean): string {
  return valueScalar(v, indent, context);
}

/** How the writer writes the pair `key: value` of a block mapping whose keys are at `indent` (metadata,
 *  attributes): the text after the indentation. */
export function canonicalPair(key: string, value: string | number | boolean, indent: string): string {
  return pair(key, value, indent);
}
