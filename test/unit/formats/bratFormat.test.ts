import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BRAT_CONF_FILE, bratAnnotationConf, bratPaths, exportBrat, parseBrat, type BratNewlines } from '../../../src/core/formats';
import { defaultCodebook } from '../../../src/core/store';
import type { Annotation } from '../../../src/core/model';
import { contentHash } from '../../../src/core/model';
import { ExportFormatError, type ExportInputDocument } from '../../../src/core/formats';
import { GENERATED, P000, P001, PCRLF, PEMOJI, PGONE, annotate, buildCorpus, sampleCodebook } from '../../fixtures/formats/sampleCorpus';

const NOW = new Date('2026-12-01T08:00:00.000Z');

/** What brat keeps of an annotation: kind, passage, note, attributes. */
function essence(a: Annotation): unknown {
  return { kind: a.kind, start: a.target.start, end: a.target.end, quote: a.target.quote, note: a.note, attributes: a.attributes };
}

function counter(): () => string {
  let n = 0;
  return () => '01JE' + String(++n).padStart(22, '0');
}

/** The annotations brat can carry: those at their offsets in a document that exists. */
function placeable(docs: readonly ExportInputDocument[]): ExportInputDocument[] {
  return docs
    .filter((d) => d.text !== undefined)
    .map((d) => ({ ...d, annotations: d.annotations.filter((a) => (d.text as string).slice(a.target.start, a.target.end) === a.target.quote.exact) }));
}

/**
 * Checks every T line of the .ann files with Python, reading each .txt as brat does: universal newlines (Python's
 * default open(), what brat 1.3's open_textfile does) or every character as written (newline=''). Offsets index a
 * Python str, i.e. code points. Also checks that no .ann line holds a character str.splitlines() breaks at.
 */
