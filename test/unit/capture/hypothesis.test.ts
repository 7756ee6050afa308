import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  addSource,
  applyHypothesisImport,
  captureSource,
  describeHypothesisImport,
  parseHypothesis,
  planHypothesisImport,
  sameUrl,
} from '../../../src/core/capture';
import { AnnotationStore, CODEBOOK_PATH } from '../../../src/core/store';
import { UserError } from '../../../src/core/model';
import { MemoryFs } from '../../support/memoryFs';

const FIXTURES = path.join(__dirname, '../../../../test/fixtures/capture');
const NOW = new Date('2026-01-02T03:04:05.000Z');

async function workspace(files: Record<string, string> = {}): Promise<{ store: AnnotationStore; doc: string; text: string }> {
  const mem = new MemoryFs({ 'plain.txt': 'Not a captured source.\n', ...files });
  const bytes = new Uint8Array(fs.readFileSync(path.join(FIXTURES, 'article.html')));
  const captured = await captureSource({ bytes, name: 'article.html' }, { retrieved: NOW.toISOString() });
  const { doc } = await addSource(mem, captured, bytes, 'sources');
  return { store: new AnnotationStore(mem), doc, text: captured.document };
}

const rows = (): ReturnType<typeof parseHypothesis> => parseHypothesis(fs.readFileSync(path.join(FIXTURES, 'hypothesis.json'), 'utf8'), 'hypothesis.json');

describe('Hypothesis import', () => {
  it('anchors annotations by quote on the source whose url matches, and lists the ones it could not anchor', async () => {
    const { store, doc, text } = await workspace();
    const plan = await planHypothesisImport(store, [doc, 'plain.txt'], rows(), { now: NOW, author: 'me' });
    assert.equal(plan.anchored, 3);
    assert.equal(plan.defaultKind, 'claim', 'the built-in codebook has no note kind: claim');
    assert.deepEqual(
      plan.unanchored.map((u) => [u.id, u.reason]),
      [
        ['hyp-comment-4', `the quote is not in ${doc}`],
        ['hyp-pagenote-5', 'a page note: it quotes no passage'],
        ['hyp-elsewhere-6', 'no captured source has this url (add it with Add Source first)'],
      ],
    );
    assert.equal(plan.documents.length, 1);
    const [a, b, c] = plan.documents[0].add;
    assert.equal(text.slice(a.target.start, a.target.end), 'rose from 1.2 million tonnes to 2.5 million tonnes');
    assert.equal(a.kind, 'claim', 'the tag "Claim" names a kind');
    assert.equal(a.note, "Check against the port's statistics.\n\nHypothesis tags: port");
    assert.equal(a.provenance.author, 'mara@hypothes.is');
    assert.equal(a.provenance.created, '2024-03-02T10:00:00.000Z');
    assert.equal(a.provenance.modified, '2024-03-02T10:05:00.000Z');
    assert.equal(text.slice(b.target.start, b.target.end), 'the dredging cost 48 million euros, twice the first estimate');
    assert.equal(b.kind, 'claim');
    assert.equal(c.kind, 'entity');
    assert.match(
      text.slice(c.target.start, c.target.end),
      /^Harbour master Ilse Brandt called it "the largest change to the port since the breakwater was built/,
      'curly quotes found approximately',
    );
    assert.deepEqual(describeHypothesisImport(plan).slice(0, 2), [
      `3 of 6 Hypothesis annotations anchored in ${doc} (kind claim unless a tag names a kind)`,
      `not anchored: hyp-comment-4 https://ledger.example/news/harbour-dredging "Great news for the town, finally some jobs!": the quote is not in ${doc}`,
    ]);

    await applyHypothesisImport(store, plan);
    const stored = await store.loadDoc(doc);
    assert.equal(stored.length, 3);
    const again = await planHypothesisImport(store, [doc], rows(), { now: NOW, author: 'me' });
    assert.equal(again.anchored, 0, 'importing the same file twice adds nothing');
    assert.equal(again.duplicates, 3);
  });

  it('takes a note kind of the codebook as the default, or the kind asked for', async () => {
    const codebook = 'version: 1\nkinds:\n  - name: claim\n    colour: "#f2c94c"\n  - name: note\n    colour: "#bb6bd9"\n';
    const { store, doc } = await workspace({ [CODEBOOK_PATH]: codebook });
    const plan = await planHypothesisImport(store, [doc], rows(), { now: NOW, author: 'me' });
    assert.equal(plan.defaultKind, 'note');
    const added = plan.documents[0].add;
    assert.deepEqual(
      added.map((a) => a.kind),
      ['claim', 'note', 'note'],
    );
    assert.equal(added[2].note, 'Hypothesis tags: entity', '"entity" is no kind of this codebook: the tag is kept in the note');
    const asked = await planHypothesisImport(store, [doc], rows(), { now: NOW, author: 'me', kind: 'claim' });
    assert.equal(asked.defaultKind, 'claim');
    await assert.rejects(planHypothesisImport(store, [doc], rows(), { now: NOW, author: 'me', kind: 'nope' }), /unknown kind "nope"/);
  });

  it('refuses files that are not Hypothesis exports, naming them', () => {
    assert.throws(
      () => parseHypothesis('{', 'x.json'),
      (e: Error) => e instanceof UserError && /x\.json is not JSON/.test(e.message),
    );
    assert.throws(() => parseHypothesis('{"a":1}', 'x.json'), /x\.json holds no Hypothesis annotations/);
    assert.throws(() => parseHypothesis('[{"text":"no uri"}]', 'x.json'), /annotation #1 has no "uri"/);
    assert.equal(parseHypothesis('[]', 'x.json').length, 0);
  });

  it('compares urls without fragment, trailing slash or case of the host', () => {
    assert.equal(sameUrl('https://Ledger.Example/a/#x'), sameUrl('https://ledger.example/a'));
    assert.notEqual(sameUrl('https://ledger.example/a?p=1'), sameUrl('https://ledger.example/a'));
  });
});
