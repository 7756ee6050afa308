#!/usr/bin/env node
// @ts-check
// `npm run bench`: speed and scale of Marginalia beside the alternatives, on seeded workloads (bench/*.ts), printed as
// one table. Each workload variant runs in its own node process (out/bench/run.js), so each row's peak memory is its
// own; start-up is measured in a real VS Code (code-server) with the production bundle. A missed goal is marked ✗ and
// does not fail the run; a workload that crashes does (exit 1).
//
//   node scripts/bench.mjs [--quick] [--skip-startup]
//     --quick          smaller workloads (a smoke run: the goals are for the full sizes)
//     --skip-startup   leave out the extension-host start-up (needs code-server, see npm run setup:vscode)
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, build, ensureNodeModules, log, run } from './lib.mjs';
import { parseArgs } from './vscode/args.mjs';

let args;
try {
  args = parseArgs(process.argv.slice(2), { quick: 'boolean', 'skip-startup': 'boolean' });
  if (args.positional.length) throw new Error(`unexpected argument ${args.positional[0]}`);
} catch (e) {
  console.error(`bench: ${/** @type {Error} */ (e).message}`);
  process.exit(2);
}
const quick = !!args.quick;
/** Activations measured, each in a fresh code-server; the median is reported (one activation in an extension host
 *  still busy with its own start-up can take several times as long as the next). */
const STARTUP_RUNS = 3;

const T0 = Date.now();
const load0 = os.loadavg()[0];

ensureNodeModules();
build();

const RESULT = 'BENCH_RESULT ';
/**
 * One result row of out/bench/run.js (bench/*.ts), or an error row for a variant that crashed.
 * @typedef {{ workload: string, method: string, ms: number, unit?: string, input?: string, note?: string, error?: string, peakRssMb: number,
 *   accuracy?: { correct: number, lost: number, wrong: number, total: number }, extra?: { label?: string, part?: string } }} Result
 */
/**
 * Runs one workload variant; resolves with its result rows (or an error row).
 * @param {string} workload
 * @param {string} name
 * @returns {Promise<Result[]>}
 */
function variant(workload, name) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [path.join(ROOT, 'out', 'bench', 'run.js'), workload, name, ...(quick ? ['--quick'] : [])], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      const rows = out.split('\n').filter((l) => l.startsWith(RESULT)).map((l) => JSON.parse(l.slice(RESULT.length)));
      log(`${workload} ${name}: ${code === 0 ? 'done' : `FAILED (exit ${code})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      if (code !== 0) {
        process.stderr.write(err);
        rows.push({ workload, method: `${workload} ${name}`, ms: NaN, peakRssMb: NaN, error: (err.trim().split('\n')[0] || `exit ${code}`).slice(0, 120) });
      }
      resolve(rows);
    });
  });
}

/** @type {Result[]} */
const results = [];
for (const [w, v] of [
  ['reanchor', 'ours'], ['reanchor', 'hypothesis'], ['reanchor', 'dmp'],
  ['typing', 'ours'], ['typing', 'naive'],
  ['hover', 'ours'], ['hover', 'linear'],
  ['corpus', 'generate'], ['corpus', 'ours'], ['corpus', 'alternative'], ['corpus', 'clean'],
]) {
  results.push(...(await variant(w, v)));
}
const startup = args.skipStartup ? undefined : await measureStartup();

// ---------------------------------------------------------------------------------------------------------------
// The table

/** @type {(workload: string, test: (r: Result) => boolean) => Result | undefined} */
const find = (workload, test) => results.find((r) => r.workload === workload && !r.error && test(r));
/** @type {(workload: string, part?: string) => Result | undefined} */
const ours = (workload, part) => find(workload, (r) => r.method.startsWith('Marginalia') && (part === undefined || r.extra?.part === part));
/** @type {{ workload: string, method: string, time: string, versus: string, accuracy: string, memory: string, goal: string, note: string }[]} */
const rows = [];
const crashed = results.filter((r) => r.error);

/** @param {number | undefined} ms */
function fmtTime(ms) {
  if (ms === undefined || Number.isNaN(ms)) return '–';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  if (ms >= 0.01) return `${ms.toFixed(3)} ms`;
  return `${(ms * 1000).toFixed(1)} µs`;
}
/** @type {(n: number, of: number) => string} */
const pct = (n, of) => `${((100 * n) / of).toFixed(1)} %`;
/** @type {(a: Result['accuracy']) => string} */
const fmtAccuracy = (a) => (a ? `${pct(a.correct, a.total)} / ${pct(a.lost, a.total)} / ${pct(a.wrong, a.total)}` : '');
/** @type {(mb: number | undefined) => string} */
const fmtMb = (mb) => (mb === undefined ? '' : `${Math.round(mb)} MB`);
/**
 * How an alternative compares with ours: "470× slower" or "35× faster".
 * @param {Result | undefined} alt
 * @param {Result | undefined} base
 */
