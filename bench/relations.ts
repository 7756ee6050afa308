// Workload 6: relations over the corpus workload's 10,000 documents and 100,000 annotations (bench/corpus.ts's
// generator, in memory, as AnnotationStore.loadAll hands them over), 50,000 relations stored on them: types of the
// default codebook between kinds it allows, half within a document and half across; about 1 % pointing to an id
// that is gone, 1 % of a type the codebook does not define, 2 % between kinds the type does not allow. Ours builds
// the RelationIndex (both directions, ends resolved, what listRelations returns) and runs the relation check
// (relationProblems) on it, and looks up an annotation's relations as the hover does (outgoing + incoming). The
// naive alternative resolves each relation's target by a scan of every annotation and finds an annotation's
// relations by a scan of every relation; both are measured on a part and scaled, as stated in their notes.
import type { Annotation, Relation } from '../src/core/model';
import { normaliseRelations } from '../src/core/model';
import { RelationIndex, allowsPair, defaultCodebook, relationProblems, relationTypes, type Codebook } from '../src/core/store';
import { mulberry32, pick } from '../test/support/editGenerator';
import { corpusDocuments } from './corpus';
import { collect, collectGarbage, emit, fingerprint, median, timeRun, type Run } from './support';

const WORKLOAD = 'relations';
const RUNS = 5;

interface Input {
  docs: Map<string, Annotation[]>;
  codebook: Codebook;
  relations: number;
  lookups: string[];
  input: string;
  label: string;
}

function makeInput(quick: boolean): Input {
  const docCount = quick ? 1_000 : 10_000;
  const wanted = quick ? 5_000 : 50_000;
  const codebook = defaultCodebook();
  const types = relationTypes(codebook);
  const docs = new Map<string, Annotation[]>();
  for (const g of corpusDocuments(docCount, 10, 3_000)) docs.set(g.doc, g.annotations);
  const all = [...docs.values()].flat();
  const rng = mulberry32(12);
  const added = new Map<Annotation, Relation[]>();
  const keys = new Set<string>();
  let made = 0;
  while (made < wanted) {
    const from = pick(rng, all);
    const r = rng();
    const sameDoc = rng() < 0.5;
    const candidates = sameDoc ? (docs.get(from.doc) as Annotation[]) : all;
    let to = pick(rng, candidates);
    let type = pick(rng, types).name;
    let toId = to.id;
    if (r < 0.01)
      toId = `01ZZZZZZZZ${String(made).padStart(16, '0')}`; // an annotation that is gone
    else if (r < 0.02)
      type = 'refutes'; // not in the codebook
    else if (r >= 0.04) {
      // A pair the type allows: a few tries, else leave it (it then counts among the kinds not allowed).
      for (
        let i = 0;
        i < 8 &&
        !allowsPair(
          types.find((t) => t.name === type)!,
          from.kind,
          to.kind,
        );
        i++
      ) {
        to = pick(rng, candidates);
        type = pick(rng, types).name;
      }
      toId = to.id;
    }
    if (toId === from.id) continue;
    const key = `${from.id} ${type} ${toId}`;
    if (keys.has(key)) continue;
    keys.add(key);
    added.set(from, [...(added.get(from) ?? []), { type, to: toId, author: from.provenance.author, created: from.provenance.created }]);
    made++;
  }
  for (const [doc, list] of docs)
    docs.set(
      doc,
      list.map((a) => (added.has(a) ? { ...a, relations: normaliseRelations(added.get(a)) } : a)),
    );
  const ids = [...docs.values()].flat().map((a) => a.id);
  const lookups = Array.from({ length: quick ? 10_000 : 100_000 }, () => pick(rng, ids));
  return {
    docs,
    codebook,
    relations: made,
    lookups,
    input: fingerprint(docCount, [...keys].sort().join('\n')),
    label: `${docCount.toLocaleString('en')} documents, ${all.length.toLocaleString('en')} annotations, ${made.toLocaleString('en')} relations`,
  };
}

