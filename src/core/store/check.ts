// Re-anchoring stored annotations against the documents' current text: what `marginalia check` and the
// extension's outside-change handling both run.
import type { Annotation } from '../model';
import type { AnnotationStore } from './store';
import type { WorkspaceFs } from './ports';
import { readDocument, unreadableReason } from './corpus';
import { reanchorDocument, type ReanchorResult } from '../anchoring';
import { contentHash } from '../model';
import { sameAnchoring, withAnchoringOf } from './merge';

export interface DocumentCheck {
  doc: string;
  /** False when the document no longer exists (its annotations are reported orphaned, and kept). */
  exists: boolean;
  /** Hash of the current text, when the document exists. */
  hash?: string;
  results: ReanchorResult[];
  /** The annotations whose stored form changes (moved, orphaned, or back from being an orphan). */
  changed: Annotation[];
  /** The annotations as they were checked, by id: what `changed` was computed from. */
  checked: ReadonlyMap<string, Annotation>;
}

export interface CheckSummary {
  documents: number;
  annotations: number;
  unchanged: number;
  reanchored: number;
  orphaned: number;
}

/** Re-anchors the annotations of one document against `text` (undefined: the document is gone). */
export async function checkDocument(store: AnnotationStore, doc: string, annotations: Annotation[], text: string | undefined): Promise<DocumentCheck> {
  if (text === undefined) {
    const results: ReanchorResult[] = annotations.map((a) => ({
      id: a.id,
      before: { start: a.target.start, end: a.target.end },
      status: 'orphaned',
      method: 'orphaned',
      detail: 'document not found',
      annotation: { ...a, anchor: { status: 'orphaned', method: 'orphaned', detail: 'document not found' } },
    }));
    // Kept with their last target and snapshot, so they re-attach if the document comes back.
    return {
      doc,
      exists: false,
      results,
      changed: results.filter((_r, i) => annotations[i].anchor.status !== 'orphaned').map((r) => r.annotation),
      checked: byId(annotations),
    };
  }
  const snapshots = new Map<string, string | undefined>();
  for (const hash of new Set(annotations.map((a) => a.provenance.docHash))) snapshots.set(hash, await store.getSnapshot(hash));
  const hash = contentHash(text);
  const results = reanchorDocument({ text, annotations, snapshot: (h) => snapshots.get(h), textHash: hash });
  const changed: Annotation[] = [];
  results.forEach((r, i) => {
    const a = annotations[i];
    // Still exactly where it was: the stored annotation stands as it is (no churn in the sidecar).
    // Exact means the whole stored span holds the quote (reanchorDocument checks start, end and whole characters).
    if (
      r.method === 'exact' &&
      a.anchor.status !== 'orphaned' &&
      a.provenance.docHash === hash &&
      r.after?.start === a.target.start &&
      r.after.end === a.target.end
    )
      r.annotation = a;
    else changed.push(r.annotation);
  });
  return { doc, exists: true, hash, results, changed, checked: byId(annotations) };
}

function byId(annotations: readonly Annotation[]): Map<string, Annotation> {
  return new Map(annotations.map((a) => [a.id, a]));
}

/** A document whose annotations could not be checked (it is not text, not a file, unreadable), and why. */
export interface UncheckedDocument {
  doc: string;
  reason: string;
}

/** Re-anchors every stored annotation. A document that cannot be read (binary, not UTF-8, a folder, a FIFO, no
 *  permission) is not checked: it goes to `unchecked` with the reason, its annotations untouched, and the rest go on. */
export async function checkCorpus(
  store: AnnotationStore,
  fs: WorkspaceFs,
  stored: Map<string, Annotation[]>,
  unchecked: UncheckedDocument[] = [],
): Promise<DocumentCheck[]> {
  const out: DocumentCheck[] = [];
  for (const doc of [...stored.keys()].sort()) {
    let text: string | undefined;
    try {
      text = await readDocument(fs, doc);
    } catch (e) {
      unchecked.push({ doc, reason: unreadableReason(doc, e) });
      continue;
    }
    out.push(await checkDocument(store, doc, stored.get(doc) ?? [], text));
  }
  return out;
}

export function summarise(checks: readonly DocumentCheck[]): CheckSummary {
  const s: CheckSummary = { documents: checks.length, annotations: 0, unchanged: 0, reanchored: 0, orphaned: 0 };
  for (const c of checks) {
    for (const r of c.results) {
      s.annotations++;
      if (r.status === 'orphaned') s.orphaned++;
      else if (r.method === 'exact') s.unchanged++;
      else s.reanchored++;
    }
  }
  return s;
}

/**
 * Saves what a check found, and only that: the new anchoring (offsets, quote, docHash, state) of each changed
 * annotation is merged into the sidecar as it is now, under the store's lock. An annotation deleted since the check
 * read it stays deleted; a note, kind or attribute edited meanwhile is kept; one re-anchored meanwhile by someone
 * else keeps theirs. The current text is kept as a snapshot so the next outside change can be mapped through a diff.
 * Returns the number of annotations the check changed.
 */
export async function writeCheck(store: AnnotationStore, check: DocumentCheck, text: string | undefined): Promise<number> {
  const changed = check.changed;
  if (changed.length === 0) return 0;
  if (text !== undefined && changed.some((a) => a.anchor.status !== 'orphaned')) await store.putSnapshot(text);
  const patch = new Map<string, (current: Annotation) => Annotation>();
  for (const after of changed) {
    const before = check.checked.get(after.id);
    patch.set(after.id, (current) => (before === undefined || sameAnchoring(current, before) ? withAnchoringOf(current, after) : current));
  }
  await store.update(check.doc, { patch });
  return changed.length;
}
