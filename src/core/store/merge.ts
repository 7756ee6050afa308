// Merging versions of one sidecar at the level of annotations. A sidecar is a set of annotations keyed by ULID id,
// so two people's versions can always be combined; git, which merges lines, conflicts whenever both add an
// annotation in the same gap (both append after the last one, or both create the sidecar) or both edit one
// annotation. `mergeSidecarTexts` is the 3-way merge a git merge driver runs instead of git's line merge;
// `resolveConflictMarkers` repairs a sidecar git has already written conflict markers into.
import { yamlLib } from '../yaml';
import type { Annotation } from '../model';
import { mergeRelations, relationsKey, withRelations } from '../model';
import { SidecarError, docForSidecarPath, parseSidecar, serializeSidecar, sortAnnotations } from './sidecar';
import { isLater } from './store';
import { plural } from '../model';

/** What a merge did, for the one-line summaries of the CLI. Counts are of annotations. */
export interface MergeReport {
  /** The document the sidecar belongs to. */
  document: string;
  /** Annotations in the result. */
  total: number;
  /** The same on both sides: unchanged, or the same change made on both. */
  same: number;
  /** Taken from ours: added there, or changed only there. */
  fromOurs: number;
  /** Taken from theirs: added there, or changed only there. */
  fromTheirs: number;
  /** Ids changed (or added) differently on both sides: where both changed the same fields, the later `modified`
   *  won; a note edited on one side and a re-anchoring on the other are both kept (see `combined`). */
  bothChanged: string[];
  /** Those of `bothChanged` whose result takes its people's fields from one side and its anchoring from the other. */
  combined: string[];
  /** Deleted on one side and unchanged on the other, or deleted on both: left out. */
  deleted: number;
  /** Ids deleted on one side but modified on the other: kept, as the modified version, so no edit is lost unseen. */
  keptDespiteDelete: string[];
  /** Whether a common ancestor decided deletions. Without one the merge is a union: nothing is deleted. */
  base: boolean;
  /** Conflict hunks read (resolveConflictMarkers); 0 for mergeSidecarTexts. */
  hunks: number;
  /** The document one side's annotations were saved under when git paired the versions across a rename of the
   *  document (one side moved it, the other annotated it under its old name): they follow it to `document`. */
  renamedFrom?: string;
}

export interface MergeResult {
  /** The canonical sidecar text (serializeSidecar). */
  text: string;
  /** The merged annotations, in sidecar order. */
  annotations: Annotation[];
  report: MergeReport;
}

type Side = 'base' | 'ours' | 'theirs';

const SIDE_NAMES: Record<Side, string> = {
  base: 'the common ancestor version',
  ours: 'our version',
  theirs: 'their version',
};

/**
 * Three-way merge of a sidecar by annotation id. `base` is the common ancestor's text, or undefined (or empty, as
 * git passes it) when both sides created the file. When ours and theirs name different documents, git paired them
 * across a rename of the document: they merge into the document `file` names, if it is one of the two and the sides
 * share annotations (see targetDocument). Throws SidecarError, naming the side, when any input does not parse or the
 * two sides are not versions of one set of annotations: a merge never guesses.
 */
export function mergeSidecarTexts(base: string | undefined, ours: string, theirs: string, file: string): MergeResult {
  const o = parseSide(ours, 'ours', file);
  const t = parseSide(theirs, 'theirs', file);
  const b = base === undefined || base.trim() === '' ? undefined : parseSide(base, 'base', file).annotations;
  return finish(b, o, t, file, 0);
}

/**
 * The whole of both sides (and the ancestor's, diff3 style) between git's conflict markers: what the merge driver
 * leaves when it cannot merge, so the sidecar fails to load as conflicted everywhere (check, list, the extension)
 * and `marginalia resolve` or the extension's resolver can take it up, instead of git keeping our side silently.
 */
