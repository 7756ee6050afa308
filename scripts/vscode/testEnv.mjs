// @ts-check
// What the integration runners (run-integration.mjs, test-electron.mjs) share: where the compiled tests are, the
// environment test/integration/index.ts reads, and the result file it writes.
import fs from 'node:fs';
import path from 'node:path';
import { REPO } from './paths.mjs';

/**
 * Where the compiled tests are: `tests` is a folder of *.test.js (run by its own index.js, or by the default
 * out/test/integration/index.js, which reads the folder from MARGINALIA_TEST_DIR) or a test index .js file.
 * @param {string} [tests]
 */
export function resolveTests(tests) {
  const defaultIndex = path.join(REPO, 'out', 'test', 'integration', 'index.js');
  const arg = path.resolve(tests ?? path.dirname(defaultIndex));
  if (arg.endsWith('.js')) return { dir: path.dirname(arg), index: arg };
  const own = path.join(arg, 'index.js');
  return { dir: arg, index: fs.existsSync(own) ? own : defaultIndex };
}

/**
 * Names the first missing build output or input, with the command that makes it; undefined when all are there.
 * @param {{ testsIndex?: string, workspace?: string }} inputs
 */
export function missingInputs({ testsIndex, workspace }) {
  const needs = [
    ['extension bundle', path.join(REPO, 'dist', 'extension.js'), 'npm run build'],
    ...(testsIndex ? [['test index', testsIndex, 'npm run compile-tests']] : []),
    ...(workspace ? [['workspace', workspace, 'pass an existing --workspace']] : []),
  ];
  const miss = needs.find(([, file]) => !fs.existsSync(file));
  return miss && `${miss[0]} ${miss[1]} is missing: ${miss[2]}`;
}

/**
 * The environment test/integration/index.ts and the tests read (the extension host inherits it).
 * @param {{ resultFile: string, testsDir: string, grep?: string, workspace: string, source: string, trust: string, extension: 'installed' | 'development' }} o
 * @returns {Record<string, string>}
 */
export function integrationTestEnv({ resultFile, testsDir, grep, workspace, source, trust, extension }) {
  return {
    MARGINALIA_TEST_RESULT: resultFile,
    MARGINALIA_TEST_DIR: testsDir,
    MARGINALIA_TEST_GREP: grep ?? '',
    MARGINALIA_TEST_WORKSPACE: workspace,
    MARGINALIA_TEST_WORKSPACE_SOURCE: source,
    MARGINALIA_TEST_TRUST: trust,
    MARGINALIA_TEST_EXTENSION: extension,
  };
}

/**
 * @typedef {{ stats: { passes: number, failures: number, pending: number }, failures?: { fullTitle: string, message?: string, stack?: string }[] }} TestResult
 */

/**
 * The result file test/integration/index.ts wrote, or undefined if the suite never got that far.
 * @param {string} file
 * @returns {TestResult | undefined}
 */
export function readTestResult(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * "N passed, N failed[, N skipped]": a run that failed without a failed test (crash, timeout) counts one failure.
 * @param {TestResult | undefined} result
 * @param {boolean} ok
 */
export function closingLine(result, ok) {
  if (!result) return `0 passed, ${ok ? 0 : 1} failed`;
  const { passes, failures, pending } = result.stats;
  return `${passes} passed, ${Math.max(failures, ok ? 0 : 1)} failed${pending ? `, ${pending} skipped` : ''}`;
}
