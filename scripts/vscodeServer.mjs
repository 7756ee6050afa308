// Runs a real VS Code (code-server 4.100.3 = VS Code 1.100.3, from tools/vscode) for Marginalia's
// integration tests, e2e tests and `npm start`. One place for: isolating a run (HOME, TMPDIR, XDG dirs,
// user settings, extensions dir), picking a free port, waiting for health, installing the built extension,
// opening the workbench in Debian's chromium, and killing the whole process group afterwards.
//
// Not a test runner itself: scripts/run-integration.mjs, scripts/run-e2e.mjs and scripts/start.mjs use it.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const TOOLS_DIR = path.join(REPO, 'tools', 'vscode');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const SAMPLE_CORPUS = path.join(REPO, 'sample', 'corpus');

/** Files of the extension that an installed copy needs (what a VSIX would carry). */
// docs/screenshots: the README's pictures, so its relative links work on the extension's details page.
const EXTENSION_FILES = ['package.json', 'package.nls.json', 'dist', 'media', 'schemas', 'docs/screenshots', 'README.md', 'CHANGELOG.md', 'LICENSE', 'LICENSE.md'];

/** Settings every run gets: no welcome page, no AI/chat panel, no telemetry or update checks, no marketplace. */
const BASE_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'window.commandCenter': false,
  // Sources are prose with long lines: wrapped, a passage and its highlight stay in view.
  'editor.wordWrap': 'on',
  // The demo and test workspaces live under .run/ inside this repository: don't offer to open the repository itself.
  'git.openRepositoryInParentFolders': 'never',
};

/**
 * Workspace trust modes:
 * - off:       trust disabled (the default; everything behaves as trusted)
 * - untrusted: trust enabled, no startup prompt, so the workspace opens in Restricted Mode
 * - prompt:    trust enabled with VS Code's startup dialog (for e2e tests that answer it)
 */
export const TRUST_MODES = ['off', 'untrusted', 'prompt'];

function trustSettings(trust) {
  if (trust === 'off') return { 'security.workspace.trust.enabled': false };
  if (trust === 'untrusted') {
    return {
      'security.workspace.trust.enabled': true,
      'security.workspace.trust.startupPrompt': 'never',
      'security.workspace.trust.emptyWindow': false,
      'security.workspace.trust.banner': 'always',
    };
  }
  if (trust === 'prompt') return { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'always' };
  throw new Error(`unknown trust mode "${trust}" (expected one of ${TRUST_MODES.join(', ')})`);
}

export function codeServerBin() {
  return path.join(TOOLS_DIR, 'node_modules', '.bin', 'code-server');
}

/** Throws with the command to run when tools/vscode or chromium is not installed. */
export function assertToolsInstalled() {
  const missing = [];
  if (!fs.existsSync(codeServerBin())) missing.push('code-server (tools/vscode/node_modules)');
  if (!fs.existsSync(path.join(TOOLS_DIR, 'node_modules', 'playwright-core'))) missing.push('playwright-core (tools/vscode/node_modules)');
  if (!fs.existsSync(CHROMIUM)) missing.push(`chromium (${CHROMIUM})`);
  if (missing.length) throw new Error(`missing ${missing.join(', ')}: run \`npm run setup:vscode\` first`);
}

