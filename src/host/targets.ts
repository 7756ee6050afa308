// Which annotation a command is about: from a tree node, from hover/tree command-link arguments
// (folder uri, doc, id), or from the cursor in the active editor.
import * as vscode from 'vscode';
import type { Annotation } from '../core/model';
import type { WorkspaceAnnotations } from './workspaceAnnotations';
import type { DocumentIndexes } from './documentIndex';
import type { FolderModel } from './folderModel';
import { Cancelled, UserFacingError } from './commands';

export { Cancelled };

export interface AnnotationTarget {
  folder: FolderModel;
  doc: string;
  annotation: Annotation;
}

export class Targets {
  constructor(
    private readonly workspace: WorkspaceAnnotations,
    private readonly indexes: DocumentIndexes,
  ) {}

  /** Arguments for a command link that names one annotation. */
  static args(t: { folder: FolderModel; doc: string; id: string }): [string, string, string] {
    return [t.folder.folder.uri.toString(), t.doc, t.id];
  }

  /** Annotations under the cursor of the active editor, innermost first. */
  atCursor(editor = vscode.window.activeTextEditor): AnnotationTarget[] {
    if (!editor) return [];
    const at = this.workspace.locate(editor.document.uri);
    if (!at) return [];
    const offset = editor.document.offsetAt(editor.selection.active);
    return this.indexes
      .get(at.folder, at.doc)
      .touching(offset)
      .sort((a, b) => a.end - a.start - (b.end - b.start))
      .map((s) => ({ folder: at.folder, doc: at.doc, annotation: s.annotation }));
  }

  /** Resolves a command's arguments to one annotation, asking the person to pick when several are under the cursor. */
  async resolve(args: unknown[]): Promise<AnnotationTarget> {
    const [a0, a1, a2] = args;
    if (a0 && typeof a0 === 'object' && (a0 as { type?: string }).type === 'annotation') {
      const n = a0 as { folder: FolderModel; doc: string; annotation: Annotation };
      return this.fresh(n.folder, n.doc, n.annotation.id);
    }
    if (typeof a0 === 'string' && typeof a1 === 'string' && typeof a2 === 'string') {
      const folder = this.workspace.all().find((f) => f.folder.uri.toString() === a0);
      if (!folder) throw new UserFacingError(`The workspace folder ${a0} is no longer open.`);
      return this.fresh(folder, a1, a2);
    }
    const here = this.atCursor();
    if (here.length === 0) throw new UserFacingError('Put the cursor in an annotated passage first (or pick one in the Marginalia view).');
    if (here.length === 1) return here[0];
    const pick = await vscode.window.showQuickPick(
      here.map((t) => ({ label: t.annotation.kind, description: t.annotation.target.quote.exact.slice(0, 80), t })),
      { placeHolder: 'Several annotations overlap here: which one?' },
    );
    if (!pick) throw new Cancelled();
    return pick.t;
  }

  private fresh(folder: FolderModel, doc: string, id: string): AnnotationTarget {
    const annotation = folder.get(doc, id);
    if (!annotation) throw new UserFacingError(`That annotation is no longer in ${doc}.`);
    return { folder, doc, annotation };
  }
}
