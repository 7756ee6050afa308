// WorkspaceFs over vscode.workspace.fs, so remote and virtual workspaces work like local ones.
import * as vscode from 'vscode';
import { PathError, toRelPath } from '../core/model';
import { STORE_DIR } from '../constants';
import type { DirEntry, WorkspaceFs } from '../core/store';
import { lstatRegular, readRegularFile, tempSiblingName, withFileLock } from '../node';

export class VscodeWorkspaceFs implements WorkspaceFs {
  /** Symbolic links that list() came across and left out (workspace-relative), so the folder model can say so. */
  readonly links = new Set<string>();

  constructor(readonly folder: vscode.Uri) {}

  uri(rel: string): vscode.Uri {
    return rel === '' ? this.folder : vscode.Uri.joinPath(this.folder, ...toRelPath(rel).split('/'));
  }

  async read(rel: string): Promise<Uint8Array | undefined> {
    await this.refuseLinks(rel);
    if (this.folder.scheme === 'file') {
      // On this machine's disk the file is opened without waiting and refused unless it is a regular file, as the
      // CLI reads: workspace.fs would wait for a writer of a FIFO forever, and hold up the extension host's reads.
      try {
        return await readRegularFile(this.uri(rel).fsPath, rel);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
        throw e;
      }
    }
    try {
      return await vscode.workspace.fs.readFile(this.uri(rel));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async writeAtomic(rel: string, data: Uint8Array): Promise<void> {
    await this.refuseLinks(rel);
    const target = this.uri(rel);
    const dir = vscode.Uri.joinPath(target, '..');
    await vscode.workspace.fs.createDirectory(dir);
    // A temporary sibling, then a rename over the target: readers see the old or the new file, never half of one.
    const tmp = vscode.Uri.joinPath(dir, tempSiblingName(rel.split('/').pop()!, `.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`));
    await vscode.workspace.fs.writeFile(tmp, data);
    try {
      await vscode.workspace.fs.rename(tmp, target, { overwrite: true });
    } catch (e) {
      await vscode.workspace.fs.delete(tmp).then(undefined, () => undefined);
      throw e;
    }
  }

  /**
   * The CLI's lock file beside `rel` (node/fileLock.ts), for folders on this machine's disk, so the extension, the CLI
   * and other windows take turns at a sidecar's read-merge-write. Remote and virtual folders have no shared lock: there
   * the store's re-read just before each write is the guard.
   */
  async withLock<T>(rel: string, fn: () => Promise<T>): Promise<T> {
    if (this.folder.scheme !== 'file') return fn();
    await this.refuseLinks(rel);
    const target = this.uri(rel);
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(target, '..'));
    return withFileLock(target.fsPath, fn);
  }

  async delete(rel: string): Promise<void> {
    try {
      await vscode.workspace.fs.delete(this.uri(rel));
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  async list(relDir: string): Promise<DirEntry[]> {
    // A stat first: VS Code logs a warning for every readDirectory of a folder that is not there.
    if (relDir !== '' && (await this.stat(relDir)) === undefined) return [];
    try {
      const entries = await vscode.workspace.fs.readDirectory(this.uri(relDir));
      const out: DirEntry[] = [];
      for (const [name, type] of entries) {
        // Symbolic links are left out, as the CLI's listing leaves them out: workspace.fs cannot say where one
        // leads, and one that leads out of the folder must not bring outside files into the corpus.
        if (type & vscode.FileType.SymbolicLink) {
          this.links.add(relDir === '' ? name : `${relDir}/${name}`);
          continue;
        }
        if (type & vscode.FileType.Directory) out.push({ name, type: 'dir' });
        else if (type & vscode.FileType.File) out.push({ name, type: 'file' });
      }
      return out;
    } catch (e) {
      if (isNotFound(e)) return [];
      throw e;
    }
  }

  /**
   * Refuses a path that goes through a symbolic link (a sidecar can name any document, and a link can lead out of
   * the folder: nothing outside is read or written). Reads and writes check document paths; paths inside the store
   * are checked only when asked (`store`), so loading thousands of sidecars costs no extra calls.
   */
  async refuseLinks(rel: string, store = false): Promise<void> {
    const parts = toRelPath(rel).split('/');
    if (parts[0] === STORE_DIR && !store) return;
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      let type: vscode.FileType;
      try {
        type = (await vscode.workspace.fs.stat(this.uri(prefix))).type;
      } catch (e) {
        if (isNotFound(e)) return;
        throw e;
      }
      if (type & vscode.FileType.SymbolicLink) {
        throw new PathError(
          `${rel} leads through the symbolic link ${prefix}, which may point outside the workspace folder; Marginalia does not follow links, so it was not read or written. Replace the link with the file itself.`,
        );
      }
    }
  }

  /** True when `rel` is a folder (a symbolic link to one is not). */
  async isDirectory(rel: string): Promise<boolean> {
    try {
      const { type } = await vscode.workspace.fs.stat(this.uri(rel));
      return (type & vscode.FileType.Directory) !== 0 && (type & vscode.FileType.SymbolicLink) === 0;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  /** On this machine's disk, node's lstat (workspace.fs.stat costs a round trip per file); elsewhere one stat each. */
  async statListed(rels: readonly string[]): Promise<Map<string, { size: number; mtime: number }>> {
    if (this.folder.scheme === 'file') return lstatRegular(this.folder.fsPath, rels);
    const out = new Map<string, { size: number; mtime: number }>();
    for (const rel of rels) {
      const s = await vscode.workspace.fs.stat(this.uri(rel)).then(undefined, () => undefined);
      if (s && (s.type & vscode.FileType.File) !== 0 && (s.type & vscode.FileType.SymbolicLink) === 0) out.set(rel, { size: s.size, mtime: s.mtime });
    }
    return out;
  }

  async stat(rel: string): Promise<{ size: number; mtime: number } | undefined> {
    try {
      const s = await vscode.workspace.fs.stat(this.uri(rel));
      return { size: s.size, mtime: s.mtime };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }
}

function isNotFound(e: unknown): boolean {
  return e instanceof vscode.FileSystemError && (e.code === 'FileNotFound' || e.code === 'EntryNotFound');
}
