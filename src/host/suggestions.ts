// Suggestions: candidate figures and entities in the current document, drawn as faint dotted underlines, each
// accepted or rejected from its hover (or all at once). Nothing is stored until accepted.
import * as vscode from 'vscode';
import { suggest, type Suggestion } from '../core/research';
import { EditTracker } from '../core/anchoring';
import { createAnnotation, plural } from '../core/model';
import type { WorkspaceAnnotations, Located } from './workspaceAnnotations';
import { UserFacingError } from './commands';
import { COMMANDS } from './commandIds';
import { authorName } from './settings';
import type { Logger } from './log';

interface Pending {
  id: string;
  suggestion: Suggestion;
}

interface Session {
  at: Located;
  pending: Map<string, Pending>;
  tracker: EditTracker;
}

export class Suggestions implements vscode.HoverProvider, vscode.Disposable {
  private readonly sessions = new Map<string, Session>();
  private readonly decoration = vscode.window.createTextEditorDecorationType({
    borderStyle: 'dotted',
    borderWidth: '0 0 1px 0',
    borderColor: new vscode.ThemeColor('editorInfo.foreground'),
    overviewRulerColor: new vscode.ThemeColor('editorInfo.foreground'),
    overviewRulerLane: vscode.OverviewRulerLane.Left,
  });
  private readonly disposables: vscode.Disposable[];
  private counter = 0;

  constructor(
    private readonly workspace: WorkspaceAnnotations,
    private readonly log: Logger,
  ) {
    this.disposables = [
      this.decoration,
      vscode.workspace.onDidChangeTextDocument((e) => this.follow(e)),
      vscode.window.onDidChangeVisibleTextEditors(() => this.drawAll()),
      vscode.workspace.onDidCloseTextDocument((d) => this.sessions.delete(d.uri.toString())),
    ];
  }

  /** Computes suggestions for the active document and shows them; returns them (for tests). */
  async run(): Promise<Suggestion[]> {
    const editor = vscode.window.activeTextEditor;
    const at = editor && this.workspace.locate(editor.document.uri);
    if (!editor || !at) throw new UserFacingError('Open a corpus document to get suggestions for it.');
    const text = editor.document.getText();
    const found = suggest(text, { register: at.folder.entities, existing: at.folder.annotations(at.doc).filter((a) => a.anchor.status !== 'orphaned') });
    const pending = new Map<string, Pending>();
    for (const s of found) {
      const id = `s${++this.counter}`;
      pending.set(id, { id, suggestion: s });
    }
    this.sessions.set(editor.document.uri.toString(), { at, pending, tracker: new EditTracker([...pending.values()].map((p) => ({ id: p.id, start: p.suggestion.start, end: p.suggestion.end }))) });
    this.drawAll();
    this.log.info(`${plural(found.length, 'suggestion')} in ${at.doc}`);
    if (found.length === 0) void vscode.window.showInformationMessage(`No new figures or entities to suggest in ${at.doc}.`);
    else {
      void vscode.window
        .showInformationMessage(`${plural(found.length, 'suggestion')} in ${at.doc}, underlined with dots: hover one to accept or reject it.`, 'Accept All', 'Dismiss All')
        .then((c) => {
          if (c === 'Accept All') void vscode.commands.executeCommand(COMMANDS.acceptAllSuggestions);
          if (c === 'Dismiss All') void vscode.commands.executeCommand(COMMANDS.clearSuggestions);
        });
    }
    return found;
  }

  /** Pending suggestions of a document, with their current positions. */
  pending(uri: vscode.Uri): Suggestion[] {
    const s = this.sessions.get(uri.toString());
    if (!s) return [];
    return [...s.pending.values()].map((p) => this.current(s, p)).filter((x): x is Suggestion => x !== undefined);
  }

