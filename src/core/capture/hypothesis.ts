// Annotations made with Hypothesis (its API's JSON: `uri`, `target[].selector`, `text`, `tags`, `user`, `created`,
// `updated`) brought onto the captured source whose front matter `url` is the annotation's page. Each is anchored by
// its quote (TextQuoteSelector: exact, prefix, suffix) with the same quote search that re-anchors Marginalia's own
// annotations: a captured page's Markdown is not the page's DOM text, so positions (TextPositionSelector) are not
// trusted, only used to pick among equal candidates. Everything is planned and checked before anything is written.
import { createAnnotation, newId, UserError, type Annotation } from '../model';
import { searchQuote } from '../anchoring';
import {
  assertSidecarFits,
  findKind,
  readDocument,
  serializeSidecar,
  sidecarPathFor,
  NotTextError,
  type AnnotationStore,
  type Codebook,
  type KindDefinition,
} from '../store';
import { parseDocumentMetadata } from '../research';

/** One Hypothesis annotation, as far as the import reads it. */
export interface HypothesisAnnotation {
  id?: string;
  uri: string;
  text?: string;
  tags?: string[];
  user?: string;
  created?: string;
  updated?: string;
  target?: { source?: string; selector?: { type: string; exact?: string; prefix?: string; suffix?: string; start?: number; end?: number }[] }[];
}

/** Kinds a codebook may define for free-standing remarks; the first one it has is the default kind of the import. */
export const NOTE_KINDS = ['note', 'comment', 'highlight'];
/** The default kind when the codebook has none of NOTE_KINDS: the built-in kind for a passage worth marking. */
export const FALLBACK_KIND = 'claim';

export interface UnanchoredHypothesis {
  /** The Hypothesis id (or its place in the file, "#3"). */
  id: string;
  uri: string;
  /** The quoted text, shortened. */
  quote: string;
  reason: string;
}

export interface HypothesisPlan {
  documents: { doc: string; text: string; add: Annotation[] }[];
  anchored: number;
  /** Already in the workspace (the same passage, kind and note): not added again. */
  duplicates: number;
  unanchored: UnanchoredHypothesis[];
  /** The kind given to annotations without a tag naming a kind. */
  defaultKind: string;
}

/** The annotations of a Hypothesis export: a list of them, or the API's search answer ({ rows: [...] }). */
export function parseHypothesis(json: string, file: string): HypothesisAnnotation[] {
  let data: unknown;
  try {
    data = JSON.parse(json.replace(/^\ufeff/, ''));
  } catch (e) {
    throw new UserError(`${file} is not JSON (${(e as Error).message}); export the annotations from the Hypothesis API as JSON.`, { file });
  }
  const rows = Array.isArray(data)
    ? data
    : data && typeof data === 'object' && Array.isArray((data as { rows?: unknown }).rows)
      ? (data as { rows: unknown[] }).rows
      : undefined;
  if (!rows) throw new UserError(`${file} holds no Hypothesis annotations: expected a list of them or the API's { "rows": [...] }.`, { file });
  return rows.map((r, i) => {
    if (!r || typeof r !== 'object' || typeof (r as HypothesisAnnotation).uri !== 'string')
      throw new UserError(`${file}: annotation #${i + 1} has no "uri"; is this a Hypothesis API export?`, { file });
    return r as HypothesisAnnotation;
  });
}

