// The entity register: one canonical name per person, organisation or place of a workspace, its type, and the other
// spellings (aliases) the documents use for it. Entity annotations point at an entity through their `canonical`
// attribute, so renaming or merging entities here comes with the annotation rewrites that keep them pointing right.
// Stored as .marginalia/entities.yaml and shared through git, so it is written in one canonical form (sorted by name,
// one line per field, the sidecar's quoting rule) and read defensively, with file, line and column in every error.
//
// Finding mentions ("tag all mentions of Putin") is here too: it is the register's other half, and suggestions reuse
// it. Offsets are UTF-16 code units, half-open [start, end), as everywhere in the core.
import { compareCodeUnits } from './text';
import { STORE_DIR, TOOL_ID } from '../constants';
import { ENTITY_TYPES, type Annotation, type AttributeValue, type EntityType } from './model';
import {
  YamlFileError,
  decodeYamlBytes,
  describeValue,
  parseYamlSafely,
  schemaProblem,
  type ErrorFactory,
  type PatternHints,
  type Problem,
  errorFactoryFor,
} from './schemaValidate';
import { validator } from './validators';
import { yamlScalar } from './sidecar';

export const ENTITIES_PATH = `${STORE_DIR}/entities.yaml`;
export const ENTITIES_VERSION = 1;
/** Even 100,000 entities with a few aliases each stay well below this. */
export const MAX_ENTITIES_BYTES = 16 * 1024 * 1024;
/** The annotation kind whose `type` and `canonical` attributes refer to register entities. */
export const ENTITY_KIND = 'entity';

export interface Entity {
  /** The canonical name, which entity annotations store in their `canonical` attribute. */
  name: string;
  type: EntityType;
  /** Other spellings that name the entity in documents; sorted, never the name itself. */
  aliases: string[];
  note?: string;
}

export interface EntityRegister {
  /** Sorted by name (see compareNames). A name or alias belongs to one entity only. */
  entities: Entity[];
}

/** An entity register file that cannot be loaded; it is reported and left untouched. */
export class EntitiesError extends YamlFileError {
  override readonly name = 'EntitiesError';
}

/** A mistake in what a person asked for (a name already taken, an entity that does not exist); the message is for them. */
export class EntityInputError extends Error {}

/** Annotations as the store gives them (by document) or as any list. */
export type AnnotationSource = ReadonlyMap<string, readonly Annotation[]> | Iterable<Annotation>;

/** A change to one annotation that a register change needs, with the changed copy ready to store. */
export interface AnnotationRewrite {
  doc: string;
  id: string;
  /** The attributes that change, with their values before and after. */
  changes: Record<string, { from: AttributeValue | undefined; to: AttributeValue }>;
  /** The annotation with the change applied and `modified` bumped: for AnnotationStore.update(doc, { upsert }). */
  annotation: Annotation;
}

/** A new register and the annotation rewrites that keep entity annotations pointing at the right entity. */
export interface RegisterChange {
  register: EntityRegister;
  /** Sorted by document, then position. */
  rewrites: AnnotationRewrite[];
}

export function emptyRegister(): EntityRegister {
  return { entities: [] };
}

/**
 * Register order: case-insensitively, then by UTF-16 code units so that the order never depends on the machine's
 * locale or ICU version (localeCompare does), and two people's registers sort the same.
 */
