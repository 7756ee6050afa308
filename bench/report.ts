// The report of `npm run bench`: the table made from the workloads' result rows (support.ts's BenchResult, or an
// error row for a variant that crashed) and the start-up measurement, and its place in docs/performance.md, between
// two markers, with the command, date, machine, node version and load average before and after the run. Every row
// shows the median and the spread (min–max) of its runs, in wall time and in CPU time of the main thread, and the
// load average around the process(es) that ran it. `--only` reruns some workloads: their rows replace those of the
// same workload in the table already on the page (parseTable, mergeRows), the others are kept with their own date.
// Pure functions over plain values, so the unit tests can feed a made-up result set; scripts/bench.mjs does the I/O.
import type { Accuracy, BenchResult, Runs } from './support';

/** A variant whose process failed: no measurement, the first line of its error output. */
export interface BenchError {
  workload: string;
  method: string;
  error: string;
}

/** Activation in code-server (median of several fresh servers) and the production bundle's sizes. */
export interface StartupResult {
  roundTripMs: number;
  activateMs?: number;
  all: number[];
  wasActive?: boolean;
  extensionBytes: number;
  cliBytes: number;
  chunks: Array<{ file: string; bytes: number }>;
  /** One-minute load average before and after the start-up measurement. */
  load?: [number, number];
}

/** What one run knows about itself, printed above the table. */
export interface RunInfo {
  /** The command as typed, e.g. `npm run bench -- --skip-startup`. */
  command: string;
  /** When the run finished. */
  date: Date;
  node: string;
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  /** One-minute load average just before the first workload and just after the last. */
  loadBefore: number;
  loadAfter: number;
  /** The highest one-minute load average sampled during the run (before and after each process). */
  loadMax?: number;
  seconds: number;
  quick: boolean;
  /** The workloads rerun with --only (undefined: all of them). */
  only?: readonly string[];
}

/** The workloads, in the table's order: the names `--only` takes. A new workload adds its key here and a block in
 *  benchRows (its variants go in bench/registry.ts). */
export const WORKLOAD_ORDER = [
  'reanchor',
  'typing',
  'typing100k',
  'hover',
  'corpus',
  'firstTree',
  'import',
  'agreement',
  'relations',
  'corpus10x',
  'startup',
] as const;

export interface TableRow {
  /** The workload's key (WORKLOAD_ORDER), written in its first cell so that --only can find its rows again. */
  key: string;
  workload: string;
  method: string;
  wall: string;
  cpu: string;
  versus: string;
  accuracy: string;
  memory: string;
  goal: string;
  load: string;
  /** When the row was measured (UTC, to the minute). */
  measured: string;
  note: string;
}

export const BEGIN_MARKER = '<!-- bench:begin (written by npm run bench; edits between the markers are replaced) -->';
export const END_MARKER = '<!-- bench:end -->';

export const HEADER = [
  'Workload',
  'Method',
  'Wall: median (min–max)',
  'CPU, main thread: median (min–max)',
  'vs ours',
  'Correct / orphaned / wrong',
  'Peak RSS',
  'Goal',
  'Load',
  'Measured',
  'Notes',
];

