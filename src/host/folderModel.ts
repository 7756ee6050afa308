// One workspace folder in VS Code: the core's CorpusFolder (all of the folder's logic) fed with this folder's file
// system, settings, trust and log, plus what only VS Code has (URIs). Events reach it from workspaceAnnotations.ts.
import * as vscode from 'vscode';
import { createHash } from 'node:crypto';
import { CorpusFolder, type SummaryCachePort } from '../core/store';
import { VscodeWorkspaceFs } from './vscodeFs';
import { corpusOptions, maxDocumentBytes } from './settings';
import type { Logger } from './log';

export { FolderError, ReadOnlyError } from '../core/store';

export interface FolderChange {
  /** Undefined when a folder was removed from the workspace. */
  folder?: FolderModel;
  /** The document whose annotations changed; undefined when the whole folder changed (reload, corpus). */
  doc?: string;
}

export class FolderModel extends CorpusFolder implements vscode.Disposable {
  declare readonly fs: VscodeWorkspaceFs;

  constructor(
    readonly folder: vscode.WorkspaceFolder,
    log: Logger,
    fire: (change: FolderChange) => void,
    isTrusted: () => boolean,
    storage?: vscode.Uri,
  ) {
    super({
      name: folder.name,
      fs: new VscodeWorkspaceFs(folder.uri),
      settings: () => ({ corpus: corpusOptions(folder), maxDocumentBytes: maxDocumentBytes(folder) }),
      log,
      // `this` is complete by the time anything changes: the core fires only from its methods, never while constructing.
      changed: (doc) => fire({ folder: this, doc }),
      isTrusted,
      summaryCache: storage && summaryCacheIn(storage, folder.uri),
    });
  }

  uri(doc: string): vscode.Uri {
    return this.fs.uri(doc);
  }

  override dispose(): void {
    super.dispose();
    this.clearLive();
  }
}

/** The summary cache of one workspace folder, a file in the extension's workspace storage named after the folder.
 *  Written to a temporary file and renamed over the old one, so a reader sees one whole version or the other. */
function summaryCacheIn(storage: vscode.Uri, folder: vscode.Uri): SummaryCachePort {
  const name = `corpus-summary-${createHash('sha256').update(folder.toString()).digest('hex').slice(0, 16)}.json`;
  const file = vscode.Uri.joinPath(storage, name);
  const temp = vscode.Uri.joinPath(storage, `.${name}.tmp`);
  return {
    read: async () => {
      try {
        return new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
      } catch {
        return undefined;
      }
    },
    write: async (text) => {
      await vscode.workspace.fs.createDirectory(storage);
      await vscode.workspace.fs.writeFile(temp, new TextEncoder().encode(text));
      await vscode.workspace.fs.rename(temp, file, { overwrite: true });
    },
  };
}
