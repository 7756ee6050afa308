// @ts-check
// code-server (VS Code 1.100 in the browser) for one run: started in its own process group with the run's isolated
// environment, ready once /healthz answers, and stopped with everything it started (extension host, file watchers).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertToolsInstalled, codeServerBin, readTail, sleep } from './paths.mjs';
import { freePort } from './ports.mjs';
import { isolatedEnv } from './runDirs.mjs';
import { writeUserSettings } from './settings.mjs';
import { isWorkspaceFile } from './workspaces.mjs';

/**
 * @typedef {object} Server
 * @property {string} base        http://host:port
 * @property {string} host
 * @property {number} port
 * @property {number} pid
 * @property {string} runDir
 * @property {Record<string, string | undefined>} env
 * @property {string} logFile
 * @property {string} userDataDir
 * @property {string} extensionsDir
 * @property {string} trust
 * @property {boolean} stopRequested  set once stop() was called: an exit after that is no crash
 * @property {Promise<{ code: number | null, signal: NodeJS.Signals | null }>} exited  resolves when code-server exits
 * @property {(o?: { workspace?: string, openFile?: string, extensionDevelopmentPath?: string, extensionTestsPath?: string, shownHost?: string }) => string} workbenchUrl
 * @property {(signal: NodeJS.Signals) => void} killGroup
 * @property {() => Promise<void>} stop  SIGTERM to the process group, SIGKILL after 5 s; removes the run's temp dir
 */

/** @type {Set<Server>} */
const live = new Set();
let exitHooked = false;

function hookProcessExit() {
  if (exitHooked) return;
  exitHooked = true;
  // A runner that dies (error, timeout, Ctrl-C) must not leave a server, extension host or file watcher behind.
  process.on('exit', () => {
    for (const s of live) s.killGroup('SIGKILL');
  });
  for (const sig of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
    process.on(sig, () => {
      const servers = [...live];
      if (servers.length) console.error(`\n[vscode] ${sig}: stopping code-server`);
      void Promise.all(servers.map((s) => s.stop())).finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
    });
  }
}

/**
 * Starts code-server in its own process group and waits until /healthz answers.
 * @param {object} o
 * @param {string} o.runDir           state of this run (HOME, XDG dirs, logs); created if missing
 * @param {string} [o.workspace]      folder or .code-workspace opened by a plain URL
 * @param {number} [o.port]           fixed port; default: a free one
 * @param {string} [o.host]           default 127.0.0.1
 * @param {string} [o.trust]          'off' | 'untrusted' | 'prompt'
 * @param {Record<string, unknown>} [o.settings]  extra user settings
 * @param {boolean} [o.keepSettings]  leave an existing settings.json alone
 * @param {Record<string, string | undefined>} [o.env]  extra environment for the server and its extension host
 * @param {string} [o.userDataDir]    default <runDir>/user-data
 * @param {string} [o.extensionsDir]  default <runDir>/extensions
 * @param {number} [o.startTimeoutMs] default 60 s
 * @param {(msg: string) => void} [o.log]
 * @returns {Promise<Server>}
 */
export async function startCodeServer(o) {
  assertToolsInstalled();
  const log = o.log ?? ((/** @type {string} */ m) => console.log(`[vscode] ${m}`));
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
      '--config',
      configFile,
      '--bind-addr',
      `${host}:${port}`,
      '--auth',
      'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      '--user-data-dir',
      userDataDir,
      '--extensions-dir',
      extensionsDir,
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
    /** @type {{ code: number | null, signal: NodeJS.Signals | null } | undefined} */
    let exited;
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
    const why = exited !== undefined ? `exited (code ${exited.code}, signal ${exited.signal})` : `did not answer /healthz within ${startTimeoutMs / 1000} s`;
    throw new Error(`code-server ${why}; log ${logFile}:\n${tail}`);
  }
}

/**
 * @param {{ child: import('node:child_process').ChildProcess, base: string, host: string, port: number, runDir: string, tmpDir: string,
 *   env: Record<string, string | undefined>, logFile: string, userDataDir: string, extensionsDir: string, trust: string, log: (msg: string) => void }} o
 * @returns {Server}
 */
function makeServer({ child, base, host, port, runDir, tmpDir, env, logFile, userDataDir, extensionsDir, trust, log }) {
  const pid = /** @type {number} */ (child.pid); // spawn succeeded (a failed spawn throws first)
  /** @type {Promise<void> | undefined} */
  let stopping;
  /** @type {Server} */
  const server = {
    base,
    host,
    port,
    pid,
    runDir,
    env,
    logFile,
    userDataDir,
    extensionsDir,
    trust,
    stopRequested: false,
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
    // The workbench URL for a folder or .code-workspace; with a payload for extension development/tests or a file to open.
    workbenchUrl({ workspace, openFile, extensionDevelopmentPath, extensionTestsPath, shownHost = host } = {}) {
      const q = [];
      if (workspace) q.push(`${isWorkspaceFile(workspace) ? 'workspace' : 'folder'}=${encodeURIComponent(path.resolve(workspace))}`);
      // code-server's CLI has no --extensionDevelopmentPath; the web workbench takes it from the URL payload,
      // as vscode-remote URIs on this server's authority.
      /** @param {string} p */
      const remote = (p) => `vscode-remote://${shownHost}:${port}${path.resolve(p)}`;
      const payload = [];
      if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(extensionDevelopmentPath)]);
      if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
      if (openFile) payload.push(['openFile', remote(openFile)]);
      if (payload.length) q.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
      return `http://${shownHost}:${port}/${q.length ? `?${q.join('&')}` : ''}`;
    },
    killGroup(signal) {
      try {
        process.kill(-pid, signal);
      } catch {
        // already gone
      }
    },
    stop() {
      server.stopRequested = true;
      stopping ??= (async () => {
        server.killGroup('SIGTERM');
        const deadline = Date.now() + 5000;
        while (groupAlive(pid) && Date.now() < deadline) await sleep(100);
        if (groupAlive(pid)) {
          log(`code-server group ${pid} ignored SIGTERM; sending SIGKILL`);
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

/** @param {number} pgid */
function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
