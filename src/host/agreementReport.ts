// The "Agreement Report" command. The report itself (its figures, webview and CSV export) is src/host/reportPanel.ts,
// bundled as a chunk of its own (dist/report.js) and required here at its first use, so activation does not load it.
// What the chunk needs of the core (the figures of dist/research.js, reading a document, the CSV record format of
// dist/formats.js) it gets as parameters.
import * as vscode from 'vscode';
import { codersOf, readDocument } from '../core/store';
import { formats, research } from './coreChunks';
import { Disposable } from './lifecycle';
import { Cancelled, UserFacingError } from './commands';
import { COMMANDS } from './commandIds';
import type { FolderModel } from './folderModel';
import type { Logger } from './log';
import type { WorkspaceAnnotations } from './workspaceAnnotations';
import type * as Report from './reportPanel';

/** What the report asks: the folder (several open), where to save a CSV. Tests replace them. */
export interface ReportCommandPrompts extends Report.ReportPrompts {
  pick<T extends vscode.QuickPickItem>(items: T[], options: vscode.QuickPickOptions): Thenable<T | undefined>;
}

const windowPrompts: ReportCommandPrompts = {
  pick: (items, options) => vscode.window.showQuickPick(items, options),
  save: (options) => vscode.window.showSaveDialog(options),
};

let chunk: typeof Report | undefined;

/** The report chunk, loaded once (esbuild.mjs turns this require into one of dist/report.js). */
function reportChunk(): typeof Report {
  return (chunk ??= require('./reportPanel') as typeof Report);
}

export class AgreementReportCommand extends Disposable {
  /** The open report panels, by folder. */
  readonly panels = new Map<FolderModel, Report.ReportPanel>();

  constructor(
    private readonly workspace: WorkspaceAnnotations,
    private readonly log: Logger,
    /** Replaceable so tests can answer the prompts. */
    public prompts: ReportCommandPrompts = windowPrompts,
  ) {
    super();
    this._command(log, COMMANDS.agreementReport, () => this.show());
  }

  /** Opens (or brings forward and refreshes) the report of a folder; asks which when several have two coders. */
  async show(folder?: FolderModel): Promise<Report.ReportPanel> {
    await this.workspace.ready;
    const target = folder ?? (await this.pickFolder());
    const mod = reportChunk();
    // The figures and the CSV writer live in chunks of their own too (dist/research.js, dist/formats.js).
    const { computeAgreement, codeFrequencies, kindCooccurrence } = research();
    const { formatCsvRecord, guardFormula } = formats();
    let panel = this.panels.get(target);
    if (!panel) {
      panel = new mod.ReportPanel(
        target,
        {
          computeAgreement,
          codeFrequencies,
          kindCooccurrence,
          readDocument,
          formatCsvRecord,
          guardFormula,
          problem: (message) => new UserFacingError(message),
          log: this.log,
        },
        () => this.prompts,
        this.workspace.onDidChange,
      );
      const created = panel;
      this.panels.set(target, created);
      created.panel.onDidDispose(() => this.panels.delete(target));
      try {
        await created.refresh();
      } catch (e) {
        created.dispose();
        throw e;
      }
    } else {
      panel.panel.reveal();
      await panel.refresh();
    }
    return panel;
  }

  private async pickFolder(): Promise<FolderModel> {
    const folders = this.workspace.all();
    if (folders.length === 0) throw new UserFacingError('Open a folder with a corpus first.');
    const withCoders = folders.filter((f) => codersOf(f.allAnnotations()).length >= 2);
    const choices = withCoders.length > 0 ? withCoders : folders;
    if (choices.length === 1) return choices[0];
    const pick = await this.prompts.pick(
      choices.map((f) => ({ label: f.name, description: codersOf(f.allAnnotations()).join(', '), folder: f })),
      { placeHolder: 'The agreement of the coders of which folder?' },
    );
    if (!pick) throw new Cancelled();
    return pick.folder;
  }

  override dispose(): void {
    for (const p of [...this.panels.values()]) p.dispose();
    super.dispose();
  }
}
