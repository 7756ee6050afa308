// Workload 4: a corpus at scale. 10,000 documents with 100,000 annotations are written to a temporary workspace
// folder in the store's own format (canonical sidecars from serializeSidecar, content-addressed snapshots; not
// timed), then: the store is loaded (AnnotationStore.loadAll over NodeWorkspaceFs), the Corpus view's first level is
// computed (summariseDocument for every document + buildCorpusTree, as src/host/corpusTree.ts does), and the whole
// corpus is exported as YAML to a file, as `marginalia export --out` does (writeExportYaml: each document's text read
// in its turn, the output written in pieces). The alternative serialises the same data in the same object shape with
// the `yaml` package's stringify, every text read first. Generation, ours and the alternative run in separate
// processes, so the peak memory of ours is that of a host holding the corpus and exporting it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { buildCorpusTree, summariseDocument, listCorpus, readDocument, serializeSidecar, sidecarPathFor, AnnotationStore } from '../src/core/store';
import { parseDocumentMetadata } from '../src/core/research';
import type { Annotation, Attributes } from '../src/core/model';
import { NodeWorkspaceFs } from '../src/node';
import { LineIndex, contentHash, makeQuote } from '../src/core/model';
import { writeExportYaml } from '../src/core/formats';
import { corpusSource, mulberry32, pick, placeAnnotations, randInt, synthText } from '../test/support/editGenerator';
import { SEARCH_LIMIT, SEARCH_QUERIES, searchEntries, searchNaive, searchOurs } from './search';
import {
  collect,
  collectGarbage,
  emit,
  fingerprint,
  heapAfterGcMb,
  median,
  now,
  seededId,
  peakRssMb,
  processCpuMs,
  timeRun,
  timeRunAsync,
  type Run,
  type Runs,
} from './support';

const WORKLOAD = 'corpus';
const GENERATED = new Date('2026-01-01T00:00:00.000Z');

function shape(quick: boolean): { docs: number; perDoc: number; size: number } {
  return quick ? { docs: 1_000, perDoc: 10, size: 3_000 } : { docs: 10_000, perDoc: 10, size: 3_000 };
}

export function corpusDir(quick: boolean): string {
  return path.join(os.tmpdir(), `marginalia-bench-corpus${quick ? '-quick' : ''}`);
}

const SOURCES = ['TMTPOST', 'Reuters', 'Interfax', 'TASS', 'Meduza', 'Kommersant', 'Vedomosti', 'RBC'];
const AUTHORS = ['alice', 'bob', 'chen', 'dmitri', 'eva'];
const SPEAKERS = ['Vladimir Putin', 'German Gref', 'Dmitry Peskov', 'Sberbank', 'the Ministry of Digital Development'];
const UNITS = ['trillion roubles', 'billion roubles', '%', 'billion dollars', 'companies'];

/** One generated document: its path, text and annotations in the store's shape. */
export interface GeneratedDocument {
  doc: string;
  text: string;
  hash: string;
  annotations: Annotation[];
}

/**
 * The corpus's documents, one at a time (nothing is kept between them, so a corpus of any size streams): seeded
 * articles of about `size` characters from the sample corpus's sentences, each with `perDoc` annotations of three
 * kinds with their attributes, a few re-anchored or orphaned, by five authors.
 */
