// The user story on the sample corpus, in a real browser: open the Marginalia view, open a document from the tree,
// select a passage, tag it as a claim from the Command Palette, see it in the tree, hover it and read its
// provenance, export YAML and check the file; then tag a figure range in two keypresses and delete it from its hover. Screenshots go to the shots folder (the README shows them).
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { answer, answerSaveDialog, runCommand, selectInEditor, sideBarRow, until } from './support/workbench.mjs';

const DOC = '000_66ca398fea36cc01.txt';
const PASSAGE = 'Russian President Vladimir Putin stated';
const FIGURE_DOC = '001_7b613edff552618b.txt';
const FIGURE = 'six to nine-month';

/** @param {{ page: import('playwright-core').Page, workspace: string, check: Function, shot: Function, log: Function }} t */
export async function run({ page, workspace, check, shot, log }) {
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });

  // 1. The Marginalia view in the activity bar lists the corpus.
  const activity = page
    .locator('.activitybar .action-item a[aria-label^="Marginalia"], .activitybar .action-item .action-label[aria-label^="Marginalia"]')
    .first();
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
  check(
    'the claim is stored with its quote, speaker and note',
    ann?.kind === 'claim' && ann?.exact === PASSAGE && ann?.attributes?.speaker === 'Vladimir Putin' && ann?.note === 'Announces the new national AI strategy',
    JSON.stringify(ann),
  );
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
  check(
    'the passage is in the tree under its document and kind',
    (await passageRow.innerText()).includes('speaker: Vladimir Putin'),
    await passageRow.innerText(),
  );
  await shot('3-tree');

  // 5. Hover the highlighted passage and read its provenance.
  await page.keyboard.press('Escape');
  const hoverText = await hoverOver(page, PASSAGE, 'Vladimir', 'Tagged by').then(
    (h) => h.innerText(),
    () => '',
  );
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
  await page.waitForFunction(
    () => (document.querySelector('.quick-input-widget input')?.getAttribute('placeholder') ?? '') === 'Export which annotations as YAML?',
    null,
    { timeout: 10_000 },
  );
  await scopeRows.first().waitFor({ timeout: 10_000 });
  const scopes = await scopeRows.allInnerTexts();
  check('after the format it asks which annotations, the whole corpus first', /Whole corpus/.test(scopes[0] ?? ''), scopes.join(' | '));
  await answer(page, '', { expect: 'Export which annotations as YAML?' });
  const target = path.join(workspace, 'marginalia-export.yaml');
  await answerSaveDialog(page, target, { expect: 'Export annotations as YAML' });
  const exported = await until(() => fs.existsSync(target) && parse(fs.readFileSync(target, 'utf8')), 15_000, 'the export file');
  const doc = exported.documents?.[0];
  const a = doc?.annotations?.[0];
  check(
    'the export has the document with its header metadata',
    doc?.path === DOC && doc?.metadata?.['Article Source'] === 'TMTPOST',
    JSON.stringify(doc?.metadata),
  );
  check(
    'the export has the claim with quote, line/column and provenance',
    a?.kind === 'claim' && a?.quote?.exact === PASSAGE && a?.start?.line === 8 && typeof a?.provenance?.author === 'string',
    JSON.stringify(a),
  );
  await page
    .locator('.notifications-toasts .notification-list-item-message', { hasText: 'Exported 1 annotation of 1 document' })
    .first()
    .waitFor({ timeout: 10_000 })
    .catch(() => undefined);
  await page.waitForTimeout(800);
  await shot('5-exported');
  log(`exported to ${target}`);

  // 7. Tag a figure range: the value and unit come pre-filled (6–9, month), so Enter takes the value and the Done key
  // stores: two keypresses after the command, the optional date, scope and note left unasked.
  await page.mouse.move(5, 5);
  if (!(await sideBarRow(page, FIGURE_DOC).isVisible())) await activity.click();
  await sideBarRow(page, FIGURE_DOC).click();
  await page.locator('.editor-instance .monaco-editor .view-line', { hasText: FIGURE }).first().waitFor({ timeout: 20_000 });
  await selectInEditor(page, FIGURE);
  await runCommand(page, 'Marginalia: Tag Selection as Figure');
  const keys = [];
  const press = async (key) => {
    keys.push(key);
    await page.keyboard.press(key);
  };
  const widget = page.locator('.quick-input-widget');
  await quickInputShows(page, 'Tag figure: value', '6–9');
  check('the figure form counts its steps (1/5)', (await widget.innerText()).includes('1/5'), await widget.innerText());
  await shot('6-figure-value');
  await press('Enter');
  await quickInputShows(page, 'Tag figure: unit', 'month');
  await press('Alt+D');
  const figureFile = path.join(workspace, '.marginalia', 'annotations', `${FIGURE_DOC}.yaml`);
  const figureStored = await until(() => fs.existsSync(figureFile) && parse(fs.readFileSync(figureFile, 'utf8')), 15_000, 'the figure sidecar');
  const fig = figureStored.annotations?.[0];
  check(`the figure is tagged in ${keys.length} keypresses (${keys.join(', ')}), at most two`, keys.length <= 2);
  check(
    'the figure keeps both ends of its range and stores nothing unasked',
    fig?.exact === FIGURE &&
      fig?.attributes?.value === 6 &&
      fig?.attributes?.high === 9 &&
      fig?.attributes?.unit === 'month' &&
      Object.keys(fig?.attributes ?? {}).length === 3 &&
      !fig?.note,
    JSON.stringify(fig),
  );
  // The selection collapses once the figure is stored (the sidecar is written a moment before).
  const statusBar = page.locator('.statusbar').first();
  const collapsed = await until(
    async () => /Ln \d+, Col \d+/.test(await statusBar.innerText()) && !/selected\)/.test(await statusBar.innerText()),
    5_000,
    'the selection collapsed',
  ).then(
    () => true,
    () => false,
  );
  check('the selection collapses after tagging, so the highlight shows', collapsed, (await statusBar.innerText()).replace(/\s+/g, ' '));
  await shot('7-figure-tagged');

  // 8. Its hover says 6–9 months; Delete from the hover removes it and closes the hover.
  const figureHover = await hoverOver(page, FIGURE, 'nine', 'As a number');
  const figureHoverText = await figureHover.innerText();
  check('the figure hover shows the range as 6–9 months', figureHoverText.includes('6–9 months'), figureHoverText.replace(/\s+/g, ' ').slice(0, 300));
  await shot('8-figure-hover');
  await figureHover.locator('a', { hasText: 'Delete' }).first().click();
  await until(() => !fs.existsSync(figureFile) || (parse(fs.readFileSync(figureFile, 'utf8'))?.annotations ?? []).length === 0, 10_000, 'the figure deleted');
  const closed = await page
    .locator('.monaco-hover:visible', { hasText: 'As a number' })
    .first()
    .waitFor({ state: 'hidden', timeout: 5_000 })
    .then(
      () => true,
      () => false,
    );
  check('after Delete the hover no longer shows the deleted figure', closed);
}

