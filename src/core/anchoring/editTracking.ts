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
  /** Whatever the caller keeps with the span (LiveDocument: its annotation), handed back by queries. */
  data?: unknown;
}

export interface SpanState extends TrackedSpan {
  /** Length of the span when it was added (its original characters). */
  original: number;
  /** How many of the original characters are still in the document. */
  remaining: number;
  orphaned: boolean;
}

/**
 * What one change event did. `changed` lists the spans the edits reached (typed into, cut, pushed aside) whose
 * offsets changed; the spans after an edit all move by the same amount and are not listed one by one (that would
 * cost a keystroke as much as the document has annotations): `shifted` says whether any did.
 */
export interface EditOutcome {
  changed: string[];
  orphaned: string[];
  shifted: boolean;
}

/** A run of spans in document order sharing one pending shift: each entry's stored offsets plus `shift` are its
 *  offsets in the text. Shifting everything after an edit adds to the shift of the blocks after it (one addition per
 *  block), so a keystroke costs O(n / BLOCK + BLOCK) instead of O(n). */
interface Block {
  entries: Entry[];
  shift: number;
  /** Upper bound of the lengths of the block's spans: how far before a query a span of this block can start. */
  maxLen: number;
  /** Upper bound of the block's span ends (relative to `shift`): a block ending before a position has nothing there,
   *  however long its spans, so a few long spans cost only the blocks that hold them. */
  maxEnd: number;
}

interface Entry {
  id: string;
  data: unknown;
  /** Offsets relative to the block's shift. */
  start: number;
  end: number;
  original: number;
  remaining: number;
  /** Original characters as [from, to) pairs relative to `start`; null while the whole span is still original. */
  segs: number[] | null;
  orphaned: boolean;
  /** Epoch of the last event that touched this entry eagerly, and its offsets in the text before that event. */
  mark: number;
  prevStart: number;
  prevEnd: number;
  block: Block;
}

/** Entries per block; a block is split when it doubles. Chosen with the typing bench (64–256 measure alike). */
const BLOCK = 128;

/** True when a span with these counts must be orphaned: more than half of its original characters gone, or empty. */
export function isMostlyRemoved(original: number, remaining: number, length: number): boolean {
  return length === 0 || remaining * 2 < original;
}

/**
 * Tracks spans by id through editor change events. Spans are kept sorted by start (every edit maps offsets
 * monotonically, so the order never changes) in blocks with a lazy shift, so an edit only visits the spans that can
 * reach it and shifts the blocks after it as wholes. The same structure answers which spans touch a position or
 * overlap a range, so an open document needs no index rebuilt after each keystroke.
 */
export class EditTracker {
  private blocks: Block[] = [];
  private readonly byId = new Map<string, Entry>();
  /** Upper bound of every span's length: spans starting before `offset - maxLen` cannot reach `offset`. */
  private maxLen = 0;
  private epoch = 0;
  private readonly blockSize: number;

  /** `blockSize` is for tests, which compare small blocks with one block holding everything. */
  constructor(spans: Iterable<TrackedSpan> = [], options: { blockSize?: number } = {}) {
    this.blockSize = options.blockSize ?? BLOCK;
    const list: Entry[] = [];
    for (const s of spans) {
      if (this.byId.has(s.id)) throw new Error(`EditTracker: duplicate span id ${s.id}`);
      const e = newEntry(s);
      this.byId.set(s.id, e);
      list.push(e);
    }
    list.sort((x, y) => x.start - y.start);
    for (let i = 0; i < list.length; i += this.blockSize) {
      const b: Block = { entries: list.slice(i, i + this.blockSize), shift: 0, maxLen: 0, maxEnd: 0 };
      for (const e of b.entries) e.block = b;
      measure(b);
      this.blocks.push(b);
      this.maxLen = Math.max(this.maxLen, b.maxLen);
    }
  }

  get size(): number {
    return this.byId.size;
  }

