// Edit tracking: keeps annotation spans on their text while the document is edited, one change event at a time.
//
// Boundary rules (the same ones the diff-based re-anchoring in reanchor.ts uses, so both agree):
// - an insertion exactly at a span's start goes BEFORE it, exactly at its end goes AFTER it: typing next to an
//   annotation never extends it (like VS Code's DecorationRangeBehavior.ClosedClosed); an insertion strictly
//   inside grows it;
// - a replacement whose deleted range lies within the span has its inserted text inside (replacing the first word
//   of an annotation keeps the new word annotated); one that crosses a boundary cuts the span there and its inserted
//   text stays outside (selecting from the middle of an annotation to beyond it and typing does not extend it);
// - a span is orphaned once more than half of its original characters are gone (counted cumulatively over all
//   events, so typing and deleting your own text inside an annotation never erodes it) or its length reaches 0.
// Orphaned spans keep moving with the text so a host can still show where they were.
import type { TextEdit } from '../model';

export interface TrackedSpan {
  id: string;
  start: number;
  end: number;
}

export interface SpanState extends TrackedSpan {
  /** Length of the span when it was added (its original characters). */
  original: number;
  /** How many of the original characters are still in the document. */
  remaining: number;
  orphaned: boolean;
}

/** What one change event did: spans whose offsets moved, and spans that became orphans with this event. */
export interface EditOutcome {
  changed: string[];
  orphaned: string[];
}

interface Entry {
  id: string;
  start: number;
  end: number;
  original: number;
  remaining: number;
  /** Original characters as [from, to) pairs relative to `start`; null while the whole span is still original. */
  segs: number[] | null;
  orphaned: boolean;
  /** Epoch of the last event that touched this entry eagerly, and its offsets before that event. */
  mark: number;
  prevStart: number;
  prevEnd: number;
}

/** True when a span with these counts must be orphaned: more than half of its original characters gone, or empty. */
export function isMostlyRemoved(original: number, remaining: number, length: number): boolean {
  return length === 0 || remaining * 2 < original;
}

/**
 * Tracks spans by id through editor change events. Spans are kept sorted by start (every edit maps offsets
 * monotonically, so the order never changes), so an edit only visits the spans that can reach it and shifts
 * the ones after it.
 */
export class EditTracker {
  private readonly order: Entry[] = [];
  private readonly byId = new Map<string, Entry>();
  /** Upper bound of every span's length: spans starting before `offset - maxLen` cannot reach `offset`. */
  private maxLen = 0;
  private epoch = 0;

  constructor(spans: Iterable<TrackedSpan> = []) {
    const list: Entry[] = [];
    for (const s of spans) {
      if (this.byId.has(s.id)) throw new Error(`EditTracker: duplicate span id ${s.id}`);
      const e = newEntry(s);
      this.byId.set(s.id, e);
      list.push(e);
    }
    list.sort((x, y) => x.start - y.start);
    this.order.push(...list);
    for (const e of list) this.maxLen = Math.max(this.maxLen, e.end - e.start);
  }

  get size(): number {
    return this.order.length;
  }

  /** Adds a span, or replaces the one with the same id; its current text becomes its original text. */
  set(span: TrackedSpan): void {
    this.delete(span.id);
    const e = newEntry(span);
    this.byId.set(span.id, e);
    this.order.splice(this.lowerBound(e.start), 0, e);
    this.maxLen = Math.max(this.maxLen, e.end - e.start);
  }

  delete(id: string): boolean {
    const e = this.byId.get(id);
    if (!e) return false;
    this.byId.delete(id);
    let i = this.lowerBound(e.start);
    while (this.order[i] !== e) i++;
    this.order.splice(i, 1);
    return true;
  }

  get(id: string): SpanState | undefined {
    const e = this.byId.get(id);
    return e && snapshotOf(e);
  }

  /** The current offsets of a span without copying its state, for hot paths that read every span after each event:
   *  a live view, valid until the next call that changes the tracker. */
  offsets(id: string): Readonly<TrackedSpan> | undefined {
    return this.byId.get(id);
  }

  /** All spans, sorted by start. */
  spans(): SpanState[] {
    return this.order.map(snapshotOf);
  }

