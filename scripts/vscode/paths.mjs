// @ts-check
// Where things are: the repository, the real VS Code (code-server in tools/vscode), chromium and the sample corpus.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TOOLS_DIR = path.join(REPO, 'tools', 'vscode');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const SAMPLE_CORPUS = path.join(REPO, 'sample', 'corpus');

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

/**
 * The last `lines` lines of a log file, or "(no log)".
 * @param {string} file
 */
export function readTail(file, lines = 40) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** @param {number} ms */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
