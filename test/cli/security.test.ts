// Issue 10, points 2 and 3, through the real CLI process: paths that name no corpus document (secrets, git hooks),
// terminal escapes in file names, and data that must be kept exactly or refused. The core halves are in
// test/unit (corpus, moves, corpusFolder, csvFormat, reanchor, check, yaml, annotate, brat); README "Failure cases
// and their tests" lists them.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli, spanOf, tempWorkspace } from './cliHarness';

const DOC = 'corpus/000_66ca398fea36cc01.txt';
const SECRET = 'Vladimir Putin ghp_SECRETSECRETSECRETSECRET0123456789 password=hunter2\n';

function addOk(ws: string, doc: string, quote: string, ...extra: string[]): string {
  const s = spanOf(ws, doc, quote);
  const r = cli(ws, 'add', doc, '--kind', 'claim', '--start', String(s.start), '--end', String(s.end), '--json', ...extra);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { id: string }).id;
}

/** Every file under the store, as text, to show that a secret was copied nowhere. */
function storeText(ws: string): string {
  const dir = path.join(ws, '.marginalia');
  if (!fs.existsSync(dir)) return '';
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => fs.readFileSync(path.join(e.parentPath, e.name), 'utf8'))
    .join('\n');
}

/** A workspace with secrets beside the corpus: .env and .git/config both hold the quote the annotation was made on. */
function withSecrets(): string {
  const ws = tempWorkspace();
  fs.writeFileSync(path.join(ws, '.env'), SECRET);
  fs.mkdirSync(path.join(ws, '.git'));
  fs.writeFileSync(path.join(ws, '.git', 'config'), '[core]\n' + SECRET);
  return ws;
}

