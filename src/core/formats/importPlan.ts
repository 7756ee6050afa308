// Importing an export back into a workspace without losing anything there: every document is placed, re-anchored,
// merged with what the workspace holds and sized before the first write, so an import is all or nothing.
// An annotation id is unique in the workspace: annotations whose document was renamed since the export follow it
// (to where their ids live now, or by content hash), and an imported version replaces a stored one only when it is
// newer (its `modified`), as the merge driver decides. Relations are merged as sets: an import adds the relations it
// carries to the stored annotation and never removes one.
import { PathError, contentHash, mergeRelations, plural, relationKey, withRelations, type Annotation } from '../model';
import {
  NotTextError,
  SidecarError,
  assertSidecarFits,
  checkDocument,
  findMoves,
  readDocument,
  serializeSidecar,
  sidecarPathFor,
  type AnnotationStore,
  unannotatedHashes,
  type DocumentCheck,
} from '../store';
import type { ExportedDocument } from './exportInput';
import { ownString as own, type ExportBlock } from './yamlImport';

/** An import that cannot be done as asked; nothing was written. */
export class ImportError extends Error {}

export interface PlannedDocument {
  /** The document's path in the imported file. */
  from: string;
  /** Where its annotations go: `from`, or the document it was renamed to. */
  doc: string;
  /** Why `doc` differs from `from`, for the summary. */
  followed?: 'ids' | 'content';
  /** The document's current text, undefined when it is not in the workspace (its annotations are kept as orphans). */
  text: string | undefined;
  check: DocumentCheck;
  /** The imported annotations, re-anchored, that are written: new here, or newer than the stored version. */
  write: Annotation[];
  /** Ids new to the workspace. */
  added: string[];
  /** Ids whose imported version is newer than the stored one: the imported one replaces it. */
  newerImported: string[];
  /** Ids whose stored version is newer (or the same edit): the stored one is kept. */
  keptHere: string[];
  /** Imported versions of annotations kept as stored here that bring relations the stored one lacks: those
   *  relations are added. */
  linked: Annotation[];
  /** How many relations the import adds to annotations already stored here. */
  relationsAdded: number;
  /** Whether the export's hash of the text is the current text's (its snapshot can be stored). */
  sameText: boolean;
}

export interface ImportPlan {
  documents: PlannedDocument[];
}

/**
 * Plans the import of `imported` into the store's workspace without writing anything. Throws ImportError when an
 * id of the import lives in more than one document here, two imported documents end up in one, or a target's
 * sidecar does not load or its document is not text; SidecarError ('too-large') when a merged sidecar would be over
 * the size the reader accepts.
 */
export async function planImport(store: AnnotationStore, imported: readonly ExportedDocument[], corpus: () => Promise<readonly string[]>): Promise<ImportPlan> {
  const { docs: stored } = await store.loadAll();
  const home = new Map<string, string>();
  for (const [doc, list] of stored) for (const a of list) home.set(a.id, doc);
  const placing = new Placing(store, home, stored, corpus);
  const documents: PlannedDocument[] = [];
  for (const d of imported) documents.push(await planDocument(store, d, await placing.place(d)));
  return { documents };
}

/** Where the imported documents go: each to one document here, no two to the same one. */
class Placing {
  private readonly targets = new Map<string, string>();
  private hashes: Promise<Map<string, string>> | undefined;

  constructor(
    private readonly store: AnnotationStore,
    /** Where each stored id lives. */
    private readonly home: ReadonlyMap<string, string>,
    /** The documents with stored annotations. */
    private readonly annotated: { has(doc: string): boolean },
    private readonly corpus: () => Promise<readonly string[]>,
  ) {}

  async place(d: ExportedDocument): Promise<{ doc: string; followed?: 'ids' | 'content' }> {
    const corpusHashes = (): Promise<Map<string, string>> => (this.hashes ??= unannotatedHashes(this.store.fs, this.annotated, this.corpus));
    const placed = await placeDocument(this.store, d, this.home, corpusHashes);
    const earlier = this.targets.get(placed.doc);
    if (earlier !== undefined) throw new ImportError(`${earlier} and ${d.path} of the import both belong to ${placed.doc} here; import them one at a time`);
    this.targets.set(own(placed.doc), own(d.path));
    return placed;
  }
}

