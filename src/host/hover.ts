// Hover provenance: kind and attributes, note, who and when, the source document's header, the anchor state,
// with command links to reveal, edit and delete.
import * as vscode from 'vscode';
import { Disposable } from './lifecycle';
import type { Annotation } from '../core/model';
import type { DocumentMetadata } from '../core/research';
import { capture, research } from './coreChunks';
import type { WorkspaceAnnotations } from './workspaceAnnotations';
import type { DocumentIndexes } from './documentIndex';
import { Targets } from './targets';
import { COMMANDS } from './commandIds';
import type { FolderModel } from './folderModel';
import { coderLabel } from '../core/store';

const LINKED = [COMMANDS.revealInTree, COMMANDS.editNote, COMMANDS.editAttributes, COMMANDS.changeKind, COMMANDS.deleteAnnotation];

/** More of an annotation's hover, from another part of the extension (relations.ts: its links). */
export interface HoverSection {
  /** The commands its links run (trusted in the hover). */
  readonly commands: readonly string[];
  /** Markdown placed before the row of actions ('' for nothing). */
  markdown(folder: FolderModel, doc: string, a: Annotation): string;
  /** Links added to the row of actions; `args` is the annotation's command-link argument, URI-encoded. */
  actions(args: string): string[];
}

export class ProvenanceHover extends Disposable implements vscode.HoverProvider {
  private readonly metadata = new WeakMap<vscode.TextDocument, { version: number; meta: DocumentMetadata }>();
  private readonly sections: HoverSection[] = [];

  /** Adds a section to every annotation's hover. */
  addSection(section: HoverSection): void {
    this.sections.push(section);
  }

