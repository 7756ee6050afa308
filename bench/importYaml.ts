// Workload 6: importing a YAML export back, as `marginalia import` does. Two workspaces are written in the store's own
// format (not timed): 10,000 documents with 100,000 annotations, and 10,000 longer ones with 1,000,000. Each is exported
// to a YAML file with writeExportYaml, then the sidecars of every other document are deleted, so that the import finds
// half of its annotations stored (kept as stored) and restores the other half (written): a backup brought back.
// Ours reads the file a document at a time (YamlExportSource: the writer's form line by line), plans from summaries
// and reads it again to write (planImportStream, applyImportStream); the alternative is the whole-file reading the
// import used before: the file as one string, parseExportYaml, planImport over every annotation, applyImport. Each
// variant runs in its own process (peak RSS is its own) and puts the workspace back as it found it afterwards.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AnnotationStore, listCorpus, readDocument, serializeSidecar, sidecarPathFor } from '../src/core/store';
import { contentHash, makeQuote, type Annotation, type Attributes } from '../src/core/model';
import {
  YamlExportSource,
  applyImport,
  applyImportStream,
  parseExportYaml,
  planImport,
  planImportStream,
  summariseImport,
  writeExportYaml,
  type ImportSummary,
} from '../src/core/formats';
import { NodeWorkspaceFs, readRegularFile, readRegularFileChunks } from '../src/node';
import { corpusSource, mulberry32, pick, placeAnnotations, randInt, synthText } from '../test/support/editGenerator';
import { emit, fingerprint, now, seededId } from './support';

const WORKLOAD = 'import';
const GENERATED = new Date('2026-01-01T00:00:00.000Z');

interface Shape {
  name: string;
  docs: number;
  perDoc: number;
  size: number;
}

function shapes(quick: boolean): { small: Shape; large: Shape } {
  return quick
    ? { small: { name: '10k', docs: 1_000, perDoc: 10, size: 3_000 }, large: { name: '50k', docs: 2_000, perDoc: 25, size: 4_000 } }
    : { small: { name: '100k', docs: 10_000, perDoc: 10, size: 3_000 }, large: { name: '1m', docs: 10_000, perDoc: 100, size: 8_000 } };
}

function dirs(shape: Shape): { root: string; file: string } {
  const root = path.join(os.tmpdir(), `marginalia-bench-import-${shape.name}`);
  return { root, file: `${root}-export.yaml` };
}

const AUTHORS = ['alice', 'bob', 'chen', 'dmitri', 'eva'];
const SPEAKERS = ['Vladimir Putin', 'German Gref', 'Dmitry Peskov', 'Sberbank', 'the Ministry of Digital Development'];

function docPath(d: number): string {
  return `corpus/${String(d % 50).padStart(2, '0')}/article-${String(d).padStart(5, '0')}.txt`;
}

/** One workspace and its export; then the sidecars of the odd documents are deleted. */
async function generateOne(shape: Shape, seed: number): Promise<{ annotations: number; bytes: number; input: string }> {
  const { root, file } = dirs(shape);
  fs.rmSync(root, { recursive: true, force: true });
  const source = corpusSource();
  const rng = mulberry32(seed);
  const fsys = new NodeWorkspaceFs(root);
  const store = new AnnotationStore(fsys);
  const write = (rel: string, data: string): void => {
    const abs = path.join(root, ...rel.split('/'));
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, data);
  };
  const parts: string[] = [];
  const all: { path: string; annotations: Annotation[] }[] = [];
  let total = 0;
  for (let d = 0; d < shape.docs; d++) {
    const doc = docPath(d);
    const text = `Article Source: ${pick(rng, ['TASS', 'Reuters', 'RBC'])}\n` + synthText(rng, source.sentences, source.vocab, shape.size, 0.25);
    const hash = contentHash(text);
    const created = Date.UTC(2025, 0, 1) + d * 60_000;
    const annotations = placeAnnotations(rng, text, shape.perDoc).map((p, k): Annotation => {
      const attributes: Attributes = rng() < 0.5 ? { speaker: pick(rng, SPEAKERS) } : { value: randInt(rng, 1, 5000) / 10, approx: rng() < 0.5 };
      const when = new Date(created + k * 1000).toISOString();
      return {
        id: seededId(rng, created + k),
        kind: rng() < 0.5 ? 'claim' : 'figure',
        doc,
        target: { start: p.start, end: p.end, quote: makeQuote(text, p.start, p.end) },
        note: rng() < 0.2 ? 'check against the ministry figures\nand the second source' : rng() < 0.3 ? 'see p. 4' : '',
        attributes,
        provenance: { author: pick(rng, AUTHORS), created: when, modified: when, tool: 'marginalia 0.1.0', docHash: hash },
        anchor: { status: 'anchored' },
      };
    });
    write(doc, text);
    write(sidecarPathFor(doc), serializeSidecar(doc, annotations));
    write(store.snapshotPath(hash), text);
    all.push({ path: doc, annotations });
    total += annotations.length;
    parts.push(`${doc} ${hash}`);
  }
  const fh = await fs.promises.open(file, 'w');
  let bytes = 0;
  await writeExportYaml({ documents: all, generated: GENERATED, readText: (p) => readDocument(fsys, p) }, async (chunk) => {
    bytes += Buffer.byteLength(chunk);
    await fh.write(chunk);
  });
  await fh.close();
  forgetOddSidecars(shape);
  return { annotations: total, bytes, input: fingerprint(...parts) };
}

