// An HTML page as Markdown: its metadata (JSON-LD, Open Graph, <meta> tags, <title>) and its main text, found by
// Readability over a DOM built with linkedom and converted by Turndown. Navigation, "See also" lists, subscription
// and comment boxes are left out. Deterministic: the same page and URL give the same Markdown.
import { linkedom, readability, turndown } from './libs';
import type { SourceMetadata } from './source';

/** Elements that are never the article's text. */
const NEVER_TEXT = [
  'script',
  'style',
  'noscript',
  'template',
  'iframe',
  'nav',
  'aside',
  'footer',
  'form',
  'button',
  'dialog',
  'svg',
  'canvas',
  'img',
  'picture',
  'video',
  'audio',
  '[role="navigation"]',
  '[role="complementary"]',
  '[role="contentinfo"]',
  '[role="dialog"]',
  '[aria-hidden="true"]',
  '[hidden]',
].join(',');

/** Class or id words of boxes around an article: comments, sign-ups, sharing, related links, cookie notices. */
const BOILERPLATE =
  /(?:^|[\s_-])(?:comments?|comment-list|discussion|disqus|replies|subscribe|subscription|newsletter|signup|sign-up|paywall|promo|share|sharing|social|related|see-also|seealso|read-more|more-stories|recommended|cookie|consent|breadcrumbs?|byline-share)(?:$|[\s_-])/i;

/** Headings that open a list of links to elsewhere rather than text; the heading and what follows it up to the next
 *  heading of the same or a higher level are left out. */
const LINK_LIST_HEADING =
  /^(?:see also|related(?: articles| stories| posts| reading| content)?|read more|read next|more from .*|more stories|you (?:may|might) also like|recommended(?: for you)?|comments?(?: \(\d+\))?|leave a (?:comment|reply)|join the discussion|sign up.*|subscribe.*|share this.*)$/i;

interface DomElement {
  tagName: string;
  textContent: string | null;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  remove(): void;
  nextElementSibling: DomElement | null;
  querySelectorAll(selector: string): Iterable<DomElement>;
  className?: string;
  id?: string;
}

export interface HtmlCapture {
  markdown: string;
  metadata: SourceMetadata;
}

