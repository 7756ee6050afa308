// Coding as a team, in a real browser: two coders tag the same document, each under their own name (the
// marginalia.author setting, switched between them in the Settings editor); the agreement report shows their α_u (the
// figure the CLI computes), its links open passages and its tables export as CSV; and a reviewer settles one
// disagreement in the Review view with its key, so the reviewed layer holds the accepted version. Screenshots of the
// report and the Review view go to the shots folder (the README shows them).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { answer, answerSaveDialog, runCommand, selectInEditor, sideBarRow, until } from './support/workbench.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DOC = '002_4d4efb0aba07dc3f.txt';
const AGREED = 'Russian President Vladimir Putin recently announced Russia’s ambitious plan to develop AI technology';
const LONG = 'Artificial Intelligence (AI) has become a powerful force shaping the world we live in';
const SHORT = 'Artificial Intelligence (AI) has become a powerful force';
const BEN_ONLY = 'a comprehensive national strategy to advance AI technology';

/** @param {{ page: import('playwright-core').Page, workspace: string, check: Function, shot: Function, log: Function }} t */
export async function run({ page, workspace, check, shot, log }) {
  const sidecar = path.join(workspace, '.marginalia', 'annotations', `${DOC}.yaml`);
  const stored = () => (fs.existsSync(sidecar) ? (parse(fs.readFileSync(sidecar, 'utf8'))?.annotations ?? []) : []);

  /** Switches marginalia.author in the Settings editor, as a person does, then closes it. */
  const become = async (name) => {
    await runCommand(page, 'Preferences: Open User Settings');
    await page.locator('.settings-editor').waitFor({ timeout: 15_000 });
    await page.waitForTimeout(500);
    await page.keyboard.type('marginalia.author');
    const input = page.locator('.settings-editor .setting-item-contents', { hasText: 'The name recorded as the author' }).locator('input').first();
    await input.waitFor({ timeout: 15_000 });
    await input.fill(name);
    await input.press('Enter');
    await page.waitForTimeout(1200);
    await runCommand(page, 'View: Close Editor');
    await page.waitForTimeout(300);
    log(`now ${name}`);
  };

  /** Tags the first occurrence of `quote` as a claim, storing at once (the form's Done key), and waits for it. */
  const tagClaim = async (quote, author) => {
    const before = stored().length;
    await selectInEditor(page, quote);
    await runCommand(page, 'Marginalia: Tag Selection as Claim');
    await answer(page, '', { expect: 'Who makes the claim', enter: false });
    await page.keyboard.press('Alt+D');
    const list = await until(() => (stored().length > before ? stored() : undefined), 15_000, `the claim on "${quote.slice(0, 30)}…"`);
    const mine = list.find((a) => a.exact === quote && a.author === author);
    check(`${author} tags "${quote.slice(0, 40)}…" under their own name`, !!mine, JSON.stringify(list.map((a) => [a.author, a.exact.slice(0, 20)])));
  };

  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  const activity = page
    .locator('.activitybar .action-item a[aria-label^="Marginalia"], .activitybar .action-item .action-label[aria-label^="Marginalia"]')
    .first();
  await activity.waitFor({ timeout: 60_000 });
  await activity.click();
  await sideBarRow(page, DOC).waitFor({ timeout: 30_000 });
  const openDoc = async () => {
    await sideBarRow(page, DOC).click();
    await page.locator('.editor-instance .monaco-editor .view-line', { hasText: 'Russia’s Ambitious Plan' }).first().waitFor({ timeout: 20_000 });
  };

  // 1. Two coders tag the same document.
  await become('ana');
  await openDoc();
  await tagClaim(AGREED, 'ana');
  await tagClaim(LONG, 'ana');
  await become('ben');
  await openDoc();
  await tagClaim(AGREED, 'ben');
  await tagClaim(SHORT, 'ben');
  await tagClaim(BEN_ONLY, 'ben');

  // 2. The agreement report shows their α_u: the figure `marginalia agreement --json` computes on the same files.
  const cli = JSON.parse(execFileSync(process.execPath, [path.join(REPO, 'dist', 'cli.js'), 'agreement', '--json', '--root', workspace], { encoding: 'utf8' }));
  const expected = cli.overall.alphaU === null ? '–' : cli.overall.alphaU.toFixed(3);
  await runCommand(page, 'Marginalia: Agreement Report');
  const report = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
  const figure = report.locator('[data-figure="overall-alphaU"]');
  await figure.waitFor({ timeout: 20_000 });
  const shown = (await figure.innerText()).trim();
  check(`the report shows the coders’ α_u, ${expected}, as the CLI computes it`, shown === expected, `report ${shown}, CLI ${expected}`);
  const heading = await report.locator('h1').innerText();
  check('the report names both coders', heading.includes('ana') && heading.includes('ben'), heading);
  check('the report draws its charts', (await report.locator('svg.chart').count()) >= 2);
  check('every table has an Export CSV button', (await report.locator('button[data-export]').count()) >= 5);
  await page.waitForTimeout(500);
  await shot('report');

  // A disagreement's link opens its passage beside the report, selected; a table's Export CSV saves it where asked.
  await report.locator('a[data-open]', { hasText: '156' }).first().click();
  const opened = await until(
    async () => (await page.locator('.statusbar').first().innerText()).includes(`(${LONG.length} selected)`),
    15_000,
    'the passage selected',
  ).then(
    () => true,
    () => false,
  );
  check('the disagreement’s link opens its passage, selected', opened, (await page.locator('.statusbar').first().innerText()).replace(/\s+/g, ' '));
  const csv = path.join(workspace, 'agreement-by-kind.csv');
  await report.locator('button[data-export="kinds"]').click();
  await answerSaveDialog(page, csv, { expect: 'Export the agreement by kind table as CSV' });
  const written = await until(() => fs.existsSync(csv) && fs.readFileSync(csv, 'utf8'), 15_000, 'the CSV file').catch(() => '');
  check(
    'Export CSV writes the table the report shows',
    written.split('\r\n')[0] === 'Kind,α_u,kappa' && written.includes(`all kinds,${expected},`),
    JSON.stringify(written),
  );

  // 3. The reviewer settles the boundary disagreement in the Review view, with the key for "accept B".
  await become('rev');
  await runCommand(page, 'View: Close All Editors');
  if (!(await sideBarRow(page, DOC).isVisible())) await activity.click();
  // Entities and Figures folded away, so the Review view has room.
  for (const name of ['Entities', 'Figures']) {
    const header = page.locator('.part.sidebar .pane-header', { hasText: name }).first();
    if ((await header.getAttribute('aria-expanded')) === 'true') await header.click();
  }
  const reviewHeader = page.locator('.part.sidebar .pane-header', { hasText: 'Review' }).first();
  await reviewHeader.waitFor({ timeout: 10_000 });
  if ((await reviewHeader.getAttribute('aria-expanded')) !== 'true') await reviewHeader.click();
  const passage = sideBarRow(page, 'different boundaries');
  await passage.waitFor({ timeout: 15_000 });
  const rows = await page.locator('.part.sidebar .monaco-list-row').allInnerTexts();
  check(
    'the Review view lists the two disagreements of the document',
    rows.filter((r) => /different boundaries|tagged by one coder/.test(r)).length === 2,
    rows.join(' | '),
  );
  await passage.click();
  await page.locator('.editor-instance .monaco-editor .view-line', { hasText: 'powerful force' }).first().waitFor({ timeout: 15_000 });
  if ((await passage.getAttribute('aria-expanded')) !== 'true') await passage.locator('.monaco-tl-twistie').click();
  await sideBarRow(page, /B\s+ben/).waitFor({ timeout: 10_000 });
  // Each version is boxed and labelled after its end ("A: claim", "B: claim"): decoration text is CSS content.
  const labels = await until(
    () =>
      page.evaluate(() => {
        const found = [...document.querySelectorAll('.editor-instance .monaco-editor .view-line span')]
          .map((s) => getComputedStyle(s, '::after').content)
          .filter((c) => /[AB]: claim/.test(c));
        return found.length >= 2 ? found : undefined;
      }),
    10_000,
    'the versions marked',
  ).catch(() => []);
  check(
    'the editor marks both coders’ versions (A: claim, B: claim)',
    labels.some((c) => c.includes('A: claim')) && labels.some((c) => c.includes('B: claim')),
    labels.join(' | '),
  );
  await passage.click();
  await page.waitForTimeout(500);
  await shot('review');
  await page.keyboard.press('Control+Alt+M');
  await page.keyboard.press('b');

  const decisionsFile = path.join(workspace, '.marginalia', 'decisions', `${DOC}.yaml`);
  const reviewedFile = path.join(workspace, '.marginalia', 'reviewed', `${DOC}.yaml`);
  const decisions = await until(() => fs.existsSync(decisionsFile) && parse(fs.readFileSync(decisionsFile, 'utf8'))?.decisions, 15_000, 'the decision file');
  const accept = decisions.find((d) => d.type === 'boundary');
  check(
    'the decision accepts ben’s version, by the reviewer, with its time',
    accept?.decision === 'accept' && accept?.accepted === 'ben' && accept?.reviewer === 'rev' && Date.now() - Date.parse(accept?.decided) < 120_000,
    JSON.stringify(accept),
  );
  const reviewed = fs.existsSync(reviewedFile) ? (parse(fs.readFileSync(reviewedFile, 'utf8'))?.annotations ?? []) : [];
  check(
    'the reviewed layer holds ben’s passage and the agreed one, not ana’s longer one',
    reviewed.some((a) => a.exact === SHORT && a.author === 'ben') && reviewed.some((a) => a.exact === AGREED) && !reviewed.some((a) => a.exact === LONG),
    JSON.stringify(reviewed.map((a) => [a.author, a.exact.slice(0, 30)])),
  );
  const gone = await until(async () => !(await sideBarRow(page, 'different boundaries').isVisible()), 10_000, 'the decided passage leaves the list').then(
    () => true,
    () => false,
  );
  check('the decided disagreement leaves the Review view; the other stays', gone && (await sideBarRow(page, 'tagged by one coder').isVisible()));
  await page.waitForTimeout(300);
  await shot('review-decided');
}