function checkWithPython(files: Map<string, string>, newlines: BratNewlines): { checked: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'marginalia-brat-'));
  try {
    const anns: string[] = [];
    for (const [name, content] of files) {
      const p = path.join(dir, name);
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, content, 'utf8');
      if (name.endsWith('.ann')) anns.push(p);
    }
    const script = [
      'import json, sys',
      'newline = None if sys.argv[1] == "universal" else ""',
      'checked = 0',
      'for ann in sys.argv[2:]:',
      '    txt = ann[:-4] + ".txt"',
      '    with open(txt, encoding="utf-8", newline=newline) as f: text = f.read()',
      '    with open(ann, encoding="utf-8", newline="") as f: raw = f.read()',
      '    lines = raw.split("\\n")[:-1]',
      '    assert len(raw.splitlines()) == len(lines), ann + ": a line holds a line separator"',
      '    for line in lines:',
      '        if not line.startswith("T"): continue',
      '        tid, data, shown = line.split("\\t", 2)',
      '        kind, spans = data.split(" ", 1)',
      '        frags = [tuple(map(int, s.split(" "))) for s in spans.split(";")]',
      '        got = " ".join(text[s:e] for s, e in frags)',
      '        assert got == shown, "%s %s: %r != %r" % (ann, tid, got, shown)',
      '        checked += 1',
      'print(json.dumps({"checked": checked}))',
    ].join('\n');
    const r = spawnSync('python3', ['-c', script, newlines, ...anns], { encoding: 'utf8' });
    assert.equal(r.status, 0, `python3 disagrees with the brat offsets (python3 is needed for this cross-check):\n${r.stderr}`);
    return JSON.parse(r.stdout) as { checked: number };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('brat export', () => {
  it('writes the documented lines: code point offsets, fragments at line breaks, notes, attributes, comments', () => {
    const text = '😀 Putin said:\r\n“Russia will invest 11.2 trillion roubles”.\r\n';
    const claim = annotate('news/a.txt', text, 'Putin said:\r\n“Russia', 'claim', {
      id: '01JD0000000000000000000001',
      note: 'Line 1\nC:\\path',
      attributes: { speaker: 'Putin', mood: 'calm', weight: 2 },
    });
    const figure = annotate('news/a.txt', text, '11.2 trillion roubles', 'figure', {
      id: '01JD0000000000000000000002',
      attributes: { value: 11.2, unit: 'trillion roubles' },
    });
    const person = annotate('news/a.txt', text, 'Putin', 'entity', {
      id: '01JD0000000000000000000003',
      attributes: { type: 'person', canonical: 'Vladimir Putin' },
    });
    const files = exportBrat({ documents: [{ path: 'news/a.txt', text, annotations: [figure, claim, person] }] });
    assert.deepEqual([...files.keys()], [BRAT_CONF_FILE, 'news/a.ann', 'news/a.txt']);
    assert.equal(files.get('news/a.txt'), text, 'the text is copied as it is, CRLF included');
    assert.equal(
      files.get('news/a.ann'),
      [
        // 😀 is one code point: "Putin" starts at 2, not 3. The CRLF is one character (universal newlines).
        'T1\tclaim 2 13;14 21\tPutin said: “Russia',
        '#1\tAnnotatorNotes T1\tLine 1\\nC:\\\\path',
        '#2\tAuthor T1\tAnn Analyst',
        '#3\tmood T1\tcalm',
        '#4\tspeaker T1\tPutin',
        '#5\tweight:number T1\t2',
        'T2\tentity 2 7\tPutin',
        'A1\ttype T2 person',
        '#6\tAuthor T2\tAnn Analyst',
        '#7\tcanonical T2\tVladimir Putin',
        'T3\tfigure 34 55\t11.2 trillion roubles',
        '#8\tAuthor T3\tAnn Analyst',
        '#9\tunit T3\ttrillion roubles',
        '#10\tvalue T3\t11.2',
        '',
      ].join('\n'),
    );
    const raw = exportBrat({ documents: [{ path: 'news/a.txt', text, annotations: [claim] }], newlines: 'as-written' });
    assert.match(raw.get('news/a.ann') as string, /^T1\tclaim 2 13;15 22\t/, 'as written, the CRLF is two characters');
  });

  it('agrees with Python reading the .txt as brat does, in both newline conventions (code points, CRLF)', () => {
    const docs = buildCorpus();
    for (const newlines of ['universal', 'as-written'] as BratNewlines[]) {
      const files = exportBrat({ documents: docs, codebook: sampleCodebook(), newlines });
      const { checked } = checkWithPython(files, newlines);
      assert.equal(
        checked,
        placeable(docs).reduce((n, d) => n + d.annotations.length, 0),
      );
    }
  });

  it('counts a CRLF as one character by default and as two when asked: the same passage, different offsets', () => {
    const docs = buildCorpus();
    const lf = exportBrat({ documents: docs }).get(bratPaths(P000).ann) as string;
    const crlfUniversal = exportBrat({ documents: docs }).get(bratPaths(PCRLF).ann) as string;
    const crlfRaw = exportBrat({ documents: docs, newlines: 'as-written' }).get(bratPaths(PCRLF).ann) as string;
    const lin = (s: string): string => (/\tentity (\d+ \d+)\tLin Zhijia/.exec(s) as RegExpExecArray)[1];
    assert.equal(lin(crlfUniversal), lin(lf), 'universal newlines: the CRLF copy has the LF offsets');
    assert.equal(lin(crlfRaw), '33 43', 'as written: one CR (of the first line’s CRLF) before it');
  });

  it('writes annotation.conf from the codebook: kinds as entity types, enum and boolean fields as attributes, any overlap', () => {
    const conf = bratAnnotationConf(sampleCodebook(), ['extra-kind']);
    const section = (name: string): string[] => {
      const lines = conf.split('\n');
      const from = lines.indexOf(`[${name}]`);
      const to = lines.findIndex((l, i) => i > from && l.startsWith('['));
      return lines.slice(from + 1, to === -1 ? undefined : to).filter((l) => l !== '' && !l.startsWith('#'));
    };
    assert.deepEqual(section('entities'), ['claim', 'figure', 'entity', 'source-quote', 'extra-kind']);
    assert.deepEqual(section('relations'), [
      '<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>',
      'supports\tArg1:figure|entity|claim, Arg2:claim',
      'contradicts\tArg1:figure|entity|claim, Arg2:claim',
      'same-as\tArg1:claim|figure|entity, Arg2:claim|figure|entity, <REL-TYPE>:symmetric',
      'quotes\tArg1:claim, Arg2:claim',
    ]);
    assert.deepEqual(section('attributes'), [
      'approx\tArg:figure',
      'stance\tArg:source-quote, Value:support|oppose|neutral',
      'type\tArg:entity, Value:person|organisation|place|other',
      'verified\tArg:source-quote',
    ]);
    assert.deepEqual(section('events'), []);
    const files = exportBrat({ documents: buildCorpus() });
    assert.equal(files.get(BRAT_CONF_FILE), bratAnnotationConf(defaultCodebook(), ['source-quote']));
  });

  it('names files as brat pairs them, and refuses two documents that would share a file', () => {
    assert.deepEqual(bratPaths('a/b.txt'), { txt: 'a/b.txt', ann: 'a/b.ann' });
    assert.deepEqual(bratPaths('a/b.md'), { txt: 'a/b.md.txt', ann: 'a/b.md.ann' });
    assert.throws(
      () =>
        exportBrat({
          documents: [
            { path: 'x.md.txt', text: '', annotations: [] },
            { path: 'x.md', text: '', annotations: [] },
          ],
        }),
      /would both write x\.md\.txt/,
    );
    const noText = exportBrat({ documents: [{ path: 'a.txt', text: 'x', annotations: [] }], includeText: false });
    assert.deepEqual([...noText.keys()].sort(), ['a.ann', BRAT_CONF_FILE]);
    assert.equal(noText.get('a.ann'), '', 'a document without annotations still gets its .ann (brat needs one)');
  });

  it('leaves out, and reports, what brat cannot place: a missing document, an orphan', () => {
    const warnings: string[] = [];
    const files = exportBrat({ documents: buildCorpus(), warn: (w) => warnings.push(w) });
    assert.equal(warnings.length, 2);
    assert.match(warnings.join('\n'), new RegExp(`${PGONE} is missing`));
    assert.match(warnings.join('\n'), /orphaned\) is not at its offsets/);
    assert.ok(!files.has(bratPaths(PGONE).ann));
    assert.ok(!(files.get(bratPaths(P001).ann) as string).includes('An older version'));
  });

  it('keeps .ann lines whole: notes and values with line breaks and separators are escaped', () => {
    const files = exportBrat({ documents: buildCorpus() });
    for (const [name, content] of files) {
      if (!name.endsWith('.ann')) continue;
      assert.equal(content.search(/[\r\v\f\x1c-\x1e\x85\u2028\u2029]/), -1, name);
    }
    assert.ok((files.get(bratPaths(PEMOJI).ann) as string).includes('Line\\u2028separator and \\u0085 next line'));
  });

  it('refuses to export what brat could not read back', () => {
    const a = annotate('d.txt', 'x y', 'y', 'claim');
    assert.throws(
      () => exportBrat({ documents: [{ path: 'd.txt', text: 'x y', annotations: [{ ...a, attributes: { AnnotatorNotes: 'x' } }] }] }),
      /reserves for notes/,
    );
    assert.throws(
      () => exportBrat({ documents: [{ path: 'd.txt', text: 'x y', annotations: [{ ...a, attributes: { Author: 'x' } }] }] }),
      /reserves for the author/,
    );
    assert.throws(() => exportBrat({ documents: [{ path: 'd.txt', text: 'x y', annotations: [{ ...a, kind: 'two words' }] }] }), /not a brat type name/);
  });
});

