// Document metadata: the "Key: value" header that news-style text files carry at their head, or YAML front
// matter in Markdown. Pure functions over the document text; offsets are UTF-16 code units.
import type { Node as YamlNode } from 'yaml';
import { yamlLib } from '../yaml';
import { wordList } from './wordList';

/** Which metadata convention the head of a document follows. */
export type MetadataConvention = 'header' | 'front-matter' | 'none';

/** Where a title came from: a `Title:`/`title` field, a Markdown `# heading`, or a guess from a short first line. */
export type TitleSource = 'field' | 'heading' | 'first-line';

export interface DocumentMetadata {
  convention: MetadataConvention;
  /** Field name → value, in document order (keys as written, e.g. "Article Source"); repeated keys are joined with ", ". */
  fields: Record<string, string>;
  title?: string;
  titleSource?: TitleSource;
  /** UTF-16 offset just past the header block (after its last line break); 0 when there is none. */
  headerEnd: number;
  /** Why front matter that looked present was ignored (parse error, not a mapping, not closed). */
  warning?: string;
}

/**
 * Keys accepted at the head of a document whatever their capitalisation (compared lower-cased).
 * Collected from news exports, wire copy and blog scrapes; others need the stricter unknown-key rule.
 */
const KNOWN_KEYS = new Set(
  wordList(`
  article source, source, sources, original source, author, authors, by, byline, writer, written by, reporter,
  reporters, correspondent, editor, editors, edited by, editor in chief, translator, translated by,
  credited from, credit, credits, courtesy of, via, published, published on, published at, publish date,
  publication date, date, dateline, updated, last updated, modified, title, headline, subtitle, url, link,
  original url, source url, permalink, publisher, publication, outlet, agency, news agency, copyright, language,
  lang, category, categories, section, tags, keywords, topic, topics, location, place, country, region,
`),
);

const TITLE_KEYS = new Set(['title', 'headline']);

/**
 * A candidate header line: a key of 1–4 words of letters (hyphens allowed, no digits, no apostrophes or other
 * sentence punctuation), then a colon (ASCII or full-width) and a non-empty value. No indentation: an indented line
 * is body text. Capitalisation is checked per key in headerEntry.
 */
const HEADER_LINE = /^(\p{L}[\p{L}-]*(?:[ \t]+\p{L}[\p{L}-]*){0,3})[ \t]*[:：][ \t]*(\S.*?)[ \t]*$/u;

/** Image credits and captions describe the picture that follows, which belongs to the body; they end a header. */
const IMAGE_KEY = /^(?:image|images|photo|photos|picture|pic|caption|illustration|graphic|video)\b/i;

/** Longest value a known key may have on the header line; a longer "Source: …" is a sentence of the body. */
const MAX_KNOWN_VALUE = 300;
/** Unknown keys are only taken with short values that do not end a sentence (a heading such as "Note: see below." is body). */
const MAX_UNKNOWN_VALUE = 80;
/** Longest line taken as a title when guessing from the first line. */
const MAX_TITLE_LINE = 150;

const MARKDOWN_PATH = /\.(?:md|markdown|mdown|mkd|mkdn|mdx|qmd|rmd)$/i;

/** Caps YAML alias expansion in front matter (a "billion laughs" document must not hang the editor). */
const FRONT_MATTER_MAX_ALIASES = 10;

interface Line {
  /** Offset of the first character. */
  start: number;
  /** Offset just past the line break (or the end of the text). */
  next: number;
  /** The line without its \n or \r\n. */
  text: string;
}

/** The line that starts at `start`, or undefined at the end of the text. */
function lineAt(text: string, start: number): Line | undefined {
  if (start >= text.length) return undefined;
  const nl = text.indexOf('\n', start);
  const end = nl === -1 ? text.length : nl;
  const body = text.slice(start, end);
  return { start, next: nl === -1 ? text.length : nl + 1, text: body.endsWith('\r') ? body.slice(0, -1) : body };
}

