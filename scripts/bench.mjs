#!/usr/bin/env node
// @ts-check
// `npm run bench`: speed and scale of Marginalia beside the alternatives, on seeded workloads (bench/*.ts), printed as
// one table and, for a full run, written into docs/performance.md (bench/report.ts makes the table and the page). Each workload variant runs in its own node process (out/bench/run.js), so each row's peak memory is its
// own; start-up is measured in a real VS Code (code-server) with the production bundle. A missed goal is marked ✗ and
// does not fail the run; a workload that crashes does (exit 1).
//
//   node scripts/bench.mjs [--quick] [--skip-startup]
//     --quick          smaller workloads (a smoke run: the goals are for the full sizes)
//     --skip-startup   leave out the extension-host start-up (needs code-server, see npm run setup:vscode)
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { ROOT, build, ensureNodeModules, log, run } from './lib.mjs';
import { parseArgs } from './vscode/args.mjs';

const require = createRequire(import.meta.url);

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
/** One result row of out/bench/run.js (bench/*.ts), or an error row for a variant that crashed.
 *  @typedef {import('../bench/support.js').BenchResult | import('../bench/report.js').BenchError} Result */
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
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      const rows = out
        .split('\n')
        .filter((l) => l.startsWith(RESULT))
        .map((l) => JSON.parse(l.slice(RESULT.length)));
      log(`${workload} ${name}: ${code === 0 ? 'done' : `FAILED (exit ${code})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      if (code !== 0) {
        process.stderr.write(err);
        rows.push({ workload, method: `${workload} ${name}`, error: (err.trim().split('\n')[0] || `exit ${code}`).slice(0, 120) });
      }
      resolve(rows);
    });
  });
}

/** @type {Result[]} */
const results = [];
for (const [w, v] of [
  ['reanchor', 'ours'],
  ['reanchor', 'hypothesis'],
  ['reanchor', 'dmp'],
  ['typing', 'ours'],
  ['typing', 'naive'],
  ['hover', 'ours'],
  ['hover', 'linear'],
  ['corpus', 'generate'],
  ['corpus', 'ours'],
  ['corpus', 'alternative'],
  ['firstTree', 'cached'],
  ['firstTree', 'uncached'],
  ['corpus', 'clean'],
  ['import', 'generate'],
  ['import', 'ours'],
  ['import', 'alternative'],
  ['import', 'large'],
  ['import', 'clean'],
]) {
  results.push(...(await variant(w, v)));
}
const startup = args.skipStartup ? undefined : await measureStartup();

// ---------------------------------------------------------------------------------------------------------------
// The report (bench/report.ts, compiled by build() above): printed, and a full run also writes it into
// docs/performance.md between its markers. A --quick run only prints (its sizes are not the ones the goals are for).

const load1 = os.loadavg()[0];
/** @type {typeof import('../bench/report.js')} */
const report = require(path.join(ROOT, 'out', 'bench', 'report.js'));
const cpu = os.cpus();
const argv = process.argv.slice(2);
const text = report.benchReport(
  {
    command: ['npm run bench', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' '),
    date: new Date(),
    node: process.version,
    cpus: cpu.length,
    cpuModel: cpu[0]?.model.trim() ?? 'CPU',
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    loadBefore: load0,
    loadAfter: load1,
    seconds: (Date.now() - T0) / 1000,
    quick,
  },
  results,
  startup,
);
console.log('');
console.log(text);
if (!quick) {
  const doc = path.join(ROOT, 'docs', 'performance.md');
  try {
    fs.writeFileSync(doc, report.replaceBetweenMarkers(fs.readFileSync(doc, 'utf8'), text, 'docs/performance.md'));
    log('wrote the table into docs/performance.md');
  } catch (e) {
    console.error(`bench: could not write docs/performance.md: ${/** @type {Error} */ (e).message}`);
    process.exitCode = 1;
  }
}
process.exit(results.some((r) => 'error' in r) ? 1 : (process.exitCode ?? 0));

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
    return { ...median, all: runs.map((x) => x.roundTripMs), wasActive: runs.some((x) => x.wasActive), extensionBytes, cliBytes, chunks };
  } catch (e) {
    return { error: /** @type {Error} */ (e).message.split('\n')[0] };
  } finally {
    log('restoring the development build');
    run(process.execPath, [path.join(ROOT, 'esbuild.mjs')]);
    fs.rmSync(runDir, { recursive: true, force: true });
  }
}
