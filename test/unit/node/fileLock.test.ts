// The cross-process file lock: waiting is measured per holder (a queue of writers never times out), a live holder is
// never broken, and stale locks (garbage, impossible pids, another host's lock whose heartbeat stopped) are broken
// at once or within a stated bound.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LockTimeoutError, breakLock, inspect, lockFileFor, withFileLock } from '../../../src/node';
import { UserError } from '../../../src/core/model';

function tempTarget(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'marginalia-lock-'));
  return path.join(dir, 'x.yaml');
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('withFileLock', () => {
  it('a queue of writers longer than the timeout: every one gets its turn, because the timeout is per holder', async () => {
    const target = tempTarget();
    const order: number[] = [];
    let inside = 0;
    // 12 writers of 60 ms each wait up to 720 ms in all, against a timeout of 300 ms.
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        withFileLock(
          target,
          async () => {
            inside++;
            assert.equal(inside, 1, 'one holder at a time');
            await sleep(60);
            order.push(i);
            inside--;
          },
          { timeoutMs: 300 },
        ),
      ),
    );
    assert.equal(order.length, 12);
    assert.equal(fs.existsSync(lockFileFor(target)), false);
    assert.deepEqual(fs.readdirSync(path.dirname(target)), [], 'no temporary file left');
  });

  it('a live holder is never broken: the waiter fails with a LockTimeoutError (a UserError) naming the file, the process and what to do', async () => {
    const target = tempTarget();
    const record = JSON.stringify({ pid: process.pid, host: os.hostname(), nonce: 'someone-else' });
    fs.writeFileSync(lockFileFor(target), record);
    fs.utimesSync(lockFileFor(target), new Date(Date.now() - 3600_000), new Date(Date.now() - 3600_000)); // old, but alive
    await assert.rejects(
      withFileLock(target, async () => 'ran', { timeoutMs: 300 }),
      (e: unknown) =>
        e instanceof LockTimeoutError &&
        e instanceof UserError &&
        e.file === lockFileFor(target) &&
        e.message ===
          `x.yaml is locked by process ${process.pid}, which is still running, and it has held the lock for over 0.3 s without finishing its save; wait for that process to finish (or stop it), then try again. If it is not a Marginalia process, delete ${lockFileFor(target)}`,
    );
    assert.equal(fs.readFileSync(lockFileFor(target), 'utf8'), record, 'left in place');
  });

  for (const [label, content] of [
    ['garbage', '%%% not json'],
    ['pid -1', JSON.stringify({ pid: -1, host: os.hostname(), nonce: 'n' })],
    ['pid 0', JSON.stringify({ pid: 0, host: os.hostname(), nonce: 'n' })],
    ['a pid that is not a number', JSON.stringify({ pid: '12', host: os.hostname(), nonce: 'n' })],
    ['no host', JSON.stringify({ pid: process.pid, nonce: 'n' })],
  ] as const) {
    it(`a lock that is not a lock record (${label}) is broken at once`, async () => {
      const target = tempTarget();
      fs.writeFileSync(lockFileFor(target), content);
      // A wait of any length would fail against this timeout.
      assert.equal(await withFileLock(target, async () => 'ran', { timeoutMs: 50 }), 'ran');
      assert.equal(fs.existsSync(lockFileFor(target)), false);
    });
  }

  it('an empty lock is given a second to be written (file systems without hard links), then broken', async () => {
    const target = tempTarget();
    fs.writeFileSync(lockFileFor(target), '');
    await assert.rejects(
      withFileLock(target, async () => 'ran', { timeoutMs: 300 }),
      LockTimeoutError,
      'a fresh empty lock is waited for',
    );
    fs.utimesSync(lockFileFor(target), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    assert.equal(await withFileLock(target, async () => 'ran', { timeoutMs: 5000 }), 'ran');
  });

  it("another host's lock: broken once its time stamp stops moving for staleMs, kept while its holder refreshes it", async () => {
    const target = tempTarget();
    const lock = lockFileFor(target);
    const record = JSON.stringify({ pid: 4242, host: 'elsewhere.example', nonce: 'remote' });
    fs.writeFileSync(lock, record);
    const beat = setInterval(() => fs.utimesSync(lock, new Date(), new Date()), 30);
    try {
      await assert.rejects(
        withFileLock(target, async () => 'ran', { timeoutMs: 600, staleMs: 200 }),
        (e: unknown) => e instanceof LockTimeoutError && /process 4242 on elsewhere\.example, which is still refreshing its lock/.test(e.message),
      );
    } finally {
      clearInterval(beat);
    }
    assert.equal(fs.readFileSync(lock, 'utf8'), record, 'a refreshed lock is not broken');
    assert.equal(await withFileLock(target, async () => 'ran', { timeoutMs: 5000, staleMs: 200 }), 'ran', 'broken once the heartbeat stopped');
  });

  it("the holder refreshes its lock's time stamp while it holds it", async () => {
    const target = tempTarget();
    const lock = lockFileFor(target);
    const stamps: number[] = [];
    await withFileLock(
      target,
      async () => {
        fs.utimesSync(lock, new Date(0), new Date(0));
        stamps.push(fs.statSync(lock).mtimeMs);
        await sleep(250);
        stamps.push(fs.statSync(lock).mtimeMs);
      },
      { heartbeatMs: 40 },
    );
    assert.equal(stamps[0], 0);
    assert.ok(stamps[1] > 0, 'refreshed');
  });

  describe('breaking a stale lock', () => {
    const DEAD = 2 ** 22 + 4321;
    const record = (pid: number, nonce: string): string => JSON.stringify({ pid, host: os.hostname(), nonce });

    it('removes the lock that was judged stale, and leaves no guard behind', async () => {
      const lock = lockFileFor(tempTarget());
      fs.writeFileSync(lock, record(DEAD, 'dead'));
      const judged = await inspect(lock);
      await breakLock(lock, judged?.key ?? '');
      assert.deepEqual(fs.readdirSync(path.dirname(lock)), []);
    });

    it('a lock that changed hands after it was judged (the dead holder released, a live one took it) is kept, with no instant without it', async () => {
      const lock = lockFileFor(tempTarget());
      fs.writeFileSync(lock, record(DEAD, 'dead'));
      const judged = await inspect(lock);
      // Meanwhile the judged holder is gone and a live process holds the lock.
      fs.rmSync(lock);
      fs.writeFileSync(lock, record(process.pid, 'live'));
      const inode = fs.statSync(lock).ino;
      let seenMissing = false;
      const watching = setInterval(() => (seenMissing ||= !fs.existsSync(lock)), 0);
      await breakLock(lock, judged?.key ?? '');
      clearInterval(watching);
      assert.equal(fs.readFileSync(lock, 'utf8'), record(process.pid, 'live'));
      assert.equal(fs.statSync(lock).ino, inode, 'the same file: never moved aside and back');
      assert.equal(seenMissing, false);
      assert.deepEqual(fs.readdirSync(path.dirname(lock)), [path.basename(lock)]);
    });

    it('breakers take turns: while another breaks, nothing is removed; a guard left by a killed breaker is cleared', async () => {
      const lock = lockFileFor(tempTarget());
      fs.writeFileSync(lock, record(DEAD, 'dead'));
      const key = (await inspect(lock))?.key ?? '';
      fs.writeFileSync(`${lock}.break`, record(process.pid, 'breaking'));
      await breakLock(lock, key);
      assert.ok(fs.existsSync(lock), 'a live breaker is at work: left to it');
      assert.ok(fs.existsSync(`${lock}.break`));
      fs.writeFileSync(`${lock}.break`, record(DEAD, 'killed'));
      await breakLock(lock, key);
      assert.ok(!fs.existsSync(`${lock}.break`), "a dead breaker's guard is cleared");
      await breakLock(lock, key);
      assert.deepEqual(fs.readdirSync(path.dirname(lock)), []);
    });

    it('a dead holder behind a queue of live writers: every writer gets its turn alone', async () => {
      const target = tempTarget();
      fs.writeFileSync(lockFileFor(target), record(DEAD, 'dead'));
      let inside = 0;
      let most = 0;
      await Promise.all(
        Array.from({ length: 20 }, () =>
          withFileLock(target, async () => {
            most = Math.max(most, ++inside);
            await sleep(2);
            inside--;
          }),
        ),
      );
      assert.equal(most, 1);
      assert.deepEqual(fs.readdirSync(path.dirname(target)), []);
    });
  });
});
