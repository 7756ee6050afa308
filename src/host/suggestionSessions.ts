// The workings of Suggestions (src/host/suggestions.ts): the candidates found in a document, drawn, followed through
// edits, offered in hovers and reviews, and accepted or rejected. This file is a chunk of its own (dist/suggestions.js),
// required at the first Suggest; it imports only types from the core and the host: what it runs of them (finding the
// suggestions, the edit tracker, making an annotation, the error a person sees, the command ids) comes in as
// parameters (SuggestionDeps), so nothing is bundled twice.
import * as vscode from 'vscode';
import type { Suggestion, groupSuggestions, suggest } from '../core/research';
import type { EditTracker } from '../core/anchoring';
import type { createAnnotation, plural } from '../core/model';
import type { WorkspaceAnnotations, Located } from './workspaceAnnotations';
import type { UserFacingError } from './commands';
import type { COMMANDS, CONTEXT } from './commandIds';
import type { authorName } from './settings';
import type { Logger } from './log';

/** What the workings run of the extension bundle and of dist/research.js. */
export interface SuggestionDeps {
  suggest: typeof suggest;
  groupSuggestions: typeof groupSuggestions;
  EditTracker: typeof EditTracker;
  createAnnotation: typeof createAnnotation;
  plural: typeof plural;
  UserFacingError: typeof UserFacingError;
  authorName: typeof authorName;
  commands: typeof COMMANDS;
  context: typeof CONTEXT;
}

/** One candidate: the mentions of one name or figure in the document, by their ids in the edit tracker. */
interface Candidate {
  id: string;
  mentions: Map<string, Suggestion>;
}

interface Session {
  at: Located;
  candidates: Map<string, Candidate>;
  tracker: EditTracker;
}

/** A candidate as offered now: its first mention still in the text, and every mention. */
export interface Offer {
  id: string;
  suggestion: Suggestion;
  mentions: Suggestion[];
}

/** Which mentions of a candidate to accept: the one offered, or all of them. */
export type AcceptScope = 'one' | 'all';

/** The suggestions of every document where Suggest ran (src/host/suggestions.ts owns the commands, listeners and hover
 *  provider, and hands them to this object once it is loaded). */
export class SuggestionSessions implements vscode.Disposable {
  private readonly sessions = new Map<string, Session>();
  private readonly decoration = vscode.window.createTextEditorDecorationType({
    borderStyle: 'dotted',
    borderWidth: '0 0 1px 0',
    borderColor: new vscode.ThemeColor('editorInfo.foreground'),
    overviewRulerColor: new vscode.ThemeColor('editorInfo.foreground'),
    overviewRulerLane: vscode.OverviewRulerLane.Left,
  });
  private counter = 0;
  private readonly context = new Map<string, boolean>();

  constructor(
    private readonly workspace: WorkspaceAnnotations,
    private readonly log: Logger,
    private readonly deps: SuggestionDeps,
    /** Called when a review's question about a candidate is on screen. */
    private readonly asked: (offer: Offer) => void,
  ) {}

  dispose(): void {
    this.decoration.dispose();
  }

  /** A closed document's suggestions are forgotten. */
  close(document: vscode.TextDocument): void {
    this.sessions.delete(document.uri.toString());
    this.updateContext();
  }

  /** Computes the suggestions for the active document and shows them; returns the candidates offered (for tests). */
  async run(): Promise<Suggestion[]> {
    const editor = vscode.window.activeTextEditor;
    const at = editor && this.workspace.locate(editor.document.uri);
    if (!editor || !at) throw new this.deps.UserFacingError('Open a corpus document to get suggestions for it.');
    const text = editor.document.getText();
    const { suggest, groupSuggestions, EditTracker } = this.deps;
    const found = suggest(text, { register: at.folder.entities, existing: at.folder.annotations(at.doc).filter((a) => a.anchor.status !== 'orphaned') });
    const candidates = new Map<string, Candidate>();
    const spans: { id: string; start: number; end: number }[] = [];
    for (const group of groupSuggestions(found)) {
      const id = `s${++this.counter}`;
      const mentions = new Map<string, Suggestion>();
      group.mentions.forEach((s, k) => {
        mentions.set(`${id}.${k}`, s);
        spans.push({ id: `${id}.${k}`, start: s.start, end: s.end });
      });
      candidates.set(id, { id, mentions });
    }
    const uri = editor.document.uri;
    this.sessions.set(uri.toString(), { at, candidates, tracker: new EditTracker(spans) });
    this.drawAll();
    this.updateContext();
    const offered = this.pending(uri);
    this.log.info(`${this.deps.plural(offered.length, 'suggestion')} (${this.deps.plural(found.length, 'mention')}) in ${at.doc}`);
    if (offered.length === 0) void vscode.window.showInformationMessage(`No new figures or entities to suggest in ${at.doc}.`);
    else {
      const more = found.length > offered.length ? ` (${this.deps.plural(found.length, 'mention')})` : '';
      // The first button is the primary one: reviewing, never accepting unseen suggestions wholesale.
      const message = `${this.deps.plural(offered.length, 'suggestion')}${more} in ${at.doc}, underlined with dots: review them one by one, or hover one to accept or reject it.`;
      void vscode.window.showInformationMessage(message, 'Review', 'Dismiss All').then((c) => {
        if (c === 'Review') void vscode.commands.executeCommand(this.deps.commands.reviewSuggestions, uri.toString());
        if (c === 'Dismiss All') void vscode.commands.executeCommand(this.deps.commands.clearSuggestions);
      });
    }
    return offered.map((o) => o.suggestion);
  }

