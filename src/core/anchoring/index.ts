// Keeping annotations on their passage: edit tracking, re-anchoring by diff and by quote, the interval index, live documents.
// The public surface of this folder: other folders import only this file.
export * from './editTracking';
export * from './intervalIndex';
export * from './liveDocument';
export * from './quoteSearch';
export * from './reanchor';
