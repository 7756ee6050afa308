// A source captured with its provenance: the original bytes (an HTML page, a PDF, a text file) become a Markdown
// document whose YAML front matter says what it is and where it came from (title, author, site, published, url,
// retrieved, sha256 of the original, tool). The original is kept content-addressed under .marginalia/originals, so
// the text can be derived again and compared (checkSources). Deterministic: the same bytes, address and `retrieved`
// give byte-identical output.
import { createHash } from 'node:crypto';
import { UserError, compareCodeUnits } from '../model';
import { isPlainSafe, quoteString } from '../yaml';
import type { WorkspaceFs } from '../store';
import { parseDocumentMetadata } from '../research';
import { TOOL_ID, STORE_DIR } from '../../constants';
import { htmlToMarkdown } from './html';
import { pdfToMarkdown } from './pdf';

/** Where originals are kept, by the SHA-256 of their bytes. */
export const ORIGINALS_DIR = `${STORE_DIR}/originals`;

export type SourceFormat = 'html' | 'pdf' | 'text';

export interface SourceMetadata {
  title?: string;
  author?: string;
  site?: string;
  published?: string;
  url?: string;
}

export interface SourceInput {
  bytes: Uint8Array;
  /** The file name or URL, for errors and the document's name. */
  name: string;
  /** The address it was fetched from (a captured file has none). */
  url?: string;
  /** The HTTP Content-Type, when fetched. */
  contentType?: string;
}

export interface CaptureOptions {
  /** When it was retrieved (ISO 8601); tests fix it, the commands pass the current time. */
  retrieved: string;
}

export interface CapturedSource {
  /** The whole document: front matter, a blank line, the text. */
  document: string;
  /** The text without the front matter: what checkSources derives again. */
  body: string;
  format: SourceFormat;
  /** Hex SHA-256 of the original bytes. */
  sha256: string;
  /** The front matter's fields, in order. */
  fields: [string, string][];
  /** A file name for it (no folder), from its title or its name. */
  fileName: string;
}

