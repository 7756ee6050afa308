// Clear errors and fair waiting, through the real CLI process: writers waiting their turn never fail, a lock held
// for too long is a user error naming the file, the process and what to do, stale locks never stall, and every
// problem a person can act on (odd line endings, absurd nesting, permissions, the wrong import format) exits 2 with a
// true message, never 3 "unexpected error".
import * as assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { BIN, cli, tempWorkspace, type CliResult } from './cliHarness';

const DOC = 'corpus/000_66ca398fea36cc01.txt';
const SIDECAR = `.marginalia/annotations/${DOC}.yaml`;
const LOCK = `.marginalia/annotations/corpus/.000_66ca398fea36cc01.txt.yaml.lock`;

function userError(r: CliResult, pattern: RegExp): void {
  assert.equal(r.code, 2, `exit 2 for a user error; stderr:\n${r.stderr}`);
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /unexpected error|\n\s+at /);
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line:\n${r.stderr}`);
}

/** The CLI with extra environment variables (and, as root, as another user, so that permissions apply). */
function cliWith(ws: string, env: NodeJS.ProcessEnv, args: string[], asUser?: { uid: number; gid: number }): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ws,
    encoding: 'utf8',
    env: { ...process.env, MARGINALIA_AUTHOR: 'Test Author', ...env },
    ...asUser,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function addAt(ws: string, start: number, env: NodeJS.ProcessEnv = {}): CliResult {
  return cliWith(ws, env, ['add', DOC, '--kind', 'claim', '--start', String(start), '--end', String(start + 5), '--json']);
}

function storedIds(ws: string): string[] {
  return (parse(fs.readFileSync(path.join(ws, SIDECAR), 'utf8')) as { annotations: { id: string }[] }).annotations.map((a) => a.id).sort();
}

/** A process that lives until killed: a live holder of a lock. */
function liveProcess(): ChildProcess {
  return spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
}

describe('CLI: clear errors, fair waiting', function () {
  this.timeout(180_000);

  describe('the lock', () => {
    it('50 marginalia add processes at once on one document: every one succeeds and all 50 annotations are stored', async () => {
      const ws = tempWorkspace();
      const N = 50;
      const runs = Array.from(
        { length: N },
        (_, i) =>
          new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
            const child = spawn(process.execPath, [BIN, 'add', DOC, '--kind', 'claim', '--start', String(i * 7), '--end', String(i * 7 + 5), '--json'], {
              cwd: ws,
              env: { ...process.env, MARGINALIA_AUTHOR: `writer ${i}` },
            });
            let out = '';
            let err = '';
            child.stdout.on('data', (d: Buffer) => (out += d.toString()));
            child.stderr.on('data', (d: Buffer) => (err += d.toString()));
            // 'close', not 'exit': the process can exit before its output has all been read.
            child.on('close', (code) => resolve({ code, out, err }));
          }),
      );
      const results = await Promise.all(runs);
      assert.deepEqual(
        results.filter((r) => r.code !== 0).map((r) => r.err),
        [],
        'no writer failed',
      );
      const added = results.map((r) => (JSON.parse(r.out) as { id: string }).id).sort();
      assert.equal(new Set(added).size, N);
      assert.deepEqual(storedIds(ws), added);
      assert.deepEqual(
        fs.readdirSync(path.join(ws, '.marginalia', 'annotations', 'corpus')),
        ['000_66ca398fea36cc01.txt.yaml'],
        'no lock or temporary file left',
      );
    });

    it('a lock a live process never releases: exit 2 naming the file, the process and what to do; the lock is not broken', async () => {
      const ws = tempWorkspace();
      assert.equal(addAt(ws, 0).code, 0);
      const holder = liveProcess();
      try {
        const record = JSON.stringify({ pid: holder.pid, host: os.hostname(), nonce: 'held-forever' });
        fs.writeFileSync(path.join(ws, LOCK), record);
        const r = addAt(ws, 10, { MARGINALIA_LOCK_TIMEOUT_MS: '1500' });
        userError(
          r,
          new RegExp(`000_66ca398fea36cc01\\.txt\\.yaml is locked by process ${holder.pid}, which is still running, and it has held the lock for over 1\\.5 s`),
        );
        assert.match(
          r.stderr,
          /wait for that process to finish \(or stop it\), then try again\. If it is not a Marginalia process, delete .*\.000_66ca398fea36cc01\.txt\.yaml\.lock/,
        );
        assert.equal(fs.readFileSync(path.join(ws, LOCK), 'utf8'), record, 'a live holder keeps its lock');
        assert.equal(storedIds(ws).length, 1, 'nothing written');
      } finally {
        holder.kill();
      }
    });

    for (const [label, content] of [
      ['garbage', 'not a lock record'],
      ['pid -1', JSON.stringify({ pid: -1, host: os.hostname(), nonce: 'x' })],
      ['a dead process', JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname(), nonce: 'dead' })],
    ] as const) {
      it(`a stale lock (${label}) is broken at once: add succeeds well within a short lock timeout`, () => {
        const ws = tempWorkspace();
        assert.equal(addAt(ws, 0).code, 0);
        fs.writeFileSync(path.join(ws, LOCK), content);
        // Were such a lock waited for, the 3 s timeout would fail this add.
        const r = addAt(ws, 10, { MARGINALIA_LOCK_TIMEOUT_MS: '3000' });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(storedIds(ws).length, 2);
        assert.equal(fs.existsSync(path.join(ws, LOCK)), false);
      });
    }
  });

  describe('files a person can fix', () => {
    it('a sidecar with CR-only line endings loads (YAML counts a lone CR as a line break), and the next add rewrites it with LF', () => {
      const ws = tempWorkspace();
      const first = JSON.parse(addAt(ws, 0).stdout) as { id: string };
      const file = path.join(ws, SIDECAR);
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/\n/g, '\r'));
      const list = cli(ws, 'list', '--json');
      assert.equal(list.code, 0, list.stderr);
      assert.equal(list.stderr, '', 'no warning: the file is not empty');
      assert.deepEqual(
        (JSON.parse(list.stdout) as { id: string }[]).map((a) => a.id),
        [first.id],
      );
      assert.equal(addAt(ws, 10).code, 0);
      assert.equal(storedIds(ws).length, 2);
      assert.doesNotMatch(fs.readFileSync(file, 'utf8'), /\r/);
    });

    it('a deeply nested block YAML sidecar is refused with exit 2, its file and line, and the true reason', () => {
      const ws = tempWorkspace();
      assert.equal(addAt(ws, 0).code, 0);
      const deep = 'version: 1\ndocument: x\nannotations:\n' + Array.from({ length: 3000 }, (_, i) => '  '.repeat(i + 1) + '-\n').join('');
      fs.writeFileSync(path.join(ws, SIDECAR), deep);
      const r = addAt(ws, 10);
      userError(
        r,
        new RegExp(
          `^marginalia: ${SIDECAR.replace(/\./g, '\\.')}:\\d+:\\d+: values are nested more than 256 deep, which no Marginalia file needs; restore the file from git`,
        ),
      );
      assert.equal(fs.readFileSync(path.join(ws, SIDECAR), 'utf8'), deep, 'left as it is');
    });

    it('permission denied (EACCES) reading a document or writing a sidecar: exit 2 naming the file and what to do', function () {
      const ws = tempWorkspace();
      assert.equal(addAt(ws, 0).code, 0);
      // As root, permissions do not apply: the CLI runs as nobody, on a workspace everyone may read and write.
      const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;
      if (asUser) spawnSync('chmod', ['-R', 'a+rwX', ws]);
      const folder = path.join(ws, '.marginalia', 'annotations', 'corpus');
      fs.chmodSync(folder, 0o555);
      try {
        const write = cliWith(ws, {}, ['add', DOC, '--kind', 'claim', '--start', '10', '--end', '15'], asUser);
        userError(write, /permission denied; check the permissions of the file and its folder \(ls -l\), or run as a user allowed to use them \[EACCES/);
        assert.match(write.stderr, /\.marginalia\/annotations\/corpus \(the folder where 000_66ca398fea36cc01\.txt\.yaml is saved\): permission denied/);
      } finally {
        fs.chmodSync(folder, 0o777);
      }
      fs.chmodSync(path.join(ws, DOC), 0o000);
      try {
        const read = cliWith(ws, {}, ['add', DOC, '--kind', 'claim', '--start', '10', '--end', '15'], asUser);
        userError(read, /000_66ca398fea36cc01\.txt.*permission denied/);
      } finally {
        fs.chmodSync(path.join(ws, DOC), 0o666);
      }
      assert.equal(storedIds(ws).length, 1, 'nothing written');
    });
  });

  describe('import tells the formats apart', () => {
    it('import of a CSV that is not a Marginalia export says what is wrong with it as CSV, not as YAML', () => {
      const ws = tempWorkspace();
      fs.writeFileSync(path.join(ws, 'x.csv'), 'a,b\n1,2\n');
      const r = cli(ws, 'import', 'x.csv');
      userError(r, /x\.csv:1:1: unknown column "a" \(a typo, or not a Marginalia CSV\?\)/);
      assert.doesNotMatch(r.stderr, /YAML|restore the file from git/);
    });

    it('import of a file in a format it does not read (brat .ann, an unknown extension) names the formats it reads', () => {
      const ws = tempWorkspace();
      fs.writeFileSync(path.join(ws, 'x.ann'), 'T1\tclaim 0 5\tArtic\n');
      userError(
        cli(ws, 'import', 'x.ann'),
        /cannot read x\.ann: it is a brat file; import reads a Marginalia YAML export \(\.yaml, \.yml\), a W3C JSON-LD collection \(\.jsonld, \.json\), a Marginalia CSV export \(\.csv\) or a REFI-QDA project \(\.qdpx\) or codebook \(\.qdc\)/,
      );
      fs.writeFileSync(path.join(ws, 'notes'), 'just some text\n');
      userError(cli(ws, 'import', 'notes'), /cannot read notes: it is in none of the formats it knows/);
    });

    it('import of a YAML export that is not valid YAML says to export again, not to restore it from git', () => {
      const ws = tempWorkspace();
      fs.writeFileSync(path.join(ws, 'x.yaml'), 'format: marginalia-export\nversion: 1\ndocuments: [\n');
      const r = cli(ws, 'import', 'x.yaml');
      userError(r, /x\.yaml:\d+:\d+: not valid YAML: .*export it again with `marginalia export`/);
      assert.doesNotMatch(r.stderr, /restore the file from git/);
    });

    it('a CSV export imports back into an empty workspace with the same annotations', () => {
      const ws = tempWorkspace();
      const ids = [0, 10, 20].map((s) => (JSON.parse(addAt(ws, s).stdout) as { id: string }).id).sort();
      const out = path.join(os.tmpdir(), `marginalia-export-${process.pid}-${Date.now()}.csv`);
      assert.equal(cli(ws, 'export', '--format', 'csv', '--out', out).code, 0);
      const empty = tempWorkspace();
      const r = cli(empty, 'import', out);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /imported 3 annotations of 1 document/);
      assert.deepEqual(storedIds(empty), ids);
      fs.rmSync(out, { force: true });
    });
  });
});
