// Typed relations between annotations in the core: the codebook's relation types, relations in the sidecar, the
// index of both directions and its checks, linking and unlinking through the store and the folder, and the merge of
// two people's relations.
import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import type { Annotation, Relation } from '../../../src/core/model';
import { contentHash, createAnnotation, mergeRelations, relationGuid, withRelations } from '../../../src/core/model';
import {
  AnnotationStore,
  CodebookError,
  CorpusFolder,
  DEFAULT_INCLUDE,
  RelationError,
  RelationIndex,
  SidecarError,
  addKind,
  allowedEnds,
  allowsPair,
  allowsStart,
  checkNewRelation,
  defaultCodebook,
  defaultRelationTypes,
  linkInStore,
  listRelations,
  mergeAnnotationSets,
  mergeSidecarTexts,
  parseCanonicalSidecar,
  parseCodebook,
  parseSidecar,
  relationChanges,
  relationProblems,
  relationTypes,
  relationsTo,
  renameKind,
  serializeCodebook,
  serializeSidecar,
  typesFrom,
  unlinkInStore,
} from '../../../src/core/store';
import { yamlScalar } from '../../../src/core/yaml';
import { MemoryFs } from '../../support/memoryFs';

const DOC = 'corpus/report.txt';
const OTHER = 'corpus/other.txt';
const FILE = `.marginalia/annotations/${DOC}.yaml`;
const TEXT = 'Officials said inflation fell to 3.2 percent. The minister, Jane Doe, called it encouraging. Growth was 0.8 percent.\n';
const OTHER_TEXT = 'Jane Doe said inflation fell. Critics disagree.\n';
const STAMP = '2026-11-23T10:00:00.000Z';

let n = 0;
function annotation(doc: string, text: string, phrase: string, kind: string, extra: Partial<Annotation> = {}): Annotation {
  const start = text.indexOf(phrase);
  assert.ok(start >= 0, phrase);
  const a = createAnnotation(text, { doc, kind, start, end: start + phrase.length, author: 'ana' }, { name: kind }, new Date(Date.parse(STAMP) + n++ * 1000));
  return { ...a, ...extra };
}

function rel(type: string, to: string, author = 'ana', created = STAMP): Relation {
  return { type, to, author, created };
}

/** A claim, a figure supporting it, an entity, and a claim in another document. */
function corpus(): { claim: Annotation; figure: Annotation; entity: Annotation; far: Annotation; docs: Map<string, Annotation[]> } {
  const claim = annotation(DOC, TEXT, 'Officials said inflation fell', 'claim');
  const entity = annotation(DOC, TEXT, 'Jane Doe', 'entity');
  const far = annotation(OTHER, OTHER_TEXT, 'Jane Doe said inflation fell', 'claim');
  const figure = annotation(DOC, TEXT, '3.2 percent', 'figure', { relations: [rel('supports', claim.id)] });
  return {
    claim,
    figure,
    entity,
    far,
    docs: new Map([
      [DOC, [claim, figure, entity]],
      [OTHER, [far]],
    ]),
  };
}