export function wholeFileConflict(base: string | undefined, ours: string, theirs: string): string {
  const part = (s: string): string => (s === '' || s.endsWith('\n') ? s : s + '\n');
  return `<<<<<<< ours\n${part(ours)}${base === undefined ? '' : `||||||| base\n${part(base)}`}=======\n${part(theirs)}>>>>>>> theirs\n`;
}

/**
 * Resolves a sidecar holding git conflict markers: rebuilds our and their whole files from the common text and each
 * side's part of every hunk, and merges them by id. With the diff3 (or zdiff3) style the ancestor's parts are there
 * too, and annotations one side deleted while the other left them alone stay deleted; without it the merge is a
 * union, so deletions inside conflicting hunks come back rather than edits being lost. A text without markers is
 * parsed and returned in canonical form. Throws SidecarError when the markers are malformed or a side does not parse.
 * The markers hold only what git could not merge: where git paired the lines of two similar annotations (one deleted,
 * one added) and merged them "cleanly", neither side can be rebuilt as it was, so during a merge the three versions
 * in git's index (mergeSidecarTexts) are the better source; `marginalia resolve` uses them when it can.
 */
export function resolveConflictMarkers(text: string, file: string): MergeResult {
  const sides = splitConflict(text, file);
  const o = parseSide(sides.ours, 'ours', file);
  const t = parseSide(sides.theirs, 'theirs', file);
  let b: Annotation[] | undefined;
  // An ancestor part that is empty (add/add) or does not parse alone (zdiff3 can leave just the header) gives no
  // safe judgement of deletions: the union keeps everything instead.
  if (sides.base !== undefined && sides.base.trim() !== '') {
    try {
      b = parseSidecar(sides.base, file, { documentFromPath: false });
    } catch (e) {
      if (!(e instanceof SidecarError)) throw e;
    }
  }
  return finish(b, o, t, file, sides.hunks);
}

/** A one-line account of a merge, e.g. "7 annotations: 2 from ours, 1 from theirs, 1 changed on both (later edit kept)". */
export function describeMerge(r: MergeReport): string {
  const parts = [`${r.fromOurs} from ours`, `${r.fromTheirs} from theirs`, `${r.same} the same on both`];
  if (r.bothChanged.length > 0) {
    parts.push(
      `${r.bothChanged.length} changed on both (later edit kept${r.combined.length > 0 ? `, ${r.combined.length} combined with a re-anchoring` : ''}: ${r.bothChanged.join(', ')})`,
    );
  }
  if (r.deleted > 0) parts.push(`${r.deleted} deleted`);
  if (r.keptDespiteDelete.length > 0)
    parts.push(`${r.keptDespiteDelete.length} kept although deleted on one side, as edited on the other: ${r.keptDespiteDelete.join(', ')}`);
  if (r.hunks > 0 && !r.base) parts.push('no common ancestor in the markers, so nothing deleted in a conflict was dropped');
  if (r.renamedFrom !== undefined) parts.push(`those saved under ${r.renamedFrom} follow its rename to ${r.document}`);
  return `${plural(r.total, 'annotation')}: ${parts.join(', ')}`;
}

// ---------------------------------------------------------------------------------------------------------------

interface ParsedSide {
  annotations: Annotation[];
  document: string;
}

function parseSide(text: string, side: Side, file: string): ParsedSide {
  let annotations: Annotation[];
  try {
    // The path is not checked against the `document` field here: across a rename the sides name different
    // documents, and finish() decides which one the result belongs to.
    annotations = parseSidecar(text, file, { documentFromPath: false });
  } catch (e) {
    if (e instanceof SidecarError) throw new SidecarError(e.file, e.code, `${SIDE_NAMES[side]}: ${e.reason}`, e.line, e.column);
    throw e;
  }
  return { annotations, document: documentOf(text, annotations) };
}

/** The `document` field of a sidecar that parsed. Only a sidecar without annotations needs reading again:
 *  otherwise any annotation says it. */
