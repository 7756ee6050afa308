import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { TOOL_ID } from '../../../src/constants';
import { findMentions, findRegisterMentions } from '../../../src/core/research';
import {
  ENTITIES_PATH,
  EntitiesError,
  EntityInputError,
  MAX_ENTITIES_BYTES,
  addEntity,
  compareNames,
  emptyRegister,
  findEntity,
  mentionsOf,
  mergeEntities,
  parseEntities,
  parseEntitiesBytes,
  registerFromAnnotations,
  removeEntity,
  renameEntity,
  serializeEntities,
  updateEntity,
  type Entity,
  type EntityRegister,
} from '../../../src/core/store';
import type { Annotation, Attributes } from '../../../src/core/model';
import { parseSidecar, serializeSidecar } from '../../../src/core/store';
import { annotation as build } from '../../support/annotations';

const NOW = new Date('2026-02-01T12:00:00.000Z');

/** An annotation of `kind` on the first occurrence of `exact` in `text`, written by an older version (rewrites bump
 *  `modified` and `tool`, and keep `created`). */
function annotation(doc: string, text: string, exact: string, attributes: Attributes, kind = 'entity'): Annotation {
  return build({ doc, text, phrase: exact, attributes, kind, author: 'ann', created: '2026-01-01T00:00:00.000Z', tool: 'marginalia 0.0.1' });
}

function register(...entities: Entity[]): EntityRegister {
  return entities.reduce((reg, e) => addEntity(reg, e), emptyRegister());
}

const PUTIN: Entity = { name: 'Vladimir Putin', type: 'person', aliases: ['Putin', 'President Putin'] };
const SBER: Entity = { name: 'Sberbank', type: 'organisation', aliases: [] };
const RUSSIA: Entity = { name: 'Russia', type: 'place', aliases: ['Russian Federation'], note: 'The country, not the "Russia" brand.' };

function entitiesError(text: string): EntitiesError {
  try {
    parseEntities(text);
  } catch (e) {
    assert.ok(e instanceof EntitiesError, `expected an EntitiesError, got ${String(e)}`);
    assert.equal(e.file, ENTITIES_PATH);
    return e;
  }
  assert.fail('expected the register to be refused');
}