  /** Adds a span, or replaces the one with the same id; its current text becomes its original text. */
  set(span: TrackedSpan): void {
    this.delete(span.id);
    const e = newEntry(span);
    this.byId.set(span.id, e);
    let { bi, i } = this.lowerBound(e.start);
    if (this.blocks.length === 0) this.blocks.push({ entries: [], shift: 0, maxLen: 0, maxEnd: 0 });
    if (bi === this.blocks.length) {
      bi = this.blocks.length - 1;
      i = this.blocks[bi].entries.length;
    }
    const b = this.blocks[bi];
    e.block = b;
    e.start -= b.shift;
    e.end -= b.shift;
    b.entries.splice(i, 0, e);
    b.maxLen = Math.max(b.maxLen, e.end - e.start);
    b.maxEnd = Math.max(b.maxEnd, e.end);
    this.maxLen = Math.max(this.maxLen, e.end - e.start);
    if (b.entries.length > 2 * this.blockSize) this.split(bi);
  }

  delete(id: string): boolean {
    const e = this.byId.get(id);
    if (!e) return false;
    this.byId.delete(id);
    const b = e.block;
    const entries = b.entries;
    let i = lowerBoundIn(entries, e.start);
    while (entries[i] !== e) i++;
    entries.splice(i, 1);
    if (entries.length === 0) this.blocks.splice(this.blocks.indexOf(b), 1);
    return true;
  }

  get(id: string): SpanState | undefined {
    const e = this.byId.get(id);
    return e && snapshotOf(e);
  }

  /** The current offsets of a span. */
  offsets(id: string): TrackedSpan | undefined {
    const e = this.byId.get(id);
    return e && { id: e.id, start: e.start + e.block.shift, end: e.end + e.block.shift };
  }

  /** All spans, sorted by start. */
  spans(): SpanState[] {
    const out: SpanState[] = [];
    for (const b of this.blocks) for (const e of b.entries) out.push(snapshotOf(e));
    return out;
  }

