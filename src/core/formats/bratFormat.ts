// brat standoff export and import (https://brat.nlplab.org/standoff.html): a .ann file beside each .txt, and an
// annotation.conf generated from the codebook. Inside Marginalia offsets are UTF-16 code units; brat's offsets index
// the text as brat's server reads it: a Python unicode string, so they count Unicode code points (an emoji is one,
// not two). How brat reads line ends matters too: brat 1.3 opens the .txt with universal newlines ('rU'), so a CRLF
// is ONE character to it (and a lone CR becomes LF) — brat issue #853, open since 2012 — while tools that read the
// bytes as they are (Python 3's open(..., newline='')) count CRLF as two. `newlines` chooses; the default,
// "universal", is what brat itself and Python's default open() count. (The two agree on files without CR.)
//
// Encoding (one Marginalia annotation → brat lines):
//   T<n>  <kind> <start> <end>[;<start> <end>…]  <text>   a text-bound annotation; kinds are entity types (the
//         names are already brat-safe: a letter, then letters, digits, "_" and "-"). A brat line cannot hold a line
//         break, so a passage across lines becomes fragments, one per line, and the text field joins the fragments'
//         texts with a space (as brat does); leading and trailing line breaks of a passage are left out.
//   A<n>  <name> T<n> <value>   an enum attribute whose value is one of the codebook's (brat: multi-valued attribute)
//   A<n>  <name> T<n>           a boolean attribute of a boolean field that is true (brat: binary attribute)
//   #<n>  AnnotatorNotes T<n>  <note>   the note
//   #<n>  Author T<n>  <author>   the coder who made it (provenance.author), when there is one: brat shows it as a
//         comment "Author: <name>", and an import gives it back as the annotation's author
//   #<n>  <name>[:<type>] T<n>  <value>   every other attribute (free text, numbers, false): brat shows a comment
//         as "<name>: <value>". ":number", ":boolean" or ":string" follows the name when the codebook would not give
//         the value's type back on import (an attribute the codebook does not declare, or of another type).
//   R<n>  <type> Arg1:T<a> Arg2:T<b>   a relation between two annotations of the same document (brat relations
//         never cross documents: those are left out, with a warning); annotation.conf lists each relation type
//         under [relations] with the kinds allowed at each end, and <REL-TYPE>:symmetric for symmetric ones. Reading
//         takes R lines, and equivalence lines ("*  Equiv T1 T2 …", a chain of symmetric relations from the first).
//   In notes and comment values, "\" is written "\\", LF "\n", CR "\r", and other line separators "\uXXXX", since
//   a line of a .ann cannot hold them; reading turns exactly these back (other backslashes stay as they are).
// brat has no place for ids, the rest of the provenance or anchor state: an import makes new annotations (new ids,
// the Author comment's coder or else the importer as author, anchored against the .txt as it is).
import { TOOL_ID, TOOL_VERSION } from '../../constants';
import { defaultCodebook, relationTypes, type AttributeField, type Codebook } from '../store';
import {
  newId,
  toRelPath,
  contentHash,
  isHighSurrogate,
  isLowSurrogate,
  makeQuote,
  compareCodeUnits,
  plural,
  spanHolds,
  inexactNumberReason,
  normaliseRelations,
  relationKey,
} from '../model';
import type { Annotation, AttributeValue, Attributes, Relation } from '../model';
import type { YamlFileErrorCode } from '../yaml';
import { ExportFormatError, type ExportInput, type ExportedDocument } from './exportInput';

/** How brat offsets count line ends: "universal" (CRLF is one character, as brat 1.3 reads text) or "as-written"
 *  (every character of the file, CRLF is two). */
export type BratNewlines = 'universal' | 'as-written';

export const BRAT_CONF_FILE = 'annotation.conf';

