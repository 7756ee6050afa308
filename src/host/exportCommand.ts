// Export to YAML: the whole corpus of a folder, or the current document, to a file the person chooses.
import * as vscode from 'vscode';
import {
  writeExportYaml,
  type ExportInputDocument,
  EXPORT_FORMATS,
  exportCollision,
  exportCollisionMessage,
  exportFormat,
  renderExport,
  type ExportFormat,
  type ExportFormatInfo,
} from '../core/formats';
import { readDocument } from '../core/store';
import { plural } from '../core/model';
import type { WorkspaceAnnotations } from './workspaceAnnotations';
import type { FolderModel } from './folderModel';
import { Cancelled } from './targets';
import { UserFacingError } from './commands';
import type { Logger } from './log';

export interface ExportOptions {
  scope?: 'corpus' | 'document';
  /** yaml (default when a target is given), w3c, csv or brat; asked when absent and no target is given. */
  format?: ExportFormat;
  /** Target file (a URI string); asked with a save dialog when absent. */
  target?: string;
  /** Folder (a URI string) for a corpus export in a multi-root workspace. */
  folder?: string;
}

export interface ExportResult {
  target: vscode.Uri;
  documents: number;
  annotations: number;
}

export class ExportCommand {
  constructor(
    private readonly workspace: WorkspaceAnnotations,
    private readonly log: Logger,
  ) {}

  async run(arg?: unknown): Promise<ExportResult | undefined> {
    const options = exportOptions(arg);
    const editor = vscode.window.activeTextEditor;
    const here = editor && this.workspace.locate(editor.document.uri);
    const nodeDoc = docFromNode(arg);
    let scope = options.scope ?? (nodeDoc ? 'document' : undefined);
    if (!scope) {
      const items: (vscode.QuickPickItem & { scope: 'corpus' | 'document' })[] = [{ label: '$(library) Whole corpus', description: 'every annotated document of the folder', scope: 'corpus' }];
      if (here) items.unshift({ label: `$(file) ${here.doc}`, description: 'this document only', scope: 'document' });
      const pick = await vscode.window.showQuickPick(items, { placeHolder: 'Export which annotations as YAML?' });
      if (!pick) throw new Cancelled();
      scope = pick.scope;
    }
    let folder: FolderModel;
    let docs: string[];
    if (scope === 'document') {
      const at = nodeDoc ?? here;
      if (!at) throw new UserFacingError('Open the corpus document to export first.');
      folder = at.folder;
      docs = [at.doc];
    } else {
      folder = await this.pickFolder(options.folder ?? here?.folder.folder.uri.toString());
      docs = folder.documents().filter((d) => folder.annotations(d).length > 0);
    }
    const readText = async (doc: string): Promise<string | undefined> => folder.liveDocument(doc)?.text ?? (await readDocument(folder.fs, doc));
    const format = options.format ?? (options.target ? 'yaml' : await this.pickFormat());
    const info = exportFormat(format);
    if (!info) throw new UserFacingError(`Unknown export format "${format}" (formats: ${EXPORT_FORMATS.map((f) => f.id).join(', ')}).`);
    const warnings: string[] = [];
    const encoder = new TextEncoder();
    let data: Uint8Array | undefined;
    let files: Map<string, string> | undefined;
    if (format === 'yaml') {
      // Streamed: each text is read in its turn and the output kept as UTF-8 pieces, never every text and the whole
      // export as one string at once (hundreds of MB for a large corpus).
      const pieces: Uint8Array[] = [];
      await writeExportYaml({ documents: docs.map((doc) => ({ path: doc, annotations: folder.annotations(doc) })), readText }, (chunk) => void pieces.push(encoder.encode(chunk)));
      data = Buffer.concat(pieces);
    } else {
      const documents: ExportInputDocument[] = [];
      for (const doc of docs) documents.push({ path: doc, text: await readText(doc), annotations: folder.annotations(doc) });
      const rendered = renderExport(format, { documents, codebook: folder.codebook }, (w) => warnings.push(w));
      if (rendered.kind === 'file') data = encoder.encode(rendered.text);
      else files = rendered.files;
    }
    const target = options.target ? vscode.Uri.parse(options.target) : await this.askTarget(folder, scope === 'document' ? docs[0] : undefined, info);
    this.refuseCollisions(data ? [target] : [...(files?.keys() ?? [])].map((rel) => vscode.Uri.joinPath(target, ...rel.split('/'))));
    if (data) await writeAtomically(target, data);
    for (const [rel, text] of files ?? []) await writeAtomically(vscode.Uri.joinPath(target, ...rel.split('/')), encoder.encode(text));
    for (const w of warnings) this.log.warn(w);
    const annotations = docs.reduce((n, d) => n + folder.annotations(d).length, 0);
    this.log.info(`exported ${plural(annotations, 'annotation')} of ${plural(docs.length, 'document')} to ${target.toString(true)}`);
    if (!options.target) {
      void vscode.window.showInformationMessage(`Exported ${plural(annotations, 'annotation')} of ${plural(docs.length, 'document')} to ${vscode.workspace.asRelativePath(target)}.`, 'Open').then((c) => {
        if (c) void vscode.window.showTextDocument(target);
      });
    }
    return { target, documents: docs.length, annotations };
  }

