// The extension's production bundles, built as `npm run package` builds them (esbuild.mjs --production), into a
// temporary folder: activation loads dist/extension.js alone, within its goal of 300 KB; the core folders and host
// files that only some commands or the first hover need are chunks of their own, which the main bundle requires at
// first use and which take the shared core folders from it (so a class has one identity). The extension host suite
// checks the same in a real VS Code (test/integration/activation.test.ts), on the development build.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..', '..');
/** The goal for dist/extension.js, minified (CONTRIBUTING.md, bench/report.ts). */
const MAIN_BUNDLE_GOAL = 300 * 1024;
/** Our own code that loads at first use: core folders (FEATURE_CHUNKS) and host files (SOURCE_CHUNKS). */
const FEATURE_CHUNKS = ['formats.js', 'research.js', 'capture.js'];
const SOURCE_CHUNKS = ['report.js', 'review.js', 'suggestions.js'];

/** Loads the bundles in a plain Node with a stand-in for the `vscode` module (every name @types/vscode exports, each
 *  answering anything), and prints which of our files each step loaded and whether the classes are shared. */
const PROBE = `
const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');
const [out, types] = process.argv.slice(1);
const any = new Proxy(function () {}, { get: (t, k) => (k === 'prototype' ? {} : any), apply: () => any, construct: () => any });
const names = [...fs.readFileSync(types, 'utf8').matchAll(/^\\s{1}export (?:class|enum|namespace|function|const|let) (\\w+)/gm)].map((m) => m[1]);
const vscode = Object.fromEntries(names.map((n) => [n, any]));
const load = Module._load;
Module._load = function (request, ...rest) { return request === 'vscode' ? vscode : load.call(this, request, ...rest); };
const loaded = () => Object.keys(require.cache).filter((f) => path.dirname(f) === out).map((f) => path.basename(f)).sort();
const main = require(path.join(out, 'extension.js'));
const atLoad = loaded();
const research = require(path.join(out, 'research.js'));
require(path.join(out, 'capture.js'));
require(path.join(out, 'formats.js'));
console.log(JSON.stringify({
  atLoad,
  later: loaded(),
  activate: typeof main.activate,
  sharedUserError: new research.ReviewError('x') instanceof main.__shared.model.UserError,
}));
`;

describe('the production bundles of the extension', function () {
  this.timeout(120_000);
  let out: string;

  before(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'mg-bundle-'));
    execFileSync(process.execPath, ['esbuild.mjs', '--production', '--outdir', out], { cwd: REPO, stdio: 'pipe' });
  });
  after(() => fs.rmSync(out, { recursive: true, force: true }));

  const size = (file: string): number => fs.statSync(path.join(out, file)).size;

  it(`dist/extension.js, the bundle activation loads, is at most ${MAIN_BUNDLE_GOAL / 1024} KB minified`, () => {
    const bytes = size('extension.js');
    assert.ok(bytes <= MAIN_BUNDLE_GOAL, `dist/extension.js is ${(bytes / 1024).toFixed(1)} KB: move what activation does not need into a chunk`);
  });

  it('the research, capture and export folders and the host chunks are files of their own, which the main bundle requires by name', () => {
    const main = fs.readFileSync(path.join(out, 'extension.js'), 'utf8');
    for (const chunk of [...FEATURE_CHUNKS, ...SOURCE_CHUNKS]) {
      assert.ok(size(chunk) > 0, `${chunk} is built`);
      assert.ok(main.includes(`require("./${chunk}")`), `dist/extension.js requires ./${chunk} (at its first use)`);
    }
    // A chunk takes another feature folder from that folder's chunk, never a copy.
    for (const chunk of ['capture.js', 'formats.js']) assert.ok(fs.readFileSync(path.join(out, chunk), 'utf8').includes('require("./research.js")'), chunk);
  });

  it('loading dist/extension.js loads no chunk; a chunk loaded later shares the main bundle’s classes', () => {
    const printed = execFileSync(process.execPath, ['-e', PROBE, out, path.join(REPO, 'node_modules', '@types', 'vscode', 'index.d.ts')], {
      encoding: 'utf8',
    });
    const r = JSON.parse(printed) as { atLoad: string[]; later: string[]; activate: string; sharedUserError: boolean };
    assert.equal(r.activate, 'function');
    assert.deepEqual(r.atLoad, ['extension.js']);
    assert.deepEqual(r.later, ['capture.js', 'extension.js', 'formats.js', 'research.js']);
    assert.equal(r.sharedUserError, true, "research.js's ReviewError is an instance of the main bundle's UserError");
  });
});
