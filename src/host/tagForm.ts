// One multi-step input for an annotation's questions (see core/research/tagQuestions.ts): "Tag figure: unit (2/5)", Back and
// Done buttons, Done also on a key (Alt+D). Enter takes the step's answer and moves on; Enter on an empty input
// skips the step; Done takes the step's answer and stores at once, leaving the later steps unasked. A pick list never
// answers for the person: an empty input picks "Skip", not the first value listed.
import * as vscode from 'vscode';
import { Disposable } from './lifecycle';
import type { TagQuestion, TagQuestions } from '../core/research';
import { Cancelled } from './commands';
import { CONTEXT } from './commandIds';

/** The Done key, as the manifest binds it (marginalia._tagFormDone). */
export const DONE_KEY = 'Alt+D';

interface Item extends vscode.QuickPickItem {
  /** Picking it skips the step. */
  skip?: boolean;
}

/** The step on screen, for the Done key and for tests. */
export interface FormStep {
  question: TagQuestion;
  /** 1-based. */
  step: number;
  total: number;
  input: vscode.QuickPick<Item> | vscode.InputBox;
  /** Takes this step's answer and stores (what Done does). */
  done(): void;
}

type StepOutcome = { action: 'next' | 'done'; text: string } | { action: 'back' } | { action: 'cancel' };

const DONE_BUTTON: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('check'), tooltip: `Done: store with what is filled so far (${DONE_KEY})` };

export class TagForms extends Disposable {
  private step: FormStep | undefined;
  /** Each step's Done. */
  private readonly finishers = new WeakMap<vscode.QuickInput, () => void>();
  private readonly changed = this._register(new vscode.EventEmitter<FormStep | undefined>());
  /** Fires when a step shows, and with undefined when the form closes. */
  readonly onDidChangeStep = this.changed.event;

  /** The step on screen, if a form is open. */
  get current(): FormStep | undefined {
    return this.step;
  }

  /** The Done key: stores with the current step's answer and those before it. */
  done(): void {
    this.step?.done();
  }

  /**
   * Asks the questions one step at a time and returns the answers the person gave (by question name), in order; a
   * step left with Done or never reached has no answer. Throws Cancelled on Escape.
   */
  async ask(title: string, questions: TagQuestions): Promise<Map<string, string>> {
    const qs = questions.questions;
    const answers = new Map<string, string>();
    let current: vscode.QuickInput | undefined;
    await setContext(true);
    try {
      for (let i = 0; i < qs.length;) {
        const q = qs[i];
        const value = answers.get(q.name) ?? questions.prefill(q.name, answers);
        const { input, outcome } = q.type === 'choice' ? this.pick(title, q, i, qs.length, value) : this.type(title, q, i, qs.length, value, questions);
        current?.dispose();
        current = input;
        input.show();
        this.step = { question: q, step: i + 1, total: qs.length, input, done: () => this.finishers.get(input)?.() };
        this.changed.fire(this.step);
        const o = await outcome;
        if (o.action === 'cancel') throw new Cancelled();
        if (o.action === 'back') {
          i = Math.max(0, i - 1);
          continue;
        }
        answers.set(q.name, o.text);
        if (o.action === 'done') break;
        i++;
      }
      return answers;
    } finally {
      current?.dispose();
      this.step = undefined;
      this.changed.fire(undefined);
      await setContext(false);
    }
  }