/** Plans one imported document into `doc` (where placeDocument put it): read, re-anchored, merged, sized. */
async function planDocument(
  store: AnnotationStore,
  d: ExportedDocument,
  { doc, followed }: { doc: string; followed?: 'ids' | 'content' },
): Promise<PlannedDocument> {
  const { text, current } = await readTarget(store, doc);
  const annotations = followed ? d.annotations.map((a) => ({ ...a, doc })) : d.annotations;
  // Imported annotations come without snapshots: re-anchor them now, against this workspace's text.
  const check = await checkDocument(store, doc, annotations, text);
  const byId = new Map(current.map((a) => [a.id, a]));
  const write: Annotation[] = [];
  const added: string[] = [];
  const newerImported: string[] = [];
  const keptHere: string[] = [];
  const linked: Annotation[] = [];
  let relationsAdded = 0;
  for (const r of check.results) {
    const here = byId.get(r.id);
    const bringsRelations = here !== undefined && newRelations(r.annotation, here) > 0;
    if (here !== undefined) relationsAdded += newRelations(r.annotation, here);
    if (here === undefined) added.push(r.id);
    else if (newer(r.annotation, here)) newerImported.push(r.id);
    else {
      keptHere.push(r.id);
      if (bringsRelations) {
        linked.push(r.annotation);
        byId.set(r.id, withRelations(here, mergeRelations(undefined, here.relations, r.annotation.relations, false)));
      }
      continue;
    }
    write.push(r.annotation);
    byId.set(r.id, here === undefined ? r.annotation : withRelations(r.annotation, mergeRelations(undefined, here.relations, r.annotation.relations, false)));
  }
  if (write.length > 0 || linked.length > 0) assertSidecarFits(sidecarPathFor(doc), new TextEncoder().encode(serializeSidecar(doc, [...byId.values()])).length);
  return {
    from: d.path,
    doc,
    followed,
    text,
    check,
    write,
    added,
    newerImported,
    keptHere,
    linked,
    relationsAdded,
    sameText: text !== undefined && d.hash !== undefined && d.hash === check.hash,
  };
}

/**
 * Writes a plan: each document's snapshot (when the export was made from this text) and its annotations, merged by
 * id into the sidecar as it is now. A stored version that became newer since the plan was made is kept.
 */
export async function applyImport(store: AnnotationStore, plan: ImportPlan): Promise<void> {
  for (const p of plan.documents) await applyDocument(store, p);
}

async function applyDocument(store: AnnotationStore, p: PlannedDocument): Promise<void> {
  if (p.sameText && p.text !== undefined) await store.putSnapshot(p.text);
  if (p.write.length === 0 && p.linked.length === 0) return;
  const fresh = new Set(p.added);
  const patch = new Map<string, (current: Annotation) => Annotation>();
  // Relations are a set: the stored ones stay, the imported ones join them, whichever version is kept.
  const union = (kept: Annotation, current: Annotation, imported: Annotation): Annotation =>
    withRelations(kept, mergeRelations(undefined, current.relations, imported.relations, false));
  for (const a of p.write) if (!fresh.has(a.id)) patch.set(a.id, (current) => union(newer(a, current) ? a : current, current, a));
  for (const a of p.linked) patch.set(a.id, (current) => union(current, current, a));
  await store.update(p.doc, { patch, upsert: p.write.filter((a) => fresh.has(a.id)) });
}

/** What the import of one document does, in counts: all a plan of a large import keeps of it between reading the
 *  file to check it and reading it again to write. */
export interface ImportSummary {
  from: string;
  doc: string;
  followed?: 'ids' | 'content';
  /** Whether the document is in the workspace (else its annotations are kept as orphans). */
  present: boolean;
  /** How many annotations the import holds for it. */
  annotations: number;
  added: number;
  newerImported: number;
  keptHere: number;
  relationsAdded: number;
  /** How many annotations are written (added or newer), and how many of those are orphaned here. */
  written: number;
  orphaned: number;
  /** How many annotations kept here gain relations. */
  linked: number;
  /** The export's hash of the text, when it is the current text's (its snapshot is stored). */
  snapshot?: string;
}

export function summariseImport(p: PlannedDocument): ImportSummary {
  const written = new Set(p.write.map((a) => a.id));
  const s: ImportSummary = {
    from: p.from,
    doc: p.doc,
    present: p.text !== undefined,
    annotations: p.check.results.length,
    added: p.added.length,
    newerImported: p.newerImported.length,
    keptHere: p.keptHere.length,
    relationsAdded: p.relationsAdded,
    written: p.write.length,
    orphaned: p.check.results.filter((r) => r.status === 'orphaned' && written.has(r.id)).length,
    linked: p.linked.length,
  };
  if (p.followed) s.followed = p.followed;
  if (p.sameText) s.snapshot = p.check.hash;
  return s;
}

/** Documents of an import read one at a time (see YamlExportSource). */
export interface ImportSource {
  forEach(visit: (block: ExportBlock) => Promise<void>, restart?: () => void): Promise<void>;
}

/** The plan of a streamed import: one summary per document of the file, in its order, and the digest of each. */
export interface StreamedImportPlan {
  documents: (ImportSummary & { digest: string })[];
}

/**
 * planImport for an import read a document at a time: every document is read, vetted (`vet` throws to refuse it),
 * placed, re-anchored, merged and sized as planImport does, without writing anything, and only its summary is kept,
 * so the memory needed does not grow with the annotations of the file. applyImportStream reads the file again.
 */
export async function planImportStream(
  store: AnnotationStore,
  source: ImportSource,
  corpus: () => Promise<readonly string[]>,
  vet: (d: ExportedDocument) => Promise<void> = async () => {},
): Promise<StreamedImportPlan> {
  const home = new Map<string, string>();
  const annotated = new Set<string>();
  await store.loadEach((doc, list) => {
    const d = own(doc);
    annotated.add(d);
    for (const a of list) home.set(own(a.id), d);
  });
  let placing = new Placing(store, home, annotated, corpus);
  let documents: StreamedImportPlan['documents'] = [];
  await source.forEach(
    async (block) => {
      const d = block.read();
      await vet(d);
      const s = summariseImport(await planDocument(store, d, await placing.place(d)));
      documents.push({ ...s, from: own(s.from), doc: own(s.doc), digest: block.digest });
    },
    () => {
      placing = new Placing(store, home, annotated, corpus);
      documents = [];
    },
  );
  return { documents };
}