/** A port that was free a moment ago; startCodeServer retries with another one if it was taken meanwhile. */
export function freePort(host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// code-server puts a unix socket at <user-data-dir>/code-server-ipc.sock, and a socket path must stay under
// 108 bytes: a run dir deeper than this moves to the system temp dir.
const MAX_RUN_DIR = 108 - '/user-data/code-server-ipc.sock'.length - 8;

/** Whether code-server's sockets fit under `dir`. */
export function socketSafe(dir) {
  return path.resolve(dir).length <= MAX_RUN_DIR;
}

/** A fresh directory for one run, under .run/<kind>/ (gitignored) unless `dir` is given. */
export function makeRunDir(kind, dir) {
  if (dir) {
    fs.mkdirSync(dir, { recursive: true });
    if (!socketSafe(dir)) throw new Error(`run dir ${dir} is too deep for code-server's unix sockets (at most ${MAX_RUN_DIR} characters)`);
    return path.resolve(dir);
  }
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  let parent = path.join(REPO, '.run', kind);
  if (!socketSafe(path.join(parent, `${stamp}-XXXXXX`))) parent = path.join(os.tmpdir(), `marginalia-${kind}`);
  fs.mkdirSync(parent, { recursive: true });
  return fs.mkdtempSync(path.join(parent, `${stamp}-`));
}

// ---------------------------------------------------------------------------------------------
// Workspaces

/** Parses JSON with comments and trailing commas (settings.json, .code-workspace). */
export function parseJsonc(text) {
  // Pass 1 drops comments, pass 2 drops commas before } or ]; both copy string literals untouched.
  const scan = (src, onChar) => {
    let out = '';
    for (let i = 0; i < src.length; i++) {
      if (src[i] === '"') {
        let j = i + 1;
        while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
        out += src.slice(i, j + 1);
        i = j;
      } else {
        const r = onChar(src, i);
        out += r.text;
        i = r.next;
      }
    }
    return out;
  };
  const noComments = scan(text, (src, i) => {
    if (src.startsWith('//', i)) {
      const nl = src.indexOf('\n', i);
      return { text: '\n', next: nl < 0 ? src.length : nl };
    }
    if (src.startsWith('/*', i)) {
      const close = src.indexOf('*/', i + 2);
      return { text: ' ', next: close < 0 ? src.length : close + 1 };
    }
    return { text: src[i], next: i };
  });
  const noTrailingCommas = scan(noComments, (src, i) =>
    src[i] === ',' && /^\s*[}\]]/.test(src.slice(i + 1)) ? { text: '', next: i } : { text: src[i], next: i },
  );
  return JSON.parse(noTrailingCommas);
}

export function isWorkspaceFile(p) {
  return p.endsWith('.code-workspace');
}

/**
 * Copies a folder, or a .code-workspace file and each of its folders, under `destRoot`, so a run may
 * write into it (sample/corpus is read-only) and leaves the repo untouched. Returns the path to open.
 * A copied .code-workspace lists its copied folders by relative path, in the same order and with the same names.
 */
export function copyWorkspace(source, destRoot) {
  source = path.resolve(source);
  if (!fs.existsSync(source)) throw new Error(`workspace ${source} does not exist`);
  fs.mkdirSync(destRoot, { recursive: true });
  const copyDir = (from, to) => fs.cpSync(from, to, { recursive: true, mode: fs.constants.COPYFILE_FICLONE });
  if (!isWorkspaceFile(source)) {
    const dest = path.join(destRoot, path.basename(source));
    copyDir(source, dest);
    makeWritable(dest);
    return dest;
  }
  const ws = parseJsonc(fs.readFileSync(source, 'utf8'));
  const used = new Set();
  ws.folders = (ws.folders ?? []).map((f) => {
    if (!f.path) return f; // a uri folder (e.g. another scheme) is left as it is
    const from = path.resolve(path.dirname(source), f.path);
    let name = path.basename(from);
    for (let n = 2; used.has(name); n++) name = `${path.basename(from)}-${n}`;
    used.add(name);
    copyDir(from, path.join(destRoot, name));
    makeWritable(path.join(destRoot, name));
    return { ...f, path: name };
  });
  const dest = path.join(destRoot, path.basename(source));
  fs.writeFileSync(dest, JSON.stringify(ws, null, 2) + '\n');
  return dest;
}

function makeWritable(p) {
  const st = fs.statSync(p);
  fs.chmodSync(p, st.mode | (st.isDirectory() ? 0o700 : 0o600));
  if (st.isDirectory()) for (const e of fs.readdirSync(p)) makeWritable(path.join(p, e));
}

// ---------------------------------------------------------------------------------------------
// The extension

export function extensionManifest(root = REPO) {
  return JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
}

/**
 * Installs the built extension into `extensionsDir` as `publisher.name-version`, the way
 * `--install-extension` lays out a VSIX, so a plain workbench URL loads it (no extensionDevelopmentPath).
 * mode 'copy' snapshots dist/; mode 'link' symlinks each entry, so `npm run build` + "Developer: Reload Window"
 * picks up changes. Older versions of the extension in the folder are removed.
 */