  /** A pick list: enum values, or values already used with a typed one allowed (`open`). */
  private pick(title: string, q: TagQuestion, index: number, total: number, prefill: string): { input: vscode.QuickPick<Item>; outcome: Promise<StepOutcome> } {
    const qp = vscode.window.createQuickPick<Item>();
    decorate(qp, title, q, index, total);
    qp.placeholder = q.open ? q.prompt : `${q.prompt} (type to filter${q.required ? '' : '; Skip leaves it empty'})`;
    qp.matchOnDescription = true;
    const skip: Item = { label: 'Skip', description: `leave ${q.title} empty`, skip: true };
    const choices: Item[] = (q.choices ?? []).map((c) => ({ ...c }));
    const itemsFor = (value: string): Item[] => {
      if (value.trim() === '') return q.required ? choices : [skip, ...choices];
      const typed = q.open && !choices.some((c) => c.label === value.trim()) ? [{ label: value.trim(), description: 'new' }] : [];
      return [...typed, ...choices];
    };
    if (q.open) {
      qp.value = prefill;
      qp.items = itemsFor(prefill);
      qp.onDidChangeValue((v) => (qp.items = itemsFor(v)));
    } else {
      qp.items = itemsFor('');
      const known = choices.find((c) => c.label === prefill);
      if (known) qp.activeItems = [known];
    }
    /** What Enter (or Done) takes: the highlighted row; what is typed when no row is (an open list); never a value
     *  the person did not see highlighted, and with an empty input (and Skip highlighted) nothing. */
    const answer = (chosen: readonly Item[]): string | undefined => {
      const typed = qp.value.trim();
      const item = chosen[0];
      if (item?.skip || (!item && typed === '')) return q.open && typed !== '' ? typed : q.required ? undefined : '';
      if (item) return item.label;
      return q.open ? typed : undefined;
    };
    const outcome = this.wire(qp, (mode) => answer(mode === 'accept' ? qp.selectedItems : qp.activeItems));
    return { input: qp, outcome };
  }

  /** A free-text input, checked as it is typed. */
  private type(
    title: string,
    q: TagQuestion,
    index: number,
    total: number,
    prefill: string,
    questions: TagQuestions,
  ): { input: vscode.InputBox; outcome: Promise<StepOutcome> } {
    const box = vscode.window.createInputBox();
    decorate(box, title, q, index, total);
    box.value = prefill;
    box.prompt = `${q.prompt} · Enter: ${index + 1 < total ? 'next' : 'store'} · ${DONE_KEY}: store now`;
    box.placeholder = q.prompt;
    const check = (v: string): string | undefined => questions.check(q.name, v);
    box.validationMessage = prefill === '' ? undefined : check(prefill);
    box.onDidChangeValue((v) => (box.validationMessage = check(v)));
    const outcome = this.wire(box, () => {
      const problem = check(box.value);
      box.validationMessage = problem;
      return problem === undefined ? box.value : undefined;
    });
    return { input: box, outcome };
  }

  /** Enter, Back, Done and Escape of one step; `answer` is undefined when the step cannot be left as it is. */
  private wire(input: vscode.QuickPick<Item> | vscode.InputBox, answer: (mode: 'accept' | 'done') => string | undefined): Promise<StepOutcome> {
    return new Promise<StepOutcome>((resolve) => {
      let settled = false;
      const settle = (o: StepOutcome): void => {
        if (settled) return;
        settled = true;
        resolve(o);
      };
      const take = (mode: 'accept' | 'done'): void => {
        const text = answer(mode);
        if (text !== undefined) settle({ action: mode === 'accept' ? 'next' : 'done', text });
      };
      this.finishers.set(input, () => take('done'));
      input.onDidAccept(() => take('accept'));
      input.onDidTriggerButton((b) => (b === vscode.QuickInputButtons.Back ? settle({ action: 'back' }) : take('done')));
      input.onDidHide(() => settle({ action: 'cancel' }));
    });
  }
}

function decorate(
  input: vscode.QuickInput & { buttons: readonly vscode.QuickInputButton[] },
  title: string,
  q: TagQuestion,
  index: number,
  total: number,
): void {
  input.title = `${title}: ${q.title}`;
  input.step = index + 1;
  input.totalSteps = total;
  input.buttons = index > 0 ? [vscode.QuickInputButtons.Back, DONE_BUTTON] : [DONE_BUTTON];
}

function setContext(open: boolean): Thenable<unknown> {
  return vscode.commands.executeCommand('setContext', CONTEXT.tagForm, open);
}
