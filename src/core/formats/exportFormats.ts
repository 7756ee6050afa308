// The export formats in one table, so the CLI and the extension offer the same ones and render them the same way.
import { defaultCodebook, type Codebook } from '../store';
import { exportYaml } from './yamlExport';
import type { ExportInput } from './exportInput';
import { exportW3c } from './w3cWriter';
import { csvRelationsPath, exportCsv, exportCsvRelations } from './csvFormat';
import { exportBrat } from './bratFormat';
import { EXPORT_MARKER, EXPORT_MARKER_TEXT } from '../store';
import { exportQdc, exportQdpx } from './refiQdaWriter';

export type ExportFormat = 'yaml' | 'w3c' | 'csv' | 'brat' | 'qdpx' | 'qdc';

export interface ExportFormatInfo {
  id: ExportFormat;
  label: string;
  description: string;
  /** File extension of a one-file format; undefined for brat, which writes a folder. */
  extension?: string;
  /** Written as bytes (a zip), not text: never printed to a terminal. */
  binary?: boolean;
}

export const EXPORT_FORMATS: readonly ExportFormatInfo[] = [
  { id: 'yaml', label: 'YAML', description: 'Marginalia export: quotes, lines and columns, offsets, attributes, provenance', extension: 'yaml' },
  { id: 'w3c', label: 'W3C Web Annotation (JSON-LD)', description: 'an AnnotationCollection; positions in code points', extension: 'jsonld' },
  { id: 'csv', label: 'CSV', description: 'one row per annotation, for spreadsheets (RFC 4180), and the relations beside it', extension: 'csv' },
  { id: 'brat', label: 'brat standoff', description: 'a folder of .txt/.ann pairs and annotation.conf', extension: undefined },
  {
    id: 'qdpx',
    label: 'REFI-QDA project (.qdpx)',
    description: 'for NVivo, MAXQDA, ATLAS.ti, QualCoder: texts, codes, codings, notes, links; positions in code points',
    extension: 'qdpx',
    binary: true,
  },
  { id: 'qdc', label: 'REFI-QDA codebook (.qdc)', description: 'the kinds as codes, for NVivo, MAXQDA, ATLAS.ti, QualCoder', extension: 'qdc' },
];

export function exportFormat(id: string): ExportFormatInfo | undefined {
  return EXPORT_FORMATS.find((f) => f.id === id);
}

/** A file written beside a one-file export: its path from the export's path, and its text. */
export interface BesideFile {
  path: (exportFile: string) => string;
  text: string;
}

/** A one-file export (with the files that go beside it: the CSV export's relations), a one-file export made of bytes
 *  (a zip), or a folder of files. */
export type RenderedExport =
  { kind: 'file'; text: string; beside?: BesideFile[] } | { kind: 'binary'; bytes: Uint8Array } | { kind: 'folder'; files: Map<string, string> };

/** Renders an export in the given format. `warn` hears what a format could not carry (brat: orphans, missing text).
 *  The REFI-QDA formats need the codebook (the built-in one when none is given) and name the project `projectName`. */
export function renderExport(
  format: ExportFormat,
  input: ExportInput & { codebook?: Codebook; projectName?: string },
  warn?: (message: string) => void,
): RenderedExport {
  switch (format) {
    case 'yaml':
      return { kind: 'file', text: exportYaml(input) };
    case 'w3c':
      return { kind: 'file', text: exportW3c(input) };
    case 'csv':
      // The relations go in an edge list beside it (written even when empty, so that no older one stays there).
      return { kind: 'file', text: exportCsv(input), beside: [{ path: csvRelationsPath, text: exportCsvRelations(input) }] };
    case 'brat':
      // The marker first: whoever watches the folder knows it is an export before its .txt copies arrive.
      return { kind: 'folder', files: new Map([[EXPORT_MARKER, EXPORT_MARKER_TEXT], ...exportBrat({ ...input, warn })]) };
    case 'qdpx':
      return { kind: 'binary', bytes: exportQdpx({ ...input, codebook: input.codebook ?? defaultCodebook(), warn }) };
    case 'qdc':
      return { kind: 'file', text: exportQdc(input.codebook ?? defaultCodebook(), warn) };
  }
}

/**
 * Whether a folder export may write into a folder that holds these names: a new or empty folder, or one an earlier
 * export wrote (it holds EXPORT_MARKER). Anything else could be a corpus or a person's files, overwritten or hidden.
 */
export function mayExportInto(names: readonly string[]): boolean {
  return names.length === 0 || names.includes(EXPORT_MARKER);
}

/** Why a folder export refuses a folder that holds other files, and what to do. */
export function exportFolderRefusal(dir: string): string {
  return `${dir} already holds files that no Marginalia export wrote; export into a new or empty folder (Marginalia marks its export folders with ${EXPORT_MARKER} and leaves them out of the corpus).`;
}
