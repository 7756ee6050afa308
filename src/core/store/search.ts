// Searching every annotation of a workspace by what a person remembers of it: words of its quote, note, kind, coder,
// document or attribute values, in any order and case. Made for corpora too large to hand every annotation to a
// pick list (a million of them): each search walks the annotations once without copying them, testing each word as
// a case-insensitive pattern against each field, and stops at the number of results asked for.
import type { Annotation } from '../model';

export interface Searchable {
  doc: string;
  annotation: Annotation;
}

/** The annotations whose fields hold every word of `query` (case aside), in the order given, at most `limit`. An
 *  empty query matches the first `limit`. */
export function searchAnnotations<T extends Searchable>(entries: readonly T[], query: string, limit: number): T[] {
  const words = query
    .trim()
    .split(/\s+/)
    .filter((w) => w.length > 0);
  const patterns = words.map((w) => new RegExp(w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i'));
  const out: T[] = [];
  for (const e of entries) {
    if (out.length >= limit) break;
    if (patterns.every((p) => holds(p, e))) out.push(e);
  }
  return out;
}

function holds(p: RegExp, { doc, annotation: a }: Searchable): boolean {
  if (p.test(a.target.quote.exact) || p.test(a.note) || p.test(a.kind) || p.test(a.provenance.author) || p.test(doc)) return true;
  const attributes = a.attributes;
  for (const k in attributes) {
    const v = attributes[k];
    if (v !== undefined && v !== null && p.test(typeof v === 'string' ? v : String(v))) return true;
  }
  return false;
}
