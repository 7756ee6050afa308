// The test builder of annotations (test/support/annotations.ts) is shared by most suites: what it promises them.
import * as assert from 'node:assert/strict';
import { TOOL_ID } from '../../../src/constants';
import { contentHash, isId, makeQuote } from '../../../src/core/model';
import { parseSidecar, serializeSidecar, sidecarPathFor } from '../../../src/core/store';
import { CREATED, annotation, annotateInStore, edited, later, moved, nextUlid, phraseSpan, ulid } from '../../support/annotations';
import { AnnotationStore } from '../../../src/core/store';
import { MemoryFs } from '../../support/memoryFs';

const TEXT = 'The committee met. The committee approved the budget. The committees disagreed.';

describe('test support: the annotation builder', () => {
  it('finds a phrase in the text, the n-th occurrence when told (1-based, overlapping ones counted), and refuses one that is not there', () => {
    assert.deepEqual(phraseSpan(TEXT, 'committee'), { start: 4, end: 13 });
    assert.deepEqual(phraseSpan(TEXT, 'committee', 2), { start: 23, end: 32 });
    assert.deepEqual(phraseSpan(TEXT, 'committee', 3), { start: 58, end: 67 });
    assert.deepEqual(phraseSpan('aaa', 'aa', 2), { start: 1, end: 3 });
    assert.throws(() => phraseSpan(TEXT, 'committee', 4), /"committee" does not occur 4 times in the text/);
    assert.throws(() => phraseSpan(TEXT, 'council'), /"council" does not occur in the text/);
    const a = annotation({ text: TEXT, phrase: 'committee', occurrence: 2 });
    assert.deepEqual([a.target.start, a.target.end], [23, 32]);
    assert.equal(TEXT.slice(a.target.start, a.target.end), a.target.quote.exact);
  });

  it('quotes with the context makeQuote gives and hashes the text, as the store does', () => {
    const a = annotation({ doc: 'corpus/a.txt', text: TEXT, phrase: 'approved the budget' });
    assert.deepEqual(a.target.quote, makeQuote(TEXT, a.target.start, a.target.end));
    assert.equal(a.target.quote.prefix, 'he committee met. The committee ', '32 characters of context');
    assert.equal(a.provenance.docHash, contentHash(TEXT));
    assert.deepEqual(annotation({ text: TEXT, start: 4, end: 13 }).target.quote, makeQuote(TEXT, 4, 13));
    const whole = annotation({ text: 'Short.' });
    assert.deepEqual([whole.target.start, whole.target.end, whole.target.quote.exact], [0, 6, 'Short.']);
  });

  it('makes a valid annotation by default: claim, anchored, fixed stamps, the tool, an increasing ULID, and it loads back from a sidecar', () => {
    const a = annotation();
    const b = annotation({ doc: 'doc.txt', text: TEXT, phrase: 'met' });
    assert.equal(a.kind, 'claim');
    assert.deepEqual(a.anchor, { status: 'anchored' });
    assert.deepEqual(a.provenance, { author: 'tester', created: CREATED, modified: CREATED, tool: TOOL_ID, docHash: a.provenance.docHash });
    assert.ok(isId(a.id) && isId(b.id) && a.id < b.id, `${a.id} < ${b.id}`);
    assert.ok(a.id < nextUlid());
    assert.deepEqual(parseSidecar(serializeSidecar('doc.txt', [a, b]), sidecarPathFor('doc.txt')), [a, b]);
    assert.equal(ulid(7), '01JD0000000000000000000007');
    assert.ok(isId(ulid(7)) && ulid(7) < ulid(10));
  });

  it('without a text, quotes x for each character of the span unless a quote is given', () => {
    assert.deepEqual(annotation({ start: 5, end: 9 }).target, { start: 5, end: 9, quote: { exact: 'xxxx', prefix: '', suffix: '' } });
    assert.deepEqual(annotation({ start: 3, quote: { exact: 'Paris', prefix: 'in ' } }).target, {
      start: 3,
      end: 8,
      quote: { exact: 'Paris', prefix: 'in ', suffix: '' },
    });
    assert.throws(() => annotation({ phrase: 'x' }), /give the text too/);
    assert.throws(() => annotation({ text: TEXT, phrase: 'met', start: 0 }), /not both/);
  });

  it('takes an override for every field, and copies what it is given', () => {
    const attributes = { value: 3, unit: 'people' };
    const anchor = { status: 'reanchored' as const, method: 'diff' as const, detail: 'moved 3 characters' };
    const a = annotation({
      id: 'any id',
      kind: 'figure',
      doc: 'x/y.md',
      text: TEXT,
      phrase: 'met',
      quote: { prefix: 'made up ' },
      note: 'a note',
      attributes,
      author: 'Ann',
      created: '2026-01-01T00:00:00.000Z',
      modified: '2026-01-02T00:00:00.000Z',
      tool: 'marginalia 0.0.1',
      docHash: 'sha256:' + '0'.repeat(64),
      anchor,
    });
    assert.deepEqual(a, {
      id: 'any id',
      kind: 'figure',
      doc: 'x/y.md',
      target: { start: 14, end: 17, quote: { exact: 'met', prefix: 'made up ', suffix: '. The committee approved the bud' } },
      note: 'a note',
      attributes: { value: 3, unit: 'people' },
      provenance: {
        author: 'Ann',
        created: '2026-01-01T00:00:00.000Z',
        modified: '2026-01-02T00:00:00.000Z',
        tool: 'marginalia 0.0.1',
        docHash: 'sha256:' + '0'.repeat(64),
      },
      anchor: { status: 'reanchored', method: 'diff', detail: 'moved 3 characters' },
    });
    assert.ok(a.attributes !== attributes && a.anchor !== anchor, 'a test that changes the annotation does not change its spec');
  });

  it('edits an annotation with a later modified stamp, and moves it as re-anchoring after an insertion does', () => {
    const a = annotation({ text: TEXT, phrase: 'budget', author: 'alice' });
    const e = edited(a, { note: 'checked' });
    assert.equal(e.note, 'checked');
    assert.equal(e.provenance.author, 'alice');
    assert.ok(Date.parse(e.provenance.modified) > Date.parse(a.provenance.modified));
    assert.ok(Date.parse(edited(a, { note: 'again' }).provenance.modified) > Date.parse(e.provenance.modified), 'each edit later than the one before');
    assert.deepEqual(edited(a, { author: 'bob', modified: '2026-12-24T00:00:00.000Z' }).provenance, {
      ...a.provenance,
      author: 'bob',
      modified: '2026-12-24T00:00:00.000Z',
    });
    assert.ok(later('2030-01-01T00:00:00.000Z') > '2030-01-01T00:00:00.000Z');
    const after = 'Minutes. ' + TEXT;
    const m = moved(a, 9, after);
    assert.equal(after.slice(m.target.start, m.target.end), 'budget');
    assert.deepEqual(m.target.quote, makeQuote(after, m.target.start, m.target.end));
    assert.equal(m.provenance.docHash, contentHash(after));
    assert.equal(m.provenance.modified, a.provenance.modified);
    assert.deepEqual(m.anchor, { status: 'reanchored', method: 'edits', detail: 'moved 9 characters' });
  });

  it('annotates a document in a store as the CLI does: the core checks the span, the snapshot is kept, the sidecar written', async () => {
    const fs = new MemoryFs({ 'a.txt': TEXT });
    const store = new AnnotationStore(fs);
    const a = await annotateInStore(store, 'a.txt', 4, 13, 'who');
    assert.deepEqual(await store.loadDoc('a.txt'), [a]);
    assert.equal(a.target.quote.exact, 'committee');
    assert.equal(await store.getSnapshot(a.provenance.docHash), TEXT);
    await assert.rejects(annotateInStore(store, 'a.txt', 5, 5), /span 5-5 is empty/);
    await assert.rejects(annotateInStore(store, 'missing.txt', 0, 1), /missing\.txt exists/);
  });
});
