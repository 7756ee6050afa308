// Issue 10, data loss, the core half: each case as its own test on real temporary folders through the real
// AnnotationStore and NodeWorkspaceFs (the CLI half is in test/cli/faults.test.ts, the git merge cases in
// test/unit/store/gitMerge.test.ts).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { newId, type Annotation } from '../../src/core/model';
import { AnnotationStore, MAX_SIDECAR_BYTES, SidecarError, checkDocument, writeCheck } from '../../src/core/store';
import { NodeWorkspaceFs } from '../../src/node';
import { annotateInStore as annotate, edited } from '../support/annotations';

const DOC = 'corpus/doc.txt';
const SIDECAR = `.marginalia/annotations/${DOC}.yaml`;

function workspace(files: Record<string, string>): { root: string; store: AnnotationStore } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'marginalia-dataloss-'));
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), content);
  }
  return { root, store: new AnnotationStore(new NodeWorkspaceFs(root)) };
}

describe('issue 10: data loss (core)', () => {
  it('check --write of a stale view keeps a note edited meanwhile and an annotation deleted meanwhile stays deleted', async () => {
    const text = 'alpha beta gamma delta epsilon zeta eta theta\n';
    const { root, store } = workspace({ [DOC]: text });
    const a = await annotate(store, DOC, 0, 5);
    const b = await annotate(store, DOC, 6, 10);
    const c = await annotate(store, DOC, 11, 16);
    const d = await annotate(store, DOC, 17, 22);
    // The check reads everything, the document changed on disk, and re-anchors...
    const stale = await store.loadDoc(DOC);
    const changedText = 'A new first line.\n' + text;
    fs.writeFileSync(path.join(root, DOC), changedText);
    const check = await checkDocument(store, DOC, stale, changedText);
    assert.equal(check.changed.length, 4);
    // ...while someone edits a note, deletes one annotation and re-anchors another by hand.
    const other = new AnnotationStore(new NodeWorkspaceFs(root));
    const noteEdit = edited(a, { note: 'edited while the check ran' });
    const moved = { ...d, target: { ...d.target, start: 36, end: 41 }, anchor: { status: 'reanchored' as const, method: 'quote' as const } };
    await other.update(DOC, { upsert: [noteEdit, moved], remove: [b.id] });
    assert.equal(await writeCheck(store, check, changedText), 4);
    const after = await store.loadDoc(DOC);
    assert.deepEqual(
      after.map((x) => x.id),
      [a.id, c.id, d.id],
      'the deleted annotation does not come back',
    );
    const shift = 'A new first line.\n'.length;
    assert.equal(after[0].note, 'edited while the check ran', 'the note edited meanwhile is kept');
    assert.equal(after[0].provenance.modified, noteEdit.provenance.modified);
    assert.equal(after[0].target.start, a.target.start + shift, 'and it takes the new position');
    assert.equal(after[1].target.start, c.target.start + shift);
    assert.equal(after[1].anchor.status, 'reanchored');
    assert.deepEqual(after[2], moved, 'an annotation re-anchored by someone else meanwhile keeps theirs');
  });

  it('a save that would make a sidecar larger than the reader accepts is refused before writing, and the annotations stay loadable', async () => {
    const text = 'x'.repeat(30_000) + '\n';
    const { root, store } = workspace({ [DOC]: text });
    const first = await annotate(store, DOC, 0, 30_000);
    const copies = (n: number): Annotation[] => Array.from({ length: n }, () => ({ ...first, id: newId() }));
    await store.update(DOC, { upsert: copies(500) });
    const before = fs.readFileSync(path.join(root, SIDECAR));
    assert.ok(before.length < MAX_SIDECAR_BYTES);
    await assert.rejects(
      store.update(DOC, { upsert: copies(300) }),
      (e: unknown) =>
        e instanceof SidecarError &&
        e.code === 'too-large' &&
        e.file === SIDECAR &&
        /over the 20\.0 MB limit Marginalia reads, so nothing was saved/.test(e.message),
    );
    assert.ok(fs.readFileSync(path.join(root, SIDECAR)).equals(before), 'the sidecar is untouched');
    assert.equal((await store.loadDoc(DOC)).length, 501, 'every annotation saved before still loads');
  });
});
