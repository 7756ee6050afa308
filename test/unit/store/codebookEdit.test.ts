import * as assert from 'node:assert/strict';
import { addKind, addKindToStore, renameKind, renameKindEverywhere, rewriteKind } from '../../../src/core/store';
import { defaultCodebook, parseCodebook } from '../../../src/core/store';
import { AnnotationStore } from '../../../src/core/store';
import { createAnnotation } from '../../../src/core/model';
import { MemoryFs } from '../../support/memoryFs';

const now = new Date('2026-11-23T10:00:00Z');
const later = new Date('2026-11-24T10:00:00Z');

describe('codebook edits', () => {
  it('adds a kind with a fresh colour and refuses bad or duplicate names', () => {
    const cb = addKind(defaultCodebook(), { name: 'quote', description: 'A direct quotation' });
    const k = cb.kinds.find((x) => x.name === 'quote')!;
    assert.match(k.colour, /^#[0-9a-f]{6}$/);
    assert.ok(!defaultCodebook().kinds.some((d) => d.colour === k.colour));
    assert.throws(() => addKind(cb, { name: 'quote' }), /already has a kind "quote"/);
    assert.throws(() => addKind(cb, { name: '2nd kind' }), /cannot be a kind name/);
    assert.throws(() => addKind(cb, { name: 'x', colour: 'red' }), /not #rrggbb/);
  });
  it('renames a kind, keeping its definition', () => {
    const cb = renameKind(defaultCodebook(), 'claim', 'assertion');
    assert.deepEqual(
      cb.kinds.map((k) => k.name),
      ['assertion', 'figure', 'entity'],
    );
    assert.equal(cb.kinds[0].attributes[0].name, 'speaker');
    assert.throws(() => renameKind(cb, 'nope', 'x'), /no kind "nope"/);
    assert.throws(() => renameKind(cb, 'figure', 'entity'), /already has a kind "entity"/);
  });
  it('rewrites only annotations of the renamed kind, bumping modified', () => {
    const text = 'Putin said so.';
    const a = createAnnotation(text, { doc: 'a.txt', kind: 'claim', start: 0, end: 5, author: 'x' }, { name: 'claim' }, now);
    const b = createAnnotation(text, { doc: 'a.txt', kind: 'entity', start: 0, end: 5, author: 'x' }, { name: 'entity' }, now);
    const out = rewriteKind([a, b], 'claim', 'assertion', later);
    assert.equal(out.length, 1);
    assert.equal(out[0].kind, 'assertion');
    assert.equal(out[0].provenance.modified, later.toISOString());
    assert.equal(out[0].provenance.created, now.toISOString());
  });
  it('renames across every sidecar of a store and writes the codebook', async () => {
    const fs = new MemoryFs({ 'a.txt': 'Putin said so.', 'b.txt': 'Sberbank agreed.' });
    const store = new AnnotationStore(fs);
    const a = createAnnotation('Putin said so.', { doc: 'a.txt', kind: 'claim', start: 0, end: 14, author: 'x' }, { name: 'claim' }, now);
    const b = createAnnotation('Sberbank agreed.', { doc: 'b.txt', kind: 'claim', start: 0, end: 8, author: 'x' }, { name: 'claim' }, now);
    const c = createAnnotation('Sberbank agreed.', { doc: 'b.txt', kind: 'entity', start: 0, end: 8, author: 'x' }, { name: 'entity' }, now);
    await store.update('a.txt', { upsert: [a] });
    await store.update('b.txt', { upsert: [b, c] });
    const r = await renameKindEverywhere(store, 'claim', 'assertion', later);
    assert.deepEqual({ annotations: r.annotations, documents: r.documents }, { annotations: 2, documents: 2 });
    assert.deepEqual((await store.loadDoc('b.txt')).map((x) => x.kind).sort(), ['assertion', 'entity']);
    assert.deepEqual(
      parseCodebook(fs.text('.marginalia/codebook.yaml')!).kinds.map((k) => k.name),
      ['assertion', 'figure', 'entity'],
    );
  });
  it('adds a kind to a workspace without a codebook file, keeping the built-in kinds', async () => {
    const fs = new MemoryFs();
    const cb = await addKindToStore(new AnnotationStore(fs), { name: 'quote' });
    assert.deepEqual(
      cb.kinds.map((k) => k.name),
      ['claim', 'figure', 'entity', 'quote'],
    );
    assert.deepEqual(
      parseCodebook(fs.text('.marginalia/codebook.yaml')!).kinds.map((k) => k.name),
      ['claim', 'figure', 'entity', 'quote'],
    );
  });
});
