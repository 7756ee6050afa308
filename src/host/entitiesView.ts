// The Entities view and its commands: each entity (register ∪ canonical names used) with all its mentions across
// the corpus (document → passage); tag all mentions after a preview; merge two entities; add an entity.
import * as vscode from 'vscode';
import { Disposable } from './lifecycle';
import type { Annotation } from '../core/model';
import { research } from './coreChunks';
import {
  addEntity,
  findEntity,
  mentionsOf,
  mergeEntities,
  registerFromAnnotations,
  ENTITY_KIND,
  EntityInputError,
  type Entity,
  applyRegisterChange,
  saveEntities,
  readDocument,
} from '../core/store';
import { createAnnotation, ENTITY_TYPES, type EntityType, plural } from '../core/model';
import type { WorkspaceAnnotations } from './workspaceAnnotations';
import type { FolderModel } from './folderModel';
import { Cancelled, UserFacingError } from './commands';
import { COMMANDS, VIEWS } from './commandIds';
import { Targets } from './targets';
import { authorName } from './settings';
import type { Logger } from './log';

export type EntityNode =
  | { type: 'entity'; folder: FolderModel; entity: Entity; registered: boolean }
  | { type: 'doc'; folder: FolderModel; entity: Entity; doc: string; annotations: Annotation[] }
  | { type: 'mention'; folder: FolderModel; doc: string; annotation: Annotation };

export class EntitiesProvider extends Disposable implements vscode.TreeDataProvider<EntityNode> {
  private readonly emitter = this._register(new vscode.EventEmitter<undefined>());
  readonly onDidChangeTreeData = this.emitter.event;
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** The Entities view. */
  constructor(private readonly workspace: WorkspaceAnnotations) {
    super();
    this._register(
      workspace.onDidChange(() => {
        if (this.timer) clearTimeout(this.timer);
        this.timer = setTimeout(() => this.emitter.fire(undefined), 100);
      }),
    );
    this._register(vscode.window.createTreeView(VIEWS.entities, { treeDataProvider: this, showCollapseAll: true }));
  }

  refresh(): void {
    this.emitter.fire(undefined);
  }

  /** The folder's annotations this person sees, by document (blind coding hides the other coders' mentions). */
  private shown(folder: FolderModel): Map<string, Annotation[]> {
    const all = folder.allAnnotations();
    if (!this.workspace.layers.filters(folder)) return all;
    const out = new Map<string, Annotation[]>();
    for (const [doc, list] of all) {
      const seen = this.workspace.layers.visible(folder, list);
      if (seen.length > 0) out.set(doc, seen);
    }
    return out;
  }

  /** The register's entities plus those only named by annotations (canonical attribute), sorted by name. */
  entities(folder: FolderModel): { entity: Entity; registered: boolean }[] {
    const registered = new Set(folder.entities.entities.map((e) => e.name));
    return registerFromAnnotations(this.shown(folder), folder.entities).entities.map((entity) => ({ entity, registered: registered.has(entity.name) }));
  }

  getChildren(node?: EntityNode): EntityNode[] {
    if (!node) return this.workspace.all().flatMap((folder) => this.entities(folder).map((e) => ({ type: 'entity' as const, folder, ...e })));
    if (node.type === 'entity')
      return mentionsOf(node.entity, this.shown(node.folder)).map((m) => ({
        type: 'doc' as const,
        folder: node.folder,
        entity: node.entity,
        doc: m.doc,
        annotations: m.annotations,
      }));
    if (node.type === 'doc') return node.annotations.map((annotation) => ({ type: 'mention' as const, folder: node.folder, doc: node.doc, annotation }));
    return [];
  }

  getTreeItem(node: EntityNode): vscode.TreeItem {
    switch (node.type) {
      case 'entity': {
        const mentions = mentionsOf(node.entity, this.shown(node.folder));
        const count = mentions.reduce((n, m) => n + m.annotations.length, 0);
        const item = new vscode.TreeItem(node.entity.name, count > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        item.description = `${node.entity.type} · ${plural(count, 'mention')} in ${plural(mentions.length, 'document')}${node.registered ? '' : ' · not in the register'}`;
        item.tooltip = [node.entity.name, node.entity.aliases.length ? `also: ${node.entity.aliases.join(', ')}` : '', node.entity.note ?? '']
          .filter((s) => s)
          .join('\n');
        item.iconPath = new vscode.ThemeIcon(
          { person: 'person', organisation: 'organization', place: 'location', other: 'symbol-misc' }[node.entity.type],
          new vscode.ThemeColor('marginalia.entityRuler'),
        );
        item.contextValue = node.registered ? 'entity.registered' : 'entity';
        item.id = `ent:${node.folder.folder.uri}#${node.entity.name}`;
        return item;
      }
      case 'doc': {
        const item = new vscode.TreeItem(node.doc, vscode.TreeItemCollapsibleState.Collapsed);
        item.description = String(node.annotations.length);
        item.resourceUri = node.folder.uri(node.doc);
        item.iconPath = vscode.ThemeIcon.File;
        item.id = `ent:${node.folder.folder.uri}#${node.entity.name}#${node.doc}`;
        return item;
      }
      case 'mention': {
        const a = node.annotation;
        const item = new vscode.TreeItem(a.target.quote.exact.replace(/\s+/g, ' '), vscode.TreeItemCollapsibleState.None);
        item.description = `…${a.target.quote.prefix.slice(-24).replace(/\s+/g, ' ')}`;
        item.contextValue = a.anchor.status === 'orphaned' ? 'annotation.orphan' : 'annotation';
        item.command = { command: COMMANDS.openAnnotation, title: 'Open Passage', arguments: Targets.args({ folder: node.folder, doc: node.doc, id: a.id }) };
        item.id = `ent:${node.folder.folder.uri}#${a.id}`;
        return item;
      }
    }
  }

  override dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    super.dispose();
  }
}

