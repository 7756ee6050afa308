// Review decisions: how a reviewer settled each place where the coders of a document differ (or that they agreed
// on), with who decided and when. One file per document, .marginalia/decisions/<doc>.yaml, beside the reviewed layer
// (.marginalia/reviewed/<doc>.yaml) that holds the annotations the decisions kept. Like a sidecar it is written in one
// canonical form (decisions sorted by position then id, one line per field, each record starting with its id and
// ending with its time) so that two reviewers settling different passages merge in git, and merged by id when they
// do not (mergeDecisionTexts, which git's merge driver runs). Read defensively: a file that does not load is refused
// with its line and column and never rewritten.
import { STORE_DIR } from '../../constants';
import { compareCodeUnits, isRelPath } from '../model';
import {
  YamlFileError,
  decodeYamlBytes,
  describeValue,
  errorFactoryFor,
  parseYamlSafely,
  schemaProblem,
  validator,
  yamlScalar,
  type ErrorFactory,
  type PatternHints,
  type Problem,
} from '../yaml';
import { SIDECAR_EXTENSION, checkDocPath, docForPathIn, sidecarPathIn } from './sidecar';
import type { WorkspaceFs } from './ports';

/** Folder of the decision files, mirroring the corpus. */
export const DECISIONS_DIR = `${STORE_DIR}/decisions`;
export const DECISIONS_VERSION = 1;
/** A decision file holds a few hundred records; anything near this is not one. */
export const MAX_DECISIONS_BYTES = 16 * 1024 * 1024;

export const DECISION_CHOICES = ['accept', 'both', 'merged', 'neither', 'agreed'] as const;
/** accept: one coder's version; both: every coder's; merged: one annotation over the whole passage; neither: none;
 *  agreed: the coders agreed, and their annotation was accepted automatically. */
export type DecisionChoice = (typeof DECISION_CHOICES)[number];

/** What the coders differed on (as research/disagreements types it), or 'agreed'. */
export type DecidedType = 'only-one' | 'kind' | 'boundary' | 'attribute' | 'agreed';

export interface Decision {
  /** The passage's id (12 hex digits), derived from the ids of the coders' annotations on it. */
  id: string;
  decision: DecisionChoice;
  /** The coder whose version an 'accept' keeps. */
  accepted?: string;
  type: DecidedType;
  /** The passage's kind ("claim/figure" for a kind disagreement). */
  kind: string;
  /** The passage, in UTF-16 code units, as it was when decided. */
  start: number;
  end: number;
  /** The coders' annotations it settles, sorted. */
  sources: string[];
  /** The annotations it put in the reviewed layer, sorted. */
  results: string[];
  reviewer: string;
  /** ISO 8601 UTC. */
  decided: string;
}

/** A decision file that cannot be loaded; it is reported and left untouched. */
export class DecisionsError extends YamlFileError {
  override readonly name = 'DecisionsError';
}

/** '.marginalia/decisions/<doc>.yaml'. */
export function decisionsPathFor(doc: string): string {
  return sidecarPathIn(DECISIONS_DIR, doc);
}

/** The document of a decision file's path, or undefined when the path is not one. */
export function docForDecisionsPath(file: string): string | undefined {
  return docForPathIn(DECISIONS_DIR, file);
}

/** Decision order: by start, end, then id. */
export function compareDecisions(a: Decision, b: Decision): number {
  return a.start - b.start || a.end - b.end || compareCodeUnits(a.id, b.id);
}

// ---------------------------------------------------------------------------------------------------------------
// Writing

