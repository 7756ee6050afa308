// Sidecars are designed so that git merges people's work line by line. These tests run real git merges of sidecars
// written through the store, and pin down which concurrent changes merge cleanly and which still conflict.
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { newId } from '../../../src/core/model';
import type { Annotation } from '../../../src/core/model';
import { NodeWorkspaceFs } from '../../../src/node';
import { resolveConflictMarkers, wholeFileConflict } from '../../../src/core/store';
import { SidecarError, parseCanonicalSidecar } from '../../../src/core/store';
import { GIT_ATTRIBUTES, gitDriverCommand } from '../../../src/cli/main';
import { AnnotationStore, linkInStore } from '../../../src/core/store';
import { contentHash } from '../../../src/core/model';
import { annotation, edited as edit, moved, type AnnotationSpec } from '../../support/annotations';

const DOC = 'corpus/report.txt';
const SIDECAR = `.marginalia/annotations/${DOC}.yaml`;
const TEXT = [
  'Officials said on Tuesday that inflation fell to 3.2 percent in October.',
  'The finance minister, Jane Doe, called the figure encouraging.',
  'Unemployment stayed at 4.1 percent, according to the statistics office.',
  'In Lyon, factory orders rose for the third month in a row.',
  'The central bank in Frankfurt kept its main rate at 4 percent.',
  'Critics, including the opposition leader, said wages still lag prices.',
  'Energy costs were 12 percent lower than a year earlier.',
  'The government expects growth of 0.8 percent next year.',
  'A spokesperson for the employers federation welcomed the news.',
  'Analysts at two banks warned that the outlook remains uncertain.',
  '',
].join('\n');

