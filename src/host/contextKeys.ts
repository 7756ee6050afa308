// Context keys that drive menus and keybindings: is the active document in the corpus, is the cursor on an
// annotation, is the corpus empty, is Marginalia read-only.
import * as vscode from 'vscode';
import { Disposable } from './lifecycle';
import type { WorkspaceAnnotations } from './workspaceAnnotations';
import type { Targets } from './targets';
import { CONTEXT } from './commandIds';

export class ContextKeys extends Disposable {
  private readonly values = new Map<string, boolean>();

  constructor(
    private readonly workspace: WorkspaceAnnotations,
    private readonly targets: Targets,
  ) {
    super();
    this._registerAll([
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      vscode.window.onDidChangeTextEditorSelection(() => this.updateCursor()),
      workspace.onDidChange(() => this.update()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.update()),
    ]);
    this.update();
  }

  update(): void {
    const editor = vscode.window.activeTextEditor;
    this.set(CONTEXT.isCorpusDocument, !!(editor && this.workspace.locate(editor.document.uri)));
    const folders = this.workspace.all();
    this.set(CONTEXT.corpusEmpty, folders.length > 0 && folders.every((f) => f.documents().length === 0 && f.errors.length === 0));
    this.set(CONTEXT.readOnly, !vscode.workspace.isTrusted);
    this.updateCursor();
  }

  private updateCursor(): void {
    this.set(CONTEXT.onAnnotation, this.targets.atCursor().length > 0);
  }

  private set(key: string, value: boolean): void {
    if (this.values.get(key) === value) return;
    this.values.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  }
}
