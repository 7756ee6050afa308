// Where coders differ on one document: the annotations of the compared coders matched into passages, each passage
// either agreed (every coder tagged the same span with the same kind and attributes) or a disagreement of one of four
// types. Adjudication walks these disagreements; the agreement figures use the same matching for attribute values.
// Offsets are UTF-16 code units, half-open [start, end), as everywhere in the core.
import type { Annotation, Attributes, Span } from '../model';

/**
 * - `only-one`: a passage that some compared coders tagged and others did not tag at all (with any kind).
 * - `kind`: coders tagged the same passage with different kinds.
 * - `boundary`: every coder tagged the passage with the same kind, but the spans differ (or a coder tagged it twice).
 * - `attribute`: every coder tagged exactly the same span with the same kind, but the attribute values differ.
 */
export type DisagreementType = 'only-one' | 'kind' | 'boundary' | 'attribute';

export interface Disagreement {
  doc: string;
  /** The kind of the passage; for a `kind` disagreement, the kinds the coders chose, sorted and joined by "/"
   *  ("claim/figure"; "/" cannot occur in a kind's name). `kinds` has them as a list. */
  kind: string;
  /** The distinct kinds of the annotations on this passage, sorted (one, except for a `kind` disagreement). */
  kinds: string[];
  /** The passage: from the first start to the last end of the annotations on it. */
  start: number;
  end: number;
  type: DisagreementType;
  /** Each compared coder's annotations on this passage, sorted by start, end and id (an empty array: the coder
   *  tagged nothing there). Every compared coder has an entry. */
  coders: Record<string, Annotation[]>;
}

export interface AgreedPassage {
  doc: string;
  kind: string;
  start: number;
  end: number;
  /** Each compared coder's one annotation on this passage (same span, kind and attributes). */
  annotations: Record<string, Annotation>;
}

export interface Comparison {
  agreed: AgreedPassage[];
  disagreements: Disagreement[];
}

/** One passage of one kind: the annotations of that kind linked by "same passage", across all compared coders. */
export interface MatchedPassage {
  kind: string;
  start: number;
  end: number;
  /** Each compared coder's annotations of this kind on the passage, sorted by start, end and id; every compared
   *  coder has an entry, empty when they tagged nothing here. */
  coders: Record<string, Annotation[]>;
}

/** The same passage, as the agreement literature matches units: the overlap is at least half of the union. Two
 *  empty spans are the same passage when they sit at the same offset. */
export function samePassage(a: Span, b: Span): boolean {
  const union = Math.max(a.end, b.end) - Math.min(a.start, b.start);
  if (union === 0) return a.start === b.start;
  const overlap = Math.min(a.end, b.end) - Math.max(a.start, b.start);
  return overlap * 2 >= union;
}

/** The annotations that the agreement figures compare: this coder set's, on positions that are known (an orphaned
 *  annotation's offsets are stale). */
export function comparedAnnotations(annotations: readonly Annotation[], coders: readonly string[], doc?: string): Annotation[] {
  const coderSet = new Set(coders);
  return annotations.filter((a) => (doc === undefined || a.doc === doc) && coderSet.has(a.provenance.author) && a.anchor.status !== 'orphaned');
}

/**
 * Matches one document's annotations into passages per kind: two annotations of the same kind are on the same
 * passage when they overlap by at least half of their union, and a passage is everything linked that way (so a
 * chain of overlapping annotations is one passage). Orphaned annotations and coders not listed are left out.
 * Sorted by start, end and kind.
 */
export function matchPassages(doc: string, annotations: readonly Annotation[], coders: readonly string[]): MatchedPassage[] {
  checkCoders(coders);
  const byKind = new Map<string, Annotation[]>();
  for (const a of comparedAnnotations(annotations, coders, doc)) {
    const list = byKind.get(a.kind);
    if (list) list.push(a);
    else byKind.set(a.kind, [a]);
  }
  const passages: MatchedPassage[] = [];
  for (const [kind, list] of byKind) {
    list.sort(byPosition);
    for (const members of linked(list, (a) => a.target)) {
      const coderMap = emptyCoders(coders);
      for (const a of members) coderMap[a.provenance.author].push(a);
      passages.push({ kind, ...extent(members.map((a) => a.target)), coders: coderMap });
    }
  }
  return passages.sort((a, b) => a.start - b.start || a.end - b.end || compareStrings(a.kind, b.kind) || compareStrings(firstId(a), firstId(b)));
}

/**
 * Compares the coders' annotations on one document (a coder is the annotation's `provenance.author`). Each passage
 * (see matchPassages) where every coder has exactly one annotation, with the same span and equal attributes, is
 * agreed; the rest are disagreements, typed in this order of precedence: passages of different kinds that some
 * coders tagged one way and the others another way, overlapping by half their union, are one `kind` disagreement;
 * a passage some coder did not tag is `only-one`; a passage every coder tagged but with different spans (or one
 * coder twice) is `boundary`; identical spans with different attribute values are `attribute`. The note is not
 * compared. Both lists are sorted by start, end and kind. Throws RangeError for fewer than two distinct coders.
 */
export function compareCoders(doc: string, annotations: readonly Annotation[], coders: readonly string[]): Comparison {
  return comparePassages(doc, matchPassages(doc, annotations, coders), coders);
}

