// W3C Web Annotation import: one Annotation, a list of them, or an AnnotationCollection (embedded or paged across
// files), from Marginalia or from another tool, each checked and located (file, line, column, JSON path) before
// anything is kept. Code point positions come back as UTF-16 offsets when the document's text is given.
import { isId, newId, PathError, toRelPath, makeQuote, compareCodeUnits, plural, normaliseRelations, relationKey } from '../model';
import type { AnchorState, Annotation, AttributeValue, Relation } from '../model';
import { describeValue, formatPath, schemaProblem, type ValuePath, type YamlFileErrorCode, validator } from '../yaml';
import { ExportFormatError, type ExportedDocument } from './exportInput';
import { CodePointText } from './codePoints';
import { parseJsonLocated, type LocatedJson } from './locatedJson';
import { ANNO_CONTEXT, DEFAULT_ANNOTATION_BASE, DEFAULT_DOCUMENT_BASE, UNKNOWN_DOC_HASH, type W3cIriOptions } from './w3cVocabulary';

export interface W3cImportOptions extends W3cIriOptions {
  /** The current text of a document (by workspace-relative path), to convert code points back to UTF-16 offsets.
   *  Without it positions are estimates (code point = UTF-16 offset) and the annotation is listed in needsReanchor. */
  textFor?: (path: string) => string | undefined;
  /** Kind for annotations from other tools, which carry no marginalia:kind. Without it their kind comes from the
   *  motivation (assessing → claim, identifying → entity, describing → figure) or the import fails. */
  defaultKind?: string;
  /** Author for annotations from other tools that name no creator. */
  author?: string;
  /** Tool recorded for annotations from other tools that name no generator; default "unknown". */
  tool?: string;
  /** The time given to annotations from other tools that carry no created/modified; default now. */
  now?: Date;
}

/** A document read back from a W3C export. */
export interface W3cImportedDocument extends ExportedDocument {
  /** Ids of annotations whose UTF-16 offsets are estimates (no text, another version of the text, or only a quote):
   *  re-anchor these against the current text before trusting their offsets. */
  needsReanchor: string[];
  /** What was read but had no place in a Marginalia annotation (extra targets' bodies, links), for people. */
  warnings: string[];
}

/** One file of a (possibly paged) W3C export. */
export interface W3cSourceFile {
  file: string;
  source: string;
}

const RELATION_TYPE = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

const REVERSE_MOTIVATIONS: Readonly<Record<string, string>> = { assessing: 'claim', identifying: 'entity', describing: 'figure' };

/**
 * Reads W3C Web Annotations back: a single Annotation, a JSON array of them, or an AnnotationCollection whose pages
 * are embedded (`first` with items). Throws ExportFormatError naming `file`, line and column for anything that is
 * not valid JSON or cannot become a Marginalia annotation. A collection whose later pages live in other files needs
 * parseW3cFiles.
 */
export function parseW3c(source: string, file: string, options: W3cImportOptions = {}): W3cImportedDocument[] {
  return parseW3cFiles([{ file, source }], options);
}

/**
 * Reads the files of a paged export (exportW3cPages writes them) and any standalone annotation files: pages are
 * matched to their collection by id and followed from `first` through `next`; the collection's `total` must match.
 */
export function parseW3cFiles(files: readonly W3cSourceFile[], options: W3cImportOptions = {}): W3cImportedDocument[] {
  const reader = new W3cReader(options);
  const parsed = files.map((f) => ({ file: f.file, json: parseJsonLocated(f.source, f.file) }));
  for (const p of parsed) reader.register(p.file, p.json);
  // Collections first, so that the pages they reach are read as part of them, whatever order the files come in.
  for (const p of parsed) if (isCollection(p.json.value)) reader.readTop(p.file, p.json);
  for (const p of parsed) if (!isCollection(p.json.value)) reader.readTop(p.file, p.json);
  return reader.result();
}

interface Located {
  file: string;
  json: LocatedJson;
}

/** One annotation being read: its JSON, where it is, and where each model field came from (for error messages). */
interface AnnotationSite {
  node: Json;
  path: ValuePath;
  where: Located;
  /** Written by Marginalia (it carries marginalia:kind): everything must be there. */
  ours: boolean;
  origin: Record<string, ValuePath>;
  at: (p: ValuePath) => ValuePath;
}

