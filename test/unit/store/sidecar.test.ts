import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import type { Annotation, AttributeValue, ResolveMethod } from '../../../src/core/model';
import { PathError, normaliseRelations } from '../../../src/core/model';
import { isPlainSafe, quoteString } from '../../../src/core/yaml';
import {
  MAX_SIDECAR_BYTES,
  SidecarError,
  docForSidecarPath,
  parseCanonicalSidecar,
  parseSidecar,
  parseSidecarBytes,
  serializeSidecar,
  sidecarPathFor,
  sortAnnotations,
} from '../../../src/core/store';
import { contentHash } from '../../../src/core/model';
import { annotation, type AnnotationSpec } from '../../support/annotations';

const DOC = 'sample/corpus/a.txt';
const FILE = '.marginalia/annotations/sample/corpus/a.txt.yaml';
const HASH = contentHash('the document');
const T = '2026-11-23T10:00:00.000Z';

/** A valid annotation of DOC on [start, end), a quote of x's with some context; ids are increasing unless given. */
function makeAnnotation(start: number, end: number, extra: AnnotationSpec = {}): Annotation {
  return annotation({ doc: DOC, start, end, quote: { prefix: 'before ', suffix: ' after' }, author: 'alice', created: T, docHash: HASH, ...extra });
}

/** Parses `text` as the sidecar FILE and returns the SidecarError it must throw. */
function sidecarError(text: string | Uint8Array, file = FILE): SidecarError {
  try {
    if (typeof text === 'string') parseSidecar(text, file);
    else parseSidecarBytes(text, file);
  } catch (e) {
    assert.ok(e instanceof SidecarError, `expected a SidecarError, got ${String(e)}`);
    assert.equal(e.file, file);
    assert.ok(e.message.startsWith(file), 'the message names the file first');
    return e;
  }
  assert.fail('expected the sidecar to be refused');
}

function lineOf(text: string, needle: string): number {
  const i = text.indexOf(needle);
  assert.ok(i >= 0, `fixture contains ${needle}`);
  return text.slice(0, i).split('\n').length;
}

const GOOD = serializeSidecar(DOC, [
  makeAnnotation(10, 20, { id: '01JD3X5Q7Z8Y9W0V1T2S3R4Q5P', note: 'first' }),
  makeAnnotation(30, 42, { id: '01JD3X5Q7Z8Y9W0V1T2S3R4Q6A', kind: 'figure', attributes: { value: 600000, unit: 'people' } }),
]);

