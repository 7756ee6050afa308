// The counts the Corpus view's first level needs, per sidecar, kept between sessions so that a large workspace shows
// its tree before every sidecar is read and parsed. The cache lives outside the workspace (the host's storage for
// it), never in git, and is only a head start: an entry is used only while its sidecar has the size and modification
// time it had when counted, entries for files changed just before they were counted are never written (a change in
// the same clock tick would not show in the time), and the full load that follows replaces every cached count with
// one counted from the annotations themselves.
import type { Annotation } from '../model';
import type { DocSummary } from './corpusIndex';
import type { Pacer } from './pacer';

/** Annotations of one coder and one kind in a document: anchored, and orphaned. */
export interface KindCount {
  author: string;
  kind: string;
  anchored: number;
  orphaned: number;
}

/** What the host keeps the cache in (VS Code: the extension's workspace storage). */
export interface SummaryCachePort {
  read(): Promise<string | undefined>;
  write(text: string): Promise<void>;
}

/** One sidecar's counts, with the file's size and modification time when they were counted. */
export interface CachedSidecar {
  size: number;
  mtime: number;
  counts: KindCount[];
}

const VERSION = 1;

/** A file modified less than this before it was looked at is not cached: a later change within the same tick of
 *  the file system's clock, keeping the size, would leave the cache looking fresh. */
export const RACY_WINDOW_MS = 2_000;

/** Counts a document's annotations by coder and kind. */
export function countAnnotations(annotations: readonly Annotation[]): KindCount[] {
  const cells = new Map<string, KindCount>();
  for (const a of annotations) {
    const author = a.provenance.author;
    const key = `${author}\u0000${a.kind}`;
    let c = cells.get(key);
    if (!c) cells.set(key, (c = { author, kind: a.kind, anchored: 0, orphaned: 0 }));
    if (a.anchor.status === 'orphaned') c.orphaned++;
    else c.anchored++;
  }
  return [...cells.values()];
}

/** The Corpus view's summary of a document from its counts, keeping only the coders and kinds `keep` accepts. */
export function summariseCounts(doc: string, counts: readonly KindCount[], keep: (author: string, kind: string) => boolean, missing = false): DocSummary {
  const byKind = new Map<string, number>();
  let total = 0;
  let orphaned = 0;
  for (const c of counts) {
    if (!keep(c.author, c.kind)) continue;
    total += c.anchored + c.orphaned;
    orphaned += c.orphaned;
    if (c.anchored > 0) byKind.set(c.kind, (byKind.get(c.kind) ?? 0) + c.anchored);
  }
  return { doc, name: doc.slice(doc.lastIndexOf('/') + 1), total, orphaned, byKind, missing };
}

/**
 * Reads the cache's text; anything unexpected (another version, a torn write, hand edits) gives an empty cache.
 * The format: `{ version, layer, authors: [...], kinds: [...], sidecars: { file: [size, mtime, a, k, anchored,
 * orphaned, a, k, ...] } }`, coders and kinds by their place in the two lists: compact, and quick to read back.
 */
export function parseSummaryCache(text: string | undefined, layer: string): Map<string, CachedSidecar> {
  const out = new Map<string, CachedSidecar>();
  if (!text) return out;
  try {
    const data = JSON.parse(text) as { version?: unknown; layer?: unknown; authors?: unknown; kinds?: unknown; sidecars?: unknown };
    const { authors, kinds, sidecars } = data;
    if (data.version !== VERSION || data.layer !== layer || !isStrings(authors) || !isStrings(kinds) || typeof sidecars !== 'object' || sidecars === null)
      return out;
    const table = sidecars as Record<string, unknown>;
    // for…in, not Object.entries: no [key, value] array per sidecar (JSON.parse makes plain objects, no inherited keys).
    for (const file in table) {
      const entry = table[file];
      if (!Array.isArray(entry) || entry.length < 2 || (entry.length - 2) % 4 !== 0) return new Map();
      const [size, mtime] = entry as unknown[];
      if (typeof size !== 'number' || typeof mtime !== 'number') return new Map();
      const counts: KindCount[] = [];
      for (let i = 2; i < entry.length; i += 4) {
        const author = authors[entry[i] as number];
        const kind = kinds[entry[i + 1] as number];
        const anchored = entry[i + 2] as unknown;
        const orphaned = entry[i + 3] as unknown;
        if (author === undefined || kind === undefined || !isCount(anchored) || !isCount(orphaned)) return new Map();
        counts.push({ author, kind, anchored, orphaned });
      }
      out.set(file, { size, mtime, counts });
    }
  } catch {
    return new Map();
  }
  return out;
}

/** The cache's text (see parseSummaryCache), sidecars in file order; JSON.stringify's text of that object, built a
 *  row at a time so that, given a `pacer`, a workspace of many thousand sidecars leaves the event loop its turns. */
export async function renderSummaryCache(entries: ReadonlyMap<string, CachedSidecar>, layer: string, pacer?: Pacer): Promise<string> {
  const authors = new Map<string, number>();
  const kinds = new Map<string, number>();
  const place = (m: Map<string, number>, k: string): number => m.get(k) ?? (m.set(k, m.size), m.size - 1);
  const rows: string[] = [];
  for (const file of [...entries.keys()].sort()) {
    for (let turn = pacer?.next(); turn; turn = pacer?.next()) await turn;
    const e = entries.get(file) as CachedSidecar;
    const row = [e.size, e.mtime];
    for (const c of e.counts) row.push(place(authors, c.author), place(kinds, c.kind), c.anchored, c.orphaned);
    rows.push(`${JSON.stringify(file)}:${JSON.stringify(row)}`);
  }
  const head = JSON.stringify({ version: VERSION, layer, authors: [...authors.keys()], kinds: [...kinds.keys()] });
  return `${head.slice(0, -1)},"sidecars":{${rows.join(',')}}}`;
}

function isStrings(x: unknown): x is string[] {
  return Array.isArray(x) && x.every((s) => typeof s === 'string');
}

function isCount(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0;
}