export function fmtTime(ms: number | undefined): string {
  if (ms === undefined || Number.isNaN(ms)) return '–';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  if (ms >= 0.01) return `${ms.toFixed(3)} ms`;
  return `${(ms * 1000).toFixed(1)} µs`;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** "149 ms (143 ms–160 ms)": the median and the range of the runs; just the median for a single run. */
export function fmtSpread(xs: readonly number[] | undefined): string {
  if (!xs || xs.length === 0) return '–';
  if (xs.length === 1) return `${fmtTime(xs[0])} (1 run)`;
  return `${fmtTime(median(xs))} (${fmtTime(Math.min(...xs))}–${fmtTime(Math.max(...xs))})`;
}

/** The time a row's goal and comparisons are judged on: the CPU median of a CPU-bound row, else the wall median. */
export function judged(r: BenchResult): { ms: number; by: 'CPU' | 'wall' } {
  if (r.cpuBound && r.runs && r.runs.cpu.length > 0) return { ms: median(r.runs.cpu), by: 'CPU' };
  return { ms: r.runs && r.runs.wall.length > 0 ? median(r.runs.wall) : r.ms, by: 'wall' };
}

/** The one-minute load average above which a run is flagged: 1.5, or three quarters of the cores on a bigger machine
 *  (the bench itself keeps one core busy, so more than that means other processes were competing for the CPU). */
export function loadThreshold(cpus: number): number {
  return Math.max(1.5, 0.75 * cpus);
}

const pct = (n: number, of: number): string => `${((100 * n) / of).toFixed(1)} %`;
const fmtAccuracy = (a: Accuracy | undefined): string => (a ? `${pct(a.correct, a.total)} / ${pct(a.lost, a.total)} / ${pct(a.wrong, a.total)}` : '');
const fmtMb = (mb: number | undefined): string => (mb === undefined ? '' : `${Math.round(mb)} MB`);
const fmtLoad = (load: readonly number[] | undefined): string =>
  !load || load.length === 0 ? '' : `${Math.min(...load).toFixed(1)}–${Math.max(...load).toFixed(1)}`;
const kb = (n: number): string => `${(n / 1024).toFixed(0)} KB`;
/** "✓ ≤ 2 s (CPU)": met or missed, and which time it was judged on. */
const goal = (ok: boolean, text: string, by?: 'CPU' | 'wall'): string => `${ok ? '✓' : '✗'} ${text}${by ? ` (${by})` : ''}`;
const ratio = (x: number): string => (x >= 9.95 ? x.toFixed(0) : x.toFixed(1));

/** The times two rows are compared on: their CPU medians when both are CPU-bound, else their wall medians. */
export function compared(a: BenchResult, b: BenchResult): { a: number; b: number; by: 'CPU' | 'wall' } {
  if (a.cpuBound && b.cpuBound && a.runs && b.runs && a.runs.cpu.length > 0 && b.runs.cpu.length > 0) {
    return { a: median(a.runs.cpu), b: median(b.runs.cpu), by: 'CPU' };
  }
  return { a: judged({ ...a, cpuBound: false }).ms, b: judged({ ...b, cpuBound: false }).ms, by: 'wall' };
}

/** How an alternative compares with ours, on the judged times: "470× slower" or "35× faster". */
function versus(alt: BenchResult | undefined, base: BenchResult | undefined): string {
  if (!alt || !base) return '';
  const c = compared(alt, base);
  const r = c.a / c.b;
  return r >= 1 ? `${ratio(r)}× slower` : `${ratio(1 / r)}× faster`;
}

/**
 * "×9.8 from 10k (CPU)": how a row of ten times the corpus grew from the same row at 10,000 documents, on the same
 * measure (CPU medians when both are CPU-bound). `small` is this run's row at 10,000 documents; without it, the
 * row of the same method in the table kept from an earlier run (its CPU or wall cell). Empty when there is neither.
 */
export function growth(big: BenchResult | undefined, small: BenchResult | undefined, previous?: TableRow): string {
  if (!big) return '';
  let from: number | undefined;
  let by: 'CPU' | 'wall';
  let to: number;
  if (small) {
    const c = compared(big, small);
    [to, from, by] = [c.a, c.b, c.by];
  } else {
    const j = judged(big);
    [to, by] = [j.ms, j.by];
    if (previous) from = parseTime(by === 'CPU' ? previous.cpu : previous.wall);
  }
  return from ? `×${ratio(to / from)} from 10k (${by})` : '';
}

/** "heap after load and gc 850 MB (×10 from 10k); peak ×5.0 from 10k": the memory of ten times the corpus, and its
 *  growth from the corpus at 10,000 documents where that is known. */
export function memoryGrowth(big: { peakRssMb: number; heapMb?: number }, small?: { peakRssMb?: number; heapMb?: number }): string {
  const times = (x: number, base: number | undefined): string => (base ? `×${ratio(x / base)} from 10k` : '');
  const heap = big.heapMb === undefined ? '' : `heap after load and gc ${Math.round(big.heapMb)} MB`;
  const heapGrowth = big.heapMb === undefined ? '' : times(big.heapMb, small?.heapMb);
  const peak = times(big.peakRssMb, small?.peakRssMb);
  return [heap + (heapGrowth ? ` (${heapGrowth})` : ''), peak ? `peak ${peak}` : ''].filter((x) => x).join('; ');
}

/** A time read back from a cell of the table ("1.27 s (…)", "31.01 ms", "1.7 µs"), in ms; undefined if none. */
export function parseTime(cell: string): number | undefined {
  const m = /^([\d.]+) (s|ms|µs)\b/.exec(cell.trim());
  if (!m) return undefined;
  const x = Number(m[1]);
  return m[2] === 's' ? x * 1000 : m[2] === 'ms' ? x : x / 1000;
}

const isError = (r: BenchResult | BenchError): r is BenchError => 'error' in r;

/** What the rows of one run need besides the results: when they were measured, and the rows of an earlier run for
 *  the growth ratios of rows whose 10k counterpart was not rerun. */
export interface RowContext {
  measured: string;
  previous?: readonly TableRow[];
}

/** The table's rows, workload by workload, each with its goal met (✓) or missed (✗). */
export function benchRows(results: ReadonlyArray<BenchResult | BenchError>, startup?: StartupResult | { error: string }, context?: RowContext): TableRow[] {
  const measuredAt = context?.measured ?? '';
  const measured = results.filter((r): r is BenchResult => !isError(r));
  const find = (workload: string, test: (r: BenchResult) => boolean): BenchResult | undefined => measured.find((r) => r.workload === workload && test(r));
  const ours = (workload: string, part?: string): BenchResult | undefined =>
    find(workload, (r) => r.method.startsWith('Marginalia') && (part === undefined || r.extra?.part === part));
  const rows: TableRow[] = [];

  /** Every row of a workload must have run on the input of the first: same seed, same generated data. */
  const firstInput = new Map<string, string>();
  function row(key: string, title: string, r: BenchResult | undefined, cells: Partial<TableRow>): void {
    if (!r && cells.method === undefined) return; // not measured in this run (a variant that crashed: see FAILED)
    let note = cells.note ?? r?.note ?? '';
    if (r?.repeat && cells.note === undefined) note = note ? `${r.repeat}; ${note}` : r.repeat;
    if (r?.runs && r.runs.cpuAll.length > 0 && !cells.cpu) note = `${note ? `${note}; ` : ''}CPU of all threads ${fmtTime(median(r.runs.cpuAll))}`;
    if (r?.input) {
      if (!firstInput.has(key)) firstInput.set(key, r.input);
      else if (firstInput.get(key) !== r.input) note = `${note} INPUT DIFFERS FROM THE ROWS ABOVE`.trim();
    }
    const per = r && r.unit && r.unit !== 'total' ? ` ${r.unit.replace(/^median /, '')}` : '';
    rows.push({
      key,
      workload: `\`${key}\` ${title}`,
      method: r?.method ?? cells.method ?? '',
      wall: cells.wall ?? (r ? (r.runs ? fmtSpread(r.runs.wall) + per : `${fmtTime(r.ms)} (${r.unit})`) : '–'),
      cpu: cells.cpu ?? (r?.runs ? fmtSpread(r.runs.cpu) + per : r ? '–' : ''),
      versus: cells.versus ?? '',
      accuracy: cells.accuracy ?? fmtAccuracy(r?.accuracy),
      memory: cells.memory ?? fmtMb(r?.peakRssMb),
      goal: cells.goal ?? '',
      load: cells.load ?? fmtLoad(r?.load),
      measured: measuredAt,
      note,
    });
  }
  /** Goal cell of `r`: judged on its CPU median when CPU-bound, else on wall time. */
  const goalOf = (r: BenchResult | undefined, limitMs: number, text: string): string => {
    if (!r) return '';
    const j = judged(r);
    return goal(j.ms <= limitMs, text, j.by);
  };
  const present = (key: string): boolean =>
    key === 'startup' ? startup !== undefined : measured.some((r) => r.workload === key) || results.some((r) => r.workload === key);

  // 1. Re-anchoring
  if (present('reanchor')) {
    const o = ours('reanchor');
    const hyp = find('reanchor', (r) => r.method.startsWith('Hypothesis'));
    const dmp = find('reanchor', (r) => r.method.startsWith('diff-match-patch'));
    const w = `Re-anchor after outside edits (${o?.extra?.label ?? ''})`;
    row('reanchor', w, o, { goal: goalOf(o, 300, '≤ 0.3 s') });
    row('reanchor', w, hyp, { versus: versus(hyp, o), goal: hyp && o ? goal(judged(hyp).ms / judged(o).ms >= 50, 'ours ≥ 50× faster') : '' });
    row('reanchor', w, dmp, { versus: versus(dmp, o) });
  }
  // 2. Typing, at 10,000 annotations and at 100,000 in the one document
  /** The 95th percentile of a typing row's keystrokes on the measure it is judged on (CPU or wall). */
  const p95 = (r: BenchResult, by: 'CPU' | 'wall'): number | undefined => {
    const x = by === 'CPU' ? r.extra?.p95Cpu : r.extra?.p95;
    return typeof x === 'number' ? x : undefined;
  };
  if (present('typing')) {
    const o = ours('typing');
    const n = find('typing', (r) => r.method.startsWith('naive'));
    const w = `Typing (${o?.extra?.label ?? ''})`;
    const c = o && n ? compared(o, n) : undefined;
    row('typing', w, o, { goal: goalOf(o, 2, '≤ 2 ms') });
    row('typing', w, n, { versus: versus(n, o), goal: c ? goal(c.a < c.b, 'ours faster', c.by) : '' });
  }
  if (present('typing100k')) {
    const o = ours('typing100k');
    const n = find('typing100k', (r) => r.method.startsWith('naive'));
    const w = `Typing, ten times the annotations (${o?.extra?.label ?? ''})`;
    let g = '';
    if (o) {
      const j = judged(o);
      const tail = p95(o, j.by);
      g = goal(j.ms <= 0.1 && tail !== undefined && tail <= 0.5, '≤ 0.1 ms, p95 ≤ 0.5 ms', j.by);
    }
    row('typing100k', w, o, { goal: g });
    row('typing100k', w, n, { versus: versus(n, o) });
  }
  // 3. Hover
  if (present('hover')) {
    const o = ours('hover');
    const l = find('hover', (r) => r.method.startsWith('linear'));
    const w = `Hover lookup (${o?.extra?.label ?? ''})`;
    row('hover', w, o, { goal: goalOf(o, 0.05, '≤ 0.05 ms') });
    row('hover', w, l, { versus: versus(l, o) });
  }
  // 4. Corpus
  if (present('corpus')) {
    const gen = find('corpus', (r) => r.method === 'generate');
    const load = ours('corpus', 'load');
    const tree = ours('corpus', 'tree');
    const search = ours('corpus', 'search');
    const naiveSearch = find('corpus', (r) => r.method.startsWith('naive') && r.extra?.part === 'search');
    const exp = ours('corpus', 'export');
    const alt = find('corpus', (r) => r.method.startsWith('yaml package'));
    const w = `Corpus scale (${load?.extra?.label ?? ''})`;
    if (gen) firstInput.set('corpus', gen.input);
    const genNote = gen ? `corpus written in ${fmtTime(gen.ms)} (not timed)` : '';
    row('corpus', w, load, { memory: '', goal: goalOf(load, 1000, '≤ 1 s'), note: [load?.repeat, genNote, load?.note].filter(Boolean).join('; ') });
    row('corpus', w, tree, { memory: '', goal: goalOf(tree, 100, '≤ 100 ms') });
    row('corpus', w, search, { memory: '' });
    row('corpus', w, naiveSearch, { memory: '', versus: versus(naiveSearch, search) });
    const expOk = exp && judged(exp).ms <= 2000 && (!alt || judged(exp).ms <= 2 * judged(alt).ms);
    row('corpus', w, exp, { memory: '', goal: exp ? goal(!!expOk, '≤ 2 s and ≤ 2× yaml', judged(exp).by) : '' });
    row('corpus', w, alt, { versus: versus(alt, exp) });
    if (load) {
      row('corpus', w, undefined, {
        method: 'Marginalia: the whole workload (load + tree + search + texts + export)',
        wall: '',
        memory: fmtMb(load.peakRssMb),
        goal: goal(load.peakRssMb <= 300, 'peak ≤ 300 MB'),
        load: fmtLoad(load.load),
        note: load.heapMb === undefined ? '' : `heap after load and gc ${Math.round(load.heapMb)} MB`,
      });
    }
  }
  // 4b. The Corpus view's first level from a cold store, with and without the summary cache
  if (present('firstTree')) {
    const cached = ours('firstTree');
    const uncached = find('firstTree', (r) => r.method.startsWith('no summary cache'));
    const w = 'Corpus view first level, cold store (corpus workload: 10,000 documents, 100,000 annotations)';
    const stall = cached?.extra?.stallMs;
    row('firstTree', w, cached, {
      goal: cached
        ? [goalOf(cached, 150, '≤ 150 ms'), typeof stall === 'number' ? goal(stall <= 50, `stall ${fmtTime(stall)} ≤ 50 ms`) : ''].filter(Boolean).join(', ')
        : '',
    });
    row('firstTree', w, uncached, { versus: versus(uncached, cached) });
  }
  // 4c. Importing a YAML export, at 100,000 and at 1,000,000 annotations (each shape its own generated input)
  if (present('import')) {
    const w = 'Import of a YAML export (half of it restored, half already stored)';
    for (const shape of ['100k', '1m']) {
      const of = (test: (r: BenchResult) => boolean): BenchResult | undefined => find('import', (r) => r.extra?.shape === shape && test(r));
      const gen = of((r) => r.method.startsWith('generate'));
      const o = of((r) => r.method.startsWith('Marginalia'));
      const alt = of((r) => r.method.startsWith('whole-file'));
      // The generator fingerprints what it made, the imports the workspace they found: ours and the whole-file
      // import are checked against each other, shape by shape.
      firstInput.delete('import');
      const cpu = (r: BenchResult | undefined): string | undefined => (typeof r?.extra?.cpuMs === 'number' ? `${fmtTime(r.extra.cpuMs)} (1 run)` : undefined);
      const made = gen ? `workspace and export written in ${fmtTime(gen.ms)} (not timed)` : '';
      row('import', w, o, { cpu: cpu(o), note: [made, o?.note].filter(Boolean).join('; ') });
      row('import', w, alt, { cpu: cpu(alt), versus: versus(alt, o) });
    }
  }
  // 5. Agreement
  if (present('agreement')) {
    const o = ours('agreement');
    const n = find('agreement', (r) => r.method.startsWith('naive'));
    const w = `Agreement (${o?.extra?.label ?? ''})`;
    row('agreement', w, o, { goal: goalOf(o, 2000, '≤ 2 s') });
    row('agreement', w, n, { versus: versus(n, o) });
  }
  // 6. Relations
  if (present('relations')) {
    const w = `Relations (${ours('relations')?.extra?.label ?? ''})`;
    const oi = ours('relations', 'index');
    const ol = ours('relations', 'lookup');
    const ni = find('relations', (r) => r.method.startsWith('naive') && r.extra?.part === 'index');
    const nl = find('relations', (r) => r.method.startsWith('naive') && r.extra?.part === 'lookup');
    row('relations', w, oi, {});
    row('relations', w, ni, { versus: versus(ni, oi) });
    row('relations', w, ol, {});
    row('relations', w, nl, { versus: versus(nl, ol) });
  }
  // 7. Ten times the corpus
  if (present('corpus10x')) {
    const gen = find('corpus10x', (r) => r.method === 'generate');
    const load = ours('corpus10x', 'load');
    const w = `Ten times the corpus (${load?.extra?.label ?? ''})`;
    if (gen) firstInput.set('corpus10x', gen.input);
    const previous = (r: BenchResult): TableRow | undefined => context?.previous?.find((p) => p.key === 'corpus' && p.method === r.method);
    /** The row's note with its growth from the same row at 10,000 documents (this run's, or the table's). */
    const noteOf = (r: BenchResult | undefined, small: BenchResult | undefined, more = ''): string =>
      [r?.repeat, growth(r, small, r && !small ? previous(r) : undefined), r?.note, more].filter((x) => x).join('; ');
    const naiveOf = (workload: string): BenchResult | undefined => find(workload, (r) => r.method.startsWith('naive') && r.extra?.part === 'search');
    const tree = ours('corpus10x', 'tree');
    const search = ours('corpus10x', 'search');
    const naiveSearch = naiveOf('corpus10x');
    const exp = ours('corpus10x', 'export');
    const genNote = !gen ? '' : `corpus written in ${fmtTime(gen.ms)} (not timed)${gen.note ? `, ${gen.note}` : ''}`;
    row('corpus10x', w, load, { memory: '', note: noteOf(load, ours('corpus', 'load'), genNote) });
    row('corpus10x', w, tree, { memory: '', goal: goalOf(tree, 1000, '≤ 1 s'), note: noteOf(tree, ours('corpus', 'tree')) });
    row('corpus10x', w, search, { memory: '', goal: goalOf(search, 300, '≤ 300 ms'), note: noteOf(search, ours('corpus', 'search')) });
    row('corpus10x', w, naiveSearch, { memory: '', versus: versus(naiveSearch, search), note: noteOf(naiveSearch, naiveOf('corpus')) });
    row('corpus10x', w, exp, { memory: '', goal: goalOf(exp, 20_000, '≤ 20 s'), note: noteOf(exp, ours('corpus', 'export')) });
    if (load) {
      const small = ours('corpus', 'load');
      const prev = context?.previous?.find((p) => p.key === 'corpus' && p.method.startsWith('Marginalia: the whole workload'));
      const base = small
        ? { peakRssMb: small.peakRssMb, heapMb: small.heapMb }
        : prev
          ? {
              peakRssMb: Number(/^(\d+) MB/.exec(prev.memory)?.[1]) || undefined,
              heapMb: Number(/heap after load and gc (\d+) MB/.exec(prev.note)?.[1]) || undefined,
            }
          : undefined;
      row('corpus10x', w, undefined, {
        method: 'Marginalia: the whole workload (load + tree + search + texts + export)',
        wall: '',
        memory: fmtMb(load.peakRssMb),
        goal: goal(load.peakRssMb <= 600, 'peak ≤ 600 MB'),
        load: fmtLoad(load.load),
        note: memoryGrowth(load, base),
      });
    }
  }
  // 8. Start-up
  if (startup) {
    const w = 'Start-up (code-server 1.100, production bundle)';
    const load = 'error' in startup ? '' : fmtLoad(startup.load);
    if ('error' in startup) row('startup', w, undefined, { method: 'start-up', wall: '–', note: `not measured: ${startup.error}` });
    else {
      const s = startup;
      row('startup', w, undefined, {
        method: 'Marginalia: activation, ext.activate() in the extension host (loads the bundle)',
        wall: fmtSpread(s.all),
        cpu: '–',
        goal: goal(s.roundTripMs <= 50, '≤ 50 ms', 'wall'),
        load,
        note:
          `median of ${s.all.length} fresh code-servers; activate() itself ` +
          `${s.activateMs === undefined ? '(not found in the log)' : fmtTime(s.activateMs)}, by the extension's log${s.wasActive ? '; ONE WAS ALREADY ACTIVE' : ''}`,
      });
      const shipped = s.extensionBytes + s.chunks.reduce((n, c) => n + c.bytes, 0);
      row('startup', w, undefined, {
        method: 'Marginalia: dist/extension.js, the bundle activation loads (esbuild --production, minified)',
        wall: kb(s.extensionBytes),
        goal: goal(s.extensionBytes <= 300 * 1024, '≤ 300 KB'),
        load,
        note: `chunks loaded at first use: ${s.chunks.map((c) => `${c.file} ${kb(c.bytes)}`).join(', ')}; ${kb(shipped)} shipped in all; dist/cli.js ${kb(s.cliBytes)}`,
      });
    }
  }
  // A workload the blocks above do not know (added to the registry but not here yet): its rows as they come.
  for (const r of measured) {
    if (!(WORKLOAD_ORDER as readonly string[]).includes(r.workload)) row(r.workload, r.workload, r, {});
  }
  return rows;
}

/**
 * Rows of several processes of one variant merged into one row per method: their runs put together (one run per
 * process unless a process made several), the highest peak memory, the load averages of all. The first process's
 * note, input and extra are kept. `processes` is written into `repeat`.
 */
export function mergeProcessRuns(perProcess: ReadonlyArray<readonly BenchResult[]>): BenchResult[] {
  const byMethod = new Map<string, BenchResult[]>();
  for (const rows of perProcess) for (const r of rows) byMethod.set(r.method, [...(byMethod.get(r.method) ?? []), r]);
  return [...byMethod.values()].map((list) => {
    const first = list[0];
    if (list.length === 1) return first;
    const runs: Runs = { wall: [], cpu: [], cpuAll: [] };
    for (const r of list) {
      runs.wall.push(...(r.runs?.wall ?? [r.ms]));
      runs.cpu.push(...(r.runs?.cpu ?? []));
      runs.cpuAll.push(...(r.runs?.cpuAll ?? []));
    }
    const heaps = list.map((r) => r.heapMb).filter((h): h is number => h !== undefined);
    const loads = list.flatMap((r) => r.load ?? []);
    return {
      ...first,
      ms: median(runs.wall),
      runs,
      repeat: first.repeat ? `${list.length} processes, ${first.repeat}` : `${list.length} processes`,
      peakRssMb: Math.max(...list.map((r) => r.peakRssMb)),
      heapMb: heaps.length > 0 ? median(heaps) : undefined,
      load: loads.length > 0 ? [Math.min(...loads), Math.max(...loads)] : undefined,
    };
  });
}

/** A table cell: a `|` would end the cell early, a line break the row. */
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

/** The Markdown table; a workload's name is written on its first row only. */
export function benchTable(rows: readonly TableRow[]): string {
  return [
    `| ${HEADER.join(' | ')} |`,
    `| ${HEADER.map(() => '---').join(' | ')} |`,
    ...rows.map(
      (r, i) =>
        `| ${[i > 0 && rows[i - 1].key === r.key ? '' : r.workload, r.method, r.wall, r.cpu, r.versus, r.accuracy, r.memory, r.goal, r.load, r.measured, r.note]
          .map(cell)
          .join(' | ')} |`,
    ),
  ].join('\n');
}

/**
 * The rows of a table benchTable wrote (as found between the markers of docs/performance.md), each with its
 * workload's key and title carried down from the workload's first row; undefined when there is no table of this
 * layout (an older page: run the whole bench once).
 */
export function parseTable(text: string): TableRow[] | undefined {
  const lines = text.split('\n').filter((l) => l.startsWith('|'));
  if (lines.length < 2) return undefined;
  const split = (line: string): string[] =>
    line
      .slice(1, line.endsWith('|') ? -1 : undefined)
      .split(/(?<!\\)\|/)
      .map((c) => c.trim().replace(/\\\|/g, '|'));
  if (split(lines[0]).join('\u0000') !== HEADER.join('\u0000')) return undefined;
  const rows: TableRow[] = [];
  let key = '';
  let workload = '';
  for (const line of lines.slice(2)) {
    const c = split(line);
    if (c.length !== HEADER.length) return undefined;
    if (c[0]) {
      const m = /^`([^`]+)`/.exec(c[0]);
      if (!m) return undefined;
      key = m[1];
      workload = c[0];
    }
    if (!key) return undefined;
    const [, method, wall, cpu, vs, accuracy, memory, goalCell, load, measuredCell, note] = c;
    rows.push({ key, workload, method, wall, cpu, versus: vs, accuracy, memory, goal: goalCell, load, measured: measuredCell, note });
  }
  return rows;
}

/**
 * The table after rerunning the workloads in `rerun`: their rows from `fresh`, every other workload's rows as they
 * were in `previous` (with their own Measured date), in WORKLOAD_ORDER; workloads the order does not know last.
 */
export function mergeRows(previous: readonly TableRow[], fresh: readonly TableRow[], rerun: ReadonlySet<string>): TableRow[] {
  const keys = [...WORKLOAD_ORDER, ...[...previous, ...fresh].map((r) => r.key).filter((k) => !(WORKLOAD_ORDER as readonly string[]).includes(k))];
  const out: TableRow[] = [];
  for (const key of new Set(keys)) out.push(...(rerun.has(key) ? fresh : previous).filter((r) => r.key === key));
  return out;
}

export const LEGEND =
  'Wall and CPU: the median of the runs and, in brackets, the fastest and the slowest; how the runs were made (in one process, or one ' +
  'process each) is in the notes. CPU is the CPU time of the main thread (the process’s CPU time less its other threads’, from ' +
  '/proc/self/task/*/schedstat: time spent waiting for a core is not in it, nor the garbage collector’s helper threads); a goal marked (CPU) is judged on the CPU median, as its work is ' +
  'CPU-bound, one marked (wall) on the wall median. vs ours compares the same measure. ' +
  'Correct / orphaned / wrong: share of annotations placed exactly where the edits moved their text (or orphaned where it was deleted), ' +
  'orphaned although their text survived, and attached anywhere else (as in test/unit/anchoring/anchorAccuracy.test.ts). ' +
  'Peak RSS: the maximum resident set of the process that ran the row (input generation included; the highest of its processes). ' +
  'Load: the lowest and highest one-minute load average sampled before and after the row’s processes. ' +
  'Measured: when the row was measured (rows not rerun by `--only` keep the date of their run).';

/** The goals line: "9 goals met, 1 missed". */
export function goalSummary(rows: readonly TableRow[]): string {
  const met = rows.filter((r) => r.goal.startsWith('✓')).length;
  const missed = rows.filter((r) => r.goal.startsWith('✗')).length;
  return `${met} goals met, ${missed} missed`;
}

/** The highest load average in a row's Load cell ("0.9–2.1" → 2.1). */
function rowLoad(r: TableRow): number {
  const xs = r.load.match(/\d+(?:\.\d+)?/g)?.map(Number) ?? [];
  return xs.length > 0 ? Math.max(...xs) : 0;
}

/** The loud line under the run's facts when the machine was busy during the run (or during a kept row's run). */
export function loadWarning(info: RunInfo, rows: readonly TableRow[]): string | undefined {
  const limit = loadThreshold(info.cpus);
  const runMax = Math.max(info.loadBefore, info.loadAfter, info.loadMax ?? 0);
  const busy = [...new Set(rows.filter((r) => rowLoad(r) > limit).map((r) => r.key))];
  if (runMax <= limit && busy.length === 0) return undefined;
  const peak = Math.max(runMax, ...rows.map(rowLoad));
  return (
    `**⚠ WARNING: the 1-minute load average reached ${peak.toFixed(1)}, above ${limit.toFixed(1)} on ${info.cpus} cores: other processes ` +
    `competed for the CPU, so wall times are inflated; judge the CPU column.${busy.length > 0 ? ` Rows measured under load: ${busy.join(', ')}.` : ''}**`
  );
}

/**
 * The whole report of one run, as Markdown: what ran where, the table, the legend, crashes and goals. With
 * `previousTable` (the table on the page) and `info.only`, only the rerun workloads' rows are new.
 */
export function benchReport(
  info: RunInfo,
  results: ReadonlyArray<BenchResult | BenchError>,
  startup?: StartupResult | { error: string },
  previousTable?: readonly TableRow[],
): string {
  const when = info.date.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  const fresh = benchRows(results, startup, { measured: when.slice(0, 16), previous: previousTable });
  const rows = info.only && previousTable ? mergeRows(previousTable, fresh, new Set(info.only)) : fresh;
  const warning = loadWarning(info, rows);
  const lines = [
    `- Command: \`${info.command}\`${info.quick ? ' (--quick: smaller workloads; the goals are for the full run)' : ''}`,
    ...(info.only
      ? [
          `- Rerun: ${info.only.join(', ')}; ${previousTable ? 'the other rows are kept from earlier runs (see Measured)' : 'no earlier table to keep other rows from'}`,
        ]
      : []),
    `- Date: ${when}`,
    `- Machine: ${info.cpus} × ${info.cpuModel}, ${info.memoryGb} GB`,
    `- Node: ${info.node}`,
    `- Load average (1 minute): ${info.loadBefore.toFixed(1)} before, ${info.loadAfter.toFixed(1)} after${info.loadMax !== undefined ? `, ${info.loadMax.toFixed(1)} at most` : ''}`,
    `- Duration: ${info.seconds.toFixed(0)} s`,
    ...(warning ? ['', warning] : []),
    '',
    benchTable(rows),
    '',
    LEGEND,
    '',
  ];
  for (const c of results.filter(isError)) lines.push(`FAILED: ${c.method}: ${c.error}`, '');
  lines.push(`${goalSummary(rows)}.`);
  return lines.join('\n');
}

/** The text between the markers of `doc` (undefined without them). */
export function betweenMarkers(doc: string): string | undefined {
  const begin = doc.indexOf(BEGIN_MARKER);
  const end = doc.indexOf(END_MARKER);
  return begin < 0 || end < begin ? undefined : doc.slice(begin + BEGIN_MARKER.length, end);
}

/**
 * `doc` with the text between its bench markers replaced by `report`. Throws, naming `docName`, when the markers
 * are missing, doubled or out of order, so a hand-edited file is never half overwritten.
 */
export function replaceBetweenMarkers(doc: string, report: string, docName: string): string {
  const begin = doc.indexOf(BEGIN_MARKER);
  const end = doc.indexOf(END_MARKER);
  if (begin < 0 || end < 0 || end < begin || doc.indexOf(BEGIN_MARKER, begin + 1) >= 0 || doc.indexOf(END_MARKER, end + 1) >= 0) {
    throw new Error(`${docName} must hold the line "${BEGIN_MARKER}" once, then "${END_MARKER}" once; put them back where the table goes`);
  }
  return doc.slice(0, begin + BEGIN_MARKER.length) + '\n' + report.trimEnd() + '\n' + doc.slice(end);
}