describe('relation types in the codebook', () => {
  const YAML = [
    'version: 1',
    'kinds:',
    '  - name: claim',
    '    colour: "#f5a623"',
    '  - name: source',
    '    colour: "#4a90e2"',
    'relations:',
    '  - name: backs',
    '    inverse: backed by',
    '    direction: directed',
    '    from: [source, claim]',
    '    to: [claim]',
    '  - name: duplicates',
    '    label: duplicates',
    '    direction: symmetric',
    '    from: [claim]',
    '    to: [claim]',
    '    description: The same claim twice.',
    '',
  ].join('\n');

  it('uses the built-in relation types when the codebook has no relations key, and none with relations: []', () => {
    const builtin = defaultCodebook();
    assert.equal(builtin.relations, undefined);
    assert.deepEqual(
      relationTypes(builtin).map((t) => [t.name, t.direction, t.from.join('|'), t.to.join('|')]),
      [
        ['supports', 'directed', 'figure|entity|claim', 'claim'],
        ['contradicts', 'directed', 'figure|entity|claim', 'claim'],
        ['same-as', 'symmetric', 'claim|figure|entity', 'claim|figure|entity'],
        ['quotes', 'directed', 'claim', 'claim'],
      ],
    );
    const without = parseCodebook('version: 1\nkinds:\n  - name: claim\n    colour: "#f5a623"\n');
    assert.equal(relationTypes(without).length, 4, 'a codebook file without relations: the built-in types');
    const none = parseCodebook('version: 1\nkinds:\n  - name: claim\n    colour: "#f5a623"\nrelations: []\n');
    assert.deepEqual(relationTypes(none), [], 'relations: [] means none');
    assert.match(serializeCodebook(none), /^relations: \[\]$/m);
  });

  it('reads relation types (label defaults to the name, inverse, direction, kinds at each end) and writes them back canonically', () => {
    const cb = parseCodebook(YAML);
    assert.deepEqual(cb.relations, [
      { name: 'backs', label: 'backs', inverse: 'backed by', direction: 'directed', from: ['source', 'claim'], to: ['claim'], description: '' },
      { name: 'duplicates', label: 'duplicates', direction: 'symmetric', from: ['claim'], to: ['claim'], description: 'The same claim twice.' },
    ]);
    const text = serializeCodebook(cb);
    assert.deepEqual(parseCodebook(text), cb);
    assert.equal(serializeCodebook(parseCodebook(text)), text, 'canonical');
    assert.ok(
      text.includes(
        'relations:\n  - name: backs\n    label: backs\n    inverse: backed by\n    direction: directed\n    from:\n      - source\n      - claim\n',
      ),
    );
    assert.equal(serializeCodebook(defaultCodebook()).includes('relations'), false, 'the built-in codebook writes no relations key');
  });

  it('refuses bad relation types with the file, line and what to do: an unknown kind, a name twice, an inverse on a symmetric type, a bad direction or kind list', () => {
    const cases: { edit: (s: string) => string; line: number; reason: RegExp }[] = [
      {
        edit: (s) => s.replace('to: [claim]\n  - name: duplicates', 'to: [claims]\n  - name: duplicates'),
        line: 12,
        reason: /allows kind "claims" in to, but the codebook defines no such kind/,
      },
      { edit: (s) => s.replace('name: duplicates', 'name: backs'), line: 13, reason: /relation "backs" is defined twice/ },
      {
        edit: (s) => s.replace('    label: duplicates\n', '    inverse: also\n'),
        line: 14,
        reason: /is symmetric, so it reads the same from both ends; remove its inverse/,
      },
      { edit: (s) => s.replace('direction: directed', 'direction: forward'), line: 10, reason: /direction/ },
      { edit: (s) => s.replace('from: [source, claim]', 'from: []'), line: 11, reason: /from/ },
    ];
    for (const c of cases) {
      const text = c.edit(YAML);
      assert.notEqual(text, YAML);
      assert.throws(
        () => parseCodebook(text, '.marginalia/codebook.yaml'),
        (e: unknown) => e instanceof CodebookError && e.file === '.marginalia/codebook.yaml' && e.line === c.line && c.reason.test(e.message),
        `${c.reason}`,
      );
    }
  });

  it('renaming a kind renames it in the relation types (the built-in ones are written out, renamed, when they name it); adding a kind keeps them', () => {
    const cb = parseCodebook(YAML);
    const renamed = renameKind(cb, 'source', 'document');
    assert.deepEqual(renamed.relations?.[0].from, ['document', 'claim']);
    const builtin = renameKind(defaultCodebook(), 'claim', 'assertion');
    assert.deepEqual(
      builtin.relations?.map((t) => t.to.join('|')),
      ['assertion', 'assertion', 'assertion|figure|entity', 'assertion'],
    );
    assert.doesNotThrow(() => parseCodebook(serializeCodebook(builtin)), 'the renamed codebook loads');
    assert.deepEqual(addKind(cb, { name: 'place' }).relations, cb.relations);
  });

  it('says which kinds a type joins, directed one way and symmetric either way', () => {
    const [supports, , sameAs, quotes] = defaultRelationTypes();
    assert.ok(allowsPair(supports, 'figure', 'claim') && !allowsPair(supports, 'claim', 'figure'));
    assert.ok(allowsStart(supports, 'entity') && !allowsStart(quotes, 'figure'));
    assert.deepEqual(allowedEnds(supports, 'figure'), ['claim']);
    const symmetric = { ...sameAs, from: ['entity'], to: ['claim'] };
    assert.ok(allowsPair(symmetric, 'claim', 'entity') && allowsPair(symmetric, 'entity', 'claim') && !allowsPair(symmetric, 'claim', 'claim'));
    assert.deepEqual(allowedEnds(symmetric, 'claim'), ['entity']);
    assert.deepEqual(
      typesFrom(defaultCodebook(), 'figure').map((t) => t.name),
      ['supports', 'contradicts', 'same-as'],
    );
  });
});

