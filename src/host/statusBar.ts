// The status-bar item: the current document's annotation count (and orphans), or that Marginalia is read-only.
import * as vscode from 'vscode';
import { Disposable } from './lifecycle';
import type { WorkspaceAnnotations } from './workspaceAnnotations';
import { plural } from '../core/model';

export class AnnotationStatus extends Disposable {
  readonly item = vscode.window.createStatusBarItem('marginalia.count', vscode.StatusBarAlignment.Right, 100);

  constructor(private readonly workspace: WorkspaceAnnotations) {
    super();
    this.item.name = 'Marginalia annotations';
    this._registerAll([
      this.item,
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      workspace.onDidChange(() => this.update()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.update()),
    ]);
    this.update();
  }

  update(): void {
    const editor = vscode.window.activeTextEditor;
    const at = editor && this.workspace.locate(editor.document.uri);
    if (!at) {
      this.item.hide();
      return;
    }
    const all = this.workspace.layers.visible(at.folder, at.folder.annotations(at.doc));
    const blind = this.workspace.layers.isBlind(at.folder);
    const compare = this.workspace.layers.compare;
    const orphans = all.filter((a) => a.anchor.status === 'orphaned').length;
    const readOnly = !vscode.workspace.isTrusted;
    this.item.text = `$(tag) ${all.length}${orphans ? ` $(warning) ${orphans}` : ''}${blind ? ' $(eye-closed)' : ''}${compare !== undefined ? ' $(eye)' : ''}${readOnly ? ' $(lock)' : ''}`;
    this.item.tooltip =
      `${plural(all.length, 'annotation')} in ${at.doc}` +
      (orphans ? `, ${orphans} orphaned` : '') +
      (blind ? `\nBlind coding: you see only your own annotations (${this.workspace.layers.author}).` : '') +
      (compare !== undefined ? `\nComparing with ${compare}'s layer (dotted underline).` : '') +
      (readOnly ? '\nRead-only: this workspace is not trusted.' : '') +
      '\nClick to show them in the Marginalia view.';
    this.item.command = { command: 'workbench.view.extension.marginalia', title: 'Show Marginalia' };
    this.item.accessibilityInformation = { label: this.item.tooltip };
    this.item.show();
  }
}
