// The types of relation the codebook defines (supports, contradicts, same-as, quotes ...): each with a label, a
// direction, and the kinds allowed at each end. A codebook without a `relations` key uses the built-in types below.
import type { Codebook } from './codebook';
import type { Problem } from '../yaml';

export const RELATION_DIRECTIONS = ['directed', 'symmetric'] as const;
export type RelationDirection = (typeof RELATION_DIRECTIONS)[number];

export interface RelationType {
  name: string;
  /** How it reads from its start, e.g. "supports". */
  label: string;
  /** How a directed relation reads from its end, e.g. "supported by"; absent for symmetric ones. */
  inverse?: string;
  direction: RelationDirection;
  /** Kinds allowed at the start. */
  from: string[];
  /** Kinds allowed at the end. For a symmetric relation either orientation of the pair may match. */
  to: string[];
  description: string;
}

/** The built-in relation types, used when the codebook has no `relations` key. A fresh copy each call. */
export function defaultRelationTypes(): RelationType[] {
  return [
    {
      name: 'supports',
      label: 'supports',
      inverse: 'supported by',
      direction: 'directed',
      from: ['figure', 'entity', 'claim'],
      to: ['claim'],
      description: 'Evidence for a claim: a figure, a source or another claim that backs it.',
    },
    {
      name: 'contradicts',
      label: 'contradicts',
      inverse: 'contradicted by',
      direction: 'directed',
      from: ['figure', 'entity', 'claim'],
      to: ['claim'],
      description: 'Evidence against a claim: a figure, a source or another claim that disputes it.',
    },
    {
      name: 'same-as',
      label: 'same as',
      direction: 'symmetric',
      from: ['claim', 'figure', 'entity'],
      to: ['claim', 'figure', 'entity'],
      description: 'The same claim, figure or entity, stated twice (in one document or in two).',
    },
    {
      name: 'quotes',
      label: 'quotes',
      inverse: 'quoted by',
      direction: 'directed',
      from: ['claim'],
      to: ['claim'],
      description: 'A claim that repeats another one, word for word or nearly.',
    },
  ];
}

/** The relation types in force: the codebook's own, or the built-in ones when it defines none. */
export function relationTypes(codebook: Codebook): RelationType[] {
  return codebook.relations ?? defaultRelationTypes();
}

export function findRelationType(codebook: Codebook, name: string): RelationType | undefined {
  return relationTypes(codebook).find((t) => t.name === name);
}

/** Whether a relation of type `t` may go from an annotation of kind `from` to one of kind `to`. */
export function allowsPair(t: RelationType, from: string, to: string): boolean {
  const forward = t.from.includes(from) && t.to.includes(to);
  return forward || (t.direction === 'symmetric' && t.from.includes(to) && t.to.includes(from));
}

/** Whether an annotation of kind `kind` may start a relation of type `t` (for a symmetric one, be either end). */
export function allowsStart(t: RelationType, kind: string): boolean {
  return t.from.includes(kind) || (t.direction === 'symmetric' && t.to.includes(kind));
}

/** The kinds an annotation may have at the other end of `t` when this end has kind `kind`. */
export function allowedEnds(t: RelationType, kind: string): string[] {
  const out = new Set(t.from.includes(kind) ? t.to : []);
  if (t.direction === 'symmetric' && t.to.includes(kind)) for (const k of t.from) out.add(k);
  return [...out];
}

/** The types an annotation of kind `kind` may start, in codebook order. */
export function typesFrom(codebook: Codebook, kind: string): RelationType[] {
  return relationTypes(codebook).filter((t) => allowsStart(t, kind));
}

/** How a relation reads from one of its ends: "supports" from its start, "supported by" from its end. */
export function relationLabel(t: RelationType | undefined, type: string, outgoing: boolean): string {
  if (!t) return type;
  return outgoing || t.direction === 'symmetric' ? t.label : (t.inverse ?? `${t.label} (from)`);
}

/** Meaning checks of the codebook's relation types, after its schema: names once, kinds the codebook defines. */
export function relationTypesProblem(relations: readonly RelationType[] | undefined, kinds: ReadonlySet<string>): Problem | undefined {
  const seen = new Map<string, number>();
  for (let i = 0; i < (relations ?? []).length; i++) {
    const t = (relations as RelationType[])[i];
    const before = seen.get(t.name);
    if (before !== undefined) {
      return {
        path: ['relations', i, 'name'],
        code: 'invalid',
        reason: `relation "${t.name}" is defined twice (relations[${before}] and relations[${i}]); keep one`,
      };
    }
    seen.set(t.name, i);
    for (const end of ['from', 'to'] as const) {
      const j = t[end].findIndex((k) => !kinds.has(k));
      if (j !== -1) {
        return {
          path: ['relations', i, end, j],
          code: 'invalid',
          reason: `relation "${t.name}" allows kind "${t[end][j]}" in ${end}, but the codebook defines no such kind (kinds: ${[...kinds].join(', ')}); correct the name or add the kind`,
        };
      }
    }
    if (t.direction === 'symmetric' && t.inverse !== undefined) {
      return {
        path: ['relations', i, 'inverse'],
        code: 'invalid',
        reason: `relation "${t.name}" is symmetric, so it reads the same from both ends; remove its inverse, or make it directed`,
      };
    }
  }
  return undefined;
}

/** Fills what people may leave out (label, description), so the rest of the code sees one shape. */
export function normaliseRelationType(raw: Partial<RelationType> & Pick<RelationType, 'name' | 'direction' | 'from' | 'to'>): RelationType {
  const t: RelationType = {
    name: raw.name,
    label: raw.label ?? raw.name,
    direction: raw.direction,
    from: [...raw.from],
    to: [...raw.to],
    description: raw.description ?? '',
  };
  if (raw.inverse !== undefined) t.inverse = raw.inverse;
  return t;
}