/** What the target of an annotation says. */
interface ReadTarget {
  target: Json;
  targetPath: ValuePath;
  docPath: string;
  text: CodePointText | undefined;
  docHash: unknown;
  quote: { exact: string; prefix: string; suffix: string };
  start: number;
  end: number;
  estimated: boolean;
}

interface PendingAnnotation {
  annotation: Annotation;
  estimated: boolean;
  at: string;
}

type Json = Record<string, unknown>;

class W3cReader {
  private readonly documentBase: string;
  private readonly annotationBase: string;
  private readonly pages = new Map<string, { node: Json; path: ValuePath; where: Located }>();
  private readonly consumedPages = new Set<string>();
  private readonly annotations: PendingAnnotation[] = [];
  private readonly texts = new Map<string, CodePointText | undefined>();
  private readonly warnings = new Map<string, string[]>();
  private readonly ids = new Map<string, string>();
  private readonly links: { from: string; relation: Relation; where: Located; path: ValuePath }[] = [];
  private readonly now: string;

  constructor(private readonly options: W3cImportOptions) {
    this.documentBase = options.documentBase ?? DEFAULT_DOCUMENT_BASE;
    this.annotationBase = options.annotationBase ?? DEFAULT_ANNOTATION_BASE;
    this.now = (options.now ?? new Date()).toISOString();
  }

  /** Remembers the standalone pages of every file, so a collection can follow `next` into them. */
  register(file: string, json: LocatedJson): void {
    const v = json.value;
    if (isObject(v) && hasType(v, 'AnnotationPage') && typeof v.id === 'string') this.pages.set(v.id, { node: v, path: [], where: { file, json } });
  }

  readTop(file: string, json: LocatedJson): void {
    const where = { file, json };
    const v = json.value;
    if (Array.isArray(v)) {
      v.forEach((item, i) => this.readAnnotation(item, [i], where, true));
      return;
    }
    if (!isObject(v))
      throw this.fail(where, [], 'schema', `not a W3C Web Annotation: the file holds ${describeJson(v)}, not an object or a list of annotations`);
    this.checkContext(v, [], where, true);
    if (hasType(v, 'Annotation')) this.readAnnotation(v, [], where, false);
    else if (hasType(v, 'AnnotationCollection')) this.readCollection(v, where);
    else if (hasType(v, 'AnnotationPage')) {
      // A page file is read as part of its collection; one whose collection was not given is read on its own.
      if (typeof v.id === 'string' && this.consumedPages.has(v.id)) return;
      this.readPageItems(v, [], where);
    } else {
      throw this.fail(
        where,
        has(v, 'type') ? ['type'] : [],
        'schema',
        `not a W3C Web Annotation: type is ${describeJson(v.type)}; expected Annotation, AnnotationCollection or AnnotationPage (or a list of annotations)`,
      );
    }
  }

  private readCollection(c: Json, where: Located): void {
    const total = c.total;
    if (total !== undefined && !(typeof total === 'number' && Number.isSafeInteger(total) && total >= 0)) {
      throw this.fail(where, ['total'], 'schema', `the collection's total must be a whole number ≥ 0, not ${describeJson(total)}`);
    }
    let count = 0;
    let page: unknown = c.first;
    let path: ValuePath = ['first'];
    let at: Located = where;
    const seen = new Set<string>();
    while (page !== undefined) {
      if (typeof page === 'string') {
        const found = this.pages.get(page);
        if (!found) {
          throw this.fail(
            at,
            path,
            'invalid',
            `the collection continues on page ${page}, which is not in ${where.file}${this.pages.size > 0 ? ' or the other files given' : ''}; import all the page files together`,
          );
        }
        page = found.node;
        path = found.path;
        at = found.where;
      }
      if (!isObject(page) || !hasType(page, 'AnnotationPage')) throw this.fail(at, path, 'schema', `this must be an AnnotationPage, not ${describeJson(page)}`);
      const id = typeof page.id === 'string' ? page.id : undefined;
      if (id !== undefined) {
        if (seen.has(id)) throw this.fail(at, [...path, 'next'], 'invalid', `the pages loop back to ${id}; each page must appear once`);
        seen.add(id);
        this.consumedPages.add(id);
      }
      count += this.readPageItems(page, path, at);
      const next = page.next;
      if (next === undefined) break;
      if (typeof next !== 'string') throw this.fail(at, [...path, 'next'], 'schema', `next must be the IRI of the following page, not ${describeJson(next)}`);
      page = next;
      path = [...path, 'next'];
    }
    if (typeof total === 'number' && count !== total) {
      throw this.fail(
        where,
        ['total'],
        'invalid',
        `the collection says it holds ${plural(total, 'annotation')} but its pages hold ${count}; some page files are missing, or the file was cut short`,
      );
    }
  }

