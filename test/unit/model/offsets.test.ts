// Offsets from other tools (code points, UTF-8 bytes) and passages found by quote, for `marginalia add`.
import * as assert from 'node:assert/strict';
import { AnnotationInputError, locateQuote, toUtf16Offset } from '../../../src/core/model';

const TEXT = 'Café 北京 🙂 naïve: the passage. Another passage.';

describe('toUtf16Offset', () => {
  it('converts code point and UTF-8 byte offsets of every character boundary to UTF-16', () => {
    const bytes = Buffer.from(TEXT, 'utf8');
    let cp = 0;
    for (let i = 0; i <= TEXT.length;) {
      const byte = Buffer.byteLength(TEXT.slice(0, i), 'utf8');
      assert.equal(toUtf16Offset(TEXT, byte, 'byte', 'd'), i, `byte ${byte}`);
      assert.equal(toUtf16Offset(TEXT, byte + 3, 'byte', 'd', 3), i, 'a byte order mark of 3 bytes counted before the text');
      assert.equal(toUtf16Offset(TEXT, cp, 'codepoint', 'd'), i, `code point ${cp}`);
      assert.equal(toUtf16Offset(TEXT, i, 'utf16', 'd'), i);
      if (i === TEXT.length) break;
      i += (TEXT.codePointAt(i) as number) > 0xffff ? 2 : 1;
      cp++;
    }
    assert.equal(bytes.length, Buffer.byteLength(TEXT));
  });

  it('refuses a byte offset inside a character, in the byte order mark, or past the end', () => {
    const b = Buffer.from(TEXT.slice(0, TEXT.indexOf('🙂')), 'utf8').length;
    for (const inside of [b + 1, b + 2, b + 3])
      assert.throws(() => toUtf16Offset(TEXT, inside, 'byte', 'd'), /falls inside the character "🙂" \(U\+1F642, bytes \d+–\d+\) of d/);
    assert.throws(() => toUtf16Offset(TEXT, 1, 'byte', 'd', 3), /inside the byte order mark/);
    assert.throws(
      () => toUtf16Offset(TEXT, 10_000, 'byte', 'd'),
      (e: unknown) => e instanceof AnnotationInputError && /past the end of d, which has \d+ bytes \(UTF-8\)/.test(e.message),
    );
    assert.throws(() => toUtf16Offset(TEXT, 10_000, 'codepoint', 'd'), /past the end of d, which has \d+ code points/);
  });
});

describe('locateQuote', () => {
  it('finds a unique quote; with several occurrences takes the n-th or the nearest, and otherwise lists them', () => {
    assert.deepEqual(locateQuote(TEXT, 'Another', 'd'), { start: TEXT.indexOf('Another'), end: TEXT.indexOf('Another') + 7 });
    const first = TEXT.indexOf('passage');
    const second = TEXT.indexOf('passage', first + 1);
    assert.equal(locateQuote(TEXT, 'passage', 'd', { occurrence: 2 }).start, second);
    assert.equal(locateQuote(TEXT, 'passage', 'd', { near: second - 3 }).start, second);
    assert.equal(locateQuote(TEXT, 'passage', 'd', { near: 0 }).start, first);
    assert.throws(
      () => locateQuote(TEXT, 'passage', 'd'),
      new RegExp(
        `occurs 2 times in d \\(1: offset ${first} \\(line 1\\); 2: offset ${second} \\(line 1\\)\\); choose one with --occurrence N or --near OFFSET`,
      ),
    );
    assert.throws(() => locateQuote(TEXT, 'passage', 'd', { occurrence: 3 }), /occurrence 3 does not exist: the quote occurs 2 times in d/);
  });

  it('counts overlapping occurrences, refuses an absent or empty quote, and lists at most ten', () => {
    assert.throws(() => locateQuote('aaa', 'aa', 'd'), /occurs 2 times/);
    assert.throws(() => locateQuote(TEXT, 'missing', 'd'), /the quote "missing" is not in d/);
    assert.throws(() => locateQuote(TEXT, '', 'd'), /the quote is empty/);
    assert.throws(() => locateQuote('x\n'.repeat(12), 'x', 'd'), /occurs 12 times in d \(.*10: offset 18 \(line 10\), and 2 more\)/);
  });
});
