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
  it('puts each document in its own folder whatever order they come in (folders that share a prefix, the root between)', () => {
    const paths = ['b/x.txt', 'a.txt', 'b/y.txt', 'b/c/z.txt', 'bb/q.txt', 'b/w.txt', 'c.txt', 'b/c/v.txt', 'bb/r.txt'];
    const root = buildCorpusTree(paths.map((p) => summariseDocument(p, [ann('claim')])));
    const where = (d: { dirs: { name: string; dirs: unknown[]; docs: { doc: string }[] }[]; docs: { doc: string }[] }, out: string[] = []): string[] => {
      for (const doc of d.docs) out.push(doc.doc);
      for (const sub of d.dirs) where(sub as never, out);
      return out;
    };
    assert.deepEqual(where(root).sort(), [...paths].sort(), 'every document once');
    const b = root.dirs.find((d) => d.name === 'b')!;
    assert.deepEqual(
      b.docs.map((d) => d.name),
      ['w.txt', 'x.txt', 'y.txt'],
    );
    assert.equal(b.documents, 5, 'b and b/c');
    assert.equal(b.dirs[0].documents, 2);
    assert.deepEqual(
      root.dirs.find((d) => d.name === 'bb')!.docs.map((d) => d.name),
      ['q.txt', 'r.txt'],
    );
    assert.deepEqual(
      root.docs.map((d) => d.name),
      ['a.txt', 'c.txt'],
    );
    assert.equal(root.documents, paths.length);
    assert.equal(root.annotations, paths.length);
  });
});
