// WorkspaceFs over node:fs, for the CLI and tests. Refuses paths (and symlinks) that lead out of the root.
import * as fs from 'node:fs/promises';
import { closeSync, constants, fstatSync, lstatSync, open, openSync, read, readSync, readlinkSync, type Stats } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { PathError, toRelPath, UserError } from '../core/model';
import { shortName, withFileLock } from './fileLock';
import { Pacer, type DirEntry, type WorkspaceFs } from '../core/store';

/** A path that names something other than a regular file (a FIFO, a device, a socket, a folder): never read, as
 *  reading a FIFO waits for a writer forever. A UserError naming the file: the CLI exits 2 with its message. */
export class NotRegularFileError extends UserError {
  readonly code = 'ENOTREG';
  constructor(file: string, kind: string) {
    super(`${file} is ${kind}, not a regular file; Marginalia reads only regular files. Replace it with a file to use it.`, { file });
  }
}

export class NodeWorkspaceFs implements WorkspaceFs {
  readonly root: string;
  private realRoot: string | undefined;
  /** Whether reads are answered synchronously (see SLOW_READ_MS); slow ones among the last hundred, and how many. */
  private cachedReads = true;
  private slowReads = 0;
  private syncReads = 0;
  private poolReads = 0;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  /** Absolute path of a workspace-relative one ('' is the root), refusing anything outside the root. */
  async resolve(rel: string): Promise<string> {
    const abs = rel === '' ? this.root : path.join(this.root, ...toRelPath(rel).split('/'));
    this.realRoot ??= await fs.realpath(this.root).catch(() => this.root);
    // Follow symlinks of the longest existing ancestor: a link that points out of the folder is refused.
    let probe = abs;
    for (;;) {
      const real = await fs.realpath(probe).catch(() => undefined);
      if (real !== undefined) {
        const inside = real === this.realRoot || real.startsWith(this.realRoot + path.sep);
        if (!inside) throw new PathError(`${rel} leads outside the workspace folder (through a symbolic link to ${real})`);
        break;
      }
      const up = path.dirname(probe);
      if (up === probe) break;
      probe = up;
    }
    return abs;
  }

  async read(rel: string): Promise<Uint8Array | undefined> {
    if (procFd !== false) {
      // Open first, then ask the kernel where the opened file really is (/proc/self/fd on Linux): one system call
      // instead of resolving every folder of the path, and it checks the very file read, not the path a moment before.
      const abs = rel === '' ? this.root : path.join(this.root, ...toRelPath(rel).split('/'));
      this.realRoot ??= await fs.realpath(this.root).catch(() => this.root);
      try {
        if (!this.cachedReads) {
          // Every thousand reads the cache is given another chance: it may have warmed up, or the disk was not the cause.
          if (++this.poolReads % 1000 === 0) {
            this.cachedReads = true;
            this.slowReads = 0;
          }
          return await readInside(abs, this.realRoot, rel);
        }
        const started = performance.now();
        try {
          return readInsideSync(abs, this.realRoot, rel);
        } finally {
          if (performance.now() - started > SLOW_READ_MS && ++this.slowReads >= SLOW_READS) this.cachedReads = false;
          if (++this.syncReads % 100 === 0) this.slowReads = 0;
        }
      } catch (e) {
        if (e instanceof PathError) throw e;
        if (!(e instanceof ProcFdMissing)) {
          // Missing or unreadable: the path check decides first, so a path through a link out of the folder is
          // refused as such whether or not its target exists.
          await this.resolve(rel);
          if (isNotFound(e)) return undefined;
          throw explained(e, rel);
        }
        procFd = false;
      }
    }
    const abs = await this.resolve(rel);
    try {
      return await readWhole(abs, rel);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw explained(e, rel);
    }
  }

  async writeAtomic(rel: string, data: Uint8Array): Promise<void> {
    const abs = await this.resolve(rel);
    try {
      await fs.mkdir(path.dirname(abs), { recursive: true });
      await writeFileAtomic(abs, data);
    } catch (e) {
      throw explained(e, rel);
    }
  }

