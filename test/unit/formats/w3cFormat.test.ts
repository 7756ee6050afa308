import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Annotation } from '../../../src/core/model';
import { contentHash } from '../../../src/core/model';
import {
  ANNO_CONTEXT,
  MARGINALIA_VOCAB,
  UNKNOWN_DOC_HASH,
  exportW3c,
  exportW3cPages,
  parseJsonLocated,
  parseW3c,
  parseW3cFiles,
  toW3cAnnotation,
  w3cPageFileName,
  type W3cImportedDocument,
} from '../../../src/core/formats';
import { ExportFormatError, type ExportInputDocument } from '../../../src/core/formats';
import { EMOJI_TEXT, GENERATED, P000, PEMOJI, PGONE, PNONASCII, allAnnotations, annotate, buildCorpus, textsOf } from '../../fixtures/formats/sampleCorpus';
import { W3cAssertionSuite, type AssertionOutcome, type RefSiblings } from '../../support/w3cAssertions';

/** The W3C Web Annotation test suite, beside the repository (/work/main/../shared); absent in a fresh clone.
 *  MARGINALIA_W3C_SUITE points elsewhere (a nonexistent path shows what a fresh clone sees). */
const SUITE = process.env.MARGINALIA_W3C_SUITE ?? path.resolve(__dirname, '../../../../../shared/w3c-web-annotation-tests');
const MUSTS = 'annotations/annotationMusts.test';

// JSON read back from an export: untyped by nature, so the tests index into it freely.
type Json = Record<string, any>;

function exportCorpus(docs: ExportInputDocument[] = buildCorpus()): Json {
  return JSON.parse(exportW3c({ documents: docs, generated: GENERATED })) as Json;
}

/** Sorted copies, for comparing imported annotations with the originals. */
function sorted(list: readonly Annotation[]): Annotation[] {
  return [...list].sort((a, b) => (a.doc < b.doc ? -1 : a.doc > b.doc ? 1 : a.target.start - b.target.start || (a.id < b.id ? -1 : 1)));
}

function imported(docs: W3cImportedDocument[]): Annotation[] {
  return sorted(docs.flatMap((d) => d.annotations));
}

