// Typed relations between annotations in VS Code: "Link to…" (a relation type the annotation's kind may start, then
// the annotation at the other end, nearest first, across documents too), unlinking, the links in the hover (both
// directions, each opening the other end), a small marker after linked passages, relation problems in the Problems
// panel, and the question deleting a linked annotation asks. The tree shows the links under each annotation
// (corpusTree.ts). The rules and the storage are the core's (core/store/relations.ts).
import * as vscode from 'vscode';
import { LineIndex, aOrAn, plural, type Annotation, type Relation } from '../core/model';
import {
  addRelation,
  allowedEnds,
  checkNewRelation,
  dropRelation,
  readDocument,
  relationChanges,
  relationLabel,
  relationProblems,
  relationsTo,
  typesFrom,
  type RelationType,
  type RemovedRelation,
  type ResolvedRelation,
} from '../core/store';
import { Disposable } from './lifecycle';
import { Cancelled, UserFacingError } from './commands';
import { COMMANDS } from './commandIds';
import { Targets, type AnnotationTarget } from './targets';
import { authorName, highlightsEnabled } from './settings';
import { kindIcon } from './kindStyle';
import type { AnnotationCommands } from './annotationCommands';
import type { ProvenanceHover } from './hover';
import type { DocumentIndexes } from './documentIndex';
import type { FolderModel } from './folderModel';
import type { Logger } from './log';
import type { WorkspaceAnnotations } from './workspaceAnnotations';

/** What "Link to…" accepts instead of asking (keybinding arguments, links, tests). */
export interface LinkOptions {
  type?: string;
  /** The id of the annotation at the other end (same workspace folder). */
  to?: string;
}

/** A pick list of this feature on screen, for tests (answered through the workbench's own quick input commands). */
export interface RelationPrompt {
  /** 'type' and 'target' are the two steps of Link to…; 'delete' the question deleting a linked annotation asks. */
  step: 'type' | 'target' | 'delete';
  input: vscode.QuickPick<vscode.QuickPickItem>;
}

interface Choice<T> extends vscode.QuickPickItem {
  value?: T;
}

const MARKER_DEBOUNCE_MS = 60;
const SOURCE = 'Marginalia';

export class Relations extends Disposable {
  private prompt: RelationPrompt | undefined;
  private readonly promptChanged = this._register(new vscode.EventEmitter<RelationPrompt | undefined>());
  /** Fires when a pick list of this feature shows, and with undefined when it closes. */
  readonly onDidChangePrompt = this.promptChanged.event;
  /** The relation type used last, offered first next time. */
  private lastType: string | undefined;
  private readonly marker = this._register(
    vscode.window.createTextEditorDecorationType({
      after: { color: new vscode.ThemeColor('editorCodeLens.foreground'), margin: '0 0 0 0.15em', fontStyle: 'normal' },
      rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
    }),
  );
  /** What was last drawn in each editor: the marker's position (end of a linked passage) and text. */
  readonly markers = new WeakMap<vscode.TextEditor, { offset: number; text: string; id: string }[]>();
  private readonly problems = this._register(vscode.languages.createDiagnosticCollection('marginalia-relations'));
  private timer: ReturnType<typeof setTimeout> | undefined;
  private problemsRun: Promise<void> = Promise.resolve();

