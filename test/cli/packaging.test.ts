// The files an installed Marginalia holds come from one list, .vscodeignore: a plain `vsce ls`, the VSIX that
// `npm run package` packs and the folder the tests and `npm start` install (scripts/vscode/extension.mjs) agree,
// and they carry every picture the README shows and every page it links to.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..', '..');
const VSCE = path.join(REPO, 'node_modules', '@vscode', 'vsce', 'vsce');

function listDir(dir: string, rel = ''): string[] {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const r = rel ? `${rel}/${e.name}` : e.name;
    return e.isDirectory() ? listDir(dir, r) : [r];
  });
}

describe('the files an installed extension holds', function () {
  this.timeout(120_000);
  let tmp: string;
  let listed: string[];

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mg-packaging-'));
    listed = execFileSync(process.execPath, [VSCE, 'ls', '--no-dependencies'], { cwd: REPO, encoding: 'utf8' }).trim().split('\n').sort();
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('vsce ls lists the bundle, the manifest and every picture and page the README links, and no CLI or source maps', () => {
    const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
    const linked = [...readme.matchAll(/!?\[[^\]]*\]\(([^)\s#]+)/g)].map((m) => m[1]).filter((p) => !/^[a-z]+:/i.test(p));
    assert.ok(
      linked.some((p) => p.endsWith('.png')),
      'the README shows pictures',
    );
    assert.ok(
      linked.some((p) => p.endsWith('.md')),
      'the README links pages',
    );
    for (const p of linked) assert.ok(listed.includes(path.posix.normalize(p)), `${p} (linked from README.md) is not packed: add it to .vscodeignore`);
    for (const f of [
      'package.json',
      'README.md',
      'dist/extension.js',
      'dist/report.js',
      'dist/review.js',
      'dist/formats.js',
      'dist/research.js',
      'dist/capture.js',
      'dist/suggestions.js',
      'dist/fflate.js',
      'dist/fast-xml-parser.js',
    ])
      assert.ok(listed.includes(f), `${f} is packed`);
    assert.deepEqual(
      listed.filter((f) => f === 'dist/cli.js' || f.endsWith('.map') || f.startsWith('src/')),
      [],
    );
  });

  it('the installed folder holds exactly what vsce ls lists', () => {
    const script = `import { installExtensionFolder } from ${JSON.stringify(path.join(REPO, 'scripts', 'vscode', 'extension.mjs'))};
      console.log(await installExtensionFolder(${JSON.stringify(path.join(tmp, 'extensions'))}));`;
    const dest = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO, encoding: 'utf8' }).trim();
    assert.deepEqual(listDir(dest).sort(), listed);
    const registry = JSON.parse(fs.readFileSync(path.join(tmp, 'extensions', 'extensions.json'), 'utf8')) as { relativeLocation: string }[];
    assert.deepEqual(
      registry.map((e) => e.relativeLocation),
      [path.basename(dest)],
    );
  });

  it('the VSIX that npm run package packs holds exactly what vsce ls lists', () => {
    const vsix = path.join(tmp, 'marginalia.vsix');
    execFileSync(process.execPath, [path.join(REPO, 'scripts', 'package.mjs'), '--out', vsix], { cwd: REPO, encoding: 'utf8', stdio: 'pipe' });
    const entries = execFileSync('python3', ['-c', 'import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', vsix], {
      encoding: 'utf8',
    })
      .trim()
      .split('\n');
    const files = entries.filter((e) => e.startsWith('extension/')).map((e) => e.slice('extension/'.length));
    // vsce gives three files the names the Marketplace expects; everything else keeps its path.
    const vsceName: Record<string, string> = { 'README.md': 'readme.md', 'CHANGELOG.md': 'changelog.md', LICENSE: 'LICENSE.txt' };
    assert.deepEqual(files.sort(), listed.map((f) => vsceName[f] ?? f).sort());
  });
});
