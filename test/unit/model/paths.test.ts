// toRelPath returns an already normalised path as it is, without splitting it (a store load checks every sidecar's
// path several times); every other path goes through the full normalisation. Both must give the same answer.
import * as assert from 'node:assert/strict';
import { PathError, toRelPath } from '../../../src/core/model';

/** The normalisation without the shortcut: what toRelPath did before it had one. */
function reference(p: string): string {
  if (p.length === 0) throw new PathError('empty path');
  if (p.includes('\0')) throw new PathError('NUL');
  const s = p.replace(/\\/g, '/');
  if (s.startsWith('/') || /^[a-zA-Z]:/.test(s)) throw new PathError('absolute');
  const out: string[] = [];
  for (const part of s.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') throw new PathError('leaves');
    out.push(part);
  }
  if (out.length === 0) throw new PathError('the folder itself');
  return out.join('/');
}

const outcome = (f: (p: string) => string, p: string): string => {
  try {
    return `ok ${f(p)}`;
  } catch (e) {
    return e instanceof PathError ? 'PathError' : `other ${String(e)}`;
  }
};

describe('toRelPath', () => {
  it('agrees with the full normalisation on every path of up to 5 characters over a hostile alphabet', () => {
    const alphabet = ['a', 'Z', '.', '/', '\\', ':', '\0', ' ', 'é'];
    let checked = 0;
    const walk = (p: string, depth: number): void => {
      if (p.length > 0) {
        checked++;
        assert.equal(outcome(toRelPath, p), outcome(reference, p), JSON.stringify(p));
      }
      if (depth > 0) for (const c of alphabet) walk(p + c, depth - 1);
    };
    walk('', 5);
    assert.equal(checked, 66_429);
  });

  it('returns a normalised path unchanged and refuses the hostile ones', () => {
    assert.equal(toRelPath('corpus/tass/2019/article-00001.txt'), 'corpus/tass/2019/article-00001.txt');
    assert.equal(toRelPath('a\\b/./c//d/'), 'a/b/c/d');
    for (const p of ['../x', 'a/../../x', '/etc/passwd', 'C:/x', 'a\0b', '.', './', '']) assert.throws(() => toRelPath(p), PathError, p);
  });
});
