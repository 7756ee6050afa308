// An exclusive lock on one file across processes (two `marginalia add` at once, the CLI while the extension writes),
// so that each writer's read-merge-write of a sidecar sees what the one before it wrote. The lock is a file beside
// the locked one, created with its content in one step (a hard link of a temporary file, which fails if the lock
// exists).
//
// Waiting is measured per holder, not per waiter: a waiter gives up only when one and the same holder has kept the
// lock for longer than the timeout. A queue of writers that each take their turn in milliseconds therefore never
// times out, however long the queue (150 `add`s at once on 2 cores take their turns one by one). A lock held by a
// live process on this machine is never broken, however slow it is. A lock is stale, and broken at once, when its
// process on this machine is gone, or when it is not a lock record at all (garbage, pid -1). A lock of another host
// (a shared network folder) cannot be checked by pid: its holder refreshes the lock's time stamp while it holds it, and
// a lock whose time stamp stops changing for `staleMs` (measured on the waiter's own clock) is stale.
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes, createHash } from 'node:crypto';
import { asUserError, UserError } from '../core/model';

export interface LockOptions {
  /** How long one holder may keep the lock before a waiter gives up (ms). Default: the environment variable
   *  MARGINALIA_LOCK_TIMEOUT_MS, else 30 s. */
  timeoutMs?: number;
  /** A lock of another host whose time stamp does not change for this long is stale (ms); default 10 s. */
  staleMs?: number;
  /** How often the holder refreshes its lock's time stamp (ms); default 1 s. */
  heartbeatMs?: number;
}

/** One holder kept the lock for longer than we wait; the message says which file, which process, and what to do. */
export class LockTimeoutError extends UserError {
  constructor(
    readonly lockFile: string,
    message: string,
  ) {
    super(message, { file: lockFile });
  }
}

/** Something other than a lock file (a folder, a link) where the lock file should be: it is not ours to remove, so
 *  the write is refused with what to do. `file` names it (the CLI shows such errors as user errors). */
export class LockPathError extends UserError {
  constructor(file: string, what: string) {
    super(`${file} is ${what}, where Marginalia keeps the lock file of a save; the annotations were not saved. Remove it and try again`, { file });
  }
}

interface Owner {
  pid: number;
  host: string;
  nonce: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_STALE_MS = 10_000;
const DEFAULT_HEARTBEAT_MS = 1_000;
/** An empty lock younger than this may be one being written (file systems without hard links create, then write). */
const EMPTY_GRACE_MS = 1_000;
/** A break takes milliseconds; a guard of another host older than this was left by a breaker that died. */
const GUARD_STALE_MS = 5_000;

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
  const release = await acquire(abs, lockFileFor(abs), {
    timeoutMs: options.timeoutMs ?? envTimeout() ?? DEFAULT_TIMEOUT_MS,
    staleMs: options.staleMs ?? DEFAULT_STALE_MS,
    heartbeatMs: options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
  });
  try {
    return await fn();
  } finally {
    await release();
  }
}

function envTimeout(): number | undefined {
  const v = process.env.MARGINALIA_LOCK_TIMEOUT_MS;
  return v !== undefined && /^\d+$/.test(v.trim()) ? Number(v) : undefined;
}

/** What a waiter has seen of the lock: who holds it, since when (on the waiter's clock), and its last time stamp. */
interface Seen {
  key: string;
  since: number;
  mtimeMs: number;
  mtimeSince: number;
}

