#!/usr/bin/env node
// @ts-check
// Runs Marginalia's end-to-end UI tests: a real VS Code workbench (code-server 4.100.3) with the built extension
// installed, driven by Debian's chromium through playwright-core. Each test script gets its own server, browser
// profile and copy of the workspace. Prints "N passed, N failed" over all checks; exits 0 only if all passed.
//
// Build first: `npm run build` (npm run test:e2e does it).
//
//   node scripts/run-e2e.mjs <script.e2e.mjs | folder>... [options]
//     a folder means every *.e2e.mjs in it
//     --workspace PATH   folder or .code-workspace to open (default sample/corpus); copied into the run dir first
//     --no-copy          open PATH itself instead of a copy
//     --shots DIR        where scripts save screenshots (default .run/e2e-shots)
//     --trust MODE       off (default) | untrusted (Restricted Mode) | prompt (VS Code asks at start-up)
//     --dev              load the extension through extensionDevelopmentPath instead of installing dist/
//     --vsix             pack a VSIX first (as `npm run package` does, from the current dist/) and install it with
//                        code-server's own installer, as a person would (npm test does this)
//     --timeout SEC      per script, server start included (default 120)
//     --retries N        run a script that failed again, up to N times, in a fresh server and browser (default 0;
//                        npm test uses 1). A pass on a later attempt is printed as FLAKY with the first failures
//     --run-dir DIR      parent of the per-script run dirs (default .run/e2e/<time>-XXXXXX)
//     --keep             keep run dirs after a pass (always kept after a failure)
//     --headed           show the browser (needs a display)
// Every option can also come from the environment as MARGINALIA_E2E_<OPTION>.
//
// A script module exports `async function run(t)`, where t is
//   { page, context, workspace, source, shotsDir, check, shot, log, server, extensionId, extensionMode }
//   extensionMode             'installed' (a copy in the extensions dir) or 'development' (--dev)
//   check(name, ok, detail?)  records one pass/fail (a script that records none fails)
//   shot(name)                saves <shotsDir>/<script>-<name>.png and returns its path
// and may throw: that counts as one failure, with a screenshot of the moment.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from './vscode/args.mjs';
import { launchBrowser, screenshot } from './vscode/browser.mjs';
import { extensionManifest, installExtensionFolder, installVsix, packageVsix } from './vscode/extension.mjs';
import { REPO, SAMPLE_CORPUS } from './vscode/paths.mjs';
import { makeRunDir, socketSafe } from './vscode/runDirs.mjs';
import { startCodeServer } from './vscode/server.mjs';
import { TRUST_MODES } from './vscode/trust.mjs';
import { copyWorkspace } from './vscode/workspaces.mjs';

const T0 = Date.now();
const say = (/** @type {string} */ msg) => console.log(`[e2e ${((Date.now() - T0) / 1000).toFixed(1)}s] ${msg}`);

/** @type {ReturnType<typeof parseArgs>} */
let opts;
try {
  opts = parseArgs(
    process.argv.slice(2),
    {
      workspace: 'string',
      copy: 'boolean',
      shots: 'string',
      trust: 'string',
      dev: 'boolean',
      vsix: 'boolean',
      timeout: 'number',
      retries: 'number',
      'run-dir': 'string',
      keep: 'boolean',
      headed: 'boolean',
    },
    'MARGINALIA_E2E_',
  );
  opts.trust ??= 'off';
  if (!TRUST_MODES.includes(opts.trust)) throw new Error(`--trust must be one of ${TRUST_MODES.join(', ')}`);
  if (!opts.positional.length) throw new Error('name at least one script, e.g. test/e2e/smoke.e2e.mjs, or a folder of them');
} catch (e) {
  console.error(`run-e2e: ${/** @type {Error} */ (e).message}`);
  process.exit(2);
}

const scripts = opts.positional.flatMap((p) => {
  const abs = path.resolve(p);
  if (fs.existsSync(abs) && fs.statSync(abs).isDirectory()) {
    return fs
      .readdirSync(abs)
      .filter((f) => f.endsWith('.e2e.mjs'))
      .sort()
      .map((f) => path.join(abs, f));
  }
  return [abs];
});
const source = path.resolve(opts.workspace ?? SAMPLE_CORPUS);
const shotsDir = path.resolve(opts.shots ?? path.join(REPO, '.run', 'e2e-shots'));
const timeoutMs = (opts.timeout ?? 120) * 1000;
const manifest = extensionManifest();
const extensionId = `${manifest.publisher}.${manifest.name}`;

