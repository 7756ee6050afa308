// Commands about coders: turning blind coding on or off for the workspace (the codebook, shared through git),
// switching it off or on again for oneself (workspace state, not shared), and comparing one's layer with another
// coder's. The context keys that show the matching menu entries follow the state.
import * as vscode from 'vscode';
import { codersOf, coderLabel, setBlindCoding } from '../core/store';
import { Disposable } from './lifecycle';
import { Cancelled, UserFacingError } from './commands';
import { COMMANDS, CONTEXT } from './commandIds';
import type { Logger } from './log';
import type { WorkspaceAnnotations } from './workspaceAnnotations';

/** What the prompts of these commands show: VS Code's own, or a test's. */
export interface CoderPrompts {
  pick<T extends vscode.QuickPickItem>(items: T[], options: vscode.QuickPickOptions): Thenable<T | undefined>;
}

const windowPrompts: CoderPrompts = { pick: (items, options) => vscode.window.showQuickPick(items, options) };

export class CoderCommands extends Disposable {
  private readonly keys = new Map<string, boolean>();

  constructor(
    private readonly workspace: WorkspaceAnnotations,
    log: Logger,
    /** Replaceable so tests can answer the prompts. */
    public prompts: CoderPrompts = windowPrompts,
  ) {
    super();
    this._command(log, COMMANDS.toggleBlind, (off?: unknown) => this.toggleBlind(typeof off === 'boolean' ? off : undefined));
    this._command(log, COMMANDS.setBlindCoding, (on?: unknown) => this.setBlindCoding(typeof on === 'boolean' ? on : undefined));
    this._command(log, COMMANDS.compareWithCoder, (coder?: unknown) =>
      this.compareWith(typeof coder === 'string' ? coder : coder === null || coder === false ? null : undefined),
    );
    this._register(workspace.onDidChange(() => this.updateContext()));
    this.updateContext();
  }

  /**
   * Switches blind coding off for this person (they see every coder's annotations), or on again; without an argument
   * it toggles. Only where a codebook asks for blind coding; nothing is written to the workspace.
   */
  async toggleBlind(off?: boolean): Promise<boolean> {
    const layers = this.workspace.layers;
    if (!this.workspace.all().some((f) => f.codebook.blind === true))
      throw new UserFacingError(
        'Blind coding is not on in this workspace, so every coder’s annotations are shown already. Turn it on for everyone with “Marginalia: Turn Blind Coding On or Off for the Workspace”.',
      );
    const next = off ?? !layers.blindSwitchedOff;
    await layers.setBlindSwitchedOff(next);
    void vscode.window.showInformationMessage(
      next
        ? 'Blind coding is off for you: you see every coder’s annotations. Run the command again to see only your own.'
        : `Blind coding is on for you again: you see only your own annotations (${coderLabel(layers.author)}).`,
    );
    return next;
  }

  /** Turns blind coding on or off for everyone, in the codebook of each workspace folder (asked when not given). */
  async setBlindCoding(on?: boolean): Promise<boolean> {
    const folders = this.workspace.all();
    if (folders.length === 0) throw new UserFacingError('Open a folder with a corpus first.');
    let choice = on;
    if (choice === undefined) {
      const now = folders.every((f) => f.codebook.blind === true);
      const pick = await this.prompts.pick(
        [
          { label: '$(eye-closed) Blind coding on', description: 'each coder sees only their own annotations', on: true, picked: now },
          { label: '$(eye) Blind coding off', description: 'everyone sees every coder’s annotations', on: false, picked: !now },
        ],
        { placeHolder: 'Blind coding for everyone who codes this workspace (saved in .marginalia/codebook.yaml, shared through git)' },
      );
      if (!pick) throw new Cancelled();
      choice = pick.on;
    }
    for (const f of folders) {
      f.assertWritable();
      if (f.codebookError)
        throw new UserFacingError(`${f.codebookError.message.replace(/[.\s]*$/, '')}. Fix the codebook first; blind coding was not changed.`);
    }
    for (const f of folders) {
      await setBlindCoding(f.store, choice);
      await f.loadCodebook();
    }
    this.workspace.layers.changed();
    void vscode.window.showInformationMessage(
      choice
        ? 'Blind coding is on: each coder sees only their own annotations. Commit .marginalia/codebook.yaml to share it.'
        : 'Blind coding is off: everyone sees every coder’s annotations. Commit .marginalia/codebook.yaml to share it.',
    );
    return choice;
  }

  /** Shows one other coder's layer beside one's own (dotted), or stops comparing (null); asked when not given. */
  async compareWith(coder?: string | null): Promise<string | undefined> {
    const layers = this.workspace.layers;
    let chosen = coder;
    if (chosen === undefined) {
      const others = this.coders().filter((c) => c !== layers.author);
      const current = layers.compare;
      const items: (vscode.QuickPickItem & { coder: string | null })[] = others.map((c) => ({
        label: coderLabel(c),
        description: c === current ? 'compared now' : undefined,
        coder: c,
      }));
      if (current !== undefined) items.unshift({ label: '$(close) Stop comparing', coder: null });
      if (items.length === 0) throw new UserFacingError('No other coder has annotated this workspace yet, so there is no layer to compare with.');
      const pick = await this.prompts.pick(items, { placeHolder: `Show which coder’s annotations beside yours (${coderLabel(layers.author)})?` });
      if (!pick) throw new Cancelled();
      chosen = pick.coder;
    }
    if (chosen !== null && chosen === layers.author) throw new UserFacingError(`${coderLabel(chosen)} is you: pick another coder to compare with.`);
    await layers.setCompare(chosen ?? undefined);
    return chosen ?? undefined;
  }

  /** Every coder of every folder, sorted. */
  private coders(): string[] {
    const all = new Set<string>();
    for (const f of this.workspace.all()) for (const c of codersOf(f.allAnnotations())) all.add(c);
    return [...all].sort();
  }

  private updateContext(): void {
    const folders = this.workspace.all();
    this.set(
      CONTEXT.blindConfigured,
      folders.some((f) => f.codebook.blind === true),
    );
    this.set(
      CONTEXT.blind,
      folders.some((f) => this.workspace.layers.isBlind(f)),
    );
    this.set(CONTEXT.comparing, this.workspace.layers.compare !== undefined);
  }

  private set(key: string, value: boolean): void {
    if (this.keys.get(key) === value) return;
    this.keys.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  }
}
