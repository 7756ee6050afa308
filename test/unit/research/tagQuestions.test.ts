import * as assert from 'node:assert/strict';
import { defaultCodebook, findKind, type EntityRegister, type KindDefinition } from '../../../src/core/store';
import { NOTE_QUESTION, TagQuestions, formatRangeInput, parseNumber, parseRangeInput, type TagContext } from '../../../src/core/research';

const kind = (name: string): KindDefinition => {
  const k = findKind(defaultCodebook(), name);
  assert.ok(k);
  return k;
};
const ask = (name: string, context: Partial<TagContext> = {}): TagQuestions =>
  new TagQuestions(kind(name), { passage: '', current: {}, withNote: true, ...context });
const answers = (...pairs: [string, string][]): Map<string, string> => new Map(pairs);

const register: EntityRegister = {
  entities: [
    { name: 'Sberbank', type: 'organisation', aliases: ['Sber'] },
    { name: 'Vladimir Putin', type: 'person', aliases: ['Putin'] },
  ],
};

describe('tag questions: figures', () => {
  it('asks value (a number or a range), unit, date, scope, then the note: five steps', () => {
    const q = ask('figure', { passage: 'six to nine-month' });
    assert.deepEqual(
      q.questions.map((x) => `${x.name}:${x.type}`),
      ['value:range', 'unit:text', 'date:text', 'scope:text', `${NOTE_QUESTION}:text`],
    );
    assert.ok(q.questions.every((x) => !x.required));
  });
  it('pre-fills both ends of a range and the unit from the passage', () => {
    const q = ask('figure', { passage: 'six to nine-month' });
    assert.equal(q.prefill('value', answers()), '6–9');
    assert.equal(q.prefill('unit', answers()), 'month');
    assert.equal(q.prefill('date', answers()), '');
    assert.equal(ask('figure', { passage: '11.2 trillion roubles' }).prefill('value', answers()), '11.2');
  });
  it('pre-fills no value for a vague magnitude, only its unit', () => {
    const q = ask('figure', { passage: 'billions of dollars' });
    assert.equal(q.prefill('value', answers()), '');
    assert.equal(q.prefill('unit', answers()), 'dollars');
  });
  it('stores the range as value and high, and only what was answered (Done after the unit)', () => {
    const q = ask('figure', { passage: 'six to nine-month' });
    assert.deepEqual(q.result(answers(['value', '6–9'], ['unit', 'month'])), { attributes: { value: 6, high: 9, unit: 'month' }, note: undefined });
  });
  it('an empty answer skips: nothing is stored for it', () => {
    const q = ask('figure', { passage: 'six to nine-month' });
    assert.deepEqual(q.result(answers(['value', ''], ['unit', ''], ['date', ''], ['scope', ''], [NOTE_QUESTION, ''])), { attributes: {}, note: '' });
  });
  it('editing: pre-fills the current range; a single number drops the old high end; unanswered keep theirs', () => {
    const current = { value: 6, high: 9, unit: 'month', scope: 'AI' };
    const q = ask('figure', { current, withNote: false });
    assert.equal(
      q.questions.some((x) => x.name === NOTE_QUESTION),
      false,
    );
    assert.equal(q.prefill('value', answers()), '6–9');
    assert.equal(q.prefill('scope', answers()), 'AI');
    assert.deepEqual(q.result(answers(['value', '7'])).attributes, { value: 7, unit: 'month', scope: 'AI' });
    assert.deepEqual(q.result(answers(['value', '6–9'], ['unit', ''])).attributes, { value: 6, high: 9, scope: 'AI' });
  });
  it('checks numbers and ranges as they are typed', () => {
    const q = ask('figure');
    assert.equal(q.check('value', '6–9'), undefined);
    assert.equal(q.check('value', ''), undefined);
    assert.match(q.check('value', 'six') ?? '', /a number/);
    assert.match(q.check('value', '9–6') ?? '', /low end first, e\.g\. 6–9/);
    assert.throws(() => q.result(answers(['value', 'lots'])), /a number/);
  });
  it('without a high field in the codebook, the value is one number', () => {
    const figure: KindDefinition = { ...kind('figure'), attributes: kind('figure').attributes.filter((f) => f.name !== 'high') };
    const q = new TagQuestions(figure, { passage: 'six to nine-month', current: {}, withNote: false });
    assert.equal(q.questions[0].type, 'number');
    assert.equal(q.prefill('value', answers()), '6');
    assert.match(q.check('value', '6–9') ?? '', /a number/);
  });
});

