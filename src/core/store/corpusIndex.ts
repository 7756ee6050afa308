// The corpus as a tree of folders and documents with annotation counts: what the Corpus view shows, computed once
// per change in one pass over the documents (so the first level of 10,000 documents stays cheap).
import type { Annotation } from '../model';

export interface DocSummary {
  doc: string;
  name: string;
  total: number;
  orphaned: number;
  /** Counts of anchored (non-orphaned) annotations by kind, in first-seen order. */
  byKind: Map<string, number>;
  /** The file is gone but its annotations are kept. */
  missing: boolean;
}

export interface DirSummary {
  /** Workspace-relative path; '' for the folder itself. */
  path: string;
  name: string;
  dirs: DirSummary[];
  docs: DocSummary[];
  /** Documents and annotations anywhere below. */
  documents: number;
  annotations: number;
  orphaned: number;
}

export function summariseDocument(doc: string, annotations: readonly Annotation[], missing = false): DocSummary {
  const byKind = new Map<string, number>();
  let orphaned = 0;
  for (const a of annotations) {
    if (a.anchor.status === 'orphaned') orphaned++;
    else byKind.set(a.kind, (byKind.get(a.kind) ?? 0) + 1);
  }
  return { doc, name: doc.slice(doc.lastIndexOf('/') + 1), total: annotations.length, orphaned, byKind, missing };
}

/** "doc2" before "doc10", case and accents aside. One collator for every comparison: localeCompare with options
 *  builds a new one per call, which made sorting the first level of 10,000 documents take a few hundred ms. Made at
 *  the first tree rather than when the module loads: building an ICU collator takes milliseconds of activation. */
let nameOrder: Intl.Collator | undefined;

/** Folders → documents, sorted by name (folders first), with counts summed upwards. */
export function buildCorpusTree(docs: readonly DocSummary[]): DirSummary {
  const root: DirSummary = { path: '', name: '', dirs: [], docs: [], documents: 0, annotations: 0, orphaned: 0 };
  const dirs = new Map<string, DirSummary>([['', root]]);
  const parents = new Map<DirSummary, DirSummary>();
  const dirOf = (path: string): DirSummary => {
    let d = dirs.get(path);
    if (d) return d;
    const cut = path.lastIndexOf('/');
    const parent = dirOf(cut === -1 ? '' : path.slice(0, cut));
    d = { path, name: path.slice(cut + 1), dirs: [], docs: [], documents: 0, annotations: 0, orphaned: 0 };
    parent.dirs.push(d);
    parents.set(d, parent);
    dirs.set(path, d);
    return d;
  };
  // Documents come mostly folder by folder: the last folder is reused while the next document is in it too.
  let last = root;
  for (const s of docs) {
    const cut = s.doc.lastIndexOf('/');
    const inLast = cut !== -1 && cut === last.path.length && s.doc.startsWith(last.path);
    const dir = inLast ? last : dirOf(cut === -1 ? '' : s.doc.slice(0, cut));
    last = dir;
    dir.docs.push(s);
    // Count upwards to the root.
    for (let d: DirSummary | undefined = dir; d; d = parents.get(d)) {
      d.documents++;
      d.annotations += s.total;
      d.orphaned += s.orphaned;
    }
  }
  const order = (nameOrder ??= new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' }));
  const byName = (a: { name: string }, b: { name: string }): number => order.compare(a.name, b.name);
  for (const d of dirs.values()) {
    d.dirs.sort(byName);
    d.docs.sort(byName);
  }
  return root;
}
