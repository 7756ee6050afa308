// Shared by the integration suites: the extension's API, waiting for asynchronous effects, editor helpers.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { MarginaliaApi } from '../../../src/extension';
import type { FolderModel } from '../../../src/host/folderModel';
import type { CorpusNode } from '../../../src/host/corpusTree';

export const EXTENSION_ID = 'marginalia.marginalia';

export async function api(): Promise<MarginaliaApi> {
  const ext = vscode.extensions.getExtension<MarginaliaApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not loaded`);
  const marginalia = ext.isActive ? ext.exports : await ext.activate();
  await marginalia.workspace.ready;
  return marginalia;
}

/** Polls until `fn` returns a truthy value (or throws the last assertion error after `ms`). */
export async function eventually<T>(fn: () => T | Promise<T>, ms = 10_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw last instanceof Error ? last : new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function folderModel(a: MarginaliaApi, index = 0): FolderModel {
  const f = a.workspace.all()[index];
  assert.ok(f, `workspace folder ${index} is loaded`);
  return f;
}

/** Opens a document of the first (or given) folder and selects the first occurrence of `quote`. */
export async function openAndSelect(folder: FolderModel, doc: string, ...quotes: string[]): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(folder.uri(doc));
  const editor = await vscode.window.showTextDocument(document, { preview: false });
  const text = document.getText();
  editor.selections = quotes.map((q) => {
    const at = text.indexOf(q);
    assert.ok(at >= 0, `"${q}" is in ${doc}`);
    return new vscode.Selection(document.positionAt(at), document.positionAt(at + q.length));
  });
  await eventually(() => folder.liveDocument(doc), 5000, `${doc} followed`);
  return editor;
}

/** Labels (and descriptions) of the tree's children, as the view shows them. */
export function treeLabels(a: MarginaliaApi, node?: CorpusNode): string[] {
  return a.tree.getChildren(node).map((n) => {
    const item = a.tree.getTreeItem(n);
    const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
    return item.description ? `${label} (${item.description})` : label;
  });
}

export function child(a: MarginaliaApi, parent: CorpusNode | undefined, label: string): CorpusNode {
  const n = a.tree.getChildren(parent).find((c) => {
    const item = a.tree.getTreeItem(c);
    return (typeof item.label === 'string' ? item.label : item.label?.label) === label;
  });
  assert.ok(n, `tree node "${label}" under ${parent?.id ?? 'root'}; have: ${treeLabels(a, parent).join(' | ')}`);
  return n;
}

export async function closeAll(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/** Text of a hover's contents. */
export function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
    .join('\n');
}

/** Waits until the extension's log (Marginalia output channel, kept in memory too) has a line matching `re`. */
export async function logged(a: MarginaliaApi, re: RegExp, ms = 10_000): Promise<string> {
  return eventually(() => a.log.recent().find((l) => re.test(l)), ms, `a log line matching ${re}`).catch((e: Error) => {
    throw new Error(`${e.message}\nlast lines:\n${a.log.recent().slice(-15).join('\n')}`);
  });
}
