#!/usr/bin/env node
// @ts-check
// `npm run bench`: speed and scale of Marginalia beside the alternatives, on seeded workloads (bench/*.ts, listed in
// bench/registry.ts), printed as one table and, for a full run, written into docs/performance.md (bench/report.ts
// makes the table and the page). Each workload variant runs in its own node process (out/bench/run.js), so each
// row's peak memory is its own; a variant that measures a whole load runs in several processes, one run each. The
// one-minute load average is sampled before and after every process. Start-up is measured in a real VS Code
// (code-server) with the production bundle. A missed goal is marked ✗ and does not fail the run; a workload that
// crashes does (exit 1).
//
//   node scripts/bench.mjs [--quick] [--skip-startup] [--only WORKLOAD[,WORKLOAD...]]...
//     --quick          smaller workloads (a smoke run that only prints: the goals are for the full sizes)
//     --skip-startup   leave out the extension-host start-up (needs code-server, see npm run setup:vscode)
//     --only W         rerun only these workloads (reanchor, typing, typing100k, hover, corpus, agreement, relations,
//                      corpus10x, startup; repeat it or list them with commas) and replace only their rows of the table in
//                      docs/performance.md, keeping the others from their earlier run
//     --from-results F  measure nothing: make the report again from the raw results a run saved (.run/bench-results.json)
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { ROOT, build, ensureNodeModules, log, run } from './lib.mjs';
import { parseArgs } from './vscode/args.mjs';

const require = createRequire(import.meta.url);

/** `--only a,b --only c` (or `--only=a`) taken out of the arguments: the workloads to rerun, or undefined for all. */
function takeOnly(/** @type {string[]} */ argv) {
  /** @type {string[]} */
  const rest = [];
  /** @type {string[] | undefined} */
  let only;
  for (let i = 0; i < argv.length; i++) {
    const m = /^--only(?:=(.*))?$/.exec(argv[i]);
    if (!m) {
      rest.push(argv[i]);
      continue;
    }
    const value = m[1] ?? argv[++i];
    if (value === undefined || value.startsWith('--')) throw new Error('--only needs a workload name, e.g. --only corpus');
    only = [...(only ?? []), ...value.split(',').filter((x) => x)];
  }
  return { rest, only };
}

let args;
/** @type {string[] | undefined} */
let only;
try {
  const taken = takeOnly(process.argv.slice(2));
  only = taken.only;
  args = parseArgs(taken.rest, { quick: 'boolean', 'skip-startup': 'boolean', 'from-results': 'string' });
  if (args.positional.length) throw new Error(`unexpected argument ${args.positional[0]}`);
} catch (e) {
  console.error(`bench: ${/** @type {Error} */ (e).message}`);
  process.exit(2);
}
const quick = !!args.quick;
/** Activations measured, each in a fresh code-server; the median is reported (one activation in an extension host
 *  still busy with its own start-up can take several times as long as the next). */
const STARTUP_RUNS = 5;

const T0 = Date.now();
let load0 = os.loadavg()[0];
let loadMax = load0;
/** The one-minute load average now, remembered for the run's highest. */
function sampleLoad() {
  const l = os.loadavg()[0];
  loadMax = Math.max(loadMax, l);
  return l;
}

/** @type {{ command: string, date: string, results: Result[], startup?: any, loadBefore: number, loadAfter: number, loadMax: number, seconds: number } | undefined} */
const saved = args.fromResults ? JSON.parse(fs.readFileSync(path.resolve(args.fromResults), 'utf8')) : undefined;
if (!saved) {
  ensureNodeModules();
  build();
}

/** @type {typeof import('../bench/report.js')} */
const report = require(path.join(ROOT, 'out', 'bench', 'report.js'));
/** @type {typeof import('../bench/registry.js')} */
const registry = require(path.join(ROOT, 'out', 'bench', 'registry.js'));
const known = /** @type {readonly string[]} */ (report.WORKLOAD_ORDER);
for (const w of only ?? []) {
  if (!known.includes(w)) {
    console.error(`bench: --only ${w}: no such workload; known: ${known.join(', ')}`);
    process.exit(2);
  }
}
const wanted = (/** @type {string} */ w) => !only || only.includes(w);

