// The entity register: one canonical name per person, organisation or place of a workspace, its type, and the other
// spellings (aliases) the documents use for it. Entity annotations point at an entity through their `canonical`
// attribute, so renaming or merging entities here comes with the annotation rewrites that keep them pointing right.
// Stored as .marginalia/entities.yaml and shared through git, so it is written in one canonical form (sorted by name,
// one line per field, the sidecar's quoting rule) and read defensively, with file, line and column in every error.
// Finding where these names are written in a text is research/entityMatch.ts.
import { compareCodeUnits, ENTITY_TYPES, UserError, type Annotation, type AttributeValue, type EntityType } from '../model';
import { STORE_DIR, TOOL_ID } from '../../constants';
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
  validator,
  yamlScalar,
} from '../yaml';

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
export class EntityInputError extends UserError {}

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
  const note = edit.note === undefined ? old.note : (edit.note ?? undefined);
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
    "# Marginalia entity register: each entity's canonical name, type and other spellings (aliases), sorted by name. Schema: schemas/entities.schema.json",
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
      throw new EntityInputError(
        `${JSON.stringify(s)} is already ${as} of ${JSON.stringify(owner.name)}; a spelling can name one entity only (merge the two entities instead)`,
      );
    }
  }
}

/** A name seeded from an annotation: white space made single, a trailing possessive dropped ("Putin's" → "Putin"). */
function seedName(s: string): string {
  return s
    .replace(/\s+/gu, ' ')
    .trim()
    .replace(/['’]s$/u, '')
    .slice(0, 300)
    .trim();
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