  /**
   * Spans with start <= startAtMost and end >= endAtLeast, leaving out orphaned and empty ones, in document order
   * (by start, then longer first, then by id). `overlapping` and `touching` are this one query.
   */
  query(startAtMost: number, endAtLeast: number): TrackedSpan[];
  /** The same, each answer made by `make` (no intermediate objects on a hot path). */
  query<R extends TrackedSpan>(startAtMost: number, endAtLeast: number, make: (id: string, start: number, end: number, data: unknown) => R): R[];
  query(startAtMost: number, endAtLeast: number, make: (id: string, start: number, end: number, data: unknown) => TrackedSpan = plain): TrackedSpan[] {
    const out: TrackedSpan[] = [];
    const blocks = this.blocks;
    // The first block that can hold a span reaching endAtLeast: its last span starts at or after endAtLeast - maxLen.
    let lo = 0;
    let hi = blocks.length;
    const reach = endAtLeast - this.maxLen;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const b = blocks[mid];
      if (b.entries[b.entries.length - 1].start + b.shift < reach) lo = mid + 1;
      else hi = mid;
    }
    for (let bi = lo; bi < blocks.length; bi++) {
      const b = blocks[bi];
      const entries = b.entries;
      const shift = b.shift;
      if (entries[0].start + shift > startAtMost) break;
      if (b.maxEnd + shift < endAtLeast) continue;
      for (let i = lowerBoundIn(entries, endAtLeast - b.maxLen - shift); i < entries.length; i++) {
        const e = entries[i];
        const start = e.start + shift;
        if (start > startAtMost) break;
        const end = e.end + shift;
        if (end < endAtLeast || end <= start || e.orphaned) continue;
        out.push(make(e.id, start, end, e.data));
      }
    }
    sortTies(out);
    return out;
  }

  /** Spans sharing at least one character with [start, end) (integer offsets). */
  overlapping(start: number, end: number): TrackedSpan[];
  overlapping<R extends TrackedSpan>(start: number, end: number, make: (id: string, start: number, end: number, data: unknown) => R): R[];
  overlapping(start: number, end: number, make: (id: string, start: number, end: number, data: unknown) => TrackedSpan = plain): TrackedSpan[] {
    return end > start ? this.query(end - 1, start + 1, make) : [];
  }

  /** Spans containing or bordering the caret position `offset`: start <= offset <= end. */
  touching(offset: number): TrackedSpan[] {
    return this.query(offset, offset);
  }

  /**
   * Applies one change event. Its edits all refer to the text before the event and must not overlap (as VS Code's
   * `contentChanges`); two insertions at the same offset are applied in the given order, the later one ending up
   * first, as applying them from the end of the text does.
   */
  apply(edits: readonly TextEdit[]): EditOutcome {
    const outcome: EditOutcome = { changed: [], orphaned: [], shifted: false };
    if (edits.length === 0) return outcome;
    const epoch = ++this.epoch;
    // From the end backwards: an edit never moves the offsets of the edits before it (in the text), so each edit
    // reaches the spans it touches at their offsets before the event and then shifts everything after it.
    const sorted = edits.length === 1 ? edits : [...edits].sort((x, y) => y.offset - x.offset);
    const touched: Entry[] = [];
    let limit = Infinity;
    for (const edit of sorted) {
      const a = edit.offset;
      const d = edit.deleteLength;
      const b = a + d;
      const ins = edit.insertText.length;
      if (a < 0 || d < 0 || b > limit) throw new RangeError(`EditTracker: edits overlap or are negative at offset ${a}`);
      limit = a;
      const from = this.lowerBound(d === 0 ? a : b);
      this.touch(from, a, b, ins, epoch, touched);
      if (ins !== d && this.shiftFrom(from, ins - d)) outcome.shifted = true;
    }
    for (const e of touched) {
      const shift = e.block.shift;
      if (e.start + shift !== e.prevStart || e.end + shift !== e.prevEnd) outcome.changed.push(e.id);
      if (!e.orphaned && isMostlyRemoved(e.original, e.remaining, e.end - e.start)) {
        e.orphaned = true;
        e.segs = null;
        outcome.orphaned.push(e.id);
      }
    }
    return outcome;
  }

  /** The spans before `from` that reach the edit [a, b) (inserting `ins` characters) take it in, by the rules above. */
  private touch(from: { bi: number; i: number }, a: number, b: number, ins: number, epoch: number, touched: Entry[]): void {
    const d = b - a;
    for (let bi = Math.min(from.bi, this.blocks.length - 1); bi >= 0; bi--) {
      const block = this.blocks[bi];
      const entries = block.entries;
      const shift = block.shift;
      const last = bi === from.bi ? from.i - 1 : entries.length - 1;
      if (last < 0) continue;
      // Spans are sorted by start: once the last one here cannot reach the edit with the longest length, none before can.
      if (entries[last].start + shift + this.maxLen <= a) break;
      if (block.maxEnd + shift <= a) continue;
      for (let i = last; i >= 0; i--) {
        const e = entries[i];
        const start = e.start + shift;
        if (start + block.maxLen <= a) break;
        if (e.end + shift <= a) continue; // ends at or before the edit: untouched (an insertion at its end goes after it)
        if (e.mark !== epoch) {
          e.mark = epoch;
          e.prevStart = start;
          e.prevEnd = e.end + shift;
          touched.push(e);
        }
        if (d === 0 || (a >= start && b <= e.end + shift)) {
          // Strictly inside (an insertion), or a deletion within the span: the inserted text joins the span.
          this.replaceInside(e, a - start, b - start, ins);
        } else if (a < start) {
          // Crosses (or covers) the start: the span loses its deleted head and starts after the inserted text.
          this.replaceInside(e, 0, Math.min(b, e.end + shift) - start, 0);
          const move = a + ins - start;
          e.start += move;
          e.end += move;
          if (e.end > block.maxEnd) block.maxEnd = e.end;
        } else {
          // Crosses the end: the span loses its deleted tail; the inserted text follows it.
          this.replaceInside(e, a - start, e.end + shift - start, 0);
        }
      }
    }
  }

  /** Moves every span from `from` on by `delta`: one by one to the end of its block, then block by block. Says
   *  whether there was any span to move. */
  private shiftFrom(from: { bi: number; i: number }, delta: number): boolean {
    if (from.bi >= this.blocks.length) return false;
    const block = this.blocks[from.bi];
    const entries = block.entries;
    for (let i = from.i; i < entries.length; i++) {
      entries[i].start += delta;
      entries[i].end += delta;
    }
    if (delta > 0 && from.i < entries.length) block.maxEnd += delta;
    for (let bi = from.bi + 1; bi < this.blocks.length; bi++) this.blocks[bi].shift += delta;
    return true;
  }

  /** Replaces the span-relative range [x, y) with `ins` new (not original) characters inserted at x. */
  private replaceInside(e: Entry, x: number, y: number, ins: number): void {
    const len = e.end - e.start;
    const delta = ins - (y - x);
    e.end += delta;
    if (e.end - e.start > e.block.maxLen) e.block.maxLen = e.end - e.start;
    if (e.end > e.block.maxEnd) e.block.maxEnd = e.end;
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

  /** Splits a block that has grown to twice its size into two. */
  private split(bi: number): void {
    const b = this.blocks[bi];
    const half = b.entries.length >> 1;
    const next: Block = { entries: b.entries.slice(half), shift: b.shift, maxLen: 0, maxEnd: 0 };
    b.entries.length = half;
    for (const e of next.entries) e.block = next;
    measure(b);
    measure(next);
    this.blocks.splice(bi + 1, 0, next);
  }

  /** Where the first span starting at or after `offset` is (block, index); past the end when there is none. */
  private lowerBound(offset: number): { bi: number; i: number } {
    const blocks = this.blocks;
    let lo = 0;
    let hi = blocks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const b = blocks[mid];
      if (b.entries[b.entries.length - 1].start + b.shift < offset) lo = mid + 1;
      else hi = mid;
    }
    if (lo === blocks.length) return { bi: lo, i: 0 };
    return { bi: lo, i: lowerBoundIn(blocks[lo].entries, offset - blocks[lo].shift) };
  }
}