describe('brat import', () => {
  for (const newlines of ['universal', 'as-written'] as BratNewlines[]) {
    it(`round-trips kind, passage, note and attributes of every placeable annotation (${newlines})`, () => {
      const docs = placeable(buildCorpus());
      const codebook = sampleCodebook();
      const files = exportBrat({ documents: docs, codebook, newlines });
      for (const d of docs) {
        const { txt, ann } = bratPaths(d.path);
        const back = parseBrat(files.get(ann) as string, files.get(txt) as string, ann, {
          doc: d.path,
          codebook,
          newlines,
          now: NOW,
          newId: counter(),
          author: 'Importer',
        });
        assert.equal(back.path, d.path);
        assert.equal(back.hash, contentHash(d.text as string));
        assert.deepEqual(back.warnings, []);
        const want = [...d.annotations].sort((a, b) => a.target.start - b.target.start || (a.id < b.id ? -1 : 1));
        assert.deepEqual(back.annotations.map(essence), want.map(essence), d.path);
        assert.deepEqual(
          back.annotations.map((a) => a.provenance.author),
          want.map((a) => a.provenance.author || 'Importer'),
          'the coder comes back from the Author comment; the importer stands in where there was none',
        );
        for (const a of back.annotations) {
          assert.equal(a.provenance.created, NOW.toISOString());
          assert.equal(a.provenance.docHash, contentHash(d.text as string));
          assert.deepEqual(a.anchor, { status: 'anchored' });
          assert.equal(a.doc, d.path);
        }
      }
    });
  }

  it('carries each coder as an Author comment: two coders on one passage come back with their own names', () => {
    const text = 'Putin said so.';
    const ana = annotate('t.txt', text, 'Putin', 'entity', { id: '01JD0000000000000000000001', author: 'ana' });
    const ben = annotate('t.txt', text, 'Putin', 'entity', { id: '01JD0000000000000000000002', author: 'Ben \\ Jones' });
    const files = exportBrat({ documents: [{ path: 't.txt', text, annotations: [ben, ana] }] });
    const ann = files.get('t.ann') as string;
    assert.match(ann, /^#\d+\tAuthor T1\tana$/m);
    assert.match(ann, /^#\d+\tAuthor T2\tBen \\\\ Jones$/m, 'escaped as notes are');
    const back = parseBrat(ann, text, 't.ann', { doc: 't.txt', author: 'Importer' });
    assert.deepEqual(back.annotations.map((a) => a.provenance.author).sort(), ['Ben \\ Jones', 'ana']);
    assert.deepEqual(back.warnings, []);
    assert.ok(
      back.annotations.every((a) => !('Author' in a.attributes)),
      'the author is provenance, not an attribute',
    );
    assert.throws(
      () => parseBrat('T1\tentity 0 5\tPutin\n#1\tAuthor T1\ta\n#2\tAuthor T1\tb\n', text, 't.ann', { doc: 't.txt' }),
      (e: unknown) => e instanceof ExportFormatError && e.line === 3 && /two Author comments/.test(e.message),
    );
  });

  it('round-trips attribute types the codebook does not declare, and values of another type than declared', () => {
    const text = 'a b c d';
    const a = annotate('t.txt', text, 'b', 'claim', { attributes: { n: 3, t: true, f: false, s: 'x', numeric: '42', spaced: 'two words' } });
    const b = annotate('t.txt', text, 'c', 'figure', { attributes: { value: '7 or so', approx: false } });
    const c = annotate('t.txt', text, 'd', 'entity', { attributes: { type: 'Person' } });
    const files = exportBrat({ documents: [{ path: 't.txt', text, annotations: [a, b, c] }] });
    const back = parseBrat(files.get('t.ann') as string, text, 't.ann', { doc: 't.txt' });
    assert.deepEqual(
      back.annotations.map((x) => x.attributes),
      [a.attributes, b.attributes, c.attributes],
    );
  });

  it('keeps a lone surrogate in a note or an attribute as a \\uD83D escape, read back exactly (never U+FFFD)', () => {
    const text = 'a b c';
    const a = annotate('t.txt', text, 'b', 'claim', { note: 'half \ud83d and \\u0041 literal', attributes: { speaker: '\ude00x' } });
    const files = exportBrat({ documents: [{ path: 't.txt', text, annotations: [a] }] });
    const ann = files.get('t.ann') as string;
    assert.ok(ann.includes('half \\uD83D and \\\\u0041 literal') && ann.includes('\\uDE00x'), ann);
    assert.doesNotMatch(ann, /[\ud800-\udfff\ufffd]/);
    const back = parseBrat(ann, text, 't.ann', { doc: 't.txt' });
    assert.equal(back.annotations[0].note, a.note);
    assert.deepEqual(back.annotations[0].attributes, a.attributes);
  });

  it('trims line breaks at a passage’s ends (brat cannot mark them) and keeps those inside', () => {
    const text = 'One.\nTwo.\n\nThree.\n';
    const a = annotate('t.txt', text, 'Two.\n\nThree.\n', 'claim');
    const files = exportBrat({ documents: [{ path: 't.txt', text, annotations: [a] }] });
    assert.equal(files.get('t.ann'), 'T1\tclaim 5 9;11 17\tTwo. Three.\n#1\tAuthor T1\tAnn Analyst\n');
    const back = parseBrat(files.get('t.ann') as string, text, 't.ann', { doc: 't.txt' });
    assert.equal(back.annotations[0].target.quote.exact, 'Two.\n\nThree.');
  });

  it('reads what brat writes: attributes and notes before their span, brat ids with suffixes, a text field with a trailing comment', () => {
    const text = 'Sberbank and Putin.';
    const ann = ['A1\ttype T2 person', '#1\tAnnotatorNotes T1\tthe bank', 'T1\tentity 0 8\tSberbank', 'T2\tentity 13 18\tPutin', 'A2\tNegated T1', ''].join(
      '\n',
    );
    const back = parseBrat(ann, text, 'x.ann', { doc: 'x.txt', newId: counter() });
    assert.deepEqual(
      back.annotations.map((a) => [a.target.quote.exact, a.note, a.attributes]),
      [
        ['Sberbank', 'the bank', { Negated: true }],
        ['Putin', '', { type: 'person' }],
      ],
    );
  });

  it('keeps what Marginalia cannot hold out, with a warning: events, normalisations, notes on relations, discontinuous spans', () => {
    const text = 'Putin met Xi in Moscow.';
    const ann = [
      'T1\tentity 0 5\tPutin',
      'T2\tentity 10 12\tXi',
      'R1\tMeets Arg1:T1 Arg2:T2',
      'N1\tReference T1 Wikidata:Q7747\tVladimir Putin',
      'T3\tclaim 0 5;16 22\tPutin Moscow',
      '#1\tAnnotatorNotes R1\ton a relation',
      '',
    ].join('\n');
    const back = parseBrat(ann, text, 'x.ann', { doc: 'x.txt' });
    assert.equal(back.annotations.length, 3);
    assert.equal(back.warnings.length, 3, back.warnings.join('\n'));
    assert.deepEqual(
      back.annotations[0].relations?.map((r) => r.type),
      ['Meets'],
      'the relation itself is read (see the relations tests)',
    );
    assert.match(back.warnings.join('\n'), /N1 \(a normalisation\)/);
    assert.match(back.warnings.join('\n'), /T3 is discontinuous \(skips " met Xi in "\)/);
    assert.match(back.warnings.join('\n'), /#1 is a note on R1/);
    assert.equal(back.annotations.find((a) => a.kind === 'claim')?.target.quote.exact, 'Putin met Xi in Moscow');
  });

  describe('errors', () => {
    const text = 'Sberbank and Putin.\r\nSecond line.\r\n';
    function expectError(ann: string, line: number, message: RegExp, newlines: BratNewlines = 'universal'): ExportFormatError {
      let caught: unknown;
      try {
        parseBrat(ann, text, 'data/x.ann', { doc: 'data/x.txt', newlines });
      } catch (e) {
        caught = e;
      }
      assert.ok(caught instanceof ExportFormatError, `expected ExportFormatError, got ${String(caught)}`);
      assert.equal(caught.file, 'data/x.ann');
      assert.equal(caught.line, line, caught.message);
      assert.match(caught.message, /^data\/x\.ann:\d+:\d+: /);
      assert.match(caught.message, message);
      return caught;
    }
    it('a line without a tab, a bad id, a bad span', () => {
      expectError('T1 entity 0 8 Sberbank\n', 1, /no tab/);
      expectError('T1\tentity 0 8\tSberbank\nfoo\tbar\n', 2, /not a brat annotation id/);
      expectError('T1\tentity 0-8\tSberbank\n', 1, /not "TYPE START END"/);
    });
    it('a type that cannot be a kind, a span beyond the text, a span that ends first', () => {
      expectError('T1\tentity.sub 0 8\tSberbank\n', 1, /cannot be a Marginalia kind/);
      expectError('T1\tentity 0 999\tSberbank\n', 1, /beyond the end of the text/);
      expectError('T1\tentity 8 0\t\n', 1, /ends before it starts/);
    });
    it('a text field that does not match the .txt: another file, or the other newline convention', () => {
      expectError('T1\tentity 0 5\tPutin\n', 1, /not what the document holds/);
      // "Second" starts at 20 when the CRLF counts once, at 21 when it counts twice.
      assert.equal(parseBrat('T1\tclaim 20 26\tSecond\n', text, 'x.ann', { doc: 'x.txt' }).annotations[0].target.quote.exact, 'Second');
      expectError('T1\tclaim 20 26\tSecond\n', 1, /counted with CRLF as two characters/, 'as-written');
    });
    it('a duplicate id, a duplicate attribute, a bad attribute name', () => {
      expectError('T1\tentity 0 8\tSberbank\nT1\tentity 13 18\tPutin\n', 2, /defined twice/);
      expectError('T1\tentity 0 8\tSberbank\nA1\ttype T1 person\nA2\ttype T1 place\n', 3, /given twice/);
      expectError('T1\tentity 0 8\tSberbank\nA1\t__proto__ T1 x\n', 2, /cannot be a Marginalia attribute name/);
    });
  });
});

describe('brat export of the fixture, by numbers', () => {
  it('exports every placeable annotation once, each document with its .ann and .txt', () => {
    const docs = buildCorpus();
    const files = exportBrat({ documents: docs, generated: GENERATED });
    const tLines = [...files].filter(([n]) => n.endsWith('.ann')).flatMap(([, c]) => c.split('\n').filter((l) => l.startsWith('T')));
    assert.equal(
      tLines.length,
      placeable(docs).reduce((n, d) => n + d.annotations.length, 0),
    );
    for (const d of docs.filter((x) => x.text !== undefined)) {
      assert.ok(files.has(bratPaths(d.path).ann) && files.has(bratPaths(d.path).txt), d.path);
    }
  });
});
