// Suggestions in a real browser, on sample document 004: the notification's primary (blue) button is Review, not
// Accept All; accepting from the hover closes it and the next hover there is the annotation's; the editor's context
// menu offers Accept/Reject Suggestion on a suggestion and not elsewhere.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { runCommand, sideBarRow, until } from './support/workbench.mjs';

const DOC = '004_93f4aeba23e3ae0c.txt';

/** @param {{ page: import('playwright-core').Page, workspace: string, check: Function, shot: Function, log: Function }} t */
export async function run({ page, workspace, check, shot }) {
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  const activity = page
    .locator('.activitybar .action-item a[aria-label^="Marginalia"], .activitybar .action-item .action-label[aria-label^="Marginalia"]')
    .first();
  await activity.waitFor({ timeout: 60_000 });
  await activity.click();
  await sideBarRow(page, DOC).waitFor({ timeout: 90_000 });
  await sideBarRow(page, DOC).click();
  await page.locator('.editor-instance .monaco-editor .view-line', { hasText: 'conflict in Ukraine' }).first().waitFor({ timeout: 20_000 });

  // 1. Suggest: the notification's primary button is Review; there is no Accept All button.
  await runCommand(page, 'Marginalia: Suggest Figures and Entities');
  const toast = page.locator('.notifications-toasts .notification-list-item', { hasText: 'underlined with dots' }).first();
  await toast.waitFor({ timeout: 20_000 });
  const message = await toast.locator('.notification-list-item-message').innerText();
  check('the notification counts candidates and mentions', /^\d+ suggestions \(\d+ mentions\) in 004/.test(message), message);
  const buttons = toast.locator('.notification-list-item-buttons-container .monaco-button');
  const labels = await buttons.allInnerTexts();
  const primary = await buttons.first().evaluate((b) => !b.classList.contains('secondary'));
  check('Review is the first, primary button', labels[0]?.trim() === 'Review' && primary, JSON.stringify(labels));
  check('no Accept All button', !labels.some((l) => /accept/i.test(l)), JSON.stringify(labels));
  await shot('1-notification');
  await toast.hover();
  await toast
    .locator('.codicon-notifications-clear, .codicon-close')
    .first()
    .click()
    .catch(() => undefined);

  // 2. Hover the suggestion "Ukraine", accept it there: the hover closes, and the next one is the annotation's.
  const line = page.locator('.editor-instance .monaco-editor .view-line', { hasText: 'conflict in Ukraine' }).first();
  const word = await wordBox(line, 'Ukraine');
  const hoverOver = async (want) => {
    for (let attempt = 0; attempt < 4; attempt++) {
      await page.mouse.move(word.x - 40, word.y - 60);
      await page.mouse.move(word.x, word.y, { steps: 8 });
      const hover = page.locator('.monaco-hover:visible', { hasText: want }).first();
      if (
        await hover.waitFor({ timeout: 5000 }).then(
          () => true,
          () => false,
        )
      )
        return hover;
    }
    return undefined;
  };
  const suggested = await hoverOver('Suggested entity');
  check('the hover offers the suggestion', !!suggested, 'no hover with "Suggested entity"');
  if (!suggested) return;
  check('the hover names it', (await suggested.innerText()).includes('Ukraine'), await suggested.innerText());
  await shot('2-suggestion-hover');
  await suggested
    .locator('a', { hasText: /^\s*Accept\s*$/ })
    .first()
    .click();
  const file = path.join(workspace, '.marginalia', 'annotations', `${DOC}.yaml`);
  const stored = await until(
    () => fs.existsSync(file) && parse(fs.readFileSync(file, 'utf8'))?.annotations?.find((a) => a.exact === 'Ukraine'),
    15_000,
    'the accepted annotation',
  );
  check('accepting stores the entity', stored?.kind === 'entity' && stored?.attributes?.canonical === 'Ukraine', JSON.stringify(stored));
  const closed = await page
    .locator('.monaco-hover:visible', { hasText: 'Suggested entity' })
    .first()
    .waitFor({ state: 'hidden', timeout: 5000 })
    .then(
      () => true,
      () => false,
    );
  check('the hover that offered it closes', closed);
  const annotationHover = await hoverOver('Tagged by');
  const text = annotationHover ? await annotationHover.innerText() : '';
  check(
    'hovering it again shows the annotation, not a suggestion',
    text.includes('Entity') && text.includes('Ukraine') && !text.includes('Suggested'),
    text.replace(/\s+/g, ' ').slice(0, 300),
  );
  await shot('3-annotation-hover');
  await page.mouse.move(5, 5);

  // 3. The context menu: no Accept/Reject Suggestion away from a suggestion, both on one.
  const menuItems = async (lineText, w) => {
    const l = page.locator('.editor-instance .monaco-editor .view-line', { hasText: lineText }).first();
    const box = await wordBox(l, w);
    await page.keyboard.press('Escape');
    await page.mouse.click(box.x, box.y);
    await page.waitForTimeout(500);
    await page.mouse.click(box.x, box.y, { button: 'right' });
    const sub = page.locator('.context-view .monaco-menu .action-item', { hasText: 'Marginalia' }).first();
    await sub.waitFor({ timeout: 10_000 });
    await sub.hover();
    await page.locator('.context-view .monaco-menu .action-label', { hasText: 'Suggest Figures and Entities' }).first().waitFor({ timeout: 10_000 });
    const items = await page.locator('.context-view .monaco-menu .action-label').allInnerTexts();
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    return items.map((s) => s.trim());
  };
  const away = await menuItems('The announcement indicated that the network', 'announcement');
  check(
    'away from a suggestion the menu has no Accept or Reject Suggestion',
    !away.includes('Accept Suggestion') && !away.includes('Reject Suggestion'),
    JSON.stringify(away),
  );
  const on = await menuItems('conference in Moscow', 'Moscow');
  check('on a suggestion the menu has Accept and Reject Suggestion', on.includes('Accept Suggestion') && on.includes('Reject Suggestion'), JSON.stringify(on));
  await shot('4-context-menu');
}

/** The centre of `word` in a rendered editor line (the line's spans split it by decorations). */
async function wordBox(line, word) {
  const span = line.locator('span', { hasText: word }).last();
  const box = (await span.boundingBox()) ?? (await line.boundingBox());
  const spanText = await span.innerText();
  const at = spanText.indexOf(word);
  const x = box.x + (box.width * (Math.max(0, at) + word.length / 2)) / Math.max(1, spanText.length);
  return { x, y: box.y + box.height / 2 };
}
