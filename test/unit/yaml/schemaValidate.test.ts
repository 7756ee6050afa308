// parseYamlSafely on inputs people and tools produce: CR-only line endings are YAML line breaks, and nesting far
// beyond any Marginalia file is refused with a true message (never a stack overflow).
import * as assert from 'node:assert/strict';
import { MAX_YAML_DEPTH, YamlFileError, errorFactoryFor, parseYamlSafely } from '../../../src/core/yaml';
import { parseSidecar, serializeSidecar } from '../../../src/core/store';
import { annotation } from '../../support/annotations';

const fail = errorFactoryFor(YamlFileError, 'f.yaml');
const parse = (text: string, fixHint?: string): unknown => parseYamlSafely(text, fail, { conflictHint: 'by hand', fixHint }).value;

describe('parseYamlSafely', () => {
  it('reads CR-only line endings (old Mac) as line breaks: the same value as with LF, and a CR-only sidecar loads', () => {
    const lf = '# comment\na: 1\nb:\n  - x\n  - "y z"\nc: |\n  two\n  lines\n';
    assert.deepEqual(parse(lf.replace(/\n/g, '\r')), parse(lf));
    assert.deepEqual(parse(lf.replace(/\n/g, '\r\n')), parse(lf));
    const text = 'The quick brown fox.\n';
    const a = annotation({ doc: 'd.txt', text, phrase: 'quick', note: 'a note\nover two lines', author: 'a', created: '2026-12-01T00:00:00.000Z' });
    const sidecar = serializeSidecar('d.txt', [a]);
    assert.deepEqual(
      parseSidecar(sidecar.replace(/\n/g, '\r'), '.marginalia/annotations/d.txt.yaml'),
      parseSidecar(sidecar, '.marginalia/annotations/d.txt.yaml'),
    );
  });

  it(`refuses nesting deeper than ${MAX_YAML_DEPTH} (block and flow, shallow enough to parse or not) with its place and the fix hint`, () => {
    const block = (n: number): string => Array.from({ length: n }, (_, i) => '  '.repeat(i) + '-\n').join('');
    const flow = (n: number): string => 'a: ' + '['.repeat(n) + ']'.repeat(n) + '\n';
    for (const text of [block(300), block(5000), flow(300), flow(5000), 'a:\n' + Array.from({ length: 400 }, (_, i) => ' '.repeat(i + 1) + 'b:\n').join('')]) {
      assert.throws(
        () => parse(text, 'export it again'),
        (e: unknown) =>
          e instanceof YamlFileError &&
          e.code === 'syntax' &&
          e.reason === `values are nested more than ${MAX_YAML_DEPTH} deep, which no Marginalia file needs; export it again` &&
          e.line !== undefined,
      );
    }
    assert.doesNotThrow(() => parse(block(MAX_YAML_DEPTH - 1)));
  });

  it('says "restore the file from git" for a broken store file, and the caller\'s hint for an import', () => {
    assert.throws(() => parse('a: [\n'), /not valid YAML: .*; fix the syntax or restore the file from git$/);
    assert.throws(() => parse('a: [\n', 'export it again'), /not valid YAML: .*; fix the syntax or export it again$/);
  });
});

const parseStrict = (text: string): unknown => parseYamlSafely(text, errorFactoryFor(YamlFileError, 'f.yaml'), { conflictHint: 'by hand' }).value;

describe('parseYamlSafely: nothing changes silently on load', () => {
  it('refuses a key written through an alias ({&k a: 1, *k : 2} would load as {a: 2}) and two keys that load as one property', () => {
    assert.throws(
      () => parseStrict('f: {&k a: 1, *k : 2}\n'),
      (e: unknown) =>
        e instanceof YamlFileError && e.code === 'syntax' && e.line === 1 && e.column === 14 && /a key is written through an alias \(\*k\)/.test(e.message),
    );
    assert.throws(() => parseStrict('x:\n  &k a: 1\n  *k : 2\n'), /f\.yaml:3:3: a key is written through an alias/);
    assert.throws(() => parseStrict('{1: a, "1": b}\n'), /f\.yaml:1:8: the key "1" appears twice in one mapping/);
    assert.throws(() => parseStrict('a: 1\ntrue: x\n"true": y\n'), /the key "true" appears twice/);
    // Aliases as values are still read (within the alias limit).
    assert.deepEqual(parseStrict('a: &v 1\nb: *v\n'), { a: 1, b: 1 });
  });

  it('refuses numbers that would not load as written (0x10, 0o17, 9007199254740993, .5e-400, too many digits) and reads them quoted as text', () => {
    for (const [src, why] of [
      ['0x10', '"0x10" is not written in decimal digits'],
      ['0o17', '"0o17" is not written in decimal digits'],
      ['9007199254740993', '9007199254740993 cannot be held exactly as a number (it would become 9007199254740992)'],
      ['.5e-400', '.5e-400 cannot be held exactly as a number (it would become 0)'],
      ['0.30000000000000000001', 'cannot be held exactly as a number (it would become 0.3)'],
      ['1e400', '1e400 is too large for a number'],
    ]) {
      assert.throws(
        () => parseStrict(`value: ${src}\n`),
        (e: unknown) =>
          e instanceof YamlFileError &&
          e.line === 1 &&
          e.column === 8 &&
          e.message.includes(why) &&
          e.message.includes(`or quote it ("${src}") to keep it as text`),
        src,
      );
      assert.deepEqual(parseStrict(`value: "${src}"\n`), { value: src }, 'quoted, it is kept as text');
    }
    assert.deepEqual(parseStrict('a: [1, -2.5, 1e3, 0.1, 12.50, 9007199254740991, -0]\n'), { a: [1, -2.5, 1000, 0.1, 12.5, 9007199254740991, -0] });
  });
});
