// The walkthrough on `npm start`'s first start: opened once in the folder npm start names, never elsewhere.
// (scripts/test-start.mjs checks the same in a fresh clone's `npm start`, in the browser.)
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { WALKTHROUGH_FOLDER_ENV, openWalkthroughOnFirstStart } from '../../src/host/walkthrough';
import type { Logger } from '../../src/host/log';
import { eventually } from './support/helpers';

const quiet: Logger = { trace: () => {}, info: () => {}, warn: () => {}, error: () => {} };

function walkthroughTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.label.startsWith('Walkthrough'));
}

/** An extension context with a workspace state of its own, so the real one is left alone. */
function context(): vscode.ExtensionContext {
  const state = new Map<string, unknown>();
  const workspaceState = {
    keys: () => [...state.keys()],
    get: (key: string) => state.get(key),
    update: (key: string, value: unknown) => {
      state.set(key, value);
      return Promise.resolve();
    },
  };
  return { workspaceState, extension: { id: 'marginalia.marginalia' } } as unknown as vscode.ExtensionContext;
}

describe('walkthrough on the first start', () => {
  const saved = process.env[WALKTHROUGH_FOLDER_ENV];
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;

  afterEach(async () => {
    if (saved === undefined) delete process.env[WALKTHROUGH_FOLDER_ENV];
    else process.env[WALKTHROUGH_FOLDER_ENV] = saved;
    await vscode.window.tabGroups.close(walkthroughTabs());
  });

  it('opens the walkthrough in the folder npm start names, once per workspace', async () => {
    assert.ok(folder, 'the integration suite runs with a workspace folder open');
    process.env[WALKTHROUGH_FOLDER_ENV] = folder;
    const ctx = context();
    await openWalkthroughOnFirstStart(ctx, quiet);
    await eventually(() => walkthroughTabs().length === 1, 10_000, 'a walkthrough tab');
    assert.equal(ctx.workspaceState.get('marginalia.walkthroughShown'), true);
    await vscode.window.tabGroups.close(walkthroughTabs());
    await openWalkthroughOnFirstStart(ctx, quiet);
    assert.deepEqual(
      walkthroughTabs().map((t) => t.label),
      [],
      'not opened a second time',
    );
  });

  it('leaves other folders alone, and every folder when npm start names none', async () => {
    for (const named of ['/somewhere/else', undefined]) {
      if (named === undefined) delete process.env[WALKTHROUGH_FOLDER_ENV];
      else process.env[WALKTHROUGH_FOLDER_ENV] = named;
      const ctx = context();
      await openWalkthroughOnFirstStart(ctx, quiet);
      assert.deepEqual(
        walkthroughTabs().map((t) => t.label),
        [],
      );
      assert.equal(ctx.workspaceState.get('marginalia.walkthroughShown'), undefined);
    }
  });
});