  /** The candidates still offered in a document, in document order, with their current positions. */
  pending(uri: vscode.Uri): Offer[] {
    const s = this.sessions.get(uri.toString());
    return s ? this.offers(s) : [];
  }

  /**
   * Accepts candidates: the one given (from its hover or a review), those under the cursor (from the palette), or
   * all (Accept All). `scope` 'all' also tags the candidate's other mentions; Accept All always does.
   */
  async accept(uri?: string, id?: string, scope: AcceptScope = 'one'): Promise<number> {
    const { key, session, ids } = this.pick(uri, id);
    // Accept All (a document without an id) takes every mention of every candidate.
    const all = scope === 'all' || (uri !== undefined && id === undefined);
    const text = this.liveText(key, session);
    const folder = session.at.folder;
    const now = new Date();
    const author = this.deps.authorName();
    const created = [];
    for (const cid of ids) {
      const offer = this.offer(session, cid);
      if (!offer) continue;
      for (const s of all ? offer.mentions : [offer.suggestion]) {
        const kind = folder.kind(s.kind);
        if (!kind) throw new this.deps.UserFacingError(`The codebook has no kind "${s.kind}" to accept this suggestion as.`);
        const attributes = Object.fromEntries(
          Object.entries(s.attributes).filter(([k, v]) => v !== undefined && kind.attributes.some((f) => f.name === k)),
        ) as Record<string, string | number>;
        created.push(
          this.deps.createAnnotation(text, { doc: session.at.doc, kind: kind.name, start: s.start, end: s.end, author, note: '', attributes }, kind, now),
        );
      }
    }
    if (created.length > 0) await folder.add(session.at.doc, created, text);
    for (const cid of ids) this.drop(session, cid);
    this.settle(key, id !== undefined);
    return created.length;
  }

  reject(uri?: string, id?: string): number {
    const { key, session, ids } = this.pick(uri, id);
    for (const cid of ids) this.drop(session, cid);
    this.settle(key, id !== undefined);
    return ids.length;
  }

