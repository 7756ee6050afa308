// A claim linked to the figure that supports it, in a real browser, on sample document 004. The two passages are
// tagged with the CLI (as a pipeline or a colleague would, while VS Code is open); in the editor the figure is
// linked with Link to… (relation, then the claim, nearest first) and the claim's hover shows the link. The relation
// is stored on the figure's entry in the sidecar.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { answer, runCommand, selectInEditor, sideBarRow, until } from './support/workbench.mjs';

const DOC = '004_93f4aeba23e3ae0c.txt';
const CLAIM = 'The Russian government anticipates that the integration of AI technologies across various industries could contribute';
const FIGURE = '11.2 trillion roubles';

/** @param {{ page: import('playwright-core').Page, workspace: string, check: Function, shot: Function, log: Function }} t */
export async function run({ page, workspace, check, shot, log }) {
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  const cli = path.join(import.meta.dirname, '..', '..', 'dist', 'cli.js');
  const add = (kind, quote, ...attrs) =>
    JSON.parse(
      execFileSync(
        process.execPath,
        [cli, 'add', DOC, '--kind', kind, '--quote', quote, '--author', 'colleague', '--json', ...attrs.flatMap((a) => ['--attr', a])],
        {
          cwd: workspace,
          encoding: 'utf8',
        },
      ),
    );
  const claim = add('claim', CLAIM);
  const figure = add('figure', FIGURE, 'value=11.2', 'unit=trillion roubles');
  const claimId = claim.id ?? claim.annotations?.[0]?.id;
  const figureId = figure.id ?? figure.annotations?.[0]?.id;
  log(`tagged claim ${claimId} and figure ${figureId} with the CLI`);

  const activity = page
    .locator('.activitybar .action-item a[aria-label^="Marginalia"], .activitybar .action-item .action-label[aria-label^="Marginalia"]')
    .first();
  await activity.waitFor({ timeout: 60_000 });
  await activity.click();
  await sideBarRow(page, DOC).waitFor({ timeout: 90_000 });
  await sideBarRow(page, DOC).click();
  await page.locator('.editor-instance .monaco-editor .view-line', { hasText: 'Russia collaborates with BRICS' }).first().waitFor({ timeout: 20_000 });

  // The extension has read the CLI's sidecar once the Corpus view counts the two passages.
  await until(async () => /\.txt\D*2$/.test((await sideBarRow(page, DOC).innerText()).trim()), 20_000, 'the Corpus view counting the CLI-tagged passages');
  await selectInEditor(page, FIGURE);
  await runCommand(page, 'Marginalia: Link to…');
  await answer(page, 'supports', { expect: 'How does this figure relate' });
  const rows = page.locator('.quick-input-widget .monaco-list-row');
  await answer(page, '', { expect: 'Which claim', enter: false });
  await rows.first().waitFor({ timeout: 10_000 });
  const offered = await rows.allInnerTexts();
  check(
    'Link to… offers the claim of this document first',
    offered.some((r) => r.includes('this document')) && offered.join(' ').includes('The Russian government anticipates'),
    offered.join(' | '),
  );
  await shot('1-link-target');
  await answer(page, 'Russian government anticipates', { expect: 'Which claim' });

  const file = path.join(workspace, '.marginalia', 'annotations', `${DOC}.yaml`);
  const stored = await until(
    () => {
      const f = fs.existsSync(file) && parse(fs.readFileSync(file, 'utf8'))?.annotations?.find((a) => a.id === figureId);
      return f?.relations?.length ? f : undefined;
    },
    15_000,
    'the relation in the sidecar',
  ).catch(() => undefined);
  check(
    'the figure supports the claim, stored on the figure with its author and time',
    stored?.relations?.[0]?.type === 'supports' && stored.relations[0].to === claimId && typeof stored.relations[0].created === 'string',
    JSON.stringify(stored?.relations),
  );

  // The claim's hover shows the link back to the figure.
  const line = page.locator('.editor-instance .monaco-editor .view-line', { hasText: 'anticipates' }).first();
  await line.scrollIntoViewIfNeeded();
  const word = line.locator('span', { hasText: 'anticipates' }).first();
  const box = (await word.boundingBox()) ?? (await line.boundingBox());
  const hover = page.locator('.monaco-hover:visible', { hasText: 'Links' }).first();
  let shown = false;
  for (let attempt = 0; attempt < 4 && !shown; attempt++) {
    await page.mouse.move(box.x + 10, box.y - 40);
    await page.mouse.move(box.x + Math.min(40, box.width / 2), box.y + box.height / 2, { steps: 8 });
    shown = await hover.waitFor({ timeout: 6000 }).then(
      () => true,
      () => false,
    );
  }
  const text = shown ? await hover.innerText() : '';
  check(
    'the claim’s hover lists the figure that supports it',
    shown && /supported by/i.test(text) && text.includes('11.2 trillion roubles'),
    text.replace(/\s+/g, ' ').slice(0, 400),
  );
  await shot('2-claim-hover-links');
}