describe('sidecar format', () => {
  it('writes the documented format: header, fixed key order, one line per field, deterministic quoting', () => {
    const a = makeAnnotation(120, 131, {
      id: '01JD3X5Q7Z8Y9W0V1T2S3R4Q5P',
      quote: { exact: 'lost 600,000', prefix: 'Russia has ', suffix: ': officials say' },
      note: 'check "this"\nsecond line',
      attributes: { speaker: 'Vladimir Putin', confidence: 0.8, verified: false, code: '007' },
      anchor: { status: 'reanchored', method: 'diff', detail: 'moved 12 characters' },
    });
    assert.equal(
      serializeSidecar(DOC, [a]),
      [
        '# Marginalia annotations for sample/corpus/a.txt. Offsets are UTF-16 code units. Schema: schemas/sidecar.schema.json',
        'version: 1',
        'document: sample/corpus/a.txt',
        'annotations:',
        '  - id: "01JD3X5Q7Z8Y9W0V1T2S3R4Q5P"',
        '    kind: claim',
        '    note: "check \\"this\\"\\nsecond line"',
        '    attributes:',
        '      code: "007"',
        '      confidence: 0.8',
        '      speaker: Vladimir Putin',
        '      verified: false',
        '    author: alice',
        '    modified: "2026-11-23T10:00:00.000Z"',
        '    tool: marginalia 0.1.0',
        '    exact: lost 600,000',
        '    start: 120',
        '    end: 131',
        '    prefix: "Russia has "',
        '    suffix: ": officials say"',
        `    docHash: ${HASH}`,
        '    status: reanchored',
        '    method: diff',
        '    detail: moved 12 characters',
        '    created: "2026-11-23T10:00:00.000Z"',
        '',
      ].join('\n'),
    );
  });

  it('writes empty attributes and an empty sidecar on one line each', () => {
    const text = serializeSidecar(DOC, [makeAnnotation(0, 1)]);
    assert.match(text, /\n {4}attributes: \{\}\n/);
    assert.doesNotMatch(text, /method:|detail:/, 'method and detail only when present');
    assert.match(serializeSidecar(DOC, []), /\nannotations: \[\]\n$/);
  });

  it('sorts annotations by start, then end, then id, whatever order they come in', () => {
    const a = makeAnnotation(5, 9, { id: '01JD0000000000000000000002' });
    const b = makeAnnotation(5, 9, { id: '01JD0000000000000000000001' });
    const c = makeAnnotation(5, 7);
    const d = makeAnnotation(0, 50);
    const text = serializeSidecar(DOC, [a, b, c, d]);
    assert.equal(text, serializeSidecar(DOC, [d, c, b, a]));
    assert.deepEqual(
      parseSidecar(text, FILE).map((x) => x.id),
      [d.id, c.id, b.id, a.id],
    );
    assert.deepEqual(sortAnnotations([a, b, c, d]), [d, c, b, a]);
  });

  it('has no document-level line that changes when an annotation is added', () => {
    const one = serializeSidecar(DOC, [makeAnnotation(0, 5)]).split('\n');
    const two = serializeSidecar(DOC, [makeAnnotation(0, 5), makeAnnotation(50, 60)]).split('\n');
    assert.deepEqual(two.slice(0, 4), one.slice(0, 4));
  });

  it('quotes exactly the strings that are not safe plain scalars', () => {
    const plain = [
      'claim',
      'Vladimir Putin',
      'sha256:abc',
      'a:b',
      'C# and F#',
      'Président Macron',
      'Путин',
      'said "no"',
      "it's",
      'x - y',
      'a, b [c] {d}',
      'emoji 😀',
    ];
    const quoted = [
      '',
      ' lead',
      'trail ',
      'yes',
      'No',
      'ON',
      'y',
      'null',
      'True',
      '~',
      '123',
      '-1',
      '0x1F',
      '.inf',
      '2026-11-23',
      '12:30',
      'key: value',
      'ends:',
      'a #comment',
      '#tag',
      '- item',
      '? q',
      '@at',
      '`tick`',
      '|',
      '>',
      '&a',
      '*b',
      '!tag',
      '%dir',
      '---',
      '"quoted"',
      "'single'",
      '[x]',
      '{y}',
      'tab\there',
      'line\nbreak',
      'nbsp\u00a0x',
      'zwj\u200dx',
      'bom\ufeff',
      'ls\u2028x',
      '😀 first',
    ];
    for (const s of plain) assert.ok(isPlainSafe(s), `${JSON.stringify(s)} is plain`);
    for (const s of quoted) assert.ok(!isPlainSafe(s), `${JSON.stringify(s)} is quoted`);
    for (const s of [...plain, ...quoted]) assert.deepEqual(parseYaml(`v: ${isPlainSafe(s) ? s : quoteString(s)}\n`), { v: s }, JSON.stringify(s));
  });

  it('escapes control characters, invisible separators and lone surrogates, and keeps emoji', () => {
    assert.equal(quoteString('a\u0000\u0007\t\n\r\u007f\u0085\u2028\ufeff"\\😀\ud800'), '"a\\0\\x07\\t\\n\\r\\x7F\\x85\\u2028\\uFEFF\\"\\\\😀\\uD800"');
    const a = makeAnnotation(0, 3, { note: 'lone \udc00 and \ud83d end' });
    assert.deepEqual(parseSidecar(serializeSidecar(DOC, [a]), FILE, { fastPath: false }), [a]);
  });
});