export interface MentionCandidate {
  doc: string;
  start: number;
  end: number;
  matched: string;
  context: string;
}

export class EntityCommands extends Disposable {
  constructor(
    private readonly workspace: WorkspaceAnnotations,
    private readonly view: EntitiesProvider,
    private readonly log: Logger,
  ) {
    super();
    this._command(log, COMMANDS.tagAllMentions, (node?: unknown, o?: unknown) => this.tagAllMentions(node, o as { accept?: 'all' } | undefined));
    this._command(log, COMMANDS.mergeEntities, (node?: unknown, absorb?: unknown) => this.merge(node, typeof absorb === 'string' ? absorb : undefined));
    this._command(log, COMMANDS.addEntity, (o?: unknown) => this.add(o as Parameters<EntityCommands['add']>[0]));
  }

  /** Every untagged mention of the entity's name and aliases across the folder's corpus. Nothing is stored. */
  async findUntagged(folder: FolderModel, entity: Entity): Promise<MentionCandidate[]> {
    const out: MentionCandidate[] = [];
    for (const doc of folder.corpus) {
      const text = folder.liveDocument(doc)?.text ?? (await readDocument(folder.fs, doc).catch(() => undefined));
      if (text === undefined) continue;
      const existing = folder
        .annotations(doc)
        .filter((a) => a.kind === ENTITY_KIND && a.anchor.status !== 'orphaned')
        .map((a) => a.target);
      for (const m of research().findMentions(text, entity, { existing })) {
        out.push({
          doc,
          ...m,
          context: `${text.slice(Math.max(0, m.start - 30), m.start)}[${m.matched}]${text.slice(m.end, m.end + 30)}`.replace(/\s+/g, ' '),
        });
      }
    }
    return out;
  }

  /**
   * Finds the entity's names and aliases across the corpus, shows them for review (all ticked), and tags the ones
   * kept. `options.accept: 'all'` skips the review (tests, scripts).
   */
  async tagAllMentions(arg?: unknown, options?: { accept?: 'all' }): Promise<number> {
    const { folder, entity } = await this.pickEntity(arg, 'Tag every mention of which entity?');
    folder.assertWritable();
    const found = await this.findUntagged(folder, entity);
    if (found.length === 0) {
      void vscode.window.showInformationMessage(`Every mention of ${entity.name} is tagged already.`);
      return 0;
    }
    let chosen = found;
    if (options?.accept !== 'all') {
      const picks = await vscode.window.showQuickPick(
        found.map((c) => ({ label: c.matched, description: c.doc, detail: c.context, picked: true, c })),
        {
          canPickMany: true,
          matchOnDetail: true,
          title: `Tag ${plural(found.length, 'mention')} of ${entity.name} (${entity.type})`,
          placeHolder: 'Untick the ones that are not this entity, then press Enter',
        },
      );
      if (!picks) throw new Cancelled();
      chosen = picks.map((p) => p.c);
    }
    const kind = folder.kind(ENTITY_KIND);
    if (!kind) throw new UserFacingError(`The codebook of ${folder.name} has no entity kind.`);
    const now = new Date();
    const author = authorName();
    const byDoc = new Map<string, MentionCandidate[]>();
    for (const c of chosen) byDoc.set(c.doc, [...(byDoc.get(c.doc) ?? []), c]);
    for (const [doc, list] of byDoc) {
      const text = folder.liveDocument(doc)?.text ?? (await readDocument(folder.fs, doc));
      if (text === undefined) continue;
      const created = list.map((c) =>
        createAnnotation(
          text,
          { doc, kind: kind.name, start: c.start, end: c.end, author, note: '', attributes: { type: entity.type, canonical: entity.name } },
          kind,
          now,
        ),
      );
      await folder.add(doc, created, text);
    }
    if (!findEntity(folder.entities, entity.name)) await this.saveRegister(folder, addEntity(folder.entities, entity));
    this.log.info(`tagged ${plural(chosen.length, 'mention')} of ${entity.name} in ${plural(byDoc.size, 'document')}`);
    return chosen.length;
  }

