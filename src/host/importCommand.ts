// Import Annotations…: a Marginalia export (YAML, W3C JSON-LD or CSV) brought back into a workspace folder with the
// import of the CLI (src/core/formats/importPlan.ts): every document checked, placed, re-anchored, merged by
// `modified` and sized before the first write, so an import is all or nothing; a YAML export is read a document at a
// time. What was kept from each side is shown, and written to the log document by document.
import * as vscode from 'vscode';
import { Disposable } from './lifecycle';
import { COMMANDS } from './commandIds';
import { pickFolder } from './folderPick';
import { formats } from './coreChunks';
import type { ExportedDocument, ImportSummary } from '../core/formats';
import { NotCorpusError, NotTextError, SidecarError, listCorpus, readDocument } from '../core/store';
import { PathError, UserError, plural } from '../core/model';
import { readRegularFile, readRegularFileChunks } from '../node';
import type { WorkspaceAnnotations } from './workspaceAnnotations';
import type { FolderModel } from './folderModel';
import { Cancelled, UserFacingError } from './commands';
import type { Logger } from './log';

export interface ImportOptions {
  /** The file to import (a URI string); asked with an open dialog when absent. */
  file?: string;
  /** The workspace folder to import into (a URI string); asked in a multi-root workspace when absent. */
  folder?: string;
}

export interface ImportResult {
  file: vscode.Uri;
  documents: ImportSummary[];
}

/** The prompts an import shows: VS Code's own, or a test's. */
export interface ImportPrompts {
  pick<T extends vscode.QuickPickItem>(items: T[], options: vscode.QuickPickOptions): Thenable<T | undefined>;
  open(options: vscode.OpenDialogOptions): Thenable<vscode.Uri[] | undefined>;
}

const windowPrompts: ImportPrompts = {
  pick: (items, options) => vscode.window.showQuickPick(items, options),
  open: (options) => vscode.window.showOpenDialog(options),
};

const FORMATS: Record<string, 'yaml' | 'w3c' | 'csv'> = { '.yaml': 'yaml', '.yml': 'yaml', '.json': 'w3c', '.jsonld': 'w3c', '.csv': 'csv' };
const READS = 'a Marginalia YAML export (.yaml, .yml), a W3C JSON-LD collection (.jsonld, .json) or a Marginalia CSV export (.csv)';

export class ImportCommand extends Disposable {
  constructor(
    private readonly workspace: WorkspaceAnnotations,
    private readonly log: Logger,
    /** Replaceable so tests can answer the prompts. */
    public prompts: ImportPrompts = windowPrompts,
  ) {
    super();
    this._command(log, COMMANDS.import, (arg?: unknown) => this.run(arg));
  }

  async run(arg?: unknown): Promise<ImportResult> {
    const options: ImportOptions = arg && typeof arg === 'object' && !('type' in arg) ? (arg as ImportOptions) : {};
    const folder = await this.pickFolder(options.folder);
    folder.assertWritable();
    const file = options.file ? vscode.Uri.parse(options.file) : await this.pickFile(folder);
    const shown = file.scheme === 'file' ? file.fsPath : file.toString(true);
    const name = file.path.split('/').pop() ?? shown;
    const ext = /\.[^./]*$/.exec(name)?.[0].toLowerCase() ?? '';
    const format = FORMATS[ext];
    if (!format) throw new UserFacingError(`Marginalia cannot import ${shown}: it imports ${READS}. Make one with Export Annotations.`);

    // Every document is checked before anything is written: no corpus document path (.git/config, .env: their text
    // would be copied into quotes), or a path through a symbolic link, stops the whole import.
    const vet = async (d: { path: string }): Promise<void> => {
      try {
        folder.assertCorpusPath(d.path);
        await folder.fs.refuseLinks(d.path);
      } catch (e) {
        if (!(e instanceof NotCorpusError || e instanceof PathError)) throw e;
        throw new UserFacingError(`${shown}: document ${d.path} is refused: ${e.message}; nothing was imported.`);
      }
    };
    const corpus = (): Promise<string[]> => listCorpus(folder.fs);
    const planned = <T>(plan: () => Promise<T>): Promise<T> =>
      plan().catch((e: unknown) => {
        if (e instanceof UserFacingError || e instanceof Cancelled) throw e;
        if (e instanceof formats().ExportFormatError) throw new UserFacingError(e.message);
        if (e instanceof formats().ImportError || e instanceof SidecarError || e instanceof NotTextError || e instanceof PathError || e instanceof UserError) {
          throw new UserFacingError(`${shown}: ${e.message}; nothing was imported.`);
        }
        throw e;
      });

    let documents: ImportSummary[];
    if (format === 'yaml') {
      const source = new (formats().YamlExportSource)(() => this.chunks(file, shown), shown);
      const plan = await planned(() => formats().planImportStream(folder.store, source, corpus, vet));
      await formats()
        .applyImportStream(folder.store, plan, source)
        .catch((e: unknown) => {
          throw e instanceof formats().ImportError ? new UserFacingError(`${shown}: ${e.message}`) : e;
        });
      documents = plan.documents;
    } else {
      const text = (await this.readWhole(file, shown, false))!;
      const imported = await planned(async (): Promise<ExportedDocument[]> => {
        if (format === 'csv') {
          const docs = formats().parseCsv(text, shown);
          const beside = file.with({ path: formats().csvRelationsPath(file.path) });
          const relations = await this.readWhole(beside, formats().csvRelationsPath(shown), true);
          return relations === undefined ? docs : formats().parseCsvRelations(relations, formats().csvRelationsPath(shown), docs);
        }
        // W3C positions count code points: converting them back needs each document's text.
        const texts = new Map<string, string | undefined>();
        for (const doc of await corpus()) texts.set(doc, await readDocument(folder.fs, doc).catch(() => undefined));
        return formats().parseW3c(text, shown, { textFor: (p) => texts.get(p) });
      });
      for (const d of imported) await vet(d);
      const plan = await planned(() => formats().planImport(folder.store, imported, corpus));
      await formats().applyImport(folder.store, plan);
      documents = plan.documents.map(formats().summariseImport);
    }
    // The folder model hears of each sidecar the import wrote now, not when the file watcher gets round to it.
    for (const d of documents) if (d.written > 0 || d.linked > 0) await folder.sidecarChanged(d.doc);
    this.report(shown, name, documents);
    return { file, documents };
  }

