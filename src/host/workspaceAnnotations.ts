// All workspace folders' annotations (a store per folder), wired to VS Code's document and file events.
import * as vscode from 'vscode';
import { Disposable } from './lifecycle';
import { FolderModel, type FolderChange } from './folderModel';
import type { Log, Logger } from './log';
import type { TextEdit } from '../core/model';
import { ANNOTATIONS_DIR, SIDECAR_EXTENSION, CODEBOOK_PATH, ENTITIES_PATH } from '../core/store';
import { STORE_DIR } from '../constants';
import { EXPORT_MARKER } from '../core/store';
import type { CoderLayers } from './coderLayers';

export interface Located {
  folder: FolderModel;
  doc: string;
}

export class WorkspaceAnnotations extends Disposable {
  private readonly folders = new Map<string, FolderModel>();
  private readonly emitter = new vscode.EventEmitter<FolderChange>();
  private readonly orphanEmitter = new vscode.EventEmitter<{ folder: FolderModel; doc: string; count: number }>();
  private readonly log: Logger;
  /** Resolves when the first load of every folder is done (tests and commands wait on it). */
  ready: Promise<void> = Promise.resolve();

  /** Fires after any annotation, corpus or folder change. */
  readonly onDidChange = this.emitter.event;
  /** Fires when an outside change orphaned annotations of a document that is not open. */
  readonly onDidOrphan = this.orphanEmitter.event;

