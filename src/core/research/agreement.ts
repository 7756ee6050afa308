// How far coders agree on a corpus, as the content-analysis literature measures it: Krippendorff's α_u on where the
// units of each kind lie (per document, and over the corpus with the documents laid end to end), Cohen's or Fleiss'
// kappa with every code unit as an item marked with a kind or not, Krippendorff's alpha on the attribute values of
// the passages the coders both tagged, and the list of disagreements. A coder is an annotation's provenance.author.
// Offsets and lengths are UTF-16 code units. The definitions, with references, are in docs/agreement.md.
import type { Annotation, AttributeValue, Span } from '../model';
import { fieldLevel, type Codebook, type MeasurementLevel } from '../store';
import { comparePassages, comparedAnnotations, matchPassages, type Disagreement, type MatchedPassage } from './disagreements';
import { cohenKappa, fleissKappaBinary } from './kappa';
import { krippendorffAlpha, type CodedValue } from './krippendorffAlpha';
import { normaliseUnits, unitizedAlpha, unitizedDisagreement, type UnitizedDisagreement } from './unitizedAlpha';

/** A corpus document and the length of its text in UTF-16 code units. */
export interface AgreementDocument {
  path: string;
  length: number;
}

export interface AgreementInput {
  /** The documents to compare (any order); the ones some coder left without annotations are not compared. */
  documents: readonly AgreementDocument[];
  /** The annotations at their current positions; other coders' and orphaned ones are left out. */
  annotations: readonly Annotation[];
  /** The coders to compare, at least two. */
  coders: readonly string[];
  /** Only these kinds; by default every kind a compared coder used on a compared document. */
  kinds?: readonly string[];
  /** Which attribute fields each kind has and at which level they are measured. */
  codebook: Codebook;
}

/** α_u and kappa of one kind, or of all kinds together; null where undefined (nothing to compare). */
export interface KindFigures {
  alphaU: number | null;
  kappa: number | null;
}

export interface AttributeAgreement {
  alpha: number | null;
  level: MeasurementLevel;
}

export interface KindAgreement extends KindFigures {
  attributes: Record<string, AttributeAgreement>;
}

export interface DocumentAgreement extends KindFigures {
  kinds: Record<string, KindFigures>;
}

export interface AgreementReport {
  coders: string[];
  /** Which kappa: Cohen's for two coders, Fleiss' for more. */
  kappaMethod: 'cohen' | 'fleiss';
  overall: KindFigures;
  kinds: Record<string, KindAgreement>;
  /** The compared documents, by path, in path order. */
  documents: Record<string, DocumentAgreement>;
  /** Documents some compared coders annotated and others did not: left out of every figure. */
  notCompared: string[];
  disagreements: Disagreement[];
  /** Passages every coder tagged alike (same span, kind and attributes). */
  agreed: number;
}

/** Where each coder's units of one kind lie in one document, and the figures' raw parts. */
interface KindCounts {
  unitized: UnitizedDisagreement;
  /** weights[r]: code units exactly r coders marked with the kind. */
  weights: number[];
  /** Code units each coder marked. */
  marked: number[];
}

