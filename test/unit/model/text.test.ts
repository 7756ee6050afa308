import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LineIndex, aOrAn, codePointToUtf16, contentHash, makeQuote, plural, utf16ToCodePoint, escapeControls } from '../../../src/core/model';
import { TOOL_VERSION } from '../../../src/constants';

describe('text helpers', () => {
  it('hashes content as sha256 of UTF-8', () => {
    assert.equal(contentHash(''), 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
  it('builds a quote with 32 characters of context, not splitting surrogate pairs', () => {
    const text = 'a'.repeat(40) + 'TARGET' + 'b'.repeat(40);
    const q = makeQuote(text, 40, 46);
    assert.deepEqual(q, { exact: 'TARGET', prefix: 'a'.repeat(32), suffix: 'b'.repeat(32) });
    const emoji = '😀'.repeat(20) + 'X';
    const q2 = makeQuote(emoji, 40, 41);
    assert.equal(q2.exact, 'X');
    assert.ok(!/^[\udc00-\udfff]/.test(q2.prefix), 'prefix starts on a whole character');
  });
  it('converts offsets to lines and columns and back, CRLF included', () => {
    const t = 'ab\r\ncd\nef';
    const li = new LineIndex(t);
    assert.equal(li.lineCount, 3);
    assert.deepEqual(li.position(4), { line: 1, character: 0 });
    assert.deepEqual(li.position(2), { line: 0, character: 2 });
    assert.equal(li.offset(2, 1), 8);
    for (let i = 0; i <= t.length; i++) {
      const p = li.position(i);
      assert.equal(li.offset(p.line, p.character), i);
    }
  });
  it('converts UTF-16 offsets to code points and back', () => {
    const t = 'a😀b😀c';
    assert.equal(utf16ToCodePoint(t, 3), 2);
    assert.equal(codePointToUtf16(t, 2), 3);
    assert.equal(utf16ToCodePoint(t, t.length), 5);
    assert.equal(codePointToUtf16(t, 5), t.length);
  });
  it('records the same tool version as package.json', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../../package.json'), 'utf8'));
    assert.equal(TOOL_VERSION, pkg.version);
  });
  it('counts a noun in the right number: one in the singular, none and many in the plural', () => {
    assert.equal(plural(1, 'annotation'), '1 annotation');
    assert.equal(plural(0, 'annotation'), '0 annotations');
    assert.equal(plural(2, 'entity'), '2 entities');
    assert.equal(plural(3, 'match'), '3 matches');
    assert.equal(plural(2, 'person', 'people'), '2 people', 'an irregular plural can be given');
  });
  it('puts a or an before a noun as it is spoken', () => {
    assert.deepEqual(['entity', 'figure', 'claim', 'integer', 'hour', 'unit', 'ISO 8601 date'].map(aOrAn), [
      'an entity',
      'a figure',
      'a claim',
      'an integer',
      'an hour',
      'a unit',
      'an ISO 8601 date',
    ]);
  });
});

describe('escapeControls', () => {
  it('writes C0, DEL, C1, bidi and line-separator characters as visible escapes, and leaves the rest alone', () => {
    assert.equal(escapeControls('a\x1b[31mred\x07\x00'), 'a\\x1b[31mred\\x07\\x00');
    assert.equal(escapeControls('x\ny\rz\tw\x7f\x85\x9b'), 'x\\ny\\rz\\tw\\x7f\\x85\\x9b');
    assert.equal(
      escapeControls('evil\u202etxt.exe \u2066\u2069\u200e\u200f\u061c\u2028\u2029'),
      'evil\\u202etxt.exe \\u2066\\u2069\\u200e\\u200f\\u061c\\u2028\\u2029',
    );
    assert.equal(escapeControls('Größe 😀 “quoted” \\ back'), 'Größe 😀 “quoted” \\ back');
  });
});
