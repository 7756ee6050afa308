// REFI-QDA through the built CLI: export --format qdpx|qdc (valid against the standard's schemas), import of a .qdpx
// into an empty workspace and back out byte for byte, a codebook another tool wrote, and refusals that write nothing.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { SAMPLE, cli } from './cliHarness';
import { fixture, schemaErrors } from '../support/refiSchema';

/** A workspace folder named `name` (its project name in an export) in a fresh temporary folder. */
function workspace(name: string, withCorpus: boolean): string {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'marginalia-refi-')), name);
  fs.mkdirSync(dir);
  if (withCorpus) fs.cpSync(SAMPLE, path.join(dir, 'corpus'), { recursive: true });
  return dir;
}

const DOC = 'corpus/000_66ca398fea36cc01.txt';
const DOC2 = 'corpus/001_7b613edff552618b.txt';

function idOf(out: string): string {
  const id = /\b([0-9A-HJKMNP-TV-Z]{26})\b/.exec(out)?.[1];
  assert.ok(id, out);
  return id;
}

/** A workspace with a claim (with a note), a figure supporting it, and an entity in a second document. */
function annotated(): string {
  const ws = workspace('study', true);
  const claim = idOf(
    cli(ws, 'add', DOC, '--kind', 'claim', '--quote', 'Ukraine war and Western sanctions', '--occurrence', '1', '--note', 'Two obstacles.', '--json').stdout,
  );
  const figure = idOf(cli(ws, 'add', DOC, '--kind', 'figure', '--quote', 'billions of dollars', '--occurrence', '1', '--attr', 'unit=USD', '--json').stdout);
  const entity = cli(ws, 'add', DOC2, '--kind', 'entity', '--quote', 'Sberbank', '--occurrence', '1', '--attr', 'type=organisation');
  assert.equal(entity.code, 0, entity.stderr);
  assert.equal(cli(ws, 'link', figure, 'supports', claim).code, 0);
  return ws;
}