describe('relations in the sidecar', () => {
  it('writes relations right after the id, one line per field, sorted by type then target, and reads them back by both readers', () => {
    const { claim, figure, entity } = corpus();
    const linked = withRelations(figure, [
      rel('supports', entity.id, 'bob', '2026-11-24T00:00:00.000Z'),
      rel('contradicts', claim.id),
      rel('supports', claim.id),
    ]);
    const text = serializeSidecar(DOC, [claim, linked, entity]);
    const record = text.slice(text.indexOf(`  - id: ${yamlScalar(linked.id)}`));
    const lines = record.split('\n').slice(0, 15);
    const sorted = [claim.id, entity.id].sort();
    assert.deepEqual(lines.slice(0, 15), [
      `  - id: ${yamlScalar(linked.id)}`,
      '    relations:',
      '      - type: contradicts',
      `        to: ${yamlScalar(claim.id)}`,
      '        author: ana',
      `        created: "${STAMP}"`,
      '      - type: supports',
      `        to: ${yamlScalar(sorted[0])}`,
      `        author: ${sorted[0] === claim.id ? 'ana' : 'bob'}`,
      `        created: "${sorted[0] === claim.id ? STAMP : '2026-11-24T00:00:00.000Z'}"`,
      '      - type: supports',
      `        to: ${yamlScalar(sorted[1])}`,
      `        author: ${sorted[1] === claim.id ? 'ana' : 'bob'}`,
      `        created: "${sorted[1] === claim.id ? STAMP : '2026-11-24T00:00:00.000Z'}"`,
      '    kind: figure',
    ]);
    const fast = parseCanonicalSidecar(text, FILE);
    assert.ok(fast, 'the fast reader takes it');
    assert.deepEqual(parseSidecar(text, FILE, { fastPath: false }), fast);
    assert.deepEqual(
      fast.find((a) => a.id === linked.id)?.relations?.map((r) => r.type),
      ['contradicts', 'supports', 'supports'],
    );
    assert.equal(fast.find((a) => a.id === claim.id)?.relations, undefined, 'no relations key without relations');
  });

  it('linking changes no line of the sidecar but the relation lines it adds (nothing an edit or a re-anchoring touches)', () => {
    const { claim, figure, entity } = corpus();
    const before = serializeSidecar(DOC, [claim, withRelations(figure, undefined), entity]).split('\n');
    const after = serializeSidecar(DOC, [claim, withRelations(figure, [rel('supports', claim.id)]), entity]).split('\n');
    const at = after.indexOf('    relations:');
    assert.equal(after[at - 1], `  - id: ${yamlScalar(figure.id)}`, 'right after the id');
    assert.equal(after[at + 5], '    kind: figure', 'and before the kind');
    assert.deepEqual([...after.slice(0, at), ...after.slice(at + 5)], before, 'the rest is unchanged');
  });

  it('reads hand-written relations in any order and key order, and refuses a relation to itself or one given twice, at its line', () => {
    const { claim, figure } = corpus();
    const canonical = serializeSidecar(DOC, [claim, withRelations(figure, [rel('supports', claim.id), rel('contradicts', claim.id)])]);
    const hand = canonical.replace(
      /    relations:\n(?:.*\n){8}/,
      `    relations:\n      - { to: ${claim.id}, type: supports, created: "${STAMP}", author: ana }\n      - { type: contradicts, author: ana, to: ${claim.id}, created: "${STAMP}" }\n`,
    );
    assert.notEqual(hand, canonical);
    assert.equal(parseCanonicalSidecar(hand, FILE), undefined, 'not canonical');
    assert.deepEqual(parseSidecar(hand, FILE), parseSidecar(canonical, FILE));
    const self = hand.replace(`{ to: ${claim.id}, type: supports`, `{ to: ${figure.id}, type: supports`);
    assert.throws(
      () => parseSidecar(self, FILE),
      (e: unknown) =>
        e instanceof SidecarError && e.line === hand.split('\n').findIndex((l) => l.includes('type: supports')) + 1 && /linked to itself/.test(e.message),
    );
    const twice = hand.replace('type: contradicts', 'type: supports');
    assert.throws(
      () => parseSidecar(twice, FILE),
      (e: unknown) => e instanceof SidecarError && e.line !== undefined && /has the relation supports to .* twice/.test(e.message),
    );
    assert.throws(
      () => parseSidecar(hand.replace(`to: ${claim.id}, type: supports`, 'to: nobody, type: supports'), FILE),
      (e: unknown) => e instanceof SidecarError && /the id of an annotation: a ULID/.test(e.message),
    );
    assert.throws(() => serializeSidecar(DOC, [withRelations(figure, [rel('supports', figure.id)])]), /linked to itself/);
  });
});

