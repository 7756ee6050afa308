// The report `npm run bench` writes into docs/performance.md, made from a made-up result set (running the real
// workloads takes minutes): the run's facts above the table, medians and spreads of wall and CPU time, goals judged
// on CPU or wall, the merge of several processes, the growth of the big corpus, the load warning, the rows of an
// --only run merged into the table already on the page, crashes, and the markers it writes between.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  BEGIN_MARKER,
  END_MARKER,
  HEADER,
  benchReport,
  benchRows,
  benchTable,
  betweenMarkers,
  compared,
  fmtSpread,
  fmtTime,
  growth,
  judged,
  loadThreshold,
  loadWarning,
  median,
  memoryGrowth,
  mergeProcessRuns,
  parseTable,
  parseTime,
  replaceBetweenMarkers,
  type BenchError,
  type RunInfo,
  type StartupResult,
  type TableRow,
} from '../../../bench/report';
import type { BenchResult, Runs } from '../../../bench/support';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

function result(workload: string, method: string, ms: number, more: Partial<BenchResult> = {}): BenchResult {
  return { workload, method, ms, unit: 'total', peakRssMb: 100, input: `${workload}-input`, load: [0.8, 1.1], ...more };
}

/** Five runs whose wall and CPU medians are `wall` and `cpu`, with the spread around them given. */
function runs(wall: number[], cpu: number[]): Runs {
  return { wall, cpu, cpuAll: cpu.map((c) => c * 1.2) };
}

const RESULTS: Array<BenchResult | BenchError> = [
  result('reanchor', 'Marginalia: reanchorDocument (snapshot diff)', 150, {
    runs: runs([150, 143, 160, 149, 155], [140, 138, 150, 139, 141]),
    cpuBound: true,
    repeat: '5 runs in one process',
    accuracy: { total: 1000, correct: 998, lost: 0, wrong: 2 },
    extra: { label: '1.0 MB, 10,000 annotations, 5 % edits' },
  }),
  result('reanchor', 'Hypothesis-style fuzzy quote search', 86_300, {
    runs: runs([86_300, 80_000, 90_000, 85_000, 87_000], [70_000, 69_000, 71_000, 70_500, 72_000]),
    cpuBound: true,
    note: 'each run on 200 annotations, ×50.0',
  }),
  result('reanchor', 'diff-match-patch match_main', 140_400),
  // A row without runs (as typing gave before): the report shows the median it gives, and no CPU.
  result('typing', 'Marginalia: LiveDocument.applyChange', 2.5, { unit: 'median per edit', extra: { label: '1.0 MB' } }),
  result('typing', 'naive: shift every span', 0.044, { unit: 'median per edit' }),
  result('typing100k', 'Marginalia: LiveDocument.applyChange', 0.03, {
    unit: 'median per edit',
    runs: runs([0.03, 0.029, 0.031, 0.03, 0.035], [0.032, 0.03, 0.033, 0.031, 0.04]),
    cpuBound: true,
    extra: { label: '1.0 MB, 100,000 annotations', p95: 0.2, p95Cpu: 0.6 },
  }),
  result('typing100k', 'naive: shift every span', 0.9, {
    unit: 'median per edit',
    runs: runs([0.9, 0.85, 0.95, 0.9, 0.92], [0.64, 0.6, 0.7, 0.62, 0.66]),
    cpuBound: true,
    extra: { p95: 2, p95Cpu: 1.5 },
  }),
  result('hover', 'Marginalia: IntervalIndex.touching', 0.0017, {
    unit: 'per lookup',
    runs: runs([0.0017, 0.0016, 0.0019, 0.0017, 0.0018], [0.0016, 0.0016, 0.0017, 0.0016, 0.0016]),
    cpuBound: true,
    input: 'other-input',
  }),
  result('hover', 'linear scan of every span', 0.222, { unit: 'per lookup', input: 'different-input' }),
  result('corpus', 'generate', 7800, { input: 'corpus-input' }),
  result('corpus', 'Marginalia: AnnotationStore.loadAll', 1100, {
    runs: runs([1100, 1300, 1050, 1200, 1090], [950, 990, 940, 960, 980]),
    cpuBound: true,
    repeat: '5 processes',
    peakRssMb: 231,
    heapMb: 85.4,
    input: 'corpus-input',
    extra: { part: 'load', label: '10,000 documents' },
  }),
  result('corpus', 'Marginalia: Corpus view first level', 31, { input: 'corpus-input', extra: { part: 'tree' } }),
  result('corpus', 'Marginalia: search all annotations after the first', 40, {
    unit: 'per search',
    runs: runs([40, 42, 39, 41, 45], [38, 39, 37, 38, 40]),
    cpuBound: true,
    input: 'corpus-input',
    extra: { part: 'search' },
  }),
  result('corpus', 'naive: every field lower-cased', 80, {
    unit: 'per search',
    runs: runs([80, 82, 79, 81, 85], [76, 78, 74, 76, 80]),
    cpuBound: true,
    input: 'corpus-input',
    extra: { part: 'search' },
  }),
  result('corpus', 'Marginalia: writeExportYaml to a file', 1270, { input: 'corpus-input', extra: { part: 'export' } }),
  result('corpus', 'yaml package: stringify', 13_300, { input: 'corpus-input' }),
  { workload: 'corpus', method: 'corpus clean', error: 'Error: EACCES | cannot remove' },
  result('corpus10x', 'generate', 70_000, { input: 'big-input' }),
  result('corpus10x', 'Marginalia: AnnotationStore.loadAll', 11_000, {
    runs: runs([11_000, 12_000, 10_500, 11_500, 13_000], [9_500, 9_700, 9_400, 9_600, 9_900]),
    cpuBound: true,
    peakRssMb: 1155,
    heapMb: 850,
    load: [1.0, 1.4],
    input: 'big-input',
    extra: { part: 'load', label: '100,000 documents' },
  }),
  result('corpus10x', 'Marginalia: search all annotations after the first', 500, {
    unit: 'per search',
    runs: runs([500, 520, 480, 510, 530], [380, 390, 370, 385, 400]),
    cpuBound: true,
    input: 'big-input',
    extra: { part: 'search' },
  }),
  result('corpus10x', 'naive: every field lower-cased', 800, {
    unit: 'per search',
    runs: runs([800, 820, 790, 810, 850], [740, 780, 760, 770, 790]),
    cpuBound: true,
    input: 'big-input',
    extra: { part: 'search' },
  }),
];

