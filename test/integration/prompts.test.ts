// The tagging prompts in a real VS Code: the multi-step input shown by the real quick input widget, answered through
// the workbench's own accept command (what Enter does), so that what Enter on an empty input picks is VS Code's doing,
// not a stub's.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parse } from 'yaml';
import type { Annotation } from '../../src/core/model';
import type { FormStep } from '../../src/host/tagForm';
import type { FolderModel } from '../../src/host/folderModel';
import { NOTE_QUESTION } from '../../src/core/research';
import { api, closeAll, eventually, folderModel, hoverText, openAndSelect } from './support/helpers';

const D1 = '001_7b613edff552618b.txt';
const D3 = '003_9c64581d9f6d6d73.txt';

type Pick = vscode.QuickPick<vscode.QuickPickItem & { skip?: boolean }>;

/** The form's step for `question` once VS Code shows it (a pick list: once the workbench has highlighted a row). */
async function step(question: string): Promise<FormStep> {
  const a = await api();
  return eventually(
    () => {
      const s = a.forms.current;
      if (s?.question.name !== question) return undefined;
      return 'activeItems' in s.input && s.input.items.length > 0 && s.input.activeItems.length === 0 ? undefined : s;
    },
    10_000,
    `the ${question} step`,
  );
}

/** Enter, as the workbench's quick input takes it. */
async function enter(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
}

function labels(s: FormStep): string[] {
  return (s.input as Pick).items.map((i) => i.label);
}

