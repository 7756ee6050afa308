// Finding annotations: a quick pick over all of them (quote, note, kind, attributes such as an entity's canonical
// name), next/previous annotation in the editor, and the Corpus view's filters by kind and by coder.
import * as vscode from 'vscode';
import { Disposable } from './lifecycle';
import type { Logger } from './log';
import type { WorkspaceAnnotations } from './workspaceAnnotations';
import type { DocumentIndexes } from './documentIndex';
import type { CorpusTreeProvider } from './corpusTree';
import { Cancelled, Targets } from './targets';
import { UserFacingError } from './commands';
import { COMMANDS, CONTEXT } from './commandIds';
import { kindIcon } from './kindStyle';
import { coderLabel, searchAnnotations, type Searchable } from '../core/store';
import type { FolderModel } from './folderModel';

/** Up to this many annotations, search lists them all and VS Code's matching filters them. */
const LIST_ALL = 20_000;
/** Above it, how many of the core search's results the list shows. */
const SHOWN = 200;

export class SearchCommands extends Disposable {
  constructor(
    private readonly workspace: WorkspaceAnnotations,
    private readonly indexes: DocumentIndexes,
    private readonly tree: CorpusTreeProvider,
    log: Logger,
  ) {
    super();
    this._command(log, COMMANDS.search, (q?: unknown, listAll?: unknown) =>
      this.search(typeof q === 'string' ? q : undefined, typeof listAll === 'number' ? listAll : undefined),
    );
    this._command(log, COMMANDS.nextAnnotation, () => this.step(1));
    this._command(log, COMMANDS.previousAnnotation, () => this.step(-1));
    this._command(log, COMMANDS.filterKinds, (kinds?: unknown) => this.filterKinds(Array.isArray(kinds) ? (kinds as string[]) : undefined));
    this._command(log, COMMANDS.filterCoders, (coders?: unknown) => this.filterCoders(Array.isArray(coders) ? (coders as string[]) : undefined));
    this._command(log, COMMANDS.clearFilter, () => this.clearFilters());
  }

  /**
   * Quick pick over every annotation of the workspace; opens the one picked. Up to `listAll` annotations (default
   * {@link LIST_ALL}) are all in the list and VS Code's own matching filters them as the person types; above that,
   * the list holds what the core's search finds for the words typed so far, at most {@link SHOWN}.
   */
  async search(initial?: string, listAll = LIST_ALL): Promise<void> {
    type Item = vscode.QuickPickItem & { args?: [string, string, string] };
    const multi = this.workspace.all().length > 1;
    const entries: (Searchable & { folder: FolderModel })[] = [];
    for (const folder of this.workspace.all()) {
      for (const doc of folder.documents()) {
        for (const annotation of this.workspace.layers.visible(folder, folder.annotations(doc))) entries.push({ folder, doc, annotation });
      }
    }
    if (entries.length === 0) throw new UserFacingError('There are no annotations yet: select a passage and tag it first.');
    const itemsOf = (found: readonly (Searchable & { folder: FolderModel })[], always: boolean): Item[] => {
      const items: Item[] = [];
      let last: string | undefined;
      for (const { folder, doc, annotation: a } of found) {
        const where = multi ? `${folder.name}/${doc}` : doc;
        if (where !== last) items.push({ label: where, kind: vscode.QuickPickItemKind.Separator });
        last = where;
        const attrs = Object.entries(a.attributes).map(([k, v]) => `${k}: ${v}`);
        items.push({
          label: a.target.quote.exact.replace(/\s+/g, ' ').slice(0, 120),
          iconPath: a.anchor.status === 'orphaned' ? new vscode.ThemeIcon('warning') : kindIcon(a.kind, folder.kind(a.kind)),
          description: `${a.kind}${a.anchor.status === 'orphaned' ? ' (orphaned)' : ''} · ${coderLabel(a.provenance.author)} · ${doc}`,
          detail: [a.note, ...attrs].filter((x) => x).join(' · ') || undefined,
          alwaysShow: always,
          args: Targets.args({ folder, doc, id: a.id }),
        });
      }
      return items;
    };
    const qp = vscode.window.createQuickPick<Item>();
    qp.placeholder = 'Search annotations by quote, note, kind, document or attribute (e.g. a canonical name)';
    if (entries.length <= listAll) {
      qp.items = itemsOf(entries, false);
      qp.matchOnDescription = true;
      qp.matchOnDetail = true;
    } else {
      // Too many for one list: every word typed narrows the core's search, and the list shows what it found.
      const show = (value: string): void => {
        const found = searchAnnotations(entries, value, SHOWN + 1);
        qp.items = itemsOf(found.slice(0, SHOWN), true);
        qp.title =
          found.length > SHOWN ? `The first ${SHOWN} of ${entries.length.toLocaleString('en')} annotations that match: type more to narrow` : undefined;
      };
      qp.onDidChangeValue(show);
      show(initial ?? '');
    }
    if (initial) qp.value = initial;
    const picked = await new Promise<Item | undefined>((resolve) => {
      qp.onDidAccept(() => resolve(qp.selectedItems[0]));
      qp.onDidHide(() => resolve(undefined));
      qp.show();
    });
    qp.dispose();
    if (!picked?.args) throw new Cancelled();
    await vscode.commands.executeCommand(COMMANDS.openAnnotation, ...picked.args);
  }

