// What every workload shares: timing, the result line scripts/bench.mjs reads, seeded annotations and the accuracy
// classification of test/unit/anchoring/anchorAccuracy.test.ts. A workload runs in its own process, so its peak memory
// (the process's maximum resident set) is its own.
import { createHash } from 'node:crypto';
import type { Annotation } from '../src/core/model';
import { makeQuote } from '../src/core/model';
import type { SpanState } from '../src/core/anchoring';
import type { Rng } from '../test/support/editGenerator';

/** Milliseconds, with sub-microsecond resolution. */
export function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Peak resident set size of this process so far, in MB. */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** How a method did on annotations with a known right answer (see {@link classify}). */
export interface Accuracy {
  total: number;
  correct: number;
  /** Orphaned although its text survived. */
  lost: number;
  /** Attached somewhere other than the ground truth. */
  wrong: number;
}

/** One measured row: what scripts/bench.mjs prints. */
export interface BenchResult {
  workload: string;
  method: string;
  /** The number compared with the goal and between methods (ms). */
  ms: number;
  /** What `ms` is: "total", "median per edit", ... */
  unit: string;
  /** e.g. "measured on 300, ×33.3". */
  note?: string;
  accuracy?: Accuracy;
  peakRssMb: number;
  /** Hash of the generated input, so rows of one workload can be shown to have run on the same data. */
  input: string;
  /** Anything else worth printing (sizes, sub-timings). */
  extra?: Record<string, number | string>;
}

export const RESULT_PREFIX = 'BENCH_RESULT ';

export function emit(r: Omit<BenchResult, 'peakRssMb'> & { peakRssMb?: number }): void {
  process.stdout.write(RESULT_PREFIX + JSON.stringify({ ...r, peakRssMb: r.peakRssMb ?? peakRssMb() }) + '\n');
}

/** Short fingerprint of the inputs of a workload. */
export function fingerprint(...parts: Array<string | number>): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(String(p)).update('\u0000');
  return h.digest('hex').slice(0, 12);
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID-shaped id from a seeded generator: 10 characters of time, 16 of randomness. */
export function seededId(rng: Rng, time: number): string {
  let s = '';
  for (let i = 9, t = time; i >= 0; i--, t = Math.floor(t / 32)) s = CROCKFORD[t % 32] + s;
  for (let i = 0; i < 16; i++) s += CROCKFORD[Math.floor(rng() * 32)];
  return s;
}

export function toAnnotation(id: string, doc: string, text: string, start: number, end: number, docHash: string): Annotation {
  return {
    id,
    kind: 'claim',
    doc,
    target: { start, end, quote: makeQuote(text, start, end) },
    note: '',
    attributes: {},
    provenance: { author: 'bench', created: '2024-01-01T00:00:00.000Z', modified: '2024-01-01T00:00:00.000Z', tool: 'marginalia 0.1.0', docHash },
    anchor: { status: 'anchored' },
  };
}

/**
 * The verdict of test/unit/anchoring/anchorAccuracy.test.ts on one annotation: correct when it is the tracked span (without
 * whitespace at either end, as re-anchoring trims it) or an orphan where the truth is an orphan; lost when orphaned
 * although its text survives; wrong when attached anywhere else.
 */
export function classify(text: string, truth: SpanState, after: { start: number; end: number } | undefined): 'correct' | 'lost' | 'wrong' {
  if (after === undefined) return truth.orphaned ? 'correct' : 'lost';
  if (truth.orphaned) return 'wrong';
  let s = truth.start;
  let e = truth.end;
  while (s < e && /\s/.test(text[s])) s++;
  while (e > s && /\s/.test(text[e - 1])) e--;
  return after.start === s && after.end === e ? 'correct' : 'wrong';
}

export function tally(verdicts: Iterable<'correct' | 'lost' | 'wrong'>): Accuracy {
  const a: Accuracy = { total: 0, correct: 0, lost: 0, wrong: 0 };
  for (const v of verdicts) {
    a.total++;
    a[v]++;
  }
  return a;
}

/** `count` distinct indexes of [0, n), in increasing order, chosen by a seeded generator. */
export function sampleIndexes(rng: Rng, n: number, count: number): number[] {
  if (count >= n) return Array.from({ length: n }, (_, i) => i);
  const chosen = new Set<number>();
  while (chosen.size < count) chosen.add(Math.floor(rng() * n));
  return [...chosen].sort((a, b) => a - b);
}
