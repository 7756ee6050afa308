#!/usr/bin/env node
// @ts-check
// Installs what the integration and e2e tests need to run Marginalia in a real VS Code:
// Debian's chromium (the browser), libkrb5-dev (code-server's kerberos addon compiles against it)
// and ripgrep (stands in for @vscode/ripgrep's GitHub download), then code-server + playwright-core
// from tools/vscode/package-lock.json into tools/vscode/node_modules.
// Idempotent: when everything is in place it only checks and returns (well under a second).
//
//   node scripts/setup-vscode.mjs           install what is missing
//   node scripts/setup-vscode.mjs --check   report what is missing, install nothing (exit 1 if anything is)
//   node scripts/setup-vscode.mjs --force   reinstall tools/vscode/node_modules
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from './vscode/args.mjs';
import { CHROMIUM, TOOLS_DIR, codeServerBin } from './vscode/paths.mjs';

const DEBIAN_PACKAGES = ['chromium', 'libkrb5-dev', 'ripgrep'];
// code-server 4.100.3 bundles @vscode/ripgrep 1.15.11, whose postinstall fetches this rg build from GitHub
// unless it finds it in $TMPDIR/vscode-ripgrep-cache-<version>/. Change both when code-server changes.
const CODE_SERVER_VERSION = '4.100.3';
const RIPGREP_PKG_VERSION = '1.15.11';
const RIPGREP_ASSET = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';
const STAMP = path.join(TOOLS_DIR, 'node_modules', '.marginalia-installed');

let args;
try {
  args = parseArgs(process.argv.slice(2), { check: 'boolean', force: 'boolean' });
  if (args.positional.length) throw new Error(`unexpected argument ${args.positional[0]}`);
} catch (e) {
  console.error(`[setup-vscode] ${/** @type {Error} */ (e).message}`);
  process.exit(2);
}
const checkOnly = !!args.check;
const T0 = Date.now();
const say = (/** @type {string} */ msg) => console.log(`[setup-vscode ${((Date.now() - T0) / 1000).toFixed(1)}s] ${msg}`);

function missingDebianPackages() {
  if (!hasCommand('dpkg')) return [];
  return DEBIAN_PACKAGES.filter((p) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' });
    return r.status !== 0 || !r.stdout.includes('install ok installed');
  });
}

/** @param {string} cmd */
function hasCommand(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function lockHash() {
  const h = crypto.createHash('sha256');
  for (const f of ['package.json', 'package-lock.json', '.npmrc']) h.update(fs.readFileSync(path.join(TOOLS_DIR, f)));
  h.update(process.versions.node.split('.')[0]); // native addons are built for one node ABI
  return h.digest('hex');
}

function toolsInstalled() {
  try {
    return fs.readFileSync(STAMP, 'utf8').trim() === lockHash() && fs.existsSync(codeServerBin());
  } catch {
    return false;
  }
}

/** npm run exports its own config as npm_config_* (e.g. a user's yes=false), which would override tools/vscode/.npmrc. */
/** @param {Record<string, string>} extra */
function cleanNpmEnv(extra) {
  /** @type {Record<string, string | undefined>} */
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, ...extra };
}

/** @param {string} tmpDir */
function seedRipgrepCache(tmpDir) {
  const cache = path.join(tmpDir, `vscode-ripgrep-cache-${RIPGREP_PKG_VERSION}`);
  fs.mkdirSync(cache, { recursive: true });
  const stage = fs.mkdtempSync(path.join(tmpDir, 'rg-'));
  fs.copyFileSync(execFileSync('sh', ['-c', 'command -v rg'], { encoding: 'utf8' }).trim(), path.join(stage, 'rg'));
  fs.chmodSync(path.join(stage, 'rg'), 0o755);
  // rg must sit at the top of the tarball: @vscode/ripgrep untars it straight into its bin/.
  execFileSync('tar', ['czf', path.join(cache, RIPGREP_ASSET), '-C', stage, 'rg']);
  fs.rmSync(stage, { recursive: true, force: true });
  return path.join(cache, RIPGREP_ASSET);
}