// Strings that YAML tends to get wrong, mixed with arbitrary ones.
const AWKWARD = [
  'yes',
  'no',
  'No',
  'null',
  'NULL',
  '~',
  'true',
  'False',
  'on',
  'y',
  '123',
  '-0',
  '1e3',
  '0o17',
  '.nan',
  '2026-11-23T10:00:00Z',
  '',
  ' ',
  '  leading',
  'trailing  ',
  '# not a comment',
  'a # b',
  'key: value',
  'a:',
  ':',
  '- x',
  '"',
  "'",
  '\\',
  '\\n',
  '\n',
  '\r\n',
  '\t',
  '---',
  '...',
  '😀',
  'é',
  '\u0085',
  '\u2028',
  '\ufeff',
  '\ud800',
  '<<<<<<< HEAD',
  '=======',
  '>>>>>>> b',
];
const awkwardChar = fc.constantFrom(
  ...'aZ09 :#-?"\'\\\n\r\t{}[],&*!|>%@`~=<'.split(''),
  '😀',
  'é',
  '\u0085',
  '\u2028',
  '\ufeff',
  '\u0000',
  '\u00a0',
  '\ud800',
  '\udfff',
);
const anyString = fc.oneof(
  fc.constantFrom(...AWKWARD),
  fc.string({ unit: awkwardChar, maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 20 }),
);
const ulid = fc.string({ unit: fc.constantFrom(...'0123456789ABCDEFGHJKMNPQRSTVWXYZ'), minLength: 26, maxLength: 26 });
const attributeName = fc
  .oneof(fc.constantFrom('yes', 'null', 'true', 'value', '_x', 'a-b', 'n'), fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_-]{0,8}$/))
  .filter((s) => s !== '__proto__');
const attributeValue: fc.Arbitrary<AttributeValue> = fc.oneof(
  anyString,
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, 1e21, 1e-7, 5e-324, Number.MAX_VALUE, -1.5),
);
const iso = fc.date({ min: new Date('1970-01-01'), max: new Date('2999-12-31'), noInvalidDate: true }).map((d) => d.toISOString());
const annotationArb = fc
  .record({
    id: ulid,
    kind: fc.oneof(fc.constantFrom('claim', 'figure', 'entity', 'yes', 'No'), fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,6}$/)),
    start: fc.nat({ max: 100000 }),
    length: fc.nat({ max: 500 }),
    exact: anyString,
    prefix: anyString,
    suffix: anyString,
    note: anyString,
    attributes: fc.dictionary(attributeName, attributeValue, { maxKeys: 4 }),
    author: anyString,
    created: iso,
    modified: iso,
    tool: anyString,
    status: fc.constantFrom('anchored' as const, 'reanchored' as const, 'orphaned' as const),
    method: fc.option(fc.constantFrom<ResolveMethod>('exact', 'edits', 'diff', 'diff-changed', 'quote', 'fuzzy', 'orphaned'), { nil: undefined }),
    detail: fc.option(anyString, { nil: undefined }),
    relations: fc.option(
      fc.uniqueArray(
        fc.record({
          type: fc.oneof(fc.constantFrom('supports', 'same-as', 'yes', 'No'), fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,6}$/)),
          to: ulid,
          author: anyString,
          created: iso,
        }),
        { selector: (r) => `${r.type} ${r.to}`, minLength: 1, maxLength: 4 },
      ),
      { nil: undefined },
    ),
  })
  .map((r): Annotation => {
    const a = annotation({
      id: r.id,
      kind: r.kind,
      doc: DOC,
      start: r.start,
      end: r.start + r.length,
      quote: { exact: r.exact, prefix: r.prefix, suffix: r.suffix },
      note: r.note,
      // -0 is stored as 0; everything else must come back unchanged.
      attributes: Object.fromEntries(Object.entries(r.attributes).map(([k, v]) => [k, Object.is(v, -0) ? 0 : v])),
      author: r.author,
      created: r.created,
      modified: r.modified,
      tool: r.tool,
      docHash: HASH,
      anchor: { status: r.status, ...(r.method === undefined ? {} : { method: r.method }), ...(r.detail === undefined ? {} : { detail: r.detail }) },
    });
    const relations = r.relations?.filter((x) => x.to !== r.id);
    return relations !== undefined && relations.length > 0 ? { ...a, relations } : a;
  });