  async delete(rel: string): Promise<void> {
    const abs = await this.resolve(rel);
    await fs.rm(abs, { force: true });
  }

  async list(relDir: string): Promise<DirEntry[]> {
    const abs = await this.resolve(relDir);
    try {
      const entries = await fs.readdir(abs, { withFileTypes: true });
      const out: DirEntry[] = [];
      for (const e of entries) {
        if (e.isFile()) out.push({ name: e.name, type: 'file' });
        else if (e.isDirectory()) out.push({ name: e.name, type: 'dir' });
        else if (e.isSymbolicLink()) {
          // A link to a file is listed, so that reading it goes through resolve(), which refuses one leading out of
          // the workspace with a message naming it, instead of passing over it in silence. Links to folders are
          // not followed (they could lead out, or round in a cycle).
          const target = await fs.stat(path.join(abs, e.name)).catch(() => undefined);
          if (target?.isFile()) out.push({ name: e.name, type: 'file' });
        }
      }
      return out;
    } catch (e) {
      if (isNotFound(e) || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
      throw e;
    }
  }

  /** A lock file beside `rel` (see fileLock.ts), so writers in other processes take turns. */
  async withLock<T>(rel: string, fn: () => Promise<T>): Promise<T> {
    const abs = await this.resolve(rel);
    await fs.mkdir(path.dirname(abs), { recursive: true });
    return withFileLock(abs, fn);
  }

  async statListed(rels: readonly string[]): Promise<Map<string, { size: number; mtime: number }>> {
    return lstatRegular(this.root, rels);
  }

  async stat(rel: string): Promise<{ size: number; mtime: number } | undefined> {
    const abs = await this.resolve(rel);
    try {
      const s = await fs.stat(abs);
      return { size: s.size, mtime: s.mtimeMs };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw explained(e, rel);
    }
  }
}

/** lstat of each path under `root`, keeping regular files (see WorkspaceFs.statListed). Synchronous calls in slices
 *  of a few milliseconds: metadata comes from the kernel's cache, and a promise per file costs ten times the call. */
export async function lstatRegular(root: string, rels: readonly string[]): Promise<Map<string, { size: number; mtime: number }>> {
  const out = new Map<string, { size: number; mtime: number }>();
  const pacer = new Pacer();
  // root + checked relative path: path.join's normalising of every path cost as much as the lstat itself.
  const base = root.endsWith(path.sep) ? root : root + path.sep;
  for (const rel of rels) {
    for (let turn = pacer.next(); turn; turn = pacer.next()) await turn;
    let s: Stats | undefined;
    try {
      s = lstatSync(base + toRelPath(rel));
    } catch {
      s = undefined;
    }
    if (s?.isFile()) out.set(rel, { size: s.size, mtime: s.mtimeMs });
  }
  return out;
}

/** The file-system calls of the last step of an atomic write (replaceable to simulate a crash in tests). */
export const atomicSteps = { rename: (from: string, to: string): Promise<void> => fs.rename(from, to) };

/** Whether /proc/self/fd names the real path of an open file (Linux); false once it turned out not to. */
let procFd: boolean | undefined = process.platform === 'linux' ? undefined : false;

class ProcFdMissing extends Error {}

/**
 * A read slower than this waited for a disk (or for the CPU). Reads are answered synchronously until SLOW_READS of a
 * hundred are: for the small files of a store, a trip through libuv's thread pool costs the main thread about 10 µs
 * and the process 25 µs besides the system calls, more than open, fstat, read and close of a cached file together
 * (10,000 sidecars: 1.0 instead of 1.2 s of the main thread, 1.45 instead of 1.8 s of CPU). Then the thread pool keeps
 * several reads in flight, as a cold cache needs; the event loop has been held up by a few such reads at most. One
 * slow read is not enough: on a busy machine a cached read is now and then preempted for a millisecond or more.
 */
const SLOW_READ_MS = 1;
const SLOW_READS = 3;

/** readInside, synchronously. */
function readInsideSync(abs: string, realRoot: string, rel: string): Uint8Array {
  const fd = openSync(abs, OPEN_FOR_READING);
  try {
    checkInside(fd, realRoot, rel);
    const st = fstatSync(fd);
    refuseIrregular(st, rel);
    let buf = Buffer.allocUnsafe(st.size || 8192);
    let got = 0;
    for (;;) {
      if (got === buf.length) {
        if (st.size > 0 && got === st.size) return buf;
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, got);
        buf = bigger;
      }
      const n = readSync(fd, buf, got, buf.length - got, null);
      if (n === 0) return buf.subarray(0, got);
      got += n;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads the file at `abs`, refusing it (PathError) when the file opened is not under `realRoot`: the real path of the
 * open descriptor, as /proc/self/fd shows it, has every symbolic link of the path resolved. Only the calls that may
 * wait for a disk (open, read) go through libuv's thread pool; asking /proc, fstat of an open file and closing a file
 * opened for reading are answered from memory, and each trip through the pool costs the main thread more than the
 * call itself (for the thousands of small sidecars a store loads, five trips took longer than parsing them).
 */
function readInside(abs: string, realRoot: string, rel: string): Promise<Uint8Array> {
  return openAndRead(abs, rel, (fd) => checkInside(fd, realRoot, rel));
}

/**
 * Opening without waiting: opening a FIFO for reading blocks until a writer opens it, and so would every read; with
 * O_NONBLOCK the open returns at once, and fstat of the descriptor (the very file opened, whatever links led to it)
 * refuses it before any read. A regular file ignores the flag.
 */
const OPEN_FOR_READING = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** Throws NotRegularFileError (EISDIR's code for a folder, as fs.readFile does) unless `st` is a regular file. */
function refuseIrregular(st: Stats, rel: string): void {
  if (st.isFile()) return;
  if (st.isDirectory()) throw Object.assign(new Error(`${rel} is a folder, not a file (EISDIR)`), { code: 'EISDIR', file: rel });
  const kind = st.isFIFO() ? 'a named pipe (FIFO)' : st.isSocket() ? 'a socket' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : 'not a file';
  throw new NotRegularFileError(rel, kind);
}

/** Throws PathError when the open file `fd` is not under `realRoot` (ProcFdMissing when /proc cannot say). */
function checkInside(fd: number, realRoot: string, rel: string): void {
  let real: string;
  try {
    real = readlinkSync(`/proc/self/fd/${fd}`);
  } catch (e) {
    throw new ProcFdMissing((e as Error).message);
  }
  procFd = true;
  if (real !== realRoot && !real.startsWith(realRoot + path.sep)) {
    throw new PathError(`${rel} leads outside the workspace folder (through a symbolic link to ${real})`);
  }
}

/** Opens `abs`, runs `check` on the open descriptor, reads the whole file and closes it, whatever happens. */
function openAndRead(abs: string, rel: string, check?: (fd: number) => void): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    open(abs, OPEN_FOR_READING, (e, fd) => {
      if (e) return reject(e);
      const finish = (err: unknown, data?: Uint8Array): void => {
        try {
          closeSync(fd);
        } catch (closeError) {
          err ??= closeError;
        }
        if (err) reject(err instanceof Error ? err : new Error(String(err)));
        else resolve(data!);
      };
      try {
        check?.(fd);
      } catch (checkError) {
        return finish(checkError);
      }
      readOpen(fd, rel, finish);
    });
  });
}

/** The rest of an open file: its size by fstat, then reads until that many bytes or the end. */
function readOpen(fd: number, rel: string, done: (e: unknown, data?: Uint8Array) => void): void {
  let st;
  try {
    st = fstatSync(fd);
    refuseIrregular(st, rel);
  } catch (e) {
    return done(e);
  }
  const size = st.size;
  // Files that report no size (/proc) are read in growing chunks until the end, as fs.readFile does.
  let buf = Buffer.allocUnsafe(size || 8192);
  let got = 0;
  const more = (): void => {
    if (got === buf.length) {
      if (size > 0 && got === size) return done(null, buf);
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, got);
      buf = bigger;
    }
    read(fd, buf, got, buf.length - got, null, (e, n) => {
      if (e) return done(e);
      if (n === 0) return done(null, buf.subarray(0, got));
      got += n;
      more();
    });
  };
  more();
}

