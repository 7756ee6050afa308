// Issue 5, what must run through the real CLI process: each failure case of the issue as its own test, on a temporary
// copy of the sample corpus (the core half is test/unit/faults.test.ts; the failure-case matrix of docs/testing.md lists
// both).
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { BIN, REPO, cli, spanOf, tempWorkspace } from './cliHarness';
import { readDocument } from '../../src/core/store';
import { resolveConflictMarkers } from '../../src/core/store';
import type { Annotation } from '../../src/core/model';
import { NodeWorkspaceFs } from '../../src/node';
import { SidecarError } from '../../src/core/store';
import { AnnotationStore } from '../../src/core/store';
import { annotation, edited } from '../support/annotations';
import { mulberry32 } from '../support/editGenerator';

const DOC = 'corpus/000_66ca398fea36cc01.txt';
const OTHER = 'corpus/001_7b613edff552618b.txt';
const SIDECAR = `.marginalia/annotations/${DOC}.yaml`;

function addOk(ws: string, doc: string, quote: string, ...extra: string[]): string {
  const s = spanOf(ws, doc, quote);
  const r = cli(ws, 'add', doc, '--kind', 'claim', '--start', String(s.start), '--end', String(s.end), '--json', ...extra);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { id: string }).id;
}

function sidecarIds(ws: string, doc = DOC): string[] {
  const file = path.join(ws, '.marginalia', 'annotations', doc + '.yaml');
  if (!fs.existsSync(file)) return [];
  return (parse(fs.readFileSync(file, 'utf8')) as { annotations: { id: string }[] }).annotations.map((a) => a.id).sort();
}

function listedIds(ws: string): string[] {
  const r = cli(ws, 'list', '--json');
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { id: string }[]).map((a) => a.id).sort();
}

/** A new annotation of `doc` as it is on disk, for writing through a store. */
async function newAnnotation(ws: string, doc: string, quote: string): Promise<Annotation> {
  const text = (await readDocument(new NodeWorkspaceFs(ws), doc)) as string;
  return annotation({ doc, text, phrase: quote, author: 'store' });
}

/** Every file under `dir`, with its bytes, to show that nothing outside the workspace changed or appeared. */
function snapshotTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const p = path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name);
    if (e.isFile()) out.set(path.relative(dir, p), fs.readFileSync(p).toString('base64'));
  }
  return out;
}

/** A workspace inside `parent`, beside a folder `outside` holding a canary file. */
function besideOutside(): { ws: string; outside: string; canary: string; before: Map<string, string> } {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'marginalia-hostile-'));
  const ws = path.join(parent, 'ws');
  fs.cpSync(path.join(REPO, 'sample', 'corpus'), path.join(ws, 'corpus'), { recursive: true });
  const outside = path.join(parent, 'outside');
  fs.mkdirSync(path.join(outside, 'dir'), { recursive: true });
  const canary = path.join(outside, 'canary.txt');
  fs.writeFileSync(canary, 'Canary: the quick brown fox jumps over the lazy dog.\n');
  fs.writeFileSync(path.join(outside, 'dir', 'o.txt'), 'Outside document: the quick brown fox.\n');
  return { ws, outside, canary, before: snapshotTree(outside) };
}

/**
 * Replaces DOC's sidecar with `broken` (after giving DOC and OTHER one annotation each) and checks what every broken
 * sidecar must give: an error naming the file and `line`, the file byte for byte unchanged after loading and after
 * attempted writes (store update and saveDoc, CLI add), and the other sidecar still loading (CLI list exits 0 with
 * a warning on stderr).
 */