/** Computes the whole agreement report. Throws RangeError for fewer than two distinct coders. */
export function computeAgreement(input: AgreementInput): AgreementReport {
  const coders = [...input.coders];
  if (new Set(coders).size !== coders.length || coders.length < 2) {
    throw new RangeError(`agreement needs at least two different coders (got ${coders.join(', ') || 'none'})`);
  }
  const m = coders.length;
  const coderIndex = new Map(coders.map((c, i) => [c, i]));
  const all = comparedAnnotations(input.annotations, coders);

  // Which coders annotated each document, with any kind: a document is compared only when all of them did.
  const byDoc = new Map<string, Annotation[]>();
  for (const a of all) {
    const list = byDoc.get(a.doc);
    if (list) list.push(a);
    else byDoc.set(a.doc, [a]);
  }
  const compared: AgreementDocument[] = [];
  const notCompared: string[] = [];
  for (const d of [...input.documents].sort((a, b) => compareStrings(a.path, b.path))) {
    const list = byDoc.get(d.path) ?? [];
    const seen = new Set(list.map((a) => a.provenance.author));
    if (seen.size === m) compared.push(d);
    else if (seen.size > 0) notCompared.push(d.path);
  }

  const kinds = input.kinds ? [...new Set(input.kinds)] : usedKinds(compared, byDoc, input.codebook);
  const kindSet = new Set(kinds);
  const kindIndex = new Map(kinds.map((k, i) => [k, i]));

  const documents: Record<string, DocumentAgreement> = {};
  const corpusUnits = kinds.map(() => coders.map((): Span[] => []));
  const corpusCounts = kinds.map(() => ({ weights: new Array<number>(m + 1).fill(0), marked: new Array<number>(m).fill(0) }));
  const attributeUnits = new Map<string, CodedValue[][]>();
  const disagreements: Disagreement[] = [];
  let agreed = 0;
  let offset = 0;

  for (const d of compared) {
    // The document's annotations of the compared kinds, and each kind's spans per coder, in one pass.
    const annotations: Annotation[] = [];
    const layers = kinds.map(() => coders.map((): Span[] => []));
    for (const a of byDoc.get(d.path) ?? []) {
      const k = kindIndex.get(a.kind);
      if (k === undefined) continue;
      annotations.push(a);
      layers[k][coderIndex.get(a.provenance.author) as number].push(a.target);
    }
    const perKind: Record<string, KindFigures> = {};
    const docParts: KindCounts[] = [];
    kinds.forEach((kind, k) => {
      const units = layers[k].map((l) => normaliseUnits(l, d.length));
      const counts = countCodeUnits(units, d.length);
      units.forEach((list, c) => {
        for (const u of list) corpusUnits[k][c].push({ start: u.start + offset, end: u.end + offset });
      });
      const total = corpusCounts[k];
      counts.weights.forEach((w, r) => (total.weights[r] += w));
      counts.marked.forEach((x, c) => (total.marked[c] += x));
      docParts.push(counts);
      perKind[kind] = figures([counts], m);
    });
    documents[d.path] = { ...figures(docParts, m), kinds: perKind };
    offset += d.length;

    const passages = matchPassages(d.path, annotations, coders);
    collectAttributeValues(passages, coders, input.codebook, kindSet, attributeUnits);
    const comparison = comparePassages(d.path, passages, coders);
    agreed += comparison.agreed.length;
    disagreements.push(...comparison.disagreements);
  }

  const kindReports: Record<string, KindAgreement> = {};
  const allParts: KindCounts[] = [];
  kinds.forEach((kind, k) => {
    const unitized = offset > 0 ? unitizedDisagreement(offset, corpusUnits[k]) : { observed: 0, expected: 0 };
    const parts: KindCounts = { unitized, ...corpusCounts[k] };
    allParts.push(parts);
    kindReports[kind] = { ...figures([parts], m), attributes: attributeFigures(kind, input.codebook, attributeUnits) };
  });

  return {
    coders,
    kappaMethod: m === 2 ? 'cohen' : 'fleiss',
    overall: figures(allParts, m),
    kinds: kindReports,
    documents,
    notCompared,
    disagreements,
    agreed,
  };
}

/** The kinds used on compared documents: the codebook's in its order, then any others by name. */
function usedKinds(compared: readonly AgreementDocument[], byDoc: ReadonlyMap<string, Annotation[]>, codebook: Codebook): string[] {
  const used = new Set<string>();
  for (const d of compared) for (const a of byDoc.get(d.path) ?? []) used.add(a.kind);
  const known = codebook.kinds.map((k) => k.name).filter((k) => used.has(k));
  const others = [...used].filter((k) => !known.includes(k)).sort(compareStrings);
  return [...known, ...others];
}

/**
 * α_u's parts and the code-unit counts of one kind in one document. The counts come from a sweep over the units'
 * ends, so a document of a million code units costs as much as its units, not its length.
 */
function countCodeUnits(units: readonly Span[][], length: number): KindCounts {
  const m = units.length;
  const weights = new Array<number>(m + 1).fill(0);
  const marked = units.map((list) => list.reduce((s, u) => s + (u.end - u.start), 0));
  const events: number[] = [];
  for (const list of units) for (const u of list) events.push(u.start * 2 + 1, u.end * 2);
  // Ends (even) sort before starts (odd) at the same offset, so touching units do not count as two deep.
  events.sort((a, b) => a - b);
  let depth = 0;
  let at = 0;
  for (const e of events) {
    const pos = e >> 1;
    if (pos > at) {
      weights[depth] += pos - at;
      at = pos;
    }
    depth += e & 1 ? 1 : -1;
  }
  weights[0] += length - at;
  return { unitized: unitizedDisagreement(length, units), weights, marked };
}

