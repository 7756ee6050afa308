// Export: the format first, then which annotations (the whole corpus, the selected document, the Corpus view's kind
// filter), then the place, outside the corpus unless the person picks another.
import * as vscode from 'vscode';
import { Disposable } from './lifecycle';
import { COMMANDS } from './commandIds';
import { pickFolder } from './folderPick';
import { formats } from './coreChunks';
import type { ExportInputDocument, BesideFile, ExportFormat, ExportFormatInfo } from '../core/formats';
import { coderLabel, readDocument } from '../core/store';
import { plural, type Annotation } from '../core/model';
import type { WorkspaceAnnotations } from './workspaceAnnotations';
import type { FolderModel } from './folderModel';
import type { CorpusNode, CorpusTreeProvider } from './corpusTree';
import { Cancelled, UserFacingError } from './commands';
import type { Logger } from './log';

export type ExportScope = 'corpus' | 'document' | 'filter';

export interface ExportOptions {
  /** Asked when absent: the whole corpus, the selected document, or the kinds the Corpus view's filter shows. */
  scope?: ExportScope;
  /** yaml (default when a target is given), w3c, csv or brat; asked when absent and no target is given. */
  format?: ExportFormat;
  /** Target file, or folder for brat (a URI string); asked with a save dialog when absent. */
  target?: string;
  /** Folder (a URI string) for a corpus export in a multi-root workspace. */
  folder?: string;
}

export interface ExportResult {
  target: vscode.Uri;
  documents: number;
  annotations: number;
}

/** The prompts an export shows: VS Code's own, or a test's. */
export interface ExportPrompts {
  pick<T extends vscode.QuickPickItem>(items: T[], options: vscode.QuickPickOptions): Thenable<T | undefined>;
  save(options: vscode.SaveDialogOptions): Thenable<vscode.Uri | undefined>;
}

const windowPrompts: ExportPrompts = {
  pick: (items, options) => vscode.window.showQuickPick(items, options),
  save: (options) => vscode.window.showSaveDialog(options),
};

type ScopeItem = vscode.QuickPickItem & { scope: ExportScope };

export class ExportCommand extends Disposable {
  constructor(
    private readonly workspace: WorkspaceAnnotations,
    private readonly tree: CorpusTreeProvider,
    private readonly treeView: vscode.TreeView<CorpusNode>,
    private readonly log: Logger,
    /** Replaceable so tests can answer the prompts and see which were shown, in which order. */
    public prompts: ExportPrompts = windowPrompts,
  ) {
    super();
    this._command(log, COMMANDS.export, (arg?: unknown) => this.run(arg));
  }

  async run(arg?: unknown): Promise<ExportResult | undefined> {
    const options = exportOptions(arg);
    const format = options.format ?? (options.target ? 'yaml' : await this.pickFormat());
    const info = formats().exportFormat(format);
    if (!info)
      throw new UserFacingError(
        `Unknown export format "${format}" (formats: ${formats()
          .EXPORT_FORMATS.map((f) => f.id)
          .join(', ')}).`,
      );
    const selected = this.selectedDocument(arg);
    const kinds = this.tree.kindFilter;
    const coders = this.tree.coderFilter;
    const filter = kinds || coders ? { kinds, coders } : undefined;
    const shownByFilter = (a: Annotation): boolean => (!kinds || kinds.has(a.kind)) && (!coders || coders.has(a.provenance.author));
    const scope = options.scope ?? (await this.pickScope(info, selected, filter, shownByFilter));
    let folder: FolderModel;
    let docs: string[];
    let annotationsOf = (doc: string): Annotation[] => folder.annotations(doc);
    if (scope === 'document') {
      if (!selected) throw new UserFacingError('Select a document in the Corpus view, or open one, to export it alone.');
      folder = selected.folder;
      docs = [selected.doc];
    } else {
      folder = await this.pickFolder(options.folder ?? selected?.folder.folder.uri.toString());
      if (scope === 'filter') {
        if (!filter)
          throw new UserFacingError('The Corpus view shows every kind and coder; filter it by kind or coder first to export those annotations alone.');
        annotationsOf = (doc) => folder.annotations(doc).filter(shownByFilter);
      }
      docs = folder.documents().filter((d) => annotationsOf(d).length > 0);
    }
    const readText = async (doc: string): Promise<string | undefined> => folder.liveDocument(doc)?.text ?? (await readDocument(folder.fs, doc));
    const warnings: string[] = [];
    const encoder = new TextEncoder();
    let data: Uint8Array | undefined;
    let files: Map<string, string> | undefined;
    let beside: BesideFile[] = [];
    if (format === 'yaml') {
      // Streamed: each text is read in its turn and the output kept as UTF-8 pieces, never every text and the whole
      // export as one string at once (hundreds of MB for a large corpus).
      const pieces: Uint8Array[] = [];
      await formats().writeExportYaml(
        { documents: docs.map((doc) => ({ path: doc, annotations: annotationsOf(doc) })), readText },
        (chunk) => void pieces.push(encoder.encode(chunk)),
      );
      data = Buffer.concat(pieces);
    } else {
      const documents: ExportInputDocument[] = [];
      for (const doc of docs) documents.push({ path: doc, text: await readText(doc), annotations: annotationsOf(doc) });
      const rendered = formats().renderExport(format, { documents, codebook: folder.codebook, projectName: folder.folder.name }, (w) => warnings.push(w));
      if (rendered.kind === 'file') {
        data = encoder.encode(rendered.text);
        beside = rendered.beside ?? [];
      } else if (rendered.kind === 'binary') data = rendered.bytes;
      else files = rendered.files;
    }
    const target = options.target
      ? vscode.Uri.parse(options.target)
      : await this.askTarget(folder, scope, scope === 'document' ? docs[0] : undefined, filter, info);
    const besideUris = beside.map((b) => ({ uri: target.with({ path: b.path(target.path) }), text: b.text }));
    this.refuseCollisions(
      data ? [target, ...besideUris.map((b) => b.uri)] : [...(files?.keys() ?? [])].map((rel) => vscode.Uri.joinPath(target, ...rel.split('/'))),
    );
    if (data) await writeAtomically(target, data);
    for (const b of besideUris) await writeAtomically(b.uri, encoder.encode(b.text));
    if (files) await this.writeFolder(target, files, info);
    for (const w of warnings) this.log.warn(w);
    const annotations = docs.reduce((n, d) => n + annotationsOf(d).length, 0);
    const what = `${plural(annotations, 'annotation')} of ${plural(docs.length, 'document')}`;
    this.log.info(`exported ${what} as ${info.label} to ${target.toString(true)}`);
    if (!options.target) {
      const where = vscode.workspace.asRelativePath(target);
      if (files) void vscode.window.showInformationMessage(`Exported ${what} as ${info.label} into the folder ${where}.`);
      else {
        void vscode.window.showInformationMessage(`Exported ${what} to ${where}.`, 'Open').then((c) => {
          if (c) void vscode.window.showTextDocument(target);
        });
      }
    }
    return { target, documents: docs.length, annotations };
  }

