// Tagging, editing, deleting (undoable), re-attaching, revealing and opening annotations.
import * as vscode from 'vscode';
import { Disposable } from './lifecycle';
import type { Annotation, AttributeValue } from '../core/model';
import { createAnnotation, editAnnotation, makeQuote } from '../core/model';
import type { KindDefinition } from '../core/store';
import { research } from './coreChunks';
import type { WorkspaceAnnotations } from './workspaceAnnotations';
import { Cancelled, Targets, type AnnotationTarget } from './targets';
import { UserFacingError } from './commands';
import type { Logger } from './log';
import { authorName } from './settings';
import { COMMANDS } from './commandIds';
import { kindIcon } from './kindStyle';
import type { CorpusTreeProvider } from './corpusTree';
import type { FolderModel } from './folderModel';
import type { TagForms } from './tagForm';

/** Options a command accepts instead of asking (used by keybinding args, links and tests). */
export interface TagOptions {
  kind?: string;
  note?: string;
  attributes?: Record<string, AttributeValue>;
}

interface UndoStep {
  label: string;
  run(): Promise<void>;
}

/** What deleting an annotation takes with it beyond the annotation (its relations): asked for and removed before the
 *  deletion, put back by its undo. */
export interface DeleteGuard {
  /** May ask the person (throwing Cancelled stops the deletion), removes what goes, and says how to put it back. */
  beforeDelete(t: AnnotationTarget, args: unknown[]): Promise<{ undo: () => Promise<void>; note: string } | undefined>;
}

export class AnnotationCommands extends Disposable {
  private readonly undoStack: UndoStep[] = [];
  private deleteGuard: DeleteGuard | undefined;

  constructor(
    private readonly workspace: WorkspaceAnnotations,
    private readonly targets: Targets,
    private readonly tree: CorpusTreeProvider,
    private readonly treeView: vscode.TreeView<unknown>,
    private readonly log: Logger,
    private readonly forms: TagForms,
    private readonly now: () => Date = () => new Date(),
  ) {
    super();
    const c = (id: string, fn: (...args: unknown[]) => unknown): vscode.Disposable => this._command(log, id, fn);
    c(COMMANDS.tag, (o) => this.tag(asOptions(o)));
    c(COMMANDS.tagClaim, (o) => this.tag({ ...asOptions(o), kind: 'claim' }));
    c(COMMANDS.tagFigure, (o) => this.tag({ ...asOptions(o), kind: 'figure' }));
    c(COMMANDS.tagEntity, (o) => this.tag({ ...asOptions(o), kind: 'entity' }));
    c(COMMANDS.editNote, (...a) => this.editNote(a));
    c(COMMANDS.editAttributes, (...a) => this.editAttributes(a));
    c(COMMANDS.changeKind, (...a) => this.changeKind(a));
    c(COMMANDS.deleteAnnotation, (...a) => this.delete(a));
    c(COMMANDS.undo, () => this.undo());
    c(COMMANDS.reattach, (...a) => this.reattach(a));
    c(COMMANDS.revealInTree, (...a) => this.reveal(a));
    c(COMMANDS.openAnnotation, (...a) => this.open(a));
    c(COMMANDS.tagFormDone, () => this.forms.done());
  }

