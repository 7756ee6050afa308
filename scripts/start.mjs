#!/usr/bin/env node
// `npm start`: Marginalia in a real VS Code in your browser. Installs what is missing (the repo's node_modules,
// then code-server + chromium via scripts/setup-vscode.mjs), builds the extension, installs it into a persistent
// VS Code profile under .run/vscode, opens .run/workspace/corpus (a copy of sample/corpus made on the first start,
// so your annotations survive restarts and the repo stays clean), prints the URL and serves until Ctrl-C.
//
//   npm start [-- options]
//     --port N           port to serve on (default 8765, or a free one if that is taken; also $PORT)
//     --host H           address to bind (default 127.0.0.1; there is no password, so think before widening it)
//     --workspace PATH   open this folder or .code-workspace instead of .run/workspace/corpus (not copied)
//     --fresh            recreate .run/workspace from sample/ first (discards annotations made there)
//     --trust MODE       off (default) | untrusted | prompt
//     --no-build         skip `npm run build`
//
// The extension is installed as symlinks into this repo, so after `npm run build` a "Developer: Reload Window"
// in the browser picks up the new build.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  REPO, SAMPLE_CORPUS, TRUST_MODES, copyWorkspace, installExtensionFolder, isWorkspaceFile, parseArgs, readTail, socketSafe,
  startCodeServer,
} from './vscodeServer.mjs';
import { ensureNodeModules, run } from './lib.mjs';

const PREFERRED_PORT = 8765;
const say = (msg) => console.log(`[start] ${msg}`);

let opts;
try {
  opts = parseArgs(process.argv.slice(2), {
    port: 'number', host: 'string', workspace: 'string', fresh: 'boolean', trust: 'string', build: 'boolean',
  });
  opts.trust ??= 'off';
  if (!TRUST_MODES.includes(opts.trust)) throw new Error(`--trust must be one of ${TRUST_MODES.join(', ')}`);
  if (opts.positional.length) throw new Error(`unexpected argument ${opts.positional[0]}`);
} catch (e) {
  console.error(`start: ${e.message}`);
  process.exit(2);
}

// 1. Dependencies and build
try {
  ensureNodeModules(); // npm ci when node_modules is missing or older than the lockfile
  say('checking the real VS Code (scripts/setup-vscode.mjs)');
  run(process.execPath, [path.join(REPO, 'scripts', 'setup-vscode.mjs')]);
  if (opts.build !== false) {
    say('building the extension (npm run build)');
    run('npm', ['run', '--silent', 'build']);
  }
} catch (e) {
  console.error(`start: ${e.message}; fix that and run npm start again`);
  process.exit(1);
}

// 2. Persistent state: the VS Code profile (settings, UI state, installed extension) and the workspace
let stateDir = path.join(REPO, '.run', 'vscode');
if (!socketSafe(stateDir)) {
  const hash = crypto.createHash('sha256').update(REPO).digest('hex').slice(0, 8);
  stateDir = path.join(os.tmpdir(), `marginalia-vscode-${hash}`);
  say(`${REPO} is too deep for code-server's sockets; keeping VS Code's state in ${stateDir}`);
}
let workspace;
if (opts.workspace) {
  workspace = path.resolve(opts.workspace);
  if (!fs.existsSync(workspace)) {
    console.error(`start: workspace ${workspace} does not exist`);
    process.exit(1);
  }
} else {
  const root = path.join(REPO, '.run', 'workspace');
  workspace = path.join(root, path.basename(SAMPLE_CORPUS));
  if (opts.fresh) fs.rmSync(root, { recursive: true, force: true });
  if (!fs.existsSync(workspace)) {
    copyWorkspace(SAMPLE_CORPUS, root);
    say(`created ${path.relative(REPO, workspace)} from ${path.relative(REPO, SAMPLE_CORPUS)}`);
  } else {
    say(`reusing ${path.relative(REPO, workspace)} (npm start -- --fresh recreates it from sample/)`);
  }
}
const extensionsDir = path.join(stateDir, 'extensions');
const installedAt = installExtensionFolder(extensionsDir, { mode: 'link' });
say(`installed Marginalia as ${path.relative(REPO, installedAt)} (symlinks to dist/)`);

// 3. Serve
const host = opts.host ?? '127.0.0.1';
const port = opts.port ?? (Number(process.env.PORT) || ((await portFree(PREFERRED_PORT, host)) ? PREFERRED_PORT : undefined));
const server = await startCodeServer({
  runDir: stateDir,
  workspace,
  host,
  port,
  trust: opts.trust,
  keepSettings: true, // the person's own settings changes survive restarts
  log: say,
}).catch((e) => {
  console.error(`start: ${e.message}`);
  process.exit(1);
});
const shownHost = host === '0.0.0.0' ? os.hostname() : host;
const url = `http://${shownHost}:${server.port}/?${isWorkspaceFile(workspace) ? 'workspace' : 'folder'}=${encodeURIComponent(workspace).replace(/%2F/g, '/')}`;
console.log(`
  Marginalia in VS Code ${readCodeVersion()}: open

    ${url}

  workspace  ${workspace}
  log        ${server.logFile}
  rebuild    npm run build, then "Developer: Reload Window" in the browser
  stop       Ctrl-C
`);

// Ctrl-C / SIGTERM are handled in vscodeServer.mjs (the process group is stopped, then this process exits).
const { code, signal } = await server.exited;
if (server.stopRequested) await new Promise(() => {}); // stopping on a signal: vscodeServer.mjs exits the process
console.error(`start: code-server exited (code ${code}, signal ${signal}); last lines of ${server.logFile}:\n${readTail(server.logFile, 20)}`);
await server.stop();
process.exit(1);

function portFree(p, h) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(p, h, () => srv.close(() => resolve(true)));
  });
}

function readCodeVersion() {
  try {
    const pkg = path.join(REPO, 'tools', 'vscode', 'node_modules', 'code-server', 'lib', 'vscode', 'package.json');
    return JSON.parse(fs.readFileSync(pkg, 'utf8')).version;
  } catch {
    return '';
  }
}
