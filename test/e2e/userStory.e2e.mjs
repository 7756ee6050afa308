// The user story on the sample corpus, in a real browser: open the Marginalia view, open a document from the tree,
// select a passage, tag it as a claim from the Command Palette, see it in the tree, hover it and read its
// provenance, export YAML and check the file. Screenshots go to the shots folder (the README shows them).
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { answer, answerSaveDialog, runCommand, selectInEditor, sideBarRow, until } from './support/workbench.mjs';

const DOC = '000_66ca398fea36cc01.txt';
const PASSAGE = 'Russian President Vladimir Putin stated';

/** @param {{ page: import('playwright-core').Page, workspace: string, check: Function, shot: Function, log: Function }} t */
export async function run({ page, workspace, check, shot, log }) {
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });

  // 1. The Marginalia view in the activity bar lists the corpus.
  const activity = page.locator('.activitybar .action-item a[aria-label^="Marginalia"], .activitybar .action-item .action-label[aria-label^="Marginalia"]').first();
  await activity.waitFor({ timeout: 60_000 });
  await activity.click();
  await sideBarRow(page, DOC).waitFor({ timeout: 30_000 });
  const rows = await page.locator('.part.sidebar .monaco-list-row').allInnerTexts();
  check('the Corpus view lists the five documents', rows.filter((r) => /\d{3}_[0-9a-f]+\.txt/.test(r)).length === 5, rows.join(' | '));
  await shot('1-corpus-view');

  // 2. Open a document from the tree.
  await sideBarRow(page, DOC).click();
  const editorLine = page.locator('.editor-instance .monaco-editor .view-line', { hasText: 'Article Source: TMTPOST' }).first();
  await editorLine.waitFor({ timeout: 20_000 });
  check('clicking the document opens it', true);

  // 3. Select a passage and tag it as a claim from the Command Palette (speaker, then note).
  await selectInEditor(page, PASSAGE);
  await runCommand(page, 'Marginalia: Tag Selection as Claim');
  await answer(page, 'Vladimir Putin', { expect: 'Who makes the claim' });
  await answer(page, 'Announces the new national AI strategy', { expect: 'A note on this claim' });
  const file = path.join(workspace, '.marginalia', 'annotations', `${DOC}.yaml`);
  const stored = await until(() => fs.existsSync(file) && parse(fs.readFileSync(file, 'utf8')), 15_000, 'the sidecar');
  const ann = stored.annotations?.[0];
  check('the claim is stored with its quote, speaker and note', ann?.kind === 'claim' && ann?.exact === PASSAGE && ann?.attributes?.speaker === 'Vladimir Putin' && ann?.note === 'Announces the new national AI strategy', JSON.stringify(ann));
  await shot('2-tagged');

  // 4. It shows in the tree: document (1) → claim (1) → the passage.
  await until(async () => (await sideBarRow(page, DOC).innerText()).includes('1'), 10_000, 'the count on the document');
  const docRow = sideBarRow(page, DOC);
  if ((await docRow.getAttribute('aria-expanded')) !== 'true') await docRow.locator('.monaco-tl-twistie').click();
  await sideBarRow(page, 'claim').waitFor({ timeout: 10_000 });
  const claimRow = sideBarRow(page, 'claim');
  if ((await claimRow.getAttribute('aria-expanded')) !== 'true') await claimRow.locator('.monaco-tl-twistie').click();
  const passageRow = sideBarRow(page, PASSAGE);
  await passageRow.waitFor({ timeout: 10_000 });
  check('the passage is in the tree under its document and kind', (await passageRow.innerText()).includes('speaker: Vladimir Putin'), await passageRow.innerText());
  await shot('3-tree');

  // 5. Hover the highlighted passage and read its provenance.
  await page.keyboard.press('Escape');
  const highlighted = page.locator('.editor-instance .monaco-editor .view-line', { hasText: PASSAGE }).first();
  await highlighted.scrollIntoViewIfNeeded();
  const span = highlighted.locator('span', { hasText: 'Vladimir' }).first();
  const box = (await span.boundingBox()) ?? (await highlighted.boundingBox());
  const spanText = await span.innerText();
  const x = box.x + Math.max(4, Math.min(box.width - 4, (box.width * (spanText.indexOf('Vladimir') + 3)) / Math.max(1, spanText.length)));
  let hoverText = '';
  for (let attempt = 0; attempt < 3 && !hoverText.includes('Tagged by'); attempt++) {
    await page.mouse.move(x - 30, box.y - 40);
    await page.mouse.move(x, box.y + box.height / 2, { steps: 8 });
    const hover = page.locator('.monaco-hover:visible', { hasText: 'Tagged by' }).first();
    hoverText = await hover.waitFor({ timeout: 6000 }).then(() => hover.innerText(), () => '');
  }
  for (const want of ['Claim', 'Vladimir Putin', 'Tagged by', 'Article Source', 'TMTPOST', 'Lin Zhijia', 'anchored exactly']) {
    check(`the hover shows ${want}`, hoverText.includes(want), hoverText.replace(/\s+/g, ' ').slice(0, 300));
  }
  await shot('4-hover');

  // 6. Export YAML for the whole corpus through the save dialog: the format first, then which annotations (the whole
  // corpus is offered first), then the place.
  await page.mouse.move(5, 5);
  await runCommand(page, 'Marginalia: Export Annotations');
  await answer(page, 'YAML', { expect: 'Export annotations in which format?' });
  const scopeRows = page.locator('.quick-input-widget .monaco-list-row');
  await page.waitForFunction(() => (document.querySelector('.quick-input-widget input')?.getAttribute('placeholder') ?? '') === 'Export which annotations as YAML?', null, { timeout: 10_000 });
  await scopeRows.first().waitFor({ timeout: 10_000 });
  const scopes = await scopeRows.allInnerTexts();
  check('after the format it asks which annotations, the whole corpus first', /Whole corpus/.test(scopes[0] ?? ''), scopes.join(' | '));
  await answer(page, '', { expect: 'Export which annotations as YAML?' });
  const target = path.join(workspace, 'marginalia-export.yaml');
  await answerSaveDialog(page, target, { expect: 'Export annotations as YAML' });
  const exported = await until(() => fs.existsSync(target) && parse(fs.readFileSync(target, 'utf8')), 15_000, 'the export file');
  const doc = exported.documents?.[0];
  const a = doc?.annotations?.[0];
  check('the export has the document with its header metadata', doc?.path === DOC && doc?.metadata?.['Article Source'] === 'TMTPOST', JSON.stringify(doc?.metadata));
  check('the export has the claim with quote, line/column and provenance', a?.kind === 'claim' && a?.quote?.exact === PASSAGE && a?.start?.line === 8 && typeof a?.provenance?.author === 'string', JSON.stringify(a));
  await page.locator('.notifications-toasts .notification-list-item-message', { hasText: 'Exported 1 annotation of 1 document' }).first().waitFor({ timeout: 10_000 }).catch(() => undefined);
  await page.waitForTimeout(800);
  await shot('5-exported');
  log(`exported to ${target}`);
}