export function installExtensionFolder(extensionsDir, { root = REPO, mode = 'copy' } = {}) {
  const pkg = extensionManifest(root);
  const id = `${pkg.publisher}.${pkg.name}`.toLowerCase();
  const main = pkg.main ? path.join(root, pkg.main) : undefined;
  if (main && !fs.existsSync(main.endsWith('.js') ? main : `${main}.js`)) {
    throw new Error(`${path.relative(REPO, main)} is missing: run \`npm run build\` first`);
  }
  fs.mkdirSync(extensionsDir, { recursive: true });
  for (const e of fs.readdirSync(extensionsDir)) {
    if (e.toLowerCase().startsWith(`${id}-`)) fs.rmSync(path.join(extensionsDir, e), { recursive: true, force: true });
  }
  const relativeLocation = `${id}-${pkg.version}`;
  const dest = path.join(extensionsDir, relativeLocation);
  fs.mkdirSync(dest);
  for (const entry of EXTENSION_FILES) {
    const from = path.join(root, entry);
    if (!fs.existsSync(from)) continue;
    if (mode === 'link') fs.symlinkSync(from, path.join(dest, entry));
    else fs.cpSync(from, path.join(dest, entry), { recursive: true });
  }
  registerExtension(extensionsDir, { id, version: pkg.version, relativeLocation, dest });
  return dest;
}

/**
 * Installs a VSIX into extensionsDir with code-server's own installer (`--install-extension`), as a person would;
 * returns the installed folder. Throws with the installer's output when it fails.
 */
export function installVsix(vsix, extensionsDir, runDir) {
  assertToolsInstalled();
  fs.mkdirSync(extensionsDir, { recursive: true });
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mg-vsix-'));
  try {
    const r = spawnSync(
      codeServerBin(),
      ['--install-extension', path.resolve(vsix), '--force', '--extensions-dir', extensionsDir, '--user-data-dir', path.join(runDir, 'user-data')],
      { cwd: runDir, env: isolatedEnv(runDir, tmpDir), encoding: 'utf8', timeout: 120_000 },
    );
    if (r.status !== 0) throw new Error(`installing ${vsix} failed (exit ${r.status ?? r.signal}): ${(r.stderr || r.stdout || '').trim().slice(0, 500)}`);
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
  const pkg = extensionManifest();
  const id = `${pkg.publisher}.${pkg.name}`.toLowerCase();
  const installed = fs.readdirSync(extensionsDir).find((e) => e.toLowerCase().startsWith(`${id}-`));
  if (!installed) throw new Error(`code-server reported success but no ${id}-* folder is in ${extensionsDir}`);
  return path.join(extensionsDir, installed);
}

/**
 * VS Code reads the installed extensions of the default profile from <extensionsDir>/extensions.json;
 * a folder that is not listed there is ignored once that file exists. Add (or replace) our entry.
 */
function registerExtension(extensionsDir, { id, version, relativeLocation, dest }) {
  const file = path.join(extensionsDir, 'extensions.json');
  let list = [];
  try {
    list = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    list = [];
  }
  list = list.filter((e) => e?.identifier?.id?.toLowerCase() !== id);
  list.push({
    identifier: { id },
    version,
    location: { $mid: 1, path: dest, scheme: 'file' },
    relativeLocation,
    metadata: { installedTimestamp: Date.now(), source: 'vsix', pinned: true },
  });
  fs.writeFileSync(file, JSON.stringify(list));
}

// ---------------------------------------------------------------------------------------------
// The server

const live = new Set();
let exitHooked = false;

function hookProcessExit() {
  if (exitHooked) return;
  exitHooked = true;
  // A runner that dies (error, timeout, Ctrl-C) must not leave a server, extension host or file watcher behind.
  process.on('exit', () => {
    for (const s of live) s.killGroup('SIGKILL');
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      const servers = [...live];
      if (servers.length) console.error(`\n[vscode] ${sig}: stopping code-server`);
      Promise.all(servers.map((s) => s.stop())).finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
    });
  }
}