if (fs.existsSync(SUITE)) {
  describe('W3C Web Annotation test suite (annotationMusts.test) against exported annotations', function () {
    this.timeout(120000);
    const docs = buildCorpus();
    const collection = exportCorpus(docs);
    const pages = exportW3cPages({ documents: docs, generated: GENERATED, pageSize: 4 });

    /** Every annotation the exporters write, as a standalone JSON-LD document (items inherit their page's @context). */
    function subjects(): { name: string; annotation: Json }[] {
      const out: { name: string; annotation: Json }[] = [];
      for (const { annotation, text } of allAnnotations(docs)) {
        out.push({
          name: `toW3cAnnotation ${annotation.doc} ${annotation.id}`,
          annotation: toW3cAnnotation(annotation, text, { generated: GENERATED }) as Json,
        });
      }
      for (const item of collection.first.items as Json[])
        out.push({ name: `exportW3c item ${String(item.id)}`, annotation: { '@context': collection['@context'], ...item } });
      for (const [file, source] of pages) {
        const page = JSON.parse(source) as Json;
        const p = page.type === 'AnnotationCollection' ? page.first : page;
        for (const item of p.items as Json[]) out.push({ name: `${file} item ${String(item.id)}`, annotation: { '@context': page['@context'], ...item } });
      }
      return out;
    }

    it('lists the 54 assertions of annotationMusts.test, every one a must', () => {
      const suite = new W3cAssertionSuite(SUITE);
      const test = suite.loadTest(MUSTS);
      const files = suite.files(test);
      assert.equal(files.length, 54);
      assert.ok(files.some((f) => f.startsWith('annotations/specificResource/')) && files.some((f) => f.startsWith('annotations/bodiesTargets/')));
      const outcomes = suite.run(test, toW3cAnnotation(docs[0].annotations[0], docs[0].text, { generated: GENERATED }));
      assert.ok(outcomes.every((o) => o.type === 'must'));
    });

    for (const refSiblings of ['apply', 'ignore'] as RefSiblings[]) {
      describe(`with keywords beside $ref ${refSiblings === 'apply' ? 'applied (ajv 8, as the assertions describe)' : 'ignored (draft-04, as the 2016 harness ran)'}`, () => {
        const suite = new W3cAssertionSuite(SUITE, refSiblings);
        const musts = suite.loadTest(MUSTS);

        it('the runner agrees with the suite’s own samples: correct ones pass, incorrect ones fail', () => {
          const samples = path.join(SUITE, 'tools/samples');
          // Composite, List and Independents left the model before it became a Recommendation; the suite's
          // choiceSet.json no longer recognises them, so these three "correct" samples fail 3.2 by design.
          const dropped = new Set(['anno11.json', 'anno12.json', 'anno13.json']);
          for (const name of fs.readdirSync(path.join(samples, 'correct')).filter((n) => /^anno\d+\.json$/.test(n) && !dropped.has(n))) {
            const failed = suite.run(musts, JSON.parse(fs.readFileSync(path.join(samples, 'correct', name), 'utf8'))).filter((o) => !o.passed);
            assert.deepEqual(
              failed.map((o) => o.file),
              [],
              `correct/${name}`,
            );
          }
          // Incorrect samples that are JSON at all and break a must (the others break only shoulds, or are not JSON).
          const mustFail = ['anno3.json', 'anno4.json', 'anno5.json', 'anno6.json', 'anno7.json', 'anno8.json', 'anno9.json', 'anno11.json'];
          mustFail.push(
            'anno28.json',
            'anno30.json',
            'anno31.json',
            'anno32.json',
            'anno33.json',
            'anno34.json',
            'anno35.json',
            'anno36.json',
            'anno38.json',
            'anno39.json',
          );
          for (const name of mustFail) {
            const outcomes = suite.run(musts, JSON.parse(fs.readFileSync(path.join(samples, 'incorrect', name), 'utf8')));
            assert.ok(
              outcomes.some((o) => o.reported),
              `incorrect/${name} should fail a must`,
            );
          }
        });

        it('every exported annotation passes every must (standalone, in a collection, in pages)', () => {
          const failures: string[] = [];
          let passed = 0;
          const list = subjects();
          for (const s of list) {
            const outcomes: AssertionOutcome[] = suite.run(musts, s.annotation);
            assert.equal(outcomes.length, 54);
            for (const o of outcomes) {
              if (o.passed) passed++;
              else failures.push(`${s.name}: ${o.file}: ${o.message ?? ''}`);
            }
          }
          assert.deepEqual(failures, []);
          assert.equal(passed, list.length * 54);
          console.log(
            `      W3C musts (${refSiblings} $ref siblings): ${passed} of ${list.length * 54} assertion runs passed (${list.length} annotations × 54 assertions)`,
          );
        });

        it('catches broken exports (negative controls: the runner is not vacuous)', () => {
          const base = toW3cAnnotation(docs[0].annotations[0], docs[0].text, { generated: GENERATED }) as Json;
          const broken: Record<string, (a: Json) => void> = {
            'annotations/3.1-annotationContextValidated.json': (a) => delete a['@context'],
            'annotations/3.1-annotationIdValidated.json': (a) => (a.id = 'marginalia annotation 1'),
            'annotations/3.1-annotationTypeValidated.json': (a) => (a.type = 'Note'),
            'annotations/3.3.1-annotationCreatedValidated.json': (a) => (a.created = '20 November 2026'),
            'annotations/3.2.5-notBodyBodyValue.json': (a) => (a.bodyValue = 'both'),
            'annotations/specificResource/4.2.4-textQuoteSelectorValid.json': (a) => (a.target.selector[0].exact = 42),
            'annotations/specificResource/4.2-TextDataPositionSelectorValid.json': (a) => (a.target.selector[1].start = -1),
            'annotations/bodiesTargets/3.2.4-targNoTypeTextualBody.json': (a) => (a.target = { type: 'TextualBody', value: 'a target is not a body' }),
          };
          for (const [file, breakIt] of Object.entries(broken)) {
            const a = structuredClone(base);
            breakIt(a);
            const failed = suite
              .run(musts, a)
              .filter((o) => o.reported)
              .map((o) => o.file);
            assert.ok(failed.includes(file), `${file} should fail; failed: ${failed.join(', ')}`);
          }
        });

        it('the collection and its pages meet the suite’s collection definitions', () => {
          const check = (name: string, value: Json): void => {
            const checks = value.type === 'AnnotationPage' ? [...COLLECTION_CHECKS, PAGE_ITEMS] : COLLECTION_CHECKS;
            const outcomes = suite.run(suite.inlineTest(name, checks), value);
            assert.deepEqual(
              outcomes.filter((o) => !o.passed).map((o) => `${o.title}: ${o.message ?? ''}`),
              [],
              name,
            );
          };
          check('collection', collection);
          // An embedded page inherits the collection's @context, as JSON-LD says.
          check('first page', { '@context': collection['@context'], ...(collection.first as Json) });
          for (const [file, source] of pages) {
            const v = JSON.parse(source) as Json;
            check(file, v);
            if (v.first !== undefined) check(`${file} first`, { '@context': v['@context'], ...(v.first as Json) });
          }
        });
      });
    }

    it('implements the optional features it claims (annotationOptionals and agent optionals, reported as informational)', () => {
      const suite = new W3cAssertionSuite(SUITE);
      const ann = toW3cAnnotation(docs[0].annotations[0], docs[0].text, { generated: GENERATED });
      const claimed = [
        'annotations/3.3.1-annotationCreatedImplemented.json',
        'annotations/3.3.1-annotationModifiedImplemented.json',
        'annotations/3.3.1-annotationGeneratedImplemented.json',
        'annotations/3.3.1-annotationSingleCreatorImplemented.json',
        'annotations/3.3.5-annotationSingleMotivationImplemented.json',
        'annotations/3.3.5-annotationMotivationImplemented.json',
        'annotations/3.1-bodyKeyFound.json',
        'annotations/3.3.1-annotationCreatorImplemented.json',
        'annotations/3.3.1-annotationGeneratorImplemented.json',
        'annotations/3.3.2-annotationCreatorAgentTypeImplemented.json',
        'annotations/3.3.2-annotationCreatorAgentNameImplemented.json',
        'annotations/3.3.2-annotationGeneratorAgentTypeImplemented.json',
        'annotations/3.3.2-annotationGeneratorAgentNameImplemented.json',
      ];
      const outcomes = ['annotations/annotationOptionals.test', 'annotations/annotationsAgentOptionals.test'].flatMap((t) => suite.run(suite.loadTest(t), ann));
      for (const file of claimed) {
        const o = outcomes.find((x) => x.file === file);
        assert.ok(o, `${file} is in the optional tests`);
        assert.ok(o.passed, `${file}: ${o.message ?? ''}`);
      }
      const implemented = outcomes.filter((o) => o.passed).length;
      console.log(`      W3C optionals: ${implemented} of ${outcomes.length} should/may assertions met`);
    });
  });
} else {
  describe('W3C Web Annotation test suite', () => {
    it('is absent: the W3C assertions did not run', () => {
      console.warn(
        [
          '',
          '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
          `!!  W3C Web Annotation test suite NOT FOUND at ${SUITE}`,
          '!!  The W3C conformance assertions (annotationMusts.test) were NOT run against the W3C export.',
          '!!  Put a copy of https://github.com/w3c/web-annotation-tests there to run them.',
          '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
          '',
        ].join('\n'),
      );
      assert.equal(fs.existsSync(SUITE), false);
    });
  });
}

