// The streamed reading of a YAML export (YamlExportSource) against the whole-file reader (parseExportYaml): the same
// documents on generated exports read in chunks of any size, on hand-edited ones, on layouts only the whole reader
// splits, and the same errors at the same lines; and the streamed import (planImportStream, applyImportStream)
// against planImport and applyImport on a store.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { parse as parseYaml, stringify } from 'yaml';
import { contentHash, type Annotation, type Attributes } from '../../../src/core/model';
import {
  ImportError,
  YamlExportSource,
  applyImport,
  applyImportStream,
  exportYaml,
  parseExportYaml,
  planImport,
  planImportStream,
  summariseImport,
  type ExportBlock,
  type ExportInputDocument,
  type ExportedDocument,
} from '../../../src/core/formats';
import { AnnotationStore } from '../../../src/core/store';
import { MemoryFs } from '../../support/memoryFs';
import { annotation, ulid } from '../../support/annotations';

const GENERATED = new Date('2026-11-23T10:00:00.000Z');

/** The text cut into pieces at the given places (each a fraction of the length). */
function chunked(text: string, cuts: readonly number[]): () => AsyncIterable<string> {
  const at = [...new Set(cuts.map((c) => Math.floor(c * text.length)))].sort((a, b) => a - b);
  return async function* () {
    let from = 0;
    for (const c of at) {
      yield text.slice(from, c);
      from = c;
    }
    yield text.slice(from);
  };
}

async function streamed(source: YamlExportSource): Promise<{ docs: ExportedDocument[]; blocks: ExportBlock[] }> {
  const docs: ExportedDocument[] = [];
  const blocks: ExportBlock[] = [];
  await source.forEach(
    async (b) => {
      docs.push(b.read());
      blocks.push(b);
    },
    () => {
      docs.length = 0;
      blocks.length = 0;
    },
  );
  return { docs, blocks };
}

async function streamedError(text: string, file: string): Promise<Error> {
  try {
    await streamed(new YamlExportSource(chunked(text, [0.3, 0.7]), file));
  } catch (e) {
    return e as Error;
  }
  assert.fail('the streamed reader accepted it');
}

function wholeError(text: string, file: string): Error {
  try {
    parseExportYaml(text, file);
  } catch (e) {
    return e as Error;
  }
  assert.fail('the whole-file reader accepted it');
}

// ---------------------------------------------------------------------------------------------------------------
// Generated exports

/** Strings with what the writer must quote, escape or write as a block: line breaks, trailing spaces, quotes,
 *  YAML indicators, look-alikes of numbers and booleans, controls, astral characters and lone surrogates. */
const awkward = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc
    .array(
      fc.constantFrom(
        'a',
        ' ',
        '\n',
        '\t',
        '"',
        "'",
        '#',
        ': ',
        '- ',
        '|',
        '>',
        '\\',
        '😀',
        '\r',
        '\u2028',
        '\x85',
        '\ud800',
        '\x00',
        'é',
        '0x1',
        '1e3',
        'yes',
        '~',
        '---',
        '%',
        '&a',
        '*a',
        '!!str',
      ),
      {
        maxLength: 30,
      },
    )
    .map((parts) => parts.join('')),
  fc.constantFrom('', ' ', '\n', 'null', 'true', '2026-11-23', '1_000', '.5', '-', '?', 'a\n\n', 'a\n', ' a\nb ', 'x'.repeat(60) + '\n' + 'y'.repeat(60)),
);

const attributeValue: fc.Arbitrary<string | number | boolean> = fc.oneof(
  awkward,
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(1e21, 1e-7, -0, 9007199254740991, 0.1),
);

const attributes: fc.Arbitrary<Attributes> = fc.dictionary(
  fc.oneof(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_-]{0,8}$/), fc.constantFrom('prefix', 'suffix', 'true', 'null', 'y')),
  attributeValue,
  { maxKeys: 4 },
);

interface GenDoc {
  path: string;
  text: string | undefined;
  spans: { start: number; end: number; note: string; attributes: Attributes; kind: string; status: number; relate: boolean }[];
}

const document: fc.Arbitrary<GenDoc> = fc
  .record({
    name: fc.stringMatching(/^[a-z0-9 _éü-]{1,12}$/),
    text: fc.option(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }), { freq: 5 }),
    spans: fc.array(
      fc.record({
        a: fc.nat(),
        b: fc.nat(),
        note: awkward,
        attributes,
        kind: fc.constantFrom('claim', 'figure', 'entity', 'quote-1'),
        status: fc.nat(2),
        relate: fc.boolean(),
      }),
      { maxLength: 6 },
    ),
  })
  .map(({ name, text, spans }) => ({
    path: `docs/${name}.txt`,
    text: text ?? undefined,
    spans: spans.map((s) => {
      const len = text?.length ?? 50;
      const x = s.a % (len + 1);
      const y = s.b % (len + 1);
      return { ...s, start: Math.min(x, y), end: Math.max(x, y) };
    }),
  }));