/** compareCoders on passages matchPassages already found (for callers that use them for something else too). */
export function comparePassages(doc: string, passages: readonly MatchedPassage[], coders: readonly string[]): Comparison {
  checkCoders(coders);
  const agreed: AgreedPassage[] = [];
  const disagreements: Disagreement[] = [];
  const incomplete: MatchedPassage[] = [];
  for (const p of passages) {
    const lists = coders.map((c) => p.coders[c]);
    if (lists.some((l) => l.length === 0)) {
      incomplete.push(p);
      continue;
    }
    const first = lists[0][0];
    const oneEach = lists.every((l) => l.length === 1);
    const sameSpan = oneEach && lists.every((l) => l[0].target.start === first.target.start && l[0].target.end === first.target.end);
    if (sameSpan && lists.every((l) => sameAttributes(l[0].attributes, first.attributes))) {
      const one: Record<string, Annotation> = {};
      for (const c of coders) one[c] = p.coders[c][0];
      agreed.push({ doc, kind: p.kind, start: p.start, end: p.end, annotations: one });
    } else {
      disagreements.push({ doc, kind: p.kind, kinds: [p.kind], start: p.start, end: p.end, type: sameSpan ? 'attribute' : 'boundary', coders: p.coders });
    }
  }
  // Passages some coders missed: those of different kinds, by coders who did not tag each other's passage, on the
  // same stretch of text are one disagreement about the kind; the rest were tagged by only some coders.
  const sets = incomplete.map((p) => new Set(coders.filter((c) => p.coders[c].length > 0)));
  const groups = linked(
    incomplete.map((p, i) => ({ p, i })),
    (x) => x.p,
    (x, y) => x.p.kind !== y.p.kind && disjoint(sets[x.i], sets[y.i]),
  );
  for (const group of groups) {
    const kinds = [...new Set(group.map((x) => x.p.kind))].sort(compareStrings);
    const coderMap = emptyCoders(coders);
    for (const { p } of group) for (const c of coders) coderMap[c].push(...p.coders[c]);
    for (const c of coders) coderMap[c].sort(byPosition);
    disagreements.push({
      doc,
      kind: kinds.join('/'),
      kinds,
      ...extent(group.map((x) => x.p)),
      type: kinds.length > 1 ? 'kind' : 'only-one',
      coders: coderMap,
    });
  }
  agreed.sort((a, b) => a.start - b.start || a.end - b.end || compareStrings(a.kind, b.kind));
  disagreements.sort((a, b) => a.start - b.start || a.end - b.end || compareStrings(a.kind, b.kind) || compareStrings(firstId(a), firstId(b)));
  return { agreed, disagreements };
}

function checkCoders(coders: readonly string[]): void {
  if (new Set(coders).size < 2)
    throw new RangeError(`comparing coders needs at least two different coders (got ${coders.length === 0 ? 'none' : coders.join(', ')})`);
  if (new Set(coders).size !== coders.length) throw new RangeError(`a coder is listed twice: ${coders.join(', ')}`);
}

/**
 * The groups of `items` linked (transitively) by `same`, which implies samePassage of their spans. Items must be
 * sorted by start. A sweep keeps only the items whose span reaches the current start, so this is near linear unless
 * many spans overlap one another.
 */
function linked<T>(items: readonly T[], span: (x: T) => Span, same: (x: T, y: T) => boolean = () => true): T[][] {
  const parent = items.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  const sorted = items.map((_, i) => i).sort((a, b) => span(items[a]).start - span(items[b]).start);
  const active: number[] = [];
  for (const i of sorted) {
    const s = span(items[i]);
    // Keep, in place, the items whose span still reaches this start.
    let kept = 0;
    for (const j of active) if (span(items[j]).end >= s.start) active[kept++] = j;
    active.length = kept;
    for (const j of active) {
      if (samePassage(span(items[j]), s) && same(items[j], items[i])) {
        const a = find(i);
        const b = find(j);
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
    active.push(i);
  }
  const groups = new Map<number, T[]>();
  for (const i of sorted) {
    const root = find(i);
    const g = groups.get(root);
    if (g) g.push(items[i]);
    else groups.set(root, [items[i]]);
  }
  return [...groups.values()];
}

function extent(spans: readonly Span[]): { start: number; end: number } {
  let start = Infinity;
  let end = -Infinity;
  for (const s of spans) {
    if (s.start < start) start = s.start;
    if (s.end > end) end = s.end;
  }
  return { start, end };
}

function emptyCoders(coders: readonly string[]): Record<string, Annotation[]> {
  const out: Record<string, Annotation[]> = {};
  for (const c of coders) out[c] = [];
  return out;
}

function disjoint(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  for (const x of a) if (b.has(x)) return false;
  return true;
}

/** Equal attribute maps: the same names with the same values (of the same type: 1 and "1" differ). */
export function sameAttributes(a: Attributes, b: Attributes): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}

function byPosition(a: Annotation, b: Annotation): number {
  return a.target.start - b.target.start || a.target.end - b.target.end || compareStrings(a.id, b.id);
}

function firstId(p: { coders: Record<string, Annotation[]> }): string {
  let best = '';
  for (const list of Object.values(p.coders)) for (const a of list) if (best === '' || a.id < best) best = a.id;
  return best;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