/** A URL compared loosely: no fragment, no trailing slash, scheme and host in lower case. */
export function sameUrl(url: string): string {
  try {
    const u = new URL(url.trim());
    u.hash = '';
    return u.href.replace(/\/+$/, '');
  } catch {
    return url.trim().replace(/#.*$/, '').replace(/\/+$/, '');
  }
}

/** The kind an annotation takes: the first tag naming a kind of the codebook (any case), else the default. */
function kindFor(a: HypothesisAnnotation, codebook: Codebook, fallback: KindDefinition): { kind: KindDefinition; otherTags: string[] } {
  const tags = (a.tags ?? []).filter((t): t is string => typeof t === 'string');
  for (const t of tags) {
    const k = codebook.kinds.find((x) => x.name.toLowerCase() === t.trim().toLowerCase());
    if (k) return { kind: k, otherTags: tags.filter((x) => x !== t) };
  }
  return { kind: fallback, otherTags: tags };
}

function short(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > 60 ? one.slice(0, 57) + '…' : one;
}

function validTime(s: string | undefined, fallback: Date): string {
  const t = s === undefined ? NaN : Date.parse(s);
  return Number.isNaN(t) ? fallback.toISOString() : new Date(t).toISOString();
}

export interface HypothesisOptions {
  /** A kind of the codebook for annotations without a tag naming one (default: the codebook's note kind, else claim). */
  kind?: string;
  now: Date;
  /** Recorded as the author when an annotation names no user. */
  author: string;
  /** A document's text as the person sees it (an open editor's, saved or not); default: the file's. */
  readText?: (doc: string) => Promise<string | undefined>;
}

/**
 * Plans the import of Hypothesis annotations onto the captured sources among `docs` (corpus documents whose front
 * matter has a `url`). Nothing is written; throws a UserError for an unknown kind, and when a sidecar would grow
 * past the size the reader accepts.
 */
export async function planHypothesisImport(
  store: AnnotationStore,
  docs: readonly string[],
  items: readonly HypothesisAnnotation[],
  options: HypothesisOptions,
): Promise<HypothesisPlan> {
  const codebook = await store.loadCodebook();
  const kinds = codebook.kinds.map((k) => k.name).join(', ');
  let fallback: KindDefinition | undefined;
  if (options.kind !== undefined) {
    fallback = findKind(codebook, options.kind);
    if (!fallback) throw new UserError(`unknown kind "${options.kind}" (kinds: ${kinds}); add it to .marginalia/codebook.yaml first`);
  }
  fallback ??= NOTE_KINDS.map((n) => findKind(codebook, n)).find((k) => k !== undefined) ?? findKind(codebook, FALLBACK_KIND) ?? codebook.kinds[0];
  if (!fallback) throw new UserError('the codebook defines no kinds; add one to .marginalia/codebook.yaml first');

  const byUrl = new Map<string, string>();
  const texts = new Map<string, string>();
  for (const doc of docs) {
    let text: string | undefined;
    try {
      text = options.readText ? await options.readText(doc) : await readDocument(store.fs, doc);
    } catch (e) {
      if (e instanceof NotTextError) continue;
      throw e;
    }
    if (text === undefined) continue;
    const url = parseDocumentMetadata(text, doc).fields.url;
    if (!url) continue;
    const key = sameUrl(url);
    if (!byUrl.has(key)) {
      byUrl.set(key, doc);
      texts.set(doc, text);
    }
  }

  const plan: HypothesisPlan = { documents: [], anchored: 0, duplicates: 0, unanchored: [], defaultKind: fallback.name };
  const added = new Map<string, Annotation[]>();
  const stored = new Map<string, Annotation[]>();
  for (const [i, h] of items.entries()) {
    const id = typeof h.id === 'string' && h.id ? h.id : `#${i + 1}`;
    const target = (h.target ?? [])[0];
    const selectors = Array.isArray(target?.selector) ? target.selector : [];
    const quote = selectors.find((s) => s && s.type === 'TextQuoteSelector' && typeof s.exact === 'string' && s.exact !== '');
    const position = selectors.find((s) => s && s.type === 'TextPositionSelector' && typeof s.start === 'number');
    const miss = (reason: string): void => void plan.unanchored.push({ id, uri: h.uri, quote: short(quote?.exact ?? ''), reason });
    const doc = byUrl.get(sameUrl(h.uri)) ?? (target?.source ? byUrl.get(sameUrl(target.source)) : undefined);
    if (!doc) {
      miss('no captured source has this url (add it with Add Source first)');
      continue;
    }
    if (!quote) {
      miss('a page note: it quotes no passage');
      continue;
    }
    const text = texts.get(doc) as string;
    const matches = searchQuote(
      text,
      { exact: quote.exact as string, prefix: quote.prefix ?? '', suffix: quote.suffix ?? '' },
      { hint: position?.start, limit: 1 },
    );
    if (matches.length === 0) {
      miss(`the quote is not in ${doc}`);
      continue;
    }
    const { start, end } = matches[0];
    const { kind, otherTags } = kindFor(h, codebook, fallback);
    const note = [typeof h.text === 'string' ? h.text.trim() : '', otherTags.length > 0 ? `Hypothesis tags: ${otherTags.join(', ')}` : '']
      .filter((x) => x !== '')
      .join('\n\n');
    if (!stored.has(doc)) stored.set(doc, await store.loadDoc(doc));
    const already = [...(stored.get(doc) ?? []), ...(added.get(doc) ?? [])];
    if (already.some((a) => a.target.start === start && a.target.end === end && a.kind === kind.name && a.note === note)) {
      plan.duplicates++;
      continue;
    }
    const created = validTime(h.created, options.now);
    const modified = validTime(h.updated ?? h.created, options.now);
    const user = typeof h.user === 'string' && h.user ? h.user.replace(/^acct:/, '') : options.author;
    const made = createAnnotation(text, { doc, kind: kind.name, start, end, note, author: user }, kind, options.now);
    const a: Annotation = {
      ...made,
      id: newId(Date.parse(created)),
      provenance: { ...made.provenance, created, modified: modified < created ? created : modified },
    };
    added.set(doc, [...(added.get(doc) ?? []), a]);
    plan.anchored++;
  }
  for (const [doc, add] of added) {
    assertSidecarFits(sidecarPathFor(doc), new TextEncoder().encode(serializeSidecar(doc, [...(stored.get(doc) ?? []), ...add])).length);
    plan.documents.push({ doc, text: texts.get(doc) as string, add });
  }
  return plan;
}

/** Writes a plan: each document's snapshot and its new annotations, merged into its sidecar as it is now. */
export async function applyHypothesisImport(store: AnnotationStore, plan: HypothesisPlan): Promise<void> {
  for (const d of plan.documents) {
    await store.putSnapshot(d.text);
    await store.update(d.doc, { upsert: d.add });
  }
}

/** What an import did, in lines for a person: the count, then each annotation that was not anchored and why. */
export function describeHypothesisImport(plan: HypothesisPlan): string[] {
  const lines = [
    `${plan.anchored} of ${plan.anchored + plan.unanchored.length + plan.duplicates} Hypothesis annotations anchored` +
      (plan.documents.length > 0 ? ` in ${plan.documents.map((d) => d.doc).join(', ')}` : '') +
      (plan.duplicates > 0 ? `; ${plan.duplicates} already here` : '') +
      ` (kind ${plan.defaultKind} unless a tag names a kind)`,
  ];
  for (const u of plan.unanchored) lines.push(`not anchored: ${u.id} ${u.uri}${u.quote ? ` "${u.quote}"` : ''}: ${u.reason}`);
  return lines;
}
