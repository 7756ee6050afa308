// Exports and imports: YAML, W3C Web Annotation JSON-LD, CSV, brat, REFI-QDA, over one shared export input.
// The public surface of this folder: other folders import only this file.
export * from './bratFormat';
export * from './codePoints';
export * from './csvFormat';
export * from './exportFormats';
export * from './exportInput';
export * from './locatedJson';
export * from './w3cReader';
export * from './w3cVocabulary';
export * from './w3cWriter';
export * from './exportTarget';
export * from './importPlan';
export * from './refiQdaReader';
export * from './refiQdaImport';
export * from './refiQdaWriter';
export * from './yamlExport';
export * from './yamlImport';