export function* corpusDocuments(docs: number, perDoc: number, size: number, seed = 4): Generator<GeneratedDocument> {
  const source = corpusSource();
  const rng = mulberry32(seed);
  for (let d = 0; d < docs; d++) {
    const src = SOURCES[d % SOURCES.length];
    const doc = `corpus/${src.toLowerCase()}/${2019 + (d % 6)}/article-${String(d).padStart(5, '0')}.txt`;
    const text = `Article Source: ${src}\nAuthor: ${pick(rng, SPEAKERS)}\n` + synthText(rng, source.sentences, source.vocab, size, 0.25);
    const hash = contentHash(text);
    const created = Date.UTC(2025, 0, 1) + d * 60_000;
    const annotations: Annotation[] = placeAnnotations(rng, text, perDoc).map((p, k) => {
      const r = rng();
      const kind = r < 0.5 ? 'claim' : r < 0.8 ? 'figure' : 'entity';
      const attributes: Attributes =
        kind === 'claim'
          ? { speaker: pick(rng, SPEAKERS) }
          : kind === 'figure'
            ? { value: randInt(rng, 1, 5000) / 10, unit: pick(rng, UNITS) }
            : { type: pick(rng, ['person', 'organisation', 'place']), canonical: pick(rng, SPEAKERS) };
      const s = rng();
      const anchor: Annotation['anchor'] =
        s < 0.95
          ? { status: 'anchored' }
          : s < 0.98
            ? { status: 'reanchored', method: 'diff', detail: `moved ${randInt(rng, 1, 400)} characters forward` }
            : { status: 'orphaned', method: 'orphaned', detail: 'passage deleted (12% of its text kept)' };
      const when = new Date(created + k * 1000).toISOString();
      return {
        id: seededId(rng, created + k),
        kind,
        doc,
        target: { start: p.start, end: p.end, quote: makeQuote(text, p.start, p.end) },
        note: rng() < 0.3 ? 'check against the ministry figures' : '',
        attributes,
        provenance: { author: pick(rng, AUTHORS), created: when, modified: when, tool: 'marginalia 0.1.0', docHash: hash },
        anchor,
      };
    });
    yield { doc, text, hash, annotations };
  }
}

/**
 * Writes a corpus of `docs` documents into `root` as the store keeps it (documents, canonical sidecars and, with
 * `snapshots`, the content-addressed snapshots), one document at a time, the files written by libuv's threads while
 * the next documents are made (creating a file costs about a quarter of a millisecond here). Returns the input
 * fingerprint and sizes.
 */
export async function writeCorpus(
  root: string,
  docs: number,
  perDoc: number,
  size: number,
  snapshots: boolean,
  reuse = false,
): Promise<{ input: string; annotations: number; bytes: number; reused: boolean }> {
  // With `reuse`, a corpus written before by the same generator with the same sizes is kept: the stamp holds the
  // sizes, the code of this generator and of test/support/editGenerator.ts and the first document's sidecar (so a
  // change of the store's format shows), and is written last, so an interrupted generation is never reused.
  const stampFile = path.join(root, '.bench-stamp.json');
  const firstDoc = corpusDocuments(1, perDoc, size).next().value as GeneratedDocument;
  const code = [corpusDocuments.toString(), writeCorpus.toString(), fs.readFileSync(require.resolve('../test/support/editGenerator'), 'utf8')];
  const stamp = fingerprint(docs, perDoc, size, String(snapshots), ...code, serializeSidecar(firstDoc.doc, firstDoc.annotations));
  if (reuse) {
    try {
      const old = JSON.parse(fs.readFileSync(stampFile, 'utf8')) as { stamp: string; input: string; annotations: number; bytes: number };
      if (old.stamp === stamp) return { input: old.input, annotations: old.annotations, bytes: old.bytes, reused: true };
    } catch {
      // no stamp, or a broken one: write the corpus again
    }
  }
  fs.rmSync(root, { recursive: true, force: true });
  const store = new AnnotationStore(new NodeWorkspaceFs(root));
  const made = new Set<string>();
  const inFlight = new Set<Promise<void>>();
  const write = async (rel: string, data: string): Promise<void> => {
    const abs = path.join(root, ...rel.split('/'));
    const dir = path.dirname(abs);
    if (!made.has(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    const p: Promise<void> = fs.promises.writeFile(abs, data).finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= 64) await Promise.race(inFlight);
  };
  let total = 0;
  let bytes = 0;
  const digest: Array<[string, string]> = [];
  for (const { doc, text, hash, annotations } of corpusDocuments(docs, perDoc, size)) {
    const sidecar = serializeSidecar(doc, annotations);
    await write(doc, text);
    await write(sidecarPathFor(doc), sidecar);
    if (snapshots) await write(store.snapshotPath(hash), text);
    total += annotations.length;
    bytes += text.length + sidecar.length;
    digest.push([doc, hash]);
  }
  await Promise.all(inFlight);
  const input = corpusFingerprint(digest);
  fs.writeFileSync(stampFile, JSON.stringify({ stamp, input, annotations: total, bytes }));
  return { input, annotations: total, bytes, reused: false };
}

/** Writes the corpus: documents, sidecars and snapshots. Prints the input fingerprint. */
export async function generate(quick: boolean): Promise<void> {
  const { docs, perDoc, size } = shape(quick);
  const root = corpusDir(quick);
  const t0 = now();
  const { input, annotations, bytes } = await writeCorpus(root, docs, perDoc, size, true);
  emit({
    workload: WORKLOAD,
    method: 'generate',
    ms: now() - t0,
    unit: 'total',
    input,
    extra: { documents: docs, annotations, megabytes: Math.round(bytes / 1e6), root },
  });
}

/** The plain object exportYaml builds, for the alternative: same keys, same order, same values. */
function exportShape(documents: Array<{ path: string; text: string | undefined; annotations: readonly Annotation[] }>): unknown {
  return {
    format: 'marginalia-export',
    version: 1,
    offsetUnit: 'utf-16',
    generated: GENERATED.toISOString(),
    tool: 'marginalia 0.1.0',
    documents: [...documents]
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
      .map((d) => {
        const index = d.text === undefined ? undefined : new LineIndex(d.text);
        const position = (offset: number): { line?: number; column?: number; offset: number } => {
          if (!index) return { offset };
          const p = index.position(offset);
          return { line: p.line + 1, column: p.character + 1, offset };
        };
        return {
          path: d.path,
          hash: d.text === undefined ? null : contentHash(d.text),
          metadata: d.text === undefined ? null : parseDocumentMetadata(d.text, d.path).fields,
          annotations: [...d.annotations]
            .sort((a, b) => a.target.start - b.target.start || (a.id < b.id ? -1 : 1))
            .map((a) => ({
              id: a.id,
              kind: a.kind,
              quote: { exact: a.target.quote.exact, prefix: a.target.quote.prefix, suffix: a.target.quote.suffix },
              start: position(a.target.start),
              end: position(a.target.end),
              note: a.note,
              attributes: Object.fromEntries(
                Object.keys(a.attributes)
                  .sort()
                  .map((k) => [k, a.attributes[k]]),
              ),
              provenance: { ...a.provenance },
              status: { ...a.anchor },
            })),
        };
      }),
  };
}

/** The same fingerprint whichever order the documents come in. */
function corpusFingerprint(docs: Array<[string, string]>): string {
  return fingerprint(...docs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([d, h]) => `${d} ${h}`));
}

