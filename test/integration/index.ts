// The mocha entry VS Code's extension host loads as extensionTestsPath (scripts/run-integration.mjs through
// code-server, scripts/test-electron.mjs through a downloaded VS Code). It runs every *.test.js in its own
// folder, or in MARGINALIA_TEST_DIR, so a suite for another workspace kind can live in a subfolder.
//
// Environment, set by the runners:
//   MARGINALIA_TEST_RESULT  file to write { stats, passes, failures, pending, summary } to
//   MARGINALIA_TEST_DIR     folder of compiled *.test.js files (default: this folder)
//   MARGINALIA_TEST_GREP    only run tests whose full title matches this regular expression
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Runnable, Test } from 'mocha';

type MochaClass = typeof import('mocha');

/** mocha 12 is an ES module package: require() of it needs Node >= 20.19 (VS Code's Electron 34 has 20.18). */
function loadMocha(): MochaClass {
  try {
    return (require('mocha') as { default: MochaClass }).default;
  } catch (err) {
    throw new Error(`cannot load mocha in this extension host (Node ${process.versions.node}; mocha 12 needs >= 20.19): ${String(err)}`);
  }
}

interface TestRecord {
  fullTitle: string;
  durationMs?: number;
  message?: string;
  stack?: string;
}

export async function run(): Promise<void> {
  const dir = process.env.MARGINALIA_TEST_DIR || __dirname;
  const grep = process.env.MARGINALIA_TEST_GREP;
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.test.js'))
    .sort();

  const passes: TestRecord[] = [];
  const failures: TestRecord[] = [];
  const pending: TestRecord[] = [];
  const started = Date.now();
  let loadError: unknown;
  try {
    const Mocha = loadMocha();
    const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: 30_000, ...(grep ? { grep: new RegExp(grep) } : {}) });
    for (const f of files) mocha.addFile(path.join(dir, f));
    // loadFilesAsync also accepts ES module test files.
    await mocha.loadFilesAsync();
    await new Promise<void>((resolve) => {
      const runner = mocha.run(() => resolve());
      runner.on('pass', (t: Test) => passes.push({ fullTitle: t.fullTitle(), durationMs: t.duration }));
      runner.on('pending', (t: Test) => pending.push({ fullTitle: t.fullTitle() }));
      runner.on('fail', (t: Runnable, err: Error) => failures.push({ fullTitle: t.fullTitle(), message: err?.message ?? String(err), stack: err?.stack }));
    });
  } catch (err) {
    loadError = err;
    failures.push({ fullTitle: `loading mocha and the tests in ${dir}`, message: String(err), stack: (err as Error)?.stack });
  }

  let summary = `${passes.length} passed, ${failures.length} failed`;
  if (pending.length) summary += `, ${pending.length} skipped`;
  const result = {
    dir,
    files,
    stats: { passes: passes.length, failures: failures.length, pending: pending.length, durationMs: Date.now() - started },
    passes,
    failures,
    pending,
    summary,
  };
  const out = process.env.MARGINALIA_TEST_RESULT;
  if (out) fs.writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  console.log(summary);

  if (loadError) throw loadError;
  if (files.length === 0) throw new Error(`no *.test.js files in ${dir}`);
  if (failures.length) throw new Error(`${failures.length} of ${passes.length + failures.length} tests failed`);
  if (passes.length === 0) throw new Error(`no test ran in ${dir}${grep ? ` (grep ${grep})` : ''}`);
}