/** Own enumerable property, safe for keys such as "__proto__" that front matter may contain. */
function setField(fields: Record<string, string>, key: string, value: string): void {
  const prev = Object.prototype.hasOwnProperty.call(fields, key) ? fields[key] : undefined;
  Object.defineProperty(fields, key, {
    value: prev === undefined ? value : `${prev}, ${value}`,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/**
 * Reads a document's metadata.
 *
 * Header rule ("Key: value" lines, convention 'header'): only the first block of lines of the document counts,
 * after optional blank lines; the block ends at the first line that is not a header line (blank or not), so a
 * "Note: …" or "Image Source: …" further down is always body. A header line is `Key: value` with no indentation,
 * a key of 1–4 words of letters and a non-empty value. A key is taken when
 * - it is a known key (Article Source, Source, Author(s), Editor, Credited from, Published, Date, Title, URL,
 *   Publisher, Byline, … in any capitalisation) with a value of at most 300 characters, or
 * - it is an unknown key in Title Case (every word capitalised) whose value is at most 80 characters and does not
 *   end with sentence punctuation (. ! ?), and the block is followed by body text.
 * Image and photo credits ("Image Source: …") end the block. A first sentence with a colon ("Putin's hope for AI:
 * …") is not a header: apostrophes, digits and lower-case words in an unknown key rule it out.
 *
 * Front matter (convention 'front-matter'): in Markdown (by `path`; any document when `path` is not given), a
 * YAML mapping between a first line `---` and a closing `---` or `...` line. It is parsed with the YAML 1.2 core
 * schema, no custom tags, aliases capped; scalars are kept as written (so `1.0` stays "1.0"), lists of scalars are
 * joined with ", ", nulls and nested mappings are left out. If it does not parse, the result is convention 'none'
 * with a `warning`.
 *
 * Title: a `Title`/`Headline` field; otherwise, after the header, a Markdown `# heading`; otherwise a guess
 * (`titleSource: 'first-line'`): the first non-blank line when it is short, does not end with . , ; or :, does
 * not start in lower case, and stands alone (a blank line follows, then more text).
 *
 * A leading byte order mark and CRLF line ends are tolerated; offsets count them as the text does.
 */
export function parseDocumentMetadata(text: string, path?: string): DocumentMetadata {
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const markdown = path === undefined || MARKDOWN_PATH.test(path);
  let result: DocumentMetadata | undefined;
  let warning: string | undefined;
  if (markdown) {
    const fm = parseFrontMatter(text, bom, path);
    if (fm && 'warning' in fm) warning = fm.warning;
    else if (fm) result = fm;
  }
  result ??= parseHeader(text, bom) ?? { convention: 'none', fields: {}, headerEnd: 0 };
  if (warning !== undefined) result.warning = warning;
  if (result.title === undefined) {
    const guess = guessTitle(text, result.headerEnd || bom, markdown);
    if (guess) {
      result.title = guess.title;
      result.titleSource = guess.source;
    }
  }
  return result;
}

function titleFromFields(fields: Record<string, string>): string | undefined {
  for (const [k, v] of Object.entries(fields)) if (TITLE_KEYS.has(k.toLowerCase()) && v.trim() !== '') return v.trim();
  return undefined;
}

function withTitle(meta: DocumentMetadata): DocumentMetadata {
  const title = titleFromFields(meta.fields);
  if (title !== undefined) {
    meta.title = title;
    meta.titleSource = 'field';
  }
  return meta;
}

function parseHeader(text: string, from: number): DocumentMetadata | undefined {
  const taken: { key: string; value: string; known: boolean }[] = [];
  let headerEnd = 0;
  let seenHeader = false;
  let bodyFollows = false;
  for (let line = lineAt(text, from); line; line = lineAt(text, line.next)) {
    if (!seenHeader && line.text.trim() === '') continue; // blank lines before the header
    const m = HEADER_LINE.exec(line.text);
    const entry = m ? headerEntry(m[1], m[2]) : undefined;
    if (!entry) {
      bodyFollows = text.slice(line.start).trim() !== '';
      break;
    }
    taken.push(entry);
    seenHeader = true;
    headerEnd = line.next;
  }
  if (taken.length === 0) return undefined;
  // Unknown keys on their own could be a heading or a one-line document; only a header followed by text is one.
  if (!bodyFollows && taken.some((e) => !e.known)) return undefined;
  const fields: Record<string, string> = {};
  for (const e of taken) setField(fields, e.key, e.value);
  return withTitle({ convention: 'header', fields, headerEnd });
}

function headerEntry(rawKey: string, value: string): { key: string; value: string; known: boolean } | undefined {
  const key = rawKey.replace(/[ \t]+/g, ' ');
  if (IMAGE_KEY.test(key)) return undefined;
  if (KNOWN_KEYS.has(key.toLowerCase())) {
    return value.length <= MAX_KNOWN_VALUE ? { key, value, known: true } : undefined;
  }
  const titleCase = key.split(' ').every((w) => /^\p{Lu}/u.test(w));
  if (!titleCase || value.length > MAX_UNKNOWN_VALUE || /[.!?]$/.test(value)) return undefined;
  return { key, value, known: false };
}

type FrontMatterResult = DocumentMetadata | { warning: string } | undefined;

function parseFrontMatter(text: string, from: number, path: string | undefined): FrontMatterResult {
  const first = lineAt(text, from);
  if (!first || !/^---[ \t]*$/.test(first.text)) return undefined;
  const where = path ?? 'document';
  let close: Line | undefined;
  for (let line = lineAt(text, first.next); line; line = lineAt(text, line.next)) {
    if (/^(?:---|\.\.\.)[ \t]*$/.test(line.text)) {
      close = line;
      break;
    }
  }
  if (!close) {
    return { warning: `${where}:1:1: front matter starts with --- but is never closed; add a line --- after it.` };
  }
  const source = text.slice(first.next, close.start);
  const { isMap, isScalar, parseDocument } = yamlLib();
  const doc = parseDocument(source, {
    version: '1.2',
    schema: 'core',
    customTags: [],
    resolveKnownTags: false,
    merge: false,
    uniqueKeys: true,
    strict: true,
    prettyErrors: true,
  });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    // Front matter starts on the document's second line.
    const pos = problem.linePos?.[0];
    const line = (pos?.line ?? 1) + 1;
    const col = pos?.col ?? 1;
    const what = problem.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    return { warning: `${where}:${line}:${col}: front matter is not valid YAML (${what}); it was ignored. Fix the YAML.` };
  }
  try {
    doc.toJS({ maxAliasCount: FRONT_MATTER_MAX_ALIASES }); // only to enforce the alias cap
  } catch (e) {
    return { warning: `${where}:2:1: front matter was ignored: ${(e as Error).message}. Remove the aliases.` };
  }
  const fields: Record<string, string> = {};
  const root = doc.contents;
  if (root !== null && !isMap(root) && !(isScalar(root) && root.value === null)) {
    return { warning: `${where}:2:1: front matter is not a mapping of keys to values; it was ignored.` };
  }
  if (isMap(root)) {
    for (const pair of root.items) {
      if (!isScalar(pair.key) || pair.key.value === null) continue;
      const value = flatten(pair.value as YamlNode | null);
      if (value !== undefined) setField(fields, scalarText(pair.key), value);
    }
  }
  return withTitle({ convention: 'front-matter', fields, headerEnd: close.next });
}

/** A scalar as its author wrote it: strings unescaped, numbers and booleans in their source spelling. */
function scalarText(node: { value: unknown; source?: string }): string {
  return typeof node.value === 'string' ? node.value : (node.source ?? String(node.value));
}

function flatten(node: YamlNode | null): string | undefined {
  const { isScalar, isSeq } = yamlLib();
  if (isScalar(node)) return node.value === null ? undefined : scalarText(node);
  if (isSeq(node)) {
    const parts: string[] = [];
    for (const item of node.items) {
      if (!isScalar(item)) return undefined; // a list of mappings is structure, not a field
      if (item.value !== null) parts.push(scalarText(item));
    }
    return parts.join(', ');
  }
  return undefined;
}

function guessTitle(text: string, from: number, markdown: boolean): { title: string; source: TitleSource } | undefined {
  let first = lineAt(text, from);
  while (first && first.text.trim() === '') first = lineAt(text, first.next);
  if (!first) return undefined;
  if (markdown) {
    const h = /^#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$/.exec(first.text);
    if (h) return { title: h[1], source: 'heading' };
  }
  const t = first.text.trim();
  if (t.length > MAX_TITLE_LINE || /[.,;:]$/.test(t) || /^\p{Ll}/u.test(t) || !/\p{L}/u.test(t)) return undefined;
  const after = lineAt(text, first.next);
  if (!after || after.text.trim() !== '') return undefined;
  if (text.slice(after.next).trim() === '') return undefined;
  return { title: t, source: 'first-line' };
}