/**
 * Writes a streamed plan: the file is read again, and each document with something to write is planned once more
 * (against the sidecar as it is now) and written as applyImport writes it. Throws ImportError when a document of the
 * file is not the one planned (the file changed in between).
 */
export async function applyImportStream(store: AnnotationStore, plan: StreamedImportPlan, source: ImportSource): Promise<void> {
  await source.forEach(async (block) => {
    const s = plan.documents[block.index];
    if (s === undefined || s.digest !== block.digest) {
      throw new ImportError(`the import file changed while it was being imported (at its document ${block.index + 1}); import it again`);
    }
    if (s.written === 0 && s.linked === 0) {
      if (s.snapshot === undefined) return;
      const text = await readDocument(store.fs, s.doc).catch(() => undefined);
      if (text !== undefined && contentHash(text) === s.snapshot) await store.putSnapshot(text);
      return;
    }
    const d = block.read();
    await applyDocument(store, await planDocument(store, d, { doc: s.doc, followed: s.followed }));
  });
}

/** A one-line account of one document's import, e.g. "report.txt: 2 added, 1 newer in the import, 3 kept (newer here)". */
export function describeImport(p: ImportSummary): string {
  const parts = [`${p.added} added`];
  if (p.newerImported > 0) parts.push(`${p.newerImported} replaced by the newer imported version`);
  if (p.keptHere > 0) parts.push(`${p.keptHere} kept as stored here (the same or newer than the import)`);
  if (p.relationsAdded > 0) parts.push(`${plural(p.relationsAdded, 'relation')} added to annotations stored here`);
  const moved =
    p.followed === 'ids'
      ? ` (renamed from ${p.from}: its annotations live there now)`
      : p.followed === 'content'
        ? ` (renamed from ${p.from}: the same text)`
        : '';
  return `${p.doc}${moved}: ${parts.join(', ')}`;
}

/** The target's text and stored annotations; a broken sidecar, a document that is not text or a path leading out
 *  of the workspace is an ImportError naming the document. */
async function readTarget(store: AnnotationStore, doc: string): Promise<{ text: string | undefined; current: Annotation[] }> {
  try {
    return { text: await readDocument(store.fs, doc), current: await store.loadDoc(doc) };
  } catch (e) {
    if (e instanceof SidecarError || e instanceof NotTextError || e instanceof PathError) throw new ImportError(`cannot import into ${doc}: ${e.message}`);
    throw e;
  }
}

/** How many of the imported annotation's relations the stored one lacks. */
function newRelations(imported: Annotation, here: Annotation): number {
  const stored = new Set((here.relations ?? []).map(relationKey));
  return (imported.relations ?? []).filter((r) => !stored.has(relationKey(r))).length;
}

/** True when the imported version should replace the stored one: strictly later `modified`. An equal time is the
 *  same edit, and the stored version carries this workspace's anchoring. */
function newer(imported: Annotation, here: Annotation): boolean {
  const ti = Date.parse(imported.provenance.modified);
  const th = Date.parse(here.provenance.modified);
  if (!Number.isNaN(ti) && !Number.isNaN(th)) return ti > th;
  return imported.provenance.modified > here.provenance.modified;
}

/**
 * Where an imported document's annotations belong here. Where its ids already live: all in one document (its own
 * path, or the one it was renamed to), else the import is refused, since an id is unique in the workspace. When none
 * of its ids is known and its path is not a document here, a corpus document without annotations whose text has
 * the exported hash (or one the annotations were anchored to) is where it went.
 */
async function placeDocument(
  store: AnnotationStore,
  d: ExportedDocument,
  home: ReadonlyMap<string, string>,
  corpusHashes: () => Promise<ReadonlyMap<string, string>>,
): Promise<{ doc: string; followed?: 'ids' | 'content' }> {
  const homes = new Set<string>();
  for (const a of d.annotations) {
    const h = home.get(a.id);
    if (h !== undefined) homes.add(h);
  }
  if (homes.size > 1) {
    throw new ImportError(
      `the annotations of ${d.path} in the import live in ${[...homes].sort().join(' and ')} here; an annotation id is unique in the workspace, so nothing was imported`,
    );
  }
  const [known] = homes;
  if (known !== undefined) return known === d.path ? { doc: d.path } : { doc: known, followed: 'ids' };
  if ((await store.fs.stat(d.path)) !== undefined) return { doc: d.path };
  const hashes = new Set([...(d.hash === undefined ? [] : [d.hash]), ...d.annotations.map((a) => a.provenance.docHash)]);
  const [move] = findMoves(new Map([[d.path, hashes]]), await corpusHashes());
  return move ? { doc: move[1], followed: 'content' } : { doc: d.path };
}
