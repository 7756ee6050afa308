// Errors meant for the person who ran the command. Every error class whose message says what happened, to which
// file, and what to do extends UserError; the CLI (exit 2) and the host's command wrapper (a plain message) check
// for it in one place each, and treat anything else as a bug.

export interface UserErrorPlace {
  /** The file concerned (workspace-relative, or absolute for a file outside the workspace), when there is one. */
  file?: string;
  /** 1-based line in `file`, when known. */
  line?: number;
}

/** A problem the person can act on; the message already says what happened, where, and what to do. */
export class UserError extends Error {
  readonly file?: string;
  readonly line?: number;

  constructor(message: string, place: UserErrorPlace = {}) {
    super(message);
    if (place.file !== undefined) this.file = place.file;
    if (place.line !== undefined) this.line = place.line;
  }
}

/** What the system says for the error codes a person can act on (permissions, a full or read-only disk, …). */
const SYSTEM_ERRORS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied; check the permissions of the file and its folder (ls -l), or run as a user allowed to use them',
  EPERM: 'the operation is not permitted; check the permissions of the file and its folder (ls -l), and that it is not locked or immutable',
  EROFS: 'the file system is read-only; annotate a copy on a writable disk',
  ENOSPC: 'the disk is full; free some space and try again',
  EDQUOT: 'the disk quota is exhausted; free some space and try again',
  ENAMETOOLONG: 'the file name is too long for this file system; use a shorter name',
  EMFILE: 'too many files are open; close some programs or raise the limit (ulimit -n) and try again',
  ENFILE: 'too many files are open on this system; close some programs and try again',
  EISDIR: 'a folder is where a file was expected; move the folder away',
  ENOTDIR: 'a file is where a folder was expected; move the file away',
  ELOOP: 'too many symbolic links in the path; check the links',
};

/**
 * The error as a UserError when it is one, or when it is a system error a person can act on (a node `fs` error with
 * one of the codes above: the message then names the file, or `about` when given, and what to do); undefined for a bug.
 */
export function asUserError(e: unknown, about?: string): UserError | undefined {
  if (e instanceof UserError) return e;
  if (typeof e !== 'object' || e === null) return undefined;
  const { code, path, syscall } = e as { code?: unknown; path?: unknown; syscall?: unknown };
  if (typeof code !== 'string' || !(code in SYSTEM_ERRORS)) return undefined;
  const file = about ?? (typeof path === 'string' ? path : undefined);
  const action = typeof syscall === 'string' ? ` (${syscall})` : '';
  return new UserError(`${file === undefined ? 'a file' : file}: ${SYSTEM_ERRORS[code]} [${code}${action}]`, file === undefined ? {} : { file });
}