/** The canonical text of a document's decisions. Throws Error for decisions that would not load back. */
export function serializeDecisions(doc: string, decisions: readonly Decision[]): string {
  checkDocPath(doc);
  const sorted = [...decisions].map(normalise).sort(compareDecisions);
  const problem = checkValue({ version: DECISIONS_VERSION, document: doc, decisions: sorted }, doc);
  if (problem) throw new Error(`refusing to save review decisions of ${doc} that could not be loaded back: ${problem.reason}`);
  const shown = doc.replace(/[\p{C}\p{Zl}\p{Zp}]/gu, '?');
  const lines = [
    `# Marginalia review decisions for ${shown}. Offsets are UTF-16 code units. Schema: schemas/decisions.schema.json`,
    `version: ${DECISIONS_VERSION}`,
    `document: ${yamlScalar(doc)}`,
    sorted.length === 0 ? 'decisions: []' : 'decisions:',
  ];
  const list = (name: string, ids: readonly string[]): void => {
    if (ids.length === 0) lines.push(`    ${name}: []`);
    else lines.push(`    ${name}:`, ...ids.map((id) => `      - ${yamlScalar(id)}`));
  };
  for (const d of sorted) {
    lines.push(`  - id: ${yamlScalar(d.id)}`, `    decision: ${yamlScalar(d.decision)}`);
    if (d.accepted !== undefined) lines.push(`    accepted: ${yamlScalar(d.accepted)}`);
    lines.push(`    type: ${yamlScalar(d.type)}`, `    kind: ${yamlScalar(d.kind)}`, `    start: ${yamlScalar(d.start)}`, `    end: ${yamlScalar(d.end)}`);
    list('sources', d.sources);
    list('results', d.results);
    lines.push(`    reviewer: ${yamlScalar(d.reviewer)}`, `    decided: ${yamlScalar(d.decided)}`);
  }
  return lines.join('\n') + '\n';
}

