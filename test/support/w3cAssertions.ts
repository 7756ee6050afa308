// Runs the W3C Web Annotation test suite's assertions (JSON Schema draft-04 files listed in a .test file) the way the
// W3C harness does (web-platform-tests annotation-model/scripts/JSONtest.js):
//   - every assertion is a JSON Schema; the input is checked against it with ajv (allErrors, validateSchema off),
//     with the suite's definitions/*.json loaded first so that "$ref": "annotations.json#/..." resolves;
//   - "expectedResult" ("valid" by default) says which outcome is expected; meeting it passes the assertion;
//   - "assertionType" ("must" by default; "should", "may") is the severity of an unexpected result, and a .test
//     file's "skipFailures" lists severities whose failures are not reported at all (the optional tests hide
//     should/may failures this way);
//   - "onUnexpectedResult" says what happens after an unexpected result: failAndContinue / passAndContinue run the
//     next assertion, failAndSkip / passAndSkip skip the rest of this level, failAndAbort / passAndAbort stop;
//     an expected result always continues. (The harness reports the unexpected result as a failure either way;
//     "pass" only names the action. The suite uses passAndContinue on its optional should/may assertions.)
//   - a nested list is a sub-level; an object with "compareWith" ("and"/"or") and "assertions" combines its
//     children's results into one;
//   - an object with "assertionFile" loads that file and overrides its keys with the object's other keys.
// Draft-04 says keywords beside "$ref" are ignored; the Ajv of 2016 the harness shipped ignored them by default,
// while ajv 8 applies them (as the assertions' descriptions intend). Both readings are offered (refSiblings), so a
// caller can require both.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';

export type AssertionType = 'must' | 'should' | 'may';
export type RefSiblings = 'apply' | 'ignore';

export interface AssertionOutcome {
  /** The assertion's file relative to the suite root (or "inline"). */
  file: string;
  title: string;
  type: AssertionType;
  expected: 'valid' | 'invalid';
  /** False when an earlier failAndSkip/failAndAbort stopped it from running. */
  ran: boolean;
  /** The result was the expected one. */
  passed: boolean;
  /** A failure the test's skipFailures does not hide. */
  reported: boolean;
  /** For failures: the assertion's errorMessage and ajv's errors. */
  message?: string;
}

/** A loaded .test file. */
export interface AssertionTest {
  name: string;
  skipFailures: readonly string[];
  assertions: readonly AssertionNode[];
}

type Schema = Record<string, unknown>;
type AssertionNode =
  | { kind: 'schema'; file: string; schema: Schema }
  | { kind: 'list'; items: AssertionNode[] }
  | { kind: 'compare'; compareWith: string; schema: Schema; items: AssertionNode[] };

type Action = 'continue' | 'skip' | 'abort';

const ACTIONS: Readonly<Record<string, Action>> = {
  failAndContinue: 'continue',
  failAndSkip: 'skip',
  failAndAbort: 'abort',
  passAndContinue: 'continue',
  passAndSkip: 'skip',
  passAndAbort: 'abort',
};

export class W3cAssertionSuite {
  private readonly ajv: Ajv04;
  private readonly compiled = new Map<string, ValidateFunction>();

  /** `root` is the suite folder (it holds annotations/ and definitions/). */
  constructor(
    readonly root: string,
    readonly refSiblings: RefSiblings = 'apply',
  ) {
    // As the harness: all errors, no meta-validation of the (hand-written) schemas; strict off because the
    // assertion files carry the harness's own keys (assertionType, expectedResult, errorMessage, ...).
    this.ajv = new Ajv04({ allErrors: true, validateSchema: false, strict: false });
    addFormats(this.ajv);
    const defs = path.join(root, 'definitions');
    for (const name of fs
      .readdirSync(defs)
      .filter((n) => n.endsWith('.json'))
      .sort()) {
      this.ajv.addSchema(this.prepare(readJson(path.join(defs, name))));
    }
  }

  /** Loads a .test file (path relative to the root) and every assertion file it names. */
  loadTest(relPath: string): AssertionTest {
    const test = readJson(path.join(this.root, relPath));
    if (!Array.isArray(test.assertions)) throw new Error(`${relPath}: "assertions" is not a list`);
    return {
      name: String(test.name ?? relPath),
      skipFailures: Array.isArray(test.skipFailures) ? (test.skipFailures as string[]) : [],
      assertions: (test.assertions as unknown[]).map((a) => this.node(a)),
    };
  }

  /** A test made of inline schemas (they may $ref the suite's definitions, e.g. "collections.json#/definitions/..."). */
  inlineTest(name: string, schemas: readonly Schema[]): AssertionTest {
    return { name, skipFailures: [], assertions: schemas.map((s) => ({ kind: 'schema', file: `inline:${JSON.stringify(s)}`, schema: this.prepare(s) })) };
  }

  /** Every assertion file a test names, in order (for listing them). */
  files(test: AssertionTest): string[] {
    const out: string[] = [];
    const walk = (nodes: readonly AssertionNode[]): void => {
      for (const n of nodes) {
        if (n.kind === 'schema') out.push(n.file);
        else walk(n.items);
      }
    };
    walk(test.assertions);
    return out;
  }

  /** Evaluates a test against one JSON value, as the harness does after "Check JSON". */
  run(test: AssertionTest, content: unknown): AssertionOutcome[] {
    const outcomes: AssertionOutcome[] = [];
    this.runLevel(test.assertions, content, test.skipFailures, outcomes);
    return outcomes;
  }