describe('issue 10 (CLI)', function () {
  this.timeout(120_000);

  describe('issue 10: security', () => {
    for (const format of ['yaml', 'w3c'] as const) {
      it(`import of a ${format === 'yaml' ? 'YAML' : 'W3C JSON-LD'} export naming .git/config or .env is refused before anything is written; no secret is copied`, () => {
        const ws = withSecrets();
        addOk(ws, DOC, 'Vladimir Putin');
        const exported = cli(ws, 'export', '--format', format);
        assert.equal(exported.code, 0, exported.stderr);
        fs.rmSync(path.join(ws, '.marginalia'), { recursive: true });
        for (const bad of ['.git/config', '.env', '.marginalia/codebook.yaml', 'node_modules/x/readme.md']) {
          const file = path.join(ws, `import.${format === 'yaml' ? 'yaml' : 'json'}`);
          const text =
            format === 'yaml'
              ? exported.stdout.replace(`  - path: ${DOC}`, `  - path: '${bad}'`)
              : exported.stdout.replaceAll(`"urn:marginalia:doc:${DOC}"`, JSON.stringify(`urn:marginalia:doc:${bad}`));
          assert.notEqual(text, exported.stdout);
          fs.writeFileSync(file, text);
          const r = cli(ws, 'import', file);
          assert.equal(r.code, 2, `${bad}: ${r.stdout}${r.stderr}`);
          assert.ok(r.stderr.startsWith(`marginalia: ${file}: document ${bad} is refused: ${bad} is not a corpus document (the corpus is **/*.txt, **/*.md;`), `${bad}: ${r.stderr}`);
          assert.match(r.stderr, /nothing was imported\n$/);
          assert.equal(fs.existsSync(path.join(ws, '.marginalia')), false, `${bad}: nothing imported`);
        }
      });
    }

    it('add .env (or .git/config, a .py file) is refused; a committed sidecar naming .env is reported and its document never read by list, check --write, export or docs', () => {
      const ws = withSecrets();
      for (const doc of ['.env', '.git/config', 'corpus/.hidden.txt', 'tool.py']) {
        if (!fs.existsSync(path.join(ws, doc))) fs.writeFileSync(path.join(ws, doc), SECRET);
        const r = cli(ws, 'add', doc, '--kind', 'claim', '--start', '0', '--end', '8');
        assert.equal(r.code, 2, doc);
        assert.ok(r.stderr.startsWith(`marginalia: ${doc} is not a corpus document`), r.stderr);
      }
      assert.equal(fs.existsSync(path.join(ws, '.marginalia')), false);
      // A hostile sidecar for .env, made from a real one: its offsets point nowhere, so a re-anchor would search .env.
      addOk(ws, DOC, 'Vladimir Putin');
      const sidecar = path.join(ws, '.marginalia', 'annotations', `${DOC}.yaml`);
      const hostile = fs.readFileSync(sidecar, 'utf8').replaceAll(DOC, '.env').replace(/docHash: .*/, 'docHash: sha256:' + '0'.repeat(64));
      fs.writeFileSync(path.join(ws, '.marginalia', 'annotations', '.env.yaml'), hostile);
      for (const args of [['list'], ['check', '--write'], ['export'], ['export', '--format', 'w3c'], ['docs']]) {
        const r = cli(ws, ...args);
        assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
        assert.ok(r.stderr.includes('marginalia: warning: .marginalia/annotations/.env.yaml: .env is not a corpus document'), `${args.join(' ')}: ${r.stderr}`);
        assert.ok(!r.stdout.includes('ghp_') && !r.stdout.includes('.env'), `${args.join(' ')} did not use it`);
      }
      const exported = cli(ws, 'export', '.env');
      assert.equal(exported.code, 2);
      assert.match(exported.stderr, /^marginalia: \.env is not a corpus document/m);
      assert.equal(fs.readFileSync(path.join(ws, '.marginalia', 'annotations', '.env.yaml'), 'utf8'), hostile, 'left as it is');
      assert.ok(!storeText(ws).includes('ghp_'), 'the secret is in no store file');
    });

    it('restore .git/hooks/post-checkout from a committed sidecar and snapshot is refused; no hook is written', () => {
      const ws = tempWorkspace();
      const hook = `#!/bin/sh\n${fs.readFileSync(path.join(ws, DOC), 'utf8')}`;
      fs.writeFileSync(path.join(ws, 'corpus', 'hook.txt'), hook);
      addOk(ws, 'corpus/hook.txt', 'Vladimir Putin');
      const sidecar = path.join(ws, '.marginalia', 'annotations', 'corpus', 'hook.txt.yaml');
      const target = path.join(ws, '.marginalia', 'annotations', '.git', 'hooks', 'post-checkout.yaml');
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, fs.readFileSync(sidecar, 'utf8').replaceAll('corpus/hook.txt', '.git/hooks/post-checkout'));
      fs.rmSync(path.join(ws, 'corpus', 'hook.txt'));
      fs.mkdirSync(path.join(ws, '.git', 'hooks'), { recursive: true });
      const r = cli(ws, 'restore', '.git/hooks/post-checkout');
      assert.equal(r.code, 2, r.stdout);
      assert.ok(r.stderr.startsWith('marginalia: .git/hooks/post-checkout is not a corpus document'), r.stderr);
      assert.equal(fs.existsSync(path.join(ws, '.git', 'hooks', 'post-checkout')), false);
      const ok = cli(ws, 'restore', 'corpus/hook.txt');
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(fs.readFileSync(path.join(ws, 'corpus', 'hook.txt'), 'utf8'), hook, 'a corpus document is still restored');
    });

    it('terminal escapes, C1 controls and U+202E in a file name are shown escaped by add, list, check and docs (and --json)', () => {
      const ws = tempWorkspace();
      const name = 'corpus/a\x1b]0;owned\x07\x1b[31mred\x9b2J\u202etxt.exe.txt';
      fs.copyFileSync(path.join(ws, DOC), path.join(ws, name));
      const s = spanOf(ws, name, 'Vladimir Putin');
      const shown = 'corpus/a\\x1b]0;owned\\x07\\x1b[31mred\\x9b2J\\u202etxt.exe.txt';
      const runs = [
        cli(ws, 'add', name, '--kind', 'claim', '--start', String(s.start), '--end', String(s.end)),
        cli(ws, 'list'),
        cli(ws, 'list', '--json'),
        cli(ws, 'docs'),
        cli(ws, 'docs', '--json'),
        cli(ws, 'check'),
        cli(ws, 'add', name, '--kind', 'nope', '--start', '0', '--end', '1'),
      ];
      fs.rmSync(path.join(ws, name));
      runs.push(cli(ws, 'check'), cli(ws, 'docs'), cli(ws, 'restore', name), cli(ws, 'restore', name));
      for (const r of runs) {
        assert.doesNotMatch(r.stdout + r.stderr, /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]/, r.stdout + r.stderr);
      }
      assert.ok(runs[0].stdout.includes(shown), runs[0].stdout);
      assert.ok(runs[1].stdout.includes(shown), runs[1].stdout);
      assert.equal((JSON.parse(runs[2].stdout) as { doc: string }[])[0].doc, name, '--json keeps the name exactly (as JSON escapes)');
      assert.ok(runs[3].stdout.includes(shown));
      assert.ok(runs[5].stdout.includes(shown));
      assert.ok(runs[8].stdout.includes(`${shown}  1 annotation  (document not found`), runs[8].stdout);
      assert.ok(runs[10].stderr.includes(`marginalia: ${shown} exists`), runs[10].stderr);
    });
  });
});