describe('relation index and checks', () => {
  it('indexes both directions with both ends resolved, across documents; listRelations lists them all, sorted, for other formats', () => {
    const { claim, figure, entity, far, docs } = corpus();
    docs.set(DOC, [claim, figure, withRelations(entity, [rel('supports', far.id), rel('supports', claim.id)])]);
    const index = new RelationIndex(docs, defaultCodebook());
    assert.deepEqual(
      index.outgoing(entity.id).map((r) => [r.type, r.to?.doc, r.to?.annotation.id, r.definition?.name]),
      [
        ['supports', DOC, claim.id, 'supports'],
        ['supports', OTHER, far.id, 'supports'],
      ].sort((a, b) => (String(a[2]) < String(b[2]) ? -1 : 1)),
    );
    assert.deepEqual(
      index
        .incoming(claim.id)
        .map((r) => r.from.annotation.id)
        .sort(),
      [figure.id, entity.id].sort(),
    );
    assert.equal(index.count(claim.id), 2);
    assert.equal(index.count(far.id), 1);
    const listed = listRelations(docs, defaultCodebook());
    assert.deepEqual(
      listed.map((r) => [r.from.annotation.id, r.type, r.toId]),
      [[figure.id, 'supports', claim.id], ...[claim.id, far.id].sort().map((to) => [entity.id, 'supports', to])],
      'by start document and offset, then type and target',
    );
    assert.ok(listed.every((r) => r.to !== undefined && r.from.doc === DOC));
  });

  it('reports a relation to an annotation that is gone, an unknown type, ends the type does not allow and a symmetric relation stored twice; it never drops one', () => {
    const { claim, figure, entity, far, docs } = corpus();
    const gone = '01JD0000000000000000000GNE';
    docs.set(DOC, [
      withRelations(claim, [rel('same-as', far.id)]),
      withRelations(figure, [rel('supports', claim.id), rel('supports', gone), rel('cites', claim.id)]),
      withRelations(entity, [rel('quotes', claim.id)]),
    ]);
    docs.set(OTHER, [withRelations(far, [rel('same-as', claim.id)])]);
    const problems = relationProblems(new RelationIndex(docs, defaultCodebook()));
    // In the index's order: corpus/other.txt first, so the claim's same-as is the second record of that link.
    assert.deepEqual(
      problems.map((p) => [p.code, p.relation.from.annotation.id, p.relation.type, p.relation.toId]),
      [
        ['duplicate', claim.id, 'same-as', far.id],
        ['unknown-type', figure.id, 'cites', claim.id],
        ['missing-target', figure.id, 'supports', gone],
        ['kind-not-allowed', entity.id, 'quotes', claim.id],
      ],
    );
    assert.match(problems[0].message, /already linked to it the other way \(same-as is symmetric\)/);
    const missing = problems.find((p) => p.code === 'missing-target')!;
    assert.match(
      missing.message,
      new RegExp(`${DOC}: the figure ${figure.id} \\(“3\\.2 percent”\\) supports ${gone}, an annotation that is no longer in this workspace folder`),
    );
    assert.match(missing.message, new RegExp(`marginalia unlink ${figure.id} supports ${gone}`));
    assert.match(problems.find((p) => p.code === 'kind-not-allowed')!.message, /allows quotes only from claim to claim/);
    assert.match(problems.find((p) => p.code === 'unknown-type')!.message, /does not define \(types: supports, contradicts, same-as, quotes\)/);
  });

  it('checkNewRelation allows what the codebook allows and refuses the rest, saying what to do', () => {
    const { claim, figure, entity, docs } = corpus();
    const index = new RelationIndex(docs, defaultCodebook());
    assert.equal(checkNewRelation(index, entity, 'supports', claim).name, 'supports');
    const refused: [Annotation, string, Annotation, RegExp][] = [
      [entity, 'cites', claim, /defines no relation type "cites" \(types: supports, contradicts, same-as, quotes\)/],
      [claim, 'supports', claim, /cannot be linked to itself/],
      [figure, 'quotes', claim, /a figure cannot start a "quotes" relation .*a figure can start: supports, contradicts, same-as/],
      [claim, 'supports', figure, /"supports" cannot link a claim to a figure: from a claim it goes to claim/],
      [figure, 'supports', claim, /already supports/],
    ];
    for (const [from, type, to, why] of refused)
      assert.throws(
        () => checkNewRelation(index, from, type, to),
        (e: unknown) => e instanceof RelationError && why.test(e.message),
        String(why),
      );
    const linked = new RelationIndex(new Map([[DOC, [withRelations(claim, [rel('same-as', entity.id)]), entity]]]), defaultCodebook());
    assert.throws(() => checkNewRelation(linked, entity, 'same-as', claim), /already same as .* \(same-as is symmetric\)/);
  });

  it('gives every relation a stable UUID from its ends and type', () => {
    const a = relationGuid('01JD0000000000000000000001', 'supports', '01JD0000000000000000000002');
    assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(relationGuid('01JD0000000000000000000001', 'supports', '01JD0000000000000000000002'), a);
    assert.notEqual(relationGuid('01JD0000000000000000000002', 'supports', '01JD0000000000000000000001'), a);
    assert.notEqual(relationGuid('01JD0000000000000000000001', 'contradicts', '01JD0000000000000000000002'), a);
  });
});

