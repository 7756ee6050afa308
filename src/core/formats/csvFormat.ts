// CSV export for spreadsheets and data tools: one row per annotation, RFC 4180 (comma-separated, CRLF after every
// row, a field holding a comma, double quote, CR or LF is quoted, quotes inside are doubled), and the parse back.
// Offsets are UTF-16 code units, as the column names say (start_utf16); lines and columns are 1-based and columns
// count UTF-16 code units too (a \r before \n belongs to the line's end, as in the YAML export).
//
// Columns, in this order:
//   id, document, kind, start_utf16, end_utf16, start_line, start_column_utf16, end_line, end_column_utf16,
//   exact, prefix, suffix, note, attr.<name>…, author, created, modified, tool, doc_hash, status, method, detail
// One column per attribute name used anywhere in the export, sorted by name (what a spreadsheet filters on). The
// header states a column's type when its values are not all text: attr.value:number, attr.approx:boolean, and
// attr.x:json when one name holds values of different types (then each cell is a JSON literal). An absent
// attribute is an empty cell; an attribute whose value is the empty string is a quoted empty cell ("") so that
// the two stay apart. Line and column cells are empty when the document is missing or the offsets lie beyond it.
//
// Formula injection: spreadsheets run a cell that starts with = + - @ (also full-width or small look-alikes such as ＝
// and ﹦, and after leading spaces or line breaks; or a tab, CR or LF) as a formula, and quotes
// come from documents nobody vetted ("=HYPERLINK(…)"). By default every text cell starting with one of those, or
// with an apostrophe, gets an apostrophe in front (OWASP's advice; Excel and LibreOffice show it, and it keeps the
// cell text). parseCsv removes exactly one leading apostrophe again, so the round trip is exact. Pass
// formulaGuard: false to both for data tools that never evaluate cells.
import type { AnchorState, Annotation, AttributeValue, Attributes } from '../model';
import {
  PathError,
  toRelPath,
  LineIndex,
  compareCodeUnits,
  plural,
  contentHash,
  inexactNumberReason,
  loneSurrogate,
  normaliseRelations,
  relationKey,
} from '../model';
import { describeValue, schemaProblem, type YamlFileErrorCode, validator } from '../yaml';
import { ExportFormatError, type ExportInput, type ExportedDocument, ExportRefusedError, assertSpanHolds, exportDocuments } from './exportInput';

export const CSV_COLUMNS_BEFORE_ATTRIBUTES = [
  'id',
  'document',
  'kind',
  'start_utf16',
  'end_utf16',
  'start_line',
  'start_column_utf16',
  'end_line',
  'end_column_utf16',
  'exact',
  'prefix',
  'suffix',
  'note',
] as const;
export const CSV_COLUMNS_AFTER_ATTRIBUTES = ['author', 'created', 'modified', 'tool', 'doc_hash', 'status', 'method', 'detail'] as const;
export const ATTRIBUTE_COLUMN_PREFIX = 'attr.';

type FixedColumn = (typeof CSV_COLUMNS_BEFORE_ATTRIBUTES)[number] | (typeof CSV_COLUMNS_AFTER_ATTRIBUTES)[number];
type AttributeColumnType = 'string' | 'number' | 'boolean' | 'json';

export interface CsvOptions {
  /** Prefix text cells that a spreadsheet would run as a formula with an apostrophe (default true). */
  formulaGuard?: boolean;
}

