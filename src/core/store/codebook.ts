// The codebook: which kinds of annotation a workspace uses, their colours, the attribute fields each kind carries,
// and the types of relation between annotations. Stored as .marginalia/codebook.yaml; when the file exists it lists
// every kind (what you see is what you get), and without it the built-in claim, figure and entity apply. Without a
// `relations` key the built-in relation types apply (relationTypes.ts).
import { STORE_DIR } from '../../constants';
import { ENTITY_TYPES, aOrAn, type AttributeValue, type Attributes } from '../model';
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
import { normaliseRelationType, relationTypesProblem, type RelationType } from './relationTypes';

export const CODEBOOK_PATH = `${STORE_DIR}/codebook.yaml`;
export const CODEBOOK_VERSION = 1;
/** A codebook is a page of definitions; anything near this size is not one. */
export const MAX_CODEBOOK_BYTES = 1024 * 1024;

export const ATTRIBUTE_TYPES = ['string', 'number', 'boolean', 'enum'] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

/** Levels of measurement (Stevens; Krippendorff's alpha has a metric for each): how attribute values compare. */
export const MEASUREMENT_LEVELS = ['nominal', 'ordinal', 'interval', 'ratio'] as const;
export type MeasurementLevel = (typeof MEASUREMENT_LEVELS)[number];

export interface AttributeField {
  name: string;
  type: AttributeType;
  /** The allowed values; only (and always) for type 'enum'. */
  values?: string[];
  /** How values compare when coders' agreement is measured; see fieldLevel for the default. */
  level?: MeasurementLevel;
  required?: boolean;
  description?: string;
}

export interface KindDefinition {
  name: string;
  /** #rrggbb */
  colour: string;
  /** A codicon name. */
  icon?: string;
  description: string;
  attributes: AttributeField[];
}

export interface Codebook {
  kinds: KindDefinition[];
  /** Blind coding: each coder sees only their own annotations until they switch it off for themselves. Shared with
   *  everyone through the codebook file; absent means false. */
  blind?: boolean;
  /** The relation types the file defines; undefined when it has no `relations` key (the built-in types apply, see
   *  relationTypes()). */
  relations?: RelationType[];
}

/** A codebook file that cannot be loaded; it is reported and left untouched. */
export class CodebookError extends YamlFileError {
  override readonly name = 'CodebookError';
}

/** The built-in kinds, used when a workspace has no codebook file. A fresh copy each call, safe to change. */
export function defaultCodebook(): Codebook {
  return {
    kinds: [
      {
        name: 'claim',
        colour: '#f5a623',
        icon: 'quote',
        description: 'A statement presented as fact that could be checked: who says what.',
        attributes: [{ name: 'speaker', type: 'string', description: 'Who makes the claim, e.g. "Vladimir Putin" or "the ministry".' }],
      },
      {
        name: 'figure',
        colour: '#4a90e2',
        icon: 'symbol-numeric',
        description: 'A number the text states: an amount, a count, a share, a rate.',
        attributes: [
          {
            name: 'value',
            type: 'number',
            level: 'ratio',
            description: 'The figure as a plain number, e.g. 1200000 for "1.2 million"; for a range, its low end.',
          },
          {
            name: 'high',
            type: 'number',
            level: 'ratio',
            description: 'The high end of a range, e.g. 9 for "six to nine months"; absent for a single number.',
          },
          { name: 'unit', type: 'string', description: 'What it counts, e.g. USD, %, people, tonnes.' },
          { name: 'date', type: 'string', description: 'The date or period it refers to, e.g. 2024 or 2024-03.' },
          { name: 'scope', type: 'string', description: 'What or where it covers, e.g. "EU" or "civilians, Kharkiv oblast".' },
        ],
      },
      {
        name: 'entity',
        colour: '#50b86c',
        icon: 'tag',
        description: 'A person, organisation or place the text names.',
        attributes: [
          { name: 'type', type: 'enum', values: [...ENTITY_TYPES], description: 'What the entity is.' },
          { name: 'canonical', type: 'string', description: 'One name for all spellings, so mentions group together.' },
        ],
      },
    ],
  };
}

/** A field's level of measurement: the declared one, else interval for numbers (differences mean something, a zero
 *  need not) and nominal for text, yes/no and enums (an enum is ordinal only when the codebook says so). */
export function fieldLevel(field: AttributeField): MeasurementLevel {
  return field.level ?? (field.type === 'number' ? 'interval' : 'nominal');
}

export function findKind(codebook: Codebook, name: string): KindDefinition | undefined {
  return codebook.kinds.find((k) => k.name === name);
}