/** Converts a page. `url` is where it was fetched (or its canonical address), for links relative to it. */
export function htmlToMarkdown(html: string, url?: string): HtmlCapture {
  const { parseHTML } = linkedom();
  const document = (parseHTML(html) as unknown as { document: DomElement & { body?: { innerHTML: string } } }).document;
  const root = document;
  const metadata = pageMetadata(root);
  const base = url ?? metadata.url;

  for (const el of [...root.querySelectorAll(NEVER_TEXT)]) el.remove();
  for (const el of [...root.querySelectorAll('[class],[id]')]) {
    if (el.tagName === 'BODY' || el.tagName === 'HTML' || el.tagName === 'MAIN' || el.tagName === 'ARTICLE') continue;
    if (BOILERPLATE.test(el.getAttribute('class') ?? '') || BOILERPLATE.test(el.getAttribute('id') ?? '')) el.remove();
  }

  const { Readability } = readability();
  const article = new Readability(document as never, { keepClasses: false, charThreshold: 200 }).parse();
  metadata.title ??= clean(article?.title);
  metadata.author ??= clean(article?.byline);
  metadata.site ??= clean(article?.siteName);
  metadata.published ??= clean(article?.publishedTime);

  const content = article?.content ?? document.body?.innerHTML ?? '';
  const fragment = parseHTML(`<!DOCTYPE html><html><body>${content}</body></html>`) as unknown as { document: { body: DomElement } };
  const body = fragment.document.body;
  dropLinkLists(body);
  for (const el of [...body.querySelectorAll(NEVER_TEXT)]) el.remove();
  if (base) absolutise(body, base);

  const TurndownService = turndown();
  const service = new TurndownService({
    headingStyle: 'atx',
    hr: '---',
    bulletListMarker: '-',
    codeBlockStyle: 'fenced',
    emDelimiter: '_',
    strongDelimiter: '**',
    linkStyle: 'inlined',
  });
  let markdown = tidy(service.turndown(body as never));
  // Readability takes the title out of the text; the document shows it as its first heading.
  if (metadata.title && !/^#{1,2} /.test(markdown)) markdown = `# ${metadata.title}\n\n${markdown}`;
  return { markdown: markdown.endsWith('\n') ? markdown : markdown + '\n', metadata };
}

/** Removes each "See also"-style heading with what follows it up to the next heading of its level or above. */
function dropLinkLists(body: DomElement): void {
  for (const h of [...body.querySelectorAll('h1,h2,h3,h4,h5,h6')]) {
    if (!LINK_LIST_HEADING.test(clean(h.textContent) ?? '')) continue;
    const level = Number(h.tagName.slice(1));
    let next = h.nextElementSibling;
    while (next && !(/^H[1-6]$/.test(next.tagName) && Number(next.tagName.slice(1)) <= level)) {
      const after: DomElement | null = next.nextElementSibling;
      next.remove();
      next = after;
    }
    h.remove();
  }
}

function absolutise(body: DomElement, base: string): void {
  for (const a of [...body.querySelectorAll('a[href]')]) {
    const href = a.getAttribute('href') ?? '';
    if (href.startsWith('#')) continue;
    try {
      a.setAttribute('href', new URL(href, base).href);
    } catch {
      // not a URL: kept as written
    }
  }
}

/** Trailing spaces off, at most one blank line in a row, no blank lines at either end. */
function tidy(markdown: string): string {
  return markdown
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function clean(s: string | null | undefined): string | undefined {
  const t = s?.replace(/\s+/g, ' ').trim();
  return t ? t : undefined;
}

/**
 * The page's metadata, most specific source first: schema.org JSON-LD (an Article, NewsArticle, BlogPosting, …),
 * then Open Graph and article: properties, then <meta name> tags (author, citation_*, Dublin Core), then <title>.
 */
export function pageMetadata(document: DomElement): SourceMetadata {
  const meta = new Map<string, string>();
  for (const m of document.querySelectorAll('meta[content]')) {
    const key = (m.getAttribute('property') ?? m.getAttribute('name') ?? m.getAttribute('itemprop') ?? '').trim().toLowerCase();
    const value = clean(m.getAttribute('content'));
    if (key && value && !meta.has(key)) meta.set(key, value);
  }
  const ld = jsonLdArticle(document);
  const first = (...values: (string | undefined)[]): string | undefined => values.find((v) => v !== undefined && v !== '');
  const canonical = [...document.querySelectorAll('link[rel="canonical"][href]')][0]?.getAttribute('href') ?? undefined;
  const titleEl = [...document.querySelectorAll('title')][0];
  return {
    title: first(ld.title, meta.get('og:title'), meta.get('twitter:title'), meta.get('citation_title'), meta.get('dc.title'), clean(titleEl?.textContent)),
    author: first(ld.author, meta.get('author'), meta.get('article:author'), meta.get('citation_author'), meta.get('dc.creator'), meta.get('parsely-author')),
    site: first(ld.site, meta.get('og:site_name'), meta.get('application-name'), meta.get('citation_journal_title'), meta.get('dc.publisher')),
    published: first(
      ld.published,
      meta.get('article:published_time'),
      meta.get('citation_publication_date'),
      meta.get('citation_date'),
      meta.get('dc.date'),
      meta.get('date'),
      meta.get('pubdate'),
    ),
    url: first(ld.url, meta.get('og:url'), clean(canonical)),
  };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const ARTICLE_TYPES =
  /^(?:Article|NewsArticle|BlogPosting|ReportageNewsArticle|AnalysisNewsArticle|OpinionNewsArticle|ScholarlyArticle|Report|WebPage|TechArticle|SocialMediaPosting|LiveBlogPosting|Blog)$/;

function jsonLdArticle(document: DomElement): Partial<Record<'title' | 'author' | 'site' | 'published' | 'url', string>> {
  const found: { [k: string]: Json }[] = [];
  for (const s of document.querySelectorAll('script[type="application/ld+json"]')) {
    let data: Json;
    try {
      data = JSON.parse(s.textContent ?? '') as Json;
    } catch {
      continue; // a broken block says nothing; the other sources still do
    }
    collect(data, found);
  }
  // An article beats the page that holds it.
  const article =
    found.find((o) => types(o).some((t) => t !== 'WebPage' && ARTICLE_TYPES.test(t))) ?? found.find((o) => types(o).some((t) => ARTICLE_TYPES.test(t)));
  if (!article) return {};
  return {
    title: text(article.headline) ?? text(article.name),
    author: names(article.author),
    site: names(article.publisher) ?? names(article.isPartOf),
    published: text(article.datePublished) ?? text(article.dateCreated),
    url: text(article.url) ?? (typeof article.mainEntityOfPage === 'string' ? article.mainEntityOfPage : undefined),
  };
}

function collect(data: Json, out: { [k: string]: Json }[]): void {
  if (Array.isArray(data)) for (const d of data) collect(d, out);
  else if (data && typeof data === 'object') {
    if (data['@type'] !== undefined) out.push(data);
    if (data['@graph'] !== undefined) collect(data['@graph'], out);
  }
}

function types(o: { [k: string]: Json }): string[] {
  const t = o['@type'];
  return Array.isArray(t) ? t.filter((x): x is string => typeof x === 'string') : typeof t === 'string' ? [t] : [];
}

function text(v: Json | undefined): string | undefined {
  return typeof v === 'string' ? clean(v) : undefined;
}

/** A person or organisation, or a list of them, as "A, B". */
function names(v: Json | undefined): string | undefined {
  const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
  const out = list
    .map((x) => (typeof x === 'string' ? clean(x) : x && typeof x === 'object' && !Array.isArray(x) ? text(x.name) : undefined))
    .filter((x): x is string => x !== undefined);
  return out.length > 0 ? [...new Set(out)].join(', ') : undefined;
}
