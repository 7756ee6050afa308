// The report of `npm run bench`: the table made from the workloads' result rows (support.ts's BenchResult, or an
// error row for a variant that crashed) and the start-up measurement, and its place in docs/performance.md, between
// two markers, with the command, date, machine, node version and load average before and after the run. Pure
// functions over plain values, so the unit tests can feed a made-up result set; scripts/bench.mjs does the I/O.
import type { Accuracy, BenchResult } from './support';

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
  seconds: number;
  quick: boolean;
}

export interface TableRow {
  workload: string;
  method: string;
  time: string;
  versus: string;
  accuracy: string;
  memory: string;
  goal: string;
  note: string;
}

export const BEGIN_MARKER = '<!-- bench:begin (written by npm run bench; edits between the markers are replaced) -->';
export const END_MARKER = '<!-- bench:end -->';

export function fmtTime(ms: number | undefined): string {
  if (ms === undefined || Number.isNaN(ms)) return '–';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  if (ms >= 0.01) return `${ms.toFixed(3)} ms`;
  return `${(ms * 1000).toFixed(1)} µs`;
}

const pct = (n: number, of: number): string => `${((100 * n) / of).toFixed(1)} %`;
const fmtAccuracy = (a: Accuracy | undefined): string => (a ? `${pct(a.correct, a.total)} / ${pct(a.lost, a.total)} / ${pct(a.wrong, a.total)}` : '');
const fmtMb = (mb: number | undefined): string => (mb === undefined ? '' : `${Math.round(mb)} MB`);
const kb = (n: number): string => `${(n / 1024).toFixed(0)} KB`;
const goal = (ok: boolean, text: string): string => `${ok ? '✓' : '✗'} ${text}`;

/** How an alternative compares with ours: "470× slower" or "35× faster". */
function versus(alt: BenchResult | undefined, base: BenchResult | undefined): string {
  if (!alt || !base) return '';
  const r = alt.ms / base.ms;
  const f = (x: number): string => (x >= 10 ? x.toFixed(0) : x.toFixed(1));
  return r >= 1 ? `${f(r)}× slower` : `${f(1 / r)}× faster`;
}

const isError = (r: BenchResult | BenchError): r is BenchError => 'error' in r;

