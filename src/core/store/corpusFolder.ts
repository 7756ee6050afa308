// The life of one workspace folder's annotations: its store, corpus, loaded sidecars and the documents open in
// editors, and what happens when files change outside (git pull, another tool, a move). Every change goes through
// here, so whatever shows annotations reads one source of truth. No editor API: the host feeds it events (a document
// opened, edited, saved, a file created, changed, deleted) and settings through the ports below; tests drive it with
// the in-memory file system.
import type { Annotation, Relation, TextEdit } from '../model';
import { PathError, UserError, contentHash, plural, sameRelations, spanHolds, withRelations } from '../model';
import type { YamlFileError } from '../yaml';
import { LiveDocument, reanchorDocument, type LiveChange } from '../anchoring';
import { STORE_DIR } from '../../constants';
import { AnnotationStore } from './store';
import { defaultCodebook, findKind, type Codebook, type KindDefinition } from './codebook';
import { ANNOTATIONS_DIR, SidecarError, docForSidecarPath, type LayerName } from './sidecar';
import {
  NotTextError,
  corpusMatcher,
  listCorpusFolders,
  readDocument,
  refuseBinary,
  type CorpusListing,
  type CorpusOptions,
  NotCorpusError,
  assertCorpusDocument,
} from './corpus';
import { checkDocument, writeCheck } from './check';
import { findMoves, moveAnnotations, restoreDocument as restoreFromSnapshot } from './moves';
import { emptyRegister, type EntityRegister } from './entities';
import { loadEntities } from './entityStore';
import { systemClock, type Clock, type Logger, type WorkspaceFs } from './ports';
import { Pacer } from './pacer';
import { RelationIndex } from './relations';
import {
  RACY_WINDOW_MS,
  countAnnotations,
  parseSummaryCache,
  renderSummaryCache,
  type CachedSidecar,
  type KindCount,
  type SummaryCachePort,
} from './summaryCache';
import type { LoadAllResult } from './store';

/** A write was asked for where Marginalia may not write: the message says why and what to do. */
export class ReadOnlyError extends UserError {}

/** Something asked of a folder that cannot be done as things stand; the message says why and what to do. */
export class FolderError extends UserError {}

/** A folder's file system: the core's port, plus how the host reports symbolic links (which are never followed). */
export interface FolderFs extends WorkspaceFs {
  /** Symbolic links that list() came across and left out (workspace-relative); the folder reports and clears them. */
  readonly links?: Set<string>;
  /** Throws PathError when `rel` leads through a symbolic link; store paths are checked only when `store` is set. */
  refuseLinks?(rel: string, store?: boolean): Promise<void>;
}

/** The settings a folder reads, as they stand now (the host reads them afresh at each call). */
export interface FolderSettings {
  corpus: CorpusOptions;
  /** Documents over this size are listed but never read or annotated. */
  maxDocumentBytes: number;
}

export interface CorpusFolderOptions {
  /** Shown in messages (the workspace folder's name). */
  name: string;
  fs: FolderFs;
  settings: () => FolderSettings;
  log: Logger;
  /** Called after every change: `doc` is the document whose annotations changed, undefined for the whole folder. */
  changed: (doc?: string) => void;
  /** Whether the person trusts this folder; untrusted, nothing is written. */
  isTrusted: () => boolean;
  clock?: Clock;
  /** Hears what the store passes over and goes on (an unreadable snapshot); without it such a problem throws. */
  storeWarning?: (message: string) => void;
  /** Which layer of the store the folder reads and writes: the coders' annotations (default) or the reviewed set. */
  layer?: LayerName;
  /** Where the counts of the Corpus view's first level are kept between sessions (outside the workspace); without
   *  one, every load reads every sidecar before anything is shown. */
  summaryCache?: SummaryCachePort;
  /** How long after a change the summary cache is brought up to date (default 3 s). */
  summaryDelayMs?: number;
}

/** Sidecars left uncounted by the cache that the first level still reads before it is shown; with more (a first
 *  start, the cache lost), the first level waits for the full load instead. */
const FIRST_LEVEL_READS = 200;

export class CorpusFolder {
  readonly fs: FolderFs;
  readonly store: AnnotationStore;
  readonly name: string;
  codebook: Codebook = defaultCodebook();
  codebookError: YamlFileError | undefined;
  /** The entity register (.marginalia/entities.yaml); empty when there is none. */
  entities: EntityRegister = emptyRegister();
  entitiesError: YamlFileError | undefined;
  /** Corpus documents (by the include/exclude settings), sorted. */
  corpus: string[] = [];
  /** Sidecars that failed to load; they are left untouched. */
  errors: SidecarError[] = [];
  private corpusSet = new Set<string>();
  /** Files that match the corpus globs but are left out of it (binary, or reached through a symbolic link), with why. */
  private readonly leftOut = new Map<string, string>();
  /** Documents over marginalia.maxDocumentSize: listed, but never read, followed or annotated. */
  private readonly large = new Map<string, string>();
  private stored = new Map<string, Annotation[]>();
  private readonly live = new Map<string, LiveDocument>();
  private matcher: (rel: string) => boolean;
  /** Folders a Marginalia export wrote (they hold its marker file): nothing below them is a corpus document. */
  private readonly exportFolders = new Set<string>();
  /** Folders an export marked while the folder was open, with the count of marks at the time (see setExportFolders). */
  private readonly marks = new Map<string, number>();
  private markCount = 0;