  /** Reads a page's items; returns how many. */
  private readPageItems(page: Json, path: ValuePath, where: Located): number {
    const items = page.items;
    if (!Array.isArray(items))
      throw this.fail(
        where,
        has(page, 'items') ? [...path, 'items'] : path,
        'schema',
        `an AnnotationPage must list its annotations in "items", not ${describeJson(items)}`,
      );
    items.forEach((item, i) => this.readAnnotation(item, [...path, 'items', i], where, true));
    return items.length;
  }

  /** An @context, where present, must include the W3C context; embedded items inherit their container's. */
  private checkContext(node: Json, path: ValuePath, where: Located, required: boolean): void {
    const ctx = node['@context'];
    if (ctx === undefined && !required) return;
    const list = Array.isArray(ctx) ? ctx : [ctx];
    if (!list.some((c) => c === ANNO_CONTEXT || c === 'https://www.w3.org/ns/anno.jsonld')) {
      throw this.fail(
        where,
        ctx === undefined ? path : [...path, '@context'],
        'schema',
        `not a W3C Web Annotation: its @context ${ctx === undefined ? 'is missing' : 'does not include'} ${ANNO_CONTEXT}`,
      );
    }
  }

  private readAnnotation(value: unknown, path: ValuePath, where: Located, embedded: boolean): void {
    if (typeof value === 'string') {
      throw this.fail(where, path, 'invalid', `the annotation ${value} is given by IRI only; export it with its full description (embedded in the page)`);
    }
    if (!isObject(value) || !hasType(value, 'Annotation'))
      throw this.fail(where, path, 'schema', `this must be an Annotation (type "Annotation"), not ${describeJson(value)}`);
    this.checkContext(value, path, where, !embedded);
    if (has(value, 'marginalia:relationType')) {
      this.readLink(value, path, where);
      return;
    }
    const site: AnnotationSite = { node: value, path, where, ours: has(value, 'marginalia:kind'), origin: {}, at: (p) => [...path, ...p] };
    const t = this.readTarget(site);
    const { notes, tags, attributes } = this.readBodies(site, t.docPath);
    const kind = this.readKind(site, t.docPath, tags, attributes);
    const { author, created, modified, tool, hash } = this.readProvenance(site, t);
    const anchor = this.readAnchorState(site, t);
    const id = this.readId(site, created);
    const { quote, start, end, estimated, docPath } = t;
    const { origin, at } = site;
    const raw = {
      id,
      kind,
      quote,
      start: { offset: start },
      end: { offset: end },
      note: notes.join('\n\n'),
      attributes,
      provenance: { author, created, modified, tool, docHash: hash },
      status: anchor,
    };
    this.validate(raw, origin, path, where);
    const prev = this.ids.get(id);
    if (prev !== undefined)
      throw this.fail(where, at(['id']), 'invalid', `annotation id ${id} is used twice (also at ${prev}); ids must be unique, remove the copy`);
    this.ids.set(id, `${where.file}:${formatPath(path) || '(top)'}`);
    const state: AnchorState = { status: anchor.status as AnchorState['status'] };
    if (anchor.method !== undefined) state.method = anchor.method as AnchorState['method'];
    if (anchor.detail !== undefined) state.detail = anchor.detail as string;
    this.annotations.push({
      annotation: {
        id,
        kind: kind as string,
        doc: docPath,
        target: { start, end, quote },
        note: raw.note,
        attributes,
        provenance: raw.provenance as Annotation['provenance'],
        anchor: state,
      },
      estimated,
      at: formatPath(path),
    });
  }

