import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { TOOL_ID } from '../../../src/constants';
import { contentHash } from '../../../src/core/model';
import { ExportFormatError, exportYaml, parseExportYaml, writeExportYaml, type ExportInputDocument } from '../../../src/core/formats';
import { GENERATED, P000, P001, P002, PCRLF, PGONE, ROOT, T0, T1, annotate, corpus } from '../../fixtures/formats/sampleCorpus';

const P004 = 'sample/corpus/004_93f4aeba23e3ae0c.txt';
const PEMOJI = 'notes/emoji.md';

const EMOJI_TEXT = '---\ntitle: Emoji 😀 test\n---\n😀😀 Sberbank 👍🏽 invests.\nLine two.\n';

/** A corpus export fixture: sample documents, a CRLF copy, an emoji document and a deleted document. */
function buildCorpus(): ExportInputDocument[] {
  const t000 = corpus('000_66ca398fea36cc01.txt');
  const t001 = corpus('001_7b613edff552618b.txt');
  const t002 = corpus('002_4d4efb0aba07dc3f.txt');
  const t004 = corpus('004_93f4aeba23e3ae0c.txt');
  const crlf = t000.replace(/\n/g, '\r\n');
  const goneText = 'Putin said the alliance will counter the United States.\n';
  return [
    {
      path: P000,
      text: t000,
      annotations: [
        annotate(P000, t000, 'billions of dollars', 'figure', { attributes: { value: 1e9, unit: 'USD', approx: true }, note: 'Order of magnitude only.' }),
        annotate(P000, t000, 'Lin Zhijia', 'entity', { attributes: { type: 'person' } }),
        annotate(P000, t000, 'Vladimir Putin', 'entity', { attributes: { type: 'person' }, occurrence: 1 }),
        // A passage across a line break: the quote keeps the \n.
        annotate(P000, t000, 'Ukraine war and Western sanctions.\n\nImage Source', 'claim', {
          attributes: { stance: 'obstacle', confidence: 0.8 },
          note: 'Two obstacles named.\nSecond line of the note.\n',
        }),
      ],
    },
    {
      path: P001,
      text: t001,
      annotations: [
        annotate(P001, t001, 'Sberbank', 'entity', { attributes: { type: 'organisation' } }),
        annotate(P001, t001, 'Putin mandated government agencies', 'claim', {
          attributes: { speaker: 'Putin', verified: false },
          anchor: { status: 'reanchored', method: 'diff', detail: 'moved 120 characters' },
        }),
      ],
    },
    { path: P002, text: t002, annotations: [annotate(P002, t002, 'generative AI and large language models', 'claim')] },
    { path: P004, text: t004, annotations: [] },
    {
      path: PCRLF,
      text: crlf,
      annotations: [
        annotate(PCRLF, crlf, 'Lin Zhijia', 'entity', { attributes: { type: 'person' } }),
        annotate(PCRLF, crlf, 'Ma Jinman', 'entity', { attributes: { type: 'person' } }),
        annotate(PCRLF, crlf, 'Editor: Ma Jinman\r\nCurrently', 'claim'),
      ],
    },
    {
      path: PEMOJI,
      text: EMOJI_TEXT,
      annotations: [
        annotate(PEMOJI, EMOJI_TEXT, 'Sberbank', 'entity', { attributes: { type: 'organisation', mood: '👍🏽' }, note: 'Emoji 😀 in a note' }),
        annotate(PEMOJI, EMOJI_TEXT, 'invests', 'claim'),
      ],
    },
    {
      path: PGONE,
      text: undefined,
      annotations: [
        annotate(PGONE, goneText, 'counter the United States', 'claim', {
          anchor: { status: 'orphaned', method: 'orphaned', detail: 'document missing' },
        }),
      ],
    },
  ];
}

interface ExportPos {
  line?: number;
  column?: number;
  offset: number;
}
interface ExportAnn {
  id: string;
  kind: string;
  quote: { exact: string; prefix: string; suffix: string };
  start: ExportPos;
  end: ExportPos;
  status: { status: string; method?: string; detail?: string };
  attributes: Record<string, unknown>;
}
interface ExportDoc {
  path: string;
  hash: string | null;
  metadata: Record<string, string> | null;
  annotations: ExportAnn[];
}

function plainExport(yamlText: string): { documents: ExportDoc[] } & Record<string, unknown> {
  return parseYaml(yamlText) as { documents: ExportDoc[] } & Record<string, unknown>;
}

