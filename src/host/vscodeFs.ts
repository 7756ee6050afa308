// WorkspaceFs over vscode.workspace.fs, so remote and virtual workspaces work like local ones.
import * as vscode from 'vscode';
import { toRelPath } from '../core/paths';
import type { DirEntry, WorkspaceFs } from '../core/ports';

export class VscodeWorkspaceFs implements WorkspaceFs {
  constructor(readonly folder: vscode.Uri) {}

  uri(rel: string): vscode.Uri {
    return rel === '' ? this.folder : vscode.Uri.joinPath(this.folder, ...toRelPath(rel).split('/'));
  }

  async read(rel: string): Promise<Uint8Array | undefined> {
    try {
      return await vscode.workspace.fs.readFile(this.uri(rel));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async writeAtomic(rel: string, data: Uint8Array): Promise<void> {
    const target = this.uri(rel);
    const dir = vscode.Uri.joinPath(target, '..');
    await vscode.workspace.fs.createDirectory(dir);
    // A temporary sibling, then a rename over the target: readers see the old or the new file, never half of one.
    const tmp = vscode.Uri.joinPath(dir, `.${rel.split('/').pop()}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`);
    await vscode.workspace.fs.writeFile(tmp, data);
    try {
      await vscode.workspace.fs.rename(tmp, target, { overwrite: true });
    } catch (e) {
      await vscode.workspace.fs.delete(tmp).then(undefined, () => undefined);
      throw e;
    }
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
        // Symbolic links are followed only when they point at something inside; the type bit tells which kind.
        if (type & vscode.FileType.Directory) out.push({ name, type: 'dir' });
        else if (type & vscode.FileType.File) out.push({ name, type: 'file' });
      }
      return out;
    } catch (e) {
      if (isNotFound(e)) return [];
      throw e;
    }
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
