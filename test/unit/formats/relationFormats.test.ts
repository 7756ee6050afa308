// Relations through every export format and back: YAML (a relations list per annotation), W3C (a linking annotation
// per relation, checked against the W3C test suite's musts), brat (R lines, and the relation types in annotation.conf)
// CSV (an edge list beside the annotations) and REFI-QDA (a Link per relation, between two selections); and the import
// that merges them into a workspace as sets.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Annotation, Relation } from '../../../src/core/model';
import { withRelations } from '../../../src/core/model';
import {
  BRAT_CONF_FILE,
  ExportFormatError,
  applyImport,
  applyRefiImport,
  buildRefiImport,
  exportQdpx,
  planRefiImport,
  projectXml,
  readRefiQda,
  selectionGuid,
  bratPaths,
  csvRelationsPath,
  exportBrat,
  exportCsv,
  exportCsvRelations,
  exportW3c,
  exportW3cPages,
  exportYaml,
  parseBrat,
  parseCsv,
  parseCsvRelations,
  parseExportYaml,
  parseW3c,
  parseW3cFiles,
  planImport,
  renderExport,
  toW3cLink,
  type ExportInputDocument,
} from '../../../src/core/formats';
import { AnnotationStore, defaultCodebook, parseCodebook } from '../../../src/core/store';
import { GENERATED, T0, annotate } from '../../fixtures/formats/sampleCorpus';
import { MemoryFs } from '../../support/memoryFs';
import { W3cAssertionSuite } from '../../support/w3cAssertions';

const SUITE = process.env.MARGINALIA_W3C_SUITE ?? path.resolve(__dirname, '../../../../../shared/w3c-web-annotation-tests');

const A = 'news/a.txt';
const B = 'news/b.txt';
const A_TEXT = 'The minister said inflation fell to 3.2 percent.\nThe statistics office, Rosstat, confirmed 3.2 percent.\n';
const B_TEXT = 'Critics say inflation is higher than the minister claims.\n';
const GONE = '01JD9999999999999999999999';

function rel(type: string, to: string, author = 'Ann Analyst', created = T0): Relation {
  return { type, to, author, created };
}

/** Two documents: a claim, two figures supporting it, an entity, a claim in the other document contradicting the
 *  first, a symmetric same-as between the figures, and a relation to an annotation that is gone. */
function linkedCorpus(): { docs: ExportInputDocument[]; claim: Annotation; fig1: Annotation; fig2: Annotation; entity: Annotation; critic: Annotation } {
  const claim = annotate(A, A_TEXT, 'The minister said inflation fell to 3.2 percent', 'claim');
  const entity = annotate(A, A_TEXT, 'Rosstat', 'entity', { attributes: { type: 'organisation' } });
  const critic = annotate(B, B_TEXT, 'inflation is higher than the minister claims', 'claim');
  const fig1 = withRelations(annotate(A, A_TEXT, '3.2 percent', 'figure'), [rel('supports', claim.id)]);
  const fig2 = withRelations(annotate(A, A_TEXT, '3.2 percent', 'figure', { occurrence: 2 }), [
    rel('supports', claim.id, 'Bo "the checker" <b@x>', '2026-11-21T08:00:00.000Z'),
    rel('same-as', fig1.id),
  ]);
  const entityLinked = withRelations(entity, [rel('supports', claim.id), rel('supports', GONE)]);
  const criticLinked = withRelations(critic, [rel('contradicts', claim.id)]);
  return {
    docs: [
      { path: A, text: A_TEXT, annotations: [claim, fig1, fig2, entityLinked] },
      { path: B, text: B_TEXT, annotations: [criticLinked] },
    ],
    claim,
    fig1,
    fig2,
    entity: entityLinked,
    critic: criticLinked,
  };
}

function byId(docs: { annotations: readonly Annotation[] }[]): Map<string, Annotation> {
  return new Map(docs.flatMap((d) => d.annotations.map((a) => [a.id, a] as const)));
}

function relationsOf(docs: { annotations: readonly Annotation[] }[]): string[] {
  return docs.flatMap((d) => d.annotations.flatMap((a) => (a.relations ?? []).map((r) => `${a.id} ${r.type} ${r.to} ${r.author} ${r.created}`))).sort();
}