function documentOf(text: string, annotations: readonly Annotation[]): string {
  if (annotations.length > 0) return annotations[0].doc;
  return String((yamlLib().parse(text) as { document: unknown }).document);
}

function finish(base: Annotation[] | undefined, ours: ParsedSide, theirs: ParsedSide, file: string, hunks: number): MergeResult {
  const { document, renamedFrom } = targetDocument(base, ours, theirs, file);
  const retarget = (as: readonly Annotation[]): Annotation[] => as.map((a) => (a.doc === document ? a : { ...a, doc: document }));
  const { annotations, report } = mergeAnnotationVersions(base && retarget(base), retarget(ours.annotations), retarget(theirs.annotations));
  const fullReport: MergeReport = { ...report, document, hunks, ...(renamedFrom === undefined ? {} : { renamedFrom }) };
  return { text: serializeSidecar(document, annotations), annotations, report: fullReport };
}

/**
 * The document the merged sidecar belongs to. Normally both sides and the file's path name the same one. When the
 * sides name two documents, git paired the sidecars across a rename (one branch ran `git mv` and `check --write`, the
 * other annotated the document under its old name): the result goes to the document the path names (git's %P, the
 * name the merge keeps), provided it is one of the two and the sides share an annotation id (directly or through the
 * ancestor), so they are versions of one set of annotations. Anything else is refused: a merge never guesses.
 */
function targetDocument(
  base: readonly Annotation[] | undefined,
  ours: ParsedSide,
  theirs: ParsedSide,
  file: string,
): { document: string; renamedFrom?: string } {
  const fromPath = docForSidecarPath(file);
  if (ours.document === theirs.document && (fromPath === undefined || fromPath === ours.document)) return { document: ours.document };
  const ids = (as: readonly Annotation[]): Set<string> => new Set(as.map((a) => a.id));
  const meets = (a: Set<string>, b: Set<string>): boolean => [...a].some((id) => b.has(id));
  const o = ids(ours.annotations);
  const t = ids(theirs.annotations);
  const b = ids(base ?? []);
  const related = meets(o, t) || (meets(b, o) && meets(b, t));
  const names = [ours.document, theirs.document];
  if (fromPath !== undefined && names.includes(fromPath) && related) {
    const other = names.find((d) => d !== fromPath);
    return other === undefined ? { document: fromPath } : { document: fromPath, renamedFrom: other };
  }
  const where =
    ours.document === theirs.document
      ? `both hold the annotations of ${JSON.stringify(ours.document)}, but the file is ${file}`
      : `our version holds the annotations of ${JSON.stringify(ours.document)} and theirs those of ${JSON.stringify(theirs.document)}`;
  throw new SidecarError(
    file,
    'invalid',
    `${where}, and ${related ? `the file's path names ${fromPath === undefined ? 'no document' : JSON.stringify(fromPath)}` : "they share no annotation, so they are not one document's annotations under two names"}; ` +
      'they cannot be merged into one sidecar: keep one side and move the other to its own document',
  );
}

/**
 * The set merge itself, by id. With `base` undefined it is exactly mergeAnnotationSets (union, the later `modified`
 * wins); with a base, deletions count and a change made on one side only is taken whatever its timestamp.
 */
