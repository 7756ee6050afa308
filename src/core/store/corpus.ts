// Which files of a workspace folder are corpus documents, and reading them as VS Code would.
import picomatch from 'picomatch';
import type { WorkspaceFs } from './ports';

/** Default `marginalia.corpus.include`: plain text and Markdown anywhere in the folder. */
export const DEFAULT_INCLUDE: readonly string[] = ['**/*.txt', '**/*.md'];
/** Folders never part of a corpus, whatever the include patterns say. */
export const EXCLUDED_DIRS: ReadonlySet<string> = new Set(['.marginalia', 'node_modules', '.git']);

export interface CorpusOptions {
  include?: readonly string[];
  exclude?: readonly string[];
}

/** A predicate over workspace-relative paths, compiled once. */
export function corpusMatcher(options: CorpusOptions = {}): (rel: string) => boolean {
  const include = picomatch([...(options.include ?? DEFAULT_INCLUDE)], { dot: false });
  const exclude = options.exclude && options.exclude.length > 0 ? picomatch([...options.exclude], { dot: true }) : undefined;
  return (rel: string) => {
    const parts = rel.split('/');
    if (parts.some((p) => EXCLUDED_DIRS.has(p))) return false;
    return include(rel) && !(exclude && exclude(rel));
  };
}

/** Every corpus document of the folder, sorted, as workspace-relative paths. */
export async function listCorpus(fs: WorkspaceFs, options: CorpusOptions = {}): Promise<string[]> {
  const matches = corpusMatcher(options);
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await fs.list(dir);
    await Promise.all(
      entries.map(async (e) => {
        const rel = dir === '' ? e.name : `${dir}/${e.name}`;
        if (e.type === 'dir') {
          if (!EXCLUDED_DIRS.has(e.name)) await walk(rel);
        } else if (matches(rel)) {
          out.push(rel);
        }
      }),
    );
  };
  await walk('');
  return out.sort();
}

export class NotTextError extends Error {}

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
  if (typeof (e as { file?: unknown }).file === 'string' && message.startsWith(`${doc} `)) return `${message.replace(/[.;]?\s*$/, '')}; it is left out of the corpus.`;
  return `${doc} could not be read (${message}); it is left out of the corpus.`;
}

/** The document's text, or undefined when the file does not exist. */
export async function readDocument(fs: WorkspaceFs, rel: string): Promise<string | undefined> {
  const bytes = await fs.read(rel);
  return bytes === undefined ? undefined : decodeDocument(bytes, rel);
}
