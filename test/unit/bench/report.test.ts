// The report `npm run bench` writes into docs/performance.md, made from a made-up result set (running the real
// workloads takes minutes): the run's facts above the table, the rows and goals, crashes, and the markers it writes
// between.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  BEGIN_MARKER,
  END_MARKER,
  benchReport,
  benchRows,
  replaceBetweenMarkers,
  type BenchError,
  type RunInfo,
  type StartupResult,
} from '../../../bench/report';
import type { BenchResult } from '../../../bench/support';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

function result(workload: string, method: string, ms: number, more: Partial<BenchResult> = {}): BenchResult {
  return { workload, method, ms, unit: 'total', peakRssMb: 100, input: `${workload}-input`, ...more };
}

const RESULTS: Array<BenchResult | BenchError> = [
  result('reanchor', 'Marginalia: reanchorDocument (snapshot diff)', 150, {
    accuracy: { total: 1000, correct: 998, lost: 0, wrong: 2 },
    extra: { label: '1.0 MB, 10,000 annotations, 5 % edits' },
  }),
  result('reanchor', 'Hypothesis-style fuzzy quote search', 86_300, { note: 'measured on 1,000, ×10.0' }),
  result('reanchor', 'diff-match-patch match_main', 140_400),
  result('typing', 'Marginalia: LiveDocument.applyChange', 2.5, { unit: 'median per edit', extra: { label: '1.0 MB' } }),
  result('typing', 'naive: shift every span', 0.044, { unit: 'median per edit' }),
  result('hover', 'Marginalia: IntervalIndex.touching', 0.0017, { unit: 'median per lookup', input: 'other-input' }),
  result('hover', 'linear scan of every span', 0.222, { unit: 'median per lookup', input: 'different-input' }),
  result('corpus', 'generate', 7800, { input: 'corpus-input' }),
  result('corpus', 'Marginalia: AnnotationStore.loadAll', 979, { peakRssMb: 231, input: 'corpus-input', extra: { part: 'load', label: '10,000 documents' } }),
  result('corpus', 'Marginalia: Corpus view first level', 31, { input: 'corpus-input', extra: { part: 'tree' } }),
  result('corpus', 'Marginalia: writeExportYaml to a file', 1270, { input: 'corpus-input', extra: { part: 'export' } }),
  result('corpus', 'yaml package: stringify', 13_300, { input: 'corpus-input' }),
  { workload: 'corpus', method: 'corpus clean', error: 'Error: EACCES | cannot remove' },
];

const STARTUP: StartupResult = {
  roundTripMs: 52.19,
  activateMs: 5,
  all: [88.36, 52.19, 46.68],
  wasActive: false,
  extensionBytes: 263 * 1024,
  cliBytes: 371 * 1024,
  chunks: [{ file: 'yaml.js', bytes: 112 * 1024 }],
};

const INFO: RunInfo = {
  command: 'npm run bench',
  date: new Date('2026-12-05T13:20:45Z'),
  node: 'v20.20.0',
  cpus: 2,
  cpuModel: 'AMD EPYC 7B13',
  memoryGb: 24,
  loadBefore: 1.04,
  loadAfter: 2.56,
  seconds: 98.4,
  quick: false,
};

