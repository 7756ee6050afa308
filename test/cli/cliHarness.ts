// Spawns the real built CLI (bin/marginalia.js → dist/cli.js) on a temporary copy of the sample corpus.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '../../..');
export const BIN = path.join(REPO, 'bin', 'marginalia.js');
export const SAMPLE = path.join(REPO, 'sample', 'corpus');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A fresh workspace: `corpus/` holds a copy of the sample corpus. */
export function tempWorkspace(withCorpus = true): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'marginalia-cli-'));
  if (withCorpus) fs.cpSync(SAMPLE, path.join(dir, 'corpus'), { recursive: true });
  return dir;
}

export function cli(cwd: string, ...args: string[]): CliResult {
  if (!fs.existsSync(path.join(REPO, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` first');
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, MARGINALIA_AUTHOR: 'Test Author' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Offsets of the first occurrence of `quote` in a corpus file. */
export function spanOf(ws: string, doc: string, quote: string): { start: number; end: number } {
  const text = fs.readFileSync(path.join(ws, doc), 'utf8').replace(/^\uFEFF/, '');
  const start = text.indexOf(quote);
  if (start < 0) throw new Error(`"${quote}" not in ${doc}`);
  return { start, end: start + quote.length };
}