/** A whole file outside the workspace's checks (an import's source, or a file VS Code's folder holds), refusing
 *  what is not a regular file before reading; errors name it as `shown`. */
export function readRegularFile(abs: string, shown = abs): Promise<Uint8Array> {
  return openAndRead(abs, shown);
}

/**
 * A file outside the workspace's checks (an import's source) as UTF-8 text in pieces of about a megabyte, refusing
 * what is not a regular file before reading (opened without waiting, as for reading a whole file). Invalid UTF-8
 * becomes U+FFFD, as Buffer.toString makes it.
 */
export async function* readRegularFileChunks(abs: string): AsyncGenerator<string> {
  const fh = await fs.open(abs, OPEN_FOR_READING);
  try {
    refuseIrregular(await fh.stat(), abs);
    const decoder = new TextDecoder('utf-8');
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      yield decoder.decode(buf.subarray(0, bytesRead), { stream: true });
    }
    const tail = decoder.decode();
    if (tail !== '') yield tail;
  } finally {
    await fh.close();
  }
}

/** Reads a whole file by path (where /proc/self/fd is missing; the caller has checked the path). */
function readWhole(abs: string, rel: string): Promise<Uint8Array> {
  return openAndRead(abs, rel);
}

/** `.<base><suffix>`, the hidden name of a temporary file beside `base`; when that would pass the 255 bytes a file
 *  name can have (a long document name), a hash of `base` stands in for it (see shortName). */
