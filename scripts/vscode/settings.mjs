// @ts-check
// VS Code's user settings for a run (settings.json, JSON with comments): the base every run gets and its trust mode.
import fs from 'node:fs';
import path from 'node:path';
import { parse, printParseErrorCode } from 'jsonc-parser';
import { TRUST_MODES, trustSettings } from './trust.mjs';

/** Settings every run gets: no welcome page, no AI/chat panel, no telemetry or update checks, no marketplace. */
const BASE_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'window.commandCenter': false,
  // Sources are prose with long lines: wrapped, a passage and its highlight stay in view.
  'editor.wordWrap': 'on',
  // The demo and test workspaces live under .run/ inside this repository: don't offer to open the repository itself.
  'git.openRepositoryInParentFolders': 'never',
};

/**
 * Parses JSON with comments and trailing commas (settings.json, .code-workspace); throws naming the file and the
 * first error's place.
 * @param {string} text
 * @param {string} [file] named in the error
 * @returns {any}
 */
export function parseJsonc(text, file = 'JSON text') {
  /** @type {import('jsonc-parser').ParseError[]} */
  const errors = [];
  const value = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length) {
    const { error, offset } = errors[0];
    const line = text.slice(0, offset).split('\n').length;
    throw new Error(`${file}: ${printParseErrorCode(error)} at line ${line}; fix the file or remove it`);
  }
  return value;
}

/**
 * Writes <userDataDir>/User/settings.json: BASE_SETTINGS + the trust mode + `settings`.
 * With keepExisting, a settings.json the person already has is kept (npm start's persistent profile); only the
 * trust settings are brought in line with `trust`, and the file is rewritten only if they differ.
 * @param {string} userDataDir
 * @param {{ trust?: string, settings?: Record<string, unknown>, keepExisting?: boolean }} [o]
 */
export function writeUserSettings(userDataDir, { trust = 'off', settings = {}, keepExisting = false } = {}) {
  const file = path.join(userDataDir, 'User', 'settings.json');
  if (keepExisting && fs.existsSync(file)) {
    let current;
    try {
      current = parseJsonc(fs.readFileSync(file, 'utf8'), file);
    } catch {
      return file; // not ours to repair; VS Code will report it
    }
    const allTrustKeys = TRUST_MODES.flatMap((m) => Object.keys(trustSettings(m)));
    /** @type {Record<string, unknown>} */
    const wanted = { ...Object.fromEntries(allTrustKeys.map((k) => [k, undefined])), ...trustSettings(trust) };
    if (Object.entries(wanted).some(([k, v]) => current[k] !== v)) {
      for (const [k, v] of Object.entries(wanted)) {
        if (v === undefined) delete current[k];
        else current[k] = v;
      }
      fs.writeFileSync(file, JSON.stringify(current, null, 2) + '\n');
    }
    return file;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ ...BASE_SETTINGS, ...trustSettings(trust), ...settings }, null, 2) + '\n');
  return file;
}