  private runLevel(
    nodes: readonly AssertionNode[],
    content: unknown,
    skipFailures: readonly string[],
    out: AssertionOutcome[],
  ): { action: Action; results: boolean[] } {
    let action: Action = 'continue';
    const results: boolean[] = [];
    for (const node of nodes) {
      if (node.kind === 'list') {
        if (action !== 'continue') {
          this.markSkipped(node.items, out);
          continue;
        }
        const sub = this.runLevel(node.items, content, skipFailures, out);
        if (sub.action === 'abort') action = 'abort';
        continue;
      }
      const meta = describe(node.schema, node.kind === 'schema' ? node.file : 'inline');
      if (action !== 'continue') {
        out.push({ ...meta, ran: false, passed: false, reported: false });
        if (node.kind === 'compare') this.markSkipped(node.items, out);
        continue;
      }
      let valid: boolean;
      let errors = '';
      if (node.kind === 'compare') {
        const sub = this.runLevel(node.items, content, skipFailures, out);
        action = sub.action;
        valid = node.compareWith === 'or' ? sub.results.some(Boolean) : sub.results.every(Boolean);
        // A comparison's children decide its result directly: "valid" here means "the combination held".
        const passed = valid;
        results.push(passed);
        out.push({
          ...meta,
          ran: true,
          passed,
          reported: !passed && !skipFailures.includes(meta.type),
          message: passed ? undefined : String(node.schema.errorMessage ?? `Result was not ${meta.expected}`),
        });
        if (!passed) action = ACTIONS[String(node.schema.onUnexpectedResult ?? 'failAndContinue')] ?? 'continue';
        if (action === 'abort') break;
        continue;
      }
      const validate = this.compile(node.file, node.schema);
      valid = validate(content) as boolean;
      if (!valid) errors = this.ajv.errorsText(validate.errors, { separator: '; ' });
      const passed = (meta.expected === 'valid' && valid) || (meta.expected === 'invalid' && !valid);
      results.push(passed);
      if (!passed) action = ACTIONS[String(node.schema.onUnexpectedResult ?? 'failAndContinue')] ?? 'continue';
      out.push({
        ...meta,
        ran: true,
        passed,
        reported: !passed && !skipFailures.includes(meta.type),
        message: passed ? undefined : `${String(node.schema.errorMessage ?? `Result was not ${meta.expected}`)}${errors ? ` (ajv: ${errors})` : ''}`,
      });
      if (action === 'abort') break;
    }
    return { action, results };
  }

  private markSkipped(nodes: readonly AssertionNode[], out: AssertionOutcome[]): void {
    for (const n of nodes) {
      if (n.kind === 'list') this.markSkipped(n.items, out);
      else out.push({ ...describe(n.schema, n.kind === 'schema' ? n.file : 'inline'), ran: false, passed: false, reported: false });
    }
  }

  private compile(file: string, schema: Schema): ValidateFunction {
    let v = this.compiled.get(file);
    if (!v) {
      v = this.ajv.compile(schema);
      this.compiled.set(file, v);
    }
    return v;
  }

  private node(a: unknown): AssertionNode {
    if (Array.isArray(a)) return { kind: 'list', items: a.map((x) => this.node(x)) };
    if (typeof a === 'string') return { kind: 'schema', file: a, schema: this.prepare(readJson(path.join(this.root, a))) };
    if (a !== null && typeof a === 'object') {
      const o = a as Schema;
      if (typeof o.assertionFile === 'string') {
        const { assertionFile, ...overrides } = o;
        return { kind: 'schema', file: assertionFile, schema: this.prepare({ ...readJson(path.join(this.root, assertionFile)), ...overrides }) };
      }
      if (Array.isArray(o.assertions))
        return { kind: 'compare', compareWith: String(o.compareWith ?? 'and'), schema: o, items: o.assertions.map((x) => this.node(x)) };
      return { kind: 'schema', file: 'inline', schema: this.prepare(o) };
    }
    throw new Error(`an assertion must be a file name, an object or a list, not ${JSON.stringify(a)}`);
  }

  /** With refSiblings "ignore", drops what stands beside a $ref (keeping ids, which set the base for resolving). */
  private prepare(schema: Schema): Schema {
    return this.refSiblings === 'apply' ? schema : (dropRefSiblings(schema) as Schema);
  }
}

const KEPT_BESIDE_REF = new Set(['$ref', 'id', '$schema', 'definitions', 'title', 'description']);

function dropRefSiblings(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropRefSiblings);
  if (v === null || typeof v !== 'object') return v;
  const o = v as Schema;
  const hasRef = typeof o.$ref === 'string';
  const out: Schema = {};
  for (const [k, x] of Object.entries(o)) {
    if (hasRef && !KEPT_BESIDE_REF.has(k)) continue;
    out[k] = dropRefSiblings(x);
  }
  return out;
}

function describe(schema: Schema, file: string): Pick<AssertionOutcome, 'file' | 'title' | 'type' | 'expected'> {
  const t = String(schema.assertionType ?? 'must').toLowerCase();
  return {
    file,
    title: String(schema.title ?? file),
    type: t === 'should' || t === 'may' ? t : 'must',
    expected: schema.expectedResult === 'invalid' ? 'invalid' : 'valid',
  };
}

function readJson(file: string): Schema {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Schema;
}