  async accept(uri?: string, id?: string): Promise<number> {
    const { session, ids } = this.pick(uri, id);
    const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === (uri ?? vscode.window.activeTextEditor?.document.uri.toString()));
    const text = editor?.document.getText() ?? session.at.folder.liveDocument(session.at.doc)?.text;
    if (text === undefined) throw new UserFacingError('Open the document again to accept its suggestions.');
    const folder = session.at.folder;
    const now = new Date();
    const author = authorName();
    const created = [];
    for (const sid of ids) {
      const p = session.pending.get(sid);
      const s = p && this.current(session, p);
      if (!s) continue;
      const kind = folder.kind(s.kind);
      if (!kind) throw new UserFacingError(`The codebook has no kind "${s.kind}" to accept this suggestion as.`);
      const attributes = Object.fromEntries(Object.entries(s.attributes).filter(([k, v]) => v !== undefined && kind.attributes.some((f) => f.name === k))) as Record<string, string | number>;
      created.push(createAnnotation(text, { doc: session.at.doc, kind: kind.name, start: s.start, end: s.end, author, note: '', attributes }, kind, now));
    }
    if (created.length > 0) await folder.add(session.at.doc, created, text);
    for (const sid of ids) this.drop(session, sid);
    this.drawAll();
    return created.length;
  }

  reject(uri?: string, id?: string): number {
    const { session, ids } = this.pick(uri, id);
    for (const sid of ids) this.drop(session, sid);
    this.drawAll();
    return ids.length;
  }

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const session = this.sessions.get(document.uri.toString());
    if (!session) return undefined;
    const offset = document.offsetAt(position);
    const parts: vscode.MarkdownString[] = [];
    for (const p of session.pending.values()) {
      const s = this.current(session, p);
      if (!s || offset < s.start || offset > s.end) continue;
      const md = new vscode.MarkdownString('', true);
      md.isTrusted = { enabledCommands: [COMMANDS.acceptSuggestion, COMMANDS.rejectSuggestion] };
      const args = encodeURIComponent(JSON.stringify([document.uri.toString(), p.id]));
      const what = s.kind === 'figure' ? `figure: ${s.attributes.value}${s.attributes.unit ? ' ' + s.attributes.unit : ''}` : `entity (${s.attributes.type}): ${s.attributes.canonical}`;
      md.appendMarkdown(`$(lightbulb) **Suggested ${what}**  \n${s.reason} · confidence ${Math.round(s.confidence * 100)} %\n\n`);
      md.appendMarkdown(`[$(check) Accept](command:${COMMANDS.acceptSuggestion}?${args}) · [$(close) Reject](command:${COMMANDS.rejectSuggestion}?${args})`);
      parts.push(md);
    }
    return parts.length > 0 ? new vscode.Hover(parts) : undefined;
  }

  private pick(uri: string | undefined, id: string | undefined): { session: Session; ids: string[] } {
    const key = uri ?? vscode.window.activeTextEditor?.document.uri.toString();
    const session = key ? this.sessions.get(key) : undefined;
    if (!session || session.pending.size === 0) throw new UserFacingError('There are no suggestions here: run Marginalia: Suggest Figures and Entities first.');
    if (id) return { session, ids: [id] };
    if (uri === undefined && vscode.window.activeTextEditor) {
      // From the palette with the cursor on a suggestion: just that one; elsewhere: all of them.
      const offset = vscode.window.activeTextEditor.document.offsetAt(vscode.window.activeTextEditor.selection.active);
      const here = [...session.pending.values()].filter((p) => {
        const s = this.current(session, p);
        return s && offset >= s.start && offset <= s.end;
      });
      if (here.length > 0) return { session, ids: here.map((p) => p.id) };
    }
    return { session, ids: [...session.pending.keys()] };
  }

  private current(session: Session, p: Pending): Suggestion | undefined {
    const span = session.tracker.get(p.id);
    if (!span || span.orphaned) return undefined;
    return { ...p.suggestion, start: span.start, end: span.end };
  }

  private drop(session: Session, id: string): void {
    session.pending.delete(id);
    session.tracker.delete(id);
  }

  /** Suggestions follow edits like annotations do; one whose text is edited away is dropped. */
  private follow(e: vscode.TextDocumentChangeEvent): void {
    const session = this.sessions.get(e.document.uri.toString());
    if (!session || e.contentChanges.length === 0) return;
    const outcome = session.tracker.apply(e.contentChanges.map((c) => ({ offset: c.rangeOffset, deleteLength: c.rangeLength, insertText: c.text })));
    for (const id of outcome.orphaned) this.drop(session, id);
    this.drawAll();
  }

  private drawAll(): void {
    for (const editor of vscode.window.visibleTextEditors) {
      const session = this.sessions.get(editor.document.uri.toString());
      const ranges = session ? this.pending(editor.document.uri).map((s) => new vscode.Range(editor.document.positionAt(s.start), editor.document.positionAt(s.end))) : [];
      editor.setDecorations(this.decoration, ranges);
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
