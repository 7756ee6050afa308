// The search over all annotations as the host makes it (src/host/searchCommands.ts, Marginalia: Search
// Annotations): one quick-pick item per annotation, built afresh on every search (label: the quote on one line, at
// most 120 characters; description: kind, coder and document; detail: note and attributes), a separator per
// document, and then the typed text matched against label, description and detail. VS Code's quick pick does that
// matching in the workbench; here a case-insensitive substring test over the three stands for it (its fuzzy
// matching does at least as much work per item, and drawing the list is not counted).
import type { Annotation } from '../src/core/model';
import { coderLabel } from '../src/core/store';

export interface SearchItem {
  label: string;
  description?: string;
  detail?: string;
  separator?: boolean;
  args?: [string, string, string];
}

/** The items of SearchCommands.search for one workspace folder. */
export function searchItems(folderUri: string, documents: readonly string[], annotationsOf: (doc: string) => readonly Annotation[]): SearchItem[] {
  const items: SearchItem[] = [];
  for (const doc of documents) {
    const list = annotationsOf(doc);
    if (list.length === 0) continue;
    items.push({ label: doc, separator: true });
    for (const a of list) {
      const attrs = Object.entries(a.attributes).map(([k, v]) => `${k}: ${v}`);
      items.push({
        label: a.target.quote.exact.replace(/\s+/g, ' ').slice(0, 120),
        description: `${a.kind}${a.anchor.status === 'orphaned' ? ' (orphaned)' : ''} · ${coderLabel(a.provenance.author)} · ${doc}`,
        detail: [a.note, ...attrs].filter((s) => s).join(' · ') || undefined,
        args: [folderUri, doc, a.id],
      });
    }
  }
  return items;
}

/** The items whose label, description or detail holds `query` (any case). */
export function matchItems(items: readonly SearchItem[], query: string): SearchItem[] {
  const q = query.toLowerCase();
  return items.filter(
    (i) => !i.separator && (i.label.toLowerCase().includes(q) || (i.description ?? '').toLowerCase().includes(q) || (i.detail ?? '').toLowerCase().includes(q)),
  );
}

/** What the searches type: a speaker, a unit, a word of the quotes, a note, a kind. The first is the untimed warm-up. */
export const SEARCH_QUERIES = ['Peskov', 'German Gref', 'trillion', 'ministry figures', 'economy', 'entity · bob'];

/** One search as the host does it: the items built, then matched. Returns how many matched. */
export function searchOnce(folderUri: string, documents: readonly string[], annotationsOf: (doc: string) => readonly Annotation[], query: string): number {
  return matchItems(searchItems(folderUri, documents, annotationsOf), query).length;
}
