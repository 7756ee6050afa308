// Identifiers shared by the host, the CLI and the core. No `vscode` import here.

/** The tool name and version recorded in every annotation's provenance (kept equal to package.json by a test). */
export const TOOL_NAME = 'marginalia';
export const TOOL_VERSION = '0.1.0';
export const TOOL_ID = `${TOOL_NAME} ${TOOL_VERSION}`;

/** The folder, inside each workspace folder, that holds the store. */
export const STORE_DIR = '.marginalia';