/** @typedef {{ script: string, name: string, ok: boolean }} CheckResult */
/** @type {CheckResult[]} */
const results = [];
const missing = [
  ...scripts.filter((s) => !fs.existsSync(s)).map((s) => `script ${s}`),
  ...(fs.existsSync(source) ? [] : [`workspace ${source}`]),
  ...(fs.existsSync(path.join(REPO, 'dist', 'extension.js')) ? [] : ['dist/extension.js (run `npm run build`)']),
];
if (missing.length || !scripts.length) {
  console.error(`run-e2e: missing ${missing.join(', ') || 'scripts: no *.e2e.mjs found'}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
fs.mkdirSync(shotsDir, { recursive: true });
const parentRunDir = makeRunDir('e2e', opts.runDir);
/** @type {string | undefined} */
let vsix;
if (opts.vsix && !opts.dev) {
  try {
    vsix = packageVsix(path.join(parentRunDir, `${manifest.name}-${manifest.version}.vsix`));
    say(`packed ${path.relative(REPO, vsix)} (${Math.round(fs.statSync(vsix).size / 1024)} KB)`);
  } catch (e) {
    console.error(`run-e2e: ${/** @type {Error} */ (e).message}`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

const flaky = [];
for (const script of scripts) {
  const retries = Math.max(0, opts.retries ?? 0);
  for (let attempt = 0; ; attempt++) {
    const mine = await runScript(script, attempt);
    const failed = mine.filter((r) => !r.ok);
    if (failed.length === 0 || attempt >= retries) {
      results.push(...mine);
      if (attempt > 0 && failed.length === 0) flaky.push(`${mine[0]?.script}: passed on attempt ${attempt + 1}`);
      break;
    }
    say(`${failed[0].script}: RETRY after ${failed.length} failed check(s): ${failed.map((r) => r.name).join('; ')}`);
  }
}
for (const f of flaky) say(`FLAKY ${f} (the failed attempt's screenshot and run dir are kept)`);

const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
if (failed === 0 && flaky.length === 0 && !opts.keep) fs.rmSync(parentRunDir, { recursive: true, force: true });
say(`screenshots in ${shotsDir}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);

/**
 * Runs one e2e script in its own server and browser; returns its checks.
 * @param {string} script
 * @returns {Promise<CheckResult[]>}
 */
async function runScript(script, attempt = 0) {
  const name = path.basename(script).replace(/\.e2e\.mjs$|\.mjs$/, '');
  let runDir = path.join(parentRunDir, attempt === 0 ? name : `${name}-attempt${attempt + 1}`);
  if (!socketSafe(runDir)) runDir = fs.mkdtempSync(path.join(os.tmpdir(), `mg-e2e-${name.slice(0, 20)}-`));
  fs.mkdirSync(runDir, { recursive: true });
  /** @type {CheckResult[]} */
  const mine = [];
  /** @param {string} checkName @param {unknown} ok @param {unknown} [detail] */
  const check = (checkName, ok, detail = '') => {
    mine.push({ script: name, name: checkName, ok: !!ok });
    console.log(`${ok ? 'PASS' : 'FAIL'} ${name}: ${checkName}${detail ? ` :: ${String(detail).replace(/\s+/g, ' ').slice(0, 300)}` : ''}`);
  };
  say(`${name}: starting`);
  /** @type {import('./vscode/server.mjs').Server | undefined} */
  let server;
  /** @type {import('playwright-core').BrowserContext | undefined} */
  let context;
  /** @type {import('playwright-core').Page | undefined} */
  let page;
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  try {
    const workspace = opts.copy === false ? source : copyWorkspace(source, path.join(runDir, 'workspace'));
    const extensionsDir = path.join(runDir, 'extensions');
    if (vsix) say(`${name}: installed ${path.basename(installVsix(vsix, extensionsDir, runDir))} from the VSIX`);
    else if (!opts.dev) await installExtensionFolder(extensionsDir);
    /** @param {string} m */
    const log = (m) => say(`${name}: ${m}`);
    const started = await startCodeServer({ runDir, extensionsDir, trust: opts.trust, log });
    server = started;
    const browser = await launchBrowser(started, { headless: !opts.headed });
    ({ context, page } = browser);
    const url = started.workbenchUrl({ workspace, ...(opts.dev ? { extensionDevelopmentPath: REPO } : {}) });
    /** @param {string} shotName */
    const shot = async (shotName) => screenshot(browser.page, path.join(shotsDir, `${name}-${shotName}.png`));
    const body = async () => {
      const { page, context } = browser;
      await page.goto(url);
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      const mod = await import(pathToFileURL(script).href);
      if (typeof mod.run !== 'function') throw new Error(`${script} does not export run()`);
      await mod.run({
        page,
        context,
        workspace,
        source,
        shotsDir,
        check,
        shot,
        log,
        server: started,
        extensionId,
        extensionMode: opts.dev ? 'development' : 'installed',
      });
    };
    await Promise.race([
      body(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs / 1000} s`)), timeoutMs);
      }),
    ]);
    if (mine.length === 0) check('the script made at least one check', false);
  } catch (e) {
    check(`ran to the end`, false, /** @type {Error} */ (e).message.split('\n')[0]);
    if (process.env.DEBUG) console.error(e);
  } finally {
    clearTimeout(timer);
    const ok = mine.every((r) => r.ok);
    if (!ok) {
      const shotFile = page && (await screenshot(page, path.join(shotsDir, `${name}-FAILED${attempt === 0 ? '' : `-attempt${attempt + 1}`}.png`)));
      if (shotFile) say(`${name}: screenshot ${shotFile}`);
      say(`${name}: code-server log ${server?.logFile ?? '(not started)'}; run dir kept: ${runDir}`);
    }
    await context?.close().catch(() => {});
    await server?.stop();
    if (ok && !opts.keep) fs.rmSync(runDir, { recursive: true, force: true });
    say(`${name}: ${mine.filter((r) => r.ok).length} passed, ${mine.filter((r) => !r.ok).length} failed`);
  }
  return mine;
}