describe('entity register: file format', () => {
  it('is written in one canonical form: sorted by name, aliases sorted, one line per field and alias', () => {
    const reg = register(SBER, PUTIN, RUSSIA, { name: 'apple', type: 'other', aliases: [] }, { name: 'Apple', type: 'organisation', aliases: ['Apple Inc.'] });
    assert.equal(
      serializeEntities(reg),
      [
        "# Marginalia entity register: each entity's canonical name, type and other spellings (aliases), sorted by name. Schema: schemas/entities.schema.json",
        'version: 1',
        'entities:',
        '  - name: Apple',
        '    type: organisation',
        '    aliases:',
        '      - Apple Inc.',
        '  - name: apple',
        '    type: other',
        '    aliases: []',
        '  - name: Russia',
        '    type: place',
        '    aliases:',
        '      - Russian Federation',
        '    note: The country, not the "Russia" brand.',
        '  - name: Sberbank',
        '    type: organisation',
        '    aliases: []',
        '  - name: Vladimir Putin',
        '    type: person',
        '    aliases:',
        '      - President Putin',
        '      - Putin',
        '',
      ].join('\n'),
    );
  });

  it('writes an empty register as an empty list and reads it back', () => {
    const text = serializeEntities(emptyRegister());
    assert.match(text, /\nentities: \[\]\n$/);
    assert.deepEqual(parseEntities(text), emptyRegister());
  });

  it('reads back what it writes, whatever the names hold (quotes, colons, #, YAML words, Unicode)', () => {
    const name = fc.oneof(
      fc.constantFrom('yes', 'No', 'null', '123', '-x', '#tag', 'a: b', 'x #y', "O'Brien", 'Zoë', 'Путин', '習近平', '"quoted"', 'back\\slash', '🙂 Emoji'),
      fc.string({ minLength: 1, maxLength: 12 }),
    );
    const entity = fc.record({
      name,
      type: fc.constantFrom('person' as const, 'organisation' as const, 'place' as const, 'other' as const),
      aliases: fc.array(name, { maxLength: 3 }),
      note: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(entity, { maxLength: 6 }), (list) => {
        let reg = emptyRegister();
        for (const e of list) {
          try {
            reg = addEntity(reg, e);
          } catch (err) {
            if (!(err instanceof EntityInputError)) throw err;
          }
        }
        const text = serializeEntities(reg);
        assert.deepEqual(parseEntities(text), reg);
        assert.equal(serializeEntities(parseEntities(text)), text);
      }),
      { numRuns: 300 },
    );
  });

  it('sorts by name without regard to the machine locale: case-insensitively, then by code units', () => {
    const names = ['beta', 'Alpha', 'alpha', 'Émile', 'zeta', 'Zeta'];
    assert.deepEqual([...names].sort(compareNames), ['Alpha', 'alpha', 'beta', 'Zeta', 'zeta', 'Émile']);
  });

  it('reads a hand-written file in any order, fills in missing aliases and sorts', () => {
    const reg = parseEntities(
      [
        'version: 1',
        'entities:',
        '  - name: Vladimir Putin',
        '    type: person',
        '    aliases: [Putin, "President Putin"]',
        '  - type: organisation',
        '    name: Sberbank',
        '',
      ].join('\n'),
    );
    assert.deepEqual(reg, {
      entities: [
        { name: 'Sberbank', type: 'organisation', aliases: [] },
        { name: 'Vladimir Putin', type: 'person', aliases: ['President Putin', 'Putin'] },
      ],
    });
  });

  it('refuses a name or alias that belongs to two entities, at the line of the second', () => {
    const e = entitiesError(
      [
        'version: 1',
        'entities:',
        '  - name: Vladimir Putin',
        '    type: person',
        '    aliases:',
        '      - Putin',
        '  - name: Putin',
        '    type: person',
        '',
      ].join('\n'),
    );
    assert.equal(e.code, 'invalid');
    assert.equal(e.line, 6);
    assert.match(
      e.message,
      /^\.marginalia\/entities\.yaml:6:9: "Putin" is an alias of entities\[0\] \("Vladimir Putin"\) but already the name of entities\[1\] \("Putin"\)/,
    );
    assert.match(e.message, /merge the two entities/);
  });

  it('refuses an alias that repeats its own name, and two entities with one name', () => {
    assert.equal(entitiesError('version: 1\nentities:\n  - name: Russia\n    type: place\n    aliases: [Russia]\n').line, 5);
    const twice = entitiesError('version: 1\nentities:\n  - name: Russia\n    type: place\n  - name: Russia\n    type: other\n');
    assert.equal(twice.line, 5);
    assert.match(twice.reason, /already the name of entities\[0\]/);
  });

  it('locates schema problems: an unknown type, a missing name, an unknown field, a bad alias', () => {
    const type = entitiesError('version: 1\nentities:\n  - name: Russia\n    type: country\n');
    assert.equal(type.code, 'schema');
    assert.deepEqual([type.line, type.column], [4, 11]);
    assert.match(type.reason, /must be one of "person", "organisation", "place", "other", not text "country"/);
    const missing = entitiesError('version: 1\nentities:\n  - type: place\n');
    assert.equal(missing.line, 3);
    assert.match(missing.reason, /missing the required field "name"/);
    const unknown = entitiesError('version: 1\nentities:\n  - name: Russia\n    type: place\n    capital: Moscow\n');
    assert.equal(unknown.line, 5);
    assert.match(unknown.reason, /unknown field "capital"/);
    const alias = entitiesError('version: 1\nentities:\n  - name: Russia\n    type: place\n    aliases:\n      - " Rossiya"\n');
    assert.equal(alias.line, 6);
    assert.match(alias.reason, /aliases\[0\] must be a name on one line without spaces at either end/);
  });

  it('refuses YAML errors, tags, conflict markers, newer versions and empty files with their place', () => {
    const syntax = entitiesError('version: 1\nentities:\n  - name: [Russia\n');
    assert.equal(syntax.code, 'syntax');
    assert.ok(syntax.line !== undefined && syntax.line >= 3);
    const tag = entitiesError('version: 1\nentities:\n  - name: !!str Russia\n    type: place\n');
    assert.equal(tag.code, 'tag');
    assert.equal(tag.line, 3);
    const conflict = entitiesError('version: 1\nentities:\n<<<<<<< HEAD\n  - name: Russia\n=======\n  - name: Rossiya\n>>>>>>> other\n    type: place\n');
    assert.equal(conflict.code, 'conflict');
    assert.equal(conflict.line, 3);
    const newer = entitiesError('version: 2\nentities: []\n');
    assert.equal(newer.code, 'version');
    assert.match(newer.reason, /newer Marginalia/);
    assert.equal(entitiesError('').code, 'empty');
    assert.equal(entitiesError('- a list\n').code, 'schema');
  });

  it('checks size and encoding of the bytes first', () => {
    assert.deepEqual(parseEntitiesBytes(new TextEncoder().encode('version: 1\nentities: []\n')), emptyRegister());
    assert.throws(
      () => parseEntitiesBytes(new Uint8Array([0x76, 0xff, 0xfe])),
      (e: unknown) => e instanceof EntitiesError && e.code === 'encoding',
    );
    assert.throws(
      () => parseEntitiesBytes(new Uint8Array(MAX_ENTITIES_BYTES + 1)),
      (e: unknown) => e instanceof EntitiesError && e.code === 'too-large',
    );
  });

  it('refuses to write a register it could not read back', () => {
    const bad: EntityRegister = { entities: [PUTIN, { name: 'Putin', type: 'person', aliases: [] }] };
    assert.throws(() => serializeEntities(bad), /refusing to save .*"Putin"/);
    assert.throws(() => serializeEntities({ entities: [{ name: ' padded', type: 'place', aliases: [] }] }), /refusing to save/);
  });
});