function versus(alt, base) {
  if (!alt || !base) return '';
  const r = alt.ms / base.ms;
  const f = (/** @type {number} */ x) => (x >= 10 ? x.toFixed(0) : x.toFixed(1));
  return r >= 1 ? `${f(r)}× slower` : `${f(1 / r)}× faster`;
}
/** @type {(ok: boolean, text: string) => string} */
const goal = (ok, text) => `${ok ? '✓' : '✗'} ${text}`;

/** Every row of a workload must have run on the input of the first: same seed, same generated data. */
const firstInput = new Map();
/**
 * @param {string} workload
 * @param {Result | undefined} r
 * @param {{ method?: string, time?: string, versus?: string, accuracy?: string, memory?: string, goal?: string, note?: string }} cells
 */
function row(workload, r, cells) {
  if (r?.input) {
    if (!firstInput.has(workload)) firstInput.set(workload, r.input);
    else if (firstInput.get(workload) !== r.input) cells = { ...cells, note: `${cells.note ?? r.note ?? ''} INPUT DIFFERS FROM THE ROWS ABOVE`.trim() };
  }
  rows.push({ workload, method: r?.method ?? cells.method ?? '', time: r ? fmtTime(r.ms) + (r.unit && r.unit !== 'total' ? ` (${r.unit})` : '') : (cells.time ?? '–'),
    versus: cells.versus ?? '', accuracy: cells.accuracy ?? fmtAccuracy(r?.accuracy), memory: cells.memory ?? fmtMb(r?.peakRssMb), goal: cells.goal ?? '', note: cells.note ?? r?.note ?? '' });
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
  row(w, exp, { memory: '', goal: exp ? goal(exp.ms <= 2000 && (!alt || exp.ms <= 2 * alt.ms), `≤ 2 s and ≤ 2× yaml`) : '' });
  row(w, alt, { versus: versus(alt, exp) });
  if (load) row(w, undefined, { method: 'Marginalia: the whole workload (load + tree + texts + export)', time: '', memory: fmtMb(load.peakRssMb), goal: goal(load.peakRssMb <= 300, 'peak ≤ 300 MB') });
}
// 5. Start-up
if (startup) {
  const w = '5. Start-up (code-server 1.100, production bundle)';
  if ('error' in startup) row(w, undefined, { method: 'start-up', time: '–', note: `not measured: ${startup.error}` });
  else {
    const s = startup;
    row(w, undefined, { method: 'Marginalia: activation, ext.activate() in the extension host (loads the bundle)', time: fmtTime(s.roundTripMs), goal: goal(s.roundTripMs <= 50, '≤ 50 ms'),
      note: `median of ${s.all.length} fresh code-servers (${s.all.map((ms) => fmtTime(ms)).join(', ')}); activate() itself ${s.activateMs === undefined ? '(not found in the log)' : fmtTime(s.activateMs)}, by the extension's log${s.wasActive ? '; ONE WAS ALREADY ACTIVE' : ''}` });
    const kb = (/** @type {number} */ n) => `${(n / 1024).toFixed(0)} KB`;
    const shipped = s.extensionBytes + s.chunks.reduce((n, c) => n + c.bytes, 0);
    row(w, undefined, { method: 'Marginalia: dist/extension.js, the bundle activation loads (esbuild --production, minified)', time: kb(s.extensionBytes), goal: goal(s.extensionBytes <= 500 * 1024, '≤ 500 KB'),
      note: `chunks loaded at first use: ${s.chunks.map((c) => `${c.file} ${kb(c.bytes)}`).join(', ')}; ${kb(shipped)} shipped in all; dist/cli.js ${kb(s.cliBytes)}` });
  }
}

