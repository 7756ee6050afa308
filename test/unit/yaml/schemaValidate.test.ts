import * as assert from 'node:assert/strict';
import { YamlFileError, errorFactoryFor, parseYamlSafely } from '../../../src/core/yaml';

const parse = (text: string): unknown => parseYamlSafely(text, errorFactoryFor(YamlFileError, 'f.yaml'), { conflictHint: 'by hand' }).value;

describe('parseYamlSafely: nothing changes silently on load', () => {
  it('refuses a key written through an alias ({&k a: 1, *k : 2} would load as {a: 2}) and two keys that load as one property', () => {
    assert.throws(() => parse('f: {&k a: 1, *k : 2}\n'), (e: unknown) => e instanceof YamlFileError && e.code === 'syntax' && e.line === 1 && e.column === 14 && /a key is written through an alias \(\*k\)/.test(e.message));
    assert.throws(() => parse('x:\n  &k a: 1\n  *k : 2\n'), /f\.yaml:3:3: a key is written through an alias/);
    assert.throws(() => parse('{1: a, "1": b}\n'), /f\.yaml:1:8: the key "1" appears twice in one mapping/);
    assert.throws(() => parse('a: 1\ntrue: x\n"true": y\n'), /the key "true" appears twice/);
    // Aliases as values are still read (within the alias limit).
    assert.deepEqual(parse('a: &v 1\nb: *v\n'), { a: 1, b: 1 });
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
        () => parse(`value: ${src}\n`),
        (e: unknown) => e instanceof YamlFileError && e.line === 1 && e.column === 8 && e.message.includes(why) && e.message.includes(`or quote it ("${src}") to keep it as text`),
        src,
      );
      assert.deepEqual(parse(`value: "${src}"\n`), { value: src }, 'quoted, it is kept as text');
    }
    assert.deepEqual(parse('a: [1, -2.5, 1e3, 0.1, 12.50, 9007199254740991, -0]\n'), { a: [1, -2.5, 1000, 0.1, 12.5, 9007199254740991, -0] });
  });
});
