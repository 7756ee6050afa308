// The questions that tagging (or editing) an annotation asks, in order, with what each is pre-filled with, and how
// the answers become attributes. Pure, so that the order (an entity's name before its type), the pre-fills (a
// figure's range, an entity's type from the register or the name) and the reading of answers are tested without
// VS Code; the host shows the questions as one multi-step input.
//
// An answer is the text the person accepted for a question. A question never answered (the person stored early)
// leaves its attribute as it was; an empty answer removes it. Nothing is stored that the person did not see.
import type { Attributes, AttributeValue } from '../model';
import { ENTITY_KIND, findEntity, type AttributeField, type EntityRegister, type KindDefinition } from '../store';
import { parseFigure } from './figures';
import { findNames } from './names';

/** The name of the note's question (no attribute may be called so: attribute names start with a letter or _). */
export const NOTE_QUESTION = '#note';

export interface TagChoice {
  label: string;
  description?: string;
}

export interface TagQuestion {
  /** The attribute's name, or NOTE_QUESTION. */
  name: string;
  /** Short, for the step's title: "value", "unit", "speaker". */
  title: string;
  /** What to answer, for people. */
  prompt: string;
  /** text: free text; number: one number; range: one number or "low–high" (value and high); choice: a pick list. */
  type: 'text' | 'number' | 'range' | 'choice';
  /** The list to pick from: a field's allowed values, or values already used (then `open`). */
  choices?: TagChoice[];
  /** With choices: a value not in the list may be typed. */
  open?: boolean;
  /** A required field cannot be skipped. */
  required: boolean;
}

export interface TagContext {
  /** The passage being tagged (the first selection), for pre-filling. */
  passage: string;
  /** The annotation's attributes when editing one; {} when tagging. */
  current: Attributes;
  /** Ask for the note too (tagging does; editing attributes does not). */
  withNote: boolean;
  /** The entity register, for an entity's canonical names and types. */
  register?: EntityRegister;
  /** Values of this kind's attributes already used in the workspace, by attribute name, with a description each
   *  (for `canonical`, the entity's type), offered in the pick lists of `speaker` and `canonical`. */
  used?: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

/** Attributes whose questions offer the values already used, so that people name the same thing the same way. */
const OFFER_USED = new Set(['speaker', 'canonical']);

/** The questions for one kind, their pre-fills and the reading of the answers. */
export class TagQuestions {
  readonly questions: TagQuestion[];
  private readonly fields: Map<string, AttributeField>;
  /** value and high are asked as one range question. */
  private readonly ranged: boolean;

  constructor(
    readonly kind: KindDefinition,
    private readonly context: TagContext,
  ) {
    this.fields = new Map(kind.attributes.map((f) => [f.name, f]));
    this.ranged = this.fields.get('value')?.type === 'number' && this.fields.get('high')?.type === 'number';
    const order = [...kind.attributes].filter((f) => !(this.ranged && f.name === 'high'));
    // An entity is named before it is typed: the name decides the type when the register or the workspace knows it.
    if (kind.name === ENTITY_KIND) order.sort((a, b) => Number(b.name === 'canonical') - Number(a.name === 'canonical'));
    this.questions = order.map((f) => this.question(f));
    if (context.withNote)
      this.questions.push({ name: NOTE_QUESTION, title: 'note', prompt: `A note on this ${kind.name}; Enter to skip`, type: 'text', required: false });
  }

  /** The text a question starts with, given the answers so far (an entity's type follows its name). */
  prefill(name: string, answers: ReadonlyMap<string, string>): string {
    const { current, passage } = this.context;
    if (name === NOTE_QUESTION) return '';
    if (this.ranged && name === 'value') {
      if (typeof current.value === 'number') return formatRangeInput(current.value, typeof current.high === 'number' ? current.high : undefined);
      const f = this.figure();
      // "billions of dollars" has a unit but no value to pre-fill; its bracket is not a range the text states.
      return f && !f.normalised.approximate ? formatRangeInput(f.value, f.high) : '';
    }
    if (current[name] !== undefined) return String(current[name]);
    if (this.kind.name === 'figure' && name === 'unit') return this.figure()?.unit ?? '';
    if (this.kind.name === 'figure' && name === 'value' && this.fields.get('value')?.type === 'number') {
      const f = this.figure();
      return f && !f.normalised.approximate ? String(f.value) : '';
    }
    if (this.kind.name === ENTITY_KIND && name === 'canonical') {
      const spelled = cleanName(passage);
      return (this.context.register && findEntity(this.context.register, spelled)?.name) ?? spelled;
    }
    if (this.kind.name === ENTITY_KIND && name === 'type') return this.entityType(answers.get('canonical') ?? this.prefill('canonical', answers));
    return '';
  }

  /** Why an answer cannot be taken (for the input's validation message), or undefined when it can. */
  check(name: string, text: string): string | undefined {
    const q = this.questions.find((x) => x.name === name);
    if (!q) return undefined;
    if (text.trim() === '') return q.required ? `${q.title} is required for a ${this.kind.name}` : undefined;
    if (q.type === 'number' && parseNumber(text) === undefined) return 'Type a number, e.g. 11.2 or 1.12e13';
    if (q.type === 'range') {
      const r = parseRangeInput(text);
      if (!r) return 'Type a number, e.g. 11.2, or a range, e.g. 6–9';
      if (r.high !== undefined && r.high < r.value)
        return `The range ends below where it starts; write the low end first, e.g. ${formatRangeInput(r.high, r.value)}`;
    }
    if (q.type === 'choice' && !q.open && !(q.choices ?? []).some((c) => c.label === text))
      return `Pick one of: ${(q.choices ?? []).map((c) => c.label).join(', ')}`;
    return undefined;
  }

