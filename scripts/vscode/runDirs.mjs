// @ts-check
// Isolating a run: its own directory (HOME, TMPDIR, XDG dirs, profile, logs) and an environment that points there,
// so code-server and chromium write nothing outside it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO } from './paths.mjs';

// code-server puts a unix socket at <user-data-dir>/code-server-ipc.sock, and a socket path must stay under
// 108 bytes: a run dir deeper than this moves to the system temp dir.
const MAX_RUN_DIR = 108 - '/user-data/code-server-ipc.sock'.length - 8;

/**
 * Whether code-server's sockets fit under `dir`.
 * @param {string} dir
 */
export function socketSafe(dir) {
  return path.resolve(dir).length <= MAX_RUN_DIR;
}

/**
 * A fresh directory for one run, under .run/<kind>/ (gitignored) unless `dir` is given.
 * @param {string} kind
 * @param {string} [dir]
 */
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

/**
 * The environment of a run: its own HOME, TMPDIR and XDG dirs, and none of the caller's VS Code or npm variables.
 * @param {string} runDir
 * @param {string} tmpDir
 * @param {Record<string, string | undefined>} [extra]
 * @returns {Record<string, string | undefined>}
 */
export function isolatedEnv(runDir, tmpDir, extra) {
  /** @type {Record<string, string | undefined>} */
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
