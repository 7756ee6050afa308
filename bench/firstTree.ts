// Workload 4b: the Corpus view's first level from a cold start of the store, on the corpus workload's folder
// (10,000 documents, 100,000 annotations; written by `corpus generate`). Timed from CorpusFolder.load() until the
// first level is drawn: the first change the folder fires, then every document's counts summarised and the tree
// built as src/host/corpusTree.ts does. "cached" starts with the summary cache a previous session wrote (made here
// first, not timed); the first level then needs no sidecar read, and the full load goes on after it, whose longest
// main-thread stall is measured with a 1 ms timer. "uncached" is the same folder without a cache: the first level
// waits for every sidecar. Five runs each in one process, each after a full garbage collection (a cold start has no
// earlier run's garbage to collect), median and spread, wall and CPU time of the main thread and of the process.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CorpusFolder, DEFAULT_INCLUDE, RACY_WINDOW_MS, buildCorpusTree, summariseCounts, type SummaryCachePort } from '../src/core/store';
import { NodeWorkspaceFs } from '../src/node';
import { corpusDir, generate } from './corpus';
import { collect, collectGarbage, emit, median, now, processCpuMs, threadCpuMs, type Run as Timed } from './support';

const WORKLOAD = 'firstTree';
const RUNS = 5;

function fileCache(file: string): SummaryCachePort {
  return {
    read: async () => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined),
    write: async (text) => fs.writeFileSync(file, text),
  };
}

function folderOn(root: string, cache: SummaryCachePort | undefined, changed: () => void): CorpusFolder {
  return new CorpusFolder({
    name: 'bench',
    fs: new NodeWorkspaceFs(root),
    settings: () => ({ corpus: { include: [...DEFAULT_INCLUDE], exclude: [] }, maxDocumentBytes: 10 * 1024 * 1024 }),
    log: { trace: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    changed,
    isTrusted: () => true,
    summaryCache: cache,
  });
}

function drawFirstLevel(folder: CorpusFolder): number {
  const corpus = new Set(folder.corpus);
  const tree = buildCorpusTree(folder.documents().map((d) => summariseCounts(d, folder.counts(d), () => true, !corpus.has(d))));
  return tree.annotations;
}

interface Run extends Timed {
  annotations: number;
  fullLoad: number;
  longestStall: number;
}

/** One cold start: time to the first level, and to the end of the full load with its longest stall. */
async function once(root: string, cache: SummaryCachePort | undefined): Promise<Run> {
  let first: Run | undefined;
  let folder: CorpusFolder | undefined;
  let longest = 0;
  let last = now();
  const ticker = setInterval(() => {
    const t = now();
    longest = Math.max(longest, t - last);
    last = t;
  }, 1);
  collectGarbage();
  const c0 = processCpuMs();
  const m0 = threadCpuMs();
  const t0 = now();
  folder = folderOn(root, cache, () => {
    if (first || !folder) return;
    const annotations = drawFirstLevel(folder);
    first = { wall: now() - t0, cpu: threadCpuMs() - m0, cpuAll: processCpuMs() - c0, annotations, fullLoad: 0, longestStall: 0 };
    // Stalls are counted from the first level on: the background load is what must not block.
    longest = 0;
    last = now();
  });
  await folder.load();
  const fullLoad = now() - t0;
  clearInterval(ticker);
  folder.dispose();
  if (!first) throw new Error('the folder fired no change');
  return { ...first, fullLoad, longestStall: longest };
}

async function measure(quick: boolean, cached: boolean): Promise<void> {
  const root = corpusDir(quick);
  // The corpus workload's folder, written again (not timed) when its clean step has removed it.
  if (!fs.existsSync(root)) {
    await generate(quick);
    // Sidecars written less than RACY_WINDOW_MS before the cache is are left out of it (see summaryCache.ts): the
    // previous session must come after that, or the first timed start would find its cache incomplete and load all.
    await new Promise((resolve) => setTimeout(resolve, RACY_WINDOW_MS + 500));
  }
  const cacheFile = path.join(os.tmpdir(), `marginalia-bench-summary-${process.pid}.json`);
  fs.rmSync(cacheFile, { force: true });
  const cache = cached ? fileCache(cacheFile) : undefined;
  if (cache) await once(root, cache); // the previous session, which writes the cache
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await once(root, cache));
  fs.rmSync(cacheFile, { force: true });
  const cpus = runs.map((r) => r.cpu);
  emit({
    workload: WORKLOAD,
    method: cached
      ? 'Marginalia: Corpus view first level from a cold store, with the summary cache'
      : 'no summary cache: the first level after every sidecar is loaded',
    ms: median(runs.map((r) => r.wall)),
    unit: 'to the first level',
    runs: collect(runs),
    cpuBound: true,
    repeat: `${RUNS} cold starts of the store in one process`,
    note:
      `${runs[0].annotations.toLocaleString('en')} annotations counted` +
      (cached
        ? `; full load done at ${median(runs.map((r) => r.fullLoad)).toFixed(0)} ms, longest main-thread stall during it ${median(runs.map((r) => r.longestStall)).toFixed(0)} ms (median)`
        : ''),
    input: path.basename(root),
    extra: { cpuMs: median(cpus), stallMs: median(runs.map((r) => r.longestStall)), fullLoadMs: median(runs.map((r) => r.fullLoad)) },
  });
}

export const cached = (quick: boolean): Promise<void> => measure(quick, true);
export const uncached = (quick: boolean): Promise<void> => measure(quick, false);
