// A REFI-QDA project brought into a workspace: its text sources become documents under one folder, its codes kinds
// (a nested code keeps its path: parent/child), each coding of a selection an annotation on exactly the passage the
// other tool coded (code points turned into UTF-16 offsets), its users the annotations' authors, its notes their notes,
// the links between selections relations. Everything is checked and planned before the first write (the documents'
// places, texts already there, the sidecars' merge through planImport), so an import is all or nothing.
import { createHash } from 'node:crypto';
import { uuidToULID } from 'ulid';
import { contentHash, makeQuote, toRelPath, type Annotation, type AttributeValue, type Relation } from '../model';
import {
  AnnotationStore,
  addKind,
  defaultRelationTypes,
  relationTypes,
  type AttributeField,
  type Codebook,
  type RelationType,
  type WorkspaceFs,
} from '../store';
import { CodePointText } from './codePoints';
import type { ExportedDocument } from './exportInput';
import { ImportError, applyImport, planImport, type ImportPlan } from './importPlan';
import type { RefiCode, RefiProject, RefiSelection } from './refiQdaReader';
import { TOOL_ID } from '../../constants';

export interface RefiImportOptions {
  /** Workspace-relative folder the documents go into; '' for the workspace root. */
  dir: string;
  /** The workspace's codebook now (the built-in one when it has no file). */
  codebook: Codebook;
  /** Recorded as the author where the project names none. */
  author: string;
  now: Date;
}

export interface RefiImportDocument {
  path: string;
  /** The source's name in the project. */
  source: string;
  text: string;
  annotations: Annotation[];
}

export interface RefiImport {
  project: string;
  origin?: string;
  documents: RefiImportDocument[];
  /** The codebook with the kinds (and relation types) the import adds; undefined when it adds none. */
  codebook: Codebook | undefined;
  newKinds: string[];
  newRelationTypes: string[];
  /** What is not carried, one line each (sources that are not plain text, selections out of range ...). */
  skipped: string[];
  /** Codings imported as annotations. */
  annotations: number;
  /** Selections whose recorded text (their name) could be compared with the passage at their positions, and how many
   *  of those are exactly that passage. */
  compared: number;
  exact: number;
}

/** A kind name part: letters, digits, - and _, starting with a letter (accents dropped, anything else a -). */
export function kindPart(name: string): string {
  let s = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (s === '') s = 'code';
  if (!/^[A-Za-z]/.test(s)) s = `c${s}`;
  return s.slice(0, 64).replace(/-+$/, '');
}

/** The workspace path of a source: its name as a relative path (unsafe parts dropped), under `dir`, ending in .txt
 *  unless it is already a .txt or .md file. */
