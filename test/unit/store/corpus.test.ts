import * as assert from 'node:assert/strict';
import {
  EXPORT_MARKER,
  NotCorpusError,
  NotTextError,
  assertCorpusDocument,
  corpusMatcher,
  decodeDocument,
  listCorpus,
  listCorpusFolders,
  readDocument,
} from '../../../src/core/store';
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
  it('leaves out every folder a Marginalia export marked, at any depth, but never the workspace folder itself', async () => {
    const fs = new MemoryFs({
      'a.txt': 'a',
      [`brat-out/${EXPORT_MARKER}`]: 'x',
      'brat-out/corpus/a.txt': 'a',
      'brat-out/corpus/a.ann': 'T1',
      [`exports/2026/${EXPORT_MARKER}`]: 'x',
      'exports/2026/b.md': 'b',
      'exports/readme.md': 'kept: the marker is one level below',
      'notes/c.txt': 'c',
    });
    assert.deepEqual(await listCorpusFolders(fs), { documents: ['a.txt', 'exports/readme.md', 'notes/c.txt'], exportFolders: ['brat-out', 'exports/2026'] });
    assert.deepEqual(await listCorpus(fs), ['a.txt', 'exports/readme.md', 'notes/c.txt']);
    const opened = new MemoryFs({ [EXPORT_MARKER]: 'x', 'corpus/a.txt': 'a' });
    assert.deepEqual(await listCorpus(opened), ['corpus/a.txt'], 'an export folder opened as the workspace is annotated');
  });
  it('matches no path below an export folder the matcher was told of, even one found later', () => {
    const exportFolders = new Set<string>();
    const m = corpusMatcher({}, exportFolders);
    assert.equal(m('brat-out/corpus/a.txt'), true);
    exportFolders.add('brat-out');
    assert.equal(m('brat-out/corpus/a.txt'), false);
    assert.equal(m('brat-out/a.txt'), false);
    assert.equal(m('brat-out.txt'), true);
    assert.equal(m('brat-outer/a.txt'), true);
    assert.equal(m('corpus/a.txt'), true);
  });
  it('assertCorpusDocument accepts only corpus document paths: never .git, .marginalia, node_modules, dotfiles unless a pattern names them', () => {
    for (const rel of [
      '.git/config',
      '.env',
      '.git/hooks/post-checkout',
      '.marginalia/codebook.yaml',
      '.marginalia/x.txt',
      'node_modules/p/readme.md',
      'a/.hidden/b.txt',
      '.notes.txt',
      'notes.py',
    ]) {
      assert.throws(
        () => assertCorpusDocument(rel),
        (e: unknown) => e instanceof NotCorpusError && e.message.startsWith(`${rel} is not a corpus document (the corpus is **/*.txt, **/*.md;`),
        rel,
      );
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
    assert.throws(
      () => decodeDocument(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]), 'archive.txt'),
      (e: Error) => e instanceof NotTextError && /archive\.txt looks like a binary file/.test(e.message),
    );
  });
});