export interface BratExportInput extends ExportInput {
  /** Kinds and attribute fields; the built-in codebook by default. */
  codebook?: Codebook;
  /** Default "universal" (see the file comment). */
  newlines?: BratNewlines;
  /** Put a copy of each document's text in the map too (brat needs the .txt beside the .ann); default true. */
  includeText?: boolean;
  /** Told about what could not be exported (a missing document, an orphan whose quote is not at its offsets). */
  warn?: (message: string) => void;
}

/** The brat file names of a document: x.txt pairs with x.ann; any other name gets .txt and .ann appended. */
export function bratPaths(docPath: string): { txt: string; ann: string } {
  const p = toRelPath(docPath);
  if (/\.txt$/i.test(p)) return { txt: p, ann: p.slice(0, -4) + '.ann' };
  return { txt: p + '.txt', ann: p + '.ann' };
}

const KIND = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
/** What a value of a brat multi-valued attribute can be without confusing annotation.conf ("|", ",", spaces). */
const BRAT_VALUE = /^[A-Za-z0-9_.-]+$/;
const NOTES = 'AnnotatorNotes';
/** The comment type that carries an annotation's author (its coder). */
export const BRAT_AUTHOR = 'Author';
/** Characters that end a line for brat (universal newlines) or for Python's str.splitlines(): never inside a .ann line. */
const LINE_BREAK = /[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/;

// ---------------------------------------------------------------------------------------------------------------
// Writing

/**
 * brat files for `input.documents`: file path → text. For each document with text, its .ann (and, unless
 * includeText is false, its .txt); and annotation.conf at the root. Documents sorted by path, annotations by start
 * then id; deterministic. A missing document, and an annotation whose quote is not at its offsets in the current
 * text (an orphan), cannot be placed in brat: they are left out and reported through `warn`.
 */
export function exportBrat(input: BratExportInput): Map<string, string> {
  const codebook = input.codebook ?? defaultCodebook();
  const newlines = input.newlines ?? 'universal';
  const modes = attributeModes(codebook);
  const out = new Map<string, string>();
  const docs = [...input.documents].map((d) => ({ ...d, path: toRelPath(d.path) })).sort((a, b) => compareCodeUnits(a.path, b.path));
  const kinds = new Set<string>();
  const relationTypesUsed = new Set<string>();
  const seen = new Map<string, string>();
  for (const d of docs) {
    const files = bratPaths(d.path);
    for (const f of [files.txt, files.ann]) {
      const other = seen.get(f);
      if (other !== undefined) throw new Error(`cannot export to brat: ${d.path} and ${other} would both write ${f}; rename one`);
      seen.set(f, d.path);
    }
    if (d.text === undefined) {
      if (d.annotations.length > 0)
        input.warn?.(`${d.path} is missing, so its ${plural(d.annotations.length, 'annotation')} cannot be placed in brat; left out`);
      continue;
    }
    const text = d.text;
    const offsets = new BratOffsets(text, newlines);
    const lines: string[] = [];
    let t = 0;
    let attr = 0;
    let note = 0;
    const bratIds = new Map<string, string>();
    const sorted = [...d.annotations].sort((a, b) => a.target.start - b.target.start || compareCodeUnits(a.id, b.id));
    for (const a of sorted) {
      if (toRelPath(a.doc) !== d.path) throw new Error(`cannot export: annotation ${a.id} belongs to ${a.doc}, not to ${d.path}`);
      if (!KIND.test(a.kind)) throw new Error(`cannot export to brat: kind ${JSON.stringify(a.kind)} of annotation ${a.id} is not a brat type name`);
      const { start, end, quote } = a.target;
      // The whole span, in whole characters: brat would write half of a cut surrogate pair as U+FFFD.
      if (!spanHolds(text, start, end, quote.exact)) {
        input.warn?.(
          `${d.path}: annotation ${a.id} (${a.anchor.status}) is not at its offsets in the current text, or cuts a character in half; re-anchor it first. Left out of the brat export`,
        );
        continue;
      }
      kinds.add(a.kind);
      const id = `T${++t}`;
      bratIds.set(a.id, id);
      const fragments = splitFragments(text, start, end);
      const spans = fragments.map(([s, e]) => `${offsets.toBrat(s)} ${offsets.toBrat(e)}`).join(';');
      lines.push(`${id}\t${a.kind} ${spans}\t${fragments.map(([s, e]) => text.slice(s, e)).join(' ')}`);
      const kind = codebook.kinds.find((k) => k.name === a.kind);
      const comments: string[] = [];
      for (const name of Object.keys(a.attributes).sort(compareCodeUnits)) {
        const v = a.attributes[name];
        if (name === NOTES || name === BRAT_AUTHOR)
          throw new Error(
            `cannot export to brat: annotation ${a.id} has an attribute named ${name}, which the brat export reserves for ${name === NOTES ? 'notes' : 'the author'}; rename it`,
          );
        if (typeof v === 'number' && !Number.isFinite(v))
          throw new Error(`cannot export: annotation ${a.id} has attribute ${name} = ${v}; store a finite number or text`);
        const field = kind?.attributes.find((f) => f.name === name);
        const mode = modes.get(name);
        if (field?.type === 'enum' && mode?.kind === 'enum' && typeof v === 'string' && mode.values.includes(v) && (field.values ?? []).includes(v)) {
          lines.push(`A${++attr}\t${name} ${id} ${v}`);
        } else if (field?.type === 'boolean' && mode?.kind === 'binary' && v === true) {
          lines.push(`A${++attr}\t${name} ${id}`);
        } else {
          const suffix = typeof v === inferredType(field) ? '' : `:${typeof v}`;
          comments.push(`${name}${suffix} ${id}\t${escapeLine(String(v))}`);
        }
      }
      if (a.note !== '') lines.push(`#${++note}\t${NOTES} ${id}\t${escapeLine(a.note)}`);
      if (a.provenance.author !== '') lines.push(`#${++note}\t${BRAT_AUTHOR} ${id}\t${escapeLine(a.provenance.author)}`);
      for (const c of comments) lines.push(`#${++note}\t${c}`);
    }
    let rel = 0;
    for (const a of sorted) {
      for (const r of normaliseRelations(a.relations) ?? []) {
        const from = bratIds.get(a.id);
        const to = bratIds.get(r.to);
        if (from === undefined) continue; // the annotation itself was left out, and said so
        if (!KIND.test(r.type)) throw new Error(`cannot export to brat: relation type ${JSON.stringify(r.type)} of annotation ${a.id} is not a brat type name`);
        if (to === undefined) {
          input.warn?.(
            `${d.path}: the relation ${r.type} from annotation ${a.id} to ${r.to} is left out of the brat export: brat relations join two annotations of one document, and ${r.to} is not one placed in this one`,
          );
          continue;
        }
        relationTypesUsed.add(r.type);
        lines.push(`R${++rel}\t${r.type} Arg1:${from} Arg2:${to}`);
      }
    }
    if (input.includeText ?? true) out.set(files.txt, text);
    out.set(files.ann, lines.map((l) => l + '\n').join(''));
  }
  out.set(BRAT_CONF_FILE, bratAnnotationConf(codebook, [...kinds], newlines, [...relationTypesUsed]));
  return new Map([...out].sort(([a], [b]) => compareCodeUnits(a, b)));
}

/** What the import would make of a comment's value without a type suffix: the codebook field's type, else text. */
function inferredType(field: AttributeField | undefined): 'string' | 'number' | 'boolean' {
  return field?.type === 'number' ? 'number' : field?.type === 'boolean' ? 'boolean' : 'string';
}

type AttributeMode = { kind: 'enum'; values: string[]; args: string[] } | { kind: 'binary'; args: string[] } | { kind: 'comment' };

/**
 * How each attribute name travels: a brat attribute is defined once for all types, so a name is a multi-valued brat
 * attribute only if every kind declares it as an enum of brat-safe values, binary only if every kind declares it
 * boolean; anything else goes in comments.
 */
function attributeModes(codebook: Codebook): Map<string, AttributeMode> {
  const byName = new Map<string, { kind: string; field: AttributeField }[]>();
  for (const k of codebook.kinds) for (const f of k.attributes) byName.set(f.name, [...(byName.get(f.name) ?? []), { kind: k.name, field: f }]);
  const modes = new Map<string, AttributeMode>();
  for (const [name, uses] of byName) {
    const args = uses.map((u) => u.kind);
    if (name === NOTES) modes.set(name, { kind: 'comment' });
    else if (uses.every((u) => u.field.type === 'enum' && (u.field.values ?? []).every((v) => BRAT_VALUE.test(v)))) {
      const values = [...new Set(uses.flatMap((u) => u.field.values ?? []))];
      modes.set(name, values.length > 0 ? { kind: 'enum', values, args } : { kind: 'comment' });
    } else if (uses.every((u) => u.field.type === 'boolean')) modes.set(name, { kind: 'binary', args });
    else modes.set(name, { kind: 'comment' });
  }
  return modes;
}

/**
 * brat's annotation.conf for a codebook: its kinds (plus `extraKinds` used by annotations but not declared) as entity
 * types, any overlap allowed (Marginalia annotations nest and cross), and the attributes that travel as brat
 * attributes (enum and boolean fields).
 */
export function bratAnnotationConf(
  codebook: Codebook,
  extraKinds: readonly string[] = [],
  newlines: BratNewlines = 'universal',
  extraRelationTypes: readonly string[] = [],
): string {
  const kinds = [...codebook.kinds.map((k) => k.name)];
  for (const k of [...extraKinds].sort(compareCodeUnits)) if (!kinds.includes(k)) kinds.push(k);
  // Each relation type with the kinds at its ends (those brat knows as entity types); types the annotations use but
  // the codebook does not define may join any two.
  const relations: string[] = [];
  const types = relationTypes(codebook);
  const arg = (list: readonly string[]): string => list.filter((k) => kinds.includes(k)).join('|') || '<ENTITY>';
  for (const t of types) {
    const flags = t.direction === 'symmetric' ? ', <REL-TYPE>:symmetric' : '';
    // A symmetric relation's ends may be either way round: both lists at both ends.
    const [from, to] = t.direction === 'symmetric' ? [[...new Set([...t.from, ...t.to])], [...new Set([...t.from, ...t.to])]] : [t.from, t.to];
    relations.push(`${t.name}\tArg1:${arg(from)}, Arg2:${arg(to)}${flags}`);
  }
  for (const name of [...extraRelationTypes].sort(compareCodeUnits)) {
    if (!types.some((t) => t.name === name)) relations.push(`${name}\tArg1:<ENTITY>, Arg2:<ENTITY>`);
  }
  const attributes: string[] = [];
  for (const [name, mode] of [...attributeModes(codebook)].sort(([a], [b]) => compareCodeUnits(a, b))) {
    if (mode.kind === 'enum') attributes.push(`${name}\tArg:${mode.args.join('|')}, Value:${mode.values.join('|')}`);
    else if (mode.kind === 'binary') attributes.push(`${name}\tArg:${mode.args.join('|')}`);
  }
  return [
    `# Written by Marginalia ${TOOL_VERSION} from the codebook: each kind is an entity type.`,
    '# Enum fields are attributes with values, boolean fields binary attributes (present when true); every other',
    '# attribute is a comment line "#N<TAB>name Tn<TAB>value", shown by brat as "name: value".',
    newlines === 'universal'
      ? '# Offsets count Unicode code points, a CRLF line end as one character (as brat reads text).'
      : '# Offsets count Unicode code points, a CRLF line end as two characters (every character of the file).',
    '[entities]',
    ...kinds,
    '',
    '[relations]',
    '# Marginalia annotations may nest and overlap in any way.',
    '<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>',
    '# The relation types of the codebook (Arg1: the kinds it starts from, Arg2: the kinds it points to).',
    ...relations,
    '',
    '[events]',
    '',
    '[attributes]',
    ...attributes,
    '',
  ].join('\n');
}

/** Maximal runs of [start, end) without line breaks; a passage of line breaks only is one empty fragment at its start. */
function splitFragments(text: string, start: number, end: number): [number, number][] {
  const out: [number, number][] = [];
  let s = -1;
  for (let i = start; i < end; i++) {
    if (LINE_BREAK.test(text[i])) {
      if (s !== -1) out.push([s, i]);
      s = -1;
    } else if (s === -1) s = i;
  }
  if (s !== -1) out.push([s, end]);
  return out.length > 0 ? out : [[start, start]];
}

// A lone surrogate (half a character, which UTF-8 cannot hold) is escaped as \uD83D too, and read back exactly, where
// writing it raw would turn it into U+FFFD.
function escapeLine(s: string): string {
  return s.replace(/[\\\n\r\v\f\x1c-\x1e\x85\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\u' + c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0'),
  );
}

function unescapeLine(s: string): string {
  return s.replace(/\\(\\|n|r|u[0-9A-Fa-f]{4})/g, (_m, e: string) =>
    e === '\\' ? '\\' : e === 'n' ? '\n' : e === 'r' ? '\r' : String.fromCharCode(parseInt(e.slice(1), 16)),
  );
}

/**
 * UTF-16 offsets ↔ brat offsets of one text in one pass: code points, and with universal newlines a CRLF as one
 * character. A UTF-16 offset inside a surrogate pair counts the pair (as text.ts does); one between CR and LF maps
 * before the line end.
 */
class BratOffsets {
  private readonly to: Uint32Array;
  private readonly from: Uint32Array;
  readonly length: number;
  constructor(text: string, newlines: BratNewlines) {
    const to = new Uint32Array(text.length + 1);
    const from = new Uint32Array(text.length + 1);
    let b = 0;
    let i = 0;
    while (i < text.length) {
      to[i] = b;
      from[b] = i;
      const c = text.charCodeAt(i);
      if (newlines === 'universal' && c === 0x0d && text.charCodeAt(i + 1) === 0x0a) {
        to[i + 1] = b;
        i += 2;
      } else if (isHighSurrogate(c) && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1))) {
        to[i + 1] = b + 1;
        i += 2;
      } else {
        i++;
      }
      b++;
    }
    to[text.length] = b;
    from[b] = text.length;
    this.to = to;
    this.from = from.subarray(0, b + 1);
    this.length = b;
  }
  toBrat(utf16: number): number {
    return this.to[utf16];
  }
  /** The UTF-16 offset of a brat offset, or undefined beyond the text. */
  toUtf16(brat: number): number | undefined {
    return brat <= this.length ? this.from[brat] : undefined;
  }
}

