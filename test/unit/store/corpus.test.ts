import * as assert from 'node:assert/strict';
import { NotCorpusError, NotTextError, assertCorpusDocument, corpusMatcher, decodeDocument, listCorpus, readDocument } from '../../../src/core/store';
import { MemoryFs } from '../../support/memoryFs';

describe('corpus', () => {
  it('lists .txt and .md documents, never .marginalia, node_modules or .git', async () => {
    const fs = new MemoryFs({
      'a.txt': 'a',
      'notes/b.md': 'b',
      'notes/deep/c.txt': 'c',
      'image.png': 'x',
      '.marginalia/annotations/a.txt.yaml': 'x',
      '.marginalia/x.md': 'x',
      'node_modules/pkg/readme.md': 'x',
      '.git/description.txt': 'x',
      'src/node_modules/x.txt': 'x',
    });
    assert.deepEqual(await listCorpus(fs), ['a.txt', 'notes/b.md', 'notes/deep/c.txt']);
  });
  it('takes include and exclude patterns', async () => {
    const fs = new MemoryFs({ 'a.txt': '', 'b.md': '', 'drafts/c.txt': '', 'x.rst': '' });
    assert.deepEqual(await listCorpus(fs, { include: ['**/*.txt', '**/*.rst'], exclude: ['drafts/**'] }), ['a.txt', 'x.rst']);
    const m = corpusMatcher();
    assert.equal(m('deep/er/x.md'), true);
    assert.equal(m('.marginalia/x.md'), false);
  });
  it('assertCorpusDocument accepts only corpus document paths: never .git, .marginalia, node_modules, dotfiles unless a pattern names them', () => {
    for (const rel of ['.git/config', '.env', '.git/hooks/post-checkout', '.marginalia/codebook.yaml', '.marginalia/x.txt', 'node_modules/p/readme.md', 'a/.hidden/b.txt', '.notes.txt', 'notes.py']) {
      assert.throws(() => assertCorpusDocument(rel), (e: unknown) => e instanceof NotCorpusError && e.message.startsWith(`${rel} is not a corpus document (the corpus is **/*.txt, **/*.md;`), rel);
    }
    for (const rel of ['a.txt', 'deep/er/b.md']) assertCorpusDocument(rel);
    assert.throws(() => assertCorpusDocument('drafts/a.txt', { exclude: ['drafts/**'] }), /the corpus is \*\*\/\*\.txt, \*\*\/\*\.md, excluding drafts\/\*\*;/);
    // Explicitly included dotfiles count; .git never does, whatever the patterns say.
    assertCorpusDocument('.env', { include: ['.env'] });
    assertCorpusDocument('.notes/a.txt', { include: ['.notes/*.txt'] });
    assert.throws(() => assertCorpusDocument('.git/config', { include: ['**/*', '.git/*'] }), NotCorpusError);
  });
  it('decodes UTF-8, dropping a BOM as VS Code does', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('héllo 😀', 'utf8')]);
    assert.equal(decodeDocument(bytes, 'x.txt'), 'héllo 😀');
    const fs = new MemoryFs({ 'x.txt': 'abc' });
    assert.equal(await readDocument(fs, 'x.txt'), 'abc');
    assert.equal(await readDocument(fs, 'missing.txt'), undefined);
  });
  it('refuses binary content with a message naming the file', () => {
    assert.throws(() => decodeDocument(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]), 'archive.txt'), (e: Error) => e instanceof NotTextError && /archive\.txt looks like a binary file/.test(e.message));
  });
});
