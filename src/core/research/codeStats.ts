// Counting the codes of a team: how often each coder used each kind in each document (code frequencies), and which
// kinds the same coder put on overlapping passages (the co-occurrence of kinds, the "code relations" of qualitative
// analysis tools). The agreement report shows both beside the agreement figures. Offsets are UTF-16 code units.
import { compareCodeUnits, type Annotation } from '../model';

/** How often one coder used one kind in one document. */
export interface CodeFrequency {
  doc: string;
  coder: string;
  kind: string;
  /** Annotations of the kind. */
  count: number;
  /** Code units they cover, overlaps counted once. */
  codeUnits: number;
}

export interface CodeFrequencies {
  /** Every kind counted, sorted (or in the order given). */
  kinds: string[];
  /** One row per document, coder and kind used, sorted by document, coder, then kind in `kinds` order. */
  rows: CodeFrequency[];
}

/**
 * Counts each coder's annotations of each kind in each document. Orphaned annotations (whose offsets are stale) are
 * left out; `coders` limits the count to these coders, `kinds` fixes the kinds' order (others follow by name).
 */
export function codeFrequencies(annotations: readonly Annotation[], options: { coders?: readonly string[]; kinds?: readonly string[] } = {}): CodeFrequencies {
  const coderSet = options.coders ? new Set(options.coders) : undefined;
  const groups = new Map<string, Annotation[]>();
  const used = new Set<string>();
  for (const a of annotations) {
    if (a.anchor.status === 'orphaned' || (coderSet && !coderSet.has(a.provenance.author))) continue;
    used.add(a.kind);
    const key = JSON.stringify([a.doc, a.provenance.author, a.kind]);
    const list = groups.get(key);
    if (list) list.push(a);
    else groups.set(key, [a]);
  }
  const kinds = orderedKinds(used, options.kinds);
  const rank = new Map(kinds.map((k, i) => [k, i]));
  const rows: CodeFrequency[] = [...groups.values()].map((list) => ({
    doc: list[0].doc,
    coder: list[0].provenance.author,
    kind: list[0].kind,
    count: list.length,
    codeUnits: coveredLength(list),
  }));
  rows.sort((a, b) => compareCodeUnits(a.doc, b.doc) || compareCodeUnits(a.coder, b.coder) || (rank.get(a.kind) as number) - (rank.get(b.kind) as number));
  return { kinds, rows };
}

export interface KindCooccurrence {
  /** The kinds, in the matrix's order. */
  kinds: string[];
  /**
   * counts[i][j], i ≠ j: pairs of annotations, one of kind i and one of kind j, that one coder put on overlapping
   * passages (sharing at least one code unit) of one document; symmetric. counts[i][i]: annotations of kind i.
   */
  counts: number[][];
}

/**
 * The co-occurrence of kinds: for every two kinds, how many times the same coder tagged overlapping passages with
 * them. Pairs of two coders are not counted (two coders' different kinds on one passage are a disagreement, not a
 * co-occurrence), nor are orphaned annotations. Overlap means sharing a code unit: touching spans do not overlap.
 */
export function kindCooccurrence(
  annotations: readonly Annotation[],
  options: { coders?: readonly string[]; kinds?: readonly string[] } = {},
): KindCooccurrence {
  const coderSet = options.coders ? new Set(options.coders) : undefined;
  const groups = new Map<string, Annotation[]>();
  const used = new Set<string>();
  for (const a of annotations) {
    if (a.anchor.status === 'orphaned' || (coderSet && !coderSet.has(a.provenance.author))) continue;
    used.add(a.kind);
    const key = JSON.stringify([a.doc, a.provenance.author]);
    const list = groups.get(key);
    if (list) list.push(a);
    else groups.set(key, [a]);
  }
  const kinds = orderedKinds(used, options.kinds);
  const index = new Map(kinds.map((k, i) => [k, i]));
  const counts = kinds.map(() => new Array<number>(kinds.length).fill(0));
  for (const list of groups.values()) {
    // A sweep by start: each annotation meets the ones still open when it starts.
    const sorted = [...list].sort((a, b) => a.target.start - b.target.start || a.target.end - b.target.end);
    let open: Annotation[] = [];
    for (const a of sorted) {
      const i = index.get(a.kind) as number;
      counts[i][i]++;
      open = open.filter((o) => o.target.end > a.target.start);
      if (a.target.end > a.target.start) {
        for (const o of open) {
          const j = index.get(o.kind) as number;
          if (i === j || o.target.end <= o.target.start) continue;
          counts[i][j]++;
          counts[j][i]++;
        }
        open.push(a);
      }
    }
  }
  return { kinds, counts };
}

/** The kinds given first (those used or not), then the other used ones by name. */
function orderedKinds(used: ReadonlySet<string>, given: readonly string[] | undefined): string[] {
  const first = given ? [...new Set(given)] : [];
  const rest = [...used].filter((k) => !first.includes(k)).sort(compareCodeUnits);
  return [...first, ...rest];
}

/** The length of the union of the annotations' spans. */
function coveredLength(list: readonly Annotation[]): number {
  const spans = list.map((a) => a.target).sort((a, b) => a.start - b.start);
  let total = 0;
  let at = -1;
  for (const s of spans) {
    const from = Math.max(s.start, at);
    if (s.end > from) total += s.end - from;
    at = Math.max(at, s.end);
  }
  return total;
}