/** The collection and page checks of the suite's definitions/collections.json. */
const COLLECTION_CHECKS = [
  {
    title: '@context',
    type: 'object',
    required: ['@context'],
    properties: {
      '@context': { oneOf: [{ $ref: 'collections.json#/definitions/contextValueFound' }, { $ref: 'collections.json#/definitions/contextValueInArrayFound' }] },
    },
  },
  {
    title: 'type AnnotationCollection or AnnotationPage',
    anyOf: [
      { $ref: 'collections.json#/definitions/annotationCollectionTypeValueFound' },
      { $ref: 'collections.json#/definitions/annotationPageTypeValueFound' },
    ],
  },
  { title: 'label', $ref: 'collections.json#/definitions/labelDefinition' },
  { title: 'total', $ref: 'collections.json#/definitions/totalDefinition' },
  { title: 'first', $ref: 'collections.json#/definitions/firstValidIfPresent' },
  { title: 'first if total > 0', $ref: 'collections.json#/definitions/firstRequiredIfTotalMoreThanZero' },
  { title: 'last', $ref: 'collections.json#/definitions/lastValidIfPresent' },
  { title: 'partOf', $ref: 'collections.json#/definitions/partOfValidIfPresent' },
  { title: 'next', $ref: 'collections.json#/definitions/nextValidIfPresent' },
  { title: 'prev', $ref: 'collections.json#/definitions/prevValidIfPresent' },
  { title: 'startIndex', $ref: 'collections.json#/definitions/startIndexDefinition' },
];
/** Pages (only) must list their annotations. */
const PAGE_ITEMS = { title: 'items', allOf: [{ required: ['items'] }, { $ref: 'collections.json#/definitions/itemsFound' }] };