describe('relations in the YAML export', () => {
  it('writes each annotation’s relations after its status and reads them back, the other end in another document or gone included', () => {
    const { docs, fig2 } = linkedCorpus();
    const text = exportYaml({ documents: docs, generated: GENERATED });
    const block = text.slice(text.indexOf(`      - id: "${fig2.id}"`));
    const relations = block.slice(block.indexOf('        relations:'), block.search(/\n {6}- id:|\n {2}- path:/));
    assert.equal(
      relations,
      [
        '        relations:',
        '          - type: same-as',
        `            to: "${docs[0].annotations[1].id}"`,
        '            author: Ann Analyst',
        `            created: "${T0}"`,
        '          - type: supports',
        `            to: "${docs[0].annotations[0].id}"`,
        '            author: Bo "the checker" <b@x>',
        '            created: "2026-11-21T08:00:00.000Z"',
      ].join('\n'),
    );
    const back = parseExportYaml(text, 'x.yaml');
    assert.deepEqual(relationsOf(back), relationsOf(docs));
    assert.deepEqual(byId(back).get(fig2.id), byId(docs).get(fig2.id));
  });

  it('refuses a relation of an annotation to itself and one given twice, at its line', () => {
    const { docs, fig1 } = linkedCorpus();
    const text = exportYaml({ documents: docs, generated: GENERATED });
    const self = text.replace(
      `            to: "${docs[0].annotations[0].id}"\n            author: Ann Analyst`,
      `            to: "${fig1.id}"\n            author: Ann Analyst`,
    );
    assert.notEqual(self, text);
    assert.throws(
      () => parseExportYaml(self, 'x.yaml'),
      (e: unknown) => e instanceof ExportFormatError && /links annotation .* to itself/.test(e.message) && self.split('\n')[e.line - 1].includes(fig1.id),
    );
    const twice = text
      .replace('          - type: same-as', '          - type: supports')
      .replace(`            to: "${fig1.id}"`, `            to: "${docs[0].annotations[0].id}"`);
    assert.notEqual(twice, text);
    assert.throws(
      () => parseExportYaml(twice, 'x.yaml'),
      (e: unknown) => e instanceof ExportFormatError && /repeats the relation supports/.test(e.message),
    );
  });
});