async function loadTexts(
  fsys: NodeWorkspaceFs,
  docs: ReadonlyMap<string, Annotation[]>,
): Promise<Array<{ path: string; text: string | undefined; annotations: Annotation[] }>> {
  const out = [];
  for (const [doc, annotations] of docs) out.push({ path: doc, text: await readDocument(fsys, doc), annotations });
  return out;
}

/** One run as a BenchResult's runs: one process, one run. */
const oneRun = (r: Run): Runs => collect([r]);

/**
 * What a host does with a corpus, each step timed once in this process (scripts/bench.mjs runs it in several): the
 * store loaded (AnnotationStore.loadAll over NodeWorkspaceFs), the heap after a full collection, the Corpus view's
 * first level, the search over all annotations (a first one, then `searches` more, each timed), and the whole YAML
 * export written to a file in pieces (the texts read in their turn; reading them is timed apart). Last, the naive
 * search on the same queries, its garbage after every row of ours.
 */
export async function measureCorpus(root: string, workload: string, searches: number): Promise<void> {
  const fsys = new NodeWorkspaceFs(root);
  const store = new AnnotationStore(fsys);

  const loaded = await timeRunAsync(() => store.loadAll());
  const { docs, errors } = loaded.value;
  if (errors.length > 0) throw new Error(`${errors.length} sidecars failed to load: ${errors[0].message}`);
  const annotations = [...docs.values()].reduce((n, a) => n + a.length, 0);
  const peakAfterLoad = peakRssMb();
  const heapMb = heapAfterGcMb();

  // The host lists the corpus alongside loadAll; the tree is then computed from both (FolderModel.documents()).
  let t = now();
  const corpus = await listCorpus(fsys);
  const listMs = now() - t;
  const corpusSet = new Set(corpus);
  const treeRun = timeRun(() => {
    const extra = [...docs.keys()].filter((d) => !corpusSet.has(d));
    const documents = extra.length === 0 ? corpus : [...corpus, ...extra].sort();
    return { documents, tree: buildCorpusTree(documents.map((d) => summariseDocument(d, docs.get(d) ?? [], !corpusSet.has(d)))) };
  });
  const { documents, tree } = treeRun.value;

  // Search as the host makes it above 20,000 annotations (bench/search.ts): the entries collected when the quick pick
  // opens and the first query searched, apart; then one search per query after it. The naive filter runs the same
  // queries on the same entries at the end, after the rows of ours are written with their peak memory.
  const opened = timeRun(() => {
    const entries = searchEntries(documents, (doc) => docs.get(doc) ?? []);
    searchOurs(entries, SEARCH_QUERIES[0]);
    return entries;
  });
  const entries = opened.value;
  const queries = Array.from({ length: searches }, (_, i) => SEARCH_QUERIES[1 + (i % (SEARCH_QUERIES.length - 1))]);
  const searchRuns = queries.map((q) => timeRun(() => searchOurs(entries, q)));
  const hits = searchRuns.reduce((n, r) => n + r.value.length, 0);
  const walkedAll = searchRuns.filter((r) => r.value.length < SEARCH_LIMIT).length;
  const slowest = searchRuns.reduce((k, r, i) => (r.cpu > searchRuns[k].cpu ? i : k), 0);
  const peakAfterSearch = peakRssMb();
  collectGarbage();

  // The export, written to a file beside the corpus; reading the texts and writing the file are timed apart.
  const out = path.join(root, '..', `${path.basename(root)}-export.yaml`);
  const fh = await fs.promises.open(out, 'w');
  const hashes: Array<[string, string]> = [];
  let readMs = 0;
  let readCpu = 0;
  let writeMs = 0;
  let yamlChars = 0;
  const exported = await timeRunAsync(() =>
    writeExportYaml(
      {
        documents: [...docs].map(([doc, list]) => ({ path: doc, annotations: list })),
        generated: GENERATED,
        readText: async (doc) => {
          // process.cpuUsage() here, not threadCpuMs(), which reads /proc and would cost more than the read itself;
          // the other threads are idle during a read from the page cache.
          const r = now();
          const c = processCpuMs();
          const text = await readDocument(fsys, doc);
          readCpu += processCpuMs() - c;
          readMs += now() - r;
          hashes.push([doc, contentHash(text ?? '')]);
          return text;
        },
      },
      async (chunk) => {
        const w = now();
        yamlChars += chunk.length;
        await fh.write(chunk);
        writeMs += now() - w;
      },
    ),
  );
  await fh.close();
  fs.rmSync(out, { force: true });
  const exportRun: Run = { wall: exported.wall - readMs, cpu: exported.cpu - readCpu, cpuAll: exported.cpuAll - readCpu };

  const input = corpusFingerprint(hashes);
  const label = `${docs.size.toLocaleString('en')} documents, ${annotations.toLocaleString('en')} annotations`;
  emit({
    workload,
    method: 'Marginalia: AnnotationStore.loadAll',
    ms: loaded.wall,
    unit: 'total',
    runs: oneRun(loaded),
    cpuBound: true,
    heapMb,
    note: `peak RSS ${Math.round(peakAfterLoad)} MB after the load`,
    input,
    extra: { label, part: 'load' },
  });
  emit({
    workload,
    method: 'Marginalia: Corpus view first level (summariseDocument + buildCorpusTree)',
    ms: treeRun.wall,
    unit: 'total',
    runs: oneRun(treeRun),
    cpuBound: true,
    note: `listing the corpus, done alongside the load, ${fmtMs(listMs)} more`,
    input,
    extra: { label, part: 'tree', documents: tree.documents },
  });
  emit({
    workload,
    method: `Marginalia: searchAnnotations over all annotations, after the first (as Search Annotations: every word, any field, the first ${SEARCH_LIMIT})`,
    ms: median(searchRuns.map((r) => r.wall)),
    unit: 'per search',
    runs: collect(searchRuns),
    cpuBound: true,
    repeat: `${searches} searches after the first in each process (${queries.map((q) => `"${q}"`).join(', ')})`,
    note:
      `opening (${entries.length.toLocaleString('en')} entries collected + the first search) ${fmtMs(opened.wall)}; ` +
      `${Math.round(hits / searches).toLocaleString('en')} hits per search, ${walkedAll} of ${searches} searches walked every annotation (fewer than ${SEARCH_LIMIT} hits); ` +
      `the slowest "${queries[slowest]}" (${searchRuns[slowest].value.length} hits) ${fmtMs(searchRuns[slowest].cpu)} of CPU in this process; ` +
      `the quick pick's items and drawing not counted; peak RSS ${Math.round(peakAfterSearch)} MB after the searches`,
    input,
    extra: { label, part: 'search' },
  });
  emit({
    workload,
    method: 'Marginalia: writeExportYaml to a file',
    ms: exportRun.wall,
    unit: 'total',
    runs: oneRun(exportRun),
    cpuBound: true,
    note: `writing the file ${fmtMs(writeMs)} of it; reading the texts ${fmtMs(readMs)} more; ${(yamlChars / 1e6).toFixed(0)} MB of YAML`,
    input,
    extra: { label, part: 'export', yamlBytes: yamlChars },
  });

  // The naive search, last, so that its garbage is in no row of ours; each result checked to hold ours' as its first.
  collectGarbage();
  const firstNaive = timeRun(() => searchNaive(entries, SEARCH_QUERIES[0]).length);
  const naiveRuns = queries.map((q) => timeRun(() => searchNaive(entries, q)));
  naiveRuns.forEach((n, i) => {
    const ours = searchRuns[i].value;
    const expected = n.value.slice(0, SEARCH_LIMIT);
    if (ours.length !== expected.length || ours.some((e, k) => e !== expected[k])) {
      throw new Error(`search "${queries[i]}": searchAnnotations found ${ours.length}, not the first ${expected.length} the naive filter finds`);
    }
  });
  const naiveHits = naiveRuns.reduce((n, r) => n + r.value.length, 0);
  emit({
    workload,
    method: 'naive: every field of every annotation lower-cased, each word tested with includes(), no limit',
    ms: median(naiveRuns.map((r) => r.wall)),
    unit: 'per search',
    runs: collect(naiveRuns),
    cpuBound: true,
    repeat: `the same ${searches} searches in the same processes, after the export`,
    note: `the first ${fmtMs(firstNaive.wall)}; ${Math.round(naiveHits / searches).toLocaleString('en')} hits per search; ours' results checked to be its first ${SEARCH_LIMIT}`,
    input,
    extra: { label, part: 'search' },
  });
}