  /** The document a scope pick offers: the Corpus view node the command was run on, the view's selection, or the
   *  active editor's corpus document. */
  private selectedDocument(arg: unknown): { folder: FolderModel; doc: string } | undefined {
    const fromNode = docFromNode(arg) ?? docFromNode(this.treeView.selection[0]);
    if (fromNode) return fromNode;
    const editor = vscode.window.activeTextEditor;
    return editor && this.workspace.locate(editor.document.uri);
  }

  private async pickFormat(): Promise<ExportFormat> {
    const pick = await this.prompts.pick(
      formats().EXPORT_FORMATS.map((f) => ({ label: f.label, description: f.description, id: f.id })),
      { placeHolder: 'Export annotations in which format?' },
    );
    if (!pick) throw new Cancelled();
    return pick.id;
  }

  /** Asked every time, the whole corpus first: a selection in the tree never narrows an export silently. */
  private async pickScope(
    info: ExportFormatInfo,
    selected: { folder: FolderModel; doc: string } | undefined,
    filter: ShownFilter | undefined,
    shownByFilter: (a: Annotation) => boolean,
  ): Promise<ExportScope> {
    const folders = this.workspace.all();
    const one = folders.length === 1 ? folders[0] : undefined;
    const items: ScopeItem[] = [
      {
        label: '$(library) Whole corpus',
        description: one
          ? `${plural(one.count(), 'annotation')} in ${plural(one.documents().filter((d) => one.annotations(d).length > 0).length, 'document')}`
          : 'every annotated document of a folder',
        scope: 'corpus',
      },
    ];
    if (selected)
      items.push({
        label: `$(file) ${selected.doc}`,
        description: `this document only: ${plural(selected.folder.annotations(selected.doc).length, 'annotation')}`,
        scope: 'document',
      });
    if (filter) {
      const shown = one ? one.documents().reduce((n, d) => n + one.annotations(d).filter(shownByFilter).length, 0) : undefined;
      items.push({
        label: `$(filter) ${filterLabel(filter)}`,
        description: `the Corpus view's filter${shown === undefined ? '' : `: ${plural(shown, 'annotation')}`}`,
        scope: 'filter',
      });
    }
    const pick = await this.prompts.pick(items, { placeHolder: `Export which annotations as ${info.label}?` });
    if (!pick) throw new Cancelled();
    return pick.scope;
  }

