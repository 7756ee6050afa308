// Relations between the annotations of one workspace folder: an index of both directions with both ends resolved,
// the checks against the codebook's rules (and for links to annotations that are gone), and the changes (link,
// unlink, remove the links to an annotation) made through the store, each under its lock. A relation is stored on
// the annotation it starts from (see model/relation.ts and docs/relations.md).
import { UserError, aOrAn, compareCodeUnits, normaliseRelations, relationKey, withRelations, type Annotation, type Relation } from '../model';
import type { Codebook } from './codebook';
import { allowedEnds, allowsPair, allowsStart, findRelationType, relationLabel, relationTypes, typesFrom, type RelationType } from './relationTypes';
import type { AnnotationStore } from './store';

/** A relation refused as asked (unknown type, kinds the codebook does not allow, a link already there ...). */
export class RelationError extends UserError {}

/** One end of a relation: the annotation and the document it is in. */
export interface RelationEnd {
  doc: string;
  annotation: Annotation;
}

/** A stored relation with both ends looked up in the folder. */
export interface ResolvedRelation {
  from: RelationEnd;
  type: string;
  /** The codebook's definition of the type; undefined when the codebook has none of that name. */
  definition: RelationType | undefined;
  /** The id the relation points to. */
  toId: string;
  /** The annotation it points to; undefined when no annotation of the folder has that id (deleted). */
  to: RelationEnd | undefined;
  author: string;
  created: string;
}

/**
 * Every relation of a folder, both directions, by annotation id. Built from the annotations by document (as
 * loadAll or CorpusFolder.allAnnotations give them) and the codebook; cheap enough to rebuild after each change.
 */
export class RelationIndex {
  private readonly ends = new Map<string, RelationEnd>();
  private readonly out = new Map<string, ResolvedRelation[]>();
  private readonly in = new Map<string, ResolvedRelation[]>();
  private readonly list: ResolvedRelation[] = [];

  constructor(
    docs: ReadonlyMap<string, readonly Annotation[]>,
    readonly codebook: Codebook,
  ) {
    for (const [doc, annotations] of docs) for (const annotation of annotations) this.ends.set(annotation.id, { doc, annotation });
    const types = new Map(relationTypes(codebook).map((t) => [t.name, t]));
    for (const [doc, annotations] of docs) {
      for (const annotation of annotations) {
        for (const r of annotation.relations ?? []) {
          const resolved: ResolvedRelation = {
            from: { doc, annotation },
            type: r.type,
            definition: types.get(r.type),
            toId: r.to,
            to: this.ends.get(r.to),
            author: r.author,
            created: r.created,
          };
          this.list.push(resolved);
          push(this.out, annotation.id, resolved);
          push(this.in, r.to, resolved);
        }
      }
    }
    this.list.sort(compareResolved);
  }

  /** The annotation with this id, and its document. */
  get(id: string): RelationEnd | undefined {
    return this.ends.get(id);
  }

  /** Relations stored on this annotation (it is their start). */
  outgoing(id: string): readonly ResolvedRelation[] {
    return this.out.get(id) ?? [];
  }

  /** Relations of other annotations that point to this one. */
  incoming(id: string): readonly ResolvedRelation[] {
    return this.in.get(id) ?? [];
  }

  /** How many relations start or end at this annotation. */
  count(id: string): number {
    return this.outgoing(id).length + this.incoming(id).length;
  }

