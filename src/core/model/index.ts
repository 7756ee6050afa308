// The annotation model: annotations, kinds, targets and their UTF-16 offsets, ids, text helpers, workspace paths.
// The public surface of this folder: other folders import only this file.
export * from './annotate';
export * from './annotationIds';
export * from './decimal';
export * from './model';
export * from './paths';
export * from './relation';
export * from './text';
export * from './userError';