export function compareNames(a: string, b: string): number {
  const fa = a.toLowerCase();
  const fb = b.toLowerCase();
  if (fa !== fb) return fa < fb ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Looking up

/**
 * The entity a name or alias refers to. An exact (case-sensitive) match wins, name before alias, because the register
 * may hold "Apple" and "apple" as different entities. Only when nothing matches exactly is case ignored, so a name
 * typed in lower case in a search box still finds its entity; among several such matches the first in register order
 * wins. Surrounding whitespace is ignored.
 */
export function findEntity(reg: EntityRegister, nameOrAlias: string): Entity | undefined {
  const s = nameOrAlias.trim();
  if (s === '') return undefined;
  const exact = reg.entities.find((e) => e.name === s) ?? reg.entities.find((e) => e.aliases.includes(s));
  if (exact) return exact;
  const f = s.toLowerCase();
  return reg.entities.find((e) => e.name.toLowerCase() === f) ?? reg.entities.find((e) => e.aliases.some((a) => a.toLowerCase() === f));
}

/** The entity annotations whose `canonical` is this entity's name, by document (sorted), each list by position. */
export function mentionsOf(entity: Entity, annotations: AnnotationSource): { doc: string; annotations: Annotation[] }[] {
  const byDoc = new Map<string, Annotation[]>();
  for (const a of eachAnnotation(annotations)) {
    if (a.kind !== ENTITY_KIND || a.attributes.canonical !== entity.name) continue;
    const list = byDoc.get(a.doc) ?? [];
    list.push(a);
    byDoc.set(a.doc, list);
  }
  return [...byDoc.keys()]
    .sort(compareCodeUnits)
    .map((doc) => ({ doc, annotations: (byDoc.get(doc) ?? []).sort((x, y) => x.target.start - y.target.start || x.target.end - y.target.end) }));
}

// ---------------------------------------------------------------------------------------------------------------
// Changing

/** The register with `entity` added; throws EntityInputError when its name or an alias is already taken. */
export function addEntity(reg: EntityRegister, entity: Entity): EntityRegister {
  const e = cleanEntity(entity);
  checkFree(reg, [e.name, ...e.aliases], undefined);
  return sorted([...reg.entities, e]);
}

/** The register without the entity; its annotations keep their `canonical` (they are the caller's to delete or keep). */
export function removeEntity(reg: EntityRegister, name: string): EntityRegister {
  const e = mustFind(reg, name);
  return { entities: reg.entities.filter((x) => x !== e) };
}

export interface EntityEdit {
  type?: EntityType;
  aliases?: readonly string[];
  /** A note; '' or null removes it. */
  note?: string | null;
}

/**
 * Changes an entity's type, aliases or note. A new type is carried to the `type` attribute of its annotations that
 * have a different one (they are mentions of this entity, so they are what it is).
 */
export function updateEntity(reg: EntityRegister, name: string, edit: EntityEdit, annotations: AnnotationSource, now: Date): RegisterChange {
  const old = mustFind(reg, name);
  const next: Entity = { name: old.name, type: edit.type ?? old.type, aliases: [...(edit.aliases ?? old.aliases)] };
  const note = edit.note === undefined ? old.note : edit.note ?? undefined;
  if (note !== undefined && note !== '') next.note = note;
  const e = cleanEntity(next);
  checkFree(reg, e.aliases, old);
  const register = sorted(reg.entities.map((x) => (x === old ? e : x)));
  const rewrites = e.type === old.type ? [] : rewrite(annotations, old.name, old.name, e.type, now);
  return { register, rewrites };
}

export interface RenameOptions {
  /** Keep the old name as an alias (default false: a rename usually corrects a name, and a typo is no spelling to look for). */
  keepOldAsAlias?: boolean;
}

/**
 * Gives an entity a new canonical name, and rewrites `canonical` of the entity annotations that carry the old one.
 * The new name may be one of the entity's aliases (it stops being one); throws EntityInputError when another entity
 * has it, since two entities cannot share a name (merge them instead).
 */
export function renameEntity(
  reg: EntityRegister,
  oldName: string,
  newName: string,
  annotations: AnnotationSource,
  now: Date,
  options: RenameOptions = {},
): RegisterChange {
  const old = mustFind(reg, oldName);
  const name = cleanName(newName, 'the new name');
  if (name === old.name) return { register: reg, rewrites: [] };
  const aliases = old.aliases.filter((a) => a !== name);
  if (options.keepOldAsAlias) aliases.push(old.name);
  const e = cleanEntity({ ...old, name, aliases });
  checkFree(reg, [e.name, ...e.aliases], old);
  return { register: sorted(reg.entities.map((x) => (x === old ? e : x))), rewrites: rewrite(annotations, old.name, name, undefined, now) };
}

/**
 * Merges `absorb` into `keep`: the kept entity gains the absorbed one's name and aliases as aliases (and its note, when
 * it has none), and the annotations of the absorbed entity are rewritten to the kept name, and to the kept type where
 * they state a different one.
 */
export function mergeEntities(reg: EntityRegister, keep: string, absorb: string, annotations: AnnotationSource, now: Date): RegisterChange {
  const k = mustFind(reg, keep);
  const a = mustFind(reg, absorb);
  if (k === a) throw new EntityInputError(`cannot merge ${JSON.stringify(k.name)} into itself; choose two different entities`);
  const merged: Entity = { name: k.name, type: k.type, aliases: [...k.aliases, a.name, ...a.aliases] };
  const notes = [k.note, a.note].filter((n): n is string => n !== undefined && n !== '');
  if (notes.length > 0) merged.note = notes[0] === notes[1] ? notes[0] : notes.join('\n');
  const register = sorted(reg.entities.filter((x) => x !== a).map((x) => (x === k ? cleanEntity(merged) : x)));
  return { register, rewrites: rewrite(annotations, a.name, k.name, k.type, now) };
}

/**
 * The register that existing entity annotations imply, to seed one: an entity per distinct `canonical` (or, without
 * one, the annotated text), typed by the majority of its annotations' `type` attributes ('other' when none says), with
 * the annotated spellings that differ from the name as aliases (a trailing possessive "'s" dropped). Entities of
 * `base` stay as they are and gain the new spellings of their mentions; an annotation whose canonical is an alias of
 * a base entity counts as a mention of it. A spelling two entities would claim goes to the first in register order.
 */
export function registerFromAnnotations(annotations: AnnotationSource, base: EntityRegister = emptyRegister()): EntityRegister {
  interface Seed {
    types: Map<EntityType, number>;
    spellings: Set<string>;
  }
  const seeds = new Map<string, Seed>();
  for (const a of eachAnnotation(annotations)) {
    if (a.kind !== ENTITY_KIND) continue;
    const spelling = seedName(a.target.quote.exact);
    const given = typeof a.attributes.canonical === 'string' ? seedName(a.attributes.canonical) : '';
    const raw = given !== '' ? given : spelling;
    if (raw === '') continue;
    const known = base.entities.find((e) => e.name === raw) ?? base.entities.find((e) => e.aliases.includes(raw));
    const name = known?.name ?? raw;
    const seed = seeds.get(name) ?? { types: new Map<EntityType, number>(), spellings: new Set<string>() };
    const type = a.attributes.type;
    if (typeof type === 'string' && isEntityType(type)) seed.types.set(type, (seed.types.get(type) ?? 0) + 1);
    if (spelling !== '') seed.spellings.add(spelling);
    if (raw !== name) seed.spellings.add(raw);
    seeds.set(name, seed);
  }
  const entities = new Map<string, Entity>(base.entities.map((e) => [e.name, { ...e, aliases: [...e.aliases] }]));
  for (const [name, seed] of seeds) {
    if (entities.has(name)) continue;
    let type: EntityType = 'other';
    let best = 0;
    for (const t of ENTITY_TYPES) {
      const n = seed.types.get(t) ?? 0;
      if (n > best) [type, best] = [t, n];
    }
    entities.set(name, { name, type, aliases: [] });
  }
  // Names are claimed before any alias, so a spelling that is some entity's name never becomes another's alias.
  const claimed = new Set<string>(entities.keys());
  for (const e of base.entities) for (const alias of e.aliases) claimed.add(alias);
  const order = [...entities.values()].sort((x, y) => compareNames(x.name, y.name));
  for (const e of order) {
    const seed = seeds.get(e.name);
    if (!seed) continue;
    for (const s of [...seed.spellings].sort(compareNames)) {
      if (claimed.has(s)) continue;
      claimed.add(s);
      e.aliases.push(s);
    }
  }
  return sorted(order.map(cleanEntity));
}

// ---------------------------------------------------------------------------------------------------------------
// Finding mentions

/** A place in a document where a name of an entity is written. */
export interface Mention {
  start: number;
  end: number;
  /** The text as written there (the name or alias, in the document's spacing and apostrophes). */
  matched: string;
}

/** A mention found by findRegisterMentions: which entity it names. */
export interface RegisterMention extends Mention {
  entity: Entity;
}

/** A span to leave alone. */
export interface Span {
  start: number;
  end: number;
}

export interface FindMentionsOptions {
  /**
   * Spans already tagged: a candidate overlapping any of them is skipped. Pass the spans of the entity's annotations
   * in the document (or of all its entity annotations, to avoid tagging a name inside another tagged name).
   */
  existing?: readonly Span[];
  /** Match names whatever their case (default false: "Apple" the company is not "apple" the fruit). */
  ignoreCase?: boolean;
}

/**
 * Every place in `text` where the entity's name or one of its aliases is written, for a "tag all mentions" preview;
 * nothing is stored. Rules:
 * - whole words only, by Unicode letters, marks and digits: "Putin" is not found in "Putinism", "Russia" not in
 *   "Russian", "Ан" not in "Анна"; names in scripts written without spaces (Chinese, Japanese, Thai, ...) match
 *   anywhere;
 * - a possessive stays outside the mention: "Putin's" and "Putin’s" give "Putin"; any other apostrophe joined to a
 *   word ("O'Brien") is part of that word, so "Brien" is not found there;
 * - case-sensitive unless `ignoreCase`; a space in a name matches any run of white space (a name may wrap across a
 *   line), and ' and ’ match each other;
 * - longest first and never overlapping: where "Vladimir Putin" is written, the alias "Putin" is not also found;
 * - nothing that overlaps an `existing` span.
 * Sorted by position.
 */
export function findMentions(text: string, entity: Entity, options: FindMentionsOptions = {}): Mention[] {
  return findRegisterMentions(text, { entities: [entity] }, options).map(({ start, end, matched }) => ({ start, end, matched }));
}

/** findMentions for every entity of a register at once, in one pass over the text (as suggestions need). Where two
 *  entities' names overlap, the longer match wins; for equal lengths, the earlier one, then register order. */
export function findRegisterMentions(text: string, reg: EntityRegister, options: FindMentionsOptions = {}): RegisterMention[] {
  const matcher = new NameMatcher(reg.entities, options.ignoreCase === true);
  const candidates = matcher.candidates(text);
  if (candidates.length === 0) return [];
  candidates.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start || a.order - b.order);
  // One byte per code unit marks what is taken: checking a candidate costs its own length, so even 100,000 mentions
  // in a 1 MB document are placed in linear time.
  const taken = new Uint8Array(text.length);
  for (const s of options.existing ?? []) {
    const from = Math.max(0, Math.floor(s.start));
    const to = Math.min(text.length, Math.ceil(s.end));
    taken.fill(1, from, Math.max(from, to));
  }
  const out: RegisterMention[] = [];
  next: for (const c of candidates) {
    for (let i = c.start; i < c.end; i++) if (taken[i] === 1) continue next;
    taken.fill(1, c.start, c.end);
    out.push({ start: c.start, end: c.end, matched: text.slice(c.start, c.end), entity: c.entity });
  }
  return out.sort((a, b) => a.start - b.start);
}

