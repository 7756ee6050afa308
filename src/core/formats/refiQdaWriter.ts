// The REFI-QDA export (QDA-XML 1.0, the exchange format of NVivo, MAXQDA, ATLAS.ti, QualCoder): a .qdpx project (a zip
// of project.qde and sources/<guid>.txt) or a .qdc codebook. Positions count Unicode code points of the plain text.
// Every GUID is derived from what it stands for (a selection's from its annotation's ULID, which is 128 bits as a
// GUID is; the rest by a name-based hash), and the zip's file times are fixed, so exporting the same annotations
// again gives the same bytes.
import { createHash } from 'node:crypto';
import { ulidToUUID } from 'ulid';
import { compareCodeUnits, type Annotation, type AttributeValue } from '../model';
import { findRelationType, type AttributeField, type Codebook, type KindDefinition } from '../store';
import { CodePointText } from './codePoints';
import { assertSpanHolds, exportDocuments, type ExportInput } from './exportInput';
import { fflateLib } from './refiLibs';
import { TOOL_ID } from '../../constants';

export const QDPX_NAMESPACE = 'urn:QDA-XML:project:1.0';
export const QDC_NAMESPACE = 'urn:QDA-XML:codebook:1.0';
/** The name of the project file inside a .qdpx. */
export const QDE_ENTRY = 'project.qde';
/** Local midnight of 1 January 1980 (the zip format's earliest time): every entry's time, so the bytes depend on
 *  nothing but the content. */
const ZIP_TIME = new Date(1980, 0, 1);

export interface RefiExportInput extends ExportInput {
  codebook: Codebook;
  /** The project's name (the workspace folder's). */
  projectName?: string;
  /** Hears what the format could not carry (orphans, documents missing on disk, relations to annotations left out). */
  warn?: (message: string) => void;
}

