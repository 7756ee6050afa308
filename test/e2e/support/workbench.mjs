// Small helpers for driving the VS Code workbench with playwright-core, shared by the e2e scripts.

/** Runs a command through the Command Palette (F1), by its title. */
export async function runCommand(page, title) {
  // Close a quick input left open, but never press Escape in the editor: there it runs cancelSelection, and the
  // command would find no selection (a notification toast used to swallow that Escape and hide the problem).
  const open = page.locator('.quick-input-widget input');
  if (await open.isVisible()) await open.press('Escape');
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').waitFor({ state: 'visible', timeout: 10_000 });
  await page.keyboard.type(title);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}

/**
 * Answers the open quick input (input box or quick pick) with `text`, then Enter (unless `enter` is false). `expect` is text the prompt shows
 * (its prompt or placeholder): one prompt can follow another in the same widget, so typing waits until it is this one.
 */
export async function answer(page, text, { clear = true, expect, enter = true } = {}) {
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  if (expect) {
    await page.waitForFunction(
      (want) => {
        const w = document.querySelector('.quick-input-widget');
        const i = w?.querySelector('input');
        return (
          !!w &&
          !!i &&
          ((w.textContent ?? '').includes(want) || (i.getAttribute('placeholder') ?? '').includes(want) || (i.getAttribute('aria-label') ?? '').includes(want))
        );
      },
      expect,
      { timeout: 10_000 },
    );
  }
  await input.focus();
  if (clear) await input.fill('');
  if (text) await page.keyboard.type(text);
  if (!enter) return;
  await page.waitForTimeout(150);
  await page.keyboard.press('Enter');
}

/**
 * Answers VS Code's own save dialog (the simple file dialog of a browser workbench) with a full path. The dialog
 * refilters its list as the path is typed and can miss an Enter pressed meanwhile, so it is told again (its OK
 * button) until it closes.
 */
export async function answerSaveDialog(page, file, { expect } = {}) {
  // The path is set at once, not typed: typed character by character, the dialog completes a folder name of the folder
  // it shows (corpus/ when it opens next to it) into the middle of the path.
  await answer(page, '', { expect, enter: false });
  const widget = page.locator('.quick-input-widget');
  await widget.locator('input').fill(file);
  await page.waitForTimeout(150);
  await page.keyboard.press('Enter');
  for (let attempt = 0; attempt < 5; attempt++) {
    if (
      await widget.waitFor({ state: 'hidden', timeout: 2000 }).then(
        () => true,
        () => false,
      )
    )
      return;
    const input = widget.locator('input');
    if ((await input.inputValue().catch(() => '')) !== file) await input.fill(file);
    await widget
      .locator('.monaco-button', { hasText: /^OK$/ })
      .first()
      .click({ timeout: 2000 })
      .catch(() => page.keyboard.press('Enter'));
  }
  throw new Error(`the save dialog did not take ${file}`);
}

/** Selects the first occurrence of `text` in the active editor with the Find widget (Escape leaves it selected). */
export async function selectInEditor(page, text) {
  await page
    .locator('.editor-instance .monaco-editor .view-lines')
    .first()
    .click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Control+Home');
  await page.keyboard.press('Control+F');
  const find = page.locator('.editor-instance .find-widget textarea, .editor-instance .find-widget input').first();
  await find.waitFor({ state: 'visible', timeout: 10_000 });
  await find.fill(text);
  await find.press('Enter');
  await page.waitForTimeout(200);
  // Escape on the find widget itself closes it and keeps the match selected; pressed in the editor, Escape would
  // run cancelSelection instead (where the focus lands after Enter depends on timing).
  await find.press('Escape');
  await page
    .locator('.statusbar', { hasText: `(${text.length} selected)` })
    .first()
    .waitFor({ timeout: 5_000 })
    .catch(() => {
      throw new Error(`selectInEditor: "${text}" is not selected (the status bar shows no "${text.length} selected")`);
    });
}

/** A row of a tree or list in the side bar, by its text. */
export function sideBarRow(page, text) {
  return page.locator('.part.sidebar .monaco-list-row', { hasText: text }).first();
}

/** Polls `fn` until it returns a truthy value. */
export async function until(fn, timeoutMs = 15_000, what = 'condition') {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