/** The environment of a run: its own HOME, TMPDIR and XDG dirs, and none of the caller's VS Code or npm variables. */
function isolatedEnv(runDir, tmpDir, extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(VSCODE_|ELECTRON_|CODE_SERVER_|npm_)/i.test(k) || ['PASSWORD', 'HASHED_PASSWORD', 'GIT_ASKPASS'].includes(k)) continue;
    env[k] = v;
  }
  for (const d of ['home', 'xdg-config', 'xdg-data', 'xdg-cache']) fs.mkdirSync(path.join(runDir, d), { recursive: true });
  return {
    ...env,
    HOME: path.join(runDir, 'home'),
    TMPDIR: tmpDir,
    XDG_RUNTIME_DIR: tmpDir,
    XDG_CONFIG_HOME: path.join(runDir, 'xdg-config'),
    XDG_DATA_HOME: path.join(runDir, 'xdg-data'),
    XDG_CACHE_HOME: path.join(runDir, 'xdg-cache'),
    EXTENSIONS_GALLERY: '{}', // no marketplace (open-vsx) lookups: there is no network for them
    ...extra,
  };
}

/**
 * Writes <userDataDir>/User/settings.json: BASE_SETTINGS + the trust mode + `settings`.
 * With keepExisting, a settings.json the person already has is kept (npm start's persistent profile); only the
 * trust settings are brought in line with `trust`, and the file is rewritten only if they differ.
 */
export function writeUserSettings(userDataDir, { trust = 'off', settings = {}, keepExisting = false } = {}) {
  const file = path.join(userDataDir, 'User', 'settings.json');
  if (keepExisting && fs.existsSync(file)) {
    let current;
    try {
      current = parseJsonc(fs.readFileSync(file, 'utf8'));
    } catch {
      return file; // not ours to repair; VS Code will report it
    }
    const allTrustKeys = TRUST_MODES.flatMap((m) => Object.keys(trustSettings(m)));
    const wanted = { ...Object.fromEntries(allTrustKeys.map((k) => [k, undefined])), ...trustSettings(trust) };
    if (Object.entries(wanted).some(([k, v]) => current[k] !== v)) {
      for (const [k, v] of Object.entries(wanted)) {
        if (v === undefined) delete current[k];
        else current[k] = v;
      }
      fs.writeFileSync(file, JSON.stringify(current, null, 2) + '\n');
    }
    return file;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ ...BASE_SETTINGS, ...trustSettings(trust), ...settings }, null, 2) + '\n');
  return file;
}

/**
 * Starts code-server in its own process group and waits until /healthz answers.
 * @param {object} o
 * @param {string} o.runDir           state of this run (HOME, XDG dirs, logs); created if missing
 * @param {string} [o.workspace]      folder or .code-workspace opened by a plain URL
 * @param {number} [o.port]           fixed port; default: a free one
 * @param {string} [o.host]           default 127.0.0.1
 * @param {string} [o.trust]          'off' | 'untrusted' | 'prompt'
 * @param {object} [o.settings]       extra user settings
 * @param {boolean} [o.keepSettings]  leave an existing settings.json alone
 * @param {object} [o.env]            extra environment for the server and its extension host
 * @param {string} [o.userDataDir]    default <runDir>/user-data
 * @param {string} [o.extensionsDir]  default <runDir>/extensions
 * @param {number} [o.startTimeoutMs] default 60 s
 * @param {(msg: string) => void} [o.log]
 */