/** Hovers the word `word` on the line holding `line` until a hover with `want` shows; returns that hover. */
async function hoverOver(page, line, word, want) {
  const row = page.locator('.editor-instance .monaco-editor .view-line', { hasText: line }).first();
  await row.scrollIntoViewIfNeeded();
  const span = row.locator('span', { hasText: word }).first();
  const box = (await span.boundingBox()) ?? (await row.boundingBox());
  const spanText = await span.innerText();
  const x = box.x + Math.max(4, Math.min(box.width - 4, (box.width * (spanText.indexOf(word) + 3)) / Math.max(1, spanText.length)));
  const hover = page.locator('.monaco-hover:visible', { hasText: want }).first();
  for (let attempt = 0; attempt < 3; attempt++) {
    await page.mouse.move(x - 30, box.y - 40);
    await page.mouse.move(x, box.y + box.height / 2, { steps: 8 });
    if (
      await hover.waitFor({ timeout: 6000 }).then(
        () => true,
        () => false,
      )
    )
      return hover;
  }
  throw new Error(`no hover with "${want}" over "${word}"`);
}

/** Waits until the quick input shows the step titled `title` with `value` in its input. */
async function quickInputShows(page, title, value) {
  await page.waitForFunction(
    ([t, v]) => {
      const w = document.querySelector('.quick-input-widget');
      const i = w?.querySelector('input');
      return !!w && !!i && (w.textContent ?? '').includes(t) && i.value === v;
    },
    [title, value],
    { timeout: 10_000 },
  );
}
