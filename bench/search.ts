// The search over all annotations, as Marginalia: Search Annotations makes it above 20,000 annotations
// (src/host/searchCommands.ts): when the quick pick opens, one entry per annotation with its document is collected,
// and every word typed runs the core's searchAnnotations over them for the first SHOWN + 1 that match (the quick pick
// then gets items for at most SHOWN of them; making those 200 items and drawing them is not counted). The naive
// alternative lower-cases every field of every annotation and tests each word with includes(), with no limit. Used by
// the corpus and ten-times-the-corpus workloads (bench/corpus.ts, measureCorpus), whose runs time it.
import type { Annotation } from '../src/core/model';
import { searchAnnotations, type Searchable } from '../src/core/store';

/** How many results the host asks searchAnnotations for: its SHOWN (200) and one more, to know there are more. */
export const SEARCH_LIMIT = 201;

/**
 * What the searches type, the first untimed: a word of many quotes, a speaker (an attribute and a word of the
 * texts), two words of which few annotations hold both, a note's words with a coder, a rare word of the quotes, and a
 * name misspelt (no hit: every annotation walked). The runs after the first take them in turn.
 */
export const SEARCH_QUERIES = ['economy', 'Peskov', 'German Gref trillion', 'ministry figures chen', 'sanctions', 'Peskvo'];

/** The entries the host collects when the quick pick opens: every annotation with its document, documents in order. */
export function searchEntries(documents: readonly string[], annotationsOf: (doc: string) => readonly Annotation[]): Searchable[] {
  const entries: Searchable[] = [];
  for (const doc of documents) for (const annotation of annotationsOf(doc)) entries.push({ doc, annotation });
  return entries;
}

/** One search as the host makes it on a keystroke: the core's search for the first SEARCH_LIMIT. */
export function searchOurs(entries: readonly Searchable[], query: string): Searchable[] {
  return searchAnnotations(entries, query, SEARCH_LIMIT);
}

/** The naive search: every field of every annotation lower-cased and each word of the query looked for in them. */
export function searchNaive(entries: readonly Searchable[], query: string): Searchable[] {
  const words = query
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w.length > 0);
  return entries.filter(({ doc, annotation: a }) => {
    const fields = [
      a.target.quote.exact,
      a.note,
      a.kind,
      a.provenance.author,
      doc,
      ...Object.values(a.attributes)
        .filter((v) => v !== undefined && v !== null)
        .map(String),
    ].map((f) => f.toLowerCase());
    return words.every((w) => fields.some((f) => f.includes(w)));
  });
}
