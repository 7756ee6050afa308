// The annotation store of one workspace folder: a sidecar per document, content-addressed snapshots of the document
// versions annotations were anchored to, and the codebook. Every write goes through WorkspaceFs.writeAtomic, every
// write of a sidecar re-reads it first and merges by id, and a sidecar that fails to load is never overwritten.
import { STORE_DIR } from '../../constants';
import { CODEBOOK_PATH, CodebookError, defaultCodebook, parseCodebookBytes, serializeCodebook, type Codebook } from './codebook';
import { AnnotationInputError, type Annotation } from '../model';
import { Pacer } from './pacer';
import { systemClock, type Clock, type WorkspaceFs } from './ports';
import {
  SIDECAR_EXTENSION,
  SidecarError,
  assertSidecarFits,
  docForPathIn,
  layerDir,
  parseSidecarBytes,
  serializeSidecar,
  sidecarPathIn,
  sortAnnotations,
  type LayerName,
} from './sidecar';
import { contentHash, mergeRelations, relationsKey, withRelations } from '../model';

/** Snapshots live at snapshots/<first 2 hex digits>/<64 hex digits>.txt, as git shards its objects: at 10,000
 *  documents with several versions each, 256 folders of a few hundred files stay quick to list and browse. */
export const SNAPSHOTS_DIR = `${STORE_DIR}/snapshots`;

const HASH = /^sha256:([0-9a-f]{64})$/;

export interface StoreOptions {
  /** For callers that stamp provenance; the store itself stores timestamps as given, so imports keep theirs. */
  clock?: Clock;
  /** Sidecars read and parsed at once by loadAll. */
  concurrency?: number;
  /** Told once of each snapshot that cannot be read (a link out of the workspace, a folder, a FIFO): it is then
   *  passed over as a missing one, and the rest goes on. Without it, such a read throws. */
  warn?: (message: string) => void;
  /** Which layer's sidecars this store reads and writes: the coders' (default) or the reviewed set. Snapshots and
   *  the codebook are shared by every layer. */
  layer?: LayerName;
}

export interface LoadAllResult {
  /** Annotations by document path, sorted by path; each list sorted as in the sidecar. */
  docs: Map<string, Annotation[]>;
  /** Sidecars that could not be loaded, sorted by file; they are left untouched. */
  errors: SidecarError[];
}

export interface AnnotationChange {
  /** Changed in place, by id, from the version stored now (re-read under the lock): each function gets it and
   *  returns its new version. Ids no longer stored (deleted meanwhile) are skipped, not brought back. Applied first. */
  patch?: ReadonlyMap<string, (current: Annotation) => Annotation>;
  /** Added or replaced by id. */
  upsert?: readonly Annotation[];
  /** Changes to stored annotations by id, each applied to the version read under the lock (so an edit never reverts
   *  what another writer saved meanwhile); applied after the upserts. An id not in the sidecar is an
   *  AnnotationInputError, and nothing is written. */
  edit?: ReadonlyMap<string, (current: Annotation) => Annotation>;
  /** Ids to remove; applied after the upserts and edits, so removing wins. */
  remove?: readonly string[];
}

export interface SaveOptions {
  /** Replace a sidecar even if it currently fails to load (for a conflict resolver that has read it another way). */
  overwriteBroken?: boolean;
}

/**
 * Union of two sets of annotations by id; when both sides hold an id, the later `modified` wins. Symmetric, for
 * resolving two versions of one sidecar: equal timestamps fall back to comparing the stored fields, so
 * mergeAnnotationSets(a, b) and mergeAnnotationSets(b, a) agree. The result is in sidecar order.
 */
export function mergeAnnotationSets(a: readonly Annotation[], b: readonly Annotation[]): Annotation[] {
  const byId = new Map<string, Annotation>();
  for (const x of [...a, ...b]) {
    const y = byId.get(x.id);
    if (y === undefined) byId.set(x.id, x);
    else {
      // Relations are a set: both versions' links are kept (without an ancestor nothing says one was removed).
      const relations = mergeRelations(undefined, x.relations, y.relations, false);
      const winner = isLater(x, y) ? x : y;
      byId.set(x.id, relationsKey(relations) === relationsKey(winner.relations) ? winner : withRelations(winner, relations));
    }
  }
  return sortAnnotations([...byId.values()]);
}