  /** The summary: one message for the person, and a line per document in the log. */
  private report(shown: string, name: string, documents: readonly ImportSummary[]): void {
    const sum = (f: (d: ImportSummary) => number): number => documents.reduce((n, d) => n + f(d), 0);
    for (const d of documents) {
      if (!d.present && d.written > 0)
        this.log.warn(`${d.doc} is not in this workspace; its ${plural(d.written, 'annotation')} ${d.written === 1 ? 'is' : 'are'} kept as orphans`);
      this.log.info(`  ${formats().describeImport(d)}`);
    }
    const orphaned = sum((d) => d.orphaned);
    const message =
      `Imported ${plural(
        sum((d) => d.annotations),
        'annotation',
      )} of ${plural(documents.length, 'document')} from ${name}` +
      `${orphaned ? ` (${orphaned} orphaned)` : ''}: ${sum((d) => d.added)} added, ${sum((d) => d.newerImported)} replaced by the newer imported version, ` +
      `${sum((d) => d.keptHere)} kept as stored here (the same or newer).`;
    this.log.info(`${message} (${shown})`);
    void vscode.window.showInformationMessage(message);
  }

  /** The file in pieces: a local one opened without waiting and refused unless it is a regular file (a FIFO would
   *  block the extension host), another through workspace.fs. */
  private async *chunks(file: vscode.Uri, shown: string): AsyncGenerator<string> {
    if (file.scheme !== 'file') {
      yield (await this.readWhole(file, shown, false))!;
      return;
    }
    try {
      yield* readRegularFileChunks(file.fsPath);
    } catch (e) {
      throw readError(e, shown);
    }
  }

  /** The whole file as text; undefined when it does not exist and `missingOk`. */
  private async readWhole(file: vscode.Uri, shown: string, missingOk: boolean): Promise<string | undefined> {
    try {
      const bytes = file.scheme === 'file' ? await readRegularFile(file.fsPath) : await vscode.workspace.fs.readFile(file);
      return new TextDecoder().decode(bytes).replace(/^\uFEFF/, '');
    } catch (e) {
      const missing = (e as NodeJS.ErrnoException).code === 'ENOENT' || (e instanceof vscode.FileSystemError && e.code === 'FileNotFound');
      if (missing && missingOk) return undefined;
      throw readError(e, shown);
    }
  }

  private pickFolder(uri: string | undefined): Promise<FolderModel> {
    return pickFolder(
      this.workspace.all(),
      uri,
      (items, options) => this.prompts.pick(items, options),
      'Import into which folder?',
      'Open a folder with a corpus first.',
    );
  }

  private async pickFile(folder: FolderModel): Promise<vscode.Uri> {
    const picked = await this.prompts.open({
      canSelectMany: false,
      canSelectFolders: false,
      defaultUri: vscode.Uri.joinPath(folder.folder.uri, '..'),
      openLabel: 'Import',
      title: `Import annotations into ${folder.name}`,
      filters: { 'Marginalia exports': ['yaml', 'yml', 'jsonld', 'json', 'csv'] },
    });
    if (!picked || picked.length === 0) throw new Cancelled();
    return picked[0];
  }
}

/** A file that cannot be read, as a plain message naming it. */
function readError(e: unknown, shown: string): Error {
  if (e instanceof UserError) return new UserFacingError(e.message);
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === 'EISDIR'
      ? 'it is a folder; pick a file'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied; make it readable'
        : code === 'ENOENT'
          ? 'it does not exist'
          : (e as Error).message;
  return new UserFacingError(`Cannot read ${shown}: ${why}.`);
}