  /** A relation (a linking annotation Marginalia wrote): kept until every annotation is read, then put on the
   *  annotation it starts from (its target). */
  private readLink(node: Json, path: ValuePath, where: Located): void {
    const at = (p: ValuePath): ValuePath => [...path, ...p];
    const type = node['marginalia:relationType'];
    if (typeof type !== 'string' || !RELATION_TYPE.test(type)) {
      throw this.fail(
        where,
        at(['marginalia:relationType']),
        'schema',
        `marginalia:relationType must be a relation type name (${RAW_HINTS.kind}), not ${describeJson(type)}`,
      );
    }
    const end = (key: 'target' | 'body'): string => {
      let v: unknown = node[key];
      let p: ValuePath = [key];
      if (Array.isArray(v) && v.length === 1) [v, p] = [v[0], [key, 0]];
      if (isObject(v) && typeof v.id === 'string') [v, p] = [v.id, [...p, 'id']];
      const rest =
        typeof v !== 'string' ? '' : v.startsWith(this.annotationBase) ? v.slice(this.annotationBase.length) : (/[0-9A-HJKMNP-TV-Z]{26}$/.exec(v)?.[0] ?? '');
      if (!isId(rest)) {
        throw this.fail(
          where,
          at(p),
          'schema',
          `a link's ${key} must be the IRI of one annotation (${this.annotationBase} and a ULID), not ${describeJson(v)}`,
        );
      }
      return rest;
    };
    const from = end('target');
    const to = end('body');
    if (from === to)
      throw this.fail(where, at(['body']), 'invalid', `the link joins annotation ${from} to itself; a relation joins two annotations, remove it`);
    const creator = Array.isArray(node.creator) ? node.creator[0] : node.creator;
    const author = isObject(creator) && typeof creator.name === 'string' ? creator.name : typeof creator === 'string' ? creator : '';
    const created = node.created;
    if (typeof created !== 'string' || !validator('dateTime')(created)) {
      throw this.fail(
        where,
        has(node, 'created') ? at(['created']) : path,
        'schema',
        `a link's created must be an ISO 8601 date and time, not ${describeJson(created)}`,
      );
    }
    this.links.push({ from, relation: { type, to, author, created }, where, path });
  }