async function acquire(abs: string, lock: string, o: Required<LockOptions>): Promise<() => Promise<void>> {
  const me: Owner = { pid: process.pid, host: os.hostname(), nonce: randomBytes(8).toString('hex') };
  // A short name beside the lock, whatever the length of the locked file's name.
  const tmp = path.join(path.dirname(lock), `.lock-${me.nonce}.tmp`);
  await fs.writeFile(tmp, JSON.stringify(me)).catch((e: unknown) => {
    // The lock is the first thing written: name the folder a save needs to write in, not the lock's temporary file.
    throw asUserError(e, `${path.dirname(lock)} (the folder where ${path.basename(abs)} is saved)`) ?? e;
  });
  let seen: Seen | undefined;
  try {
    for (let attempt = 0; ; attempt++) {
      if (await tryCreate(lock, tmp, me)) return holding(lock, me, o.heartbeatMs);
      const state = await inspect(lock);
      if (state === undefined) continue; // released meanwhile: try again at once
      const now = Date.now();
      if (seen === undefined || seen.key !== state.key) seen = { key: state.key, since: now, mtimeMs: state.mtimeMs, mtimeSince: now };
      else if (seen.mtimeMs !== state.mtimeMs) Object.assign(seen, { mtimeMs: state.mtimeMs, mtimeSince: now });
      if (isStale(state, seen, now, o.staleMs)) {
        await breakLock(lock, state.key);
        seen = undefined;
        continue;
      }
      if (now - seen.since > o.timeoutMs) throw new LockTimeoutError(lock, timeoutMessage(abs, lock, state.owner, o.timeoutMs));
      // Short randomised waits: a sidecar write takes milliseconds, and waiters should not move in step.
      await sleep(Math.min(50, 2 + attempt * 2) * (0.5 + Math.random()));
    }
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

/** Keeps the lock's time stamp fresh while it is held (so other hosts see it alive); returns the release. */
function holding(lock: string, me: Owner, heartbeatMs: number): () => Promise<void> {
  const timer = setInterval(() => {
    const t = new Date();
    fs.utimes(lock, t, t).catch(() => undefined);
  }, heartbeatMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    // Only our own lock is removed: if it was broken meanwhile, the new holder's stays.
    const state = await inspect(lock);
    if (state?.owner?.nonce === me.nonce) await fs.rm(lock, { force: true });
  };
}

/** Creates the lock with our owner record in one step; false when it exists. */
async function tryCreate(lock: string, tmp: string, me: Owner): Promise<boolean> {
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
  }
}

export interface LockState {
  /** Who holds it: the owner's nonce, or for a lock that is not a record, its inode and content. */
  key: string;
  owner?: Owner;
  /** The content is not a lock record (garbage, an impossible pid), or is empty. */
  invalid?: 'garbage' | 'empty';
  mtimeMs: number;
  ageMs: number;
}

/** The lock as it is now; undefined when there is none. */
export async function inspect(lock: string): Promise<LockState | undefined> {
  let text: string;
  let st;
  const kind = await fs.lstat(lock).catch(() => undefined);
  if (kind && !kind.isFile()) throw new LockPathError(lock, kind.isDirectory() ? 'a folder' : kind.isSymbolicLink() ? 'a symbolic link' : 'not a file');
  try {
    [text, st] = await Promise.all([fs.readFile(lock, 'utf8'), fs.stat(lock)]);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const base = { mtimeMs: st.mtimeMs, ageMs: Date.now() - st.mtimeMs };
  const owner = parseOwner(text);
  if (owner) return { ...base, key: owner.nonce, owner };
  return { ...base, key: `${st.ino}:${text}`, invalid: text.trim() === '' ? 'empty' : 'garbage' };
}

function parseOwner(text: string): Owner | undefined {
  try {
    const o = JSON.parse(text) as Partial<Owner>;
    const valid =
      Number.isSafeInteger(o.pid) && (o.pid as number) > 0 && typeof o.host === 'string' && o.host !== '' && typeof o.nonce === 'string' && o.nonce !== '';
    return valid ? (o as Owner) : undefined;
  } catch {
    return undefined;
  }
}

function isStale(state: LockState, seen: Seen, now: number, staleMs: number): boolean {
  if (state.invalid === 'garbage') return true;
  if (state.invalid === 'empty') return state.ageMs > EMPTY_GRACE_MS && now - seen.since > EMPTY_GRACE_MS;
  const owner = state.owner as Owner;
  if (owner.host === os.hostname()) return !isAlive(owner.pid);
  // Another host: alive as long as its holder keeps the time stamp moving.
  return now - seen.mtimeSince > staleMs;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function timeoutMessage(abs: string, lock: string, owner: Owner | undefined, timeoutMs: number): string {
  const s = timeoutMs % 1000 === 0 ? String(timeoutMs / 1000) : (timeoutMs / 1000).toFixed(1);
  const file = path.basename(abs);
  if (owner === undefined) {
    return `${file} is locked by ${lock}, which has been empty for over ${s} s; if no Marginalia is running, delete ${lock} and try again`;
  }
  const where =
    owner.host === os.hostname() ? `process ${owner.pid}, which is still running` : `process ${owner.pid} on ${owner.host}, which is still refreshing its lock`;
  return (
    `${file} is locked by ${where}, and it has held the lock for over ${s} s without finishing its save; ` +
    `wait for that process to finish (or stop it), then try again. If it is not a Marginalia process, delete ${lock}`
  );
}

/**
 * Removes a stale lock, but only the lock that was judged stale. Breakers take turns through a guard file beside the
 * lock: under it the lock is looked at again and removed only when it still has the judged key. Nobody else can
 * change such a lock meanwhile (its holder is gone, and a new holder can only create a lock once it is removed), so
 * a live holder's lock is never taken away. Moving the lock aside and putting it back instead left an instant with no
 * lock, in which a third process could take it while its holder was still writing: two writers at once, and one
 * writer's annotation lost (seen with 50 `add`s at once on 2 busy cores, where a holder may release and exit between
 * a waiter's read of its record and the waiter's check of its pid).
 */
export async function breakLock(lock: string, judgedKey: string): Promise<void> {
  const guard = `${lock}.break`;
  const me = JSON.stringify({ pid: process.pid, host: os.hostname(), nonce: randomBytes(8).toString('hex') });
  try {
    await fs.writeFile(guard, me, { flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    await clearStaleGuard(guard);
    return; // another process is breaking it: look again
  }
  try {
    const now = await inspect(lock);
    if (now?.key === judgedKey) await fs.rm(lock, { force: true });
  } finally {
    await fs.rm(guard, { force: true });
  }
}

/** A guard left by a breaker that died in the middle (a kill): removed once its process is gone, or, for another
 *  host's, once it is older than a break could take. */
async function clearStaleGuard(guard: string): Promise<void> {
  const [text, st] = await Promise.all([fs.readFile(guard, 'utf8'), fs.stat(guard)]).catch(() => [undefined, undefined] as const);
  if (text === undefined || st === undefined) return;
  const owner = parseOwner(text);
  const gone = owner !== undefined && owner.host === os.hostname() ? !isAlive(owner.pid) : Date.now() - st.mtimeMs > GUARD_STALE_MS;
  if (gone) await fs.rm(guard, { force: true });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
