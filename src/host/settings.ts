// Reading Marginalia's settings (declared in package.json `contributes.configuration`).
import * as vscode from 'vscode';
import * as os from 'node:os';
import type { CorpusOptions } from '../core/store';
import { DEFAULT_INCLUDE } from '../core/store';

export function corpusOptions(folder: vscode.WorkspaceFolder): CorpusOptions {
  const c = vscode.workspace.getConfiguration('marginalia.corpus', folder.uri);
  return { include: c.get<string[]>('include', [...DEFAULT_INCLUDE]), exclude: c.get<string[]>('exclude', []) };
}

/** The author recorded on new annotations: the setting, else the operating-system user. */
export function authorName(): string {
  const configured = vscode.workspace.getConfiguration('marginalia').get<string>('author', '').trim();
  if (configured) return configured;
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}

export function highlightsEnabled(): boolean {
  return vscode.workspace.getConfiguration('marginalia').get<boolean>('highlights.enabled', true);
}

/** marginalia.maxDocumentSize (megabytes) in bytes: larger documents are listed but never read or annotated. */
export function maxDocumentBytes(folder: vscode.WorkspaceFolder): number {
  const mb = vscode.workspace.getConfiguration('marginalia', folder.uri).get<number>('maxDocumentSize', 20);
  return Math.max(1, Number.isFinite(mb) ? mb : 20) * 1024 * 1024;
}
