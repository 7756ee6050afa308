// What the core needs from its host, as small interfaces. The CLI passes node implementations,
// the extension passes workspace.fs adapters, tests pass in-memory ones.

export interface DirEntry {
  name: string;
  type: 'file' | 'dir';
}

/** File access rooted at one workspace folder; every path is workspace-relative with forward slashes. */
export interface WorkspaceFs {
  /** The file's bytes, or undefined when it does not exist. */
  read(rel: string): Promise<Uint8Array | undefined>;
  /** Writes atomically (temporary file in the same folder, then rename), creating parent folders. */
  writeAtomic(rel: string, data: Uint8Array): Promise<void>;
  /** Deletes a file; a missing file is not an error. */
  delete(rel: string): Promise<void>;
  /** Entries of a folder; [] when it does not exist. */
  list(relDir: string): Promise<DirEntry[]>;
  /** Size and modification time (ms), or undefined when missing. */
  stat(rel: string): Promise<{ size: number; mtime: number } | undefined>;
  /** Sizes and modification times of files a listing of this folder has just found, by path: regular files only
   *  (links and missing files are left out). Optional: a host without it is asked one stat at a time. Made for
   *  checking thousands of sidecars against the summary cache, where a full path check per file would cost more than
   *  the cache saves; only metadata is read. */
  statListed?(rels: readonly string[]): Promise<Map<string, { size: number; mtime: number }>>;
  /** Runs `fn` holding an exclusive lock on `rel` that other processes respect too (optional: a host without one
   *  relies on the store re-reading a sidecar just before it writes). */
  withLock?<T>(rel: string, fn: () => Promise<T>): Promise<T>;
}

/** Where the core says what it did and what went wrong: a log, not the person's screen. */
export interface Logger {
  trace(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string | Error): void;
}

/** A logger that drops everything (tests, the CLI's quiet paths). */
export const nullLogger: Logger = { trace: () => {}, info: () => {}, warn: () => {}, error: () => {} };

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
