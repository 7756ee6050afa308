import * as assert from 'node:assert/strict';
import { checkStoreFile, storeFileKind } from '../../../src/core/store';
import { CodebookError } from '../../../src/core/store';
import { EntitiesError } from '../../../src/core/store';
import { SidecarError, serializeSidecar } from '../../../src/core/store';
import { annotation } from '../../support/annotations';

describe('store files checked as the store loads them', () => {
  it('recognises the codebook, the entity register and sidecars by path, and nothing else', () => {
    assert.equal(storeFileKind('.marginalia/codebook.yaml'), 'codebook');
    assert.equal(storeFileKind('.marginalia/entities.yaml'), 'entities');
    assert.equal(storeFileKind('.marginalia/annotations/corpus/a.txt.yaml'), 'sidecar');
    assert.equal(storeFileKind('.marginalia/annotations/../a.txt.yaml'), undefined);
    assert.equal(storeFileKind('.marginalia/snapshots/ab/abcd.txt'), undefined);
    assert.equal(storeFileKind('corpus/codebook.yaml'), undefined);
    assert.equal(checkStoreFile('corpus/a.txt', 'version: [not yaml'), undefined, 'not a store file: nothing to say');
  });

  it('accepts good files of each kind', () => {
    assert.equal(checkStoreFile('.marginalia/codebook.yaml', 'version: 1\nkinds:\n  - name: quote\n    colour: "#aa00ff"\n'), undefined);
    assert.equal(checkStoreFile('.marginalia/entities.yaml', 'version: 1\nentities:\n  - name: Vladimir Putin\n    type: person\n'), undefined);
    const doc = 'corpus/a.txt';
    assert.equal(
      checkStoreFile(`.marginalia/annotations/${doc}.yaml`, serializeSidecar(doc, [annotation({ doc, text: 'xxxxx after', start: 0, end: 5 })])),
      undefined,
    );
  });

  it('locates a codebook problem at its line and column, as a CodebookError', () => {
    const e = checkStoreFile('.marginalia/codebook.yaml', 'version: 1\nkinds:\n  - name: quote\n    colour: red\n');
    assert.ok(e instanceof CodebookError);
    assert.equal(e.line, 4);
    assert.equal(e.column, 13);
    assert.match(e.message, /^\.marginalia\/codebook\.yaml:4:13: .*colour/);
  });

  it('locates an entity register problem, as an EntitiesError', () => {
    const e = checkStoreFile('.marginalia/entities.yaml', 'version: 1\nentities:\n  - name: Moscow\n    type: city\n');
    assert.ok(e instanceof EntitiesError);
    assert.equal(e.line, 4);
    assert.match(e.reason, /type/);
  });

  it('locates a sidecar problem with the full reader, conflict markers included', () => {
    const doc = 'corpus/a.txt';
    const good = serializeSidecar(doc, [annotation({ doc, text: 'xxxxx after', start: 0, end: 5 })]);
    const lines = good.split('\n');
    const conflicted = [...lines.slice(0, 3), '<<<<<<< HEAD', ...lines.slice(3), '=======', '>>>>>>> theirs', ''].join('\n');
    const e = checkStoreFile(`.marginalia/annotations/${doc}.yaml`, conflicted);
    assert.ok(e instanceof SidecarError);
    assert.equal(e.code, 'conflict');
    assert.equal(e.line, 4);
    const wrongDoc = checkStoreFile(`.marginalia/annotations/corpus/b.txt.yaml`, good);
    assert.ok(wrongDoc instanceof SidecarError);
    assert.equal(wrongDoc.code, 'invalid');
    assert.equal(wrongDoc.line, 3);
  });
});