  /** Merges another entity into this one: its name becomes an alias, its annotations point here. */
  async merge(arg?: unknown, absorbName?: string): Promise<void> {
    const { folder, entity: keep } = await this.pickEntity(arg, 'Merge into which entity (the one to keep)?');
    folder.assertWritable();
    let absorb = absorbName;
    if (!absorb) {
      const others = this.view.entities(folder).filter((e) => e.entity.name !== keep.name);
      const pick = await vscode.window.showQuickPick(
        others.map((e) => ({ label: e.entity.name, description: e.entity.type })),
        { placeHolder: `Merge which entity into ${keep.name}?` },
      );
      if (!pick) throw new Cancelled();
      absorb = pick.label;
    }
    // Entities named only by annotations join the register first, so the merge can record the alias.
    let reg = folder.entities;
    for (const e of this.view.entities(folder))
      if ((e.entity.name === keep.name || e.entity.name === absorb) && !findEntity(reg, e.entity.name)) reg = addEntity(reg, e.entity);
    let change;
    try {
      change = mergeEntities(reg, keep.name, absorb, folder.allAnnotations(), new Date());
    } catch (e) {
      if (e instanceof EntityInputError) throw new UserFacingError(e.message);
      throw e;
    }
    await applyRegisterChange(folder.fs, folder.store, change.register, change.rewrites);
    await folder.load();
    for (const doc of folder.documents()) if (folder.liveDocument(doc)) await folder.sidecarChanged(doc);
    this.log.info(`merged ${absorb} into ${keep.name}: ${plural(change.rewrites.length, 'annotation')} rewritten`);
  }

  /** Adds an entity to the register (name, type, aliases). */
  async add(options?: { name?: string; type?: EntityType; aliases?: string[]; folder?: string }): Promise<Entity> {
    const folder = this.folder(options?.folder);
    folder.assertWritable();
    const name = options?.name ?? (await vscode.window.showInputBox({ prompt: 'Canonical name of the entity', placeHolder: 'e.g. Vladimir Putin' }))?.trim();
    if (!name) throw new Cancelled();
    const type = options?.type ?? ((await vscode.window.showQuickPick([...ENTITY_TYPES], { placeHolder: `What is ${name}?` })) as EntityType | undefined);
    if (!type) throw new Cancelled();
    const aliases =
      options?.aliases ??
      (
        (await vscode.window.showInputBox({
          prompt: `Other spellings of ${name}, separated by commas (optional)`,
          placeHolder: 'e.g. Putin, President Putin',
        })) ?? ''
      )
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s && s !== name);
    const entity: Entity = { name, type, aliases };
    try {
      await this.saveRegister(folder, addEntity(folder.entities, entity));
    } catch (e) {
      if (e instanceof EntityInputError) throw new UserFacingError(e.message);
      throw e;
    }
    return entity;
  }

  private async saveRegister(folder: FolderModel, reg: typeof folder.entities): Promise<void> {
    await saveEntities(folder.fs, reg);
    await folder.loadEntities();
    this.view.refresh();
  }

  private folder(uri?: string): FolderModel {
    const all = this.workspace.all();
    const f =
      (uri && all.find((x) => x.folder.uri.toString() === uri)) ||
      (vscode.window.activeTextEditor && this.workspace.folderOf(vscode.window.activeTextEditor.document.uri)) ||
      all[0];
    if (!f) throw new UserFacingError('Open a folder first.');
    return f;
  }

  private async pickEntity(arg: unknown, placeHolder: string): Promise<{ folder: FolderModel; entity: Entity }> {
    const node = arg as EntityNode | undefined;
    if (node && typeof node === 'object' && node.type === 'entity') return { folder: node.folder, entity: node.entity };
    if (typeof arg === 'string') {
      for (const folder of this.workspace.all()) {
        const e =
          this.view.entities(folder).find((x) => x.entity.name === arg) ??
          (findEntity(folder.entities, arg) ? { entity: findEntity(folder.entities, arg)! } : undefined);
        if (e) return { folder, entity: e.entity };
      }
      throw new UserFacingError(`No entity called ${arg}: tag a mention as an entity with that canonical name, or add it to the register.`);
    }
    const all = this.workspace
      .all()
      .flatMap((folder) => this.view.entities(folder).map((e) => ({ label: e.entity.name, description: e.entity.type, folder, entity: e.entity })));
    if (all.length === 0) throw new UserFacingError('No entities yet: tag a name as an entity, or add one to the register.');
    const pick = await vscode.window.showQuickPick(all, { placeHolder });
    if (!pick) throw new Cancelled();
    return { folder: pick.folder, entity: pick.entity };
  }
}
