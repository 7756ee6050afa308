// Codebook commands: open it (created from the built-in kinds when missing), add a kind, rename a kind together
// with every annotation of that kind.
import * as vscode from 'vscode';
import { Disposable } from './lifecycle';
import { COMMANDS } from './commandIds';
import type { WorkspaceAnnotations } from './workspaceAnnotations';
import type { FolderModel } from './folderModel';
import { addKindToStore, renameKindEverywhere, CodebookEditError, CODEBOOK_PATH } from '../core/store';
import { aOrAn, plural } from '../core/model';
import { Cancelled } from './targets';
import { UserFacingError } from './commands';
import type { Logger } from './log';

export class CodebookCommands extends Disposable {
  constructor(
    private readonly workspace: WorkspaceAnnotations,
    private readonly log: Logger,
  ) {
    super();
    this._command(log, COMMANDS.openCodebook, (f?: unknown) => this.open(typeof f === 'string' ? f : undefined));
    this._command(log, COMMANDS.addKind, (o?: unknown) => this.add(o as Parameters<CodebookCommands['add']>[0]));
    this._command(log, COMMANDS.renameKind, (o?: unknown) => this.rename(o as Parameters<CodebookCommands['rename']>[0]));
  }

  async open(folderUri?: string): Promise<vscode.TextEditor> {
    const folder = await this.folder(folderUri);
    if ((await folder.fs.stat(CODEBOOK_PATH)) === undefined) {
      folder.assertWritable();
      await folder.store.saveCodebook(folder.codebook);
    }
    return vscode.window.showTextDocument(folder.uri(CODEBOOK_PATH));
  }

  async add(options?: { name?: string; description?: string; colour?: string; folder?: string }): Promise<string> {
    const folder = await this.folder(options?.folder);
    folder.assertWritable();
    const name = options?.name ?? (await this.ask('Name of the new kind', '', 'e.g. quote, source, event'));
    const description =
      options?.description ?? (options?.name ? '' : await this.ask(`What is ${aOrAn(name)}?`, '', 'A one-line description shown in hovers and the tree'));
    try {
      folder.codebook = await addKindToStore(folder.store, { name, description, colour: options?.colour });
    } catch (e) {
      if (e instanceof CodebookEditError) throw new UserFacingError(e.message);
      throw e;
    }
    this.log.info(`added kind ${name} to ${folder.name}`);
    await folder.loadCodebook();
    return name;
  }

  async rename(options?: { from?: string; to?: string; folder?: string }): Promise<{ annotations: number; documents: number }> {
    const folder = await this.folder(options?.folder);
    folder.assertWritable();
    const from =
      options?.from ??
      (await vscode.window.showQuickPick(
        folder.codebook.kinds.map((k) => k.name),
        { placeHolder: 'Rename which kind? Its annotations are rewritten too.' },
      ));
    if (!from) throw new Cancelled();
    const to = options?.to ?? (await this.ask(`Rename ${from} to`, from, 'New name'));
    let result;
    try {
      result = await renameKindEverywhere(folder.store, from, to, new Date());
    } catch (e) {
      if (e instanceof CodebookEditError) throw new UserFacingError(e.message);
      throw e;
    }
    await folder.load();
    // Documents open in editors keep their live positions; bring their kinds in line from the rewritten sidecars.
    for (const doc of folder.documents()) if (folder.liveDocument(doc)) await folder.sidecarChanged(doc);
    this.log.info(`renamed kind ${from} to ${to} in ${folder.name}: ${plural(result.annotations, 'annotation')} in ${plural(result.documents, 'document')}`);
    if (!options?.to)
      void vscode.window.showInformationMessage(
        `Renamed ${from} to ${to}: ${plural(result.annotations, 'annotation')} in ${plural(result.documents, 'document')} rewritten.`,
      );
    return { annotations: result.annotations, documents: result.documents };
  }

  private async folder(uri?: string): Promise<FolderModel> {
    const all = this.workspace.all();
    const named = uri && all.find((f) => f.folder.uri.toString() === uri);
    if (named) return named;
    const active = vscode.window.activeTextEditor && this.workspace.folderOf(vscode.window.activeTextEditor.document.uri);
    if (active) return active;
    if (all.length === 1) return all[0];
    if (all.length === 0) throw new UserFacingError('Open a folder first.');
    const pick = await vscode.window.showQuickPick(
      all.map((f) => ({ label: f.name, f })),
      { placeHolder: 'Which folder’s codebook?' },
    );
    if (!pick) throw new Cancelled();
    return pick.f;
  }

  private async ask(prompt: string, value: string, placeHolder: string): Promise<string> {
    const v = await vscode.window.showInputBox({ prompt, value, placeHolder });
    if (v === undefined) throw new Cancelled();
    return v.trim();
  }
}
