// Workload 5: agreement between two coders over the corpus workload's 10,000 documents (bench/corpus.ts's generator,
// in memory). Coder A's layer is the corpus's 100,000 annotations; coder B's is made from it: 8 % missing (and as
// many passages of B's own elsewhere in the same document, so B has 100,000 too), 12 % with a boundary moved by up to
// 15 characters, 8 % with another kind, 10 % with another attribute value. Ours times computeAgreement
// (src/core/research/agreement.ts: α_u per document and over the corpus, kappa, attribute alpha, disagreements) in
// five runs in one process. The alternative computes only the α_u figures, from the sums as Krippendorff writes them
// (every section of one coder against every section of the other for D_o, every unit against every gap for D_e):
// per document in full, and over the corpus laid end to end on its first documents, scaled by the square of the
// share (the sums are quadratic in the units); its results are checked against unitizedDisagreement's.
import type { Annotation, Attributes, Span } from '../src/core/model';
import { makeQuote } from '../src/core/model';
import { computeAgreement, normaliseUnits, unitizedDisagreement, type AgreementDocument } from '../src/core/research';
import { defaultCodebook } from '../src/core/store';
import { mulberry32, pick, randInt } from '../test/support/editGenerator';
import { corpusDocuments } from './corpus';
import { collect, collectGarbage, emit, fingerprint, median, seededId, timeRun, type Run } from './support';

const WORKLOAD = 'agreement';
const KINDS = ['claim', 'figure', 'entity'];
const RUNS = 5;

interface Input {
  documents: AgreementDocument[];
  annotations: Annotation[];
  input: string;
  label: string;
}

function makeInput(quick: boolean): Input {
  const docs = quick ? 1_000 : 10_000;
  const rng = mulberry32(11);
  const documents: AgreementDocument[] = [];
  const annotations: Annotation[] = [];
  const changed = { missing: 0, moved: 0, kind: 0, attribute: 0 };
  for (const g of corpusDocuments(docs, 10, 3_000)) {
    documents.push({ path: g.doc, length: g.text.length });
    for (const a of g.annotations) {
      const mine: Annotation = { ...a, provenance: { ...a.provenance, author: 'coder-a' } };
      annotations.push(mine);
      const r = rng();
      let start = a.target.start;
      let end = a.target.end;
      let kind = a.kind;
      let attributes: Attributes = a.attributes;
      if (r < 0.08) {
        // Missed; B tags a passage of its own somewhere else in the document instead.
        changed.missing++;
        start = randInt(rng, 0, g.text.length - 200);
        end = start + randInt(rng, 20, 150);
      } else if (r < 0.2) {
        changed.moved++;
        start = Math.max(0, start + randInt(rng, -15, 15));
        end = Math.min(g.text.length, Math.max(start + 1, end + randInt(rng, -15, 15)));
      } else if (r < 0.28) {
        changed.kind++;
        kind = pick(
          rng,
          KINDS.filter((k) => k !== a.kind),
        );
        attributes = {};
      } else if (r < 0.38) {
        changed.attribute++;
        attributes = Object.fromEntries(Object.entries(a.attributes).map(([k, v]) => [k, typeof v === 'number' ? v + 1 : `${v} (B)`]));
      }
      annotations.push({
        ...a,
        id: seededId(rng, Date.UTC(2025, 6, 1) + annotations.length),
        kind,
        attributes,
        target: { start, end, quote: makeQuote(g.text, start, end) },
        provenance: { ...a.provenance, author: 'coder-b' },
      });
    }
  }
  const n = annotations.length / 2;
  return {
    documents,
    annotations,
    input: fingerprint(docs, annotations.map((a) => `${a.doc} ${a.kind} ${a.target.start} ${a.target.end} ${a.provenance.author}`).join('\n')),
    label:
      `${docs.toLocaleString('en')} documents, 2 coders × ${n.toLocaleString('en')} annotations; B: ${pctOf(changed.missing, n)} missing, ` +
      `${pctOf(changed.moved, n)} moved, ${pctOf(changed.kind, n)} other kind, ${pctOf(changed.attribute, n)} other value`,
  };
}

const pctOf = (x: number, n: number): string => `${Math.round((100 * x) / n)} %`;