/** The table's rows, workload by workload, each with its goal met (✓) or missed (✗). */
export function benchRows(results: ReadonlyArray<BenchResult | BenchError>, startup?: StartupResult | { error: string }): TableRow[] {
  const measured = results.filter((r): r is BenchResult => !isError(r));
  const find = (workload: string, test: (r: BenchResult) => boolean): BenchResult | undefined => measured.find((r) => r.workload === workload && test(r));
  const ours = (workload: string, part?: string): BenchResult | undefined =>
    find(workload, (r) => r.method.startsWith('Marginalia') && (part === undefined || r.extra?.part === part));
  const rows: TableRow[] = [];

  /** Every row of a workload must have run on the input of the first: same seed, same generated data. */
  const firstInput = new Map<string, string>();
  function row(workload: string, r: BenchResult | undefined, cells: Partial<TableRow>): void {
    let note = cells.note ?? r?.note ?? '';
    if (r?.input) {
      if (!firstInput.has(workload)) firstInput.set(workload, r.input);
      else if (firstInput.get(workload) !== r.input) note = `${note} INPUT DIFFERS FROM THE ROWS ABOVE`.trim();
    }
    rows.push({
      workload,
      method: r?.method ?? cells.method ?? '',
      time: r ? fmtTime(r.ms) + (r.unit && r.unit !== 'total' ? ` (${r.unit})` : '') : (cells.time ?? '–'),
      versus: cells.versus ?? '',
      accuracy: cells.accuracy ?? fmtAccuracy(r?.accuracy),
      memory: cells.memory ?? fmtMb(r?.peakRssMb),
      goal: cells.goal ?? '',
      note,
    });
  }

  // 1. Re-anchoring
  {
    const o = ours('reanchor');
    const hyp = find('reanchor', (r) => r.method.startsWith('Hypothesis'));
    const dmp = find('reanchor', (r) => r.method.startsWith('diff-match-patch'));
    const w = `1. Re-anchor after outside edits (${o?.extra?.label ?? ''})`;
    row(w, o, { goal: o ? goal(o.ms <= 300, '≤ 0.3 s') : '' });
    row(w, hyp, { versus: versus(hyp, o), goal: hyp && o ? goal(hyp.ms / o.ms >= 50, 'ours ≥ 50× faster') : '' });
    row(w, dmp, { versus: versus(dmp, o) });
  }
  // 2. Typing
  {
    const o = ours('typing');
    const n = find('typing', (r) => r.method.startsWith('naive'));
    const w = `2. Typing (${o?.extra?.label ?? ''})`;
    row(w, o, { goal: o ? goal(o.ms <= 2, '≤ 2 ms') : '' });
    row(w, n, { versus: versus(n, o) });
  }
  // 3. Hover
  {
    const o = ours('hover');
    const l = find('hover', (r) => r.method.startsWith('linear'));
    const w = `3. Hover lookup (${o?.extra?.label ?? ''})`;
    row(w, o, { goal: o ? goal(o.ms <= 0.05, '≤ 0.05 ms') : '' });
    row(w, l, { versus: versus(l, o) });
  }
  // 4. Corpus
  {
    const gen = find('corpus', (r) => r.method === 'generate');
    const load = ours('corpus', 'load');
    const tree = ours('corpus', 'tree');
    const exp = ours('corpus', 'export');
    const alt = find('corpus', (r) => r.method.startsWith('yaml package'));
    const w = `4. Corpus scale (${load?.extra?.label ?? ''})`;
    if (gen) firstInput.set(w, gen.input);
    row(w, load, { memory: '', goal: load ? goal(load.ms <= 1000, '≤ 1 s') : '', note: gen ? `corpus written in ${fmtTime(gen.ms)} (not timed)` : '' });
    row(w, tree, { memory: '', goal: tree ? goal(tree.ms <= 100, '≤ 100 ms') : '' });
    row(w, exp, { memory: '', goal: exp ? goal(exp.ms <= 2000 && (!alt || exp.ms <= 2 * alt.ms), '≤ 2 s and ≤ 2× yaml') : '' });
    row(w, alt, { versus: versus(alt, exp) });
    if (load) {
      row(w, undefined, {
        method: 'Marginalia: the whole workload (load + tree + texts + export)',
        time: '',
        memory: fmtMb(load.peakRssMb),
        goal: goal(load.peakRssMb <= 300, 'peak ≤ 300 MB'),
      });
    }
  }
  // 5. Start-up
  if (startup) {
    const w = '5. Start-up (code-server 1.100, production bundle)';
    if ('error' in startup) row(w, undefined, { method: 'start-up', time: '–', note: `not measured: ${startup.error}` });
    else {
      const s = startup;
      row(w, undefined, {
        method: 'Marginalia: activation, ext.activate() in the extension host (loads the bundle)',
        time: fmtTime(s.roundTripMs),
        goal: goal(s.roundTripMs <= 50, '≤ 50 ms'),
        note:
          `median of ${s.all.length} fresh code-servers (${s.all.map((ms) => fmtTime(ms)).join(', ')}); activate() itself ` +
          `${s.activateMs === undefined ? '(not found in the log)' : fmtTime(s.activateMs)}, by the extension's log${s.wasActive ? '; ONE WAS ALREADY ACTIVE' : ''}`,
      });
      const shipped = s.extensionBytes + s.chunks.reduce((n, c) => n + c.bytes, 0);
      row(w, undefined, {
        method: 'Marginalia: dist/extension.js, the bundle activation loads (esbuild --production, minified)',
        time: kb(s.extensionBytes),
        goal: goal(s.extensionBytes <= 500 * 1024, '≤ 500 KB'),
        note: `chunks loaded at first use: ${s.chunks.map((c) => `${c.file} ${kb(c.bytes)}`).join(', ')}; ${kb(shipped)} shipped in all; dist/cli.js ${kb(s.cliBytes)}`,
      });
    }
  }
  // 6. Import of a YAML export
  if (measured.some((r) => r.workload === 'import')) {
    const gens = measured.filter((r) => r.workload === 'import' && r.method.startsWith('generate'));
    const streamed = measured.filter((r) => r.workload === 'import' && r.method.startsWith('Marginalia'));
    const small = streamed.find((r) => r.extra?.shape === gens[0]?.extra?.shape) ?? streamed[0];
    const large = streamed.find((r) => r !== small);
    const whole = find('import', (r) => r.method.startsWith('whole-file'));
    const w = '6. Import of a YAML export (half the annotations stored, half restored)';
    const written = gens.map((g) => `${String(g.extra?.annotations)} annotations written in ${fmtTime(g.ms)}`).join(', ');
    // Each shape is generated from its own seed: the rows of one shape share an input, the other has its own.
    if (small) firstInput.set(w, small.input);
    row(w, small, { goal: small ? goal(small.peakRssMb <= 600, 'peak ≤ 600 MB') : '', note: `${small?.note ?? ''}; ${written} (not timed)` });
    row(w, whole, { versus: versus(whole, small) });
    if (large) firstInput.set(w, large.input);
    row(w, large, { goal: large ? goal(large.peakRssMb <= 600, 'peak ≤ 600 MB') : '' });
  }
  return rows;
}