/** Code unit order: the same on every machine, unlike localeCompare. */

// ---------------------------------------------------------------------------------------------------------------
// Reading

export interface BratImportOptions {
  /** The workspace-relative path of the document the .txt is (the annotations' `doc`). */
  doc: string;
  /** For attribute types (a comment without a type suffix takes its field's type); the built-in codebook by default. */
  codebook?: Codebook;
  /** How the .ann counts line ends; default "universal" (see the file comment). */
  newlines?: BratNewlines;
  /** The author recorded on imported annotations that have no Author comment; default "". */
  author?: string;
  /** The time recorded as created and modified; default now. */
  now?: Date;
  /** The tool recorded in provenance; default the running Marginalia. */
  tool?: string;
  /** A new annotation id (tests pass a deterministic one); default a ULID for `now`. */
  newId?: () => string;
}

/** A document read back from brat. */
export interface BratImportedDocument extends ExportedDocument {
  /** What the .ann held that Marginalia has no place for (events, normalisations, gaps), for people. */
  warnings: string[];
}

/**
 * Reads a .ann with its .txt back into annotations of `options.doc`: text-bound annotations (fragments joined into
 * one passage, from the first fragment's start to the last one's end), their notes and attributes. Throws
 * ExportFormatError naming `file` (the .ann), line and column for lines that are not brat, references to unknown
 * annotations, offsets outside the text, and a text field that does not match the .txt at those offsets (a .ann of
 * another text, or counted with the other newline convention).
 */
