// `marginalia link` and `unlink`, and the relation parts of list, check, remove, export and import: typed relations
// between annotations, stored on the annotation they start from (see docs/relations.md).
import {
  RelationError,
  RelationIndex,
  checkNewRelation,
  describeEnd,
  findRelationType,
  linkInStore,
  relationLabel,
  relationProblems,
  unlinkInStore,
  type AnnotationStore,
  type Codebook,
  type RelationProblem,
} from '../core/store';
import { isId, type Annotation, type Relation } from '../core/model';
import { UsageError } from './args';

/** What the CLI passes in: the store, every loaded annotation by document, the codebook, and who is acting. */
export interface RelationContext {
  store: AnnotationStore;
  all: ReadonlyMap<string, readonly Annotation[]>;
  codebook: Codebook;
  author: () => string;
  now: Date;
}

function ids(positionals: readonly string[], command: string): [string, string, string] {
  const [from, type, to, ...extra] = positionals;
  if (from === undefined || type === undefined || to === undefined || extra.length > 0) {
    throw new UsageError(`${command} takes FROM_ID TYPE TO_ID, e.g. marginalia ${command} 01J… supports 01K… (marginalia list shows the ids)`);
  }
  for (const id of [from, to])
    if (!isId(id)) throw new RelationError(`${JSON.stringify(id)} is not an annotation id (a ULID of 26 characters; marginalia list shows them)`);
  return [from, type, to];
}

/** `marginalia link FROM TYPE TO`: checks the codebook allows it, then stores the relation on FROM (under the lock). */
export async function link(
  ctx: RelationContext,
  positionals: readonly string[],
): Promise<{ from: Annotation; to: Annotation; relation: Relation; line: string }> {
  const [fromId, type, toId] = ids(positionals, 'link');
  const index = new RelationIndex(ctx.all, ctx.codebook);
  const from = index.get(fromId);
  const to = index.get(toId);
  if (!from) throw new RelationError(`no annotation has the id ${fromId}; nothing was linked (marginalia list shows the ids)`);
  if (!to) throw new RelationError(`no annotation has the id ${toId}; nothing was linked (marginalia list shows the ids)`);
  const t = checkNewRelation(index, from.annotation, type, to.annotation);
  const relation: Relation = { type, to: toId, author: ctx.author(), created: ctx.now.toISOString() };
  await linkInStore(ctx.store, from.doc, fromId, relation);
  const line = `linked ${describeEnd(from.annotation)} in ${from.doc} ${relationLabel(t, type, true)} ${describeEnd(to.annotation)} in ${to.doc}`;
  return { from: from.annotation, to: to.annotation, relation, line };
}

/**
 * `marginalia unlink FROM TYPE TO`: removes the relation stored on FROM. For a symmetric type, one stored on TO
 * pointing to FROM is the same relation and is removed as well. The annotation TO may be gone (a dangling relation).
 */
export async function unlink(ctx: RelationContext, positionals: readonly string[]): Promise<{ removed: Relation & { from: string }; line: string }> {
  const [fromId, type, toId] = ids(positionals, 'unlink');
  const index = new RelationIndex(ctx.all, ctx.codebook);
  const symmetric = findRelationType(ctx.codebook, type)?.direction === 'symmetric';
  const candidates: [string, string][] = [[fromId, toId]];
  if (symmetric) candidates.push([toId, fromId]);
  for (const [a, b] of candidates) {
    const end = index.get(a);
    if (!end || !(end.annotation.relations ?? []).some((r) => r.type === type && r.to === b)) continue;
    const removed = await unlinkInStore(ctx.store, end.doc, a, type, b);
    if (removed) return { removed: { from: a, ...removed }, line: `unlinked ${a} ${type} ${b} (in ${end.doc})` };
  }
  const from = index.get(fromId);
  const stored = from ? (from.annotation.relations ?? []).map((r) => `${r.type} ${r.to}`) : [];
  throw new RelationError(
    !from
      ? `no annotation has the id ${fromId}; nothing was unlinked (marginalia list shows the ids)`
      : `${describeEnd(from.annotation)} has no relation ${type} to ${toId}; nothing was unlinked (its relations: ${stored.join(', ') || 'none'})`,
  );
}

/** The relations of one annotation for `list --json`: those it starts (with where the other end is) and those that point to it. */
export function listJson(index: RelationIndex, id: string): { relations: unknown[]; linkedFrom: unknown[] } {
  return {
    relations: index.outgoing(id).map((r) => ({
      type: r.type,
      to: r.toId,
      toDoc: r.to?.doc ?? null,
      toKind: r.to?.annotation.kind ?? null,
      author: r.author,
      created: r.created,
    })),
    linkedFrom: index
      .incoming(id)
      .map((r) => ({ type: r.type, from: r.from.annotation.id, fromDoc: r.from.doc, fromKind: r.from.annotation.kind, author: r.author, created: r.created })),
  };
}

/** What `check` finds wrong with the relations: links to annotations that are gone, and ends the codebook's rules refuse. */
export function checkRelations(
  all: ReadonlyMap<string, readonly Annotation[]>,
  codebook: Codebook,
): { problems: RelationProblem[]; count: number; json: unknown } {
  const index = new RelationIndex(all, codebook);
  const problems = relationProblems(index);
  return {
    problems,
    count: index.all().length,
    json: {
      count: index.all().length,
      problems: problems.map((p) => ({
        code: p.code,
        from: p.relation.from.annotation.id,
        doc: p.relation.from.doc,
        type: p.relation.type,
        to: p.relation.toId,
        message: p.message,
      })),
    },
  };
}

/** The relations of other annotations that pointed to the removed ones and now point nowhere, for a warning. */
export function danglingAfterRemove(all: ReadonlyMap<string, readonly Annotation[]>, codebook: Codebook, removed: readonly string[]): string[] {
  const index = new RelationIndex(all, codebook);
  const gone = new Set(removed);
  const out: string[] = [];
  for (const id of removed) {
    for (const r of index.incoming(id)) {
      if (gone.has(r.from.annotation.id)) continue;
      out.push(
        `${r.from.doc}: ${describeEnd(r.from.annotation)} ${r.type} ${id}, which is removed: the relation is kept and reported by marginalia check; remove it with \`marginalia unlink ${r.from.annotation.id} ${r.type} ${id}\``,
      );
    }
  }
  return out;
}
