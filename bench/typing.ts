// Workload 2: typing. 1,000 single-character edits (four in five insert a character, one in five deletes one) at
// random places of a 1 MB document with 10,000 annotations, and again with 100,000. Per edit, what the host does on
// a keystroke and the redraw after it: LiveDocument.applyChange (the edit tracker, dirty set, orphaning), then the
// annotations of a ~5,000-character viewport around the edit, asked of the live document as
// src/host/documentIndex.ts asks it (`overlapping(viewport)`, answered by the edit tracker's blocks, no index
// rebuilt), and each span's start and end as line/column through a LineIndex of the new text (VS Code's
// positionAt). VS Code updates its document's line table itself before the extension hears of the change, so the
// LineIndex is built outside the timing (its cost is reported beside it); the conversions are timed.
// The naive alternative keeps plain {start, end} objects: every edit shifts all of them in a linear scan, and the
// viewport's spans are found by filtering all of them and sorting the result.
import { LiveDocument } from '../src/core/anchoring';
import type { Annotation, TextEdit } from '../src/core/model';
import { sortAnnotations } from '../src/core/store';
import { LineIndex, contentHash } from '../src/core/model';
import { corpusSource, mulberry32, placeAnnotations, randInt, synthText } from '../test/support/editGenerator';
import { emit, fingerprint, median, now, toAnnotation } from './support';

const WORKLOAD = 'typing';
const VIEWPORT = 5_000;

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

export function ours(quick: boolean, many = false): void {
  const inp = makeInput(quick, many);
  const live = new LiveDocument('doc.txt', inp.text, inp.annotations);
  const times: number[] = [];
  const lineTimes: number[] = [];
  let drawn = 0;
  let cpu = 0;
  let text = inp.text;
  for (const edit of inp.edits) {
    text = textAfter(text, edit);
    const t = now();
    const lines = new LineIndex(text);
    lineTimes.push(now() - t);
    const c0 = process.cpuUsage();
    const t0 = now();
    live.applyChange([edit], text);
    const from = Math.max(0, edit.offset - VIEWPORT / 2);
    const ranges: Drawn[] = [];
    for (const s of live.overlapping(from, from + VIEWPORT)) ranges.push(lines.position(s.start), lines.position(s.end));
    times.push(now() - t0);
    const c = process.cpuUsage(c0);
    cpu += (c.user + c.system) / 1000;
    drawn += ranges.length / 2;
  }
  emit({
    workload: many ? `${WORKLOAD}100k` : WORKLOAD,
    method: 'Marginalia: LiveDocument.applyChange + overlapping(viewport) from the edit tracker',
    ms: median(times),
    unit: 'median per edit',
    note: `p95 ${percentile(times, 0.95).toFixed(3)} ms; CPU ${(cpu / inp.edits.length).toFixed(3)} ms per edit (mean); line table ${median(lineTimes).toFixed(2)} ms more`,
    input: inp.input,
    extra: { label: inp.label, spansDrawnPerEdit: Math.round(drawn / inp.edits.length), p95: percentile(times, 0.95) },
  });
}

export function naive(quick: boolean, many = false): void {
  const inp = makeInput(quick, many);
  const spans = inp.annotations.map((a) => ({ id: a.id, start: a.target.start, end: a.target.end }));
  const times: number[] = [];
  let drawn = 0;
  let cpu = 0;
  let text = inp.text;
  for (const edit of inp.edits) {
    text = textAfter(text, edit);
    const lines = new LineIndex(text);
    const c0 = process.cpuUsage();
    const t0 = now();
    const a = edit.offset;
    const b = a + edit.deleteLength;
    const delta = edit.insertText.length - edit.deleteLength;
    for (const s of spans) {
      // The edit tracker's boundary rules for one character: typed at a span's start it goes before the span, at its
      // end after it, inside it grows it; a deleted character inside shrinks it.
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
    times.push(now() - t0);
    const c = process.cpuUsage(c0);
    cpu += (c.user + c.system) / 1000;
    drawn += ranges.length / 2;
  }
  emit({
    workload: many ? `${WORKLOAD}100k` : WORKLOAD,
    method: 'naive: shift every span, filter all for the viewport',
    ms: median(times),
    unit: 'median per edit',
    note: `p95 ${percentile(times, 0.95).toFixed(3)} ms; CPU ${(cpu / inp.edits.length).toFixed(3)} ms per edit (mean)`,
    input: inp.input,
    extra: { label: inp.label, spansDrawnPerEdit: Math.round(drawn / inp.edits.length), p95: percentile(times, 0.95) },
  });
}

/** The same two at 100,000 annotations in the one document. */
export const ours100k = (quick: boolean): void => ours(quick, true);
export const naive100k = (quick: boolean): void => naive(quick, true);

function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
}