/** True when `x` should replace `y`, two versions of one annotation: the later `modified`, then (equal times) the
 *  larger of the stored fields, so every merge of versions picks the same one whichever side it sees first. */
export function isLater(x: Annotation, y: Annotation): boolean {
  const tx = Date.parse(x.provenance.modified);
  const ty = Date.parse(y.provenance.modified);
  if (tx !== ty && !Number.isNaN(tx) && !Number.isNaN(ty)) return tx > ty;
  if (x.provenance.modified !== y.provenance.modified) return x.provenance.modified > y.provenance.modified;
  return stableKey(x) > stableKey(y);
}

function stableKey(a: Annotation): string {
  const attrs = Object.keys(a.attributes)
    .sort()
    .map((k) => [k, a.attributes[k]]);
  return JSON.stringify([
    a.kind,
    a.target,
    a.note,
    attrs,
    a.provenance,
    a.anchor.status,
    a.anchor.method ?? '',
    a.anchor.detail ?? '',
    relationsKey(a.relations),
  ]);
}

const encoder = new TextEncoder();
/** Read-merge rounds before an update writes anyway (each round lost to a writer outside the lock). */
const MAX_MERGE_ATTEMPTS = 5;
/** How long loading sidecars runs before it gives the event loop a turn. */
const YIELD_EVERY_MS = 10;
// Snapshots keep a BOM and never fail on bad bytes: their hash, not their decoding, says whether they are intact.
const lenientDecoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** .marginalia/.gitignore: what a save in progress (or one killed half-way) leaves beside a sidecar. */
export const STORE_IGNORE_PATH = `${STORE_DIR}/.gitignore`;
export const STORE_IGNORE =
  '# Written by Marginalia: temporary and lock files of saves in progress (one killed half-way can leave them; they are\n' +
  '# safe to delete when no Marginalia is running). The annotations themselves are meant to be committed.\n' +
  '.*.tmp\n.*.lock\n.*.lock.break\n';

export class AnnotationStore {
  readonly clock: Clock;
  private readonly concurrency: number;
  /** Per-document queue, so two writes from this process never interleave their read-merge-write. */
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Whether .marginalia/.gitignore was looked for (once per store). */
  private ignoreFileChecked = false;
  private readonly warn: ((message: string) => void) | undefined;
  /** Snapshots already reported unreadable through `warn`. */
  private readonly unreadableSnapshots = new Set<string>();
  readonly layer: LayerName;
  /** The folder of this layer's sidecars. */
  readonly dir: string;

  constructor(
    readonly fs: WorkspaceFs,
    options: StoreOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.concurrency = Math.max(1, options.concurrency ?? 64);
    this.warn = options.warn;
    this.layer = options.layer ?? 'coders';
    this.dir = layerDir(this.layer);
  }

  /** '.marginalia/annotations/<doc>.yaml' (the reviewed layer: '.marginalia/reviewed/<doc>.yaml'); throws PathError
   *  for paths outside the workspace or inside the store. */
  sidecarPath(doc: string): string {
    return sidecarPathIn(this.dir, doc);
  }

  /** Every sidecar of the layer (under .marginalia/annotations for the coders'). Broken ones are reported in
   *  `errors`; the rest still load. */
  async loadAll(): Promise<LoadAllResult> {
    const listed = await this.sidecarFiles();
    return this.loadSidecars(listed.files, listed.errors);
  }

  /** Every sidecar file of this layer (sorted), and the problems met listing them. */
  async sidecarFiles(): Promise<{ files: string[]; errors: SidecarError[] }> {
    const errors: SidecarError[] = [];
    return { files: (await this.listSidecars(this.dir, errors)).sort(), errors };
  }

  /** The document a sidecar file of this layer belongs to. */
  docOf(file: string): string | undefined {
    return docForPathIn(this.dir, file);
  }