describe('tagging prompts in the extension host', function () {
  this.timeout(60_000);
  const made: { doc: string; id: string }[] = [];
  let f: FolderModel;

  before(async () => {
    f = folderModel(await api());
  });
  afterEach(async () => {
    if (vscode.window.activeTextEditor) await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await closeAll();
  });
  after(async () => {
    // Leave the corpus as the next suites expect it.
    for (const { doc, id } of made.splice(0)) await f.remove(doc, [id]);
  });

  async function tag(
    command: string,
    doc: string,
    passage: string,
    options?: object,
  ): Promise<{ result: Thenable<Annotation[] | undefined>; editor: vscode.TextEditor }> {
    const editor = await openAndSelect(f, doc, passage);
    const result = vscode.commands.executeCommand<Annotation[] | undefined>(command, ...(options ? [options] : []));
    return { result: result.then((r) => (made.push(...(r ?? []).map((x) => ({ doc, id: x.id }))), r)), editor };
  }

  it('claim speaker: Enter on the empty input skips, though earlier speakers are listed', async () => {
    const earlier = await tag('marginalia.tagClaim', D3, 'President Putin’s address', { attributes: { speaker: 'Alexander Shoitov' }, note: '' });
    await earlier.result;
    const { result } = await tag('marginalia.tagClaim', D1, 'Russia is facing');
    const speaker = await step('speaker');
    assert.equal(speaker.step, 1);
    assert.equal(speaker.total, 2);
    assert.equal(speaker.input.title, 'Tag claim: speaker');
    assert.equal(speaker.input.value, '');
    assert.equal(labels(speaker)[0], 'Skip', 'Skip is listed first, so an empty Enter picks it');
    assert.ok(labels(speaker).includes('Alexander Shoitov'), labels(speaker).join(', '));
    await enter();
    const note = await step(NOTE_QUESTION);
    assert.equal(note.step, 2);
    await enter();
    const [claim] = (await result) ?? [];
    assert.ok(claim, 'the claim is stored');
    assert.deepEqual(claim.attributes, {}, 'no speaker');
    assert.equal(claim.note, '');
  });

  it('claim speaker: a listed speaker is stored when the person moves to it', async () => {
    const { result } = await tag('marginalia.tagClaim', D1, 'Russian officials expressed confidence');
    await step('speaker');
    await vscode.commands.executeCommand('workbench.action.quickOpenSelectNext');
    await eventually(
      async () => ((await current()) as Pick | undefined)?.activeItems[0]?.label === 'Alexander Shoitov',
      5000,
      'the listed speaker highlighted',
    );
    await enter();
    await step(NOTE_QUESTION);
    await vscode.commands.executeCommand('marginalia._tagFormDone');
    const [claim] = (await result) ?? [];
    assert.deepEqual(claim?.attributes, { speaker: 'Alexander Shoitov' });
  });

  it('figure: pre-fills the range 6–9 and the unit; Enter and Done store both ends, and nothing unasked', async () => {
    const passage = 'six to nine-month lag';
    const { result, editor } = await tag('marginalia.tagFigure', D1, passage);
    const value = await step('value');
    assert.deepEqual([value.step, value.total, value.input.title, value.input.value], [1, 5, 'Tag figure: value', '6–9']);
    await enter();
    const unit = await step('unit');
    assert.deepEqual([unit.step, unit.input.value], [2, 'month']);
    await vscode.commands.executeCommand('marginalia._tagFormDone');
    const [figure] = (await result) ?? [];
    assert.ok(figure, 'the figure is stored');
    assert.deepEqual(figure.attributes, { value: 6, high: 9, unit: 'month' });
    assert.equal(figure.note, '');
    const stored = parse(fs.readFileSync(path.join(f.folder.uri.fsPath, '.marginalia', 'annotations', `${D1}.yaml`), 'utf8')) as {
      annotations: { id: string; attributes: object }[];
    };
    assert.deepEqual(stored.annotations.find((x) => x.id === figure.id)?.attributes, { value: 6, high: 9, unit: 'month' });

    // The selection collapses to its end, so the new highlight shows.
    assert.ok(editor.selection.isEmpty, 'the selection is collapsed');
    assert.equal(editor.document.offsetAt(editor.selection.active), figure.target.end);

    // The hover and the Figures view say 6–9 months.
    const at = editor.document.positionAt(figure.target.start + 2);
    const hovers = (await vscode.commands.executeCommand('vscode.executeHoverProvider', editor.document.uri, at)) as vscode.Hover[];
    assert.match(hoverText(hovers), /As a number: \*\*6–9 months\*\*/);
    const a = await api();
    const row = a.figures.getChildren().find((r) => r.annotation.id === figure.id);
    assert.ok(row);
    assert.equal(a.figures.getTreeItem(row).label, '6–9 months');
  });

  it('figure: Escape stores nothing', async () => {
    const before = f.annotations(D1).length;
    const { result } = await tag('marginalia.tagFigure', D1, 'by 2030');
    await step('value');
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.equal(await result, undefined);
    assert.equal(f.annotations(D1).length, before);
  });

  it('figure: a value that is not a number is not taken', async () => {
    const { result } = await tag('marginalia.tagFigure', D1, 'six to nine-month');
    const value = await step('value');
    value.input.value = 'lots';
    await enter();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await current(), value.input, 'still on the value step');
    assert.match((value.input as vscode.InputBox).validationMessage as string, /a number/);
    value.input.value = '6-9';
    await enter();
    await step('unit');
    await vscode.commands.executeCommand('marginalia._tagFormDone');
    const [figure] = (await result) ?? [];
    assert.deepEqual(figure?.attributes, { value: 6, high: 9, unit: 'month' });
  });

  it('entity: asks the canonical name first, then the type, pre-filled from the names already used', async () => {
    const known = await tag('marginalia.tagEntity', D1, 'Sberbank', { attributes: { canonical: 'Sberbank', type: 'organisation' }, note: '' });
    await known.result;
    const { result } = await tag('marginalia.tagEntity', D1, 'Sberbank’s leadership');
    const name = await step('canonical');
    assert.equal(name.step, 1);
    assert.equal(name.total, 3);
    assert.equal(name.input.value, 'Sberbank’s leadership');
    assert.ok(labels(name).includes('Sberbank'), labels(name).join(', '));
    name.input.value = 'Sberbank';
    await eventually(() => labels(name).join() === 'Sberbank', 5000, 'the list narrowed to the typed name');
    await enter();
    const type = await step('type');
    assert.equal((type.input as Pick).activeItems[0]?.label, 'organisation', 'the type of the name already used is highlighted');
    await vscode.commands.executeCommand('marginalia._tagFormDone');
    const [entity] = (await result) ?? [];
    assert.deepEqual(entity?.attributes, { canonical: 'Sberbank', type: 'organisation' });
  });

  it('entity type: Enter with nothing known skips instead of storing the first type listed', async () => {
    const { result } = await tag('marginalia.tagEntity', D1, 'supportive regulations');
    await step('canonical');
    await enter();
    const type = await step('type');
    assert.equal(labels(type)[0], 'Skip');
    await enter();
    await step(NOTE_QUESTION);
    await enter();
    const [entity] = (await result) ?? [];
    assert.deepEqual(entity?.attributes, { canonical: 'supportive regulations' });
  });
});

/** The quick input on screen. */
async function current(): Promise<vscode.QuickInput | undefined> {
  return (await api()).forms.current?.input;
}