const annotationSet = fc.uniqueArray(annotationArb, { selector: (a) => a.id, maxLength: 6 });

/** Deep-equal after sorting attribute keys (parse returns them sorted). */
function normalised(list: Annotation[]): Annotation[] {
  return sortAnnotations(list).map((a) => ({
    ...a,
    ...(a.relations ? { relations: normaliseRelations(a.relations) } : {}),
    attributes: Object.fromEntries(
      Object.keys(a.attributes)
        .sort()
        .map((k) => [k, a.attributes[k]]),
    ),
  }));
}

describe('sidecar round trip (property-based)', () => {
  it('parse(serialize(x)) is x, through both the fast reader and the full YAML parser, and serializing again is byte-identical', () => {
    fc.assert(
      fc.property(annotationSet, (list) => {
        const text = serializeSidecar(DOC, list);
        const fast = parseSidecar(text, FILE);
        const full = parseSidecar(text, FILE, { fastPath: false });
        assert.deepStrictEqual(full, normalised(list));
        assert.deepStrictEqual(fast, full);
        assert.deepStrictEqual(parseCanonicalSidecar(text, FILE), full, 'canonical text takes the fast path');
        assert.equal(serializeSidecar(DOC, fast), text);
        // One line per field: no value spills onto another line.
        const expectedLines =
          4 +
          list.reduce(
            (n, a) =>
              n +
              15 +
              Object.keys(a.attributes).length +
              (a.anchor.method ? 1 : 0) +
              (a.anchor.detail !== undefined ? 1 : 0) +
              (a.relations ? 1 + 4 * a.relations.length : 0),
            0,
          );
        assert.equal(text.split('\n').length - 1, expectedLines);
      }),
      { numRuns: 400 },
    );
  });

  it('the fast reader accepts a text only if it is canonical and the full parser reads the same (mutation fuzz)', () => {
    const mutation = fc.oneof(
      fc.record({
        op: fc.constant('insert' as const),
        at: fc.nat(),
        s: fc.oneof(awkwardChar, fc.constantFrom('\n', '  ', '"', '\\x41', '\\u0041', 'A', '#', ': ')),
      }),
      fc.record({ op: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 4 }) }),
      fc.record({ op: fc.constant('swapLines' as const), at: fc.nat(), n: fc.nat() }),
    );
    let accepted = 0;
    fc.assert(
      fc.property(annotationSet, fc.array(mutation, { minLength: 1, maxLength: 3 }), (list, mutations) => {
        let text = serializeSidecar(DOC, list);
        for (const m of mutations) {
          if (m.op === 'insert') {
            const i = m.at % (text.length + 1);
            text = text.slice(0, i) + m.s + text.slice(i);
          } else if (m.op === 'delete') {
            const i = m.at % (text.length + 1);
            text = text.slice(0, i) + text.slice(i + m.n);
          } else {
            const lines = text.split('\n');
            const i = m.at % lines.length;
            const j = m.n % lines.length;
            [lines[i], lines[j]] = [lines[j], lines[i]];
            text = lines.join('\n');
          }
        }
        let full: Annotation[] | undefined;
        try {
          full = parseSidecar(text, FILE, { fastPath: false });
        } catch (e) {
          assert.ok(e instanceof SidecarError, String(e));
        }
        let fast: Annotation[] | undefined;
        try {
          fast = parseSidecar(text, FILE);
        } catch (e) {
          assert.ok(e instanceof SidecarError, String(e));
        }
        // Both readers agree on every text: same annotations, or both refuse.
        assert.deepStrictEqual(fast, full);
        const canonical = parseCanonicalSidecar(text, FILE);
        if (canonical !== undefined) {
          accepted++;
          assert.equal(serializeSidecar(DOC, canonical), text, 'the fast reader accepts only canonical text');
        } else if (full !== undefined) {
          assert.notEqual(serializeSidecar(DOC, full), text, 'the fast reader accepts every canonical text');
        }
      }),
      { numRuns: 1500 },
    );
    assert.ok(accepted > 0, 'some mutated texts are still canonical');
  });
});