export function mergeAnnotationVersions(
  base: readonly Annotation[] | undefined,
  ours: readonly Annotation[],
  theirs: readonly Annotation[],
): { annotations: Annotation[]; report: Omit<MergeReport, 'document' | 'hunks'> } {
  const b = new Map((base ?? []).map((a) => [a.id, a]));
  const o = new Map(ours.map((a) => [a.id, a]));
  const t = new Map(theirs.map((a) => [a.id, a]));
  const report = {
    total: 0,
    same: 0,
    fromOurs: 0,
    fromTheirs: 0,
    bothChanged: [] as string[],
    combined: [] as string[],
    deleted: 0,
    keptDespiteDelete: [] as string[],
    base: base !== undefined,
  };
  const out: Annotation[] = [];
  const ids = new Set([...o.keys(), ...t.keys(), ...b.keys()]);
  for (const id of ids) {
    const x = o.get(id);
    const y = t.get(id);
    const z = b.get(id);
    if (x && y) {
      if (same(x, y)) {
        out.push(x);
        report.same++;
      } else if (z && same(x, z)) {
        out.push(y);
        report.fromTheirs++;
      } else if (z && same(y, z)) {
        out.push(x);
        report.fromOurs++;
      } else {
        const merged = bothChanged(z, x, y);
        out.push(merged.annotation);
        report.bothChanged.push(id);
        if (merged.combined) report.combined.push(id);
      }
    } else if (x || y) {
      const kept = (x ?? y) as Annotation;
      if (!z) {
        out.push(kept);
        if (x) report.fromOurs++;
        else report.fromTheirs++;
      } else if (same(kept, z)) {
        report.deleted++;
      } else {
        out.push(kept);
        report.keptDespiteDelete.push(id);
      }
    } else {
      report.deleted++;
    }
  }
  report.bothChanged.sort();
  report.combined.sort();
  report.keptDespiteDelete.sort();
  report.total = out.length;
  return { annotations: sortAnnotations(out), report };
}

/**
 * An annotation changed differently on both sides. Its fields (besides its relations, merged as a set) fall in two
 * groups that change for different reasons:
 * what people edit (kind, note, attributes, with the author, time and tool of the edit) and what re-anchoring
 * rewrites (offsets, quote, docHash, anchor state; re-anchoring leaves `modified` alone). A group changed on one
 * side only is taken from that side, as git's line merge would; a group changed on both comes from the later
 * version (isLater, the tie-break of mergeAnnotationSets). So a note edited on one branch survives the document being
 * re-anchored on the other, and with no base this is exactly mergeAnnotationSets.
 */
function bothChanged(base: Annotation | undefined, ours: Annotation, theirs: Annotation): { annotation: Annotation; combined: boolean } {
  // Relations are a third group: a set by (type, to), merged as such (see mergeRelations), so two people linking the
  // same annotation keep both links.
  const relations = mergeRelations(base?.relations, ours.relations, theirs.relations, base !== undefined);
  const merged = fieldGroups(base, ours, theirs);
  return { annotation: withRelations(merged.annotation, relations), combined: merged.combined };
}

function fieldGroups(base: Annotation | undefined, ours: Annotation, theirs: Annotation): { annotation: Annotation; combined: boolean } {
  const later = isLater(ours, theirs) ? ours : theirs;
  if (!base) return { annotation: later, combined: false };
  const pick = (key: (a: Annotation) => string): Annotation => {
    const ko = key(ours);
    const kt = key(theirs);
    if (ko === kt || kt === key(base)) return ours;
    if (ko === key(base)) return theirs;
    return later;
  };
  const people = pick(peopleKey);
  const anchoring = pick(anchoringKey);
  if (people === anchoring || anchoringKey(people) === anchoringKey(anchoring)) return { annotation: people, combined: false };
  return { annotation: withAnchoringOf(people, anchoring), combined: true };
}

/** `people`'s kind, note, attributes and provenance with `anchoring`'s target, docHash and anchor state: the two
 *  groups of fields that change for different reasons (see bothChanged). */
export function withAnchoringOf(people: Annotation, anchoring: Annotation): Annotation {
  return { ...people, target: anchoring.target, provenance: { ...people.provenance, docHash: anchoring.provenance.docHash }, anchor: anchoring.anchor };
}

/** True when re-anchoring would see no difference between the two: offsets, quote, docHash and anchor state. */
export function sameAnchoring(a: Annotation, b: Annotation): boolean {
  return anchoringKey(a) === anchoringKey(b);
}

