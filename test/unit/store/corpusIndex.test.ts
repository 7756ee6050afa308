import * as assert from 'node:assert/strict';
import { buildCorpusTree, summariseDocument } from '../../../src/core/store';
import type { Annotation } from '../../../src/core/model';
import { annotation } from '../../support/annotations';

const ann = (kind: string, orphaned = false): Annotation => annotation({ kind, anchor: orphaned ? { status: 'orphaned', method: 'orphaned' } : undefined });

describe('corpus index', () => {
  it('counts annotations by kind and orphans per document', () => {
    const s = summariseDocument('news/a.txt', [ann('claim'), ann('claim'), ann('figure'), ann('entity', true)]);
    assert.equal(s.name, 'a.txt');
    assert.equal(s.total, 4);
    assert.equal(s.orphaned, 1);
    assert.deepEqual(
      [...s.byKind],
      [
        ['claim', 2],
        ['figure', 1],
      ],
    );
  });
  it('builds folders → documents with counts summed upwards, folders sorted naturally', () => {
    const root = buildCorpusTree([
      summariseDocument('b.txt', [ann('claim')]),
      summariseDocument('news/2024/x10.txt', [ann('claim'), ann('figure', true)]),
      summariseDocument('news/2024/x9.txt', []),
      summariseDocument('news/a.md', [ann('entity')]),
      summariseDocument('archive/z.txt', []),
    ]);
    assert.deepEqual(
      root.dirs.map((d) => d.name),
      ['archive', 'news'],
    );
    assert.deepEqual(
      root.docs.map((d) => d.name),
      ['b.txt'],
    );
    assert.equal(root.documents, 5);
    assert.equal(root.annotations, 4);
    assert.equal(root.orphaned, 1);
    const news = root.dirs[1];
    assert.equal(news.documents, 3);
    assert.equal(news.annotations, 3);
    assert.deepEqual(
      news.dirs[0].docs.map((d) => d.name),
      ['x9.txt', 'x10.txt'],
    );
    assert.equal(news.dirs[0].path, 'news/2024');
  });
});
