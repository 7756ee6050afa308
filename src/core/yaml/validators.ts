// The JSON Schema validators of the core, by name. Here they are compiled with ajv at their first use (tests and
// `tsc` output); the bundles replace this module with the same validators compiled at build time by ajv's standalone
// code generation (see esbuild.mjs, which calls standaloneValidators()), so ajv's compiler, its URI parser and its
// formats (about 130 KB) are not shipped, and no schema is compiled while the extension runs.
import Ajv, { type AnySchema, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import standaloneCode from 'ajv/dist/standalone';
import codebookSchema from '../../../schemas/codebook.schema.json';
import decisionsSchema from '../../../schemas/decisions.schema.json';
import entitiesSchema from '../../../schemas/entities.schema.json';
import exportSchema from '../../../schemas/export.schema.json';
import sidecarSchema from '../../../schemas/sidecar.schema.json';

/** Every schema a validator is needed for. */
export const SCHEMAS = {
  sidecar: sidecarSchema,
  /** One date-time field: the fast sidecar reader's check for dates not in toISOString's form. */
  dateTime: sidecarSchema.definitions.annotation.properties.created,
  codebook: codebookSchema,
  decisions: decisionsSchema,
  entities: entitiesSchema,
  export: exportSchema,
  /** One annotation of an export, for the formats that build it field by field (CSV, W3C). */
  exportAnnotation: { definitions: exportSchema.definitions, $ref: '#/definitions/annotation' },
} satisfies Record<string, AnySchema>;

export type SchemaName = keyof typeof SCHEMAS;

function newAjv(source: boolean): Ajv {
  // allErrors off: we report the first problem with its line, and validation stays cheap on large files.
  const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true, code: { source } });
  addFormats(ajv, ['date-time']);
  return ajv;
}

let shared: Ajv | undefined;
const compiled = new Map<SchemaName, ValidateFunction>();

/** The validator of a schema, compiled once, at its first use. */
export function validator(name: SchemaName): ValidateFunction {
  let v = compiled.get(name);
  if (!v) {
    shared ??= newAjv(false);
    v = shared.compile(SCHEMAS[name]);
    compiled.set(name, v);
  }
  return v;
}

/** Source of a CommonJS module that exports every validator of SCHEMAS under its name, precompiled. */
export function standaloneValidators(): string {
  const ajv = newAjv(true);
  for (const [name, schema] of Object.entries(SCHEMAS)) ajv.addSchema(schema, name);
  return standaloneCode(ajv, Object.fromEntries(Object.keys(SCHEMAS).map((name) => [name, name])));
}