/** Sets a block's bounds from its spans. */
function measure(b: Block): void {
  b.maxLen = 0;
  b.maxEnd = -Infinity;
  for (const e of b.entries) {
    if (e.end - e.start > b.maxLen) b.maxLen = e.end - e.start;
    if (e.end > b.maxEnd) b.maxEnd = e.end;
  }
}

/** The first entry of a block (sorted by stored start) starting at or after `offset` (in the block's stored units). */
function lowerBoundIn(entries: readonly Entry[], offset: number): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (entries[mid].start < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Among spans starting together: longer first, then by id. */
function tieOrder(x: TrackedSpan, y: TrackedSpan): number {
  return y.end - x.end || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
}

function plain(id: string, start: number, end: number, data: unknown): TrackedSpan {
  return data === undefined ? { id, start, end } : { id, start, end, data };
}

/** Sorts, in place, each run of spans with the same start (longer first, then by id) of a list sorted by start. */
function sortTies(items: TrackedSpan[]): void {
  for (let i = 0; i < items.length;) {
    let j = i + 1;
    while (j < items.length && items[j].start === items[i].start) j++;
    // Insertion sort: runs are short (spans starting on the same word).
    for (let k = i + 1; k < j; k++) {
      const x = items[k];
      let m = k - 1;
      while (m >= i && tieOrder(items[m], x) > 0) {
        items[m + 1] = items[m];
        m--;
      }
      items[m + 1] = x;
    }
    i = j;
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
    data: s.data,
    start: s.start,
    end: s.end,
    original: len,
    remaining: len,
    segs: null,
    orphaned: len === 0,
    mark: 0,
    prevStart: s.start,
    prevEnd: s.end,
    block: undefined as unknown as Block, // set when the entry is placed in a block
  };
}

function snapshotOf(e: Entry): SpanState {
  const shift = e.block.shift;
  return { id: e.id, start: e.start + shift, end: e.end + shift, original: e.original, remaining: e.remaining, orphaned: e.orphaned };
}
