// Re-anchoring after changes made outside the editor: through a diff from the snapshot an annotation was anchored
// against, or, without a snapshot, by searching for its quote. "An orphan is better than a wrong place": every
// position is verified against the quote before it is kept.
import type DiffMatchPatchClass from 'diff-match-patch';
import { isMostlyRemoved } from './editTracking';
import type { AnchorState, AnchorStatus, Annotation, ResolveMethod, Span, TextQuote } from '../model';
import { findContextEdge, scoreCandidate, searchQuote } from './quoteSearch';
import { contentHash, isHighSurrogate, isLowSurrogate, makeQuote, plural, cutsPair, spanHolds } from '../model';

// ---------------------------------------------------------------------------------------------------------------
// Diff
//
// The diff unit is the token: a run of letters/digits (a word), a run of whitespace, or any other single character
// (punctuation, an ideograph, an emoji). A changed word is replaced as a whole, as a person sees it, and as the
// edit tracker treats a replacement: "cat" → "scat" is one replacement, not an inserted "s", so an annotation that
// starts at the word keeps the new word. Tokens are aligned with a patience diff (anchored on tokens, or failing
// that on runs of tokens, that occur once on each side), recursing into the gaps; only gaps without such anchors
// go to diff-match-patch's Myers diff, on token strings. This keeps a 1 MB document with thousands of scattered
// edits near-linear, where a character-level Myers diff is O(N·D) and would hit its timeout.
// ---------------------------------------------------------------------------------------------------------------

const enum Cls {
  Unknown = 0,
  Word = 1,
  Space = 2,
  Other = 3,
}

const WORD_RE = /[\p{L}\p{M}\p{N}_]/u;
const IDEOGRAPH_RE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const SPACE_RE = /\s/u;
const bmpClass = new Uint8Array(0x10000);

function classifyCodePoint(cp: number): Cls {
  if (cp < 0x10000 && bmpClass[cp] !== Cls.Unknown) return bmpClass[cp] as Cls;
  const ch = String.fromCodePoint(cp);
  // Ideographic scripts write no spaces between words: one character per token keeps tokens word-sized.
  const cls = SPACE_RE.test(ch) ? Cls.Space : WORD_RE.test(ch) && !IDEOGRAPH_RE.test(ch) ? Cls.Word : Cls.Other;
  if (cp < 0x10000) bmpClass[cp] = cls;
  return cls;
}

/** Class of the character that covers code unit `i` (a surrogate pair is classified as its code point). */
function classAt(text: string, i: number): Cls {
  const c = text.charCodeAt(i);
  if (c < 0x80) {
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f) return Cls.Word;
    if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) return Cls.Space;
    return Cls.Other;
  }
  if (isHighSurrogate(c) && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1))) {
    return classifyCodePoint(text.codePointAt(i) as number);
  }
  if (isLowSurrogate(c) && i > 0 && isHighSurrogate(text.charCodeAt(i - 1))) {
    return classifyCodePoint(text.codePointAt(i - 1) as number);
  }
  return classifyCodePoint(c);
}

/** True when offset `p` falls inside a token of `text` (inside a word or whitespace run, or a surrogate pair). */
function splitsToken(text: string, p: number): boolean {
  if (p <= 0 || p >= text.length) return false;
  if (isLowSurrogate(text.charCodeAt(p)) && isHighSurrogate(text.charCodeAt(p - 1))) return true;
  const before = classAt(text, p - 1);
  return before !== Cls.Other && before === classAt(text, p);
}

interface Tokens {
  /** Token ids: a single code unit is its own id; longer tokens are interned from 0x10000 on. */
  ids: Int32Array;
  /** Absolute start offset of each token, plus the end offset of the last one. */
  starts: Int32Array;
  count: number;
}

function tokenize(text: string, from: number, to: number, intern: Map<string, number>): Tokens {
  const ids = new Int32Array(to - from);
  const starts = new Int32Array(to - from + 1);
  let n = 0;
  let i = from;
  while (i < to) {
    const cls = classAt(text, i);
    let j = i + (isHighSurrogate(text.charCodeAt(i)) && i + 1 < to && isLowSurrogate(text.charCodeAt(i + 1)) ? 2 : 1);
    if (cls !== Cls.Other) while (j < to && classAt(text, j) === cls) j++;
    starts[n] = i;
    if (j === i + 1) ids[n] = text.charCodeAt(i);
    else {
      const s = text.slice(i, j);
      let id = intern.get(s);
      if (id === undefined) {
        id = 0x10000 + intern.size;
        intern.set(s, id);
      }
      ids[n] = id;
    }
    n++;
    i = j;
  }
  starts[n] = to;
  return { ids, starts, count: n };
}