describe('linking and unlinking through the store and the folder', () => {
  it('links and unlinks under the lock, on the version stored now, keeping what another writer saved meanwhile', async () => {
    const { claim, figure, entity } = corpus();
    const fs = new MemoryFs({ [DOC]: TEXT });
    const store = new AnnotationStore(fs);
    await store.update(DOC, { upsert: [claim, withRelations(figure, undefined), entity] });
    const other = new AnnotationStore(fs);
    await other.update(DOC, { upsert: [{ ...figure, relations: undefined, note: 'edited elsewhere' }] });
    const linked = await linkInStore(store, DOC, figure.id, rel('supports', claim.id));
    assert.equal(linked.note, 'edited elsewhere', 'the other writer’s edit is kept');
    assert.deepEqual(linked.relations, [rel('supports', claim.id)]);
    await linkInStore(other, DOC, figure.id, rel('contradicts', claim.id, 'bob'));
    assert.deepEqual(
      (await store.loadDoc(DOC)).find((a) => a.id === figure.id)?.relations?.map((r) => r.type),
      ['contradicts', 'supports'],
    );
    assert.deepEqual(await unlinkInStore(store, DOC, figure.id, 'supports', claim.id), rel('supports', claim.id));
    assert.equal(await unlinkInStore(store, DOC, figure.id, 'supports', claim.id), undefined, 'gone already');
    assert.deepEqual((await store.loadDoc(DOC)).find((a) => a.id === figure.id)?.relations, [rel('contradicts', claim.id, 'bob')]);
    await assert.rejects(linkInStore(store, DOC, '01JD0000000000000000000NNN', rel('supports', claim.id)), /not in/);
  });

  it('the folder changes relations in the sidecar and in the open document alike, and takes up relations another writer saved', async () => {
    const { claim, figure, entity } = corpus();
    const fs = new MemoryFs({ [DOC]: TEXT });
    const changes: (string | undefined)[] = [];
    const folder = new CorpusFolder({
      name: 'corpus',
      fs,
      settings: () => ({ corpus: { include: [...DEFAULT_INCLUDE], exclude: [] }, maxDocumentBytes: 1 << 20 }),
      log: { trace: () => {}, info: () => {}, warn: () => {}, error: () => {} },
      changed: (doc) => changes.push(doc),
      isTrusted: () => true,
    });
    await new AnnotationStore(fs).update(DOC, { upsert: [claim, figure, entity] });
    await folder.load();
    await folder.open(DOC, TEXT);
    // Typing before the figure moves it in the live document; the relation change must not undo that.
    folder.change(DOC, [{ offset: 0, deleteLength: 0, insertText: 'Today: ' }], 'Today: ' + TEXT, true);
    const moved = folder.get(DOC, figure.id)!.target.start;
    assert.equal(moved, figure.target.start + 7);
    assert.equal(folder.relations().count(claim.id), 1);
    await folder.changeRelations(DOC, new Map([[entity.id, (list: Relation[] | undefined) => [...(list ?? []), rel('supports', claim.id)]]]));
    assert.equal(folder.relations().count(claim.id), 2, 'the index follows the change');
    assert.deepEqual(folder.get(DOC, entity.id)?.relations, [rel('supports', claim.id)], 'the live copy has it');
    assert.equal(folder.get(DOC, figure.id)!.target.start, moved, 'live positions are kept');
    assert.deepEqual((await folder.store.loadDoc(DOC)).find((a) => a.id === entity.id)?.relations, [rel('supports', claim.id)], 'and the sidecar');
    // Another writer (the CLI, a git pull) links the claim; the watcher reports the sidecar changed.
    await linkInStore(new AnnotationStore(fs), DOC, claim.id, rel('same-as', entity.id, 'bob'));
    await folder.sidecarChanged(DOC);
    assert.deepEqual(folder.get(DOC, claim.id)?.relations, [rel('same-as', entity.id, 'bob')]);
    assert.equal(folder.get(DOC, figure.id)!.target.start, moved);
    // Removing the links to the claim and putting them back (what deleting it with its links, and undo, do).
    const incoming = relationsTo(folder.relations(), claim.id);
    assert.equal(incoming.length, 2);
    for (const [doc, c] of relationChanges(incoming, false)) await folder.changeRelations(doc, c);
    assert.equal(folder.relations().incoming(claim.id).length, 0);
    for (const [doc, c] of relationChanges(incoming, true)) await folder.changeRelations(doc, c);
    assert.deepEqual(
      folder
        .relations()
        .incoming(claim.id)
        .map((r) => r.from.annotation.id)
        .sort(),
      [figure.id, entity.id].sort(),
    );
    assert.ok(changes.includes(DOC));
  });
});

