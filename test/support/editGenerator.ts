// Seeded generators for anchoring tests and benchmarks: documents (the sample corpus, or larger texts built from its
// sentences), word-aligned annotation spans, and realistic edits with ground truth.
//
// Edit volume: an edit batch at X % changes words amounting to X % of the document's words, counting every word
// substituted, deleted or inserted (an inserted sentence of 20 words counts 20). Edits are word substitutions,
// inserted words, inserted sentences and deleted runs of words, spread uniformly over the text; each round is one
// batch of non-overlapping edits relative to the text before it (as one editor change event), and several rounds
// let later edits hit text that earlier ones inserted.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EditTracker, type SpanState } from '../../src/core/anchoring';
import type { TextEdit } from '../../src/core/model';

export type Rng = () => number;

/** mulberry32: a small, fast, seedable PRNG with a full 2^32 period. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randInt(rng: Rng, lo: number, hiInclusive: number): number {
  return lo + Math.floor(rng() * (hiInclusive - lo + 1));
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)];
}

/** The sample corpus: file name → text. */
export function loadCorpus(dir = findCorpusDir()): Map<string, string> {
  const docs = new Map<string, string>();
  for (const f of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort()) {
    docs.set(f, fs.readFileSync(path.join(dir, f), 'utf8'));
  }
  return docs;
}

function findCorpusDir(): string {
  // Works from test/support (ts-node) and from out/test/support (compiled).
  for (let d = __dirname; d !== path.dirname(d); d = path.dirname(d)) {
    const c = path.join(d, 'sample', 'corpus');
    if (fs.existsSync(c)) return c;
  }
  throw new Error(`sample/corpus not found above ${__dirname}`);
}

const SENTENCE_END = /(?<=[.!?]["”’)]*)\s+(?=\S)/u;
const WORD = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu;

/** Sentences of a set of texts (lines split at sentence ends), without duplicates. */
export function sentencesOf(texts: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const t of texts) {
    for (const line of t.split('\n')) {
      for (const s of line.split(SENTENCE_END)) if (s.trim().split(/\s+/).length >= 4) out.add(s.trim());
    }
  }
  return [...out];
}

/** Distinct words of a set of texts, for substitutions. */
export function vocabularyOf(texts: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const t of texts) for (const m of t.matchAll(WORD)) out.add(m[0]);
  return [...out];
}

/** Sentences and vocabulary of the sample corpus, for generating edits and synthetic texts. */
export function corpusSource(corpus: Map<string, string> = loadCorpus()): EditSource {
  return { sentences: sentencesOf(corpus.values()), vocab: vocabularyOf(corpus.values()) };
}

export interface WordSpan {
  start: number;
  end: number;
}

/** Word spans (letters and digits, with inner apostrophes and hyphens) of a text, in order. */
export function wordsOf(text: string): WordSpan[] {
  const out: WordSpan[] = [];
  for (const m of text.matchAll(WORD)) out.push({ start: m.index, end: m.index + m[0].length });
  return out;
}

/**
 * A text of about `size` UTF-16 units: paragraphs of 3–8 corpus sentences in random order. With `variation` > 0,
 * that share of words is swapped for random corpus words, so sentences repeat less than they would in a text much
 * larger than the corpus (100 KB from the 32 KB corpus would repeat every sentence three times; real documents
 * rarely repeat whole sentences). At the default 0.25 some repeated phrases and a few repeated sentences remain.
 */
export function synthText(rng: Rng, sentences: readonly string[], vocab: readonly string[], size: number, variation = 0.25): string {
  const paras: string[] = [];
  let total = 0;
  while (total < size) {
    const n = randInt(rng, 3, 8);
    const ss: string[] = [];
    for (let i = 0; i < n; i++) {
      let s = pick(rng, sentences);
      if (variation > 0) s = s.replace(WORD, (w) => (rng() < variation ? pick(rng, vocab) : w));
      ss.push(s);
    }
    const p = ss.join(' ');
    paras.push(p);
    total += p.length + 1;
  }
  return paras.join('\n') + '\n';
}

export interface Placed {
  id: string;
  start: number;
  end: number;
}

/** `count` word-aligned spans: 80 % of 1–8 words, 20 % a whole sentence-length run of 10–30 words. */
export function placeAnnotations(rng: Rng, text: string, count: number, idPrefix = 'a'): Placed[] {
  const words = wordsOf(text);
  const out: Placed[] = [];
  for (let k = 0; k < count; k++) {
    const n = rng() < 0.8 ? randInt(rng, 1, 8) : randInt(rng, 10, 30);
    const i = randInt(rng, 0, Math.max(0, words.length - n));
    const last = Math.min(words.length - 1, i + n - 1);
    out.push({ id: `${idPrefix}${k}`, start: words[i].start, end: words[last].end });
  }
  return out;
}