  /** Loads these sidecar files (as sidecarFiles lists them); `errors` collects the broken ones with those given. */
  async loadSidecars(files: readonly string[], errors: SidecarError[] = []): Promise<LoadAllResult> {
    const loaded = new Array<Annotation[] | undefined>(files.length);
    const docOf = new Array<string | undefined>(files.length);
    let next = 0;
    // Reads overlap while parses run one at a time between them: the files are small and parsing is the main cost.
    // Reads may complete at once (a synchronous fast path, a warm cache) and parses are synchronous: the workers give
    // the event loop a turn every few milliseconds, so a host stays responsive while thousands load.
    const pacer = new Pacer(YIELD_EVERY_MS);
    const worker = async (): Promise<void> => {
      for (;;) {
        for (let turn = pacer.next(); turn; turn = pacer.next()) await turn;
        if (next >= files.length) return;
        const i = next++;
        const file = files[i];
        try {
          loaded[i] = await this.readSidecar(file);
          docOf[i] = docForPathIn(this.dir, file);
        } catch (e) {
          errors.push(asSidecarError(e, file));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, files.length) }, worker));
    const docs = new Map<string, Annotation[]>();
    for (let i = 0; i < files.length; i++) {
      const annotations = loaded[i];
      const doc = docOf[i];
      if (annotations && doc !== undefined) docs.set(doc, annotations);
    }
    errors.sort((x, y) => (x.file < y.file ? -1 : x.file > y.file ? 1 : 0));
    return { docs, errors };
  }

  /** Every sidecar of the layer handed to `visit` as it is read, and not kept: for work over a workspace too large
   *  to hold at once (an import of a million annotations). Returns the broken ones, as loadAll's `errors`. */
  async loadEach(visit: (doc: string, annotations: Annotation[]) => void): Promise<SidecarError[]> {
    const errors: SidecarError[] = [];
    const files = (await this.listSidecars(this.dir, errors)).sort();
    let next = 0;
    const pacer = new Pacer(YIELD_EVERY_MS);
    const worker = async (): Promise<void> => {
      for (;;) {
        for (let turn = pacer.next(); turn; turn = pacer.next()) await turn;
        if (next >= files.length) return;
        const file = files[next++];
        try {
          const annotations = await this.readSidecar(file);
          const doc = docForPathIn(this.dir, file);
          if (annotations && doc !== undefined) visit(doc, annotations);
        } catch (e) {
          errors.push(asSidecarError(e, file));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, files.length) }, worker));
    errors.sort((x, y) => (x.file < y.file ? -1 : x.file > y.file ? 1 : 0));
    return errors;
  }

  /** The document's annotations, sorted; [] when it has no sidecar. Throws SidecarError if the sidecar is broken.
   *  Waits for this store's writes of that document in progress, so a read started during a write (a watcher reacting
   *  to an earlier save) never hands back a version older than a write that finished before it. */
  async loadDoc(doc: string): Promise<Annotation[]> {
    const file = this.sidecarPath(doc);
    return this.queued(doc, async () => (await this.readSidecar(file)) ?? []);
  }

  /**
   * Re-reads the sidecar, applies the change by id (an upsert replaces the stored annotation; annotations another
   * writer added meanwhile survive), and writes it atomically; deletes the sidecar when nothing is left. Throws
   * SidecarError, writing nothing, when the sidecar on disk is broken. Returns the annotations now stored.
   */
  async update(doc: string, change: AnnotationChange): Promise<Annotation[]> {
    const file = this.sidecarPath(doc);
    return this.queued(doc, () =>
      this.locked(file, async () => {
        for (let attempt = 1; ; attempt++) {
          const { bytes, annotations } = await this.readForWrite(file, false);
          const byId = new Map((annotations ?? []).map((a) => [a.id, a]));
          for (const [id, patch] of change.patch ?? []) {
            const current = byId.get(id);
            if (current !== undefined) byId.set(id, { ...patch(current), id, doc });
          }
          for (const a of change.upsert ?? []) {
            if (a.doc !== doc) throw new Error(`annotation ${a.id} belongs to ${a.doc}; it cannot be saved in ${file}`);
            byId.set(a.id, a);
          }
          for (const [id, apply] of change.edit ?? []) {
            const current = byId.get(id);
            if (current === undefined) throw new AnnotationInputError(`annotation ${id} is not in ${file} (removed meanwhile?); nothing was changed`);
            byId.set(id, apply(current));
          }
          for (const id of change.remove ?? []) byId.delete(id);
          const next = sortAnnotations([...byId.values()]);
          // A writer that takes no lock (another host) may have saved since the read: merge again with its version.
          if (attempt < MAX_MERGE_ATTEMPTS && !sameContent(bytes, await this.readBytes(file))) continue;
          await this.writeSidecar(file, doc, next, bytes);
          return next;
        }
      }),
    );
  }

  /** Replaces the document's annotations (no merge); deletes the sidecar when the list is empty. Refuses, with the
   *  SidecarError, to replace a sidecar that is broken unless `overwriteBroken` is set. */
  async saveDoc(doc: string, annotations: readonly Annotation[], options: SaveOptions = {}): Promise<void> {
    const file = this.sidecarPath(doc);
    await this.queued(doc, () =>
      this.locked(file, async () => {
        const { bytes } = await this.readForWrite(file, options.overwriteBroken === true);
        await this.writeSidecar(file, doc, sortAnnotations(annotations), bytes);
      }),
    );
  }

  /** Workspace-relative path of a snapshot; throws for anything but "sha256:<64 lowercase hex>". */
  snapshotPath(hash: string): string {
    const m = HASH.exec(hash);
    if (!m) throw new Error(`not a snapshot hash: ${JSON.stringify(hash)} (expected "sha256:" and 64 lowercase hex digits)`);
    return `${SNAPSHOTS_DIR}/${m[1].slice(0, 2)}/${m[1]}.txt`;
  }

  /** Stores a document version under its content hash and returns the hash. Writes nothing when an intact copy is
   *  already there (snapshots are immutable; a damaged copy is replaced). */
  async putSnapshot(text: string): Promise<string> {
    const hash = contentHash(text);
    const file = this.snapshotPath(hash);
    if ((await this.getSnapshot(hash)) !== undefined) return hash;
    await this.fs.writeAtomic(file, encoder.encode(text));
    return hash;
  }

  /** The document version with this hash, or undefined when it is missing or does not match its hash. A copy whose
   *  line endings git converted to CRLF (core.autocrlf) is recognised and returned with LF restored. */
  async getSnapshot(hash: string): Promise<string | undefined> {
    const file = this.snapshotPath(hash);
    let bytes: Uint8Array | undefined;
    try {
      bytes = await this.fs.read(file);
    } catch (e) {
      if (this.warn === undefined) throw e;
      if (!this.unreadableSnapshots.has(file)) {
        this.unreadableSnapshots.add(file);
        const message = e instanceof Error ? e.message : String(e);
        this.warn(`${message.startsWith(file) ? message : `${file} cannot be read (${message})`}; this snapshot is passed over as a missing one`);
      }
      return undefined;
    }
    if (bytes === undefined) return undefined;
    const text = lenientDecoder.decode(bytes);
    if (contentHash(text) === hash) return text;
    const lf = text.replace(/\r\n/g, '\n');
    return lf !== text && contentHash(lf) === hash ? lf : undefined;
  }

  /** The workspace codebook, or the built-in one when there is no codebook file. Throws CodebookError if it is broken. */
  async loadCodebook(): Promise<Codebook> {
    let bytes: Uint8Array | undefined;
    try {
      bytes = await this.fs.read(CODEBOOK_PATH);
    } catch (e) {
      throw new CodebookError(CODEBOOK_PATH, 'io', `could not read the codebook: ${(e as Error).message}`);
    }
    return bytes === undefined ? defaultCodebook() : parseCodebookBytes(bytes, CODEBOOK_PATH);
  }

  async saveCodebook(codebook: Codebook): Promise<void> {
    await this.fs.writeAtomic(CODEBOOK_PATH, encoder.encode(serializeCodebook(codebook)));
  }

  // -------------------------------------------------------------------------------------------------------------

  private async readSidecar(file: string): Promise<Annotation[] | undefined> {
    const bytes = await this.readBytes(file);
    return bytes === undefined ? undefined : parseSidecarBytes(bytes, file);
  }

  private async readBytes(file: string): Promise<Uint8Array | undefined> {
    try {
      return await this.fs.read(file);
    } catch (e) {
      throw new SidecarError(file, 'io', `could not read the sidecar: ${(e as Error).message}`);
    }
  }

  /** The current bytes and annotations; throws the SidecarError of a broken sidecar unless told to overwrite it. */
  private async readForWrite(file: string, overwriteBroken: boolean): Promise<{ bytes?: Uint8Array; annotations?: Annotation[] }> {
    const bytes = await this.readBytes(file);
    if (bytes === undefined) return {};
    try {
      return { bytes, annotations: parseSidecarBytes(bytes, file) };
    } catch (e) {
      if (overwriteBroken && e instanceof SidecarError) return { bytes };
      throw e;
    }
  }

  private async writeSidecar(file: string, doc: string, annotations: readonly Annotation[], current: Uint8Array | undefined): Promise<void> {
    if (annotations.length === 0) {
      if (current !== undefined) await this.fs.delete(file);
      return;
    }
    const data = encoder.encode(serializeSidecar(doc, annotations));
    // Unchanged content is not rewritten: no mtime churn for watchers, no needless write on a synced folder.
    if (current !== undefined && sameBytes(current, data)) return;
    assertSidecarFits(file, data.length);
    await this.ensureIgnoreFile();
    await this.fs.writeAtomic(file, data);
  }

  /** Puts .marginalia/.gitignore in place once (never overwriting one), so the temporary and lock files an interrupted
   *  save can leave behind never show up in `git status` or get committed. */
  private async ensureIgnoreFile(): Promise<void> {
    if (this.ignoreFileChecked) return;
    this.ignoreFileChecked = true;
    if ((await this.fs.stat(STORE_IGNORE_PATH)) === undefined) await this.fs.writeAtomic(STORE_IGNORE_PATH, encoder.encode(STORE_IGNORE));
  }

  /** Holds the file's cross-process lock when the file system has one, so another process's read-merge-write of the
   *  same sidecar cannot interleave with ours (each would otherwise drop what the other added). */
  private locked<T>(file: string, fn: () => Promise<T>): Promise<T> {
    return this.fs.withLock ? this.fs.withLock(file, fn) : fn();
  }

  private queued<T>(doc: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(doc) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.queues.set(doc, tail);
    void tail.then(() => {
      if (this.queues.get(doc) === tail) this.queues.delete(doc);
    });
    return run;
  }

  /** Sidecar files under `dir`, recursively; folders that cannot be listed are reported, not fatal. */
  private async listSidecars(dir: string, errors: SidecarError[]): Promise<string[]> {
    let entries;
    try {
      entries = await this.fs.list(dir);
    } catch (e) {
      errors.push(new SidecarError(dir, 'io', `could not list the folder: ${(e as Error).message}`));
      return [];
    }
    const files: string[] = [];
    const subdirs: Promise<string[]>[] = [];
    for (const e of entries) {
      const path = `${dir}/${e.name}`;
      if (e.type === 'dir') subdirs.push(this.listSidecars(path, errors));
      // Only *.yaml: temporary files of an interrupted atomic write (*.tmp) and stray files are not sidecars.
      else if (e.name.endsWith(SIDECAR_EXTENSION)) {
        if (docForPathIn(this.dir, path) === undefined) {
          errors.push(new SidecarError(path, 'invalid', `this file name does not belong to any document; move or delete it`));
        } else files.push(path);
      }
    }
    for (const sub of await Promise.all(subdirs)) files.push(...sub);
    return files;
  }
}

function asSidecarError(e: unknown, file: string): SidecarError {
  if (e instanceof SidecarError) return e;
  return new SidecarError(file, 'io', `could not load the sidecar: ${e instanceof Error ? e.message : String(e)}`);
}

function sameContent(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  return a === undefined || b === undefined ? a === b : sameBytes(a, b);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
