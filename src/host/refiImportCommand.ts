// Import REFI-QDA Project…: a .qdpx project (or .qdc codebook) from NVivo, MAXQDA, ATLAS.ti, QualCoder into a workspace
// folder. The texts become documents in a folder the person names (the project's name by default), the codes kinds,
// the codings annotations on the passages the other tool coded. All is checked before the first write (core/formats).
import * as vscode from 'vscode';
import { Disposable } from './lifecycle';
import { COMMANDS } from './commandIds';
import { pickFolder } from './folderPick';
import { formats } from './coreChunks';
import type { RefiImportPlan } from '../core/formats';
import { PathError, plural, toRelPath } from '../core/model';
import { SidecarError } from '../core/store';
import type { WorkspaceAnnotations } from './workspaceAnnotations';
import type { FolderModel } from './folderModel';
import { Cancelled, UserFacingError } from './commands';
import { authorName } from './settings';
import type { Logger } from './log';

export interface RefiImportOptions {
  /** The .qdpx or .qdc file (a URI string); asked with an open dialog when absent. */
  file?: string;
  /** The workspace folder (a URI string), in a multi-root workspace. */
  folder?: string;
  /** Where the documents go, relative to the workspace folder ('.' for the folder itself); asked when absent. */
  to?: string;
}

export interface RefiImportResult {
  documents: string[];
  created: number;
  annotations: number;
  newKinds: string[];
  compared: number;
  exact: number;
  skipped: string[];
}

/** The prompts the import shows: VS Code's own, or a test's. */
export interface RefiImportPrompts {
  open(options: vscode.OpenDialogOptions): Thenable<vscode.Uri[] | undefined>;
  input(options: vscode.InputBoxOptions): Thenable<string | undefined>;
  pick<T extends vscode.QuickPickItem>(items: T[], options: vscode.QuickPickOptions): Thenable<T | undefined>;
}

const windowPrompts: RefiImportPrompts = {
  open: (options) => vscode.window.showOpenDialog(options),
  input: (options) => vscode.window.showInputBox(options),
  pick: (items, options) => vscode.window.showQuickPick(items, options),
};

export class RefiImportCommand extends Disposable {
  constructor(
    private readonly workspace: WorkspaceAnnotations,
    private readonly log: Logger,
    /** Replaceable so tests can answer the prompts. */
    public prompts: RefiImportPrompts = windowPrompts,
  ) {
    super();
    this._command(log, COMMANDS.importRefiQda, (arg?: unknown) => this.run(arg as RefiImportOptions | undefined));
  }

  async run(options: RefiImportOptions = {}): Promise<RefiImportResult | undefined> {
    const folder = await this.pickFolder(options.folder);
    folder.assertWritable();
    const file = options.file
      ? vscode.Uri.parse(options.file)
      : (
          await this.prompts.open({
            canSelectMany: false,
            openLabel: 'Import',
            title: 'Import a REFI-QDA project or codebook',
            filters: { 'REFI-QDA project or codebook': ['qdpx', 'qdc'] },
          })
        )?.[0];
    if (!file) throw new Cancelled();
    const name = file.path.slice(file.path.lastIndexOf('/') + 1);
    const bytes = await vscode.workspace.fs.readFile(file).then(
      (b) => b,
      (e: Error) => {
        throw new UserFacingError(`Cannot read ${name}: ${e.message}`);
      },
    );
    // A plainTextPath outside the archive is read beside the project file, never above it.
    const base = vscode.Uri.joinPath(file, '..');
    const readExternal = async (rel: string): Promise<Uint8Array | undefined> => {
      if (rel.split('/').some((p) => p === '..') || rel.startsWith('/')) return undefined;
      return vscode.workspace.fs.readFile(vscode.Uri.joinPath(base, ...rel.split('/'))).then(
        (b) => b,
        () => undefined,
      );
    };
    let project;
    try {
      project = await formats().readRefiQda(bytes, name, readExternal);
    } catch (e) {
      if (e instanceof formats().ExportFormatError) throw new UserFacingError(`${e.message}. Nothing was imported.`);
      throw e;
    }
    const to =
      options.to ??
      (project.type === 'codebook'
        ? '.'
        : await this.prompts.input({
            title: `Import ${project.name}`,
            prompt: `The folder for its ${plural(project.sources.length, 'text')}, inside ${folder.name} (. for ${folder.name} itself)`,
            value: formats().projectFolder(project.name),
          }));
    if (to === undefined || to.trim() === '') throw new Cancelled();
    let dir: string;
    try {
      dir = to.trim() === '.' ? '' : toRelPath(to.trim());
    } catch (e) {
      if (e instanceof PathError) throw new UserFacingError(`${to}: ${e.message}. Name a folder inside ${folder.name}; nothing was imported.`);
      throw e;
    }
    const imp = formats().buildRefiImport(project, { dir, codebook: await folder.store.loadCodebook(), author: authorName(), now: new Date() });
    let plan: RefiImportPlan;
    try {
      plan = await formats().planRefiImport(
        folder.store,
        imp,
        async (rel) => {
          if (!folder.isCorpusPath(rel))
            throw new (formats().ImportError)(
              `${rel} would not be a corpus document of ${folder.name} (see the marginalia.corpus.include setting); import into another folder`,
            );
          await folder.fs.refuseLinks(rel);
        },
        async () => folder.corpus,
      );
    } catch (e) {
      if (e instanceof formats().ImportError || e instanceof SidecarError || e instanceof PathError)
        throw new UserFacingError(`${name}: ${e.message}. Nothing was imported.`);
      throw e;
    }
    await formats().applyRefiImport(folder.store, plan);
    await folder.load();
    for (const s of imp.skipped) this.log.warn(`${name}: not imported: ${s}`);
    const result: RefiImportResult = {
      documents: plan.plan.documents.map((p) => p.doc),
      created: plan.create.length,
      annotations: imp.annotations,
      newKinds: imp.newKinds,
      compared: imp.compared,
      exact: imp.exact,
      skipped: imp.skipped,
    };
    const summary =
      `Imported ${project.name}${project.origin ? ` (from ${project.origin})` : ''}: ${plural(plan.create.length, 'new document')}, ` +
      `${plural(imp.annotations, 'annotation')}, ${plural(imp.newKinds.length, 'new kind')}` +
      (imp.compared > 0 ? `; ${imp.exact} of ${imp.compared} selections are exactly the passage their text names` : '') +
      '.';
    this.log.info(summary);
    if (options.file === undefined) {
      if (imp.skipped.length > 0)
        void vscode.window
          .showWarningMessage(`${summary} ${plural(imp.skipped.length, 'item')} could not be carried (listed in the Marginalia log).`, 'Show Log')
          .then((c) => {
            if (c) void vscode.commands.executeCommand(COMMANDS.showLog);
          });
      else void vscode.window.showInformationMessage(summary);
    }
    return result;
  }

  private pickFolder(uri: string | undefined): Promise<FolderModel> {
    return pickFolder(
      this.workspace.all(),
      uri,
      (items, options) => this.prompts.pick(items, options),
      'Import into which folder?',
      'Open a folder first: a REFI-QDA project is imported into a workspace folder.',
    );
  }
}
