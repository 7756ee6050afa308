#!/usr/bin/env node
// @ts-check
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
//     --dev              load the extension from this repository (extensionDevelopmentPath in the printed URL)
//                        instead of installing a copy: `npm run build`, then "Developer: Reload Window" in the
//                        browser picks up the new build
//
// Without --dev the extension is packed as a VSIX (.vscodeignore says what it holds) and installed with VS Code's own
// installer, exactly as the tests and a person install it; run `npm start` again to install a new build. On the first launch of the sample
// workspace Marginalia opens its walkthrough.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// Only modules without dependencies are imported here: on a fresh clone node_modules does not exist yet. The rest
// is imported once ensureNodeModules() has installed it.
import { ensureNodeModules, run } from './lib.mjs';
import { parseArgs } from './vscode/args.mjs';
import { REPO, SAMPLE_CORPUS, readTail } from './vscode/paths.mjs';
import { portFree } from './vscode/ports.mjs';
import { socketSafe } from './vscode/runDirs.mjs';
import { TRUST_MODES } from './vscode/trust.mjs';

const PREFERRED_PORT = 8765;
/** @param {string} msg */
const say = (msg) => console.log(`[start] ${msg}`);

/** @type {ReturnType<typeof parseArgs>} */
let opts;
try {
  opts = parseArgs(process.argv.slice(2), {
    port: 'number',
    host: 'string',
    workspace: 'string',
    fresh: 'boolean',
    trust: 'string',
    build: 'boolean',
    dev: 'boolean',
  });
  opts.trust ??= 'off';
  if (!TRUST_MODES.includes(opts.trust)) throw new Error(`--trust must be one of ${TRUST_MODES.join(', ')}`);
  if (opts.positional.length) throw new Error(`unexpected argument ${opts.positional[0]}`);
} catch (e) {
  console.error(`start: ${/** @type {Error} */ (e).message}`);
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
  console.error(`start: ${/** @type {Error} */ (e).message}; fix that and run npm start again`);
  process.exit(1);
}
const { installVsix, packageVsix, uninstallExtension } = await import('./vscode/extension.mjs');
const { startCodeServer } = await import('./vscode/server.mjs');
const { copyWorkspace } = await import('./vscode/workspaces.mjs');

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
if (opts.dev) {
  uninstallExtension(extensionsDir); // the development copy is the only one
  say('loading Marginalia from this repository (extensionDevelopmentPath)');
} else {
  say("packing the extension (vsce) and installing the VSIX with VS Code's own installer");
  try {
    uninstallExtension(extensionsDir); // also an older start's symlinked copy
    const installedAt = installVsix(packageVsix(path.join(stateDir, 'marginalia.vsix'), { quiet: true }), extensionsDir, stateDir);
    say(`installed Marginalia into ${path.relative(REPO, installedAt)}`);
  } catch (e) {
    console.error(`start: ${/** @type {Error} */ (e).message}`);
    process.exit(1);
  }
}

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
  // Marginalia opens its walkthrough the first time this folder is opened (src/host/walkthrough.ts).
  env: opts.workspace ? {} : { MARGINALIA_WALKTHROUGH_FOLDER: workspace },
  log: say,
}).catch((e) => {
  console.error(`start: ${e.message}`);
  process.exit(1);
});
const shownHost = host === '0.0.0.0' ? os.hostname() : host;
// The workbench URL with the folder's path readable; in the sample workspace it also opens the first document, so
// Marginalia starts with the window (plain-text documents activate it).
const url = server
  .workbenchUrl({
    workspace,
    openFile: opts.workspace ? undefined : firstDocument(workspace),
    extensionDevelopmentPath: opts.dev ? REPO : undefined,
    shownHost,
  })
  .replace(/%2F/g, '/');
console.log(`
  Marginalia in VS Code ${readCodeVersion()}: open

    ${url}

  workspace  ${workspace}
  log        ${server.logFile}
  rebuild    ${opts.dev ? 'npm run build, then "Developer: Reload Window" in the browser' : 'Ctrl-C and npm start again (npm start -- --dev: npm run build, then "Developer: Reload Window")'}
  stop       Ctrl-C
`);

// Ctrl-C / SIGTERM are handled in vscode/server.mjs (the process group is stopped, then this process exits).
const { code, signal } = await server.exited;
if (server.stopRequested) await new Promise(() => {}); // stopping on a signal: vscode/server.mjs exits the process
console.error(`start: code-server exited (code ${code}, signal ${signal}); last lines of ${server.logFile}:\n${readTail(server.logFile, 20)}`);
await server.stop();
process.exit(1);

/**
 * The first .txt document of a folder, or undefined.
 * @param {string} folder
 */
function firstDocument(folder) {
  const first = fs
    .readdirSync(folder)
    .filter((f) => f.endsWith('.txt'))
    .sort()[0];
  return first && path.join(folder, first);
}

function readCodeVersion() {
  try {
    const pkg = path.join(REPO, 'tools', 'vscode', 'node_modules', 'code-server', 'lib', 'vscode', 'package.json');
    return JSON.parse(fs.readFileSync(pkg, 'utf8')).version;
  } catch {
    return '';
  }
}
