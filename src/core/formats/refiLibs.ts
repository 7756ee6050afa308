// The zip and XML libraries of the REFI-QDA format (fflate, fast-xml-parser), loaded at their first use. The extension
// bundle keeps each in a chunk of its own (dist/fflate.js, dist/fast-xml-parser.js, see esbuild.mjs), so activation
// loads neither; only an export to or an import from REFI-QDA does.
import type * as Fflate from 'fflate';
import type * as FastXmlParser from 'fast-xml-parser';

let zip: typeof Fflate | undefined;
let xml: typeof FastXmlParser | undefined;

export function fflateLib(): typeof Fflate {
  return (zip ??= require('fflate') as typeof Fflate);
}

export function xmlParserLib(): typeof FastXmlParser {
  return (xml ??= require('fast-xml-parser') as typeof FastXmlParser);
}
