// The REFI-QDA export and import: every export valid against the standard's XML Schemas (xmllint), positions in code
// points, deterministic bytes, a round trip through an empty workspace that gives the same project.qde back, nested
// codes as parent/child kinds, and a codebook another tool (ATLAS.ti) wrote.
import * as assert from 'node:assert/strict';
import { unzipSync, zipSync, strToU8 } from 'fflate';
import { codePointToUtf16, type Annotation } from '../../../src/core/model';
import {
  applyRefiImport,
  buildRefiImport,
  exportQdc,
  exportQdpx,
  kindPart,
  nameGuid,
  planRefiImport,
  plainDecimal,
  projectXml,
  readRefiQda,
  renderExport,
  selectionGuid,
  sourcePath,
  ImportError,
  type ExportInputDocument,
  type RefiImport,
} from '../../../src/core/formats';
import { AnnotationStore, CODEBOOK_PATH, addKind, defaultCodebook, parseCodebook, serializeCodebook, type Codebook } from '../../../src/core/store';
import { buildCorpus, sampleCodebook, GENERATED, PEMOJI, EMOJI_TEXT } from '../../fixtures/formats/sampleCorpus';
import { MemoryFs } from '../../support/memoryFs';
import { fixture, schemaErrors } from '../../support/refiSchema';

const NOW = new Date('2026-12-01T12:00:00.000Z');

function qde(bytes: Uint8Array): string {
  return Buffer.from(unzipSync(bytes)['project.qde']).toString('utf8');
}

/** The fixture corpus as a store would export it: everything but the document missing on disk keeps its text. */
function corpusInput(): { documents: ExportInputDocument[]; codebook: Codebook; warnings: string[] } {
  const warnings: string[] = [];
  return { documents: buildCorpus(), codebook: sampleCodebook(), warnings };
}

/** Imports `bytes` into `fs` (a workspace) the way the CLI does, with every document a corpus document. */
async function importInto(fs: MemoryFs, bytes: Uint8Array, dir = ''): Promise<RefiImport> {
  const store = new AnnotationStore(fs);
  const project = await readRefiQda(bytes, 'project.qdpx');
  const imp = buildRefiImport(project, { dir, codebook: await store.loadCodebook(), author: 'importer', now: NOW });
  const plan = await planRefiImport(
    store,
    imp,
    async () => {},
    async () => [],
  );
  await applyRefiImport(store, plan);
  return imp;
}

/** Exports what a workspace holds (the documents and annotations the store has), as the CLI would. */
async function exportWorkspace(fs: MemoryFs, paths: readonly string[], projectName: string): Promise<Uint8Array> {
  const store = new AnnotationStore(fs);
  const documents: ExportInputDocument[] = [];
  for (const p of paths) documents.push({ path: p, text: fs.text(p), annotations: await store.loadDoc(p) });
  return exportQdpx({ documents, codebook: await store.loadCodebook(), projectName });
}