const RESULT = 'BENCH_RESULT ';
/** One result row of out/bench/run.js (bench/*.ts), or an error row for a variant that crashed.
 *  @typedef {import('../bench/support.js').BenchResult | import('../bench/report.js').BenchError} Result */
/**
 * Runs one workload variant in one process; resolves with its result rows (or an error row), each with the load
 * average before and after the process.
 * @param {string} workload
 * @param {string} name
 * @param {string} [label]
 * @returns {Promise<Result[]>}
 */
function variant(workload, name, label = '') {
  return new Promise((resolve) => {
    const started = Date.now();
    const loadBefore = sampleLoad();
    const child = spawn(process.execPath, ['--expose-gc', path.join(ROOT, 'out', 'bench', 'run.js'), workload, name, ...(quick ? ['--quick'] : [])], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      const loadAfter = sampleLoad();
      /** @type {Result[]} */
      const rows = out
        .split('\n')
        .filter((l) => l.startsWith(RESULT))
        .map((l) => ({ ...JSON.parse(l.slice(RESULT.length)), load: [loadBefore, loadAfter] }));
      log(
        `${workload} ${name}${label}: ${code === 0 ? 'done' : `FAILED (exit ${code})`} in ${((Date.now() - started) / 1000).toFixed(1)} s` +
          ` (load ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)})`,
      );
      if (code !== 0) {
        process.stderr.write(err);
        rows.push({ workload, method: `${workload} ${name}`, error: (err.trim().split('\n')[0] || `exit ${code}`).slice(0, 120) });
      }
      resolve(rows);
    });
  });
}

/** @type {Result[]} */
const results = saved ? saved.results : [];
for (const { workload, variant: name, processes } of registry.variantList()) {
  if (saved || !wanted(workload)) continue;
  if (processes <= 1) {
    results.push(...(await variant(workload, name)));
    continue;
  }
  /** @type {import('../bench/support.js').BenchResult[][]} */
  const perProcess = [];
  for (let i = 1; i <= processes; i++) {
    const rows = await variant(workload, name, ` (process ${i} of ${processes})`);
    const failed = rows.filter((r) => 'error' in r);
    if (failed.length > 0) {
      results.push(...failed);
      break;
    }
    perProcess.push(/** @type {import('../bench/support.js').BenchResult[]} */ (rows));
  }
  results.push(...report.mergeProcessRuns(perProcess));
}
const startup = saved ? saved.startup : args.skipStartup || !wanted('startup') ? undefined : await measureStartup();

// ---------------------------------------------------------------------------------------------------------------
// The report (bench/report.ts, compiled by build() above): printed, and a full run also writes it into
// docs/performance.md between its markers (with --only, into the table already there). A --quick run only prints
// (its sizes are not the ones the goals are for).

const load1 = sampleLoad();
if (saved) {
  load0 = saved.loadBefore;
  loadMax = saved.loadMax;
} else {
  // The raw results, so that the report can be made again from them (--from-results).
  const resultsFile = path.join(ROOT, '.run', `bench-results${quick ? '-quick' : ''}.json`);
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  const argv0 = process.argv.slice(2);
  const command0 = ['npm run bench', ...(argv0.length > 0 ? ['--', ...argv0] : [])].join(' ');
  const record = {
    command: command0,
    date: new Date().toISOString(),
    results,
    startup,
    loadBefore: load0,
    loadAfter: load1,
    loadMax,
    seconds: (Date.now() - T0) / 1000,
  };
  fs.writeFileSync(resultsFile, JSON.stringify(record));
  log(`raw results in ${path.relative(ROOT, resultsFile)}`);
}
const cpu = os.cpus();
const argv = process.argv.slice(2);
const command = saved?.command ?? ['npm run bench', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' ');
const finished = saved?.date ? new Date(saved.date) : new Date();
const doc = path.join(ROOT, 'docs', 'performance.md');
const page = fs.readFileSync(doc, 'utf8');
const previous = only ? report.parseTable(report.betweenMarkers(page) ?? '') : undefined;
if (only && !previous && !quick) {
  console.error('bench: docs/performance.md holds no table of this layout to keep the other rows from; run the whole bench once (npm run bench)');
}
const text = report.benchReport(
  {
    command,
    date: finished,
    node: process.version,
    cpus: cpu.length,
    cpuModel: cpu[0]?.model.trim() ?? 'CPU',
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    loadBefore: load0,
    loadAfter: saved ? saved.loadAfter : load1,
    loadMax,
    seconds: saved ? saved.seconds : (Date.now() - T0) / 1000,
    quick,
    only,
  },
  results,
  startup,
  previous,
);
console.log('');
console.log(text);
if (!quick && (!only || previous)) {
  try {
    fs.writeFileSync(doc, report.replaceBetweenMarkers(page, text, 'docs/performance.md'));
    log('wrote the table into docs/performance.md');
  } catch (e) {
    console.error(`bench: could not write docs/performance.md: ${/** @type {Error} */ (e).message}`);
    process.exitCode = 1;
  }
} else if (only && !previous && !quick) process.exitCode = 1;
process.exit(results.some((r) => 'error' in r) ? 1 : (process.exitCode ?? 0));

