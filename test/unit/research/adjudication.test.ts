// Adjudication: deciding disagreements into the reviewed layer, with reviewer and time; agreed passages accepted.
import * as assert from 'node:assert/strict';
import { contentHash, makeQuote, newId, type Annotation, type Attributes } from '../../../src/core/model';
import { AnnotationStore, DecisionStore, decisionsPathFor, REVIEWED_DIR } from '../../../src/core/store';
import {
  ReviewError,
  acceptAgreed,
  coderByName,
  coderLetter,
  compareCoders,
  decide,
  findPassage,
  passageId,
  recordDecision,
  reviewCoders,
  reviewDocument,
  type DocumentReview,
  type ReviewStores,
} from '../../../src/core/research';
import { MemoryFs } from '../../support/memoryFs';

const DOC = 'news/a.txt';
const TEXT = 'The minister said unemployment fell to 4.1 percent in March, while critics called the figure misleading.';
const NOW = new Date('2026-12-01T09:00:00.000Z');

function tag(author: string, exact: string, kind = 'claim', attributes: Attributes = {}, note = ''): Annotation {
  const start = TEXT.indexOf(exact);
  assert.ok(start >= 0, exact);
  const end = start + exact.length;
  return {
    id: newId(),
    kind,
    doc: DOC,
    target: { start, end, quote: makeQuote(TEXT, start, end) },
    note,
    attributes,
    provenance: { author, created: '2026-11-30T10:00:00.000Z', modified: '2026-11-30T10:00:00.000Z', tool: 'marginalia 0.1.0', docHash: contentHash(TEXT) },
    anchor: { status: 'anchored' },
  };
}

/** Two coders on one document: one agreed figure, a boundary, a kind and an only-one disagreement. */
function corpus(): { annotations: Annotation[]; ids: Record<string, Annotation> } {
  const ids = {
    anaFigure: tag('ana', '4.1 percent', 'figure', { value: 4.1, unit: '%' }),
    benFigure: tag('ben', '4.1 percent', 'figure', { value: 4.1, unit: '%' }),
    anaClaim: tag('ana', 'unemployment fell to 4.1 percent in March', 'claim', {}, 'the ministry figure'),
    benClaim: tag('ben', 'unemployment fell to 4.1 percent', 'claim', {}, 'check the source'),
    anaEntity: tag('ana', 'critics', 'entity', { type: 'other' }),
    benClaim2: tag('ben', 'critics called', 'claim'),
    anaOnly: tag('ana', 'misleading', 'claim'),
  };
  return { annotations: Object.values(ids), ids };
}

function stores(fs: MemoryFs): ReviewStores & { coders: AnnotationStore } {
  return { coders: new AnnotationStore(fs), reviewed: new AnnotationStore(fs, { layer: 'reviewed' }), decisions: new DecisionStore(fs) };
}

async function load(s: ReturnType<typeof stores>): Promise<DocumentReview> {
  const annotations = (await s.coders.loadAll()).docs.get(DOC) ?? [];
  const decisions = (await s.decisions.loadAll()).docs.get(DOC) ?? [];
  return reviewDocument(DOC, annotations, ['ana', 'ben'], decisions);
}

