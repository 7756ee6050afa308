// Word lists for finding names (names.ts): titles, role and organisation words, abbreviations, and the lists
// of the `compromise` NLP library (places, organisations, first and last names, demonyms, common words), loaded
// lazily at the first use. Entries are lower case unless a comment says otherwise.
import type { EntityType } from '../model';
import { wordList } from './wordList';

/** Abbreviations written with a full stop that does not end a sentence. */
export const DOTTED = new Set(
  wordList(`
  st, mt, ft, mr, mrs, ms, dr, prof, gen, sen, rep, gov, jr, sr, inc, corp, co, ltd, lt, col, capt, sgt, rev,
  hon,
`),
);

/** Particles inside personal names ("da Vinci", "von Braun"). */
export const PARTICLES = new Set(['da', 'de', 'del', 'della', 'der', 'di', 'du', 'la', 'le', 'van', 'von', 'bin', 'ibn', 'al', 'dos', 'das']);

/** Abbreviations that every English news text uses, with the entity they name. */
export const ABBREVIATIONS = new Map<string, readonly [EntityType, string]>([
  ['U.S.', ['place', 'United States']],
  ['US', ['place', 'United States']],
  ['USA', ['place', 'United States']],
  ['U.S.A.', ['place', 'United States']],
  ['UK', ['place', 'United Kingdom']],
  ['U.K.', ['place', 'United Kingdom']],
  ['UAE', ['place', 'United Arab Emirates']],
  ['USSR', ['place', 'Soviet Union']],
  ['EU', ['organisation', 'European Union']],
  ['E.U.', ['organisation', 'European Union']],
  ['UN', ['organisation', 'United Nations']],
  ['U.N.', ['organisation', 'United Nations']],
  ['NATO', ['organisation', 'NATO']],
]);

/** Acronyms that name no entity: kinds of thing, units, roles. */
export const STOP_ACRONYMS = new Set([
  'AI',
  'AGI',
  'ML',
  'LLM',
  'LLMs',
  'NLP',
  'GDP',
  'GNP',
  'CEO',
  'CEOs',
  'CFO',
  'CTO',
  'COO',
  'GPU',
  'GPUs',
  'CPU',
  'CPUs',
  'IT',
  'PR',
  'TV',
  'PC',
  'PCs',
  'USB',
  'API',
  'APIs',
  'DNA',
  'RNA',
  'ID',
  'IDs',
  'OK',
  'PDF',
  'FAQ',
  'HTML',
  'URL',
  'VAT',
  'IPO',
  'ESG',
  'KPI',
  'AM',
  'PM',
  'BC',
  'AD',
  'CE',
  'BCE',
  'VR',
  'AR',
  'IoT',
  'HQ',
  'R&D',
  'Q&A',
  'SMS',
  'GPS',
  'II',
  'III',
  'IV',
  'VI',
  'VII',
  'VIII',
  'IX',
  'XI',
  'XII',
  'CO2',
  'COVID',
  'NB',
  'PS',
  'FY',
  'YoY',
  'B2B',
  'B2C',
  'A',
  'I',
  'O',
  // Currency codes: units of figures, not entities.
  'USD',
  'EUR',
  'GBP',
  'RUB',
  'RUR',
  'CNY',
  'RMB',
  'JPY',
  'INR',
  'CHF',
  'CAD',
  'AUD',
  'HKD',
  'KRW',
  'BRL',
  'ZAR',
  'MXN',
  'TRY',
  'SEK',
  'NOK',
  'DKK',
  'PLN',
  'AOA',
  'NGN',
  'KES',
  'EGP',
  'SAR',
  'AED',
  'SGD',
]);

/** Titles before a person's name; they are not part of it. */
export const TITLES = new Set(
  wordList(`
  president, president-elect, vice, premier, chancellor, minister, secretary, senator, sen, sen., governor, gov,
  gov., mayor, king, queen, prince, princess, pope, emperor, general, gen, gen., colonel, col, col., captain,
  capt, capt., lieutenant, admiral, sergeant, judge, justice, ambassador, chairman, chairwoman, ceo, cfo, cto,
  mr, mr., mrs, mrs., ms, ms., miss, dr, dr., prof, prof., professor, sir, dame, lord, lady, rev, rev.,
  reverend, sheikh, emir, sultan, ayatollah, rep, rep., representative, congressman, congresswoman, prime,
  deputy, acting, spokesman, spokeswoman, commissioner, director, founder, chief, patriarch,
`),
);