describe('sidecar reading', () => {
  it('reads a hand-edited sidecar: other key order, single quotes, block scalars, comments, CRLF, omitted optional fields', () => {
    const text = [
      '# edited by hand',
      'document: sample/corpus/a.txt',
      'version: 1',
      'annotations:',
      '- kind: entity # a comment',
      "  id: '01JD3X5Q7Z8Y9W0V1T2S3R4Q5P'",
      '  end: 9',
      '  start: 4',
      '  exact: Paris',
      '  note: |',
      '    two',
      '    lines',
      '  attributes: {type: place, canonical: "Paris, France"}',
      '  author: bob',
      '  created: 2026-11-23T10:00:00Z',
      '  modified: 2026-11-23T11:00:00+01:00',
      '  tool: marginalia 0.1.0',
      `  docHash: ${HASH}`,
      '  status: anchored',
      '',
    ].join('\r\n');
    const [a] = parseSidecar(text, FILE);
    assert.deepEqual(a, {
      id: '01JD3X5Q7Z8Y9W0V1T2S3R4Q5P',
      kind: 'entity',
      doc: DOC,
      target: { start: 4, end: 9, quote: { exact: 'Paris', prefix: '', suffix: '' } },
      note: 'two\nlines\n',
      attributes: { canonical: 'Paris, France', type: 'place' },
      provenance: { author: 'bob', created: '2026-11-23T10:00:00Z', modified: '2026-11-23T11:00:00+01:00', tool: 'marginalia 0.1.0', docHash: HASH },
      anchor: { status: 'anchored' },
    });
    const canonical = serializeSidecar(DOC, [a]);
    assert.deepEqual(parseSidecar(canonical, FILE), [a]);
  });

  it('reads a sidecar with a UTF-8 byte order mark', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(GOOD, 'utf8')]);
    assert.equal(parseSidecarBytes(bytes, FILE).length, 2);
  });

  it('maps documents to sidecar paths and back, refusing paths that leave the workspace or enter the store', () => {
    assert.equal(sidecarPathFor('sample/corpus/a.txt'), FILE);
    assert.equal(sidecarPathFor('notes.yaml'), '.marginalia/annotations/notes.yaml.yaml');
    assert.equal(docForSidecarPath(FILE), DOC);
    assert.equal(docForSidecarPath('.marginalia/annotations/notes.yaml.yaml'), 'notes.yaml');
    assert.equal(docForSidecarPath('.marginalia/annotations/.yaml'), undefined);
    assert.equal(docForSidecarPath('.marginalia/annotations/.marginalia/x.yaml'), undefined);
    assert.equal(docForSidecarPath('elsewhere/a.txt.yaml'), undefined);
    for (const bad of ['../a.txt', '/etc/passwd', 'C:/x.txt', 'a/../../b', '.marginalia/codebook.yaml', 'a\\b.txt', './a.txt', 'a//b', '']) {
      assert.throws(() => sidecarPathFor(bad), PathError, bad);
    }
  });
});