async function brokenSidecar(broken: (good: string) => string | Buffer, lineIn: (brokenText: string) => number, code: string, reason: RegExp): Promise<void> {
  const ws = tempWorkspace();
  addOk(ws, DOC, 'Vladimir Putin');
  const otherId = addOk(ws, OTHER, 'the');
  const file = path.join(ws, SIDECAR);
  fs.writeFileSync(file, broken(fs.readFileSync(file, 'utf8')));
  const bytes = fs.readFileSync(file);
  const line = lineIn(bytes.toString('utf8'));
  const unchanged = (when: string): void => assert.ok(fs.readFileSync(file).equals(bytes), `the broken sidecar is unchanged ${when}`);

  const store = new AnnotationStore(new NodeWorkspaceFs(ws));
  const { docs, errors } = await store.loadAll();
  assert.equal(errors.length, 1);
  assert.equal(errors[0].file, SIDECAR);
  assert.equal(errors[0].code, code);
  assert.equal(errors[0].line, line);
  assert.ok(errors[0].message.startsWith(`${SIDECAR}:${line}:`), errors[0].message);
  assert.match(errors[0].reason, reason);
  assert.deepEqual([...docs.keys()], [OTHER], 'the other sidecar still loads');
  unchanged('after loading');

  const a = await newAnnotation(ws, DOC, 'Global Times');
  await assert.rejects(store.update(DOC, { upsert: [a] }), (e: unknown) => e instanceof SidecarError && e.file === SIDECAR && e.line === line);
  await assert.rejects(store.saveDoc(DOC, [a]), SidecarError);
  unchanged('after the store tried to write');

  const list = cli(ws, 'list', '--json');
  assert.equal(list.code, 0, 'a broken sidecar is a warning for list');
  assert.ok(list.stderr.startsWith(`marginalia: warning: ${SIDECAR}:${line}:`), list.stderr);
  assert.deepEqual(
    (JSON.parse(list.stdout) as { id: string }[]).map((x) => x.id),
    [otherId],
  );
  const s = spanOf(ws, DOC, 'Global Times');
  const add = cli(ws, 'add', DOC, '--kind', 'claim', '--start', String(s.start), '--end', String(s.end));
  assert.equal(add.code, 2);
  assert.ok(add.stderr.startsWith(`marginalia: ${SIDECAR}:${line}:`), add.stderr);
  unchanged('after marginalia add');
  assert.equal(cli(ws, 'add', OTHER, '--kind', 'claim', '--start', '0', '--end', '7').code, 0, 'the other document can still be annotated');
  fs.rmSync(ws, { recursive: true, force: true }); // kept when an assertion fails, for a look
}

/** Line number (1-based) of the first line of `text` that starts with `prefix`. */
function lineOf(text: string, prefix: string, nth = 1): number {
  const lines = text.split('\n');
  let seen = 0;
  for (let i = 0; i < lines.length; i++) if (lines[i].startsWith(prefix) && ++seen === nth) return i + 1;
  throw new Error(`no line starts with ${prefix}`);
}

