// The annotation model. Offsets are UTF-16 code units (as VS Code and JavaScript strings count),
// half-open: [start, end).
import type { Relation } from './relation';

/** Built-in kinds; a workspace codebook may add more. */
export const BUILTIN_KINDS = ['claim', 'figure', 'entity'] as const;
export type BuiltinKind = (typeof BUILTIN_KINDS)[number];

/** W3C TextQuoteSelector-style quote: the exact text plus context on either side. */
/** A half-open span [start, end) of a text, in UTF-16 code units. */
export interface Span {
  start: number;
  end: number;
}

export interface TextQuote {
  exact: string;
  prefix: string;
  suffix: string;
}

export interface Target {
  /** UTF-16 offset of the first character. */
  start: number;
  /** UTF-16 offset one past the last character. */
  end: number;
  quote: TextQuote;
}

/** An attribute value: what YAML, JSON and CSV all carry without loss. */
export type AttributeValue = string | number | boolean;
export type Attributes = Record<string, AttributeValue>;

export interface Provenance {
  author: string;
  /** ISO 8601 UTC timestamp. */
  created: string;
  /** ISO 8601 UTC timestamp. */
  modified: string;
  /** The tool and version that last wrote the annotation, e.g. "marginalia 0.1.0". */
  tool: string;
  /** Content hash ("sha256:<hex>") of the document text the offsets refer to. */
  docHash: string;
}

export type AnchorStatus = 'anchored' | 'reanchored' | 'orphaned';

/** How an annotation's current position was found. */
export type ResolveMethod =
  | 'exact' // the document is unchanged, or the quote is still at the stored offsets
  | 'edits' // shifted by edit tracking (editor change events)
  | 'diff' // mapped through a diff from the stored snapshot, quote verified
  | 'diff-changed' // mapped through a diff; the passage itself was edited but mostly survives
  | 'quote' // found by searching for the quote with its context (no snapshot)
  | 'fuzzy' // found by approximate search for the quote, above the minimum score
  | 'orphaned'; // not found, or the passage was mostly deleted

export interface AnchorState {
  status: AnchorStatus;
  /** Present once the annotation has been re-anchored or orphaned. */
  method?: ResolveMethod;
  /** Free-text detail for people, e.g. "moved 120 characters" or "passage deleted". */
  detail?: string;
}

export interface Annotation {
  /** ULID: unique across people working apart, sortable by creation time. */
  id: string;
  /** Typed links from this annotation to others of the same workspace folder, sorted by type then target id; absent
   *  when there are none (never an empty list). See relation.ts. */
  relations?: Relation[];
  kind: string;
  /** Workspace-relative path with forward slashes. */
  doc: string;
  target: Target;
  note: string;
  attributes: Attributes;
  provenance: Provenance;
  anchor: AnchorState;
}

/** A plain text edit, as VS Code's change events carry (converted at the border). Offsets in UTF-16 code units
 *  relative to the text *before* this edit. */
export interface TextEdit {
  offset: number;
  deleteLength: number;
  insertText: string;
}

/** Entity types an entity annotation's `type` attribute may take. */
export const ENTITY_TYPES = ['person', 'organisation', 'place', 'other'] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];
