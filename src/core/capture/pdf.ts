// A PDF as Markdown text, page by page, with pdf.js: each page starts with a marker line `<!-- page N -->` (invisible
// in a Markdown preview) so a passage can be cited by its page. Lines follow the PDF's text lines; a gap between
// lines larger than the text's height starts a new paragraph. The text is not escaped: what is annotated is what the
// PDF says.
import { UserError } from '../model';
import { pdfjs } from './libs';
import { pageMarker } from './pages';
import type { SourceMetadata } from './source';

interface TextItem {
  str: string;
  hasEOL: boolean;
  transform: number[];
  height: number;
}

export interface PdfCapture {
  markdown: string;
  metadata: SourceMetadata;
  pages: number;
}

/** `name` names the PDF in errors. */
export async function pdfToMarkdown(bytes: Uint8Array, name: string): Promise<PdfCapture> {
  // pdf.js takes the buffer over (it is transferred to the worker): give it a copy.
  const task = pdfjs().getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, useSystemFonts: false, disableFontFace: true, verbosity: 0 });
  let pdf;
  try {
    pdf = await task.promise;
  } catch (e) {
    await task.destroy();
    throw new UserError(`${name} could not be read as a PDF (${(e as Error).message}); check that the file is a complete, unencrypted PDF.`, { file: name });
  }
  try {
    const info = ((await pdf.getMetadata()).info ?? {}) as Record<string, unknown>;
    const parts: string[] = [];
    for (let n = 1; n <= pdf.numPages; n++) {
      const page = await pdf.getPage(n);
      const content = await page.getTextContent();
      parts.push(pageMarker(n) + '\n\n' + pageText(content.items.filter(isTextItem)));
      page.cleanup();
    }
    const markdown = parts.map((p) => p.trimEnd()).join('\n\n') + '\n';
    return {
      markdown,
      pages: pdf.numPages,
      metadata: { title: infoText(info.Title), author: infoText(info.Author), published: pdfDate(info.CreationDate) },
    };
  } finally {
    await pdf.destroy();
  }
}

function isTextItem(x: unknown): x is TextItem {
  return typeof x === 'object' && x !== null && typeof (x as TextItem).str === 'string' && Array.isArray((x as TextItem).transform);
}

/** The page's lines; a vertical gap of more than 1.5 line heights between two lines is a paragraph break. */
function pageText(items: readonly TextItem[]): string {
  const lines: { text: string; y: number; height: number }[] = [];
  let current: { text: string; y: number; height: number } | undefined;
  for (const item of items) {
    const y = item.transform[5];
    const height = item.height || Math.abs(item.transform[3]) || 10;
    if (current && Math.abs(current.y - y) > height / 2 && item.str !== '') {
      lines.push(current);
      current = undefined;
    }
    if (!current) current = { text: '', y, height };
    current.text += item.str;
    current.height = Math.max(current.height, height);
    if (item.hasEOL) {
      lines.push(current);
      current = undefined;
    }
  }
  if (current) lines.push(current);
  let out = '';
  let prev: { y: number; height: number } | undefined;
  for (const line of lines) {
    const text = line.text.replace(/\s+$/, '');
    if (text.trim() === '') continue;
    if (prev) out += prev.y - line.y > prev.height * 1.5 || line.y > prev.y ? '\n\n' : '\n';
    out += text;
    prev = line;
  }
  return out;
}

function infoText(v: unknown): string | undefined {
  const t = typeof v === 'string' ? v.replace(/\s+/g, ' ').trim() : '';
  return t ? t : undefined;
}

/** A PDF date ("D:20240102093000+01'00'") as ISO 8601 (a date alone when it has no time). */
export function pdfDate(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(Z|[+-]\d{2}'?\d{2}'?)?/.exec(v.trim());
  if (!m) return undefined;
  const [, y, mo = '01', d = '01', h, mi = '00', s = '00', tz] = m;
  if (h === undefined) return `${y}-${mo}-${d}`;
  const zone = !tz || tz === 'Z' ? 'Z' : `${tz.slice(0, 3)}:${tz.replace(/'/g, '').slice(3, 5) || '00'}`;
  return `${y}-${mo}-${d}T${h}:${mi}:${s}${zone}`;
}