describe('entity register: changes', () => {
  const doc = 'news/a.txt';
  const text = "Vladimir Putin met Sberbank's chief. Putin spoke; President Putin left. The Kremlin said Russia agreed.";
  const anns = (): Annotation[] => [
    annotation(doc, text, 'Vladimir Putin', { type: 'person', canonical: 'Vladimir Putin' }),
    annotation(doc, text, 'Putin spoke', { type: 'person', canonical: 'Vladimir Putin' }),
    annotation(doc, text, 'Sberbank', { type: 'other', canonical: 'Sberbank' }),
    annotation(doc, text, 'Kremlin', { type: 'organisation', canonical: 'Kremlin' }),
    annotation(doc, text, 'Russia agreed', { speaker: 'Vladimir Putin' }, 'claim'),
  ];

  it('adds entities, cleaning names and aliases, and refuses spellings that are taken', () => {
    const reg = addEntity(emptyRegister(), {
      name: '  Vladimir \n Putin ',
      type: 'person',
      aliases: ['Putin', 'Putin', 'Vladimir Putin', ' President  Putin'],
    });
    assert.deepEqual(reg.entities, [{ name: 'Vladimir Putin', type: 'person', aliases: ['President Putin', 'Putin'] }]);
    assert.throws(
      () => addEntity(reg, { name: 'Putin', type: 'person', aliases: [] }),
      (e: unknown) => e instanceof EntityInputError && /already an alias of "Vladimir Putin"/.test(e.message),
    );
    assert.throws(() => addEntity(reg, { name: 'V. Putin', type: 'person', aliases: ['Vladimir Putin'] }), EntityInputError);
    assert.throws(() => addEntity(reg, { name: '  ', type: 'person', aliases: [] }), /name is empty/);
    assert.throws(() => addEntity(reg, { name: 'X', type: 'country' as never, aliases: [] }), /type must be one of/);
    assert.deepEqual(removeEntity(reg, 'Vladimir Putin'), emptyRegister());
    assert.throws(() => removeEntity(reg, 'Putin'), /no entity named "Putin"/);
  });

  it('finds an entity by name or alias: exact case first, then any case', () => {
    const reg = register(PUTIN, { name: 'Apple', type: 'organisation', aliases: [] }, { name: 'apple', type: 'other', aliases: ['pome'] });
    assert.equal(findEntity(reg, 'Putin')?.name, 'Vladimir Putin');
    assert.equal(findEntity(reg, ' president putin ')?.name, 'Vladimir Putin');
    assert.equal(findEntity(reg, 'Apple')?.type, 'organisation');
    assert.equal(findEntity(reg, 'apple')?.type, 'other');
    assert.equal(findEntity(reg, 'APPLE')?.type, 'organisation', 'without an exact match, the first in register order');
    assert.equal(findEntity(reg, 'POME')?.name, 'apple');
    assert.equal(findEntity(reg, 'Medvedev'), undefined);
    assert.equal(findEntity(reg, ''), undefined);
  });

  it('renames an entity and rewrites the canonical of its annotations, bumping modified', () => {
    const reg = register(PUTIN, SBER);
    const before = anns();
    const { register: next, rewrites } = renameEntity(reg, 'Vladimir Putin', 'Vladimir Vladimirovich Putin', before, NOW);
    assert.deepEqual(findEntity(next, 'Putin'), { name: 'Vladimir Vladimirovich Putin', type: 'person', aliases: ['President Putin', 'Putin'] });
    assert.equal(findEntity(next, 'Vladimir Putin'), undefined, 'the old name is not kept by default');
    assert.deepEqual(
      rewrites.map((r) => [r.id, r.changes]),
      before.slice(0, 2).map((a) => [a.id, { canonical: { from: 'Vladimir Putin', to: 'Vladimir Vladimirovich Putin' } }]),
    );
    for (const r of rewrites) {
      assert.equal(r.doc, doc);
      assert.equal(r.annotation.attributes.canonical, 'Vladimir Vladimirovich Putin');
      assert.equal(r.annotation.attributes.type, 'person');
      assert.equal(r.annotation.provenance.modified, NOW.toISOString());
      assert.equal(r.annotation.provenance.tool, TOOL_ID);
      assert.equal(r.annotation.provenance.created, '2026-01-01T00:00:00.000Z');
    }
    // The claim whose speaker is Putin is no entity annotation: untouched. The input is not changed either.
    assert.equal(before[0].attributes.canonical, 'Vladimir Putin');
    // The rewritten annotations still make a valid sidecar.
    const saved = parseSidecar(
      serializeSidecar(
        doc,
        rewrites.map((r) => r.annotation),
      ),
      `.marginalia/annotations/${doc}.yaml`,
    );
    assert.equal(saved.length, 2);
  });

  it('takes annotations by document, as the store loads them', () => {
    const byDoc = new Map([
      [doc, anns()],
      ['other.txt', [annotation('other.txt', 'Putin', 'Putin', { canonical: 'Vladimir Putin' })]],
    ]);
    const { rewrites } = renameEntity(register(PUTIN), 'Vladimir Putin', 'V. V. Putin', byDoc, NOW);
    assert.deepEqual(
      rewrites.map((r) => r.doc),
      [doc, doc, 'other.txt'],
    );
  });

  it('renames to one of its own aliases, or keeps the old name as an alias when asked', () => {
    const reg = register(PUTIN);
    assert.deepEqual(renameEntity(reg, 'Vladimir Putin', 'Putin', [], NOW).register.entities, [
      { name: 'Putin', type: 'person', aliases: ['President Putin'] },
    ]);
    assert.deepEqual(renameEntity(reg, 'Vladimir Putin', 'V. Putin', [], NOW, { keepOldAsAlias: true }).register.entities[0].aliases, [
      'President Putin',
      'Putin',
      'Vladimir Putin',
    ]);
    assert.deepEqual(renameEntity(reg, 'Vladimir Putin', 'Vladimir Putin', anns(), NOW), { register: reg, rewrites: [] });
  });

  it('refuses a rename to a name another entity has, or of an entity that does not exist', () => {
    const reg = register(PUTIN, SBER);
    assert.throws(
      () => renameEntity(reg, 'Sberbank', 'Putin', [], NOW),
      (e: unknown) => e instanceof EntityInputError && /merge/.test(e.message),
    );
    assert.throws(() => renameEntity(reg, 'Gazprom', 'Gazprom PJSC', [], NOW), /no entity named "Gazprom"/);
    assert.throws(() => renameEntity(reg, 'Sberbank', ' ', [], NOW), /new name is empty/);
  });

  it('merges: aliases unioned, the absorbed name an alias, its annotations moved to the kept name and type', () => {
    const reg = register(PUTIN, SBER, { name: 'Sber', type: 'other', aliases: ['SberBank'], note: 'the brand' });
    const a = [...anns(), annotation(doc, text, 'Sberbank', { type: 'other', canonical: 'Sber' })];
    const { register: next, rewrites } = mergeEntities(reg, 'Sberbank', 'Sber', a, NOW);
    assert.deepEqual(next.entities, [{ name: 'Sberbank', type: 'organisation', aliases: ['Sber', 'SberBank'], note: 'the brand' }, PUTIN_CLEAN]);
    assert.equal(rewrites.length, 1);
    assert.deepEqual(rewrites[0].changes, { canonical: { from: 'Sber', to: 'Sberbank' }, type: { from: 'other', to: 'organisation' } });
    assert.deepEqual(rewrites[0].annotation.attributes, { canonical: 'Sberbank', type: 'organisation' });
    assert.throws(() => mergeEntities(reg, 'Sber', 'Sber', a, NOW), /into itself/);
    assert.throws(() => mergeEntities(reg, 'Sber', 'Gazprom', a, NOW), /no entity named "Gazprom"/);
  });

  it('keeps both notes when both merged entities have one', () => {
    const reg = register({ name: 'A', type: 'other', aliases: [], note: 'one' }, { name: 'B', type: 'other', aliases: [], note: 'two' });
    assert.equal(mergeEntities(reg, 'A', 'B', [], NOW).register.entities[0].note, 'one\ntwo');
  });

  it('updates type, aliases and note; a new type is carried to the annotations that state another', () => {
    const reg = register(PUTIN, SBER);
    const { register: next, rewrites } = updateEntity(reg, 'Sberbank', { type: 'organisation', aliases: ['Sber'], note: 'state bank' }, anns(), NOW);
    assert.deepEqual(findEntity(next, 'Sber'), { name: 'Sberbank', type: 'organisation', aliases: ['Sber'], note: 'state bank' });
    assert.deepEqual(rewrites, [], 'the type did not change');
    const retyped = updateEntity(reg, 'Sberbank', { type: 'other' }, anns(), NOW);
    assert.deepEqual(retyped.rewrites, []);
    const toPlace = updateEntity(register(PUTIN, { ...SBER, type: 'other' }), 'Sberbank', { type: 'organisation', note: null }, anns(), NOW);
    assert.deepEqual(
      toPlace.rewrites.map((r) => r.changes),
      [{ type: { from: 'other', to: 'organisation' } }],
    );
    assert.throws(() => updateEntity(reg, 'Sberbank', { aliases: ['Putin'] }, [], NOW), /already an alias of "Vladimir Putin"/);
  });

  it('seeds a register from entity annotations: canonical, majority type, spellings as aliases', () => {
    const t = "Putin said. Vladimir Putin's aide. Sberbank and SBERBANK. The Kremlin.";
    const list = [
      annotation('a.txt', t, 'Putin', { type: 'person', canonical: 'Vladimir Putin' }),
      annotation('a.txt', t, "Vladimir Putin's", { type: 'person', canonical: 'Vladimir Putin' }),
      annotation('a.txt', t, 'Sberbank', { type: 'organisation', canonical: 'Sberbank' }),
      annotation('a.txt', t, 'SBERBANK', { type: 'other', canonical: 'Sberbank' }),
      annotation('b.txt', t, 'SBERBANK', { type: 'organisation' }),
      annotation('a.txt', t, 'Kremlin', {}),
      annotation('a.txt', t, 'Putin said', { speaker: 'x' }, 'claim'),
    ];
    assert.deepEqual(registerFromAnnotations(list).entities, [
      { name: 'Kremlin', type: 'other', aliases: [] },
      // "SBERBANK" is an entity of its own (an annotation says so): it cannot also be Sberbank's alias.
      { name: 'SBERBANK', type: 'organisation', aliases: [] },
      { name: 'Sberbank', type: 'organisation', aliases: [] },
      { name: 'Vladimir Putin', type: 'person', aliases: ['Putin'] },
    ]);
  });

  it('seeds into an existing register: its entities keep their type and gain new spellings', () => {
    const t = 'Mr Putin and Putin and Путин.';
    const base = register(PUTIN);
    const list = [
      annotation('a.txt', t, 'Mr Putin', { type: 'other', canonical: 'Vladimir Putin' }),
      annotation('a.txt', t, 'Путин', { type: 'person', canonical: 'Putin' }),
    ];
    const reg = registerFromAnnotations(list, base);
    assert.deepEqual(reg.entities, [{ name: 'Vladimir Putin', type: 'person', aliases: ['Mr Putin', 'President Putin', 'Putin', 'Путин'] }]);
    assert.doesNotThrow(() => parseEntities(serializeEntities(reg)));
  });

  it('lists the mentions of an entity by document and position', () => {
    const t = 'Putin. Vladimir Putin.';
    const byDoc = new Map([
      ['b.txt', [annotation('b.txt', t, 'Vladimir Putin', { canonical: 'Vladimir Putin' }), annotation('b.txt', t, 'Putin', { canonical: 'Vladimir Putin' })]],
      ['a.txt', [annotation('a.txt', t, 'Putin', { canonical: 'Putin' }), annotation('a.txt', t, 'Vladimir', { canonical: 'Vladimir Putin' })]],
      ['c.txt', [annotation('c.txt', t, 'Putin', { speaker: 'Vladimir Putin', canonical: 'Vladimir Putin' }, 'claim')]],
    ]);
    const found = mentionsOf(PUTIN, byDoc);
    assert.deepEqual(
      found.map((m) => [m.doc, m.annotations.map((a) => a.target.quote.exact)]),
      [
        ['a.txt', ['Vladimir']],
        ['b.txt', ['Putin', 'Vladimir Putin']],
      ],
    );
  });
});

