// The Corpus view: folders → documents → kinds → passages, with counts; orphans grouped under their document.
import * as vscode from 'vscode';
import { Disposable } from './lifecycle';
import { plural, type Annotation } from '../core/model';
import { buildCorpusTree, coderLabel, relationLabel, summariseCounts, type DirSummary, type DocSummary, type ResolvedRelation } from '../core/store';
import type { FolderModel } from './folderModel';
import type { WorkspaceAnnotations } from './workspaceAnnotations';
import { kindIcon } from './kindStyle';
import { COMMANDS } from './commandIds';

export type CorpusNode =
  | { type: 'folder'; id: string; folder: FolderModel; root: DirSummary }
  | { type: 'dir'; id: string; folder: FolderModel; dir: DirSummary }
  | { type: 'doc'; id: string; folder: FolderModel; doc: DocSummary }
  | { type: 'kind'; id: string; folder: FolderModel; doc: string; kind: string; count: number }
  | { type: 'orphans'; id: string; folder: FolderModel; doc: string; count: number }
  | { type: 'annotation'; id: string; folder: FolderModel; doc: string; annotation: Annotation }
  | { type: 'relation'; id: string; folder: FolderModel; doc: string; annotation: Annotation; relation: ResolvedRelation; outgoing: boolean }
  | { type: 'error'; id: string; folder: FolderModel; message: string; file: string; line?: number; code?: string };

export class CorpusTreeProvider extends Disposable implements vscode.TreeDataProvider<CorpusNode> {
  private readonly emitter = this._register(new vscode.EventEmitter<CorpusNode | undefined>());
  readonly onDidChangeTreeData = this.emitter.event;
  private roots = new Map<FolderModel, DirSummary>();
  /** Folders whose shown annotations come from more than one coder: their passages name their coder. */
  private readonly multiCoder = new Set<FolderModel>();
  private readonly parents = new Map<string, CorpusNode | undefined>();
  private readonly nodes = new Map<string, CorpusNode>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly filterEmitter = this._register(new vscode.EventEmitter<void>());
  /** The kind or coder filter changed (the view's description follows it). */
  readonly onDidChangeKindFilter = this.filterEmitter.event;
  private filter: ReadonlySet<string> | undefined;
  private coders: ReadonlySet<string> | undefined;

  constructor(private readonly workspace: WorkspaceAnnotations) {
    super();
    this._register(workspace.onDidChange(() => this.refreshSoon()));
  }

