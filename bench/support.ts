// What every workload shares: timing, the result line scripts/bench.mjs reads, seeded annotations and the accuracy
// classification of test/unit/anchoring/anchorAccuracy.test.ts. A workload runs in its own process, so its peak memory
// (the process's maximum resident set) is its own.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
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

let perThread: boolean | undefined;

/**
 * CPU time of the calling (main) thread so far, in ms: the whole process's CPU time (process.cpuUsage(), exact to
 * the microsecond) less that of its other threads (the garbage collector's helpers, libuv's pool, ...), each read
 * from the first field of /proc/self/task/<tid>/schedstat (nanoseconds on a CPU). The main thread's own schedstat
 * is not used: while a thread runs, the kernel brings that figure up to date only at the scheduler's ticks, a few
 * milliseconds apart, while the other threads are asleep when it is read and so are exact. Time spent waiting for
 * a core is in neither. Costs about 0.1 ms (timeRun keeps that cost out of what it times). Without /proc (not
 * Linux): the whole process's CPU time.
 */
export function threadCpuMs(): number {
  return processCpuMs() - otherThreadsCpuMs();
}

/** CPU time of the process's threads other than the main one so far, in ms (0 without /proc). */
function otherThreadsCpuMs(): number {
  if (perThread === false) return 0;
  try {
    const main = String(process.pid);
    let others = 0;
    for (const tid of fs.readdirSync('/proc/self/task')) {
      if (tid === main) continue;
      try {
        others += Number(fs.readFileSync(`/proc/self/task/${tid}/schedstat`, 'latin1').split(' ', 1)[0]);
      } catch {
        // the thread ended between the listing and the read
      }
    }
    perThread = true;
    return others / 1e6;
  } catch {
    perThread = false;
    return 0;
  }
}

/** The clocks read before a timed call: the other threads' before the process's, so that the main thread's reading
 *  of /proc is not in the time; after it, the process's first for the same reason. */
function startClocks(): { others: number; process: number; wall: number } {
  const others = otherThreadsCpuMs();
  const proc = processCpuMs();
  return { others, process: proc, wall: now() };
}

function stopClocks(start: { others: number; process: number; wall: number }): Run {
  const wall = now() - start.wall;
  const cpuAll = processCpuMs() - start.process;
  // A helper thread that is running when /proc is read shows a figure up to a scheduler tick old (the lag the main
  // thread's own schedstat has), so over a run of a few milliseconds the difference can come out below zero: that
  // is a reading error of about a tick, not time, and is shown as 0.
  return { wall, cpu: Math.max(0, cpuAll - (otherThreadsCpuMs() - start.others)), cpuAll };
}

/** CPU time of the whole process so far (every thread, user + system), in ms. */
export function processCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** One measured run: wall time, CPU time of the main thread and of the whole process (ms). */
export interface Run {
  wall: number;
  cpu: number;
  cpuAll: number;
}

/** The runs of a row, each array in run order; what the report takes medians and spreads of. */
export interface Runs {
  wall: number[];
  cpu: number[];
  cpuAll: number[];
}

/** Times `fn` once: wall, main-thread CPU and process CPU around it (the clocks' own cost, about 0.1 ms, left out:
 *  a call of a few microseconds can be timed on its own). */
export function timeRun<T>(fn: () => T): Run & { value: T } {
  const start = startClocks();
  const value = fn();
  return { ...stopClocks(start), value };
}

/** Times an async `fn` once (wall time includes waiting for I/O; CPU times do not). */
export async function timeRunAsync<T>(fn: () => Promise<T>): Promise<Run & { value: T }> {
  const start = startClocks();
  const value = await fn();
  return { ...stopClocks(start), value };
}

/** The runs collected, each scaled by `factor` (e.g. 1/n for per-operation figures, or a sample's extrapolation). */
export function collect(runs: readonly Run[], factor = 1): Runs {
  return { wall: runs.map((r) => r.wall * factor), cpu: runs.map((r) => r.cpu * factor), cpuAll: runs.map((r) => r.cpuAll * factor) };
}

/** Heap in use after a full garbage collection (needs --expose-gc, which out/bench/run.js is started with), in MB. */
export function heapAfterGcMb(): number | undefined {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return undefined;
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

/** Runs the garbage collector when exposed, so one run's garbage is not collected during the next. */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
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
  /** The median wall time (ms), in `unit`; what the report shows when the row gives no `runs`. */
  ms: number;
  /** What `ms` is: "total", "median per edit", ... */
  unit: string;
  /** Each run's wall and CPU times in `unit` (at least five for a full run); the report prints medians and spreads. */
  runs?: Runs;
  /** How the runs were made, e.g. "5 runs in one process" or "5 processes" (scripts/bench.mjs merges processes). */
  repeat?: string;
  /** The work is CPU-bound: its goal is judged on the median CPU time of the main thread rather than on wall time. */
  cpuBound?: boolean;
  /** Heap in use after loading the input and a full garbage collection, MB. */
  heapMb?: number;
  /** One-minute load average before and after the process that ran the row (filled in by scripts/bench.mjs). */
  load?: [number, number];
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

/**
 * A ULID-shaped id from a seeded generator: 10 characters of time, 16 of randomness. Joined from an array, so that
 * it is one flat string, as an id read from a sidecar is: built by `+=`, V8 keeps it as a rope 26 pieces deep, and
 * every comparison of two such ids walks the pieces (a naive scan comparing ids was several times slower for it).
 */
export function seededId(rng: Rng, time: number): string {
  const chars = new Array<string>(26);
  for (let i = 9, t = time; i >= 0; i--, t = Math.floor(t / 32)) chars[i] = CROCKFORD[t % 32];
  for (let i = 10; i < 26; i++) chars[i] = CROCKFORD[Math.floor(rng() * 32)];
  return chars.join('');
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