  constructor(
    private readonly workspace: WorkspaceAnnotations,
    private readonly indexes: DocumentIndexes,
  ) {
    super();
    this._register(vscode.languages.registerHoverProvider({ pattern: '**/*' }, this));
  }

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const at = this.workspace.locate(document.uri);
    if (!at) return undefined;
    const offset = document.offsetAt(position);
    const hits = this.indexes.get(at.folder, at.doc).touching(offset);
    if (hits.length === 0) return undefined;
    hits.sort((a, b) => a.end - a.start - (b.end - b.start));
    const meta = this.meta(document);
    const current = at.folder.liveDocument(at.doc)?.hash;
    // A document made from a PDF marks where each page starts: the hover names the page of the passage.
    const pageOf = (offset: number): number | undefined =>
      meta.fields.format === 'pdf'
        ? capture().pageAt(document.getText(new vscode.Range(new vscode.Position(0, 0), document.positionAt(offset))), offset)
        : undefined;
    const parts = hits.map((h) => this.render(at.folder, at.doc, h.annotation, meta, current, pageOf(h.start)));
    const inner = hits[0];
    return new vscode.Hover(parts, new vscode.Range(document.positionAt(inner.start), document.positionAt(inner.end)));
  }

  private meta(document: vscode.TextDocument): DocumentMetadata {
    const hit = this.metadata.get(document);
    if (hit && hit.version === document.version) return hit.meta;
    // Only the head of a document can hold its header or front matter.
    const head = document.getText(new vscode.Range(0, 0, Math.min(document.lineCount, 200), 0));
    const meta = research().parseDocumentMetadata(head, document.uri.path);
    this.metadata.set(document, { version: document.version, meta });
    return meta;
  }

  render(folder: FolderModel, doc: string, a: Annotation, meta: DocumentMetadata, currentHash: string | undefined, page?: number): vscode.MarkdownString {
    const md = new vscode.MarkdownString('', true);
    md.isTrusted = { enabledCommands: [...LINKED, ...this.sections.flatMap((x) => x.commands)] };
    md.supportHtml = false;
    const def = folder.kind(a.kind);
    md.appendMarkdown(`**${escape(capitalise(a.kind))}**`);
    if (def?.description) md.appendMarkdown(` — ${escape(def.description)}`);
    md.appendMarkdown(`  \n${anchorLine(a, currentHash)}`);
    if (this.workspace.layers.layer(folder, a) === 'compared')
      md.appendMarkdown(`  \n$(eye) ${escape(coderLabel(a.provenance.author))}'s layer, compared with yours (dotted underline)`);
    md.appendMarkdown('\n\n');
    const attrs = Object.entries(a.attributes);
    if (attrs.length > 0) md.appendMarkdown(attrs.map(([k, v]) => `${escape(k)}: **${escape(String(v))}**`).join('  \n') + '\n\n');
    if (a.kind === 'figure') {
      const { figureOfAnnotation, formatFigure } = research();
      const figure = figureOfAnnotation(a.attributes, a.target.quote.exact);
      if (figure) md.appendMarkdown(`As a number: **${escape(formatFigure(figure))}**\n\n`);
    }
    if (a.note) md.appendMarkdown(`*Note:* ${escape(a.note)}\n\n`);
    md.appendMarkdown(`Tagged by **${escape(coderLabel(a.provenance.author))}** on ${when(a.provenance.created)}`);
    if (a.provenance.modified !== a.provenance.created) md.appendMarkdown(`, changed ${when(a.provenance.modified)}`);
    md.appendMarkdown(`  \nwith ${escape(a.provenance.tool)}\n\n`);
    const fields = Object.entries(meta.fields);
    md.appendMarkdown(`Source: ${code(doc)}${page !== undefined ? `, p. ${page}` : ''}`);
    if (fields.length > 0) md.appendMarkdown('  \n' + fields.map(([k, v]) => `${escape(k)}: **${escape(v)}**`).join(' · '));
    else if (meta.title) md.appendMarkdown(`  \nTitle: *${escape(meta.title)}*`);
    md.appendMarkdown(`  \nText version: ${code(a.provenance.docHash.slice(7, 19))}${currentHash === a.provenance.docHash ? ' (as saved)' : ''}\n\n`);
    for (const section of this.sections) md.appendMarkdown(section.markdown(folder, doc, a));
    const args = encodeURIComponent(JSON.stringify(Targets.args({ folder, doc, id: a.id })));
    const link = (title: string, cmd: string): string => `[${title}](command:${cmd}?${args})`;
    md.appendMarkdown(
      [
        link('$(list-tree) Reveal', COMMANDS.revealInTree),
        link('$(edit) Note', COMMANDS.editNote),
        link('$(symbol-property) Attributes', COMMANDS.editAttributes),
        link('$(symbol-enum) Kind', COMMANDS.changeKind),
        ...this.sections.flatMap((x) => x.actions(args)),
        link('$(trash) Delete', COMMANDS.deleteAnnotation),
      ].join(' · '),
    );
    return md;
  }
}

function anchorLine(a: Annotation, currentHash: string | undefined): string {
  switch (a.anchor.status) {
    case 'anchored':
      return currentHash === undefined || currentHash === a.provenance.docHash
        ? '$(pass) anchored exactly'
        : '$(pass) anchored (positions follow your unsaved edits)';
    case 'reanchored':
      return `$(sync) re-anchored${a.anchor.method ? ` by ${methodName(a.anchor.method)}` : ''}${a.anchor.detail ? `: ${escape(a.anchor.detail)}` : ''}`;
    case 'orphaned':
      return `$(warning) orphaned${a.anchor.detail ? `: ${escape(a.anchor.detail)}` : ''}`;
  }
}

function methodName(m: string): string {
  return (
    (
      {
        exact: 'exact match',
        edits: 'editing',
        diff: 'diff against the saved version',
        'diff-changed': 'diff (passage edited)',
        quote: 'quote search',
        fuzzy: 'approximate quote search',
        orphaned: 'nothing',
      } as Record<string, string>
    )[m] ?? m
  );
}

function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? escape(iso) : d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** An inline code span that holds any text (backslashes mean nothing inside one; longer fences handle backticks). */
function code(s: string): string {
  const fence = '`'.repeat(Math.max(1, ...[...s.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  return `${fence} ${s.replace(/\n/g, ' ')} ${fence}`;
}

/** Markdown-escapes text that comes from documents and people. */
function escape(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>~$]/g, '\\$&').replace(/\n/g, ' ');
}