export async function startCodeServer(o) {
  assertToolsInstalled();
  const log = o.log ?? ((m) => console.log(`[vscode] ${m}`));
  const host = o.host ?? '127.0.0.1';
  const trust = o.trust ?? 'off';
  const runDir = path.resolve(o.runDir);
  fs.mkdirSync(runDir, { recursive: true });
  const userDataDir = o.userDataDir ?? path.join(runDir, 'user-data');
  const extensionsDir = o.extensionsDir ?? path.join(runDir, 'extensions');
  fs.mkdirSync(extensionsDir, { recursive: true });
  writeUserSettings(userDataDir, { trust, settings: o.settings, keepExisting: o.keepSettings });
  const configFile = path.join(runDir, 'code-server.yaml');
  const logFile = path.join(runDir, 'code-server.log');
  const startTimeoutMs = o.startTimeoutMs ?? 60_000;

  for (let attempt = 1; ; attempt++) {
    const port = o.port ?? (await freePort(host));
    // Sockets (vscode-ipc-*.sock, chromium's singleton) live in TMPDIR; a unix socket path must stay under
    // 108 bytes, so TMPDIR is a short directory under the system temp dir, not inside runDir.
    const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mg-vsc-'));
    const env = isolatedEnv(runDir, tmpDir, o.env);
    fs.writeFileSync(configFile, `bind-addr: ${host}:${port}\nauth: none\ncert: false\n`);
    const args = [
      '--config', configFile,
      '--bind-addr', `${host}:${port}`,
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      '--user-data-dir', userDataDir,
      '--extensions-dir', extensionsDir,
      ...(trust === 'off' ? ['--disable-workspace-trust'] : []),
      ...(o.workspace ? [path.resolve(o.workspace)] : []),
    ];
    const logFd = fs.openSync(logFile, attempt === 1 ? 'w' : 'a');
    // detached: its own process group, so stop() ends the server, extension host, pty host and file watchers together
    const child = spawn(codeServerBin(), args, { cwd: runDir, env, stdio: ['ignore', logFd, logFd], detached: true });
    fs.closeSync(logFd);
    const base = `http://${host}:${port}`;
    const server = makeServer({ child, base, host, port, runDir, tmpDir, env, logFile, userDataDir, extensionsDir, trust, log });
    live.add(server);
    hookProcessExit();
    let exited = null;
    child.once('exit', (code, signal) => {
      exited = { code, signal };
    });
    const deadline = Date.now() + startTimeoutMs;
    while (!exited && Date.now() < deadline) {
      try {
        const r = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) });
        if (r.ok) {
          log(`code-server up at ${base} (pid ${child.pid}, log ${logFile})`);
          return server;
        }
      } catch {
        // not listening yet
      }
      await sleep(150);
    }
    await server.stop();
    const tail = readTail(logFile);
    if (exited && o.port === undefined && attempt < 3 && /EADDRINUSE/.test(tail)) {
      log(`port ${port} was taken meanwhile; trying another`);
      continue;
    }
    const why = exited ? `exited (code ${exited.code}, signal ${exited.signal})` : `did not answer /healthz within ${startTimeoutMs / 1000} s`;
    throw new Error(`code-server ${why}; log ${logFile}:\n${tail}`);
  }
}

