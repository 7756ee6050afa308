// Workload 1: re-anchoring after outside edits. A 1 MB document with 10,000 annotations is edited (5 % of its words,
// two rounds, test/support/editGenerator.ts), and every annotation is placed again on the new text: by us through
// the snapshot diff, and by the alternatives by searching for its quote. Accuracy is judged against the edit
// tracker's ground truth, as test/unit/anchoring/anchorAccuracy.test.ts does.
import type { Annotation } from '../src/core/model';
import { reanchorDocument } from '../src/core/anchoring';
import { contentHash } from '../src/core/model';
import type { SpanState } from '../src/core/anchoring';
import { corpusSource, editDocument, mulberry32, placeAnnotations, synthText } from '../test/support/editGenerator';
import { anchorLikeHypothesis } from './alternatives/hypothesisQuote';
import { DMP_DISTANCE, DMP_THRESHOLD, dmpMatcher } from './alternatives/dmpQuote';
import { classify, collect, collectGarbage, emit, fingerprint, median, sampleIndexes, tally, timeRun, toAnnotation, type Run } from './support';

const WORKLOAD = 'reanchor';

interface Input {
  before: string;
  after: string;
  hash: string;
  annotations: Annotation[];
  truth: Map<string, SpanState>;
  input: string;
  label: string;
}

function makeInput(quick: boolean): Input {
  const size = quick ? 200_000 : 1_000_000;
  const count = quick ? 2_000 : 10_000;
  const source = corpusSource();
  const rng = mulberry32(1);
  const before = synthText(rng, source.sentences, source.vocab, size, 0.25);
  const placed = placeAnnotations(rng, before, count);
  const hash = contentHash(before);
  const annotations = placed.map((p) => toAnnotation(p.id, 'doc.txt', before, p.start, p.end, hash));
  const edited = editDocument(rng, before, placed, 5, source);
  return {
    before,
    after: edited.after,
    hash,
    annotations,
    truth: edited.truth,
    input: fingerprint(before, edited.after, count),
    label: `${(before.length / 1e6).toFixed(1)} MB, ${count.toLocaleString('en')} annotations, 5 % edits`,
  };
}

export function ours(quick: boolean): void {
  const inp = makeInput(quick);
  const count = 5;
  const runs: Run[] = [];
  let results: ReturnType<typeof reanchorDocument> = [];
  for (let r = 0; r < count; r++) {
    collectGarbage();
    // What a host does when a file changed on disk: hash the new text, diff it against the snapshot, verify.
    const run = timeRun(() => reanchorDocument({ text: inp.after, annotations: inp.annotations, snapshot: (h) => (h === inp.hash ? inp.before : undefined) }));
    results = run.value;
    runs.push(run);
  }
  const accuracy = tally(results.map((r) => classify(inp.after, inp.truth.get(r.id) as SpanState, r.after)));
  emit({
    workload: WORKLOAD,
    method: 'Marginalia: reanchorDocument (snapshot diff)',
    ms: median(runs.map((r) => r.wall)),
    unit: 'total',
    runs: collect(runs),
    cpuBound: true,
    repeat: `${count} runs in one process`,
    note: `first run ${runs[0].wall.toFixed(0)} ms`,
    accuracy,
    input: inp.input,
    extra: { label: inp.label },
  });
}

/** Runs `place` on a seeded sample of the annotations (all of them when sample >= count) in five runs of a fifth of
 *  the sample each, and extrapolates each run to all the annotations. */
function alternative(
  quick: boolean,
  method: string,
  sample: number,
  place: (text: string, a: Annotation) => { start: number; end: number } | undefined,
  extra: Record<string, string | number> = {},
): void {
  const inp = makeInput(quick);
  const picked = sampleIndexes(mulberry32(7), inp.annotations.length, sample);
  const verdicts: Array<'correct' | 'lost' | 'wrong'> = [];
  const count = 5;
  const per = Math.ceil(picked.length / count);
  const runs: Run[] = [];
  const found: Array<{ start: number; end: number } | undefined> = [];
  for (let r = 0; r < count; r++) {
    const part = picked.slice(r * per, (r + 1) * per);
    const run = timeRun(() => part.map((i) => place(inp.after, inp.annotations[i])));
    found.push(...run.value);
    runs.push(run);
  }
  picked.forEach((i, k) => verdicts.push(classify(inp.after, inp.truth.get(inp.annotations[i].id) as SpanState, found[k])));
  const n = inp.annotations.length;
  const scale = n / per;
  const collected = collect(runs, scale);
  emit({
    workload: WORKLOAD,
    method,
    ms: median(collected.wall),
    unit: 'total',
    runs: collected,
    cpuBound: true,
    repeat: `${count} runs in one process`,
    note: `each run on ${per.toLocaleString('en')} annotations, ×${scale.toFixed(1)}`,
    accuracy: tally(verdicts),
    input: inp.input,
    extra: { label: inp.label, ...extra },
  });
}

export function hypothesis(quick: boolean): void {
  alternative(quick, 'Hypothesis-style fuzzy quote search (approx-string-match)', quick ? 100 : 1_000, (text, a) =>
    anchorLikeHypothesis(text, a.target.quote, a.target),
  );
}

export function dmp(quick: boolean): void {
  const match = dmpMatcher();
  alternative(
    quick,
    `diff-match-patch match_main (first 32 chars; threshold ${DMP_THRESHOLD}, distance ${DMP_DISTANCE.toLocaleString('en')})`,
    quick ? 100 : 1_000,
    (text, a) => match(text, a.target.quote, a.target),
  );
}