export function ours(quick: boolean): void {
  const inp = makeInput(quick);
  const runs: Run[] = [];
  let problems = 0;
  let index: RelationIndex | undefined;
  for (let r = 0; r < RUNS; r++) {
    collectGarbage();
    const run = timeRun(() => {
      const i = new RelationIndex(inp.docs, inp.codebook);
      return { i, problems: relationProblems(i).length };
    });
    index = run.value.i;
    problems = run.value.problems;
    runs.push(run);
  }
  const idx = index as RelationIndex;
  emit({
    workload: WORKLOAD,
    method: 'Marginalia: RelationIndex (listRelations) + relationProblems (the check)',
    ms: median(runs.map((r) => r.wall)),
    unit: 'total',
    runs: collect(runs),
    cpuBound: true,
    repeat: `${RUNS} runs in one process`,
    note: `${idx.all().length.toLocaleString('en')} relations indexed, ${problems.toLocaleString('en')} problems found`,
    input: inp.input,
    extra: { label: inp.label, part: 'index' },
  });
  let found = 0;
  for (const id of inp.lookups) found += idx.outgoing(id).length + idx.incoming(id).length; // warm up
  found = 0;
  const lookups: Run[] = [];
  for (let r = 0; r < RUNS; r++) {
    lookups.push(
      timeRun(() => {
        for (const id of inp.lookups) found += idx.outgoing(id).length + idx.incoming(id).length;
      }),
    );
  }
  const per = collect(lookups, 1 / inp.lookups.length);
  emit({
    workload: WORKLOAD,
    method: "Marginalia: an annotation's relations, RelationIndex.outgoing + incoming",
    ms: median(per.wall),
    unit: 'per lookup',
    runs: per,
    cpuBound: true,
    repeat: `${RUNS} runs of ${inp.lookups.length.toLocaleString('en')} lookups in one process`,
    note: `${(found / (RUNS * inp.lookups.length)).toFixed(2)} relations per annotation looked up`,
    input: inp.input,
    extra: { label: inp.label, part: 'lookup' },
  });
}

export function naive(quick: boolean): void {
  const inp = makeInput(quick);
  const types = new Map(relationTypes(inp.codebook).map((t) => [t.name, t]));
  const annotations = [...inp.docs.values()].flat();
  const relations = annotations.flatMap((a) => (a.relations ?? []).map((r) => ({ from: a, ...r })));
  // Index + check, naively: every relation's target found by a scan of all annotations, then checked as the product
  // does (missing, unknown type, kinds not allowed). Measured on a part of the relations per run, scaled.
  const part = quick ? 200 : 500;
  const scale = relations.length / part;
  const runs: Run[] = [];
  let problems = 0;
  for (let r = 0; r < RUNS; r++) {
    const slice = relations.slice(r * part, (r + 1) * part);
    const run = timeRun(() => {
      let found = 0;
      for (const rel of slice) {
        const to = annotations.find((a) => a.id === rel.to);
        const t = types.get(rel.type);
        if (!to || !t || !allowsPair(t, rel.from.kind, to.kind)) found++;
      }
      return found;
    });
    problems += run.value;
    runs.push(run);
  }
  const collected = collect(runs, scale);
  emit({
    workload: WORKLOAD,
    method: 'naive: each target found by a scan of all annotations, then checked',
    ms: median(collected.wall),
    unit: 'total',
    runs: collected,
    cpuBound: true,
    repeat: `${RUNS} runs in one process`,
    note: `each run on ${part.toLocaleString('en')} relations, ×${scale.toFixed(0)}; ${problems} problems among the ${(RUNS * part).toLocaleString('en')}`,
    input: inp.input,
    extra: { label: inp.label, part: 'index' },
  });
  // Lookups, naively: every relation scanned for those that start or end at the annotation.
  const lookups = inp.lookups.slice(0, quick ? 100 : 200);
  const lookupRuns: Run[] = [];
  let found = 0;
  collectGarbage();
  for (let r = 0; r < RUNS; r++) {
    lookupRuns.push(
      timeRun(() => {
        for (const id of lookups) for (const rel of relations) if (rel.from.id === id || rel.to === id) found++;
      }),
    );
  }
  const per = collect(lookupRuns, 1 / lookups.length);
  emit({
    workload: WORKLOAD,
    method: 'naive: scan every relation per lookup',
    ms: median(per.wall),
    unit: 'per lookup',
    runs: per,
    cpuBound: true,
    repeat: `${RUNS} runs of the first ${lookups.length.toLocaleString('en')} lookups in one process`,
    note: `${(found / (RUNS * lookups.length)).toFixed(2)} relations per annotation looked up`,
    input: inp.input,
    extra: { label: inp.label, part: 'lookup' },
  });
}
