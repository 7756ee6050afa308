// Issue 10, data loss, through the real CLI process: each case as its own test on a temporary copy of the sample
// corpus (the core half is test/unit/dataLoss.test.ts, the git merge cases test/unit/store/gitMerge.test.ts).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { cli, spanOf, tempWorkspace } from './cliHarness';
import { newId, type Annotation } from '../../src/core/model';
import { AnnotationStore, MAX_SIDECAR_BYTES } from '../../src/core/store';
import { NodeWorkspaceFs } from '../../src/node';
import { edited } from '../support/annotations';

const DOC = 'corpus/000_66ca398fea36cc01.txt';
const OTHER = 'corpus/001_7b613edff552618b.txt';
const RENAMED = 'corpus/renamed.txt';
const sidecarOf = (doc: string): string => `.marginalia/annotations/${doc}.yaml`;

function addOk(ws: string, doc: string, quote: string, ...extra: string[]): Annotation {
  const s = spanOf(ws, doc, quote);
  const r = cli(ws, 'add', doc, '--kind', 'claim', '--start', String(s.start), '--end', String(s.end), '--json', ...extra);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Annotation;
}

function listed(ws: string): { id: string; doc: string; note: string }[] {
  const r = cli(ws, 'list', '--json');
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** The whole tree under `dir` (relative path to bytes), to show a refused command wrote nothing. */
function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.set(path.relative(dir, path.join(e.parentPath, e.name)), fs.readFileSync(path.join(e.parentPath, e.name)).toString('base64'));
  }
  return out;
}

/** Sets the note (and a later `modified`) of one annotation in a YAML export's text. */
function editExported(yamlText: string, id: string, note: string, modified: string): string {
  const value = parse(yamlText) as { documents: { annotations: { id: string; note?: string; provenance?: { modified: string }; modified?: string }[] }[] };
  let found = false;
  const lines = yamlText.split('\n');
  // Edited as text, so the rest of the file stays exactly as exported.
  const at = lines.findIndex((l) => l.includes(id));
  assert.ok(at >= 0 && value.documents.some((d) => d.annotations.some((a) => a.id === id)));
  for (let i = at + 1; i < lines.length && !/^\s*- id:/.test(lines[i]); i++) {
    if (/^\s+note:/.test(lines[i])) {
      lines[i] = lines[i].replace(/note:.*/, `note: ${JSON.stringify(note)}`);
      found = true;
    }
    if (/^\s+modified:/.test(lines[i])) lines[i] = lines[i].replace(/modified:.*/, `modified: "${modified}"`);
  }
  assert.ok(found, 'the note line was found');
  return lines.join('\n');
}

