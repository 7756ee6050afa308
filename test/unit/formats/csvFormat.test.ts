import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as fc from 'fast-check';
import {
  CSV_COLUMNS_AFTER_ATTRIBUTES,
  CSV_COLUMNS_BEFORE_ATTRIBUTES,
  exportCsv,
  formatCsvRecord,
  guardFormula,
  parseCsv,
  parseCsvRecords,
} from '../../../src/core/formats';
import type { Annotation } from '../../../src/core/model';
import { contentHash } from '../../../src/core/model';
import { ExportFormatError, ExportRefusedError } from '../../../src/core/formats';
import { GENERATED, P000, P002, PCRLF, PGONE, annotate, buildCorpus } from '../../fixtures/formats/sampleCorpus';
import { annotation, ulid } from '../../support/annotations';

function sorted(list: readonly Annotation[]): Annotation[] {
  return [...list].sort((a, b) => (a.doc < b.doc ? -1 : a.doc > b.doc ? 1 : a.target.start - b.target.start || (a.id < b.id ? -1 : 1)));
}

/** Rows as arrays of values (our own reader). */
function rows(csv: string): string[][] {
  return parseCsvRecords(csv, 'x.csv').map((r) => r.map((f) => f.value));
}

/** Reads CSV text with Python's csv module (an independent RFC 4180 reader); null for an empty field. */
function readWithPython(csv: string): string[][] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'marginalia-csv-'));
  try {
    const file = path.join(dir, 'export.csv');
    fs.writeFileSync(file, csv, 'utf8');
    const script =
      'import csv, json, sys\nwith open(sys.argv[1], newline="", encoding="utf-8-sig") as f:\n    print(json.dumps(list(csv.reader(f, strict=True))))';
    const r = spawnSync('python3', ['-c', script, file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    assert.equal(r.status, 0, `python3 csv could not read the export (python3 is needed for this cross-check):\n${r.stderr}`);
    return JSON.parse(r.stdout) as string[][];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('CSV export', () => {
  it('writes the documented format for a small document', () => {
    const text = 'Author: Ann\nRussia plans 11.2 trillion roubles, "mostly".\n';
    const a = annotate('dir/tiny.txt', text, '11.2 trillion roubles, "mostly"', 'figure', {
      id: '01JD0000000000000000000001',
      note: 'line one\nline two',
      attributes: { value: 11.2, unit: 'trillion roubles', approx: true },
    });
    const out = exportCsv({ documents: [{ path: 'dir/tiny.txt', text, annotations: [a] }], generated: GENERATED });
    assert.equal(
      out,
      'id,document,kind,start_utf16,end_utf16,start_line,start_column_utf16,end_line,end_column_utf16,exact,prefix,suffix,note,' +
        'attr.approx:boolean,attr.unit,attr.value:number,author,created,modified,tool,doc_hash,status,method,detail\r\n' +
        `01JD0000000000000000000001,dir/tiny.txt,figure,25,56,2,14,2,45,"11.2 trillion roubles, ""mostly""","Author: Ann\nRussia plans ",".\n","line one\nline two",` +
        `true,trillion roubles,11.2,Ann Analyst,2026-11-20T09:30:00.000Z,2026-11-22T17:05:12.345Z,marginalia 0.1.0,${contentHash(text)},anchored,,\r\n`,
    );
  });

  it('has one column per attribute name, sorted, typed in the header when not text', () => {
    const out = exportCsv({ documents: buildCorpus(), generated: GENERATED });
    const header = rows(out)[0];
    assert.deepEqual(header, [
      ...CSV_COLUMNS_BEFORE_ATTRIBUTES,
      'attr.approx:boolean',
      'attr.canonical',
      'attr.confidence:number',
      'attr.date',
      'attr.scope',
      'attr.speaker',
      'attr.stance',
      'attr.type',
      'attr.unit',
      'attr.value:number',
      'attr.verified:boolean',
      ...CSV_COLUMNS_AFTER_ATTRIBUTES,
    ]);
    const mixed = annotate('m.txt', 'a b c', 'b', 'claim', { attributes: { x: 5 } });
    const mixed2 = annotate('m.txt', 'a b c', 'c', 'claim', { attributes: { x: '5' } });
    const m = exportCsv({ documents: [{ path: 'm.txt', text: 'a b c', annotations: [mixed, mixed2] }] });
    assert.ok(rows(m)[0].includes('attr.x:json'));
    assert.deepEqual(
      rows(m)
        .slice(1)
        .map((r) => r[rows(m)[0].indexOf('attr.x:json')]),
      ['5', '"5"'],
      'one name holding a number and a text: JSON literals keep them apart',
    );
    assert.deepEqual(
      parseCsv(m, 'm.csv')[0].annotations.map((a) => a.attributes.x),
      [5, '5'],
    );
  });

  it('follows RFC 4180: CRLF after every row, quotes doubled, only fields with , " CR or LF quoted', () => {
    const out = exportCsv({ documents: buildCorpus(), generated: GENERATED });
    assert.ok(out.endsWith('\r\n'));
    // Outside quoted fields, every line break is CRLF.
    const unquoted = out.replace(/"(?:[^"]|"")*"/g, '');
    assert.equal(unquoted.replace(/\r\n/g, '').search(/[\r\n]/), -1);
    const records = parseCsvRecords(out, 'x.csv');
    for (const r of records) {
      for (const f of r) {
        if (/[",\r\n]/.test(f.value)) assert.ok(f.quoted, `${JSON.stringify(f.value)} must be quoted`);
        else if (f.quoted) assert.equal(f.value, '', `${JSON.stringify(f.value)} is quoted without need; only an empty text is (to tell it from absent)`);
      }
    }
    const crlfRow = rows(out).find((r) => r[1] === PCRLF && r[2] === 'claim');
    assert.equal(crlfRow?.[9], 'Editor: Ma Jinman\r\nCurrently, Russia', 'a CRLF inside a quote survives');
    assert.equal(formatCsvRecord(['a', 'b,c', 'd"e', 'f\rg', 'h\ni', '']), 'a,"b,c","d""e","f\rg","h\ni",\r\n');
  });

  it('is read identically by Python’s csv module (an independent RFC 4180 reader)', () => {
    const out = exportCsv({ documents: buildCorpus(), generated: GENERATED, bom: true });
    assert.ok(out.startsWith('\uFEFF'));
    assert.deepEqual(readWithPython(out), rows(out));
  });

  it('gives CRLF documents lines and columns as editors show them, offsets in UTF-16', () => {
    const docs = buildCorpus();
    const out = rows(exportCsv({ documents: docs, generated: GENERATED }));
    const h = out[0];
    const crlf = docs.find((d) => d.path === PCRLF);
    assert.ok(crlf?.text);
    for (const a of crlf.annotations) {
      const r = out.find((x) => x[0] === a.id);
      assert.ok(r);
      const before: string = (crlf.text as string).slice(0, a.target.start);
      assert.equal(Number(r[h.indexOf('start_line')]), before.split('\n').length);
      assert.equal(Number(r[h.indexOf('start_column_utf16')]), a.target.start - (before.lastIndexOf('\n') + 1) + 1);
      assert.equal(Number(r[h.indexOf('start_utf16')]), a.target.start);
    }
    const gone = out.find((x) => x[1] === PGONE);
    assert.deepEqual([gone?.[5], gone?.[6], gone?.[7], gone?.[8]], ['', '', '', ''], 'a missing document has offsets but no lines');
  });

  it('refuses a lone surrogate (half a character, which UTF-8 cannot hold) naming the annotation, instead of writing U+FFFD', () => {
    for (const where of ['note', 'attribute', 'author'] as const) {
      const a = annotate(
        's.txt',
        'a b',
        'b',
        'claim',
        where === 'note' ? { note: 'half \ud83d here' } : where === 'attribute' ? { attributes: { speaker: 'x\ude00' } } : { author: '\ud83dAnn' },
      );
      assert.throws(
        () => exportCsv({ documents: [{ path: 's.txt', text: 'a b', annotations: [a] }] }),
        (e: unknown) =>
          e instanceof ExportRefusedError &&
          e.message.startsWith(`cannot export to CSV: annotation ${a.id} holds a lone surrogate (U+D`) &&
          /export it as YAML or W3C/.test(e.message),
        where,
      );
    }
    const pair = annotate('s.txt', 'a b', 'b', 'claim', { note: 'a whole 😀 emoji' });
    assert.equal(parseCsv(exportCsv({ documents: [{ path: 's.txt', text: 'a b', annotations: [pair] }] }), 's.csv')[0].annotations[0].note, 'a whole 😀 emoji');
  });

  it('guards formula look-alikes (＝ ﹦ ＋ － ＠ and small forms, U+2212) and = + - @ after a space, tab, CR or LF, and reads each back exactly', () => {
    for (const s of [
      '\uFF1D1+1',
      '\uFE66cmd',
      '\uFF0B1',
      '\uFF0D1',
      '\uFF20SUM(A1)',
      '\uFE62x',
      '\uFE63x',
      '\uFE6Bx',
      '\u22121',
      ' =1',
      '  +1',
      ' -1',
      ' @x',
      '\t=1',
      '\r=1',
      '\n=1',
      '\nx',
      '\u00A0=1',
      '\u3000=1',
    ]) {
      assert.equal(guardFormula(s), `'${s}`, JSON.stringify(s));
      const a = annotate('g.txt', 'a b', 'b', 'claim', { note: s });
      const csv = exportCsv({ documents: [{ path: 'g.txt', text: 'a b', annotations: [a] }] });
      assert.equal(parseCsv(csv, 'g.csv')[0].annotations[0].note, s, `${JSON.stringify(s)} reads back exactly`);
    }
    for (const s of ['plain', 'a=1', 'x +1', '', '1-2', 'ab\n=1']) assert.equal(guardFormula(s), s, JSON.stringify(s));
  });

  it('guards against formula injection by default, and reads the guard back off', () => {
    const docs = buildCorpus();
    const out = exportCsv({ documents: docs, generated: GENERATED });
    const r = rows(out).find((x) => x[1] === P002);
    assert.equal(r?.[12], `'=cmd|"/c calc"!A1`);
    assert.equal(guardFormula("'quoted"), "''quoted");
    for (const s of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx', "'x", 'plain', '', ' =1']) {
      assert.equal(guardFormula(s).slice(guardFormula(s).length - s.length), s);
    }
    const open = exportCsv({ documents: docs, generated: GENERATED, formulaGuard: false });
    assert.equal(rows(open).find((x) => x[1] === P002)?.[12], `=cmd|"/c calc"!A1`);
    assert.deepEqual(sorted(parseCsv(open, 'x.csv', { formulaGuard: false }).flatMap((d) => d.annotations)), sorted(docs.flatMap((d) => d.annotations)));
    // Numbers are not guarded: a spreadsheet reads -5 as a number, not a formula.
    const neg = annotate('n.txt', 'a b', 'b', 'figure', { attributes: { value: -5 } });
    assert.ok(exportCsv({ documents: [{ path: 'n.txt', text: 'a b', annotations: [neg] }] }).includes(',-5,'));
  });

  it('keeps an empty-text attribute apart from an absent one (a quoted empty field)', () => {
    const out = exportCsv({ documents: buildCorpus(), generated: GENERATED });
    assert.ok(out.includes(',"",'), 'unit: "" is written as ""');
    const back = parseCsv(out, 'x.csv').flatMap((d) => d.annotations);
    const withEmpty = back.find((a) => a.attributes.unit === '');
    assert.ok(withEmpty);
    assert.equal(Object.hasOwn(withEmpty.attributes, 'canonical'), false);
  });

  it('round-trips: export → parse → export is byte-identical and gives back the same annotations', () => {
    const docs = buildCorpus();
    const first = exportCsv({ documents: docs, generated: GENERATED });
    const back = parseCsv(first, 'x.csv');
    assert.deepEqual(sorted(back.flatMap((d) => d.annotations)), sorted(docs.flatMap((d) => d.annotations)));
    const texts = new Map(docs.map((d) => [d.path, d.text]));
    assert.equal(
      exportCsv({ documents: back.map((d) => ({ path: d.path, text: texts.get(d.path), annotations: d.annotations })), generated: GENERATED }),
      first,
    );
  });

  it('round-trips any text in quotes, notes and attributes (property test)', () => {
    const token = fc.constantFrom(
      ',',
      '"',
      '""',
      '\r',
      '\n',
      '\r\n',
      "'",
      '=',
      '+',
      '-',
      '@',
      '\t',
      ' ',
      'a',
      'Word',
      '😀',
      '\uFEFF',
      '\u2028',
      'é',
      '1.5',
      'true',
      '',
    );
    const text = fc.oneof(
      fc.array(token, { maxLength: 8 }).map((t) => t.join('')),
      fc.string({ maxLength: 12 }),
    );
    const value = fc.oneof(text, fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.integer());
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            exact: text,
            note: text,
            author: text,
            detail: fc.option(text, { nil: undefined }),
            attrs: fc.dictionary(fc.constantFrom('a', 'b', '_c'), value, { maxKeys: 3 }),
          }),
          { minLength: 1, maxLength: 5 },
        ),
        fc.boolean(),
        (specs, guard) => {
          const doc = 'p/d.txt';
          const annotations: Annotation[] = specs.map((s, i) =>
            annotation({
              id: ulid(i + 1),
              doc,
              start: i,
              end: i + 1,
              quote: { exact: s.exact, prefix: s.note, suffix: s.author },
              note: s.note,
              attributes: s.attrs,
              author: s.author,
              tool: s.exact,
              docHash: 'sha256:' + 'a'.repeat(64),
              anchor: s.detail === undefined ? { status: 'anchored' } : { status: 'reanchored', method: 'quote', detail: s.detail },
            }),
          );
          const out = exportCsv({ documents: [{ path: doc, text: undefined, annotations }], formulaGuard: guard });
          const back = parseCsv(out, 'x.csv', { formulaGuard: guard });
          assert.deepEqual(
            back[0].annotations,
            annotations.map((a) => ({ ...a, attributes: Object.fromEntries(Object.entries(a.attributes).map(([k, v]) => [k, Object.is(v, -0) ? 0 : v])) })),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('RFC 4180 records round-trip through format and parse (property test)', () => {
    const field = fc.oneof(
      fc.string({ maxLength: 10 }),
      fc.array(fc.constantFrom(',', '"', '\r', '\n', 'x', ' ', '😀'), { maxLength: 6 }).map((t) => t.join('')),
    );
    fc.assert(
      fc.property(fc.array(fc.array(field, { minLength: 1, maxLength: 5 }), { maxLength: 6 }), (records) => {
        const csv = records.map(formatCsvRecord).join('');
        assert.deepEqual(rows(csv), records);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses to export what could not be imported again', () => {
    const a = annotate('d.txt', 'x y', 'y', 'claim');
    assert.throws(() => exportCsv({ documents: [{ path: 'd.txt', text: 'x y', annotations: [{ ...a, attributes: { n: NaN } }] }] }), /finite/);
    assert.throws(() => exportCsv({ documents: [{ path: 'd.txt', text: 'x y', annotations: [{ ...a, doc: 'e.txt' }] }] }), /belongs to/);
  });
});

describe('CSV import', () => {
  const text = 'Author: Ann\nRussia plans 11.2 trillion roubles.\nPutin spoke.\n';
  const a1 = annotate('doc.txt', text, '11.2 trillion roubles', 'figure', { id: '01JD0000000000000000000001', attributes: { value: 11.2, approx: true } });
  const a2 = annotate('doc.txt', text, 'Putin', 'entity', { id: '01JD0000000000000000000002', attributes: { type: 'person' } });
  const good = exportCsv({ documents: [{ path: 'doc.txt', text, annotations: [a1, a2] }], generated: GENERATED });
  const header = good.slice(0, good.indexOf('\r\n')).split(',');

  // The fixture's quoted cells hold LF line breaks but no commas or CRLFs: logical rows split on CRLF, cells on ",".
  function cellEdit(row: number, column: string, value: string): string {
    const lines = good.split('\r\n');
    const cells = lines[row].split(',');
    const i = header.indexOf(column);
    assert.ok(i >= 0, `fixture: column ${column}`);
    cells[i] = value;
    lines[row] = cells.join(',');
    return lines.join('\r\n');
  }
  /** Physical 1-based line and column where the cell of `column` in logical row `row` of the fixture starts. */
  function cellAt(row: number, column: string): { line: number; column: number } {
    const lines = good.split('\r\n');
    const i = header.indexOf(column);
    const offset =
      lines.slice(0, row).reduce((n, l) => n + l.length + 2, 0) +
      lines[row]
        .split(',')
        .slice(0, i)
        .reduce((n, c) => n + c.length + 1, 0);
    const before = good.slice(0, offset);
    return { line: before.split('\n').length, column: offset - (before.lastIndexOf('\n') + 1) + 1 };
  }
  function expectError(source: string, at: { line: number; column?: number }, message: RegExp, code?: string): ExportFormatError {
    let caught: unknown;
    try {
      parseCsv(source, 'exports/bad.csv');
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof ExportFormatError, `expected ExportFormatError, got ${String(caught)}`);
    assert.equal(caught.file, 'exports/bad.csv');
    assert.equal(caught.line, at.line, caught.message);
    if (at.column !== undefined) assert.equal(caught.column, at.column, caught.message);
    assert.match(caught.message, /^exports\/bad\.csv:\d+:\d+: /);
    assert.match(caught.message, message);
    if (code) assert.equal(caught.code, code);
    return caught;
  }
  const shift = (p: { line: number; column: number }, by: number): { line: number; column: number } => ({ line: p.line, column: p.column + by });

  it('reads the unmodified fixture (so each failure below is caused by its one change)', () => {
    assert.deepEqual(parseCsv(good, 'exports/good.csv'), [{ path: 'doc.txt', annotations: [a1, a2] }]);
  });
  it('reads what a spreadsheet saves: LF rows, TRUE/FALSE, columns reordered, optional columns dropped, a BOM', () => {
    const table = rows(good);
    const keep = table[0]
      .map((_, i) => i)
      .filter((i) => !['start_line', 'start_column_utf16', 'end_line', 'end_column_utf16', 'method', 'detail'].includes(table[0][i]));
    const reordered = [...keep].reverse();
    const saved = '\uFEFF' + table.map((r) => formatCsvRecord(reordered.map((i) => (r[i] === 'true' ? 'TRUE' : r[i]))).replace(/\r\n$/, '\n')).join('') + '\n';
    assert.deepEqual(parseCsv(saved, 'saved.csv'), [{ path: 'doc.txt', annotations: [a1, a2] }]);
  });
  it('not CSV: a stray quote, text after a closing quote, an unclosed quote', () => {
    expectError(cellEdit(1, 'note', 'a "b"'), shift(cellAt(1, 'note'), 2), /double quote inside an unquoted field/, 'syntax');
    expectError(cellEdit(1, 'note', '"a"b'), shift(cellAt(1, 'note'), 3), /text after the closing quote/, 'syntax');
    expectError(cellEdit(2, 'note', '"never closed'), cellAt(2, 'note'), /never closed/, 'syntax');
  });
  it('an empty file, an unknown column, missing columns, a duplicate column', () => {
    expectError('', { line: 1, column: 1 }, /empty/, 'empty');
    expectError(good.replace('attr.type', 'attr.type,bogus'), { line: 1, column: good.indexOf('attr.type') + 11 }, /unknown column "bogus"/, 'schema');
    expectError('id,kind\r\n', { line: 1, column: 1 }, /lacks the columns document, start_utf16/, 'schema');
    expectError(good.replace('attr.type,', 'attr.type,attr.type,'), { line: 1, column: good.indexOf('attr.type') + 11 }, /"attr.type" appears twice/, 'schema');
  });
  it('a row of the wrong length', () => {
    const lines = good.split('\r\n');
    lines[2] += ',extra';
    expectError(lines.join('\r\n'), { line: cellAt(2, 'detail').line }, /row 2 has \d+ fields but the header has \d+/, 'schema');
  });
  it('bad values, pointed at their cell: id, kind, offset, number, boolean, status, timestamp, hash', () => {
    expectError(cellEdit(1, 'id', 'not-a-ulid'), cellAt(1, 'id'), /row 1: id must be a ULID/, 'schema');
    expectError(cellEdit(2, 'kind', 'two words'), cellAt(2, 'kind'), /row 2: kind must be a name/, 'schema');
    expectError(cellEdit(1, 'start_utf16', '-3'), cellAt(1, 'start_utf16'), /start_utf16 must be a whole number/, 'schema');
    expectError(cellEdit(1, 'attr.value:number', 'about 11'), cellAt(1, 'attr.value:number'), /attr\.value:number must be a number/, 'schema');
    expectError(cellEdit(1, 'attr.approx:boolean', 'yes'), cellAt(1, 'attr.approx:boolean'), /must be true or false/, 'schema');
    expectError(cellEdit(1, 'status', 'lost'), cellAt(1, 'status'), /status must be one of "anchored", "reanchored", "orphaned"/, 'schema');
    expectError(cellEdit(1, 'created', 'yesterday'), cellAt(1, 'created'), /created must be an ISO 8601/, 'schema');
    expectError(cellEdit(1, 'doc_hash', 'md5:1'), cellAt(1, 'doc_hash'), /doc_hash must be "sha256:"/, 'schema');
    expectError(
      good.replace('attr.type', 'attr.two words'),
      { line: 1, column: good.indexOf('attr.type') + 1 },
      /attr\.two words has a field named "two words", which is not allowed/,
      'schema',
    );
  });
  it('semantics: unsafe path, duplicate id, start after end, columns contradicting offsets', () => {
    expectError(cellEdit(1, 'document', '../outside.txt'), cellAt(1, 'document'), /not a safe workspace-relative path/, 'invalid');
    expectError(cellEdit(2, 'id', '01JD0000000000000000000001'), cellAt(2, 'id'), /used twice \(also in row 1\)/, 'invalid');
    expectError(cellEdit(1, 'end_utf16', '3'), cellAt(1, 'end_utf16'), /ends \(offset 3\) before it starts/, 'invalid');
    expectError(cellEdit(1, 'end_column_utf16', '40'), cellAt(1, 'end_column_utf16'), /spans \d+ columns on one line but 21 offsets/, 'invalid');
    expectError(cellEdit(1, 'end_line', ''), cellAt(1, 'end_line'), /end_line or end_column_utf16 without the other/, 'invalid');
  });
  it('groups rows by document, sorted', () => {
    const docs = buildCorpus();
    const back = parseCsv(exportCsv({ documents: [...docs].reverse(), generated: GENERATED }), 'x.csv');
    assert.deepEqual(
      back.map((d) => d.path),
      docs
        .filter((d) => d.annotations.length > 0)
        .map((d) => d.path)
        .sort(),
    );
    assert.ok(back.some((d) => d.path === P000));
  });
});