  /**
   * Walks through the candidates of a document in order: each is selected in the editor and offered to accept (this
   * mention or all of them), reject or skip. Escape stops the review and leaves the rest offered.
   */
  async review(uri?: string): Promise<{ accepted: number; rejected: number; skipped: number }> {
    const key = uri ?? vscode.window.activeTextEditor?.document.uri.toString();
    const session = key ? this.sessions.get(key) : undefined;
    if (!key || !session || session.candidates.size === 0)
      throw new this.deps.UserFacingError('There are no suggestions to review here: run Marginalia: Suggest Figures and Entities first.');
    const editor = await vscode.window.showTextDocument(vscode.Uri.parse(key), { preview: false });
    const result = { accepted: 0, rejected: 0, skipped: 0 };
    const order = this.offers(session).map((o) => o.id);
    for (let i = 0; i < order.length; i++) {
      const offer = this.offer(session, order[i]);
      if (!offer) continue;
      const s = offer.suggestion;
      const range = new vscode.Range(editor.document.positionAt(s.start), editor.document.positionAt(s.end));
      editor.selection = new vscode.Selection(range.start, range.end);
      editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      const choice = await this.ask(offer, i + 1, order.length);
      if (choice === undefined) break;
      if (choice === 'skip') result.skipped++;
      else if (choice === 'reject') {
        this.reject(key, offer.id);
        result.rejected++;
      } else {
        await this.accept(key, offer.id, choice === 'accept-all' ? 'all' : 'one');
        result.accepted++;
      }
    }
    // The last candidate stays selected: collapse the selection so the new highlight shows.
    editor.selection = new vscode.Selection(editor.selection.end, editor.selection.end);
    this.log.info(`review: ${result.accepted} accepted, ${result.rejected} rejected, ${result.skipped} skipped`);
    return result;
  }

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const session = this.sessions.get(document.uri.toString());
    if (!session) return undefined;
    const offset = document.offsetAt(position);
    const parts: vscode.MarkdownString[] = [];
    for (const o of this.offers(session)) {
      const s = o.suggestion;
      if (offset < s.start || offset > s.end) continue;
      const md = new vscode.MarkdownString('', true);
      md.isTrusted = { enabledCommands: [this.deps.commands.acceptSuggestion, this.deps.commands.rejectSuggestion] };
      const args = (...a: string[]): string => encodeURIComponent(JSON.stringify([document.uri.toString(), o.id, ...a]));
      const others = o.mentions.length - 1;
      md.appendMarkdown(`$(lightbulb) **Suggested ${describe(s)}**  \n${s.reason} · confidence ${Math.round(s.confidence * 100)} %`);
      if (others > 0) md.appendMarkdown(` · ${this.deps.plural(others, 'more mention')} in this document`);
      md.appendMarkdown(`\n\n[$(check) Accept](command:${this.deps.commands.acceptSuggestion}?${args()})`);
      if (others > 0)
        md.appendMarkdown(` · [$(check-all) Accept all ${o.mentions.length} mentions](command:${this.deps.commands.acceptSuggestion}?${args('all')})`);
      md.appendMarkdown(` · [$(close) Reject](command:${this.deps.commands.rejectSuggestion}?${args()})`);
      parts.push(md);
    }
    return parts.length > 0 ? new vscode.Hover(parts) : undefined;
  }

  private async ask(offer: Offer, n: number, of: number): Promise<ReviewChoice | undefined> {
    const others = offer.mentions.length - 1;
    type Item = vscode.QuickPickItem & { choice: ReviewChoice };
    const items: Item[] = [{ label: '$(check) Accept', description: others > 0 ? 'tag this mention' : undefined, choice: 'accept' }];
    if (others > 0)
      items.push({
        label: `$(check-all) Accept all ${offer.mentions.length} mentions`,
        description: 'tag every mention in this document',
        choice: 'accept-all',
      });
    items.push({ label: '$(close) Reject', choice: 'reject' }, { label: '$(debug-step-over) Skip', description: 'decide later', choice: 'skip' });
    const s = offer.suggestion;
    const qp = vscode.window.createQuickPick<Item>();
    qp.title = `Review suggestions (${n}/${of}): ${describe(s)}`;
    qp.placeholder = `"${s.text}": ${s.reason}${others > 0 ? ` · ${this.deps.plural(others, 'more mention')}` : ''} · Escape stops the review`;
    qp.items = items;
    qp.ignoreFocusOut = true;
    return new Promise<ReviewChoice | undefined>((resolve) => {
      let done = false;
      const finish = (choice: ReviewChoice | undefined): void => {
        if (done) return;
        done = true;
        resolve(choice);
        qp.dispose();
      };
      qp.onDidAccept(() => finish((qp.selectedItems[0] ?? qp.activeItems[0])?.choice));
      qp.onDidHide(() => finish(undefined));
      // The first active item means the question is on screen with its items.
      let shown = false;
      qp.onDidChangeActive(() => {
        if (shown) return;
        shown = true;
        this.asked(offer);
      });
      qp.show();
    });
  }

  private pick(uri: string | undefined, id: string | undefined): { key: string; session: Session; ids: string[] } {
    const key = uri ?? vscode.window.activeTextEditor?.document.uri.toString();
    const session = key ? this.sessions.get(key) : undefined;
    if (!key || !session || session.candidates.size === 0)
      throw new this.deps.UserFacingError('There are no suggestions here: run Marginalia: Suggest Figures and Entities first.');
    if (id) {
      if (!session.candidates.has(id)) throw new this.deps.UserFacingError('This suggestion was accepted or rejected already.');
      return { key, session, ids: [id] };
    }
    if (uri === undefined) {
      // From the palette or the context menu: the suggestion under the cursor.
      const here = this.atCursor(session);
      if (here.length === 0) throw new this.deps.UserFacingError('Place the cursor on a suggestion (underlined with dots) to accept or reject it.');
      return { key, session, ids: here.map((o) => o.id) };
    }
    return { key, session, ids: [...session.candidates.keys()] };
  }

  private atCursor(session: Session): Offer[] {
    const editor = vscode.window.activeTextEditor;
    if (!editor || this.sessions.get(editor.document.uri.toString()) !== session) return [];
    const offset = editor.document.offsetAt(editor.selection.active);
    return this.offers(session).filter((o) => offset >= o.suggestion.start && offset <= o.suggestion.end);
  }

  private liveText(key: string, session: Session): string {
    const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === key);
    const text = editor?.document.getText() ?? session.at.folder.liveDocument(session.at.doc)?.text;
    if (text === undefined) throw new this.deps.UserFacingError('Open the document again to accept its suggestions.');
    return text;
  }

  private offers(session: Session): Offer[] {
    const out: Offer[] = [];
    for (const c of session.candidates.values()) {
      const o = this.offer(session, c.id);
      if (o) out.push(o);
    }
    return out.sort((a, b) => a.suggestion.start - b.suggestion.start);
  }

  /** The candidate with the current positions of its mentions; undefined when every mention was edited away. */
  private offer(session: Session, id: string): Offer | undefined {
    const c = session.candidates.get(id);
    if (!c) return undefined;
    const mentions: Suggestion[] = [];
    for (const [mid, s] of c.mentions) {
      const span = session.tracker.get(mid);
      if (span && !span.orphaned) mentions.push({ ...s, start: span.start, end: span.end });
    }
    return mentions.length > 0 ? { id, suggestion: mentions[0], mentions } : undefined;
  }

  private drop(session: Session, id: string): void {
    const c = session.candidates.get(id);
    if (!c) return;
    for (const mid of c.mentions.keys()) session.tracker.delete(mid);
    session.candidates.delete(id);
  }

  /**
   * After accepting or rejecting: redraw, update the context key, and, when it came from a hover, close that hover.
   * VS Code keeps a hover's content while the pointer stays on it, so it would still say "Suggested ..." over what is
   * now an annotation; the next hover there asks the providers again and shows the annotation's.
   */
  private settle(key: string, fromHover: boolean): void {
    this.drawAll();
    this.updateContext();
    if (fromHover && vscode.window.activeTextEditor?.document.uri.toString() === key) void vscode.commands.executeCommand('editor.action.hideHover');
  }

  /** Suggestions follow edits like annotations do; a mention whose text is edited away is dropped. */
  follow(e: vscode.TextDocumentChangeEvent): void {
    const session = this.sessions.get(e.document.uri.toString());
    if (!session || e.contentChanges.length === 0) return;
    const outcome = session.tracker.apply(e.contentChanges.map((c) => ({ offset: c.rangeOffset, deleteLength: c.rangeLength, insertText: c.text })));
    for (const mid of outcome.orphaned) session.tracker.delete(mid);
    for (const c of [...session.candidates.values()]) if (!this.offer(session, c.id)) session.candidates.delete(c.id);
    this.drawAll();
    this.updateContext();
  }

  /** For menus: the cursor is on an offered suggestion (Accept and Reject Suggestion), the document has suggestions
   *  (Review, Accept All, Dismiss All). */
  updateContext(): void {
    const editor = vscode.window.activeTextEditor;
    const session = editor && this.sessions.get(editor.document.uri.toString());
    this.setContext(this.deps.context.onSuggestion, !!session && this.atCursor(session).length > 0);
    this.setContext(this.deps.context.hasSuggestions, !!session && this.offers(session).length > 0);
  }

  private setContext(key: string, value: boolean): void {
    if (this.context.get(key) === value) return;
    this.context.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  }

  drawAll(): void {
    for (const editor of vscode.window.visibleTextEditors) {
      const offers = this.pending(editor.document.uri);
      editor.setDecorations(
        this.decoration,
        offers.map((o) => new vscode.Range(editor.document.positionAt(o.suggestion.start), editor.document.positionAt(o.suggestion.end))),
      );
    }
  }
}

/** What a review asks of the person for one candidate. */
export type ReviewChoice = 'accept' | 'accept-all' | 'reject' | 'skip';

function describe(s: Suggestion): string {
  return s.kind === 'figure'
    ? `figure: ${s.attributes.value}${s.attributes.unit ? ' ' + s.attributes.unit : ''}`
    : `entity (${s.attributes.type}): ${s.attributes.canonical}`;
}