  /** Target: exactly one passage of one document, its offsets in UTF-16 (exact, or estimated for re-anchoring). */
  private readTarget(site: AnnotationSite): ReadTarget {
    const { node, where, origin, at } = site;
    let target: unknown = node.target;
    let targetPath: ValuePath = ['target'];
    if (Array.isArray(target)) {
      if (target.length !== 1)
        throw this.fail(
          where,
          at(['target']),
          'invalid',
          `the annotation has ${plural(target.length, 'target')}; a Marginalia annotation marks one passage of one document, so split it into one annotation per target`,
        );
      target = target[0];
      targetPath = ['target', 0];
    }
    if (typeof target === 'string' || (isObject(target) && !has(target, 'selector'))) {
      throw this.fail(
        where,
        at(targetPath),
        'invalid',
        `the annotation targets a whole document; Marginalia needs a passage: a SpecificResource with a TextQuoteSelector or TextPositionSelector`,
      );
    }
    if (!isObject(target)) throw this.fail(where, at(targetPath), 'schema', `the target must be a SpecificResource object, not ${describeJson(target)}`);
    const sourceValue = isObject(target.source) ? target.source.id : target.source;
    const sourcePath = isObject(target.source) ? [...targetPath, 'source', 'id'] : [...targetPath, 'source'];
    if (typeof sourceValue !== 'string')
      throw this.fail(where, at(sourcePath), 'schema', `the target's source must be the document's IRI, not ${describeJson(sourceValue)}`);
    const docPath = this.pathOf(sourceValue, where, at(sourcePath));

    const selectorList = Array.isArray(target.selector) ? target.selector : [target.selector];
    let quoteSel: Json | undefined;
    let quoteIdx = -1;
    let posSel: Json | undefined;
    let posIdx = -1;
    selectorList.forEach((s, i) => {
      if (!isObject(s)) return;
      if (s.type === 'TextQuoteSelector' && quoteSel === undefined) [quoteSel, quoteIdx] = [s, i];
      if (s.type === 'TextPositionSelector' && posSel === undefined) [posSel, posIdx] = [s, i];
    });
    const selPath = (i: number): ValuePath => (Array.isArray(target.selector) ? [...targetPath, 'selector', i] : [...targetPath, 'selector']);
    const u16Start = target['marginalia:utf16Start'];
    const u16End = target['marginalia:utf16End'];
    if (!quoteSel && !posSel && u16Start === undefined) {
      throw this.fail(
        where,
        at([...targetPath, 'selector']),
        'invalid',
        `the target has no TextQuoteSelector or TextPositionSelector, the only selectors that locate a passage of plain text`,
      );
    }

    const text = this.textFor(docPath);
    const docHash = target['marginalia:docHash'];
    const knownHash = typeof docHash === 'string' ? docHash : undefined;
    let quote = { exact: '', prefix: '', suffix: '' };
    if (quoteSel) {
      for (const k of ['exact', 'prefix', 'suffix'] as const) {
        const v = quoteSel[k];
        if (v === undefined && k !== 'exact') continue;
        if (typeof v !== 'string')
          throw this.fail(where, at([...selPath(quoteIdx), k]), 'schema', `the TextQuoteSelector's ${k} must be text, not ${describeJson(v)}`);
        quote[k] = v;
      }
      origin['quote.exact'] = at([...selPath(quoteIdx), 'exact']);
    }

    let start: number;
    let end: number;
    let estimated = false;
    if (posSel) {
      const cp: number[] = [];
      for (const k of ['start', 'end'] as const) {
        const v = posSel[k];
        if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
          throw this.fail(
            where,
            at([...selPath(posIdx), k]),
            'schema',
            `the TextPositionSelector's ${k} must be a whole number ≥ 0 (a code point offset), not ${describeJson(v)}`,
          );
        }
        cp.push(v);
      }
      if (cp[0] > cp[1])
        throw this.fail(where, at([...selPath(posIdx), 'end']), 'invalid', `the TextPositionSelector ends (${cp[1]}) before it starts (${cp[0]})`);
      const s16 = text?.toUtf16(cp[0]);
      const e16 = text?.toUtf16(cp[1]);
      if (text !== undefined && s16 !== undefined && e16 !== undefined) {
        [start, end] = [s16, e16];
        // Exact only when the text is the version the position was made against and the quote is where it says.
        estimated = (knownHash !== undefined && knownHash !== text.hash) || (quoteSel !== undefined && text.text.slice(s16, e16) !== quote.exact);
      } else {
        // No text (or a shorter one): a code point offset is the UTF-16 offset when nothing before it is astral.
        [start, end] = cp;
        estimated = true;
      }
      origin['start'] = at([...selPath(posIdx), 'start']);
      origin['end'] = at([...selPath(posIdx), 'end']);
    } else if (u16Start !== undefined || u16End !== undefined) {
      for (const [k, v] of [
        ['marginalia:utf16Start', u16Start],
        ['marginalia:utf16End', u16End],
      ] as const) {
        if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
          throw this.fail(where, at([...targetPath, k]), 'schema', `${k} must be a whole number ≥ 0 (a UTF-16 offset), not ${describeJson(v)}`);
      }
      [start, end] = [u16Start as number, u16End as number];
      origin['start'] = at([...targetPath, 'marginalia:utf16Start']);
      origin['end'] = at([...targetPath, 'marginalia:utf16End']);
    } else {
      // Only a quote: place it where it occurs (with its context if possible) and let re-anchoring confirm.
      const found = text === undefined ? -1 : locateQuote(text.text, quote);
      [start, end] = found === -1 ? [0, 0] : [found, found + quote.exact.length];
      estimated = true;
      origin['start'] = origin['end'] = at([...selPath(quoteIdx)]);
    }
    if (start > end) throw this.fail(where, at(targetPath), 'invalid', `the annotation ends (offset ${end}) before it starts (offset ${start})`);
    if (!quoteSel && text !== undefined && !estimated) quote = makeQuote(text.text, start, end);