/** Token ranges [a0, a1) of the old text replaced by [b0, b1) of the new. */
type TokenHunk = [number, number, number, number];

let differ: DiffMatchPatchClass | undefined;
const DIFF_EQUAL = 0;
const DIFF_DELETE = -1;

/** diff-match-patch, loaded at its first use: the extension bundle keeps it in a chunk of its own (dist/dmp.js, see
 *  esbuild.mjs), since only outside changes and reloads need a diff. */
function dmp(): DiffMatchPatchClass {
  if (!differ) {
    const DiffMatchPatch = require('diff-match-patch') as typeof DiffMatchPatchClass;
    differ = new DiffMatchPatch();
    // Only anchor-free gaps reach Myers; a gap that still takes this long is a rewrite and a coarse diff is fine
    // (annotations in it are re-found by quote search). The bound is wall time, so it is set well above what a real
    // edit needs (20 scattered word changes in 20,000 words: 25-120 ms of CPU), or a busy machine would turn ordinary
    // edits into coarse diffs.
    differ.Diff_Timeout = 1;
  }
  return differ;
}

/** Patience diff of two token sequences; hunks come out sorted. */
function diffTokens(A: Int32Array, n: number, B: Int32Array, m: number, vocab: number): TokenHunk[] {
  const hunks: TokenHunk[] = [];
  const countA = new Int32Array(vocab);
  const countB = new Int32Array(vocab);
  const posB = new Int32Array(vocab);
  const stack: number[] = [0, n, 0, m];
  while (stack.length > 0) {
    let b1 = stack.pop() as number;
    let b0 = stack.pop() as number;
    let a1 = stack.pop() as number;
    let a0 = stack.pop() as number;
    while (a0 < a1 && b0 < b1 && A[a0] === B[b0]) (a0++, b0++);
    while (a0 < a1 && b0 < b1 && A[a1 - 1] === B[b1 - 1]) (a1--, b1--);
    if (a0 === a1 || b0 === b1) {
      if (a0 < a1 || b0 < b1) hunks.push([a0, a1, b0, b1]);
      continue;
    }
    let anchors = uniqueTokenPairs(A, a0, a1, B, b0, b1, countA, countB, posB);
    let k = 1;
    // Repetitive text (boilerplate, a permuted corpus) may have no unique single tokens: try unique runs.
    for (let run = 4; anchors.length === 0 && run <= 32 && a1 - a0 > run && b1 - b0 > run; run *= 2) {
      anchors = uniqueRunPairs(A, a0, a1, B, b0, b1, run);
      k = run;
    }
    if (anchors.length === 0) {
      myersLeaf(A, a0, a1, B, b0, b1, hunks);
      continue;
    }
    const chain = longestIncreasing(anchors);
    let pa = a0;
    let pb = b0;
    const gaps: number[] = [];
    for (let c = 0; c < chain.length; c += 2) {
      const i = chain[c];
      const j = chain[c + 1];
      if (i < pa || j < pb) {
        // Overlapping runs of k tokens: keep them only when they continue the same diagonal.
        if (i - j === pa - pb && i + k > pa) {
          pa = i + k;
          pb = j + k;
        }
        continue;
      }
      gaps.push(pa, i, pb, j);
      pa = i + k;
      pb = j + k;
    }
    gaps.push(pa, a1, pb, b1);
    // Pushed in reverse so gaps are processed left to right (not needed for correctness: hunks are sorted).
    for (let g = gaps.length - 4; g >= 0; g -= 4) stack.push(gaps[g], gaps[g + 1], gaps[g + 2], gaps[g + 3]);
  }
  hunks.sort((x, y) => x[0] - y[0] || x[2] - y[2]);
  return hunks;
}

/** (i, j) pairs, by i, of tokens that occur exactly once in A[a0, a1) and once in B[b0, b1). */
function uniqueTokenPairs(
  A: Int32Array,
  a0: number,
  a1: number,
  B: Int32Array,
  b0: number,
  b1: number,
  countA: Int32Array,
  countB: Int32Array,
  posB: Int32Array,
): number[] {
  for (let i = a0; i < a1; i++) countA[A[i]]++;
  for (let j = b0; j < b1; j++) {
    countB[B[j]]++;
    posB[B[j]] = j;
  }
  const pairs: number[] = [];
  for (let i = a0; i < a1; i++) {
    const t = A[i];
    if (countA[t] === 1 && countB[t] === 1) pairs.push(i, posB[t]);
  }
  for (let i = a0; i < a1; i++) countA[A[i]] = 0;
  for (let j = b0; j < b1; j++) countB[B[j]] = 0;
  return pairs;
}

