// The workspace on disk: the file-system port, sidecars, snapshots, codebook and entity register, merging, corpus listing, moves, check.
// The public surface of this folder: other folders import only this file.
export * from './check';
export * from './codebook';
export * from './codebookEdit';
export * from './coders';
export * from './corpus';
export * from './corpusFolder';
export * from './corpusIndex';
export * from './summaryCache';
export * from './search';
export * from './decisions';
export * from './entities';
export * from './entityStore';
export * from './merge';
export * from './moves';
export * from './pacer';
export * from './relations';
export * from './relationTypes';
export * from './ports';
export * from './sidecar';
export * from './store';
export * from './storeFiles';