export function tempSiblingName(base: string, suffix: string): string {
  return `.${Buffer.byteLength(`.${base}${suffix}`) > 255 ? shortName(base) : base}${suffix}`;
}

/** Writes to a temporary file beside `abs`, flushes it, then renames it over `abs`: readers see old or new, never partial. */
export async function writeFileAtomic(abs: string, data: Uint8Array | string): Promise<void> {
  await replaceAtomically(abs, (fh) => fh.writeFile(data));
}

/** writeFileAtomic for output made in pieces: `fill` writes UTF-8 text through `write`; the temporary file is
 *  flushed and renamed over `abs` only when `fill` has finished, and removed when it fails. */
export async function writeFileAtomicStream(abs: string, fill: (write: (chunk: string) => Promise<void>) => Promise<void>): Promise<void> {
  await replaceAtomically(abs, (fh) =>
    fill(async (chunk) => {
      const data = Buffer.from(chunk, 'utf8');
      for (let done = 0; done < data.length;) done += (await fh.write(data, done)).bytesWritten;
    }),
  );
}

/** Writes a temporary sibling of `abs` through `fill`, flushes it and renames it over `abs`; the temporary file is
 *  removed when anything fails, so a failed write leaves `abs` as it was and nothing beside it. */
async function replaceAtomically(abs: string, fill: (fh: fs.FileHandle) => Promise<void>): Promise<void> {
  const tmp = path.join(path.dirname(abs), tempSiblingName(path.basename(abs), `.${process.pid}.${randomBytes(4).toString('hex')}.tmp`));
  const fh = await fs.open(tmp, 'w');
  try {
    await fill(fh);
    await fh.sync();
  } catch (e) {
    await fh.close();
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  try {
    await atomicSteps.rename(tmp, abs);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

/** A path too long for the file system (a name over 255 bytes, or the whole over PATH_MAX) as a PathError that says
 *  so; any other error as it is. */
function explained(e: unknown, rel: string): unknown {
  if ((e as NodeJS.ErrnoException)?.code !== 'ENAMETOOLONG') return e;
  const longest = Math.max(...rel.split('/').map((s) => Buffer.byteLength(s)));
  return new PathError(
    `${rel} is too long for the file system (${longest > 255 ? `a name of ${longest} bytes, over the 255 a file name can have` : `${Buffer.byteLength(rel)} bytes in all`}); use a shorter path`,
  );
}

function isNotFound(e: unknown): boolean {
  return (e as NodeJS.ErrnoException)?.code === 'ENOENT';
}