function normalise(d: Decision): Decision {
  const out: Decision = {
    id: d.id,
    decision: d.decision,
    type: d.type,
    kind: d.kind,
    start: d.start,
    end: d.end,
    sources: [...new Set(d.sources)].sort(compareCodeUnits),
    results: [...new Set(d.results)].sort(compareCodeUnits),
    reviewer: d.reviewer,
    decided: d.decided,
  };
  if (d.accepted !== undefined) out.accepted = d.accepted;
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

export function parseDecisionsBytes(bytes: Uint8Array, file: string): Decision[] {
  return parseDecisions(decodeYamlBytes(bytes, MAX_DECISIONS_BYTES, errorFactory(file), 'the review decisions'), file);
}

/** The decisions of a file, sorted. Throws DecisionsError with the line and column of the first problem. */
export function parseDecisions(text: string, file: string, options: { documentFromPath?: boolean } = {}): Decision[] {
  const fail = errorFactory(file);
  const parsed = parseYamlSafely(text, fail, {
    conflictHint:
      'by keeping the decisions of both sides and deleting the <<<<<<<, ======= and >>>>>>> lines (if both sides decided one passage, keep the later), ' +
      'or run `marginalia git-setup` so git merges these files by decision',
  });
  const problem = checkValue(parsed.value, options.documentFromPath === false ? undefined : docForDecisionsPath(file));
  if (problem) {
    const at = parsed.locate(problem.path, problem.key);
    throw fail(problem.code, `${problem.reason}. Fix it by hand or restore it from git; until then Marginalia leaves the file as it is`, at?.line, at?.column);
  }
  return (parsed.value as { decisions: Decision[] }).decisions.map(normalise).sort(compareDecisions);
}

/** The `document` field of a decision file that parsed (for merging versions). */
function documentField(text: string, file: string): string {
  const fail = errorFactory(file);
  return String((parseYamlSafely(text, fail, { conflictHint: '' }).value as { document: unknown }).document);
}

function errorFactory(file: string): ErrorFactory {
  return errorFactoryFor(DecisionsError, file);
}

const HINTS: PatternHints = {
  id: '12 lowercase hex digits',
  'sources[]': 'an annotation id (a ULID: 26 characters, digits and capital letters except I, L, O and U)',
  'results[]': 'an annotation id (a ULID: 26 characters, digits and capital letters except I, L, O and U)',
};

function checkValue(value: unknown, expectedDoc: string | undefined): Problem | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { path: [], code: 'schema', reason: 'a decision file must be a YAML mapping with version, document and decisions' };
  }
  const version = (value as { version?: unknown }).version;
  if (version !== DECISIONS_VERSION && version !== undefined) {
    const newer = typeof version === 'number' && Number.isInteger(version) && version > DECISIONS_VERSION;
    return {
      path: ['version'],
      code: 'version',
      reason: newer
        ? `written by a newer Marginalia (decisions format version ${version}; this one reads version ${DECISIONS_VERSION}); update Marginalia to read it`
        : `unknown decisions format version ${describeValue(version)}; this Marginalia reads version ${DECISIONS_VERSION}`,
    };
  }
  const problem = schemaProblem(validator('decisions'), value, HINTS);
  if (problem) return problem;
  const v = value as { document: string; decisions: Decision[] };
  if (!isRelPath(v.document) || v.document.startsWith(STORE_DIR + '/')) {
    return {
      path: ['document'],
      code: 'invalid',
      reason: `document must be a workspace-relative path outside ${STORE_DIR}, not ${JSON.stringify(v.document)}`,
    };
  }
  if (expectedDoc !== undefined && v.document !== expectedDoc) {
    return {
      path: ['document'],
      code: 'invalid',
      reason: `document is ${JSON.stringify(v.document)}, but this file's path says it holds the decisions of ${JSON.stringify(expectedDoc)}; move the file to ${decisionsPathFor(v.document)} or correct the field`,
    };
  }
  const seen = new Map<string, number>();
  for (let i = 0; i < v.decisions.length; i++) {
    const d = v.decisions[i];
    if (d.start > d.end) return { path: ['decisions', i, 'end'], code: 'invalid', reason: `decision ${d.id} ends at ${d.end}, before its start ${d.start}` };
    if ((d.decision === 'accept') !== (d.accepted !== undefined)) {
      return {
        path: ['decisions', i, d.accepted === undefined ? 'decision' : 'accepted'],
        code: 'invalid',
        reason:
          d.accepted === undefined
            ? `decision ${d.id} accepts a coder's version but does not name the coder (accepted: …)`
            : `only an accept decision names the coder accepted`,
      };
    }
    if ((d.decision === 'agreed') !== (d.type === 'agreed')) {
      return { path: ['decisions', i, 'type'], code: 'invalid', reason: `decision ${d.id}: an agreed passage is accepted with decision "agreed", and only it` };
    }
    const before = seen.get(d.id);
    if (before !== undefined)
      return { path: ['decisions', i, 'id'], code: 'invalid', reason: `decision ${d.id} is listed twice (decisions[${before}] and decisions[${i}]); keep one` };
    seen.set(d.id, i);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Merging two versions (git's merge driver)

/**
 * Three-way merge of a decision file by decision id: a decision made on one side only is taken; one made on both
 * sides keeps the later `decided` (then the larger record, so the merge is symmetric); with a common ancestor, a
 * decision one side removed (a decision replaced by another) and the other left as it was stays removed. Throws
 * DecisionsError, naming the side, when a version does not parse or the sides belong to different documents.
 */
export function mergeDecisionTexts(base: string | undefined, ours: string, theirs: string, file: string): { text: string; decisions: Decision[] } {
  const read = (text: string, side: string): Decision[] => {
    try {
      return parseDecisions(text, file);
    } catch (e) {
      if (e instanceof DecisionsError) throw new DecisionsError(e.file, e.code, `${side}: ${e.reason}`, e.line, e.column);
      throw e;
    }
  };
  const o = read(ours, 'our version');
  const t = read(theirs, 'their version');
  const b = base === undefined || base.trim() === '' ? undefined : read(base, 'the common ancestor version');
  const doc = docForDecisionsPath(file) ?? documentField(ours, file);
  const byId = (ds: readonly Decision[] | undefined): Map<string, Decision> => new Map((ds ?? []).map((d) => [d.id, d]));
  const [bm, om, tm] = [byId(b), byId(o), byId(t)];
  const out: Decision[] = [];
  for (const id of new Set([...om.keys(), ...tm.keys()])) {
    const x = om.get(id);
    const y = tm.get(id);
    const was = bm.get(id);
    if (x && y) out.push(laterDecision(x, y));
    else {
      const only = (x ?? y) as Decision;
      // Removed on the other side: it stays removed if this side left it as it was.
      if (was !== undefined && sameDecision(was, only)) continue;
      out.push(only);
    }
  }
  return { text: serializeDecisions(doc, out), decisions: out.sort(compareDecisions) };
}

/** The later of two versions of one decision (then the larger record, so either order gives the same). */
export function laterDecision(x: Decision, y: Decision): Decision {
  if (x.decided !== y.decided) return x.decided > y.decided ? x : y;
  return JSON.stringify(normalise(x)) >= JSON.stringify(normalise(y)) ? x : y;
}

function sameDecision(a: Decision, b: Decision): boolean {
  return JSON.stringify(normalise(a)) === JSON.stringify(normalise(b));
}

// ---------------------------------------------------------------------------------------------------------------
// The files of a workspace folder

export interface DecisionChange {
  /** Added, or replacing the decision with the same id. */
  upsert?: readonly Decision[];
  /** Ids to remove (applied after the upserts). */
  remove?: readonly string[];
}

/** The decision files of one workspace folder: read, and changed by id under the file's lock (re-read first, so a
 *  decision another reviewer saved meanwhile survives). */
export class DecisionStore {
  constructor(readonly fs: WorkspaceFs) {}

  path(doc: string): string {
    return decisionsPathFor(doc);
  }

  /** The document's decisions, sorted; [] when it has none. Throws DecisionsError when the file is broken. */
  async load(doc: string): Promise<Decision[]> {
    const file = this.path(doc);
    const bytes = await this.fs.read(file);
    return bytes === undefined ? [] : parseDecisionsBytes(bytes, file);
  }

  /** Every decision file: decisions by document, and the files that did not load (left untouched). */
  async loadAll(): Promise<{ docs: Map<string, Decision[]>; errors: DecisionsError[] }> {
    const docs = new Map<string, Decision[]>();
    const errors: DecisionsError[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const e of await this.fs.list(dir)) {
        const path = `${dir}/${e.name}`;
        if (e.type === 'dir') await walk(path);
        else if (e.name.endsWith(SIDECAR_EXTENSION)) {
          const doc = docForDecisionsPath(path);
          try {
            if (doc === undefined) throw new DecisionsError(path, 'invalid', 'this file name does not belong to any document; move or delete it');
            const bytes = await this.fs.read(path);
            if (bytes !== undefined) docs.set(doc, parseDecisionsBytes(bytes, path));
          } catch (err) {
            if (!(err instanceof DecisionsError)) throw err;
            errors.push(err);
          }
        }
      }
    };
    await walk(DECISIONS_DIR);
    return { docs: new Map([...docs].sort(([a], [b]) => compareCodeUnits(a, b))), errors };
  }

  /** Applies a change by id to the file as it is now, and writes it atomically (deleting it when nothing is left).
   *  Returns the decisions now stored. */
  async update(doc: string, change: DecisionChange): Promise<Decision[]> {
    const file = this.path(doc);
    const run = async (): Promise<Decision[]> => {
      const bytes = await this.fs.read(file);
      const byId = new Map((bytes === undefined ? [] : parseDecisionsBytes(bytes, file)).map((d) => [d.id, d]));
      for (const d of change.upsert ?? []) byId.set(d.id, d);
      for (const id of change.remove ?? []) byId.delete(id);
      const next = [...byId.values()].sort(compareDecisions);
      if (next.length === 0) {
        if (bytes !== undefined) await this.fs.delete(file);
      } else await this.fs.writeAtomic(file, new TextEncoder().encode(serializeDecisions(doc, next)));
      return next;
    };
    return this.fs.withLock ? this.fs.withLock(file, run) : run();
  }
}