describe('bench report', () => {
  it('says which command ran, when, where, on which node, and the load average before and after', () => {
    const text = benchReport(INFO, RESULTS, STARTUP);
    assert.match(text, /^- Command: `npm run bench`$/m);
    assert.match(text, /^- Date: 2026-12-05 13:20 UTC$/m);
    assert.match(text, /^- Machine: 2 × AMD EPYC 7B13, 24 GB$/m);
    assert.match(text, /^- Node: v20.20.0$/m);
    assert.match(text, /^- Load average \(1 minute\): 1\.0 before, 2\.6 after$/m);
    assert.match(text, /^- Duration: 98 s$/m);
  });

  it('makes one row per measured method, with the comparison, accuracy and goal of each', () => {
    const rows = benchRows(RESULTS, STARTUP);
    assert.deepEqual(
      rows.map((r) => r.method),
      [
        'Marginalia: reanchorDocument (snapshot diff)',
        'Hypothesis-style fuzzy quote search',
        'diff-match-patch match_main',
        'Marginalia: LiveDocument.applyChange',
        'naive: shift every span',
        'Marginalia: IntervalIndex.touching',
        'linear scan of every span',
        'Marginalia: AnnotationStore.loadAll',
        'Marginalia: Corpus view first level',
        'Marginalia: writeExportYaml to a file',
        'yaml package: stringify',
        'Marginalia: the whole workload (load + tree + texts + export)',
        'Marginalia: activation, ext.activate() in the extension host (loads the bundle)',
        'Marginalia: dist/extension.js, the bundle activation loads (esbuild --production, minified)',
      ],
    );
    const [reanchor, hyp, dmp, typing, naive, hover, linear, load, tree, exp, yaml, whole, activation, bundle] = rows;
    assert.equal(reanchor.workload, '1. Re-anchor after outside edits (1.0 MB, 10,000 annotations, 5 % edits)');
    assert.equal(reanchor.time, '150 ms');
    assert.equal(reanchor.accuracy, '99.8 % / 0.0 % / 0.2 %');
    assert.equal(reanchor.goal, '✓ ≤ 0.3 s');
    assert.equal(hyp.versus, '575× slower');
    assert.equal(hyp.goal, '✓ ours ≥ 50× faster');
    assert.equal(hyp.note, 'measured on 1,000, ×10.0');
    assert.equal(dmp.versus, '936× slower');
    assert.equal(typing.time, '2.50 ms (median per edit)');
    assert.equal(typing.goal, '✗ ≤ 2 ms');
    assert.equal(naive.versus, '57× faster');
    assert.equal(hover.time, '1.7 µs (median per lookup)');
    assert.equal(linear.note, 'INPUT DIFFERS FROM THE ROWS ABOVE', 'a row run on other data than the first row of its workload is flagged');
    assert.equal(load.note, 'corpus written in 7.80 s (not timed)');
    assert.equal(load.memory, '');
    assert.equal(load.goal, '✓ ≤ 1 s');
    assert.equal(tree.goal, '✓ ≤ 100 ms');
    assert.equal(exp.goal, '✓ ≤ 2 s and ≤ 2× yaml');
    assert.equal(yaml.versus, '10× slower');
    assert.equal(whole.memory, '231 MB');
    assert.equal(whole.goal, '✓ peak ≤ 300 MB');
    assert.equal(activation.time, '52.19 ms');
    assert.equal(activation.goal, '✗ ≤ 50 ms');
    assert.equal(activation.note, "median of 3 fresh code-servers (88.36 ms, 52.19 ms, 46.68 ms); activate() itself 5.00 ms, by the extension's log");
    assert.equal(bundle.time, '263 KB');
    assert.equal(bundle.note, 'chunks loaded at first use: yaml.js 112 KB; 375 KB shipped in all; dist/cli.js 371 KB');
  });

  it('reports the import workload: the streamed import at both sizes against the whole-file reading, with CPU time and the memory goal', () => {
    const imports: BenchResult[] = [
      { workload: 'import', method: 'generate 100k', ms: 9000, unit: 'total', peakRssMb: 300, input: 'a', extra: { shape: '100k', annotations: 100000 } },
      { workload: 'import', method: 'generate 1m', ms: 90000, unit: 'total', peakRssMb: 300, input: 'b', extra: { shape: '1m', annotations: 1000000 } },
      {
        workload: 'import',
        method: 'Marginalia: streamed import (100k)',
        ms: 20000,
        unit: 'total',
        note: 'CPU 15.0 s',
        peakRssMb: 250,
        input: 'c',
        extra: { shape: '100k' },
      },
      {
        workload: 'import',
        method: 'whole-file import: parseExportYaml + planImport (100k)',
        ms: 60000,
        unit: 'total',
        note: 'CPU 55.0 s',
        peakRssMb: 3800,
        input: 'c',
      },
      {
        workload: 'import',
        method: 'Marginalia: streamed import (1m)',
        ms: 200000,
        unit: 'total',
        note: 'CPU 150.0 s',
        peakRssMb: 650,
        input: 'd',
        extra: { shape: '1m' },
      },
    ];
    const rows = benchRows(imports).filter((r) => r.workload.startsWith('6. Import'));
    assert.deepEqual(
      rows.map((r) => [r.method, r.time, r.versus, r.memory, r.goal]),
      [
        ['Marginalia: streamed import (100k)', '20.0 s', '', '250 MB', '✓ peak ≤ 600 MB'],
        ['whole-file import: parseExportYaml + planImport (100k)', '60.0 s', '3.0× slower', '3800 MB', ''],
        ['Marginalia: streamed import (1m)', '200.0 s', '', '650 MB', '✗ peak ≤ 600 MB'],
      ],
    );
    assert.match(rows[0].note, /^CPU 15\.0 s; 100000 annotations written in 9\.00 s, 1000000 annotations written in 90\.0 s \(not timed\)$/);
    assert.equal(rows[1].note, 'CPU 55.0 s');
    assert.doesNotMatch(rows.map((r) => r.note).join(' '), /INPUT DIFFERS/);
    assert.equal(benchRows(RESULTS).filter((r) => r.workload.startsWith('6.')).length, 0, 'no import rows when the workload did not run');
  });

  it('writes a Markdown table with each workload named once, a crashed variant and the goals counted', () => {
    const text = benchReport(INFO, RESULTS, STARTUP);
    const table = text.split('\n').filter((l) => l.startsWith('|'));
    assert.equal(table.length, 2 + 14);
    assert.equal(table[0], '| Workload | Method | Time | vs ours | Correct / orphaned / wrong | Peak RSS | Goal | Notes |');
    assert.equal(table.filter((l) => l.startsWith('| 1. Re-anchor')).length, 1);
    assert.ok(table[3].startsWith('|  | Hypothesis-style'), table[3]);
    assert.ok(
      table.every((l) => l.split(/(?<!\\)\|/).length === 10),
      'every row has eight cells',
    );
    assert.match(text, /^FAILED: corpus clean: Error: EACCES \| cannot remove$/m);
    assert.match(text, /^8 goals met, 2 missed\.$/m);
  });

  it('says when start-up could not be measured, and when a run is a quick one', () => {
    const text = benchReport({ ...INFO, command: 'npm run bench -- --quick', quick: true }, RESULTS, { error: 'run-integration exited 1' });
    assert.match(text, /^- Command: `npm run bench -- --quick` \(--quick: smaller workloads; the goals are for the full run\)$/m);
    assert.match(text, /\| start-up \| – \|.*\| not measured: run-integration exited 1 \|$/m);
  });

  it('replaces only what is between the markers, again and again', () => {
    const doc = `# Performance\n\nBefore.\n\n${BEGIN_MARKER}\nold table\n${END_MARKER}\n\nAfter.\n`;
    const once = replaceBetweenMarkers(doc, benchReport(INFO, RESULTS, STARTUP), 'performance.md');
    assert.ok(once.startsWith(`# Performance\n\nBefore.\n\n${BEGIN_MARKER}\n- Command:`));
    assert.ok(once.endsWith(`goals met, 2 missed.\n${END_MARKER}\n\nAfter.\n`));
    assert.ok(!once.includes('old table'));
    const later = replaceBetweenMarkers(once, benchReport({ ...INFO, loadBefore: 0.5 }, RESULTS, STARTUP), 'performance.md');
    assert.equal(later, once.replace('1.0 before', '0.5 before'));
  });

  it('refuses a page whose markers are missing, doubled or reversed, naming it', () => {
    for (const doc of [
      'no markers',
      `${BEGIN_MARKER}\nx`,
      `${END_MARKER}\n${BEGIN_MARKER}`,
      `${BEGIN_MARKER}\n${BEGIN_MARKER}\n${END_MARKER}`,
      `${BEGIN_MARKER}\n${END_MARKER}\n${END_MARKER}`,
    ]) {
      assert.throws(() => replaceBetweenMarkers(doc, 'report', 'docs/performance.md'), /^Error: docs\/performance\.md must hold the line/);
    }
  });

  it('finds its markers in docs/performance.md, so a full run can write there', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'performance.md'), 'utf8');
    const written = replaceBetweenMarkers(doc, benchReport(INFO, RESULTS, STARTUP), 'docs/performance.md');
    assert.ok(written.includes('- Load average (1 minute): 1.0 before, 2.6 after'));
  });
});
