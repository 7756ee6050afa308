// @ts-check
// `npm test`: installs what it needs, builds, then runs every suite. Each suite ends with `N passed, N failed`;
// the last line is the total. `npm test -- unit cli` runs only the named suites.
import path from 'node:path';
import { ROOT, build, ensureDebianPackages, ensureNodeModules, log, run, runCapture } from './lib.mjs';

const mocha = path.join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js');
const node = process.execPath;
const integration = (/** @type {string[]} */ ...args) => [path.join(ROOT, 'scripts', 'run-integration.mjs'), ...args];
const SUITES = [
  { name: 'unit', cmd: node, args: [mocha, '--config', '.mocharc.json'] },
  { name: 'cli', cmd: node, args: [mocha, '--config', 'test/cli/mocharc.json'] },
  // The main extension-host suite runs over a hundred tests in one window: it gets more than the default 180 s.
  { name: 'integration', vscode: true, cmd: node, args: integration('--timeout', '600') },
  {
    name: 'multiroot',
    vscode: true,
    cmd: node,
    args: integration('--workspace', 'test/fixtures/workspaces/multiroot.code-workspace', '--tests', 'out/test/integration/multiroot'),
  },
  { name: 'entities', vscode: true, cmd: node, args: integration('--tests', 'out/test/integration/entities') },
  { name: 'untrusted', vscode: true, cmd: node, args: integration('--trust', 'untrusted', '--tests', 'out/test/integration/untrusted') },
  { name: 'e2e', vscode: true, cmd: node, args: [path.join(ROOT, 'scripts', 'run-e2e.mjs'), 'test/e2e', '--vsix', '--retries', '1'] },
  // `npm start` on a fresh clone of HEAD, checked in the browser
  { name: 'start', vscode: true, cmd: node, args: [path.join(ROOT, 'scripts', 'test-start.mjs')] },
];

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((w) => !SUITES.some((s) => s.name === w));
if (unknown.length) {
  console.error(`unknown suite ${unknown.join(', ')} (suites: ${SUITES.map((s) => s.name).join(', ')})`);
  process.exit(2);
}
const selected = SUITES.filter((s) => wanted.length === 0 || wanted.includes(s.name));

ensureNodeModules();
ensureDebianPackages(['git', 'python3-yaml']);
build();
log('linting (eslint: floating promises, vscode imports outside src/host; the scripts and e2e tests too)');
run(node, [path.join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js'), '--max-warnings', '0', '.']);
log('checking the formatting (prettier --check; `npm run format` fixes it)');
run(node, [path.join(ROOT, 'node_modules', 'prettier', 'bin', 'prettier.cjs'), '--check', '--log-level', 'warn', '.']);
// A real VS Code (code-server) with Debian's chromium, for the suites that need one; the scripts' type check needs
// its playwright-core too, so it is set up for every run (a second or less once installed).
run(node, [path.join(ROOT, 'scripts', 'setup-vscode.mjs')]);
log('type-checking the scripts (tsc -p scripts/tsconfig.json)');
run(node, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join('scripts', 'tsconfig.json')]);

const t0 = Date.now();
const rows = [];
for (const s of selected) {
  log(`suite ${s.name}`);
  const started = Date.now();
  const { code, out } = await runCapture(s.cmd, s.args, { env: { ...process.env, MARGINALIA_SUITE: s.name } });
  const m = [...out.matchAll(/(\d+) passed, (\d+) failed/g)].pop();
  const passed = m ? Number(m[1]) : 0;
  // A suite that crashed before its closing line, or exited non-zero with no failure counted, counts one failure.
  const failed = m ? Number(m[2]) + (code !== 0 && Number(m[2]) === 0 ? 1 : 0) : 1;
  rows.push({ name: s.name, passed, failed, seconds: (Date.now() - started) / 1000 });
}
console.log('\nSuite        passed  failed  seconds');
for (const r of rows) console.log(`${r.name.padEnd(12)} ${String(r.passed).padStart(6)}  ${String(r.failed).padStart(6)}  ${r.seconds.toFixed(1).padStart(7)}`);
const passed = rows.reduce((n, r) => n + r.passed, 0);
const failed = rows.reduce((n, r) => n + r.failed, 0);
console.log(`total time ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