describe('REFI-QDA export', () => {
  it('writes a .qdpx whose project.qde is valid against Project.xsd, with each text in sources/ and nothing else', async () => {
    const { documents, codebook, warnings } = corpusInput();
    const bytes = exportQdpx({ documents, codebook, projectName: 'corpus', warn: (w) => warnings.push(w), generated: GENERATED });
    const files = unzipSync(bytes);
    const xml = qde(bytes);
    assert.deepEqual(await schemaErrors(xml, 'Project.xsd'), []);
    const withText = documents.filter((d) => d.text !== undefined);
    assert.deepEqual(Object.keys(files).sort(), ['project.qde', ...withText.map((d) => `sources/${nameGuid(`source:${d.path}`)}.txt`)].sort());
    for (const d of withText) assert.equal(Buffer.from(files[`sources/${nameGuid(`source:${d.path}`)}.txt`]).toString('utf8'), d.text);
    // The orphan and the annotation of the missing document are left out, each with a warning.
    assert.equal(warnings.length, 2, warnings.join('\n'));
    assert.ok(warnings.some((w) => /orphaned/.test(w)));
    assert.ok(warnings.some((w) => /missing on disk/.test(w)));
  });

  it('counts positions in code points of the plain text, so astral characters (emoji) count once', () => {
    const { documents, codebook } = corpusInput();
    const { xml } = projectXml({ documents, codebook });
    const emoji = documents.find((d) => d.path === PEMOJI) as ExportInputDocument;
    for (const a of emoji.annotations) {
      const m = new RegExp(`<PlainTextSelection guid="${selectionGuid(a.id)}"[^>]* startPosition="(\\d+)" endPosition="(\\d+)"`).exec(xml);
      assert.ok(m, `selection of ${a.id}`);
      const [start, end] = [Number(m[1]), Number(m[2])];
      assert.equal([...EMOJI_TEXT].slice(start, end).join(''), a.target.quote.exact);
      assert.equal(codePointToUtf16(EMOJI_TEXT, start), a.target.start);
      assert.notEqual(start, a.target.start, 'the emoji before the passage make the two units differ');
    }
  });

  it('gives the same bytes when the same annotations are exported again (GUIDs from ids, fixed zip times)', async () => {
    const input = corpusInput();
    const first = exportQdpx({ ...input, projectName: 'corpus' });
    await new Promise((r) => setTimeout(r, 1100));
    const second = exportQdpx({ ...structuredClone(input), projectName: 'corpus' });
    assert.deepEqual(Buffer.from(second), Buffer.from(first));
  });

  it('maps the codebook: kinds as codes with colour and description, attribute fields as variables, values in cases', () => {
    const { documents, codebook } = corpusInput();
    const { xml } = projectXml({ documents, codebook });
    assert.match(xml, /<Code guid="[0-9A-F-]{36}" name="claim" isCodable="true" color="#f5a623">\n\s*<Description>A statement presented as fact/);
    assert.match(xml, /<Variable guid="[0-9A-F-]{36}" name="figure\.value" typeOfVariable="Float">/);
    assert.match(xml, /<Variable guid="[0-9A-F-]{36}" name="source-quote\.verified" typeOfVariable="Boolean"\/>/);
    assert.match(xml, /<VariableValue>\n\s*<VariableRef targetGUID="[0-9A-F-]{36}"\/>\n\s*<FloatValue>1000000000<\/FloatValue>/);
    // Notes: one per annotation with a note, referenced from its selection; CRs survive as character references.
    assert.match(xml, /<PlainTextContent>Spans a CRLF\.&#13;\nNote with CRLF too\.<\/PlainTextContent>/);
  });

  it('nests a kind parent/child inside its parent code (a parent that is no kind cannot be coded), valid in both schemas', async () => {
    const cb = parseCodebook(
      serializeCodebook({
        kinds: [
          { name: 'Barriers', colour: '#112233', description: 'Obstacles', attributes: [] },
          { name: 'Barriers/Cost', colour: '#445566', description: '', attributes: [] },
          { name: 'Themes/Trust', colour: '#778899', description: 'Who people trust', attributes: [] },
        ],
      }),
    );
    const qdc = exportQdc(cb);
    assert.deepEqual(await schemaErrors(qdc, 'Codebook.xsd'), []);
    assert.match(
      qdc,
      /<Code guid="[^"]+" name="Barriers" isCodable="true" color="#112233">\n\s*<Description>Obstacles<\/Description>\n\s*<Code guid="[^"]+" name="Cost"/,
    );
    assert.match(qdc, /<Code guid="[^"]+" name="Themes" isCodable="false">\n\s*<Code guid="[^"]+" name="Trust" isCodable="true" color="#778899">/);
    const text = 'Cost is the first barrier.\n';
    const a: Annotation = {
      id: '01JD0000000000000000000001',
      kind: 'Barriers/Cost',
      doc: 'a.txt',
      target: { start: 0, end: 4, quote: { exact: 'Cost', prefix: '', suffix: ' is the first' } },
      note: '',
      attributes: {},
      provenance: { author: 'Ann', created: '2026-11-20T09:30:00.000Z', modified: '2026-11-20T09:30:00.000Z', tool: 'marginalia 0.1.0', docHash: 'sha256:x' },
      anchor: { status: 'anchored' },
    };
    const { xml } = projectXml({ documents: [{ path: 'a.txt', text, annotations: [a] }], codebook: cb });
    assert.deepEqual(await schemaErrors(xml, 'Project.xsd'), []);
  });

  it('renderExport: qdpx is a binary export, qdc a text file valid against Codebook.xsd', async () => {
    const { documents, codebook } = corpusInput();
    const qdpx = renderExport('qdpx', { documents, codebook, projectName: 'p' });
    assert.equal(qdpx.kind, 'binary');
    const qdc = renderExport('qdc', { documents, codebook });
    assert.equal(qdc.kind, 'file');
    if (qdc.kind === 'file') assert.deepEqual(await schemaErrors(qdc.text, 'Codebook.xsd'), []);
  });

  it('writes numbers as xsd:decimal, never with an exponent', () => {
    assert.equal(plainDecimal(1e21), '1000000000000000000000');
    assert.equal(plainDecimal(1.5e-7), '0.00000015');
    assert.equal(plainDecimal(-2.5e22), '-25000000000000000000000');
    assert.equal(plainDecimal(0.8), '0.8');
  });
});

