// The Review view's place in the extension bundle: the view and its commands, registered at activation; what they do
// is src/host/reviewView.ts, a chunk of its own (dist/review.js) required when the view first shows or a review
// command first runs. The chunk gets the core's review functions (dist/research.js, loaded with it) and stores and the
// host's error classes from here.
import * as vscode from 'vscode';
import { plural } from '../core/model';
import { AnnotationStore, DecisionStore, coderLabel, readDocument } from '../core/store';
import { research } from './coreChunks';
import { Disposable } from './lifecycle';
import { Cancelled, UserFacingError } from './commands';
import { COMMANDS, VIEWS } from './commandIds';
import { authorName } from './settings';
import type { Logger } from './log';
import type { WorkspaceAnnotations } from './workspaceAnnotations';
import type * as Chunk from './reviewView';

let chunk: typeof Chunk | undefined;

/** The review chunk, loaded once (esbuild.mjs turns this require into one of dist/review.js). */
function reviewChunk(): typeof Chunk {
  return (chunk ??= require('./reviewView') as typeof Chunk);
}

const windowPrompts: Chunk.ReviewPrompts = { pick: (items, options) => vscode.window.showQuickPick(items, options) };

export class Review extends Disposable implements vscode.TreeDataProvider<Chunk.ReviewNode> {
  private readonly emitter = this._register(new vscode.EventEmitter<Chunk.ReviewNode | undefined>());
  readonly onDidChangeTreeData = this.emitter.event;
  readonly treeView: vscode.TreeView<Chunk.ReviewNode>;
  private impl: Chunk.ReviewView | undefined;

  constructor(
    private readonly workspace: WorkspaceAnnotations,
    private readonly log: Logger,
    /** Replaceable so tests can answer the prompts. */
    public prompts: Chunk.ReviewPrompts = windowPrompts,
  ) {
    super();
    this.treeView = this._register(vscode.window.createTreeView(VIEWS.review, { treeDataProvider: this, showCollapseAll: true }));
    type Node = Chunk.ReviewNode | undefined;
    const c = (id: string, fn: (node: Node) => unknown): void => void this._command(log, id, (node?: Node) => fn(node));
    c(COMMANDS.reviewOpen, (n) => this.view.openAt(n));
    c(COMMANDS.reviewAcceptA, (n) => this.view.acceptCoder(n, 0));
    c(COMMANDS.reviewAcceptB, (n) => this.view.acceptCoder(n, 1));
    c(COMMANDS.reviewAcceptVersion, (n) => this.view.acceptVersion(n));
    c(COMMANDS.reviewBoth, (n) => this.view.both(n));
    c(COMMANDS.reviewMerged, (n) => this.view.merged(n));
    c(COMMANDS.reviewNeither, (n) => this.view.neither(n));
    c(COMMANDS.reviewAcceptAgreed, () => this.view.acceptAllAgreed());
    c(COMMANDS.reviewRefresh, () => this.view.refresh());
  }

  /** The view's workings, loaded at their first use. */
  get view(): Chunk.ReviewView {
    if (!this.impl) {
      const { acceptAgreed, coderLetter, recordDecision, reviewCoders, reviewDocument, ReviewError } = research();
      this.impl = this._register(
        new (reviewChunk().ReviewView)(
          this.workspace,
          this.log,
          this.treeView,
          () => this.emitter.fire(undefined),
          {
            plural,
            coderLabel,
            readDocument,
            AnnotationStore,
            DecisionStore,
            acceptAgreed,
            coderLetter,
            recordDecision,
            reviewCoders,
            reviewDocument,
            ReviewError,
            Cancelled,
            UserFacingError,
            authorName,
            openCommand: COMMANDS.reviewOpen,
          },
          () => this.prompts,
        ),
      );
    }
    return this.impl;
  }

  /** Whether the chunk is loaded (for tests). */
  get loaded(): boolean {
    return this.impl !== undefined;
  }

  // The first call loads the chunk and the disagreements; VS Code waits for them rather than show an empty view.
  getChildren(node?: Chunk.ReviewNode): vscode.ProviderResult<Chunk.ReviewNode[]> {
    if (!this.impl) return this.view.refresh().then(() => this.view.getChildren(node));
    return this.impl.getChildren(node);
  }

  getTreeItem(node: Chunk.ReviewNode): vscode.TreeItem {
    return this.view.getTreeItem(node);
  }

  getParent(node: Chunk.ReviewNode): Chunk.ReviewNode | undefined {
    return this.view.getParent(node);
  }
}
