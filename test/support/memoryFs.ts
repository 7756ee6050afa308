// In-memory WorkspaceFs for unit tests.
import { toRelPath } from '../../src/core/model';
import type { DirEntry, WorkspaceFs } from '../../src/core/store';

export class MemoryFs implements WorkspaceFs {
  readonly files = new Map<string, Uint8Array>();
  /** Modification times (ms): each write takes the next tick of this clock, unless a test sets one. */
  readonly mtimes = new Map<string, number>();
  clock = 1_000;
  writes = 0;

  constructor(initial: Record<string, string> = {}) {
    for (const [k, v] of Object.entries(initial)) this.files.set(toRelPath(k), Buffer.from(v, 'utf8'));
  }
  text(rel: string): string | undefined {
    const b = this.files.get(toRelPath(rel));
    return b && Buffer.from(b).toString('utf8');
  }
  async read(rel: string): Promise<Uint8Array | undefined> {
    return this.files.get(toRelPath(rel));
  }
  async writeAtomic(rel: string, data: Uint8Array): Promise<void> {
    this.writes++;
    this.files.set(toRelPath(rel), data);
    this.mtimes.set(toRelPath(rel), ++this.clock);
  }
  async delete(rel: string): Promise<void> {
    this.files.delete(toRelPath(rel));
  }
  async list(relDir: string): Promise<DirEntry[]> {
    const prefix = relDir === '' ? '' : toRelPath(relDir) + '/';
    const seen = new Map<string, DirEntry>();
    for (const k of this.files.keys()) {
      if (!k.startsWith(prefix)) continue;
      const rest = k.slice(prefix.length);
      const i = rest.indexOf('/');
      const name = i === -1 ? rest : rest.slice(0, i);
      if (!seen.has(name)) seen.set(name, { name, type: i === -1 ? 'file' : 'dir' });
    }
    return [...seen.values()];
  }
  async stat(rel: string): Promise<{ size: number; mtime: number } | undefined> {
    const b = this.files.get(toRelPath(rel));
    return b && { size: b.length, mtime: this.mtimes.get(toRelPath(rel)) ?? 0 };
  }
}