// ---------------------------------------------------------------------------------------------------------------
// Start-up

/**
 * @typedef {{ roundTripMs: number, activateMs?: number, wasActive?: boolean }} StartupRun  what out/bench/startup writes
 * @typedef {StartupRun & { all: number[], extensionBytes: number, cliBytes: number, chunks: { file: string, bytes: number }[], load: [number, number] }} Startup
 */
/**
 * Bundle sizes of the production build, and activation in code-server; the development build is restored after.
 * @returns {Promise<Startup | { error: string }>}
 */
async function measureStartup() {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mg-bench-'));
  const loadStart = sampleLoad();
  try {
    run(process.execPath, [path.join(ROOT, 'scripts', 'setup-vscode.mjs')]);
    log('building the production bundle (esbuild --production)');
    run(process.execPath, [path.join(ROOT, 'esbuild.mjs'), '--production']);
    const extensionBytes = fs.statSync(path.join(ROOT, 'dist', 'extension.js')).size;
    const cliBytes = fs.statSync(path.join(ROOT, 'dist', 'cli.js')).size;
    // Every other .js in dist/ is a chunk of the extension that it requires at first use (see esbuild.mjs).
    const chunks = fs
      .readdirSync(path.join(ROOT, 'dist'))
      .filter((f) => f.endsWith('.js') && f !== 'extension.js' && f !== 'cli.js')
      .sort()
      .map((file) => ({ file, bytes: fs.statSync(path.join(ROOT, 'dist', file)).size }));
    /** @type {StartupRun[]} */
    const runs = [];
    for (let i = 1; i <= STARTUP_RUNS; i++) {
      log(`start-up: activating the extension in code-server (${i} of ${STARTUP_RUNS})`);
      const outFile = path.join(runDir, `startup-${i}.json`);
      const r = spawnSync(
        process.execPath,
        [
          path.join(ROOT, 'scripts', 'run-integration.mjs'),
          '--tests',
          path.join(ROOT, 'out', 'bench', 'startup'),
          '--keep',
          '--run-dir',
          path.join(runDir, `run-${i}`),
          '--timeout',
          '120',
        ],
        {
          cwd: ROOT,
          encoding: 'utf8',
          env: { ...process.env, MARGINALIA_BENCH_STARTUP_OUT: outFile, MARGINALIA_BENCH_LOGS: path.join(runDir, `run-${i}`, 'user-data', 'logs') },
        },
      );
      if (r.status !== 0 || !fs.existsSync(outFile)) {
        process.stdout.write(r.stdout ?? '');
        process.stderr.write(r.stderr ?? '');
        return { error: `run-integration exited ${r.status}` };
      }
      runs.push(JSON.parse(fs.readFileSync(outFile, 'utf8')));
    }
    const sorted = [...runs].sort((a, b) => a.roundTripMs - b.roundTripMs);
    const median = sorted[sorted.length >> 1];
    return {
      ...median,
      all: runs.map((x) => x.roundTripMs),
      wasActive: runs.some((x) => x.wasActive),
      extensionBytes,
      cliBytes,
      chunks,
      load: [loadStart, sampleLoad()],
    };
  } catch (e) {
    return { error: /** @type {Error} */ (e).message.split('\n')[0] };
  } finally {
    log('restoring the development build');
    run(process.execPath, [path.join(ROOT, 'esbuild.mjs')]);
    fs.rmSync(runDir, { recursive: true, force: true });
  }
}