  protected readonly log: Logger;
  private readonly settings: () => FolderSettings;
  private readonly changed: (doc?: string) => void;
  private readonly isTrusted: () => boolean;
  private readonly clock: Clock;
  private readonly summaryCache: SummaryCachePort | undefined;
  private readonly summaryDelayMs: number;
  /** Counts from the summary cache for documents whose sidecars are not loaded yet (only during a load). */
  private cachedCounts = new Map<string, KindCount[]>();
  /** The summary cache as it stands (after a load), by sidecar file; entries of changed documents are dropped at
   *  once and counted again when the cache is next written. */
  private summaries: Map<string, CachedSidecar> | undefined;
  private readonly summariesPending = new Set<string>();
  private summaryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly counted = new WeakMap<readonly Annotation[], KindCount[]>();

  constructor(options: CorpusFolderOptions) {
    this.name = options.name;
    this.fs = options.fs;
    this.log = options.log;
    this.settings = options.settings;
    this.changed = options.changed;
    this.isTrusted = options.isTrusted;
    this.clock = options.clock ?? systemClock;
    this.summaryCache = options.summaryCache;
    this.summaryDelayMs = options.summaryDelayMs ?? 3_000;
    this.store = new AnnotationStore(this.fs, { clock: this.clock, warn: options.storeWarning, layer: options.layer });
    this.matcher = corpusMatcher(this.settings().corpus, this.exportFolders);
  }

  private fire(change: { doc?: string }): void {
    this.relationIndexCache = undefined;
    // A change during a load is newer than the counts the load started with.
    if (change.doc !== undefined) this.cachedCounts.delete(change.doc);
    if (change.doc !== undefined && this.summaries) this.summaryChanged(change.doc);
    this.changed(change.doc);
  }

  private relationIndexCache: RelationIndex | undefined;

  /** Every relation of the folder, both directions, with both ends resolved (live positions for open documents);
   *  rebuilt after each change. */
  relations(): RelationIndex {
    return (this.relationIndexCache ??= new RelationIndex(this.allAnnotations(), this.codebook));
  }

  /**
   * Changes the relations of annotations of one document, by id: each function gets an annotation's relations as
   * stored now (re-read under the lock) and returns the new list. The open document's live copies get the same
   * change. Ids no longer stored are passed over. Returns the annotations now stored.
   */
  async changeRelations(doc: string, changes: ReadonlyMap<string, (list: Relation[] | undefined) => Relation[] | undefined>): Promise<Annotation[]> {
    this.assertWritable();
    const patch = new Map([...changes].map(([id, f]) => [id, (a: Annotation) => withRelations(a, f(a.relations))]));
    this.stored.set(doc, await this.update(doc, { patch }));
    const l = this.live.get(doc);
    for (const [id, f] of changes) {
      const a = l?.get(id);
      if (a) l?.set(withRelations(a, f(a.relations)));
    }
    this.fire({ doc });
    return this.stored.get(doc) ?? [];
  }

  /**
   * (Re)loads corpus list, codebook and every sidecar. With a summary cache, the corpus and the counts of the
   * Corpus view's first level are shown first (a change fires with {@link counts} answering from the cache), then
   * every sidecar is read; the returned promise settles when all are.
   */
  async load(): Promise<void> {
    const t0 = performance.now();
    const since = this.markCount;
    const options = this.settings().corpus;
    this.matcher = corpusMatcher(options, this.exportFolders);
    let loaded: LoadAllResult;
    let corpus: string[];
    let stats: Map<string, { size: number; mtime: number }> | undefined;
    if (this.summaryCache) {
      const [listing, listed, text] = await Promise.all([
        listCorpusFolders(this.fs, options),
        this.store.sidecarFiles(),
        this.summaryCache.read().catch(() => undefined),
      ]);
      corpus = this.setExportFolders(listing, since);
      await this.loadCodebook();
      await this.loadEntities();
      stats = await this.statSidecars(listed.files);
      const first = await this.firstLevel(listed.files, stats, parseSummaryCache(text, this.store.layer), new Set(corpus));
      if (first) {
        this.cachedCounts = first.counts;
        this.showCorpus(corpus);
        this.log.info(
          `${this.name}: first level of ${plural(corpus.length, 'document')} from the summary cache (${first.fromCache} sidecars counted before, ${first.read} read) in ${Math.round(performance.now() - t0)} ms`,
        );
        this.fire({});
      }
      const rest = listed.files.filter((f) => !first?.loaded.has(f));
      loaded = await this.store.loadSidecars(rest, listed.errors);
      for (const [doc, list] of first?.loaded.values() ?? []) loaded.docs.set(doc, list);
    } else {
      const [listing, all] = await Promise.all([listCorpusFolders(this.fs, options), this.store.loadAll()]);
      corpus = this.setExportFolders(listing, since);
      await this.loadCodebook();
      await this.loadEntities();
      loaded = all;
    }
    this.cachedCounts = new Map();
    this.stored = loaded.docs;
    this.errors = loaded.errors;
    const listed = new Set(corpus);
    for (const doc of [...this.stored.keys()]) {
      // A listed document passed the same patterns: only sidecars of missing documents need the check.
      const refused = listed.has(doc) ? undefined : this.notCorpus(doc);
      if (!refused) continue;
      this.stored.delete(doc);
      this.errors.push(refused);
    }
    for (const e of loaded.errors) this.log.warn(e.message);
    this.setCorpus(corpus);
    const n = [...loaded.docs.values()].reduce((s, a) => s + a.length, 0);
    this.log.info(
      `${this.name}: ${plural(corpus.length, 'document')}, ${plural(n, 'annotation')} in ${plural(loaded.docs.size, 'sidecar')}, ${loaded.errors.length} broken, loaded in ${Math.round(performance.now() - t0)} ms`,
    );
    this.fire({});
    if (stats) {
      this.summaries = new Map();
      this.summariesPending.clear();
      for (const doc of this.stored.keys()) this.summariesPending.add(doc);
      await this.saveSummaries(stats).catch((e) => this.log.warn(`${this.name}: the summary cache was not written: ${(e as Error).message}`));
    }
  }

