import * as assert from 'node:assert/strict';
import { contentHash, newId, type Annotation } from '../../../src/core/model';
import {
  AnnotationStore,
  DecisionStore,
  DecisionsError,
  REVIEWED_DIR,
  checkStoreFile,
  decisionsPathFor,
  mergeDecisionTexts,
  mergeSidecarTexts,
  parseDecisions,
  serializeDecisions,
  serializeSidecar,
  storeFileKind,
  type Decision,
} from '../../../src/core/store';
import { MemoryFs } from '../../support/memoryFs';

const DOC = 'corpus/a.txt';
const TEXT = 'Putin said the economy grew by 3 percent.';

function note(author: string, exact: string, extra: Partial<Annotation> = {}): Annotation {
  const start = TEXT.indexOf(exact);
  return {
    id: newId(),
    kind: 'claim',
    doc: DOC,
    target: { start, end: start + exact.length, quote: { exact, prefix: '', suffix: '' } },
    note: '',
    attributes: {},
    provenance: { author, created: '2026-11-23T10:00:00.000Z', modified: '2026-11-23T10:00:00.000Z', tool: 'marginalia 0.1.0', docHash: contentHash(TEXT) },
    anchor: { status: 'anchored' },
    ...extra,
  };
}

function decision(id: string, extra: Partial<Decision> = {}): Decision {
  const d: Decision = {
    id,
    decision: 'accept',
    accepted: 'ana',
    type: 'boundary',
    kind: 'claim',
    start: 0,
    end: 10,
    sources: ['01JD0000000000000000000002', '01JD0000000000000000000001'],
    results: ['01JD0000000000000000000001'],
    reviewer: 'rita',
    decided: '2026-12-01T09:00:00.000Z',
    ...extra,
  };
  if (d.accepted === undefined) delete d.accepted;
  return d;
}

describe('reviewed layer', () => {
  it('is a layer of its own: its sidecars live in .marginalia/reviewed, in the coders’ format, and neither layer loads the other’s', async () => {
    const fs = new MemoryFs();
    const coders = new AnnotationStore(fs);
    const reviewed = new AnnotationStore(fs, { layer: 'reviewed' });
    const a = note('ana', 'Putin said');
    const b = note('ben', 'the economy grew');
    await coders.update(DOC, { upsert: [a, b] });
    await reviewed.update(DOC, { upsert: [a] });
    assert.equal(reviewed.sidecarPath(DOC), `${REVIEWED_DIR}/${DOC}.yaml`);
    assert.equal(fs.text(`${REVIEWED_DIR}/${DOC}.yaml`), serializeSidecar(DOC, [a]), 'the same canonical writer');
    assert.deepEqual([...(await coders.loadAll()).docs.get(DOC)!].map((x) => x.id).sort(), [a.id, b.id].sort());
    assert.deepEqual(
      (await reviewed.loadAll()).docs.get(DOC)!.map((x) => x.id),
      [a.id],
    );
    await reviewed.update(DOC, { remove: [a.id] });
    assert.equal(fs.text(`${REVIEWED_DIR}/${DOC}.yaml`), undefined, 'an empty layer file is deleted');
    assert.equal((await coders.loadAll()).docs.get(DOC)!.length, 2, 'the coders’ layer is untouched');
  });

  it('refuses a reviewed sidecar whose document field names another document, with its line', async () => {
    const fs = new MemoryFs({ [`${REVIEWED_DIR}/${DOC}.yaml`]: serializeSidecar('corpus/b.txt', [{ ...note('ana', 'Putin'), doc: 'corpus/b.txt' }]) });
    const { docs, errors } = await new AnnotationStore(fs, { layer: 'reviewed' }).loadAll();
    assert.equal(docs.size, 0);
    assert.equal(errors.length, 1);
    assert.match(errors[0].message, /reviewed\/corpus\/a\.txt\.yaml:3:.*"corpus\/b\.txt"/);
  });

  it('merges two reviewers’ versions of a reviewed sidecar by id, as git’s merge driver does for the coders’ sidecars', () => {
    const a = note('ana', 'Putin said');
    const b = note('ben', 'the economy grew');
    const file = `${REVIEWED_DIR}/${DOC}.yaml`;
    const merged = mergeSidecarTexts(serializeSidecar(DOC, []), serializeSidecar(DOC, [a]), serializeSidecar(DOC, [b]), file);
    assert.deepEqual(merged.annotations.map((x) => x.id).sort(), [a.id, b.id].sort());
    assert.equal(merged.text, serializeSidecar(DOC, [a, b]));
  });

  it('is recognised as a store file, and checked as one', () => {
    assert.equal(storeFileKind(`${REVIEWED_DIR}/${DOC}.yaml`), 'reviewed');
    assert.equal(storeFileKind(decisionsPathFor(DOC)), 'decisions');
    assert.equal(storeFileKind('.marginalia/decisions/../x.yaml'), undefined);
    assert.match(checkStoreFile(decisionsPathFor(DOC), 'version: 1\ndocument: corpus/a.txt\ndecisions: [1]\n')?.message ?? '', /decisions\[0\]/);
  });
});

