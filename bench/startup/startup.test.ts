// Workload 5 (part): activation in a real extension host. scripts/bench.mjs runs this folder with
// scripts/run-integration.mjs (code-server, the production bundle) on a copy of the sample corpus. Nothing has
// activated Marginalia yet when the test starts (no .marginalia folder, no document open), so the time around
// `ext.activate()` covers loading the bundle and running activate(). The extension's own measurement of activate()
// ("marginalia 0.1.0 activated in <app> <version> in N ms") is read from its log, under $MARGINALIA_BENCH_LOGS,
// once VS Code has written it there. Writes { roundTripMs, activateMs, wasActive } to $MARGINALIA_BENCH_STARTUP_OUT.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';

const ACTIVATED = /activated in .* in (\d+) ms/;

/** Log files named `name` anywhere under `dir`. */
function findLogs(dir: string, name: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === name) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** The activation time the extension logged, waiting up to `timeoutMs` for VS Code to write its log. */
async function loggedActivation(logs: string, timeoutMs: number): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const file of findLogs(logs, 'Marginalia.log')) {
      const m = ACTIVATED.exec(fs.readFileSync(file, 'utf8'));
      if (m) return Number(m[1]);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

describe('start-up', () => {
  it('activates Marginalia and records how long it took', async function () {
    this.timeout(30_000);
    const ext = vscode.extensions.getExtension('marginalia.marginalia');
    assert.ok(ext, 'the extension is installed');
    const wasActive = ext.isActive;
    const t0 = performance.now();
    await ext.activate();
    const roundTripMs = performance.now() - t0;
    assert.ok(ext.isActive);
    const logs = process.env.MARGINALIA_BENCH_LOGS;
    const activateMs = logs ? await loggedActivation(logs, 15_000) : undefined;
    const out = process.env.MARGINALIA_BENCH_STARTUP_OUT;
    if (out) fs.writeFileSync(out, JSON.stringify({ roundTripMs, activateMs, wasActive, vscode: vscode.version }) + '\n');
  });
});