describe('adjudication', () => {
  it('lists a document’s disagreements and agreed passages, each with an id that stays with its annotations', () => {
    const { annotations, ids } = corpus();
    const review = reviewDocument(DOC, annotations, ['ana', 'ben'], []);
    assert.deepEqual(
      review.disagreements.map((d) => d.type),
      ['boundary', 'kind', 'only-one'],
    );
    assert.equal(review.agreed.length, 1);
    assert.equal(review.agreed[0].kind, 'figure');
    const again = reviewDocument(DOC, [...annotations].reverse(), ['ana', 'ben'], []);
    assert.deepEqual(
      again.disagreements.map((d) => d.id),
      review.disagreements.map((d) => d.id),
      'the order annotations come in does not change an id',
    );
    assert.equal(review.disagreements[0].id, passageId({ ana: [ids.anaClaim], ben: [ids.benClaim] }));
    assert.match(review.disagreements[0].id, /^[0-9a-f]{12}$/);
    assert.equal(findPassage([review], review.disagreements[2].id.slice(0, 6)), review.disagreements[2]);
    assert.throws(() => findPassage([review], 'zz'), ReviewError);
    assert.throws(() => findPassage([review], 'ffffffffffff'), /no disagreement has the id/);
  });

  it('makes each of the decisions: one coder’s version, both, a merged annotation over the passage, neither', () => {
    const { annotations, ids } = corpus();
    const review = reviewDocument(DOC, annotations, ['ana', 'ben'], []);
    const boundary = review.disagreements[0];
    const ctx = { reviewer: 'rita', now: NOW, text: TEXT };
    const a = decide(boundary, { decision: 'accept', coder: 'ana' }, ctx);
    assert.deepEqual(a.results, [ids.anaClaim], 'the accepted version is the coder’s annotation as it is');
    assert.deepEqual(
      { ...a.decision },
      {
        id: boundary.id,
        decision: 'accept',
        accepted: 'ana',
        type: 'boundary',
        kind: 'claim',
        start: ids.anaClaim.target.start,
        end: ids.anaClaim.target.end,
        sources: [ids.anaClaim.id, ids.benClaim.id].sort(),
        results: [ids.anaClaim.id],
        reviewer: 'rita',
        decided: NOW.toISOString(),
      },
    );
    assert.deepEqual(
      decide(boundary, { decision: 'both' }, ctx)
        .results.map((x) => x.id)
        .sort(),
      [ids.anaClaim.id, ids.benClaim.id].sort(),
    );
    assert.deepEqual(decide(boundary, { decision: 'neither' }, ctx).results, []);
    const merged = decide(boundary, { decision: 'merged' }, ctx).results[0];
    assert.equal(merged.target.quote.exact, 'unemployment fell to 4.1 percent in March');
    assert.equal(merged.kind, 'claim');
    assert.equal(merged.note, 'the ministry figure\ncheck the source');
    assert.equal(merged.provenance.author, 'rita', 'a merged annotation is the reviewer’s');
    assert.equal(merged.provenance.docHash, contentHash(TEXT));
    const kind = review.disagreements[1];
    assert.equal(kind.type, 'kind');
    assert.throws(() => decide(kind, { decision: 'merged' }, ctx), /different kinds here \(claim, entity\)/);
    const asEntity = decide(kind, { decision: 'merged', kind: 'entity' }, ctx).results[0];
    assert.deepEqual([asEntity.kind, asEntity.target.quote.exact, asEntity.attributes], ['entity', 'critics called', { type: 'other' }]);
    assert.throws(() => decide(boundary, { decision: 'merged' }, { ...ctx, text: 'another text entirely' + TEXT }), /re-anchor first/);
    assert.throws(() => decide(boundary, { decision: 'merged' }, { reviewer: 'rita', now: NOW }), /cannot be read/);
    assert.throws(() => decide(boundary, { decision: 'accept', coder: 'cy' }, ctx), /not one of the coders/);
  });

  it('stores a decision with its reviewer and time, accepts the agreed passages with it, and leaves the coders’ layer and its comparison as they were', async () => {
    const fs = new MemoryFs();
    const s = stores(fs);
    const { annotations, ids } = corpus();
    await s.coders.update(DOC, { upsert: annotations });
    const codersFile = fs.text(`.marginalia/annotations/${DOC}.yaml`);
    const before = compareCoders(DOC, (await s.coders.loadDoc(DOC)) ?? [], ['ana', 'ben']);
    const review = await load(s);
    const decided = await recordDecision(
      s,
      review,
      review.disagreements[0].id,
      { decision: 'accept', coder: 'ben' },
      { reviewer: 'rita', now: NOW, text: TEXT },
    );
    assert.equal(decided.reviewer, 'rita');
    assert.equal(decided.decided, NOW.toISOString());
    const reviewed = await s.reviewed.loadDoc(DOC);
    assert.deepEqual(
      reviewed.map((a) => a.id).sort(),
      [ids.benClaim.id, ids.anaFigure.id].sort(),
      'ben’s claim, and the agreed figure (ana’s copy stands for both)',
    );
    assert.ok(fs.text(`${REVIEWED_DIR}/${DOC}.yaml`));
    const stored = await s.decisions.load(DOC);
    assert.deepEqual(stored.map((d) => [d.decision, d.type, d.reviewer]).sort(), [
      ['accept', 'boundary', 'rita'],
      ['agreed', 'agreed', 'rita'],
    ]);
    assert.match(fs.text(decisionsPathFor(DOC)) ?? '', /reviewer: rita\n    decided: "2026-12-01T09:00:00.000Z"/);
    assert.equal(fs.text(`.marginalia/annotations/${DOC}.yaml`), codersFile, 'the coders’ sidecar is untouched');
    assert.deepEqual(compareCoders(DOC, await s.coders.loadDoc(DOC), ['ana', 'ben']), before, 'so the comparison (and every agreement figure) is unchanged');
    const after = await load(s);
    assert.equal(after.disagreements[0].decision?.decision, 'accept');
    assert.ok(after.agreed.every((p) => p.decision?.decision === 'agreed'));
    assert.equal(after.disagreements.filter((d) => d.decision === undefined).length, 2);
  });

  it('deciding a passage again replaces the decision, and what only the old one kept leaves the reviewed layer', async () => {
    const fs = new MemoryFs();
    const s = stores(fs);
    const { annotations, ids } = corpus();
    await s.coders.update(DOC, { upsert: annotations });
    const id = (await load(s)).disagreements[0].id;
    const ctx = { reviewer: 'rita', now: NOW, text: TEXT };
    await recordDecision(s, await load(s), id, { decision: 'both' }, ctx);
    assert.equal((await s.reviewed.loadDoc(DOC)).length, 3);
    await recordDecision(s, await load(s), id, { decision: 'merged' }, { ...ctx, now: new Date('2026-12-02T09:00:00.000Z'), reviewer: 'sam' });
    const reviewed = await s.reviewed.loadDoc(DOC);
    assert.deepEqual(
      reviewed.map((a) => [a.kind, a.target.quote.exact, a.provenance.author]),
      [
        ['claim', 'unemployment fell to 4.1 percent in March', 'sam'],
        ['figure', '4.1 percent', 'ana'],
      ],
    );
    assert.ok(!reviewed.some((a) => a.id === ids.anaClaim.id || a.id === ids.benClaim.id));
    const decisions = await s.decisions.load(DOC);
    assert.deepEqual(
      decisions.map((d) => `${d.decision} ${d.reviewer}`),
      ['merged sam', 'agreed rita'],
    );
    await recordDecision(s, await load(s), id, { decision: 'neither' }, ctx);
    assert.deepEqual(
      (await s.reviewed.loadDoc(DOC)).map((a) => a.kind),
      ['figure'],
    );
    await assert.rejects(recordDecision(s, await load(s), (await load(s)).agreed[0].id, { decision: 'neither' }, ctx), /accepted as it is/);
  });

  it('accepts the agreed passages of documents without disagreements too, once', async () => {
    const fs = new MemoryFs();
    const s = stores(fs);
    const { ids } = corpus();
    await s.coders.update(DOC, { upsert: [ids.anaFigure, ids.benFigure] });
    const first = await acceptAgreed(s, [await load(s)], { reviewer: 'rita', now: NOW });
    assert.deepEqual(first, { passages: 1, documents: 1 });
    assert.deepEqual(await acceptAgreed(s, [await load(s)], { reviewer: 'rita', now: NOW }), { passages: 0, documents: 0 });
    assert.deepEqual(
      (await s.reviewed.loadDoc(DOC)).map((a) => a.id),
      [ids.anaFigure.id],
    );
  });

  it('names coders by letter or name, and needs two of them', () => {
    assert.deepEqual([0, 1, 25, 26, 27].map(coderLetter), ['A', 'B', 'Z', 'AA', 'AB']);
    assert.equal(coderByName(['ana', 'ben'], 'B'), 'ben');
    assert.equal(coderByName(['ana', 'ben'], 'a'), 'ana');
    assert.equal(coderByName(['A', 'ben'], 'A'), 'A');
    assert.throws(() => coderByName(['ana', 'ben'], 'C'), /no coder "C".*A = ana, B = ben/);
    const all = new Map([[DOC, corpus().annotations]]);
    assert.deepEqual(reviewCoders(all), ['ana', 'ben']);
    assert.deepEqual(reviewCoders(all, ['ben', 'ana']), ['ben', 'ana']);
    assert.throws(() => reviewCoders(all, ['ana', 'cy']), /cy annotated nothing/);
    assert.throws(() => reviewCoders(new Map([[DOC, [corpus().ids.anaOnly]]])), /only ana has annotated/);
  });
});