function same(a: Annotation, b: Annotation): boolean {
  return peopleKey(a) === peopleKey(b) && anchoringKey(a) === anchoringKey(b) && relationsKey(a.relations) === relationsKey(b.relations);
}

// Keys list the fields explicitly, in a fixed order, so equal annotations give equal keys however they were built.

function peopleKey(a: Annotation): string {
  const attrs = Object.keys(a.attributes)
    .sort()
    .map((k) => [k, a.attributes[k]]);
  const p = a.provenance;
  return JSON.stringify([a.kind, a.note, attrs, p.author, p.created, p.modified, p.tool]);
}

function anchoringKey(a: Annotation): string {
  const t = a.target;
  return JSON.stringify([
    t.start,
    t.end,
    t.quote.exact,
    t.quote.prefix,
    t.quote.suffix,
    a.provenance.docHash,
    a.anchor.status,
    a.anchor.method ?? null,
    a.anchor.detail ?? null,
  ]);
}

// ---------------------------------------------------------------------------------------------------------------
// Conflict markers

/** The whole texts of both sides of a conflicted file, and of the ancestor when every hunk carries its part. */
export interface ConflictSides {
  ours: string;
  theirs: string;
  base: string | undefined;
  hunks: number;
}

// Column 0, seven or more (conflict-marker-size can raise it), then a label or the end of the line; as
// findConflictMarker, no line of a sidecar can start this way.
const MARKER = /^(<{7,}|\|{7,}|={7,}|>{7,})(?:[ \t][^\n]*)?\r?\n?$/;

/** Splits a text with git conflict markers (merge or diff3/zdiff3 style) into its sides. Throws SidecarError
 *  (code 'conflict') for markers out of order, nested or unterminated. */
export function splitConflict(text: string, file: string): ConflictSides {
  const lines = text.split(/(?<=\n)/);
  let ours = '';
  let theirs = '';
  let base = '';
  let everyHunkHasBase = true;
  let hunks = 0;
  let state: 'common' | 'ours' | 'base' | 'theirs' = 'common';
  let hunkStart = 0;
  let hunkHasBase = false;
  const fail = (line: number, reason: string): SidecarError =>
    new SidecarError(
      file,
      'conflict',
      `${reason}; the conflict markers are not as git writes them, so Marginalia cannot tell the sides apart. Resolve the file by hand, or take one side with \`git checkout --ours -- ${file}\` (or --theirs)`,
      line,
      1,
    );
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const m = MARKER.exec(line);
    const kind = m?.[1][0];
    if (kind === undefined) {
      if (state === 'common' || state === 'ours') ours += line;
      if (state === 'common' || state === 'theirs') theirs += line;
      if (state === 'common' || state === 'base') base += line;
      continue;
    }
    const n = i + 1;
    if (state === 'common') {
      if (kind !== '<') throw fail(n, `${m?.[1]} at line ${n} is outside any conflict`);
      state = 'ours';
      hunks++;
      hunkStart = n;
      hunkHasBase = false;
    } else if (kind === '<') {
      throw fail(n, `a conflict starts at line ${n} inside the conflict that starts at line ${hunkStart} (a nested conflict)`);
    } else if (state === 'ours' && kind === '|') {
      state = 'base';
      hunkHasBase = true;
    } else if ((state === 'ours' || state === 'base') && kind === '=') {
      state = 'theirs';
    } else if (state === 'theirs' && kind === '>') {
      state = 'common';
      if (!hunkHasBase) everyHunkHasBase = false;
    } else {
      throw fail(n, `${m?.[1]} at line ${n} is out of order in the conflict that starts at line ${hunkStart}`);
    }
  }
  if (state !== 'common') throw fail(hunkStart, `the conflict that starts at line ${hunkStart} never ends (no >>>>>>> line)`);
  return { ours, theirs, base: hunks > 0 && everyHunkHasBase ? base : undefined, hunks };
}