/** 1-based line and UTF-16 column of an offset, computed independently of LineIndex. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - (before.lastIndexOf('\n') + 1) + 1 };
}

function byDoc(plain: { documents: ExportDoc[] }, p: string): ExportDoc {
  const d = plain.documents.find((x) => x.path === p);
  assert.ok(d, `document ${p} in the export`);
  return d;
}

describe('YAML export', () => {
  it('writes the documented format for a small document', () => {
    const text = 'Author: Ann\nRussia plans 11.2 trillion roubles.\n';
    const a = annotate('tiny.txt', text, '11.2 trillion roubles', 'figure', {
      id: '01JD0000000000000000000001',
      note: 'yes',
      attributes: { value: 11.2, unit: 'trillion roubles' },
    });
    const out = exportYaml({ documents: [{ path: 'tiny.txt', text, annotations: [a] }], generated: GENERATED, tool: 'marginalia 0.1.0' });
    const hash = contentHash(text);
    assert.equal(
      out,
      [
        '# Marginalia export. Offsets are UTF-16 code units; lines and columns are 1-based (columns count UTF-16 code units).',
        '# end is exclusive (one past the last character). Format: schemas/export.schema.json (JSON Schema draft-07).',
        '',
        'format: marginalia-export',
        'version: 1',
        'offsetUnit: utf-16',
        'generated: "2026-11-23T10:00:00.000Z"',
        'tool: marginalia 0.1.0',
        'documents:',
        '  - path: tiny.txt',
        `    hash: ${hash}`,
        '    metadata:',
        '      Author: Ann',
        '    annotations:',
        '      - id: "01JD0000000000000000000001"',
        '        kind: figure',
        '        quote:',
        '          exact: "11.2 trillion roubles"',
        '          prefix: "Author: Ann\\nRussia plans "',
        '          suffix: ".\\n"',
        '        start:',
        '          line: 2',
        '          column: 14',
        '          offset: 25',
        '        end:',
        '          line: 2',
        '          column: 35',
        '          offset: 46',
        '        note: "yes"',
        '        attributes:',
        '          unit: trillion roubles',
        '          value: 11.2',
        '        provenance:',
        '          author: Ann Analyst',
        `          created: "${T0}"`,
        `          modified: "${T1}"`,
        `          tool: ${TOOL_ID}`,
        `          docHash: ${hash}`,
        '        status:',
        '          status: anchored',
        '',
      ].join('\n'),
    );
  });

  it('exports the sample corpus: documents by path, annotations by offset, header metadata, hashes', () => {
    const input = buildCorpus();
    const plain = plainExport(exportYaml({ documents: input, generated: GENERATED }));
    assert.equal(plain.format, 'marginalia-export');
    assert.equal(plain.version, 1);
    assert.equal(plain.offsetUnit, 'utf-16');
    assert.equal(plain.generated, GENERATED.toISOString());
    assert.equal(plain.tool, TOOL_ID);
    const paths = plain.documents.map((d) => d.path);
    assert.deepEqual(paths, [PEMOJI, P000, P001, P002, P004, PGONE, PCRLF]);
    assert.deepEqual(byDoc(plain, P000).metadata, { 'Article Source': 'TMTPOST', Author: 'Lin Zhijia', Editor: 'Ma Jinman' });
    assert.deepEqual(byDoc(plain, P001).metadata, { 'Credited from': 'SCMP' });
    assert.deepEqual(byDoc(plain, P002).metadata, {});
    assert.deepEqual(byDoc(plain, PCRLF).metadata, { 'Article Source': 'TMTPOST', Author: 'Lin Zhijia', Editor: 'Ma Jinman' });
    assert.deepEqual(byDoc(plain, PEMOJI).metadata, { title: 'Emoji 😀 test' });
    assert.deepEqual(byDoc(plain, P004).annotations, []);
    for (const d of input) {
      const out = byDoc(plain, d.path);
      assert.equal(out.hash, d.text === undefined ? null : contentHash(d.text));
      const offsets = out.annotations.map((a) => [a.start.offset, a.id]);
      assert.deepEqual(
        offsets,
        [...offsets].sort((x, y) => Number(x[0]) - Number(y[0]) || String(x[1]).localeCompare(String(y[1]))),
      );
      for (const a of out.annotations) {
        const src = d.annotations.find((x) => x.id === a.id);
        assert.ok(src);
        assert.equal(a.kind, src.kind);
        assert.deepEqual(a.quote, src.target.quote);
        assert.deepEqual(a.attributes, src.attributes);
        if (d.text === undefined) continue;
        assert.equal(d.text.slice(a.start.offset, a.end.offset), a.quote.exact, 'offsets select the quote');
        assert.deepEqual({ line: a.start.line, column: a.start.column }, lineColumn(d.text, a.start.offset));
        assert.deepEqual({ line: a.end.line, column: a.end.column }, lineColumn(d.text, a.end.offset));
      }
    }
  });

  it('gives CRLF documents lines and columns as editors show them: \\r belongs to the line end', () => {
    const plain = plainExport(exportYaml({ documents: buildCorpus(), generated: GENERATED }));
    const find = (exact: string): ExportAnn => {
      const a = byDoc(plain, PCRLF).annotations.find((x) => x.quote.exact === exact);
      assert.ok(a, exact);
      return a;
    };
    const lin = find('Lin Zhijia');
    const ma = find('Ma Jinman');
    const editor = find('Editor: Ma Jinman\r\nCurrently');
    // "Article Source: TMTPOST\r\n" is 25 code units; "Author: " is 8.
    assert.deepEqual(lin.start, { line: 2, column: 9, offset: 33 });
    assert.deepEqual(lin.end, { line: 2, column: 19, offset: 43 });
    // "Ma Jinman" ends the line: its end is the \r, one past the last letter.
    assert.deepEqual(ma.end, { line: 3, column: 18, offset: 62 });
    assert.deepEqual(editor.start, { line: 3, column: 1, offset: 45 });
    assert.deepEqual(editor.end, { line: 4, column: 10, offset: 73 });
    assert.equal(editor.quote.exact, 'Editor: Ma Jinman\r\nCurrently');
  });

  it('counts columns in UTF-16 code units around emoji', () => {
    const out = exportYaml({ documents: buildCorpus(), generated: GENERATED });
    const [sber, invests] = byDoc(plainExport(out), PEMOJI).annotations;
    // Line 4 starts at offset 29 (the front matter's "😀" is 2 code units); "😀😀 " is 5 code units, "👍🏽 " another 5.
    assert.deepEqual(sber.start, { line: 4, column: 6, offset: 34 });
    assert.deepEqual(invests.start, { line: 4, column: 20, offset: 48 });
    assert.match(out, /mood: 👍🏽\n/, 'emoji are written as they are, not escaped');
  });

  it('writes multi-line notes as block scalars and CRLF quotes with escapes', () => {
    const out = exportYaml({ documents: buildCorpus(), generated: GENERATED });
    assert.ok(out.includes('        note: |\n          Two obstacles named.\n          Second line of the note.\n'));
    assert.ok(out.includes('          exact: "Editor: Ma Jinman\\r\\nCurrently"\n'));
    assert.ok(!/^.{0,}[ \t]$/m.test(out), 'no line ends in whitespace');
  });

  it('exports a missing document with null hash and metadata, and offsets without lines', () => {
    const plain = plainExport(exportYaml({ documents: buildCorpus(), generated: GENERATED }));
    const gone = byDoc(plain, PGONE);
    assert.equal(gone.hash, null);
    assert.equal(gone.metadata, null);
    assert.equal(gone.annotations.length, 1);
    assert.deepEqual(gone.annotations[0].start, { offset: 29 });
    assert.deepEqual(gone.annotations[0].status, { status: 'orphaned', method: 'orphaned', detail: 'document missing' });
    const back = parseExportYaml(exportYaml({ documents: buildCorpus(), generated: GENERATED }), 'x.yaml').find((d) => d.path === PGONE);
    assert.ok(back);
    assert.equal(back.hash, undefined);
    assert.equal(back.metadata, undefined);
  });

  it('leaves out lines and columns when an orphan’s offsets lie beyond the current text', () => {
    const text = 'Short now.\n';
    const a = annotate('a.txt', 'Short now.\n' + 'x'.repeat(50) + 'gone passage', 'gone passage', 'claim');
    const plain = plainExport(exportYaml({ documents: [{ path: 'a.txt', text, annotations: [a] }], generated: GENERATED }));
    assert.deepEqual(plain.documents[0].annotations[0].start, { offset: 61 });
    assert.deepEqual(plain.documents[0].annotations[0].end, { offset: 73 });
  });

  it('is deterministic: the order of documents, annotations and attribute keys in the input does not matter', () => {
    const input = buildCorpus();
    const a = exportYaml({ documents: input, generated: GENERATED });
    const shuffled = [...input].reverse().map((d) => ({
      ...d,
      annotations: [...d.annotations].reverse().map((x) => ({ ...x, attributes: Object.fromEntries(Object.entries(x.attributes).reverse()) })),
    }));
    assert.equal(exportYaml({ documents: shuffled, generated: GENERATED }), a);
  });

  it('writes the same text in pieces, reading each text in its turn (writeExportYaml)', async () => {
    const input = buildCorpus();
    const whole = exportYaml({ documents: input, generated: GENERATED });
    const chunks: string[] = [];
    const read: string[] = [];
    const texts = new Map(input.map((d) => [d.path, d.text]));
    await writeExportYaml(
      {
        documents: [...input].reverse().map((d) => ({ path: d.path, annotations: d.annotations })),
        generated: GENERATED,
        readText: (p) => {
          read.push(p);
          return Promise.resolve(texts.get(p));
        },
      },
      (chunk) => void chunks.push(chunk),
    );
    assert.equal(chunks.join(''), whole);
    assert.deepEqual(read, [...texts.keys()].sort(), 'each text read once, in the order of the export');
    const empty: string[] = [];
    await writeExportYaml({ documents: [], generated: GENERATED, readText: () => Promise.resolve(undefined) }, (c) => void empty.push(c));
    assert.equal(empty.join(''), exportYaml({ documents: [], generated: GENERATED }));
  });

  it('round-trips: export → parse → export is byte-identical and gives back the same annotations', () => {
    const input = buildCorpus();
    const first = exportYaml({ documents: input, generated: GENERATED });
    const parsed = parseExportYaml(first, 'export.yaml');
    const texts = new Map(input.map((d) => [d.path, d.text]));
    const again = exportYaml({
      documents: parsed.map((d) => ({ path: d.path, text: texts.get(d.path), annotations: d.annotations })),
      generated: GENERATED,
    });
    assert.equal(again, first);
    for (const d of input) {
      const back = parsed.find((x) => x.path === d.path);
      assert.ok(back);
      const sorted = [...d.annotations].sort((x, y) => x.target.start - y.target.start);
      assert.deepEqual(back.annotations, sorted);
      if (d.text !== undefined) assert.equal(back.hash, contentHash(d.text));
    }
  });

  it('round-trips awkward values: numbers YAML 1.1 and JSON disagree on, quotes, backslashes, controls', () => {
    const text = 'A figure: 11.2 trillion.\n';
    const a = annotate('a.txt', text, '11.2 trillion', 'figure', {
      note: '\\ "quoted" \'single\' # not a comment\n  indented\n\ttab\u2028separator\u0085nel\x7fdel\u0000nul',
      attributes: {
        big: 1e21,
        tiny: 1e-7,
        negZero: -0,
        int: 9007199254740991,
        yes: 'yes',
        off: 'Off',
        tilde: '~',
        date: '2026-11-23',
        octal: '0o17',
        exp: '1e3',
      },
    });
    const out = exportYaml({ documents: [{ path: 'a.txt', text, annotations: [a] }], generated: GENERATED });
    assert.match(out, /big: 1\.0e\+21\n/);
    assert.match(out, /tiny: 1\.0e-7\n/);
    const back = parseExportYaml(out, 'a.yaml')[0].annotations[0];
    assert.equal(back.note, a.note);
    assert.deepEqual(back.attributes, { ...a.attributes, negZero: 0 });
  });

  it('refuses to export what could not be imported again', () => {
    const text = 'Some text here.\n';
    const a = annotate('a.txt', text, 'text', 'claim');
    assert.throws(() => exportYaml({ documents: [{ path: 'b.txt', text, annotations: [a] }] }), /belongs to a\.txt, not to b\.txt/);
    assert.throws(
      () => exportYaml({ documents: [{ path: 'a.txt', text, annotations: [{ ...a, target: { ...a.target, start: 9, end: 3 } }] }] }),
      /offsets 9-3/,
    );
    assert.throws(() => exportYaml({ documents: [{ path: 'a.txt', text, annotations: [{ ...a, attributes: { v: NaN } }] }] }), /attribute v = NaN/);
    assert.throws(
      () =>
        exportYaml({
          documents: [
            { path: 'a.txt', text, annotations: [] },
            { path: './a.txt', text, annotations: [] },
          ],
        }),
      /listed twice/,
    );
    assert.throws(() => exportYaml({ documents: [{ path: '../a.txt', text, annotations: [] }] }), /leaves the workspace/);
  });

  it('validates against schemas/export.schema.json (draft-07) with an independent ajv', () => {
    const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas/export.schema.json'), 'utf8'));
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    addFormats(ajv);
    assert.equal(ajv.validateSchema(schema), true, JSON.stringify(ajv.errors));
    const validate = ajv.compile(schema);
    const plain = plainExport(exportYaml({ documents: buildCorpus(), generated: GENERATED }));
    assert.equal(validate(plain), true, JSON.stringify(validate.errors, null, 2));
    const empty = plainExport(exportYaml({ documents: [], generated: GENERATED }));
    assert.equal(validate(empty), true, JSON.stringify(validate.errors));
  });
});

describe('YAML export import errors', () => {
  const text = 'Author: Ann\nRussia plans 11.2 trillion roubles.\nPutin spoke.\n';
  const a1 = annotate('doc.txt', text, '11.2 trillion roubles', 'figure', { id: '01JD0000000000000000000001', attributes: { value: 11.2 } });
  const a2 = annotate('doc.txt', text, 'Putin', 'entity', { id: '01JD0000000000000000000002', attributes: { type: 'person' } });
  const good = exportYaml({ documents: [{ path: 'doc.txt', text, annotations: [a1, a2] }], generated: GENERATED });

  /** 1-based line of the first line of `s` containing `needle`. */
  function lineOf(s: string, needle: string, from = 0): number {
    const i = s.indexOf(needle, from);
    assert.ok(i >= 0, `fixture: ${needle} in the export`);
    return s.slice(0, i).split('\n').length;
  }
  function replaceOnce(s: string, from: string, to: string): string {
    assert.ok(s.includes(from), `fixture: ${from} in the export`);
    return s.replace(from, to);
  }
  function expectError(source: string, line: number, message: RegExp, code?: string): ExportFormatError {
    let caught: unknown;
    try {
      parseExportYaml(source, 'exports/bad.yaml');
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof ExportFormatError, `expected ExportFormatError, got ${String(caught)}`);
    assert.equal(caught.file, 'exports/bad.yaml');
    assert.equal(caught.line, line, caught.message);
    assert.ok(caught.column >= 1);
    assert.match(caught.message, /^exports\/bad\.yaml:\d+:\d+: /);
    assert.match(caught.message, message);
    if (code) assert.equal(caught.code, code);
    return caught;
  }

  it('reads the unmodified fixture (so each failure below is caused by its one change)', () => {
    assert.equal(parseExportYaml(good, 'exports/good.yaml')[0].annotations.length, 2);
  });
  it('not YAML', () => {
    expectError(good.replace('version: 1', 'version: [1, 2'), lineOf(good, 'offsetUnit'), /not valid YAML/, 'syntax');
  });
  it('not YAML: text with a tab indent', () => {
    expectError('format: marginalia-export\n\tversion: 1\n', 2, /not valid YAML/, 'syntax');
  });
  it('an empty file', () => {
    expectError('', 1, /empty/, 'empty');
  });
  it('a YAML list instead of an export', () => {
    expectError('- a\n- b\n', 1, /not a Marginalia export.*a list/);
  });
  it('wrong format name', () => {
    const bad = replaceOnce(good, 'format: marginalia-export', 'format: hypothesis-export');
    expectError(bad, lineOf(bad, 'format:'), /not a Marginalia export: it has format text "hypothesis-export"/);
  });
  it('no format field', () => {
    const bad = replaceOnce(good, 'format: marginalia-export\n', '');
    expectError(bad, lineOf(bad, 'version:'), /has no "format" field/);
  });
  it('newer version', () => {
    const bad = replaceOnce(good, 'version: 1', 'version: 2');
    expectError(bad, lineOf(bad, 'version:'), /version 2 by a newer Marginalia.*Update Marginalia/, 'version');
  });
  it('version 0 or as text', () => {
    expectError(replaceOnce(good, 'version: 1', 'version: 0'), lineOf(good, 'version:'), /version must be 1/, 'schema');
    expectError(replaceOnce(good, 'version: 1', 'version: "1"'), lineOf(good, 'version:'), /version must be a whole number, not text "1"/);
  });
  it('missing field', () => {
    const bad = replaceOnce(good, '        kind: figure\n', '');
    expectError(
      bad,
      lineOf(bad, '- id: "01JD0000000000000000000001"'),
      /documents\[0\]\.annotations\[0\] is missing the required field "kind".*export again/,
      'schema',
    );
  });
  it('unknown field', () => {
    const bad = replaceOnce(good, '        kind: figure\n', '        kind: figure\n        colour: red\n');
    expectError(bad, lineOf(bad, 'colour:'), /unknown field "colour"/);
  });
  it('wrong type of value', () => {
    const bad = replaceOnce(good, '          offset: 25', '          offset: twenty-five');
    expectError(bad, lineOf(bad, 'twenty-five'), /start\.offset must be a whole number/);
  });
  it('hostile path ../x', () => {
    const bad = replaceOnce(good, 'path: doc.txt', 'path: ../x.txt');
    expectError(bad, lineOf(bad, 'path:'), /not a safe workspace-relative path \(path leaves the workspace folder/, 'invalid');
  });
  it('hostile path hidden inside: a/../../x', () => {
    const bad = replaceOnce(good, 'path: doc.txt', 'path: a/../../x.txt');
    expectError(bad, lineOf(bad, 'path:'), /not a safe workspace-relative path/);
  });
  it('absolute path', () => {
    const bad = replaceOnce(good, 'path: doc.txt', 'path: /etc/passwd');
    expectError(bad, lineOf(bad, 'path:'), /absolute path not allowed/, 'invalid');
    expectError(replaceOnce(good, 'path: doc.txt', 'path: C:/Users/x.txt'), lineOf(bad, 'path:'), /absolute path not allowed/);
  });
  it('the same document twice', () => {
    const docBlock = good.slice(good.indexOf('  - path: doc.txt'));
    const bad = good + docBlock.replace(/01JD000000000000000000000([12])/g, '01JD000000000000000000001$1');
    expectError(bad, lineOf(bad, 'path: doc.txt', good.length - 1), /document doc\.txt appears twice/, 'invalid');
  });
  it('duplicate annotation id', () => {
    const bad = replaceOnce(good, '01JD0000000000000000000002', '01JD0000000000000000000001');
    expectError(bad, lineOf(bad, '01JD0000000000000000000001', good.indexOf('kind: entity') - 80), /id 01JD0000000000000000000001 is used twice/, 'invalid');
  });
  it('start after end', () => {
    const bad = replaceOnce(good, '          offset: 25', '          offset: 60');
    expectError(bad, lineOf(bad, 'end:'), /ends \(offset 46\) before it starts \(offset 60\)/, 'invalid');
  });
  it('columns that contradict the offsets', () => {
    const bad = replaceOnce(good, '          column: 35', '          column: 30');
    expectError(bad, lineOf(bad, 'end:'), /spans 16 columns on one line but 21 offsets/, 'invalid');
  });
  it('line without column', () => {
    const bad = replaceOnce(good, '          column: 35\n', '');
    expectError(bad, lineOf(bad, 'end:') + 1, /end must have property column when property line is present/);
  });
  it('a hash but no metadata', () => {
    const bad = replaceOnce(good, '    metadata:\n      Author: Ann\n', '    metadata: null\n');
    expectError(bad, lineOf(bad, 'metadata:'), /has a hash but no metadata/, 'invalid');
  });
  it('bad timestamp', () => {
    const bad = replaceOnce(good, `created: "${T0}"`, 'created: "last tuesday"');
    expectError(bad, lineOf(bad, 'created:'), /created must be an ISO 8601 date and time/);
  });
  it('custom tag', () => {
    const bad = replaceOnce(good, '        note: ""', '        note: !!python/object/apply:os.system ["echo hi"]');
    expectError(bad, lineOf(bad, 'note:'), /tags such as !!python\/object\/apply:os\.system are not allowed/, 'tag');
  });
  it('alias bomb', () => {
    const bomb = ['x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i < 9; i++)
      bomb.push(
        `x${i}: &a${i} [${Array(9)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    const bad = good + bomb.join('\n') + '\n';
    expectError(bad, lineOf(bad, '*a0'), /too many YAML aliases/, 'alias');
  });
  it('several YAML documents in one file', () => {
    const bad = good + '---\nformat: marginalia-export\n';
    expectError(bad, lineOf(bad, '---'), /not valid YAML/, 'syntax');
  });
  it('git conflict markers', () => {
    const bad = replaceOnce(good, '        note: ""\n', '<<<<<<< HEAD\n        note: ""\n=======\n        note: "x"\n>>>>>>> other\n');
    expectError(bad, lineOf(bad, '<<<<<<<'), /merge conflict/, 'conflict');
  });
  it('accepts CRLF line ends and a BOM, as editors on Windows save them', () => {
    const crlf = '\ufeff' + good.replace(/\n/g, '\r\n');
    assert.deepEqual(parseExportYaml(crlf, 'a.yaml'), parseExportYaml(good, 'a.yaml'));
  });
});
