// An exclusive lock on one file across processes (two `marginalia add` at once, the CLI while the extension writes),
// so that each writer's read-merge-write of a sidecar sees what the one before it wrote. The lock is a file beside
// the locked one, created with its content in one step (a hard link of a temporary file, which fails if the lock
// exists). A lock whose process is gone (killed in the middle of a save) or that is older than any write takes is
// stale and is broken.
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';

export interface LockOptions {
  /** How long to wait for another writer before giving up (ms). */
  timeoutMs?: number;
  /** A lock older than this is stale whoever holds it (ms): no sidecar write takes that long. */
  staleMs?: number;
}

/** Another process holds the lock for longer than we wait; the message says which and what to do. */
export class LockTimeoutError extends Error {
  constructor(
    readonly lockFile: string,
    message: string,
  ) {
    super(message);
  }
}

/** Something other than a lock file (a folder, a link) where the lock file should be: it is not ours to remove, so
 *  the write is refused with what to do. `file` names it (the CLI shows such errors as user errors). */
export class LockPathError extends Error {
  constructor(
    readonly file: string,
    what: string,
  ) {
    super(`${file} is ${what}, where Marginalia keeps the lock file of a save; the annotations were not saved. Remove it and try again`);
  }
}

interface Owner {
  pid: number;
  host: string;
  nonce: string;
}

/** The lock file of `abs`: a hidden file beside it, never taken for a sidecar (only *.yaml are). When that name and
 *  the temporary one made beside it (see tryCreate) would pass the 255 bytes a file name can have, a hash of the
 *  name stands in for it: `.<32 hex digits>.lock`, the same in every process. */
export function lockFileFor(abs: string): string {
  const base = path.basename(abs);
  const name = Buffer.byteLength(`.${base}.lock.${'0'.repeat(16)}.tmp`) > 255 ? `.${shortName(base)}.lock` : `.${base}.lock`;
  return path.join(path.dirname(abs), name);
}

/** A short stand-in for a file name too long to be extended: 32 hex digits of its SHA-256. */
export function shortName(base: string): string {
  return createHash('sha256').update(base).digest('hex').slice(0, 32);
}

/** Runs `fn` holding the lock of `abs` (its folder must exist); releases it however `fn` ends. */
export async function withFileLock<T>(abs: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const release = await acquire(lockFileFor(abs), options.timeoutMs ?? 30_000, options.staleMs ?? 20_000);
  try {
    return await fn();
  } finally {
    await release();
  }
}

async function acquire(lock: string, timeoutMs: number, staleMs: number): Promise<() => Promise<void>> {
  const me: Owner = { pid: process.pid, host: os.hostname(), nonce: randomBytes(8).toString('hex') };
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    if (await tryCreate(lock, me)) {
      return async () => {
        // Only our own lock is removed: if it was broken as stale meanwhile, the new holder's stays.
        const owner = await readOwner(lock);
        if (owner?.nonce === me.nonce) await fs.rm(lock, { force: true });
      };
    }
    const owner = await readOwner(lock);
    if (await isStale(lock, owner, staleMs)) {
      await breakLock(lock, owner);
      continue;
    }
    if (Date.now() - started > timeoutMs) {
      const who = owner ? `process ${owner.pid} on ${owner.host}` : 'another process';
      throw new LockTimeoutError(
        lock,
        `${who} has been saving ${path.basename(lock).slice(1, -'.lock'.length)} for over ${Math.round(timeoutMs / 1000)} s; ` +
          `try again, and if no Marginalia is running, delete ${lock}`,
      );
    }
    // Short randomised waits: a sidecar write takes milliseconds, and waiters should not move in step.
    await sleep(Math.min(100, 2 + attempt * 2) * (0.5 + Math.random()));
  }
}

/** Creates the lock with our owner record in one step; false when it exists. */
async function tryCreate(lock: string, me: Owner): Promise<boolean> {
  const tmp = `${lock}.${me.nonce}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(me));
  try {
    await fs.link(tmp, lock);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EXDEV') throw e;
    // A file system without hard links: exclusive create, then the record (a reader may briefly see it empty).
    try {
      await fs.writeFile(lock, JSON.stringify(me), { flag: 'wx' });
      return true;
    } catch (e2) {
      if ((e2 as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e2;
    }
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

async function readOwner(lock: string): Promise<Owner | undefined> {
  try {
    const o = JSON.parse(await fs.readFile(lock, 'utf8')) as Partial<Owner>;
    return typeof o.pid === 'number' && typeof o.host === 'string' && typeof o.nonce === 'string' ? (o as Owner) : undefined;
  } catch {
    return undefined;
  }
}

async function isStale(lock: string, owner: Owner | undefined, staleMs: number): Promise<boolean> {
  const st = await fs.lstat(lock).catch(() => undefined);
  if (!st) return false; // released meanwhile: just try again
  if (!st.isFile()) throw new LockPathError(lock, st.isDirectory() ? 'a folder' : st.isSymbolicLink() ? 'a symbolic link' : 'not a file');
  if (Date.now() - st.mtimeMs > staleMs) return true;
  if (owner && owner.host === os.hostname() && !isAlive(owner.pid)) return true;
  return false;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes a stale lock, unless it changed hands since it was judged: it is moved aside first, and put back when
 *  what was moved is not the lock that was judged stale. */
async function breakLock(lock: string, judged: Owner | undefined): Promise<void> {
  const aside = `${lock}.${randomBytes(8).toString('hex')}.stale`;
  try {
    await fs.rename(lock, aside);
  } catch {
    return; // someone else broke or released it
  }
  const moved = await readOwner(aside);
  if (moved !== undefined && moved.nonce !== judged?.nonce) {
    // A live holder's lock: give it back. (If yet another lock was made in that instant the link fails and two
    // writers proceed; the store's re-read just before it writes still keeps both sets of annotations.)
    await fs.link(aside, lock).catch(() => undefined);
  }
  await fs.rm(aside, { force: true });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