describe('W3C export', () => {
  it('writes the documented shape for one annotation', () => {
    const text = 'Author: Ann\nRussia plans 11.2 trillion roubles 😀.\n';
    const a = annotate('dir/tiny doc.txt', text, '11.2 trillion roubles 😀', 'figure', {
      id: '01JD0000000000000000000001',
      note: 'yes',
      attributes: { value: 11.2, unit: 'trillion roubles', approx: false },
    });
    const w = toW3cAnnotation(a, text, { generated: GENERATED });
    assert.deepEqual(w, {
      '@context': [ANNO_CONTEXT, { marginalia: MARGINALIA_VOCAB }],
      id: 'urn:marginalia:annotation:01JD0000000000000000000001',
      type: 'Annotation',
      motivation: 'describing',
      creator: { type: 'Person', name: 'Ann Analyst' },
      created: '2026-11-20T09:30:00.000Z',
      modified: '2026-11-22T17:05:12.345Z',
      generator: { type: 'Software', name: 'Marginalia', 'schema:softwareVersion': '0.1.0' },
      generated: '2026-11-23T10:00:00.000Z',
      'marginalia:kind': 'figure',
      'marginalia:tool': 'marginalia 0.1.0',
      body: [
        { type: 'TextualBody', purpose: 'tagging', value: 'figure', format: 'text/plain' },
        { type: 'TextualBody', purpose: 'commenting', value: 'yes', format: 'text/plain' },
        {
          type: 'TextualBody',
          purpose: 'describing',
          value: 'approx: false',
          format: 'text/plain',
          'marginalia:attribute': 'approx',
          'marginalia:value': false,
        },
        {
          type: 'TextualBody',
          purpose: 'describing',
          value: 'unit: trillion roubles',
          format: 'text/plain',
          'marginalia:attribute': 'unit',
          'marginalia:value': 'trillion roubles',
        },
        { type: 'TextualBody', purpose: 'describing', value: 'value: 11.2', format: 'text/plain', 'marginalia:attribute': 'value', 'marginalia:value': 11.2 },
      ],
      target: {
        type: 'SpecificResource',
        source: 'urn:marginalia:doc:dir/tiny%20doc.txt',
        selector: [
          { type: 'TextQuoteSelector', exact: '11.2 trillion roubles 😀', prefix: 'Author: Ann\nRussia plans ', suffix: '.\n' },
          // The emoji is two UTF-16 code units but one code point: end is 25 + 23, not 25 + 24.
          { type: 'TextPositionSelector', start: 25, end: 48 },
        ],
        'marginalia:docHash': contentHash(text),
        'marginalia:anchorStatus': 'anchored',
      },
    });
    assert.equal(a.target.end - a.target.start, 24);
  });

  it('counts TextPositionSelector offsets in code points (astral characters before and inside passages)', () => {
    const docs = buildCorpus();
    const out = exportCorpus(docs);
    const emoji = docs.find((d) => d.path === PEMOJI);
    assert.ok(emoji?.text);
    const items = (out.first.items as Json[]).filter((i) => i.target.source === 'urn:marginalia:doc:notes/emoji.txt');
    assert.equal(items.length, emoji.annotations.length);
    for (const a of emoji.annotations) {
      const item = items.find((i) => i.id === `urn:marginalia:annotation:${a.id}`);
      const pos = item?.target.selector[1];
      // Array.from splits a string into code points: an independent count.
      assert.deepEqual(pos, {
        type: 'TextPositionSelector',
        start: Array.from(EMOJI_TEXT.slice(0, a.target.start)).length,
        end: Array.from(EMOJI_TEXT.slice(0, a.target.end)).length,
      });
      assert.equal(Array.from(EMOJI_TEXT).slice(pos.start, pos.end).join(''), a.target.quote.exact);
      assert.notEqual(pos.start, a.target.start, 'the fixture has astral characters before every emoji-document passage');
    }
  });

  it('keeps UTF-16 offsets in marginalia: properties when code points cannot be computed (missing document, orphan)', () => {
    const out = exportCorpus();
    const items = out.first.items as Json[];
    const gone = items.find((i) => i.target.source === `urn:marginalia:doc:${PGONE}`);
    assert.ok(gone);
    assert.equal(gone.target.selector.length, 1);
    assert.equal(gone.target.selector[0].type, 'TextQuoteSelector');
    assert.equal(typeof gone.target['marginalia:utf16Start'], 'number');
    assert.equal(gone.target['marginalia:anchorStatus'], 'orphaned');
    assert.equal(gone.target['marginalia:anchorDetail'], 'document missing');
    const orphan = items.find((i) => i.target['marginalia:anchorDetail'] === 'passage deleted');
    assert.ok(orphan);
    assert.equal(orphan.target.selector.length, 1, 'an orphan’s offsets belong to an older version: no TextPositionSelector');
    assert.deepEqual([orphan.target['marginalia:utf16Start'], orphan.target['marginalia:utf16End']], [0, 16]);
  });

  it('names documents by IRI: percent-encoded paths under a configurable base', () => {
    const docs = buildCorpus();
    const out = JSON.parse(
      exportW3c({ documents: docs, generated: GENERATED, documentBase: 'https://example.org/corpus/', annotationBase: 'https://example.org/anno/' }),
    ) as Json;
    const sources = new Set((out.first.items as Json[]).map((i) => i.target.source as string));
    assert.ok(sources.has('https://example.org/corpus/notes/%D0%A0%D0%BE%D1%81%D1%81%D0%B8%D1%8F%20%D0%B8%20%D0%98%D0%98%20%231.txt'), [...sources].join('\n'));
    assert.ok((out.first.items as Json[]).every((i) => (i.id as string).startsWith('https://example.org/anno/01JD')));
    assert.throws(() => exportW3c({ documents: docs, documentBase: 'corpus/' }), /not an absolute IRI/);
    const back = parseW3c(JSON.stringify(out), 'x.jsonld', {
      documentBase: 'https://example.org/corpus/',
      annotationBase: 'https://example.org/anno/',
      textFor: textsOf(docs),
    });
    assert.ok(back.some((d) => d.path === PNONASCII));
  });

  it('maps kinds to motivations (claim assessing, entity identifying, figure describing, others tagging), overridable', () => {
    const out = exportCorpus();
    const byKind = new Map<string, string>();
    for (const i of out.first.items as Json[]) byKind.set(i['marginalia:kind'] as string, i.motivation as string);
    assert.deepEqual(Object.fromEntries([...byKind].sort()), { claim: 'assessing', entity: 'identifying', figure: 'describing', 'source-quote': 'tagging' });
    const custom = JSON.parse(exportW3c({ documents: buildCorpus(), generated: GENERATED, motivations: { 'source-quote': 'commenting' } })) as Json;
    assert.ok((custom.first.items as Json[]).some((i) => i.motivation === 'commenting'));
    assert.throws(() => exportW3c({ documents: buildCorpus(), motivations: { claim: 'liking' as never } }), /not one the W3C model defines/);
  });

  it('is deterministic: input order does not matter', () => {
    const docs = buildCorpus();
    const a = exportW3c({ documents: docs, generated: GENERATED });
    const shuffled = [...docs].reverse().map((d) => ({ ...d, annotations: [...d.annotations].reverse() }));
    assert.equal(exportW3c({ documents: shuffled, generated: GENERATED }), a);
  });

  it('pages a collection: first embedded, last by IRI, partOf, startIndex, prev/next, total', () => {
    const docs = buildCorpus();
    const total = allAnnotations(docs).length;
    const files = exportW3cPages({ documents: docs, generated: GENERATED, pageSize: 4, collectionId: 'https://example.org/annotations/' });
    const names = [...files.keys()];
    const pageCount = Math.ceil(total / 4);
    assert.deepEqual(names, ['annotations.jsonld', ...Array.from({ length: pageCount - 1 }, (_, i) => w3cPageFileName('annotations', i + 1))]);
    const c = JSON.parse(files.get('annotations.jsonld') as string) as Json;
    assert.equal(c.type, 'AnnotationCollection');
    assert.equal(c.total, total);
    assert.equal(c.first.id, 'https://example.org/annotations/?page=0');
    assert.equal(c.first.next, 'https://example.org/annotations/?page=1');
    assert.equal(c.last, `https://example.org/annotations/?page=${pageCount - 1}`);
    assert.equal(c.first.items.length, 4);
    const p1 = JSON.parse(files.get(names[1]) as string) as Json;
    assert.deepEqual(
      { id: p1.id, partOf: p1.partOf, startIndex: p1.startIndex, prev: p1.prev, next: p1.next },
      {
        id: 'https://example.org/annotations/?page=1',
        partOf: 'https://example.org/annotations/',
        startIndex: 4,
        prev: 'https://example.org/annotations/?page=0',
        next: 'https://example.org/annotations/?page=2',
      },
    );
    const last = JSON.parse(files.get(names[names.length - 1]) as string) as Json;
    assert.equal(last.next, undefined);
    assert.equal(last.items.length, total - 4 * (pageCount - 1));
    const single = JSON.parse(exportW3c({ documents: docs, generated: GENERATED })) as Json;
    assert.equal(single.first.items.length, total);
    assert.equal(single.last, single.first.id);
    const empty = JSON.parse(exportW3c({ documents: [], generated: GENERATED })) as Json;
    assert.deepEqual([empty.total, empty.first, empty.last], [0, undefined, undefined]);
    assert.throws(() => exportW3cPages({ documents: docs, pageSize: 0 }), /page size/);
  });

  it('refuses to export what could not be imported again', () => {
    const text = 'x y z';
    const a = annotate('d.txt', text, 'y', 'claim');
    assert.throws(() => exportW3c({ documents: [{ path: 'd.txt', text, annotations: [{ ...a, attributes: { n: Infinity } }] }] }), /finite/);
    assert.throws(() => exportW3c({ documents: [{ path: 'd.txt', text, annotations: [{ ...a, doc: 'e.txt' }] }] }), /belongs to/);
    assert.throws(() => exportW3c({ documents: [{ path: 'd.txt', text, annotations: [a, a] }] }), /appears twice/);
  });
});