/** The fields of the front matter, in the order they are written. */
export const SOURCE_FIELDS = [
  'title',
  'author',
  'site',
  'published',
  'url',
  'file',
  'retrieved',
  'format',
  'charset',
  'pages',
  'sha256',
  'original',
  'tool',
] as const;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Which kind of source the bytes are: the Content-Type or file extension, checked against the bytes themselves. */
export function detectFormat(bytes: Uint8Array, name: string, contentType?: string): SourceFormat {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 1024));
  if (head.startsWith('%PDF-')) return 'pdf';
  const type = contentType?.split(';')[0].trim().toLowerCase();
  if (type === 'application/pdf') throw new UserError(`${name} is said to be a PDF but does not start like one (%PDF-); the download may be incomplete.`);
  if (type === 'text/html' || type === 'application/xhtml+xml') return 'html';
  if (/\.(?:html?|xhtml)$/i.test(name.replace(/[?#].*$/, ''))) return 'html';
  if (/\.pdf$/i.test(name.replace(/[?#].*$/, '')))
    throw new UserError(`${name} is named as a PDF but does not start like one (%PDF-); is it a complete PDF?`, { file: name });
  if (/^\s*(?:<!doctype html|<html[\s>]|<head[\s>])/i.test(head.replace(/^\ufeff|^\xef\xbb\xbf/, ''))) return 'html';
  return 'text';
}

/** Text of the bytes: the charset of the Content-Type, else of a <meta charset>, else UTF-8; and the charset used. */
function decodeHtml(bytes: Uint8Array, contentType?: string): { html: string; charset: string } {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 2048));
  const label = /charset=["']?([\w.:-]+)/i.exec(contentType ?? '')?.[1] ?? /<meta[^>]+charset=["']?([\w.:-]+)/i.exec(head)?.[1] ?? 'utf-8';
  let decoder: InstanceType<typeof TextDecoder>;
  try {
    decoder = new TextDecoder(label);
  } catch {
    decoder = new TextDecoder('utf-8');
  }
  return { html: decoder.decode(bytes), charset: decoder.encoding };
}

function decodeText(bytes: Uint8Array, name: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new UserError(`${name} is neither HTML, PDF nor UTF-8 text; convert it to one of these first.`, { file: name });
  }
}

export interface DerivedText {
  body: string;
  metadata: SourceMetadata;
  pages?: number;
  /** The character set an HTML page was read in. */
  charset?: string;
}

/** The Markdown text of an original, as capture derives it (and checkSources derives it again). */
export async function deriveText(bytes: Uint8Array, format: SourceFormat, name: string, url?: string, contentType?: string): Promise<DerivedText> {
  switch (format) {
    case 'html': {
      const { html, charset } = decodeHtml(bytes, contentType);
      const { markdown, metadata } = htmlToMarkdown(html, url);
      return { body: markdown, metadata, charset };
    }
    case 'pdf': {
      const { markdown, metadata, pages } = await pdfToMarkdown(bytes, name);
      return { body: markdown, metadata, pages };
    }
    case 'text': {
      const text = decodeText(bytes, name).replace(/\r\n?/g, '\n');
      const body = text.endsWith('\n') || text === '' ? text : text + '\n';
      const title = parseDocumentMetadata(body, name.endsWith('.md') ? name : 'source.txt').title;
      return { body, metadata: { title } };
    }
  }
}

/** Captures one source: its text, its front matter and its original's hash. Nothing is written. */
export async function captureSource(input: SourceInput, options: CaptureOptions): Promise<CapturedSource> {
  const format = detectFormat(input.bytes, input.name, input.contentType);
  const sha256 = sha256Hex(input.bytes);
  const derived = await deriveText(input.bytes, format, input.name, input.url, input.contentType);
  if (derived.body.trim() === '') throw new UserError(`${input.name} holds no text to annotate${format === 'pdf' ? ' (a scanned PDF needs OCR first)' : ''}.`);
  const m = derived.metadata;
  const values: Record<(typeof SOURCE_FIELDS)[number], string | undefined> = {
    title: m.title,
    author: m.author,
    site: m.site,
    published: m.published,
    url: input.url ?? m.url,
    file: input.url === undefined ? baseName(input.name) : undefined,
    retrieved: options.retrieved,
    format,
    // A page read in another character set (perhaps by the server's word alone) is read so again by checkSources.
    charset: derived.charset !== undefined && derived.charset !== 'utf-8' ? derived.charset : undefined,
    pages: derived.pages === undefined ? undefined : String(derived.pages),
    sha256,
    original: `${ORIGINALS_DIR}/${sha256}`,
    tool: TOOL_ID,
  };
  const fields = SOURCE_FIELDS.flatMap((k): [string, string][] => (values[k] === undefined ? [] : [[k, values[k]]]));
  const document = renderFrontMatter(fields) + '\n' + derived.body;
  return { document, body: derived.body, format, sha256, fields, fileName: fileNameFor(m.title, input.name) };
}

export function renderFrontMatter(fields: readonly (readonly [string, string])[]): string {
  return '---\n' + fields.map(([k, v]) => `${k}: ${isPlainSafe(v) ? v : quoteString(v)}\n`).join('') + '---\n';
}

function baseName(name: string): string {
  return (
    name
      .replace(/[?#].*$/, '')
      .replace(/\/+$/, '')
      .split(/[\\/]/)
      .pop() ?? name
  );
}

/** A file name from the title (or the source's own name): lower case ASCII words joined by "-", at most 60 characters. */
export function fileNameFor(title: string | undefined, name: string): string {
  const slug = (s: string): string =>
    s
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60)
      .replace(/-+$/, '');
  const fromTitle = title ? slug(title) : '';
  const fromName = slug(baseName(name).replace(/\.[a-z0-9]{1,5}$/i, ''));
  return `${fromTitle || fromName || 'source'}.md`;
}

export interface AddedSource {
  /** The document's workspace-relative path. */
  doc: string;
  /** True when the same original was already captured there: nothing was written. */
  existed: boolean;
  original: string;
}

/**
 * Writes a captured source into the workspace: the original under .marginalia/originals/<sha256> (once) and the
 * document as `dir/<file name>`, or `<name>-2.md`, … when that name is taken by another document. A document of the
 * same folder captured from the same bytes is left as it is (adding a source twice changes nothing).
 */
export async function addSource(fs: WorkspaceFs, captured: CapturedSource, bytes: Uint8Array, dir: string): Promise<AddedSource> {
  const folder = dir.replace(/\\/g, '/').replace(/^\.?\/+|\/+$/g, '');
  if (folder.split('/').some((p) => p === '..') || folder.startsWith(STORE_DIR))
    throw new UserError(`--to ${dir}: the folder must lie inside the workspace, outside ${STORE_DIR}.`);
  const original = `${ORIGINALS_DIR}/${captured.sha256}`;
  const stem = captured.fileName.replace(/\.md$/, '');
  for (let n = 1; ; n++) {
    const doc = (folder ? folder + '/' : '') + (n === 1 ? captured.fileName : `${stem}-${n}.md`);
    const existing = await fs.read(doc);
    if (existing !== undefined) {
      const fields = parseDocumentMetadata(new TextDecoder().decode(existing), doc).fields;
      if (fields.sha256 === captured.sha256) return { doc, existed: true, original };
      continue;
    }
    if ((await fs.stat(original)) === undefined) await fs.writeAtomic(original, bytes);
    await fs.writeAtomic(doc, new TextEncoder().encode(captured.document));
    return { doc, existed: false, original };
  }
}

export type SourceCheckStatus = 'ok' | 'missing-original' | 'corrupt-original' | 'changed' | 'unreadable';

export interface SourceCheck {
  doc: string;
  status: SourceCheckStatus;
  /** What is wrong and what to do ('' when ok). */
  message: string;
  /** The first line (1-based, in the document) where the text differs from the one derived again. */
  line?: number;
}

/**
 * For each document with capture front matter (a sha256 field): the original is there, its bytes still hash to
 * sha256, and deriving the text from it again gives the document's text. Documents without one are skipped.
 */
export async function checkSources(fs: WorkspaceFs, docs: readonly string[]): Promise<SourceCheck[]> {
  const out: SourceCheck[] = [];
  for (const doc of [...docs].sort(compareCodeUnits)) {
    const bytes = await fs.read(doc);
    if (bytes === undefined) continue;
    const text = new TextDecoder().decode(bytes);
    const meta = parseDocumentMetadata(text, doc);
    const sha = meta.fields.sha256;
    const format = meta.fields.format as SourceFormat | undefined;
    if (meta.convention !== 'front-matter' || !sha || !/^[0-9a-f]{64}$/.test(sha) || !format || !['html', 'pdf', 'text'].includes(format)) continue;
    const originalPath = `${ORIGINALS_DIR}/${sha}`;
    const original = await fs.read(originalPath);
    if (original === undefined) {
      out.push({ doc, status: 'missing-original', message: `${doc}: its original ${originalPath} is missing; add the source again to restore it.` });
      continue;
    }
    if (sha256Hex(original) !== sha) {
      out.push({
        doc,
        status: 'corrupt-original',
        message: `${doc}: ${originalPath} no longer has the SHA-256 it is named by; restore it from version control or add the source again.`,
      });
      continue;
    }
    let derived: DerivedText;
    try {
      const contentType = meta.fields.charset ? `text/html; charset=${meta.fields.charset}` : undefined;
      derived = await deriveText(original, format, meta.fields.file ?? meta.fields.url ?? doc, meta.fields.url, contentType);
    } catch (e) {
      out.push({ doc, status: 'unreadable', message: `${doc}: its original ${originalPath} could not be read again: ${(e as Error).message}` });
      continue;
    }
    const body = text
      .slice(meta.headerEnd)
      .replace(/^\r?\n/, '')
      .replace(/\r\n/g, '\n');
    if (body === derived.body) {
      out.push({ doc, status: 'ok', message: '' });
      continue;
    }
    const line = firstDifferentLine(body, derived.body) + lineOf(text, meta.headerEnd) + 1;
    out.push({
      doc,
      status: 'changed',
      line,
      message: `${doc}:${line}: the text differs from what its original gives (edited since it was captured, or made by another version of the tool).`,
    });
  }
  return out;
}

function firstDifferentLine(a: string, b: string): number {
  const la = a.split('\n');
  const lb = b.split('\n');
  let i = 0;
  while (i < la.length && i < lb.length && la[i] === lb[i]) i++;
  return i + 1;
}

/** Lines before `offset`. */
function lineOf(text: string, offset: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