function makeServer({ child, base, host, port, runDir, tmpDir, env, logFile, userDataDir, extensionsDir, trust, log }) {
  let stopping;
  const server = {
    base, host, port, pid: child.pid, runDir, env, logFile, userDataDir, extensionsDir, trust,
    /** Set once stop() was called: an exit after that is no crash. */
    stopRequested: false,
    /** Resolves with { code, signal } when the code-server process exits. */
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
    /** The workbench URL for a folder or .code-workspace; with a payload for extension development/tests. */
    workbenchUrl({ workspace, extensionDevelopmentPath, extensionTestsPath } = {}) {
      const q = [];
      if (workspace) q.push(`${isWorkspaceFile(workspace) ? 'workspace' : 'folder'}=${encodeURIComponent(path.resolve(workspace))}`);
      // code-server's CLI has no --extensionDevelopmentPath; the web workbench takes it from the URL payload,
      // as vscode-remote URIs on this server's authority.
      const remote = (p) => `vscode-remote://${host}:${port}${path.resolve(p)}`;
      const payload = [];
      if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(extensionDevelopmentPath)]);
      if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
      if (payload.length) q.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
      return `${base}/${q.length ? `?${q.join('&')}` : ''}`;
    },
    killGroup(signal) {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    },
    /** SIGTERM to the process group, SIGKILL after 5 s; removes the run's temp dir. */
    stop() {
      server.stopRequested = true;
      stopping ??= (async () => {
        server.killGroup('SIGTERM');
        const deadline = Date.now() + 5000;
        while (groupAlive(child.pid) && Date.now() < deadline) await sleep(100);
        if (groupAlive(child.pid)) {
          log(`code-server group ${child.pid} ignored SIGTERM; sending SIGKILL`);
          server.killGroup('SIGKILL');
        }
        live.delete(server);
        fs.rmSync(tmpDir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
  return server;
}

function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

export function readTail(file, lines = 40) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// The browser

/**
 * Opens Debian's chromium (playwright-core, headless unless headed) with its profile in the run dir.
 * Console lines of the page are appended to <runDir>/browser-console.log.
 * @returns {Promise<{ context: import('playwright-core').BrowserContext, page: import('playwright-core').Page }>}
 */
export async function launchBrowser(server, { headless = true, viewport = { width: 1400, height: 900 } } = {}) {
  const { chromium } = await import(pathToFileURL(path.join(TOOLS_DIR, 'node_modules', 'playwright-core', 'index.mjs')).href);
  // playwright puts its artifacts dir in os.tmpdir() of this process: point it at the run's temp dir during launch
  const savedTmp = process.env.TMPDIR;
  process.env.TMPDIR = server.env.TMPDIR;
  let context;
  try {
    context = await chromium.launchPersistentContext(path.join(server.runDir, 'chromium'), {
      executablePath: CHROMIUM,
      env: server.env,
      headless,
      viewport,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  } finally {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleLog = fs.createWriteStream(path.join(server.runDir, 'browser-console.log'), { flags: 'a' });
  page.on('console', (m) => consoleLog.write(`[${m.type()}] ${m.text()}\n`));
  page.on('pageerror', (e) => consoleLog.write(`[pageerror] ${e.message}\n`));
  context.on('close', () => consoleLog.end());
  return { context, page };
}

/** Best-effort screenshot; returns the path or undefined. */
export async function screenshot(page, file) {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await page.screenshot({ path: file, timeout: 10_000 });
    return file;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Integration suites (shared by run-integration.mjs and test-electron.mjs)

/**
 * Where the compiled tests are: `tests` is a folder of *.test.js (run by its own index.js, or by the default
 * out/test/integration/index.js, which reads the folder from MARGINALIA_TEST_DIR) or a test index .js file.
 */
export function resolveTests(tests) {
  const defaultIndex = path.join(REPO, 'out', 'test', 'integration', 'index.js');
  const arg = path.resolve(tests ?? path.dirname(defaultIndex));
  if (arg.endsWith('.js')) return { dir: path.dirname(arg), index: arg };
  const own = path.join(arg, 'index.js');
  return { dir: arg, index: fs.existsSync(own) ? own : defaultIndex };
}

/** Names the first missing build output or input, with the command that makes it; undefined when all are there. */
export function missingInputs({ testsIndex, workspace }) {
  const needs = [
    ['extension bundle', path.join(REPO, 'dist', 'extension.js'), 'npm run build'],
    ...(testsIndex ? [['test index', testsIndex, 'npm run compile-tests']] : []),
    ...(workspace ? [['workspace', workspace, 'pass an existing --workspace']] : []),
  ];
  const miss = needs.find(([, file]) => !fs.existsSync(file));
  return miss && `${miss[0]} ${miss[1]} is missing: ${miss[2]}`;
}

/** The environment test/integration/index.ts and the tests read (the extension host inherits it). */
export function integrationTestEnv({ resultFile, testsDir, grep, workspace, source, trust, extension }) {
  return {
    MARGINALIA_TEST_RESULT: resultFile,
    MARGINALIA_TEST_DIR: testsDir,
    MARGINALIA_TEST_GREP: grep ?? '',
    MARGINALIA_TEST_WORKSPACE: workspace,
    MARGINALIA_TEST_WORKSPACE_SOURCE: source,
    MARGINALIA_TEST_TRUST: trust,
    MARGINALIA_TEST_EXTENSION: extension,
  };
}

/** The result file test/integration/index.ts wrote, or undefined if the suite never got that far. */
export function readTestResult(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** "N passed, N failed[, N skipped]": a run that failed without a failed test (crash, timeout) counts one failure. */
export function closingLine(result, ok) {
  if (!result) return `0 passed, ${ok ? 0 : 1} failed`;
  const { passes, failures, pending } = result.stats;
  return `${passes} passed, ${Math.max(failures, ok ? 0 : 1)} failed${pending ? `, ${pending} skipped` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Command lines

/**
 * A small --flag value parser. `spec` maps flag names to 'string' | 'number' | 'boolean'.
 * Returns { positional: string[], ...flags } with camelCased flag names. Unknown flags throw, naming the known ones.
 * With envPrefix, a flag not given on the command line is read from the environment: --trust from <envPrefix>TRUST,
 * --run-dir from <envPrefix>RUN_DIR (booleans: 1/true or 0/false).
 */
export function parseArgs(argv, spec, envPrefix) {
  const out = { positional: [] };
  if (envPrefix) {
    for (const [name, type] of Object.entries(spec)) {
      const v = process.env[envPrefix + name.toUpperCase().replace(/-/g, '_')];
      if (v === undefined || v === '') continue;
      out[camel(name)] = type === 'boolean' ? /^(1|true|yes)$/i.test(v) : type === 'number' ? Number(v) : v;
    }
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      out.positional.push(a);
      continue;
    }
    let [name, value] = a.slice(2).split(/=(.*)/s, 2);
    if (name.startsWith('no-') && spec[name.slice(3)] === 'boolean') {
      out[camel(name.slice(3))] = false;
      continue;
    }
    const type = spec[name];
    if (!type) throw new Error(`unknown option --${name}; known: ${Object.keys(spec).map((k) => `--${k}`).join(' ')}`);
    if (type === 'boolean') {
      out[camel(name)] = value === undefined ? true : value !== 'false';
      continue;
    }
    if (value === undefined) value = argv[++i];
    if (value === undefined) throw new Error(`--${name} needs a value`);
    out[camel(name)] = type === 'number' ? Number(value) : value;
  }
  return out;
}

const camel = (s) => s.replace(/-(\w)/g, (_, c) => c.toUpperCase());

// ---------------------------------------------------------------------------------------------
// Packaging: `node scripts/vscodeServer.mjs package [--out FILE]` (npm run package)

/**
 * Packs a VSIX of exactly EXTENSION_FILES (the files an installed copy gets), with @vscode/vsce.
 * The allowlist is handed to vsce as a generated ignore file, so the repo needs no .vscodeignore.
 */
export function packageVsix(out) {
  const pkg = extensionManifest();
  out = path.resolve(out ?? path.join(REPO, '.run', `${pkg.name}-${pkg.version}.vsix`));
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mg-vsce-'));
  const ignoreFile = path.join(dir, 'vscodeignore');
  // Every file by name: vsce cannot re-exclude (source maps) inside a folder it was told to include.
  const files = (rel) => {
    const abs = path.join(REPO, rel);
    if (!fs.existsSync(abs)) return [];
    if (!fs.statSync(abs).isDirectory()) return rel.endsWith('.map') ? [] : [rel];
    return fs.readdirSync(abs).flatMap((e) => files(path.posix.join(rel, e)));
  };
  fs.writeFileSync(ignoreFile, ['**', ...EXTENSION_FILES.flatMap(files).map((f) => `!${f}`), ''].join('\n'));
  const vsce = path.join(REPO, 'node_modules', '@vscode', 'vsce', 'vsce');
  // No repository to point links at: the README's relative links stay relative (its pictures are packed with it).
  const args = [vsce, 'package', '--no-dependencies', '--ignoreFile', ignoreFile, '--out', out, '--allow-missing-repository', '--no-rewrite-relative-links'];
  if (!['LICENSE', 'LICENSE.md', 'LICENSE.txt'].some((f) => fs.existsSync(path.join(REPO, f)))) args.push('--skip-license');
  const r = spawnSync(process.execPath, args, { cwd: REPO, stdio: 'inherit' });
  fs.rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`vsce package failed (exit ${r.status ?? r.signal})`);
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [cmd, ...rest] = process.argv.slice(2);
  if (cmd === 'package') {
    const { out } = parseArgs(rest, { out: 'string' });
    try {
      console.log(`packed ${packageVsix(out)}`);
    } catch (e) {
      console.error(`package: ${e.message}`);
      process.exit(1);
    }
  } else {
    console.error('usage: node scripts/vscodeServer.mjs package [--out FILE.vsix]   (the rest of this file is a module)');
    process.exit(2);
  }
}