  /** Sizes and modification times of the sidecars (those that cannot be looked at are left out). */
  private async statSidecars(files: readonly string[]): Promise<Map<string, { size: number; mtime: number }>> {
    if (this.fs.statListed) return this.fs.statListed(files);
    const out = new Map<string, { size: number; mtime: number }>();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < files.length) {
        const file = files[next++];
        const st = await this.fs.stat(file).catch(() => undefined);
        if (st) out.set(file, st);
      }
    };
    await Promise.all(Array.from({ length: Math.min(64, files.length) }, worker));
    return out;
  }

  /** The first level's counts: from the cache where a sidecar is as it was when counted, read for the few that are
   *  not. Undefined when too many would have to be read (the full load comes first then). */
  private async firstLevel(
    files: readonly string[],
    stats: ReadonlyMap<string, { size: number; mtime: number }>,
    cache: ReadonlyMap<string, CachedSidecar>,
    corpus: ReadonlySet<string>,
  ): Promise<{ counts: Map<string, KindCount[]>; loaded: Map<string, [string, Annotation[]]>; fromCache: number; read: number } | undefined> {
    const counts = new Map<string, KindCount[]>();
    const uncounted: string[] = [];
    for (const file of files) {
      const doc = this.store.docOf(file);
      // A listed corpus document passed the same patterns; only the others (sidecars of missing documents) are checked.
      if (doc === undefined || (!corpus.has(doc) && this.notCorpus(doc))) continue;
      const st = stats.get(file);
      const c = cache.get(file);
      if (st && c && c.size === st.size && c.mtime === st.mtime) counts.set(doc, c.counts);
      else uncounted.push(file);
    }
    if (uncounted.length > FIRST_LEVEL_READS || cache.size === 0) return undefined;
    const errors: SidecarError[] = [];
    const read = await this.store.loadSidecars(uncounted, errors);
    const loaded = new Map<string, [string, Annotation[]]>();
    for (const file of uncounted) {
      const doc = this.store.docOf(file) as string;
      const list = read.docs.get(doc);
      if (!list) continue;
      loaded.set(file, [doc, list]);
      counts.set(doc, countAnnotations(list));
    }
    return { counts, loaded, fromCache: counts.size - loaded.size, read: loaded.size };
  }

  private summaryChanged(doc: string): void {
    this.summaries?.delete(this.store.sidecarPath(doc));
    this.summariesPending.add(doc);
    if (this.summaryTimer || !this.summaryCache) return;
    this.summaryTimer = setTimeout(() => {
      this.summaryTimer = undefined;
      void this.saveSummaries().catch((e) => this.log.warn(`${this.name}: the summary cache was not written: ${(e as Error).message}`));
    }, this.summaryDelayMs);
    (this.summaryTimer as { unref?: () => void }).unref?.();
  }

  /**
   * Brings the summary cache up to date with the stored annotations of the documents changed since it was last
   * written (all of them after a load) and writes it. Sizes and times are those looked at before the annotations
   * were read (`stats`, from a load), or looked at now: a sidecar that changes after that is seen as changed next
   * time, never the other way round. Files modified just before they were looked at are left out.
   */
  async saveSummaries(stats?: ReadonlyMap<string, { size: number; mtime: number }>): Promise<void> {
    const cache = this.summaryCache;
    const summaries = this.summaries;
    if (!cache || !summaries) return;
    if (this.summaryTimer) clearTimeout(this.summaryTimer);
    this.summaryTimer = undefined;
    const docs = [...this.summariesPending];
    this.summariesPending.clear();
    // After a load (stats given) the paths are worked out in the paced loop below, not all at once here.
    const files = stats ? undefined : docs.map((d) => this.store.sidecarPath(d));
    const looked = stats ?? (await this.statSidecars(files ?? []));
    const now = this.clock.now().getTime();
    // After a load every document is counted: in slices, as the load itself runs, so the host stays responsive.
    const pacer = new Pacer();
    for (let i = 0; i < docs.length; i++) {
      for (let turn = pacer.next(); turn; turn = pacer.next()) await turn;
      const file = files?.[i] ?? this.store.sidecarPath(docs[i]);
      const st = looked.get(file);
      const list = this.stored.get(docs[i]);
      if (st && list && st.mtime <= now - RACY_WINDOW_MS) {
        summaries.set(file, { size: st.size, mtime: st.mtime, counts: this.countsOf(list) });
        continue;
      }
      summaries.delete(file);
      // Too fresh to trust yet: counted again at the next write.
      if (st && list) this.summariesPending.add(docs[i]);
    }
    await cache.write(await renderSummaryCache(summaries, this.store.layer, pacer));
  }

  private countsOf(list: readonly Annotation[]): KindCount[] {
    let c = this.counted.get(list);
    if (!c) this.counted.set(list, (c = countAnnotations(list)));
    return c;
  }

  /** A document's annotations counted by coder and kind, as the Corpus view's first level needs them: from the
   *  summary cache while the load that started with it is still reading the sidecars, from the annotations after. */
  counts(doc: string): KindCount[] {
    const live = this.live.get(doc);
    if (live) return countAnnotations(live.annotations());
    // During a load, the counts it started with are newer than what an earlier load stored.
    const cached = this.cachedCounts.get(doc);
    if (cached) return cached;
    const list = this.stored.get(doc);
    return list ? this.countsOf(list) : [];
  }

  /** Stops the summary cache's timer (the folder is going away). */
  dispose(): void {
    if (this.summaryTimer) clearTimeout(this.summaryTimer);
    this.summaryTimer = undefined;
  }

  async loadCodebook(): Promise<void> {
    this.relationIndexCache = undefined;
    try {
      this.codebook = await this.store.loadCodebook();
      this.codebookError = undefined;
    } catch (e) {
      this.codebook = defaultCodebook();
      this.codebookError = e as YamlFileError;
      this.log.warn(`${(e as Error).message} (using the built-in kinds until it is fixed)`);
    }
  }

  async loadEntities(): Promise<void> {
    try {
      this.entities = await loadEntities(this.fs);
      this.entitiesError = undefined;
    } catch (e) {
      this.entities = emptyRegister();
      this.entitiesError = e as YamlFileError;
      this.log.warn(`${(e as Error).message} (the entity register is ignored until it is fixed)`);
    }
  }

  /** A sidecar whose document is no corpus document path (a hostile one naming `.env`, or the include setting
   *  changed): reported like a broken sidecar, its annotations left as they are, the document never read. */
  private notCorpus(doc: string): SidecarError | undefined {
    try {
      assertCorpusDocument(doc, this.settings().corpus, this.matcher);
      return undefined;
    } catch (e) {
      if (!(e instanceof NotCorpusError)) throw e;
      return new SidecarError(this.store.sidecarPath(doc), 'invalid', `${e.message}; its annotations are left as they are`);
    }
  }

  /** The corpus as listed, without the files left out (binary, symbolic links). */
  private setCorpus(listed: string[]): void {
    for (const link of this.fs.links ?? []) {
      if (this.matcher(link))
        this.leaveOut(
          link,
          new PathError(
            `${link} is a symbolic link; Marginalia does not follow links (one can lead outside the workspace folder), so it is left out of the corpus. Replace the link with the file itself to annotate it.`,
          ),
        );
      else if (docForSidecarPath(link) !== undefined && !this.errors.some((e) => e.file === link)) {
        const e = new SidecarError(
          link,
          'io',
          `this sidecar is a symbolic link; Marginalia does not follow links (one can lead outside the workspace folder), so it is not loaded and never written through. Replace the link with the file itself`,
        );
        this.errors = [...this.errors, e];
        this.log.warn(e.message);
      }
    }
    this.fs.links?.clear();
    this.showCorpus(listed);
  }

  private showCorpus(listed: string[]): void {
    this.corpus = this.leftOut.size === 0 ? listed : listed.filter((d) => !this.leftOut.has(d));
    this.corpusSet = new Set(this.corpus);
  }

  /** Why a document is not annotated (left out, or over the size limit), or undefined when it can be. */
  declined(doc: string): string | undefined {
    return this.leftOut.get(doc) ?? this.large.get(doc);
  }

  /** The message for a document over the size limit, or undefined when it is within it. */
  tooLarge(doc: string): string | undefined {
    return this.large.get(doc);
  }

  /** Checks a document's size against marginalia.maxDocumentSize; one over it is declined (listed, never read). */
  checkSize(doc: string, bytes: number): boolean {
    const max = this.settings().maxDocumentBytes;
    if (bytes <= max) {
      if (this.large.delete(doc)) this.fire({});
      return true;
    }
    if (!this.large.has(doc)) {
      const mb = (n: number): string => (n / (1024 * 1024)).toFixed(1);
      const why = `${doc} is ${mb(bytes)} MB, over the ${mb(max)} MB limit (setting marginalia.maxDocumentSize), so Marginalia does not read or annotate it. Raise the setting to annotate it, or split the document.`;
      this.large.set(doc, why);
      this.log.warn(why);
      this.fire({});
    }
    return false;
  }

  /**
   * A document's text from disk if Marginalia may annotate it: null when it is over the size limit, not text, or
   * reached through a link (each declined or left out, with why); undefined when the file does not exist.
   */
  private async readAnnotatable(doc: string): Promise<string | undefined | null> {
    const size = (await this.fs.stat(doc))?.size;
    if (size !== undefined && !this.checkSize(doc, size)) return null;
    try {
      return await readDocument(this.fs, doc);
    } catch (e) {
      if (!(e instanceof NotTextError || e instanceof PathError)) throw e;
      this.leaveOut(doc, e);
      return null;
    }
  }

  /** A file that matches the corpus globs turned out not to be a document Marginalia may read (binary, or a symbolic
   *  link): it leaves the corpus and the Corpus view. */
  private leaveOut(doc: string, e: NotTextError | PathError): void {
    if (!this.leftOut.has(doc)) {
      this.leftOut.set(doc, e.message);
      this.log.warn(e.message);
    }
    if (this.corpusSet.delete(doc)) {
      this.corpus = this.corpus.filter((d) => d !== doc);
      this.fire({});
    }
  }

  /** Every annotation of the folder, by document (live positions for open documents). */
  allAnnotations(): Map<string, Annotation[]> {
    const out = new Map<string, Annotation[]>();
    for (const d of this.documents()) {
      const list = this.annotations(d);
      if (list.length > 0) out.set(d, list);
    }
    return out;
  }

  kind(name: string): KindDefinition | undefined {
    return findKind(this.codebook, name);
  }

  isCorpusPath(doc: string): boolean {
    return this.matcher(doc);
  }

  /** Throws NotCorpusError unless `doc` is a corpus document path here (by the settings, whether or not it exists):
   *  what an import checks before it writes anything for the document. */
  assertCorpusPath(doc: string): void {
    assertCorpusDocument(doc, this.settings().corpus, this.matcher);
  }

  isCorpus(doc: string): boolean {
    return this.corpusSet.has(doc);
  }

  /** Documents to show: the corpus plus annotated documents that are gone (their annotations are kept). */
  documents(): string[] {
    const extra: string[] = [];
    for (const d of this.stored.keys()) if (!this.corpusSet.has(d)) extra.push(d);
    for (const d of this.cachedCounts.keys()) if (!this.corpusSet.has(d) && !this.stored.has(d)) extra.push(d);
    return extra.length === 0 ? this.corpus : [...this.corpus, ...extra].sort();
  }

  /** The annotations of a document as they stand now (live offsets while it is open). */
  annotations(doc: string): Annotation[] {
    return this.live.get(doc)?.annotations() ?? this.stored.get(doc) ?? [];
  }

  get(doc: string, id: string): Annotation | undefined {
    const l = this.live.get(doc);
    return l ? l.get(id) : this.stored.get(doc)?.find((a) => a.id === id);
  }

  liveDocument(doc: string): LiveDocument | undefined {
    return this.live.get(doc);
  }

  count(): number {
    let n = 0;
    for (const d of this.documents()) n += this.annotations(d).length;
    return n;
  }

  // ---- changes a person makes -------------------------------------------------------------------------------

  assertWritable(): void {
    if (!this.isTrusted())
      throw new ReadOnlyError('This workspace is not trusted, so Marginalia is read-only here. Trust the folder (Manage Workspace Trust) to tag and edit.');
  }

  /** Stores new annotations anchored against `text` (the document as the person sees it, saved or not). */
  async add(doc: string, annotations: Annotation[], text: string): Promise<void> {
    this.assertWritable();
    assertCorpusDocument(doc, this.settings().corpus, this.matcher);
    const why = this.declined(doc);
    if (why) throw new FolderError(why);
    // A sidecar known to be broken is read again first: it may have been fixed a moment ago, before the watcher said so.
    if (this.errors.some((e) => e.file === this.store.sidecarPath(doc))) await this.sidecarChanged(doc);
    const broken = this.errors.find((e) => e.file === this.store.sidecarPath(doc));
    if (broken) throw brokenSidecar(doc, broken);
    await this.store.putSnapshot(text);
    this.stored.set(doc, await this.update(doc, { upsert: annotations }));
    const l = this.live.get(doc);
    for (const a of annotations) l?.set(a);
    this.fire({ doc });
  }

  /**
   * Applies `change` to one annotation: to the stored record (whose target refers to the saved text) and to the live
   * one (whose offsets follow unsaved edits), so neither loses the other's state.
   */
  async mutate(doc: string, id: string, change: (a: Annotation) => Annotation): Promise<Annotation> {
    this.assertWritable();
    const stored = (this.stored.get(doc) ?? (await this.store.loadDoc(doc))).find((a) => a.id === id);
    const l = this.live.get(doc);
    const current = l?.get(id) ?? stored;
    if (!current) throw new Error(`annotation ${id} is no longer in ${doc}`);
    const next = change(current);
    this.stored.set(doc, await this.update(doc, { upsert: [stored ? { ...change(stored) } : next] }));
    l?.set(next);
    this.fire({ doc });
    return next;
  }

  /** Re-attaches an annotation to [start, end) of the current text (an orphan a person has found again). */
  async reattach(doc: string, id: string, text: string, target: Annotation['target'], author: string, now: Date): Promise<Annotation> {
    this.assertWritable();
    const current = this.get(doc, id);
    if (!current) throw new Error(`annotation ${id} is no longer in ${doc}`);
    const next: Annotation = {
      ...current,
      target,
      provenance: { ...current.provenance, docHash: contentHash(text), modified: now.toISOString() },
      anchor: { status: 'reanchored', method: 'edits', detail: `re-attached by ${author}` },
    };
    await this.add(doc, [next], text);
    return next;
  }

  async remove(doc: string, ids: string[]): Promise<Annotation[]> {
    this.assertWritable();
    const removed = ids.map((id) => this.get(doc, id)).filter((a): a is Annotation => a !== undefined);
    this.stored.set(doc, await this.update(doc, { remove: ids }));
    const l = this.live.get(doc);
    for (const id of ids) l?.delete(id);
    this.fire({ doc });
    return removed;
  }

  /** store.update, with a broken sidecar (which the store refuses to overwrite) reported as the person's problem. */
  private async update(doc: string, change: Parameters<AnnotationStore['update']>[1]): Promise<Annotation[]> {
    // The store's own files are not checked for links on every read (thousands of sidecars load at once); the one
    // about to be read and replaced is.
    await this.fs.refuseLinks?.(this.store.sidecarPath(doc), true);
    try {
      return await this.store.update(doc, change);
    } catch (e) {
      if (e instanceof SidecarError) throw brokenSidecar(doc, e);
      throw e;
    }
  }

  // ---- documents open in editors ------------------------------------------------------------------------------

  /**
   * Re-anchors the annotations of every closed document to its text on disk and saves them (open documents follow
   * their edits already). A document that cannot be read (a link, not text) or whose sidecar does not load is
   * skipped, with why in the log, and the others are still checked.
   */
  async checkClosedDocuments(): Promise<{ changed: number; orphaned: number; skipped: string[] }> {
    this.assertWritable();
    let changed = 0;
    let orphaned = 0;
    const skipped: string[] = [];
    for (const doc of this.documents()) {
      if (this.live.has(doc) || this.annotations(doc).length === 0 || this.declined(doc)) continue;
      try {
        const text = await readDocument(this.fs, doc);
        const check = await checkDocument(this.store, doc, this.annotations(doc), text);
        changed += await writeCheck(this.store, check, text);
        orphaned += check.results.filter((r) => r.status === 'orphaned').length;
      } catch (e) {
        // (A FIFO or a device where the document was is refused unread, code ENOTREG: passed over like the rest.)
        if (!(e instanceof PathError || e instanceof NotTextError || e instanceof SidecarError || (e as { code?: unknown }).code === 'ENOTREG')) throw e;
        skipped.push(doc);
        this.log.warn(`not re-anchored: ${(e as Error).message}`);
      }
    }
    await this.load();
    return { changed, orphaned, skipped };
  }

  /** Starts following an open document; annotations made against another version are re-anchored to it first. */
  async open(doc: string, text: string): Promise<void> {
    if (this.live.has(doc)) return;
    // The size was checked by the caller, from the editor's document without copying its text.
    if (this.leftOut.has(doc) || !this.matcher(doc)) return;
    try {
      refuseBinary(text, doc);
    } catch (e) {
      return this.leaveOut(doc, e as NotTextError);
    }
    let annotations = this.stored.get(doc) ?? [];
    const hash = contentHash(text);
    // Re-anchored when made against another version, or when a stored span does not hold its quote (a hand edit or a
    // merge left a wrong end, or one cutting a character in half).
    if (
      annotations.some(
        (a) => a.anchor.status !== 'orphaned' && (a.provenance.docHash !== hash || !spanHolds(text, a.target.start, a.target.end, a.target.quote.exact)),
      )
    ) {
      const check = await checkDocument(this.store, doc, annotations, text);
      annotations = check.results.map((r) => r.annotation);
      if (check.changed.length > 0) {
        this.log.info(`${doc}: re-anchored ${plural(check.changed.length, 'annotation')} to the text as opened`);
        if (this.isTrusted()) this.stored.set(doc, await this.writeChecked(check, text));
      }
    }
    this.live.set(doc, new LiveDocument(doc, text, annotations));
    this.fire({ doc });
  }

  /** Follows one change event; returns the live outcome. Saves when the document is not dirty (a reload or revert). */
  change(doc: string, edits: TextEdit[], text: string, isDirty: boolean): LiveChange | undefined {
    const l = this.live.get(doc);
    if (!l) return undefined;
    const outcome = l.applyChange(edits, text);
    if (outcome.via === 'diff')
      this.log.info(`${doc}: text replaced; ${plural(outcome.moved.length, 'annotation')} moved, ${outcome.orphaned.length} orphaned`);
    if (!isDirty) void this.persist(doc).catch((e) => this.log.error(e as Error));
    if (outcome.moved.length > 0 || outcome.shifted || outcome.orphaned.length > 0) this.fire({ doc });
    return outcome;
  }

  /** Writes what editing changed (new offsets, fresh quotes, a snapshot of the saved text). */
  async persist(doc: string): Promise<number> {
    const l = this.live.get(doc);
    if (!l || !l.isDirty || !this.isTrusted()) return 0;
    const changes = l.takeChanges();
    if (changes.length === 0) return 0;
    await this.store.putSnapshot(l.text);
    this.stored.set(doc, await this.store.update(doc, { upsert: changes }));
    this.log.trace(`${doc}: saved ${changes.length} annotation positions`);
    return changes.length;
  }

  /** Stops following a closed document; unsaved offsets are dropped with the unsaved text. */
  close(doc: string): void {
    if (this.live.delete(doc)) this.fire({ doc });
  }

  // ---- outside changes ----------------------------------------------------------------------------------------

  /** A corpus file changed on disk while not open: re-anchor its annotations. Returns the orphans it made. */
  async documentChangedOnDisk(doc: string): Promise<Annotation[]> {
    if (this.live.has(doc)) return []; // the editor reloads it and its change event is followed
    const annotations = this.stored.get(doc) ?? [];
    if (annotations.length === 0 || this.declined(doc)) return [];
    const text = await this.readAnnotatable(doc);
    if (text === null) return [];
    const check = await checkDocument(this.store, doc, annotations, text);
    if (check.changed.length === 0) return [];
    const orphans = check.changed.filter((a) => a.anchor.status === 'orphaned' && annotations.find((b) => b.id === a.id)?.anchor.status !== 'orphaned');
    if (this.isTrusted()) {
      this.stored.set(doc, await this.writeChecked(check, text));
    } else {
      this.stored.set(
        doc,
        check.results.map((r) => r.annotation),
      );
    }
    this.log.info(`${doc} changed on disk: ${plural(check.changed.length, 'annotation')} re-anchored, ${orphans.length} orphaned`);
    this.fire({ doc });
    return orphans;
  }

  documentCreated(doc: string): void {
    if (!this.matcher(doc) || this.corpusSet.has(doc) || this.leftOut.has(doc)) return;
    this.corpusSet.add(doc);
    this.corpus = [...this.corpusSet].sort();
    this.fire({});
    if (this.stored.has(doc)) void this.documentChangedOnDisk(doc).catch((e) => this.log.error(e as Error));
    else void this.noteCreated(doc).catch((e) => this.log.error(e as Error));
  }

  /** New documents of the last minute, by content hash: the candidates for a move made outside VS Code. */
  private readonly recentlyCreated = new Map<string, { hash: string; at: number }>();

  private async noteCreated(doc: string): Promise<void> {
    const text = await this.readAnnotatable(doc);
    if (text === null || text === undefined) return;
    this.recentlyCreated.set(doc, { hash: contentHash(text), at: this.clock.now().getTime() });
    await this.followMoves();
  }

  /** Documents gone from the corpus whose text reappeared under another name (git mv, a file manager): move them. */
  async followMoves(): Promise<number> {
    const now = this.clock.now().getTime();
    for (const [d, c] of this.recentlyCreated) if (now - c.at > 60_000 || this.stored.has(d)) this.recentlyCreated.delete(d);
    const missing = new Map<string, Set<string>>();
    for (const [doc, list] of this.stored) {
      if (!this.corpusSet.has(doc) && list.length > 0) missing.set(doc, new Set(list.map((a) => a.provenance.docHash)));
    }
    if (missing.size === 0 || this.recentlyCreated.size === 0) return 0;
    const moves = findMoves(missing, new Map([...this.recentlyCreated].map(([d, c]) => [d, c.hash])));
    for (const [from, to] of moves) {
      this.recentlyCreated.delete(to);
      await this.documentRenamed(from, to);
    }
    return moves.length;
  }

  /** Writes a deleted document back from the newest snapshot its annotations were anchored to. */
  async restoreDocument(doc: string): Promise<string> {
    this.assertWritable();
    const hash = await restoreFromSnapshot(this.store, doc, this.stored.get(doc) ?? [], this.settings().corpus, this.matcher);
    this.documentCreated(doc);
    return hash;
  }

  /** Lists the corpus again (a folder of documents appeared); annotations of documents that came back re-anchor. */
  async rescanCorpus(): Promise<void> {
    const since = this.markCount;
    const corpus = this.setExportFolders(await listCorpusFolders(this.fs, this.settings().corpus), since);
    const added = corpus.filter((d) => !this.corpusSet.has(d) && !this.leftOut.has(d));
    this.setCorpus(corpus);
    this.fire({});
    for (const d of added) {
      if (this.stored.has(d)) await this.documentChangedOnDisk(d);
      else await this.noteCreated(d);
    }
  }

  /**
   * Takes the export folders of a listing, keeping those an export marked while the listing was under way (an older
   * listing finishing late must not bring an export's copies back into the corpus). Returns the listing's documents
   * that are not in any of them.
   */
  private setExportFolders(listing: CorpusListing, since: number): string[] {
    this.exportFolders.clear();
    for (const f of listing.exportFolders) this.exportFolders.add(f);
    for (const [dir, mark] of this.marks) if (mark > since) this.exportFolders.add(dir);
    // The listing matched the same patterns; only export folders can leave more out.
    return this.exportFolders.size === 0 ? listing.documents : listing.documents.filter((d) => this.matcher(d));
  }

  /**
   * A Marginalia export marked `dir` as its folder (the marker is its first file): its documents leave the corpus at
   * once, before the copies written after the marker arrive.
   */
  exportFolderMarked(dir: string): void {
    this.exportFolders.add(dir);
    this.marks.set(dir, ++this.markCount);
    const inside = this.corpus.filter((d) => d.startsWith(dir + '/'));
    if (inside.length === 0) return;
    for (const d of inside) this.corpusSet.delete(d);
    this.corpus = this.corpus.filter((d) => this.corpusSet.has(d));
    this.fire({});
  }

  /** A file or a folder was deleted: every corpus document at or below the path leaves the corpus. */
  pathDeleted(path: string): void {
    for (const f of [...this.exportFolders]) if (f === path || f.startsWith(path + '/')) this.exportFolders.delete(f);
    // What was left out or declined there is forgotten: a new file of that name is looked at afresh.
    for (const m of [this.leftOut, this.large]) for (const d of [...m.keys()]) if (d === path || d.startsWith(path + '/')) m.delete(d);
    const gone = this.corpus.filter((d) => d === path || d.startsWith(path + '/'));
    if (gone.length === 0) return;
    for (const d of gone) this.corpusSet.delete(d);
    this.corpus = this.corpus.filter((d) => this.corpusSet.has(d));
    this.fire({});
    void this.followMoves().catch((e) => this.log.error(e as Error));
  }

  documentDeleted(doc: string): void {
    if (!this.corpusSet.delete(doc)) return;
    this.corpus = this.corpus.filter((d) => d !== doc);
    this.fire({});
  }

  /** A document was renamed or moved: its annotations follow it to the new path. */
  async documentRenamed(from: string, to: string): Promise<void> {
    const annotations = this.stored.get(from) ?? [];
    this.documentDeleted(from);
    this.documentCreated(to);
    // Renamed out of the corpus (to a dotfile, say): the annotations stay, as orphans, with the name they had.
    if (annotations.length === 0 || !this.isTrusted() || !this.matcher(to)) return;
    this.stored.set(to, await moveAnnotations(this.store, from, to));
    this.stored.delete(from);
    this.live.delete(from);
    this.log.info(`${from} moved to ${to}: ${plural(annotations.length, 'annotation')} followed it`);
    this.fire({});
  }

  /** A folder of sidecars (or the whole store: a first `git pull`, a copy) appeared; the watcher may report only the
   *  folder, not the files in it. */
  async sidecarFolderCreated(dir: string): Promise<void> {
    if (dir === STORE_DIR) {
      await this.loadCodebook();
      await this.loadEntities();
    }
    const walk = async (d: string): Promise<void> => {
      for (const e of await this.fs.list(d)) {
        const path = `${d}/${e.name}`;
        if (e.type === 'dir') await walk(path);
        else {
          const doc = docForSidecarPath(path);
          if (doc !== undefined) await this.sidecarChanged(doc);
        }
      }
    };
    await walk(dir === STORE_DIR ? ANNOTATIONS_DIR : dir);
    this.fire({});
  }

  /** A folder of sidecars (or the whole store) was deleted: the watcher reports the folder, not each file in it. */
  async sidecarFolderDeleted(dir: string): Promise<void> {
    const prefix = dir === STORE_DIR || dir === ANNOTATIONS_DIR ? '' : `${dir.slice(ANNOTATIONS_DIR.length + 1)}/`;
    const docs = new Set([...this.stored.keys()].filter((d) => d.startsWith(prefix)));
    for (const e of this.errors) {
      const d = docForSidecarPath(e.file);
      if (d !== undefined && d.startsWith(prefix)) docs.add(d);
    }
    for (const d of docs) await this.sidecarChanged(d);
  }

  /** A sidecar changed on disk (git pull, another window, the CLI): reload it, keeping unsaved live positions. */
  async sidecarChanged(doc: string): Promise<void> {
    let annotations: Annotation[];
    try {
      const refused = this.notCorpus(doc);
      if (refused) throw refused;
      await this.fs.refuseLinks?.(this.store.sidecarPath(doc), true);
      annotations = await this.store.loadDoc(doc);
      this.errors = this.errors.filter((e) => e.file !== this.store.sidecarPath(doc));
    } catch (e) {
      if (!(e instanceof SidecarError || e instanceof PathError)) throw e;
      const err = e instanceof SidecarError ? e : new SidecarError(`${ANNOTATIONS_DIR}/${doc}.yaml`, 'io', e.message);
      this.errors = [...this.errors.filter((x) => x.file !== err.file), err];
      this.log.warn(err.message);
      this.fire({});
      return;
    }
    this.stored.set(doc, annotations);
    if (annotations.length === 0) this.stored.delete(doc);
    const l = this.live.get(doc);
    if (l) {
      // Bring the live copy in line. The open text decides where a passage is; the file decides everything else.
      const incoming = new Set(annotations.map((a) => a.id));
      for (const a of l.annotations()) if (!incoming.has(a.id)) l.delete(a.id);
      const unknown: Annotation[] = [];
      for (const a of annotations) {
        const mine = l.get(a.id);
        if (!mine) unknown.push(a);
        else if (!sameExceptPlace(mine, a))
          l.set({ ...a, target: mine.target, provenance: { ...a.provenance, docHash: mine.provenance.docHash }, anchor: mine.anchor });
      }
      if (unknown.length > 0) {
        const snaps = new Map<string, string | undefined>();
        for (const h of new Set(unknown.map((a) => a.provenance.docHash))) snaps.set(h, await this.store.getSnapshot(h));
        for (const r of reanchorDocument({ text: l.text, annotations: unknown, snapshot: (h) => snaps.get(h) })) l.set(r.annotation);
      }
    }
    this.fire({ doc });
  }

  private async writeChecked(check: Awaited<ReturnType<typeof checkDocument>>, text: string | undefined): Promise<Annotation[]> {
    await writeCheck(this.store, check, text);
    return this.store.loadDoc(check.doc);
  }

  /** Stops following every open document. */
  clearLive(): void {
    this.live.clear();
  }
}

/** The message for a change refused because the document's sidecar does not load. */
function brokenSidecar(doc: string, e: SidecarError): FolderError {
  const then = e.code === 'conflict' ? ' Or run Marginalia: Resolve Conflicted Sidecars (Keep Both Sides).' : '';
  return new FolderError(
    `Nothing was saved for ${doc}, because its sidecar does not load and Marginalia will not overwrite it: ${e.message.replace(/[.\s]*$/, '')}.${then}`,
  );
}

/** Equal in everything a person edits (kind, note, attributes, authorship, relations), whatever their positions. */
function sameExceptPlace(a: Annotation, b: Annotation): boolean {
  return (
    a.kind === b.kind &&
    a.note === b.note &&
    a.provenance.modified === b.provenance.modified &&
    a.provenance.author === b.provenance.author &&
    JSON.stringify(a.attributes) === JSON.stringify(b.attributes) &&
    sameRelations(a.relations, b.relations)
  );
}
