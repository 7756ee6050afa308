// One workspace folder in VS Code: the core's CorpusFolder (all of the folder's logic) fed with this folder's file
// system, settings, trust and log, plus what only VS Code has (URIs). Events reach it from workspaceAnnotations.ts.
import * as vscode from 'vscode';
import { CorpusFolder } from '../core/store';
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
  ) {
    super({
      name: folder.name,
      fs: new VscodeWorkspaceFs(folder.uri),
      settings: () => ({ corpus: corpusOptions(folder), maxDocumentBytes: maxDocumentBytes(folder) }),
      log,
      // `this` is complete by the time anything changes: the core fires only from its methods, never while constructing.
      changed: (doc) => fire({ folder: this, doc }),
      isTrusted,
    });
  }

  uri(doc: string): vscode.Uri {
    return this.fs.uri(doc);
  }

  dispose(): void {
    this.clearLive();
  }
}
