import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { BIN, cli, spanOf, tempWorkspace, type CliResult } from './cliHarness';
import { wholeFileConflict } from '../../src/core/store';

const DOC = 'corpus/000_66ca398fea36cc01.txt';
const DOC2 = 'corpus/001_7b613edff552618b.txt';

function add(ws: string, doc: string, quote: string, kind: string, ...extra: string[]): { id: string; target: { start: number; end: number } } {
  const { start, end } = spanOf(ws, doc, quote);
  const r = cli(ws, 'add', doc, '--kind', kind, '--start', String(start), '--end', String(end), '--json', ...extra);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

function assertOneLineError(r: { code: number; stderr: string }, pattern: RegExp): void {
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, pattern);
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line expected, got:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

describe('CLI (the real built binary)', function () {
  this.timeout(60000);

  describe('help and usage errors', () => {
    it('prints usage with --help', () => {
      const r = cli(tempWorkspace(false), '--help');
      assert.equal(r.code, 0);
      assert.match(r.stdout, /marginalia <command>/);
      assert.match(r.stdout, /check \[--json\] \[--write\]/);
    });
    it('rejects an unknown command in one line', () => {
      assertOneLineError(cli(tempWorkspace(false), 'frobnicate'), /unknown command "frobnicate"/);
    });
    it('rejects an option the command does not take', () => {
      assertOneLineError(cli(tempWorkspace(false), 'list', '--write'), /list does not take --write/);
    });
    it('rejects a missing workspace folder', () => {
      assertOneLineError(cli(tempWorkspace(false), 'list', '--root', 'nope'), /workspace folder .*nope does not exist/);
    });
  });

  describe('add', () => {
    it('tags a span, prints the annotation as JSON, writes the sidecar and a snapshot', () => {
      const ws = tempWorkspace();
      const a = add(ws, DOC, 'Russian President Vladimir Putin stated', 'claim', '--note', 'key statement', '--attr', 'speaker=Vladimir Putin');
      assert.match(a.id, /^[0-9A-HJKMNP-TV-Z]{26}$/);
      const sidecar = path.join(ws, '.marginalia', 'annotations', DOC + '.yaml');
      const parsed = parse(fs.readFileSync(sidecar, 'utf8'));
      assert.equal(parsed.document, DOC);
      assert.equal(parsed.annotations.length, 1);
      assert.equal(parsed.annotations[0].id, a.id);
      assert.equal(parsed.annotations[0].note, 'key statement');
      assert.equal(parsed.annotations[0].author ?? parsed.annotations[0].provenance?.author, 'Test Author');
      const snapDir = path.join(ws, '.marginalia', 'snapshots');
      const snaps = fs.readdirSync(snapDir, { recursive: true }).filter((f) => String(f).endsWith('.txt'));
      assert.equal(snaps.length, 1);
    });
    it('coerces a figure value to a number', () => {
      const ws = tempWorkspace();
      const a = add(ws, DOC2, 'six to nine-month', 'figure', '--attr', 'value=6', '--attr', 'unit=months') as unknown as {
        attributes: Record<string, unknown>;
      };
      assert.deepEqual(a.attributes, { value: 6, unit: 'months' });
    });
    it('accepts a document path relative to the current folder', () => {
      const ws = tempWorkspace();
      const { start, end } = spanOf(ws, DOC, 'Putin');
      const r = cli(
        path.join(ws, 'corpus'),
        'add',
        path.basename(DOC),
        '--root',
        ws,
        '--kind',
        'entity',
        '--start',
        String(start),
        '--end',
        String(end),
        '--attr',
        'type=person',
      );
      assert.equal(r.code, 0, r.stderr);
      assert.ok(fs.existsSync(path.join(ws, '.marginalia', 'annotations', DOC + '.yaml')));
    });
    it('refuses offsets outside the document', () => {
      const ws = tempWorkspace();
      assertOneLineError(cli(ws, 'add', DOC, '--kind', 'claim', '--start', '10', '--end', '999999'), /outside .*000_66ca398fea36cc01\.txt/);
    });
    it('refuses an empty span', () => {
      assertOneLineError(cli(tempWorkspace(), 'add', DOC, '--kind', 'claim', '--start', '10', '--end', '10'), /empty/);
    });
    it('refuses a non-numeric offset', () => {
      assertOneLineError(cli(tempWorkspace(), 'add', DOC, '--kind', 'claim', '--start', 'ten', '--end', '20'), /--start must be a whole number/);
    });
    it('refuses an unknown kind, naming the kinds there are', () => {
      assertOneLineError(cli(tempWorkspace(), 'add', DOC, '--kind', 'opinion', '--start', '0', '--end', '5'), /unknown kind "opinion".*claim/);
    });
    it('refuses an unknown attribute and a bad value', () => {
      const ws = tempWorkspace();
      assertOneLineError(cli(ws, 'add', DOC, '--kind', 'figure', '--start', '0', '--end', '5', '--attr', 'vaule=3'), /unknown attribute "vaule"/);
      assertOneLineError(cli(ws, 'add', DOC, '--kind', 'figure', '--start', '0', '--end', '5', '--attr', 'value=lots'), /must be a number/);
    });
    it('refuses a document outside the workspace folder', () => {
      assertOneLineError(
        cli(tempWorkspace(), 'add', '../etc/passwd', '--kind', 'claim', '--start', '0', '--end', '5'),
        /outside the workspace|leaves the workspace/,
      );
    });
    it('reports a missing document', () => {
      assertOneLineError(cli(tempWorkspace(), 'add', 'corpus/nope.txt', '--kind', 'claim', '--start', '0', '--end', '5'), /corpus\/nope\.txt not found/);
    });
  });

  describe('list', () => {
    it('lists id, kind, doc, offsets, status and quote; filters by document and kind; prints JSON', () => {
      const ws = tempWorkspace();
      const a = add(ws, DOC, 'Vladimir Putin', 'entity', '--attr', 'type=person', '--attr', 'canonical=Vladimir Putin');
      const b = add(ws, DOC2, 'Sberbank', 'entity', '--attr', 'type=organisation');
      const c = add(ws, DOC2, 'six to nine-month lag', 'claim');
      const all = cli(ws, 'list');
      assert.equal(all.code, 0);
      const lines = all.stdout.trim().split('\n');
      assert.equal(lines.length, 3);
      assert.match(lines[0], new RegExp(`^${a.id}\\s+entity\\s+${DOC}\\s+${a.target.start}-${a.target.end}\\s+anchored\\s+"Vladimir Putin"$`));
      const one = cli(ws, 'list', DOC2, '--json');
      const rows = JSON.parse(one.stdout);
      assert.deepEqual(rows.map((r: { id: string }) => r.id).sort(), [b.id, c.id].sort());
      assert.deepEqual(Object.keys(rows[0]).slice(0, 7), ['id', 'kind', 'doc', 'start', 'end', 'quote', 'status']);
      const claims = JSON.parse(cli(ws, 'list', '--kind', 'claim', '--json').stdout);
      assert.deepEqual(
        claims.map((r: { id: string }) => r.id),
        [c.id],
      );
    });
    it('still lists the good documents when a sidecar is broken, naming the file and line', () => {
      const ws = tempWorkspace();
      add(ws, DOC, 'Vladimir Putin', 'entity');
      add(ws, DOC2, 'Sberbank', 'entity');
      const broken = path.join(ws, '.marginalia', 'annotations', DOC2 + '.yaml');
      const before = fs.readFileSync(broken, 'utf8').replace('annotations:', 'annotations: [oops');
      fs.writeFileSync(broken, before);
      const r = cli(ws, 'list');
      assert.equal(r.code, 0);
      assert.equal(r.stdout.trim().split('\n').length, 1);
      assert.match(r.stderr, /001_7b613edff552618b\.txt\.yaml:\d+:\d+: not valid YAML/);
      assert.equal(fs.readFileSync(broken, 'utf8'), before, 'the broken sidecar is left untouched');
    });
  });

  describe('check', () => {
    it('reports unchanged annotations and exits 0', () => {
      const ws = tempWorkspace();
      add(ws, DOC, 'Vladimir Putin stated', 'claim');
      const r = cli(ws, 'check');
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /1 annotation in 1 document: 1 unchanged, 0 re-anchored, 0 orphaned/);
    });
    it('re-anchors after an outside edit, saves with --write, and is then unchanged', () => {
      const ws = tempWorkspace();
      const a = add(ws, DOC, 'Vladimir Putin stated', 'claim');
      const file = path.join(ws, DOC);
      const inserted = 'A new opening sentence, written by another tool. ';
      fs.writeFileSync(file, inserted + fs.readFileSync(file, 'utf8'));
      const dry = cli(ws, 'check', '--json');
      assert.equal(dry.code, 0, dry.stderr);
      const report = JSON.parse(dry.stdout);
      const r = report.documents[0].annotations[0];
      assert.equal(r.status, 'reanchored');
      assert.deepEqual(r.after, { start: a.target.start + inserted.length, end: a.target.end + inserted.length });
      assert.equal(report.summary.reanchored, 1);
      const write = cli(ws, 'check', '--write');
      assert.equal(write.code, 0);
      assert.match(write.stdout, /1 saved/);
      const listed = JSON.parse(cli(ws, 'list', '--json').stdout)[0];
      assert.equal(listed.start, a.target.start + inserted.length);
      assert.equal(listed.quote, 'Vladimir Putin stated');
      assert.match(cli(ws, 'check').stdout, /1 unchanged/);
    });
    it('orphans an annotation whose passage was deleted, exits 1, and keeps it', () => {
      const ws = tempWorkspace();
      add(ws, DOC, 'Vladimir Putin stated', 'claim');
      add(ws, DOC, 'Global Times', 'entity');
      const file = path.join(ws, DOC);
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('Russian President Vladimir Putin stated that', 'he said'));
      const r = cli(ws, 'check');
      assert.equal(r.code, 1);
      assert.match(r.stdout, /orphaned/);
      assert.match(r.stdout, /2 annotations in 1 document: 1 unchanged, 0 re-anchored, 1 orphaned/);
      assert.equal(cli(ws, 'check', '--write').code, 1);
      const listed = JSON.parse(cli(ws, 'list', '--json').stdout);
      assert.equal(listed.length, 2, 'the orphan is kept');
      assert.equal(listed.find((x: { kind: string }) => x.kind === 'claim').status, 'orphaned');
    });
    it('reports annotations of a deleted document as orphaned', () => {
      const ws = tempWorkspace();
      add(ws, DOC2, 'Sberbank', 'entity');
      fs.rmSync(path.join(ws, DOC2));
      const r = cli(ws, 'check');
      assert.equal(r.code, 1);
      assert.match(r.stdout, /document not found/);
    });
  });

  describe('export and import', () => {
    it('exports YAML to a file, imports it into an empty workspace, and exports the same annotations', () => {
      const ws = tempWorkspace();
      add(ws, DOC, 'Vladimir Putin stated', 'claim', '--attr', 'speaker=Vladimir Putin', '--note', 'quote: "yes" — no');
      add(ws, DOC2, 'six to nine-month', 'figure', '--attr', 'value=6', '--attr', 'unit=months');
      add(ws, DOC2, 'Sberbank', 'entity', '--attr', 'type=organisation', '--attr', 'canonical=Sberbank');
      const out = path.join(ws, 'out', 'export.yaml');
      const r = cli(ws, 'export', '--out', out);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /exported 3 annotations of 2 documents/);
      const first = parse(fs.readFileSync(out, 'utf8'));
      assert.equal(first.documents.length, 2);

      const empty = tempWorkspace();
      const imp = cli(empty, 'import', out);
      assert.equal(imp.code, 0, imp.stderr);
      assert.match(imp.stdout, /imported 3 annotations of 2 documents/);
      const again = cli(empty, 'export');
      assert.equal(again.code, 0, again.stderr);
      const second = parse(again.stdout);
      delete first.generated;
      delete second.generated;
      assert.deepEqual(second, first);
    });
    it('exports only the named documents to stdout', () => {
      const ws = tempWorkspace();
      add(ws, DOC, 'Vladimir Putin stated', 'claim');
      add(ws, DOC2, 'Sberbank', 'entity');
      const r = cli(ws, 'export', DOC2);
      assert.equal(r.code, 0, r.stderr);
      const doc = parse(r.stdout);
      assert.deepEqual(
        doc.documents.map((d: { path: string }) => d.path),
        [DOC2],
      );
    });
    it('exports W3C JSON-LD and imports it into an empty workspace with the same annotations and offsets', () => {
      const ws = tempWorkspace();
      const a = add(ws, DOC, 'Vladimir Putin stated', 'claim', '--note', 'n');
      const out = path.join(ws, 'w3c.jsonld');
      assert.equal(cli(ws, 'export', '--format', 'w3c', '--out', out).code, 0);
      assert.equal(JSON.parse(fs.readFileSync(out, 'utf8')).type, 'AnnotationCollection');
      const empty = tempWorkspace();
      const imp = cli(empty, 'import', out);
      assert.equal(imp.code, 0, imp.stderr);
      const listed = JSON.parse(cli(empty, 'list', '--json').stdout);
      assert.deepEqual(
        listed.map((x: { id: string; start: number; note: string }) => [x.id, x.start, x.note]),
        [[a.id, a.target.start, 'n']],
      );
    });
    it('exports CSV to stdout and brat into a folder (which needs --out)', () => {
      const ws = tempWorkspace();
      add(ws, DOC, 'Vladimir Putin stated', 'claim');
      const csv = cli(ws, 'export', '--format', 'csv');
      assert.equal(csv.code, 0);
      assert.match(csv.stdout, /^id,document,kind,start_utf16/);
      assertOneLineError(cli(ws, 'export', '--format', 'brat'), /writes a folder: give it with --out DIR/);
      const dir = path.join(ws, 'brat');
      assert.equal(cli(ws, 'export', '--format', 'brat', '--out', dir).code, 0);
      assert.match(fs.readFileSync(path.join(dir, DOC.replace(/\.txt$/, '.ann')), 'utf8'), /^T1\tclaim \d+ \d+\tVladimir Putin stated/m);
    });
    it('leaves a brat export written into the workspace out of the corpus, and never writes into a folder of other files', () => {
      const ws = tempWorkspace();
      add(ws, DOC, 'Vladimir Putin stated', 'claim');
      const before = cli(ws, 'docs', '--json');
      const corpus = (JSON.parse(before.stdout) as { documents: { doc: string }[] }).documents.map((d) => d.doc);
      const r = cli(ws, 'export', '--format', 'brat', '--out', 'brat-out');
      assert.equal(r.code, 0, r.stderr);
      assert.ok(fs.existsSync(path.join(ws, 'brat-out', DOC)), 'the brat copy of the document is written');
      assert.ok(fs.existsSync(path.join(ws, 'brat-out', '.marginalia-export')), 'the export folder is marked');
      const docs = cli(ws, 'docs', '--json');
      assert.deepEqual(
        (JSON.parse(docs.stdout) as { documents: { doc: string }[] }).documents.map((d) => d.doc),
        corpus,
        'docs lists no brat-out/ copy',
      );
      assert.doesNotMatch(cli(ws, 'docs').stdout, /brat-out/);
      const check = cli(ws, 'check', '--json');
      assert.equal(check.code, 0, check.stderr);
      assert.doesNotMatch(check.stdout, /brat-out/);
      const exported = parse(cli(ws, 'export').stdout) as { documents: { path: string }[] };
      assert.deepEqual(
        exported.documents.map((d) => d.path),
        [DOC],
      );
      assert.equal(cli(ws, 'export', '--format', 'brat', '--out', 'brat-out').code, 0, 'an earlier export folder is written again');
      // A folder holding other files (here the corpus itself) is refused, and nothing is written into it.
      const inCorpus = fs.readdirSync(path.join(ws, 'corpus')).sort();
      assertOneLineError(
        cli(ws, 'export', '--format', 'brat', '--out', 'corpus'),
        /corpus already holds files that no Marginalia export wrote; export into a new or empty folder/,
      );
      assert.deepEqual(fs.readdirSync(path.join(ws, 'corpus')).sort(), inCorpus);
    });
    it('refuses an unknown format', () => {
      assertOneLineError(cli(tempWorkspace(), 'export', '--format', 'docx'), /unknown export format "docx"/);
    });
    it('refuses an import naming a document outside the workspace, writing nothing', () => {
      const ws = tempWorkspace();
      add(ws, DOC, 'Vladimir Putin stated', 'claim');
      const out = path.join(ws, 'export.yaml');
      cli(ws, 'export', '--out', out);
      fs.writeFileSync(out, fs.readFileSync(out, 'utf8').replace(`path: ${DOC}`, 'path: ../../etc/passwd'));
      const empty = tempWorkspace();
      const r = cli(empty, 'import', out);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /export\.yaml/);
      assert.equal(fs.existsSync(path.join(empty, '.marginalia')), false);
    });
    it('imports all or nothing: a broken sidecar of one document stops the import before anything is written', () => {
      const ws = tempWorkspace();
      const [first, second] = [DOC, DOC2];
      add(ws, first, 'Vladimir Putin', 'entity');
      add(ws, second, 'Sberbank', 'entity');
      const out = path.join(ws, 'export.yaml');
      cli(ws, 'export', '--out', out);
      const target = tempWorkspace();
      const broken = path.join(target, '.marginalia', 'annotations', `${second}.yaml`);
      fs.mkdirSync(path.dirname(broken), { recursive: true });
      fs.writeFileSync(broken, 'version: 1\ndocument: [unclosed\n');
      const r = cli(target, 'import', out);
      assertOneLineError(
        r,
        new RegExp(`export\\.yaml: cannot import into ${second.replace(/\./g, '\\.')}: .*${second.replace(/\./g, '\\.')}\\.yaml:\\d+.*nothing was imported`),
      );
      assert.equal(fs.existsSync(path.join(target, '.marginalia', 'annotations', `${first}.yaml`)), false, 'the first document got nothing');
      assert.equal(fs.readFileSync(broken, 'utf8'), 'version: 1\ndocument: [unclosed\n', 'the broken sidecar is untouched');
    });
    it('reports an unreadable import file', () => {
      assertOneLineError(cli(tempWorkspace(), 'import', 'missing.yaml'), /cannot read .*missing\.yaml/);
    });
  });
});

