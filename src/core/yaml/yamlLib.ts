// The `yaml` package, loaded at its first use. Marginalia's own files are read by fast canonical readers and written
// by its own emitters; the general parser is needed only for hand-edited or merged files, front matter and imports.
// The extension bundle keeps it in a chunk of its own (dist/yaml.js, see esbuild.mjs), so activation does not load it.
import type * as Yaml from 'yaml';

let lib: typeof Yaml | undefined;

export function yamlLib(): typeof Yaml {
  return (lib ??= require('yaml') as typeof Yaml);
}