describe('CLI REFI-QDA', function () {
  this.timeout(120000);

  it('export --format qdpx writes a zip whose project.qde is valid against Project.xsd; --format qdc a valid codebook', async () => {
    const ws = annotated();
    const r = cli(ws, 'export', '--format', 'qdpx', '--out', '../out/study.qdpx');
    assert.equal(r.code, 0, r.stderr);
    const files = unzipSync(fs.readFileSync(path.join(ws, '../out/study.qdpx')));
    const qde = Buffer.from(files['project.qde']).toString('utf8');
    assert.deepEqual(await schemaErrors(qde, 'Project.xsd'), []);
    assert.equal(Object.keys(files).filter((f) => f.startsWith('sources/')).length, 2);
    assert.equal((qde.match(/<PlainTextSelection /g) ?? []).length, 3);
    assert.match(qde, /<Link [^>]*name="supports" direction="OneWay"/);
    assert.match(qde, /<PlainTextContent>Two obstacles\.<\/PlainTextContent>/);
    const c = cli(ws, 'export', '--format', 'qdc', '--out', '../out/study.qdc');
    assert.equal(c.code, 0, c.stderr);
    assert.deepEqual(await schemaErrors(fs.readFileSync(path.join(ws, '../out/study.qdc'), 'utf8'), 'Codebook.xsd'), []);
  });

  it('export --format qdpx without --out is refused (a zip is not for the terminal), writing nothing', () => {
    const ws = annotated();
    const r = cli(ws, 'export', '--format', 'qdpx');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /--format qdpx writes a zip file: give it with --out FILE\.qdpx/);
    assert.equal(r.stdout, '');
  });

  it('round trip: import the .qdpx into an empty workspace (--to .), export again: the same bytes', () => {
    const ws = annotated();
    assert.equal(cli(ws, 'export', '--format', 'qdpx', '--out', '../first.qdpx').code, 0);
    const empty = workspace('study', false);
    const r = cli(empty, 'import', path.join(ws, '../first.qdpx'), '--to', '.');
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /imported the REFI-QDA project study \(written by marginalia [^)]+\): 2 new documents, 3 annotations; 3 of 3 selections whose text the project records are exactly that passage/,
    );
    assert.equal(fs.readFileSync(path.join(empty, DOC), 'utf8'), fs.readFileSync(path.join(ws, DOC), 'utf8'));
    assert.equal(cli(empty, 'check').code, 0);
    assert.equal(cli(empty, 'export', '--format', 'qdpx', '--out', '../second.qdpx').code, 0);
    assert.deepEqual(fs.readFileSync(path.join(empty, '../second.qdpx')), fs.readFileSync(path.join(ws, '../first.qdpx')));
  });

  it('import puts the texts in a folder named after the project by default, and a second import of it changes nothing', () => {
    const ws = annotated();
    assert.equal(cli(ws, 'export', '--format', 'qdpx', '--out', '../p.qdpx').code, 0);
    const empty = workspace('other', false);
    const file = path.join(ws, '../p.qdpx');
    assert.equal(cli(empty, 'import', file).code, 0);
    assert.ok(fs.existsSync(path.join(empty, 'study', DOC)));
    const list = JSON.parse(cli(empty, 'list', '--json').stdout) as { doc: string }[];
    assert.equal(list.length, 3);
    assert.ok(list.every((row) => row.doc.startsWith('study/corpus/')));
    const again = cli(empty, 'import', file);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /0 new documents \(2 already here\)/);
    assert.equal((JSON.parse(cli(empty, 'list', '--json').stdout) as unknown[]).length, 3);
  });

  it('import refuses a document already there with another text, and a folder outside the workspace: nothing is written', () => {
    const ws = annotated();
    assert.equal(cli(ws, 'export', '--format', 'qdpx', '--out', '../p.qdpx').code, 0);
    const target = workspace('study', false);
    fs.mkdirSync(path.join(target, 'corpus'));
    fs.writeFileSync(path.join(target, DOC2), 'Someone else’s text.\n');
    const r = cli(target, 'import', path.join(ws, '../p.qdpx'), '--to', '.');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /corpus\/001_7b613edff552618b\.txt already exists with another text .* nothing was overwritten/);
    assert.deepEqual(fs.readdirSync(path.join(target, 'corpus')), ['001_7b613edff552618b.txt']);
    assert.ok(!fs.existsSync(path.join(target, '.marginalia')));
    const out = cli(target, 'import', path.join(ws, '../p.qdpx'), '--to', '../elsewhere');
    assert.notEqual(out.code, 0);
    assert.match(
      out.stderr,
      /--to \.\.\/elsewhere: .*leaves the workspace folder.*; the documents go into a folder inside the workspace, nothing was imported/,
    );
    assert.ok(!fs.existsSync(path.join(target, '../elsewhere')));
  });

  it('imports a codebook ATLAS.ti wrote (.qdc) into the codebook, and names the sources of a project it cannot hold', () => {
    const ws = workspace('codes', false);
    fs.writeFileSync(path.join(ws, 'atlas.qdc'), fixture('atlasti-23.4-codebook.qdc'));
    const r = cli(ws, 'import', 'atlas.qdc');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /codebook: 1 new kind \(code1\)/);
    assert.match(fs.readFileSync(path.join(ws, '.marginalia/codebook.yaml'), 'utf8'), /- name: code1\n {4}colour: "#46aa00"\n {4}description: description/);
    const qde =
      '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="mixed"><Sources>' +
      '<PDFSource guid="66a79789-d535-4fb8-bedd-a915504c54ba" name="Report.pdf" path="internal://66a79789-d535-4fb8-bedd-a915504c54ba.pdf"/>' +
      '<TextSource guid="76a79789-d535-4fb8-bedd-a915504c54ba" name="Notes"><PlainTextContent>Plain text here.</PlainTextContent></TextSource>' +
      '</Sources></Project>';
    fs.writeFileSync(path.join(ws, 'mixed.qdpx'), zipSync({ 'project.qde': strToU8(qde) }));
    const m = cli(ws, 'import', 'mixed.qdpx');
    assert.equal(m.code, 0, m.stderr);
    assert.match(m.stderr, /not imported: Report\.pdf \(PDF\): not a plain-text source/);
    assert.equal(fs.readFileSync(path.join(ws, 'mixed/Notes.txt'), 'utf8'), 'Plain text here.');
  });
});