  /** Tags every non-empty selection of the active editor; returns the new annotations. */
  async tag(options: TagOptions): Promise<Annotation[]> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) throw new UserFacingError('Open a corpus document and select a passage to tag.');
    const at = this.workspace.locate(editor.document.uri);
    if (!at)
      throw new UserFacingError(`${vscode.workspace.asRelativePath(editor.document.uri)} is not part of the corpus (setting marginalia.corpus.include).`);
    at.folder.assertWritable();
    const declined = at.folder.declined(at.doc);
    if (declined) throw new UserFacingError(declined);
    const selections = editor.selections.filter((s) => !s.isEmpty);
    if (selections.length === 0) throw new UserFacingError('Select the passage to tag first.');
    const kind = options.kind ? this.kindOrThrow(at.folder, options.kind) : await this.pickKind(at.folder, 'Tag the selection as…');
    const document = editor.document;
    const text = document.getText();
    const first = document.getText(selections[0]);
    let attributes = options.attributes;
    let note = options.note;
    if (attributes === undefined) {
      const answered = await this.askAttributes(at.folder, kind, {}, first, note === undefined);
      attributes = answered.attributes;
      note ??= answered.note;
    }
    note ??= '';
    const now = this.now();
    const author = authorName();
    const created = selections.map((s) =>
      createAnnotation(
        text,
        { doc: at.doc, kind: kind.name, start: document.offsetAt(s.start), end: document.offsetAt(s.end), note, attributes, author },
        kind,
        now,
      ),
    );
    await at.folder.add(at.doc, created, text);
    this.log.info(`tagged ${created.length} ${kind.name} in ${at.doc}`);
    // Collapsed to their ends, the selections no longer hide the new highlights.
    editor.selections = editor.selections.map((s) => new vscode.Selection(s.end, s.end));
    this.pushUndo(`tagging ${created.length} ${kind.name}`, () =>
      at.folder
        .remove(
          at.doc,
          created.map((a) => a.id),
        )
        .then(() => undefined),
    );
    return created;
  }

  async editNote(args: unknown[]): Promise<Annotation> {
    const t = await this.targets.resolve(args);
    const given = args.find((a): a is { note: string } => typeof a === 'object' && a !== null && typeof (a as { note?: unknown }).note === 'string');
    const note = given?.note ?? (await ask('Note', t.annotation.note, `Note on this ${t.annotation.kind}`));
    return this.change(t, `editing the note`, (a, kind) => editAnnotation(a, kind, { note }, this.now()));
  }

  async editAttributes(args: unknown[]): Promise<Annotation> {
    const t = await this.targets.resolve(args);
    const kind = this.kindOrThrow(t.folder, t.annotation.kind);
    const given = args.find(
      (a): a is { attributes: Record<string, AttributeValue> } =>
        typeof a === 'object' && a !== null && typeof (a as { attributes?: unknown }).attributes === 'object',
    );
    const attributes =
      given?.attributes ?? (await this.askAttributes(t.folder, kind, t.annotation.attributes, t.annotation.target.quote.exact, false)).attributes;
    return this.change(t, 'editing attributes', (a, k) => editAnnotation(a, k, { attributes }, this.now()));
  }

  async changeKind(args: unknown[]): Promise<Annotation> {
    const t = await this.targets.resolve(args);
    const given = args.find((a): a is { kind: string } => typeof a === 'object' && a !== null && typeof (a as { kind?: unknown }).kind === 'string');
    const kind = given ? this.kindOrThrow(t.folder, given.kind) : await this.pickKind(t.folder, `Change ${t.annotation.kind} to…`, t.annotation.kind);
    return this.change(t, 'changing the kind', (a) => editAnnotation(a, kind, {}, this.now()));
  }

  /** Installs what deleting also asks about and removes (relations.ts: the relations of the annotation). */
  setDeleteGuard(guard: DeleteGuard): void {
    this.deleteGuard = guard;
  }

  async delete(args: unknown[]): Promise<Annotation | undefined> {
    const t = await this.targets.resolve(args);
    t.folder.assertWritable();
    const extra = await this.deleteGuard?.beforeDelete(t, args);
    const [removed] = await t.folder.remove(t.doc, [t.annotation.id]);
    if (!removed) return undefined;
    // Deleted from the hover's link, the hover would go on showing the annotation: close it (hovering again shows
    // what is left there).
    await vscode.commands.executeCommand('editor.action.hideHover');
    const restore = async (): Promise<void> => {
      await t.folder.store.update(t.doc, { upsert: [removed] });
      await t.folder.sidecarChanged(t.doc);
      await extra?.undo();
    };
    this.pushUndo(`deleting the ${removed.kind}`, restore);
    void vscode.window
      .showInformationMessage(`Deleted ${removed.kind} “${clip(removed.target.quote.exact, 60)}”${extra?.note ?? ''}.`, 'Undo')
      .then((choice) => {
        if (choice === 'Undo') void vscode.commands.executeCommand(COMMANDS.undo);
      });
    return removed;
  }

  async undo(): Promise<string | undefined> {
    const step = this.undoStack.pop();
    if (!step) {
      void vscode.window.showInformationMessage('Nothing of Marginalia’s to undo.');
      return undefined;
    }
    await step.run();
    this.log.info(`undid ${step.label}`);
    return step.label;
  }

  /** Re-attaches an (orphaned) annotation to the active editor's selection in its document. */
  async reattach(args: unknown[]): Promise<Annotation> {
    const t = await this.targets.resolve(args);
    const editor = vscode.window.activeTextEditor;
    const at = editor && this.workspace.locate(editor.document.uri);
    if (!editor || !at || at.folder !== t.folder || at.doc !== t.doc)
      throw new UserFacingError(`Open ${t.doc} and select the passage to re-attach the ${t.annotation.kind} to.`);
    if (editor.selection.isEmpty) throw new UserFacingError('Select the passage to re-attach to first.');
    const text = editor.document.getText();
    const start = editor.document.offsetAt(editor.selection.start);
    const end = editor.document.offsetAt(editor.selection.end);
    const before = t.annotation;
    const next = await t.folder.reattach(t.doc, before.id, text, { start, end, quote: makeQuote(text, start, end) }, authorName(), this.now());
    this.pushUndo('re-attaching', () => this.restore(t.folder, t.doc, before));
    return next;
  }

  async reveal(args: unknown[]): Promise<void> {
    const t = await this.targets.resolve(args);
    this.tree.refresh();
    const node = this.tree.findAnnotation(t.folder, t.doc, t.annotation.id);
    if (!node) throw new UserFacingError('That annotation is hidden by the kind filter of the Corpus view.');
    await this.treeView.reveal(node, { select: true, focus: true, expand: true });
  }

  /** Opens the document with the passage selected (orphans: where it last was, if that still exists). */
  async open(args: unknown[]): Promise<vscode.TextEditor> {
    const t = await this.targets.resolve(args);
    const document = await vscode.workspace.openTextDocument(t.folder.uri(t.doc));
    const a = t.folder.get(t.doc, t.annotation.id) ?? t.annotation;
    const length = document.getText().length;
    const start = document.positionAt(Math.min(a.target.start, length));
    const end = document.positionAt(Math.min(a.target.end, length));
    const editor = await vscode.window.showTextDocument(document, { selection: new vscode.Selection(start, end), preserveFocus: false });
    editor.revealRange(new vscode.Range(start, end), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    if (a.anchor.status === 'orphaned') {
      void vscode.window
        .showWarningMessage(
          `This ${a.kind} is orphaned: “${clip(a.target.quote.exact, 60)}” was not found. Select the passage and choose Re-attach, or delete it.`,
          'Re-attach to Selection',
          'Delete',
        )
        .then((c) => {
          if (c === 'Delete') void vscode.commands.executeCommand(COMMANDS.deleteAnnotation, ...Targets.args({ folder: t.folder, doc: t.doc, id: a.id }));
          if (c === 'Re-attach to Selection')
            void vscode.commands.executeCommand(COMMANDS.reattach, ...Targets.args({ folder: t.folder, doc: t.doc, id: a.id }));
        });
    }
    return editor;
  }

  // ---------------------------------------------------------------------------------------------------------------

  private async change(t: AnnotationTarget, label: string, fn: (a: Annotation, kind: KindDefinition) => Annotation): Promise<Annotation> {
    const before = t.annotation;
    const next = await t.folder.mutate(t.doc, before.id, (a) => fn(a, this.kindOrThrow(t.folder, a.kind === before.kind ? before.kind : a.kind)));
    this.pushUndo(label, () => this.restore(t.folder, t.doc, before));
    return next;
  }

  private async restore(folder: FolderModel, doc: string, before: Annotation): Promise<void> {
    await folder.mutate(doc, before.id, (a) => ({ ...before, target: a.target, provenance: { ...before.provenance, docHash: a.provenance.docHash } }));
  }

  /** Puts a step on Marginalia's undo stack (marginalia.undo runs the last one). */
  pushUndo(label: string, run: () => Promise<void>): void {
    this.undoStack.push({ label, run });
    if (this.undoStack.length > 50) this.undoStack.shift();
  }

  private kindOrThrow(folder: FolderModel, name: string): KindDefinition {
    const k = folder.kind(name);
    if (!k)
      throw new UserFacingError(
        `There is no kind “${name}” in the codebook of ${folder.name} (kinds: ${folder.codebook.kinds.map((x) => x.name).join(', ')}).`,
      );
    return k;
  }

  private async pickKind(folder: FolderModel, placeHolder: string, current?: string): Promise<KindDefinition> {
    const pick = await vscode.window.showQuickPick(
      folder.codebook.kinds.map((k) => ({
        label: k.name,
        description: k.name === current ? '(current)' : undefined,
        detail: k.description,
        iconPath: kindIcon(k.name, k),
        def: k,
      })),
      { placeHolder, matchOnDetail: true },
    );
    if (!pick) throw new Cancelled();
    return pick.def;
  }

  /**
   * Asks the kind's questions in one multi-step input, pre-filled from what is known (a figure's value or range and
   * unit from the passage, an entity's type from the register or the name). Questions the person did not reach keep
   * `current`; the note is asked when `withNote`.
   */
  private async askAttributes(
    folder: FolderModel,
    kind: KindDefinition,
    current: Record<string, AttributeValue>,
    passage: string,
    withNote: boolean,
  ): Promise<{ attributes: Record<string, AttributeValue>; note: string | undefined }> {
    const { TagQuestions, NOTE_QUESTION } = research();
    const questions = new TagQuestions(kind, { passage, current, withNote, register: folder.entities, used: this.usedValues(folder, kind.name) });
    const answers = await this.forms.ask(`${withNote ? 'Tag' : 'Edit'} ${kind.name}`, questions);
    const result = questions.result(answers);
    return { attributes: result.attributes, note: answers.has(NOTE_QUESTION) ? result.note : undefined };
  }

  /** The string values each attribute of a kind already has in the folder, with (for entities) the type as description. */
  private usedValues(folder: FolderModel, kind: string): Map<string, Map<string, string>> {
    const out = new Map<string, Map<string, string>>();
    for (const doc of folder.documents()) {
      for (const a of folder.annotations(doc)) {
        if (a.kind !== kind) continue;
        for (const [name, v] of Object.entries(a.attributes)) {
          if (typeof v !== 'string' || v.trim() === '') continue;
          const values = out.get(name) ?? new Map<string, string>();
          if (!values.get(v)) values.set(v, name === 'canonical' && typeof a.attributes.type === 'string' ? a.attributes.type : '');
          out.set(name, values);
        }
      }
    }
    return out;
  }
}

function asOptions(o: unknown): TagOptions {
  return o && typeof o === 'object' && !(o instanceof vscode.Uri) ? (o as TagOptions) : {};
}

async function ask(prompt: string, value: string, placeHolder: string, validateInput?: (v: string) => string | undefined): Promise<string> {
  const v = await vscode.window.showInputBox({ prompt, value, placeHolder, validateInput });
  if (v === undefined) throw new Cancelled();
  return v;
}

function clip(s: string, n: number): string {
  const t = s.replace(/\s+/g, ' ');
  return t.length > n ? t.slice(0, n - 1) + '…' : t;
}