  constructor(
    private readonly logs: Log,
    /** What this person sees of the coders' annotations (blind coding, comparing). */
    readonly layers: CoderLayers,
    /** The extension's storage for this workspace (outside it, never in git): where the Corpus view's counts are
     *  cached between sessions. Without it every start reads every sidecar first. */
    private readonly storage?: vscode.Uri,
  ) {
    super();
    this.log = logs.for('workspace');
    this._registerAll([
      this.emitter,
      // Another view of the layers redraws everything that shows annotations.
      layers.onDidChange(() => this.emitter.fire({})),
      this.orphanEmitter,
      vscode.workspace.onDidChangeWorkspaceFolders((e) => {
        for (const f of e.removed) this.removeFolder(f);
        this.ready = Promise.all(e.added.map((f) => this.addFolder(f))).then(() => undefined);
      }),
      vscode.workspace.onDidOpenTextDocument((d) => void this.opened(d)),
      vscode.workspace.onDidCloseTextDocument((d) => this.closed(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.changed(e)),
      vscode.workspace.onDidSaveTextDocument((d) => void this.saved(d)),
      vscode.workspace.onDidRenameFiles((e) => void this.renamed(e)),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.reload()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('marginalia.corpus')) void this.reload();
      }),
    ]);
  }

  /** Loads every folder of the workspace and starts following the documents already open. */
  start(): Promise<void> {
    this.ready = (async () => {
      await Promise.all((vscode.workspace.workspaceFolders ?? []).map((f) => this.addFolder(f)));
      await Promise.all(vscode.workspace.textDocuments.map((d) => this.opened(d)));
    })();
    return this.ready;
  }

  async reload(): Promise<void> {
    await Promise.all([...this.folders.values()].map((f) => f.load()));
    await Promise.all(vscode.workspace.textDocuments.map((d) => this.opened(d)));
  }

  all(): FolderModel[] {
    return [...this.folders.values()].sort((a, b) => a.folder.index - b.folder.index);
  }

  folderOf(uri: vscode.Uri): FolderModel | undefined {
    const wf = vscode.workspace.getWorkspaceFolder(uri);
    return wf && this.folders.get(wf.uri.toString());
  }

  /** The folder and workspace-relative path of a corpus document (or of a document that has annotations). */
  locate(uri: vscode.Uri): Located | undefined {
    const at = this.inFolder(uri);
    if (!at || at.doc.startsWith(STORE_DIR + '/')) return undefined;
    return at.folder.isCorpusPath(at.doc) || at.folder.annotations(at.doc).length > 0 ? at : undefined;
  }

  /** The workspace folder below which `uri` lies, and its path relative to it (any file, corpus or not). */
  inFolder(uri: vscode.Uri): Located | undefined {
    const folder = this.folderOf(uri);
    if (!folder) return undefined;
    const base = folder.folder.uri.path.replace(/\/$/, '');
    if (!uri.path.startsWith(base + '/')) return undefined;
    return { folder, doc: decodeURIComponent(uri.path.slice(base.length + 1)) };
  }

  private async addFolder(f: vscode.WorkspaceFolder): Promise<void> {
    const model = new FolderModel(
      f,
      this.logs.for(`folder ${f.name}`),
      (c) => this.emitter.fire(c),
      () => vscode.workspace.isTrusted,
      this.storage,
    );
    this.folders.set(f.uri.toString(), model);
    this.watch(model);
    try {
      await model.load();
    } catch (e) {
      this.log.error(`could not load ${f.name}: ${(e as Error).message}`);
    }
  }

  private removeFolder(f: vscode.WorkspaceFolder): void {
    const key = f.uri.toString();
    this.folders.get(key)?.dispose();
    this.folders.delete(key);
    this.emitter.fire({});
  }

  /** Outside changes: corpus files created, changed or deleted on disk; sidecars and codebook changed by others. */
  private watch(model: FolderModel): void {
    const base = model.folder;
    const files = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(base, '**/*'));
    const rel = (uri: vscode.Uri): string | undefined => {
      const prefix = base.uri.path.replace(/\/$/, '') + '/';
      return uri.path.startsWith(prefix) ? decodeURIComponent(uri.path.slice(prefix.length)) : undefined;
    };
    const sidecarDoc = (r: string): string | undefined =>
      r.startsWith(ANNOTATIONS_DIR + '/') && r.endsWith(SIDECAR_EXTENSION) ? r.slice(ANNOTATIONS_DIR.length + 1, -SIDECAR_EXTENSION.length) : undefined;
    const onChange = async (uri: vscode.Uri, kind: 'create' | 'change' | 'delete'): Promise<void> => {
      const r = rel(uri);
      if (r === undefined || /(^|\/)\.[^/]*\.tmp$/.test(r)) return;
      if (r === CODEBOOK_PATH) {
        await model.loadCodebook();
        this.emitter.fire({ folder: model });
        return;
      }
      if (r === ENTITIES_PATH) {
        await model.loadEntities();
        this.emitter.fire({ folder: model });
        return;
      }
      if (r.endsWith('/' + EXPORT_MARKER)) {
        // An export marked its folder (or the mark was removed): its files leave (or rejoin) the corpus.
        if (kind === 'delete') return model.rescanCorpus();
        return model.exportFolderMarked(r.slice(0, -EXPORT_MARKER.length - 1));
      }
      const sd = sidecarDoc(r);
      if (sd !== undefined) return model.sidecarChanged(sd);
      const inStore = r === STORE_DIR || r === ANNOTATIONS_DIR || r.startsWith(ANNOTATIONS_DIR + '/');
      if (kind === 'delete' && inStore) return model.sidecarFolderDeleted(r);
      if (kind === 'create' && inStore && (await model.fs.isDirectory(r))) return model.sidecarFolderCreated(r);
      if (r.startsWith(STORE_DIR + '/')) return;
      // A deleted folder is reported once, not file by file.
      if (kind === 'delete') return model.pathDeleted(r);
      // A folder created or moved in arrives as one event for the folder, none for the files inside it.
      if (kind === 'create' && (await model.fs.isDirectory(r)) && (await model.fs.list(r)).length > 0) return model.rescanCorpus();
      if (!model.isCorpusPath(r)) return;
      if (kind === 'create') model.documentCreated(r);
      const orphans = await model.documentChangedOnDisk(r);
      if (orphans.length > 0) this.orphanEmitter.fire({ folder: model, doc: r, count: orphans.length });
    };
    const guard = (kind: 'create' | 'change' | 'delete') => (uri: vscode.Uri) =>
      void onChange(uri, kind).catch((e) => this.log.error(`after ${kind} of ${uri.fsPath}: ${(e as Error).message}`));
    this._registerAll([files, files.onDidCreate(guard('create')), files.onDidChange(guard('change')), files.onDidDelete(guard('delete'))]);
  }

  private async opened(d: vscode.TextDocument): Promise<void> {
    const at = this.locate(d.uri);
    if (!at) return;
    // The size first, without copying the text: a document over marginalia.maxDocumentSize is not followed.
    const length = d.lineCount === 0 ? 0 : d.offsetAt(d.lineAt(d.lineCount - 1).range.end);
    if (!at.folder.checkSize(at.doc, length)) return;
    try {
      await at.folder.open(at.doc, d.getText());
    } catch (e) {
      this.log.error(`opening ${at.doc}: ${(e as Error).message}`);
    }
  }

  private closed(d: vscode.TextDocument): void {
    const at = this.locate(d.uri);
    if (at) at.folder.close(at.doc);
  }

  private changed(e: vscode.TextDocumentChangeEvent): void {
    if (e.contentChanges.length === 0) return;
    const at = this.locate(e.document.uri);
    if (!at || !at.folder.liveDocument(at.doc)) return;
    // VS Code's changes of one event all refer to the text before it: exactly what the core's edits expect.
    const edits: TextEdit[] = e.contentChanges.map((c) => ({ offset: c.rangeOffset, deleteLength: c.rangeLength, insertText: c.text }));
    at.folder.change(at.doc, edits, e.document.getText(), e.document.isDirty);
  }

  private async saved(d: vscode.TextDocument): Promise<void> {
    const at = this.locate(d.uri);
    if (!at) return;
    try {
      await at.folder.persist(at.doc);
    } catch (e) {
      this.log.error(`saving annotations of ${at.doc}: ${(e as Error).message}`);
    }
  }

  private async renamed(e: vscode.FileRenameEvent): Promise<void> {
    for (const { oldUri, newUri } of e.files) {
      const from = this.folderOf(oldUri);
      const to = this.folderOf(newUri);
      if (!from || from !== to) continue;
      const prefix = from.folder.uri.path.replace(/\/$/, '') + '/';
      const a = decodeURIComponent(oldUri.path.slice(prefix.length));
      const b = decodeURIComponent(newUri.path.slice(prefix.length));
      // A folder rename moves every annotated document below it.
      const docs = from.documents().filter((d) => d === a || d.startsWith(a + '/'));
      for (const d of docs)
        await from.documentRenamed(d, b + d.slice(a.length)).catch((err) => this.log.error(`moving annotations of ${d}: ${(err as Error).message}`));
    }
  }

  override dispose(): void {
    for (const f of this.folders.values()) f.dispose();
    super.dispose();
  }
}
