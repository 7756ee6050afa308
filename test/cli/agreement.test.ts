// `marginalia agreement`, the real built CLI as a child process, on a copy of the sample corpus that two coders tag:
// ann with --author, bob through MARGINALIA_AUTHOR.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BIN, spanOf, tempWorkspace, type CliResult } from './cliHarness';
import { cohenKappa, unitizedAlpha, unitizedDisagreement } from '../../src/core/research';

const DOC = 'corpus/000_66ca398fea36cc01.txt';
const DOC2 = 'corpus/001_7b613edff552618b.txt';
const DOC3 = 'corpus/002_4d4efb0aba07dc3f.txt';

function run(ws: string, env: Record<string, string>, ...args: string[]): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ws, encoding: 'utf8', env: { ...process.env, MARGINALIA_AUTHOR: 'Test Author', ...env } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Tags the first occurrence of `quote` as `coder`: ann names herself with --author, bob through the environment. */
function tag(ws: string, coder: string, doc: string, quote: string, kind: string, ...extra: string[]): { start: number; end: number } {
  const span = spanOf(ws, doc, quote);
  const args = ['add', doc, '--kind', kind, '--start', String(span.start), '--end', String(span.end), ...extra];
  const r = coder === 'ann' ? run(ws, {}, ...args, '--author', 'ann') : run(ws, { MARGINALIA_AUTHOR: coder }, ...args);
  assert.equal(r.code, 0, r.stderr);
  return span;
}

function agreement(ws: string, ...args: string[]): CliResult {
  return run(ws, {}, 'agreement', ...args);
}

function json(ws: string, ...args: string[]): AgreementJson {
  const r = agreement(ws, '--json', ...args);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as AgreementJson;
}

interface Figures {
  alphaU: number | null;
  kappa: number | null;
}
interface AgreementJson {
  coders: string[];
  overall: Figures;
  kinds: Record<string, Figures & { attributes: Record<string, { alpha: number | null; level: string }> }>;
  documents: Record<string, Figures & { kinds: Record<string, Figures> }>;
  disagreements: Array<{
    doc: string;
    kind: string;
    type: string;
    start: number;
    end: number;
    coders: Record<string, Array<{ id: string; start: number; end: number }>>;
  }>;
  notCompared: string[];
}

const length = (ws: string, doc: string): number => fs.readFileSync(path.join(ws, doc), 'utf8').replace(/^\uFEFF/, '').length;