  /**
   * The attributes and note the answers give: `base` (the current attributes) with each answered question applied,
   * an empty answer removing its attribute. Questions not answered leave `base` as it is. Throws when an answer does
   * not pass check().
   */
  result(answers: ReadonlyMap<string, string>, base: Attributes = this.context.current): { attributes: Attributes; note: string | undefined } {
    const attributes: Attributes = { ...base };
    let note: string | undefined;
    for (const [name, raw] of answers) {
      const problem = this.check(name, raw);
      if (problem) throw new Error(problem);
      const text = raw.trim();
      if (name === NOTE_QUESTION) {
        note = text;
        continue;
      }
      const q = this.questions.find((x) => x.name === name);
      if (!q) continue;
      if (q.type === 'range') delete attributes.high;
      if (text === '') {
        delete attributes[name];
        continue;
      }
      const value = this.convert(q, text);
      if (q.type === 'range' && typeof value === 'object') {
        attributes.value = value.value;
        if (value.high !== undefined && value.high !== value.value) attributes.high = value.high;
      } else attributes[name] = value as AttributeValue;
    }
    return { attributes, note };
  }

  private convert(q: TagQuestion, text: string): AttributeValue | { value: number; high?: number } {
    if (q.type === 'number') return parseNumber(text) as number;
    if (q.type === 'range') return parseRangeInput(text) as { value: number; high?: number };
    if (this.fields.get(q.name)?.type === 'boolean') return text === 'true';
    return text;
  }

  private question(f: AttributeField): TagQuestion {
    const base = { name: f.name, title: f.name, required: f.required === true };
    const described = (fallback: string): string => f.description ?? fallback;
    if (this.ranged && f.name === 'value') return { ...base, prompt: 'A number, or a range written low–high (e.g. 6–9)', type: 'range' };
    if (f.type === 'enum' || f.type === 'boolean') {
      const values = f.type === 'enum' ? (f.values ?? []) : ['true', 'false'];
      return { ...base, prompt: described(`The ${f.name} of this ${this.kind.name}`), type: 'choice', choices: values.map((label) => ({ label })) };
    }
    if (f.type === 'number') return { ...base, prompt: described('A number'), type: 'number' };
    if (f.type === 'string' && OFFER_USED.has(f.name)) {
      const used = new Map(this.context.used?.get(f.name) ?? []);
      if (f.name === 'canonical' && this.kind.name === ENTITY_KIND)
        for (const e of this.context.register?.entities ?? []) if (!used.has(e.name)) used.set(e.name, e.type);
      const choices = [...used].sort(([a], [b]) => a.localeCompare(b)).map(([label, description]) => (description ? { label, description } : { label }));
      const prompt = f.name === 'speaker' ? 'Who makes the claim? (Enter to skip)' : 'Canonical name: pick one already used, or type a new one';
      return { ...base, prompt, type: 'choice', choices, open: true };
    }
    return { ...base, prompt: described(`The ${f.name} of this ${this.kind.name}`), type: 'text' };
  }

  private figure(): ReturnType<typeof parseFigure> {
    return parseFigure(this.context.passage);
  }

  /** An entity's type from the register, from entity annotations already using the name, or from the name itself. */
  private entityType(name: string): string {
    if (name.trim() === '') return '';
    const fromRegister = this.context.register && findEntity(this.context.register, name);
    if (fromRegister) return fromRegister.type;
    const used = this.context.used?.get('canonical')?.get(name);
    if (used) return used;
    const found = findNames(name);
    const whole = found.length === 1 && found[0].start === 0 && found[0].end === name.length ? found[0] : undefined;
    return whole && whole.type !== 'other' && whole.confidence >= 0.5 ? whole.type : '';
  }
}

/** The text a range question shows: "6–9", or "6" for a single number. */
export function formatRangeInput(value: number, high?: number): string {
  return high === undefined || high === value ? String(value) : `${value}–${high}`;
}

/** A number or a range as people type them ("6–9", "6-9", "6 to 9", "1,200"); undefined when it is neither. */
export function parseRangeInput(text: string): { value: number; high?: number } | undefined {
  const single = parseNumber(text);
  if (single !== undefined) return { value: single };
  // Try every separator, since "-" also starts a negative number and sits inside "1e-3".
  for (const m of text.matchAll(/\s*(?:[–—]|-|\bto\b)\s*/gi)) {
    const low = parseNumber(text.slice(0, m.index));
    const high = parseNumber(text.slice(m.index + m[0].length));
    if (low !== undefined && high !== undefined) return { value: low, high };
  }
  return undefined;
}

/** A number as people type it: "1,200", "1 200", "11.2", "1.12e13", "−5"; undefined when it is not one. */
export function parseNumber(text: string): number | undefined {
  const s = text.replace(/[,_\s\u00a0\u202f]/g, '').replace(/^\u2212/, '-');
  if (s === '' || !/^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i.test(s)) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

function cleanName(passage: string): string {
  return passage.replace(/\s+/g, ' ').trim();
}