    return { target, targetPath, docPath, text, docHash, quote, start, end, estimated };
  }

  /** Bodies: the note (commenting and untyped text bodies), tags, and typed attributes. */
  private readBodies(site: AnnotationSite, docPath: string): { notes: string[]; tags: string[]; attributes: Record<string, AttributeValue> } {
    const { node, where, origin, at } = site;
    const bodyList = node.body === undefined ? [] : Array.isArray(node.body) ? node.body : [node.body];
    const bodyPath = (i: number): ValuePath => (Array.isArray(node.body) ? at(['body', i]) : at(['body']));
    const notes: string[] = [];
    const tags: string[] = [];
    const attributes: Record<string, AttributeValue> = {};
    if (typeof node.bodyValue === 'string') notes.push(node.bodyValue);
    bodyList.forEach((b, i) => {
      if (!isObject(b) || typeof b.value !== 'string') {
        this.warn(docPath, `${where.file}: ${formatPath(bodyPath(i))} is not a textual body; Marginalia keeps only text bodies, so it was left out`);
        return;
      }
      const purpose = b.purpose;
      if (has(b, 'marginalia:attribute')) {
        const name = b['marginalia:attribute'];
        const value = b['marginalia:value'];
        if (typeof name !== 'string')
          throw this.fail(
            where,
            [...bodyPath(i), 'marginalia:attribute'],
            'schema',
            `marginalia:attribute must be the attribute's name, not ${describeJson(name)}`,
          );
        if (Object.hasOwn(attributes, name))
          throw this.fail(where, [...bodyPath(i), 'marginalia:attribute'], 'invalid', `attribute ${JSON.stringify(name)} is given twice; keep one`);
        Object.defineProperty(attributes, name, { value, enumerable: true, writable: true, configurable: true });
        origin[`attributes.${name}`] = [...bodyPath(i), 'marginalia:value'];
        origin[`attributes[]`] = [...bodyPath(i), 'marginalia:attribute'];
      } else if (purpose === 'tagging') {
        tags.push(b.value);
      } else if (purpose === undefined || purpose === 'commenting' || purpose === 'describing' || purpose === 'replying' || purpose === 'questioning') {
        notes.push(b.value);
        origin['note'] = [...bodyPath(i), 'value'];
      } else {
        this.warn(
          docPath,
          `${where.file}: ${formatPath(bodyPath(i))} has purpose ${describeJson(purpose)}, which a Marginalia annotation has no place for; it was left out`,
        );
      }
    });

    return { notes, tags, attributes };
  }

  /** Kind: ours name it; others get the caller's default or one implied by the motivation. Tags ours do not carry
   *  become a `tags` attribute of another tool's annotation. */
  private readKind(site: AnnotationSite, docPath: string, tags: string[], attributes: Record<string, AttributeValue>): unknown {
    const { node, path, where, ours, origin, at } = site;
    let kind: unknown;
    if (ours) {
      kind = node['marginalia:kind'];
      origin['kind'] = at(['marginalia:kind']);
      // The tagging body repeats the kind for other W3C clients; it is not a tag.
      const i = tags.indexOf(String(kind));
      if (i !== -1) tags.splice(i, 1);
    } else {
      const motivation = Array.isArray(node.motivation) ? node.motivation[0] : node.motivation;
      kind = this.options.defaultKind ?? (typeof motivation === 'string' ? REVERSE_MOTIVATIONS[motivation] : undefined);
      if (kind === undefined) {
        throw this.fail(
          where,
          has(node, 'motivation') ? at(['motivation']) : path,
          'invalid',
          `the annotation comes from another tool and names no Marginalia kind (its motivation is ${describeJson(motivation)}); choose the kind to give such annotations (defaultKind, e.g. claim)`,
        );
      }
    }
    if (tags.length > 0) {
      if (ours || Object.hasOwn(attributes, 'tags'))
        this.warn(
          docPath,
          `${where.file}: ${formatPath(path) || 'the annotation'} has tags (${tags.join(', ')}) that Marginalia has no place for; they were left out`,
        );
      else attributes.tags = tags.join(', ');
    }

    return kind;
  }

  /** Provenance. Ours carry all of it (a missing piece is an error); others get defaults for what they lack. */
  private readProvenance(site: AnnotationSite, t: ReadTarget): { author: unknown; created: unknown; modified: unknown; tool: unknown; hash: unknown } {
    const { node, path, ours, origin, at } = site;
    const { text, docHash, targetPath } = t;
    const creatorValue = Array.isArray(node.creator) ? node.creator[0] : node.creator;
    let author: unknown;
    if (ours) author = isObject(creatorValue) ? (creatorValue.name ?? '') : creatorValue;
    else if (typeof creatorValue === 'string') author = creatorValue;
    else if (isObject(creatorValue)) author = creatorValue.name ?? creatorValue.nickname ?? (typeof creatorValue.id === 'string' ? creatorValue.id : undefined);
    if (Array.isArray(author)) author = author[0];
    if (!ours) author ??= this.options.author ?? '';
    origin['provenance.author'] = isObject(creatorValue) && has(creatorValue, 'name') ? at(['creator', 'name']) : has(node, 'creator') ? at(['creator']) : path;
    const created = ours ? node.created : (node.created ?? this.now);
    const modified = ours ? node.modified : (node.modified ?? created);
    origin['provenance.created'] = at(['created']);
    origin['provenance.modified'] = at(['modified']);
    let tool: unknown = node['marginalia:tool'];
    if (!ours || tool === undefined) {
      const g = Array.isArray(node.generator) ? node.generator[0] : node.generator;
      tool =
        isObject(g) && typeof g.name === 'string'
          ? [g.name, g['schema:softwareVersion']].filter((x) => typeof x === 'string').join(' ')
          : (this.options.tool ?? 'unknown');
    }
    origin['provenance.tool'] = at(['marginalia:tool']);
    const hash = docHash !== undefined ? docHash : text ? text.hash : UNKNOWN_DOC_HASH;
    origin['provenance.docHash'] = at([...targetPath, 'marginalia:docHash']);

    return { author, created, modified, tool, hash };
  }

  /** Anchor state (ours only; others are as anchored as their selectors say). */
  private readAnchorState(site: AnnotationSite, t: ReadTarget): Record<string, unknown> {
    const { ours, origin, at } = site;
    const { target, targetPath } = t;
    const anchor: Record<string, unknown> = { status: ours ? target['marginalia:anchorStatus'] : 'anchored' };
    if (ours && has(target, 'marginalia:anchorMethod')) anchor.method = target['marginalia:anchorMethod'];
    if (ours && has(target, 'marginalia:anchorDetail')) anchor.detail = target['marginalia:anchorDetail'];
    origin['status.status'] = at([...targetPath, 'marginalia:anchorStatus']);
    origin['status.method'] = at([...targetPath, 'marginalia:anchorMethod']);
    origin['status.detail'] = at([...targetPath, 'marginalia:anchorDetail']);

    return anchor;
  }

  /** Id: the ULID after our base, or a ULID at the end of another base; annotations from other tools get a new one. */
  private readId(site: AnnotationSite, created: unknown): string {
    const { node, where, ours, origin, at } = site;
    const iri = node.id;
    origin['id'] = at(['id']);
    let id: string | undefined;
    if (typeof iri === 'string') {
      const rest = iri.startsWith(this.annotationBase) ? iri.slice(this.annotationBase.length) : (/[0-9A-HJKMNP-TV-Z]{26}$/.exec(iri)?.[0] ?? '');
      if (isId(rest)) id = rest;
    }
    if (ours && id === undefined)
      throw this.fail(where, at(['id']), 'schema', `the annotation's id must be ${this.annotationBase} followed by a ULID, not ${describeJson(iri)}`);
    id ??= newId(Date.parse(String(created)) || Date.now());

    return id;
  }

  /** The workspace path a document IRI names: the inverse of documentIri. */
  private pathOf(iri: string, where: Located, path: ValuePath): string {
    if (!iri.startsWith(this.documentBase)) {
      throw this.fail(
        where,
        path,
        'invalid',
        `the target document ${iri} is not under the document base ${this.documentBase}; import with the base IRI it was exported with (documentBase)`,
      );
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(iri.slice(this.documentBase.length));
    } catch {
      throw this.fail(where, path, 'invalid', `the target document ${iri} has a broken percent-escape`);
    }
    try {
      return toRelPath(decoded);
    } catch (e) {
      if (!(e instanceof PathError)) throw e;
      throw this.fail(where, path, 'invalid', `the target document ${iri} is not a safe workspace-relative path (${e.message})`);
    }
  }

  private textFor(path: string): CodePointText | undefined {
    if (!this.texts.has(path)) {
      const t = this.options.textFor?.(path);
      this.texts.set(path, t === undefined ? undefined : new CodePointText(t));
    }
    return this.texts.get(path);
  }

  private validate(raw: Record<string, unknown>, origin: Record<string, ValuePath>, path: ValuePath, where: Located): void {
    const problem = schemaProblem(validator('exportAnnotation'), raw, RAW_HINTS);
    if (!problem) return;
    // Point at the W3C property the model field came from; the reason names the model field, said in W3C terms.
    const key =
      problem.path.length > 1 && problem.path[0] === 'attributes'
        ? problem.key
          ? 'attributes[]'
          : `attributes.${String(problem.path[1])}`
        : problem.path.slice(0, 2).join('.');
    const loc = origin[key] ?? origin[String(problem.path[0])] ?? path;
    if (problem.key && problem.path[0] === 'attributes') {
      throw this.fail(
        where,
        loc,
        problem.code,
        `the attribute name ${JSON.stringify(String(problem.path[1]))} is not allowed: names must be ${RAW_HINTS['attributes[]']}`,
      );
    }
    const reason = problem.reason.replace(/^(\S+)/, (field) => {
      const base = field.replace(/\[.*$/, '');
      return W3C_FIELD_NAMES[base] ?? (base.startsWith('attributes.') ? `attribute ${base.slice('attributes.'.length)}` : field);
    });
    throw this.fail(where, loc, problem.code, reason);
  }

  private warn(doc: string, message: string): void {
    const list = this.warnings.get(doc) ?? [];
    list.push(message);
    this.warnings.set(doc, list);
  }

  /** An error at `path` of a file: its line and column, and the path itself (findable in any JSON viewer). */
  private fail(where: Located, path: ValuePath, code: YamlFileErrorCode, reason: string): ExportFormatError {
    const p = where.json.locate(path);
    const at = formatPath(path);
    return new ExportFormatError(where.file, code, at === '' ? reason : `${at}: ${reason}`, p?.line, p?.column);
  }

  result(): W3cImportedDocument[] {
    const byId = new Map(this.annotations.map((p) => [p.annotation.id, p.annotation]));
    for (const { from, relation, where, path } of this.links) {
      const a = byId.get(from);
      if (!a) {
        throw this.fail(
          where,
          [...path, 'target'],
          'invalid',
          `the link starts from annotation ${from}, which is not in the files given; a relation is stored on the annotation it starts from, so import them together`,
        );
      }
      if ((a.relations ?? []).some((r) => relationKey(r) === relationKey(relation))) {
        throw this.fail(where, path, 'invalid', `the relation ${relation.type} from ${from} to ${relation.to} is given twice; remove the copy`);
      }
      a.relations = normaliseRelations([...(a.relations ?? []), relation]);
    }
    const byDoc = new Map<string, W3cImportedDocument>();
    for (const { annotation, estimated } of this.annotations) {
      let d = byDoc.get(annotation.doc);
      if (!d) {
        d = { path: annotation.doc, annotations: [], needsReanchor: [], warnings: this.warnings.get(annotation.doc) ?? [] };
        byDoc.set(annotation.doc, d);
      }
      d.annotations.push(annotation);
      if (estimated) d.needsReanchor.push(annotation.id);
    }
    const docs = [...byDoc.values()].sort((a, b) => compareCodeUnits(a.path, b.path));
    for (const d of docs) {
      d.annotations.sort((a, b) => a.target.start - b.target.start || compareCodeUnits(a.id, b.id));
      d.needsReanchor.sort(compareCodeUnits);
    }
    return docs;
  }
}

