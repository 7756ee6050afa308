// Problems in the store's hand-editable files (codebook, entity register, sidecars) shown where they are, in the
// Problems panel and as squiggles: files on disk as the folder model last loaded them, open files as they are typed,
// checked by the same core reader that loads them (no YAML extension needed).
import * as vscode from 'vscode';
import { Disposable } from './lifecycle';
import { STORE_DIR } from '../constants';
import { checkStoreFile, storeFileKind } from '../core/store';
import type { YamlFileError } from '../core/yaml';
import type { WorkspaceAnnotations } from './workspaceAnnotations';

const SOURCE = 'Marginalia';
const TYPING_DELAY_MS = 250;

export class StoreDiagnostics extends Disposable {
  private readonly collection = this._register(vscode.languages.createDiagnosticCollection('marginalia'));
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();
  /** Store files whose diagnostics come from their open editor text rather than the loaded model. */
  private readonly live = new Set<string>();

  constructor(private readonly workspace: WorkspaceAnnotations) {
    super();
    this._registerAll([
      workspace.onDidChange(() => this.publishLoaded()),
      vscode.workspace.onDidOpenTextDocument((d) => this.checkText(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (this.live.delete(d.uri.toString())) this.publishLoaded();
      }),
    ]);
    for (const d of vscode.workspace.textDocuments) this.checkText(d);
  }

  /** The problems shown for a file (for tests and the tree). */
  get(uri: vscode.Uri): readonly vscode.Diagnostic[] {
    return this.collection.get(uri) ?? [];
  }

  /** Shows what the folder models found when they loaded, for every store file not open in an editor. */
  publishLoaded(): void {
    const seen = new Set<string>();
    for (const folder of this.workspace.all()) {
      const errors: (YamlFileError | undefined)[] = [...folder.errors, folder.codebookError, folder.entitiesError];
      const byFile = new Map<string, vscode.Diagnostic[]>();
      for (const e of errors) {
        if (!e) continue;
        const uri = vscode.Uri.joinPath(folder.folder.uri, e.file).toString();
        byFile.set(uri, [...(byFile.get(uri) ?? []), diagnostic(e)]);
      }
      for (const [uri, list] of byFile) {
        seen.add(uri);
        if (!this.live.has(uri)) this.collection.set(vscode.Uri.parse(uri), list);
      }
    }
    this.collection.forEach((uri) => {
      const key = uri.toString();
      if (!seen.has(key) && !this.live.has(key)) this.collection.delete(uri);
    });
  }

  private schedule(d: vscode.TextDocument): void {
    const key = d.uri.toString();
    if (!this.live.has(key) && !this.relPath(d)) return;
    clearTimeout(this.pending.get(key));
    this.pending.set(
      key,
      setTimeout(() => {
        this.pending.delete(key);
        this.checkText(d);
      }, TYPING_DELAY_MS),
    );
  }

  private checkText(d: vscode.TextDocument): void {
    const rel = this.relPath(d);
    if (!rel || d.isClosed) return;
    const problem = checkStoreFile(rel, d.getText());
    this.live.add(d.uri.toString());
    this.collection.set(d.uri, problem ? [diagnostic(problem)] : []);
  }

  /** The workspace-relative path of a document inside a folder's store, or undefined. */
  private relPath(d: vscode.TextDocument): string | undefined {
    const folder = this.workspace.folderOf(d.uri);
    if (!folder) return undefined;
    const base = folder.folder.uri.path.replace(/\/$/, '');
    if (!d.uri.path.startsWith(`${base}/${STORE_DIR}/`)) return undefined;
    const rel = decodeURIComponent(d.uri.path.slice(base.length + 1));
    return storeFileKind(rel) ? rel : undefined;
  }

  override dispose(): void {
    for (const t of this.pending.values()) clearTimeout(t);
    super.dispose();
  }
}

function diagnostic(e: YamlFileError): vscode.Diagnostic {
  const line = Math.max(0, (e.line ?? 1) - 1);
  const column = Math.max(0, (e.column ?? 1) - 1);
  const d = new vscode.Diagnostic(new vscode.Range(line, column, line, Number.MAX_SAFE_INTEGER), e.reason, vscode.DiagnosticSeverity.Error);
  d.source = SOURCE;
  d.code = e.code;
  return d;
}
