// Adjudication: settling where the coders differ into one reviewed set. For each disagreement (compareCoders) the
// reviewer accepts one coder's version, every coder's, one merged annotation over the whole passage, or none; a
// passage the coders agree on is accepted as it is, automatically. What a decision keeps goes into the reviewed layer
// (.marginalia/reviewed, an AnnotationStore of its own); the decision itself, with its reviewer and time, into the
// decision file (.marginalia/decisions). The coders' own sidecars are never touched, so the agreement figures, which
// compare them, stay what they were. Offsets are UTF-16 code units.
import { TOOL_ID } from '../../constants';
import { UserError, compareCodeUnits, contentHash, makeQuote, newId, plural, spanHolds, type Annotation, type Attributes } from '../model';
import { codersOf, coderLabel, type AnnotationStore, type DecidedType, type Decision, type DecisionStore } from '../store';
import { compareCoders, type DisagreementType } from './disagreements';

/** A review that cannot go ahead as asked; the message says why and what to do. */
export class ReviewError extends UserError {}

/** A passage under review: a disagreement, or a passage the coders agreed on. */
export interface ReviewPassage {
  /** 12 hex digits, from the ids of the coders' annotations on the passage: the same passage keeps its id. */
  id: string;
  doc: string;
  type: DisagreementType | 'agreed';
  /** The passage's kind; for a kind disagreement the kinds joined by "/". */
  kind: string;
  kinds: string[];
  start: number;
  end: number;
  /** Each compared coder's annotations on the passage ([] where a coder tagged nothing). */
  coders: Record<string, Annotation[]>;
  /** How it was settled, when it was. */
  decision?: Decision;
}

export interface DocumentReview {
  doc: string;
  /** The compared coders, in the order A, B, … */
  coders: string[];
  disagreements: ReviewPassage[];
  agreed: ReviewPassage[];
}

/** What a reviewer decides for one disagreement. */
export type ReviewChoice =
  | { decision: 'accept'; coder: string }
  | { decision: 'both' }
  /** One annotation over the whole passage; `kind` is needed when the coders chose different kinds. */
  | { decision: 'merged'; kind?: string }
  | { decision: 'neither' };

export interface DecideContext {
  reviewer: string;
  now: Date;
  /** The document's current text: needed for a merged annotation (its quote), and checked against the passage. */
  text?: string;
}

/** The id of a passage: the first 12 hex digits of the SHA-256 of its annotations' ids, sorted. */
export function passageId(coders: Record<string, readonly Annotation[]>): string {
  const ids = Object.values(coders)
    .flatMap((list) => list.map((a) => a.id))
    .sort(compareCodeUnits);
  return contentHash(ids.join(' ')).slice('sha256:'.length, 'sha256:'.length + 12);
}

/**
 * The review of one document: its disagreements and agreed passages among `coders` (compareCoders), each with the
 * decision recorded for it, if any. A decision belongs to a passage by id.
 */
export function reviewDocument(doc: string, annotations: readonly Annotation[], coders: readonly string[], decisions: readonly Decision[]): DocumentReview {
  const byId = new Map(decisions.map((d) => [d.id, d]));
  const { agreed, disagreements } = compareCoders(doc, annotations, coders);
  const withDecision = (p: Omit<ReviewPassage, 'decision'>): ReviewPassage => {
    const d = byId.get(p.id);
    return d === undefined ? p : { ...p, decision: d };
  };
  return {
    doc,
    coders: [...coders],
    disagreements: disagreements.map((d) => withDecision({ ...d, id: passageId(d.coders) })),
    agreed: agreed.map((a) => {
      const lists: Record<string, Annotation[]> = {};
      for (const [c, x] of Object.entries(a.annotations)) lists[c] = [x];
      return withDecision({ id: passageId(lists), doc, type: 'agreed', kind: a.kind, kinds: [a.kind], start: a.start, end: a.end, coders: lists });
    }),
  };
}

/**
 * The coders a review compares: those given (each must have annotated something, and at least two), else every coder
 * of the annotations. Throws ReviewError when there are fewer than two.
 */
export function reviewCoders(all: ReadonlyMap<string, readonly Annotation[]>, given?: readonly string[]): string[] {
  const present = codersOf(all);
  if (given !== undefined && given.length > 0) {
    const missing = given.filter((c) => !present.includes(c));
    if (missing.length > 0)
      throw new ReviewError(`${missing.map(coderLabel).join(', ')} annotated nothing here (coders: ${present.map(coderLabel).join(', ') || 'none'})`);
    if (new Set(given).size < 2) throw new ReviewError('a review compares at least two different coders');
    return [...new Set(given)];
  }
  if (present.length < 2)
    throw new ReviewError(
      `a review needs annotations by at least two coders; ${present.length === 0 ? 'there are none yet' : `only ${coderLabel(present[0])} has annotated`}`,
    );
  return present;
}

