// Entities and suggestions in the extension host: the Entities view with mentions, tag all mentions, merging,
// suggestions accepted and rejected.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parse } from 'yaml';
import type { Annotation } from '../../../src/core/model';
import type { EntityNode } from '../../../src/host/entitiesView';
import { api, closeAll, eventually, folderModel, hoverText, openAndSelect } from '../support/helpers';

const D1 = '001_7b613edff552618b.txt';
const D2 = '002_4d4efb0aba07dc3f.txt';
const D4 = '004_93f4aeba23e3ae0c.txt';

describe('entities and suggestions in the extension host', function () {
  this.timeout(60_000);
  afterEach(closeAll);

  it('adds an entity to the register, and lists it with its mentions in the Entities view', async () => {
    const a = await api();
    const f = folderModel(a);
    await vscode.commands.executeCommand('marginalia.addEntity', { name: 'Vladimir Putin', type: 'person', aliases: ['Putin', 'President Putin'] });
    const file = path.join(f.folder.uri.fsPath, '.marginalia', 'entities.yaml');
    assert.deepEqual(parse(fs.readFileSync(file, 'utf8')).entities[0], { name: 'Vladimir Putin', type: 'person', aliases: ['President Putin', 'Putin'] });
    await openAndSelect(f, D1, 'Vladimir Putin');
    await vscode.commands.executeCommand('marginalia.tagEntity', { attributes: { type: 'person', canonical: 'Vladimir Putin' } });
    const node = await eventually(() => a.entities.getChildren().find((n) => n.type === 'entity' && n.entity.name === 'Vladimir Putin'), 5000, 'entity node');
    assert.match(String(a.entities.getTreeItem(node).description), /person · 1 mention in 1 document/);
    const docs = a.entities.getChildren(node);
    assert.deepEqual(
      docs.map((d) => (d as Extract<EntityNode, { type: 'doc' }>).doc),
      [D1],
    );
    const mentions = a.entities.getChildren(docs[0]);
    assert.equal(a.entities.getTreeItem(mentions[0]).label, 'Vladimir Putin');
  });

  it('tags all mentions of an entity across the corpus (names and aliases, whole words)', async () => {
    const a = await api();
    const f = folderModel(a);
    const node = a.entities.getChildren().find((n) => n.type === 'entity' && n.entity.name === 'Vladimir Putin')!;
    const candidates = await a.entityCommands.findUntagged(f, (node as Extract<EntityNode, { type: 'entity' }>).entity);
    assert.ok(candidates.length > 20, `many mentions of Putin across the corpus, found ${candidates.length}`);
    assert.ok(
      candidates.every((c) => ['Vladimir Putin', 'Putin', 'President Putin'].includes(c.matched)),
      'only the name and its aliases',
    );
    assert.ok(
      !candidates.some((c) => c.doc === D1 && c.matched === 'Vladimir Putin' && c.start === f.annotations(D1)[0].target.start),
      'the tagged mention is not proposed again',
    );
    const n = (await vscode.commands.executeCommand('marginalia.tagAllMentions', 'Vladimir Putin', { accept: 'all' })) as number;
    assert.equal(n, candidates.length);
    const all = [...f.allAnnotations().values()].flat().filter((x) => x.kind === 'entity' && x.attributes.canonical === 'Vladimir Putin');
    assert.equal(all.length, candidates.length + 1);
    assert.ok(all.every((x) => x.attributes.type === 'person'));
  });

  it('merges two entities: the absorbed name becomes an alias and its annotations follow', async () => {
    const a = await api();
    const f = folderModel(a);
    await openAndSelect(f, D1, 'Sberbank');
    await vscode.commands.executeCommand('marginalia.tagEntity', { attributes: { type: 'organisation', canonical: 'Sberbank' } });
    await openAndSelect(f, D1, "Russia's largest state bank");
    const [bank] = (await vscode.commands.executeCommand('marginalia.tagEntity', {
      attributes: { type: 'organisation', canonical: "Russia's largest state bank" },
    })) as Annotation[];
    await vscode.commands.executeCommand('marginalia.mergeEntities', 'Sberbank', "Russia's largest state bank");
    await eventually(() => f.get(D1, bank.id)?.attributes.canonical === 'Sberbank', 5000, 'annotation rewritten');
    const sber = f.entities.entities.find((e) => e.name === 'Sberbank');
    assert.ok(sber?.aliases.includes("Russia's largest state bank"));
  });

  it('suggests figures and entities as faint highlights; accepting one stores it, rejecting stores nothing', async () => {
    const a = await api();
    const f = folderModel(a);
    const editor = await openAndSelect(f, D2, 'Russia');
    const before = f.annotations(D2).length;
    const found = (await vscode.commands.executeCommand('marginalia.suggest')) as { kind: string; start: number; end: number; text: string }[];
    assert.ok(
      found.some((s) => s.kind === 'entity'),
      'entity suggestions',
    );
    assert.equal(f.annotations(D2).length, before, 'nothing stored by suggesting');
    const offers = a.suggestions.pending(editor.document.uri);
    assert.equal(offers.length, found.length);
    const first = offers[0].suggestion;
    const hovers = (await vscode.commands.executeCommand(
      'vscode.executeHoverProvider',
      editor.document.uri,
      editor.document.positionAt(first.start + 1),
    )) as vscode.Hover[];
    assert.match(hoverText(hovers), /Suggested (entity|figure)/);
    assert.match(hoverText(hovers), /command:marginalia\.acceptSuggestion/);
    const uri = editor.document.uri.toString();
    await vscode.commands.executeCommand('marginalia.acceptSuggestion', uri, offers[0].id);
    assert.equal(f.annotations(D2).length, before + 1, 'the accepted suggestion is stored');
    assert.equal(f.annotations(D2).at(-1)?.target.start !== undefined, true);
    await vscode.commands.executeCommand('marginalia.rejectSuggestion', uri, offers[1].id);
    assert.equal(f.annotations(D2).length, before + 1, 'rejecting stores nothing');
    assert.equal(a.suggestions.pending(editor.document.uri).length, found.length - 2);
    await vscode.commands.executeCommand('marginalia.clearSuggestions');
    assert.equal(a.suggestions.pending(editor.document.uri).length, 0);
  });

  it('offers each candidate of 004 once, none from its boilerplate lines, with Review as the first (primary) button', async () => {
    const a = await api();
    const f = folderModel(a);
    const editor = await openAndSelect(f, D4, 'Sberbank');
    const shown: unknown[][] = [];
    const original = vscode.window.showInformationMessage;
    // The extension and its tests share one API object: what the extension shows is recorded here.
    (vscode.window as { showInformationMessage: unknown }).showInformationMessage = (...args: unknown[]) => {
      shown.push(args);
      return Promise.resolve(undefined);
    };
    try {
      await vscode.commands.executeCommand('marginalia.suggest');
    } finally {
      (vscode.window as { showInformationMessage: unknown }).showInformationMessage = original;
    }
    const offers = a.suggestions.pending(editor.document.uri);
    const labels = offers.map((o) =>
      o.suggestion.kind === 'entity' ? `${o.suggestion.attributes.type}:${o.suggestion.attributes.canonical}` : `figure:${o.suggestion.text}`,
    );
    assert.equal(new Set(labels).size, labels.length, `each candidate once: ${labels.join(', ')}`);
    const russia = offers.find((o) => o.suggestion.text === 'Russia');
    assert.ok(russia && russia.mentions.length >= 10, 'the mentions of Russia grouped under one candidate');
    const texts = offers.flatMap((o) => o.mentions.map((m) => m.text));
    for (const t of ['$571 million', 'Biden', 'Taiwan', 'Defence Talks']) assert.ok(!texts.includes(t), `nothing from the boilerplate: ${t}`);
    const note = shown.find((args) => typeof args[0] === 'string' && /suggestions? .*in 004/.test(args[0]));
    assert.ok(note, `the notification: ${JSON.stringify(shown)}`);
    assert.match(String(note[0]), new RegExp(`^${offers.length} suggestions \\(\\d+ mentions\\) in 004`));
    assert.deepEqual(note.slice(1), ['Review', 'Dismiss All'], 'Review first (the primary button), no Accept All');
    await vscode.commands.executeCommand('marginalia.clearSuggestions');
  });

  it('accepts one mention, or all mentions of a candidate on request, and then hovers as an annotation', async () => {
    const a = await api();
    const f = folderModel(a);
    const editor = await openAndSelect(f, D4, 'Sberbank');
    await vscode.commands.executeCommand('marginalia.suggest');
    const uri = editor.document.uri;
    const offer = (text: string) => a.suggestions.pending(uri).find((o) => o.suggestion.text === text);
    const china = offer('China');
    assert.ok(china && china.mentions.length > 1, 'China is written more than once');
    const before = f.annotations(D4).length;
    await vscode.commands.executeCommand('marginalia.acceptSuggestion', uri.toString(), china.id, 'all');
    const tagged = f.annotations(D4).slice(before);
    assert.deepEqual(
      tagged.map((x) => [x.target.start, x.attributes.canonical]),
      china.mentions.map((m) => [m.start, 'China']),
      'every mention tagged',
    );
    assert.equal(offer('China'), undefined, 'the candidate is no longer offered');

    const india = offer('India');
    assert.ok(india && india.mentions.length > 1);
    const at = editor.document.positionAt(india.suggestion.start + 1);
    const hover = async (): Promise<string> => hoverText((await vscode.commands.executeCommand('vscode.executeHoverProvider', uri, at)) as vscode.Hover[]);
    assert.match(await hover(), /Suggested entity \(place\): India/);
    assert.match(await hover(), new RegExp(`Accept all ${india.mentions.length} mentions`));
    const executed: string[] = [];
    const execute = vscode.commands.executeCommand;
    // Record the commands the extension runs, to see the stale hover closed.
    (vscode.commands as { executeCommand: unknown }).executeCommand = (id: string, ...rest: unknown[]) => {
      executed.push(id);
      return execute(id, ...rest);
    };
    try {
      await vscode.commands.executeCommand('marginalia.acceptSuggestion', uri.toString(), india.id);
    } finally {
      (vscode.commands as { executeCommand: unknown }).executeCommand = execute;
    }
    assert.equal(f.annotations(D4).filter((x) => x.attributes.canonical === 'India').length, 1, 'only the mention offered');
    assert.ok(executed.includes('editor.action.hideHover'), `the hover that offered it is closed: ${executed.join(', ')}`);
    const after = await hover();
    assert.doesNotMatch(after, /Suggested/);
    assert.match(after, /\*\*Entity\*\*/, "the annotation's own hover");
    assert.match(after, /canonical: \*\*India\*\*/);
    await vscode.commands.executeCommand('marginalia.clearSuggestions');
  });

  it('shows Accept and Reject Suggestion only with the cursor on a suggestion', async () => {
    const a = await api();
    const f = folderModel(a);
    const manifest = JSON.parse(fs.readFileSync(path.join(vscode.extensions.getExtension('marginalia.marginalia')!.extensionPath, 'package.json'), 'utf8'));
    const menu = manifest.contributes.menus['marginalia.editorMenu'] as { command: string; when?: string }[];
    for (const id of ['marginalia.acceptSuggestion', 'marginalia.rejectSuggestion'])
      assert.equal(menu.find((m) => m.command === id)?.when, 'marginalia:onSuggestion', id);
    const editor = await openAndSelect(f, D4, 'Sberbank');
    const contexts: [string, unknown][] = [];
    const execute = vscode.commands.executeCommand;
    (vscode.commands as { executeCommand: unknown }).executeCommand = (id: string, ...rest: unknown[]) => {
      if (id === 'setContext' && rest[0] === 'marginalia:onSuggestion') contexts.push([String(rest[0]), rest[1]]);
      return execute(id, ...rest);
    };
    const last = (): unknown => contexts.at(-1)?.[1];
    try {
      await vscode.commands.executeCommand('marginalia.suggest');
      const offer = a.suggestions.pending(editor.document.uri).find((o) => o.suggestion.kind === 'figure')!;
      editor.selection = new vscode.Selection(editor.document.positionAt(offer.suggestion.start + 1), editor.document.positionAt(offer.suggestion.start + 1));
      await eventually(() => last() === true, 5000, 'marginalia:onSuggestion set on a suggestion');
      const line = editor.document.lineAt(0).range.end;
      editor.selection = new vscode.Selection(line, line);
      await eventually(() => last() === false, 5000, 'marginalia:onSuggestion cleared off it');
      // From the palette away from any suggestion: a message, not a silent accept of everything.
      const count = f.annotations(D4).length;
      await vscode.commands.executeCommand('marginalia.acceptSuggestion');
      assert.equal(f.annotations(D4).length, count);
      assert.ok(a.suggestions.pending(editor.document.uri).length > 0);
      await vscode.commands.executeCommand('marginalia.clearSuggestions');
      await eventually(() => last() === false, 5000, 'cleared with the suggestions');
    } finally {
      (vscode.commands as { executeCommand: unknown }).executeCommand = execute;
    }
  });

  it('reviews the candidates one by one: Enter accepts the one selected in the editor, Escape stops', async () => {
    const a = await api();
    const f = folderModel(a);
    const editor = await openAndSelect(f, D1, 'Sberbank');
    await vscode.commands.executeCommand('marginalia.suggest');
    const offers = a.suggestions.pending(editor.document.uri);
    assert.ok(offers.length >= 3);
    const before = f.annotations(D1).length;
    const asked: string[] = [];
    const selected: string[] = [];
    let answered = 0;
    const sub = a.suggestions.onDidAsk((o) => {
      asked.push(o.id);
      selected.push(editor.document.getText(editor.selection));
      // Accept the first, skip the second (Skip is last: after Accept, Accept all N mentions when there are more, and
      // Reject), stop at the third.
      const down = Array<string>(o.mentions.length > 1 ? 3 : 2).fill('workbench.action.quickOpenSelectNext');
      const keys = [
        ['workbench.action.acceptSelectedQuickOpenItem'],
        [...down, 'workbench.action.acceptSelectedQuickOpenItem'],
        ['workbench.action.closeQuickOpen'],
      ][answered++];
      void (async () => {
        for (const k of keys ?? []) await vscode.commands.executeCommand(k);
      })();
    });
    try {
      const result = await vscode.commands.executeCommand('marginalia.reviewSuggestions');
      assert.deepEqual(result, { accepted: 1, rejected: 0, skipped: 1 });
    } finally {
      sub.dispose();
    }
    assert.deepEqual(
      asked,
      offers.slice(0, 3).map((o) => o.id),
    );
    assert.deepEqual(
      selected,
      offers.slice(0, 3).map((o) => o.suggestion.text),
      'each candidate selected in the editor as it is asked about',
    );
    assert.equal(f.annotations(D1).length, before + 1);
    assert.equal(f.annotations(D1).at(-1)?.target.start, offers[0].suggestion.start);
    assert.deepEqual(
      a.suggestions.pending(editor.document.uri).map((o) => o.id),
      offers.slice(1).map((o) => o.id),
      'the skipped and the rest stay offered',
    );
    await vscode.commands.executeCommand('marginalia.clearSuggestions');
  });
});
