// The CLI a pipeline can trust: passages found by quote, offsets in the unit other tools count in, remove and edit
// through the store's locked path, list never showing stale offsets as current. Each runs the real built binary.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { cli, tempWorkspace } from './cliHarness';

const DOC = 'corpus/000_66ca398fea36cc01.txt';
/** A document with characters of 2, 3 and 4 UTF-8 bytes (and a surrogate pair in UTF-16) before the passages, and a
 *  byte order mark, so the three offset units all differ. */
const MIXED = 'corpus/mixed.txt';
const MIXED_TEXT = 'Café 北京 🙂 naïve: the passage here. Another passage here.\n';

interface Added {
  id: string;
  kind: string;
  note: string;
  attributes: Record<string, unknown>;
  target: { start: number; end: number; quote: { exact: string } };
  provenance: { created: string; modified: string };
}

interface Listed {
  id: string;
  start: number;
  end: number;
  quote: string;
  status: string;
  reanchoredInMemory: boolean;
  stored?: { start: number; end: number; status: string };
}

function ok(r: { code: number; stdout: string; stderr: string }): string {
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

function userError(r: { code: number; stderr: string }, pattern: RegExp): void {
  assert.equal(r.code, 2, `exit 2 for a user error; stderr:\n${r.stderr}`);
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /unexpected error|\n\s+at /);
}

/** A sidecar's record of an annotation (its fields are flat: start, end, exact…). */
interface Stored {
  id: string;
  note: string;
  attributes: Record<string, unknown>;
  start: number;
  end: number;
}

function sidecar(ws: string, doc = DOC): { annotations: Stored[] } | undefined {
  const file = path.join(ws, '.marginalia', 'annotations', doc + '.yaml');
  return fs.existsSync(file) ? (parse(fs.readFileSync(file, 'utf8')) as { annotations: Stored[] }) : undefined;
}

function mixedWorkspace(): string {
  const ws = tempWorkspace();
  fs.writeFileSync(path.join(ws, MIXED), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(MIXED_TEXT, 'utf8')]));
  return ws;
}