const header = ['Workload', 'Method', 'Time', 'vs ours', 'Correct / orphaned / wrong', 'Peak RSS', 'Goal', 'Notes'];
const lines = [
  `| ${header.join(' | ')} |`,
  `| ${header.map(() => '---').join(' | ')} |`,
  ...rows.map((r, i) => `| ${i > 0 && rows[i - 1].workload === r.workload ? '' : r.workload} | ${[r.method, r.time, r.versus, r.accuracy, r.memory, r.goal, r.note].join(' | ')} |`),
];
const cpu = os.cpus();
console.log('');
console.log(`Marginalia benchmark${quick ? ' (--quick: smaller workloads; the goals are for the full run)' : ''}: node ${process.version}, ` +
  `${cpu.length} × ${cpu[0]?.model.trim() ?? 'CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GB, load average ${load0.toFixed(1)} at start, ${new Date().toISOString().slice(0, 10)}`);
console.log('');
console.log(lines.join('\n'));
console.log('');
console.log('Correct / orphaned / wrong: share of annotations placed exactly where the edits moved their text (or orphaned where it was deleted), ' +
  'orphaned although their text survived, and attached anywhere else (as in test/unit/anchoring/anchorAccuracy.test.ts). ' +
  'Peak RSS: the maximum resident set of the process that ran the row (input generation included).');
for (const c of crashed) console.log(`FAILED: ${c.method}: ${c.error}`);
const missed = rows.filter((r) => r.goal.startsWith('✗')).length;
console.log(`${rows.filter((r) => r.goal.startsWith('✓')).length} goals met, ${missed} missed; ${((Date.now() - T0) / 1000).toFixed(0)} s in all`);
process.exit(crashed.length > 0 ? 1 : 0);

// ---------------------------------------------------------------------------------------------------------------
// Start-up

/**
 * @typedef {{ roundTripMs: number, activateMs?: number, wasActive?: boolean }} StartupRun  what out/bench/startup writes
 * @typedef {StartupRun & { all: number[], extensionBytes: number, cliBytes: number, chunks: { file: string, bytes: number }[] }} Startup
 */
/**
 * Bundle sizes of the production build, and activation in code-server; the development build is restored after.
 * @returns {Promise<Startup | { error: string }>}
 */
async function measureStartup() {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mg-bench-'));
  try {
    run(process.execPath, [path.join(ROOT, 'scripts', 'setup-vscode.mjs')]);
    log('building the production bundle (esbuild --production)');
    run(process.execPath, [path.join(ROOT, 'esbuild.mjs'), '--production']);
    const extensionBytes = fs.statSync(path.join(ROOT, 'dist', 'extension.js')).size;
    const cliBytes = fs.statSync(path.join(ROOT, 'dist', 'cli.js')).size;
    // Every other .js in dist/ is a chunk of the extension that it requires at first use (see esbuild.mjs).
    const chunks = fs.readdirSync(path.join(ROOT, 'dist')).filter((f) => f.endsWith('.js') && f !== 'extension.js' && f !== 'cli.js').sort()
      .map((file) => ({ file, bytes: fs.statSync(path.join(ROOT, 'dist', file)).size }));
    /** @type {StartupRun[]} */
    const runs = [];
    for (let i = 1; i <= STARTUP_RUNS; i++) {
      log(`start-up: activating the extension in code-server (${i} of ${STARTUP_RUNS})`);
      const outFile = path.join(runDir, `startup-${i}.json`);
      const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'run-integration.mjs'), '--tests', path.join(ROOT, 'out', 'bench', 'startup'),
        '--keep', '--run-dir', path.join(runDir, `run-${i}`), '--timeout', '120'], {
        cwd: ROOT, encoding: 'utf8',
        env: { ...process.env, MARGINALIA_BENCH_STARTUP_OUT: outFile, MARGINALIA_BENCH_LOGS: path.join(runDir, `run-${i}`, 'user-data', 'logs') },
      });
      if (r.status !== 0 || !fs.existsSync(outFile)) {
        process.stdout.write(r.stdout ?? '');
        process.stderr.write(r.stderr ?? '');
        return { error: `run-integration exited ${r.status}` };
      }
      runs.push(JSON.parse(fs.readFileSync(outFile, 'utf8')));
    }
    const sorted = [...runs].sort((a, b) => a.roundTripMs - b.roundTripMs);
    const median = sorted[sorted.length >> 1];
    return { ...median, all: runs.map((x) => x.roundTripMs), wasActive: runs.some((x) => x.wasActive), extensionBytes, cliBytes, chunks };
  } catch (e) {
    return { error: /** @type {Error} */ (e).message.split('\n')[0] };
  } finally {
    log('restoring the development build');
    run(process.execPath, [path.join(ROOT, 'esbuild.mjs')]);
    fs.rmSync(runDir, { recursive: true, force: true });
  }
}