describe('broken sidecars', () => {
  it('reports a YAML syntax error with file, line and column', () => {
    const text = GOOD.replace('    kind: figure', '    kind: [figure');
    const e = sidecarError(text);
    assert.equal(e.code, 'syntax');
    assert.ok(e.line !== undefined && e.line >= lineOf(text, 'kind: [figure'), `line ${e.line}`);
    assert.ok(e.column !== undefined && e.column >= 1);
    assert.match(e.message, new RegExp(`^${FILE.replace(/\./g, '\\.')}:\\d+:\\d+: not valid YAML`));
  });

  it('reports unresolved git conflict markers with the line of the first marker', () => {
    const lines = GOOD.split('\n');
    lines.splice(8, 0, '<<<<<<< HEAD', '    exact: mine', '=======', '    exact: theirs', '>>>>>>> feature');
    const e = sidecarError(lines.join('\n'));
    assert.equal(e.code, 'conflict');
    assert.equal(e.line, 9);
    assert.match(e.reason, /^unresolved git merge conflict at line 9; resolve it .*git checkout --ours/);
  });

  it('reports a wrong type at the line and column of the field', () => {
    const text = GOOD.replace('    start: 30', '    start: thirty');
    const e = sidecarError(text);
    assert.equal(e.code, 'schema');
    assert.equal(e.line, lineOf(text, 'start: thirty'));
    assert.equal(e.column, 12);
    assert.match(e.reason, /annotations\[1\]\.start must be a whole number, not text "thirty"/);
    assert.match(e.reason, /restore it from git/);
  });

  it('reports a missing field at its annotation, and an unknown field at its key', () => {
    const missing = GOOD.replace(/ {4}docHash: .*\n/, '');
    const e1 = sidecarError(missing);
    assert.equal(e1.code, 'schema');
    assert.match(e1.reason, /annotations\[0\] is missing the required field "docHash"/);
    assert.equal(e1.line, 5);
    const unknown = GOOD.replace('    note: first', '    notes: first');
    const e2 = sidecarError(unknown);
    assert.match(e2.reason, /unknown field "notes"/);
    assert.equal(e2.line, lineOf(unknown, 'notes: first'));
    assert.equal(e2.column, 5);
  });

  it('names a sidecar written by a newer Marginalia, and an unknown version', () => {
    const e = sidecarError(GOOD.replace('version: 1', 'version: 2'));
    assert.equal(e.code, 'version');
    assert.equal(e.line, 2);
    assert.match(e.reason, /written by a newer Marginalia .*update Marginalia/);
    assert.match(sidecarError(GOOD.replace('version: 1', 'version: 0')).reason, /unknown sidecar format version the number 0/);
    assert.match(sidecarError(GOOD.replace('version: 1', 'version: "1"')).reason, /unknown sidecar format version text "1"/);
  });

  it('refuses duplicate ids, start after end, a document that does not match the path, and bad values', () => {
    const dup = GOOD.replace('01JD3X5Q7Z8Y9W0V1T2S3R4Q6A', '01JD3X5Q7Z8Y9W0V1T2S3R4Q5P');
    const e1 = sidecarError(dup);
    assert.equal(e1.code, 'invalid');
    assert.match(e1.reason, /id 01JD3X5Q7Z8Y9W0V1T2S3R4Q5P is used twice/);
    assert.equal(e1.line, lineOf(dup, '  - id: "01JD3X5Q7Z8Y9W0V1T2S3R4Q5P"\n    kind: figure'), 'points at the second use');
    const backwards = GOOD.replace('    end: 42', '    end: 3');
    const e2 = sidecarError(backwards);
    assert.match(e2.reason, /ends at 3, before its start 30/);
    assert.equal(e2.line, lineOf(backwards, 'end: 3\n'));
    const e3 = sidecarError(GOOD, '.marginalia/annotations/other.txt.yaml');
    assert.match(e3.reason, /document is "sample\/corpus\/a\.txt", but this file's path says it holds the annotations of "other\.txt"/);
    assert.equal(e3.line, 3);
    assert.match(
      sidecarError(GOOD.replace('document: sample/corpus/a.txt', 'document: ../escape.txt'), '.marginalia/x.yaml').reason,
      /workspace-relative path/,
    );
    assert.match(sidecarError(GOOD.replace('"01JD3X5Q7Z8Y9W0V1T2S3R4Q5P"', 'not-a-ulid')).reason, /id must be a ULID/);
    assert.match(sidecarError(GOOD.replace('    start: 10', '    start: -1')).reason, /start must be at least 0/);
    assert.match(sidecarError(GOOD.replace('    start: 10', '    start: 1.5')).reason, /start must be a whole number/);
    assert.match(sidecarError(GOOD.replace('status: anchored', 'status: lost')).reason, /status must be one of "anchored", "reanchored", "orphaned"/);
    assert.match(sidecarError(GOOD.replace(/created: "[^"]*"/, 'created: yesterday')).reason, /created must be an ISO 8601 date/);
    assert.match(
      sidecarError(GOOD.replace('unit: people', 'unit: .inf')).reason,
      /attributes\.unit must be text or a number or true or false, not the number Infinity/,
    );
    assert.match(sidecarError(GOOD.replace('unit: people', 'unit: [a, b]')).reason, /attributes\.unit must be text or a number or true or false, not a list/);
    const proto = sidecarError(GOOD.replace('unit: people', '__proto__: people'));
    assert.match(proto.reason, /field named "__proto__", which is not allowed/);
    assert.equal(proto.line, lineOf(GOOD, 'unit: people'));
  });

  it('refuses YAML that a data file never needs: tags, duplicate keys, several documents, non-mappings, empty files', () => {
    for (const tag of ['!!js/function "function () {}"', '!custom x', '!!str plain', '!!binary aGVsbG8=']) {
      const text = GOOD.replace('note: first', `note: ${tag}`);
      const e = sidecarError(text);
      assert.equal(e.code, 'tag', tag);
      assert.equal(e.line, lineOf(text, 'note: !'));
      assert.match(e.reason, /tags such as !.* are not allowed/);
    }
    const dupKey = GOOD.replace('    note: first', '    note: first\n    note: again');
    const e1 = sidecarError(dupKey);
    assert.equal(e1.code, 'syntax');
    assert.match(e1.reason, /unique/);
    assert.equal(e1.line, lineOf(dupKey, 'note: again'));
    assert.equal(sidecarError(GOOD + '---\nversion: 1\n').code, 'syntax');
    assert.equal(sidecarError('- 1\n- 2\n').code, 'schema');
    assert.equal(sidecarError('').code, 'empty');
    assert.equal(sidecarError('# only a comment\n').code, 'empty');
  });

  it('refuses an alias bomb without expanding it', () => {
    const bomb = [
      'version: 1',
      'document: sample/corpus/a.txt',
      'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
      'annotations: [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
      '',
    ].join('\n');
    const e = sidecarError(bomb);
    assert.equal(e.code, 'alias');
    assert.match(e.reason, /too many YAML aliases/);
    assert.equal(e.line, 4);
  });

  it('refuses an oversized sidecar and one that is not UTF-8, saying so', () => {
    const big = new Uint8Array(MAX_SIDECAR_BYTES + 1).fill(0x20);
    const e = sidecarError(big);
    assert.equal(e.code, 'too-large');
    assert.match(e.reason, /is 20\.0 MB, over the 20\.0 MB limit/);
    const latin1 = Buffer.from(GOOD.replace('note: first', 'note: caf\u00e9'), 'latin1');
    assert.equal(sidecarError(latin1).code, 'encoding');
  });
});

describe('sidecar writing', () => {
  it('refuses annotations that would not load back', () => {
    const ok = makeAnnotation(0, 4);
    assert.throws(() => serializeSidecar(DOC, [{ ...ok, id: 'nope' }]), /annotation nope: annotations\[0\]\.id must be a ULID/);
    assert.throws(() => serializeSidecar(DOC, [{ ...ok, target: { ...ok.target, start: 9 } }]), /ends at 4, before its start 9/);
    assert.throws(() => serializeSidecar(DOC, [ok, ok]), /used twice/);
    assert.throws(() => serializeSidecar(DOC, [{ ...ok, doc: 'other.txt' }]), /belongs to other\.txt/);
    assert.throws(() => serializeSidecar(DOC, [{ ...ok, attributes: { n: Number.NaN } }]), /attributes\.n must be text or a number/);
    assert.throws(() => serializeSidecar(DOC, [{ ...ok, kind: 'two words' }]), /kind must be a kind name/);
    assert.throws(() => serializeSidecar('../x.txt', []), PathError);
  });
});