  /** Refuses, before anything is written, files that would overwrite a sidecar, a snapshot (anything in the store)
   *  or a document of any open workspace folder. */
  private refuseCollisions(files: readonly vscode.Uri[]): void {
    for (const f of this.workspace.all()) {
      const base = f.folder.uri.path.replace(/\/$/, '') + '/';
      const inside = files.filter((u) => u.scheme === f.folder.uri.scheme && u.authority === f.folder.uri.authority && u.path.startsWith(base)).map((u) => u.path.slice(base.length));
      const problem = exportCollision(inside, (rel) => f.isCorpus(rel) || f.annotations(rel).length > 0);
      if (problem) {
        const message = exportCollisionMessage(problem);
        throw new UserFacingError(`${message.charAt(0).toUpperCase()}${message.slice(1)}.`);
      }
    }
  }

  private async pickFolder(uri: string | undefined): Promise<FolderModel> {
    const all = this.workspace.all();
    const named = uri && all.find((f) => f.folder.uri.toString() === uri);
    if (named) return named;
    if (all.length === 0) throw new UserFacingError('Open a folder with a corpus first.');
    if (all.length === 1) return all[0];
    const pick = await vscode.window.showQuickPick(all.map((f) => ({ label: f.name, description: `${f.count()} annotations`, f })), { placeHolder: 'Export the corpus of which folder?' });
    if (!pick) throw new Cancelled();
    return pick.f;
  }

  private async pickFormat(): Promise<ExportFormat> {
    const pick = await vscode.window.showQuickPick(
      EXPORT_FORMATS.map((f) => ({ label: f.label, description: f.description, id: f.id })),
      { placeHolder: 'Export in which format?' },
    );
    if (!pick) throw new Cancelled();
    return pick.id;
  }

  /** A file to write (one-file formats), or a folder (brat). */
  private async askTarget(folder: FolderModel, doc: string | undefined, info: ExportFormatInfo): Promise<vscode.Uri> {
    const extension = info.extension;
    if (extension === undefined) {
      const picked = await vscode.window.showOpenDialog({ defaultUri: folder.folder.uri, canSelectFolders: true, canSelectFiles: false, openLabel: 'Export Here', title: 'Export annotations as brat standoff into this folder' });
      if (!picked?.[0]) throw new Cancelled();
      return picked[0];
    }
    const name = doc ? `${doc.split('/').pop()}.marginalia.${extension}` : `marginalia-export.${extension}`;
    const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.joinPath(folder.folder.uri, name), saveLabel: 'Export', title: `Export annotations as ${info.label}` });
    if (!target) throw new Cancelled();
    return target;
  }
}

/** A temporary sibling, then a rename: a reader never sees half an export. */
async function writeAtomically(target: vscode.Uri, data: Uint8Array): Promise<void> {
  const tmp = target.with({ path: `${target.path}.${Date.now().toString(36)}.tmp` });
  await vscode.workspace.fs.writeFile(tmp, data);
  await vscode.workspace.fs.rename(tmp, target, { overwrite: true });
}

function exportOptions(arg: unknown): ExportOptions {
  return arg && typeof arg === 'object' && !('type' in arg) ? (arg as ExportOptions) : {};
}

function docFromNode(arg: unknown): { folder: FolderModel; doc: string } | undefined {
  const n = arg as { type?: string; folder?: FolderModel; doc?: { doc: string } } | undefined;
  return n?.type === 'doc' && n.folder && n.doc ? { folder: n.folder, doc: n.doc.doc } : undefined;
}