describe('relations in the W3C export', () => {
  it('writes a linking annotation after the annotation each relation starts from: target and body the two annotations, the type in marginalia:relationType', () => {
    const { docs, fig1, claim } = linkedCorpus();
    const collection = JSON.parse(exportW3c({ documents: docs, generated: GENERATED })) as { total: number; first: { items: Record<string, unknown>[] } };
    const items = collection.first.items;
    assert.equal(collection.total, 5 + 6, 'five annotations and six relations');
    const i = items.findIndex((x) => x.id === `urn:marginalia:annotation:${fig1.id}`);
    const link = items[i + 1];
    assert.deepEqual(link, {
      id: link.id,
      type: 'Annotation',
      motivation: 'linking',
      creator: { type: 'Person', name: 'Ann Analyst' },
      created: T0,
      generator: { type: 'Software', name: 'Marginalia', 'schema:softwareVersion': '0.1.0' },
      generated: GENERATED.toISOString(),
      'marginalia:relationType': 'supports',
      body: `urn:marginalia:annotation:${claim.id}`,
      target: `urn:marginalia:annotation:${fig1.id}`,
    });
    assert.match(String(link.id), /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('reads the relations back, from one file and from pages, onto the annotations they start from', () => {
    const { docs } = linkedCorpus();
    const texts = new Map([
      [A, A_TEXT],
      [B, B_TEXT],
    ]);
    const back = parseW3c(exportW3c({ documents: docs, generated: GENERATED }), 'x.jsonld', { textFor: (p) => texts.get(p) });
    assert.deepEqual(relationsOf(back), relationsOf(docs));
    const pages = exportW3cPages({ documents: docs, generated: GENERATED, pageSize: 3 });
    assert.ok(pages.size > 3);
    const paged = parseW3cFiles(
      [...pages].map(([file, source]) => ({ file, source })),
      { textFor: (p) => texts.get(p) },
    );
    assert.deepEqual(relationsOf(paged), relationsOf(docs));
  });

  it('refuses a link whose start is not among the annotations read, a link given twice, and a link to itself', () => {
    const { docs, fig1, claim } = linkedCorpus();
    const lone = JSON.stringify([toW3cLink(fig1.id, rel('supports', claim.id))], null, 2);
    assert.throws(
      () => parseW3c(lone, 'links.json'),
      (e: unknown) => e instanceof ExportFormatError && /starts from annotation .*, which is not in the files given/.test(e.message) && e.line > 1,
    );
    const collection = JSON.parse(exportW3c({ documents: docs, generated: GENERATED })) as { first: { items: Record<string, unknown>[] }; total: number };
    const link = collection.first.items.find((x) => x.motivation === 'linking')!;
    collection.first.items.push({ ...link });
    collection.total++;
    assert.throws(() => parseW3c(JSON.stringify(collection, null, 2), 'x.jsonld'), /is given twice; remove the copy/);
    collection.first.items.pop();
    collection.total--;
    link.body = link.target;
    assert.throws(() => parseW3c(JSON.stringify(collection, null, 2), 'x.jsonld'), /joins annotation .* to itself/);
  });

  if (fs.existsSync(SUITE)) {
    it('every linking annotation passes every must of the W3C test suite (standalone and as written in the collection)', () => {
      const suite = new W3cAssertionSuite(SUITE);
      const musts = suite.loadTest('annotations/annotationMusts.test');
      const { docs } = linkedCorpus();
      const collection = JSON.parse(exportW3c({ documents: docs, generated: GENERATED })) as {
        '@context': unknown;
        first: { items: Record<string, unknown>[] };
      };
      const links = collection.first.items.filter((x) => x.motivation === 'linking');
      assert.equal(links.length, 6);
      const subjects = [
        ...links.map((l) => ({ '@context': collection['@context'], ...l })),
        toW3cLink(docs[0].annotations[2].id, rel('same-as', docs[0].annotations[1].id), { generated: GENERATED }),
      ];
      const failures: string[] = [];
      for (const s of subjects) {
        const outcomes = suite.run(musts, s);
        assert.equal(outcomes.length, 54);
        for (const o of outcomes) if (!o.passed) failures.push(`${String((s as { id?: unknown }).id)}: ${o.file}: ${o.message ?? ''}`);
      }
      assert.deepEqual(failures, []);
      console.log(`      W3C musts on linking annotations: ${subjects.length * 54} of ${subjects.length * 54} assertion runs passed`);
    });
  } else {
    it('the W3C test suite is absent: the musts did not run on linking annotations', () => {
      console.warn(`!!  W3C Web Annotation test suite NOT FOUND at ${SUITE}: linking annotations were not checked against it`);
      assert.equal(fs.existsSync(SUITE), false);
    });
  }
});

describe('relations in the brat export', () => {
  it('writes R lines for relations inside a document, warns about those brat cannot hold, and lists the relation types in annotation.conf', () => {
    const { docs } = linkedCorpus();
    const warnings: string[] = [];
    const files = exportBrat({ documents: docs, warn: (w) => warnings.push(w) });
    const ann = files.get(bratPaths(A).ann)!;
    assert.deepEqual(
      ann.split('\n').filter((l) => l.startsWith('R')),
      // T1 the claim, T2 the first figure, T3 the entity, T4 the second figure (by position).
      ['R1\tsupports Arg1:T2 Arg2:T1', 'R2\tsupports Arg1:T3 Arg2:T1', 'R3\tsame-as Arg1:T4 Arg2:T2', 'R4\tsupports Arg1:T4 Arg2:T1'],
    );
    assert.deepEqual(
      files
        .get(bratPaths(B).ann)!
        .split('\n')
        .filter((l) => l.startsWith('R')),
      [],
    );
    assert.equal(warnings.length, 2, warnings.join('\n'));
    assert.match(
      warnings.join('\n'),
      /the relation contradicts from annotation .* is left out of the brat export: brat relations join two annotations of one document/,
    );
    assert.match(warnings.join('\n'), new RegExp(`supports from annotation .* to ${GONE} is left out`));
    const conf = files.get(BRAT_CONF_FILE)!;
    assert.match(conf, /^same-as\tArg1:claim\|figure\|entity, Arg2:claim\|figure\|entity, <REL-TYPE>:symmetric$/m);
    const custom = parseCodebook(
      'version: 1\nkinds:\n  - name: claim\n    colour: "#f5a623"\nrelations:\n  - name: backs\n    direction: directed\n    from: [claim]\n    to: [claim]\n',
    );
    const own = exportBrat({ documents: [{ path: 'x.txt', text: 'a b', annotations: [] }], codebook: custom }).get(BRAT_CONF_FILE)!;
    assert.match(own, /^backs\tArg1:claim, Arg2:claim$/m);
    assert.ok(!own.includes('supports'), 'only the codebook’s own types');
  });

  it('reads R lines and equivalence lines back as relations between the new annotations', () => {
    const { docs } = linkedCorpus();
    const files = exportBrat({ documents: docs, warn: () => undefined });
    const back = parseBrat(files.get(bratPaths(A).ann)!, A_TEXT, 'a.ann', { doc: A, author: 'importer', now: new Date(T0) });
    const quote = new Map(back.annotations.map((a) => [a.id, a.target.quote.exact]));
    assert.deepEqual(back.annotations.flatMap((a) => (a.relations ?? []).map((r) => `${a.kind} ${r.type} ${quote.get(r.to)} ${r.author}`)).sort(), [
      'entity supports The minister said inflation fell to 3.2 percent importer',
      'figure same-as 3.2 percent importer',
      'figure supports The minister said inflation fell to 3.2 percent importer',
      'figure supports The minister said inflation fell to 3.2 percent importer',
    ]);
    const equiv = parseBrat(
      'T1\tentity 0 3\tone\nT2\tentity 4 7\ttwo\nT3\tentity 8 13\tthree\n*\tsame-as T1 T2 T3\nR1\tsupports Arg1:T1 Arg2:E9\n',
      'one two three',
      'e.ann',
      {
        doc: 'e.txt',
      },
    );
    assert.deepEqual(equiv.annotations[0].relations?.map((r) => [r.type, equiv.annotations.findIndex((a) => a.id === r.to)]).sort(), [
      ['same-as', 1],
      ['same-as', 2],
    ]);
    assert.match(equiv.warnings.join('\n'), /e\.ann:5: R1 joins E9, which is not a text-bound annotation; left out/);
    assert.throws(() => parseBrat('T1\tentity 0 3\tone\nR1\tsupports T1 T1\n', 'one', 'r.ann', { doc: 'r.txt' }), /R1 is not "TYPE Arg1:T<n> Arg2:T<n>"/);
  });
});

describe('relations in the CSV export', () => {
  it('writes an edge list beside the annotations (renderExport, x.csv → x.relations.csv), and reads it back onto the annotations', () => {
    const { docs, critic, claim } = linkedCorpus();
    const rendered = renderExport('csv', { documents: docs, generated: GENERATED });
    assert.equal(rendered.kind, 'file');
    assert.equal(rendered.kind === 'file' && rendered.beside?.length, 1);
    const beside = rendered.kind === 'file' ? rendered.beside![0] : undefined;
    assert.equal(beside?.path('/tmp/out/x.csv'), '/tmp/out/x.relations.csv');
    assert.equal(csvRelationsPath('x.CSV'), 'x.relations.csv');
    assert.equal(csvRelationsPath('x.data'), 'x.data.relations.csv');
    const edges = exportCsvRelations({ documents: docs });
    assert.equal(beside?.text, edges);
    const rows = edges.split('\r\n');
    assert.equal(rows[0], 'from,type,to,from_document,to_document,author,created');
    assert.ok(rows.includes(`${critic.id},contradicts,${claim.id},${B},${A},Ann Analyst,${T0}`), edges);
    assert.ok(
      rows.some((r) => r.endsWith(`,supports,${GONE},${A},,Ann Analyst,${T0}`)),
      'the end that is gone has no document',
    );
    assert.ok(rows.includes(`${docs[0].annotations[2].id},supports,${claim.id},${A},${A},"Bo ""the checker"" <b@x>",2026-11-21T08:00:00.000Z`));
    assert.equal(rows.length, 1 + 6 + 1, 'a header, six relations, and the end of the last row');
    const back = parseCsvRelations(edges, 'x.relations.csv', parseCsv(exportCsv({ documents: docs }), 'x.csv'));
    assert.deepEqual(relationsOf(back), relationsOf(docs));
    assert.equal(exportCsvRelations({ documents: [{ path: A, text: A_TEXT, annotations: [] }] }), 'from,type,to,from_document,to_document,author,created\r\n');
  });

  it('refuses an edge list whose start is not in the annotations file, a bad id or type, a relation to itself or twice, naming the row', () => {
    const { docs, claim } = linkedCorpus();
    const annotations = (): ReturnType<typeof parseCsv> => parseCsv(exportCsv({ documents: docs }), 'x.csv');
    const edges = exportCsvRelations({ documents: docs });
    const fail = (source: string, why: RegExp, line: number): void =>
      assert.throws(
        () => parseCsvRelations(source, 'x.relations.csv', annotations()),
        (e: unknown) => e instanceof ExportFormatError && e.file === 'x.relations.csv' && why.test(e.message) && e.line === line,
        String(why),
      );
    fail(edges.replace(claim.id.slice(0, 10), 'ZZZZZZZZZZ'), /row 1: .* is no annotation of the annotations file|row 1: to must be/, 2);
    const lines = edges.split('\r\n');
    fail([lines[0], lines[1], lines[1], ''].join('\r\n'), /row 2 repeats the relation/, 3);
    fail([lines[0], lines[1].replace(/,supports,/, ',sup ports,'), ''].join('\r\n'), /row 1: type must be/, 2);
    fail('from,type,to\r\n', /lacks author, created/, 1);
    fail([lines[0], lines[1].replace(`,${claim.id},`, `,${lines[1].split(',')[0]},`), ''].join('\r\n'), /links annotation .* to itself/, 2);
  });
});

describe('importing relations into a workspace', () => {
  it('adds the relations an export carries to the annotations stored here, never removing one; a re-import changes nothing', async () => {
    const { docs, claim, fig1 } = linkedCorpus();
    const fs = new MemoryFs({ [A]: A_TEXT, [B]: B_TEXT });
    const store = new AnnotationStore(fs);
    // Here: the same annotations, without the export's relations, and one relation the export lacks.
    const here = docs.map((d) => ({ ...d, annotations: d.annotations.map((a) => withRelations(a, a.id === claim.id ? [rel('quotes', fig1.id)] : undefined)) }));
    for (const d of here) await store.update(d.path, { upsert: d.annotations });
    const imported = parseExportYaml(exportYaml({ documents: docs, generated: GENERATED }), 'x.yaml');
    const plan = await planImport(store, imported, async () => [A, B]);
    assert.deepEqual(
      plan.documents.map((p) => [p.doc, p.added.length, p.keptHere.length, p.relationsAdded]),
      [
        [A, 0, 4, 5],
        [B, 0, 1, 1],
      ],
    );
    await applyImport(store, plan);
    const stored = [{ annotations: await store.loadDoc(A) }, { annotations: await store.loadDoc(B) }];
    assert.deepEqual(relationsOf(stored), [...relationsOf(docs), `${claim.id} quotes ${fig1.id} Ann Analyst ${T0}`].sort(), 'the export’s and ours');
    const again = await planImport(store, imported, async () => [A, B]);
    assert.deepEqual(
      again.documents.map((p) => p.relationsAdded),
      [0, 0],
    );
    assert.equal(defaultCodebook().relations, undefined);
  });
});

describe('relations in the REFI-QDA export', () => {
  it('writes a Link per relation between two exported selections (OneWay for a directed type, Associative for a symmetric one) and warns about one to an annotation left out', () => {
    const { docs, claim, fig1, fig2, entity } = linkedCorpus();
    const warnings: string[] = [];
    const { xml } = projectXml({ documents: docs, codebook: defaultCodebook(), warn: (w) => warnings.push(w) });
    const links = xml.split('\n').filter((l) => l.includes('<Link '));
    assert.equal(links.length, 5);
    assert.ok(
      links.some((l) => l.includes(`name="same-as" direction="Associative" originGUID="${selectionGuid(fig2.id)}" targetGUID="${selectionGuid(fig1.id)}"`)),
    );
    assert.ok(
      links.some((l) => l.includes(`name="supports" direction="OneWay" originGUID="${selectionGuid(entity.id)}" targetGUID="${selectionGuid(claim.id)}"`)),
    );
    assert.deepEqual(warnings, [`the supports relation from ${entity.id} to ${GONE} is left out of the REFI-QDA export: ${GONE} is not in it`]);
  });

  it('reads the Links back as relations of the same type between the same annotations, and a workspace import merges them', async () => {
    const { docs } = linkedCorpus();
    const bytes = exportQdpx({ documents: docs, codebook: defaultCodebook(), projectName: 'linked' });
    const imp = buildRefiImport(await readRefiQda(bytes, 'linked.qdpx'), { dir: '', codebook: defaultCodebook(), author: 'me', now: new Date(T0) });
    assert.deepEqual(imp.newRelationTypes, []);
    const key = (list: { annotations: readonly Annotation[] }[]): string[] =>
      list.flatMap((d) => d.annotations.flatMap((a) => (a.relations ?? []).map((r) => `${a.id} ${r.type} ${r.to}`))).sort();
    const expected = key(docs).filter((k) => !k.endsWith(GONE));
    assert.deepEqual(key(imp.documents), expected);
    // Links carry no author or time: a relation takes its start's.
    for (const d of imp.documents) for (const a of d.annotations) for (const r of a.relations ?? []) assert.equal(r.author, a.provenance.author);
    const fs = new MemoryFs();
    const store = new AnnotationStore(fs);
    await applyRefiImport(
      store,
      await planRefiImport(
        store,
        imp,
        async () => {},
        async () => [],
      ),
    );
    const { docs: stored } = await store.loadAll();
    assert.deepEqual(key([...stored.values()].map((annotations) => ({ annotations }))), expected);
  });
});
