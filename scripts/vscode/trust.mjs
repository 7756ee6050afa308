// @ts-check
// VS Code's workspace trust for a run, as settings. No dependencies: `npm start` checks its --trust before npm ci.

/**
 * Workspace trust modes:
 * - off:       trust disabled (the default; everything behaves as trusted)
 * - untrusted: trust enabled, no startup prompt, so the workspace opens in Restricted Mode
 * - prompt:    trust enabled with VS Code's startup dialog (for e2e tests that answer it)
 */
export const TRUST_MODES = ['off', 'untrusted', 'prompt'];

/**
 * @param {string} trust
 * @returns {Record<string, unknown>}
 */
export function trustSettings(trust) {
  if (trust === 'off') return { 'security.workspace.trust.enabled': false };
  if (trust === 'untrusted') {
    return {
      'security.workspace.trust.enabled': true,
      'security.workspace.trust.startupPrompt': 'never',
      'security.workspace.trust.emptyWindow': false,
      'security.workspace.trust.banner': 'always',
    };
  }
  if (trust === 'prompt') return { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'always' };
  throw new Error(`unknown trust mode "${trust}" (expected one of ${TRUST_MODES.join(', ')})`);
}
