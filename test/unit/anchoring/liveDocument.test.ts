import * as assert from 'node:assert/strict';
import { LiveDocument } from '../../../src/core/anchoring';
import { contentHash } from '../../../src/core/model';
import type { Annotation, TextEdit } from '../../../src/core/model';
import { annotation } from '../../support/annotations';

const tag = (text: string, quote: string): Annotation => annotation({ doc: 'd.txt', text, phrase: quote });

function edit(text: string, e: TextEdit): string {
  return text.slice(0, e.offset) + e.insertText + text.slice(e.offset + e.deleteLength);
}

describe('LiveDocument', () => {
  const base = 'Putin signed the decree. Sberbank leads the work. The budget is 11.2 trillion roubles.';

  it('moves annotations with typing before them, and saves them anchored with a fresh quote and hash', () => {
    const a = tag(base, 'Sberbank leads');
    const live = new LiveDocument('d.txt', base, [a]);
    const e = { offset: 0, deleteLength: 0, insertText: 'Today, ' };
    const text = edit(base, e);
    const change = live.applyChange([e], text);
    assert.deepEqual(change, { moved: [], shifted: true, orphaned: [], via: 'edits' });
    const now = live.get(a.id)!;
    assert.equal(text.slice(now.target.start, now.target.end), 'Sberbank leads');
    assert.ok(live.isDirty);
    const [saved] = live.takeChanges();
    assert.equal(saved.target.quote.exact, 'Sberbank leads');
    assert.equal(saved.target.quote.prefix, text.slice(Math.max(0, saved.target.start - 32), saved.target.start));
    assert.equal(saved.provenance.docHash, contentHash(text));
    assert.equal(saved.anchor.status, 'anchored');
    assert.equal(live.isDirty, false);
  });

  it('marks a passage edited in place as re-anchored by edits', () => {
    const a = tag(base, 'Sberbank leads the work');
    const live = new LiveDocument('d.txt', base, [a]);
    const at = base.indexOf('leads');
    const e = { offset: at, deleteLength: 5, insertText: 'directs' };
    live.applyChange([e], edit(base, e));
    const [saved] = live.takeChanges();
    assert.equal(saved.target.quote.exact, 'Sberbank directs the work');
    assert.deepEqual(saved.anchor, { status: 'reanchored', method: 'edits', detail: 'passage edited in the editor' });
  });

  it('orphans a passage deleted in the editor, keeping its stored target', () => {
    const a = tag(base, 'Sberbank leads the work.');
    const live = new LiveDocument('d.txt', base, [a]);
    const at = base.indexOf('Sberbank');
    const e = { offset: at, deleteLength: 'Sberbank leads the work. '.length, insertText: '' };
    const change = live.applyChange([e], edit(base, e));
    assert.deepEqual(change.orphaned, [a.id]);
    const o = live.get(a.id)!;
    assert.equal(o.anchor.status, 'orphaned');
    assert.deepEqual(o.target, a.target);
    assert.equal(o.provenance.docHash, a.provenance.docHash);
  });

  it('follows a wholesale replacement (reload from disk) through a diff instead of orphaning everything', () => {
    const a = tag(base, 'Sberbank leads');
    const b = tag(base, '11.2 trillion roubles');
    const live = new LiveDocument('d.txt', base, [a, b]);
    const reloaded = 'A new first line.\n' + base.replace('The budget is 11.2 trillion roubles.', '');
    const change = live.applyChange([{ offset: 0, deleteLength: base.length, insertText: reloaded }], reloaded);
    assert.equal(change.via, 'diff');
    assert.deepEqual(change.moved, [a.id]);
    assert.deepEqual(change.orphaned, [b.id]);
    const moved = live.get(a.id)!;
    assert.equal(reloaded.slice(moved.target.start, moved.target.end), 'Sberbank leads');
    assert.equal(moved.anchor.status, 'reanchored');
    assert.equal(live.get(b.id)!.anchor.status, 'orphaned');
  });

  it('tracks annotations added and removed while open', () => {
    const live = new LiveDocument('d.txt', base, []);
    const a = tag(base, 'the decree');
    live.set(a);
    const e = { offset: 0, deleteLength: 5, insertText: 'Vladimir Putin' };
    live.applyChange([e], edit(base, e));
    assert.equal(live.get(a.id)!.target.start, a.target.start + 9);
    assert.equal(live.delete(a.id), true);
    assert.equal(live.size, 0);
    assert.deepEqual(live.takeChanges(), []);
  });

  it('answers which annotations overlap a range or touch the caret, at their live offsets, without an index rebuilt', () => {
    const a = tag(base, 'Sberbank leads');
    const b = tag(base, 'Sberbank leads the work');
    const c = tag(base, 'decree');
    const live = new LiveDocument('d.txt', base, [c, b, a]);
    const e = { offset: 0, deleteLength: 0, insertText: 'Today, ' };
    const text = edit(base, e);
    live.applyChange([e], text);
    const at = text.indexOf('Sberbank');
    // Document order: by start, longer first.
    assert.deepEqual(
      live.overlapping(at, at + 3).map((x) => x.id),
      [b.id, a.id],
    );
    for (const x of live.overlapping(0, text.length)) {
      assert.equal(text.slice(x.start, x.end), x.annotation.target.quote.exact);
      assert.deepEqual(live.get(x.id)!.target, { ...x.annotation.target, start: x.start, end: x.end });
    }
    assert.deepEqual(
      live.touching(text.indexOf('decree') + 6).map((x) => x.id),
      [c.id],
    );
    // An orphan is in no answer.
    const gone = { offset: text.indexOf('decree'), deleteLength: 6, insertText: '' };
    live.applyChange([gone], edit(text, gone));
    assert.deepEqual(
      live.overlapping(0, text.length),
      live.overlapping(0, text.length).filter((x) => x.id !== c.id),
    );
    assert.equal(live.get(c.id)!.anchor.status, 'orphaned');
  });

  it('saves every annotation that typing shifted, and only those', () => {
    const a = tag(base, 'Putin');
    const b = tag(base, 'Sberbank leads');
    const live = new LiveDocument('d.txt', base, [a, b]);
    const e = { offset: base.indexOf('Sberbank'), deleteLength: 0, insertText: 'Now ' };
    live.applyChange([e], edit(base, e));
    assert.ok(live.isDirty);
    assert.deepEqual(
      live.takeChanges().map((x) => x.id),
      [b.id],
    );
    assert.equal(live.isDirty, false);
  });
});
