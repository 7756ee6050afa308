// compareCoders: which passages the coders agree on and how they disagree on the rest.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Annotation, Attributes } from '../../../src/core/model';
import { compareCoders, matchPassages, samePassage, type Comparison } from '../../../src/core/research';

const DOC = 'a.txt';
let counter = 0;

function ann(author: string, start: number, end: number, kind = 'claim', attributes: Attributes = {}, extra: Partial<Annotation> = {}): Annotation {
  counter++;
  return {
    id: `01J${String(counter).padStart(23, '0')}`,
    kind,
    doc: DOC,
    target: { start, end, quote: { exact: 'x'.repeat(end - start), prefix: '', suffix: '' } },
    note: '',
    attributes,
    provenance: { author, created: '2026-01-01T00:00:00.000Z', modified: '2026-01-01T00:00:00.000Z', tool: 'test', docHash: 'sha256:0' },
    anchor: { status: 'anchored' },
    ...extra,
  };
}

/** The comparison as compact rows: [type or "agreed", kind, start, end, ids per coder]. */
function rows(c: Comparison, coders: string[]): Array<[string, string, number, number, string[][]]> {
  const out: Array<[string, string, number, number, string[][]]> = [];
  for (const a of c.agreed) out.push(['agreed', a.kind, a.start, a.end, coders.map((k) => [a.annotations[k].id])]);
  for (const d of c.disagreements) out.push([d.type, d.kind, d.start, d.end, coders.map((k) => d.coders[k].map((x) => x.id))]);
  return out.sort((a, b) => a[2] - b[2] || a[3] - b[3] || a[1].localeCompare(b[1]));
}

describe('disagreements: samePassage', () => {
  it('is the same passage when the overlap is at least half of the union', () => {
    assert.equal(samePassage({ start: 0, end: 10 }, { start: 5, end: 10 }), true); // 5 of 10
    assert.equal(samePassage({ start: 0, end: 10 }, { start: 6, end: 10 }), false); // 4 of 10
    assert.equal(samePassage({ start: 0, end: 10 }, { start: 5, end: 15 }), false); // 5 of 15
    assert.equal(samePassage({ start: 0, end: 4 }, { start: 4, end: 8 }), false); // touching, no overlap
    assert.equal(samePassage({ start: 3, end: 3 }, { start: 3, end: 3 }), true);
  });
});

