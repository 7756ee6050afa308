#!/usr/bin/env node
// @ts-check
// The `start` suite of `npm test`: a person's first command on a fresh clone. Clones this checkout's HEAD into a
// temporary folder, runs `npm start` there (its own code path: npm ci, setup check, build, VSIX install, server),
// waits for the URL it prints, opens it in chromium and checks what the person sees: the walkthrough of the first
// start, the Corpus view titled CORPUS listing the five sample documents, a notification attributed to Marginalia,
// no extension-host log under the null extension. Then stops it as Ctrl-C would (SIGINT to its process group) and
// checks nothing is left running. Prints "N passed, N failed".
//
// For speed the clone reuses this checkout's code-server (tools/vscode/node_modules, a symlink as setup-vscode
// accepts it) and npm's cache (npm ci prefers it); everything else comes from the clone.
//
//   node scripts/test-start.mjs [--keep] [--timeout SEC]
//     --keep          keep the clone and its logs after a pass (always kept after a failure)
//     --timeout SEC   the whole run (default 240)
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCommand } from '../test/e2e/support/workbench.mjs';
import { parseArgs } from './vscode/args.mjs';
import { launchBrowser, screenshot } from './vscode/browser.mjs';
import { REPO, TOOLS_DIR, sleep } from './vscode/paths.mjs';
import { isolatedEnv } from './vscode/runDirs.mjs';

const T0 = Date.now();
/** @param {string} msg */
const say = (msg) => console.log(`[start-test ${((Date.now() - T0) / 1000).toFixed(1)}s] ${msg}`);

/** @type {ReturnType<typeof parseArgs>} */
let opts;
try {
  opts = parseArgs(process.argv.slice(2), { keep: 'boolean', timeout: 'number' });
  if (opts.positional.length) throw new Error(`unexpected argument ${opts.positional[0]}`);
} catch (e) {
  console.error(`test-start: ${/** @type {Error} */ (e).message}`);
  process.exit(2);
}

/** @type {{ name: string, ok: boolean }[]} */
const results = [];
/** @param {string} name @param {unknown} ok @param {unknown} [detail] */
const check = (name, ok, detail = '') => {
  results.push({ name, ok: !!ok });
  console.log(`${ok ? 'PASS' : 'FAIL'} start: ${name}${detail ? ` :: ${String(detail).replace(/\s+/g, ' ').slice(0, 300)}` : ''}`);
};

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mg-start-'));
const clone = path.join(work, 'marginalia');
const shots = path.join(REPO, '.run', 'start-shots');
/** @type {import('node:child_process').ChildProcess | undefined} */
let npmStart;
let output = '';
/** @type {Awaited<ReturnType<typeof launchBrowser>> | undefined} */
let browser;
const timer = setTimeout(
  () => {
    check(`finished within ${opts.timeout ?? 240} s`, false);
    void finish();
  },
  (opts.timeout ?? 240) * 1000,
);