describe('CLI a pipeline can trust', function () {
  this.timeout(60_000);

  describe('add --quote', () => {
    it('add --quote tags the one occurrence of the exact text', () => {
      const ws = tempWorkspace();
      const a = JSON.parse(ok(cli(ws, 'add', DOC, '--kind', 'claim', '--quote', 'Russian President Vladimir Putin', '--json'))) as Added;
      const text = fs.readFileSync(path.join(ws, DOC), 'utf8');
      assert.equal(a.target.start, text.indexOf('Russian President Vladimir Putin'));
      assert.equal(a.target.quote.exact, 'Russian President Vladimir Putin');
    });

    it('add --quote of an ambiguous quote lists the occurrences and writes nothing; --occurrence N and --near OFFSET choose', () => {
      const ws = tempWorkspace();
      const text = fs.readFileSync(path.join(ws, DOC), 'utf8');
      const starts: number[] = [];
      for (let i = text.indexOf('Putin'); i !== -1; i = text.indexOf('Putin', i + 1)) starts.push(i);
      const r = cli(ws, 'add', DOC, '--kind', 'claim', '--quote', 'Putin');
      userError(r, new RegExp(`the quote "Putin" occurs ${starts.length} times in ${DOC} \\(1: offset ${starts[0]} \\(line \\d+\\); 2: offset ${starts[1]} `));
      assert.match(r.stderr, /--occurrence N or --near OFFSET/);
      assert.equal(sidecar(ws), undefined, 'nothing written');
      const second = JSON.parse(ok(cli(ws, 'add', DOC, '--kind', 'claim', '--quote', 'Putin', '--occurrence', '2', '--json'))) as Added;
      assert.equal(second.target.start, starts[1]);
      const near = JSON.parse(ok(cli(ws, 'add', DOC, '--kind', 'claim', '--quote', 'Putin', '--near', String(starts[3] + 2), '--json'))) as Added;
      assert.equal(near.target.start, starts[3]);
      userError(
        cli(ws, 'add', DOC, '--kind', 'claim', '--quote', 'Putin', '--occurrence', String(starts.length + 1)),
        new RegExp(`occurrence ${starts.length + 1} does not exist: the quote occurs ${starts.length} times`),
      );
    });

    it('add --quote of text that is not in the document is refused, naming the document', () => {
      const ws = tempWorkspace();
      userError(
        cli(ws, 'add', DOC, '--kind', 'claim', '--quote', 'no such passage anywhere'),
        new RegExp(`the quote "no such passage anywhere" is not in ${DOC}`),
      );
      assert.equal(sidecar(ws), undefined);
    });

    it('add refuses --quote with --start, --occurrence without --quote, and --occurrence with --near', () => {
      const ws = tempWorkspace();
      userError(cli(ws, 'add', DOC, '--kind', 'claim', '--quote', 'Putin', '--start', '1', '--end', '5'), /either --quote or --start and --end/);
      userError(
        cli(ws, 'add', DOC, '--kind', 'claim', '--occurrence', '1', '--start', '1', '--end', '5'),
        /--occurrence chooses among the occurrences of --quote/,
      );
      userError(cli(ws, 'add', DOC, '--kind', 'claim', '--quote', 'Putin', '--occurrence', '1', '--near', '5'), /--occurrence or --near, not both/);
    });
  });

  describe('add --offset-unit', () => {
    it('add --offset-unit byte takes byte offsets of the UTF-8 file (as grep -bo gives, byte order mark included)', () => {
      const ws = mixedWorkspace();
      const bytes = fs.readFileSync(path.join(ws, MIXED));
      const b = bytes.indexOf(Buffer.from('the passage', 'utf8')); // what grep -bo prints
      const a = JSON.parse(
        ok(cli(ws, 'add', MIXED, '--kind', 'claim', '--offset-unit', 'byte', '--start', String(b), '--end', String(b + 'the passage'.length), '--json')),
      ) as Added;
      assert.equal(a.target.quote.exact, 'the passage');
      assert.equal(a.target.start, MIXED_TEXT.indexOf('the passage'), 'stored in UTF-16 code units');
    });

    it('add --offset-unit codepoint takes code point offsets (as Python counts)', () => {
      const ws = mixedWorkspace();
      const cp = [...MIXED_TEXT.slice(0, MIXED_TEXT.indexOf('Another'))].length;
      const a = JSON.parse(
        ok(cli(ws, 'add', MIXED, '--kind', 'claim', '--offset-unit', 'codepoint', '--start', String(cp), '--end', String(cp + 7), '--json')),
      ) as Added;
      assert.equal(a.target.quote.exact, 'Another');
    });

    it('add --offset-unit byte refuses an offset inside a multi-byte character, and one in the byte order mark', () => {
      const ws = mixedWorkspace();
      const bytes = fs.readFileSync(path.join(ws, MIXED));
      const beijing = bytes.indexOf(Buffer.from('北', 'utf8'));
      userError(
        cli(ws, 'add', MIXED, '--kind', 'claim', '--offset-unit', 'byte', '--start', String(beijing + 1), '--end', String(beijing + 6)),
        /byte offset \d+ falls inside the character "北"/,
      );
      userError(cli(ws, 'add', MIXED, '--kind', 'claim', '--offset-unit', 'byte', '--start', '1', '--end', '6'), /falls inside the byte order mark/);
      userError(
        cli(ws, 'add', MIXED, '--kind', 'claim', '--offset-unit', 'bits', '--start', '1', '--end', '6'),
        /--offset-unit must be one of utf16, codepoint, byte/,
      );
      assert.equal(sidecar(ws, MIXED), undefined);
    });

    it('add with UTF-16 offsets (the default) still refuses a span splitting a surrogate pair', () => {
      const ws = mixedWorkspace();
      const emoji = MIXED_TEXT.indexOf('🙂');
      userError(cli(ws, 'add', MIXED, '--kind', 'claim', '--start', String(emoji + 1), '--end', String(emoji + 4)), /falls inside a character/);
    });
  });

  describe('remove and edit', () => {
    it('remove deletes annotations by id (the sidecar goes with the last one); an unknown id changes nothing', () => {
      const ws = tempWorkspace();
      const a = JSON.parse(ok(cli(ws, 'add', DOC, '--kind', 'claim', '--quote', 'Vladimir Putin', '--occurrence', '1', '--json'))) as Added;
      const b = JSON.parse(ok(cli(ws, 'add', DOC, '--kind', 'claim', '--quote', 'Global Times', '--occurrence', '1', '--json'))) as Added;
      userError(cli(ws, 'remove', a.id, '01ZZZZZZZZZZZZZZZZZZZZZZZZ'), /no annotation has the id 01ZZZZZZZZZZZZZZZZZZZZZZZZ .*nothing was changed/);
      assert.equal(sidecar(ws)?.annotations.length, 2, 'all or none');
      assert.match(ok(cli(ws, 'remove', a.id)), new RegExp(`^removed ${a.id} claim ${DOC} `));
      assert.deepEqual(
        sidecar(ws)?.annotations.map((x) => x.id),
        [b.id],
      );
      ok(cli(ws, 'remove', b.id));
      assert.equal(sidecar(ws), undefined, 'the empty sidecar is deleted');
      userError(cli(ws, 'remove'), /remove takes the id of at least one annotation/);
    });

    it('edit changes note, attributes and kind, checks attributes for the kind, and updates modified', async () => {
      const ws = tempWorkspace();
      const a = JSON.parse(
        ok(cli(ws, 'add', DOC, '--kind', 'claim', '--quote', 'Vladimir Putin', '--occurrence', '1', '--attr', 'speaker=Kremlin', '--json')),
      ) as Added;
      await new Promise((r) => setTimeout(r, 5)); // a later millisecond for `modified`
      const e = JSON.parse(ok(cli(ws, 'edit', a.id, '--note', 'checked against the transcript', '--json'))) as Added;
      assert.equal(e.note, 'checked against the transcript');
      assert.deepEqual(e.attributes, { speaker: 'Kremlin' }, 'attributes not given are kept');
      assert.equal(e.provenance.created, a.provenance.created);
      assert.ok(e.provenance.modified > a.provenance.modified, 'modified is updated');
      userError(cli(ws, 'edit', a.id, '--attr', 'value=12'), /unknown attribute "value" for kind claim/);
      const f = JSON.parse(ok(cli(ws, 'edit', a.id, '--kind', 'figure', '--attr', 'value=1,200', '--attr', 'unit=people', '--json'))) as Added;
      assert.equal(f.kind, 'figure');
      assert.deepEqual(f.attributes, { value: 1200, unit: 'people' }, 'coerced for the new kind; the claim attribute the figure does not declare is dropped');
      const g = JSON.parse(ok(cli(ws, 'edit', a.id, '--attr', 'unit=', '--json'))) as Added;
      assert.deepEqual(g.attributes, { value: 1200 }, 'key= removes an attribute');
      assert.deepEqual(sidecar(ws)?.annotations[0].attributes, { value: 1200 }, 'saved');
      userError(cli(ws, 'edit', '01ZZZZZZZZZZZZZZZZZZZZZZZZ', '--note', 'x'), /no annotation has the id 01ZZZZZZZZZZZZZZZZZZZZZZZZ/);
      userError(cli(ws, 'edit', a.id), /say what to change/);
      userError(cli(ws, 'edit', a.id, '--kind', 'nonsense'), /unknown kind "nonsense"/);
    });

    it('edit keeps what another writer saved meanwhile (applied to the version on disk, under the lock)', () => {
      const ws = tempWorkspace();
      const a = JSON.parse(ok(cli(ws, 'add', DOC, '--kind', 'claim', '--quote', 'Vladimir Putin', '--occurrence', '1', '--json'))) as Added;
      const b = JSON.parse(ok(cli(ws, 'add', DOC, '--kind', 'claim', '--quote', 'Global Times', '--occurrence', '1', '--json'))) as Added;
      ok(cli(ws, 'edit', a.id, '--note', 'first'));
      ok(cli(ws, 'edit', b.id, '--note', 'second'));
      ok(cli(ws, 'edit', a.id, '--attr', 'speaker=TASS'));
      const stored = new Map((sidecar(ws)?.annotations ?? []).map((x) => [x.id, [x.note, x.attributes]]));
      assert.deepEqual(
        stored,
        new Map([
          [a.id, ['first', { speaker: 'TASS' }]],
          [b.id, ['second', {}]],
        ]),
      );
    });
  });

  describe('list after the document changed outside the tool', () => {
    it('list re-anchors a changed document in memory and marks it (text and JSON); after check --write it is current', () => {
      const ws = tempWorkspace();
      const a = JSON.parse(ok(cli(ws, 'add', DOC, '--kind', 'claim', '--quote', 'Vladimir Putin', '--occurrence', '1', '--json'))) as Added;
      const file = path.join(ws, DOC);
      fs.writeFileSync(file, 'A new first line pushes everything down.\n' + fs.readFileSync(file, 'utf8'));
      const now = fs.readFileSync(file, 'utf8').indexOf('Vladimir Putin');
      const text = cli(ws, 'list');
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, new RegExp(`^${a.id}  claim +${DOC}  ${now}-${now + 14}  reanchored\\* +"Vladimir Putin"$`, 'm'));
      assert.doesNotMatch(text.stdout, new RegExp(`${a.target.start}-${a.target.end}`), 'the stale offsets are not shown as current');
      assert.match(
        text.stderr,
        /1 annotation of 1 document changed since it was anchored: shown where it is now \(re-anchored in memory, not saved\); run `marginalia check --write`/,
      );
      const json = JSON.parse(ok(cli(ws, 'list', '--json'))) as Listed[];
      assert.deepEqual(
        { start: json[0].start, end: json[0].end, status: json[0].status, reanchoredInMemory: json[0].reanchoredInMemory, stored: json[0].stored },
        { start: now, end: now + 14, status: 'reanchored', reanchoredInMemory: true, stored: { start: a.target.start, end: a.target.end, status: 'anchored' } },
      );
      assert.equal(sidecar(ws)?.annotations[0].start, a.target.start, 'list writes nothing');
      ok(cli(ws, 'check', '--write'));
      const after = JSON.parse(ok(cli(ws, 'list', '--json'))) as Listed[];
      assert.equal(after[0].reanchoredInMemory, false);
      assert.equal(after[0].start, now);
      assert.equal(after[0].stored, undefined);
      assert.doesNotMatch(cli(ws, 'list').stdout, /\*/);
    });

    it('list marks the annotations of a document that can no longer be read (now binary) as unverified, with a warning', () => {
      const ws = tempWorkspace();
      ok(cli(ws, 'add', DOC, '--kind', 'claim', '--quote', 'Vladimir Putin', '--occurrence', '1'));
      fs.writeFileSync(path.join(ws, DOC), Buffer.concat([Buffer.from([0]), fs.readFileSync(path.join(ws, DOC))]));
      const r = cli(ws, 'list', '--json');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, new RegExp(`^marginalia: warning: ${DOC}.*; its annotations cannot be checked against it and are listed as unverified`));
      const json = JSON.parse(r.stdout) as Listed[];
      assert.deepEqual([json[0].status, json[0].reanchoredInMemory], ['unverified', false]);
    });

    it('list shows the annotations of a deleted document as orphaned (in memory), not as anchored', () => {
      const ws = tempWorkspace();
      ok(cli(ws, 'add', DOC, '--kind', 'claim', '--quote', 'Vladimir Putin', '--occurrence', '1'));
      fs.rmSync(path.join(ws, DOC));
      const json = JSON.parse(ok(cli(ws, 'list', '--json'))) as Listed[];
      assert.equal(json[0].status, 'orphaned');
      assert.equal(json[0].reanchoredInMemory, true);
      assert.equal(json[0].stored?.status, 'anchored');
    });
  });
});