export interface CsvExportInput extends ExportInput, CsvOptions {
  /** Start with a UTF-8 byte order mark, which Excel needs to read UTF-8 (default false). */
  bom?: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Writing

/**
 * One CSV for `input.documents`: a header row, then one row per annotation, sorted by document path, start offset,
 * id. Deterministic. Throws Error for input that breaks the model's invariants (as the YAML export does).
 */
export function exportCsv(input: CsvExportInput): string {
  const guard = input.formulaGuard ?? true;
  const docs = exportDocuments(input.documents);

  const types = new Map<string, Set<AttributeColumnType>>();
  for (const d of docs) {
    for (const a of d.annotations) {
      for (const [k, v] of Object.entries(a.attributes)) {
        if (typeof v === 'number' && !Number.isFinite(v)) {
          throw new Error(`cannot export: annotation ${a.id} has attribute ${k} = ${v}, which a CSV reader cannot agree on; store a finite number or text`);
        }
        const set = types.get(k) ?? new Set<AttributeColumnType>();
        set.add(typeof v as 'string' | 'number' | 'boolean');
        types.set(k, set);
      }
    }
  }
  const attrColumns = [...types.keys()].sort(compareCodeUnits).map((name) => {
    const t = types.get(name) as Set<AttributeColumnType>;
    const type: AttributeColumnType = t.size === 1 ? ([...t][0] as AttributeColumnType) : 'json';
    return { name, type, header: ATTRIBUTE_COLUMN_PREFIX + name + (type === 'string' ? '' : `:${type}`) };
  });

  const lines: string[] = [formatCsvRecord([...CSV_COLUMNS_BEFORE_ATTRIBUTES, ...attrColumns.map((c) => c.header), ...CSV_COLUMNS_AFTER_ATTRIBUTES])];
  let current: Annotation | undefined;
  const text = (s: string): Cell => {
    refuseLoneSurrogate(s, current);
    return { value: guard ? guardFormula(s) : s, quote: s === '' };
  };
  const plain = (s: string): Cell => ({ value: s, quote: false });
  const optional = (s: string | undefined): Cell => (s === undefined ? plain('') : text(s));
  const ids = new Set<string>();
  for (const d of docs) {
    const index = d.text === undefined ? undefined : new LineIndex(d.text);
    let hash: string | undefined;
    const sorted = [...d.annotations].sort((a, b) => a.target.start - b.target.start || compareCodeUnits(a.id, b.id));
    for (const a of sorted) {
      current = a;
      checkAnnotation(a, d.path);
      assertSpanHolds(a, d.path, d.text, () => (hash ??= contentHash(d.text as string)));
      if (ids.has(a.id)) throw new Error(`cannot export: annotation id ${a.id} appears twice`);
      ids.add(a.id);
      const { start, end, quote } = a.target;
      const inText = index !== undefined && end <= index.text.length;
      const s = inText ? index.position(start) : undefined;
      const e = inText ? index.position(end) : undefined;
      const num = (n: number | undefined): Cell => plain(n === undefined ? '' : String(n));
      const cells: Cell[] = [
        text(a.id),
        text(d.path),
        text(a.kind),
        num(start),
        num(end),
        num(s && s.line + 1),
        num(s && s.character + 1),
        num(e && e.line + 1),
        num(e && e.character + 1),
        text(quote.exact),
        text(quote.prefix),
        text(quote.suffix),
        text(a.note),
        ...attrColumns.map((c) => {
          if (!Object.hasOwn(a.attributes, c.name)) return plain('');
          const v = a.attributes[c.name];
          if (c.type === 'json') return text(JSON.stringify(v));
          if (typeof v === 'string') return text(v);
          return plain(typeof v === 'number' ? portableNumber(v) : String(v));
        }),
        text(a.provenance.author),
        text(a.provenance.created),
        text(a.provenance.modified),
        text(a.provenance.tool),
        text(a.provenance.docHash),
        text(a.anchor.status),
        optional(a.anchor.method),
        optional(a.anchor.detail),
      ];
      lines.push(formatCells(cells));
    }
  }
  return (input.bom ? '\uFEFF' : '') + lines.join('');
}

interface Cell {
  value: string;
  /** Quote even when not needed: an empty string that must not read back as "absent". */
  quote: boolean;
}

function checkAnnotation(a: Annotation, path: string): void {
  const { start, end } = a.target;
  if (toRelPath(a.doc) !== path) throw new Error(`cannot export: annotation ${a.id} belongs to ${a.doc}, not to ${path}`);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new Error(`cannot export: annotation ${a.id} in ${path} has offsets ${start}-${end}; start must be a whole number ≤ end`);
  }
}

