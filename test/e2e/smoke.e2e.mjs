// The workbench opens the sample corpus with Marginalia installed: the Explorer lists the corpus documents, one
// opens in an editor, the extension is listed as enabled and writes its activation line to its log channel.
// Run: node scripts/run-e2e.mjs test/e2e/smoke.e2e.mjs
import fs from 'node:fs';
import path from 'node:path';
import { runCommand } from './support/workbench.mjs';

/** @param {{ page: import('playwright-core').Page, workspace: string, check: Function, shot: Function, log: Function, extensionId: string, extensionMode: string }} t */
export async function run({ page, workspace, check, shot, log, extensionId, extensionMode }) {
  const folder = workspace.endsWith('.code-workspace') ? undefined : workspace;
  const documents = folder
    ? fs
        .readdirSync(folder)
        .filter((f) => f.endsWith('.txt'))
        .sort()
    : [];
  if (!documents.length) throw new Error(`smoke.e2e expects a folder of .txt documents, got ${workspace}`);
  const first = documents[0];

  // 1. Explorer lists the corpus
  const row = (label) => page.locator('.explorer-folders-view .monaco-list-row', { hasText: label }).first();
  await row(first).waitFor({ timeout: 60_000 });
  const rows = await page.locator('.explorer-folders-view .monaco-list-row').allInnerTexts();
  check(
    'Explorer lists the corpus documents',
    documents.every((d) => rows.includes(d)),
    rows.join(' | '),
  );
  await shot('explorer');

  // 2. The first document opens in an editor
  await row(first).click();
  const firstLine = fs.readFileSync(path.join(folder, first), 'utf8').split(/\r?\n/)[0];
  const line = page.locator('.editor-instance .monaco-editor .view-line', { hasText: firstLine.slice(0, 20) }).first();
  await line.waitFor({ timeout: 20_000 });
  check('the document opens in an editor', true, firstLine);

  // 3. Opening a plain-text document activated Marginalia: its log channel has the activation line
  await showOutputChannel(page, 'Marginalia', 30_000);
  const activated = page.locator('.output-view .view-line', { hasText: 'activated' }).first();
  let activationLine = '';
  try {
    await activated.waitFor({ timeout: 20_000 });
    activationLine = await activated.innerText();
  } catch {
    activationLine = '(no activation line in the Marginalia output channel)';
  }
  check('Marginalia activated and logged to its output channel', /marginalia\s\S+\sactivated/.test(activationLine), activationLine);
  await shot('output');

  // 4. The Extensions view lists it as enabled (a development extension is not listed there: the title says so instead)
  if (extensionMode === 'development') {
    const title = await page.title();
    check('the window is an Extension Development Host', title.includes('[Extension Development Host]'), title);
  } else {
    await runCommand(page, 'Extensions: Show Enabled Extensions');
    const listed = await page
      .locator('.extensions-viewlet .monaco-list-row', { hasText: 'Marginalia' })
      .first()
      .waitFor({ timeout: 20_000 })
      .then(
        () => true,
        () => false,
      );
    check(`${extensionId} is listed among enabled extensions`, listed);
    await shot('extensions');
  }
  log(`checked ${documents.length} documents`);
}

/**
 * Shows an output channel through "Output: Show Output Channels". The picker lists the channels that exist when it
 * opens, and activation can lag behind opening a document on a busy machine, so it is reopened until the channel shows.
 */
async function showOutputChannel(page, name, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      // "Show Output Channels" is missing from the palette until the Output view has been created once.
      if (attempt > 0) await runCommand(page, 'Output: Focus on Output View');
      await runCommand(page, 'Output: Show Output Channels');
      await page.keyboard.type(name);
      const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first();
      await row.waitFor({ timeout: 3000 });
      await row.click();
      return;
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`no output channel "${name}" within ${timeoutMs / 1000} s (${e.message.split('\n')[0]})`);
    }
  }
}