  /** Moves the selection to the next (or previous) annotation in the active editor, wrapping around. */
  async step(direction: 1 | -1): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    const at = editor && this.workspace.locate(editor.document.uri);
    if (!editor || !at) throw new UserFacingError('Open a corpus document first.');
    const spans = [...this.indexes.get(at.folder, at.doc)];
    if (spans.length === 0) throw new UserFacingError(`${at.doc} has no annotations to move between.`);
    const here = editor.document.offsetAt(direction === 1 ? editor.selection.start : editor.selection.start);
    const next =
      direction === 1 ? (spans.find((s) => s.start > here) ?? spans[0]) : ([...spans].reverse().find((s) => s.start < here) ?? spans[spans.length - 1]);
    const range = new vscode.Range(editor.document.positionAt(next.start), editor.document.positionAt(next.end));
    editor.selection = new vscode.Selection(range.start, range.end);
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  /** Shows only some kinds in the Corpus view (none picked, or "Show All": no filter). */
  async filterKinds(kinds?: string[]): Promise<ReadonlySet<string> | undefined> {
    let chosen = kinds;
    if (!chosen) {
      const names = [...new Set(this.workspace.all().flatMap((f) => f.codebook.kinds.map((k) => k.name)))];
      const current = this.tree.kindFilter;
      const picks = await vscode.window.showQuickPick(
        names.map((n) => ({ label: n, picked: current ? current.has(n) : false })),
        { canPickMany: true, placeHolder: 'Show only annotations of these kinds (pick none to show all)' },
      );
      if (!picks) throw new Cancelled();
      chosen = picks.map((p) => p.label);
    }
    this.tree.setKindFilter(chosen);
    await this.updateFilterContext();
    return this.tree.kindFilter;
  }

  /** Shows only some coders' annotations in the Corpus view (none picked, or "Show All": no filter). Under blind
   *  coding the view holds only one's own anyway, so the choice is among the coders one sees. */
  async filterCoders(coders?: string[]): Promise<ReadonlySet<string> | undefined> {
    let chosen = coders;
    if (!chosen) {
      const names = new Set<string>();
      for (const f of this.workspace.all())
        for (const d of f.documents()) for (const a of this.workspace.layers.visible(f, f.annotations(d))) names.add(a.provenance.author);
      if (names.size === 0) throw new UserFacingError('There are no annotations yet, so no coders to choose from.');
      const current = this.tree.coderFilter;
      const picks = await vscode.window.showQuickPick(
        [...names].sort().map((n) => ({ label: coderLabel(n), name: n, picked: current ? current.has(n) : false })),
        { canPickMany: true, placeHolder: 'Show only annotations by these coders (pick none to show all)' },
      );
      if (!picks) throw new Cancelled();
      chosen = picks.map((p) => p.name);
    }
    this.tree.setCoderFilter(chosen);
    await this.updateFilterContext();
    return this.tree.coderFilter;
  }

  /** Clears both filters of the Corpus view. */
  async clearFilters(): Promise<void> {
    this.tree.setKindFilter(undefined);
    this.tree.setCoderFilter(undefined);
    await this.updateFilterContext();
  }

  private async updateFilterContext(): Promise<void> {
    await vscode.commands.executeCommand('setContext', CONTEXT.filtered, this.tree.kindFilter !== undefined || this.tree.coderFilter !== undefined);
  }
}