describe('W3C import', () => {
  it('round-trips: export → import → export is identical and gives back the same annotations', () => {
    const docs = buildCorpus();
    const first = exportW3c({ documents: docs, generated: GENERATED });
    // Defaults for other tools' annotations must not touch ours (one has an empty author).
    const back = parseW3c(first, 'out/annotations.jsonld', { textFor: textsOf(docs), author: 'Importer', defaultKind: 'entity', now: new Date(0) });
    assert.deepEqual(imported(back), sorted(docs.flatMap((d) => d.annotations)));
    assert.deepEqual(
      back.flatMap((d) => d.needsReanchor),
      [],
      'with the texts, every position converts exactly',
    );
    const again = exportW3c({ documents: back.map((d) => ({ path: d.path, text: textsOf(docs)(d.path), annotations: d.annotations })), generated: GENERATED });
    assert.equal(again, first);
  });

  it('reads pages from several files, in any order, and checks the total', () => {
    const docs = buildCorpus();
    const files = [...exportW3cPages({ documents: docs, generated: GENERATED, pageSize: 3 })].map(([file, source]) => ({ file, source }));
    const back = parseW3cFiles([...files].reverse(), { textFor: textsOf(docs) });
    assert.deepEqual(imported(back), sorted(docs.flatMap((d) => d.annotations)));
    // The collection alone: its later pages are missing.
    assert.throws(
      () => parseW3c(files[0].source, files[0].file, { textFor: textsOf(docs) }),
      (e: unknown) => e instanceof ExportFormatError && /continues on page .*page=1.*import all the page files together/.test(e.message),
    );
    // A page dropped from the middle.
    assert.throws(() => parseW3cFiles([files[0], files[1], files[3]], { textFor: textsOf(docs) }), /continues on page .*page=2/);
  });

  it('reads a single annotation and a list of annotations', () => {
    const docs = buildCorpus();
    const a = docs[0].annotations[1];
    const one = parseW3c(JSON.stringify(toW3cAnnotation(a, docs[0].text)), 'one.jsonld', { textFor: textsOf(docs) });
    assert.deepEqual(
      one.map((d) => d.annotations),
      [[a]],
    );
    const list = allAnnotations(docs).map(({ annotation, text }) => toW3cAnnotation(annotation, text, { generated: GENERATED }));
    assert.deepEqual(imported(parseW3c(JSON.stringify(list), 'list.json', { textFor: textsOf(docs) })), sorted(docs.flatMap((d) => d.annotations)));
  });

  it('converts code points back to UTF-16 with the text; without it, estimates and lists the annotation for re-anchoring', () => {
    const docs = buildCorpus();
    const out = exportW3c({ documents: docs, generated: GENERATED });
    const noText = parseW3c(out, 'a.jsonld');
    const emoji = noText.find((d) => d.path === PEMOJI);
    assert.ok(emoji);
    const original = docs.find((d) => d.path === PEMOJI)?.annotations ?? [];
    assert.deepEqual([...emoji.needsReanchor].sort(), original.map((a) => a.id).sort());
    for (const a of emoji.annotations) {
      const o = original.find((x) => x.id === a.id);
      assert.ok(o);
      assert.equal(a.target.quote.exact, o.target.quote.exact, 'the quote survives for re-anchoring');
      assert.equal(a.target.start, Array.from(EMOJI_TEXT.slice(0, o.target.start)).length, 'the estimate is the code point offset');
    }
    // The orphan and the missing document carry UTF-16 offsets: exact even without text.
    const gone = noText.find((d) => d.path === PGONE);
    assert.deepEqual(gone?.needsReanchor, []);
    // A changed text: offsets convert but the hash differs, so they are estimates.
    const changed = parseW3c(out, 'a.jsonld', { textFor: (p) => (p === P000 ? 'Inserted. ' + (textsOf(docs)(p) ?? '') : textsOf(docs)(p)) });
    const d000 = changed.find((d) => d.path === P000);
    assert.equal(d000?.needsReanchor.length, d000?.annotations.length);
  });

  it('reads annotations of other tools: quote-only or position-only targets, bodyValue, tags, defaultKind', () => {
    const text = 'Russia plans to spend 11.2 trillion roubles 😀 on defence.';
    const foreign = {
      '@context': 'http://www.w3.org/ns/anno.jsonld',
      id: 'https://hyp.example/a/xyz',
      type: 'Annotation',
      motivation: 'commenting',
      creator: 'acct:someone@hyp.example',
      created: '2025-01-02T03:04:05Z',
      body: [
        { type: 'TextualBody', value: 'Check this figure.' },
        { type: 'TextualBody', purpose: 'tagging', value: 'budget' },
        { type: 'TextualBody', purpose: 'tagging', value: 'defence' },
      ],
      target: {
        source: 'urn:marginalia:doc:news/a.txt',
        selector: [{ type: 'TextQuoteSelector', exact: '11.2 trillion roubles', prefix: 'spend ', suffix: ' 😀' }],
      },
    };
    assert.throws(() => parseW3c(JSON.stringify(foreign), 'h.json', { textFor: () => text }), /names no Marginalia kind.*defaultKind/);
    const [doc] = parseW3c(JSON.stringify(foreign), 'h.json', { textFor: () => text, defaultKind: 'figure' });
    const [a] = doc.annotations;
    assert.equal(a.kind, 'figure');
    assert.equal(text.slice(a.target.start, a.target.end), '11.2 trillion roubles');
    assert.equal(a.note, 'Check this figure.');
    assert.deepEqual(a.attributes, { tags: 'budget, defence' });
    assert.equal(a.provenance.author, 'acct:someone@hyp.example');
    assert.equal(a.provenance.modified, '2025-01-02T03:04:05Z');
    assert.equal(a.provenance.docHash, contentHash(text));
    assert.deepEqual(doc.needsReanchor, [a.id]);
    const positional = {
      ...foreign,
      motivation: 'assessing',
      bodyValue: 'Plain note',
      body: undefined,
      target: { source: 'urn:marginalia:doc:news/a.txt', selector: { type: 'TextPositionSelector', start: 44, end: 45 } },
    };
    const [p] = parseW3c(JSON.stringify(positional), 'p.json', { textFor: () => text });
    assert.equal(p.annotations[0].kind, 'claim');
    assert.equal(p.annotations[0].note, 'Plain note');
    assert.equal(p.annotations[0].target.quote.exact, '😀', 'code point 44 is the emoji, two UTF-16 units');
    assert.deepEqual(p.needsReanchor, []);
    const [noText] = parseW3c(JSON.stringify(positional), 'p.json');
    assert.equal(noText.annotations[0].provenance.docHash, UNKNOWN_DOC_HASH);
  });
});