/** The state every variant starts from: the sidecars of the odd documents gone (the import restores them). */
function forgetOddSidecars(shape: Shape): void {
  const { root } = dirs(shape);
  for (let d = 1; d < shape.docs; d += 2) fs.rmSync(path.join(root, ...sidecarPathFor(docPath(d)).split('/')), { force: true });
}

export async function generate(quick: boolean): Promise<void> {
  const { small, large } = shapes(quick);
  for (const [shape, seed] of [
    [small, 6],
    [large, 7],
  ] as const) {
    const t = now();
    const g = await generateOne(shape, seed);
    emit({
      workload: WORKLOAD,
      method: `generate ${shape.name}`,
      ms: now() - t,
      unit: 'total',
      input: g.input,
      extra: { shape: shape.name, documents: shape.docs, annotations: g.annotations, megabytes: Math.round(g.bytes / 1e6) },
    });
  }
}

/** Runs one import, timed (wall and CPU), checks what it stored, and puts the workspace back. */
async function measure(
  shape: Shape,
  method: string,
  run: (store: AnnotationStore, fsys: NodeWorkspaceFs, file: string) => Promise<ImportSummary[]>,
): Promise<void> {
  const { root, file } = dirs(shape);
  const fsys = new NodeWorkspaceFs(root);
  const store = new AnnotationStore(fsys);
  const cpu0 = process.cpuUsage();
  const t = now();
  const summaries = await run(store, fsys, file);
  const ms = now() - t;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const annotations = summaries.reduce((n, s) => n + s.annotations, 0);
  const added = summaries.reduce((n, s) => n + s.added, 0);
  const kept = summaries.reduce((n, s) => n + s.keptHere, 0);
  let stored = 0;
  await store.loadEach((_doc, list) => (stored += list.length));
  if (stored !== annotations || added + kept !== annotations) {
    throw new Error(`${method}: ${annotations} annotations imported (${added} added, ${kept} kept), but ${stored} stored`);
  }
  const input = fingerprint(...(await listCorpus(fsys)).map((doc) => `${doc} ${contentHash(fs.readFileSync(path.join(root, doc), 'utf8'))}`));
  emit({
    workload: WORKLOAD,
    method,
    ms,
    unit: 'total',
    note: `CPU ${(cpuMs / 1000).toFixed(1)} s; ${annotations.toLocaleString('en')} annotations of ${summaries.length.toLocaleString('en')} documents, ${added.toLocaleString('en')} written, ${kept.toLocaleString('en')} kept as stored; export ${(fs.statSync(file).size / 1e6).toFixed(0)} MB`,
    input,
    extra: { shape: shape.name, cpuMs, annotations, documents: summaries.length },
  });
  forgetOddSidecars(shape);
}

/** What the CLI checks of each document's path before planning (a corpus document inside the workspace). */
async function vet(fsys: NodeWorkspaceFs, d: { path: string }): Promise<void> {
  await fsys.resolve(d.path);
}

async function streamed(store: AnnotationStore, fsys: NodeWorkspaceFs, file: string): Promise<ImportSummary[]> {
  const source = new YamlExportSource(() => readRegularFileChunks(file), file);
  const plan = await planImportStream(
    store,
    source,
    () => listCorpus(fsys),
    (d) => vet(fsys, d),
  );
  await applyImportStream(store, plan, source);
  return plan.documents;
}

export async function ours(quick: boolean): Promise<void> {
  const { small } = shapes(quick);
  await measure(small, `Marginalia: streamed import (${small.name})`, streamed);
}

export async function oursLarge(quick: boolean): Promise<void> {
  const { large } = shapes(quick);
  await measure(large, `Marginalia: streamed import (${large.name})`, streamed);
}

export async function alternative(quick: boolean): Promise<void> {
  const { small } = shapes(quick);
  await measure(small, `whole-file import: parseExportYaml + planImport (${small.name})`, async (store, fsys, file) => {
    const source = Buffer.from(await readRegularFile(file)).toString('utf8');
    const imported = parseExportYaml(source, file);
    for (const d of imported) await vet(fsys, d);
    const plan = await planImport(store, imported, () => listCorpus(fsys));
    await applyImport(store, plan);
    return plan.documents.map(summariseImport);
  });
}

export function clean(quick: boolean): void {
  for (const shape of Object.values(shapes(quick))) {
    const { root, file } = dirs(shape);
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(file, { force: true });
  }
}
