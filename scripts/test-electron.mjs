#!/usr/bin/env node
// @ts-check
// Runs the same integration suite as scripts/run-integration.mjs, but in a desktop VS Code (Electron) that
// @vscode/test-electron downloads into .vscode-test/. For machines that can reach update.code.visualstudio.com;
// the project's own machines cannot (use `npm run test:integration` there). Linux without a display needs
// `xvfb-run -a node scripts/test-electron.mjs`.
//
// Build first: `npm run build && npm run compile-tests` (npm run test:electron does both).
//
//   node scripts/test-electron.mjs [options]
//     --workspace PATH        folder or .code-workspace to open (default sample/corpus); copied into the run dir first
//     --tests PATH            folder of compiled *.test.js (default out/test/integration), or a test index .js
//     --grep REGEXP           only tests whose full title matches
//     --vscode-version V      VS Code to download: stable (default), insiders, or a version number. Not 1.100.x: its
//                             Electron 34 runs Node 20.18, which cannot require() mocha 12 (an ES module package)
//     --run-dir DIR           where this run's profile and logs go (default .run/electron/<time>-XXXXXX)
//     --keep                  keep the run dir after a pass
// Workspace trust is always off here: runTests passes --disable-workspace-trust.
import fs from 'node:fs';
import path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { parseArgs } from './vscode/args.mjs';
import { REPO, SAMPLE_CORPUS } from './vscode/paths.mjs';
import { makeRunDir } from './vscode/runDirs.mjs';
import { writeUserSettings } from './vscode/settings.mjs';
import { closingLine, integrationTestEnv, missingInputs, readTestResult, resolveTests } from './vscode/testEnv.mjs';
import { copyWorkspace } from './vscode/workspaces.mjs';

const DEFAULT_VSCODE_VERSION = 'stable';

/** @type {ReturnType<typeof parseArgs>} */
let opts;
try {
  opts = parseArgs(
    process.argv.slice(2),
    {
      workspace: 'string',
      tests: 'string',
      grep: 'string',
      'vscode-version': 'string',
      'run-dir': 'string',
      keep: 'boolean',
    },
    'MARGINALIA_IT_',
  );
  if (opts.positional.length) throw new Error(`unexpected argument ${opts.positional[0]}`);
} catch (e) {
  console.error(`test-electron: ${/** @type {Error} */ (e).message}`);
  process.exit(2);
}

const { dir: testsDir, index: testsIndex } = resolveTests(opts.tests);
const source = path.resolve(opts.workspace ?? SAMPLE_CORPUS);
const missing = missingInputs({ testsIndex, workspace: source });
if (missing) {
  console.error(`test-electron: ${missing}`);
  console.log(closingLine(undefined, false));
  process.exit(1);
}
if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
  console.warn('test-electron: no DISPLAY; Electron will likely fail to start. Run it as `xvfb-run -a node scripts/test-electron.mjs`.');
}

const runDir = makeRunDir('electron', opts.runDir);
const resultFile = path.join(runDir, 'result.json');
const workspace = copyWorkspace(source, path.join(runDir, 'workspace'));
const userDataDir = path.join(runDir, 'user-data');
writeUserSettings(userDataDir); // the same settings the code-server runs get

let ok = false;
try {
  const code = await runTests({
    version: opts.vscodeVersion ?? DEFAULT_VSCODE_VERSION,
    extensionDevelopmentPath: REPO,
    extensionTestsPath: testsIndex,
    // The first launch argument is the folder or .code-workspace to open.
    launchArgs: [workspace, '--disable-extensions', `--user-data-dir=${userDataDir}`, `--extensions-dir=${path.join(runDir, 'extensions')}`],
    extensionTestsEnv: integrationTestEnv({
      resultFile,
      testsDir,
      grep: opts.grep,
      workspace,
      source,
      trust: 'off',
      extension: 'development',
    }),
  });
  ok = code === 0;
} catch (e) {
  // TestRunFailedError when a test failed (VS Code exits non-zero); a download error when VS Code is out of reach.
  console.error(`test-electron: ${/** @type {Error} */ (e).message}`);
  if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|getaddrinfo/.test(String(e))) {
    console.error('test-electron: VS Code could not be downloaded here; `npm run test:integration` runs the suite in code-server instead.');
  }
}

const result = readTestResult(resultFile);
ok = ok && !!result && result.stats.failures === 0 && result.stats.passes > 0;
if (ok && !opts.keep) fs.rmSync(runDir, { recursive: true, force: true });
else console.log(`[test-electron] run dir kept: ${runDir}`);
console.log(closingLine(result, ok));
process.exit(ok ? 0 : 1);
