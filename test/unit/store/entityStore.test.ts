import * as assert from 'node:assert/strict';
import { applyRegisterChange, loadEntities, saveEntities } from '../../../src/core/store';
import { addEntity, emptyRegister, mergeEntities } from '../../../src/core/store';
import { AnnotationStore } from '../../../src/core/store';
import { createAnnotation } from '../../../src/core/model';
import { MemoryFs } from '../../support/memoryFs';

const now = new Date('2026-11-23T10:00:00Z');
const entityKind = {
  name: 'entity',
  attributes: [
    { name: 'type', type: 'enum' as const, values: ['person', 'organisation', 'place', 'other'] },
    { name: 'canonical', type: 'string' as const },
  ],
};

describe('entity register in the store', () => {
  it('loads an empty register when there is no file, and saves and loads one back', async () => {
    const fs = new MemoryFs();
    assert.deepEqual(await loadEntities(fs), emptyRegister());
    const reg = addEntity(emptyRegister(), { name: 'Vladimir Putin', type: 'person', aliases: ['Putin'] });
    await saveEntities(fs, reg);
    assert.match(fs.text('.marginalia/entities.yaml') ?? '', /name: Vladimir Putin/);
    assert.deepEqual(await loadEntities(fs), reg);
  });
  it('reports a broken register with its line', async () => {
    const fs = new MemoryFs({ '.marginalia/entities.yaml': 'version: 1\nentities:\n  - name: [x\n' });
    await assert.rejects(() => loadEntities(fs), /entities\.yaml:\d+:\d+/);
  });
  it('merges two entities, rewriting their annotations in the sidecars', async () => {
    const fs = new MemoryFs();
    const store = new AnnotationStore(fs);
    const text = 'Putin met President Putin.';
    const a = createAnnotation(
      text,
      { doc: 'a.txt', kind: 'entity', start: 0, end: 5, author: 'x', attributes: { type: 'person', canonical: 'Putin' } },
      entityKind,
      now,
    );
    await store.update('a.txt', { upsert: [a] });
    let reg = addEntity(emptyRegister(), { name: 'Vladimir Putin', type: 'person', aliases: [] });
    reg = addEntity(reg, { name: 'Putin', type: 'person', aliases: [] });
    const change = mergeEntities(reg, 'Vladimir Putin', 'Putin', await store.loadAll().then((r) => r.docs), new Date('2026-11-24T00:00:00Z'));
    await applyRegisterChange(fs, store, change.register, change.rewrites);
    assert.equal((await store.loadDoc('a.txt'))[0].attributes.canonical, 'Vladimir Putin');
    const saved = await loadEntities(fs);
    assert.deepEqual(
      saved.entities.map((e) => [e.name, e.aliases]),
      [['Vladimir Putin', ['Putin']]],
    );
  });
});
