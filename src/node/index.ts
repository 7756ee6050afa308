// Node-only adapters of the core's ports: the node:fs workspace and the cross-process file lock (CLI, bench, tests).
// The public surface of this folder: other folders import only this file.
export * from './fileLock';
export * from './nodeFs';
