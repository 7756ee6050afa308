// JSON with positions over jsonc-parser: strict JSON, duplicate keys and deep nesting refused, every error located.
import * as assert from 'node:assert/strict';
import { ExportFormatError, MAX_JSON_DEPTH, parseJsonLocated } from '../../../src/core/formats';

function error(source: string): ExportFormatError {
  try {
    parseJsonLocated(source, 'in.json');
  } catch (e) {
    assert.ok(e instanceof ExportFormatError, String(e));
    return e;
  }
  assert.fail(`${JSON.stringify(source.slice(0, 40))} was accepted`);
}

describe('parseJsonLocated', () => {
  it('skips a byte order mark, and positions still count it', () => {
    const j = parseJsonLocated('\uFEFF{"a": [1, 2]}', 'in.json');
    assert.deepEqual(j.value, { a: [1, 2] });
    assert.deepEqual(j.locate(['a', 1]), { line: 1, column: 12 });
  });
  it('refuses what JSON does not allow: comments, trailing commas, single quotes, NaN', () => {
    assert.match(error('{"a": 1 // note\n}').message, /comments are not allowed/);
    assert.match(error('[1, 2,]').message, /^in\.json:1:7: not valid JSON/);
    assert.match(error("{'a': 1}").message, /in\.json:1:2: not valid JSON: unexpected "'"/);
    assert.match(error('[NaN]').message, /not valid JSON/);
  });
  it('nesting deeper than the limit is refused where it passes the limit, even thousands deep', () => {
    for (const n of [MAX_JSON_DEPTH + 2, 50_000]) {
      const e = error('['.repeat(n) + ']'.repeat(n));
      assert.match(e.message, /nested more than 256 deep/);
      assert.equal(e.column, MAX_JSON_DEPTH + 1, 'the first bracket past the limit');
    }
  });
  it('a duplicate key is refused at the second one, whatever the nesting', () => {
    const e = error('{"a": {"b": 1,\n "b": 2}}');
    assert.match(e.message, /"b" appears twice/);
    assert.deepEqual([e.line, e.column], [2, 2]);
  });
});