describe('issue 10: data loss (CLI)', () => {
  it('import merges by modified: a newer note here is kept, a newer note in the file replaces the older one, and the summary says which', () => {
    const ws = tempWorkspace();
    const a = addOk(ws, DOC, 'Vladimir Putin', '--note', 'first');
    const b = addOk(ws, DOC, 'stated', '--note', 'first');
    const out = path.join(ws, '..', path.basename(ws) + '-backup.yaml');
    assert.equal(cli(ws, 'export', '--out', out).code, 0);
    // Since the backup: a's note was edited here; the backup gets a later edit of b (made elsewhere).
    const store = new AnnotationStore(new NodeWorkspaceFs(ws));
    const later = new Date(Date.now() + 60_000).toISOString();
    return (async () => {
      const [storedA] = (await store.loadDoc(DOC)).filter((x) => x.id === a.id);
      await store.update(DOC, { upsert: [edited(storedA, { note: 'edited here after the backup', modified: later })] });
      const muchLater = new Date(Date.now() + 120_000).toISOString();
      fs.writeFileSync(out, editExported(fs.readFileSync(out, 'utf8'), b.id, 'edited in the backup, later', muchLater));
      const r = cli(ws, 'import', out);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /imported 2 annotations of 1 document from .*: 0 added, 1 replaced by the newer imported version, 1 kept as stored here/);
      assert.match(r.stdout, new RegExp(`${DOC}: 0 added, 1 replaced by the newer imported version, 1 kept as stored here`));
      const notes = new Map(listed(ws).map((x) => [x.id, x.note]));
      assert.equal(notes.get(a.id), 'edited here after the backup', 'the newer edit here is not reverted');
      assert.equal(notes.get(b.id), 'edited in the backup, later', 'the newer edit in the file is taken');
      // Importing the same file again changes nothing.
      const again = cli(ws, 'import', out);
      assert.match(again.stdout, /0 added, 0 replaced by the newer imported version, 2 kept as stored here/);
    })();
  });

  it('a backup made before a rename imports into the renamed document: one id in one document, and every export works', () => {
    const ws = tempWorkspace();
    const a = addOk(ws, DOC, 'Vladimir Putin');
    const backup = path.join(ws, '..', path.basename(ws) + '-before-rename.yaml');
    assert.equal(cli(ws, 'export', '--out', backup).code, 0);
    fs.renameSync(path.join(ws, DOC), path.join(ws, RENAMED));
    const moved = cli(ws, 'check', '--write');
    assert.equal(moved.code, 0, moved.stderr);
    const r = cli(ws, 'import', backup);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`${RENAMED} \\(renamed from ${DOC}: its annotations live there now\\)`));
    assert.equal(fs.existsSync(path.join(ws, sidecarOf(DOC))), false, 'nothing is written under the old name');
    assert.deepEqual(
      listed(ws).map((x) => [x.id, x.doc]),
      [[a.id, RENAMED]],
    );
    for (const format of ['w3c', 'csv', 'yaml']) {
      const e = cli(ws, 'export', '--format', format);
      assert.equal(e.code, 0, `${format}: ${e.stderr}`);
    }
    const yamlOut = path.join(ws, '..', path.basename(ws) + '-after.yaml');
    assert.equal(cli(ws, 'export', '--out', yamlOut).code, 0);
    assert.equal(cli(ws, 'import', yamlOut).code, 0, 'the new export imports back');
  });

  it('a backup imported into a fresh copy where the document was renamed follows it by content hash', () => {
    const ws = tempWorkspace();
    const a = addOk(ws, DOC, 'Vladimir Putin');
    const backup = path.join(ws, '..', path.basename(ws) + '-fresh.yaml');
    assert.equal(cli(ws, 'export', '--out', backup).code, 0);
    const fresh = tempWorkspace();
    fs.renameSync(path.join(fresh, DOC), path.join(fresh, RENAMED));
    const r = cli(fresh, 'import', backup);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`${RENAMED} \\(renamed from ${DOC}: the same text\\)`));
    assert.deepEqual(
      listed(fresh).map((x) => [x.id, x.doc]),
      [[a.id, RENAMED]],
    );
  });

  it('an import whose ids live in two documents here is refused before anything is written', async () => {
    const ws = tempWorkspace();
    const a = addOk(ws, DOC, 'Vladimir Putin');
    const b = addOk(ws, DOC, 'stated');
    const backup = path.join(ws, '..', path.basename(ws) + '-split.yaml');
    assert.equal(cli(ws, 'export', '--out', backup).code, 0);
    // b is moved by hand to another document's sidecar (its id now lives there).
    const store = new AnnotationStore(new NodeWorkspaceFs(ws));
    const [storedB] = (await store.loadDoc(DOC)).filter((x) => x.id === b.id);
    await store.update(DOC, { remove: [b.id] });
    await store.update(OTHER, { upsert: [{ ...storedB, doc: OTHER }] });
    const before = tree(path.join(ws, '.marginalia'));
    const r = cli(ws, 'import', backup);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      new RegExp(
        `the annotations of ${DOC} in the import live in ${DOC} and ${OTHER} here; an annotation id is unique in the workspace, so nothing was imported`,
      ),
    );
    assert.deepEqual(tree(path.join(ws, '.marginalia')), before, 'nothing written');
    assert.ok(a.id);
  });

  it('add and import that would make a sidecar larger than the reader accepts are refused, and the annotations already there still list', async () => {
    const ws = tempWorkspace();
    // A document of 1.2 MB; one whole-document annotation is ~1.2 MB of sidecar.
    const big = 'corpus/big.txt';
    fs.writeFileSync(path.join(ws, big), 'Lorem ipsum dolor sit amet. '.repeat(45_000) + '\n');
    const first = addOk(ws, big, 'Lorem ipsum dolor sit amet. Lorem');
    const store = new AnnotationStore(new NodeWorkspaceFs(ws));
    const [stored] = await store.loadDoc(big);
    const whole = {
      ...stored,
      target: { ...stored.target, start: 0, end: 1_260_000, quote: { exact: 'Lorem ipsum dolor sit amet. '.repeat(45_000), prefix: '', suffix: '\n' } },
    };
    await store.update(big, { upsert: Array.from({ length: 16 }, () => ({ ...whole, id: newId() })) });
    const file = path.join(ws, sidecarOf(big));
    const before = fs.readFileSync(file);
    assert.ok(before.length < MAX_SIDECAR_BYTES && before.length > MAX_SIDECAR_BYTES - 1_260_000, `${before.length} bytes`);
    const r = cli(ws, 'add', big, '--kind', 'claim', '--start', '0', '--end', '1260000');
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /big\.txt\.yaml: saving would make the sidecar 2\d\.\d MB, over the 20\.0 MB limit Marginalia reads, so nothing was saved/);
    assert.ok(fs.readFileSync(file).equals(before), 'the sidecar is untouched');
    const rows = cli(ws, 'list', big); // text rows: quotes clipped, so the output stays small
    assert.equal(rows.code, 0, rows.stderr);
    assert.equal(rows.stdout.trim().split('\n').length, 17, 'every annotation there still lists');
    // An import adding more is refused as a whole, before writing.
    const backup = path.join(ws, '..', path.basename(ws) + '-big.yaml');
    assert.equal(cli(ws, 'export', big, '--out', backup).code, 0);
    let text = fs.readFileSync(backup, 'utf8');
    for (const x of await store.loadDoc(big)) text = text.split(x.id).join(newId()); // the same annotations again, as new ones
    assert.ok(!text.includes(first.id));
    fs.writeFileSync(backup, text);
    const imp = cli(ws, 'import', backup);
    assert.equal(imp.code, 2);
    assert.match(imp.stderr, /over the 20\.0 MB limit Marginalia reads, so nothing was saved.*nothing was imported/);
    assert.ok(fs.readFileSync(file).equals(before), 'the sidecar is untouched by the import');
  });

  describe('export --out inside the workspace', () => {
    for (const [format, target, why] of [
      ['csv', sidecarOf(DOC), /is the sidecar of/],
      ['yaml', DOC, /is a document of the corpus/],
      ['w3c', '.marginalia/codebook.yaml', /is inside \.marginalia/],
      ['brat', '.', /corpus\/000_66ca398fea36cc01\.txt is a document of the corpus/],
      ['brat', 'corpus/..', /is a document of the corpus/],
    ] as const) {
      it(`refuses ${format} to ${target}, writing nothing`, () => {
        const ws = tempWorkspace();
        addOk(ws, DOC, 'Vladimir Putin');
        const before = tree(ws);
        const r = cli(ws, 'export', '--format', format, '--out', target);
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, /refusing to export there: /);
        assert.match(r.stderr, why);
        assert.deepEqual(tree(ws), before, 'nothing written');
      });
    }
    it('still writes an export elsewhere in the workspace, and a snapshot path through a symbolic link is refused', () => {
      const ws = tempWorkspace();
      addOk(ws, DOC, 'Vladimir Putin');
      assert.equal(cli(ws, 'export', '--format', 'csv', '--out', 'exports/all.csv').code, 0);
      assert.ok(fs.existsSync(path.join(ws, 'exports', 'all.csv')));
      fs.symlinkSync(path.join(ws, '.marginalia'), path.join(ws, 'store-link'));
      const snapshot = fs
        .readdirSync(path.join(ws, '.marginalia', 'snapshots'), { recursive: true })
        .map(String)
        .find((n) => n.endsWith('.txt'));
      const r = cli(ws, 'export', '--format', 'yaml', '--out', `store-link/snapshots/${snapshot}`);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /is inside \.marginalia/);
    });
  });
});