/** Like uniqueTokenPairs for runs of `k` tokens (rolling hashes, then compared); returns the runs' starts. */
function uniqueRunPairs(A: Int32Array, a0: number, a1: number, B: Int32Array, b0: number, b1: number, k: number): number[] {
  const ha = rollingHashes(A, a0, a1, k);
  const hb = rollingHashes(B, b0, b1, k);
  // Open addressing over the hashes of A: slot → position in A of a run seen once, or -1 once it repeats; and the
  // same for B, only for hashes A has.
  const size = 1 << Math.ceil(Math.log2(2 * ha.length + 2));
  const mask = size - 1;
  const keys = new Int32Array(size);
  const used = new Uint8Array(size);
  const posA = new Int32Array(size);
  const posB = new Int32Array(size).fill(-2); // -2: not in B
  const slot = (h: number): number => {
    let x = (Math.imul(h, 0x9e3779b1) >>> 0) & mask;
    while (used[x] && keys[x] !== h) x = (x + 1) & mask;
    return x;
  };
  for (let i = 0; i < ha.length; i++) {
    const x = slot(ha[i]);
    if (used[x]) posA[x] = -1;
    else {
      used[x] = 1;
      keys[x] = ha[i];
      posA[x] = a0 + i;
    }
  }
  for (let j = 0; j < hb.length; j++) {
    const x = slot(hb[j]);
    if (!used[x] || posA[x] < 0) continue;
    posB[x] = posB[x] === -2 ? b0 + j : -1;
  }
  const pairs: number[] = [];
  for (let i = 0; i < ha.length; i++) {
    const x = slot(ha[i]);
    const j = posB[x];
    if (posA[x] !== a0 + i || j < 0) continue;
    let same = true;
    for (let t = 0; t < k && same; t++) same = A[a0 + i + t] === B[j + t];
    if (same) pairs.push(a0 + i, j);
  }
  return pairs;
}

/** Polynomial hashes (mod 2^32) of every run of `k` tokens of S[from, to), rolled in O(1) each. */
function rollingHashes(S: Int32Array, from: number, to: number, k: number): Int32Array {
  const n = Math.max(0, to - from - k + 1);
  const out = new Int32Array(n);
  if (n === 0) return out;
  const P = 0x01000193;
  let top = 1; // P^(k-1)
  for (let t = 1; t < k; t++) top = Math.imul(top, P);
  let h = 0;
  for (let t = 0; t < k; t++) h = (Math.imul(h, P) + S[from + t]) | 0;
  out[0] = h;
  for (let i = 1; i < n; i++) {
    h = (Math.imul(h - Math.imul(S[from + i - 1], top), P) + S[from + i + k - 1]) | 0;
    out[i] = h;
  }
  return out;
}

/** Longest chain of pairs (sorted by i) with increasing j, by patience sorting; returns flat (i, j) pairs. */
function longestIncreasing(pairs: number[]): number[] {
  const count = pairs.length >> 1;
  const tailIdx: number[] = [];
  const prev = new Int32Array(count);
  for (let p = 0; p < count; p++) {
    const j = pairs[2 * p + 1];
    let lo = 0;
    let hi = tailIdx.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pairs[2 * tailIdx[mid] + 1] < j) lo = mid + 1;
      else hi = mid;
    }
    prev[p] = lo > 0 ? tailIdx[lo - 1] : -1;
    tailIdx[lo] = p;
  }
  const out: number[] = new Array(tailIdx.length * 2);
  let p = tailIdx.length > 0 ? tailIdx[tailIdx.length - 1] : -1;
  for (let c = tailIdx.length - 1; c >= 0; c--) {
    out[2 * c] = pairs[2 * p];
    out[2 * c + 1] = pairs[2 * p + 1];
    p = prev[p];
  }
  return out;
}