interface Candidate {
  start: number;
  end: number;
  entity: Entity;
  order: number;
}

interface NamePattern {
  re: RegExp;
  entity: Entity;
  order: number;
  /** False for names whose first (last) character belongs to a script written without spaces. */
  startBoundary: boolean;
  endBoundary: boolean;
}

const WORD_CHAR = /[\p{L}\p{M}\p{N}]/u;
const WORD_RUN = /[\p{L}\p{M}\p{N}]+/gu;
const APOSTROPHE = /['’]/;
/** Scripts written without spaces between words, where a word boundary cannot be asked for. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}\p{Script=Tibetan}]/u;

/**
 * Matches many names at once. Names are indexed by their first word, so the text is read once, word by word, and a
 * name is only tried where its first word stands: the cost grows with the text, not with the size of the register.
 * Names that do not start with a word of a spaced script are searched for separately (there are few).
 */
class NameMatcher {
  private readonly byFirstWord = new Map<string, NamePattern[]>();
  private readonly others: NamePattern[] = [];

  constructor(entities: readonly Entity[], ignoreCase: boolean) {
    let order = 0;
    for (const entity of entities) {
      for (const name of [entity.name, ...entity.aliases]) {
        if (name.trim() === '') continue;
        const first = firstChar(name);
        const last = lastChar(name);
        const p: NamePattern = {
          re: new RegExp(namePattern(name), ignoreCase ? 'iuy' : 'uy'),
          entity,
          order: order++,
          startBoundary: WORD_CHAR.test(first) && !UNSPACED.test(first),
          endBoundary: WORD_CHAR.test(last) && !UNSPACED.test(last),
        };
        WORD_RUN.lastIndex = 0;
        const m = WORD_RUN.exec(name);
        if (p.startBoundary && m && m.index === 0) {
          const key = m[0].toLowerCase();
          const list = this.byFirstWord.get(key) ?? [];
          list.push(p);
          this.byFirstWord.set(key, list);
        } else {
          this.others.push(p);
        }
      }
    }
  }

  candidates(text: string): Candidate[] {
    const out: Candidate[] = [];
    if (this.byFirstWord.size > 0) {
      const words = new RegExp(WORD_RUN.source, 'gu');
      for (let m = words.exec(text); m; m = words.exec(text)) {
        const list = this.byFirstWord.get(m[0].toLowerCase());
        if (!list) continue;
        // A word glued to a letter by an apostrophe ("O'Brien") continues that word.
        if (m.index >= 2 && APOSTROPHE.test(text[m.index - 1]) && WORD_CHAR.test(charBefore(text, m.index - 1))) continue;
        for (const p of list) this.tryAt(text, m.index, p, out);
      }
    }
    for (const p of this.others) {
      for (let i = 0; i < text.length; i++) {
        if (this.tryAt(text, i, p, out)) i = out[out.length - 1].end - 1;
      }
    }
    return out;
  }

  private tryAt(text: string, at: number, p: NamePattern, out: Candidate[]): boolean {
    p.re.lastIndex = at;
    const m = p.re.exec(text);
    if (!m || m[0].length === 0) return false;
    const end = at + m[0].length;
    if (p.startBoundary && at > 0 && WORD_CHAR.test(charBefore(text, at))) return false;
    if (p.endBoundary && !endsWord(text, end)) return false;
    out.push({ start: at, end, entity: p.entity, order: p.order });
    return true;
  }
}

/** True when a name ending at `end` ends a word there: what follows is no letter or digit, or is a possessive. */
function endsWord(text: string, end: number): boolean {
  if (end >= text.length) return true;
  const next = charAtPoint(text, end);
  if (WORD_CHAR.test(next)) return false;
  if (!APOSTROPHE.test(next) || end + 1 >= text.length || !WORD_CHAR.test(charAtPoint(text, end + 1))) return true;
  // "Putin's" and "Putin’s" end the name; "Putin'sky" or "O'Brien"-style joins do not.
  return (text[end + 1] === 's' || text[end + 1] === 'S') && (end + 2 >= text.length || !WORD_CHAR.test(charAtPoint(text, end + 2)));
}

function namePattern(name: string): string {
  let out = '';
  for (const part of name.trim().split(/(\s+|['’])/u)) {
    if (part === '') continue;
    if (/^\s+$/u.test(part)) out += '\\s+';
    else if (part === "'" || part === '’') out += "['’]";
    else out += part.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
  }
  return out;
}

function firstChar(s: string): string {
  return String.fromCodePoint(s.codePointAt(0) ?? 0);
}

function lastChar(s: string): string {
  const c = s.charCodeAt(s.length - 1);
  return c >= 0xdc00 && c <= 0xdfff && s.length >= 2 ? s.slice(-2) : s.slice(-1);
}

function charAtPoint(text: string, i: number): string {
  return String.fromCodePoint(text.codePointAt(i) ?? 0);
}

function charBefore(text: string, i: number): string {
  const c = text.charCodeAt(i - 1);
  return c >= 0xdc00 && c <= 0xdfff && i >= 2 ? text.slice(i - 2, i) : text.slice(i - 1, i);
}

// ---------------------------------------------------------------------------------------------------------------
// Reading and writing

export function parseEntitiesBytes(bytes: Uint8Array, file = ENTITIES_PATH): EntityRegister {
  return parseEntities(decodeYamlBytes(bytes, MAX_ENTITIES_BYTES, errorFactory(file), 'the entity register'), file);
}

/** Parses and validates a register; throws EntitiesError with the line and column of the first problem. The result
 *  is sorted, with aliases sorted, whatever order a hand edit left. */
export function parseEntities(text: string, file = ENTITIES_PATH): EntityRegister {
  const fail = errorFactory(file);
  const parsed = parseYamlSafely(text, fail, {
    conflictHint:
      'by keeping the entities of both sides and deleting the <<<<<<<, ======= and >>>>>>> lines ' +
      '(if both sides changed one entity, keep one version of it)',
  });
  const problem = checkRegisterValue(parsed.value);
  if (problem) {
    const at = parsed.locate(problem.path, problem.key);
    throw fail(problem.code, `${problem.reason}. Fix it by hand or restore it from git; until then Marginalia leaves the file as it is`, at?.line, at?.column);
  }
  const raw = parsed.value as { entities: RawEntity[] };
  return sorted(raw.entities.map(fromRaw));
}

/** Canonical register YAML: entities sorted by name, fixed key order, one line per field and per alias. Throws Error
 *  for a register that would not load back (a name taken twice, an empty name, ...). */
export function serializeEntities(reg: EntityRegister): string {
  const ordered = sorted(reg.entities.map(normaliseForWrite));
  const value = { version: ENTITIES_VERSION, entities: ordered.entities.map(toRaw) };
  const problem = checkRegisterValue(value);
  if (problem) throw new Error(`refusing to save an entity register that could not be loaded back: ${problem.reason}`);
  const lines = [
    '# Marginalia entity register: each entity\'s canonical name, type and other spellings (aliases), sorted by name. Schema: schemas/entities.schema.json',
    `version: ${ENTITIES_VERSION}`,
    ordered.entities.length === 0 ? 'entities: []' : 'entities:',
  ];
  for (const e of ordered.entities) {
    lines.push(`  - name: ${yamlScalar(e.name)}`, `    type: ${yamlScalar(e.type)}`);
    if (e.aliases.length === 0) lines.push('    aliases: []');
    else {
      lines.push('    aliases:');
      for (const a of e.aliases) lines.push(`      - ${yamlScalar(a)}`);
    }
    if (e.note !== undefined) lines.push(`    note: ${yamlScalar(e.note)}`);
  }
  return lines.join('\n') + '\n';
}

interface RawEntity {
  name: string;
  type: EntityType;
  aliases?: string[];
  note?: string;
}

function fromRaw(r: RawEntity): Entity {
  const e: Entity = { name: r.name, type: r.type, aliases: [...(r.aliases ?? [])].sort(compareNames) };
  if (r.note !== undefined && r.note !== '') e.note = r.note;
  return e;
}

function toRaw(e: Entity): RawEntity {
  const r: RawEntity = { name: e.name, type: e.type, aliases: e.aliases };
  if (e.note !== undefined) r.note = e.note;
  return r;
}

/** What serializeEntities writes: aliases sorted, an empty note left out; names are not altered, so a bad one is
 *  refused rather than silently changed. */
function normaliseForWrite(e: Entity): Entity {
  const out: Entity = { name: e.name, type: e.type, aliases: [...e.aliases].sort(compareNames) };
  if (e.note !== undefined && e.note !== '') out.note = e.note;
  return out;
}

function errorFactory(file: string): ErrorFactory {
  return errorFactoryFor(EntitiesError, file);
}

const NAME_HINT = 'a name on one line without spaces at either end';
const HINTS: PatternHints = { name: NAME_HINT };

/** Version, schema, then meaning: every name and alias belongs to one entity, and no alias repeats its own name. */
function checkRegisterValue(value: unknown): Problem | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { path: [], code: 'schema', reason: 'an entity register must be a YAML mapping with version and entities' };
  }
  const version = (value as { version?: unknown }).version;
  if (version !== ENTITIES_VERSION && version !== undefined) {
    const newer = typeof version === 'number' && Number.isInteger(version) && version > ENTITIES_VERSION;
    return {
      path: ['version'],
      code: 'version',
      reason: newer
        ? `written by a newer Marginalia (entity register format version ${version}; this one reads version ${ENTITIES_VERSION}); update Marginalia to read it`
        : `unknown entity register format version ${describeValue(version)}; this Marginalia reads version ${ENTITIES_VERSION}`,
    };
  }
  const problem = schemaProblem(validator('entities'), value, HINTS);
  if (problem) return aliasHint(problem);
  const entities = (value as { entities: RawEntity[] }).entities;
  const owner = new Map<string, { index: number; what: string }>();
  const claim = (s: string, index: number, what: string, path: (string | number)[]): Problem | undefined => {
    const before = owner.get(s);
    if (before === undefined) {
      owner.set(s, { index, what });
      return undefined;
    }
    const other = entities[before.index].name;
    return {
      path,
      code: 'invalid',
      reason:
        before.index === index
          ? `${JSON.stringify(s)} is both the name and an alias of entities[${index}]; remove the alias`
          : `${JSON.stringify(s)} is ${what} of entities[${index}] (${JSON.stringify(entities[index].name)}) but already ${before.what} of ` +
            `entities[${before.index}] (${JSON.stringify(other)}); a spelling can name one entity only: remove one, or merge the two entities`,
    };
  };
  // Names first, so a clash between a name and an alias is reported at the alias whichever comes first in the file.
  for (let i = 0; i < entities.length; i++) {
    const p = claim(entities[i].name, i, 'the name', ['entities', i, 'name']);
    if (p) return p;
  }
  for (let i = 0; i < entities.length; i++) {
    const aliases = entities[i].aliases ?? [];
    for (let j = 0; j < aliases.length; j++) {
      const p = claim(aliases[j], i, 'an alias', ['entities', i, 'aliases', j]);
      if (p) return p;
    }
  }
  return undefined;
}

/** Pattern hints go by property name, which an alias (a list item) has not; its message gets the same words. */
function aliasHint(p: Problem): Problem {
  if (p.path.includes('aliases') && p.reason.includes('must be text matching')) {
    return { ...p, reason: p.reason.replace(/must be text matching \S+/, `must be ${NAME_HINT}`) };
  }
  return p;
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

function isEntityType(s: string): s is EntityType {
  return (ENTITY_TYPES as readonly string[]).includes(s);
}


function sorted(entities: readonly Entity[]): EntityRegister {
  return { entities: [...entities].sort((a, b) => compareNames(a.name, b.name)) };
}

function* eachAnnotation(source: AnnotationSource): Iterable<Annotation> {
  if (source instanceof Map) {
    for (const list of (source as ReadonlyMap<string, readonly Annotation[]>).values()) yield* list;
  } else {
    yield* source as Iterable<Annotation>;
  }
}

function mustFind(reg: EntityRegister, name: string): Entity {
  const e = reg.entities.find((x) => x.name === name);
  if (!e) throw new EntityInputError(`there is no entity named ${JSON.stringify(name)} in the register`);
  return e;
}

/** A name as people type it: trimmed, inner white space (line breaks too) made single spaces. */
function cleanName(s: string, what: string): string {
  const name = s.replace(/\s+/gu, ' ').trim();
  if (name === '') throw new EntityInputError(`${what} is empty; give the entity a name`);
  if (name.length > 300) throw new EntityInputError(`${what} is ${name.length} characters long; names may have at most 300`);
  return name;
}

/** An entity with clean names, its own name and repeats dropped from the aliases, aliases sorted. */
function cleanEntity(e: Entity): Entity {
  if (!isEntityType(e.type)) throw new EntityInputError(`entity type must be one of ${ENTITY_TYPES.join(', ')}, not ${JSON.stringify(e.type)}`);
  const name = cleanName(e.name, 'the name');
  const aliases = [...new Set(e.aliases.map((a) => cleanName(a, `alias ${JSON.stringify(a)}`)))].filter((a) => a !== name).sort(compareNames);
  const out: Entity = { name, type: e.type, aliases };
  if (e.note !== undefined && e.note !== '') out.note = e.note;
  return out;
}

/** Throws EntityInputError when another entity than `self` already has one of these spellings. */
function checkFree(reg: EntityRegister, spellings: readonly string[], self: Entity | undefined): void {
  for (const s of spellings) {
    const owner = reg.entities.find((x) => x !== self && (x.name === s || x.aliases.includes(s)));
    if (owner) {
      const as = owner.name === s ? 'the name' : 'an alias';
      throw new EntityInputError(`${JSON.stringify(s)} is already ${as} of ${JSON.stringify(owner.name)}; a spelling can name one entity only (merge the two entities instead)`);
    }
  }
}

/** A name seeded from an annotation: white space made single, a trailing possessive dropped ("Putin's" → "Putin"). */
function seedName(s: string): string {
  return s.replace(/\s+/gu, ' ').trim().replace(/['’]s$/u, '').slice(0, 300).trim();
}

/** Rewrites of the entity annotations whose canonical is `from`: canonical to `to`, and type to `type` where they state another. */
function rewrite(annotations: AnnotationSource, from: string, to: string, type: EntityType | undefined, now: Date): AnnotationRewrite[] {
  const out: AnnotationRewrite[] = [];
  const iso = now.toISOString();
  for (const a of eachAnnotation(annotations)) {
    if (a.kind !== ENTITY_KIND || a.attributes.canonical !== from) continue;
    const changes: AnnotationRewrite['changes'] = {};
    if (to !== from) changes.canonical = { from, to };
    const t = a.attributes.type;
    if (type !== undefined && t !== undefined && t !== type) changes.type = { from: t, to: type };
    if (Object.keys(changes).length === 0) continue;
    const attributes = { ...a.attributes };
    for (const [k, c] of Object.entries(changes)) attributes[k] = c.to;
    out.push({
      doc: a.doc,
      id: a.id,
      changes,
      annotation: { ...a, attributes, provenance: { ...a.provenance, modified: iso, tool: TOOL_ID } },
    });
  }
  return out.sort((x, y) => compareCodeUnits(x.doc, y.doc) || x.annotation.target.start - y.annotation.target.start || compareCodeUnits(x.id, y.id));
}