describe('disagreements: compareCoders', () => {
  it('the same span, kind and attributes from both coders is agreed', () => {
    const a = ann('ann', 10, 20, 'figure', { value: 3, unit: 'people' });
    const b = ann('bob', 10, 20, 'figure', { unit: 'people', value: 3 });
    const c = compareCoders(DOC, [a, b], ['ann', 'bob']);
    assert.deepEqual(c.disagreements, []);
    assert.deepEqual(c.agreed, [{ doc: DOC, kind: 'figure', start: 10, end: 20, annotations: { ann: a, bob: b } }]);
  });

  it('the same span and kind with different attribute values is an attribute disagreement', () => {
    const a = ann('ann', 10, 20, 'figure', { value: 3 });
    const b = ann('bob', 10, 20, 'figure', { value: '3' });
    const c = compareCoders(DOC, [a, b], ['ann', 'bob']);
    assert.deepEqual(rows(c, ['ann', 'bob']), [['attribute', 'figure', 10, 20, [[a.id], [b.id]]]]);
    assert.deepEqual(c.disagreements[0].kinds, ['figure']);
  });

  it('overlapping spans of one kind with different boundaries are a boundary disagreement over their union', () => {
    const a = ann('ann', 10, 20);
    const b = ann('bob', 12, 21);
    const c = compareCoders(DOC, [a, b], ['ann', 'bob']);
    assert.deepEqual(rows(c, ['ann', 'bob']), [['boundary', 'claim', 10, 21, [[a.id], [b.id]]]]);
  });

  it('spans overlapping by less than half their union are separate passages, each tagged by only one coder', () => {
    const a = ann('ann', 0, 10);
    const b = ann('bob', 6, 16);
    const c = compareCoders(DOC, [a, b], ['ann', 'bob']);
    assert.deepEqual(rows(c, ['ann', 'bob']), [
      ['only-one', 'claim', 0, 10, [[a.id], []]],
      ['only-one', 'claim', 6, 16, [[], [b.id]]],
    ]);
  });

  it('the same span with different kinds is one kind disagreement naming both kinds', () => {
    const a = ann('ann', 5, 9, 'figure');
    const b = ann('bob', 5, 9, 'claim');
    const c = compareCoders(DOC, [a, b], ['ann', 'bob']);
    assert.deepEqual(rows(c, ['ann', 'bob']), [['kind', 'claim/figure', 5, 9, [[a.id], [b.id]]]]);
    assert.deepEqual(c.disagreements[0].kinds, ['claim', 'figure']);
  });

  it('a kind one coder added on a passage both tagged alike stays agreed, and the extra kind is only-one', () => {
    const a1 = ann('ann', 5, 9, 'claim');
    const a2 = ann('ann', 5, 9, 'figure');
    const b = ann('bob', 5, 9, 'claim');
    const c = compareCoders(DOC, [a1, a2, b], ['ann', 'bob']);
    assert.deepEqual(rows(c, ['ann', 'bob']), [
      ['agreed', 'claim', 5, 9, [[a1.id], [b.id]]],
      ['only-one', 'figure', 5, 9, [[a2.id], []]],
    ]);
  });

  it('two kinds from the same coder on a passage the other coder left alone are two only-one disagreements, not a kind one', () => {
    const a1 = ann('ann', 5, 9, 'claim');
    const a2 = ann('ann', 5, 9, 'figure');
    const c = compareCoders(DOC, [a1, a2], ['ann', 'bob']);
    assert.deepEqual(rows(c, ['ann', 'bob']), [
      ['only-one', 'claim', 5, 9, [[a1.id], []]],
      ['only-one', 'figure', 5, 9, [[a2.id], []]],
    ]);
  });

  it('a coder who tagged a passage twice disagrees on the boundary even when one of the spans matches', () => {
    const a1 = ann('ann', 0, 10);
    const a2 = ann('ann', 2, 10);
    const b = ann('bob', 0, 10);
    const c = compareCoders(DOC, [a1, a2, b], ['ann', 'bob']);
    assert.deepEqual(rows(c, ['ann', 'bob']), [['boundary', 'claim', 0, 10, [[a1.id, a2.id], [b.id]]]]);
  });

  it('with three coders, a passage two tagged alike and the third missed is only-one, with the third coder empty', () => {
    const a = ann('ann', 0, 10);
    const b = ann('bob', 0, 10);
    const c = compareCoders(DOC, [a, b], ['ann', 'bob', 'cat']);
    assert.deepEqual(rows(c, ['ann', 'bob', 'cat']), [['only-one', 'claim', 0, 10, [[a.id], [b.id], []]]]);
  });

  it('leaves out other documents, other coders and orphaned annotations', () => {
    const a = ann('ann', 0, 10);
    const b = ann('bob', 0, 10);
    const other = { ...ann('bob', 30, 40), doc: 'b.txt' };
    const stranger = ann('eve', 50, 60);
    const orphan = ann('bob', 70, 80, 'claim', {}, { anchor: { status: 'orphaned', method: 'orphaned' } });
    const c = compareCoders(DOC, [a, b, other, stranger, orphan], ['ann', 'bob']);
    assert.deepEqual(rows(c, ['ann', 'bob']), [['agreed', 'claim', 0, 10, [[a.id], [b.id]]]]);
  });

  it('sorts both lists by start, end and kind whatever the input order, and links kind disagreements transitively', () => {
    const list = [ann('ann', 50, 60), ann('bob', 0, 5, 'figure'), ann('ann', 0, 5, 'entity'), ann('bob', 20, 30), ann('ann', 20, 30), ann('bob', 0, 4)];
    const c = compareCoders(DOC, [...list].reverse(), ['ann', 'bob']);
    const d = compareCoders(DOC, list, ['ann', 'bob']);
    assert.deepEqual(c, d);
    assert.deepEqual(
      c.disagreements.map((x) => [x.start, x.end, x.kind]),
      [
        [0, 5, 'claim/entity/figure'],
        [50, 60, 'claim'],
      ],
    );
  });

  it('refuses fewer than two coders and a coder listed twice', () => {
    assert.throws(() => compareCoders(DOC, [], ['ann']), RangeError);
    assert.throws(() => compareCoders(DOC, [], ['ann', 'ann']), RangeError);
    assert.throws(() => compareCoders(DOC, [], ['ann', 'bob', 'ann']), RangeError);
  });

  it('property: every compared annotation lands in exactly one passage, agreed or not, and identical layers agree fully', () => {
    const span = fc.tuple(fc.nat(200), fc.integer({ min: 1, max: 30 }), fc.constantFrom('claim', 'figure'), fc.constantFrom('ann', 'bob', 'cat'));
    fc.assert(
      fc.property(fc.array(span, { maxLength: 40 }), (specs) => {
        const list = specs.map(([s, len, kind, who]) => ann(who, s, s + len, kind));
        const coders = ['ann', 'bob', 'cat'];
        const c = compareCoders(DOC, list, coders);
        const seen: string[] = [];
        for (const a of c.agreed) seen.push(...Object.values(a.annotations).map((x) => x.id));
        for (const d of c.disagreements) for (const k of coders) seen.push(...d.coders[k].map((x) => x.id));
        assert.deepEqual(seen.sort(), list.map((a) => a.id).sort());
        const mirrored = list.filter((a) => a.provenance.author === 'ann').flatMap((a) => [a, ann('bob', a.target.start, a.target.end, a.kind)]);
        const same = compareCoders(DOC, mirrored, ['ann', 'bob']);
        assert.ok(
          same.disagreements.every((d) => d.type === 'boundary'),
          'identical layers differ only where one coder overlaps themselves',
        );
        assert.equal(matchPassages(DOC, mirrored, ['ann', 'bob']).length, same.agreed.length + same.disagreements.length);
      }),
    );
  });
});
