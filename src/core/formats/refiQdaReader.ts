// Reading a REFI-QDA project (.qdpx: a zip of project.qde and sources/) or codebook (.qdc) written by any tool: users,
// codes (nested), variables, cases, text sources with their plain text, selections (positions in code points, as the
// standard counts), codings, notes and links. What Marginalia cannot hold (PDF, picture, audio and video sources, rich
// text without its plain text) is listed by name, never guessed. Nothing here writes.
import { ExportFormatError } from './exportInput';
import { fflateLib, xmlParserLib } from './refiLibs';
import { QDE_ENTRY } from './refiQdaWriter';

/** Refuses an entry (or a whole archive) that would unpack to more than this: a zip bomb, not a project. */
export const MAX_REFI_ENTRY_BYTES = 256 * 1024 * 1024;

export interface RefiUser {
  guid: string;
  name: string;
}

export interface RefiCode {
  guid: string;
  name: string;
  /** The names from the top code down to this one. */
  path: string[];
  isCodable: boolean;
  /** #rrggbb or #rgb, as written. */
  color?: string;
  description: string;
}

export interface RefiVariable {
  guid: string;
  name: string;
  type: string;
  description: string;
}

export interface RefiCase {
  guid: string;
  name: string;
  values: { variable: string; value: string | number | boolean }[];
  selections: string[];
}

export interface RefiCoding {
  guid: string;
  code: string;
  creatingUser?: string;
  created?: string;
  notes: string[];
}

export interface RefiSelection {
  guid: string;
  /** What the tool wrote as the selection's name: often its text (QualCoder, Marginalia), sometimes a title. */
  name?: string;
  /** Code points of the source's plain text. */
  start: number;
  end: number;
  creatingUser?: string;
  created?: string;
  modified?: string;
  codings: RefiCoding[];
  notes: string[];
}

export interface RefiTextSource {
  guid: string;
  name: string;
  /** The plain text; undefined when the project does not carry it (`missing` says why). */
  text: string | undefined;
  missing?: string;
  creatingUser?: string;
  selections: RefiSelection[];
  notes: string[];
}

export interface RefiLink {
  guid: string;
  name: string;
  direction?: string;
  origin?: string;
  target?: string;
}

export interface RefiProject {
  /** 'project' for a .qdpx (or a bare project.qde), 'codebook' for a .qdc. */
  type: 'project' | 'codebook';
  name: string;
  origin?: string;
  creatingUser?: string;
  users: RefiUser[];
  codes: RefiCode[];
  variables: RefiVariable[];
  cases: RefiCase[];
  sources: RefiTextSource[];
  /** Sources Marginalia cannot hold: "name (PDF)". */
  unsupported: string[];
  notes: Map<string, string>;
  links: RefiLink[];
}

type Xml = Record<string, unknown>;

const ARRAYS = new Set([
  'User',
  'Code',
  'Variable',
  'Case',
  'VariableValue',
  'SelectionRef',
  'TextSource',
  'PDFSource',
  'PictureSource',
  'AudioSource',
  'VideoSource',
  'PlainTextSelection',
  'Coding',
  'NoteRef',
  'Note',
  'Link',
  'Set',
]);

/** Reads a .qdpx (zip), .qde or .qdc file; `file` names it in errors. `readExternal` reads a source's plainTextPath
 *  that is neither in the archive nor internal:// (a relative path beside the project), or undefined. */
export async function readRefiQda(bytes: Uint8Array, file: string, readExternal?: (path: string) => Promise<Uint8Array | undefined>): Promise<RefiProject> {
  const isZip = bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  const entries = isZip ? unzip(bytes, file) : new Map<string, Uint8Array>();
  let xmlBytes: Uint8Array | undefined = bytes;
  if (isZip) {
    const name = [...entries.keys()].find((n) => n.toLowerCase() === QDE_ENTRY) ?? [...entries.keys()].find((n) => /^[^/]+\.qde$/i.test(n));
    xmlBytes = name === undefined ? undefined : entries.get(name);
    if (xmlBytes === undefined)
      throw new ExportFormatError(file, 'schema', `it is a zip without ${QDE_ENTRY}, so no REFI-QDA project; export the project again as .qdpx`);
  }
  const root = parseXml(decodeUtf8(xmlBytes, file, QDE_ENTRY), file);
  if (root.CodeBook !== undefined && root.Project === undefined) return readCodebook(root.CodeBook as Xml);
  const project = root.Project as Xml | undefined;
  if (project === undefined)
    throw new ExportFormatError(file, 'schema', 'it holds no REFI-QDA Project or CodeBook element; import reads .qdpx projects and .qdc codebooks');
  return readProject(project, file, entries, readExternal);
}

