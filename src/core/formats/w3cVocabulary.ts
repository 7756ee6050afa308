// W3C Web Annotation export and import (JSON-LD, https://www.w3.org/TR/annotation-model/). Inside Marginalia
// offsets are UTF-16 code units; the model's TextPositionSelector counts Unicode code points, so positions are
// converted on the way out and back (which needs the document text). What the W3C model has no term for (the kind,
// typed attribute values, the anchor state, the document hash) travels in properties of a Marginalia vocabulary
// declared in an extra @context object, so another W3C client can ignore it and Marginalia loses nothing.
//
// Mapping (one Marginalia annotation → one W3C Annotation):
//   id                → "id": annotationBase + ULID (default urn:marginalia:annotation:<ULID>)
//   kind              → "motivation" (see KIND_MOTIVATIONS), a TextualBody with purpose "tagging" and value = kind,
//                       and "marginalia:kind" (what the importer reads)
//   note              → a TextualBody with purpose "commenting" (left out when the note is empty)
//   attributes        → one TextualBody per attribute, purpose "describing", value "name: value" for people, with
//                       "marginalia:attribute" (the name) and "marginalia:value" (the typed JSON value)
//   provenance.author → "creator": { type: Person, name }; created/modified → "created"/"modified"
//   provenance.tool   → "marginalia:tool"; "generator" is the exporting Marginalia, "generated" the export time
//   target            → a SpecificResource: "source" = documentBase + percent-encoded path, "selector" = a
//                       TextQuoteSelector and a TextPositionSelector (code points), "marginalia:docHash",
//                       "marginalia:anchorStatus" / "marginalia:anchorMethod" / "marginalia:anchorDetail"
//   relations         → one more Annotation per relation, after the annotation it starts from: "motivation":
//                       "linking", "target" = the IRI of that annotation, "body" = the IRI of the annotation it points
//                       to, "marginalia:relationType" = its type, "creator"/"created" = who made it and when, and
//                       "id" = urn:uuid: + a UUID derived from (from, type, to), the same in every export
//   When the code-point position cannot be computed exactly (the document is missing, or the annotation's offsets
//   refer to another version of it: an orphan), the TextPositionSelector is left out and the UTF-16 offsets travel
//   as "marginalia:utf16Start" / "marginalia:utf16End" instead: never a wrong position under a standard name.
//
// This file holds the vocabulary both directions share; w3cWriter.ts writes, w3cReader.ts reads.
import { toRelPath } from '../model';
import type { ExportInput } from './exportInput';

/** The W3C Web Annotation JSON-LD context (the model requires this exact IRI). */
export const ANNO_CONTEXT = 'http://www.w3.org/ns/anno.jsonld';
/** Marginalia's vocabulary; the "marginalia:" prefix of the extension properties expands to it. */
export const MARGINALIA_VOCAB = 'urn:marginalia:vocab#';
/** The @context of every export: the W3C context plus the Marginalia prefix. */
export const W3C_CONTEXT: readonly [string, Readonly<Record<string, string>>] = [ANNO_CONTEXT, { marginalia: MARGINALIA_VOCAB }];
/** Documents are named by IRI: this prefix plus the percent-encoded workspace-relative path. */
export const DEFAULT_DOCUMENT_BASE = 'urn:marginalia:doc:';
/** Annotation ids are IRIs: this prefix plus the ULID. (urn:uuid: would be wrong: a ULID is not a UUID.) */
export const DEFAULT_ANNOTATION_BASE = 'urn:marginalia:annotation:';
/** The docHash of an imported annotation whose document version is unknown (no hash, no text): matches no text, so
 *  re-anchoring searches for the quote. */
export const UNKNOWN_DOC_HASH = 'sha256:' + '0'.repeat(64);

/** The motivations the W3C model defines (section 3.3.5). */
export const W3C_MOTIVATIONS = [
  'assessing',
  'bookmarking',
  'classifying',
  'commenting',
  'describing',
  'editing',
  'highlighting',
  'identifying',
  'linking',
  'moderating',
  'questioning',
  'replying',
  'tagging',
] as const;
export type W3cMotivation = (typeof W3C_MOTIVATIONS)[number];

/**
 * Motivation by kind. A claim is assessed (checked for truth), an entity identified, a figure described (its value,
 * unit, date); any other codebook kind tags the passage with the kind's name.
 */
export const KIND_MOTIVATIONS: Readonly<Record<string, W3cMotivation>> = { claim: 'assessing', entity: 'identifying', figure: 'describing' };
export const DEFAULT_MOTIVATION: W3cMotivation = 'tagging';

/** Where annotations and documents live as IRIs. */
export interface W3cIriOptions {
  /** Absolute IRI prefix for documents; a document's IRI is this plus its percent-encoded path. */
  documentBase?: string;
  /** Absolute IRI prefix for annotation ids; an annotation's id is this plus its ULID. */
  annotationBase?: string;
}

export interface W3cExportOptions extends W3cIriOptions {
  /** Motivation per kind, overriding KIND_MOTIVATIONS; values must be W3C motivations. */
  motivations?: Readonly<Record<string, W3cMotivation>>;
  /** The collection's IRI; default urn:marginalia:export:<generated time>. Pages are <id>?page=N. */
  collectionId?: string;
  /** The collection's label; default "Marginalia annotations". */
  label?: string;
}

export type W3cExportInput = ExportInput & W3cExportOptions;

export interface W3cPagedExportInput extends W3cExportInput {
  /** Annotations per AnnotationPage (a whole number ≥ 1). */
  pageSize: number;
  /** File name stem: the collection is <stem>.jsonld, later pages <stem>-page<N>.jsonld; default "annotations". */
  fileStem?: string;
}

/** A W3C annotation as exported (a plain JSON object with the keys in a fixed order). */
export type W3cAnnotation = Record<string, unknown>;

/** Percent-encodes each path segment (non-ASCII, spaces, "#", "?"), keeping "/" between segments. */
export function documentIri(base: string, path: string): string {
  return base + toRelPath(path).split('/').map(encodeURIComponent).join('/');
}
