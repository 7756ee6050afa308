// Workload 3: hover lookup with 100,000 annotations in one document. The host asks IntervalIndex.touching(offset)
// for the caret position under the mouse (src/host/hover.ts); the alternative scans every span. Each of five runs
// in one process, after one untimed, times all the queries (100,000; the linear scan 2,000) and is divided by their number: one query
// takes about a microsecond, near the timer's resolution.
import { IntervalIndex } from '../src/core/anchoring';
import { corpusSource, mulberry32, placeAnnotations, randInt, synthText } from '../test/support/editGenerator';
import { collect, emit, fingerprint, median, now, timeRun, type Run } from './support';

const WORKLOAD = 'hover';
const RUNS = 5;

function makeInput(quick: boolean): { spans: Array<{ id: string; start: number; end: number }>; queries: number[]; input: string; label: string } {
  const size = 1_000_000;
  const count = quick ? 20_000 : 100_000;
  const source = corpusSource();
  const rng = mulberry32(3);
  const text = synthText(rng, source.sentences, source.vocab, size, 0.25);
  const spans = placeAnnotations(rng, text, count);
  const queries = Array.from({ length: quick ? 10_000 : 100_000 }, () => randInt(rng, 0, text.length));
  return { spans, queries, input: fingerprint(text, count, queries.length), label: `${(size / 1e6).toFixed(0)} MB, ${count.toLocaleString('en')} annotations` };
}

function timeQueries(queries: readonly number[], query: (offset: number) => number): { runs: Run[]; hits: number } {
  let hits = 0;
  for (const q of queries) hits += query(q); // warm up: a run long enough for the JIT to finish compiling
  hits = 0;
  const runs: Run[] = [];
  for (let r = 0; r < RUNS; r++) {
    runs.push(
      timeRun(() => {
        for (const q of queries) hits += query(q);
      }),
    );
  }
  return { runs, hits: hits / (RUNS * queries.length) };
}

export function ours(quick: boolean): void {
  const inp = makeInput(quick);
  const t0 = now();
  const index = new IntervalIndex(inp.spans);
  const buildMs = now() - t0;
  const { runs, hits } = timeQueries(inp.queries, (x) => index.touching(x).length);
  const per = collect(runs, 1 / inp.queries.length);
  emit({
    workload: WORKLOAD,
    method: 'Marginalia: IntervalIndex.touching',
    ms: median(per.wall),
    unit: 'per lookup',
    runs: per,
    cpuBound: true,
    repeat: `${RUNS} runs of ${inp.queries.length.toLocaleString('en')} lookups in one process`,
    note: `index built once in ${buildMs.toFixed(0)} ms`,
    input: inp.input,
    extra: { label: inp.label, hitsPerLookup: hits.toFixed(1) },
  });
}

export function linear(quick: boolean): void {
  const inp = makeInput(quick);
  // In document order, as the index returns them, so both hand the hover the same list.
  const spans = [...inp.spans].sort((a, b) => a.start - b.start || b.end - a.end || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const queries = inp.queries.slice(0, inp.queries.length / 50);
  const { runs, hits } = timeQueries(queries, (x) => spans.filter((s) => s.start <= x && x <= s.end).length);
  const per = collect(runs, 1 / queries.length);
  emit({
    workload: WORKLOAD,
    method: 'linear scan of every span',
    ms: median(per.wall),
    unit: 'per lookup',
    runs: per,
    cpuBound: true,
    repeat: `${RUNS} runs of the first ${queries.length.toLocaleString('en')} lookups in one process`,
    input: inp.input,
    extra: { label: inp.label, hitsPerLookup: hits.toFixed(1) },
  });
}