function unzip(bytes: Uint8Array, file: string): Map<string, Uint8Array> {
  const { unzipSync } = fflateLib();
  let total = 0;
  let tooLarge: string | undefined;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (f) => {
        total += f.originalSize;
        if (f.originalSize > MAX_REFI_ENTRY_BYTES || total > MAX_REFI_ENTRY_BYTES * 4) tooLarge ??= f.name;
        return tooLarge === undefined && !f.name.endsWith('/');
      },
    });
  } catch (e) {
    throw new ExportFormatError(file, 'syntax', `it is not a readable zip (${(e as Error).message}); a .qdpx project is a zip file`);
  }
  if (tooLarge !== undefined)
    throw new ExportFormatError(
      file,
      'too-large',
      `its entry ${tooLarge} would unpack to more than ${MAX_REFI_ENTRY_BYTES / 1024 / 1024} MB; nothing was imported`,
    );
  return new Map(Object.entries(files));
}

function decodeUtf8(bytes: Uint8Array, file: string, what: string): string {
  // Some tools write their texts as UTF-16 with a byte order mark.
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    throw new ExportFormatError(file, 'encoding', `${what} is not UTF-8 text`);
  }
}

function parseXml(text: string, file: string): Xml {
  // A DOCTYPE could declare entities that expand without bound; no REFI-QDA file has one.
  if (/<!DOCTYPE/i.test(text)) throw new ExportFormatError(file, 'schema', 'it declares a DOCTYPE, which REFI-QDA files never have; it is refused');
  const { XMLParser, XMLValidator } = xmlParserLib();
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new ExportFormatError(file, 'syntax', `its XML is broken: ${valid.err.msg}`, valid.err.line, valid.err.col);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    removeNSPrefix: true,
    trimValues: false,
    parseTagValue: false,
    parseAttributeValue: false,
    alwaysCreateTextNode: true,
    processEntities: true,
    htmlEntities: true,
    ignoreDeclaration: true,
    isArray: (name) => ARRAYS.has(name),
  });
  return parser.parse(text) as Xml;
}

const list = (x: unknown): Xml[] => (Array.isArray(x) ? (x as Xml[]) : []);
const attr = (x: Xml, name: string): string | undefined => (typeof x[`@${name}`] === 'string' ? (x[`@${name}`] as string) : undefined);
const text = (x: unknown): string => {
  if (x === undefined || x === null) return '';
  if (typeof x === 'string') return x;
  const t = (x as Xml)['#text'];
  return typeof t === 'string' ? t : '';
};
const child = (x: Xml, name: string): Xml | undefined => (x[name] && typeof x[name] === 'object' ? (x[name] as Xml) : undefined);
const refs = (x: Xml, name = 'NoteRef'): string[] => list(x[name]).flatMap((r) => attr(r, 'targetGUID') ?? []);
/** GUIDs compare without braces and case. */
export const guidKey = (g: string | undefined): string => (g ?? '').replace(/[{}]/g, '').trim().toUpperCase();

function readCodes(container: Xml | undefined): RefiCode[] {
  const out: RefiCode[] = [];
  const walk = (codes: Xml[], path: string[]): void => {
    for (const c of codes) {
      const name = attr(c, 'name') ?? '';
      const here = [...path, name];
      out.push({
        guid: guidKey(attr(c, 'guid')),
        name,
        path: here,
        isCodable: attr(c, 'isCodable') !== 'false',
        ...(attr(c, 'color') ? { color: attr(c, 'color') } : {}),
        description: text(c.Description),
      });
      walk(list(c.Code), here);
    }
  };
  walk(list(container?.Code), []);
  return out;
}

function readCodebook(cb: Xml): RefiProject {
  return {
    type: 'codebook',
    name: 'codebook',
    origin: attr(cb, 'origin'),
    users: [],
    codes: readCodes(child(cb, 'Codes')),
    variables: [],
    cases: [],
    sources: [],
    unsupported: [],
    notes: new Map(),
    links: [],
  };
}