/** A GUID derived from a name (RFC 4122 version 5 layout over SHA-1), the same on every machine. */
export function nameGuid(name: string): string {
  const h = createHash('sha1').update(`marginalia:${name}`, 'utf8').digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex').toUpperCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The GUID of an annotation's selection: its ULID's 128 bits, so an import gives the annotation back its id. */
export function selectionGuid(id: string): string {
  return ulidToUUID(id);
}

export const userGuid = (name: string): string => nameGuid(`user:${name}`);
export const codeGuid = (kind: string): string => nameGuid(`code:${kind}`);
export const sourceGuid = (path: string): string => nameGuid(`source:${path}`);
const variableGuid = (name: string): string => nameGuid(`variable:${name}`);

/** Renders the .qdpx: project.qde first, then each document's text as sources/<guid>.txt. */
export function exportQdpx(input: RefiExportInput): Uint8Array {
  const { xml, sources } = projectXml(input);
  const { zipSync, strToU8 } = fflateLib();
  const files: Record<string, [Uint8Array, { mtime: Date }]> = { [QDE_ENTRY]: [strToU8(xml), { mtime: ZIP_TIME }] };
  for (const s of sources) files[`sources/${s.guid}.txt`] = [strToU8(s.text), { mtime: ZIP_TIME }];
  return zipSync(files, { level: 6, mtime: ZIP_TIME });
}

/** Renders the .qdc: the codebook alone. */
export function exportQdc(codebook: Codebook, warn?: (message: string) => void): string {
  const w = new XmlWriter(warn);
  w.line(0, '<?xml version="1.0" encoding="utf-8"?>');
  w.line(0, `<CodeBook xmlns="${QDC_NAMESPACE}" origin="${w.attr(TOOL_ID)}">`);
  writeCodes(w, 1, codebook, []);
  w.line(0, '</CodeBook>');
  return w.text();
}

interface ExportedSelection {
  a: Annotation;
  start: number;
  end: number;
}

/** The project.qde text and the sources it names. */
export function projectXml(input: RefiExportInput): { xml: string; sources: { guid: string; text: string }[] } {
  const warn = input.warn ?? (() => {});
  const w = new XmlWriter(warn);
  const documents = exportDocuments(input.documents);
  // What is exported: anchored annotations of documents whose text is here.
  const perDoc: { path: string; guid: string; text: string; selections: ExportedSelection[] }[] = [];
  for (const d of documents) {
    if (d.text === undefined) {
      if (d.annotations.length > 0)
        warn(`${d.path} is missing on disk: its ${d.annotations.length} annotation(s) are not in the REFI-QDA export, which carries each passage in its text`);
      continue;
    }
    const cp = new CodePointText(d.text);
    const selections: ExportedSelection[] = [];
    for (const a of d.annotations) {
      if (a.anchor.status === 'orphaned') {
        warn(`annotation ${a.id} of ${d.path} is orphaned (its passage is gone): left out of the REFI-QDA export`);
        continue;
      }
      assertSpanHolds(a, d.path, d.text, () => cp.hash);
      selections.push({ a, start: cp.toCodePoint(a.target.start), end: cp.toCodePoint(a.target.end) });
    }
    selections.sort((x, y) => x.start - y.start || x.end - y.end || compareCodeUnits(x.a.id, y.a.id));
    perDoc.push({ path: d.path, guid: sourceGuid(d.path), text: d.text, selections });
  }
  const all = perDoc.flatMap((d) => d.selections.map((s) => s.a));
  const exported = new Set(all.map((a) => a.id));

  // Users: every coder, and everyone who made a relation, in name order.
  const users = new Set<string>();
  for (const a of all) {
    users.add(a.provenance.author);
    for (const r of a.relations ?? []) if (exported.has(r.to)) users.add(r.author);
  }
  const modified = all.reduce<string | undefined>((m, a) => (m === undefined || a.provenance.modified > m ? a.provenance.modified : m), undefined);

  w.line(0, '<?xml version="1.0" encoding="utf-8"?>');
  w.line(
    0,
    `<Project xmlns="${QDPX_NAMESPACE}" name="${w.attr(input.projectName ?? 'Marginalia')}" origin="${w.attr(TOOL_ID)}"` +
      (modified ? ` modifiedDateTime="${w.attr(modified)}"` : '') +
      '>',
  );
  if (users.size > 0) {
    w.line(1, '<Users>');
    for (const u of [...users].sort(compareCodeUnits)) w.line(2, `<User guid="${userGuid(u)}" name="${w.attr(u)}"/>`);
    w.line(1, '</Users>');
  }
  w.line(1, '<CodeBook>');
  writeCodes(
    w,
    2,
    input.codebook,
    all.map((a) => a.kind),
  );
  w.line(1, '</CodeBook>');

  // Variables: the attribute fields of each kind (and any attribute an annotation carries beyond them); their values
  // travel in Cases, one per annotation that has attributes, since the standard gives selections no variable values.
  const variables = collectVariables(input.codebook, all);
  if (variables.size > 0) {
    w.line(1, '<Variables>');
    for (const v of variables.values()) {
      w.open(2, `<Variable guid="${variableGuid(v.name)}" name="${w.attr(v.name)}" typeOfVariable="${v.type}"`, v.description ? 1 : 0);
      if (v.description) w.element(3, 'Description', v.description);
      if (v.description) w.line(2, '</Variable>');
    }
    w.line(1, '</Variables>');
    const withAttributes = all.filter((a) => Object.keys(a.attributes).length > 0);
    if (withAttributes.length > 0) {
      w.line(1, '<Cases>');
      for (const a of withAttributes) {
        w.line(2, `<Case guid="${nameGuid(`case:${a.id}`)}" name="${w.attr(`${a.kind} ${a.id}`)}">`);
        for (const key of Object.keys(a.attributes).sort(compareCodeUnits)) {
          const name = `${a.kind}.${key}`;
          w.line(3, '<VariableValue>');
          w.line(4, `<VariableRef targetGUID="${variableGuid(name)}"/>`);
          writeValue(w, 4, a.attributes[key]);
          w.line(3, '</VariableValue>');
        }
        w.line(3, `<SelectionRef targetGUID="${selectionGuid(a.id)}"/>`);
        w.line(2, '</Case>');
      }
      w.line(1, '</Cases>');
    }
  }

  if (perDoc.length > 0) {
    w.line(1, '<Sources>');
    for (const d of perDoc) {
      const open = `<TextSource guid="${d.guid}" name="${w.attr(d.path)}" plainTextPath="internal://${d.guid}.txt"`;
      if (d.selections.length === 0) {
        w.line(2, `${open}/>`);
        continue;
      }
      w.line(2, `${open}>`);
      for (const s of d.selections) {
        const a = s.a;
        const user = userGuid(a.provenance.author);
        w.line(
          3,
          `<PlainTextSelection guid="${selectionGuid(a.id)}" name="${w.attr(a.target.quote.exact)}" startPosition="${s.start}" endPosition="${s.end}" ` +
            `creatingUser="${user}" creationDateTime="${w.attr(a.provenance.created)}" modifyingUser="${user}" modifiedDateTime="${w.attr(a.provenance.modified)}">`,
        );
        w.line(4, `<Coding guid="${nameGuid(`coding:${a.id}`)}" creatingUser="${user}" creationDateTime="${w.attr(a.provenance.created)}">`);
        w.line(5, `<CodeRef targetGUID="${codeGuid(a.kind)}"/>`);
        w.line(4, '</Coding>');
        if (a.note !== '') w.line(4, `<NoteRef targetGUID="${nameGuid(`note:${a.id}`)}"/>`);
        w.line(3, '</PlainTextSelection>');
      }
      w.line(2, '</TextSource>');
    }
    w.line(1, '</Sources>');
  }

  const noted = all.filter((a) => a.note !== '');
  if (noted.length > 0) {
    w.line(1, '<Notes>');
    for (const a of noted) {
      w.line(
        2,
        `<Note guid="${nameGuid(`note:${a.id}`)}" name="${w.attr(`Note on ${a.kind} ${a.id}`)}" creatingUser="${userGuid(a.provenance.author)}" ` +
          `creationDateTime="${w.attr(a.provenance.modified)}">`,
      );
      w.element(3, 'PlainTextContent', a.note);
      w.line(2, '</Note>');
    }
    w.line(1, '</Notes>');
  }

  const links: { from: Annotation; type: string; to: string }[] = [];
  for (const a of all) {
    for (const r of a.relations ?? []) {
      if (exported.has(r.to)) links.push({ from: a, type: r.type, to: r.to });
      else warn(`the ${r.type} relation from ${a.id} to ${r.to} is left out of the REFI-QDA export: ${r.to} is not in it`);
    }
  }
  if (links.length > 0) {
    links.sort((x, y) => compareCodeUnits(x.from.id, y.from.id) || compareCodeUnits(x.type, y.type) || compareCodeUnits(x.to, y.to));
    w.line(1, '<Links>');
    for (const l of links) {
      const direction = findRelationType(input.codebook, l.type)?.direction === 'symmetric' ? 'Associative' : 'OneWay';
      w.line(
        2,
        `<Link guid="${nameGuid(`link:${l.from.id}:${l.type}:${l.to}`)}" name="${w.attr(l.type)}" direction="${direction}" ` +
          `originGUID="${selectionGuid(l.from.id)}" targetGUID="${selectionGuid(l.to)}"/>`,
      );
    }
    w.line(1, '</Links>');
  }
  w.line(0, '</Project>');
  return { xml: w.text(), sources: perDoc.map((d) => ({ guid: d.guid, text: d.text })) };
}

interface CodeNode {
  /** The kind's full name, e.g. parent/child. */
  path: string;
  /** The last part of the path, the code's name. */
  name: string;
  kind?: KindDefinition;
  /** Used by an annotation though the codebook does not define it. */
  used: boolean;
  children: CodeNode[];
}

/** The kinds as a tree of codes: parent/child is the code child inside the code parent (a parent that is no kind of
 *  its own is written as a code that cannot be coded). Codebook order; kinds used but not defined come last. */
function codeTree(codebook: Codebook, used: readonly string[]): CodeNode[] {
  const roots: CodeNode[] = [];
  const byPath = new Map<string, CodeNode>();
  const place = (path: string): CodeNode => {
    const known = byPath.get(path);
    if (known) return known;
    const cut = path.lastIndexOf('/');
    const node: CodeNode = { path, name: cut < 0 ? path : path.slice(cut + 1), used: false, children: [] };
    byPath.set(path, node);
    (cut < 0 ? roots : place(path.slice(0, cut)).children).push(node);
    return node;
  };
  for (const k of codebook.kinds) place(k.name).kind = k;
  for (const kind of [...new Set(used)].sort(compareCodeUnits)) {
    const node = place(kind);
    if (!node.kind) node.used = true;
  }
  return roots;
}

function writeCodes(w: XmlWriter, depth: number, codebook: Codebook, used: readonly string[]): void {
  const write = (node: CodeNode, d: number): void => {
    const codable = node.kind !== undefined || node.used;
    const colour = node.kind ? ` color="${node.kind.colour.toLowerCase()}"` : '';
    const open = `<Code guid="${codeGuid(node.path)}" name="${w.attr(node.name)}" isCodable="${codable}"${colour}`;
    const description = node.kind?.description ?? '';
    if (description === '' && node.children.length === 0) {
      w.line(d, `${open}/>`);
      return;
    }
    w.line(d, `${open}>`);
    if (description !== '') w.element(d + 1, 'Description', description);
    for (const c of node.children) write(c, d + 1);
    w.line(d, '</Code>');
  };
  w.line(depth, '<Codes>');
  for (const node of codeTree(codebook, used)) write(node, depth + 1);
  w.line(depth, '</Codes>');
}

interface VariableSpec {
  name: string;
  type: 'Text' | 'Boolean' | 'Float';
  description?: string;
}

const VARIABLE_TYPE: Record<AttributeField['type'], VariableSpec['type']> = { string: 'Text', enum: 'Text', number: 'Float', boolean: 'Boolean' };

function valueType(v: AttributeValue): VariableSpec['type'] {
  return typeof v === 'number' ? 'Float' : typeof v === 'boolean' ? 'Boolean' : 'Text';
}

/** One variable per attribute field of a kind ("kind.field"), then those attributes carry that no field declares. */
function collectVariables(codebook: Codebook, annotations: readonly Annotation[]): Map<string, VariableSpec> {
  const out = new Map<string, VariableSpec>();
  for (const k of codebook.kinds) {
    for (const f of k.attributes) {
      const name = `${k.name}.${f.name}`;
      out.set(name, { name, type: VARIABLE_TYPE[f.type], ...(f.description ? { description: f.description } : {}) });
    }
  }
  const extra = new Map<string, VariableSpec>();
  for (const a of annotations) {
    for (const [key, v] of Object.entries(a.attributes)) {
      const name = `${a.kind}.${key}`;
      if (!out.has(name) && !extra.has(name)) extra.set(name, { name, type: valueType(v) });
    }
  }
  for (const name of [...extra.keys()].sort(compareCodeUnits)) out.set(name, extra.get(name) as VariableSpec);
  return out;
}

function writeValue(w: XmlWriter, depth: number, v: AttributeValue): void {
  if (typeof v === 'boolean') w.line(depth, `<BooleanValue>${v}</BooleanValue>`);
  else if (typeof v === 'number') w.line(depth, `<FloatValue>${plainDecimal(v)}</FloatValue>`);
  else w.element(depth, 'TextValue', v);
}

/** A number as xsd:decimal writes it: digits and a point, never an exponent (1e21 is 1000000000000000000000). */
export function plainDecimal(n: number): string {
  const s = String(n);
  const m = /^(-?)(\d+)(?:\.(\d+))?e([-+]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, int, frac = '', exp] = m;
  const digits = int + frac;
  const point = int.length + Number(exp);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** Characters XML 1.0 cannot carry at all (controls other than tab and line breaks, lone surrogates, U+FFFE/U+FFFF). */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Lines of XML with the escaping it needs: attribute values keep tabs and line breaks as character references (a
 *  parser would turn them into spaces), element text keeps carriage returns (a parser would drop them). */
class XmlWriter {
  private readonly lines: string[] = [];
  constructor(private readonly warn?: (message: string) => void) {}

  line(depth: number, s: string): void {
    this.lines.push('  '.repeat(depth) + s);
  }

  /** An opening tag, closed at once when it has no children. */
  open(depth: number, s: string, children: number): void {
    this.line(depth, children > 0 ? `${s}>` : `${s}/>`);
  }

  element(depth: number, name: string, text: string): void {
    this.line(depth, `<${name}>${this.text_(text)}</${name}>`);
  }

  attr(s: string): string {
    return this.clean(s)
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/\t/g, '&#9;')
      .replace(/\n/g, '&#10;')
      .replace(/\r/g, '&#13;');
  }

  text(): string {
    return this.lines.join('\n') + '\n';
  }

  private text_(s: string): string {
    return this.clean(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
  }

  private clean(s: string): string {
    if (!NOT_XML.test(s)) return s;
    NOT_XML.lastIndex = 0;
    this.warn?.(`${JSON.stringify(s.slice(0, 40))} holds characters XML cannot carry (control characters or half a surrogate pair): each is written as U+FFFD`);
    return s.replace(NOT_XML, '\uFFFD');
  }
}
