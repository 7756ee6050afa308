// Suggestions: candidate figures and entities in the current document, each offered once (its first mention drawn as
// a faint dotted underline, its other mentions grouped under it), accepted or rejected from its hover or one by one in
// a review. Nothing is stored until accepted. This file, in the extension bundle, owns the commands, the listeners and
// the hover provider; the workings are src/host/suggestionSessions.ts, a chunk of its own (dist/suggestions.js)
// required at the first Suggest (or a suggestion command), with what they run of the core and the host as parameters.
// Until then no document has suggestions, so the listeners and the hover have nothing to do.
import * as vscode from 'vscode';
import { Disposable } from './lifecycle';
import type { Suggestion } from '../core/research';
import { research } from './coreChunks';
import { EditTracker } from '../core/anchoring';
import { createAnnotation, plural } from '../core/model';
import type { WorkspaceAnnotations } from './workspaceAnnotations';
import { UserFacingError } from './commands';
import { COMMANDS, CONTEXT } from './commandIds';
import { authorName } from './settings';
import type { Logger } from './log';
import type * as Chunk from './suggestionSessions';

export type { AcceptScope, Offer, ReviewChoice } from './suggestionSessions';

let chunk: typeof Chunk | undefined;

/** The suggestions chunk, loaded once (esbuild.mjs turns this require into one of dist/suggestions.js). */
function suggestionsChunk(): typeof Chunk {
  return (chunk ??= require('./suggestionSessions') as typeof Chunk);
}

export class Suggestions extends Disposable implements vscode.HoverProvider {
  private impl: Chunk.SuggestionSessions | undefined;
  private readonly asking = this._register(new vscode.EventEmitter<Chunk.Offer>());
  /** Fires when a review's question about a candidate is on screen. */
  readonly onDidAsk = this.asking.event;

  constructor(
    private readonly workspace: WorkspaceAnnotations,
    private readonly log: Logger,
  ) {
    super();
    this._registerAll([
      vscode.workspace.onDidChangeTextDocument((e) => this.impl?.follow(e)),
      vscode.window.onDidChangeVisibleTextEditors(() => this.impl?.drawAll()),
      vscode.window.onDidChangeTextEditorSelection(() => this.impl?.updateContext()),
      vscode.window.onDidChangeActiveTextEditor(() => this.impl?.updateContext()),
      vscode.workspace.onDidCloseTextDocument((d) => this.impl?.close(d)),
      vscode.languages.registerHoverProvider({ pattern: '**/*' }, this),
    ]);
    const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
    const active = (): string | undefined => vscode.window.activeTextEditor?.document.uri.toString();
    this._command(log, COMMANDS.suggest, () => this.run());
    this._command(log, COMMANDS.acceptSuggestion, (uri?: unknown, id?: unknown, scope?: unknown) =>
      this.accept(str(uri), str(id), scope === 'all' ? 'all' : 'one'),
    );
    this._command(log, COMMANDS.reviewSuggestions, (uri?: unknown) => this.review(str(uri)));
    this._command(log, COMMANDS.rejectSuggestion, (uri?: unknown, id?: unknown) => this.reject(str(uri), str(id)));
    this._command(log, COMMANDS.acceptAllSuggestions, () => this.accept(active()));
    this._command(log, COMMANDS.clearSuggestions, () => this.reject(active()));
  }

  /** The workings, loaded at their first use. */
  private get sessions(): Chunk.SuggestionSessions {
    if (!this.impl) {
      const { suggest, groupSuggestions } = research();
      this.impl = this._register(
        new (suggestionsChunk().SuggestionSessions)(
          this.workspace,
          this.log,
          { suggest, groupSuggestions, EditTracker, createAnnotation, plural, UserFacingError, authorName, commands: COMMANDS, context: CONTEXT },
          (offer) => this.asking.fire(offer),
        ),
      );
    }
    return this.impl;
  }

  /** Whether the chunk is loaded (for tests). */
  get loaded(): boolean {
    return this.impl !== undefined;
  }

  /** Computes the suggestions for the active document and shows them; returns the candidates offered (for tests). */
  run(): Promise<Suggestion[]> {
    return this.sessions.run();
  }

  /** The candidates still offered in a document, in document order, with their current positions. */
  pending(uri: vscode.Uri): Chunk.Offer[] {
    return this.impl?.pending(uri) ?? [];
  }

  /**
   * Accepts candidates: the one given (from its hover or a review), those under the cursor (from the palette), or
   * all (Accept All). `scope` 'all' also tags the candidate's other mentions; Accept All always does.
   */
  accept(uri?: string, id?: string, scope: Chunk.AcceptScope = 'one'): Promise<number> {
    return this.sessions.accept(uri, id, scope);
  }

  reject(uri?: string, id?: string): number {
    return this.sessions.reject(uri, id);
  }

  /**
   * Walks through the candidates of a document in order: each is selected in the editor and offered to accept (this
   * mention or all of them), reject or skip. Escape stops the review and leaves the rest offered.
   */
  review(uri?: string): Promise<{ accepted: number; rejected: number; skipped: number }> {
    return this.sessions.review(uri);
  }

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    return this.impl?.provideHover(document, position);
  }
}