function assertOneLineError(r: CliResult, pattern: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, pattern);
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line expected, got:\n${r.stderr}`);
}

describe('CLI agreement', function () {
  this.timeout(120000);

  /** ann and bob on DOC: the same entity, a claim with different starts, a figure with different values; bob alone on DOC2. */
  let ws: string;
  let claimAnn: { start: number; end: number };
  let claimBob: { start: number; end: number };
  let entity: { start: number; end: number };
  before(() => {
    ws = tempWorkspace();
    entity = tag(ws, 'ann', DOC, 'Vladimir Putin', 'entity', '--attr', 'type=person');
    tag(ws, 'bob', DOC, 'Vladimir Putin', 'entity', '--attr', 'type=person');
    claimAnn = tag(ws, 'ann', DOC, 'Russian President Vladimir Putin stated', 'claim');
    claimBob = tag(ws, 'bob', DOC, 'President Vladimir Putin stated', 'claim');
    tag(ws, 'bob', DOC2, 'Russian', 'entity', '--attr', 'type=place');
  });

  it('prints the JSON the documentation describes: coders, overall, kinds with attributes, documents, disagreements', () => {
    const r = json(ws);
    assert.deepEqual(Object.keys(r), ['coders', 'overall', 'kinds', 'documents', 'disagreements', 'notCompared']);
    assert.deepEqual(r.coders, ['ann', 'bob']);
    assert.deepEqual(Object.keys(r.kinds), ['claim', 'entity']);
    assert.deepEqual(Object.keys(r.documents), [DOC]);
    assert.deepEqual(r.notCompared, [DOC2]);
    // α_u and kappa of the claims, from the two spans and the document's length in UTF-16 code units.
    const L = length(ws, DOC);
    const parts = unitizedDisagreement(L, [[claimAnn], [claimBob]]);
    const claim = r.kinds.claim;
    assert.ok(Math.abs((claim.alphaU as number) - (unitizedAlpha(parts) as number)) < 1e-12);
    const both = claimAnn.end - claimBob.start;
    const annOnly = claimBob.start - claimAnn.start;
    assert.ok(
      Math.abs(
        (claim.kappa as number) -
          (cohenKappa([
            [both, annOnly],
            [0, L - both - annOnly],
          ]) as number),
      ) < 1e-12,
    );
    assert.deepEqual({ alphaU: r.kinds.entity.alphaU, kappa: r.kinds.entity.kappa }, { alphaU: 1, kappa: 1 });
    // Both called him a person: no variation in the values, so alpha is undefined, not 1.
    assert.deepEqual(r.kinds.entity.attributes.type, { alpha: null, level: 'nominal' });
    assert.deepEqual(r.documents[DOC].kinds.claim, { alphaU: claim.alphaU, kappa: claim.kappa });
    assert.equal(r.disagreements.length, 1);
    const d = r.disagreements[0];
    assert.deepEqual([d.doc, d.kind, d.type, d.start, d.end], [DOC, 'claim', 'boundary', claimAnn.start, claimAnn.end]);
    assert.deepEqual(
      d.coders.ann.map((a) => [a.start, a.end]),
      [[claimAnn.start, claimAnn.end]],
    );
    assert.deepEqual(
      d.coders.bob.map((a) => [a.start, a.end]),
      [[claimBob.start, claimBob.end]],
    );
    assert.ok(entity.start > claimAnn.start);
  });

  it('prints a readable table without --json', () => {
    const r = agreement(ws);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Agreement of ann and bob on 1 document \(.*Cohen’s kappa/);
    assert.match(r.stdout, /\nKind +α_u +kappa\nclaim +0\.\d{3} +0\.\d{3}\nentity +1\.000 +1\.000\nall kinds +0\.\d{3} +0\.\d{3}\n/);
    assert.match(r.stdout, /\nentity\.type +nominal +–\n/);
    assert.match(r.stdout, new RegExp(`\\n${DOC.replace(/\./g, '\\.')} +0\\.\\d{3} +0\\.\\d{3}\\n`));
    assert.match(r.stdout, /Not compared \(not annotated by every coder\): corpus\/001_7b613edff552618b\.txt/);
    assert.match(
      r.stdout,
      /1 passage agreed, 1 disagreement \(1 boundary\):\n {2}corpus\/000_66ca398fea36cc01\.txt \d+-\d+ claim boundary {2}ann: claim \d+-\d+ {2}bob: claim \d+-\d+\n/,
    );
  });

  it('--kind restricts to the kinds given, repeated; DOC arguments restrict the documents', () => {
    const one = json(ws, '--kind', 'entity');
    assert.deepEqual(Object.keys(one.kinds), ['entity']);
    assert.deepEqual(one.overall, { alphaU: 1, kappa: 1 });
    assert.deepEqual(one.disagreements, []);
    const two = json(ws, '--kind', 'entity', '--kind', 'figure');
    assert.deepEqual(Object.keys(two.kinds), ['entity', 'figure']);
    assert.deepEqual({ alphaU: two.kinds.figure.alphaU, kappa: two.kinds.figure.kappa }, { alphaU: null, kappa: null });
    // Only bob tagged DOC2: compared with ann, there is nothing to compare, so every figure is null.
    const named = json(ws, '--coders', 'ann,bob', DOC2);
    assert.deepEqual(named.documents, {});
    assert.deepEqual(named.notCompared, [DOC2]);
    assert.deepEqual(named.overall, { alphaU: null, kappa: null });
    assertOneLineError(agreement(ws, DOC2), /only bob has annotated these documents/);
  });

  it('--coders chooses whom to compare; three coders use Fleiss’ kappa', () => {
    const three = tempWorkspace();
    for (const c of ['ann', 'bob', 'cat']) tag(three, c, DOC3, 'the', 'claim');
    tag(three, 'cat', DOC3, 'and', 'claim');
    const all = agreement(three);
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /Agreement of ann, bob and cat on 1 document .*Fleiss’ kappa/);
    const pair = json(three, '--coders', 'ann,bob');
    assert.deepEqual(pair.coders, ['ann', 'bob']);
    assert.deepEqual(pair.overall, { alphaU: 1, kappa: 1 });
    const withCat = json(three, '--coders', 'cat, ann');
    assert.deepEqual(withCat.coders, ['cat', 'ann']);
    assert.ok((withCat.overall.alphaU as number) < 1);
    assert.equal(withCat.disagreements.length, 1);
    assert.deepEqual(withCat.disagreements[0].coders.ann, []);
  });

  it('refuses an unknown coder, naming the coders there are', () => {
    assertOneLineError(agreement(ws, '--coders', 'ann,zoe'), /no annotation in this workspace is by "zoe"; the coders are ann, bob/);
  });

  it('refuses fewer than two coders, given or found', () => {
    assertOneLineError(agreement(ws, '--coders', 'ann'), /--coders needs at least two coders/);
    const alone = tempWorkspace();
    tag(alone, 'ann', DOC, 'Vladimir Putin', 'entity');
    assertOneLineError(agreement(alone), /agreement compares at least two coders, and only ann has annotated this workspace; .*--author NAME/);
    assertOneLineError(agreement(tempWorkspace()), /agreement compares at least two coders, and no one has annotated/);
  });

  it('refuses an unknown document and an unknown kind', () => {
    assertOneLineError(agreement(ws, 'corpus/nope.txt'), /document corpus\/nope\.txt not found/);
    assertOneLineError(agreement(ws, '--kind', 'rumour'), /unknown kind "rumour" \(kinds: claim, figure, entity\)/);
  });

  it('other commands still take one --kind', () => {
    assertOneLineError(run(ws, {}, 'list', '--kind', 'claim', '--kind', 'entity'), /--kind is given 2 times; list takes one kind/);
    const r = run(ws, {}, 'list', '--kind', 'entity', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as unknown[]).length, 3);
  });
});
