// Reading the documents: figures, entity mentions, suggestions, document metadata; comparing coders.
// The public surface of this folder: other folders import only this file.
export * from './adjudication';
export * from './agreement';
export * from './boilerplate';
export * from './codeStats';
export * from './disagreements';
export * from './entityMatch';
export * from './figures';
export * from './kappa';
export * from './krippendorffAlpha';
export * from './metadata';
export { findNames, type FoundName } from './names';
export * from './suggest';
export * from './tagQuestions';
export * from './unitizedAlpha';
