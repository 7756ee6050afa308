// Which spans cover an offset: the lookup behind hovers and visible-range decorations, built once per document
// version and then only queried. Offsets are UTF-16 code units; spans are half-open [start, end).
//
// The structure: spans grouped by length class (lengths in [2^c, 2^(c+1))), each class sorted by start in flat
// arrays. A span of a class whose longest member has length L can only contain x if it starts in (x - L, x], so a
// query is one binary search per class and a scan of that window. Every member is longer than L / 2, so every span
// starting in the window's later half is an answer; only those in its earlier half can be misses. A query costs
// O(classes · log n + answers + misses), and misses stay a fraction of the answers unless spans of one length class
// pile up just out of reach of the query, which annotations of prose do not do.
//
// Why not the textbook augmented tree (a max-end implicit tree, as in cgranges): it visits O(answers · log n)
// nodes, since a few long spans lift every subtree's max end and defeat its pruning. With 100,000 spans of which 1%
// are long, a point query took 46 µs there and takes a few µs here; on short spans the two are equal.

/** A half-open span [start, end) in UTF-16 code units, with the id of whatever it marks. */
export interface IdSpan {
  readonly start: number;
  readonly end: number;
  readonly id: string;
}

/** One length class: spans with lengths in [2^c, 2^(c+1)), by start. */
interface LengthClass {
  /** Length of the longest span in the class: how far before a query a containing span can start. */
  readonly maxLength: number;
  readonly starts: Float64Array;
  readonly ends: Float64Array;
  /** Position of each span in document order, which merges the classes' answers. */
  readonly ranks: Int32Array;
}

// Answers are gathered here as ranks before being sorted into document order. Queries never call out while
// gathering, so one buffer serves every index.
let scratch = new Int32Array(256);

/**
 * An immutable index of spans answering "which spans contain this offset" and "which intersect this range".
 * Overlapping, nested and identical spans are all allowed; empty spans are not, because they contain no character
 * and so could never be hovered.
 *
 * Every query returns spans in document order: by start, then longer first (an enclosing span before the spans it
 * encloses), then by id, which is also the order of iteration.
 *
 * Hover positions: VS Code hands a hover provider the caret position nearest the mouse, i.e. a position *between*
 * characters, rounded (microsoft/vscode#8808). Over the left half of a character the position is just before it;
 * over the right half, just after it. So with the mouse on the right half of a span's last character the position is
 * the span's `end`, which {@link at} (rightly, for a character offset) excludes. Hover code should therefore ask
 * {@link touching}, which also counts `end`; the price is that the right half of the character just before a span,
 * or the left half of the one after it, also finds the span — a half-character slop that VS Code's own word hovers
 * (`getWordRangeAtPosition`) accept too.
 */
export class IntervalIndex<T extends IdSpan = IdSpan> implements Iterable<T> {
  private readonly items: readonly T[];
  private readonly classes: readonly LengthClass[];

  /** @throws RangeError when a span is empty, reversed, negative or not at integer offsets. */
  constructor(spans: Iterable<T>) {
    const items = [...spans];
    // Hosts rebuild the index on every change of a document's annotations, mostly from lists already in (or nearly
    // in) document order: checking the order first, and filling the classes in two counting passes, keeps a rebuild
    // of 10,000 spans well under a millisecond.
    let ordered = true;
    let byStart = true;
    for (let i = 0; i < items.length; i++) {
      const s = items[i];
      if (!Number.isInteger(s.start) || !Number.isInteger(s.end) || s.start < 0 || s.end <= s.start) {
        throw new RangeError(
          `Span "${s.id}" is [${s.start}, ${s.end}); an indexed span needs integer offsets with 0 <= start < end ` +
            '(leave out orphaned or emptied annotations before building the index).',
        );
      }
      if (ordered && i > 0 && documentOrder(items[i - 1], s) > 0) {
        ordered = false;
        byStart = items[i - 1].start <= s.start;
      } else if (byStart && i > 0 && items[i - 1].start > s.start) byStart = false;
    }
    // Sorted by start (as an editor's spans and a sidecar are) only spans starting together can be out of order.
    if (!ordered && byStart) sortTies(items);
    else if (!ordered) items.sort(documentOrder);
    // Splitting the sorted items by class keeps each class sorted by start, with ranks ascending.
    const counts = new Int32Array(32);
    for (let r = 0; r < items.length; r++) counts[lengthClass(items[r].end - items[r].start)]++;
    const byClass: Array<{ maxLength: number; starts: Float64Array; ends: Float64Array; ranks: Int32Array } | undefined> = [];
    for (let c = 0; c < 32; c++) {
      if (counts[c] > 0)
        byClass[c] = { maxLength: 0, starts: new Float64Array(counts[c]), ends: new Float64Array(counts[c]), ranks: new Int32Array(counts[c]) };
    }
    const filled = new Int32Array(32);
    for (let r = 0; r < items.length; r++) {
      const { start, end } = items[r];
      const c = lengthClass(end - start);
      const k = byClass[c] as { maxLength: number; starts: Float64Array; ends: Float64Array; ranks: Int32Array };
      const i = filled[c]++;
      k.starts[i] = start;
      k.ends[i] = end;
      k.ranks[i] = r;
      if (end - start > k.maxLength) k.maxLength = end - start;
    }
    this.classes = byClass.filter((k) => k !== undefined);
    // Frozen last: V8 reads the elements of a frozen array several times slower.
    this.items = Object.freeze(items);
  }