  /** Refuses, before anything is written, files that would overwrite a sidecar, a snapshot (anything in the store)
   *  or a document of any open workspace folder. */
  private refuseCollisions(files: readonly vscode.Uri[]): void {
    for (const f of this.workspace.all()) {
      const base = f.folder.uri.path.replace(/\/$/, '') + '/';
      const inside = files
        .filter((u) => u.scheme === f.folder.uri.scheme && u.authority === f.folder.uri.authority && u.path.startsWith(base))
        .map((u) => u.path.slice(base.length));
      const problem = formats().exportCollision(inside, (rel) => f.isCorpus(rel) || f.annotations(rel).length > 0);
      if (problem) {
        const message = formats().exportCollisionMessage(problem);
        throw new UserFacingError(`${message.charAt(0).toUpperCase()}${message.slice(1)}.`);
      }
    }
  }

  private pickFolder(uri: string | undefined): Promise<FolderModel> {
    return pickFolder(
      this.workspace.all(),
      uri,
      (items, options) => this.prompts.pick(items, options),
      'Export the corpus of which folder?',
      'Open a folder with a corpus first.',
    );
  }

  /**
   * A file to write, or for brat a new folder, offered next to the workspace folder: outside the corpus, so the
   * export's copies of documents never become documents to annotate.
   */
  private async askTarget(
    folder: FolderModel,
    scope: ExportScope,
    doc: string | undefined,
    filter: ShownFilter | undefined,
    info: ExportFormatInfo,
  ): Promise<vscode.Uri> {
    const outside = vscode.Uri.joinPath(folder.folder.uri, '..');
    const stem = doc
      ? `${doc.split('/').pop()}.marginalia`
      : scope === 'filter' && filter
        ? `${folder.name}-${[...(filter.kinds ?? []), ...(filter.coders ?? [])].join('-').replace(/[^\p{L}\p{N}_.-]+/gu, '_')}`
        : `${folder.name}-annotations`;
    const name = info.extension === undefined ? `${stem}-${info.id}` : `${stem}.${info.extension}`;
    const target = await this.prompts.save({
      defaultUri: vscode.Uri.joinPath(outside, name),
      saveLabel: 'Export',
      title: info.extension === undefined ? `Export annotations as ${info.label} into a new folder` : `Export annotations as ${info.label}`,
    });
    if (!target) throw new Cancelled();
    return target;
  }

  /** A folder export (brat): into a new or empty folder or an earlier export's, its marker file first. */
  private async writeFolder(target: vscode.Uri, files: Map<string, string>, info: ExportFormatInfo): Promise<void> {
    const encoder = new TextEncoder();
    const present = await vscode.workspace.fs.stat(target).then(
      (s) => s,
      () => undefined,
    );
    if (present && !(present.type & vscode.FileType.Directory))
      throw new UserFacingError(`${target.fsPath} is a file; export ${info.label} into a new or empty folder.`);
    const names = present ? (await vscode.workspace.fs.readDirectory(target)).map(([n]) => n) : [];
    if (!formats().mayExportInto(names)) throw new UserFacingError(formats().exportFolderRefusal(target.fsPath));
    // Inside a workspace folder, its model hears of the export folder before the copies arrive.
    const inside = this.workspace.inFolder(target);
    if (inside) inside.folder.exportFolderMarked(inside.doc);
    await vscode.workspace.fs.createDirectory(target);
    for (const [rel, text] of files) await writeAtomically(vscode.Uri.joinPath(target, ...rel.split('/')), encoder.encode(text));
  }
}

/** A temporary sibling, then a rename: a reader never sees half an export. */
async function writeAtomically(target: vscode.Uri, data: Uint8Array): Promise<void> {
  const tmp = target.with({ path: `${target.path}.${Date.now().toString(36)}.tmp` });
  await vscode.workspace.fs.writeFile(tmp, data);
  await vscode.workspace.fs.rename(tmp, target, { overwrite: true });
}

/** The Corpus view's filters, as an export offers them. */
interface ShownFilter {
  kinds: ReadonlySet<string> | undefined;
  coders: ReadonlySet<string> | undefined;
}

function filterLabel(f: ShownFilter): string {
  const coders = f.coders && [...f.coders].map(coderLabel).join(', ');
  if (!f.kinds) return `Coders shown: ${coders}`;
  return `Kinds shown: ${[...f.kinds].join(', ')}${coders ? `; coders: ${coders}` : ''}`;
}

function exportOptions(arg: unknown): ExportOptions {
  return arg && typeof arg === 'object' && !('type' in arg) ? (arg as ExportOptions) : {};
}

/** The document of a Corpus view node: a document, or the kind, orphans or annotation under one. */
function docFromNode(arg: unknown): { folder: FolderModel; doc: string } | undefined {
  const n = arg as CorpusNode | undefined;
  if (!n || typeof n !== 'object' || !('type' in n) || !n.folder) return undefined;
  if (n.type === 'doc') return { folder: n.folder, doc: n.doc.doc };
  if (n.type === 'kind' || n.type === 'orphans' || n.type === 'annotation') return { folder: n.folder, doc: n.doc };
  return undefined;
}
