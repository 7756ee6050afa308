// One base class for errors meant for people: every person-facing error class is a UserError (so the CLI exits 2
// and VS Code shows a plain message), and system errors a person can act on are recognised as such.
import * as assert from 'node:assert/strict';
import { AnnotationInputError, PathError, UserError, asUserError } from '../../../src/core/model';
import {
  CodebookEditError,
  CodebookError,
  EntitiesError,
  EntityInputError,
  FolderError,
  MoveError,
  NotTextError,
  ReadOnlyError,
  SidecarError,
} from '../../../src/core/store';
import { YamlFileError } from '../../../src/core/yaml';
import { ExportFormatError } from '../../../src/core/formats';
import { LockTimeoutError } from '../../../src/node';

describe('UserError', () => {
  it('every person-facing error class is a UserError, and keeps its file and line', () => {
    const errors: Error[] = [
      new AnnotationInputError('x'),
      new PathError('x'),
      new SidecarError('.marginalia/annotations/a.txt.yaml', 'syntax', 'bad', 3, 1),
      new CodebookError('.marginalia/codebook.yaml', 'schema', 'bad'),
      new EntitiesError('.marginalia/entities.yaml', 'schema', 'bad'),
      new ExportFormatError('export.yaml', 'syntax', 'bad', 2, 5),
      new YamlFileError('f.yaml', 'empty', 'empty'),
      new EntityInputError('x'),
      new CodebookEditError('x'),
      new MoveError('x'),
      new NotTextError('x'),
      new LockTimeoutError('/w/.a.yaml.lock', 'held'),
      new ReadOnlyError('x'),
      new FolderError('x'),
    ];
    for (const e of errors) assert.ok(e instanceof UserError, `${e.constructor.name} is a UserError`);
    const s = errors[2] as UserError;
    assert.equal(s.file, '.marginalia/annotations/a.txt.yaml');
    assert.equal(s.line, 3);
    assert.equal(s.message, '.marginalia/annotations/a.txt.yaml:3:1: bad');
    assert.equal((errors[11] as UserError).file, '/w/.a.yaml.lock');
  });

  it('asUserError: a UserError as it is; EACCES, EPERM, ENOSPC… as a message naming the file and what to do; anything else is a bug', () => {
    const u = new PathError('p');
    assert.equal(asUserError(u), u);
    const eacces = Object.assign(new Error("EACCES: permission denied, open '/w/a.txt'"), { code: 'EACCES', path: '/w/a.txt', syscall: 'open' });
    const a = asUserError(eacces);
    assert.ok(a);
    assert.equal(a.file, '/w/a.txt');
    assert.match(a.message, /^\/w\/a\.txt: permission denied; check the permissions of the file and its folder \(ls -l\).* \[EACCES \(open\)\]$/);
    assert.match(asUserError(Object.assign(new Error('x'), { code: 'EPERM', path: '/w/b' }))?.message ?? '', /^\/w\/b: the operation is not permitted/);
    assert.match(
      asUserError(Object.assign(new Error('x'), { code: 'ENOSPC', path: '/w/c' }), 'the folder /w')?.message ?? '',
      /^the folder \/w: the disk is full/,
    );
    assert.equal(asUserError(new TypeError('x is undefined')), undefined);
    assert.equal(asUserError(Object.assign(new Error('x'), { code: 'ERR_ASSERTION' })), undefined);
    assert.equal(asUserError('a string'), undefined);
  });
});
