// Workspace-relative paths: forward slashes, no "..", never absolute. Hostile paths are refused here, once.
import { UserError } from './userError';

export class PathError extends UserError {}

const NOT_NORMAL = /[\\\0]|^\/|\/$|\/\/|^[a-zA-Z]:|(?:^|\/)\.\.?(?:\/|$)/;

/** Normalises a workspace-relative path, or throws PathError if it would leave the workspace folder. */
export function toRelPath(p: string): string {
  if (typeof p !== 'string' || p.length === 0) throw new PathError('empty path');
  // Most paths arrive normalised (a store load checks each sidecar's several times): without a backslash, NUL, drive
  // letter, leading, trailing or double slash, or a "." or ".." segment, the path is its own normal form.
  if (!NOT_NORMAL.test(p)) return p;
  if (p.includes('\0')) throw new PathError(`path contains a NUL character: ${JSON.stringify(p)}`);
  const s = p.replace(/\\/g, '/');
  if (s.startsWith('/') || /^[a-zA-Z]:/.test(s)) throw new PathError(`absolute path not allowed here: ${p}`);
  const out: string[] = [];
  for (const part of s.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') throw new PathError(`path leaves the workspace folder: ${p}`);
    out.push(part);
  }
  if (out.length === 0) throw new PathError(`path names the workspace folder itself: ${p}`);
  return out.join('/');
}

export function isRelPath(p: string): boolean {
  try {
    return toRelPath(p) === p;
  } catch {
    return false;
  }
}
