// Word lists written as prose: entries split at commas and line breaks, trimmed, empty ones dropped.
import * as assert from 'node:assert/strict';
import { wordList } from '../../../src/core/research/wordList';

describe('wordList', () => {
  it('splits at commas and line breaks, keeps the spaces inside an entry, and drops empty entries', () => {
    assert.deepEqual(wordList(`\n  see also, read more,\n  don't miss, credited from,\n`), ['see also', 'read more', "don't miss", 'credited from']);
  });
});
