#!/usr/bin/env node
// @ts-check
// Runs Marginalia's mocha integration tests inside a real VS Code extension host (code-server 4.100.3).
// The extension is loaded from this repository as extensionDevelopmentPath (or installed, with --installed) and the
// compiled test index as extensionTestsPath, both passed in the workbench URL; a headless chromium page is the
// window that owns the extension host. Prints the suite's closing line, "N passed, N failed", and exits 0 only if all passed.
//
// Build first: `npm run build && npm run compile-tests` (npm run test:integration does both).
//
//   node scripts/run-integration.mjs [options]
//     --workspace PATH   folder or .code-workspace to open (default sample/corpus); copied into the run dir first
//     --no-copy          open PATH itself instead of a copy
//     --tests PATH       folder of compiled *.test.js (default out/test/integration), or a test index .js;
//                        a folder without its own index.js is run by out/test/integration/index.js
//     --trust MODE       off (default) | untrusted (Restricted Mode) | prompt
//     --grep REGEXP      only tests whose full title matches
//     --installed        install dist/ into the extensions dir, as a user has it, instead of loading this repo as
//                        extensionDevelopmentPath (VS Code exempts a development extension from Restricted Mode)
//     --timeout SEC      whole run, server start included (default 180)
//     --run-dir DIR      where this run's state and logs go (default .run/integration/<time>-XXXXXX)
//     --keep             keep the run dir after a pass (it is always kept after a failure)
//     --headed           show the browser (needs a display)
//     --verbose          also print the workbench's own log lines (always saved to <run dir>/vscode-console.log)
// Every option can also come from the environment as MARGINALIA_IT_<OPTION>, e.g. MARGINALIA_IT_TRUST=untrusted.
import fs from 'node:fs';
import path from 'node:path';
import util from 'node:util';
import { parseArgs } from './vscode/args.mjs';
import { launchBrowser, screenshot } from './vscode/browser.mjs';
import { installExtensionFolder } from './vscode/extension.mjs';
import { REPO, SAMPLE_CORPUS, readTail } from './vscode/paths.mjs';
import { makeRunDir } from './vscode/runDirs.mjs';
import { startCodeServer } from './vscode/server.mjs';
import { TRUST_MODES } from './vscode/trust.mjs';
import { closingLine, integrationTestEnv, missingInputs, readTestResult, resolveTests } from './vscode/testEnv.mjs';
import { copyWorkspace } from './vscode/workspaces.mjs';

const T0 = Date.now();
const WORKBENCH_CHATTER =
  /^(Resolving connection token|Resolved connection token|Creating a socket|Ignoring fetching additional builtin extensions|\[Service Worker\]|ChatSessionStore:|Updating additional builtin extensions cache|Started local extension host|Extension host \(Remote\) is unresponsive)|^\s*$/;
const say = (/** @type {string} */ msg) => console.log(`[integration ${((Date.now() - T0) / 1000).toFixed(1)}s] ${msg}`);

/** @type {ReturnType<typeof parseArgs>} */
let opts;
try {
  opts = parseArgs(
    process.argv.slice(2),
    {
      workspace: 'string',
      copy: 'boolean',
      tests: 'string',
      trust: 'string',
      grep: 'string',
      timeout: 'number',
      'run-dir': 'string',
      keep: 'boolean',
      headed: 'boolean',
      verbose: 'boolean',
      installed: 'boolean',
    },
    'MARGINALIA_IT_',
  );
  if (opts.positional.length) throw new Error(`unexpected argument ${opts.positional[0]}`);
  opts.trust ??= 'off';
  if (!TRUST_MODES.includes(opts.trust)) throw new Error(`--trust must be one of ${TRUST_MODES.join(', ')}`);
} catch (e) {
  console.error(`run-integration: ${/** @type {Error} */ (e).message}`);
  process.exit(2);
}

const { dir: testsDir, index: testsIndex } = resolveTests(opts.tests);
const source = path.resolve(opts.workspace ?? SAMPLE_CORPUS);
const timeoutMs = (opts.timeout ?? 180) * 1000;
const missing = missingInputs({ testsIndex, workspace: source });
if (missing) {
  console.error(`run-integration: ${missing}`);
  console.log(closingLine(undefined, false));
  process.exit(1);
}

const runDir = makeRunDir('integration', opts.runDir);
const resultFile = path.join(runDir, 'result.json');
const workspace = opts.copy === false ? source : copyWorkspace(source, path.join(runDir, 'workspace'));
say(
  `workspace ${workspace}${workspace === source ? '' : ` (copy of ${source.startsWith(REPO + path.sep) ? path.relative(REPO, source) : source})`}, trust ${opts.trust}`,
);
say(`tests ${path.relative(REPO, testsDir)} via ${path.relative(REPO, testsIndex)}`);