describe('W3C import errors', () => {
  const text = 'Author: Ann\nRussia plans 11.2 trillion roubles.\nPutin spoke.\n';
  const a1 = annotate('doc.txt', text, '11.2 trillion roubles', 'figure', { id: '01JD0000000000000000000001', attributes: { value: 11.2 } });
  const a2 = annotate('doc.txt', text, 'Putin', 'entity', { id: '01JD0000000000000000000002', attributes: { type: 'person' } });
  const good = exportW3c({ documents: [{ path: 'doc.txt', text, annotations: [a1, a2] }], generated: GENERATED });

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
      parseW3c(source, 'exports/bad.jsonld', { textFor: () => text });
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof ExportFormatError, `expected ExportFormatError, got ${String(caught)}`);
    assert.equal(caught.file, 'exports/bad.jsonld');
    assert.equal(caught.line, line, caught.message);
    assert.ok(caught.column >= 1);
    assert.match(caught.message, /^exports\/bad\.jsonld:\d+:\d+: /);
    assert.match(caught.message, message);
    if (code) assert.equal(caught.code, code);
    return caught;
  }

  it('reads the unmodified fixture (so each failure below is caused by its one change)', () => {
    assert.equal(parseW3c(good, 'exports/good.jsonld', { textFor: () => text })[0].annotations.length, 2);
  });
  it('not JSON: a trailing comma, with line and column', () => {
    const bad = replaceOnce(good, '"type": "AnnotationCollection",', '"type": "AnnotationCollection",,');
    const e = expectError(bad, lineOf(good, '"type": "AnnotationCollection"'), /not valid JSON: expected a property name/, 'syntax');
    assert.equal(e.column, '  "type": "AnnotationCollection",,'.length);
  });
  it('not JSON: unterminated string, control characters, bad escape', () => {
    expectError('{"a": "b', 1, /not closed/, 'syntax');
    expectError('{"a": "b\u0001"}', 1, /control character/, 'syntax');
    expectError('{"a": "\\x"}', 1, /invalid escape/, 'syntax');
    expectError('{"a": 1}\n{"b": 2}', 2, /after the end of the JSON value/, 'syntax');
    expectError('', 1, /empty/, 'empty');
  });
  it('too deep', () => {
    expectError('['.repeat(1000), 1, /nested more than/, 'syntax');
  });
  it('a duplicate key', () => {
    expectError(replaceOnce(good, '"total": 2,', '"total": 2,\n  "total": 3,'), lineOf(good, '"total": 2') + 1, /"total" appears twice/, 'syntax');
  });
  it('not an annotation at all', () => {
    expectError('"hello"', 1, /not a W3C Web Annotation: the file holds text/);
    expectError(
      replaceOnce(good, '"type": "AnnotationCollection"', '"type": "Collection"'),
      lineOf(good, '"type": "AnnotationCollection"'),
      /type is text "Collection"/,
    );
    expectError(replaceOnce(good, `"${ANNO_CONTEXT}"`, '"http://schema.org/"'), lineOf(good, '"@context"'), /@context does not include/);
  });
  it('a total that does not match the items', () => {
    expectError(replaceOnce(good, '"total": 2', '"total": 3'), lineOf(good, '"total"'), /holds 3 annotations but its pages hold 2/, 'invalid');
  });
  it('two targets', () => {
    const one = JSON.stringify(toW3cAnnotation(a1, text), null, 2);
    const t = JSON.parse(one) as Json;
    t.target = [t.target, t.target];
    const src = JSON.stringify(t, null, 2);
    expectError(src, lineOf(src, '"target"'), /2 targets/, 'invalid');
  });
  it('a whole-document target', () => {
    const t = JSON.parse(JSON.stringify(toW3cAnnotation(a1, text))) as Json;
    t.target = 'urn:marginalia:doc:doc.txt';
    const src = JSON.stringify(t, null, 2);
    expectError(src, lineOf(src, '"target"'), /targets a whole document/, 'invalid');
  });
  it('a document outside the base, or leaving the workspace', () => {
    expectError(
      replaceOnce(good, '"urn:marginalia:doc:doc.txt"', '"https://elsewhere.example/doc.txt"'),
      lineOf(good, '"source"'),
      /not under the document base urn:marginalia:doc:/,
      'invalid',
    );
    expectError(
      replaceOnce(good, '"urn:marginalia:doc:doc.txt"', '"urn:marginalia:doc:../../etc/passwd"'),
      lineOf(good, '"source"'),
      /not a safe workspace-relative path/,
      'invalid',
    );
  });
  it('a bad id, kind, anchor status, timestamp, hash: pointed at their own lines', () => {
    expectError(
      replaceOnce(good, 'annotation:01JD0000000000000000000002', 'annotation:not-a-ulid'),
      lineOf(good, 'annotation:01JD0000000000000000000002'),
      /followed by a ULID/,
    );
    expectError(
      replaceOnce(good, '"marginalia:kind": "entity"', '"marginalia:kind": "two words"'),
      lineOf(good, '"marginalia:kind": "entity"'),
      /marginalia:kind must be a name/,
      'schema',
    );
    expectError(
      replaceOnce(good, '"marginalia:anchorStatus": "anchored"', '"marginalia:anchorStatus": "lost"'),
      lineOf(good, '"marginalia:anchorStatus"'),
      /marginalia:anchorStatus must be one of "anchored", "reanchored", "orphaned"/,
      'schema',
    );
    expectError(
      replaceOnce(good, '"created": "2026-11-20T09:30:00.000Z"', '"created": "yesterday"'),
      lineOf(good, '"created"'),
      /created must be an ISO 8601 date/,
      'schema',
    );
    expectError(
      replaceOnce(good, `"marginalia:docHash": "${contentHash(text)}"`, '"marginalia:docHash": "md5:1"'),
      lineOf(good, '"marginalia:docHash"'),
      /marginalia:docHash must be "sha256:"/,
      'schema',
    );
  });
  it('a bad attribute name and value', () => {
    expectError(
      replaceOnce(good, '"marginalia:attribute": "type"', '"marginalia:attribute": "two words"'),
      lineOf(good, '"marginalia:attribute": "type"'),
      /the attribute name "two words" is not allowed: names must be letters/,
      'schema',
    );
    expectError(
      replaceOnce(good, '"marginalia:value": "person"', '"marginalia:value": ["person"]'),
      lineOf(good, '"marginalia:value": "person"'),
      /attribute type must be text or a number or true or false/,
      'schema',
    );
  });
  it('a position that ends before it starts', () => {
    const m = /"start": (\d+),\s*"end": (\d+)/.exec(good);
    assert.ok(m);
    expectError(good.replace(m[0], `"start": ${m[2]}, "end": ${m[1]}`), lineOf(good, '"TextPositionSelector"') + 1, /ends \(\d+\) before it starts/, 'invalid');
  });
  it('duplicate annotation ids', () => {
    expectError(
      good.replace(/01JD0000000000000000000002/g, '01JD0000000000000000000001'),
      lineOf(good, '"id": "urn:marginalia:annotation:01JD0000000000000000000002"'),
      /used twice/,
      'invalid',
    );
  });
  it('locates values and keys by path', () => {
    const j = parseJsonLocated('{\n  "a": [1,\n    {"b": true}]\n}', 'x.json');
    assert.deepEqual(j.locate(['a', 1, 'b']), { line: 3, column: 11 });
    assert.deepEqual(j.locate(['a', 1, 'b'], true), { line: 3, column: 6 });
    assert.deepEqual(j.locate(['a', 7]), { line: 2, column: 8 }, 'a missing path points at its deepest ancestor');
    assert.deepEqual((j.value as Json).a, [1, { b: true }]);
    const proto = parseJsonLocated('{"__proto__": {"polluted": 1}}', 'x.json').value as Json;
    assert.equal(Object.getPrototypeOf(proto), Object.prototype);
    assert.deepEqual(Object.keys(proto), ['__proto__']);
  });
});