/** One RFC 4180 record, CRLF included; fields are quoted only when they must be. */
export function formatCsvRecord(fields: readonly string[]): string {
  return formatCells(fields.map((value) => ({ value, quote: false })));
}

function formatCells(cells: readonly Cell[]): string {
  return cells.map((c) => (c.quote || /[",\r\n]/.test(c.value) ? `"${c.value.replace(/"/g, '""')}"` : c.value)).join(',') + '\r\n';
}

// A formula sign, or a look-alike a spreadsheet may fold to one (full-width ＝ ＋ － ＠, small ﹦ ﹢ ﹣ ﹫, the minus
// sign −), after any white space (spaces, tabs, line breaks, no-break and ideographic spaces, which a spreadsheet may
// trim on entry); or a tab, CR or LF first (each starts a formula, or a new cell, in some importer); or an apostrophe.
/**
 * A CSV file is UTF-8 text, which cannot hold half a character: a lone surrogate (a note saved from a broken editor
 * buffer, an escape in a sidecar) would be written as U+FFFD. The export is refused instead, naming the annotation;
 * the YAML and W3C exports keep it as an escape.
 */
function refuseLoneSurrogate(s: string, a: Annotation | undefined): void {
  const lone = loneSurrogate(s);
  if (lone === undefined) return;
  const code = lone.code.toString(16).toUpperCase();
  throw new ExportRefusedError(
    `cannot export to CSV: annotation ${a?.id ?? '?'} holds a lone surrogate (U+${code}, half of a character) in ${JSON.stringify(s.slice(Math.max(0, lone.index - 20), lone.index))}…, ` +
      `which UTF-8 cannot hold; fix the text (in its sidecar, the escape \\u${code}), or export it as YAML or W3C, which keep it as an escape`,
  );
}

const FORMULA_START = /^(?:\s*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20\uFE66\uFE62\uFE63\uFE6B\u2212]|[\t\r\n'])/;

/** Spreadsheets treat a cell starting with = + - @ (or a look-alike, after white space), tab, CR or LF as a formula;
 *  an apostrophe in front makes it text. A cell already starting with an apostrophe gets one more, so that
 *  unguarding is exact. */
export function guardFormula(s: string): string {
  return FORMULA_START.test(s) ? `'${s}` : s;
}

function unguardFormula(s: string): string {
  return s.startsWith("'") ? s.slice(1) : s;
}

/** JSON's rendering of a number, which JavaScript, Python and spreadsheets all read back to the same value. */
function portableNumber(n: number): string {
  return Object.is(n, -0) ? '0' : String(n);
}

/** Code unit order: the same on every machine, unlike localeCompare. */

// ---------------------------------------------------------------------------------------------------------------
// Reading

/** A field as read: its text, whether it was quoted, and where it starts (1-based line and UTF-16 column). */
export interface CsvField {
  value: string;
  quoted: boolean;
  line: number;
  column: number;
}

/**
 * Splits RFC 4180 text into records (a leading BOM is dropped; rows may end in CRLF, LF or CR; the last row's end
 * is optional). Strict about quotes: a quote inside an unquoted field, text after a closing quote, or a quote that
 * never closes is an ExportFormatError with its line and column.
 */
export function parseCsvRecords(source: string, file: string): CsvField[][] {
  const lines = new LineIndex(source);
  const at = (offset: number): { line: number; column: number } => {
    const p = lines.position(offset);
    return { line: p.line + 1, column: p.character + 1 };
  };
  const fail = (offset: number, reason: string): ExportFormatError => {
    const p = at(offset);
    return new ExportFormatError(file, 'syntax', `not valid CSV: ${reason}; fix the file, or export again`, p.line, p.column);
  };
  const s = source;
  const records: CsvField[][] = [];
  let i = s.charCodeAt(0) === 0xfeff ? 1 : 0;
  if (i >= s.length) return records;
  let record: CsvField[] = [];
  for (;;) {
    const fieldStart = i;
    let value: string;
    let quoted = false;
    if (s[i] === '"') {
      quoted = true;
      value = '';
      i++;
      for (;;) {
        const q = s.indexOf('"', i);
        if (q === -1) throw fail(fieldStart, 'a quoted field is never closed (no ending ")');
        value += s.slice(i, q);
        if (s[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      if (i < s.length && s[i] !== ',' && s[i] !== '\r' && s[i] !== '\n')
        throw fail(i, 'text after the closing quote of a field (a quote inside a field must be doubled: "")');
    } else {
      let j = i;
      while (j < s.length && s[j] !== ',' && s[j] !== '\r' && s[j] !== '\n') j++;
      value = s.slice(i, j);
      const q = value.indexOf('"');
      if (q !== -1) throw fail(i + q, 'a double quote inside an unquoted field (quote the whole field and double the quote: "a ""b"" c")');
      i = j;
    }
    record.push({ value, quoted, ...at(fieldStart) });
    if (s[i] === ',') {
      i++;
      continue;
    }
    records.push(record);
    record = [];
    if (s[i] === '\r' && s[i + 1] === '\n') i += 2;
    else if (i < s.length) i++;
    if (i >= s.length) return records;
  }
}

/** Where a column of the model lives in the CSV, for error messages. */
const SCHEMA_PATH_COLUMNS: Readonly<Record<string, string>> = {
  id: 'id',
  kind: 'kind',
  'quote.exact': 'exact',
  'quote.prefix': 'prefix',
  'quote.suffix': 'suffix',
  'start.offset': 'start_utf16',
  'end.offset': 'end_utf16',
  'start.line': 'start_line',
  'start.column': 'start_column_utf16',
  'end.line': 'end_line',
  'end.column': 'end_column_utf16',
  note: 'note',
  'provenance.author': 'author',
  'provenance.created': 'created',
  'provenance.modified': 'modified',
  'provenance.tool': 'tool',
  'provenance.docHash': 'doc_hash',
  'status.status': 'status',
  'status.method': 'method',
  'status.detail': 'detail',
};

const REQUIRED: readonly FixedColumn[] = [
  'id',
  'document',
  'kind',
  'start_utf16',
  'end_utf16',
  'exact',
  'prefix',
  'suffix',
  'note',
  'author',
  'created',
  'modified',
  'tool',
  'doc_hash',
  'status',
];
const FIXED = new Set<string>([...CSV_COLUMNS_BEFORE_ATTRIBUTES, ...CSV_COLUMNS_AFTER_ATTRIBUTES]);

const HINTS = {
  id: 'a ULID (26 characters: digits and capital letters except I, L, O, U)',
  kind: 'a name of letters, digits, _ and - starting with a letter',
  docHash: '"sha256:" and 64 lower-case hex digits',
  'attributes[]': 'letters, digits, _ and -, starting with a letter or _',
};

/**
 * Reads a CSV written by exportCsv (columns in any order; line/column, method and detail columns may be left out)
 * back into model annotations, grouped by document and sorted. Throws ExportFormatError naming `file`, the line and
 * column of the offending cell, for bad CSV, unknown or missing columns, rows of the wrong length, values that break
 * the export schema (the same checks as the YAML import), unsafe paths, duplicate ids, start after end.
 */
export function parseCsv(source: string, file: string, options: CsvOptions = {}): ExportedDocument[] {
  const guard = options.formulaGuard ?? true;
  const records = parseCsvRecords(source, file);
  const fail = (cell: { line: number; column: number } | undefined, code: YamlFileErrorCode, reason: string): ExportFormatError =>
    new ExportFormatError(file, code, reason, cell?.line, cell?.column);
  if (records.length === 0) throw fail(undefined, 'empty', 'the file is empty; export again, or restore it');
  const header = records[0];
  const col = new Map<string, number>();
  const attrCols: { name: string; type: AttributeColumnType; index: number }[] = [];
  header.forEach((h, i) => {
    const name = h.value;
    if (col.has(name)) throw fail(h, 'schema', `the column ${JSON.stringify(name)} appears twice in the header; keep one`);
    col.set(name, i);
    if (name.startsWith(ATTRIBUTE_COLUMN_PREFIX)) {
      const m = /^attr\.(.+?)(?::(number|boolean|json))?$/.exec(name);
      if (!m)
        throw fail(
          h,
          'schema',
          `the column ${JSON.stringify(name)} names no attribute; attribute columns are attr.<name>, attr.<name>:number, :boolean or :json`,
        );
      attrCols.push({ name: m[1], type: (m[2] ?? 'string') as AttributeColumnType, index: i });
    } else if (!FIXED.has(name)) {
      throw fail(
        h,
        'schema',
        `unknown column ${JSON.stringify(name)} (a typo, or not a Marginalia CSV?); the columns are ${[...FIXED].join(', ')} and attr.<name>`,
      );
    }
  });
  const missing = REQUIRED.filter((c) => !col.has(c));
  if (missing.length > 0) {
    throw fail(
      header[0],
      'schema',
      `not a Marginalia CSV: the header lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; choose a file written by \`marginalia export --format csv\``,
    );
  }
  const attrNames = new Map<string, number>();
  for (const a of attrCols) {
    const prev = attrNames.get(a.name);
    if (prev !== undefined)
      throw fail(header[a.index], 'schema', `attribute ${a.name} has two columns (${header[prev].value} and ${header[a.index].value}); keep one`);
    attrNames.set(a.name, a.index);
  }
  for (const pair of [
    ['start_line', 'start_column_utf16'],
    ['end_line', 'end_column_utf16'],
    ['start_line', 'end_line'],
  ] as const) {
    if (col.has(pair[0]) !== col.has(pair[1]))
      throw fail(
        header[0],
        'schema',
        `the header has ${col.has(pair[0]) ? pair[0] : pair[1]} but not ${col.has(pair[0]) ? pair[1] : pair[0]}; give both or neither`,
      );
  }

  const docs = new Map<string, Annotation[]>();
  const ids = new Map<string, number>();
  for (let r = 1; r < records.length; r++) {
    const row = records[r];
    // A blank line (one empty unquoted field) is skipped: editors leave them at the end.
    if (row.length === 1 && row[0].value === '' && !row[0].quoted) continue;
    if (row.length !== header.length) {
      throw fail(
        row[row.length - 1],
        'schema',
        `row ${r} has ${plural(row.length, 'field')} but the header has ${header.length}; every row needs one field per column`,
      );
    }
    const cell = (name: string): CsvField | undefined => {
      const i = col.get(name);
      return i === undefined ? undefined : row[i];
    };
    const textOf = (name: string): string => {
      const c = cell(name);
      return c === undefined ? '' : guard ? unguardFormula(c.value) : c.value;
    };
    const optionalText = (name: string): string | undefined => {
      const c = cell(name);
      return c === undefined || (c.value === '' && !c.quoted) ? undefined : textOf(name);
    };
    const integer = (name: string, required: boolean): number | undefined => {
      const c = cell(name);
      if (c === undefined || (c.value === '' && !required)) return undefined;
      if (!/^[0-9]+$/.test(c.value) || !Number.isSafeInteger(Number(c.value))) {
        throw fail(c, 'schema', `row ${r}: ${name} must be a whole number ≥ 0, not ${describeValue(c.value)}`);
      }
      return Number(c.value);
    };

    const attributes: Attributes = {};
    for (const a of attrCols) {
      const c = row[a.index];
      if (c.value === '' && !c.quoted) continue;
      const v = attributeValue(a.type, guard && a.type !== 'number' && a.type !== 'boolean' ? unguardFormula(c.value) : c.value);
      if (v === undefined) {
        throw fail(
          c,
          'schema',
          `row ${r}: ${header[a.index].value} must be ${a.type === 'number' ? 'a number written in decimal digits that a number holds exactly' : a.type === 'boolean' ? 'true or false' : 'a JSON text, number or true/false'}, not ${describeValue(c.value)}`,
        );
      }
      Object.defineProperty(attributes, a.name, { value: v, enumerable: true, writable: true, configurable: true });
    }
    const position = (which: 'start' | 'end'): Record<string, number> => {
      const offset = integer(`${which}_utf16`, true) as number;
      const line = integer(`${which}_line`, false);
      const column = integer(`${which}_column_utf16`, false);
      if ((line === undefined) !== (column === undefined)) {
        throw fail(cell(`${which}_line`), 'invalid', `row ${r} gives ${which}_line or ${which}_column_utf16 without the other; give both or neither`);
      }
      return line === undefined || column === undefined ? { offset } : { line, column, offset };
    };
    const status: Record<string, unknown> = { status: textOf('status') };
    const method = optionalText('method');
    const detail = optionalText('detail');
    if (method !== undefined) status.method = method;
    if (detail !== undefined) status.detail = detail;
    const raw = {
      id: textOf('id'),
      kind: textOf('kind'),
      quote: { exact: textOf('exact'), prefix: textOf('prefix'), suffix: textOf('suffix') },
      start: position('start'),
      end: position('end'),
      note: textOf('note'),
      attributes,
      provenance: { author: textOf('author'), created: textOf('created'), modified: textOf('modified'), tool: textOf('tool'), docHash: textOf('doc_hash') },
      status,
    };
    const problem = schemaProblem(validator('exportAnnotation'), raw, HINTS);
    if (problem) {
      const key = problem.path.slice(0, 2).join('.');
      const target =
        problem.path[0] === 'attributes'
          ? (attrNames.get(String(problem.path[1])) ?? 0)
          : (col.get(SCHEMA_PATH_COLUMNS[key] ?? SCHEMA_PATH_COLUMNS[String(problem.path[0])] ?? '') ?? 0);
      const columnName = problem.path[0] === 'attributes' ? (header[target]?.value ?? 'attributes') : (SCHEMA_PATH_COLUMNS[key] ?? String(problem.path[0]));
      const reason = problem.reason.replace(/^\S+/, columnName);
      throw fail(problem.key && problem.path[0] === 'attributes' ? header[target] : row[target], problem.code, `row ${r}: ${reason}`);
    }
    const start = raw.start;
    const end = raw.end;
    if (start.offset > end.offset) throw fail(cell('end_utf16'), 'invalid', `row ${r} ends (offset ${end.offset}) before it starts (offset ${start.offset})`);
    if (start.line !== undefined && end.line !== undefined && start.column !== undefined && end.column !== undefined) {
      if (start.line > end.line || (start.line === end.line && start.column > end.column)) {
        throw fail(
          cell('end_line'),
          'invalid',
          `row ${r} ends (line ${end.line}, column ${end.column}) before it starts (line ${start.line}, column ${start.column})`,
        );
      }
      if (start.line === end.line && end.column - start.column !== end.offset - start.offset) {
        throw fail(
          cell('end_column_utf16'),
          'invalid',
          `row ${r} spans ${plural(end.column - start.column, 'column')} on one line but ${plural(end.offset - start.offset, 'offset')}; the offsets are what counts, correct the columns`,
        );
      }
    }
    const prev = ids.get(raw.id);
    if (prev !== undefined)
      throw fail(cell('id'), 'invalid', `annotation id ${raw.id} is used twice (also in row ${prev}); ids must be unique, remove the copy`);
    ids.set(raw.id, r);
    let doc: string;
    try {
      doc = toRelPath(textOf('document'));
    } catch (e) {
      if (!(e instanceof PathError)) throw e;
      throw fail(
        cell('document'),
        'invalid',
        `row ${r}: the document is not a safe workspace-relative path (${e.message}); use a path relative to the workspace folder, without ".."`,
      );
    }
    const anchor: AnchorState = { status: status.status as AnchorState['status'] };
    if (method !== undefined) anchor.method = method as AnchorState['method'];
    if (detail !== undefined) anchor.detail = detail;
    const list = docs.get(doc) ?? [];
    list.push({
      id: raw.id,
      kind: raw.kind,
      doc,
      target: { start: start.offset, end: end.offset, quote: raw.quote },
      note: raw.note,
      attributes,
      provenance: raw.provenance,
      anchor,
    });
    docs.set(doc, list);
  }
  return [...docs.keys()].sort(compareCodeUnits).map((path) => ({
    path,
    annotations: (docs.get(path) as Annotation[]).sort((a, b) => a.target.start - b.target.start || compareCodeUnits(a.id, b.id)),
  }));
}

function attributeValue(type: AttributeColumnType, s: string): AttributeValue | undefined {
  switch (type) {
    case 'string':
      return s;
    case 'number': {
      // Number('') is 0 and Number(' 1 ') is 1: only a number written as a number counts, and only one a number
      // holds as written (9007199254740993 would become …992).
      return inexactNumberReason(s) === undefined ? Number(s) : undefined;
    }
    case 'boolean':
      // Spreadsheets write TRUE/FALSE when they save.
      return /^true$/i.test(s) ? true : /^false$/i.test(s) ? false : undefined;
    case 'json': {
      try {
        const v: unknown = JSON.parse(s);
        return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)) ? v : undefined;
      } catch {
        return undefined;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Relations: an edge list beside the annotations
//
// The relations of the exported annotations go in a second CSV file beside the first (x.csv → x.relations.csv, see
// csvRelationsPath), one row per relation, RFC 4180 and guarded as above:
//   from, type, to, from_document, to_document, author, created
// `from` and `to` are annotation ids (the `id` column of the annotations file); to_document is empty when the
// annotation it points to is not in the export (another document, or gone). Reading it back puts each relation on
// its `from` annotation, which must be in the annotations file.

export const CSV_RELATION_COLUMNS = ['from', 'type', 'to', 'from_document', 'to_document', 'author', 'created'] as const;

/** Where the relations of the CSV export `file` go: beside it, `.relations.csv` for `.csv` (appended otherwise). */
export function csvRelationsPath(file: string): string {
  return /\.csv$/i.test(file) ? file.replace(/\.csv$/i, '.relations.csv') : `${file}.relations.csv`;
}

/** The relations of `input.documents`' annotations as an edge list: a header row, then one row per relation, sorted
 *  by document path, start offset, start id, type and target id. Deterministic; a header alone when there are none. */
export function exportCsvRelations(input: CsvExportInput): string {
  const guard = input.formulaGuard ?? true;
  const docs = exportDocuments(input.documents);
  const docOf = new Map<string, string>();
  for (const d of docs) for (const a of d.annotations) docOf.set(a.id, d.path);
  const text = (s: string): Cell => {
    refuseLoneSurrogate(s, undefined);
    return { value: guard ? guardFormula(s) : s, quote: s === '' };
  };
  const lines = [formatCsvRecord([...CSV_RELATION_COLUMNS])];
  for (const d of docs) {
    const sorted = [...d.annotations].sort((a, b) => a.target.start - b.target.start || compareCodeUnits(a.id, b.id));
    for (const a of sorted) {
      for (const r of normaliseRelations(a.relations) ?? []) {
        const to = docOf.get(r.to);
        lines.push(
          formatCells([
            text(a.id),
            text(r.type),
            text(r.to),
            text(d.path),
            to === undefined ? { value: '', quote: false } : text(to),
            text(r.author),
            text(r.created),
          ]),
        );
      }
    }
  }
  return (input.bom ? '\uFEFF' : '') + lines.join('');
}

/**
 * Reads an edge list written by exportCsvRelations and puts each relation on its `from` annotation among `docs` (as
 * parseCsv read them from the annotations file). Throws ExportFormatError naming `file`, line and column for bad CSV,
 * missing or unknown columns, a `from` that is not in the annotations file, bad ids, types or dates, a relation of an
 * annotation to itself, and one given twice. Returns `docs` with the relations added.
 */
export function parseCsvRelations(source: string, file: string, docs: ExportedDocument[], options: CsvOptions = {}): ExportedDocument[] {
  const guard = options.formulaGuard ?? true;
  const records = parseCsvRecords(source, file);
  const fail = (cell: { line: number; column: number } | undefined, code: YamlFileErrorCode, reason: string): ExportFormatError =>
    new ExportFormatError(file, code, reason, cell?.line, cell?.column);
  if (records.length === 0) throw fail(undefined, 'empty', 'the relations file is empty; export again, or delete it (it holds the header at least)');
  const header = records[0];
  const col = new Map<string, number>();
  header.forEach((h, i) => {
    if (col.has(h.value)) throw fail(h, 'schema', `the column ${JSON.stringify(h.value)} appears twice in the header; keep one`);
    if (!(CSV_RELATION_COLUMNS as readonly string[]).includes(h.value)) {
      throw fail(h, 'schema', `unknown column ${JSON.stringify(h.value)} in a relations file; its columns are ${CSV_RELATION_COLUMNS.join(', ')}`);
    }
    col.set(h.value, i);
  });
  const missing = ['from', 'type', 'to', 'author', 'created'].filter((c) => !col.has(c));
  if (missing.length > 0) {
    throw fail(
      header[0],
      'schema',
      `not a Marginalia relations CSV: the header lacks ${missing.join(', ')}; choose the .relations.csv file \`marginalia export --format csv --out FILE\` wrote`,
    );
  }
  const byId = new Map<string, Annotation>();
  for (const d of docs) for (const a of d.annotations) byId.set(a.id, a);
  for (let r = 1; r < records.length; r++) {
    const row = records[r];
    if (row.length === 1 && row[0].value === '' && !row[0].quoted) continue;
    if (row.length !== header.length) {
      throw fail(
        row[row.length - 1],
        'schema',
        `row ${r} has ${plural(row.length, 'field')} but the header has ${header.length}; every row needs one field per column`,
      );
    }
    const cell = (name: string): CsvField => row[col.get(name) as number];
    const value = (name: string): string => (guard ? unguardFormula(cell(name).value) : cell(name).value);
    const relation = { type: value('type'), to: value('to'), author: value('author'), created: value('created') };
    const problem = schemaProblem(validator('exportAnnotation'), { ...PLACEHOLDER, relations: [relation] }, HINTS);
    if (problem) {
      const column = problem.path[0] === 'relations' && typeof problem.path[2] === 'string' ? problem.path[2] : 'type';
      throw fail(cell(column), problem.code, `row ${r}: ${problem.reason.replace(/^\S+/, column)}`);
    }
    const from = byId.get(value('from'));
    if (!from) {
      throw fail(
        cell('from'),
        'invalid',
        `row ${r}: ${JSON.stringify(value('from'))} is no annotation of the annotations file; a relation is stored on the annotation it starts from, so import the two files together`,
      );
    }
    if (relation.to === from.id)
      throw fail(cell('to'), 'invalid', `row ${r} links annotation ${from.id} to itself; a relation joins two annotations, remove the row`);
    if ((from.relations ?? []).some((x) => relationKey(x) === relationKey(relation))) {
      throw fail(cell('to'), 'invalid', `row ${r} repeats the relation ${relation.type} from ${from.id} to ${relation.to}; remove the copy`);
    }
    from.relations = normaliseRelations([...(from.relations ?? []), relation]);
  }
  return docs;
}

/** An annotation that passes the schema, to check one relation with the same rules as the YAML import. */
const PLACEHOLDER = {
  id: '00000000000000000000000000',
  kind: 'x',
  quote: { exact: '', prefix: '', suffix: '' },
  start: { offset: 0 },
  end: { offset: 0 },
  note: '',
  attributes: {},
  provenance: { author: '', created: '2000-01-01T00:00:00.000Z', modified: '2000-01-01T00:00:00.000Z', tool: '', docHash: 'sha256:' + '0'.repeat(64) },
  status: { status: 'anchored' },
};
