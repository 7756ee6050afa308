// What every export format starts from and reads back into: the documents with their texts and annotations, and
// the error an export file that cannot be read is refused with. Offsets are UTF-16 code units.
import { UserError, type Annotation } from '../model';
import { compareCodeUnits, spanHolds, toRelPath } from '../model';
import { YamlFileError, type YamlFileErrorCode } from '../yaml';

/** A problem found in an export file. `line` and `column` are 1-based; 1:1 when the problem has no better place. */
export class ExportFormatError extends YamlFileError {
  declare readonly line: number;
  declare readonly column: number;
  constructor(file: string, code: YamlFileErrorCode, reason: string, line = 1, column = 1) {
    super(file, code, reason, line, column);
    this.name = 'ExportFormatError';
  }
}

export interface ExportInputDocument {
  /** Workspace-relative path (normalised with toRelPath). */
  path: string;
  /** The document's current text; undefined when it is missing on disk (its annotations are still exported). */
  text: string | undefined;
  /** The document's annotations; each one's `doc` must name this document. */
  annotations: readonly Annotation[];
}

export interface ExportInput {
  documents: readonly ExportInputDocument[];
  /** When the export is written; now by default (tests pass a fixed date). */
  generated?: Date;
  /** The writing tool, "marginalia 0.1.0" by default. */
  tool?: string;
}

/** One document read back from an export. */
export interface ExportedDocument {
  path: string;
  /** Content hash of the text at export; absent when the document was missing then. */
  hash?: string;
  /** Header metadata at export; absent when the document was missing then. */
  metadata?: Record<string, string>;
  /** Model annotations: offsets from `offset`, `doc` set to `path`. */
  annotations: Annotation[];
}

/** The documents of an export with safe paths, each once, sorted by path (every export format starts here). */
export function exportDocuments<D extends { path: string }>(documents: readonly D[]): D[] {
  const seen = new Set<string>();
  const docs = documents.map((d) => {
    const path = toRelPath(d.path);
    if (seen.has(path)) throw new Error(`cannot export: document ${path} is listed twice`);
    seen.add(path);
    return { ...d, path };
  });
  return docs.sort((a, b) => compareCodeUnits(a.path, b.path));
}

/** An export refused because of what is stored; the message names the annotation and what to do. */
export class ExportRefusedError extends UserError {}

/**
 * Refuses an annotation whose offsets claim to refer to this very text (its docHash is the text's hash) but do not
 * hold its quote as whole characters: an end that disagrees with the quote or lies beyond the text, or a span that
 * cuts a surrogate pair (a hand edit, a merge). An export would carry such offsets on, or write half a character.
 */
export function assertSpanHolds(a: Annotation, path: string, text: string | undefined, hash: () => string): void {
  if (text === undefined || a.provenance.docHash !== hash() || spanHolds(text, a.target.start, a.target.end, a.target.quote.exact)) return;
  throw new ExportRefusedError(
    `cannot export: annotation ${a.id} of ${path} has offsets ${a.target.start}-${a.target.end}, which do not hold its quote as whole characters ` +
      `in the current text (a hand edit or a merge?); run \`marginalia check --write\` (or Re-anchor All in VS Code) to repair it, then export again`,
  );
}
