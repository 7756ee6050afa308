// Changing the codebook: adding kinds, and renaming a kind together with every annotation of that kind.
import type { Codebook, KindDefinition } from './codebook';
import { UserError, type Annotation } from '../model';
import type { AnnotationStore } from './store';
import { defaultRelationTypes } from './relationTypes';
import { TOOL_ID } from '../../constants';

/** A kind name: a letter, then letters, digits, - or _; a kind nested under another (a REFI-QDA code's path) joins such
 *  names with /. */
const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}(?:\/[A-Za-z][A-Za-z0-9_-]{0,63}){0,7}$/;
/** Colours for new kinds, picked in order among those the codebook does not use yet. */
const PALETTE = ['#e67e22', '#9b59b6', '#e84393', '#16a085', '#c0392b', '#2c3e50', '#7f8c8d', '#d35400', '#8e44ad', '#27ae60'];

export class CodebookEditError extends UserError {}

function checkName(cb: Codebook, name: string, except?: string): void {
  if (!NAME.test(name))
    throw new CodebookEditError(
      `"${name}" cannot be a kind name: use a letter, then letters, digits, - or _ (at most 64), and / between the names of a nested kind such as parent/child`,
    );
  if (cb.kinds.some((k) => k.name === name && k.name !== except)) throw new CodebookEditError(`the codebook already has a kind "${name}"`);
}

/** A codebook with one more kind; colour and description get defaults when not given. */
export function addKind(cb: Codebook, kind: Partial<KindDefinition> & { name: string }): Codebook {
  checkName(cb, kind.name);
  const used = new Set(cb.kinds.map((k) => k.colour.toLowerCase()));
  const colour = kind.colour ?? PALETTE.find((c) => !used.has(c)) ?? PALETTE[cb.kinds.length % PALETTE.length];
  if (!/^#[0-9a-fA-F]{6}$/.test(colour)) throw new CodebookEditError(`colour "${colour}" is not #rrggbb`);
  const def: KindDefinition = { name: kind.name, colour, description: kind.description ?? '', attributes: kind.attributes ?? [] };
  if (kind.icon) def.icon = kind.icon;
  return { ...cb, kinds: [...cb.kinds, def] };
}

/** A codebook with kind `from` called `to` (its colour, icon, description and fields kept, and the relation types
 *  that allow it allowing `to`). */
export function renameKind(cb: Codebook, from: string, to: string): Codebook {
  if (!cb.kinds.some((k) => k.name === from)) throw new CodebookEditError(`the codebook has no kind "${from}"`);
  checkName(cb, to, from);
  const out: Codebook = { ...cb, kinds: cb.kinds.map((k) => (k.name === from ? { ...k, name: to } : k)) };
  const rename = (kinds: string[]): string[] => kinds.map((k) => (k === from ? to : k));
  // The built-in relation types name the built-in kinds: renaming one of those writes them out, renamed.
  const types = cb.relations ?? (defaultRelationTypes().some((t) => [...t.from, ...t.to].includes(from)) ? defaultRelationTypes() : undefined);
  if (types !== undefined) out.relations = types.map((t) => ({ ...t, from: rename(t.from), to: rename(t.to) }));
  return out;
}

/** The annotations of kind `from`, rewritten to kind `to` (modified bumped); others are not returned. */
export function rewriteKind(annotations: readonly Annotation[], from: string, to: string, now: Date): Annotation[] {
  return annotations
    .filter((a) => a.kind === from)
    .map((a) => ({ ...a, kind: to, provenance: { ...a.provenance, modified: now.toISOString(), tool: TOOL_ID } }));
}

export interface KindRename {
  codebook: Codebook;
  /** How many annotations in how many documents were rewritten. */
  annotations: number;
  documents: number;
}

/**
 * Renames a kind in the codebook and in every sidecar of the store. Sidecars are rewritten first (each through the
 * store's re-read-and-merge), the codebook last, so an interruption never leaves annotations of a kind the codebook
 * lacks without the old kind still defined. Broken sidecars are skipped and reported by the caller's load.
 */
export async function renameKindEverywhere(store: AnnotationStore, from: string, to: string, now: Date): Promise<KindRename> {
  const codebook = renameKind(await store.loadCodebook(), from, to);
  const { docs } = await store.loadAll();
  let annotations = 0;
  let documents = 0;
  for (const [doc, list] of docs) {
    const changed = rewriteKind(list, from, to, now);
    if (changed.length === 0) continue;
    await store.update(doc, { upsert: changed });
    annotations += changed.length;
    documents++;
  }
  await store.saveCodebook(codebook);
  return { codebook, annotations, documents };
}

/** Adds a kind to the workspace codebook (writing the file, with the built-in kinds, if there was none). */
export async function addKindToStore(store: AnnotationStore, kind: Partial<KindDefinition> & { name: string }): Promise<Codebook> {
  const codebook = addKind(await store.loadCodebook(), kind);
  await store.saveCodebook(codebook);
  return codebook;
}
