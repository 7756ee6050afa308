// @ts-check
// Lint for the bugs types do not catch (floating and misused promises) and for the architecture: which folder may
// import which. The map is in CONTRIBUTING.md.
import tseslint from 'typescript-eslint';

/** The core's folders, lowest first, with the folders each may import (always through their index.ts). @type {Record<string, string[]>} */
const CORE_LAYERS = {
  model: [],
  yaml: ['model'],
  anchoring: ['model'],
  store: ['model', 'yaml', 'anchoring'],
  research: ['model', 'yaml', 'store'],
  formats: ['model', 'yaml', 'store', 'research'],
  capture: ['model', 'yaml', 'store', 'research', 'anchoring'],
};
const FOLDERS = Object.keys(CORE_LAYERS);

const NO_VSCODE = { name: 'vscode', message: 'Only src/host and src/extension.ts may import vscode.' };
/** Another folder's files are private: import its index.ts ('../store', not '../store/sidecar'). */
const NO_DEEP_CORE = {
  group: FOLDERS.map((f) => `**/core/${f}/*`).concat(FOLDERS.map((f) => `../${f}/*`)),
  message: "Import another folder of src/core through its index.ts (e.g. '../store'), never one of its files.",
};
const NO_DEEP_NODE = { group: ['**/node/*', '!**/node/index'], message: "Import src/node through its index.ts ('../node')." };

/**
 * @param {string} folder
 * @returns {import('typescript-eslint').ConfigWithExtends}
 */
function coreFolderRules(folder) {
  const forbidden = FOLDERS.filter((f) => f !== folder && !CORE_LAYERS[folder].includes(f));
  const patterns = [
    NO_DEEP_CORE,
    {
      group: ['**/host', '**/host/**', '**/cli', '**/cli/**', '**/node', '**/node/**', '**/extension'],
      message: 'src/core runs anywhere: it must not import src/host, src/cli, src/node or src/extension.ts.',
    },
  ];
  if (forbidden.length) {
    patterns.push({
      group: forbidden.flatMap((f) => [`../${f}`, `../${f}/**`]),
      message: CORE_LAYERS[folder].length
        ? `src/core/${folder} may import only ${CORE_LAYERS[folder].map((f) => `src/core/${f}`).join(', ')} (see CONTRIBUTING.md).`
        : `src/core/${folder} imports nothing else in src/core (see CONTRIBUTING.md).`,
    });
  }
  return {
    files: [`src/core/${folder}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { paths: [NO_VSCODE], patterns }] },
  };
}

/** The bugs types do not catch, in the TypeScript and in the scripts alike. */
const PROMISE_RULES = /** @type {const} */ ({
  '@typescript-eslint/no-floating-promises': 'error',
  '@typescript-eslint/no-misused-promises': 'error',
  '@typescript-eslint/await-thenable': 'error',
});

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'tools/**', '.run/**', 'bin/**'] },
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname } },
    rules: PROMISE_RULES,
  },
  {
    // The scripts (npm start, npm test, the runners) and the e2e tests: JavaScript typed by JSDoc, checked by
    // scripts/tsconfig.json; the same promise rules as the TypeScript.
    files: ['scripts/**/*.mjs', 'scripts/**/*.cjs', 'test/e2e/**/*.mjs', '*.mjs'],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { project: './scripts/tsconfig.json', tsconfigRootDir: import.meta.dirname } },
    rules: PROMISE_RULES,
  },
  ...FOLDERS.map(coreFolderRules),
  {
    // Files directly in src/core: none should exist; everything has a role folder.
    files: ['src/core/*.ts'],
    rules: { 'no-restricted-syntax': ['error', { selector: 'Program', message: 'Put this file in the src/core folder of its role (see CONTRIBUTING.md).' }] },
  },
  {
    files: ['src/node/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [NO_VSCODE],
          patterns: [NO_DEEP_CORE, { group: ['**/host', '**/host/**', '**/cli', '**/cli/**'], message: 'src/node must not import src/host or src/cli.' }],
        },
      ],
    },
  },
  {
    // The CLI runs without VS Code, and like the host uses each folder only through its index.ts.
    files: ['src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [NO_VSCODE], patterns: [NO_DEEP_CORE, NO_DEEP_NODE, { group: ['**/host', '**/host/**'], message: 'src/cli must not import src/host.' }] },
      ],
    },
  },
  {
    files: ['src/host/**/*.ts', 'src/extension.ts', 'bench/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_DEEP_CORE, NO_DEEP_NODE] }] },
  },
);