export function parseBrat(ann: string, txt: string, file: string, options: BratImportOptions): BratImportedDocument {
  const doc = toRelPath(options.doc);
  const codebook = options.codebook ?? defaultCodebook();
  const offsets = new BratOffsets(txt, options.newlines ?? 'universal');
  const now = options.now ?? new Date();
  const iso = now.toISOString();
  const makeId = options.newId ?? (() => newId(now.getTime()));
  const docHash = contentHash(txt);
  const warnings: string[] = [];
  const fail = (line: number, column: number, code: YamlFileErrorCode, reason: string): ExportFormatError =>
    new ExportFormatError(file, code, reason, line, column);

  interface Pending {
    kind: string;
    start: number;
    end: number;
    notes: string[];
    author?: string;
    attributes: Attributes;
    line: number;
  }
  const spans = new Map<string, Pending>();
  const order: string[] = [];
  const lines = (ann.charCodeAt(0) === 0xfeff ? ann.slice(1) : ann).split(/\r\n|\r|\n/);
  // Text-bound annotations first: attributes and notes may come before the line of the span they belong to.
  const later: { line: number; text: string }[] = [];
  lines.forEach((text, index) => {
    const line = index + 1;
    if (text.trim() === '') return;
    const tab = text.indexOf('\t');
    if (tab === -1) throw fail(line, 1, 'syntax', `not a brat annotation line (no tab after the id): ${JSON.stringify(text.slice(0, 40))}`);
    const id = text.slice(0, tab);
    if (!/^(?:[A-Za-z]+|#[A-Za-z]*)[0-9]+\S*$|^\*$/.test(id))
      throw fail(line, 1, 'syntax', `${JSON.stringify(id)} is not a brat annotation id (such as T1, A2, #3)`);
    if (id[0] !== 'T') {
      later.push({ line, text });
      return;
    }
    if (spans.has(id)) throw fail(line, 1, 'invalid', `${id} is defined twice; brat ids must be unique`);
    const rest = text.slice(tab + 1);
    const tab2 = rest.indexOf('\t');
    const data = tab2 === -1 ? rest : rest.slice(0, tab2);
    const m = /^(\S+) ([0-9]+ [0-9]+(?:;[0-9]+ [0-9]+)*)\s*$/.exec(data);
    if (!m) throw fail(line, tab + 2, 'syntax', `${id} is not "TYPE START END" (several spans separated by ";")`);
    const kind = m[1];
    if (!KIND.test(kind))
      throw fail(
        line,
        tab + 2,
        'invalid',
        `brat type ${JSON.stringify(kind)} cannot be a Marginalia kind (a letter, then up to 63 letters, digits, "_" or "-")`,
      );
    const fragments = m[2].split(';').map((pair) => pair.split(' ').map(Number));
    const utf16: [number, number][] = [];
    for (const [s, e] of fragments) {
      const s16 = offsets.toUtf16(s);
      const e16 = offsets.toUtf16(e);
      if (s > e) throw fail(line, tab + 2 + kind.length + 1, 'invalid', `${id} has a span ${s}-${e} that ends before it starts`);
      if (s16 === undefined || e16 === undefined) {
        throw fail(
          line,
          tab + 2 + kind.length + 1,
          'invalid',
          `${id} has a span ${s}-${e} beyond the end of the text (${plural(offsets.length, 'character')}); is this the .ann of this .txt?`,
        );
      }
      utf16.push([s16, e16]);
    }
    const expected = utf16.map(([s, e]) => txt.slice(s, e)).join(' ');
    const given = tab2 === -1 ? '' : rest.slice(tab2 + 1);
    if (tab2 !== -1 && !(given === expected || (given.startsWith(expected) && /^\s/.test(given.slice(expected.length))))) {
      throw fail(
        line,
        tab + tab2 + 3,
        'invalid',
        `${id}'s text ${JSON.stringify(given.slice(0, 60))} is not what the document holds at ${m[2]} (${JSON.stringify(expected.slice(0, 60))}); ` +
          `is this the .ann of this .txt, counted with ${options.newlines === 'as-written' ? 'CRLF as two characters' : 'CRLF as one character'}?`,
      );
    }
    const sortedFragments = [...utf16].sort((a, b) => a[0] - b[0]);
    const start = sortedFragments[0][0];
    const end = Math.max(...sortedFragments.map((f) => f[1]));
    for (let i = 1; i < sortedFragments.length; i++) {
      const gap = txt.slice(sortedFragments[i - 1][1], sortedFragments[i][0]);
      if (!/^[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]*$/.test(gap)) {
        warnings.push(`${file}:${line}: ${id} is discontinuous (skips ${JSON.stringify(gap.slice(0, 40))}); Marginalia keeps one passage, so it spans the gap`);
        break;
      }
    }
    spans.set(id, { kind, start, end, notes: [], attributes: {}, line });
    order.push(id);
  });

  const links: { line: number; column: number; id: string; data: string }[] = [];
  for (const { line, text } of later) {
    const tab = text.indexOf('\t');
    const id = text.slice(0, tab);
    const rest = text.slice(tab + 1);
    if (id[0] === 'A' || id[0] === 'M') {
      const parts = rest.trim().split(/\s+/);
      if (parts.length < 2 || parts.length > 3) throw fail(line, tab + 2, 'syntax', `${id} is not "NAME TARGET [VALUE]"`);
      const [name, target, value] = parts;
      const span = spans.get(target);
      if (!span) {
        warnings.push(`${file}:${line}: ${id} is an attribute of ${target}, which is not a text-bound annotation; left out`);
        continue;
      }
      setAttribute(span, name, value === undefined ? true : value, line, tab + 2);
    } else if (id[0] === '#') {
      const tab2 = rest.indexOf('\t');
      const data = (tab2 === -1 ? rest : rest.slice(0, tab2)).trim().split(/\s+/);
      if (data.length !== 2) throw fail(line, tab + 2, 'syntax', `${id} is not "TYPE TARGET<TAB>TEXT"`);
      const [type, target] = data;
      const value = unescapeLine(tab2 === -1 ? '' : rest.slice(tab2 + 1));
      const span = spans.get(target);
      if (!span) {
        warnings.push(`${file}:${line}: ${id} is a note on ${target}, which is not a text-bound annotation; left out`);
        continue;
      }
      if (type === NOTES) {
        span.notes.push(value);
        continue;
      }
      if (type === BRAT_AUTHOR) {
        if (span.author !== undefined) throw fail(line, tab + 2, 'invalid', `${target} has two ${BRAT_AUTHOR} comments; keep one`);
        span.author = value;
        continue;
      }
      const m = /^([A-Za-z_][A-Za-z0-9_-]{0,63})(?::(string|number|boolean))?$/.exec(type);
      if (!m) {
        warnings.push(`${file}:${line}: ${id} is a comment of type ${JSON.stringify(type)}, which names no attribute; left out`);
        continue;
      }
      const field = fieldOf(codebook, span.kind, m[1]);
      const typed = typedValue(value, (m[2] as 'string' | 'number' | 'boolean' | undefined) ?? inferredType(field));
      setAttribute(span, m[1], typed, line, tab + 2);
    } else if (id[0] === 'R' || id[0] === '*') {
      links.push({ line, column: tab + 2, id, data: text.slice(tab + 1) });
    } else {
      warnings.push(
        `${file}:${line}: ${id} (${id[0] === 'E' ? 'an event' : id[0] === 'N' ? 'a normalisation' : 'an annotation of another sort'}) has no place in a Marginalia annotation; left out`,
      );
    }
  }

  function setAttribute(span: Pending, name: string, value: AttributeValue, line: number, column: number): void {
    if (!/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/.test(name) || name === '__proto__')
      throw fail(
        line,
        column,
        'invalid',
        `${JSON.stringify(name)} cannot be a Marginalia attribute name (letters, digits, "_" and "-", starting with a letter or "_")`,
      );
    if (Object.hasOwn(span.attributes, name))
      throw fail(line, column, 'invalid', `attribute ${name} is given twice for the annotation on line ${span.line}; keep one`);
    span.attributes[name] = value;
  }

  const annotations: Annotation[] = order.map((id) => {
    const p = spans.get(id) as Pending;
    return {
      id: makeId(),
      kind: p.kind,
      doc,
      target: { start: p.start, end: p.end, quote: makeQuote(txt, p.start, p.end) },
      note: p.notes.join('\n'),
      attributes: p.attributes,
      provenance: { author: p.author ?? options.author ?? '', created: iso, modified: iso, tool: options.tool ?? TOOL_ID, docHash },
      anchor: { status: 'anchored' },
    };
  });
  // Relations, by the new ids: R lines (Arg1 → Arg2) and equivalences (the first to each of the others).
  const byBratId = new Map(order.map((id, i) => [id, annotations[i]]));
  for (const { line, column, id, data } of links) {
    const pairs: [string, string, string][] = [];
    if (id[0] === 'R') {
      const m = /^(\S+)\s+Arg1:(\S+)\s+Arg2:(\S+)\s*$/.exec(data);
      if (!m) throw fail(line, column, 'syntax', `${id} is not "TYPE Arg1:T<n> Arg2:T<n>"`);
      pairs.push([m[1], m[2], m[3]]);
    } else {
      const [type, first, ...rest] = data.trim().split(/\s+/);
      if (type === undefined || first === undefined || rest.length === 0) throw fail(line, column, 'syntax', `${id} is not "TYPE T<n> T<n> …"`);
      for (const other of rest) pairs.push([type, first, other]);
    }
    for (const [type, a, b] of pairs) {
      if (!KIND.test(type))
        throw fail(
          line,
          column,
          'invalid',
          `brat relation type ${JSON.stringify(type)} cannot be a Marginalia relation type (a letter, then up to 63 letters, digits, "_" or "-")`,
        );
      const from = byBratId.get(a);
      const to = byBratId.get(b);
      if (!from || !to) {
        warnings.push(`${file}:${line}: ${id} joins ${!from ? a : b}, which is not a text-bound annotation; left out`);
        continue;
      }
      if (from === to) {
        warnings.push(`${file}:${line}: ${id} joins ${a} to itself; left out`);
        continue;
      }
      const relation: Relation = { type, to: to.id, author: options.author ?? '', created: iso };
      if ((from.relations ?? []).some((r) => relationKey(r) === relationKey(relation))) continue;
      from.relations = normaliseRelations([...(from.relations ?? []), relation]);
    }
  }
  annotations.sort((a, b) => a.target.start - b.target.start || compareCodeUnits(a.id, b.id));
  return { path: doc, hash: docHash, annotations, warnings };
}

function fieldOf(codebook: Codebook, kind: string, name: string): AttributeField | undefined {
  return codebook.kinds.find((k) => k.name === kind)?.attributes.find((f) => f.name === name);
}

/** A comment's or attribute's text as the type asked for; text that is not of that type stays text. */
function typedValue(s: string, type: 'string' | 'number' | 'boolean'): AttributeValue {
  // A number only when one holds it as written; otherwise it is kept as the text it is (never rounded).
  if (type === 'number' && inexactNumberReason(s) === undefined) return Number(s);
  if (type === 'boolean' && (s === 'true' || s === 'false')) return s === 'true';
  return s;
}