/** @type {import('./vscode/server.mjs').Server | undefined} */
let server;
/** @type {import('playwright-core').BrowserContext | undefined} */
let context;
/** @type {import('playwright-core').Page | undefined} */
let page;
/** @type {'passed' | 'failed' | 'timeout' | 'error'} */
let outcome = 'error';
let exitDetail = '';
let finished = false;
const timer = setTimeout(() => {
  outcome = 'timeout';
  void finish(`timed out after ${timeoutMs / 1000} s`);
}, timeoutMs);

try {
  const extensionsDir = path.join(runDir, 'extensions');
  if (opts.installed) say(`installed the extension as ${path.relative(runDir, await installExtensionFolder(extensionsDir))}`);
  const started = await startCodeServer({
    runDir,
    extensionsDir,
    trust: opts.trust,
    log: say,
    env: integrationTestEnv({
      resultFile,
      testsDir,
      grep: opts.grep,
      workspace,
      source,
      trust: opts.trust,
      extension: opts.installed ? 'installed' : 'development',
    }),
  });
  server = started;
  const browser = await launchBrowser(started, { headless: !opts.headed });
  ({ context, page } = browser);
  /** @type {(code: number) => void} */
  let resolveExit = () => {};
  /** @type {Promise<number>} */
  const exited = new Promise((r) => (resolveExit = r));
  // VS Code's web workbench calls these when it runs extension tests (the hook @vscode/test-web uses).
  await browser.page.exposeFunction('codeAutomationExit', (/** @type {number} */ code) => resolveExit(code));
  // Everything the workbench logs goes to vscode-console.log; the terminal gets the tests' own output
  // (mocha's spec reporter, console.* of tests and extension) and errors, without the workbench's start-up chatter.
  const consoleFile = fs.createWriteStream(path.join(runDir, 'vscode-console.log'));
  await browser.page.exposeFunction('codeAutomationLog', (/** @type {string} */ type, /** @type {unknown[] | undefined} */ args) => {
    const text = util.format(...(args ?? []));
    consoleFile.write(`[${type}] ${text}\n`);
    if (opts.verbose || !WORKBENCH_CHATTER.test(text)) console.log(type === 'error' || type === 'warn' ? `[${type}] ${text}` : text);
  });
  browser.page.on('pageerror', (e) => console.log(`[page error] ${e.message}`));
  // The web workbench only runs extensionTestsPath for a window with a development extension; with --installed
  // that is an empty stand-in, so Marginalia itself is the installed copy.
  const extensionDevelopmentPath = opts.installed ? writeStandInExtension(path.join(runDir, 'stand-in')) : REPO;
  await browser.page.goto(started.workbenchUrl({ workspace, extensionDevelopmentPath, extensionTestsPath: testsIndex }));
  say('workbench opened; the extension host is running the tests');
  const code = await exited;
  exitDetail = `extension host exit code ${code}`;
  outcome = code === 0 ? 'passed' : 'failed';
  await finish();
} catch (e) {
  outcome = 'error';
  await finish(/** @type {Error} */ (e).stack ?? String(e));
}

/** @param {string} dir */
function writeStandInExtension(dir) {
  fs.mkdirSync(dir, { recursive: true });
  const manifest = { name: 'integration-test-stand-in', publisher: 'marginalia-tests', version: '0.0.0', engines: { vscode: '*' } };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

/** @param {string} [problem] */
async function finish(problem) {
  if (finished) return;
  finished = true;
  clearTimeout(timer);
  const result = readTestResult(resultFile);
  const ok = outcome === 'passed' && !!result && result.stats.failures === 0 && result.stats.passes > 0;
  if (problem) console.error(`[integration] ${problem}`);
  if (!ok) {
    for (const f of result?.failures ?? []) console.log(`  FAILED ${f.fullTitle}\n    ${(f.stack ?? f.message ?? '').split('\n').slice(0, 8).join('\n    ')}`);
    if (page) {
      const shot = await screenshot(page, path.join(runDir, 'failure.png'));
      if (shot) say(`screenshot ${shot}`);
    }
    if (server) say(`code-server log ${server.logFile}:\n${readTail(server.logFile, 15)}`);
    say(`${outcome}${exitDetail ? ` (${exitDetail})` : ''}; run dir kept: ${runDir}`);
  }
  await context?.close().catch(() => {});
  await server?.stop();
  if (ok && !opts.keep) fs.rmSync(runDir, { recursive: true, force: true });
  else if (ok) say(`run dir kept: ${runDir}`);
  say(`done (${outcome})`);
  // The closing line CI reads; on a crash or timeout before any result, count the run itself as one failure.
  console.log(closingLine(result, ok));
  process.exit(ok ? 0 : 1);
}