const fmtMs = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

export async function ours(quick: boolean): Promise<void> {
  await measureCorpus(corpusDir(quick), WORKLOAD, 5);
}

/** The yaml package's stringify of the same object shape, in five runs in one process, each over a fifth of the
 *  documents (every text read beforehand), each extrapolated to the whole corpus. */
export async function alternative(quick: boolean): Promise<void> {
  const root = corpusDir(quick);
  const fsys = new NodeWorkspaceFs(root);
  const { docs } = await new AnnotationStore(fsys).loadAll();
  const inputs = (await loadTexts(fsys, docs)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const count = 5;
  const per = Math.ceil(inputs.length / count);
  const runs: Run[] = [];
  let yamlChars = 0;
  for (let r = 0; r < count; r++) {
    const part = inputs.slice(r * per, (r + 1) * per);
    collectGarbage();
    const run = timeRun(() => stringify(exportShape(part), { version: '1.2', lineWidth: 0, indentSeq: true, aliasDuplicateObjects: false }).length);
    yamlChars += run.value;
    runs.push(run);
  }
  const scale = inputs.length / per;
  const collected = collect(runs, scale);
  const input = corpusFingerprint(inputs.map((d) => [d.path, contentHash(d.text ?? '')]));
  emit({
    workload: WORKLOAD,
    method: 'yaml package: stringify of the same object shape',
    ms: median(collected.wall),
    unit: 'total',
    runs: collected,
    cpuBound: true,
    repeat: `${count} runs in one process`,
    note: `each run on a fifth of the documents, ×${scale.toFixed(1)}; ${(yamlChars / 1e6).toFixed(0)} MB of YAML in all`,
    input,
    extra: { part: 'export', yamlBytes: yamlChars },
  });
}

export function clean(quick: boolean): void {
  fs.rmSync(corpusDir(quick), { recursive: true, force: true });
}
