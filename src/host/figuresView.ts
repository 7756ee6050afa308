// The Figures view: every figure annotation of the workspace as a normalised number, sortable by value.
import * as vscode from 'vscode';
import { Disposable } from './lifecycle';
import type { Annotation } from '../core/model';
import type { NormalisedFigure } from '../core/research';
import { research } from './coreChunks';
import type { WorkspaceAnnotations } from './workspaceAnnotations';
import type { FolderModel } from './folderModel';
import { COMMANDS, VIEWS } from './commandIds';
import type { Logger } from './log';
import { Targets } from './targets';

export interface FigureRow {
  folder: FolderModel;
  doc: string;
  annotation: Annotation;
  figure: NormalisedFigure | undefined;
}

export type FigureSort = 'value-desc' | 'value-asc' | 'document';

export class FiguresProvider extends Disposable implements vscode.TreeDataProvider<FigureRow> {
  private readonly emitter = this._register(new vscode.EventEmitter<undefined>());
  readonly onDidChangeTreeData = this.emitter.event;
  private timer: ReturnType<typeof setTimeout> | undefined;
  sort: FigureSort = 'value-desc';

  /** The Figures view and its sort commands. */
  constructor(
    private readonly workspace: WorkspaceAnnotations,
    log: Logger,
  ) {
    super();
    this._register(
      workspace.onDidChange(() => {
        if (this.timer) clearTimeout(this.timer);
        this.timer = setTimeout(() => this.emitter.fire(undefined), 100);
      }),
    );
    this._register(vscode.window.createTreeView(VIEWS.figures, { treeDataProvider: this }));
    this._command(log, COMMANDS.sortFiguresByValue, () => this.setSort('value-desc'));
    this._command(log, COMMANDS.sortFiguresAscending, () => this.setSort('value-asc'));
    this._command(log, COMMANDS.sortFiguresByDocument, () => this.setSort('document'));
  }

  setSort(sort: FigureSort): void {
    this.sort = sort;
    this.emitter.fire(undefined);
  }

  /** Figures grouped by unit is not needed to compare: values sort within a unit, units sort by name. */
  getChildren(row?: FigureRow): FigureRow[] {
    if (row) return [];
    const rows: FigureRow[] = [];
    for (const folder of this.workspace.all()) {
      for (const doc of folder.documents()) {
        for (const a of this.workspace.layers.visible(folder, folder.annotations(doc)))
          if (a.kind === 'figure') rows.push({ folder, doc, annotation: a, figure: research().figureOfAnnotation(a.attributes, a.target.quote.exact) });
      }
    }
    return sortFigures(rows, this.sort);
  }

  getTreeItem(row: FigureRow): vscode.TreeItem {
    const a = row.annotation;
    const item = new vscode.TreeItem(row.figure ? research().formatFigure(row.figure) : '(no number)', vscode.TreeItemCollapsibleState.None);
    item.description = `${a.target.quote.exact.replace(/\s+/g, ' ').slice(0, 60)} — ${row.doc}`;
    item.tooltip = `${a.target.quote.exact}\n${row.doc}${a.note ? `\n${a.note}` : ''}`;
    item.iconPath = new vscode.ThemeIcon(a.anchor.status === 'orphaned' ? 'warning' : 'symbol-number', new vscode.ThemeColor('marginalia.figureRuler'));
    item.contextValue = a.anchor.status === 'orphaned' ? 'annotation.orphan' : 'annotation';
    item.command = { command: COMMANDS.openAnnotation, title: 'Open Passage', arguments: Targets.args({ folder: row.folder, doc: row.doc, id: a.id }) };
    item.id = `fig:${row.folder.folder.uri}#${row.doc}#${a.id}`;
    return item;
  }

  override dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    super.dispose();
  }
}

/** Sorted by normalised value within each unit (units by name), or by document and position. */
export function sortFigures(rows: FigureRow[], sort: FigureSort): FigureRow[] {
  if (sort === 'document') return rows.sort((x, y) => x.doc.localeCompare(y.doc) || x.annotation.target.start - y.annotation.target.start);
  const sign = sort === 'value-desc' ? -1 : 1;
  return rows.sort((x, y) => {
    if (!x.figure || !y.figure) return x.figure ? -1 : y.figure ? 1 : 0;
    return x.figure.unit.localeCompare(y.figure.unit) || sign * (x.figure.value - y.figure.value);
  });
}
