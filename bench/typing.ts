// Workload 2: typing. 1,000 single-character edits (four in five insert a character, one in five deletes one) at
// random places of a 1 MB document with 10,000 annotations (`typing`), and again with 100,000 (`typing100k`). Per
// edit, what the host does on a keystroke and the redraw after it: LiveDocument.applyChange (the edit tracker, dirty
// set, orphaning), then the annotations of a ~5,000-character viewport around the edit, asked of the live document as
// src/host/documentIndex.ts asks it (`overlapping(viewport)`, answered by the edit tracker's blocks, no index
// rebuilt), and each span's start and end as line/column through a LineIndex of the new text (VS Code's
// positionAt). VS Code updates its document's line table itself before the extension hears of the change, so the
// LineIndex is built outside the timing (its cost is reported beside it); the conversions are timed.
// The naive alternative keeps plain {start, end} objects: every edit shifts all of them in a linear scan, and the
// viewport's spans are found by filtering all of them and sorting the result.
// Each keystroke is timed on its own with timeRun (wall and main-thread CPU); the 1,000 keystrokes are typed five
// times in one process, each time from the start, and a run's figure is its median keystroke; the 95th percentile is
// over all 5,000.
import { LiveDocument } from '../src/core/anchoring';
import type { Annotation, TextEdit } from '../src/core/model';
import { sortAnnotations } from '../src/core/store';
import { LineIndex, contentHash } from '../src/core/model';
import { corpusSource, mulberry32, placeAnnotations, randInt, synthText } from '../test/support/editGenerator';
import { collect, collectGarbage, emit, fingerprint, median, now, timeRun, toAnnotation, type Run } from './support';

const WORKLOAD = 'typing';
const VIEWPORT = 5_000;
const RUNS = 5;

function makeInput(quick: boolean, many = false): { annotations: Annotation[]; text: string; edits: TextEdit[]; input: string; label: string } {
  const size = quick ? 200_000 : 1_000_000;
  const count = (quick ? 2_000 : 10_000) * (many ? 10 : 1);
  const edits = quick ? 200 : 1_000;
  const source = corpusSource();
  const rng = mulberry32(2);
  const text = synthText(rng, source.sentences, source.vocab, size, 0.25);
  const hash = contentHash(text);
  // In sidecar order, as the store loads them and the host hands them to LiveDocument.
  const annotations = sortAnnotations(placeAnnotations(rng, text, count).map((p) => toAnnotation(p.id, 'doc.txt', text, p.start, p.end, hash)));
  const keys: TextEdit[] = [];
  let length = text.length;
  for (let k = 0; k < edits; k++) {
    const at = randInt(rng, 1, length - 2);
    const edit: TextEdit = rng() < 0.8 ? { offset: at, deleteLength: 0, insertText: 'x' } : { offset: at, deleteLength: 1, insertText: '' };
    length += edit.insertText.length - edit.deleteLength;
    keys.push(edit);
  }
  return {
    annotations,
    text,
    edits: keys,
    input: fingerprint(text, count, JSON.stringify(keys)),
    label: `${(size / 1e6).toFixed(1)} MB, ${count.toLocaleString('en')} annotations, ${edits.toLocaleString('en')} keystrokes`,
  };
}

/** The document's text after an edit, as VS Code hands it over with the change event: made outside the timing, and
 *  flattened (a string built by concatenation is a rope in V8 until something reads it). */
function textAfter(text: string, edit: TextEdit): string {
  const s = text.slice(0, edit.offset) + edit.insertText + text.slice(edit.offset + edit.deleteLength);
  s.indexOf('\u0000');
  return s;
}

interface Drawn {
  line: number;
  character: number;
}

/** What one keystroke is given: the edit and the text after it (made, with its line table, outside the timing). */
type Keystroke = (edit: TextEdit, text: string, lines: LineIndex) => number;

/**
 * Types the workload's keystrokes RUNS times, each time from the start (`start` makes a fresh state and returns
 * what to do per keystroke, which returns how many spans it drew), each keystroke timed with timeRun. Emits one row:
 * each run's median keystroke, and the 95th percentile of all of them in the note.
 */