function checkInstalledTree() {
  const vscodeModules = path.join(TOOLS_DIR, 'node_modules/code-server/lib/vscode/node_modules');
  const expect = {
    'ripgrep binary': '@vscode/ripgrep/bin/rg',
    'node-pty addon': 'node-pty/build/Release/pty.node',
    'kerberos addon': 'kerberos/build/Release/kerberos.node',
    'spdlog addon': '@vscode/spdlog/build/Release/spdlog.node',
  };
  const missing = Object.entries(expect).filter(([, rel]) => !fs.existsSync(path.join(vscodeModules, rel)));
  return missing.map(([name, rel]) => `${name} (${path.join(vscodeModules, rel)})`);
}

const major = Number(process.versions.node.split('.')[0]);
if (major !== 20) {
  console.error(`[setup-vscode] code-server ${CODE_SERVER_VERSION} needs node 20; this is node ${process.versions.node}.`);
  process.exit(1);
}

let problems = 0;

// 1. Debian packages
const need = missingDebianPackages();
if (need.length === 0) {
  say(`Debian packages present: ${DEBIAN_PACKAGES.join(', ')}`);
} else if (checkOnly) {
  say(`missing Debian packages: ${need.join(', ')}`);
  problems++;
} else {
  if (process.getuid?.() !== 0) {
    console.error(`[setup-vscode] missing Debian packages ${need.join(', ')}; run as root or: sudo apt-get install -y ${need.join(' ')}`);
    process.exit(1);
  }
  say(`apt-get update, then apt-get install ${need.join(' ')}`);
  const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env: aptEnv });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...need], { stdio: 'inherit', env: aptEnv });
  const still = missingDebianPackages();
  if (still.length) {
    console.error(`[setup-vscode] apt-get did not install: ${still.join(', ')}`);
    process.exit(1);
  }
  say(`installed ${need.join(', ')}`);
}
if (!fs.existsSync(CHROMIUM) && !checkOnly) {
  console.error(`[setup-vscode] ${CHROMIUM} not found (set CHROMIUM to a chromium binary)`);
  process.exit(1);
}

// 2. code-server + playwright-core in tools/vscode
if (toolsInstalled() && !args.force) {
  const bad = checkInstalledTree();
  if (bad.length) {
    say(`tools/vscode is installed but incomplete: ${bad.join('; ')}; run with --force`);
    problems++;
  } else {
    say(`tools/vscode installed (code-server ${CODE_SERVER_VERSION}, playwright-core)`);
  }
} else if (checkOnly) {
  say('tools/vscode/node_modules is missing or out of date with its lockfile');
  problems++;
} else {
  // One TMPDIR for both: the cache is seeded where @vscode/ripgrep's postinstall (os.tmpdir()) looks for it.
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'marginalia-setup-'));
  try {
    say(`seeded ripgrep cache ${seedRipgrepCache(tmpDir)}`);
    say(`npm ci in ${path.relative(process.cwd(), TOOLS_DIR) || TOOLS_DIR} (code-server builds native addons: about a minute)`);
    fs.rmSync(STAMP, { force: true });
    const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], {
      cwd: TOOLS_DIR,
      stdio: 'inherit',
      env: cleanNpmEnv({ TMPDIR: tmpDir }),
    });
    if (r.status !== 0) {
      console.error(`[setup-vscode] npm ci in ${TOOLS_DIR} failed (exit ${r.status}); see the output above`);
      process.exit(1);
    }
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
  const bad = checkInstalledTree();
  if (bad.length) {
    console.error(`[setup-vscode] npm ci finished but these are missing: ${bad.join('; ')}`);
    process.exit(1);
  }
  fs.writeFileSync(STAMP, lockHash() + '\n');
  say(`installed code-server ${CODE_SERVER_VERSION} and playwright-core into tools/vscode/node_modules`);
}

if (problems) process.exit(1);
say('ready');