/** Myers diff (diff-match-patch) of a gap, each token encoded as one character. */
function myersLeaf(A: Int32Array, a0: number, a1: number, B: Int32Array, b0: number, b1: number, hunks: TokenHunk[]): void {
  const local = new Map<number, number>();
  const encode = (S: Int32Array, from: number, to: number): string | undefined => {
    const codes: number[] = [];
    for (let i = from; i < to; i++) {
      let c = local.get(S[i]);
      if (c === undefined) {
        c = 0x100 + local.size;
        if (c >= 0xd800) c += 0x800; // skip the surrogate range
        if (c > 0xffff) return undefined;
        local.set(S[i], c);
      }
      codes.push(c);
    }
    let s = '';
    for (let i = 0; i < codes.length; i += 8192) s += String.fromCharCode(...codes.slice(i, i + 8192));
    return s;
  };
  const sa = encode(A, a0, a1);
  const sb = sa === undefined ? undefined : encode(B, b0, b1);
  if (sa === undefined || sb === undefined) {
    hunks.push([a0, a1, b0, b1]);
    return;
  }
  let i = a0;
  let j = b0;
  let open: TokenHunk | undefined;
  for (const [op, s] of dmp().diff_main(sa, sb, false)) {
    if (op === DIFF_EQUAL) {
      if (open) hunks.push(open);
      open = undefined;
      i += s.length;
      j += s.length;
      continue;
    }
    open ??= [i, i, j, j];
    if (op === DIFF_DELETE) open[1] = i += s.length;
    else open[3] = j += s.length;
  }
  if (open) hunks.push(open);
}

/** A span mapped through a diff: where it is now, and how many of its characters the diff kept. */
export interface MappedSpan {
  start: number;
  end: number;
  kept: number;
}

/**
 * The changes between two versions of a text as sorted, non-overlapping, non-touching hunks (old [oldStart, oldEnd)
 * replaced by new [newStart, newEnd)), with the lookups re-anchoring needs, each a binary search.
 */
export class DiffMap {
  readonly oldStart: Int32Array;
  readonly oldEnd: Int32Array;
  readonly newStart: Int32Array;
  readonly newEnd: Int32Array;
  /** Characters deleted (old side) and inserted (new side) by the hunks before hunk h. */
  private readonly delBefore: Float64Array;
  private readonly insBefore: Float64Array;

  constructor(hunks: ReadonlyArray<readonly [number, number, number, number]>) {
    const n = hunks.length;
    this.oldStart = new Int32Array(n);
    this.oldEnd = new Int32Array(n);
    this.newStart = new Int32Array(n);
    this.newEnd = new Int32Array(n);
    this.delBefore = new Float64Array(n + 1);
    this.insBefore = new Float64Array(n + 1);
    hunks.forEach(([a0, a1, b0, b1], h) => {
      this.oldStart[h] = a0;
      this.oldEnd[h] = a1;
      this.newStart[h] = b0;
      this.newEnd[h] = b1;
      this.delBefore[h + 1] = this.delBefore[h] + (a1 - a0);
      this.insBefore[h + 1] = this.insBefore[h] + (b1 - b0);
    });
  }

  get size(): number {
    return this.oldStart.length;
  }

  /** Maps an old span with the edit tracker's rules (see editTracking.ts): text inserted at a boundary stays outside,
   *  a hunk within the span has its new text inside, a hunk across a boundary cuts the span there. */
  mapSpan(start: number, end: number): MappedSpan {
    let s: number;
    const hs = countBelow(this.oldStart, start + 1) - 1; // last hunk with oldStart <= start
    if (hs >= 0 && start < this.oldEnd[hs]) {
      // The hunk deletes the span's first character.
      s = this.oldStart[hs] === start && this.oldEnd[hs] <= end ? this.newStart[hs] : this.newEnd[hs];
    } else s = hs >= 0 ? start + this.newEnd[hs] - this.oldEnd[hs] : start;
    let e: number;
    const he = countBelow(this.oldStart, end) - 1; // last hunk with oldStart < end
    if (he >= 0 && end <= this.oldEnd[he]) {
      // The hunk deletes the span's last character.
      e = this.oldEnd[he] === end && this.oldStart[he] >= start ? this.newEnd[he] : this.newStart[he];
    } else e = he >= 0 ? end + this.newEnd[he] - this.oldEnd[he] : end;
    const kept = end - start - (this.deletedBefore(end) - this.deletedBefore(start));
    return { start: s, end: Math.max(s, e), kept };
  }

  /** New-text ranges around every insertion of at least `minLength` characters, widened by `margin` on both sides
   *  and merged: where a passage the diff deleted elsewhere could have moved to. */
  insertedRanges(minLength: number, margin: number, textLength: number): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let h = 0; h < this.size; h++) {
      if (this.newEnd[h] - this.newStart[h] < minLength) continue;
      const from = Math.max(0, this.newStart[h] - margin);
      const to = Math.min(textLength, this.newEnd[h] + margin);
      const last = out[out.length - 1];
      if (last && from <= last[1]) last[1] = Math.max(last[1], to);
      else out.push([from, to]);
    }
    return out;
  }

  /** How many characters of the new text's [start, end) were inserted by the diff (not carried over). */
  insertedIn(start: number, end: number): number {
    return this.insertedBefore(end) - this.insertedBefore(start);
  }

  private deletedBefore(p: number): number {
    const h = countBelow(this.oldStart, p) - 1;
    return h < 0 ? 0 : this.delBefore[h] + Math.min(p, this.oldEnd[h]) - this.oldStart[h];
  }

  private insertedBefore(p: number): number {
    const h = countBelow(this.newStart, p) - 1;
    return h < 0 ? 0 : this.insBefore[h] + Math.min(p, this.newEnd[h]) - this.newStart[h];
  }
}

