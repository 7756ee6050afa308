// Hangs and crashes found by the adversarial round, through the real CLI process: each case as its own test, on a
// temporary copy of the sample corpus (the core half is test/unit/hangs.test.ts). Every run has a time limit, so a
// case that hangs fails here instead of stalling the suite.
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BIN, type CliResult, spanOf, tempWorkspace } from './cliHarness';
import { createAnnotation } from '../../src/core/model';
import { defaultCodebook, findKind, serializeSidecar } from '../../src/core/store';

const DOC = 'corpus/000_66ca398fea36cc01.txt';
const OTHER = 'corpus/001_7b613edff552618b.txt';
const KIND = findKind(defaultCodebook(), 'claim')!;

/** The CLI, killed after `timeoutMs` (a hang shows as code -1 and a message saying so). */
function run(cwd: string, ...args: string[]): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 20_000,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, MARGINALIA_AUTHOR: 'Test Author' },
  });
  if (r.error || r.signal) return { code: -1, stdout: r.stdout ?? '', stderr: `killed after 20 s (${r.signal ?? r.error?.message}): it hung` };
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function addOk(ws: string, doc: string, quote: string): string {
  const s = spanOf(ws, doc, quote);
  const r = run(ws, 'add', doc, '--kind', 'claim', '--start', String(s.start), '--end', String(s.end), '--json');
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { id: string }).id;
}

/** A workspace where DOC and OTHER have one annotation each. */
function annotated(): { ws: string; docId: string; otherId: string } {
  const ws = tempWorkspace();
  return { ws, docId: addOk(ws, DOC, 'Article Source'), otherId: addOk(ws, OTHER, 'Credited from') };
}

function sidecarOf(ws: string, doc: string): string {
  return path.join(ws, '.marginalia', 'annotations', ...doc.split('/')) + '.yaml';
}

/** Every hidden leftover of a save (lock, temporary or stale file) under the store. */
function leftovers(ws: string): string[] {
  const dir = path.join(ws, '.marginalia');
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(tmp|stale)$/.test(f) || /\.lock$/.test(f));
}

describe('CLI hangs and crashes: FIFOs', () => {
  it('add on a FIFO .txt, and on a link to one: exit 2 at once, naming it, nothing written', () => {
    const ws = tempWorkspace();
    execFileSync('mkfifo', [path.join(ws, 'corpus', 'pipe.txt')]);
    fs.symlinkSync('pipe.txt', path.join(ws, 'corpus', 'link.txt'));
    for (const doc of ['corpus/pipe.txt', 'corpus/link.txt']) {
      const r = run(ws, 'add', doc, '--kind', 'claim', '--start', '0', '--end', '1');
      assert.equal(r.code, 2, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(`marginalia: ${doc.replace('.', '\\.')} is a named pipe \\(FIFO\\), not a regular file; Marginalia reads only regular files`),
      );
    }
    assert.equal(fs.existsSync(path.join(ws, '.marginalia', 'annotations')), false);
  });

  it('check and export with an annotated document replaced by a FIFO: the FIFO is reported, the rest goes on (exit 1)', () => {
    const { ws, otherId } = annotated();
    fs.rmSync(path.join(ws, DOC));
    execFileSync('mkfifo', [path.join(ws, DOC)]);
    const check = run(ws, 'check');
    assert.equal(check.code, 1, check.stderr);
    assert.match(check.stderr, /warning: corpus\/000_66ca398fea36cc01\.txt is a named pipe \(FIFO\)/);
    assert.match(check.stdout, new RegExp(otherId));
    const exported = run(ws, 'export', '--format', 'csv');
    assert.equal(exported.code, 1, exported.stderr);
    assert.match(exported.stdout, new RegExp(otherId));
  });

  it('add, and import, when the sidecar or the imported file is a FIFO: exit 2 naming it', () => {
    const { ws } = annotated();
    const sidecar = sidecarOf(ws, DOC);
    fs.rmSync(sidecar);
    execFileSync('mkfifo', [sidecar]);
    const r = run(ws, 'add', DOC, '--kind', 'claim', '--start', '0', '--end', '7');
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /000_66ca398fea36cc01\.txt\.yaml: could not read the sidecar: .* is a named pipe \(FIFO\)/);
    execFileSync('mkfifo', [path.join(ws, 'in.yaml')]);
    const imported = run(ws, 'import', 'in.yaml');
    assert.equal(imported.code, 2, imported.stderr);
    assert.match(imported.stderr, /in\.yaml is a named pipe \(FIFO\), not a regular file/);
  });
});