  constructor(
    private readonly workspace: WorkspaceAnnotations,
    private readonly targets: Targets,
    private readonly indexes: DocumentIndexes,
    private readonly commands: AnnotationCommands,
    hover: ProvenanceHover,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {
    super();
    this._command(log, COMMANDS.linkTo, (...args: unknown[]) => this.linkTo(args));
    this._command(log, COMMANDS.unlink, (...args: unknown[]) => this.unlink(args));
    this._register(workspace.onDidChange(() => this.refreshSoon()));
    this._register(vscode.window.onDidChangeVisibleTextEditors(() => this.drawMarkers()));
    this._register(vscode.workspace.onDidChangeTextDocument(() => this.refreshSoon()));
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('marginalia.highlights')) this.drawMarkers();
      }),
    );
    this._register({ dispose: () => clearTimeout(this.timer) });
    hover.addSection({
      commands: [COMMANDS.linkTo, COMMANDS.unlink, COMMANDS.openAnnotation],
      markdown: (folder, doc, a) => this.hoverMarkdown(folder, doc, a),
      actions: (args) => [`[$(link) Link to…](command:${COMMANDS.linkTo}?${args} "Link this annotation to another one (${LINK_KEY})")`],
    });
    commands.setDeleteGuard({ beforeDelete: (t, args) => this.beforeDelete(t, args) });
  }

  /** The pick list on screen, if any. */
  get current(): RelationPrompt | undefined {
    return this.prompt;
  }

  // ---- Link to… ------------------------------------------------------------------------------------------------

  /**
   * Links an annotation (from the arguments: a tree node, a hover link, the cursor) to another: asks the relation
   * type among those its kind may start (skipped when there is one), then the annotation at the other end among
   * those of the kinds the type allows, nearest first. Escape at either step stores nothing. Returns the relation.
   */
  async linkTo(args: unknown[]): Promise<{ from: string; relation: Relation } | undefined> {
    const t = await this.targets.resolve(args);
    t.folder.assertWritable();
    const options = linkOptions(args);
    const from = t.annotation;
    const types = typesFrom(t.folder.codebook, from.kind);
    if (types.length === 0) {
      throw new UserFacingError(
        `No relation type of the codebook starts at ${aOrAn(from.kind)}. Add one under relations: in .marginalia/codebook.yaml (for example supports, from ${from.kind} to claim).`,
      );
    }
    let type: RelationType | undefined = options.type === undefined ? undefined : types.find((x) => x.name === options.type);
    if (options.type !== undefined && !type) {
      throw new UserFacingError(
        `${capitalise(aOrAn(from.kind))} cannot start a “${options.type}” relation. It can start: ${types.map((x) => x.name).join(', ')}.`,
      );
    }
    for (;;) {
      type ??= types.length === 1 ? types[0] : await this.pickType(from, types);
      const to = options.to !== undefined ? this.byId(t.folder, options.to) : await this.pickTarget(t, type, types.length > 1 && options.type === undefined);
      if (to === 'back') {
        type = undefined;
        continue;
      }
      checkNewRelation(t.folder.relations(), from, type.name, to.annotation);
      const relation: Relation = { type: type.name, to: to.annotation.id, author: authorName(), created: this.now().toISOString() };
      await t.folder.changeRelations(t.doc, new Map([[from.id, (list: Relation[] | undefined) => addRelation(list, relation)]]));
      this.lastType = type.name;
      const undo = (): Promise<void> =>
        t.folder
          .changeRelations(t.doc, new Map([[from.id, (list: Relation[] | undefined) => dropRelation(list, relation.type, relation.to)]]))
          .then(() => undefined);
      this.commands.pushUndo(`linking (${type.name})`, undo);
      this.log.info(`linked ${from.id} ${type.name} ${to.annotation.id} (${t.doc} → ${to.doc})`);
      vscode.window.setStatusBarMessage(
        `$(link) ${capitalise(from.kind)} ${relationLabel(type, type.name, true)} ${to.annotation.kind} “${clip(to.annotation.target.quote.exact, 40)}”`,
        5000,
      );
      return { from: from.id, relation };
    }
  }

  private byId(folder: FolderModel, id: string): { doc: string; annotation: Annotation } {
    for (const doc of folder.documents()) {
      const a = folder.get(doc, id);
      if (a) return { doc, annotation: a };
    }
    throw new UserFacingError(`There is no annotation ${id} in ${folder.name} to link to.`);
  }

  private async pickType(from: Annotation, types: RelationType[]): Promise<RelationType> {
    const ordered = this.lastType ? [...types].sort((a, b) => Number(b.name === this.lastType) - Number(a.name === this.lastType)) : types;
    const picked = await this.pick<RelationType>(
      'type',
      {
        title: `Link ${from.kind} “${clip(from.target.quote.exact, 40)}”: relation`,
        placeholder: `How does this ${from.kind} relate to the other annotation? (Escape: nothing is linked)`,
        step: 1,
        totalSteps: 2,
      },
      ordered.map((t) => ({
        label: relationLabel(t, t.name, true),
        description: `→ ${allowedEnds(t, from.kind).join(' | ')}${t.label !== t.name ? ` (${t.name})` : ''}`,
        detail: t.description || undefined,
        value: t,
      })),
    );
    if (!picked || picked === 'back') throw new Cancelled();
    return picked;
  }

  /** The annotations of the kinds `type` allows at its end, in this document first (nearest first), then the others. */
  private candidates(t: AnnotationTarget, type: RelationType): { doc: string; annotation: Annotation; distance: number }[] {
    const kinds = new Set(allowedEnds(type, t.annotation.kind));
    const from = t.folder.get(t.doc, t.annotation.id) ?? t.annotation;
    const linked = new Set((from.relations ?? []).filter((r) => r.type === type.name).map((r) => r.to));
    const out: { doc: string; annotation: Annotation; distance: number }[] = [];
    for (const doc of t.folder.documents()) {
      for (const a of t.folder.annotations(doc)) {
        if (a.id === from.id || !kinds.has(a.kind) || linked.has(a.id)) continue;
        if (type.direction === 'symmetric' && (a.relations ?? []).some((r) => r.type === type.name && r.to === from.id)) continue;
        const distance =
          doc !== t.doc
            ? Infinity
            : Math.max(0, a.target.start - from.target.end, from.target.start - a.target.end) + (a.anchor.status === 'orphaned' ? 1e12 : 0);
        out.push({ doc, annotation: a, distance });
      }
    }
    const docs = t.folder.documents();
    return out.sort(
      (x, y) =>
        (x.doc === t.doc ? 0 : 1) - (y.doc === t.doc ? 0 : 1) ||
        x.distance - y.distance ||
        docs.indexOf(x.doc) - docs.indexOf(y.doc) ||
        x.annotation.target.start - y.annotation.target.start,
    );
  }

  private async pickTarget(t: AnnotationTarget, type: RelationType, canGoBack: boolean): Promise<{ doc: string; annotation: Annotation } | 'back'> {
    const found = this.candidates(t, type);
    const ends = allowedEnds(type, t.annotation.kind);
    if (found.length === 0) {
      throw new UserFacingError(
        `There is no ${ends.join(' or ')} in ${t.folder.name} to link this ${t.annotation.kind} to (${type.name}) that is not linked to it already. Tag one first.`,
      );
    }
    const items: Choice<{ doc: string; annotation: Annotation }>[] = [];
    let lastDoc: string | undefined;
    for (const c of found) {
      if (c.doc !== lastDoc) {
        items.push({ label: c.doc === t.doc ? `${c.doc} (this document)` : c.doc, kind: vscode.QuickPickItemKind.Separator });
        lastDoc = c.doc;
      }
      const a = c.annotation;
      const attrs = Object.entries(a.attributes).map(([k, v]) => `${k}: ${v}`);
      items.push({
        label: clip(a.target.quote.exact, 100),
        iconPath: kindIcon(a.kind, t.folder.kind(a.kind)),
        description: `${a.kind}${a.anchor.status === 'orphaned' ? ' (orphaned)' : ''}${c.doc === t.doc ? '' : ` · ${c.doc}`}`,
        detail: [a.note, ...attrs].filter((x) => x).join(' · ') || undefined,
        value: { doc: c.doc, annotation: a },
      });
    }
    const picked = await this.pick(
      'target',
      {
        title: `Link ${t.annotation.kind} “${clip(t.annotation.target.quote.exact, 40)}”: ${relationLabel(type, type.name, true)}…`,
        placeholder: `Which ${ends.join(' or ')}? Nearest first; type to search quotes, kinds and documents (Escape: nothing is linked)`,
        step: canGoBack ? 2 : undefined,
        totalSteps: canGoBack ? 2 : undefined,
        back: canGoBack,
      },
      items,
    );
    if (!picked) throw new Cancelled();
    return picked;
  }

  /**
   * One pick list, built with createQuickPick so it can show Back and be answered in tests through the workbench's
   * quick input commands. Enter takes the highlighted row; Enter with no row (nothing matches what is typed) takes
   * nothing and leaves the list open; Escape returns undefined.
   */
  private pick<T>(
    step: RelationPrompt['step'],
    o: { title: string; placeholder: string; step?: number; totalSteps?: number; back?: boolean },
    items: Choice<T>[],
  ): Promise<T | 'back' | undefined> {
    const qp = vscode.window.createQuickPick<Choice<T>>();
    qp.title = o.title;
    qp.placeholder = o.placeholder;
    qp.step = o.step;
    qp.totalSteps = o.totalSteps;
    qp.matchOnDescription = true;
    qp.matchOnDetail = true;
    qp.items = items;
    if (o.back) qp.buttons = [vscode.QuickInputButtons.Back];
    return new Promise<T | 'back' | undefined>((resolve) => {
      let settled = false;
      const settle = (v: T | 'back' | undefined): void => {
        if (settled) return;
        settled = true;
        resolve(v);
        this.prompt = undefined;
        this.promptChanged.fire(undefined);
        qp.dispose();
      };
      qp.onDidAccept(() => {
        const chosen = qp.selectedItems[0] ?? qp.activeItems[0];
        if (chosen?.value !== undefined) settle(chosen.value);
      });
      qp.onDidTriggerButton((b) => {
        if (b === vscode.QuickInputButtons.Back) settle('back');
      });
      qp.onDidHide(() => settle(undefined));
      this.prompt = { step, input: qp as vscode.QuickPick<vscode.QuickPickItem> };
      qp.show();
      this.promptChanged.fire(this.prompt);
    });
  }

  // ---- Unlink --------------------------------------------------------------------------------------------------

  /**
   * Removes one relation: from a tree node of a relation, or from command-link arguments (folder uri, doc of the
   * annotation it is stored on, its id, type, target id). Undoable.
   */
  async unlink(args: unknown[]): Promise<Relation | undefined> {
    const { folder, doc, from, type, to } = this.unlinkTarget(args);
    folder.assertWritable();
    const stored = folder.get(doc, from)?.relations?.find((r) => r.type === type && r.to === to);
    if (!stored) throw new UserFacingError(`That relation (${type}) is no longer there.`);
    await folder.changeRelations(doc, new Map([[from, (list: Relation[] | undefined) => dropRelation(list, type, to)]]));
    await vscode.commands.executeCommand('editor.action.hideHover');
    this.commands.pushUndo(`unlinking (${type})`, () =>
      folder.changeRelations(doc, new Map([[from, (list: Relation[] | undefined) => addRelation(list, stored)]])).then(() => undefined),
    );
    this.log.info(`unlinked ${from} ${type} ${to} (${doc})`);
    return stored;
  }

  private unlinkTarget(args: unknown[]): { folder: FolderModel; doc: string; from: string; type: string; to: string } {
    const [a0, a1, a2, a3, a4] = args;
    if (a0 && typeof a0 === 'object' && (a0 as { type?: unknown }).type === 'relation') {
      const n = a0 as { folder: FolderModel; relation: ResolvedRelation };
      return { folder: n.folder, doc: n.relation.from.doc, from: n.relation.from.annotation.id, type: n.relation.type, to: n.relation.toId };
    }
    if ([a0, a1, a2, a3, a4].every((x) => typeof x === 'string')) {
      const folder = this.workspace.all().find((f) => f.folder.uri.toString() === a0);
      if (!folder) throw new UserFacingError(`The workspace folder ${String(a0)} is no longer open.`);
      return { folder, doc: a1 as string, from: a2 as string, type: a3 as string, to: a4 as string };
    }
    throw new UserFacingError('Choose the relation to remove: in the hover of its annotation, or under the annotation in the Corpus view.');
  }

  // ---- Deleting a linked annotation ----------------------------------------------------------------------------

  /**
   * Before an annotation is deleted: its own relations go with it (its undo brings them back). When others point to
   * it, asks whether to delete those links too or keep them (they are then reported as pointing to a missing
   * annotation); `{ relations: 'delete' | 'keep' }` among the arguments answers without asking. Escape deletes nothing.
   */
  private async beforeDelete(t: AnnotationTarget, args: unknown[]): Promise<{ undo: () => Promise<void>; note: string } | undefined> {
    const index = t.folder.relations();
    const own = index.outgoing(t.annotation.id).length;
    const incoming = relationsTo(index, t.annotation.id).filter((r) => r.from !== t.annotation.id);
    const ownNote = own > 0 ? ` and its ${plural(own, 'link')}` : '';
    if (incoming.length === 0) return own > 0 ? { undo: async () => undefined, note: ownNote } : undefined;
    const given = args.find(
      (a): a is { relations: string } => typeof a === 'object' && a !== null && typeof (a as { relations?: unknown }).relations === 'string',
    );
    let answer = given?.relations;
    if (answer !== 'delete' && answer !== 'keep') {
      const total = own + incoming.length;
      const picked = await this.pick<'delete' | 'keep'>(
        'delete',
        {
          title: `Delete ${t.annotation.kind} “${clip(t.annotation.target.quote.exact, 40)}”`,
          placeholder: `${plural(incoming.length, 'link')} of other annotations ${incoming.length === 1 ? 'points' : 'point'} to it (Escape: nothing is deleted)`,
        },
        [
          { label: `$(trash) Delete it and its ${plural(total, 'link')}`, description: 'Undo brings all back', value: 'delete' },
          {
            label: `$(trash) Delete it, keep the ${plural(incoming.length, 'link')} that ${incoming.length === 1 ? 'points' : 'point'} to it`,
            description: 'shown as broken until you unlink them',
            value: 'keep',
          },
        ],
      );
      if (!picked || picked === 'back') throw new Cancelled();
      answer = picked;
    }
    if (answer === 'keep') return { undo: async () => undefined, note: ownNote };
    await this.apply(t.folder, incoming, false);
    return { undo: () => this.apply(t.folder, incoming, true), note: ` and ${plural(own + incoming.length, 'link')}` };
  }

  private async apply(folder: FolderModel, relations: readonly RemovedRelation[], add: boolean): Promise<void> {
    for (const [doc, changes] of relationChanges(relations, add)) await folder.changeRelations(doc, changes);
  }

  // ---- Hover ---------------------------------------------------------------------------------------------------

  private hoverMarkdown(folder: FolderModel, doc: string, a: Annotation): string {
    const index = folder.relations();
    const rows: string[] = [];
    const uri = folder.folder.uri.toString();
    for (const [r, outgoing] of [...index.outgoing(a.id).map((r) => [r, true] as const), ...index.incoming(a.id).map((r) => [r, false] as const)]) {
      const other = outgoing ? r.to : r.from;
      const label = escape(relationLabel(r.definition, r.type, outgoing));
      const unlinkArgs = encodeURIComponent(JSON.stringify([uri, r.from.doc, r.from.annotation.id, r.type, r.toId]));
      const unlink = `[$(close)](command:${COMMANDS.unlink}?${unlinkArgs} "Unlink")`;
      if (!other) {
        rows.push(`$(warning) ${label} ${code(r.toId)}, an annotation that is gone ${unlink}`);
        continue;
      }
      const openArgs = encodeURIComponent(JSON.stringify([uri, other.doc, other.annotation.id]));
      const where = other.doc === doc ? other.annotation.kind : `${other.annotation.kind}, ${other.doc}`;
      const quote = escape(clip(other.annotation.target.quote.exact, 60));
      rows.push(
        `$(${outgoing ? 'arrow-right' : 'arrow-left'}) ${label} [“${quote}”](command:${COMMANDS.openAnnotation}?${openArgs} "Open it") (${escape(where)}) ${unlink}`,
      );
    }
    return rows.length === 0 ? '' : `**Links**  \n${rows.join('  \n')}\n\n`;
  }

  // ---- Markers and problems ------------------------------------------------------------------------------------

  private refreshSoon(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.drawMarkers();
      void this.publishProblems().catch((e) => this.log.error(e as Error));
    }, MARKER_DEBOUNCE_MS);
  }

  /** Redraws the markers now (tests call it rather than wait for the debounce). */
  drawMarkers(): void {
    for (const editor of vscode.window.visibleTextEditors) {
      const at = this.workspace.locate(editor.document.uri);
      const drawn: { offset: number; text: string; id: string }[] = [];
      if (at && highlightsEnabled()) {
        const index = at.folder.relations();
        const length = editor.document.getText().length;
        for (const s of this.indexes.get(at.folder, at.doc)) {
          const n = index.count(s.id);
          if (n === 0 || s.end > length) continue;
          drawn.push({ offset: s.end, text: `⇄${n > 1 ? n : ''}`, id: s.id });
        }
      }
      editor.setDecorations(
        this.marker,
        drawn.map((m) => {
          const p = editor.document.positionAt(m.offset);
          return { range: new vscode.Range(p, p), renderOptions: { after: { contentText: m.text } } };
        }),
      );
      this.markers.set(editor, drawn);
    }
  }

  /** Recomputes the relation problems of every folder and shows them in the Problems panel, on the passage of the
   *  annotation each relation starts from. Resolves when they are shown. */
  publishProblems(): Promise<void> {
    this.problemsRun = this.problemsRun.then(() => this.computeProblems());
    return this.problemsRun;
  }

  private async computeProblems(): Promise<void> {
    const byUri = new Map<string, { uri: vscode.Uri; list: vscode.Diagnostic[] }>();
    for (const folder of this.workspace.all()) {
      const problems = relationProblems(folder.relations());
      const lines = new Map<string, LineIndex | undefined>();
      for (const p of problems) {
        const doc = p.relation.from.doc;
        if (!lines.has(doc)) lines.set(doc, await this.lineIndex(folder, doc));
        const index = lines.get(doc);
        const a = folder.get(doc, p.relation.from.annotation.id) ?? p.relation.from.annotation;
        let range = new vscode.Range(0, 0, 0, 0);
        if (index && a.anchor.status !== 'orphaned' && a.target.end <= index.text.length) {
          const s = index.position(a.target.start);
          const e = index.position(a.target.end);
          range = new vscode.Range(s.line, s.character, e.line, e.character);
        }
        const d = new vscode.Diagnostic(range, p.message, vscode.DiagnosticSeverity.Warning);
        d.source = SOURCE;
        d.code = p.code;
        const uri = folder.uri(doc);
        const entry = byUri.get(uri.toString()) ?? { uri, list: [] };
        entry.list.push(d);
        byUri.set(uri.toString(), entry);
      }
    }
    this.problems.clear();
    for (const { uri, list } of byUri.values()) this.problems.set(uri, list);
  }

  /** The problems shown for a document (for tests). */
  problemsOf(uri: vscode.Uri): readonly vscode.Diagnostic[] {
    return this.problems.get(uri) ?? [];
  }

  private async lineIndex(folder: FolderModel, doc: string): Promise<LineIndex | undefined> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === folder.uri(doc).toString());
    if (open) return new LineIndex(open.getText());
    if (folder.declined(doc)) return undefined;
    try {
      const text = await readDocument(folder.fs, doc);
      return text === undefined ? undefined : new LineIndex(text);
    } catch {
      return undefined;
    }
  }
}

/** The key "Link to…" is bound to (package.json). */
export const LINK_KEY = 'Ctrl+Alt+M L';

function linkOptions(args: unknown[]): LinkOptions {
  const o = args.find(
    (a): a is LinkOptions =>
      typeof a === 'object' && a !== null && !(a instanceof vscode.Uri) && ('type' in a || 'to' in a) && (a as { type?: unknown }).type !== 'annotation',
  );
  return { type: typeof o?.type === 'string' ? o.type : undefined, to: typeof o?.to === 'string' ? o.to : undefined };
}

function clip(s: string, n: number): string {
  const t = s.replace(/\s+/g, ' ');
  return t.length > n ? t.slice(0, n - 1) + '…' : t;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Markdown-escapes text that comes from documents and people. */
function escape(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>~$]/g, '\\$&').replace(/\n/g, ' ');
}

function code(s: string): string {
  return '`' + s.replace(/`/g, '') + '`';
}