/** Nouns for roles of people, in an apposition after a name (", head of the ministry"). */
export const PERSON_ROLES = new Set(
  wordList(`
  head, leader, founder, chief, director, spokesman, spokeswoman, spokesperson, chairman, chairwoman, deputy,
  minister, president, professor, researcher, scientist, author, editor,
`),
);

/** Words after a name that make it an organisation's: "Sberbank CEO", "Google's founder". */
export const ORG_ROLES = new Set(
  wordList(`
  ceo, cfo, cto, chairman, chairwoman, founder, co-founder, spokesman, spokeswoman, spokesperson, shareholders,
  shares, employees, headquarters, subsidiary, leadership, board,
`),
);

/** Nouns for organisations, before a name ("technology giant Yandex") or in an apposition after it. */
export const ORG_NOUNS = new Set(
  wordList(`
  company, companies, firm, bank, lender, consultancy, agency, group, giant, conglomerate, corporation,
  publisher, newspaper, broadcaster, outlet, startup, start-up, manufacturer, maker, carrier, operator,
  institution, organisation, organization, regulator, ministry, party, insurer, retailer, producer, supplier,
  developer, automaker, chipmaker, airline, university, charity, nonprofit, non-profit, think-tank, tank,
  exchange, fund, club, team, union, alliance, bloc,
`),
);

/** Hyphen suffixes after a place name ("UK-based"). */
export const PLACE_SUFFIXES = new Set(['based', 'born', 'made', 'bound', 'wide']);

/** Words that end a firm's name after "and": "Yakov and Partners", "Johnson and Sons". */
export const FIRM_ENDINGS = new Set(['partners', 'sons', 'associates', 'company', 'co', 'co.', 'brothers']);

/** Organisation words that can head a name with an "of"/"for" part. */
export const ORG_HEADS = new Set(
  wordList(`
  ministry, department, institute, institution, university, universities, academy, school, college, bank,
  agency, office, council, committee, commission, federation, association, society, foundation, bureau, court,
  centre, center, organisation, organization, union, party, board, authority, directorate, museum, library,
  chamber, league, alliance, network, corporation, company, service, administration, house, senate, parliament,
  assembly, secretariat, observatory, laboratory, hospital, church,
`),
);

/** Place words that can head a name with an "of" part. */
export const PLACE_HEADS = new Set(
  wordList(`
  republic, kingdom, state, states, province, city, region, island, islands, isle, gulf, bay, sea, emirate,
  principality, commonwealth, county, district, strait, straits, cape, lake, mount, river, valley, port,
`),
);

export const ARTICLES = new Set(['the', 'a', 'an']);

/** Short words that carry no content: they neither make a line look like prose nor start names. */
export const FUNCTION_WORDS = new Set(
  wordList(`
  the, a, an, of, to, in, on, at, by, for, from, with, and, or, but, nor, as, than, that, this, these, those,
  it, its, is, are, was, were, be, been, has, have, had, do, does, did, will, would, can, could, may, might,
  must, shall, should, not, no, about, into, onto, over, under, after, before, since, until, while, if, so,
  also, only, just, what, when, where, why, how, who, which, whom, whose, we, they, he, she, you, i, our, your,
  their, his, her, my, here, there, then, all, some, any, each, every, more, most, such, other, many, much,
  very, via, per, up, out, off, see, read, new,
`),
);

/** Endings of common words, for capitalised sentence starts that no list knows ("Currently", "Recognizing"). */
export const COMMON_ENDINGS = new RegExp(
  `(?:${[
    'ly',
    'ing',
    'ings',
    'ed',
    'tion',
    'tions',
    'sion',
    'sions',
    'ment',
    'ments',
    'ness',
    'ity',
    'ities',
    'ive',
    'ives',
    'ous',
    'ful',
    'less',
    'able',
    'ible',
    'ism',
    'ize',
    'ise',
    'izes',
    'ises',
    'ized',
    'ised',
    'ance',
    'ence',
    'ship',
    'ward',
    'wards',
  ].join('|')})$`,
);

/** Demonyms compromise does not list as such. */
export const EXTRA_DEMONYMS = wordList(`
  english, british, soviet, western, eastern, northern, southern, arab, arabic, irish, nordic, baltic, slavic,
  latin, scandinavian, european, asian, african, american, muslim, christian, jewish, catholic,
`);