  /** Number of spans in the index. */
  get size(): number {
    return this.items.length;
  }

  /** Spans containing the character at `offset`: start <= offset < end. */
  at(offset: number): T[] {
    // For integer span bounds: start <= x  ⇔  start <= floor(x);  end > x  ⇔  end >= floor(x) + 1.
    return this.collect(Math.floor(offset), Math.floor(offset) + 1);
  }

  /** Spans containing or bordering the caret position `offset`: start <= offset <= end. What a hover should ask. */
  touching(offset: number): T[] {
    return this.collect(Math.floor(offset), Math.ceil(offset));
  }

  /** Spans sharing at least one character with [start, end): span.start < end && span.end > start. An empty range
   *  shares no character, so it finds nothing; ask {@link touching} for a caret. */
  overlapping(start: number, end: number): T[] {
    return end > start ? this.collect(Math.ceil(end) - 1, Math.floor(start) + 1) : [];
  }

  /** How many spans {@link at} would return, without building the list. */
  countAt(offset: number): number {
    return this.query(Math.floor(offset), Math.floor(offset) + 1, false);
  }

  /** How many spans {@link overlapping} would return, without building the list. */
  countOverlapping(start: number, end: number): number {
    return end > start ? this.query(Math.ceil(end) - 1, Math.floor(start) + 1, false) : 0;
  }

  [Symbol.iterator](): Iterator<T> {
    return this.items[Symbol.iterator]();
  }

  private collect(startAtMost: number, endAtLeast: number): T[] {
    const found = this.query(startAtMost, endAtLeast, true);
    const ranks = scratch.subarray(0, found);
    ranks.sort(); // numeric for a typed array; each class's ranks arrive ascending, so this only interleaves
    const out = new Array<T>(found);
    for (let i = 0; i < found; i++) out[i] = this.items[ranks[i]];
    return out;
  }

  /** Counts every span with start <= startAtMost and end >= endAtLeast, gathering their ranks in `scratch` when
   *  asked. Every query reduces to this one shape. */
  private query(startAtMost: number, endAtLeast: number, gather: boolean): number {
    let found = 0;
    if (Number.isNaN(startAtMost) || Number.isNaN(endAtLeast)) return 0;
    for (const { maxLength, starts, ends, ranks } of this.classes) {
      // A span of this class ending at or after endAtLeast starts at or after endAtLeast - maxLength.
      const from = endAtLeast - maxLength;
      let lo = 0;
      let hi = starts.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (starts[mid] < from) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < starts.length && starts[i] <= startAtMost; i++) {
        if (ends[i] < endAtLeast) continue;
        if (gather) {
          if (found === scratch.length) {
            const grown = new Int32Array(scratch.length * 2);
            grown.set(scratch);
            scratch = grown;
          }
          scratch[found] = ranks[i];
        }
        found++;
      }
    }
    return found;
  }
}

/** Document order: by start, then longer first, then by id. */
function documentOrder(a: IdSpan, b: IdSpan): number {
  return a.start - b.start || b.end - a.end || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Sorts, in place, each run of spans with the same start of a list sorted by start. */
function sortTies(items: IdSpan[]): void {
  for (let i = 0; i < items.length;) {
    let j = i + 1;
    while (j < items.length && items[j].start === items[i].start) j++;
    if (j - i > 1) {
      const run = items.slice(i, j).sort(documentOrder);
      for (let k = 0; k < run.length; k++) items[i + k] = run[k];
    }
    i = j;
  }
}

/** floor(log2(length)) for a positive integer length: the class of lengths [2^c, 2^(c+1)). */
function lengthClass(length: number): number {
  return length >= 2 ** 31 ? 31 : 31 - Math.clz32(length);
}