export function sourcePath(dir: string, name: string): string {
  const parts = name
    .replace(/\\/g, '/')
    .split('/')
    .map((p) =>
      p
        .replace(/[\u0000-\u001F\u007F<>:"|?*]/g, '-')
        .replace(/^[\s.]+|[\s.]+$/g, '')
        .slice(0, 120),
    )
    .filter((p) => p !== '');
  let rel = parts.length === 0 ? 'source' : parts.join('/');
  if (!/\.(txt|md)$/i.test(rel)) rel += '.txt';
  return dir === '' || dir === '.' ? rel : `${dir.replace(/\/+$/, '')}/${rel}`;
}

/** The folder a project goes into by default: its name, made safe. */
export function projectFolder(name: string): string {
  return (
    name
      .replace(/[\u0000-\u001F\u007F<>:"/\\|?*]/g, '-')
      .replace(/^[\s.]+|[\s.]+$/g, '')
      .slice(0, 120) || 'refi-qda-import'
  );
}

const GUID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;

/** A ULID for an annotation from a GUID: its 128 bits when it is one (so Marginalia's own exports give their ids back),
 *  else a hash of it. */
function idFor(guid: string, taken: Set<string>): string {
  let key = guid;
  for (let i = 0; ; i++) {
    const uuid = GUID.test(key) ? key : hashUuid(key);
    const id = uuidToULID(uuid);
    if (!taken.has(id)) {
      taken.add(id);
      return id;
    }
    key = `${guid}:${i + 1}`;
  }
}

function hashUuid(s: string): string {
  const hex = createHash('sha1').update(s, 'utf8').digest('hex').slice(0, 32).toUpperCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function iso(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

function colour(c: string | undefined): string | undefined {
  if (c === undefined) return undefined;
  const m = /^#?([0-9a-f]{6}|[0-9a-f]{3})$/i.exec(c.trim());
  if (!m) return undefined;
  const hex = m[1].length === 3 ? [...m[1]].map((x) => x + x).join('') : m[1];
  return `#${hex.toLowerCase()}`;
}

/** The kind of an annotation made from a selection that has a note and no code (a memo on a passage). */
export const MEMO_KIND = 'memo';

const FIELD_TYPE: Record<string, AttributeField['type']> = { Float: 'number', Integer: 'number', Boolean: 'boolean' };
const ATTRIBUTE = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

/** Turns a read project into documents, annotations and codebook additions for a workspace (nothing is written). */
export function buildRefiImport(p: RefiProject, o: RefiImportOptions): RefiImport {
  const skipped: string[] = [];
  const users = new Map(p.users.map((u) => [u.guid, u.name]));
  const userName = (...guids: (string | undefined)[]): string => {
    // The first user the project names (even one without a name: that is who it was).
    for (const g of guids) if (g !== undefined && users.has(g)) return users.get(g) as string;
    return o.author;
  };

  // Codes → kinds: which codes are coded, and their names.
  const used = new Set<string>();
  for (const s of p.sources) for (const sel of s.selections) for (const c of sel.codings) used.add(c.code);
  const kindOf = new Map<string, string>();
  const taken = new Map<string, string>();
  for (const c of p.codes) {
    const parts = c.path.map(kindPart);
    if (parts.length > 8) parts.splice(7, parts.length - 7, parts.slice(7).join('-').slice(0, 64));
    let name = parts.join('/');
    for (let i = 2; taken.has(name) && taken.get(name) !== c.guid; i++)
      name = [...parts.slice(0, -1), `${parts[parts.length - 1].slice(0, 60)}-${i}`].join('/');
    taken.set(name, c.guid);
    kindOf.set(c.guid, name);
  }
  let codebook = o.codebook;
  const newKinds: string[] = [];
  const fieldsOf = (kind: string): AttributeField[] =>
    p.variables.flatMap((v) => {
      if (!v.name.startsWith(`${kind}.`)) return [];
      const name = v.name.slice(kind.length + 1);
      if (!ATTRIBUTE.test(name)) return [];
      return [{ name, type: FIELD_TYPE[v.type] ?? 'string', ...(v.description ? { description: v.description } : {}) }];
    });
  const addCode = (c: RefiCode): void => {
    const name = kindOf.get(c.guid) as string;
    if (codebook.kinds.some((k) => k.name === name)) return;
    const original = c.path.join('/');
    const description = original === name ? c.description : c.description ? `${c.name}: ${c.description}` : c.name;
    codebook = addKind(codebook, { name, description, attributes: fieldsOf(name), ...(colour(c.color) ? { colour: colour(c.color) } : {}) });
    newKinds.push(name);
  };
  for (const c of p.codes) if (c.isCodable || used.has(c.guid)) addCode(c);

  // Selections → annotations, one per coding.
  const ids = new Set<string>();
  const bySelection = new Map<string, Annotation>();
  const documents: RefiImportDocument[] = [];
  const paths = new Set<string>();
  let compared = 0;
  let exact = 0;
  let count = 0;
  const note = (guids: readonly string[]): string =>
    guids
      .map((g) => p.notes.get(g))
      .filter((n): n is string => n !== undefined && n !== '')
      .join('\n\n');
  for (const s of p.sources) {
    if (s.text === undefined) {
      skipped.push(`${s.name}: ${s.missing ?? 'no plain text'}${s.selections.length > 0 ? ` (its ${s.selections.length} selection(s) are not imported)` : ''}`);
      continue;
    }
    let path = sourcePath(o.dir, s.name);
    for (let i = 2; paths.has(path.toLowerCase()); i++) path = sourcePath(o.dir, `${s.name} (${i})`);
    paths.add(path.toLowerCase());
    const text = s.text;
    const cp = new CodePointText(text);
    const hash = contentHash(text);
    const annotations: Annotation[] = [];
    for (const sel of s.selections) {
      const start = Number.isInteger(sel.start) ? cp.toUtf16(sel.start) : undefined;
      const end = Number.isInteger(sel.end) ? cp.toUtf16(sel.end) : undefined;
      if (start === undefined || end === undefined || start >= end) {
        skipped.push(`${s.name}: selection ${sel.guid} at ${describe(sel)} is not a passage of its ${cp.codePoints} code points`);
        continue;
      }
      if (sel.name !== undefined && sel.name !== '') {
        compared++;
        if (sel.name === text.slice(start, end)) exact++;
      }
      const codings = sel.codings.filter((c) => kindOf.has(c.code));
      if (codings.length < sel.codings.length) skipped.push(`${s.name}: selection ${sel.guid} refers to a code the project does not define`);
      // A selection with a note and no code is a memo on the passage: an annotation of the kind memo carries it.
      const memo = sel.codings.length === 0 ? note(sel.notes) : '';
      if (sel.codings.length === 0 && memo === '') {
        skipped.push(`${s.name}: selection ${sel.guid} at ${describe(sel)} has no code and no note`);
        continue;
      }
      if (memo !== '' && !codebook.kinds.some((k) => k.name === MEMO_KIND)) {
        codebook = addKind(codebook, { name: MEMO_KIND, description: 'A note on a passage: a REFI-QDA selection with a note and no code.' });
        newKinds.push(MEMO_KIND);
      }
      const uses: { kind: string; key: string; user?: string; created?: string; notes: readonly string[] }[] =
        memo !== ''
          ? [{ kind: MEMO_KIND, key: sel.guid, notes: [] }]
          : codings.map((c, i) => ({
              kind: kindOf.get(c.code) as string,
              key: i === 0 ? sel.guid : c.guid || `${sel.guid}:${i}`,
              user: c.creatingUser,
              created: c.created,
              notes: c.notes,
            }));
      uses.forEach((u, i) => {
        const created = iso(u.created) ?? iso(sel.created) ?? o.now.toISOString();
        const modified = [iso(sel.modified), created].filter((x): x is string => x !== undefined).sort()[1] ?? created;
        const a: Annotation = {
          id: idFor(u.key, ids),
          kind: u.kind,
          doc: path,
          target: { start, end, quote: makeQuote(text, start, end) },
          note: note([...sel.notes, ...u.notes]),
          attributes: {},
          provenance: { author: userName(u.user, sel.creatingUser, s.creatingUser, p.creatingUser), created, modified, tool: TOOL_ID, docHash: hash },
          anchor: { status: 'anchored' },
        };
        annotations.push(a);
        if (i === 0) bySelection.set(sel.guid, a);
        count++;
      });
    }
    documents.push({ path, source: s.name, text, annotations });
  }
  for (const u of p.unsupported) skipped.push(`${u}: not a plain-text source, not imported`);

  // Case variable values that belong to one selection (Marginalia's attributes) → that annotation's attributes.
  const variables = new Map(p.variables.map((v) => [v.guid, v.name]));
  let personCases = 0;
  for (const c of p.cases) {
    const targets = c.selections.map((g) => bySelection.get(g)).filter((a): a is Annotation => a !== undefined);
    if (targets.length !== 1) {
      personCases++;
      continue;
    }
    const a = targets[0];
    const attributes: Record<string, AttributeValue> = { ...a.attributes };
    for (const v of c.values) {
      const name = variables.get(v.variable);
      if (name === undefined || !name.startsWith(`${a.kind}.`) || !ATTRIBUTE.test(name.slice(a.kind.length + 1))) continue;
      attributes[name.slice(a.kind.length + 1)] = v.value;
    }
    a.attributes = Object.fromEntries(
      Object.keys(attributes)
        .sort()
        .map((k) => [k, attributes[k]]),
    );
  }
  if (personCases > 0) skipped.push(`${personCases} case(s) and their variables: Marginalia has no cases`);

  // Links between two imported selections → relations, typed by the link's name.
  const newRelationTypes: RelationType[] = [];
  let otherLinks = 0;
  for (const l of p.links) {
    const from = l.origin === undefined ? undefined : bySelection.get(l.origin);
    const to = l.target === undefined ? undefined : bySelection.get(l.target);
    if (!from || !to) {
      otherLinks++;
      continue;
    }
    const types = [...relationTypes(codebook), ...newRelationTypes];
    let type = types.find((t) => t.name === l.name) ?? types.find((t) => t.name === kindPart(l.name || 'linked'));
    if (!type) {
      type = {
        name: kindPart(l.name || 'linked'),
        label: l.name || 'linked',
        direction: l.direction === 'OneWay' ? 'directed' : 'symmetric',
        from: [],
        to: [],
        description: `Links named "${l.name}" in the REFI-QDA project ${p.name}.`,
      };
      newRelationTypes.push(type);
    }
    if (newRelationTypes.includes(type)) {
      if (!type.from.includes(from.kind)) type.from.push(from.kind);
      if (!type.to.includes(to.kind)) type.to.push(to.kind);
    }
    const relation: Relation = { type: type.name, to: to.id, author: from.provenance.author, created: from.provenance.created };
    if (!(from.relations ?? []).some((r) => r.type === relation.type && r.to === relation.to))
      from.relations = [...(from.relations ?? []), relation].sort((x, y) =>
        x.type < y.type ? -1 : x.type > y.type ? 1 : x.to < y.to ? -1 : x.to > y.to ? 1 : 0,
      );
  }
  if (otherLinks > 0) skipped.push(`${otherLinks} link(s) not between two coded selections (between codes, sources or notes): not carried`);
  if (newRelationTypes.length > 0) codebook = { ...codebook, relations: [...(codebook.relations ?? defaultRelationTypes()), ...newRelationTypes] };

  return {
    project: p.name,
    ...(p.origin ? { origin: p.origin } : {}),
    documents,
    codebook: newKinds.length > 0 || newRelationTypes.length > 0 ? codebook : undefined,
    newKinds,
    newRelationTypes: newRelationTypes.map((t) => t.name),
    skipped,
    annotations: count,
    compared,
    exact,
  };
}

function describe(sel: RefiSelection): string {
  return `${Number.isNaN(sel.start) ? '?' : sel.start}-${Number.isNaN(sel.end) ? '?' : sel.end}`;
}

export interface RefiImportPlan {
  import: RefiImport;
  /** Documents to write (new here); the others are already in the workspace with the same text. */
  create: RefiImportDocument[];
  plan: ImportPlan;
}

/**
 * Checks and plans an import without writing: every document's place (`assertDocument` throws for a path outside the
 * workspace or the corpus), a document already there with another text (refused: nothing is overwritten), and the
 * annotations' merge into the sidecars (planImport, as if the new documents were written). Throws ImportError (and
 * what planImport throws) naming the problem.
 */
export async function planRefiImport(
  store: AnnotationStore,
  imp: RefiImport,
  assertDocument: (rel: string) => Promise<void>,
  corpus: () => Promise<readonly string[]>,
): Promise<RefiImportPlan> {
  const create: RefiImportDocument[] = [];
  const pending = new Map<string, Uint8Array>();
  const encoder = new TextEncoder();
  for (const d of imp.documents) {
    if (toRelPath(d.path) !== d.path) throw new ImportError(`${d.source} would go to ${d.path}, which is not a plain workspace path`);
    await assertDocument(d.path);
    const bytes = await store.fs.read(d.path);
    if (bytes !== undefined) {
      const here = new TextDecoder('utf-8', { fatal: false }).decode(bytes).replace(/^\uFEFF/, '');
      if (here !== d.text)
        throw new ImportError(
          `${d.path} already exists with another text than the project's source ${d.source}; import into another folder (--to), nothing was overwritten`,
        );
      continue;
    }
    create.push(d);
    pending.set(d.path, encoder.encode(d.text));
  }
  const overlay = new AnnotationStore(pendingFs(store.fs, pending));
  const exported: ExportedDocument[] = imp.documents.map((d) => ({ path: d.path, hash: contentHash(d.text), annotations: d.annotations }));
  const plan = await planImport(overlay, exported, async () => [...new Set([...(await corpus()), ...pending.keys()])].sort());
  // A source whose annotations already live in a document with the same text (a project exported from this very
  // workspace) is that document: no copy of it is written.
  const same = new Set(plan.documents.filter((p) => p.followed !== undefined && p.text !== undefined && pending.has(p.from) && p.sameText).map((p) => p.from));
  return { import: imp, create: create.filter((d) => !same.has(d.path)), plan };
}

/** Writes a planned import: the new documents, the codebook's new kinds, then the annotations into their sidecars. */
export async function applyRefiImport(store: AnnotationStore, p: RefiImportPlan): Promise<void> {
  const encoder = new TextEncoder();
  for (const d of p.create) await store.fs.writeAtomic(d.path, encoder.encode(d.text));
  if (p.import.codebook) await store.saveCodebook(p.import.codebook);
  await applyImport(store, p.plan);
}

/** The workspace as it will be once the new documents are written: reads see them; nothing can be written. */
function pendingFs(fs: WorkspaceFs, pending: ReadonlyMap<string, Uint8Array>): WorkspaceFs {
  const refuse = (): Promise<never> => Promise.reject(new Error('an import plan writes nothing'));
  return {
    read: (rel) => (pending.has(rel) ? Promise.resolve(pending.get(rel)) : fs.read(rel)),
    stat: (rel) => {
      const b = pending.get(rel);
      return b ? Promise.resolve({ size: b.length, mtime: 0 }) : fs.stat(rel);
    },
    list: (dir) => fs.list(dir),
    writeAtomic: refuse,
    delete: refuse,
  };
}