describe('REFI-QDA import', () => {
  it('round trip: export, import into an empty workspace, export again: the same project.qde, texts, codes and selections', async () => {
    const { documents, codebook } = corpusInput();
    const first = exportQdpx({ documents, codebook, projectName: 'corpus' });
    // The target workspace shares the codebook (its kinds' fields are what the variables describe).
    const fs = new MemoryFs({ [CODEBOOK_PATH]: serializeCodebook(codebook) });
    const imp = await importInto(fs, first);
    const exported = documents.filter((d) => d.text !== undefined);
    assert.deepEqual(imp.documents.map((d) => d.path).sort(), exported.map((d) => d.path).sort());
    for (const d of exported) assert.equal(fs.text(d.path), d.text, `text of ${d.path}`);
    // Every selection carried its text as its name, and each landed exactly there.
    assert.equal(imp.compared, imp.annotations);
    assert.equal(imp.exact, imp.annotations);
    const second = await exportWorkspace(
      fs,
      exported.map((d) => d.path),
      'corpus',
    );
    assert.equal(qde(second), qde(first));
    assert.deepEqual(Buffer.from(second), Buffer.from(first));
  });

  it('into an empty workspace without a codebook: same codes, selections (ids, kinds, passages, authors, times, notes, attributes) and texts', async () => {
    const { documents, codebook } = corpusInput();
    const bytes = exportQdpx({ documents, codebook, projectName: 'corpus' });
    const fs = new MemoryFs();
    const imp = await importInto(fs, bytes, 'corpus');
    assert.deepEqual(imp.newKinds, ['source-quote']);
    const cb = parseCodebook(fs.text(CODEBOOK_PATH) as string);
    assert.deepEqual(
      cb.kinds.map((k) => k.name),
      ['claim', 'figure', 'entity', 'source-quote'],
    );
    const sq = cb.kinds.find((k) => k.name === 'source-quote');
    assert.equal(sq?.colour, '#bb6bd9');
    assert.deepEqual(
      sq?.attributes.map((f) => `${f.name}:${f.type}`),
      ['verified:boolean', 'confidence:number', 'stance:string'],
    );
    const store = new AnnotationStore(fs);
    for (const d of documents) {
      const kept = d.text === undefined ? [] : d.annotations.filter((a) => a.anchor.status !== 'orphaned');
      const got = d.text === undefined ? [] : await store.loadDoc(`corpus/${d.path}`);
      const view = (a: Annotation): unknown => [a.id, a.kind, a.target, a.note, a.attributes, a.provenance.author, a.provenance.created, a.provenance.modified];
      assert.deepEqual(got.map(view).sort(), kept.map(view).sort(), d.path);
    }
  });

  it('turns nested codes into parent/child kinds and names from other tools into kind names', () => {
    assert.equal(kindPart('Perceived susceptibility'), 'Perceived-susceptibility');
    assert.equal(kindPart('04 Barrières'), 'c04-Barrieres');
    assert.equal(kindPart('???'), 'code');
    assert.equal(sourcePath('Study', 'Interview 1'), 'Study/Interview 1.txt');
    assert.equal(sourcePath('', '../x/notes.md'), 'x/notes.md');
    assert.equal(sourcePath('Study', 'a:b?.txt'), 'Study/a-b-.txt');
    // Kind names with / are kinds like any other in the codebook; empty or leading parts are not.
    assert.equal(addKind(defaultCodebook(), { name: 'Barriers/Cost' }).kinds.at(-1)?.name, 'Barriers/Cost');
    assert.throws(() => addKind(defaultCodebook(), { name: 'Barriers//Cost' }), /cannot be a kind name/);
    assert.throws(() => addKind(defaultCodebook(), { name: '/Cost' }), /cannot be a kind name/);
  });

  it('imports a project shaped like an NVivo export: nested codes, text as internal://GUID.txt, selections in code points, users, notes, links', async () => {
    const text = '😀 The vaccine question came up repeatedly. 🇷🇺 Trust was low.\n';
    const cp = [...text];
    const span = (s: string): [number, number] => {
      const i = [...text.slice(0, text.indexOf(s))].length;
      return [i, i + [...s].length];
    };
    const [s1, e1] = span('vaccine question');
    const [s2, e2] = span('Trust was low');
    assert.equal(cp.slice(s2, e2).join(''), 'Trust was low');
    const qdeXml = `<?xml version="1.0" encoding="utf-8"?>
<Project xmlns:xsd="http://www.w3.org/2001/XMLSchema" name="Vaccines study" origin="NVivo-shaped test" xmlns="urn:QDA-XML:project:1.0">
  <Users><User guid="8ca3a2c1-8b7a-41c3-a9dd-a8fb46caa645" name="Coder One"/></Users>
  <CodeBook><Codes>
    <Code guid="3c51efbb-071f-43a7-9f32-228b89668e8d" name="Perceived susceptibility" isCodable="false">
      <Code guid="4d62f0cc-182f-44b8-a043-339c90779e9e" name="Personal risk" isCodable="true" color="#F00"/>
    </Code>
    <Code guid="5e62f0cc-182f-44b8-a043-339c90779e9e" name="Trust" isCodable="true"><Description>Who people trust</Description></Code>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="56a79789-d535-4fb8-bedd-a915504c54ba" name="videos_selection" richTextPath="internal://56a79789-d535-4fb8-bedd-a915504c54ba.docx" plainTextPath="internal://56a79789-d535-4fb8-bedd-a915504c54ba.txt">
      <PlainTextSelection guid="fd960901-8191-4db1-a3dd-a91626d56c4b" name="vaccine question" startPosition="${s1}" endPosition="${e1}" creatingUser="8ca3a2c1-8b7a-41c3-a9dd-a8fb46caa645" creationDateTime="2025-06-11T16:24:07Z">
        <Coding guid="aa960901-8191-4db1-a3dd-a91626d56c4b"><CodeRef targetGUID="4d62f0cc-182f-44b8-a043-339c90779e9e"/></Coding>
        <NoteRef targetGUID="11111111-2222-3333-4444-555555555555"/>
      </PlainTextSelection>
      <PlainTextSelection guid="fd960901-8191-4db1-a3dd-a91626d56c4c" name="Trust was low" startPosition="${s2}" endPosition="${e2}">
        <Coding guid="aa960901-8191-4db1-a3dd-a91626d56c4c"><CodeRef targetGUID="5e62f0cc-182f-44b8-a043-339c90779e9e"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="fd960901-8191-4db1-a3dd-a91626d56c4d" startPosition="900" endPosition="950">
        <Coding guid="aa960901-8191-4db1-a3dd-a91626d56c4d"><CodeRef targetGUID="5e62f0cc-182f-44b8-a043-339c90779e9e"/></Coding>
      </PlainTextSelection>
    </TextSource>
    <PDFSource guid="66a79789-d535-4fb8-bedd-a915504c54ba" name="Report.pdf" path="internal://66a79789-d535-4fb8-bedd-a915504c54ba.pdf"/>
    <TextSource guid="76a79789-d535-4fb8-bedd-a915504c54ba" name="Transcript.docx" richTextPath="internal://76a79789-d535-4fb8-bedd-a915504c54ba.docx"/>
  </Sources>
  <Notes><Note guid="11111111-2222-3333-4444-555555555555" name="memo"><PlainTextContent>Asked twice.</PlainTextContent></Note></Notes>
  <Links><Link guid="22222222-2222-3333-4444-555555555555" name="explains" direction="OneWay" originGUID="fd960901-8191-4db1-a3dd-a91626d56c4c" targetGUID="fd960901-8191-4db1-a3dd-a91626d56c4b"/></Links>
</Project>`;
    assert.deepEqual(await schemaErrors(qdeXml, 'Project.xsd'), []);
    const zip = zipSync({ 'project.qde': strToU8(qdeXml), 'sources/56a79789-d535-4fb8-bedd-a915504c54ba.txt': strToU8(text) });
    const fs = new MemoryFs();
    const imp = await importInto(fs, zip, 'Vaccines study');
    assert.deepEqual(imp.newKinds, ['Perceived-susceptibility/Personal-risk', 'Trust']);
    assert.equal(imp.newRelationTypes[0], 'explains');
    assert.equal(imp.compared, 2);
    assert.equal(imp.exact, 2);
    assert.ok(imp.skipped.some((s) => s.startsWith('Report.pdf (PDF)')));
    assert.ok(imp.skipped.some((s) => s.startsWith('Transcript.docx: only rich text')));
    assert.ok(imp.skipped.some((s) => /not a passage of its \d+ code points/.test(s)));
    const doc = 'Vaccines study/videos_selection.txt';
    assert.equal(fs.text(doc), text);
    const annotations = await new AnnotationStore(fs).loadDoc(doc);
    assert.equal(annotations.length, 2);
    const risk = annotations.find((a) => a.kind === 'Perceived-susceptibility/Personal-risk') as Annotation;
    assert.equal(text.slice(risk.target.start, risk.target.end), 'vaccine question');
    assert.equal(risk.provenance.author, 'Coder One');
    assert.equal(risk.provenance.created, '2025-06-11T16:24:07.000Z');
    assert.equal(risk.note, 'Asked twice.');
    const trust = annotations.find((a) => a.kind === 'Trust') as Annotation;
    assert.equal(text.slice(trust.target.start, trust.target.end), 'Trust was low');
    assert.equal(trust.provenance.author, 'importer');
    assert.deepEqual(
      trust.relations?.map((r) => `${r.type} ${r.to}`),
      [`explains ${risk.id}`],
    );
    const cb = parseCodebook(fs.text(CODEBOOK_PATH) as string);
    assert.equal(cb.kinds.find((k) => k.name === 'Perceived-susceptibility/Personal-risk')?.colour, '#ff0000');
    assert.equal(cb.kinds.find((k) => k.name === 'Trust')?.description, 'Who people trust');
    assert.deepEqual(cb.relations?.find((t) => t.name === 'explains')?.direction, 'directed');
  });

  it('reads a source’s text from a relative plainTextPath: in the archive, else beside the project file (never above it)', async () => {
    const qdeXml = (path: string): string =>
      '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="p"><CodeBook><Codes>' +
      '<Code guid="code-001" name="Theme A" isCodable="true"/></Codes></CodeBook><Sources>' +
      `<TextSource guid="source-001" name="Document 1" plainTextPath="${path}">` +
      '<PlainTextSelection guid="sel-001" startPosition="12" endPosition="19"><Coding guid="c-1"><CodeRef targetGUID="code-001"/></Coding></PlainTextSelection>' +
      '</TextSource></Sources></Project>';
    const text = 'This is the content.';
    const inZip = await readRefiQda(zipSync({ 'project.qde': strToU8(qdeXml('doc1.txt')), 'doc1.txt': strToU8(text) }), 'p.qdpx');
    assert.equal(inZip.sources[0].text, text);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const wide = await readRefiQda(zipSync({ 'project.qde': strToU8(qdeXml('doc1.txt')), 'doc1.txt': utf16 }), 'p.qdpx');
    assert.equal(wide.sources[0].text, text, 'a text written as UTF-16 with its byte order mark');
    const asked: string[] = [];
    const beside = await readRefiQda(zipSync({ 'project.qde': strToU8(qdeXml('texts/doc1.txt')) }), 'p.qdpx', async (p) => {
      asked.push(p);
      return p === 'texts/doc1.txt' ? strToU8(text) : undefined;
    });
    assert.deepEqual(asked, ['texts/doc1.txt']);
    const imp = buildRefiImport(beside, { dir: 'p', codebook: defaultCodebook(), author: 'me', now: NOW });
    const [a] = imp.documents[0].annotations;
    assert.equal(text.slice(a.target.start, a.target.end), 'content');
    assert.equal(a.kind, 'Theme-A');
    // internal:// names the archive only: nothing is read from outside for it.
    const missing = await readRefiQda(zipSync({ 'project.qde': strToU8(qdeXml('internal://gone.txt')) }), 'p.qdpx', async () => strToU8('outside'));
    assert.equal(missing.sources[0].text, undefined);
    assert.match(missing.sources[0].missing ?? '', /internal:\/\/gone\.txt is not in p\.qdpx/);
  });

  it('imports the project requal (another QDA tool) tests its importer on: both codings and the memo on exactly the passages requal expects', async () => {
    const project = await readRefiQda(fixture('requal-test-project.qde'), 'requal-test-project.qde');
    const fs = new MemoryFs();
    const store = new AnnotationStore(fs);
    const imp = buildRefiImport(project, { dir: 'requal', codebook: await store.loadCodebook(), author: 'me', now: NOW });
    await applyRefiImport(
      store,
      await planRefiImport(
        store,
        imp,
        async () => {},
        async () => [],
      ),
    );
    assert.deepEqual(imp.newKinds, ['Theme-A', 'Theme-B', 'memo']);
    const doc = 'requal/Document 1.txt';
    const text = fs.text(doc) as string;
    assert.equal(text, 'This is the content of the first document. It contains some text that will be coded.');
    const got = (await store.loadDoc(doc)).map((a) => [a.kind, text.slice(a.target.start, a.target.end), a.note, a.provenance.author]);
    assert.deepEqual(got, [
      ['Theme-A', 'This is the content of the firs', '', 'Admin User'],
      ['Theme-B', ' document. It contains ', '', 'Admin User'],
      // requal's own test: the memo segment's text is "that will be coded".
      ['memo', 'that will be coded', 'This is a test note.', 'me'],
    ]);
    const cb = parseCodebook(fs.text(CODEBOOK_PATH) as string);
    assert.equal(cb.kinds.find((k) => k.name === 'Theme-A')?.description, 'Theme A: First theme');
    assert.equal(cb.kinds.find((k) => k.name === 'Theme-A')?.colour, '#ffff00');
  });

  it('imports a codebook ATLAS.ti wrote (.qdc): its codes become kinds with their colour and description', async () => {
    const bytes = fixture('atlasti-23.4-codebook.qdc');
    assert.deepEqual(await schemaErrors(bytes.toString('utf8'), 'Codebook.xsd'), []);
    const project = await readRefiQda(bytes, 'atlasti-23.4-codebook.qdc');
    assert.equal(project.type, 'codebook');
    assert.equal(project.origin, 'ATLAS.ti Win 23.4.0');
    const imp = buildRefiImport(project, { dir: '', codebook: defaultCodebook(), author: 'me', now: NOW });
    assert.deepEqual(imp.newKinds, ['code1']);
    assert.deepEqual(imp.documents, []);
    const k = imp.codebook?.kinds.find((x) => x.name === 'code1');
    assert.equal(k?.colour, '#46aa00');
    assert.equal(k?.description, 'description');
  });

  it('checks everything before the first write: a document already there with another text stops the import, nothing written', async () => {
    const { documents, codebook } = corpusInput();
    const bytes = exportQdpx({ documents, codebook, projectName: 'corpus' });
    const target = documents[1].path;
    const fs = new MemoryFs({ [target]: 'Another text altogether.\n' });
    const before = new Map(fs.files);
    await assert.rejects(importInto(fs, bytes), (e: unknown) => e instanceof ImportError && e.message.includes(target) && /another text/.test(e.message));
    assert.equal(fs.writes, 0);
    assert.deepEqual(fs.files, before);
  });

  it('refuses what is no REFI-QDA project: a zip without project.qde, broken XML, a DOCTYPE', async () => {
    await assert.rejects(readRefiQda(zipSync({ 'a.txt': strToU8('x') }), 'x.qdpx'), /without project\.qde/);
    await assert.rejects(readRefiQda(strToU8('<Project name="x"><Sources></Project>'), 'x.qde'), /XML is broken/);
    await assert.rejects(readRefiQda(strToU8('<!DOCTYPE P [<!ENTITY e "x">]><Project name="&e;"/>'), 'x.qde'), /DOCTYPE/);
  });
});