export interface EditMix {
  substitute: number;
  insertWords: number;
  insertSentence: number;
  deleteWords: number;
}

/** Share of edit *events* by kind. */
export const DEFAULT_MIX: EditMix = { substitute: 0.45, insertWords: 0.2, insertSentence: 0.1, deleteWords: 0.25 };

export interface EditSource {
  sentences: readonly string[];
  vocab: readonly string[];
}

/**
 * One batch of non-overlapping edits relative to `text`, changing about `percent` % of its words (see the header).
 * Edits never touch adjacent words, so every edit is separated from the next by untouched text.
 */
export function generateEdits(rng: Rng, text: string, percent: number, source: EditSource, mix: EditMix = DEFAULT_MIX): TextEdit[] {
  const words = wordsOf(text);
  const budget = Math.round((words.length * percent) / 100);
  const used = new Uint8Array(words.length + 1);
  const edits: TextEdit[] = [];
  let volume = 0;
  let attempts = 0;
  while (volume < budget && attempts++ < budget * 20 + 100) {
    const i = randInt(rng, 1, words.length - 2);
    let r = rng();
    const kind =
      (r -= mix.substitute) < 0 ? 'substitute' : (r -= mix.insertWords) < 0 ? 'insertWords' : (r -= mix.insertSentence) < 0 ? 'insertSentence' : 'deleteWords';
    const n = kind === 'deleteWords' ? randInt(rng, 1, 8) : 1;
    if (i + n >= words.length) continue;
    // Reserve the words edited plus one on each side.
    let free = true;
    for (let k = i - 1; k <= i + n && free; k++) free = used[k] === 0;
    if (!free) continue;
    for (let k = i - 1; k <= i + n; k++) used[k] = 1;
    const w = words[i];
    switch (kind) {
      case 'substitute': {
        const old = text.slice(w.start, w.end);
        let repl = pick(rng, source.vocab);
        while (repl === old) repl = pick(rng, source.vocab);
        edits.push({ offset: w.start, deleteLength: w.end - w.start, insertText: repl });
        volume += 1;
        break;
      }
      case 'insertWords': {
        const k = randInt(rng, 1, 3);
        const ins = Array.from({ length: k }, () => pick(rng, source.vocab)).join(' ') + ' ';
        edits.push({ offset: w.start, deleteLength: 0, insertText: ins });
        volume += k;
        break;
      }
      case 'insertSentence': {
        const s = pick(rng, source.sentences);
        edits.push({ offset: w.start, deleteLength: 0, insertText: s + ' ' });
        volume += s.split(/\s+/).length;
        break;
      }
      case 'deleteWords': {
        // The words and the separators after them, up to the next word.
        edits.push({ offset: w.start, deleteLength: words[i + n].start - w.start, insertText: '' });
        volume += n;
        break;
      }
    }
  }
  return edits.sort((a, b) => a.offset - b.offset);
}

/** Applies one batch of non-overlapping edits (offsets relative to `text`). */
export function applyToText(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.offset - b.offset);
  const parts: string[] = [];
  let at = 0;
  for (const e of sorted) {
    parts.push(text.slice(at, e.offset), e.insertText);
    at = e.offset + e.deleteLength;
  }
  parts.push(text.slice(at));
  return parts.join('');
}

export interface EditedDocument {
  before: string;
  after: string;
  /** Each batch, relative to the text before it. */
  batches: TextEdit[][];
  /** Where each annotation's original characters are now (the edit tracker's answer), by id. */
  truth: Map<string, SpanState>;
}

/** Edits `text` in `rounds` batches totalling `percent` %, tracking where `spans` end up. */
export function editDocument(rng: Rng, text: string, spans: readonly Placed[], percent: number, source: EditSource, rounds = 2): EditedDocument {
  const tracker = new EditTracker(spans);
  const batches: TextEdit[][] = [];
  let cur = text;
  for (let r = 0; r < rounds; r++) {
    const batch = generateEdits(rng, cur, percent / rounds, source);
    tracker.apply(batch);
    cur = applyToText(cur, batch);
    batches.push(batch);
  }
  const truth = new Map<string, SpanState>();
  for (const s of tracker.spans()) truth.set(s.id, s);
  return { before: text, after: cur, batches, truth };
}
