// WorkspaceFs over node:fs, for the CLI and tests. Refuses paths (and symlinks) that lead out of the root.
import * as fs from 'node:fs/promises';
import { readFile } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { PathError, toRelPath } from './paths';
import { withFileLock } from './fileLock';
import type { DirEntry, WorkspaceFs } from './ports';

export class NodeWorkspaceFs implements WorkspaceFs {
  readonly root: string;
  private realRoot: string | undefined;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  /** Absolute path of a workspace-relative one ('' is the root), refusing anything outside the root. */
  async resolve(rel: string): Promise<string> {
    const abs = rel === '' ? this.root : path.join(this.root, ...toRelPath(rel).split('/'));
    this.realRoot ??= await fs.realpath(this.root).catch(() => this.root);
    // Follow symlinks of the longest existing ancestor: a link that points out of the folder is refused.
    let probe = abs;
    for (;;) {
      const real = await fs.realpath(probe).catch(() => undefined);
      if (real !== undefined) {
        const inside = real === this.realRoot || real.startsWith(this.realRoot + path.sep);
        if (!inside) throw new PathError(`${rel} leads outside the workspace folder (through a symbolic link to ${real})`);
        break;
      }
      const up = path.dirname(probe);
      if (up === probe) break;
      probe = up;
    }
    return abs;
  }

  async read(rel: string): Promise<Uint8Array | undefined> {
    const abs = await this.resolve(rel);
    try {
      return await readWhole(abs);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async writeAtomic(rel: string, data: Uint8Array): Promise<void> {
    const abs = await this.resolve(rel);
    await fs.mkdir(path.dirname(abs), { recursive: true });
    await writeFileAtomic(abs, data);
  }

  async delete(rel: string): Promise<void> {
    const abs = await this.resolve(rel);
    await fs.rm(abs, { force: true });
  }

  async list(relDir: string): Promise<DirEntry[]> {
    const abs = await this.resolve(relDir);
    try {
      const entries = await fs.readdir(abs, { withFileTypes: true });
      const out: DirEntry[] = [];
      for (const e of entries) {
        if (e.isFile()) out.push({ name: e.name, type: 'file' });
        else if (e.isDirectory()) out.push({ name: e.name, type: 'dir' });
        else if (e.isSymbolicLink()) {
          // A link to a file is listed, so that reading it goes through resolve(), which refuses one leading out of
          // the workspace with a message naming it, instead of passing over it in silence. Links to folders are
          // not followed (they could lead out, or round in a cycle).
          const target = await fs.stat(path.join(abs, e.name)).catch(() => undefined);
          if (target?.isFile()) out.push({ name: e.name, type: 'file' });
        }
      }
      return out;
    } catch (e) {
      if (isNotFound(e) || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
      throw e;
    }
  }

  /** A lock file beside `rel` (see fileLock.ts), so writers in other processes take turns. */
  async withLock<T>(rel: string, fn: () => Promise<T>): Promise<T> {
    const abs = await this.resolve(rel);
    await fs.mkdir(path.dirname(abs), { recursive: true });
    return withFileLock(abs, fn);
  }

  async stat(rel: string): Promise<{ size: number; mtime: number } | undefined> {
    const abs = await this.resolve(rel);
    try {
      const s = await fs.stat(abs);
      return { size: s.size, mtime: s.mtimeMs };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }
}

/** The file-system calls of the last step of an atomic write (replaceable to simulate a crash in tests). */
export const atomicSteps = { rename: (from: string, to: string): Promise<void> => fs.rename(from, to) };

/** fs.readFile through its callback: for the thousands of small sidecars a store loads, a third faster than the
 *  promise API's readFile, which makes a round trip through JavaScript for each step (open, stat, read, close). */
function readWhole(abs: string): Promise<Uint8Array> {
  return new Promise((resolve, reject) => readFile(abs, (e, data) => (e ? reject(e) : resolve(data))));
}

/** Writes to a temporary file beside `abs`, flushes it, then renames it over `abs`: readers see old or new, never partial. */
export async function writeFileAtomic(abs: string, data: Uint8Array | string): Promise<void> {
  const tmp = path.join(path.dirname(abs), `.${path.basename(abs)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fh = await fs.open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await atomicSteps.rename(tmp, abs);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

function isNotFound(e: unknown): boolean {
  return (e as NodeJS.ErrnoException)?.code === 'ENOENT';
}