let serial = 0;
/** Export input from generated documents: unique paths and ids, spans that do not split surrogate pairs. */
function exportInput(docs: readonly GenDoc[]): ExportInputDocument[] {
  const seen = new Set<string>();
  const out: ExportInputDocument[] = [];
  const ids: string[] = [];
  for (const d of docs) {
    if (seen.has(d.path)) continue;
    seen.add(d.path);
    const annotations: Annotation[] = [];
    for (const s of d.spans) {
      let { start, end } = s;
      const text = d.text;
      if (text !== undefined) {
        const low = (i: number): boolean => i > 0 && i < text.length && /[\udc00-\udfff]/.test(text[i]) && /[\ud800-\udbff]/.test(text[i - 1]);
        if (low(start)) start--;
        if (low(end)) end++;
      }
      const id = ulid(++serial);
      const anchor: Annotation['anchor'] =
        s.status === 0
          ? { status: 'anchored' }
          : s.status === 1
            ? { status: 'reanchored', method: 'diff', detail: s.note.slice(0, 20) }
            : { status: 'orphaned', method: 'orphaned' };
      const a = annotation({ id, doc: d.path, text, start, end, note: s.note, attributes: s.attributes, kind: s.kind, anchor });
      if (text === undefined) a.target.quote = { exact: s.note.slice(0, 10), prefix: s.note.slice(0, 3), suffix: '\n' };
      if (s.relate && ids.length > 0) a.relations = [{ type: 'supports', to: ids[ids.length - 1], author: 'tester', created: '2026-11-21T00:00:00.000Z' }];
      ids.push(id);
      annotations.push(a);
    }
    out.push({ path: d.path, text: d.text, annotations });
  }
  return out;
}

