// The Review view: the passages where the coders of a folder differ, by document, each with every coder's version.
// Opening one shows the passage with each coder's version marked in the editor (A, B, …); the reviewer settles it by
// accepting one coder's version, every version, one merged annotation or none (inline buttons, the context menu, or
// Ctrl+Alt+M then A, B, O, M or N while the view has focus). The decisions and what they keep are the core's
// (research/adjudication.ts, as `marginalia review` uses them): the kept annotations go to the reviewed layer
// (.marginalia/reviewed), the decision with its reviewer (marginalia.author) and time to .marginalia/decisions, both
// written atomically by the store; passages the coders agree on are accepted with the first decision of a document.
// This file is a chunk of its own (dist/review.js), required when the view first shows or a review command first runs
// (src/host/review.ts, which owns the view and the commands). It imports only types from the core and the host's
// error classes: what it runs of them comes in as parameters (ReviewDeps), so nothing is bundled twice.
import * as vscode from 'vscode';
import type { Annotation, plural } from '../core/model';
import type { AnnotationStore, DecisionStore, Decision, coderLabel, readDocument } from '../core/store';
import type {
  DocumentReview,
  ReviewChoice,
  ReviewPassage,
  ReviewStores,
  ReviewError,
  acceptAgreed,
  coderLetter,
  recordDecision,
  reviewCoders,
  reviewDocument,
} from '../core/research';
import type { Cancelled, UserFacingError } from './commands';
import type { authorName } from './settings';
import type { FolderModel } from './folderModel';
import type { Logger } from './log';
import type { WorkspaceAnnotations } from './workspaceAnnotations';

/** What the view runs of the extension bundle: the core's review functions and stores, and the host's errors. */
export interface ReviewDeps {
  plural: typeof plural;
  coderLabel: typeof coderLabel;
  readDocument: typeof readDocument;
  AnnotationStore: typeof AnnotationStore;
  DecisionStore: typeof DecisionStore;
  acceptAgreed: typeof acceptAgreed;
  coderLetter: typeof coderLetter;
  recordDecision: typeof recordDecision;
  reviewCoders: typeof reviewCoders;
  reviewDocument: typeof reviewDocument;
  ReviewError: typeof ReviewError;
  Cancelled: typeof Cancelled;
  UserFacingError: typeof UserFacingError;
  authorName: typeof authorName;
  /** The id of the command that shows a passage (an item's click). */
  openCommand: string;
}

export type ReviewNode =
  | { type: 'doc'; folder: FolderModel; review: DocumentReview; coders: string[] }
  | { type: 'passage'; folder: FolderModel; review: DocumentReview; coders: string[]; passage: ReviewPassage }
  | { type: 'version'; folder: FolderModel; review: DocumentReview; coders: string[]; passage: ReviewPassage; coder: string };

/** One folder's review, as last loaded. */
interface FolderReview {
  folder: FolderModel;
  coders: string[];
  reviews: DocumentReview[];
  /** Why there is nothing to review (fewer than two coders), or a decision file that did not load. */
  problem?: string;
}

/** What the reviewer is asked: VS Code's quick pick, or a test's answers. */
export interface ReviewPrompts {
  pick<T extends vscode.QuickPickItem>(items: T[], options: vscode.QuickPickOptions): Thenable<T | undefined>;
}

/** The colours of the coders' versions in the editor, by coder index (repeating after the last). */
const VERSION_COLOURS = ['charts.blue', 'charts.orange', 'charts.green', 'charts.purple', 'charts.red', 'charts.yellow'];

export class ReviewView implements vscode.Disposable {
  private loaded: FolderReview[] = [];
  private loading: Promise<void> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly stores = new WeakMap<FolderModel, ReviewStores>();
  private readonly versionTypes: vscode.TextEditorDecorationType[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  /** The ranges of each coder's version last marked in the editor, by coder letter (for tests). */
  shown = new Map<string, vscode.Range[]>();
  private marked: vscode.TextEditor | undefined;

  constructor(
    private readonly workspace: WorkspaceAnnotations,
    private readonly log: Logger,
    /** The view (src/host/review.ts owns it and its commands). */
    readonly treeView: vscode.TreeView<ReviewNode>,
    /** Tells the view its data changed. */
    private readonly fire: () => void,
    private readonly deps: ReviewDeps,
    /** The prompts in use (replaceable by tests). */
    private readonly prompts: () => ReviewPrompts,
  ) {
    // Annotations changed, or decisions made elsewhere (the CLI, another window, a git pull): the list follows.
    const decisions = vscode.workspace.createFileSystemWatcher('**/.marginalia/decisions/**/*.yaml');
    this.disposables.push(
      decisions,
      workspace.onDidChange(() => this.refreshSoon()),
      decisions.onDidCreate(() => this.refreshSoon()),
      decisions.onDidChange(() => this.refreshSoon()),
      decisions.onDidDelete(() => this.refreshSoon()),
      treeView.onDidChangeVisibility((e) => e.visible && this.refreshSoon()),
    );
  }

  private refreshSoon(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh().catch((e: Error) => this.log.error(e)), 150);
  }

