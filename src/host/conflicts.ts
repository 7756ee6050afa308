// Sidecars with git conflict markers: reported in the Corpus view and by a notification that offers to resolve them
// by keeping both sides (the core's resolveConflictMarkers, as `marginalia resolve` does from the markers).
import * as vscode from 'vscode';
import { Disposable } from './lifecycle';
import { describeMerge, resolveConflictMarkers, decodeSidecarBytes, docForSidecarPath } from '../core/store';
import { findConflictMarker } from '../core/yaml';
import { plural } from '../core/model';
import type { FolderModel } from './folderModel';
import type { WorkspaceAnnotations } from './workspaceAnnotations';
import { UserFacingError } from './commands';
import type { Logger } from './log';
import { COMMANDS, CONTEXT } from './commandIds';

export const RESOLVE_ACTION = 'Resolve (keep both sides)';

export interface ConflictedSidecar {
  folder: FolderModel;
  /** Workspace-relative path of the sidecar. */
  file: string;
  line?: number;
}

export interface ResolvedSidecar {
  file: string;
  document: string;
  annotations: number;
  summary: string;
}

export class ConflictResolver extends Disposable {
  /** Conflicts already announced (folder uri + file), so a reload does not repeat the notification. */
  private readonly announced = new Set<string>();
  private any = false;

  constructor(
    private readonly workspace: WorkspaceAnnotations,
    private readonly log: Logger,
  ) {
    super();
    this._register(workspace.onDidChange(() => this.announce()));
    this._command(log, COMMANDS.resolveConflict, (...args: unknown[]) => this.resolve(args));
  }

  /** Every sidecar of the workspace that failed to load because of conflict markers. */
  conflicted(): ConflictedSidecar[] {
    return this.workspace.all().flatMap((folder) => folder.errors.filter((e) => e.code === 'conflict').map((e) => ({ folder, file: e.file, line: e.line })));
  }

  /**
   * Resolves the sidecar named by the arguments (a Corpus view error node, or a folder uri and a sidecar path), or,
   * without arguments, every conflicted sidecar of the workspace. Returns what was written.
   */
  async resolve(args: unknown[]): Promise<ResolvedSidecar[]> {
    const targets = this.targets(args);
    if (targets.length === 0) {
      void vscode.window.showInformationMessage('No sidecar has git conflict markers.');
      return [];
    }
    const done: ResolvedSidecar[] = [];
    for (const t of targets) done.push(await this.resolveOne(t.folder, t.file));
    const what = done.length === 1 ? `${done[0].file}: ${done[0].summary}` : `${plural(done.length, 'sidecar')} (${done.map((d) => d.file).join(', ')})`;
    void vscode.window.showInformationMessage(`Resolved ${what}, keeping both sides. Check it, then \`git add\` it to mark the conflict resolved.`);
    return done;
  }

  private targets(args: unknown[]): ConflictedSidecar[] {
    const [a0, a1] = args;
    if (a0 && typeof a0 === 'object' && (a0 as { type?: unknown }).type === 'error') {
      const n = a0 as { folder: FolderModel; file: string; line?: number };
      return [{ folder: n.folder, file: n.file, line: n.line }];
    }
    if (typeof a0 === 'string' && typeof a1 === 'string') {
      const folder = this.workspace.all().find((f) => f.folder.uri.toString() === a0);
      if (!folder) throw new UserFacingError(`The workspace folder ${a0} is no longer open.`);
      return [{ folder, file: a1 }];
    }
    return this.conflicted();
  }

  private async resolveOne(folder: FolderModel, file: string): Promise<ResolvedSidecar> {
    folder.assertWritable();
    const doc = docForSidecarPath(file);
    if (doc === undefined) throw new UserFacingError(`${file} is not a sidecar (they live in .marginalia/annotations and end in .yaml).`);
    const bytes = await folder.fs.read(file);
    if (bytes === undefined) throw new UserFacingError(`${file} is gone; there is nothing to resolve.`);
    const text = decodeSidecarBytes(bytes, file);
    if (findConflictMarker(text) === undefined) throw new UserFacingError(`${file} has no git conflict markers; it was left as it is.`);
    // Throws SidecarError (shown as it is: file, line, what to do) when the markers are malformed or a side is broken.
    const result = resolveConflictMarkers(text, file);
    await folder.store.saveDoc(result.report.document, result.annotations, { overwriteBroken: true });
    await folder.sidecarChanged(result.report.document);
    const summary = describeMerge(result.report);
    this.log.info(`resolved ${file} from its conflict markers: ${summary}`);
    return { file, document: result.report.document, annotations: result.annotations.length, summary };
  }

  /** Offers, once per conflict, to resolve a sidecar that has just been found with conflict markers. */
  private announce(): void {
    const now = this.conflicted();
    const keys = new Set(now.map((c) => key(c)));
    if (now.length > 0 !== this.any) {
      this.any = now.length > 0;
      void vscode.commands.executeCommand('setContext', CONTEXT.hasConflicts, this.any);
    }
    for (const k of this.announced) if (!keys.has(k)) this.announced.delete(k);
    for (const c of now) {
      const k = key(c);
      if (this.announced.has(k)) continue;
      this.announced.add(k);
      const message = `${c.file} has git conflict markers${c.line ? ` (line ${c.line})` : ''}, so its annotations are not loaded; the file is left untouched. Marginalia can resolve it by keeping the annotations of both sides.`;
      this.log.warn(`offered "${RESOLVE_ACTION}": ${message}`);
      void vscode.window.showWarningMessage(message, RESOLVE_ACTION, 'Open File').then((choice) => {
        if (choice === RESOLVE_ACTION) void vscode.commands.executeCommand(COMMANDS.resolveConflict, c.folder.folder.uri.toString(), c.file);
        if (choice === 'Open File')
          void vscode.window.showTextDocument(c.folder.uri(c.file), {
            selection: new vscode.Range(Math.max(0, (c.line ?? 1) - 1), 0, Math.max(0, (c.line ?? 1) - 1), 0),
          });
      });
    }
  }
}

function key(c: ConflictedSidecar): string {
  return `${c.folder.folder.uri.toString()}#${c.file}`;
}