const PUTIN_CLEAN: Entity = { name: 'Vladimir Putin', type: 'person', aliases: ['President Putin', 'Putin'] };

describe('entity register: findMentions', () => {
  const spans = (text: string, e: Entity, options = {}): string[] => findMentions(text, e, options).map((m) => `${m.start}:${m.matched}`);
  /** "offset:needle" for the nth occurrence of needle, so expectations need no counting by hand. */
  const at = (text: string, needle: string, nth = 0): string => {
    let i = text.indexOf(needle);
    for (let k = 0; k < nth; k++) i = text.indexOf(needle, i + 1);
    assert.ok(i >= 0, needle);
    return `${i}:${needle}`;
  };

  it('finds every name and alias, whole words only, and keeps possessives outside', () => {
    const text = "Putin's plan; Putin’s aides. Putinism, Putins and RasPutin are not. (Putin) said: 'Putin'.";
    const inParens = text.indexOf('(Putin)') + 1;
    const inQuotes = text.indexOf("'Putin'") + 1;
    assert.deepEqual(spans(text, PUTIN), ['0:Putin', '14:Putin', `${inParens}:Putin`, `${inQuotes}:Putin`]);
  });

  it('treats letters of every script as word characters', () => {
    const russia: Entity = { name: 'Россия', type: 'place', aliases: ['Russia', 'Zoë'] };
    const text = 'Россия и Россияне; Russia, Russian; Zoë and Zoëlle; «Россия»';
    assert.deepEqual(spans(text, russia), ['0:Россия', '19:Russia', '36:Zoë', '53:Россия']);
    // A combining mark continues the word it follows: "Russiá" written with U+0301 is not "Russia".
    assert.deepEqual(spans('Russia\u0301 and Russia', russia), ['12:Russia']);
  });

  it('matches names in scripts without spaces anywhere', () => {
    const xi: Entity = { name: '习近平', type: 'person', aliases: ['Xi Jinping'] };
    assert.deepEqual(spans('国家主席习近平表示，习近平。Xi Jinping.', xi), ['4:习近平', '10:习近平', '14:Xi Jinping']);
  });

  it('does not find a name inside an apostrophe word, but does before a possessive', () => {
    const brien: Entity = { name: 'Brien', type: 'person', aliases: ['O'] };
    assert.deepEqual(spans("O'Brien and Brien's and O'Neill's friend O.", brien), ['12:Brien', '41:O']);
    assert.deepEqual(spans("Jones'sy Jones's", { name: 'Jones', type: 'person', aliases: [] }), ['9:Jones']);
  });

  it('is case-sensitive unless asked: Apple the company is not apple the fruit', () => {
    const apple: Entity = { name: 'Apple', type: 'organisation', aliases: ['Apple Inc.'] };
    const text = 'Apple sells apples; an apple a day; APPLE Inc. and Apple Inc. now.';
    assert.deepEqual(spans(text, apple), ['0:Apple', at(text, 'Apple Inc.')]);
    assert.deepEqual(spans(text, apple, { ignoreCase: true }), ['0:Apple', at(text, 'apple', 1), at(text, 'APPLE Inc.'), at(text, 'Apple Inc.')]);
  });

  it('prefers the longest name, never overlaps, and lets a space match any white space', () => {
    const text = 'Vladimir Putin and Putin; President\nPutin; Vladimir  Putin.';
    assert.deepEqual(spans(text, PUTIN), ['0:Vladimir Putin', '19:Putin', at(text, 'President\nPutin'), at(text, 'Vladimir  Putin')]);
  });

  it('prefers the longest match across overlapping aliases, wherever it starts', () => {
    const e: Entity = { name: 'New York', type: 'place', aliases: ['York City Council'] };
    assert.deepEqual(spans('New York City Council met.', e), ['4:York City Council']);
  });

  it("matches ' and ’ in names to each other", () => {
    const e: Entity = { name: "Côte d'Ivoire", type: 'place', aliases: [] };
    assert.deepEqual(spans("Côte d’Ivoire and Côte d'Ivoire’s coast", e), ['0:Côte d’Ivoire', "18:Côte d'Ivoire"]);
  });

  it('skips passages already tagged', () => {
    const text = 'Putin met Putin and Vladimir Putin.';
    assert.deepEqual(spans(text, PUTIN, { existing: [{ start: 10, end: 15 }] }), ['0:Putin', '20:Vladimir Putin']);
    // An existing tag over part of a longer name leaves the shorter name that does not overlap it.
    assert.deepEqual(spans(text, PUTIN, { existing: [{ start: 20, end: 28 }] }), ['0:Putin', '10:Putin', '29:Putin']);
    assert.deepEqual(spans(text, PUTIN, { existing: [{ start: -5, end: 1000 }] }), []);
  });

  it('counts offsets in UTF-16 code units, past emoji and other astral characters', () => {
    const text = '🙂 Putin 𝐀 Putin';
    const found = findMentions(text, PUTIN);
    assert.deepEqual(
      found.map((m) => text.slice(m.start, m.end)),
      ['Putin', 'Putin'],
    );
    assert.deepEqual(
      found.map((m) => m.start),
      [3, 12],
    );
    // A letter outside the BMP is a letter: no word boundary between it and the name.
    assert.deepEqual(spans('𝐀Putin', PUTIN), []);
  });

  it('escapes names that hold regular-expression characters', () => {
    const e: Entity = { name: 'C++ (lang)', type: 'other', aliases: ['A.B.', '$100 Club'] };
    const text = 'C++ (lang) and AxB and A.B. and the $100 Club.';
    assert.deepEqual(spans(text, e), ['0:C++ (lang)', at(text, 'A.B.'), at(text, '$100 Club')]);
  });

  it('finds mentions of a whole register in one pass; the longer name wins between entities', () => {
    const reg = register(PUTIN, { name: 'Putin Foundation', type: 'organisation', aliases: [] }, RUSSIA);
    const text = 'The Putin Foundation, Putin and the Russian Federation; Russia.';
    assert.deepEqual(
      findRegisterMentions(text, reg).map((m) => `${m.matched}=${m.entity.name}`),
      ['Putin Foundation=Putin Foundation', 'Putin=Vladimir Putin', 'Russian Federation=Russia', 'Russia=Russia'],
    );
  });

  // How fast this runs is a benchmark's business (machines here are shared); the test checks the result at this size.
  it('reads a megabyte with a register of a thousand entities, every mention found once', () => {
    const entities: Entity[] = [];
    for (let i = 0; i < 1000; i++) entities.push({ name: `Person${i} Surname${i}`, type: 'person', aliases: [`Surname${i}`, `P. Surname${i}`] });
    const reg: EntityRegister = { entities };
    const paragraph = 'Surname17 met Person42 Surname42 and P. Surname999 in the city; nobody else came to the meeting. ';
    const text = paragraph.repeat(Math.ceil(1_000_000 / paragraph.length));
    const found = findRegisterMentions(text, reg);
    assert.equal(found.length, 3 * Math.ceil(1_000_000 / paragraph.length));
    assert.deepEqual(
      found.slice(0, 3).map((m) => `${m.matched}=${m.entity.name}`),
      ['Surname17=Person17 Surname17', 'Person42 Surname42=Person42 Surname42', 'P. Surname999=Person999 Surname999'],
    );
  });
});