async function readProject(
  p: Xml,
  file: string,
  entries: ReadonlyMap<string, Uint8Array>,
  readExternal: ((path: string) => Promise<Uint8Array | undefined>) | undefined,
): Promise<RefiProject> {
  const users = list(child(p, 'Users')?.User).map((u) => ({ guid: guidKey(attr(u, 'guid')), name: attr(u, 'name') ?? attr(u, 'id') ?? '' }));
  const variables = list(child(p, 'Variables')?.Variable).map((v) => ({
    guid: guidKey(attr(v, 'guid')),
    name: attr(v, 'name') ?? '',
    type: attr(v, 'typeOfVariable') ?? 'Text',
    description: text(v.Description),
  }));
  const cases = list(child(p, 'Cases')?.Case).map((c) => ({
    guid: guidKey(attr(c, 'guid')),
    name: attr(c, 'name') ?? '',
    values: list(c.VariableValue).flatMap((vv): RefiCase['values'] => {
      const variable = guidKey(attr(child(vv, 'VariableRef') ?? {}, 'targetGUID'));
      if (vv.BooleanValue !== undefined) return [{ variable, value: text(vv.BooleanValue).trim() === 'true' || text(vv.BooleanValue).trim() === '1' }];
      for (const k of ['FloatValue', 'IntegerValue']) {
        if (vv[k] !== undefined) {
          const n = Number(text(vv[k]).trim());
          return Number.isFinite(n) ? [{ variable, value: n }] : [{ variable, value: text(vv[k]).trim() }];
        }
      }
      for (const k of ['TextValue', 'DateValue', 'DateTimeValue']) if (vv[k] !== undefined) return [{ variable, value: text(vv[k]) }];
      return [];
    }),
    selections: refs(c, 'SelectionRef').map(guidKey),
  }));
  const notes = new Map<string, string>();
  for (const n of list(child(p, 'Notes')?.Note)) {
    const content = n.PlainTextContent !== undefined ? text(n.PlainTextContent) : await sourceText(n, file, entries, readExternal).then((t) => t.text ?? '');
    notes.set(guidKey(attr(n, 'guid')), content);
  }
  const sourcesEl = child(p, 'Sources');
  const sources: RefiTextSource[] = [];
  for (const s of list(sourcesEl?.TextSource)) {
    const name = attr(s, 'name') ?? attr(s, 'guid') ?? 'source';
    const { text: plain, missing } = await sourceText(s, file, entries, readExternal);
    sources.push({
      guid: guidKey(attr(s, 'guid')),
      name,
      text: plain,
      ...(missing ? { missing } : {}),
      creatingUser: guidKey(attr(s, 'creatingUser')) || undefined,
      selections: list(s.PlainTextSelection).map((sel) => readSelection(sel)),
      notes: refs(s).map(guidKey),
    });
  }
  const unsupported: string[] = [];
  const kinds: [string, string][] = [
    ['PDFSource', 'PDF'],
    ['PictureSource', 'picture'],
    ['AudioSource', 'audio'],
    ['VideoSource', 'video'],
  ];
  for (const [element, what] of kinds)
    for (const s of list(sourcesEl?.[element])) unsupported.push(`${attr(s, 'name') ?? attr(s, 'guid') ?? element} (${what})`);
  const links = list(child(p, 'Links')?.Link).map((l) => ({
    guid: guidKey(attr(l, 'guid')),
    name: attr(l, 'name') ?? '',
    direction: attr(l, 'direction'),
    origin: attr(l, 'originGUID') === undefined ? undefined : guidKey(attr(l, 'originGUID')),
    target: attr(l, 'targetGUID') === undefined ? undefined : guidKey(attr(l, 'targetGUID')),
  }));
  return {
    type: 'project',
    name: attr(p, 'name') ?? 'project',
    origin: attr(p, 'origin'),
    creatingUser: guidKey(attr(p, 'creatingUserGUID')) || undefined,
    users,
    codes: readCodes(child(child(p, 'CodeBook') ?? {}, 'Codes')),
    variables,
    cases,
    sources,
    unsupported,
    notes,
    links,
  };
}

function readSelection(sel: Xml): RefiSelection {
  const int = (name: string): number => {
    const v = attr(sel, name);
    return v !== undefined && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  };
  return {
    guid: guidKey(attr(sel, 'guid')),
    ...(attr(sel, 'name') !== undefined ? { name: attr(sel, 'name') } : {}),
    start: int('startPosition'),
    end: int('endPosition'),
    creatingUser: guidKey(attr(sel, 'creatingUser')) || undefined,
    created: attr(sel, 'creationDateTime'),
    modified: attr(sel, 'modifiedDateTime'),
    codings: list(sel.Coding).map((c) => ({
      guid: guidKey(attr(c, 'guid')),
      code: guidKey(attr(child(c, 'CodeRef') ?? {}, 'targetGUID')),
      creatingUser: guidKey(attr(c, 'creatingUser')) || undefined,
      created: attr(c, 'creationDateTime'),
      notes: refs(c).map(guidKey),
    })),
    notes: refs(sel).map(guidKey),
  };
}

/** A text source's plain text: inline PlainTextContent, internal://x in the archive's sources/, a relative path in the
 *  archive or beside the project. A source with only rich text (docx) has none: `missing` says so. */
async function sourceText(
  s: Xml,
  file: string,
  entries: ReadonlyMap<string, Uint8Array>,
  readExternal: ((path: string) => Promise<Uint8Array | undefined>) | undefined,
): Promise<{ text: string | undefined; missing?: string }> {
  if (s.PlainTextContent !== undefined) return { text: text(s.PlainTextContent) };
  const path = attr(s, 'plainTextPath');
  if (path === undefined || path.trim() === '') {
    const rich = attr(s, 'richTextPath');
    return { text: undefined, missing: rich ? `only rich text (${rich.replace(/^internal:\/\//, '')}), no plain text` : 'no text' };
  }
  const internal = /^internal:\/\//i.test(path);
  const rel = path.replace(/^internal:\/\//i, '').replace(/\\/g, '/');
  const lower = new Map([...entries.keys()].map((k) => [k.toLowerCase(), k]));
  const inZip = lower.get(`sources/${rel}`.toLowerCase()) ?? lower.get(rel.toLowerCase());
  let bytes = inZip === undefined ? undefined : entries.get(inZip);
  if (bytes === undefined && !internal && readExternal) bytes = await readExternal(rel);
  if (bytes === undefined) return { text: undefined, missing: `its text ${path} is not in ${file}` };
  return { text: decodeUtf8(bytes, file, path) };
}