const RAW_HINTS = {
  id: 'a ULID (26 characters: digits and capital letters except I, L, O, U)',
  kind: 'a name of letters, digits, _ and - starting with a letter',
  docHash: '"sha256:" and 64 lower-case hex digits',
  'attributes[]': 'letters, digits, _ and -, starting with a letter or _',
};

/** How the model's fields are called in the W3C file, for error messages. */
const W3C_FIELD_NAMES: Readonly<Record<string, string>> = {
  id: 'id',
  kind: 'marginalia:kind',
  note: 'the note',
  'quote.exact': 'the TextQuoteSelector',
  'provenance.author': 'the creator',
  'provenance.created': 'created',
  'provenance.modified': 'modified',
  'provenance.tool': 'marginalia:tool',
  'provenance.docHash': 'marginalia:docHash',
  'status.status': 'marginalia:anchorStatus',
  'status.method': 'marginalia:anchorMethod',
  'status.detail': 'marginalia:anchorDetail',
  provenance: 'the provenance',
  status: 'the anchor state',
};

/** Where `quote` sits in `text`: with its context if it occurs so, else the first bare occurrence; -1 if nowhere. */
function locateQuote(text: string, quote: { exact: string; prefix: string; suffix: string }): number {
  if (quote.exact === '') return -1;
  const withContext = text.indexOf(quote.prefix + quote.exact + quote.suffix);
  if (withContext !== -1) return withContext + quote.prefix.length;
  return text.indexOf(quote.exact);
}

function isCollection(v: unknown): boolean {
  return isObject(v) && hasType(v, 'AnnotationCollection');
}

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function has(o: Json, key: string): boolean {
  return Object.hasOwn(o, key);
}

function hasType(o: Json, type: string): boolean {
  return o.type === type || (Array.isArray(o.type) && o.type.includes(type));
}

function describeJson(v: unknown): string {
  return v === null ? 'null' : describeValue(v);
}