/** α_u summed over the parts, and kappa from their pooled code-unit counts (Cohen's for two coders). */
function figures(parts: readonly KindCounts[], m: number): KindFigures {
  const weights = new Array<number>(m + 1).fill(0);
  const marked = new Array<number>(m).fill(0);
  for (const p of parts) {
    p.weights.forEach((w, r) => (weights[r] += w));
    p.marked.forEach((x, c) => (marked[c] += x));
  }
  let kappa: number | null;
  if (m === 2) {
    const both = weights[2];
    kappa = cohenKappa([
      [both, marked[0] - both],
      [marked[1] - both, weights[0]],
    ]);
  } else {
    kappa = fleissKappaBinary(weights);
  }
  return { alphaU: unitizedAlpha(parts.map((p) => p.unitized)), kappa };
}

/**
 * For every passage of a kind with attribute fields: one value per coder who tagged it (missing when the coder did
 * not tag it or left the field empty). A coder with several annotations on the passage is represented by the one
 * that overlaps the other coders' annotations most (the earliest of equals).
 */
function collectAttributeValues(
  passages: readonly MatchedPassage[],
  coders: readonly string[],
  codebook: Codebook,
  kinds: ReadonlySet<string>,
  out: Map<string, CodedValue[][]>,
): void {
  for (const p of passages) {
    if (!kinds.has(p.kind)) continue;
    const fields = codebook.kinds.find((k) => k.name === p.kind)?.attributes ?? [];
    if (fields.length === 0) continue;
    const chosen = coders.map((c) => representative(p, c, coders));
    if (chosen.filter((a) => a !== undefined).length < 2) continue;
    for (const f of fields) {
      const key = p.kind + '\u0000' + f.name;
      let units = out.get(key);
      if (!units) out.set(key, (units = []));
      units.push(chosen.map((a) => (a && Object.hasOwn(a.attributes, f.name) ? a.attributes[f.name] : null)));
    }
  }
}

function representative(p: MatchedPassage, coder: string, coders: readonly string[]): Annotation | undefined {
  const own = p.coders[coder];
  if (own.length <= 1) return own[0];
  const others = coders.filter((c) => c !== coder).flatMap((c) => p.coders[c]);
  let best = own[0];
  let bestOverlap = -1;
  for (const a of own) {
    let overlap = 0;
    for (const o of others) overlap += Math.max(0, Math.min(a.target.end, o.target.end) - Math.max(a.target.start, o.target.start));
    if (overlap > bestOverlap) {
      best = a;
      bestOverlap = overlap;
    }
  }
  return best;
}

/**
 * Alpha of each attribute field of a kind, at the field's level. A value that the level cannot measure (text where a
 * number belongs, a negative number at the ratio level, an unlisted value of an ordinal enum) counts as missing.
 */
function attributeFigures(kind: string, codebook: Codebook, units: ReadonlyMap<string, CodedValue[][]>): Record<string, AttributeAgreement> {
  const out: Record<string, AttributeAgreement> = {};
  for (const f of codebook.kinds.find((k) => k.name === kind)?.attributes ?? []) {
    const level = fieldLevel(f);
    const order = level === 'ordinal' && f.type === 'enum' ? f.values : undefined;
    const fits = (v: CodedValue): v is AttributeValue =>
      v !== null &&
      v !== undefined &&
      (level === 'nominal' ||
        (level === 'ordinal'
          ? order
            ? order.includes(v as string)
            : typeof v === 'number'
          : typeof v === 'number' && Number.isFinite(v) && (level !== 'ratio' || v >= 0)));
    const values = (units.get(kind + '\u0000' + f.name) ?? []).map((u) => u.map((v) => (fits(v) ? v : null)));
    out[f.name] = { alpha: krippendorffAlpha(values, level, { order }), level };
  }
  return out;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
