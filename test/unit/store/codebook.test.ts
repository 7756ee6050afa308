import * as assert from 'node:assert/strict';
import {
  CodebookError,
  checkAttributes,
  defaultCodebook,
  fieldLevel,
  findKind,
  parseCodebook,
  parseCodebookBytes,
  serializeCodebook,
  type Codebook,
} from '../../../src/core/store';
import { BUILTIN_KINDS, ENTITY_TYPES } from '../../../src/core/model';

function codebookError(text: string): CodebookError {
  try {
    parseCodebook(text);
  } catch (e) {
    assert.ok(e instanceof CodebookError, `expected a CodebookError, got ${String(e)}`);
    assert.equal(e.file, '.marginalia/codebook.yaml');
    return e;
  }
  assert.fail('expected the codebook to be refused');
}

const MINIMAL = 'version: 1\nkinds:\n  - name: quote\n    colour: "#AA00ff"\n';

describe('codebook', () => {
  it('has claim, figure and entity built in, with colours, descriptions and their attribute fields', () => {
    const cb = defaultCodebook();
    assert.deepEqual(
      cb.kinds.map((k) => k.name),
      [...BUILTIN_KINDS],
    );
    for (const k of cb.kinds) {
      assert.match(k.colour, /^#[0-9a-f]{6}$/);
      assert.ok(k.description.length > 10, k.name);
    }
    const fields = (name: string): string[] => findKind(cb, name)!.attributes.map((f) => `${f.name}:${f.type}`);
    assert.deepEqual(fields('claim'), ['speaker:string']);
    assert.deepEqual(fields('figure'), ['value:number', 'high:number', 'unit:string', 'date:string', 'scope:string']);
    assert.deepEqual(fields('entity'), ['type:enum', 'canonical:string']);
    assert.deepEqual(findKind(cb, 'entity')!.attributes[0].values, [...ENTITY_TYPES]);
    assert.equal(new Set(cb.kinds.map((k) => k.colour)).size, 3, 'distinct colours');
    assert.equal(findKind(cb, 'nope'), undefined);
    defaultCodebook().kinds.pop();
    assert.equal(defaultCodebook().kinds.length, 3, 'each call is a fresh copy');
  });

  it('serializes to canonical YAML that parses back to the same codebook, byte-stable', () => {
    const cb = defaultCodebook();
    cb.kinds[0].attributes.push({ name: 'verified', type: 'boolean', required: true });
    const text = serializeCodebook(cb);
    assert.deepEqual(parseCodebook(text), cb);
    assert.equal(serializeCodebook(parseCodebook(text)), text);
    assert.match(text, /^# Marginalia codebook.*\nversion: 1\nkinds:\n {2}- name: claim\n {4}colour: "#f5a623"\n {4}icon: quote\n/);
    assert.match(text, /\n {8}values:\n {10}- person\n {10}- organisation\n/);
  });

  it('fills in what a hand-written codebook may leave out', () => {
    const cb = parseCodebookBytes(Buffer.from(MINIMAL));
    assert.deepEqual(cb, { kinds: [{ name: 'quote', colour: '#AA00ff', description: '', attributes: [] }] });
    assert.equal(serializeCodebook(cb), serializeCodebook(parseCodebook(serializeCodebook(cb))));
  });

  it('reports syntax errors and schema problems with line and column', () => {
    const e1 = codebookError('version: 1\nkinds:\n  - name: claim\n    colour: "#ffffff\n');
    assert.equal(e1.code, 'syntax');
    assert.ok(e1.line !== undefined && e1.line >= 4);
    const e2 = codebookError('version: 1\nkinds:\n  - name: claim\n    colour: #ffffff\n');
    assert.equal(e2.code, 'schema');
    assert.equal(e2.line, 4);
    assert.match(e2.reason, /kinds\[0\]\.colour must be text, not empty \(null; a value starting with # must be quoted\)/);
    const e3 = codebookError(MINIMAL + '    shape: round\n');
    assert.match(e3.reason, /unknown field "shape"/);
    assert.equal(e3.line, 5);
    const e4 = codebookError(MINIMAL.replace('quote', 'two words'));
    assert.match(e4.reason, /kinds\[0\]\.name must be a name/);
    assert.equal(e4.line, 3);
    assert.match(codebookError('version: 1\nkinds: []\n').reason, /kinds must have at least 1 item/);
    assert.match(
      codebookError(MINIMAL + '    attributes:\n      - name: x\n        type: date\n').reason,
      /type must be one of "string", "number", "boolean", "enum"/,
    );
  });

  it('refuses duplicate kinds and attributes, enums without values, and values on non-enums', () => {
    const dupKind = codebookError(MINIMAL + '  - name: quote\n    colour: "#000000"\n');
    assert.equal(dupKind.code, 'invalid');
    assert.match(dupKind.reason, /kind "quote" is defined twice/);
    assert.equal(dupKind.line, 5);
    const field = (f: string): string => `${MINIMAL}    attributes:\n${f}`;
    assert.match(codebookError(field('      - name: a\n        type: string\n      - name: a\n        type: number\n')).reason, /two attributes named "a"/);
    const noValues = codebookError(field('      - name: t\n        type: enum\n'));
    assert.match(noValues.reason, /is an enum but lists no values/);
    assert.equal(noValues.line, 6);
    assert.match(codebookError(field('      - name: t\n        type: string\n        values: [a]\n')).reason, /set type: enum or remove the values/);
    assert.match(codebookError(field('      - name: t\n        type: enum\n        values: [a, a]\n')).reason, /lists the same value twice/);
  });

  it('gives each field a level of measurement: declared, else interval for numbers and nominal otherwise; refuses levels a type cannot have', () => {
    const cb = defaultCodebook();
    const levels = (name: string): string[] => findKind(cb, name)!.attributes.map((f) => `${f.name}:${fieldLevel(f)}`);
    assert.deepEqual(levels('figure'), ['value:ratio', 'high:ratio', 'unit:nominal', 'date:nominal', 'scope:nominal']);
    assert.deepEqual(levels('entity'), ['type:nominal', 'canonical:nominal']);
    const field = (f: string): string => `${MINIMAL}    attributes:\n${f}`;
    const parsed = parseCodebook(
      field('      - name: grade\n        type: enum\n        values: [low, mid, high]\n        level: ordinal\n      - name: n\n        type: number\n'),
    );
    assert.deepEqual(parsed.kinds[0].attributes.map(fieldLevel), ['ordinal', 'interval']);
    const text = serializeCodebook(parsed);
    assert.match(text, /\n {8}level: ordinal\n/);
    assert.deepEqual(parseCodebook(text), parsed);
    const interval = codebookError(field('      - name: t\n        type: string\n        level: interval\n'));
    assert.match(interval.reason, /cannot be measured at the interval level; interval needs type number, or use level: nominal/);
    assert.equal(interval.line, 8);
    assert.match(codebookError(field('      - name: t\n        type: boolean\n        level: ordinal\n')).reason, /ordinal needs a number or an enum/);
    assert.match(codebookError(field('      - name: t\n        type: number\n        level: loud\n')).reason, /level must be one of/);
  });

  it('names a newer codebook version and refuses conflict markers and tags', () => {
    assert.match(codebookError(MINIMAL.replace('version: 1', 'version: 3')).reason, /written by a newer Marginalia/);
    const conflict = codebookError('version: 1\n<<<<<<< HEAD\nkinds: []\n=======\n>>>>>>> x\n');
    assert.equal(conflict.code, 'conflict');
    assert.equal(conflict.line, 2);
    assert.equal(codebookError(MINIMAL.replace('name: quote', 'name: !!js/function quote')).code, 'tag');
  });

  it('refuses to save a codebook that would not load back', () => {
    const bad: Codebook = { kinds: [{ name: 'x', colour: 'blue', description: '', attributes: [] }] };
    assert.throws(() => serializeCodebook(bad), /colour must be a colour written #rrggbb/);
    assert.throws(() => serializeCodebook({ kinds: [] }), /at least 1 item/);
  });

  it('checks an annotation’s attributes against its kind', () => {
    const cb = defaultCodebook();
    const figure = findKind(cb, 'figure')!;
    const entity = findKind(cb, 'entity')!;
    assert.deepEqual(checkAttributes(figure, { value: 4.5, unit: '%' }), []);
    assert.deepEqual(checkAttributes(figure, { value: '4.5', colour: 'red' }), [
      'attribute "value" of figure must be a number, not text "4.5"',
      '"colour" is not an attribute of figure in the codebook',
    ]);
    assert.deepEqual(checkAttributes(entity, { type: 'place' }), []);
    assert.deepEqual(checkAttributes(entity, { type: 'planet' }), [
      'attribute "type" of entity must be one of person, organisation, place, other, not text "planet"',
    ]);
    const strict = { ...entity, attributes: [{ name: 'type', type: 'enum' as const, values: ['person'], required: true }] };
    assert.deepEqual(checkAttributes(strict, {}), ['entity needs the attribute "type"']);
  });
});
