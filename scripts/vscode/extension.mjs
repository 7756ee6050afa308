// @ts-check
// The extension as VS Code installs it. Which files an installed copy holds is decided in one place, .vscodeignore,
// read through vsce (the tool that packs the VSIX): `npm run package` packs them, and the tests and `npm start`
// install exactly them, either by copying or with code-server's own VSIX installer.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { REPO, assertToolsInstalled, codeServerBin } from './paths.mjs';
import { isolatedEnv } from './runDirs.mjs';

/** @typedef {{ name: string, publisher: string, version: string, main?: string }} Manifest */

/**
 * @param {string} [root]
 * @returns {Manifest}
 */
export function extensionManifest(root = REPO) {
  return JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
}

/** `publisher.name` in lower case, as VS Code names the installed folder. */
export function extensionId(root = REPO) {
  const pkg = extensionManifest(root);
  return `${pkg.publisher}.${pkg.name}`.toLowerCase();
}

/**
 * The files a VSIX of the extension carries (and so an installed copy holds), relative to `root`, as `vsce ls`
 * lists them: everything .vscodeignore lets through, without node_modules (the bundle has its dependencies).
 * @returns {Promise<string[]>}
 */
export async function extensionFiles(root = REPO) {
  /** @type {{ listFiles(o: object): Promise<string[]>, PackageManager: { None: string } }} */
  const vsce = createRequire(import.meta.url)('@vscode/vsce');
  return (await vsce.listFiles({ cwd: root, packageManager: vsce.PackageManager.None })).map((f) => f.split(path.sep).join('/')).sort();
}

/**
 * Installs the built extension into `extensionsDir` as `publisher.name-version`, the way `--install-extension`
 * lays out a VSIX (a copy of extensionFiles()), so a plain workbench URL loads it. Older versions of the extension
 * in the folder are removed.
 * @param {string} extensionsDir
 * @param {{ root?: string }} [o]
 */
export async function installExtensionFolder(extensionsDir, { root = REPO } = {}) {
  const pkg = extensionManifest(root);
  const id = extensionId(root);
  const main = pkg.main ? path.join(root, pkg.main) : undefined;
  if (main && !fs.existsSync(main.endsWith('.js') ? main : `${main}.js`)) {
    throw new Error(`${path.relative(REPO, main)} is missing: run \`npm run build\` first`);
  }
  const files = await extensionFiles(root);
  uninstallExtension(extensionsDir, root);
  const relativeLocation = `${id}-${pkg.version}`;
  const dest = path.join(extensionsDir, relativeLocation);
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(dest, f)), { recursive: true });
    fs.copyFileSync(path.join(root, f), path.join(dest, f));
  }
  registerExtension(extensionsDir, { id, version: pkg.version, relativeLocation, dest });
  return dest;
}

/**
 * Removes every installed version of the extension from `extensionsDir` and from its extensions.json.
 * @param {string} extensionsDir
 */
export function uninstallExtension(extensionsDir, root = REPO) {
  const id = extensionId(root);
  fs.mkdirSync(extensionsDir, { recursive: true });
  for (const e of fs.readdirSync(extensionsDir)) {
    if (e.toLowerCase().startsWith(`${id}-`)) fs.rmSync(path.join(extensionsDir, e), { recursive: true, force: true });
  }
  writeRegistry(
    extensionsDir,
    readRegistry(extensionsDir).filter((e) => e?.identifier?.id?.toLowerCase() !== id),
  );
}

/**
 * Installs a VSIX into extensionsDir with code-server's own installer (`--install-extension`), as a person would;
 * returns the installed folder. Throws with the installer's output when it fails.
 * @param {string} vsix
 * @param {string} extensionsDir
 * @param {string} runDir
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
  const id = extensionId();
  const installed = fs.readdirSync(extensionsDir).find((e) => e.toLowerCase().startsWith(`${id}-`));
  if (!installed) throw new Error(`code-server reported success but no ${id}-* folder is in ${extensionsDir}`);
  return path.join(extensionsDir, installed);
}

/**
 * @typedef {{ identifier?: { id?: string }, [key: string]: unknown }} RegistryEntry
 * @param {string} extensionsDir
 * @returns {RegistryEntry[]}
 */
function readRegistry(extensionsDir) {
  try {
    const list = JSON.parse(fs.readFileSync(path.join(extensionsDir, 'extensions.json'), 'utf8'));
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

/**
 * @param {string} extensionsDir
 * @param {RegistryEntry[]} list
 */
function writeRegistry(extensionsDir, list) {
  const file = path.join(extensionsDir, 'extensions.json');
  if (list.length === 0 && !fs.existsSync(file)) return;
  fs.writeFileSync(file, JSON.stringify(list));
}

/**
 * VS Code reads the installed extensions of the default profile from <extensionsDir>/extensions.json;
 * a folder that is not listed there is ignored once that file exists. Add (or replace) our entry.
 * @param {string} extensionsDir
 * @param {{ id: string, version: string, relativeLocation: string, dest: string }} entry
 */
function registerExtension(extensionsDir, { id, version, relativeLocation, dest }) {
  const list = readRegistry(extensionsDir).filter((e) => e?.identifier?.id?.toLowerCase() !== id);
  list.push({
    identifier: { id },
    version,
    location: { $mid: 1, path: dest, scheme: 'file' },
    relativeLocation,
    metadata: { installedTimestamp: Date.now(), source: 'vsix', pinned: true },
  });
  writeRegistry(extensionsDir, list);
}

/**
 * Packs a VSIX with @vscode/vsce: the files .vscodeignore lets through (extensionFiles()), nothing else.
 * @param {string} [out] default .run/<name>-<version>.vsix
 * @param {{ quiet?: boolean }} [o] quiet: vsce's listing is shown only when it fails
 */
export function packageVsix(out, { quiet = false } = {}) {
  const pkg = extensionManifest();
  out = path.resolve(out ?? path.join(REPO, '.run', `${pkg.name}-${pkg.version}.vsix`));
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const vsce = path.join(REPO, 'node_modules', '@vscode', 'vsce', 'vsce');
  // No repository to point links at: the README's relative links stay relative (its pictures are packed with it).
  const args = [vsce, 'package', '--no-dependencies', '--out', out, '--allow-missing-repository', '--no-rewrite-relative-links'];
  if (!['LICENSE', 'LICENSE.md', 'LICENSE.txt'].some((f) => fs.existsSync(path.join(REPO, f)))) args.push('--skip-license');
  const r = spawnSync(process.execPath, args, { cwd: REPO, stdio: quiet ? 'pipe' : 'inherit', encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`vsce package failed (exit ${r.status ?? r.signal})${quiet ? `: ${(r.stderr || r.stdout).trim()}` : ''}`);
  return out;
}