describe('issue 5 (CLI)', function () {
  this.timeout(120_000);

  describe('issue 5: interrupted save', () => {
    /** Runs `marginalia add` and kills it with SIGKILL after `delayMs`; resolves with its exit code (null when killed). */
    function addAndKill(ws: string, start: number, end: number, delayMs: number): Promise<number | null> {
      return new Promise((resolve) => {
        const child = spawn(process.execPath, [BIN, 'add', DOC, '--kind', 'claim', '--start', String(start), '--end', String(end), '--author', 'killer'], {
          cwd: ws,
          stdio: 'ignore',
        });
        const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
        child.on('exit', (code) => {
          clearTimeout(timer);
          resolve(code);
        });
      });
    }

    it('the CLI killed at random moments while saving, 60 times: the sidecar is always the old or the new version, never partial, and no annotation is lost', async () => {
      const ws = tempWorkspace();
      // Seed a few annotations so that every write rewrites a sidecar that already holds data.
      for (const q of ['Vladimir Putin', 'Global Times', 'Moscow']) addOk(ws, DOC, q);
      let known = sidecarIds(ws);
      const rng = mulberry32(20261123);
      const text = fs.readFileSync(path.join(ws, DOC), 'utf8');
      let killed = 0;
      let completed = 0;
      // How long one uninterrupted add takes on this machine now (it varies with the load): kills are spread over
      // 1.5 times that, so they hit every phase of the save, and about a third of the runs finish.
      const took: number[] = [];
      for (const q of ['China', 'Putin', 'artificial intelligence']) {
        const t = Date.now();
        addOk(ws, DOC, q);
        took.push(Date.now() - t);
      }
      known = sidecarIds(ws);
      // The machine's speed changes while the runs go on (another suite, a build): the window follows the outcomes,
      // a little longer after a kill and a little shorter after a finished run, so both keep happening.
      let window = 1.5 * took.sort((a, b) => a - b)[1];
      for (let i = 0; i < 60; i++) {
        const start = Math.floor(rng() * (text.length - 40));
        const code = await addAndKill(ws, start, start + 20, Math.floor(rng() * window));
        const now = sidecarIds(ws); // parse() throws on a partial file
        for (const id of known) assert.ok(now.includes(id), `annotation ${id} survived run ${i}`);
        assert.ok(now.length === known.length || now.length === known.length + 1, `run ${i}: old or new version, got ${now.length} after ${known.length}`);
        if (code === null) killed++;
        else completed++;
        window *= code === null ? 1.06 : 0.94;
        known = now;
      }
      assert.ok(killed > 5 && completed > 5, `both outcomes happened (killed ${killed}, completed ${completed})`);
      // A killed writer may leave its temporary file and its lock; neither is mistaken for a sidecar, and the next
      // writer breaks the dead process's lock at once.
      const leftovers = fs.readdirSync(path.join(ws, '.marginalia', 'annotations', 'corpus')).filter((f) => !f.endsWith('.yaml'));
      assert.ok(
        leftovers.every((f) => f.startsWith('.')),
        `leftovers are hidden dot-files: ${leftovers.join(', ')}`,
      );
      assert.deepEqual(listedIds(ws), known);
      const t0 = Date.now();
      const last = addOk(ws, DOC, 'Moscow');
      assert.ok(Date.now() - t0 < 5000, 'no wait for a dead writer');
      assert.deepEqual(sidecarIds(ws), [...known, last].sort());
    });

    it('a crash between the temporary write and the rename (the process killed there): the old sidecar stays whole and the next save works', () => {
      const ws = tempWorkspace();
      const first = addOk(ws, DOC, 'Vladimir Putin');
      const before = fs.readFileSync(path.join(ws, SIDECAR));
      // A real process that dies (SIGKILL) right after writing and flushing the temporary file, before renaming it.
      const script = `
        const { AnnotationStore } = require(${JSON.stringify(path.join(REPO, 'out', 'src', 'core', 'store', 'index.js'))});
        const nodeFs = require(${JSON.stringify(path.join(REPO, 'out', 'src', 'node', 'index.js'))});
        const { createAnnotation } = require(${JSON.stringify(path.join(REPO, 'out', 'src', 'core', 'model', 'index.js'))});
        const { readDocument } = require(${JSON.stringify(path.join(REPO, 'out', 'src', 'core', 'store', 'index.js'))});
        nodeFs.atomicSteps.rename = async () => { process.kill(process.pid, 'SIGKILL'); await new Promise(() => {}); };
        (async () => {
          const fsys = new nodeFs.NodeWorkspaceFs(process.argv[1]);
          const text = await readDocument(fsys, ${JSON.stringify(DOC)});
          const a = createAnnotation(text, { doc: ${JSON.stringify(DOC)}, kind: 'claim', start: 0, end: 7, author: 'crash' }, { name: 'claim' }, new Date());
          await new AnnotationStore(fsys).update(${JSON.stringify(DOC)}, { upsert: [a] });
        })();`;
      const r = spawnSync(process.execPath, ['-e', script, ws], { encoding: 'utf8' });
      assert.equal(r.signal, 'SIGKILL', r.stderr);
      assert.ok(fs.readFileSync(path.join(ws, SIDECAR)).equals(before), 'the old sidecar, byte for byte');
      const dir = path.join(ws, '.marginalia', 'annotations', 'corpus');
      const tmp = fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'));
      assert.equal(tmp.length, 1, 'the complete temporary file the crash left');
      assert.ok(fs.readFileSync(path.join(dir, tmp[0]), 'utf8').includes('author: crash'));
      assert.deepEqual(listedIds(ws), [first], 'the temporary file is never loaded');
      const second = addOk(ws, DOC, 'Global Times');
      assert.deepEqual(sidecarIds(ws), [first, second].sort());
    });
  });

  describe('issue 5: broken sidecars', () => {
    it('a YAML syntax error: reported with file and line, left untouched, the rest loads', () =>
      brokenSidecar(
        (good) => good.replace('    kind: claim\n', '    kind: claim: extra\n'),
        (t) => lineOf(t, '    kind: '),
        'syntax',
        /not valid YAML: Nested mappings are not allowed/,
      ));

    it('git conflict markers: reported with file and the line of the first marker, left untouched, the rest loads', () =>
      brokenSidecar(
        (good) => {
          const lines = good.split('\n');
          const note = lines.findIndex((l) => l.startsWith('    note: '));
          lines.splice(note, 1, '<<<<<<< HEAD', '    note: ours', '=======', '    note: theirs', '>>>>>>> other');
          return lines.join('\n');
        },
        (t) => lineOf(t, '<<<<<<< '),
        'conflict',
        /unresolved git merge conflict at line \d+; resolve it by keeping the annotations of both sides/,
      ));

    it('wrong types (a string where an offset must be): reported at the field, left untouched, the rest loads', () =>
      brokenSidecar(
        (good) => good.replace(/^ {4}start: \d+$/m, '    start: "ten"'),
        (t) => lineOf(t, '    start: '),
        'schema',
        /annotations\[0\]\.start must be a whole number, not text "ten"/,
      ));

    it('an unknown format version: named as such at its line, left untouched, the rest loads', () =>
      brokenSidecar(
        (good) => good.replace('version: 1\n', 'version: 99\n'),
        (t) => lineOf(t, 'version: '),
        'version',
        /written by a newer Marginalia \(sidecar format version 99/,
      ));

    it('duplicate ids: reported at the second id, left untouched, the rest loads', () =>
      brokenSidecar(
        (good) => {
          const body = good.slice(good.indexOf('  - id: '));
          return good + body.replace(/start: (\d+)/, (_m, n: string) => `start: ${Number(n) + 1}`);
        },
        (t) => lineOf(t, '  - id: ', 2),
        'invalid',
        /annotation id \w+ is used twice/,
      ));

    it('an alias bomb (billion laughs): refused without expanding it, at the first alias, left untouched, the rest loads', () =>
      brokenSidecar(
        (good) => {
          const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
          for (let i = 1; i < 9; i++) {
            const prev = String.fromCharCode(96 + i);
            levels.push(
              `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
                .fill('*' + prev)
                .join(',')}]`,
            );
          }
          return good.replace('version: 1\n', `version: 1\nbomb:\n${levels.map((l) => '  ' + l).join('\n')}\n`);
        },
        (t) => lineOf(t, '  b: '),
        'alias',
        /billion laughs/,
      ));

    it('a custom !! tag (!!js/function): refused at the tag, left untouched, the rest loads', () =>
      brokenSidecar(
        (good) => good.replace(/^ {4}note: .*$/m, '    note: !!js/function "function () { return process.exit(1) }"'),
        (t) => lineOf(t, '    note: '),
        'tag',
        /YAML tags such as !!js\/function are not allowed/,
      ));

    it('a 50 MB sidecar: refused by its size, naming the file and the line where the 20 MB limit is passed, left untouched, the rest loads', async function () {
      this.timeout(60_000);
      const pad = '# ' + 'padding '.repeat(12) + '\n';
      const limit = 20 * 1024 * 1024;
      const t0 = Date.now();
      await brokenSidecar(
        (good) => Buffer.from(good + pad.repeat(Math.ceil((50 * 1024 * 1024) / pad.length))),
        (t) => t.slice(0, limit).split('\n').length,
        'too-large',
        /the sidecar is 50\.0 MB, over the 20\.0 MB limit \(passed at line \d+\)/,
      );
      assert.ok(Date.now() - t0 < 30_000, `took ${Date.now() - t0} ms`);
    });
  });

  describe('issue 5: conflict markers resolved keeping both sides', () => {
    it('a sidecar with real git conflict markers: marginalia resolve (and the core function) keep the annotations of both sides, and the later edit of one changed on both', async () => {
      const ws = tempWorkspace();
      const git = (...args: string[]): string => {
        const r = spawnSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', ...args], { cwd: ws, encoding: 'utf8' });
        return r.stdout + r.stderr;
      };
      git('init', '--quiet', '--initial-branch=main');
      const shared = addOk(ws, DOC, 'Vladimir Putin');
      git('add', '-A');
      git('commit', '--quiet', '-m', 'base');
      const store = new AnnotationStore(new NodeWorkspaceFs(ws));
      const edit = async (note: string, modified: string, quote: string): Promise<string> => {
        const [a] = (await store.loadDoc(DOC)).filter((x) => x.id === shared);
        await store.update(DOC, { upsert: [edited(a, { note, modified })] });
        return addOk(ws, DOC, quote);
      };
      git('checkout', '--quiet', '-b', 'bob');
      const bobs = await edit('edited later by bob', '2026-12-02T10:00:00.000Z', 'Global Times');
      git('commit', '--quiet', '-am', 'bob');
      git('checkout', '--quiet', '-b', 'carol', 'main');
      const carols = await edit('edited earlier by carol', '2026-12-01T10:00:00.000Z', 'Moscow');
      git('commit', '--quiet', '-am', 'carol');
      assert.match(git('merge', 'bob'), /CONFLICT/);
      const conflicted = fs.readFileSync(path.join(ws, SIDECAR), 'utf8');
      assert.match(conflicted, /^<<<<<<< /m);

      // The core function on the markers alone.
      const resolved = resolveConflictMarkers(conflicted, SIDECAR);
      assert.deepEqual(resolved.annotations.map((a) => a.id).sort(), [shared, bobs, carols].sort());
      assert.equal(resolved.annotations.find((a) => a.id === shared)?.note, 'edited later by bob');

      // The CLI outside git (markers only), on a copy, and inside the merge (git's stored versions): the same.
      const copy = tempWorkspace(false);
      fs.cpSync(path.join(ws, 'corpus'), path.join(copy, 'corpus'), { recursive: true });
      fs.cpSync(path.join(ws, '.marginalia'), path.join(copy, '.marginalia'), { recursive: true });
      for (const dir of [copy, ws]) {
        const r = cli(dir, 'resolve');
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /resolved \.marginalia\/annotations\/corpus\/000_66ca398fea36cc01\.txt\.yaml from/);
        assert.deepEqual(sidecarIds(dir), [shared, bobs, carols].sort());
        const notes = (parse(fs.readFileSync(path.join(dir, SIDECAR), 'utf8')) as { annotations: { id: string; note: string }[] }).annotations;
        assert.equal(notes.find((a) => a.id === shared)?.note, 'edited later by bob');
        assert.equal(cli(dir, 'list').code, 0);
      }
    });
  });

  describe('issue 5: two writers on one document', () => {
    it('the CLI adds while a store holds stale state, then the store writes: both annotations survive', async () => {
      const ws = tempWorkspace();
      const store = new AnnotationStore(new NodeWorkspaceFs(ws));
      const stale = await store.loadAll(); // what an open window holds
      assert.equal(stale.docs.size, 0);
      const fromCli = addOk(ws, DOC, 'Vladimir Putin');
      const fromStore = await newAnnotation(ws, DOC, 'Global Times');
      await store.update(DOC, { upsert: [fromStore] });
      assert.deepEqual(sidecarIds(ws), [fromCli, fromStore.id].sort());
    });

    it('10 marginalia add processes on one document at once: all 10 annotations survive', async () => {
      const ws = tempWorkspace();
      const runs = Array.from(
        { length: 10 },
        (_, i) =>
          new Promise<{ code: number | null; out: string }>((resolve) => {
            const child = spawn(process.execPath, [BIN, 'add', DOC, '--kind', 'claim', '--start', String(i * 10), '--end', String(i * 10 + 5), '--json'], {
              cwd: ws,
              env: { ...process.env, MARGINALIA_AUTHOR: `writer ${i}` },
            });
            let out = '';
            child.stdout.on('data', (d: Buffer) => (out += d.toString()));
            child.on('close', (code) => resolve({ code, out })); // 'close': all output read
          }),
      );
      const results = await Promise.all(runs);
      assert.deepEqual(
        results.map((r) => r.code),
        Array(10).fill(0),
      );
      const added = results.map((r) => (JSON.parse(r.out) as { id: string }).id).sort();
      assert.deepEqual(sidecarIds(ws), added);
      assert.deepEqual(
        fs.readdirSync(path.join(ws, '.marginalia', 'annotations', 'corpus')),
        ['000_66ca398fea36cc01.txt.yaml'],
        'no lock or temporary file left',
      );
    });
  });

  describe('issue 5: documents moving', () => {
    it('a document renamed or moved on disk: marginalia check finds it by content and --write takes its annotations along', () => {
      const ws = tempWorkspace();
      const a = addOk(ws, DOC, 'Vladimir Putin');
      const b = addOk(ws, DOC, 'Global Times');
      fs.mkdirSync(path.join(ws, 'archive'));
      fs.renameSync(path.join(ws, DOC), path.join(ws, 'archive', 'moved.txt'));
      const dry = cli(ws, 'check');
      assert.equal(dry.code, 0, dry.stdout + dry.stderr);
      assert.match(
        dry.stdout,
        /^corpus\/000_66ca398fea36cc01\.txt moved to archive\/moved\.txt: its 2 annotations will follow it \(run with --write to save\)$/m,
      );
      assert.ok(fs.existsSync(path.join(ws, SIDECAR)), 'nothing saved without --write');
      const r = cli(ws, 'check', '--write');
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /2 annotations in 1 document: 2 unchanged, 0 re-anchored, 0 orphaned/);
      assert.equal(fs.existsSync(path.join(ws, SIDECAR)), false);
      assert.deepEqual(sidecarIds(ws, 'archive/moved.txt'), [a, b].sort());
      const listed = JSON.parse(cli(ws, 'list', '--json').stdout) as { doc: string; status: string }[];
      assert.ok(listed.every((x) => x.doc === 'archive/moved.txt' && x.status === 'anchored'));
    });

    it('a deleted document: its annotations are kept as orphans with their last snapshot, and marginalia restore brings it back', () => {
      const ws = tempWorkspace();
      const original = fs.readFileSync(path.join(ws, DOC));
      const a = addOk(ws, DOC, 'Vladimir Putin');
      fs.rmSync(path.join(ws, DOC));
      const r = cli(ws, 'check', '--write');
      assert.equal(r.code, 1, 'orphans exit 1');
      assert.match(r.stdout, /\(document not found\)/);
      const [orphan] = (parse(fs.readFileSync(path.join(ws, SIDECAR), 'utf8')) as { annotations: { id: string; status: string; docHash: string }[] })
        .annotations;
      assert.deepEqual([orphan.id, orphan.status], [a, 'orphaned']);
      assert.ok(fs.existsSync(path.join(ws, '.marginalia', 'snapshots', orphan.docHash.slice(7, 9), orphan.docHash.slice(7) + '.txt')), 'its snapshot is kept');
      const docs = cli(ws, 'docs');
      assert.match(docs.stdout, /^corpus\/000_66ca398fea36cc01\.txt {2}1 annotation {2}\(document not found; restore it with `marginalia restore`\)$/m);
      const restored = cli(ws, 'restore', DOC);
      assert.equal(restored.code, 0, restored.stderr);
      assert.ok(fs.readFileSync(path.join(ws, DOC)).equals(original), 'the document as it was');
      assert.equal(cli(ws, 'check', '--write').code, 0);
      assert.deepEqual(
        (JSON.parse(cli(ws, 'list', '--json').stdout) as { status: string }[]).map((x) => x.status),
        ['anchored'],
      );
      const again = cli(ws, 'restore', DOC);
      assert.equal(again.code, 2);
      assert.equal(again.stderr, `marginalia: ${DOC} exists; there is nothing to restore\n`);
    });
  });

  describe('issue 5: hostile paths', () => {
    function unchangedOutside(h: { outside: string; before: Map<string, string> }): void {
      assert.deepEqual(snapshotTree(h.outside), h.before, 'nothing outside the workspace changed or appeared');
    }

    /** A sidecar (copied from a real one) whose document field is `doc`, at the sidecar path for `doc` where there is one. */
    function hostileSidecar(ws: string, doc: string, at: string): string {
      addOk(ws, DOC, 'Vladimir Putin');
      const good = fs.readFileSync(path.join(ws, SIDECAR), 'utf8');
      fs.mkdirSync(path.dirname(path.join(ws, at)), { recursive: true });
      fs.writeFileSync(
        path.join(ws, at),
        good.replace(`document: ${DOC}`, `document: ${JSON.stringify(doc)}`).replace(`annotations for ${DOC}`, `annotations for ${doc}`),
      );
      return at;
    }

    for (const [label, doc] of [
      ['../outside.txt', '../outside/canary.txt'],
      ['an absolute path', '/etc/passwd'],
    ] as const) {
      it(`a sidecar whose document is ${label} is refused with its file and line; nothing outside is read or written`, () => {
        const h = besideOutside();
        const at = hostileSidecar(h.ws, doc, '.marginalia/annotations/corpus/hostile.txt.yaml');
        for (const args of [['list'], ['check', '--write'], ['export']]) {
          const r = cli(h.ws, ...args);
          assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
          assert.match(r.stderr, new RegExp(`^marginalia: warning: ${at.replace(/\./g, '\\.')}:3:11: document must be a workspace-relative path`, 'm'));
          assert.ok(!r.stdout.includes('Canary') && !r.stdout.includes('root:'), 'nothing outside was read');
        }
        unchangedOutside(h);
      });
    }

    it('a sidecar for a document reached through a symlinked folder pointing outside is refused; the document is not read', () => {
      const h = besideOutside();
      fs.symlinkSync(path.join(h.outside, 'dir'), path.join(h.ws, 'linked'));
      const at = hostileSidecar(h.ws, 'linked/o.txt', '.marginalia/annotations/linked/o.txt.yaml');
      for (const args of [['list', '--json'], ['check', '--write'], ['export']]) {
        const r = cli(h.ws, ...args);
        assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
        assert.ok(
          r.stderr.includes(
            `marginalia: warning: ${at}: linked/o.txt leads outside the workspace folder (through a symbolic link to ${path.join(fs.realpathSync(h.outside), 'dir', 'o.txt')})`,
          ),
          r.stderr,
        );
        assert.ok(!r.stdout.includes('linked/o.txt') && !r.stdout.includes('Outside document'), `${args.join(' ')} did not use it`);
      }
      const add = cli(h.ws, 'add', 'linked/o.txt', '--kind', 'claim', '--start', '0', '--end', '7');
      assert.equal(add.code, 2);
      assert.match(add.stderr, /^marginalia: linked\/o\.txt leads outside the workspace folder/);
      unchangedOutside(h);
    });

    it('a document that is itself a symlink to a file outside is refused (add, docs, check)', () => {
      const h = besideOutside();
      fs.symlinkSync(h.canary, path.join(h.ws, 'corpus', 'link.txt'));
      const add = cli(h.ws, 'add', 'corpus/link.txt', '--kind', 'claim', '--start', '0', '--end', '6');
      assert.equal(add.code, 2);
      assert.equal(add.stderr, `marginalia: corpus/link.txt leads outside the workspace folder (through a symbolic link to ${fs.realpathSync(h.canary)})\n`);
      const docs = cli(h.ws, 'docs');
      assert.ok(!docs.stdout.includes('corpus/link.txt'));
      assert.match(docs.stderr, /warning: corpus\/link\.txt could not be read \(corpus\/link\.txt leads outside the workspace folder/);
      assert.equal(fs.existsSync(path.join(h.ws, '.marginalia', 'annotations', 'corpus', 'link.txt.yaml')), false);
      unchangedOutside(h);
    });

    it('a sidecar file that is a symlink pointing outside is refused: reported by name, not loaded, and never written through', () => {
      const h = besideOutside();
      addOk(h.ws, OTHER, 'the');
      const victim = path.join(h.outside, 'victim.yaml');
      fs.writeFileSync(victim, 'not yours\n');
      h.before = snapshotTree(h.outside);
      fs.mkdirSync(path.join(h.ws, '.marginalia', 'annotations', 'corpus'), { recursive: true });
      fs.symlinkSync(victim, path.join(h.ws, SIDECAR));
      const list = cli(h.ws, 'list');
      assert.equal(list.code, 0);
      assert.match(
        list.stderr,
        new RegExp(`^marginalia: warning: ${SIDECAR.replace(/\./g, '\\.')}: could not read the sidecar: .*leads outside the workspace folder`),
      );
      const s = spanOf(h.ws, DOC, 'Vladimir Putin');
      const add = cli(h.ws, 'add', DOC, '--kind', 'claim', '--start', String(s.start), '--end', String(s.end));
      assert.equal(add.code, 2);
      assert.match(add.stderr, /leads outside the workspace folder/);
      assert.ok(fs.lstatSync(path.join(h.ws, SIDECAR)).isSymbolicLink(), 'the link is left as it is');
      unchangedOutside(h);
    });

    for (const format of ['yaml', 'w3c'] as const) {
      it(`marginalia import of a ${format === 'yaml' ? 'YAML export' : 'W3C JSON-LD export'} naming ../x, /etc/passwd, C:\\x or a symlink out is refused, naming the file; nothing is imported`, () => {
        const h = besideOutside();
        fs.symlinkSync(h.canary, path.join(h.ws, 'corpus', 'link.txt'));
        addOk(h.ws, DOC, 'Vladimir Putin');
        const exported = cli(h.ws, 'export', '--format', format);
        assert.equal(exported.code, 0);
        fs.rmSync(path.join(h.ws, '.marginalia'), { recursive: true });
        for (const bad of ['../outside/canary.txt', '/etc/passwd', 'C:\\x.txt', 'corpus/link.txt']) {
          const file = path.join(h.ws, `import.${format === 'yaml' ? 'yaml' : 'json'}`);
          const text =
            format === 'yaml'
              ? exported.stdout.replace(`  - path: ${DOC}`, `  - path: '${bad}'`)
              : exported.stdout.replace(`"urn:marginalia:doc:${DOC}"`, JSON.stringify(`urn:marginalia:doc:${bad}`));
          assert.notEqual(text, exported.stdout);
          fs.writeFileSync(file, text);
          const r = cli(h.ws, 'import', file);
          assert.equal(r.code, 2, `${bad}: ${r.stdout}`);
          assert.ok(r.stderr.startsWith(`marginalia: ${file}:`), `${bad}: ${r.stderr}`);
          assert.match(r.stderr, /outside the workspace|not a safe workspace-relative path|absolute path/);
          assert.equal(fs.existsSync(path.join(h.ws, '.marginalia')), false, `${bad}: nothing imported`);
        }
        unchangedOutside(h);
      });
    }

    it('marginalia add ../outside.txt (and an absolute path outside) is refused', () => {
      const h = besideOutside();
      const sub = path.join(h.ws, 'corpus');
      for (const [cwd, arg] of [
        [h.ws, '../outside/canary.txt'],
        [sub, '../../outside/canary.txt'],
        [h.ws, h.canary],
      ] as const) {
        const r = cli(cwd, 'add', arg, '--root', h.ws, '--kind', 'claim', '--start', '0', '--end', '6');
        assert.equal(r.code, 2, arg);
        assert.match(r.stderr, /^marginalia: .*(outside the workspace folder|leaves the workspace folder)/, r.stderr);
      }
      assert.equal(fs.existsSync(path.join(h.ws, '.marginalia')), false);
      unchangedOutside(h);
    });
  });

  describe('issue 5: awkward documents', () => {
    it('emoji: --start/--end splitting a surrogate pair is refused, whole characters are taken', () => {
      const ws = tempWorkspace();
      fs.writeFileSync(path.join(ws, 'corpus', 'emoji.txt'), 'Growth 😀 of 11 %\n');
      const r = cli(ws, 'add', 'corpus/emoji.txt', '--kind', 'claim', '--start', '8', '--end', '9');
      assert.equal(r.code, 2);
      assert.equal(r.stderr, 'marginalia: start 8 falls inside a character (a surrogate pair) of corpus/emoji.txt\n');
      const ok = cli(ws, 'add', 'corpus/emoji.txt', '--kind', 'claim', '--start', '7', '--end', '9', '--json');
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal((JSON.parse(ok.stdout) as { target: { quote: { exact: string } } }).target.quote.exact, '😀');
    });

    it('a 0-length selection is refused with a clear message', () => {
      const ws = tempWorkspace();
      const r = cli(ws, 'add', DOC, '--kind', 'claim', '--start', '10', '--end', '10');
      assert.equal(r.code, 2);
      assert.equal(r.stderr, 'marginalia: span 10-10 is empty: select at least one character\n');
    });

    it('binary files (NUL bytes, invalid UTF-8, a PNG named .md) are left out of the corpus listing with a reason, and add refuses them', () => {
      const ws = tempWorkspace();
      fs.writeFileSync(path.join(ws, 'corpus', 'nul.txt'), Buffer.from('text\0more\n'));
      fs.writeFileSync(path.join(ws, 'corpus', 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
      fs.writeFileSync(path.join(ws, 'corpus', 'image.md'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]));
      const docs = cli(ws, 'docs', '--json');
      assert.equal(docs.code, 0);
      const listed = JSON.parse(docs.stdout) as { documents: { doc: string }[]; skipped: { doc: string }[] };
      assert.deepEqual(
        listed.skipped.map((s) => s.doc),
        ['corpus/image.md', 'corpus/latin1.txt', 'corpus/nul.txt'],
      );
      assert.equal(listed.documents.length, 5);
      assert.equal(docs.stderr.split('\n').filter((l) => l.startsWith('marginalia: warning: corpus/')).length, 3);
      for (const [doc, why] of [
        ['corpus/nul.txt', 'looks like a binary file (it contains NUL bytes)'],
        ['corpus/latin1.txt', 'is not UTF-8 text'],
        ['corpus/image.md', 'looks like a binary file'],
      ]) {
        const r = cli(ws, 'add', doc, '--kind', 'claim', '--start', '0', '--end', '2');
        assert.equal(r.code, 2);
        assert.ok(r.stderr.startsWith(`marginalia: ${doc} ${why}`), r.stderr);
      }
      assert.equal(fs.existsSync(path.join(ws, '.marginalia', 'annotations')), false);
    });

    it('a 50 MB text file works through add, list, check (after an outside edit) and export, each in bounded time', function () {
      this.timeout(120_000);
      const ws = tempWorkspace(false);
      const line = 'The budget of 11.2 trillion roubles was approved by the Duma in Moscow today.\n';
      const text = line.repeat(Math.ceil((50 * 1024 * 1024) / line.length));
      fs.mkdirSync(path.join(ws, 'corpus'));
      fs.writeFileSync(path.join(ws, 'corpus', 'big.txt'), text);
      const timed = (...args: string[]): { code: number; stdout: string; stderr: string; ms: number } => {
        const t0 = Date.now();
        const r = cli(ws, ...args);
        return { ...r, ms: Date.now() - t0 };
      };
      const near = text.length - line.length * 3 + 4;
      const adds = [
        timed('add', 'corpus/big.txt', '--kind', 'claim', '--start', '4', '--end', '10'),
        timed('add', 'corpus/big.txt', '--kind', 'claim', '--start', String(near), '--end', String(near + 6)),
      ];
      for (const r of adds) assert.equal(r.code, 0, r.stderr);
      const list = timed('list', '--json');
      assert.equal((JSON.parse(list.stdout) as unknown[]).length, 2);
      fs.writeFileSync(path.join(ws, 'corpus', 'big.txt'), 'A new first line.\n' + text + 'A new last line.\n');
      const check = timed('check', '--write');
      assert.equal(check.code, 0, check.stdout + check.stderr);
      assert.match(check.stdout, /2 annotations in 1 document: 0 unchanged, 2 re-anchored, 0 orphaned; 2 saved/);
      const exported = timed('export');
      assert.equal(exported.code, 0);
      assert.equal((exported.stdout.match(/exact: budget/g) ?? []).length, 2);
      const times = { add: adds.map((r) => r.ms), list: list.ms, check: check.ms, export: exported.ms };
      for (const ms of [...times.add, times.list, times.check, times.export]) assert.ok(ms < 20_000, `each command within 20 s: ${JSON.stringify(times)}`);
      console.log(`      50 MB document: ${JSON.stringify(times)} ms`);
      fs.rmSync(ws, { recursive: true, force: true }); // 100 MB with its snapshot; kept when an assertion fails
    });
  });
});
