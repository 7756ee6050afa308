// Documents that move or vanish outside the editor (git mv, a file manager, rm): the annotations of a document that
// vanished follow a new file whose text is a version they were anchored to; those of a deleted document stay, as
// orphans with their last target and snapshot, and the document can be written back from that snapshot.
import type { Annotation } from '../model';
import type { WorkspaceFs } from './ports';
import type { AnnotationStore } from './store';
import { readDocument, assertCorpusDocument, type CorpusOptions } from './corpus';
import { contentHash, UserError } from '../model';

/** A move or restore that cannot be done; the message says why, naming the document, and what to do instead. */
export class MoveError extends UserError {}

/**
 * Pairs each missing document with the new document whose content hash is one of the versions its annotations were
 * anchored to. A new document matching several missing ones (copies) goes to none: a guess is worse than orphans.
 */
export function findMoves(missing: ReadonlyMap<string, ReadonlySet<string>>, created: ReadonlyMap<string, string>): [from: string, to: string][] {
  const byHash = new Map<string, string[]>();
  for (const [doc, hash] of created) byHash.set(hash, [...(byHash.get(hash) ?? []), doc]);
  const claims = new Map<string, string[]>();
  for (const [from, hashes] of missing) {
    const targets = new Set<string>();
    for (const h of hashes) for (const d of byHash.get(h) ?? []) targets.add(d);
    if (targets.size === 1) {
      const to = [...targets][0];
      claims.set(to, [...(claims.get(to) ?? []), from]);
    }
  }
  return [...claims].filter(([, froms]) => froms.length === 1).map(([to, [from]]) => [from, to]);
}

/**
 * The moves made on disk since the annotations were saved: documents with annotations that no longer exist, each
 * paired (findMoves) with a corpus document without annotations whose text is one its annotations were anchored to.
 * Lists the corpus (`corpus`) and reads its unannotated documents only when something is missing.
 */
export async function detectMoves(
  fs: WorkspaceFs,
  stored: ReadonlyMap<string, readonly Annotation[]>,
  corpus: () => Promise<readonly string[]>,
): Promise<[from: string, to: string][]> {
  const missing = new Map<string, Set<string>>();
  for (const [doc, list] of stored) {
    if (list.length > 0 && (await fs.stat(doc)) === undefined) missing.set(doc, new Set(list.map((a) => a.provenance.docHash)));
  }
  if (missing.size === 0) return [];
  return findMoves(missing, await unannotatedHashes(fs, stored, corpus));
}

/** The content hash of every corpus document without stored annotations: where a missing document may have gone. */
export async function unannotatedHashes(
  fs: WorkspaceFs,
  stored: { has(doc: string): boolean },
  corpus: () => Promise<readonly string[]>,
): Promise<Map<string, string>> {
  const created = new Map<string, string>();
  for (const doc of await corpus()) {
    if (stored.has(doc)) continue;
    const text = await readDocument(fs, doc).catch(() => undefined); // binary or unreadable: never a move target
    if (text !== undefined) created.set(doc, contentHash(text));
  }
  return created;
}

/** Moves a document's annotations to its new path: merged into the new sidecar (which re-reads, as every write
 *  does), then the old sidecar removed. Returns the annotations now stored for `to`. */
export async function moveAnnotations(store: AnnotationStore, from: string, to: string): Promise<Annotation[]> {
  const annotations = await store.loadDoc(from);
  if (annotations.length === 0) return store.loadDoc(to);
  const moved = await store.update(to, { upsert: annotations.map((a) => ({ ...a, doc: to })) });
  await store.saveDoc(from, []);
  return moved;
}

/** Writes a deleted document back from the newest snapshot its annotations were anchored to; returns that
 *  snapshot's hash. Refuses when `doc` is no corpus document path (a committed sidecar and snapshot must not write
 *  `.git/hooks/post-checkout`), when the document exists, or when no snapshot of it is stored. */
export async function restoreDocument(
  store: AnnotationStore,
  doc: string,
  annotations: readonly Annotation[],
  corpus: CorpusOptions,
  matches?: (rel: string) => boolean,
): Promise<string> {
  assertCorpusDocument(doc, corpus, matches);
  if ((await store.fs.stat(doc)) !== undefined) throw new MoveError(`${doc} exists; there is nothing to restore`);
  if (annotations.length === 0) throw new MoveError(`${doc} has no annotations, so no snapshot of it is known; restore it from git instead`);
  const newestFirst = [...annotations].sort((a, b) =>
    a.provenance.modified < b.provenance.modified ? 1 : a.provenance.modified > b.provenance.modified ? -1 : 0,
  );
  for (const hash of new Set(newestFirst.map((a) => a.provenance.docHash))) {
    const text = await store.getSnapshot(hash);
    if (text === undefined) continue;
    await store.fs.writeAtomic(doc, new TextEncoder().encode(text));
    return hash;
  }
  throw new MoveError(`no snapshot of ${doc} is stored (or none is intact), so it cannot be restored; restore it from git instead`);
}