export function ours(quick: boolean): void {
  const inp = makeInput(quick);
  const codebook = defaultCodebook();
  const runs: Run[] = [];
  let report: ReturnType<typeof computeAgreement> | undefined;
  for (let r = 0; r < RUNS; r++) {
    collectGarbage();
    const run = timeRun(() => computeAgreement({ documents: inp.documents, annotations: inp.annotations, coders: ['coder-a', 'coder-b'], codebook }));
    report = run.value;
    runs.push(run);
  }
  const alpha = report?.overall.alphaU;
  emit({
    workload: WORKLOAD,
    method: 'Marginalia: computeAgreement (α_u, kappa, attribute alpha, disagreements)',
    ms: median(runs.map((r) => r.wall)),
    unit: 'total',
    runs: collect(runs),
    cpuBound: true,
    repeat: `${RUNS} runs in one process`,
    note:
      `α_u ${alpha === null || alpha === undefined ? '–' : alpha.toFixed(3)}, kappa ${report?.overall.kappa?.toFixed(3) ?? '–'}, ` +
      `${report?.disagreements.length.toLocaleString('en')} disagreements; peak RSS includes making the input`,
    input: inp.input,
    extra: { label: inp.label },
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The alternative: α_u from the literal sums.

interface Section {
  start: number;
  end: number;
  unit: boolean;
}

/** A coder's continuum cut into its units and the gaps between them. */
function sections(units: readonly Span[], length: number): Section[] {
  const out: Section[] = [];
  let at = 0;
  for (const u of units) {
    if (u.start > at) out.push({ start: at, end: u.start, unit: false });
    out.push({ start: u.start, end: u.end, unit: true });
    at = u.end;
  }
  if (length > at) out.push({ start: at, end: length, unit: false });
  return out;
}

/** δ² of two sections of two coders, as Krippendorff defines it. */
function delta2(g: Section, h: Section): number {
  if (g.unit && h.unit) return g.start < h.end && h.start < g.end ? (g.start - h.start) ** 2 + (g.end - h.end) ** 2 : 0;
  if (g.unit && !h.unit) return h.start <= g.start && g.end <= h.end ? (g.end - g.start) ** 2 : 0;
  if (!g.unit && h.unit) return g.start <= h.start && h.end <= g.end ? (h.end - h.start) ** 2 : 0;
  return 0;
}

/** D_o and D_e as the sums read: every pair of sections, every unit with every gap. */
export function literalDisagreement(length: number, coders: readonly (readonly Span[])[]): { observed: number; expected: number } {
  const m = coders.length;
  const cut = coders.map((c) => sections(c, length));
  const units = cut.flat().filter((s) => s.unit);
  const gaps = cut.flat().filter((s) => !s.unit);
  const n = units.length;
  if (n === 0 || length <= 0) return { observed: 0, expected: 0 };
  let pairs = 0;
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) for (const g of cut[i]) for (const h of cut[j]) pairs += delta2(g, h);
  let sum = 0;
  let selfPairs = 0;
  for (const u of units) {
    const l = u.end - u.start;
    let overGaps = 0;
    for (const g of gaps) {
      const lg = g.end - g.start;
      if (lg >= l) overGaps += lg - l + 1;
    }
    sum += ((n - 1) * l * (l - 1) * (2 * l - 1)) / 3 + l * l * overGaps;
    selfPairs += l * (l - 1);
  }
  return { observed: (2 * pairs) / (m * (m - 1) * length * length), expected: ((2 / length) * sum) / (m * length * (m * length - 1) - selfPairs) };
}

/** Each kind's units of each coder in each document, normalised as computeAgreement does. */
function unitsByDoc(inp: Input): Array<{ length: number; kinds: Span[][][] }> {
  const byDoc = new Map<string, Annotation[]>();
  for (const a of inp.annotations) byDoc.set(a.doc, [...(byDoc.get(a.doc) ?? []), a]);
  return inp.documents.map((d) => {
    const list = byDoc.get(d.path) ?? [];
    return {
      length: d.length,
      kinds: KINDS.map((k) =>
        ['coder-a', 'coder-b'].map((c) =>
          normaliseUnits(
            list.filter((a) => a.kind === k && a.provenance.author === c).map((a) => a.target),
            d.length,
          ),
        ),
      ),
    };
  });
}

/** The documents laid end to end, as computeAgreement does for the corpus figure: each kind's units per coder. */
function endToEnd(docs: ReadonlyArray<{ length: number; kinds: Span[][][] }>): { length: number; kinds: Span[][][] } {
  let offset = 0;
  const kinds = KINDS.map(() => [[], []] as Span[][]);
  for (const d of docs) {
    d.kinds.forEach((coders, k) => coders.forEach((units, c) => kinds[k][c].push(...units.map((u) => ({ start: u.start + offset, end: u.end + offset })))));
    offset += d.length;
  }
  return { length: offset, kinds };
}

export function naive(quick: boolean): void {
  const inp = makeInput(quick);
  const docs = unitsByDoc(inp);
  // The literal sums must give what the product's sweep gives, on documents and on a stretch of the corpus.
  const check = (length: number, coders: Span[][]): void => {
    const a = literalDisagreement(length, coders);
    const b = unitizedDisagreement(length, coders);
    const close = (x: number, y: number): boolean => Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x), Math.abs(y));
    if (!close(a.observed, b.observed) || !close(a.expected, b.expected)) {
      throw new Error(`the literal α_u sums disagree with unitizedDisagreement: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    }
  };
  for (const d of docs.slice(0, 200)) for (const coders of d.kinds) check(d.length, coders);
  const sample = quick ? 100 : 500;
  const stretch = endToEnd(docs.slice(0, sample));
  for (const coders of stretch.kinds) check(stretch.length, coders);

  const scale = (docs.length / sample) ** 2;
  const runs: Run[] = [];
  let perDocMs = 0;
  for (let r = 0; r < RUNS; r++) {
    const perDoc = timeRun(() => {
      for (const d of docs) for (const coders of d.kinds) literalDisagreement(d.length, coders);
    });
    const corpus = timeRun(() => {
      for (const coders of endToEnd(docs.slice(0, sample)).kinds) literalDisagreement(stretch.length, coders);
    });
    perDocMs += perDoc.wall / RUNS;
    runs.push({ wall: perDoc.wall + corpus.wall * scale, cpu: perDoc.cpu + corpus.cpu * scale, cpuAll: perDoc.cpuAll + corpus.cpuAll * scale });
  }
  emit({
    workload: WORKLOAD,
    method: 'naive: α_u from the literal pairwise sums (α_u only)',
    ms: median(runs.map((r) => r.wall)),
    unit: 'total',
    runs: collect(runs),
    cpuBound: true,
    repeat: `${RUNS} runs in one process`,
    note:
      `per document in full (${perDocMs.toFixed(0)} ms); over the corpus measured on its first ${sample.toLocaleString('en')} documents ` +
      `end to end, ×${scale.toFixed(0)} (quadratic); results checked against unitizedDisagreement; kappa, attributes and disagreements not included`,
    input: inp.input,
    extra: { label: inp.label },
  });
}
