// Validates REFI-QDA files against the standard's XML Schemas (test/fixtures/refi-qda/Project.xsd, Codebook.xsd) with
// libxml2's xmllint compiled to WebAssembly (xmllint-wasm): a real XML Schema validator, not our own reading.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { validateXML } from 'xmllint-wasm';

const DIR = path.join(__dirname, '../../../test/fixtures/refi-qda');

/** The schema problems xmllint reports ([] when the file is valid). */
export async function schemaErrors(xml: string, schema: 'Project.xsd' | 'Codebook.xsd'): Promise<string[]> {
  const result = await validateXML({
    xml: [{ fileName: schema === 'Project.xsd' ? 'project.qde' : 'codebook.qdc', contents: xml }],
    schema: [{ fileName: schema, contents: fs.readFileSync(path.join(DIR, schema), 'utf8') }],
  });
  return result.valid ? [] : result.errors.map((e) => e.rawMessage);
}

export function fixture(name: string): Buffer {
  return fs.readFileSync(path.join(DIR, name));
}
