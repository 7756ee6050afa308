// Which files of a workspace folder are corpus documents, and reading them as VS Code would.
import picomatch from 'picomatch';
import { PathError } from '../model';
import type { WorkspaceFs } from './ports';
import { UserError } from '../model';

/** Default `marginalia.corpus.include`: plain text and Markdown anywhere in the folder. */
export const DEFAULT_INCLUDE: readonly string[] = ['**/*.txt', '**/*.md'];
/** Folders never part of a corpus, whatever the include patterns say. */
export const EXCLUDED_DIRS: ReadonlySet<string> = new Set(['.marginalia', 'node_modules', '.git']);

/**
 * The file a Marginalia export writes first into every folder it fills (brat's .txt copies, say). A folder below the
 * workspace folder that holds it is left out of the corpus, so an export's copies never become documents to annotate.
 */
export const EXPORT_MARKER = '.marginalia-export';
export const EXPORT_MARKER_TEXT =
  'Marginalia wrote this folder as an export. Marginalia leaves a folder holding this file out of the corpus, so the copies of documents in it are not annotated as documents of their own. Delete this file to make its files corpus documents.\n';

export interface CorpusOptions {
  include?: readonly string[];
  exclude?: readonly string[];
}

/**
 * A predicate over workspace-relative paths, compiled once. `exportFolders` (folders holding EXPORT_MARKER, as
 * listCorpusFolders finds them) may grow later: a path below any of them is not a corpus document.
 */
export function corpusMatcher(options: CorpusOptions = {}, exportFolders?: ReadonlySet<string>): (rel: string) => boolean {
  const include = picomatch([...(options.include ?? DEFAULT_INCLUDE)], { dot: false });
  const exclude = options.exclude && options.exclude.length > 0 ? picomatch([...options.exclude], { dot: true }) : undefined;
  return (rel: string) => {
    const parts = rel.split('/');
    if (parts.some((p) => EXCLUDED_DIRS.has(p))) return false;
    if (exportFolders && exportFolders.size > 0 && insideExportFolder(parts, exportFolders)) return false;
    return include(rel) && !(exclude && exclude(rel));
  };
}

function insideExportFolder(parts: readonly string[], exportFolders: ReadonlySet<string>): boolean {
  let dir = '';
  for (let i = 0; i < parts.length - 1; i++) {
    dir = i === 0 ? parts[0] : `${dir}/${parts[i]}`;
    if (exportFolders.has(dir)) return true;
  }
  return false;
}

/** A path that names no corpus document where only one may be named (import, add, restore, a sidecar's document). */
export class NotCorpusError extends PathError {}

/**
 * The one check for every path that names a document to read, annotate or write: throws NotCorpusError unless `rel`
 * is a corpus document path by the include/exclude patterns (`matches` is corpusMatcher(options), passed when the
 * caller holds it compiled). So a hostile export or sidecar cannot make Marginalia read `.git/config` or `.env` (and
 * copy their text into quotes meant to be committed), nor restore a file into `.git/hooks`: .git, .marginalia and
 * node_modules never count, and dotfiles only when a pattern names them.
 */
export function assertCorpusDocument(rel: string, options: CorpusOptions = {}, matches = corpusMatcher(options)): void {
  if (matches(rel)) return;
  const include = (options.include ?? DEFAULT_INCLUDE).join(', ');
  const exclude = options.exclude && options.exclude.length > 0 ? `, excluding ${options.exclude.join(', ')}` : '';
  throw new NotCorpusError(
    `${rel} is not a corpus document (the corpus is ${include}${exclude}; .git, .marginalia and node_modules never ` +
      `count, nor names starting with a dot unless a pattern names them), so Marginalia does not read, annotate or write it`,
  );
}

export interface CorpusListing {
  /** Corpus documents, sorted, as workspace-relative paths. */
  documents: string[];
  /** Folders left out because a Marginalia export wrote them (they hold EXPORT_MARKER), sorted. */
  exportFolders: string[];
}