describe('tag questions: claims', () => {
  it('asks the speaker, offering the speakers already used, then the note', () => {
    const used = new Map([
      [
        'speaker',
        new Map([
          ['Vladimir Putin', ''],
          ['Alexander Shoitov', ''],
        ]),
      ],
    ]);
    const q = ask('claim', { used });
    assert.deepEqual(
      q.questions.map((x) => x.name),
      ['speaker', NOTE_QUESTION],
    );
    assert.deepEqual(
      q.questions[0].choices?.map((c) => c.label),
      ['Alexander Shoitov', 'Vladimir Putin'],
    );
    assert.equal(q.questions[0].open, true);
    assert.match(q.questions[0].prompt, /Enter to skip/);
    assert.equal(q.prefill('speaker', answers()), '', 'no speaker is pre-filled: the passage does not say who');
    assert.deepEqual(q.result(answers(['speaker', ''], [NOTE_QUESTION, 'x'])), { attributes: {}, note: 'x' });
  });
});

describe('tag questions: entities', () => {
  it("asks the canonical name first, offering the names used and the register's, then the type", () => {
    const used = new Map([['canonical', new Map([['Yandex', 'organisation']])]]);
    const q = ask('entity', { register, used, passage: 'Sber' });
    assert.deepEqual(
      q.questions.map((x) => x.name),
      ['canonical', 'type', NOTE_QUESTION],
    );
    assert.deepEqual(q.questions[0].choices, [
      { label: 'Sberbank', description: 'organisation' },
      { label: 'Vladimir Putin', description: 'person' },
      { label: 'Yandex', description: 'organisation' },
    ]);
    assert.equal(q.prefill('canonical', answers()), 'Sberbank', "an alias pre-fills its entity's name");
  });
  it('pre-fills the type from the register, from the names already used, or from the name itself', () => {
    const used = new Map([['canonical', new Map([['Yandex', 'organisation']])]]);
    const q = ask('entity', { register, used, passage: 'someone' });
    assert.equal(q.prefill('type', answers(['canonical', 'Vladimir Putin'])), 'person');
    assert.equal(q.prefill('type', answers(['canonical', 'Yandex'])), 'organisation');
    assert.equal(q.prefill('type', answers(['canonical', 'Ministry of Finance'])), 'organisation');
    assert.equal(q.prefill('type', answers(['canonical', 'zzz'])), '', 'an unknown name leaves the type to the person');
    assert.equal(ask('entity', { register, passage: 'Putin' }).prefill('type', answers()), 'person', 'before the name is answered, from its pre-fill');
  });
  it('takes only a listed type, and stores nothing for a skipped one', () => {
    const q = ask('entity');
    assert.match(q.check('type', 'human') ?? '', /Pick one of: person, organisation, place, other/);
    assert.deepEqual(q.result(answers(['canonical', 'Sberbank'], ['type', ''])).attributes, { canonical: 'Sberbank' });
  });
  it('stores a boolean field as a boolean', () => {
    const k: KindDefinition = { name: 'quote', colour: '#000000', description: '', attributes: [{ name: 'verified', type: 'boolean' }] };
    const q = new TagQuestions(k, { passage: '', current: {}, withNote: false });
    assert.deepEqual(q.result(answers(['verified', 'false'])).attributes, { verified: false });
  });
});

describe('tag questions: numbers and ranges as typed', () => {
  it('reads numbers with separators, signs and exponents', () => {
    assert.equal(parseNumber('1,200'), 1200);
    assert.equal(parseNumber('1 200'), 1200);
    assert.equal(parseNumber('1.12e13'), 1.12e13);
    assert.equal(parseNumber('−5'), -5);
    assert.equal(parseNumber(''), undefined);
    assert.equal(parseNumber('12abc'), undefined);
  });
  it('reads ranges written with a dash, an en dash or "to", and keeps negative ends and exponents apart', () => {
    for (const s of ['6–9', '6-9', '6 - 9', '6 to 9', '6—9']) assert.deepEqual(parseRangeInput(s), { value: 6, high: 9 }, s);
    assert.deepEqual(parseRangeInput('-5 - -2'), { value: -5, high: -2 });
    assert.deepEqual(parseRangeInput('1e-3'), { value: 0.001 });
    assert.deepEqual(parseRangeInput('1,000–2,500'), { value: 1000, high: 2500 });
    assert.equal(parseRangeInput('six'), undefined);
  });
  it('writes a range back as people read it', () => {
    assert.equal(formatRangeInput(6, 9), '6–9');
    assert.equal(formatRangeInput(6), '6');
    assert.equal(formatRangeInput(6, 6), '6');
  });
});