  /** Debounced: a burst of store changes (a check, a git pull) redraws once. */
  refreshSoon(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), 50);
  }

  refresh(): void {
    this.timer = undefined;
    this.roots.clear();
    this.multiCoder.clear();
    this.emitter.fire(undefined);
  }

  private root(folder: FolderModel): DirSummary {
    let r = this.roots.get(folder);
    if (!r) {
      const corpus = new Set(folder.corpus);
      const seen = new Set<string>();
      const k = this.kindFilter;
      const c = this.coders;
      const layers = this.workspace.layers;
      const keep = (author: string, kind: string): boolean => (!k || k.has(kind)) && (!c || c.has(author)) && layers.sees(folder, author);
      // Counts, not annotations: at start-up they come from the summary cache before the sidecars are read.
      r = buildCorpusTree(
        folder.documents().map((d) => {
          const counts = folder.counts(d);
          for (const x of counts) if (keep(x.author, x.kind)) seen.add(x.author);
          return summariseCounts(d, counts, keep, !corpus.has(d));
        }),
      );
      this.roots.set(folder, r);
      if (seen.size > 1) this.multiCoder.add(folder);
      else this.multiCoder.delete(folder);
    }
    return r;
  }

  /** Only passages of these kinds are shown, when set. */
  get kindFilter(): ReadonlySet<string> | undefined {
    return this.filter;
  }

  /** Shows only these kinds (undefined or none: every kind), and redraws. */
  setKindFilter(kinds: Iterable<string> | undefined): void {
    const set = new Set(kinds ?? []);
    this.filter = set.size > 0 ? set : undefined;
    this.filterEmitter.fire();
    this.refresh();
  }

  /** Only annotations of these coders are shown, when set. */
  get coderFilter(): ReadonlySet<string> | undefined {
    return this.coders;
  }

  /** Shows only these coders' annotations (undefined or none: every coder's), and redraws. */
  setCoderFilter(coders: Iterable<string> | undefined): void {
    const set = new Set(coders ?? []);
    this.coders = set.size > 0 ? set : undefined;
    this.filterEmitter.fire();
    this.refresh();
  }

  /** What the view shows of a list: what this person sees of the coders' layers (blind coding, comparing), narrowed
   *  by the kind and coder filters. */
  visible(folder: FolderModel, annotations: Annotation[]): Annotation[] {
    const k = this.kindFilter;
    const c = this.coders;
    const seen = this.workspace.layers.visible(folder, annotations);
    return k || c ? seen.filter((a) => (!k || k.has(a.kind)) && (!c || c.has(a.provenance.author))) : seen;
  }

  getChildren(node?: CorpusNode): CorpusNode[] {
    if (!node) {
      const folders = this.workspace.all();
      if (folders.length === 1) return this.dirChildren(folders[0], this.root(folders[0]), undefined);
      return folders.map((folder) => this.remember({ type: 'folder', id: `f:${folder.folder.uri}`, folder, root: this.root(folder) }, undefined));
    }
    switch (node.type) {
      case 'folder':
        return this.dirChildren(node.folder, node.root, node);
      case 'dir':
        return this.dirChildren(node.folder, node.dir, node);
      case 'doc': {
        const out: CorpusNode[] = [];
        for (const [kind, count] of node.doc.byKind)
          out.push(this.remember({ type: 'kind', id: `${node.id}#k:${kind}`, folder: node.folder, doc: node.doc.doc, kind, count }, node));
        if (node.doc.orphaned > 0)
          out.push(this.remember({ type: 'orphans', id: `${node.id}#orphans`, folder: node.folder, doc: node.doc.doc, count: node.doc.orphaned }, node));
        return out;
      }
      case 'kind':
      case 'orphans': {
        const list = this.visible(node.folder, node.folder.annotations(node.doc)).filter((a) =>
          node.type === 'orphans' ? a.anchor.status === 'orphaned' : a.kind === node.kind && a.anchor.status !== 'orphaned',
        );
        return list.map((a) =>
          this.remember({ type: 'annotation', id: annotationNodeId(node.folder, node.doc, a.id), folder: node.folder, doc: node.doc, annotation: a }, node),
        );
      }
      case 'annotation': {
        // Its relations: those it starts, then those that point to it.
        const index = node.folder.relations();
        const id = node.annotation.id;
        const rows = [...index.outgoing(id).map((r) => ({ r, outgoing: true })), ...index.incoming(id).map((r) => ({ r, outgoing: false }))];
        return rows.map(({ r, outgoing }) =>
          this.remember(
            {
              type: 'relation',
              id: `${node.id}#r:${outgoing ? 'out' : 'in'}:${r.type}:${outgoing ? r.toId : r.from.annotation.id}`,
              folder: node.folder,
              doc: node.doc,
              annotation: node.annotation,
              relation: r,
              outgoing,
            },
            node,
          ),
        );
      }
      default:
        return [];
    }
  }

  private dirChildren(folder: FolderModel, dir: DirSummary, parent: CorpusNode | undefined): CorpusNode[] {
    const base = `f:${folder.folder.uri}`;
    const out: CorpusNode[] = [];
    if (dir.path === '') {
      for (const e of folder.errors)
        out.push(this.remember({ type: 'error', id: `${base}#e:${e.file}`, folder, message: e.message, file: e.file, line: e.line, code: e.code }, parent));
      for (const e of [folder.codebookError, folder.entitiesError]) {
        if (e) out.push(this.remember({ type: 'error', id: `${base}#e:${e.file}`, folder, message: e.message, file: e.file, line: e.line }, parent));
      }
    }
    for (const d of dir.dirs) out.push(this.remember({ type: 'dir', id: `${base}#d:${d.path}`, folder, dir: d }, parent));
    for (const d of dir.docs) out.push(this.remember({ type: 'doc', id: `${base}#doc:${d.doc}`, folder, doc: d }, parent));
    return out;
  }

  private remember(node: CorpusNode, parent: CorpusNode | undefined): CorpusNode {
    this.nodes.set(node.id, node);
    this.parents.set(node.id, parent);
    return node;
  }

  getParent(node: CorpusNode): CorpusNode | undefined {
    return this.parents.get(node.id);
  }

  /** The tree node of an annotation (walking the tree down so `reveal` can expand its ancestors). */
  findAnnotation(folder: FolderModel, doc: string, id: string): CorpusNode | undefined {
    const want = annotationNodeId(folder, doc, id);
    const walk = (nodes: CorpusNode[]): CorpusNode | undefined => {
      for (const n of nodes) {
        if (n.id === want) return n;
        const onPath =
          (n.type === 'folder' && n.folder === folder) ||
          (n.type === 'dir' && n.folder === folder && doc.startsWith(n.dir.path + '/')) ||
          (n.type === 'doc' && n.folder === folder && n.doc.doc === doc) ||
          ((n.type === 'kind' || n.type === 'orphans') && n.doc === doc);
        if (onPath) {
          const found = walk(this.getChildren(n));
          if (found) return found;
        }
      }
      return undefined;
    };
    return walk(this.getChildren());
  }

  findDocument(folder: FolderModel, doc: string): CorpusNode | undefined {
    const walk = (nodes: CorpusNode[]): CorpusNode | undefined => {
      for (const n of nodes) {
        if (n.type === 'doc' && n.folder === folder && n.doc.doc === doc) return n;
        if ((n.type === 'folder' && n.folder === folder) || (n.type === 'dir' && n.folder === folder && doc.startsWith(n.dir.path + '/'))) {
          const found = walk(this.getChildren(n));
          if (found) return found;
        }
      }
      return undefined;
    };
    return walk(this.getChildren());
  }

  getTreeItem(node: CorpusNode): vscode.TreeItem {
    switch (node.type) {
      case 'folder': {
        const item = new vscode.TreeItem(node.folder.name, vscode.TreeItemCollapsibleState.Expanded);
        item.description = counts(node.root.documents, node.root.annotations, node.root.orphaned);
        item.iconPath = new vscode.ThemeIcon('root-folder');
        item.contextValue = 'folder';
        return withId(item, node);
      }
      case 'dir': {
        const item = new vscode.TreeItem(node.dir.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.description = counts(node.dir.documents, node.dir.annotations, node.dir.orphaned);
        item.iconPath = vscode.ThemeIcon.Folder;
        item.resourceUri = node.folder.uri(node.dir.path);
        item.contextValue = 'dir';
        return withId(item, node);
      }
      case 'doc': {
        const d = node.doc;
        const item = new vscode.TreeItem(d.name, d.total > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        item.resourceUri = node.folder.uri(d.doc);
        item.description = (d.total === 0 ? '' : `${d.total}`) + (d.orphaned > 0 ? ` (${d.orphaned} orphaned)` : '') + (d.missing ? ' — file missing' : '');
        item.tooltip = `${d.doc}\n${plural(d.total, 'annotation')}${d.orphaned ? `, ${d.orphaned} orphaned` : ''}${d.missing ? '\nThe file is gone; its annotations are kept as orphans.' : ''}`;
        item.iconPath = d.missing ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('marginalia.orphanForeground')) : vscode.ThemeIcon.File;
        item.contextValue = d.missing ? 'document.missing' : 'document';
        const tooLarge = node.folder.tooLarge(d.doc);
        if (tooLarge) {
          item.description = `${item.description ? `${item.description} ` : ''}— too large, not annotated`;
          item.tooltip = tooLarge;
          item.iconPath = new vscode.ThemeIcon('circle-slash');
        }
        if (!d.missing) item.command = { command: 'vscode.open', title: 'Open', arguments: [node.folder.uri(d.doc)] };
        return withId(item, node);
      }
      case 'kind': {
        const item = new vscode.TreeItem(node.kind, vscode.TreeItemCollapsibleState.Collapsed);
        item.description = String(node.count);
        item.iconPath = kindIcon(node.kind, node.folder.kind(node.kind));
        item.tooltip = node.folder.kind(node.kind)?.description ?? node.kind;
        item.contextValue = 'kind';
        return withId(item, node);
      }
      case 'orphans': {
        const item = new vscode.TreeItem('orphaned', vscode.TreeItemCollapsibleState.Expanded);
        item.description = String(node.count);
        item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('marginalia.orphanForeground'));
        item.tooltip =
          'Annotations whose passage could not be found in the current text. Select the passage in the editor and choose Re-attach, or delete them.';
        item.contextValue = 'orphans';
        return withId(item, node);
      }
      case 'annotation': {
        const a = node.annotation;
        const orphan = a.anchor.status === 'orphaned';
        const linked = node.folder.relations().count(a.id) > 0;
        const item = new vscode.TreeItem(
          clip(a.target.quote.exact.replace(/\s+/g, ' '), 80),
          linked ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
        );
        const compared = this.workspace.layers.layer(node.folder, a) === 'compared';
        const coder = this.multiCoder.has(node.folder) ? `${coderLabel(a.provenance.author)}${compared ? ' (compared)' : ''}` : '';
        item.description = [coder, describe(a)].filter((s) => s).join(' — ');
        item.tooltip = annotationTooltip(a);
        item.iconPath = orphan
          ? new vscode.ThemeIcon('debug-disconnect', new vscode.ThemeColor('marginalia.orphanForeground'))
          : kindIcon(a.kind, node.folder.kind(a.kind));
        item.contextValue = orphan ? 'annotation.orphan' : 'annotation';
        item.command = { command: COMMANDS.openAnnotation, title: 'Open Passage', arguments: [node.folder.folder.uri.toString(), node.doc, a.id] };
        item.accessibilityInformation = { label: `${a.kind}${orphan ? ' (orphaned)' : ''}${coder ? ` by ${coder}` : ''}: ${a.target.quote.exact}` };
        return withId(item, node);
      }
      case 'relation': {
        const r = node.relation;
        const other = node.outgoing ? r.to : r.from;
        const label = relationLabel(r.definition, r.type, node.outgoing);
        const quote = other ? `“${clip(other.annotation.target.quote.exact.replace(/\s+/g, ' '), 60)}”` : r.toId;
        const item = new vscode.TreeItem(`${label} ${quote}`, vscode.TreeItemCollapsibleState.None);
        item.description = other ? `${other.annotation.kind}${other.doc === node.doc ? '' : ` · ${other.doc}`}` : 'missing annotation';
        item.iconPath = other
          ? new vscode.ThemeIcon(node.outgoing ? 'arrow-right' : 'arrow-left')
          : new vscode.ThemeIcon('warning', new vscode.ThemeColor('marginalia.orphanForeground'));
        item.tooltip = other
          ? `${node.annotation.kind} ${node.outgoing ? '' : '← '}${label} ${other.annotation.kind} “${other.annotation.target.quote.exact}” in ${other.doc}\nLinked by ${r.author || 'someone'} on ${r.created.slice(0, 10)}`
          : `This ${node.annotation.kind} ${label} ${r.toId}, an annotation that is no longer here. Unlink it (right-click), or restore the annotation.`;
        item.contextValue = other ? 'relation' : 'relation.missing';
        if (other)
          item.command = {
            command: COMMANDS.openAnnotation,
            title: 'Open the Other End',
            arguments: [node.folder.folder.uri.toString(), other.doc, other.annotation.id],
          };
        item.accessibilityInformation = {
          label: `${label} ${other ? `${other.annotation.kind}: ${other.annotation.target.quote.exact}` : `missing annotation ${r.toId}`}`,
        };
        return withId(item, node);
      }
      case 'error': {
        const item = new vscode.TreeItem(`Cannot load ${node.file.split('/').pop()}`, vscode.TreeItemCollapsibleState.None);
        item.description = node.line ? `line ${node.line}` : undefined;
        item.tooltip = node.message;
        item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
        // A conflicted sidecar offers "Resolve (keep both sides)" (package.json menus match error.conflict).
        item.contextValue = node.code === 'conflict' ? 'error.conflict' : 'error';
        if (node.code === 'conflict') item.tooltip = `${node.message}\n\nRight-click → Resolve (keep both sides) merges the annotations of both sides.`;
        const uri = node.folder.uri(node.file);
        const line = Math.max(0, (node.line ?? 1) - 1);
        item.command = { command: 'vscode.open', title: 'Open', arguments: [uri, { selection: new vscode.Range(line, 0, line, 0) }] };
        return withId(item, node);
      }
    }
  }

  override dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    super.dispose();
  }
}

export function annotationNodeId(folder: FolderModel, doc: string, id: string): string {
  return `f:${folder.folder.uri}#a:${doc}#${id}`;
}

function withId(item: vscode.TreeItem, node: CorpusNode): vscode.TreeItem {
  item.id = node.id;
  return item;
}

function counts(documents: number, annotations: number, orphaned: number): string {
  return `${plural(documents, 'document')} · ${plural(annotations, 'annotation')}${orphaned ? ` · ${orphaned} orphaned` : ''}`;
}

function describe(a: Annotation): string {
  const attrs = Object.entries(a.attributes)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  return [attrs, a.note].filter((s) => s).join(' — ');
}

function annotationTooltip(a: Annotation): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**${a.kind}**${a.anchor.status === 'orphaned' ? ' — *orphaned*' : ''}\n\n`);
  md.appendText(a.target.quote.exact);
  if (a.note) md.appendMarkdown('\n\n').appendText(a.note);
  md.appendMarkdown('\n\n').appendText(`${coderLabel(a.provenance.author)}, ${a.provenance.created.slice(0, 10)}`);
  return md;
}

function clip(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}
