// Annotation ids: ULIDs (time-sortable, 80 random bits), so people annotating apart never collide.
import { monotonicFactory } from 'ulid';

const next = monotonicFactory();

/** A new annotation id; `now` (ms since epoch) is for tests. */
export function newId(now?: number): string {
  return next(now);
}

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
export function isId(s: string): boolean {
  return ULID.test(s);
}