function typeAll(inp: ReturnType<typeof makeInput>, workload: string, method: string, start: () => Keystroke, lineNote: boolean): void {
  const medians: Run[] = [];
  const all: Run[] = [];
  const lineTimes: number[] = [];
  let drawn = 0;
  for (let r = 0; r < RUNS; r++) {
    collectGarbage();
    const keystroke = start();
    const runs: Run[] = [];
    let text = inp.text;
    for (const edit of inp.edits) {
      text = textAfter(text, edit);
      const t = now();
      const lines = new LineIndex(text);
      lineTimes.push(now() - t);
      const run = timeRun(() => keystroke(edit, text, lines));
      drawn += run.value;
      runs.push(run);
    }
    medians.push({ wall: median(runs.map((x) => x.wall)), cpu: median(runs.map((x) => x.cpu)), cpuAll: median(runs.map((x) => x.cpuAll)) });
    all.push(...runs);
  }
  const p95Wall = percentile(
    all.map((x) => x.wall),
    0.95,
  );
  const p95Cpu = percentile(
    all.map((x) => x.cpu),
    0.95,
  );
  const runs = collect(medians);
  emit({
    workload,
    method,
    ms: median(runs.wall),
    unit: 'median per edit',
    runs,
    cpuBound: true,
    repeat: `${RUNS} runs of ${inp.edits.length.toLocaleString('en')} keystrokes in one process, each the median of its keystrokes`,
    note:
      `p95 of all ${all.length.toLocaleString('en')} keystrokes ${fmtMs(p95Cpu)} CPU, ${fmtMs(p95Wall)} wall; slowest ${fmtMs(Math.max(...all.map((x) => x.cpu)))} CPU` +
      (lineNote ? `; line table (VS Code's, not timed) ${fmtMs(median(lineTimes))} more` : ''),
    input: inp.input,
    extra: { label: inp.label, spansDrawnPerEdit: Math.round(drawn / all.length), p95: p95Wall, p95Cpu },
  });
}

const fmtMs = (ms: number): string => `${ms.toFixed(3)} ms`;

export function ours(quick: boolean, many = false): void {
  const inp = makeInput(quick, many);
  typeAll(
    inp,
    many ? `${WORKLOAD}100k` : WORKLOAD,
    'Marginalia: LiveDocument.applyChange + overlapping(viewport) from the edit tracker',
    () => {
      const live = new LiveDocument('doc.txt', inp.text, inp.annotations);
      return (edit, text, lines) => {
        live.applyChange([edit], text);
        const from = Math.max(0, edit.offset - VIEWPORT / 2);
        const ranges: Drawn[] = [];
        for (const s of live.overlapping(from, from + VIEWPORT)) ranges.push(lines.position(s.start), lines.position(s.end));
        return ranges.length / 2;
      };
    },
    true,
  );
}

export function naive(quick: boolean, many = false): void {
  const inp = makeInput(quick, many);
  typeAll(
    inp,
    many ? `${WORKLOAD}100k` : WORKLOAD,
    'naive: shift every span, filter all for the viewport',
    () => {
      const spans = inp.annotations.map((a) => ({ id: a.id, start: a.target.start, end: a.target.end }));
      return (edit, _text, lines) => {
        const a = edit.offset;
        const b = a + edit.deleteLength;
        const delta = edit.insertText.length - edit.deleteLength;
        for (const s of spans) {
          // The edit tracker's boundary rules for one character: typed at a span's start it goes before the span, at
          // its end after it, inside it grows it; a deleted character inside shrinks it.
          if (s.start >= b) {
            s.start += delta;
            s.end += delta;
          } else if (s.end > a) s.end += delta;
        }
        const from = Math.max(0, a - VIEWPORT / 2);
        const to = from + VIEWPORT;
        const visible = spans.filter((s) => s.end > s.start && s.start < to && s.end > from).sort((x, y) => x.start - y.start || y.end - x.end);
        const ranges: Drawn[] = [];
        for (const s of visible) ranges.push(lines.position(s.start), lines.position(s.end));
        return ranges.length / 2;
      };
    },
    false,
  );
}

/** The same two at 100,000 annotations in the one document. */
export const ours100k = (quick: boolean): void => ours(quick, true);
export const naive100k = (quick: boolean): void => naive(quick, true);

function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
}