describe('YAML export, streamed import', () => {
  it('reads generated exports, cut into chunks anywhere, exactly as the whole-file reader does, line by line', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(document, { minLength: 0, maxLength: 5 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
        async (docs, cuts) => {
          const text = exportYaml({ documents: exportInput(docs), generated: GENERATED });
          const whole = parseExportYaml(text, 'export.yaml');
          const { docs: read, blocks } = await streamed(new YamlExportSource(chunked(text, cuts), 'export.yaml'));
          assert.deepEqual(read, whole);
          // The writer's own form never needs the general parser.
          assert.deepEqual(
            blocks.map((b) => b.form),
            blocks.map(() => 'canonical'),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads hand-edited exports (re-indented, flow style, comments, CRLF, a BOM) as the whole-file reader does', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(document, { minLength: 1, maxLength: 4 }),
        fc.constantFrom('indent4', 'flow', 'comments', 'crlf', 'cr', 'bom', 'unindented'),
        async (docs, edit) => {
          const canonical = exportYaml({ documents: exportInput(docs), generated: GENERATED });
          let text = canonical;
          if (edit === 'indent4') text = stringify(parseYaml(canonical), { indent: 4 });
          if (edit === 'unindented') text = stringify(parseYaml(canonical), { indentSeq: false });
          if (edit === 'flow') text = stringify(parseYaml(canonical), { collectionStyle: 'flow' });
          if (edit === 'comments') text = canonical.replace(/\n {2}- path:/g, '\n# a document\n  - path:').replace(/\n( +)note:/g, '\n$1# the note\n$1note:');
          if (edit === 'crlf') text = canonical.replace(/\n/g, '\r\n');
          if (edit === 'cr') text = canonical.replace(/\n/g, '\r');
          if (edit === 'bom') text = '\uFEFF' + canonical;
          const whole = parseExportYaml(text.replace(/^\uFEFF/, ''), 'edited.yaml');
          const { docs: read } = await streamed(new YamlExportSource(chunked(text, [0.5]), 'edited.yaml'));
          assert.deepEqual(read, whole);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('reads an edited document with the general parser and the rest line by line; a layout it cannot split is read whole', async () => {
    const input = exportInput([
      { path: 'a.txt', text: 'Alpha beta gamma.\n', spans: [{ start: 0, end: 5, note: 'n', attributes: { x: 1 }, kind: 'claim', status: 0, relate: false }] },
      { path: 'b.txt', text: 'Delta epsilon.\n', spans: [{ start: 6, end: 13, note: '', attributes: {}, kind: 'claim', status: 0, relate: false }] },
      { path: 'c.txt', text: 'Zeta eta.\n', spans: [{ start: 0, end: 4, note: 'z', attributes: {}, kind: 'figure', status: 0, relate: false }] },
    ]);
    const canonical = exportYaml({ documents: input, generated: GENERATED });
    // The note of b.txt as a folded scalar, with an alias for its kind: YAML the writer never writes.
    const edited = canonical.replace(/( {6}- id: \S+\n {8}kind: claim\n)((?:.*\n)*? {8}note: )""/, '$1$2>-\n          edited\n          by hand');
    assert.notEqual(edited, canonical);
    const { docs, blocks } = await streamed(new YamlExportSource(chunked(edited, []), 'e.yaml'));
    assert.deepEqual(docs, parseExportYaml(edited, 'e.yaml'));
    assert.equal(docs[1].annotations[0].note, 'edited by hand');
    assert.deepEqual(
      blocks.map((b) => b.form),
      ['canonical', 'general', 'canonical'],
    );
    // A key after the documents: the streamed reader cannot tell where the documents end, and reads the file whole.
    const after = canonical.replace(/^tool: .*\n/m, '') + 'tool: by hand\n';
    const again = await streamed(new YamlExportSource(chunked(after, [0.9]), 'after.yaml'));
    assert.deepEqual(again.docs, parseExportYaml(after, 'after.yaml'));
    assert.deepEqual(
      again.blocks.map((b) => b.form),
      ['whole', 'whole', 'whole'],
    );
  });

  describe('errors name the file and the line, as the whole-file reader does', () => {
    const input = exportInput(
      ['a', 'b', 'c', 'd'].map((n, i) => ({
        path: `${n}.txt`,
        text: `Document ${n} says something.\nA second line.\n`,
        spans: [
          { start: 0, end: 8, note: 'first', attributes: { n: i } as Attributes, kind: 'claim', status: 0, relate: false },
          { start: 9, end: 10, note: '', attributes: {} as Attributes, kind: 'entity', status: 0, relate: i > 0 },
        ],
      })),
    );
    const canonical = exportYaml({ documents: input, generated: GENERATED });
    /** The canonical text with `from` replaced by `to` in document c.txt (the third). */
    const inThird = (from: RegExp, to: string): string => {
      const start = canonical.indexOf('  - path: c.txt');
      const end = canonical.indexOf('  - path: d.txt');
      const edited = canonical.slice(start, end).replace(from, to);
      assert.notEqual(edited, canonical.slice(start, end), `${from} is in the third document`);
      return canonical.slice(0, start) + edited + canonical.slice(end);
    };
    const ids = input.flatMap((d) => d.annotations.map((a) => a.id));
    const cases: [string, string][] = [
      ['a string where an offset must be', inThird(/offset: 8/, 'offset: eight')],
      ['start after end', inThird(/offset: 0\n/, 'offset: 9\n')],
      ['a hostile path', inThird(/path: c\.txt/, 'path: ../c.txt')],
      ['the same document twice', inThird(/path: c\.txt/, 'path: a.txt')],
      ['an id used in an earlier document', inThird(new RegExp(ids[4]), ids[0])],
      ['a bad timestamp', inThird(/created: "2026-11-20T09:30:00.000Z"/, 'created: "yesterday"')],
      ['a custom tag', inThird(/note: first/, 'note: !!js/function "x"')],
      ['an alias bomb', inThird(/note: first/, 'note: &a [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a]')],
      ['a number that would not load as written', inThird(/"n": 2/, '"n": 9007199254740993')],
      ['columns that contradict the offsets', inThird(/column: 9\n/, 'column: 12\n')],
      ['not YAML', inThird(/note: first/, 'note: [unclosed')],
      ['git conflict markers', inThird(/ {6}- id:/, '<<<<<<< HEAD\n      - id:')],
      ['an unknown field', inThird(/ {8}note: first/, '        colour: red\n        note: first')],
      ['a newer version', canonical.replace(/^version: 1$/m, 'version: 2')],
    ];
    for (const [name, text] of cases) {
      it(`${name}: the same message at the same line as the whole-file reader`, async () => {
        const expected = wholeError(text, 'x.yaml');
        const got = await streamedError(text, 'x.yaml');
        assert.equal(got.message, expected.message);
        assert.match(got.message, /^x\.yaml:\d+:\d+: /);
      });
    }
  });
});

describe('YAML export, streamed import into a store', () => {
  const TEXT_A = 'Alpha beta gamma delta.\nSecond line of alpha.\n';
  const TEXT_B = 'Bravo charlie.\n';

  function workspace(): MemoryFs {
    return new MemoryFs({ 'a.txt': TEXT_A, 'b.txt': TEXT_B, 'renamed.txt': 'Moved text here.\n' });
  }

  async function seed(store: AnnotationStore): Promise<Annotation[]> {
    const kept = annotation({ id: ulid(1), doc: 'a.txt', text: TEXT_A, start: 0, end: 5, note: 'stored, newer', modified: '2026-12-01T00:00:00.000Z' });
    const replaced = annotation({ id: ulid(2), doc: 'a.txt', text: TEXT_A, start: 6, end: 10, note: 'stored, older' });
    await store.saveDoc('a.txt', [kept, replaced]);
    return [kept, replaced];
  }

  function theExport(): string {
    const older = annotation({ id: ulid(1), doc: 'a.txt', text: TEXT_A, start: 0, end: 5, note: 'imported, older' });
    const newer = annotation({ id: ulid(2), doc: 'a.txt', text: TEXT_A, start: 6, end: 10, note: 'imported, newer', modified: '2026-12-02T00:00:00.000Z' });
    const fresh = annotation({ id: ulid(3), doc: 'b.txt', text: TEXT_B, start: 0, end: 5 });
    const moved = annotation({ id: ulid(4), doc: 'gone.txt', text: 'Moved text here.\n', start: 0, end: 5 });
    const orphan = annotation({ id: ulid(5), doc: 'missing.txt', start: 0, end: 3 });
    return exportYaml({
      documents: [
        { path: 'a.txt', text: TEXT_A, annotations: [older, newer] },
        { path: 'b.txt', text: TEXT_B, annotations: [fresh] },
        { path: 'gone.txt', text: 'Moved text here.\n', annotations: [moved] },
        { path: 'missing.txt', text: undefined, annotations: [orphan] },
      ],
      generated: GENERATED,
    });
  }

  it('merges exactly as the whole-file import: the same sidecars, snapshots and summaries', async () => {
    const text = theExport();
    const oldFs = workspace();
    const oldStore = new AnnotationStore(oldFs);
    await seed(oldStore);
    const oldPlan = await planImport(oldStore, parseExportYaml(text, 'x.yaml'), async () => ['a.txt', 'b.txt', 'renamed.txt']);
    await applyImport(oldStore, oldPlan);

    const newFs = workspace();
    const newStore = new AnnotationStore(newFs);
    await seed(newStore);
    const source = new YamlExportSource(chunked(text, [0.2, 0.6]), 'x.yaml');
    const seeded = newFs.writes;
    const plan = await planImportStream(newStore, source, async () => ['a.txt', 'b.txt', 'renamed.txt']);
    assert.equal(newFs.writes, seeded, 'nothing is written while planning');
    await applyImportStream(newStore, plan, source);

    assert.deepEqual(
      plan.documents.map(({ digest: _digest, ...s }) => s),
      oldPlan.documents.map(summariseImport),
    );
    assert.deepEqual([...newFs.files.keys()].sort(), [...oldFs.files.keys()].sort());
    for (const [file, bytes] of oldFs.files) assert.equal(newFs.text(file), Buffer.from(bytes).toString('utf8'), file);
    const a = await newStore.loadDoc('a.txt');
    assert.deepEqual(
      a.map((x) => x.note),
      ['stored, newer', 'imported, newer'],
    );
    assert.deepEqual(
      plan.documents.map((d) => [d.from, d.doc, d.followed ?? '']),
      [
        ['a.txt', 'a.txt', ''],
        ['b.txt', 'b.txt', ''],
        ['gone.txt', 'renamed.txt', 'content'],
        ['missing.txt', 'missing.txt', ''],
      ],
    );
    assert.ok(newFs.text(newStore.snapshotPath(contentHash(TEXT_B))) !== undefined, 'the snapshot of an unchanged document is stored');
  });

  it('refuses a document the caller vets out before anything is written', async () => {
    const fsys = workspace();
    const store = new AnnotationStore(fsys);
    const source = new YamlExportSource(chunked(theExport(), [0.5]), 'x.yaml');
    await assert.rejects(
      planImportStream(
        store,
        source,
        async () => ['a.txt', 'b.txt'],
        async (d) => {
          if (d.path === 'gone.txt') throw new ImportError('gone.txt is refused');
        },
      ),
      /gone\.txt is refused/,
    );
    assert.equal(fsys.writes, 0);
  });

  it('refuses to write a document of the file that changed since it was planned', async () => {
    const fsys = workspace();
    const store = new AnnotationStore(fsys);
    let text = theExport();
    const source = new YamlExportSource(() => chunked(text, [])(), 'x.yaml');
    const plan = await planImportStream(store, source, async () => ['a.txt', 'b.txt', 'renamed.txt']);
    text = text.replace('imported, older', 'imported, changed');
    await assert.rejects(
      applyImportStream(store, plan, source),
      (e: Error) => e instanceof ImportError && /changed while it was being imported/.test(e.message),
    );
    assert.deepEqual(await store.loadDoc('a.txt'), [], 'the changed document is not written');
  });
});