describe('CLI hangs and crashes: one unreadable annotated document', () => {
  const spoil: [string, (file: string) => void, RegExp][] = [
    ['holds a NUL byte', (f) => fs.writeFileSync(f, 'Article Source\0 binary'), /looks like a binary file \(it contains NUL bytes\)/],
    ['is not UTF-8', (f) => fs.writeFileSync(f, Buffer.from([0x41, 0x72, 0x74, 0xe9, 0x20])), /is not UTF-8 text/],
    ['is a folder', (f) => fs.mkdirSync(f), /is a folder, not a file/],
  ];
  for (const [what, make, reason] of spoil) {
    it(`a document that ${what}: check, check --write and every export report it and go on with the rest (exit 1)`, () => {
      const { ws, docId, otherId } = annotated();
      const file = path.join(ws, DOC);
      fs.rmSync(file);
      make(file);
      const before = fs.readFileSync(sidecarOf(ws, DOC), 'utf8');
      const expected = new RegExp(`marginalia: warning: corpus/000_66ca398fea36cc01\\.txt ${reason.source}`);
      for (const args of [['check'], ['check', '--write']]) {
        const r = run(ws, ...args);
        assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, expected);
        assert.match(r.stderr, /Its annotation is not checked and stays as it is\./);
        assert.match(r.stdout, new RegExp(`${otherId}  claim .* exact`));
        assert.doesNotMatch(r.stdout, new RegExp(docId));
      }
      assert.equal(fs.readFileSync(sidecarOf(ws, DOC), 'utf8'), before, 'its sidecar is left as it was');
      for (const format of ['yaml', 'w3c', 'csv', 'brat']) {
        const out = path.join(ws, 'out', format);
        const r = run(ws, 'export', '--format', format, '--out', format === 'brat' ? out : `${out}.${format}`);
        assert.equal(r.code, 1, `${format}: ${r.stderr}`);
        assert.match(r.stderr, expected);
        assert.match(r.stderr, /Its 1 annotation is exported without its text, as for a missing document\./);
      }
      const yaml = fs.readFileSync(path.join(ws, 'out', 'yaml.yaml'), 'utf8');
      assert.ok(yaml.includes(docId) && yaml.includes(otherId), 'the YAML backup keeps both annotations');
      assert.ok(fs.readFileSync(path.join(ws, 'out', 'csv.csv'), 'utf8').includes(otherId));
    });
  }
});

describe('CLI hangs and crashes: a snapshot linked out of the workspace', () => {
  it('check reports it and goes on (exit 1); restore reports it and falls back to an older snapshot, or refuses clearly', () => {
    const ws = tempWorkspace();
    const file = path.join(ws, DOC);
    const original = fs.readFileSync(file, 'utf8');
    addOk(ws, DOC, 'Article Source');
    fs.writeFileSync(file, 'Changed. ' + original);
    addOk(ws, DOC, 'Changed');
    const snapshots = path.join(ws, '.marginalia', 'snapshots');
    const newest = fs
      .readdirSync(snapshots, { recursive: true, encoding: 'utf8' })
      .find((f) => f.endsWith('.txt') && fs.readFileSync(path.join(snapshots, f), 'utf8').startsWith('Changed. '))!;
    const secret = path.join(path.dirname(ws), `${path.basename(ws)}-secret.txt`);
    fs.writeFileSync(secret, 'token=hunter2');
    fs.rmSync(path.join(snapshots, newest));
    fs.symlinkSync(secret, path.join(snapshots, newest));

    const check = run(ws, 'check');
    assert.equal(check.code, 1, check.stderr);
    assert.match(
      check.stderr,
      /warning: \.marginalia\/snapshots\/.*\.txt leads outside the workspace folder \(through a symbolic link to .*secret\.txt\); this snapshot is passed over as a missing one/,
    );
    assert.match(check.stdout, /2 annotations in 1 document/);

    fs.rmSync(file);
    const restore = run(ws, 'restore', DOC);
    assert.equal(restore.code, 0, restore.stderr);
    assert.match(restore.stderr, /leads outside the workspace folder/);
    assert.equal(fs.readFileSync(file, 'utf8'), original, 'restored from the older snapshot');
    fs.rmSync(secret);
  });
});

describe('CLI hangs and crashes: a sidecar with a 10 MB note', () => {
  it('loads: list and export show the whole note', () => {
    const ws = tempWorkspace();
    const text = fs.readFileSync(path.join(ws, DOC), 'utf8');
    const note = 'N' + 'ote text, long: #1 '.repeat(10_000_000 / 19);
    const a = createAnnotation(text, { doc: DOC, kind: 'claim', start: 0, end: 14, note, author: 'Test' }, KIND, new Date());
    fs.mkdirSync(path.dirname(sidecarOf(ws, DOC)), { recursive: true });
    fs.writeFileSync(sidecarOf(ws, DOC), serializeSidecar(DOC, [a]));
    const list = run(ws, 'list', '--json');
    assert.equal(list.code, 0, list.stderr);
    assert.equal((JSON.parse(list.stdout) as { note: string }[])[0].note, note);
    const exported = run(ws, 'export', '--out', 'backup.yaml');
    assert.equal(exported.code, 0, exported.stderr);
    assert.ok(fs.statSync(path.join(ws, 'backup.yaml')).size > 10_000_000);
  });
});

