// Per-document interval indexes of the annotations, rebuilt lazily when a document's annotations change.
import type { Annotation } from '../core/model';
import { IntervalIndex } from '../core/anchoring';
import type { FolderModel } from './folderModel';
import type { CoderLayers } from './coderLayers';

export interface IndexedAnnotation {
  start: number;
  end: number;
  id: string;
  annotation: Annotation;
}

export class DocumentIndexes {
  private readonly cache = new WeakMap<FolderModel, Map<string, { key: unknown; version: number; layers: number; index: IntervalIndex<IndexedAnnotation> }>>();

  /** With `layers`, only the annotations this person sees are indexed (blind coding, comparing). */
  constructor(private readonly layers?: CoderLayers) {}

  /** Drops the cached index of a document (or of a whole folder). */
  invalidate(folder: FolderModel | undefined, doc?: string): void {
    if (!folder) return;
    if (doc === undefined) this.cache.delete(folder);
    else this.cache.get(folder)?.delete(doc);
  }

  /** Anchored annotations of the document that this person sees, indexed by span (orphans have no place in the text). */
  get(folder: FolderModel, doc: string): IntervalIndex<IndexedAnnotation> {
    let byDoc = this.cache.get(folder);
    if (!byDoc) this.cache.set(folder, (byDoc = new Map()));
    const live = folder.liveDocument(doc);
    // A live document changes in place (its version counts the changes); a stored list is replaced on change.
    const key: unknown = live ?? folder.annotations(doc);
    const version = live?.version ?? 0;
    const layers = this.layers?.version ?? 0;
    const hit = byDoc.get(doc);
    if (hit && hit.key === key && hit.version === version && hit.layers === layers) return hit.index;
    const all = folder.annotations(doc);
    const spans = (this.layers ? this.layers.visible(folder, all) : all)
      .filter((a) => a.anchor.status !== 'orphaned' && a.target.end > a.target.start)
      .map((a) => ({ start: a.target.start, end: a.target.end, id: a.id, annotation: a }));
    const index = new IntervalIndex(spans);
    byDoc.set(doc, { key, version, layers, index });
    return index;
  }
}