/** A table cell: a `|` would end the cell early, a line break the row. */
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

/** The Markdown table; a workload's name is written on its first row only. */
export function benchTable(rows: readonly TableRow[]): string {
  const header = ['Workload', 'Method', 'Time', 'vs ours', 'Correct / orphaned / wrong', 'Peak RSS', 'Goal', 'Notes'];
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map(
      (r, i) =>
        `| ${[i > 0 && rows[i - 1].workload === r.workload ? '' : r.workload, r.method, r.time, r.versus, r.accuracy, r.memory, r.goal, r.note].map(cell).join(' | ')} |`,
    ),
  ].join('\n');
}

export const LEGEND =
  'Correct / orphaned / wrong: share of annotations placed exactly where the edits moved their text (or orphaned where it was deleted), ' +
  'orphaned although their text survived, and attached anywhere else (as in test/unit/anchoring/anchorAccuracy.test.ts). ' +
  'Peak RSS: the maximum resident set of the process that ran the row (input generation included).';

/** The goals line: "9 goals met, 1 missed". */
export function goalSummary(rows: readonly TableRow[]): string {
  const met = rows.filter((r) => r.goal.startsWith('✓')).length;
  const missed = rows.filter((r) => r.goal.startsWith('✗')).length;
  return `${met} goals met, ${missed} missed`;
}

/** The whole report of one run, as Markdown: what ran where, the table, the legend, crashes and goals. */
export function benchReport(info: RunInfo, results: ReadonlyArray<BenchResult | BenchError>, startup?: StartupResult | { error: string }): string {
  const rows = benchRows(results, startup);
  const when = info.date.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  const lines = [
    `- Command: \`${info.command}\`${info.quick ? ' (--quick: smaller workloads; the goals are for the full run)' : ''}`,
    `- Date: ${when}`,
    `- Machine: ${info.cpus} × ${info.cpuModel}, ${info.memoryGb} GB`,
    `- Node: ${info.node}`,
    `- Load average (1 minute): ${info.loadBefore.toFixed(1)} before, ${info.loadAfter.toFixed(1)} after`,
    `- Duration: ${info.seconds.toFixed(0)} s`,
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
