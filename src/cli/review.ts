// `marginalia review`: list the disagreements between the coders, settle one by id into the reviewed set, or accept
// every passage they agree on. The decisions and what they keep are the core's (research/adjudication.ts); this file
// reads the workspace, prints, and says what was done.
import { UsageError, type ParsedArgs } from './args';
import { AnnotationStore, DecisionStore, coderLabel, readDocument, type Decision, type WorkspaceFs } from '../core/store';
import { plural, type Annotation } from '../core/model';
import {
  ReviewError,
  acceptAgreed,
  coderByName,
  coderLetter,
  findPassage,
  recordDecision,
  reviewCoders,
  reviewDocument,
  type DocumentReview,
  type ReviewChoice,
  type ReviewPassage,
} from '../core/research';

/** What the review needs of the CLI's context (src/cli/main.ts). */
export interface ReviewCli {
  readonly args: ParsedArgs;
  readonly fs: WorkspaceFs;
  /** The coders' annotations, by document (broken sidecars reported and left out). */
  loadAll(): Promise<Map<string, Annotation[]>>;
  /** The reviewer's name. */
  author(): string;
  docPath(arg: string): string;
  say(line: string): void;
  note(line: string): void;
  warn(line: string): void;
  json(value: unknown): void;
}

export async function runReview(cli: ReviewCli): Promise<number> {
  const [sub, ...rest] = cli.args.positionals;
  switch (sub) {
    case 'list':
      return list(cli, rest);
    case 'decide':
      return decideOne(cli, rest);
    case 'accept-agreed':
      if (rest.length > 0) throw new UsageError('review accept-agreed takes no arguments');
      return agreed(cli);
    default:
      throw new UsageError(`review takes list, decide or accept-agreed${sub === undefined ? '' : `, not "${sub}"`}`);
  }
}

interface Loaded {
  coders: string[];
  reviews: DocumentReview[];
  stores: { reviewed: AnnotationStore; decisions: DecisionStore };
}

async function load(cli: ReviewCli, docs?: readonly string[]): Promise<Loaded> {
  const all = await cli.loadAll();
  const given = cli.args.values.coders?.split(',').map((c) => c.trim());
  if (given?.some((c) => c === '')) throw new UsageError('--coders takes names separated by commas, e.g. --coders ana,ben');
  const coders = reviewCoders(all, given);
  const stores = { reviewed: new AnnotationStore(cli.fs, { layer: 'reviewed' }), decisions: new DecisionStore(cli.fs) };
  const { docs: decisions, errors } = await stores.decisions.loadAll();
  for (const e of errors) cli.warn(`${e.message} (its decisions are left out until it is fixed)`);
  const wanted = docs === undefined ? undefined : new Set(docs);
  const reviews: DocumentReview[] = [];
  for (const [doc, annotations] of all) {
    if (wanted && !wanted.has(doc)) continue;
    reviews.push(reviewDocument(doc, annotations, coders, decisions.get(doc) ?? []));
  }
  return { coders, reviews, stores };
}

async function list(cli: ReviewCli, docArgs: readonly string[]): Promise<number> {
  const docs = docArgs.length > 0 ? docArgs.map((d) => cli.docPath(d)) : undefined;
  const { coders, reviews } = await load(cli, docs);
  const showAll = cli.args.values.all === true;
  const passages = reviews.flatMap((r) => r.disagreements).filter((p) => showAll || p.decision === undefined);
  const total = reviews.reduce((n, r) => n + r.disagreements.length, 0);
  const decided = reviews.reduce((n, r) => n + r.disagreements.filter((p) => p.decision !== undefined).length, 0);
  const agreed = reviews.reduce((n, r) => n + r.agreed.length, 0);
  const accepted = reviews.reduce((n, r) => n + r.agreed.filter((p) => p.decision !== undefined).length, 0);
  if (cli.args.values.json) {
    cli.json({
      coders,
      disagreements: passages.map((p) => passageJson(p)),
      summary: { disagreements: total, decided, open: total - decided, agreed, agreedAccepted: accepted },
    });
    return 0;
  }
  cli.say(`coders: ${coders.map((c, i) => `${coderLetter(i)} = ${coderLabel(c)}`).join(', ')}`);
  for (const p of passages) {
    cli.say('');
    cli.say(`${p.id}  ${p.type.padEnd(9)} ${p.kind}  ${p.doc}  ${p.start}-${p.end}${p.decision ? `  [${describeDecision(p.decision)}]` : ''}`);
    coders.forEach((c, i) => {
      const list = p.coders[c];
      const what = list.length === 0 ? '(nothing)' : list.map(describeAnnotation).join('; ');
      cli.say(`    ${coderLetter(i)} ${coderLabel(c)}: ${what}`);
    });
  }
  if (passages.length > 0) cli.say('');
  cli.say(
    `${plural(total, 'disagreement')}: ${decided} decided, ${total - decided} open; ${plural(agreed, 'agreed passage')}, ${accepted} accepted` +
      (total - decided > 0 ? ' (settle one with: marginalia review decide ID A|B|both|merged|neither)' : ''),
  );
  return 0;
}

