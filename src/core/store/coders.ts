// Coders and what each of them sees. A coder is the author recorded on an annotation (provenance.author). Under blind
// coding (the codebook's `blind: true`, shared through git) a coder sees only their own annotations, so nobody is
// steered by what the others tagged; a coder may switch that off for themselves, or compare their layer with one other
// coder's. This file decides, for one annotation, in which layer a person sees it, if at all; the host draws it.
import { compareCodeUnits, type Annotation } from '../model';
import type { Codebook } from './codebook';
import type { AnnotationStore } from './store';

/** How one person looks at a folder's annotations. */
export interface CoderView {
  /** The person looking: the author they tag as. */
  me: string;
  /** Blind coding is in force for them (the codebook asks for it and they have not switched it off). */
  blind: boolean;
  /** One other coder whose layer is shown beside their own (drawn apart); undefined when not comparing. */
  compare?: string;
}

/** 'own': the person's own annotation; 'compared': the compared coder's; 'other': anyone else's, seen when not blind. */
export type CoderLayer = 'own' | 'compared' | 'other';

/**
 * The layer in which `view.me` sees an annotation by `author`, or undefined when it is hidden from them. Comparing shows
 * exactly two layers (theirs and the compared coder's), blind or not; blind without comparing shows their own only.
 */
export function coderLayer(view: CoderView, author: string): CoderLayer | undefined {
  if (author === view.me) return 'own';
  if (view.compare !== undefined) return author === view.compare ? 'compared' : undefined;
  return view.blind ? undefined : 'other';
}

/** The distinct coders of some annotations (a list, or lists by document), sorted. */
export function codersOf(source: Iterable<Annotation> | ReadonlyMap<string, readonly Annotation[]>): string[] {
  const seen = new Set<string>();
  const lists: Iterable<Iterable<Annotation>> = source instanceof Map ? source.values() : [source as Iterable<Annotation>];
  for (const list of lists) for (const a of list) seen.add(a.provenance.author);
  return [...seen].sort(compareCodeUnits);
}

/** A coder's name as people read it: the empty author (an import that named none) shows as "(no author)". */
export function coderLabel(author: string): string {
  return author === '' ? '(no author)' : author;
}

/** The codebook with blind coding on or off (the kinds unchanged). */
export function withBlind(codebook: Codebook, blind: boolean): Codebook {
  return { ...codebook, blind };
}

/** Turns blind coding on or off in the workspace codebook (writing the file, with the built-in kinds, if there was none). */
export async function setBlindCoding(store: AnnotationStore, blind: boolean): Promise<Codebook> {
  const codebook = withBlind(await store.loadCodebook(), blind);
  await store.saveCodebook(codebook);
  return codebook;
}
