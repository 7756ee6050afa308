// Workload 3: hover lookup with 100,000 annotations in one document. The host asks IntervalIndex.touching(offset)
// for the caret position under the mouse (src/host/hover.ts); the alternative scans every span. Queries are timed in
// batches of 100 (one query takes about a microsecond, near the timer's resolution) and the median batch is divided
// by 100.
import { IntervalIndex } from '../src/core/anchoring';
import { corpusSource, mulberry32, placeAnnotations, randInt, synthText } from '../test/support/editGenerator';
import { emit, fingerprint, median, now } from './support';

const WORKLOAD = 'hover';
const BATCH = 100;

function makeInput(quick: boolean): { spans: Array<{ id: string; start: number; end: number }>; queries: number[]; input: string; label: string } {
  const size = 1_000_000;
  const count = quick ? 20_000 : 100_000;
  const source = corpusSource();
  const rng = mulberry32(3);
  const text = synthText(rng, source.sentences, source.vocab, size, 0.25);
  const spans = placeAnnotations(rng, text, count);
  const queries = Array.from({ length: quick ? 2_000 : 20_000 }, () => randInt(rng, 0, text.length));
  return { spans, queries, input: fingerprint(text, count, queries.length), label: `${(size / 1e6).toFixed(0)} MB, ${count.toLocaleString('en')} annotations` };
}

function timeQueries(queries: readonly number[], query: (offset: number) => number): { perQuery: number; hits: number } {
  let hits = 0;
  for (let i = 0; i < Math.min(queries.length, 1000); i++) hits += query(queries[i]); // warm up
  hits = 0;
  const batches: number[] = [];
  for (let b = 0; b + BATCH <= queries.length; b += BATCH) {
    const t0 = now();
    for (let i = b; i < b + BATCH; i++) hits += query(queries[i]);
    batches.push((now() - t0) / BATCH);
  }
  return { perQuery: median(batches), hits: hits / queries.length };
}

export function ours(quick: boolean): void {
  const inp = makeInput(quick);
  const t0 = now();
  const index = new IntervalIndex(inp.spans);
  const buildMs = now() - t0;
  const { perQuery, hits } = timeQueries(inp.queries, (x) => index.touching(x).length);
  emit({
    workload: WORKLOAD,
    method: 'Marginalia: IntervalIndex.touching',
    ms: perQuery,
    unit: 'median per lookup',
    note: `index built once in ${buildMs.toFixed(0)} ms`,
    input: inp.input,
    extra: { label: inp.label, hitsPerLookup: hits.toFixed(1) },
  });
}

export function linear(quick: boolean): void {
  const inp = makeInput(quick);
  // In document order, as the index returns them, so both hand the hover the same list.
  const spans = [...inp.spans].sort((a, b) => a.start - b.start || b.end - a.end || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const { perQuery, hits } = timeQueries(inp.queries, (x) => spans.filter((s) => s.start <= x && x <= s.end).length);
  emit({
    workload: WORKLOAD,
    method: 'linear scan of every span',
    ms: perQuery,
    unit: 'median per lookup',
    input: inp.input,
    extra: { label: inp.label, hitsPerLookup: hits.toFixed(1) },
  });
}
