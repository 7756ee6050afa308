// Reading and writing the YAML people edit: safe parsing, JSON Schema checks with file/line/column, the one quoting rule.
// The public surface of this folder: other folders import only this file.
export * from './schemaValidate';
export * from './validators';
export * from './yamlLib';
export * from './yamlScalar';