describe('CLI hangs and crashes: long names', () => {
  it('a document named with 80 CJK characters (244 bytes) can be annotated, checked and exported; nothing is left behind', () => {
    const ws = tempWorkspace();
    const doc = `corpus/${'文'.repeat(80)}.txt`;
    fs.writeFileSync(path.join(ws, doc), 'The committee approved the budget.\n');
    const id = addOk(ws, doc, 'committee');
    assert.equal(run(ws, 'check', '--write').code, 0);
    assert.match(run(ws, 'export', '--format', 'csv').stdout, new RegExp(id));
    assert.deepEqual(leftovers(ws), []);
  });

  it('a document name too long for its sidecar (251 bytes or more) is refused with what to do (exit 2)', () => {
    const ws = tempWorkspace();
    const doc = `corpus/${'文'.repeat(83)}.txt`; // 253 bytes: the sidecar name would be 258
    fs.writeFileSync(path.join(ws, doc), 'The committee approved the budget.\n');
    const r = run(ws, 'add', doc, '--kind', 'claim', '--start', '4', '--end', '13');
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /cannot be annotated: its name is too long for a sidecar beside it \(.*\.txt\.yaml would be 258 bytes, over the 255 a file name can have\); rename the document to at most 250 bytes/,
    );
    assert.deepEqual(leftovers(ws), []);
  });

  it('an import naming a document with a name over 255 bytes, a path over PATH_MAX or a folder ("corpus/"): exit 2, nothing imported', () => {
    const { ws, otherId } = annotated();
    assert.equal(run(ws, 'export', '--out', 'backup.yaml').code, 0);
    // A new annotation (an id the workspace does not hold): an import would otherwise follow its id to the document
    // it lives on now, and never need the hostile path.
    const backup = fs.readFileSync(path.join(ws, 'backup.yaml'), 'utf8').replace(otherId, `${otherId.slice(0, -4)}ZZZZ`);
    const cases: [string, RegExp][] = [
      [
        `corpus/${'b'.repeat(300)}.txt`,
        /is too long for the file system \(a name of 304 bytes, over the 255 a file name can have\); use a shorter path; nothing was imported/,
      ],
      [
        `corpus/${Array.from({ length: 25 }, () => 'c'.repeat(200)).join('/')}.txt`,
        /is too long for the file system \(\d+ bytes in all\); use a shorter path; nothing was imported/,
      ],
      // A folder is no corpus document: refused by name before anything is opened.
      ['corpus/', /hostile\.yaml: document corpus is refused: corpus is not a corpus document .*; nothing was imported/],
    ];
    const sidecars = fs.readdirSync(path.join(ws, '.marginalia'), { recursive: true, encoding: 'utf8' }).sort();
    for (const [docPath, message] of cases) {
      fs.writeFileSync(path.join(ws, 'hostile.yaml'), backup.replace(`path: ${OTHER}`, `path: ${docPath}`));
      const r = run(ws, 'import', 'hostile.yaml');
      assert.equal(r.code, 2, `${docPath.slice(0, 40)}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.deepEqual(fs.readdirSync(path.join(ws, '.marginalia'), { recursive: true, encoding: 'utf8' }).sort(), sidecars);
    }
  });
});

describe('CLI hangs and crashes: a lock file that is a folder', () => {
  it('add exits 2 at once with what to do; no .stale or temporary file is left, and the folder is kept', () => {
    const { ws } = annotated();
    const lock = path.join(path.dirname(sidecarOf(ws, DOC)), `.${path.basename(sidecarOf(ws, DOC))}.lock`);
    fs.mkdirSync(lock);
    fs.writeFileSync(path.join(lock, 'kept.txt'), 'kept');
    const before = fs.readFileSync(sidecarOf(ws, DOC), 'utf8');
    const r = run(ws, 'add', DOC, '--kind', 'claim', '--start', '0', '--end', '7');
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /\.000_66ca398fea36cc01\.txt\.yaml\.lock is a folder, where Marginalia keeps the lock file of a save; the annotations were not saved\. Remove it and try again/,
    );
    assert.equal(fs.readFileSync(sidecarOf(ws, DOC), 'utf8'), before);
    assert.deepEqual(leftovers(ws), [path.relative(path.join(ws, '.marginalia'), lock)]);
    assert.equal(fs.readFileSync(path.join(lock, 'kept.txt'), 'utf8'), 'kept');
  });
});