describe('review decisions file', () => {
  it('writes one canonical form: sorted by position then id, one line per field, id first and time last', () => {
    const later = decision('bbbbbbbbbbbb', { start: 20, end: 30, decision: 'neither', accepted: undefined, results: [] });
    const first = decision('aaaaaaaaaaaa');
    const text = serializeDecisions(DOC, [later, first]);
    assert.equal(
      text,
      [
        '# Marginalia review decisions for corpus/a.txt. Offsets are UTF-16 code units. Schema: schemas/decisions.schema.json',
        'version: 1',
        'document: corpus/a.txt',
        'decisions:',
        '  - id: aaaaaaaaaaaa',
        '    decision: accept',
        '    accepted: ana',
        '    type: boundary',
        '    kind: claim',
        '    start: 0',
        '    end: 10',
        '    sources:',
        '      - "01JD0000000000000000000001"',
        '      - "01JD0000000000000000000002"',
        '    results:',
        '      - "01JD0000000000000000000001"',
        '    reviewer: rita',
        '    decided: "2026-12-01T09:00:00.000Z"',
        '  - id: bbbbbbbbbbbb',
        '    decision: neither',
        '    type: boundary',
        '    kind: claim',
        '    start: 20',
        '    end: 30',
        '    sources:',
        '      - "01JD0000000000000000000001"',
        '      - "01JD0000000000000000000002"',
        '    results: []',
        '    reviewer: rita',
        '    decided: "2026-12-01T09:00:00.000Z"',
        '',
      ].join('\n'),
    );
    assert.deepEqual(
      parseDecisions(text, decisionsPathFor(DOC)),
      [first, { ...later }].map((d) => ({ ...d, sources: [...d.sources].sort() })),
    );
    assert.equal(serializeDecisions(DOC, parseDecisions(text, decisionsPathFor(DOC))), text, 'reads back to the same bytes');
  });

  it('refuses, with file and line, what does not make sense: an accept without its coder, a duplicate id, another document, a newer version', () => {
    const file = decisionsPathFor(DOC);
    const good = serializeDecisions(DOC, [decision('aaaaaaaaaaaa')]);
    const cases: [string, RegExp][] = [
      [good.replace('    accepted: ana\n', ''), /:6:.*does not name the coder/],
      [good + good.split('decisions:\n')[1], /:19:.*listed twice/],
      [good.replace('document: corpus/a.txt', 'document: corpus/b.txt'), /:3:.*"corpus\/b\.txt"/],
      [good.replace('version: 1', 'version: 2'), /:2:.*newer Marginalia/],
      [good.replace('id: aaaaaaaaaaaa', 'id: XYZ'), /:5:.*12 lowercase hex digits/],
      [good.replace('    start: 0', '    start: 99'), /:11:.*before its start/],
    ];
    for (const [text, re] of cases) {
      assert.throws(
        () => parseDecisions(text, file),
        (e: unknown) => e instanceof DecisionsError && re.test(e.message),
        String(re),
      );
    }
    assert.throws(() => serializeDecisions(DOC, [decision('aaaaaaaaaaaa', { accepted: undefined })]), /could not be loaded back/);
  });

  it('merges two reviewers’ files by decision: both sides’ decisions kept, the later of one decided on both, a replaced one stays removed', () => {
    const file = decisionsPathFor(DOC);
    const old = decision('aaaaaaaaaaaa');
    const base = serializeDecisions(DOC, [old]);
    const mine = decision('bbbbbbbbbbbb', { start: 20, end: 30 });
    const theirs = decision('cccccccccccc', { start: 40, end: 50, reviewer: 'sam' });
    const early = decision('dddddddddddd', { start: 60, end: 70, decision: 'neither', accepted: undefined, decided: '2026-12-01T09:00:00.000Z' });
    const late = { ...early, decision: 'both' as const, decided: '2026-12-02T09:00:00.000Z', reviewer: 'sam' };
    // Ours replaced `old` (removed it); theirs left it as it was.
    const ours = serializeDecisions(DOC, [mine, early]);
    const their = serializeDecisions(DOC, [old, theirs, late]);
    const merged = mergeDecisionTexts(base, ours, their, file);
    assert.deepEqual(
      merged.decisions.map((d) => `${d.id} ${d.decision} ${d.reviewer}`),
      ['bbbbbbbbbbbb accept rita', 'cccccccccccc accept sam', 'dddddddddddd both sam'],
    );
    assert.equal(merged.text, mergeDecisionTexts(base, their, ours, file).text, 'symmetric');
    const union = mergeDecisionTexts(undefined, ours, their, file);
    assert.ok(
      union.decisions.some((d) => d.id === old.id),
      'without an ancestor nothing is dropped',
    );
    assert.throws(
      () => mergeDecisionTexts(base, 'version: 1\n', their, file),
      (e: unknown) => e instanceof DecisionsError && /our version/.test(e.message),
    );
  });

  it('DecisionStore changes a file by id, keeps what another writer saved meanwhile, and deletes an empty file', async () => {
    const fs = new MemoryFs();
    const store = new DecisionStore(fs);
    await store.update(DOC, { upsert: [decision('aaaaaaaaaaaa')] });
    // Another reviewer's save, straight to the file.
    await fs.writeAtomic(
      decisionsPathFor(DOC),
      new TextEncoder().encode(serializeDecisions(DOC, [decision('aaaaaaaaaaaa'), decision('bbbbbbbbbbbb', { start: 5 })])),
    );
    const now = await store.update(DOC, { upsert: [decision('cccccccccccc', { start: 9 })] });
    assert.deepEqual(
      now.map((d) => d.id),
      ['aaaaaaaaaaaa', 'bbbbbbbbbbbb', 'cccccccccccc'],
    );
    const all = await store.loadAll();
    assert.deepEqual([...all.docs.keys()], [DOC]);
    assert.deepEqual(all.errors, []);
    await store.update(DOC, { remove: ['aaaaaaaaaaaa', 'bbbbbbbbbbbb', 'cccccccccccc'] });
    assert.equal(fs.text(decisionsPathFor(DOC)), undefined);
  });

  it('loadAll reports a broken decision file and loads the rest', async () => {
    const fs = new MemoryFs({
      [decisionsPathFor('corpus/b.txt')]: serializeDecisions('corpus/b.txt', [decision('aaaaaaaaaaaa')]),
      [decisionsPathFor(DOC)]: 'version: 1\ndocument: corpus/a.txt\ndecisions:\n<<<<<<< ours\n',
    });
    const { docs, errors } = await new DecisionStore(fs).loadAll();
    assert.deepEqual([...docs.keys()], ['corpus/b.txt']);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].code, 'conflict');
    assert.equal(errors[0].file, decisionsPathFor(DOC));
  });
});