// Git as the test needs it, and nothing from the machine's or user's configuration.
const GIT_ENV = { ...process.env, GIT_CONFIG_GLOBAL: os.devNull, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' };
const GIT_CONFIG = ['-c', 'user.name=Marginalia Test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false', '-c', 'core.autocrlf=false'];

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', [...GIT_CONFIG, ...args], { cwd: dir, env: GIT_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Merges `branch` into the checked-out branch; true when git finished without conflicts. */
function merge(dir: string, branch: string): boolean {
  const r = spawnSync('git', [...GIT_CONFIG, 'merge', '--no-edit', branch], { cwd: dir, env: GIT_ENV, encoding: 'utf8' });
  return r.status === 0;
}

let clockMs = Date.parse('2026-11-23T10:00:00.000Z');

/** A minute after the previous stamp: every annotation and edit has its own, as when people work in turn. */
function nextMinute(): string {
  clockMs += 60_000;
  return new Date(clockMs).toISOString();
}

/** An annotation on the first occurrence of `phrase`, by `author`, a minute after the previous one. */
function annotate(phrase: string, author: string, extra: AnnotationSpec = {}): Annotation {
  const created = nextMinute();
  return annotation({ id: newId(clockMs), doc: DOC, text: TEXT, phrase, author, created, ...extra });
}

const edited = (a: Annotation, note: string, author: string): Annotation => edit(a, { note, author, modified: nextMinute() });

/** What alice annotated before anyone branched: two figures, a person and two claims. */
function baseAnnotations(): Annotation[] {
  return [
    annotate('inflation fell to 3.2 percent', 'alice', { kind: 'figure', attributes: { value: 3.2, unit: '%' } }),
    annotate('Jane Doe', 'alice', { kind: 'entity', attributes: { type: 'person' } }),
    annotate('factory orders rose', 'alice'),
    annotate('wages still lag prices', 'alice'),
    annotate('growth of 0.8 percent', 'alice', { kind: 'figure' }),
  ];
}

/** Commits `change` on a new branch from main. */
async function onBranch(dir: string, branch: string, change: () => Promise<unknown>): Promise<void> {
  git(dir, 'checkout', '--quiet', '-b', branch, 'main');
  await change();
  git(dir, 'add', '-A');
  git(dir, 'commit', '--quiet', '-m', branch);
}

describe('git merges of sidecars (real git)', function () {
  let root: string;
  let base: Annotation[];
  let count = 0;

  before(function () {
    if (spawnSync('git', ['--version'], { env: GIT_ENV }).status !== 0) throw new Error('these tests need git on the PATH');
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'marginalia-git-'));
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  /** A fresh repository on `main` with the document and a sidecar of five annotations spread through it. */
  async function repo(): Promise<{ dir: string; store: AnnotationStore }> {
    const dir = path.join(root, `repo${count++}`);
    fs.mkdirSync(path.join(dir, 'corpus'), { recursive: true });
    fs.writeFileSync(path.join(dir, DOC), TEXT);
    git(dir, 'init', '--quiet', '--initial-branch=main');
    const store = new AnnotationStore(new NodeWorkspaceFs(dir));
    base = baseAnnotations();
    await store.update(DOC, { upsert: base });
    await store.putSnapshot(TEXT);
    git(dir, 'add', '-A');
    git(dir, 'commit', '--quiet', '-m', 'base');
    return { dir, store };
  }

  async function mergedIds(dir: string, store: AnnotationStore): Promise<string[]> {
    const text = fs.readFileSync(path.join(dir, SIDECAR), 'utf8');
    assert.ok(parseCanonicalSidecar(text, SIDECAR), 'the merged sidecar is still in canonical form');
    return (await store.loadDoc(DOC)).map((a) => a.id);
  }

  it('git status shows none of the temporary or lock files an interrupted save leaves in the store', async () => {
    const { dir, store } = await repo();
    const sidecarDir = path.dirname(path.join(dir, SIDECAR));
    fs.writeFileSync(path.join(sidecarDir, '.report.txt.yaml.4242.0a1b2c3d.tmp'), 'version: 1\n');
    fs.writeFileSync(path.join(sidecarDir, '.notes.txt.yaml.lock'), '{"pid":4242}'); // another document's (this one's would be waited for)
    fs.writeFileSync(path.join(dir, '.marginalia', '.codebook.yaml.k3x9.tmp'), 'half');
    await store.update(DOC, { upsert: [annotate('the statistics office', 'alice')] });
    const status = git(dir, 'status', '--porcelain', '--untracked-files=all').split('\n').filter(Boolean);
    assert.deepEqual(status, [` M ${SIDECAR}`], 'only the real change shows');
    assert.ok(git(dir, 'ls-files', '.marginalia/.gitignore').trim(), "the store's .gitignore was committed with the first sidecar");
  });

  it('merges an annotation added near the start on one branch and one near the end on another', async () => {
    const { dir, store } = await repo();
    const early = annotate('Officials said on Tuesday', 'bob');
    const late = annotate('outlook remains uncertain', 'carol');
    await onBranch(dir, 'bob', () => store.update(DOC, { upsert: [early] }));
    await onBranch(dir, 'carol', () => store.update(DOC, { upsert: [late] }));
    git(dir, 'checkout', '--quiet', 'bob');
    assert.ok(merge(dir, 'carol'), 'git merges without conflict');
    assert.deepEqual(await mergedIds(dir, store), [early.id, ...base.map((a) => a.id), late.id]);
  });

  it('merges annotations added in neighbouring gaps (either side of one existing annotation)', async () => {
    const { dir, store } = await repo();
    const before = annotate('Unemployment stayed at 4.1 percent', 'bob');
    const after = annotate('main rate at 4 percent', 'carol');
    await onBranch(dir, 'bob', () => store.update(DOC, { upsert: [before] }));
    await onBranch(dir, 'carol', () => store.update(DOC, { upsert: [after] }));
    git(dir, 'checkout', '--quiet', 'bob');
    assert.ok(merge(dir, 'carol'), 'git merges without conflict');
    const [a0, a1, a2, a3, a4] = base.map((a) => a.id);
    assert.deepEqual(await mergedIds(dir, store), [a0, a1, before.id, a2, after.id, a3, a4]);
  });

  it('merges edits to the notes of different existing annotations, even neighbouring ones', async () => {
    const { dir, store } = await repo();
    const bobEdit = edited(base[1], 'Check her title', 'bob');
    const carolEdit = edited(base[2], 'Source: chamber of commerce', 'carol');
    const carolFar = edited(base[4], 'Forecast, not a figure', 'carol');
    await onBranch(dir, 'bob', () => store.update(DOC, { upsert: [bobEdit] }));
    await onBranch(dir, 'carol', () => store.update(DOC, { upsert: [carolEdit, carolFar] }));
    git(dir, 'checkout', '--quiet', 'bob');
    assert.ok(merge(dir, 'carol'), 'git merges without conflict');
    await mergedIds(dir, store);
    const notes = (await store.loadDoc(DOC)).map((a) => a.note);
    assert.deepEqual(notes, ['', 'Check her title', 'Source: chamber of commerce', '', 'Forecast, not a figure']);
  });

  it('merges an edit to one annotation with an annotation added right after it', async () => {
    const { dir, store } = await repo();
    const bobEdit = edited(base[1], 'Check her title', 'bob');
    const added = annotate('Unemployment stayed at 4.1 percent', 'carol');
    await onBranch(dir, 'bob', () => store.update(DOC, { upsert: [bobEdit] }));
    await onBranch(dir, 'carol', () => store.update(DOC, { upsert: [added] }));
    git(dir, 'checkout', '--quiet', 'bob');
    assert.ok(merge(dir, 'carol'), 'git merges without conflict');
    const merged = await store.loadDoc(DOC);
    assert.deepEqual(
      merged.map((a) => [a.id, a.note]),
      [
        [base[0].id, ''],
        [base[1].id, 'Check her title'],
        [added.id, ''],
        [base[2].id, ''],
        [base[3].id, ''],
        [base[4].id, ''],
      ],
    );
  });

  it('merges a deletion on one branch with an addition elsewhere on the other', async () => {
    const { dir, store } = await repo();
    const added = annotate('Energy costs were 12 percent lower', 'carol');
    await onBranch(dir, 'bob', () => store.update(DOC, { remove: [base[1].id] }));
    await onBranch(dir, 'carol', () => store.update(DOC, { upsert: [added] }));
    git(dir, 'checkout', '--quiet', 'bob');
    assert.ok(merge(dir, 'carol'), 'git merges without conflict');
    assert.deepEqual(await mergedIds(dir, store), [base[0].id, base[2].id, base[3].id, added.id, base[4].id]);
  });

  it('merges a document edit with every annotation re-anchored against a new annotation and note edits', async () => {
    const { dir, store } = await repo();
    // Bob edits the document and re-anchors all annotations: offsets, context, hash and anchor state change.
    const inserted = 'Preliminary figures, subject to revision. ';
    const edited2 = inserted + TEXT;
    const reanchored = base.map((a) => moved(a, inserted.length, edited2));
    await onBranch(dir, 'bob', async () => {
      fs.writeFileSync(path.join(dir, DOC), edited2);
      await store.putSnapshot(edited2);
      await store.update(DOC, { upsert: reanchored });
    });
    // Carol, on the old version, annotates a new passage and edits two notes, one on the first annotation, whose
    // context Bob's edit changed.
    const added = annotate('Energy costs were 12 percent lower', 'carol');
    await onBranch(dir, 'carol', () =>
      store.update(DOC, { upsert: [added, edited(base[0], 'Seasonally adjusted?', 'carol'), edited(base[3], 'Whose wages?', 'carol')] }),
    );
    git(dir, 'checkout', '--quiet', 'bob');
    assert.ok(merge(dir, 'carol'), 'git merges without conflict');
    const merged = await store.loadDoc(DOC);
    assert.deepEqual(
      merged.map((a) => [a.id, a.note, a.anchor.status, a.provenance.docHash === contentHash(edited2)]),
      [
        [base[0].id, 'Seasonally adjusted?', 'reanchored', true],
        [base[1].id, '', 'reanchored', true],
        [base[2].id, '', 'reanchored', true],
        // Carol's annotation still refers to the old version (its offsets sort it here); re-anchoring moves it later.
        [added.id, '', 'anchored', false],
        [base[3].id, 'Whose wages?', 'reanchored', true],
        [base[4].id, '', 'reanchored', true],
      ],
    );
  });

  it('merges links two people made on different annotations, and a link made while the other edited that annotation’s note (plain git, no merge driver)', async () => {
    const { dir, store } = await repo();
    // Bob: the figure supports the claim on "factory orders rose"; Carol: the entity supports the claim on "wages still
    // lag prices", and a note on the figure Bob links.
    const bobLink = { type: 'supports', to: base[2].id, author: 'bob', created: '2026-11-24T09:00:00.000Z' };
    const carolLink = { type: 'supports', to: base[3].id, author: 'carol', created: '2026-11-24T09:30:00.000Z' };
    await onBranch(dir, 'bob', () => linkInStore(store, DOC, base[0].id, bobLink));
    await onBranch(dir, 'carol', async () => {
      await linkInStore(store, DOC, base[1].id, carolLink);
      await store.update(DOC, { upsert: [edited(base[0], 'Seasonally adjusted?', 'carol')] });
    });
    git(dir, 'checkout', '--quiet', 'bob');
    assert.ok(merge(dir, 'carol'), 'git merges without conflict');
    assert.deepEqual(await mergedIds(dir, store), ids(base));
    const merged = await store.loadDoc(DOC);
    assert.deepEqual(merged[0].relations, [bobLink]);
    assert.equal(merged[0].note, 'Seasonally adjusted?');
    assert.deepEqual(merged[1].relations, [carolLink]);
    assert.deepEqual(
      merged.slice(2).map((a) => a.relations),
      [undefined, undefined, undefined],
    );
  });

  // What still conflicts: git sees two insertions at the same place, or two new files. The store then reports the
  // conflict (never loads half of it); a merge driver or conflict resolver is the planned fix.
  it('still conflicts when both branches add annotations between the same two neighbours, and reports it', async () => {
    const { dir, store } = await repo();
    // Both passages lie between "factory orders rose" and "wages still lag prices".
    await onBranch(dir, 'bob', () => store.update(DOC, { upsert: [annotate('The central bank in Frankfurt', 'bob')] }));
    await onBranch(dir, 'carol', () => store.update(DOC, { upsert: [annotate('main rate at 4 percent', 'carol')] }));
    git(dir, 'checkout', '--quiet', 'bob');
    assert.equal(merge(dir, 'carol'), false, 'git reports a conflict');
    await assert.rejects(store.loadDoc(DOC), (e: unknown) => e instanceof SidecarError && e.code === 'conflict' && e.line !== undefined);
    const { docs, errors } = await store.loadAll();
    assert.equal(docs.size, 0);
    assert.deepEqual(
      errors.map((e) => e.file),
      [SIDECAR],
    );
  });

  it('still conflicts when both branches create the sidecar of the same document', async () => {
    const dir = path.join(root, `repo${count++}`);
    fs.mkdirSync(path.join(dir, 'corpus'), { recursive: true });
    fs.writeFileSync(path.join(dir, DOC), TEXT);
    git(dir, 'init', '--quiet', '--initial-branch=main');
    git(dir, 'add', '-A');
    git(dir, 'commit', '--quiet', '-m', 'document only');
    const store = new AnnotationStore(new NodeWorkspaceFs(dir));
    await onBranch(dir, 'bob', () => store.update(DOC, { upsert: [annotate('Jane Doe', 'bob')] }));
    await onBranch(dir, 'carol', () => store.update(DOC, { upsert: [annotate('growth of 0.8 percent', 'carol')] }));
    git(dir, 'checkout', '--quiet', 'bob');
    assert.equal(merge(dir, 'carol'), false, 'git reports an add/add conflict');
    await assert.rejects(store.loadDoc(DOC), (e: unknown) => e instanceof SidecarError && e.code === 'conflict');
  });
});

// The merge driver (`marginalia git-setup` configures it) replaces git's line merge for sidecars with a merge by
// annotation id, and `marginalia resolve` repairs sidecars merged without it. These run the built CLI as git does.
describe('merging sidecars by annotation id with git (merge driver and resolve)', function () {
  const REPO = path.resolve(__dirname, '../../../..');
  const BIN = path.join(REPO, 'bin', 'marginalia.js');
  const DRIVER = gitDriverCommand(process.execPath, BIN);
  let root: string;
  let base: Annotation[];
  let count = 0;

  before(function () {
    this.timeout(120_000);
    if (spawnSync('git', ['--version'], { env: GIT_ENV }).status !== 0) throw new Error('these tests need git on the PATH');
    // git runs the bundled CLI, so it must hold the current sources.
    const cli = path.join(REPO, 'dist', 'cli.js');
    const built = fs.existsSync(cli) ? fs.statSync(cli).mtimeMs : 0;
    if (built < newestMtime(path.join(REPO, 'src'))) execFileSync(process.execPath, ['esbuild.mjs'], { cwd: REPO, stdio: 'pipe' });
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'marginalia-driver-'));
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  /** A repository on `main` with the document, the attributes git-setup writes, and (unless `empty`) five annotations. */
  async function repo(empty = false): Promise<{ dir: string; store: AnnotationStore }> {
    const dir = path.join(root, `repo${count++}`);
    fs.mkdirSync(path.join(dir, 'corpus'), { recursive: true });
    fs.mkdirSync(path.join(dir, '.marginalia'), { recursive: true });
    fs.writeFileSync(path.join(dir, DOC), TEXT);
    fs.writeFileSync(path.join(dir, '.marginalia', '.gitattributes'), GIT_ATTRIBUTES.join('\n') + '\n');
    git(dir, 'init', '--quiet', '--initial-branch=main');
    const store = new AnnotationStore(new NodeWorkspaceFs(dir));
    base = empty ? [] : baseAnnotations();
    if (!empty) await store.update(DOC, { upsert: base });
    git(dir, 'add', '-A');
    git(dir, 'commit', '--quiet', '-m', 'base');
    return { dir, store };
  }

  /** `git merge` of `branch` into the checked-out branch, with the driver configured or not, and extra config. */
  function gitMerge(dir: string, branch: string, options: { driver: boolean; config?: string[] }): { ok: boolean; output: string } {
    const driver = options.driver ? ['-c', 'merge.marginalia.name=Marginalia annotations', '-c', `merge.marginalia.driver=${DRIVER}`] : [];
    const r = spawnSync('git', [...GIT_CONFIG, ...driver, ...(options.config ?? []), 'merge', '--no-edit', branch], {
      cwd: dir,
      env: GIT_ENV,
      encoding: 'utf8',
    });
    return { ok: r.status === 0, output: r.stdout + r.stderr };
  }

  function sidecarText(dir: string): string {
    return fs.readFileSync(path.join(dir, SIDECAR), 'utf8');
  }

  /** The merged sidecar's annotations, checking it is canonical and git considers the merge done. */
  function mergedSidecar(dir: string): Annotation[] {
    const annotations = parseCanonicalSidecar(sidecarText(dir), SIDECAR);
    assert.ok(annotations, 'the merged sidecar is in canonical form');
    assert.equal(git(dir, 'status', '--porcelain'), '', 'the merge is committed, nothing left unmerged');
    return annotations;
  }

  function marginalia(dir: string, ...args: string[]): { code: number; stdout: string; stderr: string } {
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, env: GIT_ENV, encoding: 'utf8' });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  it('merges annotations both branches appended after the last one, which plain git cannot', async () => {
    const { dir } = await repo();
    const store = new AnnotationStore(new NodeWorkspaceFs(dir));
    const bob = annotate('outlook remains uncertain', 'bob');
    const carol = annotate('welcomed the news', 'carol');
    await onBranch(dir, 'bob', () => store.update(DOC, { upsert: [bob] }));
    await onBranch(dir, 'carol', () => store.update(DOC, { upsert: [carol] }));
    git(dir, 'checkout', '--quiet', 'bob');
    // Why the driver exists: git sees two insertions at the same place and gives up.
    const plain = gitMerge(dir, 'carol', { driver: false });
    assert.equal(plain.ok, false, 'plain git conflicts');
    assert.match(plain.output, /CONFLICT \(content\)/);
    git(dir, 'merge', '--abort');
    const driven = gitMerge(dir, 'carol', { driver: true });
    assert.ok(driven.ok, driven.output);
    assert.match(
      driven.output,
      /marginalia: merged \.marginalia\/annotations\/corpus\/report\.txt\.yaml: 7 annotations: 1 from ours, 1 from theirs, 5 the same on both/,
    );
    assert.deepEqual(ids(mergedSidecar(dir)), [...base.map((a) => a.id), carol.id, bob.id]);
  });

  it('merges links both branches made on the same annotation, which plain git cannot (the merge driver keeps both)', async () => {
    const { dir, store } = await repo();
    const bobLink = { type: 'supports', to: base[2].id, author: 'bob', created: '2026-11-24T09:00:00.000Z' };
    const carolLink = { type: 'contradicts', to: base[3].id, author: 'carol', created: '2026-11-24T09:30:00.000Z' };
    await onBranch(dir, 'bob', () => linkInStore(store, DOC, base[0].id, bobLink));
    await onBranch(dir, 'carol', () => linkInStore(store, DOC, base[0].id, carolLink));
    git(dir, 'checkout', '--quiet', 'bob');
    const plain = gitMerge(dir, 'carol', { driver: false });
    assert.equal(plain.ok, false, 'plain git conflicts: both add a relations list at the same place');
    git(dir, 'merge', '--abort');
    const driven = gitMerge(dir, 'carol', { driver: true });
    assert.ok(driven.ok, driven.output);
    assert.match(driven.output, /1 changed on both/);
    const merged = mergedSidecar(dir);
    assert.deepEqual(merged[0].relations, [carolLink, bobLink]);
    assert.deepEqual(ids(merged), ids(base));
  });

  it('merges a sidecar both branches created for the same document (add/add)', async () => {
    const { dir, store } = await repo(true);
    const bob = annotate('Jane Doe', 'bob');
    const carol = annotate('growth of 0.8 percent', 'carol');
    await onBranch(dir, 'bob', () => store.update(DOC, { upsert: [bob] }));
    await onBranch(dir, 'carol', () => store.update(DOC, { upsert: [carol] }));
    git(dir, 'checkout', '--quiet', 'bob');
    const driven = gitMerge(dir, 'carol', { driver: true });
    assert.ok(driven.ok, driven.output);
    assert.deepEqual(ids(mergedSidecar(dir)), [bob.id, carol.id]);
  });

  it('keeps the later edit when both branches edit the same annotation note', async () => {
    const { dir, store } = await repo();
    const bobEdit = edited(base[2], 'Bob: check the source', 'bob');
    const carolEdit = edited(base[2], 'Carol: source is the chamber of commerce', 'carol'); // a minute later
    await onBranch(dir, 'bob', () => store.update(DOC, { upsert: [bobEdit] }));
    await onBranch(dir, 'carol', () => store.update(DOC, { upsert: [carolEdit] }));
    for (const [from, other] of [
      ['bob', 'carol'],
      ['carol', 'bob'],
    ]) {
      git(dir, 'checkout', '--quiet', '-B', `merge-${from}`, from);
      assert.equal(gitMerge(dir, other, { driver: false }).ok, false, 'plain git conflicts');
      git(dir, 'merge', '--abort');
      const driven = gitMerge(dir, other, { driver: true });
      assert.ok(driven.ok, driven.output);
      assert.match(driven.output, /1 changed on both \(later edit kept/);
      assert.deepEqual(mergedSidecar(dir)[2], carolEdit);
    }
  });

  it('keeps what plain git merges: a re-anchored document on one branch, note edits and an addition on the other', async () => {
    const { dir, store } = await repo();
    const inserted = 'Preliminary figures, subject to revision. ';
    const edited2 = inserted + TEXT;
    const reanchored = base.map((a) => moved(a, inserted.length, edited2));
    await onBranch(dir, 'bob', async () => {
      fs.writeFileSync(path.join(dir, DOC), edited2);
      await store.update(DOC, { upsert: reanchored });
    });
    const added = annotate('Energy costs were 12 percent lower', 'carol');
    const note = edited(base[0], 'Seasonally adjusted?', 'carol');
    await onBranch(dir, 'carol', () => store.update(DOC, { upsert: [added, note] }));
    git(dir, 'checkout', '--quiet', 'bob');
    const driven = gitMerge(dir, 'carol', { driver: true });
    assert.ok(driven.ok, driven.output);
    assert.match(driven.output, /1 combined with a re-anchoring/);
    const merged = mergedSidecar(dir);
    assert.deepEqual(
      merged.find((a) => a.id === base[0].id),
      { ...reanchored[0], note: note.note, provenance: { ...note.provenance, docHash: contentHash(edited2) } },
    );
    assert.deepEqual(ids(merged).sort(), [...base.map((a) => a.id), added.id].sort());
  });

  it('keeps, and reports, an annotation deleted on one branch and edited on the other', async () => {
    const { dir, store } = await repo();
    await onBranch(dir, 'bob', () => store.update(DOC, { remove: [base[2].id] }));
    const carolEdit = edited(base[2], 'Keep this one', 'carol');
    await onBranch(dir, 'carol', () => store.update(DOC, { upsert: [carolEdit] }));
    git(dir, 'checkout', '--quiet', 'bob');
    assert.equal(gitMerge(dir, 'carol', { driver: false }).ok, false, 'plain git conflicts');
    git(dir, 'merge', '--abort');
    const driven = gitMerge(dir, 'carol', { driver: true });
    assert.ok(driven.ok, driven.output);
    assert.match(driven.output, new RegExp(`1 kept although deleted on one side, as edited on the other: ${base[2].id}`));
    assert.deepEqual(mergedSidecar(dir), [base[0], base[1], carolEdit, base[3], base[4]]);
  });

  it('leaves the file to git as a conflict when a version does not parse', async () => {
    const { dir, store } = await repo();
    await onBranch(dir, 'bob', () => store.update(DOC, { upsert: [annotate('outlook remains uncertain', 'bob')] }));
    await onBranch(dir, 'carol', async () => {
      await store.update(DOC, { upsert: [annotate('welcomed the news', 'carol')] });
      fs.writeFileSync(path.join(dir, SIDECAR), sidecarText(dir).replace('annotations:', 'annotations: [oops'));
    });
    git(dir, 'checkout', '--quiet', 'bob');
    const driven = gitMerge(dir, 'carol', { driver: true });
    assert.equal(driven.ok, false);
    assert.match(
      driven.output,
      /marginalia: could not merge \.marginalia\/annotations\/corpus\/report\.txt\.yaml, so git reports a conflict; both sides are in the file between conflict markers .*: .*their version: not valid YAML/,
    );
    assert.match(git(dir, 'status', '--porcelain'), /^(UU|AA) \.marginalia\/annotations\/corpus\/report\.txt\.yaml$/m);
    // Both sides are in the file between markers, not ours alone: every reader sees a conflict, nothing is lost unseen.
    const left = sidecarText(dir);
    assert.match(left, /^<{7} ours\n/);
    assert.match(left, /welcomed the news/, "their side's annotation is in the file");
    assert.match(left, /outlook remains uncertain/, "our side's annotation is in the file");
    const listed = marginalia(dir, 'list');
    assert.match(listed.stderr, /report\.txt\.yaml:1:1: unresolved git merge conflict/);
    const check = marginalia(dir, 'check');
    assert.equal(check.code, 1);
    assert.match(check.stderr, /report\.txt\.yaml is unmerged in git/);
  });

  describe('a document renamed on one branch and annotated under its old name on the other', () => {
    const RENAMED = 'corpus/renamed-report.txt';
    const RENAMED_SIDECAR = `.marginalia/annotations/${RENAMED}.yaml`;

    /** main with five annotations; `ren` moves the document with git mv and check --write; `ann` annotates the old name. */
    async function renameAgainstAnnotate(): Promise<{ dir: string; store: AnnotationStore; bob: Annotation }> {
      const { dir, store } = await repo();
      await onBranch(dir, 'ren', async () => {
        git(dir, 'mv', DOC, RENAMED);
        const r = marginalia(dir, 'check', '--write');
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /moved to corpus\/renamed-report\.txt/);
      });
      const bob = annotate('outlook remains uncertain', 'bob');
      await onBranch(dir, 'ann', () => store.update(DOC, { upsert: [bob] }));
      return { dir, store, bob };
    }

    for (const [into, from] of [
      ['ann', 'ren'],
      ['ren', 'ann'],
    ]) {
      it(`the merge driver merges by id into the new name (merging ${from} into ${into})`, async () => {
        const { dir, store, bob } = await renameAgainstAnnotate();
        git(dir, 'checkout', '--quiet', into);
        const driven = gitMerge(dir, from, { driver: true });
        assert.ok(driven.ok, driven.output);
        assert.match(driven.output, /those saved under corpus\/report\.txt follow its rename to corpus\/renamed-report\.txt/);
        assert.equal(fs.existsSync(path.join(dir, SIDECAR)), false, 'no sidecar is left under the old name');
        const merged = await store.loadDoc(RENAMED);
        assert.deepEqual(ids(merged), ids(sortByStart([...base, bob])));
        assert.ok(merged.every((a) => a.doc === RENAMED));
        assert.equal(git(dir, 'status', '--porcelain'), '', 'the merge is committed, nothing left unmerged');
        const check = marginalia(dir, 'check');
        assert.equal(check.code, 0, check.stdout + check.stderr);
        assert.match(check.stdout, /6 annotations in 1 document: 6 unchanged/);
      });
    }

    it('a driver that fails without markers (git keeps one side) is caught by check, and resolve merges by id across the rename', async () => {
      const { dir, store, bob } = await renameAgainstAnnotate();
      git(dir, 'checkout', '--quiet', 'ann');
      // A driver that cannot run at all: git keeps our side alone in the file, without markers.
      const failed = gitMerge(dir, 'ren', { driver: false, config: ['-c', 'merge.marginalia.driver=false'] });
      assert.equal(failed.ok, false);
      assert.equal(git(dir, 'ls-files', '-u', '--', RENAMED_SIDECAR).trim().split('\n').length, 3, 'git holds three versions');
      const check = marginalia(dir, 'check');
      assert.equal(check.code, 1);
      assert.match(check.stderr, /renamed-report\.txt\.yaml is unmerged in git .*marginalia resolve/);
      const r = marginalia(dir, 'resolve');
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stdout,
        /resolved \.marginalia\/annotations\/corpus\/renamed-report\.txt\.yaml from git's three versions of it \(the file held only one side\): 6 annotations/,
      );
      const merged = await store.loadDoc(RENAMED);
      assert.deepEqual(ids(merged), ids(sortByStart([...base, bob])));
      git(dir, 'add', '-A');
      git(dir, 'commit', '--quiet', '--no-edit');
      assert.equal(marginalia(dir, 'check').code, 0);
    });

    it('a sidecar left with whole-file markers by the driver resolves by id across the rename, in the core as in the CLI', async () => {
      const { dir, bob } = await renameAgainstAnnotate();
      git(dir, 'checkout', '--quiet', 'ann');
      const ours = sidecarText(dir);
      git(dir, 'checkout', '--quiet', 'ren');
      const theirs = fs.readFileSync(path.join(dir, RENAMED_SIDECAR), 'utf8');
      const resolved = resolveConflictMarkers(wholeFileConflict(undefined, ours, theirs), RENAMED_SIDECAR);
      assert.equal(resolved.report.document, RENAMED);
      assert.equal(resolved.report.renamedFrom, DOC);
      assert.deepEqual(ids(resolved.annotations), ids(sortByStart([...base, bob])));
      // Two unrelated documents' sidecars (no shared annotation) are never merged into one.
      const other = ours.replace(/id: "\w+"/g, () => `id: "${newId()}"`);
      assert.throws(() => resolveConflictMarkers(wholeFileConflict(undefined, other, theirs), RENAMED_SIDECAR), /share no annotation/);
    });
  });

  for (const style of ['merge', 'diff3']) {
    it(`resolves a sidecar git conflicted without the driver (${style} style), from its markers and with marginalia resolve`, async () => {
      const { dir, store } = await repo();
      // Between "factory orders rose" and "wages still lag prices" on both branches, and the last note on one.
      const bob = annotate('The central bank in Frankfurt', 'bob');
      const carol = annotate('main rate at 4 percent', 'carol');
      const carolNote = edited(base[4], 'A forecast', 'carol');
      await onBranch(dir, 'bob', () => store.update(DOC, { upsert: [bob] }));
      await onBranch(dir, 'carol', () => store.update(DOC, { upsert: [carol, carolNote] }));
      git(dir, 'checkout', '--quiet', 'bob');
      assert.equal(gitMerge(dir, 'carol', { driver: false, config: ['-c', `merge.conflictStyle=${style}`] }).ok, false);
      const conflicted = sidecarText(dir);
      assert.equal(conflicted.includes('\n|||||||'), style === 'diff3');
      const expected = [base[0], base[1], base[2], bob, carol, base[3], carolNote].map((a) => a.id);

      const fromMarkers = resolveConflictMarkers(conflicted, SIDECAR);
      assert.deepEqual(ids(fromMarkers.annotations), expected);
      assert.equal(fromMarkers.annotations[6].note, 'A forecast');

      const r = marginalia(dir, 'resolve');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^resolved \.marginalia\/annotations\/corpus\/report\.txt\.yaml from git's three versions of it: 7 annotations/m);
      assert.equal(sidecarText(dir), fromMarkers.text, 'the same file as from the markers');
      assert.deepEqual(ids(await store.loadDoc(DOC)), expected);
      git(dir, 'add', SIDECAR);
      git(dir, 'commit', '--quiet', '--no-edit');
      assert.deepEqual(ids(mergedSidecar(dir)), expected);
    });
  }

  it('resolves from the markers when the conflicted file was edited since git wrote it', async () => {
    const { dir, store } = await repo();
    await onBranch(dir, 'bob', () => store.update(DOC, { upsert: [annotate('outlook remains uncertain', 'bob')] }));
    await onBranch(dir, 'carol', () => store.update(DOC, { upsert: [annotate('welcomed the news', 'carol')] }));
    git(dir, 'checkout', '--quiet', 'bob');
    assert.equal(gitMerge(dir, 'carol', { driver: false }).ok, false);
    // A hand edit inside the conflict: git's versions do not have it, the markers do.
    fs.writeFileSync(path.join(dir, SIDECAR), sidecarText(dir).replace(/^( {4}note: )""$/m, '$1"typed during the merge"'));
    const r = marginalia(dir, 'resolve', DOC);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /from its conflict markers: 7 annotations/);
    assert.ok((await store.loadDoc(DOC)).some((a) => a.note === 'typed during the merge'));
  });

  it('resolves a sidecar deleted on one branch and changed on the other (no markers, no driver run)', async () => {
    const { dir, store } = await repo();
    const carolEdit = edited(base[1], 'Still needed', 'carol');
    await onBranch(dir, 'bob', () => store.update(DOC, { remove: base.map((a) => a.id) }));
    await onBranch(dir, 'carol', () => store.update(DOC, { upsert: [carolEdit] }));
    git(dir, 'checkout', '--quiet', 'bob');
    const driven = gitMerge(dir, 'carol', { driver: true });
    assert.equal(driven.ok, false);
    assert.match(driven.output, /CONFLICT \(modify\/delete\)/);
    const r = marginalia(dir, 'resolve');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /1 annotation: .*4 deleted, 1 kept although deleted on one side/);
    assert.deepEqual(await store.loadDoc(DOC), [carolEdit]);
  });
});

const ids = (as: readonly Annotation[]): string[] => as.map((a) => a.id);
const sortByStart = (as: readonly Annotation[]): Annotation[] =>
  [...as].sort((a, b) => a.target.start - b.target.start || a.target.end - b.target.end || (a.id < b.id ? -1 : 1));

/** The latest modification time of any file under `dir`. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}
