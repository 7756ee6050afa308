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
          assert.ok(
            r.stderr.startsWith(`marginalia: ${file}: document ${bad} is refused: ${bad} is not a corpus document (the corpus is **/*.txt, **/*.md;`),
            `${bad}: ${r.stderr}`,
          );
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
      const hostile = fs
        .readFileSync(sidecar, 'utf8')
        .replaceAll(DOC, '.env')
        .replace(/docHash: .*/, 'docHash: sha256:' + '0'.repeat(64));
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

  describe('issue 10: wrong data, silently', () => {
    function sidecarOf(ws: string, doc: string): string {
      return path.join(ws, '.marginalia', 'annotations', `${doc}.yaml`);
    }

    it('a stored end that disagrees with the quote (or lies beyond the text) while start matches: check reports it re-anchored, exports refuse it, check --write repairs it', () => {
      const ws = tempWorkspace();
      addOk(ws, DOC, 'Vladimir Putin');
      const { start, end } = spanOf(ws, DOC, 'Vladimir Putin');
      const length = fs.readFileSync(path.join(ws, DOC), 'utf8').length;
      const good = fs.readFileSync(sidecarOf(ws, DOC), 'utf8');
      for (const bad of [end + 5, end - 3, length + 10]) {
        fs.writeFileSync(sidecarOf(ws, DOC), good.replace(`end: ${end}\n`, `end: ${bad}\n`));
        const check = cli(ws, 'check', '--json');
        assert.equal(check.code, 0, check.stderr);
        const r = (JSON.parse(check.stdout) as { documents: { annotations: { method: string; status: string; after: { start: number; end: number } }[] }[] })
          .documents[0].annotations[0];
        assert.equal(r.status, 'reanchored', `end ${bad}`);
        assert.deepEqual(r.after, { start, end });
        for (const format of ['w3c', 'csv', 'yaml']) {
          const exported = cli(ws, 'export', '--format', format, '--out', path.join(ws, `out.${format}`));
          assert.equal(exported.code, 2, `${format}, end ${bad}`);
          assert.match(
            exported.stderr,
            new RegExp(`has offsets ${start}-${bad}, which do not hold its quote as whole characters in the current text .*run \`marginalia check --write\``),
          );
        }
        const written = cli(ws, 'check', '--write');
        assert.equal(written.code, 0);
        assert.match(written.stdout, /0 unchanged, 1 re-anchored, 0 orphaned; 1 saved/);
        assert.ok(fs.readFileSync(sidecarOf(ws, DOC), 'utf8').includes(`end: ${end}\n`), 'the end is repaired');
        assert.equal(cli(ws, 'export', '--format', 'w3c').code, 0);
        fs.writeFileSync(sidecarOf(ws, DOC), good);
      }
    });

    it('a span splitting a surrogate pair: check re-anchors it to whole characters; before that W3C, CSV and YAML exports refuse it and brat leaves it out (no empty selector, no U+FFFD)', () => {
      const ws = tempWorkspace(false);
      fs.mkdirSync(path.join(ws, 'c'));
      fs.writeFileSync(path.join(ws, 'c', 'e.txt'), 'Before 😀 the claim here.\n');
      const add = cli(ws, 'add', 'c/e.txt', '--kind', 'claim', '--start', '7', '--end', '20');
      assert.equal(add.code, 0, add.stderr);
      const sidecar = sidecarOf(ws, 'c/e.txt');
      fs.writeFileSync(
        sidecar,
        fs
          .readFileSync(sidecar, 'utf8')
          .replace('exact: "😀 the claim "', 'exact: "\\uDE00 the claim "')
          .replace('start: 7', 'start: 8')
          .replace('prefix: "Before "', 'prefix: "Before \\uD83D"'),
      );
      for (const format of ['w3c', 'csv', 'yaml']) {
        const exported = cli(ws, 'export', '--format', format);
        assert.equal(exported.code, 2, format);
        assert.match(exported.stderr, /has offsets 8-20, which do not hold its quote as whole characters/);
      }
      const brat = cli(ws, 'export', '--format', 'brat', '--out', path.join(ws, 'brat'));
      assert.equal(brat.code, 0, brat.stderr);
      assert.match(brat.stderr, /cuts a character in half; re-anchor it first\. Left out of the brat export/);
      assert.equal(fs.readFileSync(path.join(ws, 'brat', 'c', 'e.ann'), 'utf8'), '');
      const check = cli(ws, 'check', '--write');
      assert.equal(check.code, 0, check.stderr);
      assert.match(check.stdout, /8-20 -> 7-20 +quote: stored span cuts a character \(a surrogate pair\) in half.*widened to whole characters/);
      assert.ok(fs.readFileSync(sidecar, 'utf8').includes('exact: "😀 the claim "'));
      const w3c = JSON.parse(cli(ws, 'export', '--format', 'w3c').stdout) as {
        first: { items: { target: { selector: { type: string; start?: number; end?: number; exact?: string }[] } }[] };
      };
      const selectors = w3c.first.items[0].target.selector;
      assert.deepEqual(
        selectors.find((x) => x.type === 'TextPositionSelector'),
        { type: 'TextPositionSelector', start: 7, end: 19 },
      );
      assert.equal(selectors.find((x) => x.type === 'TextQuoteSelector')?.exact, '😀 the claim ');
      assert.equal(cli(ws, 'export', '--format', 'brat', '--out', path.join(ws, 'brat')).code, 0);
      assert.equal(fs.readFileSync(path.join(ws, 'brat', 'c', 'e.ann'), 'utf8'), 'T1\tclaim 7 19\t😀 the claim \n#1\tAuthor T1\tTest Author\n');
    });

    it('--attr value=0x10 (0b, 0o), 9007199254740993 and .5e-400 are refused with how to write them; nothing is stored', () => {
      const ws = tempWorkspace();
      const { start, end } = spanOf(ws, DOC, 'Vladimir Putin');
      for (const value of ['0x10', '0b10', '0o10', '9007199254740993', '.5e-400']) {
        const r = cli(ws, 'add', DOC, '--kind', 'figure', '--start', String(start), '--end', String(end), '--attr', `value=${value}`);
        assert.equal(r.code, 2, value);
        assert.ok(
          r.stderr.startsWith(
            `marginalia: attribute value of a figure must be a number written in decimal digits that a number holds exactly (such as 16, -2.5 or 1e6), got "${value}"`,
          ),
          r.stderr,
        );
        assert.match(r.stderr, /declare value as text \(type: string\) in the codebook/);
      }
      assert.equal(fs.existsSync(path.join(ws, '.marginalia')), false);
      addOk(ws, DOC, 'Vladimir Putin');
      const ok = cli(ws, 'add', DOC, '--kind', 'figure', '--start', String(start), '--end', String(end), '--attr', 'value=1,000', '--json');
      assert.equal((JSON.parse(ok.stdout) as { attributes: { value: number } }).attributes.value, 1000);
    });

    it('a sidecar with a duplicate key through a YAML alias, or a number that would not load as written, is refused at its line and left untouched', () => {
      const ws = tempWorkspace();
      addOk(ws, DOC, 'Vladimir Putin', '--note', 'first');
      const sidecar = sidecarOf(ws, DOC);
      const good = fs.readFileSync(sidecar, 'utf8');
      const lines = good.split('\n');
      const attributesLine = lines.findIndex((l) => l === '    attributes: {}') + 1;
      assert.ok(attributesLine > 0);
      for (const [bad, why] of [
        [good.replace('    attributes: {}', '    attributes: {&k speaker: a, *k : b}'), 'a key is written through an alias \\(\\*k\\)'],
        [
          good.replace('    attributes: {}', '    attributes: {speaker: 9007199254740993}'),
          'the number 9007199254740993 would not load as written: 9007199254740993 cannot be held exactly',
        ],
        [good.replace('    attributes: {}', '    attributes: {speaker: 0x10}'), 'the number 0x10 would not load as written'],
      ]) {
        fs.writeFileSync(sidecar, bad);
        const r = cli(ws, 'list');
        assert.equal(r.code, 0);
        assert.match(
          r.stderr,
          new RegExp(`^marginalia: warning: \\.marginalia/annotations/${DOC.replace(/\./g, '\\.')}\\.yaml:${attributesLine}:\\d+: ${why}`, 'm'),
          r.stderr,
        );
        assert.equal(r.stdout, '');
        assert.equal(fs.readFileSync(sidecar, 'utf8'), bad, 'left untouched');
      }
    });

    it('import of a YAML or W3C export holding 9007199254740993 or .5e-400 is refused naming the file and line; nothing is imported', () => {
      const ws = tempWorkspace();
      const { start, end } = spanOf(ws, DOC, 'Vladimir Putin');
      assert.equal(cli(ws, 'add', DOC, '--kind', 'figure', '--start', String(start), '--end', String(end), '--attr', 'value=12345').code, 0);
      const yaml = cli(ws, 'export').stdout;
      const w3c = cli(ws, 'export', '--format', 'w3c').stdout;
      fs.rmSync(path.join(ws, '.marginalia'), { recursive: true });
      for (const big of ['9007199254740993', '.5e-400']) {
        for (const [name, text] of [
          ['i.yaml', yaml.replace('value: 12345', `value: ${big}`)],
          ['i.json', w3c.replace('"marginalia:value": 12345', `"marginalia:value": ${big.startsWith('.') ? '0' + big : big}`)],
        ]) {
          assert.notEqual(text, name.endsWith('yaml') ? yaml : w3c);
          fs.writeFileSync(path.join(ws, name), text);
          const r = cli(ws, 'import', name);
          assert.equal(r.code, 2, `${name} ${big}: ${r.stdout}${r.stderr}`);
          assert.match(r.stderr, new RegExp(`^marginalia: ${name.replace('.', '\\.')}:\\d+:\\d+: .*would not load as written`), r.stderr);
          assert.equal(fs.existsSync(path.join(ws, '.marginalia')), false);
        }
      }
    });

    it('a lone surrogate in a note: the CSV export is refused naming the annotation, brat keeps it as \\uD83D, YAML and W3C as escapes', () => {
      const ws = tempWorkspace();
      const id = addOk(ws, DOC, 'Vladimir Putin', '--note', 'placeholder');
      const sidecar = sidecarOf(ws, DOC);
      fs.writeFileSync(sidecar, fs.readFileSync(sidecar, 'utf8').replace('note: placeholder', 'note: "half \\uD83D here"'));
      const csv = cli(ws, 'export', '--format', 'csv');
      assert.equal(csv.code, 2);
      assert.ok(csv.stderr.startsWith(`marginalia: cannot export to CSV: annotation ${id} holds a lone surrogate (U+D83D, half of a character)`), csv.stderr);
      assert.equal(csv.stdout, '');
      const brat = cli(ws, 'export', '--format', 'brat', '--out', path.join(ws, 'brat'));
      assert.equal(brat.code, 0, brat.stderr);
      assert.ok(fs.readFileSync(path.join(ws, 'brat', DOC.replace(/\.txt$/, '.ann')), 'utf8').includes('half \\uD83D here'));
      assert.ok(cli(ws, 'export').stdout.includes('note: "half \\ud83d here"'));
      const w3c = cli(ws, 'export', '--format', 'w3c');
      assert.ok(w3c.stdout.includes('half \\ud83d here'), 'JSON keeps it as an escape');
      assert.ok(!w3c.stdout.includes('\ufffd'));
    });
  });
});
