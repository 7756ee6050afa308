// Per-document lookups of the annotations by offset. A closed document's annotations change only when they are
// stored, so they get an IntervalIndex built once per change. An open document's change with every keystroke, so
// positions are asked of its LiveDocument, whose edit tracker answers them directly; the full list (for drawing
// every highlight) is built only when asked for, once per version.
import type { Annotation } from '../core/model';
import { IntervalIndex, type LiveDocument } from '../core/anchoring';
import type { FolderModel } from './folderModel';
import type { CoderLayers } from './coderLayers';

export interface IndexedAnnotation {
  start: number;
  end: number;
  id: string;
  annotation: Annotation;
}

/** What the host asks of a document's annotations: every one in document order, and the ones at a position. */
export interface AnnotationSpans extends Iterable<IndexedAnnotation> {
  readonly size: number;
  /** Containing or bordering the caret position `offset` (what a hover asks). */
  touching(offset: number): IndexedAnnotation[];
  /** Sharing at least one character with [start, end). */
  overlapping(start: number, end: number): IndexedAnnotation[];
}

/** An open document's annotations as this person sees them, read from its live document at each question. */
class LiveSpans implements AnnotationSpans {
  private all: { version: number; layers: number; index: IntervalIndex<IndexedAnnotation> } | undefined;

  constructor(
    private readonly folder: FolderModel,
    private readonly live: LiveDocument,
    private readonly layers: CoderLayers | undefined,
  ) {}

  get size(): number {
    return this.index().size;
  }

  [Symbol.iterator](): Iterator<IndexedAnnotation> {
    return this.index()[Symbol.iterator]();
  }

  touching(offset: number): IndexedAnnotation[] {
    return this.spans(this.live.touching(offset));
  }

  /** With the annotation as last stored (see LiveDocument.overlapping): draw at `start` and `end`. */
  overlapping(start: number, end: number): IndexedAnnotation[] {
    const found = this.live.overlapping(start, end);
    if (!this.layers) return found;
    const seen = new Set(
      this.layers.visible(
        this.folder,
        found.map((s) => s.annotation),
      ),
    );
    return found.filter((s) => seen.has(s.annotation));
  }

  private spans(found: Annotation[]): IndexedAnnotation[] {
    return (this.layers ? this.layers.visible(this.folder, found) : found).map(indexed);
  }

  private index(): IntervalIndex<IndexedAnnotation> {
    const layers = this.layers?.version ?? 0;
    if (this.all?.version !== this.live.version || this.all.layers !== layers) {
      this.all = { version: this.live.version, layers, index: buildIndex(this.folder, this.live.annotations(), this.layers) };
    }
    return this.all.index;
  }
}

export class DocumentIndexes {
  private readonly cache = new WeakMap<FolderModel, Map<string, { key: unknown; layers: number; index: AnnotationSpans }>>();

  /** With `layers`, only the annotations this person sees are indexed (blind coding, comparing). */
  constructor(private readonly layers?: CoderLayers) {}

  /** Drops the cached index of a document (or of a whole folder). */
  invalidate(folder: FolderModel | undefined, doc?: string): void {
    if (!folder) return;
    if (doc === undefined) this.cache.delete(folder);
    else this.cache.get(folder)?.delete(doc);
  }

  /** Anchored annotations of the document that this person sees, by span (orphans have no place in the text). */
  get(folder: FolderModel, doc: string): AnnotationSpans {
    let byDoc = this.cache.get(folder);
    if (!byDoc) this.cache.set(folder, (byDoc = new Map()));
    const live = folder.liveDocument(doc);
    // A live document changes in place and is asked afresh each time; a stored list is replaced on change.
    const key: unknown = live ?? folder.annotations(doc);
    const layers = this.layers?.version ?? 0;
    const hit = byDoc.get(doc);
    if (hit && hit.key === key && hit.layers === layers) return hit.index;
    const index = live ? new LiveSpans(folder, live, this.layers) : buildIndex(folder, folder.annotations(doc), this.layers);
    byDoc.set(doc, { key, layers, index });
    return index;
  }
}

function buildIndex(folder: FolderModel, all: Annotation[], layers: CoderLayers | undefined): IntervalIndex<IndexedAnnotation> {
  return new IntervalIndex(
    (layers ? layers.visible(folder, all) : all).filter((a) => a.anchor.status !== 'orphaned' && a.target.end > a.target.start).map(indexed),
  );
}

function indexed(a: Annotation): IndexedAnnotation {
  return { start: a.target.start, end: a.target.end, id: a.id, annotation: a };
}
