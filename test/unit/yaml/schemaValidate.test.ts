// parseYamlSafely on inputs people and tools produce: CR-only line endings are YAML line breaks, and nesting far
// beyond any Marginalia file is refused with a true message (never a stack overflow).
import * as assert from 'node:assert/strict';
import { MAX_YAML_DEPTH, YamlFileError, errorFactoryFor, parseYamlSafely } from '../../../src/core/yaml';
import { parseSidecar, serializeSidecar } from '../../../src/core/store';
import { contentHash, newId, type Annotation } from '../../../src/core/model';

const fail = errorFactoryFor(YamlFileError, 'f.yaml');
const parse = (text: string, fixHint?: string): unknown => parseYamlSafely(text, fail, { conflictHint: 'by hand', fixHint }).value;

describe('parseYamlSafely', () => {
  it('reads CR-only line endings (old Mac) as line breaks: the same value as with LF, and a CR-only sidecar loads', () => {
    const lf = '# comment\na: 1\nb:\n  - x\n  - "y z"\nc: |\n  two\n  lines\n';
    assert.deepEqual(parse(lf.replace(/\n/g, '\r')), parse(lf));
    assert.deepEqual(parse(lf.replace(/\n/g, '\r\n')), parse(lf));
    const text = 'The quick brown fox.\n';
    const a: Annotation = {
      id: newId(),
      kind: 'claim',
      doc: 'd.txt',
      target: { start: 4, end: 9, quote: { exact: 'quick', prefix: 'The ', suffix: ' brown fox.\n' } },
      note: 'a note\nover two lines',
      attributes: {},
      provenance: { author: 'a', created: '2026-12-01T00:00:00.000Z', modified: '2026-12-01T00:00:00.000Z', tool: 'marginalia 0.1.0', docHash: contentHash(text) },
      anchor: { status: 'anchored' },
    };
    const sidecar = serializeSidecar('d.txt', [a]);
    assert.deepEqual(parseSidecar(sidecar.replace(/\n/g, '\r'), '.marginalia/annotations/d.txt.yaml'), parseSidecar(sidecar, '.marginalia/annotations/d.txt.yaml'));
  });

  it(`refuses nesting deeper than ${MAX_YAML_DEPTH} (block and flow, shallow enough to parse or not) with its place and the fix hint`, () => {
    const block = (n: number): string => Array.from({ length: n }, (_, i) => '  '.repeat(i) + '-\n').join('');
    const flow = (n: number): string => 'a: ' + '['.repeat(n) + ']'.repeat(n) + '\n';
    for (const text of [block(300), block(5000), flow(300), flow(5000), 'a:\n' + Array.from({ length: 400 }, (_, i) => ' '.repeat(i + 1) + 'b:\n').join('')]) {
      assert.throws(
        () => parse(text, 'export it again'),
        (e: unknown) => e instanceof YamlFileError && e.code === 'syntax' && e.reason === `values are nested more than ${MAX_YAML_DEPTH} deep, which no Marginalia file needs; export it again` && e.line !== undefined,
      );
    }
    assert.doesNotThrow(() => parse(block(MAX_YAML_DEPTH - 1)));
  });

  it('says "restore the file from git" for a broken store file, and the caller\'s hint for an import', () => {
    assert.throws(() => parse('a: [\n'), /not valid YAML: .*; fix the syntax or restore the file from git$/);
    assert.throws(() => parse('a: [\n', 'export it again'), /not valid YAML: .*; fix the syntax or export it again$/);
  });
});