describe('merging relations', () => {
  const A = '01JD00000000000000000000AA';
  const B = '01JD00000000000000000000BB';
  const C = '01JD00000000000000000000CC';

  it('merges relation lists as sets: both additions kept, a removal on one side wins over no change, the earlier record of one made twice', () => {
    const base = [rel('supports', A)];
    assert.deepEqual(mergeRelations(base, [rel('supports', A), rel('supports', B)], [rel('supports', A), rel('quotes', C)], true), [
      rel('quotes', C),
      rel('supports', A),
      rel('supports', B),
    ]);
    assert.deepEqual(mergeRelations(base, [], [rel('supports', A)], true), undefined, 'removed on one side');
    assert.deepEqual(mergeRelations(undefined, [], [rel('supports', A)], false), [rel('supports', A)], 'without an ancestor nothing is removed');
    const later = rel('supports', B, 'bob', '2026-12-01T00:00:00.000Z');
    assert.deepEqual(mergeRelations(undefined, [later], [rel('supports', B)], false), [rel('supports', B)]);
    assert.deepEqual(mergeRelations(undefined, [rel('supports', B)], [later], false), [rel('supports', B)]);
  });

  function sidecar(list: Annotation[]): string {
    return serializeSidecar(DOC, list);
  }

  it('the merge driver keeps both people’s links to one annotation, drops one unlinked on one side only, and keeps one deleted on one side but linked on the other', () => {
    const { claim, figure, entity } = corpus();
    const base = [claim, figure, entity];
    const ours = [claim, withRelations(figure, [rel('supports', claim.id), rel('contradicts', claim.id)]), entity];
    const theirs = [
      withRelations(claim, [rel('same-as', entity.id, 'bob')]),
      withRelations(figure, [rel('supports', claim.id), rel('same-as', entity.id, 'bob')]),
      entity,
    ];
    const r = mergeSidecarTexts(sidecar(base), sidecar(ours), sidecar(theirs), FILE);
    const by = new Map(r.annotations.map((a) => [a.id, a]));
    assert.deepEqual(
      by.get(figure.id)?.relations?.map((x) => x.type),
      ['contradicts', 'same-as', 'supports'],
    );
    assert.deepEqual(by.get(claim.id)?.relations, [rel('same-as', entity.id, 'bob')]);
    assert.deepEqual(r.report.bothChanged, [figure.id]);
    const unlinked = mergeSidecarTexts(
      sidecar(base),
      sidecar([claim, withRelations(figure, undefined), entity]),
      sidecar([claim, figure, withRelations(entity, [rel('supports', claim.id)])]),
      FILE,
    );
    assert.equal(new Map(unlinked.annotations.map((a) => [a.id, a])).get(figure.id)?.relations, undefined, 'unlinked on one side, untouched on the other');
    const deleted = mergeSidecarTexts(
      sidecar(base),
      sidecar([claim, figure]),
      sidecar([claim, figure, withRelations(entity, [rel('supports', claim.id)])]),
      FILE,
    );
    assert.deepEqual(deleted.report.keptDespiteDelete, [entity.id], 'linking is an edit: deleting it on the other side does not lose it unseen');
    const union = mergeAnnotationSets(
      [withRelations(figure, [rel('quotes', claim.id)])],
      [{ ...figure, note: 'later', provenance: { ...figure.provenance, modified: '2027-01-01T00:00:00.000Z' } }],
    );
    assert.equal(union[0].note, 'later');
    assert.deepEqual(union[0].relations, [rel('quotes', claim.id), rel('supports', claim.id)]);
  });

  it('property: every relation either side added is kept, one removed on one side and untouched on the other is removed, and the merge is symmetric', () => {
    const ids = Array.from({ length: 6 }, (_, i) => `01JD000000000000000000000${i}`);
    const text = 'x'.repeat(100);
    const ann = (i: number, relations?: Relation[]): Annotation =>
      withRelations(
        {
          id: ids[i],
          kind: 'claim',
          doc: DOC,
          target: { start: i * 10, end: i * 10 + 5, quote: { exact: 'xxxxx', prefix: '', suffix: '' } },
          note: '',
          attributes: {},
          provenance: { author: 'ana', created: STAMP, modified: STAMP, tool: 'marginalia 0.1.0', docHash: contentHash(text) },
          anchor: { status: 'anchored' },
        },
        relations,
      );
    const relArb = fc.record({ from: fc.nat({ max: 5 }), to: fc.nat({ max: 5 }), type: fc.constantFrom('supports', 'quotes') }).filter((x) => x.from !== x.to);
    const side = fc.record({ add: fc.array(relArb, { maxLength: 4 }), remove: fc.array(fc.nat({ max: 20 }), { maxLength: 3 }) });
    fc.assert(
      fc.property(fc.array(relArb, { maxLength: 5 }), side, side, fc.boolean(), (baseRels, o, t, withBase) => {
        const key = (x: { from: number; to: number; type: string }): string => `${x.from} ${x.type} ${x.to}`;
        const baseSet = new Map(baseRels.map((x) => [key(x), x]));
        const apply = (s: { add: typeof baseRels; remove: number[] }): Map<string, (typeof baseRels)[number]> => {
          const out = new Map(baseSet);
          const keys = [...baseSet.keys()];
          for (const i of s.remove) if (keys.length > 0) out.delete(keys[i % keys.length]);
          for (const x of s.add) out.set(key(x), x);
          return out;
        };
        const build = (set: Map<string, (typeof baseRels)[number]>): Annotation[] =>
          ids.map((_, i) =>
            ann(
              i,
              [...set.values()].filter((x) => x.from === i).map((x) => rel(x.type, ids[x.to])),
            ),
          );
        const os = apply(o);
        const ts = apply(t);
        const b = withBase ? sidecar(build(baseSet)) : undefined;
        const r = mergeSidecarTexts(b, sidecar(build(os)), sidecar(build(ts)), FILE);
        assert.equal(r.text, mergeSidecarTexts(b, sidecar(build(ts)), sidecar(build(os)), FILE).text, 'symmetric');
        const merged = new Set(r.annotations.flatMap((a) => (a.relations ?? []).map((x) => `${ids.indexOf(a.id)} ${x.type} ${ids.indexOf(x.to)}`)));
        for (const k of [...os.keys(), ...ts.keys()]) if (!baseSet.has(k) || !withBase) assert.ok(merged.has(k), `added ${k} is kept`);
        if (withBase) {
          for (const k of baseSet.keys()) {
            const inO = os.has(k);
            const inT = ts.has(k);
            if (!inO || !inT) assert.ok(!merged.has(k), `${k} removed on one side is removed`);
            else assert.ok(merged.has(k), `${k} kept on both sides is kept`);
          }
        }
        for (const k of merged) assert.ok(os.has(k) || ts.has(k), 'nothing appears that neither side has');
      }),
      { seed: 20261205, numRuns: 300 },
    );
  });
});