/** Number of entries of the sorted array below `x`. */
function countBelow(sorted: Int32Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface DiffOptions {
  /**
   * Merge an unchanged stretch into the changes around it when it is no longer than either of them (as
   * diff-match-patch's semantic cleanup does, at token level): a lone "in " kept between a deleted clause and an
   * inserted one is a coincidence, not the same text. Used when aligning a quote with its neighbourhood; the document
   * diff keeps every equality, since an annotation may be exactly such a short stretch between two edits.
   */
  semanticCleanup?: boolean;
}

/** Diffs two versions of a text at word granularity (see above). */
export function diffTexts(before: string, after: string, options: DiffOptions = {}): DiffMap {
  if (before === after) return new DiffMap([]);
  // Trim the common ends at character level first (cheap), backing off to token boundaries so tokens stay whole.
  let p = dmp().diff_commonPrefix(before, after);
  while (p > 0 && (splitsToken(before, p) || splitsToken(after, p))) p--;
  let q = dmp().diff_commonSuffix(before, after);
  q = Math.min(q, before.length - p, after.length - p);
  while (q > 0 && (splitsToken(before, before.length - q) || splitsToken(after, after.length - q))) q--;
  const intern = new Map<string, number>();
  const ta = tokenize(before, p, before.length - q, intern);
  const tb = tokenize(after, p, after.length - q, intern);
  const hunks = diffTokens(ta.ids, ta.count, tb.ids, tb.count, 0x10000 + intern.size);
  // To characters, merging hunks that touch (a deletion next to an insertion is one replacement), and with the
  // cleanup, hunks separated by a short equality (a stack, so a merge can enable the one before it).
  const out: Array<[number, number, number, number]> = [];
  for (const [a0, a1, b0, b1] of hunks) {
    const h: [number, number, number, number] = [ta.starts[a0], ta.starts[a1], tb.starts[b0], tb.starts[b1]];
    for (;;) {
      const last = out[out.length - 1];
      if (!last) break;
      const gap = h[0] - last[1];
      const size = (x: readonly number[]): number => Math.max(x[1] - x[0], x[3] - x[2]);
      if (gap !== 0 && !(options.semanticCleanup && gap <= size(last) && gap <= size(h))) break;
      out.pop();
      h[0] = last[0];
      h[2] = last[2];
    }
    out.push(h);
  }
  return new DiffMap(out);
}

// ---------------------------------------------------------------------------------------------------------------
// Re-anchoring
// ---------------------------------------------------------------------------------------------------------------

export interface ReanchorInput {
  /** The document's current text. */
  text: string;
  /** Annotations of this document, anchored against any of its versions. */
  annotations: readonly Annotation[];
  /** The text of an earlier version by content hash, when the store has it. */
  snapshot: (hash: string) => string | undefined;
  /** contentHash(text), when the caller has it already. */
  textHash?: string;
}

export interface ReanchorResult {
  id: string;
  before: Span;
  /** Absent for orphans. */
  after?: Span;
  status: AnchorStatus;
  method: ResolveMethod;
  detail: string;
  /** A copy with the new target (fresh quote), anchor state and docHash; an orphan keeps its old target and
   *  docHash so it can be re-attached later. */
  annotation: Annotation;
}

/** Quote+context score an occurrence next to a failed diff mapping needs to be taken instead. */
const REALIGN_SCORE = 0.85;
/** Quote+context score a moved passage's new position needs (stricter than a search without a diff: the diff says
 *  the passage is gone from where it was, so a copy elsewhere has to prove itself). */
const MOVED_SCORE = 0.8;
/** How far beyond an approximate match its context is looked for (an inserted sentence or two). */
const BRACKET_REACH = 400;

interface Found {
  span: Span;
  status: AnchorStatus;
  method: ResolveMethod;
  detail: string;
}

/**
 * Re-anchors a document's annotations to its current text: unchanged documents keep their offsets; with the snapshot
 * of the version an annotation was made against, through a word-level diff (computed once per distinct snapshot),
 * the quote verified; without one, by quote search. Results are in the order of `annotations`.
 */
export function reanchorDocument(input: ReanchorInput): ReanchorResult[] {
  const { text, annotations } = input;
  const textHash = input.textHash ?? contentHash(text);
  const diffs = new Map<string, { snapshot: string; map: DiffMap } | null>();
  const diffFor = (hash: string): { snapshot: string; map: DiffMap } | null => {
    let d = diffs.get(hash);
    if (d === undefined) {
      const snapshot = input.snapshot(hash);
      d = snapshot === undefined ? null : { snapshot, map: diffTexts(snapshot, text) };
      diffs.set(hash, d);
    }
    return d;
  };
  const found: Array<Found | string | undefined> = new Array(annotations.length);
  // Annotations to find by quote, grouped by the version their offsets refer to, with why.
  const byVersion = new Map<string, number[]>();
  const why: string[] = [];
  annotations.forEach((a, i) => {
    const { start, end, quote } = a.target;
    // The whole span is checked against the quote (not only where it starts): a hand edit or a merge can leave an end
    // that disagrees with the quote, lies beyond the text, or cuts a character in half.
    if (a.provenance.docHash === textHash && spanHolds(text, start, end, quote.exact)) {
      found[i] = { span: { start, end }, status: 'anchored', method: 'exact', detail: 'document unchanged' };
      return;
    }
    const d = a.provenance.docHash === textHash ? null : diffFor(a.provenance.docHash);
    if (d && spanHolds(d.snapshot, start, end, quote.exact)) {
      found[i] = throughDiff(text, d.map, a.target);
      return;
    }
    why[i] = a.provenance.docHash === textHash ? 'stored offsets do not match the quote' : d ? 'snapshot does not match the quote' : 'no snapshot';
    if (a.provenance.docHash === textHash && (cutsPair(text, start) || cutsPair(text, end))) why[i] = 'stored span cuts a character (a surrogate pair) in half';
    const group = byVersion.get(a.provenance.docHash) ?? [];
    group.push(i);
    byVersion.set(a.provenance.docHash, group);
  });
  for (const group of byVersion.values()) {
    // First the quotes that occur once with their whole context: certain, and landmarks of how far text has moved
    // around them, which turns the others' stale offsets into good hints (the offset a quote had is a poor guess
    // once insertions earlier in the document have pushed everything along, and a copy of the passage may be
    // nearer to it than the passage itself).
    const candidates: number[] = []; // flat (old start, new start, index)
    for (const i of group) {
      const at = uniqueWithContext(text, annotations[i].target.quote);
      if (at !== undefined) candidates.push(annotations[i].target.start, at, i);
    }
    // A quote whose context was edited can still occur once, with context, as a copy elsewhere: landmarks out of
    // order with the rest are such copies, and are searched for again like the others.
    const landmarks = monotoneLandmarks(candidates);
    for (let k = 0; k < landmarks.length; k += 3) {
      const [start, at, i] = [landmarks[k], landmarks[k + 1], landmarks[k + 2]];
      const len = annotations[i].target.quote.exact.length;
      found[i] =
        at === start && annotations[i].target.end === at + len
          ? { span: { start, end: at + len }, status: 'anchored', method: 'exact', detail: 'quote still at its offsets' }
          : {
              span: { start: at, end: at + len },
              status: 'reanchored',
              method: 'quote',
              detail: `${why[i]}; found by its quote and context, ${moved(at - start)}`,
            };
    }
    const shift = driftEstimator(landmarks);
    for (const i of group) {
      if (found[i] !== undefined) continue;
      const { start, quote } = annotations[i].target;
      found[i] = byQuote(text, quote, shift(start), undefined, why[i]);
    }
  }
  return annotations.map((a, i) => result(a, text, textHash, found[i] as Found | string));
}

/** Start of the quote when the quote with its full prefix and suffix occurs exactly once in the text. */
function uniqueWithContext(text: string, quote: TextQuote): number | undefined {
  const whole = quote.prefix + quote.exact + quote.suffix;
  // Short wholes (a tiny document) prove nothing.
  if (whole.length < 24) return undefined;
  const at = text.indexOf(whole);
  if (at === -1 || text.indexOf(whole, at + 1) !== -1) return undefined;
  return at + quote.prefix.length;
}

/** The longest chain of (old, new, index) triples in which new offsets increase with old ones, sorted by old. */
function monotoneLandmarks(triples: number[]): number[] {
  const order = Array.from({ length: triples.length / 3 }, (_, k) => k);
  order.sort((x, y) => triples[3 * x] - triples[3 * y] || triples[3 * x + 1] - triples[3 * y + 1]);
  // longestIncreasing takes (i, j) pairs sorted by i: i is the rank in that order, j the new offset.
  const pairs: number[] = [];
  order.forEach((k, rank) => pairs.push(rank, triples[3 * k + 1]));
  const chain = longestIncreasing(pairs);
  const out: number[] = [];
  for (let c = 0; c < chain.length; c += 2) {
    const k = order[chain[c]];
    out.push(triples[3 * k], triples[3 * k + 1], triples[3 * k + 2]);
  }
  return out;
}

/** old offset → estimated new offset from monotone (old, new, index) landmarks: shifted like the nearest landmark
 *  before it (the first one, for offsets before all of them). */
function driftEstimator(landmarks: number[]): (old: number) => number {
  const n = landmarks.length / 3;
  if (n === 0) return (old) => old;
  const olds = Int32Array.from({ length: n }, (_, k) => landmarks[3 * k]);
  return (old) => {
    const k = Math.max(0, countBelow(olds, old + 1) - 1);
    return Math.max(0, old + landmarks[3 * k + 1] - landmarks[3 * k]);
  };
}

function result(a: Annotation, text: string, textHash: string, found: Found | string): ReanchorResult {
  const before = { start: a.target.start, end: a.target.end };
  if (typeof found === 'string') {
    const anchor: AnchorState = { status: 'orphaned', method: 'orphaned', detail: found };
    return { id: a.id, before, status: 'orphaned', method: 'orphaned', detail: found, annotation: { ...a, anchor } };
  }
  let { span, status, method, detail } = found;
  if (cutsPair(text, span.start) || cutsPair(text, span.end)) {
    // Found where the stored quote itself holds half a character (it was saved with a span that cut one): the span
    // takes the whole character, so no export ever writes half of one.
    span = { start: cutsPair(text, span.start) ? span.start - 1 : span.start, end: cutsPair(text, span.end) ? span.end + 1 : span.end };
    status = 'reanchored';
    detail =
      method === 'exact'
        ? 'stored span cuts a character (a surrogate pair) in half; widened to whole characters'
        : `${detail}; widened to whole characters (the span cut a surrogate pair in half)`;
    if (method === 'exact') method = 'quote';
  }
  const annotation: Annotation = {
    ...a,
    target: { start: span.start, end: span.end, quote: makeQuote(text, span.start, span.end) },
    provenance: { ...a.provenance, docHash: textHash },
    anchor: { status, method, detail },
  };
  return { id: a.id, before, after: span, status, method, detail, annotation };
}

/** Maps a span through the diff from its snapshot and verifies it; returns the reason when it is orphaned. */
function throughDiff(text: string, map: DiffMap, target: { start: number; end: number; quote: TextQuote }): Found | string {
  const { start, end, quote } = target;
  const len = end - start;
  const m = map.mapSpan(start, end);
  const span = { start: m.start, end: m.end };
  if (text.slice(m.start, m.end) === quote.exact) {
    if (m.start === start) return { span, status: 'anchored', method: 'exact', detail: 'quote still at its offsets' };
    return { span, status: 'reanchored', method: 'diff', detail: moved(m.start - start) };
  }
  // Nothing of the passage was deleted and it is intact at the mapped start (or end): text was only inserted at its
  // edge, which the diff aligned inside it ("line." + " New." against "line" + ". New" + "."). As the edit tracker
  // does, an insertion at an edge stays outside.
  if (m.kept === len && len > 0) {
    if (text.startsWith(quote.exact, m.start))
      return { span: { start: m.start, end: m.start + len }, status: 'reanchored', method: 'diff', detail: moved(m.start - start) };
    if (m.end - len >= 0 && text.startsWith(quote.exact, m.end - len))
      return { span: { start: m.end - len, end: m.end }, status: 'reanchored', method: 'diff', detail: moved(m.end - len - start) };
  }
  // The diff may have placed an edit on the wrong side of a repeated word ("the the cat" losing one "the"): if the
  // quote is intact right next to where the diff put it, with its context, take that.
  const near = nearestOccurrence(text, quote, m.start, len + 32);
  if (near !== undefined) {
    return { span: { start: near, end: near + len }, status: 'reanchored', method: 'diff', detail: moved(near - start) + ' (realigned)' };
  }
  const keptPct = len === 0 ? 0 : Math.round((100 * m.kept) / len);
  if (!isMostlyRemoved(len, m.kept, m.end - m.start)) {
    const t = trimLike(text, span, quote.exact);
    if (t.end > t.start) {
      return { span: t, status: 'reanchored', method: 'diff-changed', detail: `passage edited, ${keptPct}% of its text kept` };
    }
  }
  // Mostly deleted here; a moved passage shows up as text the diff inserted elsewhere. Text the diff carried over
  // was there before, so a copy of the quote in it is a different passage: candidates must lie in inserted text.
  const accept = (s: number, e: number): boolean => map.insertedIn(s, e) * 2 > e - s;
  // Only insertions big enough to hold most of the passage and some of its context can be where it moved.
  const within = map.insertedRanges(Math.ceil(len / 2) + 32, 32, text.length);
  if (within.length === 0) return `passage deleted (${keptPct}% of its text kept)`;
  return byQuote(text, quote, m.start, accept, `passage deleted (${keptPct}% of its text kept)`, within);
}

/** Finds a quote by search; returns the reason when it is orphaned. */
function byQuote(
  text: string,
  quote: TextQuote,
  hint: number,
  accept: ((s: number, e: number) => boolean) | undefined,
  why: string,
  within?: ReadonlyArray<readonly [number, number]>,
): Found | string {
  const isMove = accept !== undefined;
  for (const c of searchQuote(text, quote, { hint, accept, within, minScore: accept ? MOVED_SCORE : undefined })) {
    if (c.errors === 0) {
      const detail = isMove ? 'passage moved; found by its quote' : `${why}; found by its quote`;
      return { span: { start: c.start, end: c.end }, status: 'reanchored', method: 'quote', detail };
    }
    const m = alignQuote(text, quote, c);
    const span = m && trimLike(text, m, quote.exact);
    if (m && span && span.end > span.start && !isMostlyRemoved(quote.exact.length, m.kept, m.end - m.start) && (!accept || accept(m.start, m.end))) {
      const pct = Math.round((100 * m.kept) / quote.exact.length);
      const detail = `${isMove ? 'passage moved' : why}; found by approximate quote, ${pct}% of its text kept`;
      return { span, status: 'reanchored', method: 'fuzzy', detail };
    }
  }
  return isMove ? why : `${why}; quote not found`;
}

/**
 * Exact boundaries for an approximate match: the quote with its context is diffed against the stretch of text
 * between where its prefix and its suffix now are, and the quote's span mapped through that diff, so boundaries follow
 * the same rules as the snapshot diff (text inserted inside the passage, even a whole sentence, becomes part of it).
 */
function alignQuote(text: string, quote: TextQuote, match: Span): MappedSpan | undefined {
  const { prefix, exact, suffix } = quote;
  const half = (match.end - match.start) >> 1;
  const reach = BRACKET_REACH + exact.length;
  const prefixEnd = findContextEdge(text, prefix, Math.max(0, match.start - prefix.length - reach), match.start + half, 'last');
  const suffixStart = findContextEdge(text, suffix, match.end - half, Math.min(text.length, match.end + suffix.length + reach), 'first');
  const from = Math.max(0, (prefixEnd ?? match.start) - prefix.length - 16);
  const to = Math.min(text.length, (suffixStart ?? match.end) + suffix.length + 16);
  const old = prefix + exact + suffix;
  const m = diffTexts(old, text.slice(from, to), { semanticCleanup: true }).mapSpan(prefix.length, prefix.length + exact.length);
  if (m.end <= m.start) return undefined;
  return { start: from + m.start, end: from + m.end, kept: m.kept };
}

/** Start of the occurrence of the quote nearest to `at`, within `radius`, whose context matches closely. */
function nearestOccurrence(text: string, quote: TextQuote, at: number, radius: number): number | undefined {
  let best: number | undefined;
  const from = Math.max(0, at - radius);
  const exact = quote.exact;
  const window = text.slice(from, at + radius + exact.length);
  for (let k = window.indexOf(exact); k !== -1; k = window.indexOf(exact, k + 1)) {
    const i = from + k;
    if (best !== undefined && Math.abs(i - at) >= Math.abs(best - at)) continue;
    if (scoreCandidate(text, quote, i, i + exact.length, 0).score >= REALIGN_SCORE) best = i;
  }
  return best;
}

/** Drops whitespace at either end of a span that the original quote did not have there: an annotation cut by an
 *  edit should not start or end with the separator the edit left behind. */
function trimLike(text: string, span: Span, exact: string): Span {
  let { start, end } = span;
  if (!/^\s/.test(exact)) while (start < end && /\s/.test(text[start])) start++;
  if (!/\s$/.test(exact)) while (end > start && /\s/.test(text[end - 1])) end--;
  return { start, end };
}

function moved(delta: number): string {
  if (delta === 0) return 'not moved';
  return `moved ${plural(Math.abs(delta), 'character')} ${delta > 0 ? 'forward' : 'back'}`;
}
