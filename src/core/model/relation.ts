// Typed relations between annotations ("this figure supports that claim"). A relation is stored on the annotation it
// starts from (its `relations` list), names its type (from the codebook) and the id of the annotation it points to,
// and records who made it and when. It is identified by (type, to) within its annotation: a relation is added or
// removed whole, never edited, so two versions of one annotation merge their relations as sets.
import { createHash } from 'node:crypto';
import type { Annotation } from './model';

export interface Relation {
  /** A relation type of the codebook, e.g. supports. */
  type: string;
  /** The id (ULID) of the annotation it points to, in the same workspace folder. */
  to: string;
  /** Who made it. */
  author: string;
  /** ISO 8601 UTC timestamp. */
  created: string;
}

/** The key a relation is known by within its annotation. */
export function relationKey(r: Pick<Relation, 'type' | 'to'>): string {
  return `${r.type}\u0000${r.to}`;
}

/** Sidecar order: by type, then target id (code unit order, the same on every machine). */
export function compareRelations(a: Relation, b: Relation): number {
  return a.type < b.type ? -1 : a.type > b.type ? 1 : a.to < b.to ? -1 : a.to > b.to ? 1 : 0;
}

/** A sorted copy, or undefined for none: the form Annotation.relations always has. */
export function normaliseRelations(list: readonly Relation[] | undefined): Relation[] | undefined {
  if (list === undefined || list.length === 0) return undefined;
  return list.map((r) => ({ type: r.type, to: r.to, author: r.author, created: r.created })).sort(compareRelations);
}

/** The annotation with `relations` set as normaliseRelations gives them (the key left out when there are none). */
export function withRelations(a: Annotation, list: readonly Relation[] | undefined): Annotation {
  const relations = normaliseRelations(list);
  const { relations: _old, ...rest } = a;
  return relations === undefined ? rest : { ...rest, relations };
}

/** True when both lists hold the same relations (author and time included). */
export function sameRelations(a: readonly Relation[] | undefined, b: readonly Relation[] | undefined): boolean {
  return relationsKey(a) === relationsKey(b);
}

/** A string equal for equal lists of relations, whatever their order. */
export function relationsKey(list: readonly Relation[] | undefined): string {
  if (list === undefined || list.length === 0) return '';
  return JSON.stringify([...list].sort(compareRelations).map((r) => [r.type, r.to, r.author, r.created]));
}

/** Of two records of one relation (same type and target) made apart, the one both sides keep: the earlier. */
function earlier(a: Relation, b: Relation): Relation {
  if (a.created !== b.created) return a.created < b.created ? a : b;
  return a.author <= b.author ? a : b;
}

/**
 * Merges the relations of two versions of one annotation as sets keyed by (type, to). With the common ancestor's
 * list, a relation removed on one side and kept on the other is removed; without it, the result is the union (nothing
 * removed). A relation made on both sides apart keeps its earlier record. Returns the normalised list.
 */
export function mergeRelations(
  base: readonly Relation[] | undefined,
  ours: readonly Relation[] | undefined,
  theirs: readonly Relation[] | undefined,
  hasBase: boolean,
): Relation[] | undefined {
  const b = new Map((base ?? []).map((r) => [relationKey(r), r]));
  const o = new Map((ours ?? []).map((r) => [relationKey(r), r]));
  const t = new Map((theirs ?? []).map((r) => [relationKey(r), r]));
  const out: Relation[] = [];
  for (const key of new Set([...o.keys(), ...t.keys()])) {
    const x = o.get(key);
    const y = t.get(key);
    if (x && y) out.push(earlier(x, y));
    else if (!hasBase || !b.has(key)) out.push((x ?? y) as Relation);
    // else: in the ancestor and removed on one side: removed.
  }
  return normaliseRelations(out);
}

/**
 * A stable UUID for a relation (formats that give every link its own identifier, such as REFI-QDA's Link guid and
 * the W3C linking annotation's id): derived from (from, type, to), so every export names the same relation alike.
 */
export function relationGuid(from: string, type: string, to: string): string {
  const h = createHash('sha256').update(`marginalia relation\u0000${from}\u0000${type}\u0000${to}`, 'utf8').digest('hex');
  // RFC 9562 version 8 (a custom, name-based UUID) with the RFC variant bits.
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
