import * as assert from 'node:assert/strict';
import { AnnotationInputError, checkSpan, coerceAttributes, createAnnotation, editAnnotation, type KindSpec } from '../../../src/core/model';
import { contentHash } from '../../../src/core/model';
import { TOOL_ID } from '../../../src/constants';

const figure: KindSpec = {
  name: 'figure',
  attributes: [
    { name: 'value', type: 'number' },
    { name: 'unit', type: 'string' },
  ],
};
const entity: KindSpec = {
  name: 'entity',
  attributes: [
    { name: 'type', type: 'enum', values: ['person', 'organisation', 'place', 'other'] },
    { name: 'canonical', type: 'string' },
  ],
};
const claim: KindSpec = { name: 'claim', attributes: [{ name: 'speaker', type: 'string' }] };
const now = new Date('2026-11-23T10:00:00.000Z');
const text = 'Sberbank said Russia faces a six to nine-month lag in AI. 😀 Putin agreed.';

describe('annotate', () => {
  it('creates an annotation anchored to this version of the text', () => {
    const start = text.indexOf('six');
    const a = createAnnotation(
      text,
      { doc: 'a/b.txt', kind: 'figure', start, end: start + 17, author: 'ann', attributes: { value: '6', unit: 'months' } },
      figure,
      now,
    );
    assert.equal(a.kind, 'figure');
    assert.equal(a.doc, 'a/b.txt');
    assert.equal(a.target.quote.exact, 'six to nine-month');
    assert.equal(a.target.quote.prefix, text.slice(0, start).slice(-32));
    assert.deepEqual(a.attributes, { value: 6, unit: 'months' });
    assert.deepEqual(a.provenance, { author: 'ann', created: now.toISOString(), modified: now.toISOString(), tool: TOOL_ID, docHash: contentHash(text) });
    assert.deepEqual(a.anchor, { status: 'anchored' });
    assert.match(a.id, /^[0-9A-HJKMNP-TV-Z]{26}$/);
  });
  it('gives ids that sort by creation time and never repeat', () => {
    const ids = Array.from(
      { length: 1000 },
      (_, i) => createAnnotation(text, { doc: 'd.txt', kind: 'claim', start: 0, end: 3, author: 'x' }, claim, new Date(now.getTime() + (i % 3))).id,
    );
    assert.equal(new Set(ids).size, ids.length);
    const t0 = createAnnotation(text, { doc: 'd.txt', kind: 'claim', start: 0, end: 3, author: 'x' }, claim, now).id;
    const t1 = createAnnotation(text, { doc: 'd.txt', kind: 'claim', start: 0, end: 3, author: 'x' }, claim, new Date(now.getTime() + 1000)).id;
    assert.ok(t0 < t1);
  });
  it('refuses empty, reversed, out-of-range and half-character spans', () => {
    assert.throws(() => checkSpan(text, 5, 5, 'd'), AnnotationInputError);
    assert.throws(() => checkSpan(text, 6, 5, 'd'), AnnotationInputError);
    assert.throws(() => checkSpan(text, -1, 5, 'd'), AnnotationInputError);
    assert.throws(() => checkSpan(text, 0, text.length + 1, 'd'), /outside d/);
    const e = text.indexOf('😀');
    assert.throws(() => checkSpan(text, e + 1, e + 2, 'd'), /surrogate/);
    assert.throws(() => checkSpan(text, e - 1, e + 1, 'd'), /surrogate/);
    assert.doesNotThrow(() => checkSpan(text, e, e + 2, 'd'));
  });
  it('refuses a hostile document path', () => {
    assert.throws(() => createAnnotation(text, { doc: '../x.txt', kind: 'claim', start: 0, end: 3, author: 'x' }, claim, now), /leaves the workspace/);
  });
  it('coerces attributes by the kind and names what is wrong', () => {
    assert.deepEqual(coerceAttributes(figure, { value: '1,120,000', unit: 'RUB' }), { value: 1120000, unit: 'RUB' });
    assert.deepEqual(coerceAttributes(entity, { type: 'person' }), { type: 'person' });
    assert.throws(
      () => coerceAttributes(entity, { type: 'animal' }),
      /^Error: attribute type of an entity must be one of person, organisation, place, other, got "animal"$/,
    );
    assert.throws(() => coerceAttributes(figure, { value: 'many' }), /attribute value of a figure must be a number/);
    assert.throws(() => coerceAttributes(figure, { vaule: '1' }), /unknown attribute "vaule" for kind figure \(its attributes: value, unit\)/);
    assert.throws(() => coerceAttributes({ name: 'bare' }, { x: '1' }), /declares no attributes/);
  });
  it('edits note and attributes, bumping modified', () => {
    const a = createAnnotation(text, { doc: 'd.txt', kind: 'claim', start: 0, end: 8, author: 'x', attributes: { speaker: 'Sberbank' } }, claim, now);
    const later = new Date(now.getTime() + 60000);
    const b = editAnnotation(a, claim, { note: 'checked' }, later);
    assert.equal(b.note, 'checked');
    assert.deepEqual(b.attributes, { speaker: 'Sberbank' });
    assert.equal(b.provenance.created, a.provenance.created);
    assert.equal(b.provenance.modified, later.toISOString());
  });
  it('changing kind keeps only the attributes the new kind declares', () => {
    const a = createAnnotation(text, { doc: 'd.txt', kind: 'claim', start: 0, end: 8, author: 'x', attributes: { speaker: 'Sberbank' } }, claim, now);
    const b = editAnnotation(a, entity, {}, now);
    assert.equal(b.kind, 'entity');
    assert.deepEqual(b.attributes, {});
  });

  it('keeps numbers exactly or refuses them: no 0x10 read as 16 (nor 0b, 0o), no 9007199254740993 rounded, no .5e-400 turned to 0, no "1,5" read as 15', () => {
    for (const bad of ['0x10', '0b101', '0o17', '9007199254740993', '.5e-400', '1e400', '1,5', '1,0000', 'Infinity', 'NaN', '', '12abc', '١٢']) {
      assert.throws(
        () => coerceAttributes(figure, { value: bad }),
        (e: unknown) =>
          e instanceof AnnotationInputError &&
          e.message.startsWith(
            `attribute value of a figure must be a number written in decimal digits that a number holds exactly (such as 16, -2.5 or 1e6), got "${bad}"`,
          ) &&
          /declare value as text \(type: string\) in the codebook/.test(e.message),
        bad,
      );
    }
    assert.throws(
      () => coerceAttributes(figure, { value: '9007199254740993' }),
      /9007199254740993 cannot be held exactly as a number \(it would become 9007199254740992\)/,
    );
    assert.throws(() => coerceAttributes(figure, { value: '0x10' }), /"0x10" is not written in decimal digits/);
    const good: [string, number][] = [
      ['16', 16],
      ['-2.5', -2.5],
      ['+3', 3],
      ['1e3', 1000],
      ['0.1', 0.1],
      ['1,000', 1000],
      ['1_000_000', 1e6],
      ['12.50', 12.5],
      ['9007199254740991', 9007199254740991],
      ['.5', 0.5],
      ['5e-324', 5e-324],
    ];
    for (const [raw, n] of good) assert.deepEqual(coerceAttributes(figure, { value: raw }), { value: n }, raw);
    // The same text stays as written in a field of type string.
    assert.deepEqual(coerceAttributes(figure, { unit: '0x10' }), { unit: '0x10' });
  });
});