/** The letter a review shows for the n-th coder: A, B, … Z, then AA, AB, … */
export function coderLetter(index: number): string {
  let n = index;
  let s = '';
  do {
    s = String.fromCharCode(65 + (n % 26)) + s;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return s;
}

/** The coder a reviewer names: by name, else by letter (A is the first compared coder). */
export function coderByName(coders: readonly string[], name: string): string {
  if (coders.includes(name)) return name;
  const i = coders.findIndex((_, k) => coderLetter(k) === name.toUpperCase());
  if (i >= 0) return coders[i];
  throw new ReviewError(`no coder "${name}" in this review (coders: ${coders.map((c, k) => `${coderLetter(k)} = ${coderLabel(c)}`).join(', ')})`);
}

/**
 * What one decision makes: the decision record and the annotations it puts in the reviewed layer. An accepted version
 * is the coder's annotation as it is (same id, author and times), so the reviewed set says whose it was; a merged one
 * is new, authored by the reviewer, over the whole passage. Throws ReviewError for a merge the reviewer must complete
 * (which kind) or that cannot be made (no text, or the passage is not where the annotations say).
 */
export function decide(
  passage: ReviewPassage,
  choice: ReviewChoice | { decision: 'agreed' },
  ctx: DecideContext,
): { decision: Decision; results: Annotation[] } {
  const all = Object.values(passage.coders).flat();
  let results: Annotation[];
  let accepted: string | undefined;
  switch (choice.decision) {
    case 'agreed': {
      if (passage.type !== 'agreed') throw new ReviewError(`passage ${passage.id} is a disagreement (${passage.type}); decide it`);
      // The coders' annotations are alike: the first compared coder's stands for all.
      const first = Object.values(passage.coders).find((l) => l.length > 0);
      results = first ? [first[0]] : [];
      break;
    }
    case 'accept':
      if (!Object.hasOwn(passage.coders, choice.coder)) throw new ReviewError(`${coderLabel(choice.coder)} is not one of the coders compared here`);
      accepted = choice.coder;
      results = passage.coders[choice.coder];
      break;
    case 'both':
      results = all;
      break;
    case 'neither':
      results = [];
      break;
    case 'merged':
      results = [merge(passage, all, choice.kind, ctx)];
      break;
  }
  const type: DecidedType = passage.type;
  const decision: Decision = {
    id: passage.id,
    decision: choice.decision,
    type,
    kind: passage.kind,
    start: passage.start,
    end: passage.end,
    sources: all.map((a) => a.id).sort(compareCodeUnits),
    results: results.map((a) => a.id).sort(compareCodeUnits),
    reviewer: ctx.reviewer,
    decided: ctx.now.toISOString(),
  };
  if (accepted !== undefined) decision.accepted = accepted;
  return { decision, results };
}

function merge(passage: ReviewPassage, all: readonly Annotation[], kind: string | undefined, ctx: DecideContext): Annotation {
  const chosen = kind ?? (passage.kinds.length === 1 ? passage.kinds[0] : undefined);
  if (chosen === undefined)
    throw new ReviewError(`the coders chose different kinds here (${passage.kinds.join(', ')}): say which kind the merged annotation has`);
  const text = ctx.text;
  if (text === undefined) throw new ReviewError(`${passage.doc} cannot be read, so no merged annotation can be made of its text; accept a version instead`);
  const stale = all.find((a) => !spanHolds(text, a.target.start, a.target.end, a.target.quote.exact));
  if (stale)
    throw new ReviewError(
      `${passage.doc} changed since annotation ${stale.id} was anchored, so the passage is not where it says; re-anchor first (marginalia check --write, or Re-anchor All in VS Code), then merge`,
    );
  const same = all.filter((a) => a.kind === chosen);
  const from = same.length > 0 ? same : all;
  const attributes: Attributes = {};
  for (const [name, value] of Object.entries(from[0].attributes))
    if (from.every((a) => Object.hasOwn(a.attributes, name) && a.attributes[name] === value)) attributes[name] = value;
  const notes = [...new Set(all.map((a) => a.note).filter((n) => n !== ''))];
  const iso = ctx.now.toISOString();
  return {
    id: newId(ctx.now.getTime()),
    kind: chosen,
    doc: passage.doc,
    target: { start: passage.start, end: passage.end, quote: makeQuote(text, passage.start, passage.end) },
    note: notes.join('\n'),
    attributes,
    provenance: { author: ctx.reviewer, created: iso, modified: iso, tool: TOOL_ID, docHash: contentHash(text) },
    anchor: { status: 'anchored' },
  };
}

/** The stores a review writes: the reviewed layer and the decision files of one workspace folder. */
export interface ReviewStores {
  reviewed: AnnotationStore;
  decisions: DecisionStore;
}

/**
 * Stores decisions made on one document: their annotations into the reviewed layer first, then the decisions. A new
 * decision replaces any earlier one on the same annotations (a passage decided again, or one that grew or shrank
 * since), and the annotations only the replaced decision kept leave the reviewed layer. `existing` is the document's
 * decisions as loaded. Returns the decisions now stored.
 */
export async function storeDecisions(
  stores: ReviewStores,
  doc: string,
  made: readonly { decision: Decision; results: readonly Annotation[] }[],
  existing: readonly Decision[],
): Promise<Decision[]> {
  if (made.length === 0) return [...existing];
  const newIds = new Set(made.map((m) => m.decision.id));
  const sources = new Set(made.flatMap((m) => m.decision.sources));
  const replaced = existing.filter((d) => newIds.has(d.id) || d.sources.some((s) => sources.has(s)));
  const replacedIds = new Set(replaced.map((d) => d.id));
  const kept = new Set([...made.flatMap((m) => m.decision.results), ...existing.filter((d) => !replacedIds.has(d.id)).flatMap((d) => d.results)]);
  const drop = [...new Set(replaced.flatMap((d) => d.results))].filter((id) => !kept.has(id));
  const upsert = made.flatMap((m) => m.results).map((a) => (a.doc === doc ? a : { ...a, doc }));
  await stores.reviewed.update(doc, { upsert, remove: drop });
  return stores.decisions.update(doc, {
    upsert: made.map((m) => m.decision),
    remove: [...replacedIds].filter((id) => !newIds.has(id)),
  });
}

/**
 * Decides one passage of a document and stores it, together with the document's agreed passages not yet accepted
 * (spans where the coders agree are accepted automatically). Returns the decision.
 */
export async function recordDecision(
  stores: ReviewStores,
  review: DocumentReview,
  passageIdOrPrefix: string,
  choice: ReviewChoice,
  ctx: DecideContext,
): Promise<Decision> {
  const passage = findPassage([review], passageIdOrPrefix);
  if (passage.type === 'agreed') throw new ReviewError(`passage ${passage.id} is one the coders agree on; it is accepted as it is`);
  const made = [decide(passage, choice, ctx), ...review.agreed.filter((p) => p.decision === undefined).map((p) => decide(p, { decision: 'agreed' }, ctx))];
  await storeDecisions(stores, review.doc, made, existingDecisions(review));
  return made[0].decision;
}

/** Accepts the agreed passages not yet accepted in these documents; returns how many, in how many documents. */
export async function acceptAgreed(
  stores: ReviewStores,
  reviews: readonly DocumentReview[],
  ctx: Omit<DecideContext, 'text'>,
): Promise<{ passages: number; documents: number }> {
  let passages = 0;
  let documents = 0;
  for (const review of reviews) {
    const open = review.agreed.filter((p) => p.decision === undefined);
    if (open.length === 0) continue;
    await storeDecisions(
      stores,
      review.doc,
      open.map((p) => decide(p, { decision: 'agreed' }, ctx)),
      existingDecisions(review),
    );
    passages += open.length;
    documents++;
  }
  return { passages, documents };
}

function existingDecisions(review: DocumentReview): Decision[] {
  return [...review.disagreements, ...review.agreed].flatMap((p) => (p.decision ? [p.decision] : []));
}

/** The passage with this id, or the only one whose id starts with this prefix (at least 4 digits). */
export function findPassage(reviews: readonly DocumentReview[], idOrPrefix: string): ReviewPassage {
  const want = idOrPrefix.trim().toLowerCase();
  if (!/^[0-9a-f]{4,12}$/.test(want)) throw new ReviewError(`"${idOrPrefix}" is not a passage id (4 to 12 hex digits, as review list shows them)`);
  const hits = reviews.flatMap((r) => [...r.disagreements, ...r.agreed]).filter((p) => p.id.startsWith(want));
  if (hits.length === 1) return hits[0];
  if (hits.length === 0)
    throw new ReviewError(`no disagreement has the id ${idOrPrefix} (run review list to see them; an id changes when the coders change the passage)`);
  throw new ReviewError(`${plural(hits.length, 'passage')} have ids starting with ${idOrPrefix}: ${hits.map((h) => h.id).join(', ')}; give more digits`);
}