  /** Loads every folder's disagreements and decisions again and redraws the view. */
  refresh(): Promise<void> {
    const run = (this.loading ?? Promise.resolve()).then(() => this.load());
    this.loading = run.catch(() => undefined);
    return run;
  }

  private async load(): Promise<void> {
    await this.workspace.ready;
    const out: FolderReview[] = [];
    for (const folder of this.workspace.all()) out.push(await this.loadFolder(folder));
    this.loaded = out;
    const open = this.openCount();
    const problems = out.flatMap((f) => (f.problem ? [f.problem] : []));
    const total = out.reduce((n, f) => n + f.reviews.reduce((m, r) => m + r.disagreements.length, 0), 0);
    this.treeView.message =
      problems.length > 0
        ? problems.join(' ')
        : total > 0 && open === 0
          ? `All ${this.deps.plural(total, 'disagreement')} decided; the reviewed set is in .marginalia/reviewed.`
          : undefined;
    this.treeView.badge = open > 0 ? { value: open, tooltip: `${this.deps.plural(open, 'disagreement')} to review` } : undefined;
    this.fire();
  }

  private async loadFolder(folder: FolderModel): Promise<FolderReview> {
    const all = folder.allAnnotations();
    let coders: string[];
    try {
      coders = this.deps.reviewCoders(all);
    } catch (e) {
      if (e instanceof this.deps.ReviewError) return { folder, coders: [], reviews: [] };
      throw e;
    }
    const { docs, errors } = await this.storesOf(folder).decisions.loadAll();
    const reviews = [...all].map(([doc, annotations]) => this.deps.reviewDocument(doc, annotations, coders, docs.get(doc) ?? []));
    const problem = errors.length > 0 ? errors.map((e) => `${e.message} (its decisions are left out until it is fixed)`).join(' ') : undefined;
    return { folder, coders, reviews, problem };
  }

  private storesOf(folder: FolderModel): ReviewStores {
    let s = this.stores.get(folder);
    if (!s)
      this.stores.set(
        folder,
        (s = { reviewed: new this.deps.AnnotationStore(folder.fs, { layer: 'reviewed' }), decisions: new this.deps.DecisionStore(folder.fs) }),
      );
    return s;
  }

