import * as assert from 'node:assert/strict';
import {
  AnnotationStore,
  CODEBOOK_PATH,
  CodebookError,
  addKind,
  coderLabel,
  coderLayer,
  codersOf,
  defaultCodebook,
  parseCodebook,
  renameKind,
  serializeCodebook,
  setBlindCoding,
} from '../../../src/core/store';
import type { Annotation } from '../../../src/core/model';
import { MemoryFs } from '../../support/memoryFs';

function by(author: string): Annotation {
  return { provenance: { author } } as Annotation;
}

describe('coders and blind coding', () => {
  it('decides in which layer a person sees each coder’s annotation: all when not blind, their own when blind, two layers when comparing', () => {
    const open = { me: 'ana', blind: false };
    assert.deepEqual(
      ['ana', 'ben', 'cy'].map((c) => coderLayer(open, c)),
      ['own', 'other', 'other'],
    );
    const blind = { me: 'ana', blind: true };
    assert.deepEqual(
      ['ana', 'ben', 'cy'].map((c) => coderLayer(blind, c)),
      ['own', undefined, undefined],
    );
    for (const b of [true, false]) {
      const comparing = { me: 'ana', blind: b, compare: 'ben' };
      assert.deepEqual(
        ['ana', 'ben', 'cy'].map((c) => coderLayer(comparing, c)),
        ['own', 'compared', undefined],
        `blind: ${b}`,
      );
    }
  });

  it('lists the coders of a corpus once each, sorted, and names the empty author', () => {
    assert.deepEqual(codersOf([by('ben'), by('ana'), by('ben')]), ['ana', 'ben']);
    assert.deepEqual(
      codersOf(
        new Map([
          ['a.txt', [by('cy')]],
          ['b.txt', [by('ana'), by('')]],
        ]),
      ),
      ['', 'ana', 'cy'],
    );
    assert.equal(coderLabel(''), '(no author)');
    assert.equal(coderLabel('ana'), 'ana');
  });

  it('keeps blind: true in the codebook file, shared through git, through reading, writing and kind edits', async () => {
    const text = serializeCodebook({ ...defaultCodebook(), blind: true });
    assert.match(text, /^version: 1\nblind: true\nkinds:\n/m);
    const read = parseCodebook(text);
    assert.equal(read.blind, true);
    assert.equal(serializeCodebook(read), text);
    assert.equal(addKind(read, { name: 'quote' }).blind, true);
    assert.equal(renameKind(read, 'claim', 'assertion').blind, true);
    assert.equal(parseCodebook(serializeCodebook(defaultCodebook())).blind, undefined, 'absent by default');
    assert.throws(
      () => parseCodebook(text.replace('blind: true', 'blind: yes please')),
      (e: unknown) => e instanceof CodebookError && e.line === 3 && /blind/.test(e.message),
    );
    const fs = new MemoryFs();
    const store = new AnnotationStore(fs);
    await setBlindCoding(store, true);
    assert.equal((await store.loadCodebook()).blind, true);
    assert.deepEqual(
      (await store.loadCodebook()).kinds.map((k) => k.name),
      ['claim', 'figure', 'entity'],
      'the built-in kinds are written with it',
    );
    await setBlindCoding(store, false);
    assert.match(fs.text(CODEBOOK_PATH) ?? '', /^blind: false$/m);
  });
});
