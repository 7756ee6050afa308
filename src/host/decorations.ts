// Highlights: one decoration type per kind (theme colours, overview-ruler marks), and one per kind for the layer of a
// coder compared with (a dotted underline, no fill), so the two layers stay apart. The data updates on every change
// event; redrawing is debounced so typing stays smooth.
import * as vscode from 'vscode';
import { Disposable } from './lifecycle';
import type { WorkspaceAnnotations } from './workspaceAnnotations';
import type { DocumentIndexes } from './documentIndex';
import { kindBackground, kindBorder, kindRuler } from './kindStyle';
import { highlightsEnabled } from './settings';
import type { FolderModel } from './folderModel';

const DEBOUNCE_MS = 60;

export class Decorations extends Disposable {
  private readonly types = new Map<string, vscode.TextEditorDecorationType>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** What was last drawn in each editor, by kind (for tests and the status bar). */
  readonly drawn = new WeakMap<vscode.TextEditor, Map<string, vscode.Range[]>>();
  /** What was last drawn of the compared coder's layer, by kind. */
  readonly drawnCompared = new WeakMap<vscode.TextEditor, Map<string, vscode.Range[]>>();

  constructor(
    private readonly workspace: WorkspaceAnnotations,
    private readonly indexes: DocumentIndexes,
  ) {
    super();
    this._registerAll([
      workspace.onDidChange((c) => {
        this.indexes.invalidate(c.folder, c.doc);
        this.refreshSoon();
      }),
      vscode.window.onDidChangeVisibleTextEditors(() => this.refreshNow()),
      vscode.workspace.onDidChangeTextDocument(() => this.refreshSoon()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('marginalia.highlights')) this.refreshNow();
      }),
    ]);
  }

  refreshSoon(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refreshNow(), DEBOUNCE_MS);
  }

  refreshNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const editor of vscode.window.visibleTextEditors) this.draw(editor);
  }

  private typeFor(folder: FolderModel, kind: string, compared: boolean): vscode.TextEditorDecorationType {
    const def = folder.kind(kind);
    const key = `${kind}\u0000${def?.colour ?? ''}\u0000${compared ? 'compared' : ''}`;
    let t = this.types.get(key);
    if (!t && compared) {
      // The other coder's layer: a dotted underline only, so one's own highlights stay the filled ones.
      t = vscode.window.createTextEditorDecorationType({
        borderStyle: 'dotted',
        borderWidth: '0 0 2px 0',
        borderColor: kindBorder(kind, def),
        overviewRulerColor: kindRuler(kind, def),
        overviewRulerLane: vscode.OverviewRulerLane.Left,
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      });
      this.types.set(key, t);
    }
    if (!t) {
      t = vscode.window.createTextEditorDecorationType({
        backgroundColor: kindBackground(kind, def),
        // A thin underline in the kind's colour keeps nested and overlapping passages of different kinds apart.
        borderStyle: 'solid',
        borderWidth: '0 0 2px 0',
        borderColor: kindBorder(kind, def),
        overviewRulerColor: kindRuler(kind, def),
        overviewRulerLane: vscode.OverviewRulerLane.Right,
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      });
      this.types.set(key, t);
    }
    return t;
  }

  private draw(editor: vscode.TextEditor): void {
    const at = this.workspace.locate(editor.document.uri);
    const byType = new Map<vscode.TextEditorDecorationType, vscode.Range[]>();
    const byKind = new Map<string, vscode.Range[]>();
    const comparedByKind = new Map<string, vscode.Range[]>();
    if (at && highlightsEnabled()) {
      const doc = editor.document;
      const length = doc.offsetAt(doc.lineAt(doc.lineCount - 1).range.end);
      for (const s of this.indexes.get(at.folder, at.doc)) {
        if (s.end > length) continue;
        const range = new vscode.Range(doc.positionAt(s.start), doc.positionAt(s.end));
        const compared = this.workspace.layers.layer(at.folder, s.annotation) === 'compared';
        const t = this.typeFor(at.folder, s.annotation.kind, compared);
        (byType.get(t) ?? byType.set(t, []).get(t)!).push(range);
        const kinds = compared ? comparedByKind : byKind;
        (kinds.get(s.annotation.kind) ?? kinds.set(s.annotation.kind, []).get(s.annotation.kind)!).push(range);
      }
    }
    for (const t of this.types.values()) editor.setDecorations(t, byType.get(t) ?? []);
    this.drawn.set(editor, byKind);
    this.drawnCompared.set(editor, comparedByKind);
  }

  override dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const t of this.types.values()) t.dispose();
    super.dispose();
  }
}
