// Searching annotations by words of their quote, note, kind, coder, document or attribute values.
import * as assert from 'node:assert/strict';
import { searchAnnotations, type Searchable } from '../../../src/core/store';
import { annotation } from '../../support/annotations';

const TEXT = 'Sberbank expects AI to add 11.2 trillion roubles to GDP by 2030, said German Gref (C++ fan).';

function entry(
  doc: string,
  phrase: string,
  fields: { kind?: string; note?: string; author?: string; attributes?: Record<string, string | number> } = {},
): Searchable {
  return { doc, annotation: annotation({ doc, text: TEXT, phrase, ...fields }) };
}

describe('searchAnnotations', () => {
  const entries = [
    entry('news/a.txt', 'Sberbank', { kind: 'entity', attributes: { type: 'organisation', canonical: 'Sberbank' } }),
    entry('news/a.txt', '11.2 trillion roubles', { kind: 'figure', attributes: { value: 11.2, unit: 'trillion roubles' }, note: 'GDP effect' }),
    entry('news/b.txt', 'German Gref', { kind: 'entity', author: 'ana', attributes: { type: 'person', canonical: 'German Gref' } }),
    entry('news/b.txt', 'C++ fan', { kind: 'claim' }),
  ];
  const ids = (xs: Searchable[]): string[] => xs.map((x) => x.annotation.target.quote.exact);

  it('matches every word, in any order and case, across quote, note, kind, coder, document and attributes', () => {
    assert.deepEqual(ids(searchAnnotations(entries, 'ROUBLES figure', 10)), ['11.2 trillion roubles']);
    assert.deepEqual(ids(searchAnnotations(entries, 'gdp', 10)), ['11.2 trillion roubles'], 'the note');
    assert.deepEqual(ids(searchAnnotations(entries, 'person', 10)), ['German Gref'], 'an attribute value');
    assert.deepEqual(ids(searchAnnotations(entries, 'ana', 10)), ['German Gref'], 'the coder');
    assert.deepEqual(ids(searchAnnotations(entries, 'b.txt entity', 10)), ['German Gref'], 'the document and the kind');
    assert.deepEqual(ids(searchAnnotations(entries, '11.2', 10)), ['11.2 trillion roubles'], 'a number, as written');
    assert.deepEqual(ids(searchAnnotations(entries, 'gref sberbank', 10)), [], 'every word must match');
  });

  it('takes the words literally (no pattern syntax), stops at the limit, and an empty query lists the first ones', () => {
    assert.deepEqual(ids(searchAnnotations(entries, 'C++', 10)), ['C++ fan']);
    // A dot is a dot: it finds the figure (11.2) and the .txt documents, not every annotation through "any character".
    assert.deepEqual(ids(searchAnnotations(entries, '11.2 roubles', 10)), ['11.2 trillion roubles']);
    assert.deepEqual(ids(searchAnnotations(entries, '1.2', 10)), ['11.2 trillion roubles']);
    assert.deepEqual(ids(searchAnnotations(entries, '112', 10)), [], 'no "1.2" read as "1 any 2"');
    assert.equal(searchAnnotations(entries, '.*', 10).length, 0, '.* is no wildcard');
    assert.deepEqual(ids(searchAnnotations(entries, 'entity', 1)), ['Sberbank'], 'the first one, in the order given');
    assert.deepEqual(ids(searchAnnotations(entries, '   ', 2)), ['Sberbank', '11.2 trillion roubles']);
  });
});