/** Problems of an annotation's attributes against its kind, for people ([] when fine). Unknown attributes are
 *  reported too; callers decide whether they are errors or warnings. */
export function checkAttributes(kind: KindDefinition, attributes: Attributes): string[] {
  const problems: string[] = [];
  const fields = new Map(kind.attributes.map((f) => [f.name, f]));
  for (const f of kind.attributes) {
    const v: AttributeValue | undefined = Object.hasOwn(attributes, f.name) ? attributes[f.name] : undefined;
    if (v === undefined) {
      if (f.required) problems.push(`${kind.name} needs the attribute "${f.name}"`);
      continue;
    }
    const ok = f.type === 'enum' ? typeof v === 'string' && (f.values ?? []).includes(v) : typeof v === f.type;
    if (!ok) {
      const want = f.type === 'enum' ? `one of ${(f.values ?? []).join(', ')}` : f.type === 'string' ? 'text' : aOrAn(f.type);
      problems.push(`attribute "${f.name}" of ${kind.name} must be ${want}, not ${describeValue(v)}`);
    }
  }
  for (const name of Object.keys(attributes)) {
    if (!fields.has(name)) problems.push(`"${name}" is not an attribute of ${kind.name} in the codebook`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading and writing

export function parseCodebookBytes(bytes: Uint8Array, file = CODEBOOK_PATH): Codebook {
  return parseCodebook(decodeYamlBytes(bytes, MAX_CODEBOOK_BYTES, errorFactory(file), 'the codebook'), file);
}

/** Parses and validates a codebook; throws CodebookError with the line and column of the first problem. */
export function parseCodebook(text: string, file = CODEBOOK_PATH): Codebook {
  const fail = errorFactory(file);
  const parsed = parseYamlSafely(text, fail, {
    conflictHint: `by keeping the kinds of both sides and deleting the <<<<<<<, ======= and >>>>>>> lines`,
  });
  const problem = checkCodebookValue(parsed.value);
  if (problem) {
    const at = parsed.locate(problem.path, problem.key);
    throw fail(problem.code, `${problem.reason}. Fix it by hand or restore it from git; until then Marginalia leaves the file as it is`, at?.line, at?.column);
  }
  return normalise(parsed.value as Codebook);
}

/** Canonical codebook YAML: fixed key order, one line per scalar. Throws Error for a codebook that would not load back. */
export function serializeCodebook(codebook: Codebook): string {
  const value = {
    version: CODEBOOK_VERSION,
    ...(codebook.blind !== undefined ? { blind: codebook.blind } : {}),
    kinds: codebook.kinds,
    ...(codebook.relations === undefined ? {} : { relations: codebook.relations }),
  };
  const problem = checkCodebookValue(value);
  if (problem) throw new Error(`refusing to save a codebook that could not be loaded back: ${problem.reason}`);
  const lines = [
    '# Marginalia codebook: the kinds of annotation in this workspace and their attribute fields. Schema: schemas/codebook.schema.json',
    `version: ${CODEBOOK_VERSION}`,
  ];
  if (codebook.blind !== undefined) lines.push(`blind: ${yamlScalar(codebook.blind)}`);
  lines.push('kinds:');
  for (const k of codebook.kinds) {
    lines.push(`  - name: ${yamlScalar(k.name)}`, `    colour: ${yamlScalar(k.colour)}`);
    if (k.icon !== undefined) lines.push(`    icon: ${yamlScalar(k.icon)}`);
    lines.push(`    description: ${yamlScalar(k.description)}`);
    if (k.attributes.length === 0) lines.push('    attributes: []');
    else lines.push('    attributes:');
    for (const f of k.attributes) {
      lines.push(`      - name: ${yamlScalar(f.name)}`, `        type: ${yamlScalar(f.type)}`);
      if (f.values !== undefined) {
        lines.push('        values:');
        for (const v of f.values) lines.push(`          - ${yamlScalar(v)}`);
      }
      if (f.level !== undefined) lines.push(`        level: ${yamlScalar(f.level)}`);
      if (f.required !== undefined) lines.push(`        required: ${yamlScalar(f.required)}`);
      if (f.description !== undefined) lines.push(`        description: ${yamlScalar(f.description)}`);
    }
  }
  if (codebook.relations !== undefined) lines.push(codebook.relations.length === 0 ? 'relations: []' : 'relations:');
  for (const t of codebook.relations ?? []) {
    lines.push(`  - name: ${yamlScalar(t.name)}`, `    label: ${yamlScalar(t.label)}`);
    if (t.inverse !== undefined) lines.push(`    inverse: ${yamlScalar(t.inverse)}`);
    lines.push(`    direction: ${yamlScalar(t.direction)}`);
    for (const end of ['from', 'to'] as const) {
      lines.push(`    ${end}:`);
      for (const k of t[end]) lines.push(`      - ${yamlScalar(k)}`);
    }
    if (t.description !== '') lines.push(`    description: ${yamlScalar(t.description)}`);
  }
  return lines.join('\n') + '\n';
}

function errorFactory(file: string): ErrorFactory {
  return errorFactoryFor(CodebookError, file);
}

const HINTS: PatternHints = {
  name: 'a name (a letter, then up to 63 letters, digits, "-" or "_"; a kind nested under another joins such names with "/", e.g. parent/child)',
  colour: 'a colour written #rrggbb, e.g. "#4a90e2" (quoted: # starts a comment in YAML)',
  icon: 'a codicon name such as quote or symbol-numeric',
};

function checkCodebookValue(value: unknown): Problem | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { path: [], code: 'schema', reason: 'a codebook must be a YAML mapping with version and kinds' };
  }
  const version = (value as { version?: unknown }).version;
  if (version !== CODEBOOK_VERSION && version !== undefined) {
    const newer = typeof version === 'number' && Number.isInteger(version) && version > CODEBOOK_VERSION;
    return {
      path: ['version'],
      code: 'version',
      reason: newer
        ? `written by a newer Marginalia (codebook format version ${version}; this one reads version ${CODEBOOK_VERSION}); update Marginalia to read it`
        : `unknown codebook format version ${describeValue(version)}; this Marginalia reads version ${CODEBOOK_VERSION}`,
    };
  }
  const problem = schemaProblem(validator('codebook'), value, HINTS);
  if (problem) return problem;
  const kinds = (value as Codebook).kinds;
  const kindAt = new Map<string, number>();
  for (let i = 0; i < kinds.length; i++) {
    const k = kinds[i];
    const before = kindAt.get(k.name);
    if (before !== undefined) {
      return { path: ['kinds', i, 'name'], code: 'invalid', reason: `kind "${k.name}" is defined twice (kinds[${before}] and kinds[${i}]); keep one` };
    }
    kindAt.set(k.name, i);
    const fieldAt = new Map<string, number>();
    const fields = k.attributes ?? [];
    for (let j = 0; j < fields.length; j++) {
      const f = fields[j];
      const at = ['kinds', i, 'attributes', j];
      const prev = fieldAt.get(f.name);
      if (prev !== undefined) {
        return { path: [...at, 'name'], code: 'invalid', reason: `kind "${k.name}" has two attributes named "${f.name}"; keep one` };
      }
      fieldAt.set(f.name, j);
      if (f.type === 'enum' && f.values === undefined) {
        return { path: at, code: 'invalid', reason: `attribute "${f.name}" of kind "${k.name}" is an enum but lists no values; add values: [...]` };
      }
      if (f.type !== 'enum' && f.values !== undefined) {
        return {
          path: [...at, 'values'],
          code: 'invalid',
          reason: `attribute "${f.name}" of kind "${k.name}" lists values but has type ${f.type}; set type: enum or remove the values`,
        };
      }
      const fits = f.level === undefined || f.level === 'nominal' || (f.level === 'ordinal' ? f.type === 'number' || f.type === 'enum' : f.type === 'number');
      if (!fits) {
        return {
          path: [...at, 'level'],
          code: 'invalid',
          reason: `attribute "${f.name}" of kind "${k.name}" has type ${f.type}, which cannot be measured at the ${f.level} level; ${f.level === 'ordinal' ? 'ordinal needs a number or an enum (its values in order)' : `${f.level} needs type number`}, or use level: nominal`,
        };
      }
    }
  }
  return relationTypesProblem((value as Codebook).relations, new Set(kindAt.keys()));
}

/** Fills the optional parts people may leave out, so the rest of the code sees one shape. */
function normalise(raw: Codebook): Codebook {
  const result: Codebook = {
    kinds: raw.kinds.map((k) => {
      const out: KindDefinition = {
        name: k.name,
        colour: k.colour,
        description: k.description ?? '',
        attributes: (k.attributes ?? []).map((f) => {
          const field: AttributeField = { name: f.name, type: f.type };
          if (f.values !== undefined) field.values = [...f.values];
          if (f.level !== undefined) field.level = f.level;
          if (f.required !== undefined) field.required = f.required;
          if (f.description !== undefined) field.description = f.description;
          return field;
        }),
      };
      if (k.icon !== undefined) out.icon = k.icon;
      return out;
    }),
  };
  if (raw.blind !== undefined) result.blind = raw.blind;
  if (raw.relations !== undefined) result.relations = raw.relations.map(normaliseRelationType);
  return result;
}
