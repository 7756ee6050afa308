// `marginalia review` and the reviewed layer, through the real built CLI on a copy of the sample corpus.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { cli, spanOf, tempWorkspace } from './cliHarness';
import { serializeDecisions, type Decision } from '../../src/core/store';

const DOC = 'corpus/000_66ca398fea36cc01.txt';
const DOC2 = 'corpus/001_7b613edff552618b.txt';

function add(ws: string, author: string, doc: string, quote: string, kind: string, ...extra: string[]): { id: string } {
  const { start, end } = spanOf(ws, doc, quote);
  const r = cli(ws, 'add', doc, '--kind', kind, '--start', String(start), '--end', String(end), '--author', author, '--json', ...extra);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

interface ListedPassage {
  id: string;
  doc: string;
  type: string;
  kind: string;
  coders: Record<string, { id: string; quote: string }[]>;
  decision: Decision | null;
}

function listJson(ws: string, ...args: string[]): { coders: string[]; disagreements: ListedPassage[]; summary: Record<string, number> } {
  const r = cli(ws, 'review', 'list', '--json', ...args);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** Two coders on two documents: an agreed claim, a boundary, a kind and an only-one disagreement. */
function twoCoders(): string {
  const ws = tempWorkspace();
  add(ws, 'ana', DOC, 'Russia has invested billions of dollars', 'claim');
  add(ws, 'ben', DOC, 'Russia has invested billions of dollars', 'claim');
  add(ws, 'ana', DOC, 'billions of dollars in the world AI competition', 'figure');
  add(ws, 'ben', DOC, 'billions of dollars in the world AI', 'figure');
  add(ws, 'ana', DOC2, 'Putin', 'entity', '--attr', 'type=person');
  add(ws, 'ben', DOC2, 'Putin', 'claim');
  add(ws, 'ana', DOC, 'Western sanctions', 'claim');
  return ws;
}

describe('CLI review and the reviewed layer', function () {
  this.timeout(120000);

  it('lists the disagreements between two coders with their ids and both versions', () => {
    const ws = twoCoders();
    const listed = listJson(ws);
    assert.deepEqual(listed.coders, ['ana', 'ben']);
    assert.deepEqual(listed.disagreements.map((d) => [d.doc, d.type, d.kind]).sort(), [
      [DOC, 'boundary', 'figure'],
      [DOC, 'only-one', 'claim'],
      [DOC2, 'kind', 'claim/entity'],
    ]);
    const boundary = listed.disagreements.find((d) => d.type === 'boundary') as ListedPassage;
    assert.match(boundary.id, /^[0-9a-f]{12}$/);
    assert.deepEqual(
      [boundary.coders.ana[0].quote, boundary.coders.ben[0].quote],
      ['billions of dollars in the world AI competition', 'billions of dollars in the world AI'],
    );
    assert.deepEqual(listed.summary, { disagreements: 3, decided: 0, open: 3, agreed: 1, agreedAccepted: 0 });
    const text = cli(ws, 'review', 'list');
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^coders: A = ana, B = ben$/m);
    assert.match(text.stdout, new RegExp(`^${boundary.id}  boundary  figure  ${DOC.replace(/\./g, '\\.')}  \\d+-\\d+$`, 'm'));
    assert.match(text.stdout, /^ {4}B ben: \(nothing\)$/m, 'the only-one disagreement shows what B did not tag');
    assert.match(text.stdout, /3 disagreements: 0 decided, 3 open; 1 agreed passage, 0 accepted/);
    assert.equal(listJson(ws, DOC2).disagreements.length, 1, 'a document argument narrows the list');
  });

  it('decide records the reviewer and time, fills the reviewed layer (agreed passages with it), and never changes the coders’ sidecars', () => {
    const ws = twoCoders();
    const sidecar = path.join(ws, '.marginalia', 'annotations', `${DOC}.yaml`);
    const before = fs.readFileSync(sidecar, 'utf8');
    const listedBefore = cli(ws, 'list', '--json').stdout;
    const boundary = listJson(ws).disagreements.find((d) => d.type === 'boundary') as ListedPassage;
    const r = cli(ws, 'review', 'decide', boundary.id.slice(0, 6), 'B', '--author', 'Rita Reviewer');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^${boundary.id} \\(boundary, figure, .*\\): accepted ben's version \\(Rita Reviewer, 20\\d\\d-`, 'm'));
    assert.match(r.stdout, /and 1 passage the coders agree on in .* accepted as they are/);
    const decisions = parse(fs.readFileSync(path.join(ws, '.marginalia', 'decisions', `${DOC}.yaml`), 'utf8')) as { decisions: Decision[] };
    const d = decisions.decisions.find((x) => x.id === boundary.id) as Decision;
    assert.equal(d.decision, 'accept');
    assert.equal(d.accepted, 'ben');
    assert.equal(d.reviewer, 'Rita Reviewer');
    assert.ok(Math.abs(Date.parse(d.decided) - Date.now()) < 60_000, 'decided now');
    assert.deepEqual(d.results, [boundary.coders.ben[0].id]);
    assert.equal(fs.readFileSync(sidecar, 'utf8'), before, 'the coders’ sidecar is untouched');
    assert.equal(cli(ws, 'list', '--json').stdout, listedBefore, 'and so is what they list');
    const reviewed = JSON.parse(cli(ws, 'list', '--layer', 'reviewed', '--json').stdout) as { id: string; kind: string; quote: string }[];
    assert.deepEqual(reviewed.map((a) => [a.kind, a.quote]).sort(), [
      ['claim', 'Russia has invested billions of dollars'],
      ['figure', 'billions of dollars in the world AI'],
    ]);
    const after = listJson(ws);
    assert.equal(after.disagreements.length, 2, 'the decided one is left out of the list');
    assert.equal(listJson(ws, '--all').disagreements.find((x) => x.id === boundary.id)?.decision?.reviewer, 'Rita Reviewer');
    assert.equal(after.summary.agreedAccepted, 1);
  });

  it('exports the reviewed set with --layer reviewed, and every export names each annotation’s coder', () => {
    const ws = twoCoders();
    const listed = listJson(ws);
    const kind = listed.disagreements.find((d) => d.type === 'kind') as ListedPassage;
    const only = listed.disagreements.find((d) => d.type === 'only-one') as ListedPassage;
    assert.equal(cli(ws, 'review', 'decide', kind.id, 'merged', '--kind', 'entity', '--author', 'rita').code, 0);
    assert.equal(cli(ws, 'review', 'decide', only.id, 'neither', '--author', 'rita').code, 0);
    assert.equal(cli(ws, 'review', 'accept-agreed', '--author', 'rita').code, 0);
    const yaml = cli(ws, 'export', '--layer', 'reviewed');
    assert.equal(yaml.code, 0, yaml.stderr);
    const exported = parse(yaml.stdout) as { documents: { path: string; annotations: { kind: string; exact?: string; provenance: { author: string } }[] }[] };
    const rows = exported.documents.flatMap((doc) => doc.annotations.map((a) => [doc.path, a.kind, a.provenance.author]));
    assert.deepEqual(rows.sort(), [
      [DOC, 'claim', 'ana'],
      [DOC2, 'entity', 'rita'],
    ]);
    const coders = cli(ws, 'export', '--format', 'csv');
    const authors = coders.stdout
      .trim()
      .split('\r\n')
      .slice(1)
      .map((l) => (l.match(/,(ana|ben),/) ?? [])[1]);
    assert.deepEqual(
      authors.sort(),
      ['ana', 'ana', 'ana', 'ana', 'ben', 'ben', 'ben'],
      'the coders’ layer is the default, with every coder in the author column',
    );
    const w3c = JSON.parse(cli(ws, 'export', '--format', 'w3c', '--layer', 'reviewed').stdout) as { first: { items: { creator: { name: string } }[] } };
    assert.deepEqual(w3c.first.items.map((i) => i.creator.name).sort(), ['ana', 'rita']);
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'marginalia-brat-')), 'brat');
    assert.equal(cli(ws, 'export', '--format', 'brat', '--out', out).code, 0);
    assert.match(fs.readFileSync(path.join(out, 'corpus', '001_7b613edff552618b.ann'), 'utf8'), /^#\d+\tAuthor T\d\tben$/m);
  });

  it('re-anchors the reviewed layer with check --write --layer reviewed after the document changed', () => {
    const ws = twoCoders();
    assert.equal(cli(ws, 'review', 'accept-agreed', '--author', 'rita').code, 0);
    const file = path.join(ws, DOC);
    fs.writeFileSync(file, 'A new first line.\n' + fs.readFileSync(file, 'utf8'));
    const r = cli(ws, 'check', '--write', '--layer', 'reviewed');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const [reviewed] = JSON.parse(cli(ws, 'list', '--layer', 'reviewed', '--json').stdout) as { start: number; quote: string }[];
    assert.equal(reviewed.start, spanOf(ws, DOC, 'Russia has invested billions of dollars').start);
  });

  it('refuses, in one line and writing nothing, what it cannot do', () => {
    const ws = twoCoders();
    const boundary = listJson(ws).disagreements.find((d) => d.type === 'boundary') as ListedPassage;
    const cases: [string[], RegExp][] = [
      [['review', 'decide', 'abcdef', 'A'], /no disagreement has the id abcdef/],
      [['review', 'decide', boundary.id, 'C'], /no coder "C" in this review \(coders: A = ana, B = ben\)/],
      [['review', 'decide', boundary.id, 'A', '--kind', 'claim'], /--kind goes with merged only/],
      [['review', 'decide', boundary.id], /takes a disagreement id and one decision/],
      [['review', 'frobnicate'], /review takes list, decide or accept-agreed/],
      [['review', 'list', '--coders', 'ana,cy'], /cy annotated nothing here/],
      [['export', '--layer', 'gold'], /--layer takes coders or reviewed, not "gold"/],
      [['review', 'list', '--layer', 'reviewed'], /review does not take --layer/],
    ];
    for (const [args, re] of cases) {
      const r = cli(ws, ...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
    assert.ok(!fs.existsSync(path.join(ws, '.marginalia', 'decisions')), 'no decision written');
    assert.ok(!fs.existsSync(path.join(ws, '.marginalia', 'reviewed')), 'no reviewed layer written');
    const one = tempWorkspace();
    add(one, 'ana', DOC, 'Western sanctions', 'claim');
    const r = cli(one, 'review', 'list');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /a review needs annotations by at least two coders; only ana has annotated/);
  });

  it('merge-driver merges two reviewers’ decision files by decision, and git-setup routes reviewed and decision files to it', () => {
    const ws = tempWorkspace();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'marginalia-decisions-'));
    const decision = (id: string, start: number, reviewer: string): Decision => ({
      id,
      decision: 'neither',
      type: 'only-one',
      kind: 'claim',
      start,
      end: start + 5,
      sources: ['01JD0000000000000000000001'],
      results: [],
      reviewer,
      decided: '2026-12-01T09:00:00.000Z',
    });
    const doc = 'corpus/a.txt';
    const write = (name: string, ds: Decision[]): string => {
      const f = path.join(dir, name);
      fs.writeFileSync(f, serializeDecisions(doc, ds));
      return f;
    };
    const base = write('base', []);
    const ours = write('ours', [decision('aaaaaaaaaaaa', 0, 'rita')]);
    const theirs = write('theirs', [decision('bbbbbbbbbbbb', 10, 'sam')]);
    const r = cli(ws, 'merge-driver', base, ours, theirs, `.marginalia/decisions/${doc}.yaml`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /merged .*: 2 review decisions/);
    assert.equal(fs.readFileSync(ours, 'utf8'), serializeDecisions(doc, [decision('aaaaaaaaaaaa', 0, 'rita'), decision('bbbbbbbbbbbb', 10, 'sam')]));
  });
});