// Git for these tests, with nothing from the machine's or the user's configuration; the CLI runs under it too.
const GIT_ENV = { ...process.env, GIT_CONFIG_GLOBAL: os.devNull, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0', MARGINALIA_AUTHOR: 'Test Author' };
const GIT_CONFIG = ['-c', 'user.name=Marginalia Test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false', '-c', 'core.autocrlf=false'];

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', [...GIT_CONFIG, ...args], { cwd: dir, env: GIT_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function gitCli(cwd: string, ...args: string[]): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: GIT_ENV });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const SIDECAR = `.marginalia/annotations/${DOC}.yaml`;

describe('git integration', function () {
  this.timeout(60000);

  /** A repository on `main` holding the sample corpus and one annotation. */
  function repo(): { ws: string; first: string } {
    const ws = tempWorkspace();
    git(ws, 'init', '--quiet', '--initial-branch=main');
    const first = add(ws, DOC, 'Vladimir Putin', 'entity').id;
    git(ws, 'add', '-A');
    git(ws, 'commit', '--quiet', '-m', 'base');
    return { ws, first };
  }

  /** Each branch from main adds one annotation after the existing one: the same gap, which plain git conflicts on. */
  function twoBranches(ws: string): { bob: string; carol: string } {
    git(ws, 'checkout', '--quiet', '-b', 'bob', 'main');
    const bob = add(ws, DOC, 'presidential decree', 'claim').id;
    git(ws, 'commit', '--quiet', '-am', 'bob');
    git(ws, 'checkout', '--quiet', '-b', 'carol', 'main');
    const carol = add(ws, DOC, 'generative AI', 'claim').id;
    git(ws, 'commit', '--quiet', '-am', 'carol');
    git(ws, 'checkout', '--quiet', 'bob');
    return { bob, carol };
  }

  function listedIds(ws: string): string[] {
    const r = gitCli(ws, 'list', '--json');
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout)
      .map((a: { id: string }) => a.id)
      .sort();
  }

  describe('git-setup', () => {
    it('writes .marginalia/.gitattributes and the merge driver into the repository config', () => {
      const { ws } = repo();
      const r = gitCli(ws, 'git-setup');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /wrote \.marginalia\/\.gitattributes/);
      assert.match(r.stdout, /set git config merge\.marginalia\.driver = /);
      assert.equal(
        fs.readFileSync(path.join(ws, '.marginalia', '.gitattributes'), 'utf8'),
        'annotations/**/*.yaml merge=marginalia\nsnapshots/** -text\nreviewed/**/*.yaml merge=marginalia\ndecisions/**/*.yaml merge=marginalia\n',
      );
      assert.equal(git(ws, 'config', '--get', 'merge.marginalia.name').trim(), 'Marginalia annotations');
      const driver = git(ws, 'config', '--get', 'merge.marginalia.driver').trim();
      const quote = (p: string): string => (/^[A-Za-z0-9_/.,:+=@-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`);
      assert.equal(driver, `${quote(process.execPath)} ${quote(BIN)} merge-driver %O %A %B %P`);
      assert.equal(git(ws, 'check-attr', 'merge', '--', SIDECAR).trim(), `${SIDECAR}: merge: marginalia`);
      for (const f of ['.marginalia/reviewed/corpus/a.txt.yaml', '.marginalia/decisions/corpus/a.txt.yaml'])
        assert.equal(git(ws, 'check-attr', 'merge', '--', f).trim(), `${f}: merge: marginalia`, 'the reviewed layer and the decisions merge by id too');
      assert.equal(git(ws, 'check-attr', 'text', '--', '.marginalia/snapshots/ab/x.txt').trim(), '.marginalia/snapshots/ab/x.txt: text: unset');
    });

    it('is idempotent and keeps the lines already in .marginalia/.gitattributes', () => {
      const { ws } = repo();
      const file = path.join(ws, '.marginalia', '.gitattributes');
      fs.writeFileSync(file, '# ours\ncodebook.yaml text eol=lf');
      assert.equal(gitCli(ws, 'git-setup').code, 0);
      const once = fs.readFileSync(file, 'utf8');
      assert.equal(
        once,
        '# ours\ncodebook.yaml text eol=lf\nannotations/**/*.yaml merge=marginalia\nsnapshots/** -text\nreviewed/**/*.yaml merge=marginalia\ndecisions/**/*.yaml merge=marginalia\n',
      );
      const again = gitCli(ws, 'git-setup');
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /already has/);
      assert.equal(fs.readFileSync(file, 'utf8'), once);
      assert.equal(git(ws, 'config', '--get-all', 'merge.marginalia.driver').trim().split('\n').length, 1);
    });

    it('refuses a folder outside any git work tree in one line', () => {
      const ws = tempWorkspace();
      const r = gitCli(ws, 'git-setup');
      assertOneLineError(r, /is not inside a git work tree; run `git init` there first/);
      assert.equal(fs.existsSync(path.join(ws, '.marginalia', '.gitattributes')), false);
    });

    it('makes a merge that plain git conflicts on succeed, with both annotations', () => {
      const { ws, first } = repo();
      assert.equal(gitCli(ws, 'git-setup').code, 0);
      git(ws, 'add', '.marginalia/.gitattributes');
      git(ws, 'commit', '--quiet', '-m', 'merge sidecars by annotation');
      const { bob, carol } = twoBranches(ws);
      const r = spawnSync('git', [...GIT_CONFIG, 'merge', '--no-edit', 'carol'], { cwd: ws, env: GIT_ENV, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stderr, /marginalia: merged \.marginalia\/annotations\/corpus\/000_66ca398fea36cc01\.txt\.yaml: 3 annotations/);
      assert.deepEqual(listedIds(ws), [first, bob, carol].sort());
    });
  });

  describe('merge-driver', () => {
    function versions(): { dir: string; base: string; ours: string; theirs: string; ids: string[] } {
      const { ws, first } = repo();
      const { bob, carol } = twoBranches(ws);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'marginalia-driver-'));
      const [base, ours, theirs] = ['main', 'bob', 'carol'].map((branch) => {
        const file = path.join(dir, `.merge_file_${branch}`);
        fs.writeFileSync(file, git(ws, 'show', `${branch}:${SIDECAR}`));
        return file;
      });
      return { dir, base, ours, theirs, ids: [first, bob, carol].sort() };
    }

    it('merges the three versions into <ours> and exits 0', () => {
      const v = versions();
      const r = gitCli(v.dir, 'merge-driver', v.base, v.ours, v.theirs, SIDECAR);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(
        r.stderr,
        /^marginalia: merged \.marginalia\/annotations\/corpus\/000_66ca398fea36cc01\.txt\.yaml: 3 annotations: 1 from ours, 1 from theirs, 1 the same on both\n$/,
      );
      const merged = parse(fs.readFileSync(v.ours, 'utf8'));
      assert.deepEqual(merged.annotations.map((a: { id: string }) => a.id).sort(), v.ids);
      assert.equal(merged.document, DOC);
    });

    it('merges two new sidecars given the empty base git passes for add/add', () => {
      const v = versions();
      fs.writeFileSync(v.base, '');
      const r = gitCli(v.dir, 'merge-driver', v.base, v.ours, v.theirs, SIDECAR);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(parse(fs.readFileSync(v.ours, 'utf8')).annotations.length, 3);
    });

    it('exits 1 with one line and leaves both sides between conflict markers in <ours> when a version does not parse', () => {
      const v = versions();
      fs.writeFileSync(v.theirs, fs.readFileSync(v.theirs, 'utf8').replace('annotations:', 'annotations: [oops'));
      const [base, ours, theirs] = [v.base, v.ours, v.theirs].map((f) => fs.readFileSync(f, 'utf8'));
      const r = gitCli(v.dir, 'merge-driver', v.base, v.ours, v.theirs, SIDECAR);
      assert.equal(r.code, 1);
      assertOneLineError(
        r,
        /could not merge .*000_66ca398fea36cc01\.txt\.yaml, so git reports a conflict; both sides are in the file between conflict markers .*their version: not valid YAML/,
      );
      // Not our side alone (which git would commit silently): every reader sees the conflict, resolve takes it up.
      assert.equal(fs.readFileSync(v.ours, 'utf8'), wholeFileConflict(base, ours, theirs));
      assert.deepEqual(fs.readdirSync(v.dir).sort(), ['.merge_file_bob', '.merge_file_carol', '.merge_file_main'], 'no temporary file left behind');
    });

    it('exits 1 when a version is missing or belongs to another document', () => {
      const v = versions();
      const before = fs.readFileSync(v.ours);
      assert.equal(gitCli(v.dir, 'merge-driver', v.base, v.ours, path.join(v.dir, 'missing')).code, 1);
      assert.deepEqual(fs.readFileSync(v.ours), before, 'a version that cannot be read leaves <ours> as it is (git keeps all three)');
      const r = gitCli(v.dir, 'merge-driver', v.base, v.ours, v.theirs, `.marginalia/annotations/${DOC2}.yaml`);
      assertOneLineError(r, /both hold the annotations of "corpus\/000_66ca398fea36cc01\.txt", but the file is .*; they cannot be merged/);
      assert.equal(r.code, 1);
    });

    it('refuses a wrong number of arguments as a usage error', () => {
      assertOneLineError(gitCli(tempWorkspace(false), 'merge-driver', 'a', 'b'), /merge-driver takes <base> <ours> <theirs> \[<path>\]/);
    });
  });

  describe('resolve', () => {
    it('resolves a sidecar a plain git merge left with conflict markers, keeping both annotations', () => {
      const { ws, first } = repo();
      const { bob, carol } = twoBranches(ws);
      const merge = spawnSync('git', [...GIT_CONFIG, 'merge', '--no-edit', 'carol'], { cwd: ws, env: GIT_ENV, encoding: 'utf8' });
      assert.notEqual(merge.status, 0, 'plain git conflicts');
      const broken = gitCli(ws, 'list');
      assert.match(broken.stderr, /unresolved git merge conflict/);
      const r = gitCli(ws, 'resolve');
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stdout,
        /^resolved \.marginalia\/annotations\/corpus\/000_66ca398fea36cc01\.txt\.yaml from git's three versions of it: 3 annotations: 1 from ours, 1 from theirs, 1 the same on both\n/,
      );
      assert.match(r.stdout, /then `git add`/);
      assert.deepEqual(listedIds(ws), [first, bob, carol].sort());
      git(ws, 'add', SIDECAR);
      git(ws, 'commit', '--quiet', '--no-edit');
      const again = gitCli(ws, 'resolve');
      assert.equal(again.code, 0);
      assert.equal(again.stdout, 'no sidecar has conflict markers or an unresolved git conflict\n');
    });

    it('resolves from the markers alone outside git, for a named document', () => {
      const { ws, first } = repo();
      const { bob, carol } = twoBranches(ws);
      spawnSync('git', [...GIT_CONFIG, '-c', 'merge.conflictStyle=diff3', 'merge', '--no-edit', 'carol'], { cwd: ws, env: GIT_ENV });
      const copy = tempWorkspace();
      fs.cpSync(path.join(ws, '.marginalia'), path.join(copy, '.marginalia'), { recursive: true });
      const other = add(copy, DOC2, 'Sberbank', 'entity').id;
      const r = gitCli(copy, 'resolve', DOC, DOC2);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /from its conflict markers: 3 annotations/);
      assert.match(r.stdout, /001_7b613edff552618b\.txt\.yaml: no conflict markers and no unresolved git conflict, left as it is/);
      assert.deepEqual(listedIds(copy), [first, bob, carol, other].sort());
      assertOneLineError(gitCli(copy, 'resolve', 'corpus/002_4d4efb0aba07dc3f.txt'), /002_4d4efb0aba07dc3f\.txt\.yaml: no such sidecar/);
    });

    it('reports a sidecar whose markers cannot be resolved, leaves it, and exits 1', () => {
      const ws = tempWorkspace();
      add(ws, DOC, 'Vladimir Putin', 'entity');
      const file = path.join(ws, SIDECAR);
      const text = fs.readFileSync(file, 'utf8').replace('  - id:', '<<<<<<< HEAD\n  - id:');
      fs.writeFileSync(file, text);
      const r = gitCli(ws, 'resolve');
      assert.equal(r.code, 1);
      assert.match(r.stderr, /never ends/);
      assert.equal(fs.readFileSync(file, 'utf8'), text);
    });
  });
});