/** Organisation words that end many title-case phrases that are not organisations. */
export const WEAK_ORG_WORDS = wordList(`
  conference, development, education, data, design, care, power, international, community, management,
  marketing, systems, service, services, capital, energy, mobile, military, investment, investments, markets,
  resources, financial, government, estate, marine, coffee, pizza, boys, girls, crew, collective, enterprise,
  electric, oil, gas, petrol, optical, interstate, comprehensive, containers, machines, computers, chemicals,
  drilling, brands, workers, post, press, reserve, subsidiary, utilities, entertainment, telecommunications,
  communications, television, radio, productions,
`);

interface NameHit {
  type: EntityType;
  what: string;
}

/** Organisation words compromise does not list as such. */
const EXTRA_ORG_WORDS = ['ministry', 'university', 'universities', 'academy', 'alliance', 'network', 'institute', 'bank', 'partners', 'media', 'times'];

/** compromise's tags for names: a word with none of them is a common word. */
const NAME_TAGS = new Set(
  wordList(`
  Country, City, Region, Place, Organization, SportsTeam, Person, MaleName, FemaleName, FirstName, LastName,
  ProperNoun, Demonym,
`),
);

/** Abbreviated months and weekdays. */
const SHORT_CALENDAR = ['jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

export interface NameLexicon {
  /** Whole names (lower case, hyphens as spaces) of places, organisations and people. */
  names: Map<string, NameHit>;
  firstNames: Set<string>;
  lastNames: Set<string>;
  demonyms: Set<string>;
  /** Words with only common-word tags (verbs, adjectives, nouns, function words ...). */
  common: Set<string>;
  actors: Set<string>;
  calendar: Set<string>;
  orgWords: Set<string>;
  placeWords: Set<string>;
}

/** The parts of compromise's model this module reads (its type declarations say only `object`). */
interface CompromiseModel {
  one: { lexicon: Record<string, string | string[]> };
  two: { orgWords: Record<string, unknown>; placeWords: Record<string, unknown> };
}

let cachedLexicon: NameLexicon | undefined;

/** compromise's word lists, loaded at the first suggestion (about 0.3-0.5 s) rather than when the extension starts. */
export function lexicon(): NameLexicon {
  if (cachedLexicon) return cachedLexicon;
  // A lazy require keeps the library off the activation path; it is bundled like any other import.
  const nlp = require('compromise/two') as { model(): object };
  const model = nlp.model() as CompromiseModel;
  const lex: NameLexicon = {
    names: new Map(),
    firstNames: new Set(),
    lastNames: new Set(),
    demonyms: new Set(EXTRA_DEMONYMS),
    common: new Set(),
    actors: new Set(),
    calendar: new Set(),
    orgWords: new Set(Object.keys(model.two.orgWords)),
    placeWords: new Set(Object.keys(model.two.placeWords)),
  };
  for (const w of WEAK_ORG_WORDS) lex.orgWords.delete(w);
  for (const w of EXTRA_ORG_WORDS) lex.orgWords.add(w);
  for (const [word, value] of Object.entries(model.one.lexicon)) {
    const tags = Array.isArray(value) ? value : [value];
    const has = (t: string): boolean => tags.includes(t);
    if (has('Country')) lex.names.set(word, { type: 'place', what: 'country' });
    else if (has('City')) lex.names.set(word, { type: 'place', what: 'city' });
    else if (has('Region')) lex.names.set(word, { type: 'place', what: 'region' });
    else if (has('Place')) lex.names.set(word, { type: 'place', what: 'place' });
    else if (has('Organization') || has('SportsTeam')) lex.names.set(word, { type: 'organisation', what: 'organisation' });
    else if (has('Person')) lex.names.set(word, { type: 'person', what: 'person' });
    if (has('MaleName') || has('FemaleName') || has('FirstName')) lex.firstNames.add(word);
    if (has('LastName')) lex.lastNames.add(word);
    if (has('Demonym')) lex.demonyms.add(word);
    if (has('Actor')) lex.actors.add(word);
    if (has('Month') || has('WeekDay')) lex.calendar.add(word);
    if (!tags.some((t) => NAME_TAGS.has(t))) lex.common.add(word);
  }
  for (const m of SHORT_CALENDAR) lex.calendar.add(m);
  cachedLexicon = lex;
  return lex;
}