  /** The disagreements not yet decided, in every folder. */
  openCount(): number {
    return this.loaded.reduce((n, f) => n + f.reviews.reduce((m, r) => m + r.disagreements.filter((p) => !p.decision).length, 0), 0);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The tree

  getChildren(node?: ReviewNode): ReviewNode[] {
    if (!node) {
      return this.loaded.flatMap((f) =>
        f.reviews
          .filter((r) => r.disagreements.some((p) => !p.decision))
          .map((review): ReviewNode => ({ type: 'doc', folder: f.folder, review, coders: f.coders })),
      );
    }
    if (node.type === 'doc') return node.review.disagreements.filter((p) => !p.decision).map((passage): ReviewNode => ({ ...node, type: 'passage', passage }));
    if (node.type === 'passage') return node.coders.map((coder): ReviewNode => ({ ...node, type: 'version', coder }));
    return [];
  }

  getParent(node: ReviewNode): ReviewNode | undefined {
    if (node.type === 'doc') return undefined;
    if (node.type === 'passage') return { type: 'doc', folder: node.folder, review: node.review, coders: node.coders };
    return { type: 'passage', folder: node.folder, review: node.review, coders: node.coders, passage: node.passage };
  }

  getTreeItem(node: ReviewNode): vscode.TreeItem {
    const several = this.loaded.length > 1;
    if (node.type === 'doc') {
      const open = node.review.disagreements.filter((p) => !p.decision).length;
      const item = new vscode.TreeItem(node.review.doc, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `review:${node.folder.folder.uri.toString()}:${node.review.doc}`;
      item.description = `${this.deps.plural(open, 'disagreement')}${several ? ` · ${node.folder.name}` : ''}`;
      item.resourceUri = node.folder.uri(node.review.doc);
      item.iconPath = vscode.ThemeIcon.File;
      item.contextValue = 'reviewDocument';
      return item;
    }
    const p = node.passage;
    if (node.type === 'passage') {
      const item = new vscode.TreeItem(`${p.kind} · ${TYPE_LABELS[p.type as keyof typeof TYPE_LABELS] ?? p.type}`, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `review:${node.folder.folder.uri.toString()}:${p.id}`;
      item.description = `“${short(passageQuote(p))}” ${p.start}–${p.end}`;
      item.tooltip = this.tooltip(node);
      item.iconPath = new vscode.ThemeIcon('diff');
      item.contextValue = node.coders.length === 2 ? 'reviewPassage.two' : 'reviewPassage';
      item.command = { command: this.deps.openCommand, title: 'Show Passage', arguments: [node] };
      return item;
    }
    const index = node.coders.indexOf(node.coder);
    const list = p.coders[node.coder] ?? [];
    const item = new vscode.TreeItem(`${this.deps.coderLetter(index)}  ${this.deps.coderLabel(node.coder)}`, vscode.TreeItemCollapsibleState.None);
    item.id = `review:${node.folder.folder.uri.toString()}:${p.id}:${index}`;
    item.description = list.length === 0 ? '(tagged nothing here)' : list.map(describeVersion).join('; ');
    item.tooltip =
      list.length === 0
        ? `${this.deps.coderLabel(node.coder)} tagged nothing here`
        : list.map((a) => `${describeVersion(a)}\n${a.target.quote.exact}`).join('\n\n');
    item.iconPath = new vscode.ThemeIcon('account', new vscode.ThemeColor(VERSION_COLOURS[index % VERSION_COLOURS.length]));
    item.contextValue = list.length === 0 ? 'reviewVersion.empty' : 'reviewVersion';
    item.command = { command: this.deps.openCommand, title: 'Show Passage', arguments: [node] };
    return item;
  }

  private tooltip(node: Extract<ReviewNode, { type: 'passage' }>): vscode.MarkdownString {
    const md = new vscode.MarkdownString();
    const p = node.passage;
    md.appendMarkdown(`**${p.kind}**, ${TYPE_LABELS[p.type as keyof typeof TYPE_LABELS] ?? p.type} (${p.start}–${p.end})\n\n`);
    node.coders.forEach((c, i) => {
      const list = p.coders[c] ?? [];
      md.appendMarkdown(`- ${this.deps.coderLetter(i)} ${this.deps.coderLabel(c)}: `);
      md.appendText(list.length === 0 ? 'nothing' : list.map(describeVersion).join('; '));
      md.appendMarkdown('\n');
    });
    md.appendMarkdown('\nKeys (Ctrl+Alt+M, then): **A** / **B** accept that coder’s version, **O** both, **M** merged, **N** neither.');
    return md;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Showing a passage

  /** The node a command acts on: the one given (inline button, menu), else the view's selection (a key). */
  private target(node: ReviewNode | undefined): ReviewNode {
    const n = node ?? this.treeView.selection[0];
    if (!n) throw new this.deps.UserFacingError('Select a disagreement in the Review view first.');
    return n;
  }

  /** Opens the passage's document with the passage selected and each coder's version marked (A, B, …). */
  async open(node: ReviewNode): Promise<vscode.TextEditor | undefined> {
    if (node.type === 'doc') {
      const editor = await vscode.window.showTextDocument(node.folder.uri(node.review.doc), { preview: true, preserveFocus: true });
      return editor;
    }
    const p = node.passage;
    const document = await vscode.workspace.openTextDocument(node.folder.uri(p.doc));
    const focus = node.type === 'version' ? (p.coders[node.coder]?.[0]?.target ?? p) : p;
    const range = new vscode.Range(document.positionAt(focus.start), document.positionAt(focus.end));
    // The view keeps the focus, so the keys go on working from one disagreement to the next.
    const editor = await vscode.window.showTextDocument(document, {
      selection: new vscode.Selection(range.start, range.end),
      preserveFocus: true,
      preview: true,
    });
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    this.markVersions(editor, node);
    return editor;
  }

  private markVersions(editor: vscode.TextEditor, node: Extract<ReviewNode, { type: 'passage' | 'version' }>): void {
    this.clearMarks();
    const document = editor.document;
    this.shown = new Map();
    node.coders.forEach((c, i) => {
      const type = this.versionType(i);
      const options: vscode.DecorationOptions[] = (node.passage.coders[c] ?? []).map((a) => ({
        range: new vscode.Range(document.positionAt(a.target.start), document.positionAt(a.target.end)),
        hoverMessage: `${this.deps.coderLetter(i)} ${this.deps.coderLabel(c)}: ${describeVersion(a)}`,
        renderOptions: { after: { contentText: ` ${this.deps.coderLetter(i)}: ${a.kind}` } },
      }));
      editor.setDecorations(type, options);
      this.shown.set(
        this.deps.coderLetter(i),
        options.map((o) => o.range),
      );
    });
    this.marked = editor;
  }

  private clearMarks(): void {
    if (this.marked) for (const t of this.versionTypes) this.marked.setDecorations(t, []);
    this.marked = undefined;
    this.shown = new Map();
  }

  private versionType(index: number): vscode.TextEditorDecorationType {
    while (this.versionTypes.length <= index) {
      const i = this.versionTypes.length;
      const colour = new vscode.ThemeColor(VERSION_COLOURS[i % VERSION_COLOURS.length]);
      // A's version boxed in solid lines, B's dashed, …: two versions of one passage stay apart where they overlap.
      const styles = ['solid', 'dashed', 'dotted', 'double'];
      this.versionTypes.push(
        vscode.window.createTextEditorDecorationType({
          borderStyle: styles[i % styles.length],
          borderWidth: '1px',
          borderColor: colour,
          after: { color: colour, fontStyle: 'italic', margin: '0 0 0 0.3em' },
          overviewRulerColor: colour,
          overviewRulerLane: vscode.OverviewRulerLane.Center,
        }),
      );
    }
    return this.versionTypes[index];
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Deciding

  /** Shows a passage (the one given, else the one selected). */
  openAt(node?: ReviewNode): Promise<vscode.TextEditor | undefined> {
    return this.open(this.target(node));
  }

  /** Accepts the version of the index-th coder (A = 0). */
  acceptCoder(node: ReviewNode | undefined, index: number): Promise<Decision> {
    return this.decideAt(node, (_, n) => ({ decision: 'accept', coder: this.coderAt(n, index) }));
  }

  both(node?: ReviewNode): Promise<Decision> {
    return this.decideAt(node, () => ({ decision: 'both' }));
  }

  merged(node?: ReviewNode): Promise<Decision> {
    return this.decideAt(node, (p) => this.mergedChoice(p));
  }

  neither(node?: ReviewNode): Promise<Decision> {
    return this.decideAt(node, () => ({ decision: 'neither' }));
  }

  private coderAt(node: ReviewNode, index: number): string {
    if (index >= node.coders.length) throw new this.deps.UserFacingError(`There is no coder ${this.deps.coderLetter(index)} in this review.`);
    return node.coders[index];
  }

  /** Accepts the version of the coder of a version item, or asks whose for a passage. */
  async acceptVersion(node: ReviewNode | undefined): Promise<Decision> {
    const n = this.target(node);
    if (n.type === 'version') {
      if ((n.passage.coders[n.coder] ?? []).length === 0)
        throw new this.deps.UserFacingError(`${this.deps.coderLabel(n.coder)} tagged nothing here; to keep nothing, choose “Accept Neither”.`);
      return this.decide(n, { decision: 'accept', coder: n.coder });
    }
    if (n.type !== 'passage') throw new this.deps.UserFacingError('Select a disagreement in the Review view first.');
    const pick = await this.prompts().pick(
      n.coders.map((c, i) => ({
        label: `${this.deps.coderLetter(i)}  ${this.deps.coderLabel(c)}`,
        description: (n.passage.coders[c] ?? []).map(describeVersion).join('; ') || '(nothing)',
        coder: c,
      })),
      { placeHolder: 'Accept whose version?' },
    );
    if (!pick) throw new this.deps.Cancelled();
    return this.decide(n, { decision: 'accept', coder: pick.coder });
  }

  private async mergedChoice(p: ReviewPassage): Promise<ReviewChoice> {
    if (p.kinds.length <= 1) return { decision: 'merged' };
    const pick = await this.prompts().pick(
      p.kinds.map((k) => ({ label: k })),
      { placeHolder: `The coders chose different kinds here: which kind has the merged annotation over ${p.start}–${p.end}?` },
    );
    if (!pick) throw new this.deps.Cancelled();
    return { decision: 'merged', kind: pick.label };
  }

  private async decideAt(node: ReviewNode | undefined, choose: (p: ReviewPassage, n: ReviewNode) => ReviewChoice | Promise<ReviewChoice>): Promise<Decision> {
    const n = this.target(node);
    if (n.type === 'doc') throw new this.deps.UserFacingError('Select one disagreement (not the document) to decide.');
    return this.decide(n, await choose(n.passage, n));
  }

  /** Records one decision through the core (reviewed layer, then decision file) and moves on to the next passage. */
  async decide(node: Extract<ReviewNode, { type: 'passage' | 'version' }>, choice: ReviewChoice): Promise<Decision> {
    const { folder, passage } = node;
    folder.assertWritable();
    const before = this.getChildren({ type: 'doc', folder, review: node.review, coders: node.coders });
    const at = before.findIndex((n) => n.type === 'passage' && n.passage.id === passage.id);
    // The review as it stands now (annotations may have changed since the view was drawn).
    const decisions = await this.storesOf(folder).decisions.load(passage.doc);
    const review = this.deps.reviewDocument(passage.doc, folder.annotations(passage.doc), node.coders, decisions);
    let text: string | undefined;
    if (choice.decision === 'merged') text = folder.liveDocument(passage.doc)?.text ?? (await this.deps.readDocument(folder.fs, passage.doc));
    const decision = await this.deps.recordDecision(this.storesOf(folder), review, passage.id, choice, {
      reviewer: this.deps.authorName(),
      now: new Date(),
      text,
    });
    this.log.info(`${passage.doc} ${passage.start}-${passage.end} (${passage.id}): ${decision.decision}${decision.accepted ? ` ${decision.accepted}` : ''}`);
    this.clearMarks();
    await this.refresh();
    await this.selectNext(node, at);
    return decision;
  }

  /** Selects the disagreement that took the decided one's place (or the document's last, or the next document's first). */
  private async selectNext(node: ReviewNode, at: number): Promise<void> {
    if (!this.treeView.visible) return;
    const docs = this.getChildren();
    const doc = docs.find((d) => d.folder === node.folder && d.review.doc === node.review.doc) ?? docs[0];
    if (!doc) return;
    const passages = this.getChildren(doc);
    const next = passages[Math.min(Math.max(at, 0), passages.length - 1)];
    if (next) await this.treeView.reveal(next, { select: true, focus: true });
  }

  /** Accepts every passage the coders agree on that is not accepted yet, in every folder. */
  async acceptAllAgreed(): Promise<{ passages: number; documents: number }> {
    await this.refresh();
    let passages = 0;
    let documents = 0;
    for (const f of this.loaded) {
      if (f.coders.length < 2) continue;
      f.folder.assertWritable();
      const r = await this.deps.acceptAgreed(this.storesOf(f.folder), f.reviews, { reviewer: this.deps.authorName(), now: new Date() });
      passages += r.passages;
      documents += r.documents;
    }
    await this.refresh();
    void vscode.window.showInformationMessage(
      passages === 0
        ? 'Every passage the coders agree on was accepted already.'
        : `Accepted ${this.deps.plural(passages, 'passage')} the coders agree on, in ${this.deps.plural(documents, 'document')}, into the reviewed set.`,
    );
    return { passages, documents };
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables.splice(0)) d.dispose();
    for (const t of this.versionTypes.splice(0)) t.dispose();
  }
}

const TYPE_LABELS = {
  'only-one': 'tagged by one coder',
  kind: 'different kinds',
  boundary: 'different boundaries',
  attribute: 'different attributes',
} as const;

function describeVersion(a: Annotation): string {
  const attrs = Object.entries(a.attributes).map(([k, v]) => `${k}=${String(v)}`);
  return `${a.kind} ${a.target.start}–${a.target.end}${attrs.length > 0 ? ` {${attrs.join(', ')}}` : ''}`;
}

/** The text of a passage, from its longest version. */
function passageQuote(p: ReviewPassage): string {
  let best = '';
  for (const list of Object.values(p.coders)) for (const a of list) if (a.target.quote.exact.length > best.length) best = a.target.quote.exact;
  return best;
}

function short(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > 50 ? one.slice(0, 49) + '…' : one;
}
