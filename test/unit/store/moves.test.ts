import * as assert from 'node:assert/strict';
import { findMoves } from '../../../src/core/store';

describe('findMoves', () => {
  it('pairs a vanished document with the new file holding a version its annotations were made on', () => {
    const moves = findMoves(new Map([['old/a.txt', new Set(['h1', 'h2'])]]), new Map([['new/a.txt', 'h2'], ['other.txt', 'h9']]));
    assert.deepEqual(moves, [['old/a.txt', 'new/a.txt']]);
  });
  it('does not guess when a new file matches two vanished documents, or a vanished one matches two new files', () => {
    assert.deepEqual(findMoves(new Map([['a.txt', new Set(['h'])], ['b.txt', new Set(['h'])]]), new Map([['c.txt', 'h']])), []);
    assert.deepEqual(findMoves(new Map([['a.txt', new Set(['h'])]]), new Map([['c.txt', 'h'], ['d.txt', 'h']])), []);
  });
  it('finds nothing when the text changed as well as the name', () => {
    assert.deepEqual(findMoves(new Map([['a.txt', new Set(['h1'])]]), new Map([['b.txt', 'h2']])), []);
  });
});
