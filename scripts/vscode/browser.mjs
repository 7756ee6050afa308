// @ts-check
// The browser that is VS Code's window: Debian's chromium driven by playwright-core (from tools/vscode), with its
// profile in the run dir.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHROMIUM, TOOLS_DIR } from './paths.mjs';

/**
 * Opens Debian's chromium (playwright-core, headless unless headed) with its profile in the run dir.
 * Console lines of the page are appended to <runDir>/browser-console.log.
 * @param {{ runDir: string, env: Record<string, string | undefined> }} server  the run (a started server, or any run dir and its isolated environment)
 * @param {{ headless?: boolean, viewport?: { width: number, height: number } }} [o]
 * @returns {Promise<{ context: import('playwright-core').BrowserContext, page: import('playwright-core').Page }>}
 */
export async function launchBrowser(server, { headless = true, viewport = { width: 1400, height: 900 } } = {}) {
  /** @type {typeof import('playwright-core')} */
  const { chromium } = await import(pathToFileURL(path.join(TOOLS_DIR, 'node_modules', 'playwright-core', 'index.mjs')).href);
  // playwright puts its artifacts dir in os.tmpdir() of this process: point it at the run's temp dir during launch
  const savedTmp = process.env.TMPDIR;
  process.env.TMPDIR = server.env.TMPDIR;
  /** @type {import('playwright-core').BrowserContext} */
  let context;
  try {
    context = await chromium.launchPersistentContext(path.join(server.runDir, 'chromium'), {
      executablePath: CHROMIUM,
      env: server.env,
      headless,
      viewport,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  } finally {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleLog = fs.createWriteStream(path.join(server.runDir, 'browser-console.log'), { flags: 'a' });
  page.on('console', (m) => consoleLog.write(`[${m.type()}] ${m.text()}\n`));
  page.on('pageerror', (e) => consoleLog.write(`[pageerror] ${e.message}\n`));
  context.on('close', () => consoleLog.end());
  return { context, page };
}

/**
 * Best-effort screenshot; returns the path or undefined.
 * @param {import('playwright-core').Page} page
 * @param {string} file
 */
export async function screenshot(page, file) {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await page.screenshot({ path: file, timeout: 10_000 });
    return file;
  } catch {
    return undefined;
  }
}