  /** Every relation, by start document, start offset, start id, type and target id. */
  all(): readonly ResolvedRelation[] {
    return this.list;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function compareResolved(a: ResolvedRelation, b: ResolvedRelation): number {
  return (
    compareCodeUnits(a.from.doc, b.from.doc) ||
    a.from.annotation.target.start - b.from.annotation.target.start ||
    compareCodeUnits(a.from.annotation.id, b.from.annotation.id) ||
    compareCodeUnits(a.type, b.type) ||
    compareCodeUnits(a.toId, b.toId)
  );
}

/**
 * Every relation of a folder with both ends resolved, sorted (start document, start offset, type, target): what an
 * exchange format that lists links separately (REFI-QDA's Links, an edge list) needs. A relation whose target is
 * gone has `to` undefined.
 */
export function listRelations(docs: ReadonlyMap<string, readonly Annotation[]>, codebook: Codebook): readonly ResolvedRelation[] {
  return new RelationIndex(docs, codebook).all();
}

// ---------------------------------------------------------------------------------------------------------------
// Checks

export type RelationProblemCode = 'missing-target' | 'unknown-type' | 'kind-not-allowed' | 'duplicate';

export interface RelationProblem {
  code: RelationProblemCode;
  relation: ResolvedRelation;
  /** For people: which relation, what is wrong, what to do. */
  message: string;
}

/** A short name of an annotation for messages: kind, id and the start of its quote. */
export function describeEnd(a: Annotation): string {
  const quote = a.target.quote.exact.replace(/\s+/g, ' ');
  return `${a.kind} ${a.id} (“${quote.length > 40 ? quote.slice(0, 39) + '…' : quote}”)`;
}

/**
 * What is wrong with the relations of a folder: links to annotations that are gone (never dropped: reported until
 * someone unlinks or restores), types the codebook does not define, ends whose kinds the type does not allow, and a
 * symmetric relation stored at both ends. Sorted as the index.
 */
export function relationProblems(index: RelationIndex): RelationProblem[] {
  const problems: RelationProblem[] = [];
  const symmetricSeen = new Set<string>();
  for (const r of index.all()) {
    const from = r.from.annotation;
    const where = `${r.from.doc}: the ${describeEnd(from)}`;
    const unlink = `unlink it (marginalia unlink ${from.id} ${r.type} ${r.toId}, or from its hover in VS Code)`;
    if (!r.to) {
      problems.push({
        code: 'missing-target',
        relation: r,
        message: `${where} ${r.type} ${r.toId}, an annotation that is no longer in this workspace folder (deleted?); ${unlink}, or link it again`,
      });
      continue;
    }
    const t = r.definition;
    if (!t) {
      const names = relationTypes(index.codebook).map((x) => x.name);
      problems.push({
        code: 'unknown-type',
        relation: r,
        message: `${where} has a relation of type "${r.type}", which the codebook does not define (types: ${names.join(', ') || 'none'}); add it to .marginalia/codebook.yaml, or ${unlink}`,
      });
      continue;
    }
    const to = r.to.annotation;
    if (!allowsPair(t, from.kind, to.kind)) {
      problems.push({
        code: 'kind-not-allowed',
        relation: r,
        message: `${where} ${r.type} the ${describeEnd(to)} in ${r.to.doc}, but the codebook allows ${r.type} only from ${t.from.join('|')} to ${t.to.join('|')}${t.direction === 'symmetric' ? ' (either way)' : ''}; ${unlink}, or change the codebook`,
      });
      continue;
    }
    if (t.direction === 'symmetric') {
      const key = symmetricKey(r.type, from.id, to.id);
      if (symmetricSeen.has(key)) {
        problems.push({
          code: 'duplicate',
          relation: r,
          message: `${where} ${r.type} the ${describeEnd(to)} in ${r.to.doc}, which is already linked to it the other way (${r.type} is symmetric); ${unlink}`,
        });
        continue;
      }
      symmetricSeen.add(key);
    }
  }
  return problems;
}

function symmetricKey(type: string, a: string, b: string): string {
  return a < b ? `${type}\u0000${a}\u0000${b}` : `${type}\u0000${b}\u0000${a}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Making and removing relations

/**
 * The relation type to link `from` to `to` with, after checking the codebook allows it: the type exists, starts at
 * `from`'s kind and ends at `to`'s, the two are different annotations, and they are not linked by it already (a
 * symmetric one in either direction). Throws RelationError saying what to do.
 */
export function checkNewRelation(index: RelationIndex, givenFrom: Annotation, type: string, givenTo: Annotation): RelationType {
  // The relations already there are the index's (the annotations given may be copies from before a change).
  const from = index.get(givenFrom.id)?.annotation ?? givenFrom;
  const to = index.get(givenTo.id)?.annotation ?? givenTo;
  const t = findRelationType(index.codebook, type);
  if (!t) {
    const names = relationTypes(index.codebook).map((x) => x.name);
    throw new RelationError(
      `the codebook defines no relation type "${type}" (types: ${names.join(', ') || 'none'}); add it under relations: in .marginalia/codebook.yaml first`,
    );
  }
  if (from.id === to.id) throw new RelationError(`an annotation cannot be linked to itself; choose another annotation to link ${from.id} to`);
  if (!allowsStart(t, from.kind)) {
    const others = typesFrom(index.codebook, from.kind).map((x) => x.name);
    throw new RelationError(
      `${aOrAn(from.kind)} cannot start a "${type}" relation (it goes from ${t.from.join('|')} to ${t.to.join('|')}); ` +
        (others.length > 0 ? `${aOrAn(from.kind)} can start: ${others.join(', ')}` : `no relation type of the codebook starts at ${aOrAn(from.kind)}`),
    );
  }
  if (!allowsPair(t, from.kind, to.kind)) {
    throw new RelationError(
      `"${type}" cannot link ${aOrAn(from.kind)} to ${aOrAn(to.kind)}: from ${aOrAn(from.kind)} it goes to ${allowedEnds(t, from.kind).join('|')}`,
    );
  }
  if ((from.relations ?? []).some((r) => r.type === type && r.to === to.id)) {
    throw new RelationError(`the ${describeEnd(from)} already ${type} the ${describeEnd(to)}`);
  }
  if (t.direction === 'symmetric' && (to.relations ?? []).some((r) => r.type === type && r.to === from.id)) {
    throw new RelationError(`the ${describeEnd(to)} is already ${relationLabel(t, type, true)} the ${describeEnd(from)} (${type} is symmetric)`);
  }
  return t;
}

/** The relations list with `r` added (replacing one of the same type and target). */
export function addRelation(list: readonly Relation[] | undefined, r: Relation): Relation[] {
  return normaliseRelations([...(list ?? []).filter((x) => relationKey(x) !== relationKey(r)), r]) as Relation[];
}

/** The relations list without the one of this type and target (undefined when none is left). */
export function dropRelation(list: readonly Relation[] | undefined, type: string, to: string): Relation[] | undefined {
  return normaliseRelations((list ?? []).filter((x) => !(x.type === type && x.to === to)));
}

/** Stores `relation` on annotation `fromId` of `doc`, applied under the lock to the version stored now. */
export async function linkInStore(store: AnnotationStore, doc: string, fromId: string, relation: Relation): Promise<Annotation> {
  const saved = await store.update(doc, { edit: new Map([[fromId, (a: Annotation) => withRelations(a, addRelation(a.relations, relation))]]) });
  return saved.find((a) => a.id === fromId) as Annotation;
}

/** Removes the relation (type, to) from annotation `fromId` of `doc`; returns it, or undefined when it was not there. */
export async function unlinkInStore(store: AnnotationStore, doc: string, fromId: string, type: string, to: string): Promise<Relation | undefined> {
  let removed: Relation | undefined;
  await store.update(doc, {
    edit: new Map([
      [
        fromId,
        (a: Annotation) => {
          removed = (a.relations ?? []).find((r) => r.type === type && r.to === to);
          return removed ? withRelations(a, dropRelation(a.relations, type, to)) : a;
        },
      ],
    ]),
  });
  return removed;
}

/** A relation removed from the annotation it was stored on, to put it back (undo). */
export interface RemovedRelation {
  doc: string;
  from: string;
  relation: Relation;
}

/**
 * The stored relations of other annotations that point to `id`, by document and start annotation: what deleting
 * `id` would leave pointing nowhere.
 */
export function relationsTo(index: RelationIndex, id: string): RemovedRelation[] {
  return index.incoming(id).map((r) => ({ doc: r.from.doc, from: r.from.annotation.id, relation: relationOf(r) }));
}

/** The stored form of a resolved relation. */
export function relationOf(r: ResolvedRelation): Relation {
  return { type: r.type, to: r.toId, author: r.author, created: r.created };
}

/** The changes, by document and annotation id, that remove (or, with `add`, put back) the given relations. */
export function relationChanges(
  relations: readonly RemovedRelation[],
  add: boolean,
): Map<string, Map<string, (list: Relation[] | undefined) => Relation[] | undefined>> {
  const byDoc = new Map<string, Map<string, (list: Relation[] | undefined) => Relation[] | undefined>>();
  for (const { doc, from, relation } of relations) {
    const changes = byDoc.get(doc) ?? new Map<string, (list: Relation[] | undefined) => Relation[] | undefined>();
    const before = changes.get(from) ?? ((list: Relation[] | undefined) => list);
    changes.set(from, (list) => {
      const l = before(list);
      return add ? addRelation(l, relation) : dropRelation(l, relation.type, relation.to);
    });
    byDoc.set(doc, changes);
  }
  return byDoc;
}