const STARTUP: StartupResult = {
  roundTripMs: 52.19,
  activateMs: 5,
  all: [88.36, 52.19, 46.68, 50.1, 60.2],
  wasActive: false,
  extensionBytes: 263 * 1024,
  cliBytes: 371 * 1024,
  chunks: [{ file: 'yaml.js', bytes: 112 * 1024 }],
  load: [1.0, 1.3],
};

const INFO: RunInfo = {
  command: 'npm run bench',
  date: new Date('2026-12-05T13:20:45Z'),
  node: 'v20.20.0',
  cpus: 2,
  cpuModel: 'AMD EPYC 7B13',
  memoryGb: 24,
  loadBefore: 1.04,
  loadAfter: 1.26,
  loadMax: 1.3,
  seconds: 98.4,
  quick: false,
};

const tableLines = (text: string): string[] => text.split('\n').filter((l) => l.startsWith('|'));

describe('bench report', () => {
  it('says which command ran, when, where, on which node, and the load average before, after and at most', () => {
    const text = benchReport(INFO, RESULTS, STARTUP);
    assert.match(text, /^- Command: `npm run bench`$/m);
    assert.match(text, /^- Date: 2026-12-05 13:20 UTC$/m);
    assert.match(text, /^- Machine: 2 × AMD EPYC 7B13, 24 GB$/m);
    assert.match(text, /^- Node: v20.20.0$/m);
    assert.match(text, /^- Load average \(1 minute\): 1\.0 before, 1\.3 after, 1\.3 at most$/m);
    assert.match(text, /^- Duration: 98 s$/m);
  });

  it('takes the median of odd and even numbers of runs, and prints it with the fastest and slowest', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.ok(Number.isNaN(median([])));
    assert.equal(fmtSpread([150, 143, 160, 149, 155]), '150 ms (143 ms–160 ms)');
    assert.equal(fmtSpread([1234]), '1.23 s (1 run)');
    assert.equal(fmtSpread(undefined), '–');
    assert.equal(fmtTime(0.0017), '1.7 µs');
    assert.equal(parseTime('1.27 s (1.20 s–1.30 s)'), 1270);
    assert.equal(parseTime('1.7 µs (1.6 µs–1.9 µs) per lookup'), 0.0017);
    assert.equal(parseTime('–'), undefined);
  });

  it('judges a CPU-bound row on its CPU median, any other on its wall median', () => {
    const cpuBound = RESULTS[0] as BenchResult;
    assert.deepEqual(judged(cpuBound), { ms: 140, by: 'CPU' });
    assert.deepEqual(judged({ ...cpuBound, cpuBound: false }), { ms: 150, by: 'wall' });
    assert.deepEqual(judged(RESULTS[3] as BenchResult), { ms: 2.5, by: 'wall' }, 'a row without runs: the median it gives');
  });

  it('judges the first tree on its CPU median and on the longest stall of the load after it', () => {
    const first = (cpu: number[], stallMs: number): BenchResult =>
      result('firstTree', 'Marginalia: Corpus view first level from a cold store, with the summary cache', 200, {
        runs: runs([200, 190, 210, 205, 195], cpu),
        cpuBound: true,
        extra: { stallMs },
      });
    const uncached = result('firstTree', 'no summary cache: the first level after every sidecar is loaded', 1500, {
      runs: runs([1500, 1400, 1600, 1550, 1450], [1300, 1250, 1350, 1320, 1280]),
      cpuBound: true,
    });
    const met = benchRows([first([140, 130, 150, 145, 135], 30), uncached]).filter((r) => r.key === 'firstTree');
    assert.equal(met.length, 2);
    assert.equal(met[0].goal, '✓ ≤ 150 ms (CPU), ✓ stall 30.00 ms ≤ 50 ms');
    assert.match(met[1].versus, /×/);
    const missed = benchRows([first([160, 150, 170, 165, 155], 60)]).filter((r) => r.key === 'firstTree');
    assert.equal(missed[0].goal, '✗ ≤ 150 ms (CPU), ✗ stall 60.00 ms ≤ 50 ms');
  });

  it('shows the import at each size with its whole-file alternative, each size checked on its own input', () => {
    const imp = (method: string, shape: string, ms: number, input: string): BenchResult =>
      result('import', method, ms, { input, extra: { shape, cpuMs: ms * 0.9 } });
    const rows = benchRows([
      imp('generate 100k', '100k', 8000, 'g1'),
      imp('Marginalia: streamed import (100k)', '100k', 36_000, 'w1'),
      imp('whole-file import: parseExportYaml + planImport (100k)', '100k', 88_000, 'w1'),
      imp('generate 1m', '1m', 39_000, 'g2'),
      imp('Marginalia: streamed import (1m)', '1m', 143_000, 'w2'),
    ]).filter((r) => r.key === 'import');
    assert.deepEqual(
      rows.map((r) => r.method),
      ['Marginalia: streamed import (100k)', 'whole-file import: parseExportYaml + planImport (100k)', 'Marginalia: streamed import (1m)'],
    );
    assert.ok(rows.every((r) => !r.note.includes('INPUT DIFFERS')));
    assert.equal(rows[1].versus, '2.4× slower');
    assert.equal(rows[0].cpu, '32.4 s (1 run)');
    assert.match(rows[0].note, /written in 8\.00 s \(not timed\)/);
  });

  it('makes one row per measured method, with wall and CPU spreads, the comparison, accuracy, goal, load and date', () => {
    const rows = benchRows(RESULTS, STARTUP, { measured: '2026-12-05 13:20' });
    const by = (key: string, method: string): TableRow => {
      const r = rows.find((x) => x.key === key && x.method.startsWith(method));
      assert.ok(r, `${key}: ${method}`);
      return r;
    };
    const reanchor = by('reanchor', 'Marginalia');
    assert.equal(reanchor.workload, '`reanchor` Re-anchor after outside edits (1.0 MB, 10,000 annotations, 5 % edits)');
    assert.equal(reanchor.wall, '150 ms (143 ms–160 ms)');
    assert.equal(reanchor.cpu, '140 ms (138 ms–150 ms)');
    assert.equal(reanchor.accuracy, '99.8 % / 0.0 % / 0.2 %');
    assert.equal(reanchor.goal, '✓ ≤ 0.3 s (CPU)');
    assert.equal(reanchor.load, '0.8–1.1');
    assert.equal(reanchor.measured, '2026-12-05 13:20');
    assert.equal(reanchor.note, '5 runs in one process; CPU of all threads 168 ms', 'all threads: 1.2 × 140 ms');
    const hyp = by('reanchor', 'Hypothesis');
    assert.equal(hyp.versus, '504× slower', 'both CPU-bound: compared on their CPU medians (70,500 / 140)');
    assert.equal(hyp.goal, '✓ ours ≥ 50× faster');
    assert.equal(by('reanchor', 'diff-match-patch').versus, '936× slower', 'one without runs: compared on wall medians');
    const typing = by('typing', 'Marginalia');
    assert.equal(typing.wall, '2.50 ms (median per edit)');
    assert.equal(typing.cpu, '–');
    assert.equal(typing.goal, '✗ ≤ 2 ms (wall)');
    assert.equal(by('typing', 'naive').versus, '57× faster');
    assert.equal(by('typing', 'naive').goal, '✗ ours faster (wall)', 'judged on the naive row, in the same run');
    const typing100k = by('typing100k', 'Marginalia');
    assert.equal(typing100k.workload, '`typing100k` Typing, ten times the annotations (1.0 MB, 100,000 annotations)');
    assert.equal(typing100k.wall, '0.030 ms (0.029 ms–0.035 ms) per edit');
    assert.equal(typing100k.cpu, '0.032 ms (0.030 ms–0.040 ms) per edit');
    assert.equal(typing100k.goal, '✗ ≤ 0.1 ms, p95 ≤ 0.5 ms (CPU)', 'the median is met, the CPU p95 (0.6 ms) is not');
    assert.equal(by('typing100k', 'naive').versus, '20× slower', 'CPU medians 0.64 / 0.032');
    const hover = by('hover', 'Marginalia');
    assert.equal(hover.wall, '1.7 µs (1.6 µs–1.9 µs) per lookup');
    assert.equal(hover.goal, '✓ ≤ 0.05 ms (CPU)');
    assert.equal(by('hover', 'linear').note, 'INPUT DIFFERS FROM THE ROWS ABOVE', 'a row run on other data than the first row of its workload is flagged');
    const load = by('corpus', 'Marginalia: AnnotationStore.loadAll');
    assert.equal(load.note, '5 processes; corpus written in 7.80 s (not timed); CPU of all threads 1.15 s');
    assert.equal(load.memory, '');
    assert.equal(load.goal, '✓ ≤ 1 s (CPU)', 'met on CPU (960 ms) although the wall median (1.10 s) is over');
    assert.equal(by('corpus', 'Marginalia: Corpus view').goal, '✓ ≤ 100 ms (wall)');
    assert.equal(by('corpus', 'Marginalia: search').wall, '41.00 ms (39.00 ms–45.00 ms) per search');
    assert.equal(by('corpus', 'naive: every field').versus, '2.0× slower', 'right under the search of ours');
    assert.equal(by('corpus', 'Marginalia: writeExportYaml').goal, '✓ ≤ 2 s and ≤ 2× yaml (wall)');
    assert.equal(by('corpus', 'yaml package').versus, '10× slower');
    const whole = by('corpus', 'Marginalia: the whole workload');
    assert.equal(whole.memory, '231 MB');
    assert.equal(whole.goal, '✓ peak ≤ 300 MB');
    assert.equal(whole.note, 'heap after load and gc 85 MB');
    const activation = by('startup', 'Marginalia: activation');
    assert.equal(activation.wall, '52.19 ms (46.68 ms–88.36 ms)');
    assert.equal(activation.goal, '✗ ≤ 50 ms (wall)');
    assert.equal(activation.load, '1.0–1.3');
    assert.equal(activation.note, "median of 5 fresh code-servers; activate() itself 5.00 ms, by the extension's log");
    const bundle = by('startup', 'Marginalia: dist/extension.js');
    assert.equal(bundle.wall, '263 KB');
    assert.equal(bundle.goal, '✓ ≤ 300 KB');
    assert.equal(bundle.note, 'chunks loaded at first use: yaml.js 112 KB; 375 KB shipped in all; dist/cli.js 371 KB');
  });

  it('prints the growth from the corpus at 10,000 documents to ten times that, from this run or the table kept', () => {
    const rows = benchRows(RESULTS, STARTUP, { measured: 'now' });
    const big = (method: string): TableRow => {
      const r = rows.find((x) => x.key === 'corpus10x' && x.method.startsWith(method));
      assert.ok(r, method);
      return r;
    };
    const bigLoad = big('Marginalia: AnnotationStore.loadAll');
    assert.match(bigLoad.note, /^×10 from 10k \(CPU\); corpus written in 70\.0 s \(not timed\); CPU of all threads 11\.5 s$/, 'CPU medians 9,600 / 960');
    assert.equal(bigLoad.load, '1.0–1.4');
    const bigSearch = big('Marginalia: search');
    assert.equal(bigSearch.goal, '✗ ≤ 300 ms (CPU)');
    assert.equal(bigSearch.note, '×10 from 10k (CPU); CPU of all threads 462 ms', 'CPU medians 385 / 38');
    const naiveSearch = big('naive: every field');
    assert.equal(naiveSearch.versus, '2.0× slower', 'CPU medians 770 / 385');
    assert.equal(naiveSearch.note, '×10 from 10k (CPU); CPU of all threads 924 ms', 'from the naive search at 10k: 770 / 76');
    const whole = big('Marginalia: the whole workload');
    assert.equal(whole.goal, '✗ peak ≤ 600 MB');
    assert.equal(whole.note, 'heap after load and gc 850 MB (×10 from 10k); peak ×5.0 from 10k');
    // Only the big corpus rerun: the 10k figures come from the table on the page.
    const previous = parseTable(benchReport(INFO, RESULTS, STARTUP));
    assert.ok(previous);
    const alone = benchRows(
      RESULTS.filter((r) => r.workload === 'corpus10x'),
      undefined,
      { measured: 'now', previous },
    );
    assert.match(alone.find((r) => r.method === 'Marginalia: AnnotationStore.loadAll')?.note ?? '', /^×10 from 10k \(CPU\);/);
    assert.match(alone.find((r) => r.method.startsWith('naive: every field'))?.note ?? '', /^×10 from 10k \(CPU\);/);
    assert.equal(
      alone.find((r) => r.method.startsWith('Marginalia: the whole workload'))?.note,
      'heap after load and gc 850 MB (×10 from 10k); peak ×5.0 from 10k',
      'the heap and peak at 10k read back from the kept row',
    );
    // Neither in the run nor in the table: no ratio.
    assert.match(benchRows(RESULTS.filter((r) => r.workload === 'corpus10x'))[0].note, /^corpus written/);
  });

  it('computes a growth ratio on the measure both rows share, and the memory growth', () => {
    const cpuRow = (cpu: number, wall: number): BenchResult => result('corpus', 'x', wall, { runs: runs([wall], [cpu]), cpuBound: true });
    assert.equal(growth(cpuRow(980, 2000), cpuRow(100, 150)), '×9.8 from 10k (CPU)');
    assert.equal(growth(cpuRow(1500, 3000), cpuRow(100, 150)), '×15 from 10k (CPU)');
    assert.equal(growth(cpuRow(980, 2000), result('corpus', 'x', 200)), '×10 from 10k (wall)', 'one row without CPU runs: wall medians');
    assert.equal(growth(undefined, cpuRow(100, 150)), '');
    const kept: TableRow = { ...benchRows([cpuRow(1, 1)])[0], wall: '300 ms (1 run)', cpu: '98.00 ms (1 run)' };
    assert.equal(growth(cpuRow(980, 2000), undefined, kept), '×10 from 10k (CPU)', 'read back from the kept CPU cell');
    assert.equal(growth(result('corpus', 'x', 3000), undefined, kept), '×10 from 10k (wall)');
    assert.equal(growth(cpuRow(980, 2000), undefined, undefined), '');
    assert.deepEqual(compared(cpuRow(10, 20), cpuRow(5, 8)), { a: 10, b: 5, by: 'CPU' });
    assert.equal(
      memoryGrowth({ peakRssMb: 1000, heapMb: 760 }, { peakRssMb: 200, heapMb: 84 }),
      'heap after load and gc 760 MB (×9.0 from 10k); peak ×5.0 from 10k',
    );
    assert.equal(memoryGrowth({ peakRssMb: 1000 }, { peakRssMb: 200 }), 'peak ×5.0 from 10k');
    assert.equal(memoryGrowth({ peakRssMb: 1000, heapMb: 760 }), 'heap after load and gc 760 MB');
  });

  it('merges the processes of one variant into one row: runs together, the highest peak, every load sampled', () => {
    const one = (wall: number, cpu: number, peak: number, load: [number, number]): BenchResult[] => [
      result('corpus', 'Marginalia: AnnotationStore.loadAll', wall, { runs: runs([wall], [cpu]), peakRssMb: peak, heapMb: 80 + wall / 100, load }),
      result('corpus', 'Marginalia: search', 40, { runs: runs([40, 41], [38, 39]), repeat: '2 searches after the first in each process', load }),
    ];
    const merged = mergeProcessRuns([one(1000, 900, 200, [0.5, 0.9]), one(1100, 950, 250, [0.9, 1.4]), one(1050, 920, 210, [1.4, 1.2])]);
    assert.equal(merged.length, 2);
    const [load, search] = merged;
    assert.deepEqual(load.runs?.wall, [1000, 1100, 1050]);
    assert.deepEqual(load.runs?.cpu, [900, 950, 920]);
    assert.equal(load.ms, 1050);
    assert.equal(load.peakRssMb, 250);
    assert.equal(load.heapMb, 90.5);
    assert.deepEqual(load.load, [0.5, 1.4]);
    assert.equal(load.repeat, '3 processes');
    assert.deepEqual(search.runs?.wall, [40, 41, 40, 41, 40, 41]);
    assert.equal(search.repeat, '3 processes, 2 searches after the first in each process');
    assert.deepEqual(mergeProcessRuns([one(1000, 900, 200, [0.5, 0.9])])[0].repeat, undefined, 'a single process stays as it was');
  });

  it('writes a Markdown table with each workload named once, a crashed variant and the goals counted', () => {
    const text = benchReport(INFO, RESULTS, STARTUP);
    const table = tableLines(text);
    assert.equal(table[0], `| ${HEADER.join(' | ')} |`);
    assert.equal(
      table[0],
      '| Workload | Method | Wall: median (min–max) | CPU, main thread: median (min–max) | vs ours | Correct / orphaned / wrong | Peak RSS | Goal | Load | Measured | Notes |',
    );
    assert.equal(table.filter((l) => l.startsWith('| `reanchor` Re-anchor')).length, 1);
    assert.ok(table[3].startsWith('|  | Hypothesis-style'), table[3]);
    assert.ok(
      table.every((l) => l.split(/(?<!\\)\|/).length === HEADER.length + 2),
      'every row has eleven cells',
    );
    assert.match(text, /^FAILED: corpus clean: Error: EACCES \| cannot remove$/m);
    assert.match(text, /^8 goals met, 6 missed\.$/m);
    assert.ok(!text.includes('WARNING'), 'no load warning on a quiet machine');
  });

  it('reads back the table it wrote, workload keys carried down, and nothing of another layout', () => {
    const rows = benchRows(RESULTS, STARTUP, { measured: '2026-12-05 13:20' });
    const parsed = parseTable(benchTable(rows));
    assert.deepEqual(parsed, rows);
    const page = fs.readFileSync(path.join(ROOT, 'docs', 'performance.md'), 'utf8');
    const old = '| Workload | Method | Time | vs ours | Notes |\n| --- | --- | --- | --- | --- |\n| 1. Re-anchor | ours | 1 ms | | |';
    assert.equal(parseTable(old), undefined, 'an older layout');
    assert.equal(parseTable('no table'), undefined);
    assert.equal(parseTable(`| ${HEADER.join(' | ')} |\n| --- |\n| no key | x |`), undefined, 'a row with the wrong number of cells');
    assert.ok(betweenMarkers(page) !== undefined);
  });

  it('with --only, replaces only the rerun workloads’ rows and keeps the others with their own date', () => {
    const before = benchReport(INFO, RESULTS, STARTUP);
    const previous = parseTable(before);
    assert.ok(previous);
    const rerun: BenchResult[] = [
      result('corpus', 'generate', 7000, { input: 'corpus-input' }),
      result('corpus', 'Marginalia: AnnotationStore.loadAll', 900, {
        runs: runs([900, 950, 880, 910, 920], [800, 810, 790, 805, 820]),
        cpuBound: true,
        peakRssMb: 220,
        input: 'corpus-input',
        extra: { part: 'load', label: '10,000 documents' },
      }),
    ];
    const info: RunInfo = { ...INFO, date: new Date('2026-12-06T02:40:00Z'), command: 'npm run bench -- --only corpus', only: ['corpus'] };
    const after = benchReport(info, rerun, undefined, previous);
    assert.match(after, /^- Rerun: corpus; the other rows are kept from earlier runs \(see Measured\)$/m);
    const oldLines = tableLines(before);
    const newLines = tableLines(after);
    const isCorpus = (rows: TableRow[] | undefined): boolean[] => (rows ?? []).map((r) => r.key === 'corpus');
    // Every other workload's lines are exactly as they were, in the same place of the order.
    const keptOld = oldLines.slice(2).filter((_, i) => !isCorpus(previous)[i]);
    const after2 = parseTable(after);
    const keptNew = newLines.slice(2).filter((_, i) => !isCorpus(after2)[i]);
    assert.deepEqual(keptNew, keptOld);
    const corpusRows = (after2 ?? []).filter((r) => r.key === 'corpus');
    assert.deepEqual(
      corpusRows.map((r) => r.method),
      ['Marginalia: AnnotationStore.loadAll', 'Marginalia: the whole workload (load + tree + search + texts + export)'],
    );
    assert.ok(corpusRows.every((r) => r.measured === '2026-12-06 02:40'));
    assert.ok((after2 ?? []).filter((r) => r.key !== 'corpus').every((r) => r.measured === '2026-12-05 13:20'));
    assert.equal(corpusRows[0].wall, '910 ms (880 ms–950 ms)');
    assert.equal(
      after2?.findIndex((r) => r.key === 'corpus'),
      previous.findIndex((r) => r.key === 'corpus'),
      'the rerun rows take the place of the old ones',
    );
    // The goals are counted over the whole table, kept rows included (the rerun corpus has no tree and export rows).
    assert.match(after, /^6 goals met, 6 missed\.$/m);
  });

  it('warns loudly when the load average was above 1.5 (or three quarters of the cores), naming the rows measured under it', () => {
    const underLoad = RESULTS.map((r) => (r.workload === 'corpus10x' && 'load' in r ? { ...r, load: [1.2, 2.4] as [number, number] } : r));
    const busy = benchReport({ ...INFO, loadMax: 2.3 }, underLoad, STARTUP);
    assert.match(
      busy,
      /^\*\*⚠ WARNING: the 1-minute load average reached 2\.4, above 1\.5 on 2 cores: other processes competed for the CPU, so wall times are inflated; judge the CPU column\. Rows measured under load: corpus10x\.\*\*$/m,
    );
    const quiet = RESULTS.map((r) => ('load' in r ? { ...r, load: [0.5, 1.0] as [number, number] } : r));
    assert.ok(!benchReport(INFO, quiet, STARTUP).includes('WARNING'));
    assert.ok(benchReport({ ...INFO, loadAfter: 1.6 }, quiet, STARTUP).includes('WARNING'), 'the run’s own samples count too');
    assert.equal(loadThreshold(2), 1.5);
    assert.equal(loadThreshold(8), 6);
    assert.equal(loadWarning({ ...INFO, cpus: 8, loadMax: 5 }, benchRows(quiet, STARTUP)), undefined);
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
    assert.ok(once.endsWith(`goals met, 6 missed.\n${END_MARKER}\n\nAfter.\n`));
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
    assert.ok(written.includes('- Load average (1 minute): 1.0 before, 1.3 after, 1.3 at most'));
  });
});
