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
import { emit, fingerprint, now, seededId } from './support';

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

/** Writes the corpus: documents, sidecars and snapshots. Prints the input fingerprint. */
export function generate(quick: boolean): void {
  const { docs, perDoc, size } = shape(quick);
  const root = corpusDir(quick);
  fs.rmSync(root, { recursive: true, force: true });
  const source = corpusSource();
  const rng = mulberry32(4);
  const store = new AnnotationStore(new NodeWorkspaceFs(root));
  const write = (rel: string, data: string): void => {
    const abs = path.join(root, ...rel.split('/'));
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, data);
  };
  const t0 = now();
  let total = 0;
  let bytes = 0;
  const digest: Array<[string, string]> = [];
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
    const sidecar = serializeSidecar(doc, annotations);
    write(doc, text);
    write(sidecarPathFor(doc), sidecar);
    write(store.snapshotPath(hash), text);
    total += annotations.length;
    bytes += text.length + sidecar.length;
    digest.push([doc, hash]);
  }
  emit({
    workload: WORKLOAD,
    method: 'generate',
    ms: now() - t0,
    unit: 'total',
    input: corpusFingerprint(digest),
    extra: { documents: docs, annotations: total, megabytes: Math.round(bytes / 1e6), root },
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

export async function ours(quick: boolean): Promise<void> {
  const root = corpusDir(quick);
  const fsys = new NodeWorkspaceFs(root);
  const store = new AnnotationStore(fsys);

  let t = now();
  const { docs, errors } = await store.loadAll();
  const loadMs = now() - t;
  if (errors.length > 0) throw new Error(`${errors.length} sidecars failed to load: ${errors[0].message}`);
  const annotations = [...docs.values()].reduce((n, a) => n + a.length, 0);

  // The host lists the corpus alongside loadAll; the tree is then computed from both (FolderModel.documents()).
  t = now();
  const corpus = await listCorpus(fsys);
  const listMs = now() - t;
  t = now();
  const corpusSet = new Set(corpus);
  const extra = [...docs.keys()].filter((d) => !corpusSet.has(d));
  const documents = extra.length === 0 ? corpus : [...corpus, ...extra].sort();
  const tree = buildCorpusTree(documents.map((d) => summariseDocument(d, docs.get(d) ?? [], !corpusSet.has(d))));
  const treeMs = now() - t;

  // The export, written to a file beside the corpus; reading the texts and writing the file are timed apart.
  const out = path.join(root, '..', `${path.basename(root)}-export.yaml`);
  const fh = await fs.promises.open(out, 'w');
  const hashes: Array<[string, string]> = [];
  let readMs = 0;
  let writeMs = 0;
  let yamlChars = 0;
  t = now();
  await writeExportYaml(
    {
      documents: [...docs].map(([doc, list]) => ({ path: doc, annotations: list })),
      generated: GENERATED,
      readText: async (doc) => {
        const r = now();
        const text = await readDocument(fsys, doc);
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
  );
  const exportMs = now() - t - readMs;
  await fh.close();
  fs.rmSync(out, { force: true });

  const input = corpusFingerprint(hashes);
  const label = `${docs.size.toLocaleString('en')} documents, ${annotations.toLocaleString('en')} annotations`;
  emit({ workload: WORKLOAD, method: 'Marginalia: AnnotationStore.loadAll', ms: loadMs, unit: 'total', input, extra: { label, part: 'load' } });
  emit({
    workload: WORKLOAD,
    method: 'Marginalia: Corpus view first level (summariseDocument + buildCorpusTree)',
    ms: treeMs,
    unit: 'total',
    note: `listing the corpus, done alongside the load, ${listMs.toFixed(0)} ms more`,
    input,
    extra: { label, part: 'tree', documents: tree.documents },
  });
  emit({
    workload: WORKLOAD,
    method: 'Marginalia: writeExportYaml to a file',
    ms: exportMs,
    unit: 'total',
    note: `writing the file ${writeMs.toFixed(0)} ms of it; reading the texts ${readMs.toFixed(0)} ms more; ${(yamlChars / 1e6).toFixed(0)} MB of YAML`,
    input,
    extra: { label, part: 'export', yamlBytes: yamlChars },
  });
}

export async function alternative(quick: boolean): Promise<void> {
  const root = corpusDir(quick);
  const fsys = new NodeWorkspaceFs(root);
  const { docs } = await new AnnotationStore(fsys).loadAll();
  const inputs = await loadTexts(fsys, docs);
  const t = now();
  const yaml = stringify(exportShape(inputs), { version: '1.2', lineWidth: 0, indentSeq: true, aliasDuplicateObjects: false });
  const ms = now() - t;
  const input = corpusFingerprint(inputs.map((d) => [d.path, contentHash(d.text ?? '')]));
  emit({
    workload: WORKLOAD,
    method: 'yaml package: stringify of the same object shape',
    ms,
    unit: 'total',
    note: `${(yaml.length / 1e6).toFixed(0)} MB of YAML`,
    input,
    extra: { part: 'export', yamlBytes: yaml.length },
  });
}

export function clean(quick: boolean): void {
  fs.rmSync(corpusDir(quick), { recursive: true, force: true });
}
