// Commands on the corpus as a whole (refresh, re-anchor all, restore a deleted document) and what the Corpus view
// says about it (its description, the read-only message, the orphan notice).
import * as vscode from 'vscode';
import { Disposable } from './lifecycle';
import { plural } from '../core/model';
import { coderLabel } from '../core/store';
import type { CorpusNode, CorpusTreeProvider } from './corpusTree';
import type { FolderModel } from './folderModel';
import type { WorkspaceAnnotations } from './workspaceAnnotations';
import { UserFacingError } from './commands';
import type { Logger } from './log';
import { COMMANDS } from './commandIds';

export const READ_ONLY_MESSAGE =
  'Read-only: this workspace is not trusted, so Marginalia shows annotations but does not tag, edit or write files. Trust the folder to annotate.';

export interface CheckSummary {
  changed: number;
  orphaned: number;
  skipped: string[];
}

export class CorpusCommands extends Disposable {
  constructor(
    private readonly workspace: WorkspaceAnnotations,
    private readonly tree: CorpusTreeProvider,
    private readonly treeView: vscode.TreeView<CorpusNode>,
    log: Logger,
  ) {
    super();
    this._registerAll([
      workspace.onDidChange(() => this.describeView()),
      tree.onDidChangeKindFilter(() => this.describeView()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.describeView()),
      workspace.onDidOrphan(({ folder, doc, count }) => this.noticeOrphans(folder, doc, count)),
    ]);
    this._command(log, COMMANDS.refresh, () => this.refresh());
    this._command(log, COMMANDS.checkAnchors, () => this.checkAnchors());
    this._command(log, COMMANDS.restoreDocument, (node?: unknown, doc?: unknown) => this.restore(node, doc));
  }

  /** The Corpus view's description (the kinds a filter shows, else the annotation count) and message. */
  describeView(): void {
    const total = this.workspace.all().reduce((n, f) => n + f.count(), 0);
    const kinds = this.tree.kindFilter;
    const coders = this.tree.coderFilter;
    const shown = [kinds && [...kinds].join(', '), coders && `by ${[...coders].map(coderLabel).join(', ')}`].filter((s) => s).join(' ');
    const blind = this.workspace.all().some((f) => this.workspace.layers.isBlind(f));
    const compare = this.workspace.layers.compare;
    const layer = compare !== undefined ? `yours and ${coderLabel(compare)}'s` : blind ? 'yours only (blind coding)' : '';
    this.treeView.description = shown ? `showing ${shown}${layer ? ` · ${layer}` : ''}` : layer || (total > 0 ? plural(total, 'annotation') : undefined);
    this.treeView.message = vscode.workspace.isTrusted ? undefined : READ_ONLY_MESSAGE;
  }

  async refresh(): Promise<void> {
    await this.workspace.reload();
    this.tree.refresh();
  }

  /** Re-anchors every closed document of every folder (open ones follow their edits already). */
  async checkAnchors(): Promise<CheckSummary> {
    const sum: CheckSummary = { changed: 0, orphaned: 0, skipped: [] };
    for (const folder of this.workspace.all()) {
      const r = await folder.checkClosedDocuments();
      sum.changed += r.changed;
      sum.orphaned += r.orphaned;
      sum.skipped.push(...r.skipped);
    }
    const also = sum.skipped.length > 0 ? ` ${plural(sum.skipped.length, 'document')} could not be checked (see the Marginalia log).` : '';
    void vscode.window.showInformationMessage(
      `Marginalia re-anchored the corpus: ${plural(sum.changed, 'annotation')} updated, ${sum.orphaned} orphaned.${also}`,
    );
    return sum;
  }

  /** Restores a deleted document, given its Corpus view node or a folder uri and the document path. */
  async restore(node?: unknown, doc?: unknown): Promise<string> {
    const n = node as { type?: string; folder?: FolderModel; doc?: { doc: string } } | string | undefined;
    const target =
      typeof n === 'string' && typeof doc === 'string'
        ? { folder: this.workspace.all().find((f) => f.folder.uri.toString() === n), doc }
        : n && typeof n === 'object' && n.type === 'doc'
          ? { folder: n.folder, doc: n.doc?.doc }
          : undefined;
    if (!target?.folder || !target.doc) throw new UserFacingError('Pick a missing document in the Corpus view to restore.');
    await target.folder.restoreDocument(target.doc);
    void vscode.window.showInformationMessage(`Restored ${target.doc} from the version its annotations were made on.`);
    return target.doc;
  }

  private noticeOrphans(folder: FolderModel, doc: string, count: number): void {
    const what =
      count === 1
        ? '1 of its annotations could not be found again. It is kept as an orphan.'
        : `${count} of its annotations could not be found again. They are kept as orphans.`;
    void vscode.window.showWarningMessage(`${doc} changed on disk and ${what}`, 'Show').then((c) => {
      if (!c) return;
      const node = this.tree.findDocument(folder, doc);
      if (node) void this.treeView.reveal(node, { expand: 2, select: true });
    });
  }
}