try {
  // 1. A fresh clone of HEAD
  const head = git(REPO, 'rev-parse', 'HEAD');
  if (git(REPO, 'status', '--porcelain', '--untracked-files=no')) say('note: uncommitted changes are not in the clone; this tests HEAD');
  git(work, 'clone', '--quiet', '--shared', '--no-checkout', REPO, clone);
  git(clone, 'checkout', '--quiet', '--detach', head);
  fs.mkdirSync(path.join(clone, 'tools', 'vscode'), { recursive: true });
  fs.symlinkSync(fs.realpathSync(path.join(TOOLS_DIR, 'node_modules')), path.join(clone, 'tools', 'vscode', 'node_modules'));
  say(`cloned ${head.slice(0, 10)} into ${clone}`);
  // The symlinked code-server must be the one the clone's tools/vscode asks for: otherwise npm start would reinstall
  // it, through the symlink, into this checkout's tools/vscode.
  const setup = spawnSync(process.execPath, [path.join(clone, 'scripts', 'setup-vscode.mjs'), '--check'], { cwd: clone, encoding: 'utf8' });
  if (setup.status !== 0)
    throw new Error(`this checkout's tools/vscode does not match HEAD's (run npm run setup:vscode here first): ${setup.stdout.trim().split('\n').pop()}`);

  // 2. npm start, in its own process group (as a terminal runs it), until it prints the URL
  npmStart = spawn('npm', ['start'], {
    cwd: clone,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...cleanEnv(), npm_config_prefer_offline: 'true', PORT: '' },
  });
  const child = npmStart;
  const url = await new Promise((resolve, reject) => {
    /** @param {Buffer} d */
    const onData = (d) => {
      output += d;
      process.stdout.write(d.toString().replace(/^/gm, '  | '));
      const m = /^\s+(http:\/\/\S+\/\?folder=\S+)\s*$/m.exec(output);
      if (m) resolve(m[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code, signal) => reject(new Error(`npm start exited (code ${code}, signal ${signal}) before printing a URL`)));
  });
  check('npm start on a fresh clone prints the workbench URL', true, url);
  const installed = /installed Marginalia into (\S+)/.exec(output)?.[1];
  check('npm start installed the packed VSIX', installed && fs.existsSync(path.join(clone, installed, 'package.json')), installed);

  // 3. The workbench, as the person sees it
  const runDir = path.join(work, 'browser');
  fs.mkdirSync(runDir);
  browser = await launchBrowser({ runDir, env: isolatedEnv(runDir, fs.mkdtempSync(path.join(work, 'tmp-'))) });
  const { page } = browser;
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });

  const walkthrough = page.locator('.gettingStartedContainer', { hasText: 'Annotate a corpus with Marginalia' }).first();
  const walkthroughShown = await walkthrough.waitFor({ timeout: 30_000 }).then(
    () => true,
    () => false,
  );
  await sleep(800);
  await screenshot(page, path.join(shots, 'start-first-launch.png'));
  check('the first launch of the sample workspace opens the Marginalia walkthrough', walkthroughShown);

  await page.locator('.activitybar .action-item a[aria-label^="Marginalia"]').first().click();
  const corpusPane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: /^Corpus/i }) }).first();
  await corpusPane.waitFor({ timeout: 20_000 });
  const title = (await corpusPane.locator('.pane-header .title').first().innerText()).trim();
  check('the Corpus view is titled CORPUS', title === 'CORPUS', title);
  const documents = fs
    .readdirSync(path.join(clone, 'sample', 'corpus'))
    .filter((f) => f.endsWith('.txt'))
    .sort();
  const rows = corpusPane.locator('.monaco-list-row');
  await rows
    .filter({ hasText: documents[documents.length - 1] })
    .first()
    .waitFor({ timeout: 30_000 })
    .catch(() => {});
  const listed = (await rows.allInnerTexts()).map((t) => t.split('\n')[0].trim());
  check(
    `the Corpus view lists the ${documents.length} sample documents`,
    documents.length === 5 && documents.every((d) => listed.includes(d)),
    listed.join(' | '),
  );

  // VS Code shows a notification's source in its details row, which a notification with buttons has open: the
  // suggestions of the open sample document are announced with buttons.
  await page.locator('.tabs-container .tab', { hasText: documents[0] }).first().click();
  await runCommand(page, 'Marginalia: Suggest Figures and Entities');
  const toast = page
    .locator('.notifications-toasts .notification-toast', { has: page.locator('.notification-list-item-buttons-container .monaco-button') })
    .first();
  await toast.waitFor({ timeout: 30_000 });
  await sleep(800); // the toast slides in
  const sourceLabel = toast.locator('.notification-list-item-source', { hasText: 'Source:' }).first();
  await sourceLabel.waitFor({ timeout: 5_000 }).catch(() => {});
  await screenshot(page, path.join(shots, 'start-notification.png'));
  const source = (await sourceLabel.innerText().catch(() => '')).trim();
  check('a notification of Marginalia says "Source: Marginalia"', source === 'Source: Marginalia', source || '(no source shown)');

  const nullLogs = findFiles(path.join(clone, '.run', 'vscode', 'user-data', 'logs'), (p) => p.includes('nullExtensionDescription'));
  check('the extension host knows the extension (no log under nullExtensionDescription)', nullLogs.length === 0, nullLogs[0]);
} catch (e) {
  check('ran to the end', false, /** @type {Error} */ (e).message.split('\n')[0]);
}
await finish();

async function finish() {
  if (finish.called) return;
  finish.called = true;
  clearTimeout(timer);
  await browser?.context.close().catch(() => {});
  // 4. Stop it as Ctrl-C in the terminal would: SIGINT to npm start's process group
  if (npmStart?.pid && npmStart.exitCode === null) {
    const pid = npmStart.pid;
    const serverPid = Number(/code-server up at \S+ \(pid (\d+)/.exec(output)?.[1]);
    const exited = new Promise((r) => npmStart?.once('exit', r));
    signalGroup(pid, 'SIGINT');
    const stopped = await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]);
    const serverGone = !serverPid || (await waitGone(serverPid, 10_000));
    check(
      'Ctrl-C stops npm start and its code-server',
      stopped && serverGone,
      `npm start ${stopped ? 'exited' : 'still running'}, code-server group ${serverGone ? 'gone' : 'still running'}`,
    );
    signalGroup(pid, 'SIGKILL');
    if (serverPid) signalGroup(serverPid, 'SIGKILL');
  }
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  if (failed === 0 && !opts.keep) fs.rmSync(work, { recursive: true, force: true });
  else say(`clone and logs kept in ${work}`);
  say(`screenshots in ${shots}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}
finish.called = false;

/** @param {string} cwd @param {...string} args */
function git(cwd, ...args) {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/** The environment without this run's npm and test variables, as a terminal would have it. */
function cleanEnv() {
  /** @type {Record<string, string | undefined>} */
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(npm_|MARGINALIA_)/i.test(k)) env[k] = v;
  return env;
}

/** @param {number} pgid @param {NodeJS.Signals} signal */
function signalGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

/** @param {number} pgid @param {number} ms */
async function waitGone(pgid, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return true;
    }
    if (Date.now() > deadline) return false;
    await sleep(200);
  }
}

/** @param {string} dir @param {(p: string) => boolean} match @returns {string[]} */
function findFiles(dir, match) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return [...(match(p) ? [p] : []), ...(e.isDirectory() ? findFiles(p, match) : [])];
  });
}
