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
    assert.deepEqual(docs.map((d) => (d as Extract<EntityNode, { type: 'doc' }>).doc), [D1]);
    const mentions = a.entities.getChildren(docs[0]);
    assert.equal(a.entities.getTreeItem(mentions[0]).label, 'Vladimir Putin');
  });

  it('tags all mentions of an entity across the corpus (names and aliases, whole words)', async () => {
    const a = await api();
    const f = folderModel(a);
    const node = a.entities.getChildren().find((n) => n.type === 'entity' && n.entity.name === 'Vladimir Putin')!;
    const candidates = await a.entityCommands.findUntagged(f, (node as Extract<EntityNode, { type: 'entity' }>).entity);
    assert.ok(candidates.length > 20, `many mentions of Putin across the corpus, found ${candidates.length}`);
    assert.ok(candidates.every((c) => ['Vladimir Putin', 'Putin', 'President Putin'].includes(c.matched)), 'only the name and its aliases');
    assert.ok(!candidates.some((c) => c.doc === D1 && c.matched === 'Vladimir Putin' && c.start === f.annotations(D1)[0].target.start), 'the tagged mention is not proposed again');
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
    const [bank] = (await vscode.commands.executeCommand('marginalia.tagEntity', { attributes: { type: 'organisation', canonical: "Russia's largest state bank" } })) as Annotation[];
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
    assert.ok(found.some((s) => s.kind === 'entity'), 'entity suggestions');
    assert.equal(f.annotations(D2).length, before, 'nothing stored by suggesting');
    const first = a.suggestions.pending(editor.document.uri)[0];
    const hovers = (await vscode.commands.executeCommand('vscode.executeHoverProvider', editor.document.uri, editor.document.positionAt(first.start + 1))) as vscode.Hover[];
    assert.match(hoverText(hovers), /Suggested (entity|figure)/);
    assert.match(hoverText(hovers), /command:marginalia\.acceptSuggestion/);
    const uri = editor.document.uri.toString();
    const ids = [...(a.suggestions as unknown as { sessions: Map<string, { pending: Map<string, unknown> }> }).sessions.get(uri)!.pending.keys()];
    await vscode.commands.executeCommand('marginalia.acceptSuggestion', uri, ids[0]);
    assert.equal(f.annotations(D2).length, before + 1, 'the accepted suggestion is stored');
    assert.equal(f.annotations(D2).at(-1)?.target.start !== undefined, true);
    await vscode.commands.executeCommand('marginalia.rejectSuggestion', uri, ids[1]);
    assert.equal(f.annotations(D2).length, before + 1, 'rejecting stores nothing');
    assert.equal(a.suggestions.pending(editor.document.uri).length, found.length - 2);
    await vscode.commands.executeCommand('marginalia.clearSuggestions');
    assert.equal(a.suggestions.pending(editor.document.uri).length, 0);
  });
});
