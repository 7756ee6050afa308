// Code frequencies and the co-occurrence of kinds, against counts made by hand.
import * as assert from 'node:assert/strict';
import type { Annotation } from '../../../src/core/model';
import { codeFrequencies, kindCooccurrence } from '../../../src/core/research';

let counter = 0;
function ann(author: string, doc: string, start: number, end: number, kind = 'claim', orphaned = false): Annotation {
  counter++;
  return {
    id: `01J${String(counter).padStart(23, '0')}`,
    kind,
    doc,
    target: { start, end, quote: { exact: '', prefix: '', suffix: '' } },
    note: '',
    attributes: {},
    provenance: { author, created: '2026-01-01T00:00:00.000Z', modified: '2026-01-01T00:00:00.000Z', tool: 'test', docHash: 'sha256:0' },
    anchor: orphaned ? { status: 'orphaned' } : { status: 'anchored' },
  } as Annotation;
}

describe('research: code frequencies', () => {
  it('counts each coder’s annotations and covered code units per document and kind, overlaps once', () => {
    const r = codeFrequencies([
      ann('bob', 'b.txt', 0, 5, 'figure'),
      ann('ann', 'a.txt', 0, 10),
      ann('ann', 'a.txt', 5, 15),
      ann('ann', 'a.txt', 20, 22, 'figure'),
      ann('bob', 'a.txt', 3, 4),
      ann('bob', 'a.txt', 50, 60, 'claim', true),
    ]);
    assert.deepEqual(r.kinds, ['claim', 'figure']);
    assert.deepEqual(
      r.rows.map((x) => [x.doc, x.coder, x.kind, x.count, x.codeUnits]),
      [
        ['a.txt', 'ann', 'claim', 2, 15],
        ['a.txt', 'ann', 'figure', 1, 2],
        ['a.txt', 'bob', 'claim', 1, 1],
        ['b.txt', 'bob', 'figure', 1, 5],
      ],
    );
  });

  it('keeps the given kind order and leaves out coders not asked for', () => {
    const r = codeFrequencies([ann('ann', 'a.txt', 0, 1, 'claim'), ann('ann', 'a.txt', 2, 3, 'figure'), ann('cy', 'a.txt', 0, 1, 'entity')], {
      coders: ['ann'],
      kinds: ['figure', 'claim'],
    });
    assert.deepEqual(r.kinds, ['figure', 'claim']);
    assert.deepEqual(
      r.rows.map((x) => x.kind),
      ['figure', 'claim'],
    );
  });
});

describe('research: co-occurrence of kinds', () => {
  it('counts pairs of kinds one coder put on overlapping passages, symmetric, annotations on the diagonal', () => {
    const r = kindCooccurrence([
      ann('ann', 'a.txt', 0, 20, 'claim'),
      ann('ann', 'a.txt', 5, 8, 'figure'),
      ann('ann', 'a.txt', 10, 12, 'figure'),
      ann('ann', 'a.txt', 12, 30, 'entity'), // overlaps the claim (12-20) but only touches the second figure
      ann('ann', 'a.txt', 25, 26, 'claim'), // inside the entity
    ]);
    assert.deepEqual(r.kinds, ['claim', 'entity', 'figure']);
    assert.deepEqual(r.counts, [
      [2, 2, 2],
      [2, 1, 0],
      [2, 0, 2],
    ]);
  });

  it('does not pair two coders’ annotations, other documents, orphans or same-kind overlaps', () => {
    const r = kindCooccurrence([
      ann('ann', 'a.txt', 0, 10, 'claim'),
      ann('bob', 'a.txt', 0, 10, 'figure'),
      ann('ann', 'b.txt', 0, 10, 'figure'),
      ann('ann', 'a.txt', 0, 10, 'entity', true),
      ann('ann', 'a.txt', 2, 4, 'claim'),
    ]);
    assert.deepEqual(r.kinds, ['claim', 'figure']);
    assert.deepEqual(r.counts, [
      [2, 0],
      [0, 2],
    ]);
  });
});