async function decideOne(cli: ReviewCli, rest: readonly string[]): Promise<number> {
  const words = rest[1]?.toLowerCase() === 'accept' ? [rest[0], ...rest.slice(2)] : rest;
  const [id, what, ...extra] = words;
  if (id === undefined || what === undefined || extra.length > 0)
    throw new UsageError('review decide takes a disagreement id and one decision: A, B (or a coder’s name), both, merged or neither');
  const loaded = await load(cli);
  const passage = findPassage(loaded.reviews, id);
  const review = loaded.reviews.find((r) => r.doc === passage.doc) as DocumentReview;
  const choice = parseChoice(what, loaded.coders, cli.args.values.kind);
  if (cli.args.values.kind !== undefined && choice.decision !== 'merged') throw new UsageError('--kind goes with merged only');
  let text: string | undefined;
  if (choice.decision === 'merged') {
    try {
      text = await readDocument(cli.fs, passage.doc);
    } catch (e) {
      throw new ReviewError(`${passage.doc} cannot be read (${(e as Error).message}), so no merged annotation can be made of its text`);
    }
  }
  const newlyAgreed = review.agreed.filter((p) => p.decision === undefined).length;
  const decision = await recordDecision(loaded.stores, review, passage.id, choice, { reviewer: cli.author(), now: new Date(), text });
  cli.say(`${passage.id} (${passage.type}, ${passage.kind}, ${passage.doc} ${passage.start}-${passage.end}): ${describeDecision(decision)}`);
  if (newlyAgreed > 0) cli.say(`and ${plural(newlyAgreed, 'passage')} the coders agree on in ${passage.doc} accepted as they are`);
  return 0;
}

async function agreed(cli: ReviewCli): Promise<number> {
  const { reviews, stores } = await load(cli);
  const { passages, documents } = await acceptAgreed(stores, reviews, { reviewer: cli.author(), now: new Date() });
  cli.say(
    passages === 0
      ? 'every passage the coders agree on was accepted already'
      : `accepted ${plural(passages, 'agreed passage')} in ${plural(documents, 'document')}`,
  );
  return 0;
}

function parseChoice(word: string, coders: readonly string[], kind: string | undefined): ReviewChoice {
  switch (word.toLowerCase()) {
    case 'both':
      return { decision: 'both' };
    case 'neither':
      return { decision: 'neither' };
    case 'merged':
    case 'merge':
      return kind === undefined ? { decision: 'merged' } : { decision: 'merged', kind };
    default:
      return { decision: 'accept', coder: coderByName(coders, word) };
  }
}

function describeDecision(d: Decision): string {
  const what =
    d.decision === 'accept'
      ? `accepted ${coderLabel(d.accepted ?? '')}'s version`
      : d.decision === 'both'
        ? 'accepted every version'
        : d.decision === 'merged'
          ? 'merged into one annotation'
          : d.decision === 'neither'
            ? 'accepted neither'
            : 'agreed, accepted';
  return `${what} (${coderLabel(d.reviewer)}, ${d.decided})`;
}

function describeAnnotation(a: Annotation): string {
  const attrs = Object.entries(a.attributes).map(([k, v]) => `${k}=${v}`);
  const quote = a.target.quote.exact.replace(/\s+/g, ' ');
  return `${a.kind} ${a.target.start}-${a.target.end} ${JSON.stringify(quote.length > 60 ? quote.slice(0, 59) + '…' : quote)}${attrs.length > 0 ? ` ${attrs.join(' ')}` : ''}`;
}

function passageJson(p: ReviewPassage): unknown {
  const coders: Record<string, unknown[]> = {};
  for (const [c, list] of Object.entries(p.coders))
    coders[c] = list.map((a) => ({
      id: a.id,
      kind: a.kind,
      start: a.target.start,
      end: a.target.end,
      quote: a.target.quote.exact,
      attributes: a.attributes,
      note: a.note,
    }));
  return { id: p.id, doc: p.doc, type: p.type, kind: p.kind, kinds: p.kinds, start: p.start, end: p.end, coders, decision: p.decision ?? null };
}