  /**
   * Applies one change event. Its edits all refer to the text before the event and must not overlap (as VS Code's
   * `contentChanges`); two insertions at the same offset are applied in the given order, the later one ending up
   * first, as applying them from the end of the text does.
   */
  apply(edits: readonly TextEdit[]): EditOutcome {
    const outcome: EditOutcome = { changed: [], orphaned: [] };
    if (edits.length === 0) return outcome;
    const epoch = ++this.epoch;
    // From the end backwards: an edit never moves the offsets of the edits before it, and the spans after it are
    // shifted lazily (one (index, delta) mark per edit, summed in a single sweep), so a batch costs one pass.
    const sorted = edits.length === 1 ? edits : [...edits].sort((x, y) => y.offset - x.offset);
    const marks: number[] = [];
    const touched: Entry[] = [];
    let limit = Infinity;
    for (const edit of sorted) {
      const a = edit.offset;
      const d = edit.deleteLength;
      const b = a + d;
      const ins = edit.insertText.length;
      if (a < 0 || d < 0 || b > limit) throw new RangeError(`EditTracker: edits overlap or are negative at offset ${a}`);
      limit = a;
      const shiftFrom = this.lowerBound(d === 0 ? a : b);
      if (ins !== d) marks.push(shiftFrom, ins - d);
      for (let i = shiftFrom - 1; i >= 0; i--) {
        const e = this.order[i];
        if (e.start + this.maxLen <= a) break;
        if (e.end <= a) continue; // ends at or before the edit: untouched (an insertion at its end goes after it)
        if (e.mark !== epoch) {
          e.mark = epoch;
          e.prevStart = e.start;
          e.prevEnd = e.end;
          touched.push(e);
        }
        if (d === 0 || (a >= e.start && b <= e.end)) {
          // Strictly inside (an insertion), or a deletion within the span: the inserted text joins the span.
          this.replaceInside(e, a - e.start, b - e.start, ins);
        } else if (a < e.start) {
          // Crosses (or covers) the start: the span loses its deleted head and starts after the inserted text.
          this.replaceInside(e, 0, Math.min(b, e.end) - e.start, 0);
          const shift = a + ins - e.start;
          e.start += shift;
          e.end += shift;
        } else {
          // Crosses the end: the span loses its deleted tail; the inserted text follows it.
          this.replaceInside(e, a - e.start, e.end - e.start, 0);
        }
      }
    }
    if (marks.length > 0) {
      // Marks were pushed in descending index order; sweep from the lowest index, adding each delta as we pass it.
      let m = marks.length - 2;
      let delta = 0;
      for (let i = marks[m]; i < this.order.length; i++) {
        while (m >= 0 && marks[m] === i) {
          delta += marks[m + 1];
          m -= 2;
        }
        if (delta === 0) continue;
        const e = this.order[i];
        e.start += delta;
        e.end += delta;
        if (e.mark !== epoch) outcome.changed.push(e.id);
      }
    }
    for (const e of touched) {
      if (e.start !== e.prevStart || e.end !== e.prevEnd) outcome.changed.push(e.id);
      if (!e.orphaned && isMostlyRemoved(e.original, e.remaining, e.end - e.start)) {
        e.orphaned = true;
        e.segs = null;
        outcome.orphaned.push(e.id);
      }
    }
    return outcome;
  }

  /** Replaces the span-relative range [x, y) with `ins` new (not original) characters inserted at x. */
  private replaceInside(e: Entry, x: number, y: number, ins: number): void {
    const len = e.end - e.start;
    const delta = ins - (y - x);
    e.end += delta;
    if (e.end - e.start > this.maxLen) this.maxLen = e.end - e.start;
    if (e.orphaned) return;
    const segs = e.segs ?? [0, len];
    const out: number[] = [];
    let remaining = 0;
    for (let k = 0; k < segs.length; k += 2) {
      const p = segs[k];
      const q = segs[k + 1];
      if (p < x) {
        const to = Math.min(q, x);
        out.push(p, to);
        remaining += to - p;
      }
      if (q > y) {
        const from = Math.max(p, y);
        out.push(from + delta, q + delta);
        remaining += q - from;
      }
    }
    e.segs = out;
    e.remaining = remaining;
  }

  private lowerBound(offset: number): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.order[mid].start < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Pure form of {@link EditTracker.apply}: the spans after one change event, in the order given. */
export function applyEdits(spans: readonly TrackedSpan[], edits: readonly TextEdit[]): SpanState[] {
  const tracker = new EditTracker(spans);
  tracker.apply(edits);
  return spans.map((s) => tracker.get(s.id) as SpanState);
}

function newEntry(s: TrackedSpan): Entry {
  if (!(s.start >= 0 && s.end >= s.start)) throw new RangeError(`EditTracker: invalid span ${s.id} [${s.start}, ${s.end})`);
  const len = s.end - s.start;
  return {
    id: s.id,
    start: s.start,
    end: s.end,
    original: len,
    remaining: len,
    segs: null,
    orphaned: len === 0,
    mark: 0,
    prevStart: s.start,
    prevEnd: s.end,
  };
}

function snapshotOf(e: Entry): SpanState {
  return { id: e.id, start: e.start, end: e.end, original: e.original, remaining: e.remaining, orphaned: e.orphaned };
}