/** Every corpus document of the folder, and the export folders left out on the way. */
export async function listCorpusFolders(fs: WorkspaceFs, options: CorpusOptions = {}): Promise<CorpusListing> {
  const matches = corpusMatcher(options);
  const documents: string[] = [];
  const exportFolders: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await fs.list(dir);
    // The workspace folder itself is never left out: a person may open an export folder to annotate its copies.
    if (dir !== '' && entries.some((e) => e.type === 'file' && e.name === EXPORT_MARKER)) {
      exportFolders.push(dir);
      return;
    }
    // Files are matched here and now; only folders cost a promise (a promise per file made listing 10,000 slow).
    const below: Promise<void>[] = [];
    for (const e of entries) {
      const rel = dir === '' ? e.name : `${dir}/${e.name}`;
      if (e.type === 'dir') {
        if (!EXCLUDED_DIRS.has(e.name)) below.push(walk(rel));
      } else if (matches(rel)) {
        documents.push(rel);
      }
    }
    await Promise.all(below);
  };
  await walk('');
  return { documents: documents.sort(), exportFolders: exportFolders.sort() };
}

/** Every corpus document of the folder, sorted, as workspace-relative paths (export folders left out). */
export async function listCorpus(fs: WorkspaceFs, options: CorpusOptions = {}): Promise<string[]> {
  return (await listCorpusFolders(fs, options)).documents;
}

export class NotTextError extends UserError {}

/** How much of a file is looked at for a NUL byte, as git and VS Code judge binary files. */
const BINARY_SNIFF = 8192;

/** Throws NotTextError when the head of a document (its bytes, or its text as an editor holds it) has a NUL. */
export function refuseBinary(content: Uint8Array | string, rel: string): void {
  const nul = typeof content === 'string' ? content.slice(0, BINARY_SNIFF).includes('\0') : content.subarray(0, BINARY_SNIFF).includes(0);
  if (nul) throw new NotTextError(`${rel} looks like a binary file (it contains NUL bytes); it is left out of the corpus.`);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes a document's bytes as VS Code shows them: UTF-8, a leading BOM dropped (VS Code's offsets do not count it).
 * Throws NotTextError for binary content (a NUL byte in the first 8 KB, as git and VS Code judge it) and for bytes
 * that are not UTF-8: offsets into a text decoded with replacement characters would not be the editor's offsets.
 */
export function decodeDocument(bytes: Uint8Array, rel: string): string {
  refuseBinary(bytes, rel);
  try {
    return utf8.decode(bytes);
  } catch {
    throw new NotTextError(`${rel} is not UTF-8 text; it is left out of the corpus. Re-save it as UTF-8 to annotate it.`);
  }
}

export interface TextCorpus {
  /** Documents whose content is text, sorted. */
  documents: string[];
  /** Files the patterns match that are left out, with why (binary, not UTF-8, unreadable). */
  skipped: { doc: string; reason: string }[];
}

/** The corpus with every file read and judged by its content: what `listCorpus` matches by name, minus files that
 *  are not text (a PNG named .md, a .txt with NUL bytes or in another encoding). */
export async function listTextCorpus(fs: WorkspaceFs, options: CorpusOptions = {}): Promise<TextCorpus> {
  const documents: string[] = [];
  const skipped: TextCorpus['skipped'] = [];
  for (const doc of await listCorpus(fs, options)) {
    try {
      if ((await readDocument(fs, doc)) !== undefined) documents.push(doc);
    } catch (e) {
      skipped.push({ doc, reason: unreadableReason(doc, e) });
    }
  }
  return { documents, skipped };
}

/** Why the document `doc` could not be read (the error readDocument threw), as one sentence naming it. */
export function unreadableReason(doc: string, e: unknown): string {
  if (e instanceof NotTextError) return e.message;
  const message = e instanceof Error ? e.message : String(e);
  if (typeof (e as { file?: unknown }).file === 'string' && message.startsWith(`${doc} `))
    return `${message.replace(/[.;]?\s*$/, '')}; it is left out of the corpus.`;
  return `${doc} could not be read (${message}); it is left out of the corpus.`;
}

/** The document's text, or undefined when the file does not exist. */
export async function readDocument(fs: WorkspaceFs, rel: string): Promise<string | undefined> {
  const bytes = await fs.read(rel);
  return bytes === undefined ? undefined : decodeDocument(bytes, rel);
}
