import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { parse } from 'yaml';
import { BIN, REPO, cli, tempWorkspace, type CliResult } from './cliHarness';
import { makePdf } from '../support/pdfFixture';

const FIXTURES = path.join(REPO, 'test', 'fixtures', 'capture');

/** The CLI in a child process, without blocking this one: the fixture server here must answer it. */
function cliAsync(cwd: string, ...args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, MARGINALIA_AUTHOR: 'Test Author' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

function frontMatter(file: string): Record<string, unknown> {
  const text = fs.readFileSync(file, 'utf8');
  const m = /^---\n([\s\S]*?)\n---\n/.exec(text);
  assert.ok(m, `${file} starts with front matter`);
  return parse(m[1]) as Record<string, unknown>;
}

describe('CLI: sources', function () {
  this.timeout(60000);
  let server: http.Server;
  let base: string;
  let pdf: Uint8Array;

  before(async () => {
    pdf = await makePdf();
    server = http.createServer((req, res) => {
      if (req.url === '/news/harbour-dredging') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(fs.readFileSync(path.join(FIXTURES, 'article.html')));
      } else if (req.url === '/survey') {
        res.writeHead(200, { 'content-type': 'application/pdf' });
        res.end(pdf);
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not here');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('add-source captures a saved HTML file into sources/, keeps the original, and adding it again changes nothing', () => {
    const ws = tempWorkspace(false);
    const r = cli(ws, 'add-source', path.join(FIXTURES, 'article.html'));
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^added sources\/harbour-dredging-doubles-cargo\.md \(html, "Harbour dredging doubles cargo"\); original kept as \.marginalia\/originals\/[0-9a-f]{64}\n$/,
    );
    const doc = path.join(ws, 'sources', 'harbour-dredging-doubles-cargo.md');
    const fm = frontMatter(doc);
    assert.equal(fm.title, 'Harbour dredging doubles cargo');
    assert.equal(fm.author, 'Mara Quint, Tobias Renn');
    assert.equal(fm.site, 'The Coastal Ledger');
    assert.equal(fm.file, 'article.html');
    assert.equal(fm.tool, 'marginalia 0.1.0');
    assert.ok(!Number.isNaN(Date.parse(String(fm.retrieved))));
    const original = fs.readFileSync(path.join(ws, '.marginalia', 'originals', String(fm.sha256)));
    assert.deepEqual(original, fs.readFileSync(path.join(FIXTURES, 'article.html')));
    const before = fs.readFileSync(doc, 'utf8');
    const again = cli(ws, 'add-source', path.join(FIXTURES, 'article.html'));
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already holds this source/);
    assert.equal(fs.readFileSync(doc, 'utf8'), before);
    assert.equal(cli(ws, 'check-sources').code, 0);
  });

  it('add-source fetches a page and a PDF from a URL (--to, --json), and check-sources verifies both', async () => {
    const ws = tempWorkspace(false);
    const page = await cliAsync(ws, 'add-source', `${base}/news/harbour-dredging`, '--to', 'web', '--json');
    assert.equal(page.code, 0, page.stderr);
    const added = JSON.parse(page.stdout);
    assert.equal(added.doc, 'web/harbour-dredging-doubles-cargo.md');
    assert.equal(added.format, 'html');
    assert.equal(added.fields.url, `${base}/news/harbour-dredging`, 'the address it was fetched from');
    assert.equal(added.fields.file, undefined);
    const text = fs.readFileSync(path.join(ws, added.doc), 'utf8');
    assert.match(text, /\[annual report\]\(http:\/\/127\.0\.0\.1:\d+\/reports\/2023-annual\)/, 'links resolved against the page address');
    assert.doesNotMatch(text, /Great news for the town|See also|Subscribe/);

    const survey = await cliAsync(ws, 'add-source', `${base}/survey`, '--to', 'web', '--json');
    assert.equal(survey.code, 0, survey.stderr);
    const s = JSON.parse(survey.stdout);
    assert.equal(s.doc, 'web/housing-survey-2023.md');
    assert.equal(s.fields.pages, '3');
    assert.match(fs.readFileSync(path.join(ws, s.doc), 'utf8'), /<!-- page 2 -->\n\nRents rose by 7\.5 percent in 2023\./);

    const check = cli(ws, 'check-sources');
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /2 captured sources checked: 2 give the same text from their original, 0 do not/);
    fs.writeFileSync(path.join(ws, s.doc), fs.readFileSync(path.join(ws, s.doc), 'utf8').replace('7.5 percent', '75 percent'));
    const changed = cli(ws, 'check-sources');
    assert.equal(changed.code, 1);
    assert.match(changed.stdout, /web\/housing-survey-2023\.md:\d+: the text differs from what its original gives/);
  });

  it('add-source names an unreachable URL and says what to do, and a 404 too; nothing is written', async () => {
    const ws = tempWorkspace(false);
    // A port that was just free: nothing listens there.
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const offline = await cliAsync(ws, 'add-source', `http://127.0.0.1:${port}/article`);
    assert.equal(offline.code, 2);
    assert.match(
      offline.stderr,
      new RegExp(`could not fetch http://127\\.0\\.0\\.1:${port}/article \\(ECONNREFUSED\\)\\. Check the address and that you are online, or save the page`),
    );
    assert.equal(offline.stderr.trim().split('\n').length, 1);
    const missing = await cliAsync(ws, 'add-source', `${base}/gone`);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /\/gone answered 404 Not Found: nothing was added/);
    assert.ok(!fs.existsSync(path.join(ws, 'sources')));
    assert.ok(!fs.existsSync(path.join(ws, '.marginalia', 'originals')));
  });

  it('import-hypothesis anchors annotations on the captured page, reports the count and lists the rest', () => {
    const ws = tempWorkspace(false);
    assert.equal(cli(ws, 'add-source', path.join(FIXTURES, 'article.html')).code, 0);
    const r = cli(ws, 'import-hypothesis', path.join(FIXTURES, 'hypothesis.json'));
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines[0], '3 of 6 Hypothesis annotations anchored in sources/harbour-dredging-doubles-cargo.md (kind claim unless a tag names a kind)');
    assert.deepEqual(
      lines.slice(1).map((l) => /^not anchored: (\S+)/.exec(l)?.[1]),
      ['hyp-comment-4', 'hyp-pagenote-5', 'hyp-elsewhere-6'],
    );
    const list = JSON.parse(cli(ws, 'list', '--json').stdout) as { kind: string; quote?: string; note?: string }[];
    assert.equal(list.length, 3);
    const again = cli(ws, 'import-hypothesis', path.join(FIXTURES, 'hypothesis.json'), '--json');
    assert.equal(JSON.parse(again.stdout).duplicates, 3);
    assert.equal(JSON.parse(cli(ws, 'list', '--json').stdout).length, 3, 'nothing added twice');
    const bad = cli(ws, 'import-hypothesis', path.join(FIXTURES, 'article.html'));
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /article\.html is not JSON/);
  });
});
