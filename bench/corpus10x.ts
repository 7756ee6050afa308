// Workload 7: ten times the corpus workload. 100,000 documents with 1,000,000 annotations, made by the corpus
// workload's generator (bench/corpus.ts, the first 10,000 documents are the corpus workload's), are written once into
// a temporary folder, one document at a time (not timed; without snapshots, which none of the steps reads; kept there
// for the next run, which reuses it when the generator and the sizes are the same: writing 200,000 files takes a
// minute or two). Then, as for the corpus (measureCorpus): the store loaded, the heap after a full collection, the
// Corpus view's first level, five searches over every annotation after the first (the core's searchAnnotations, as
// the host runs it), the whole YAML export streamed to a file, and the naive search last. Each process is one run of
// all of it (scripts/bench.mjs runs five); the report prints each row's growth from the corpus workload's 10,000
// documents.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { measureCorpus, writeCorpus } from './corpus';
import { emit, now } from './support';

const WORKLOAD = 'corpus10x';

function shape(quick: boolean): { docs: number; perDoc: number; size: number } {
  return quick ? { docs: 10_000, perDoc: 10, size: 3_000 } : { docs: 100_000, perDoc: 10, size: 3_000 };
}

export function corpus10xDir(quick: boolean): string {
  return path.join(os.tmpdir(), `marginalia-bench-corpus10x${quick ? '-quick' : ''}`);
}

export async function generate(quick: boolean): Promise<void> {
  const { docs, perDoc, size } = shape(quick);
  const root = corpus10xDir(quick);
  const t0 = now();
  const { input, annotations, bytes, reused } = await writeCorpus(root, docs, perDoc, size, false, true);
  // How long writing it took, kept beside it for the runs that reuse it.
  const timeFile = path.join(root, '.bench-generated-ms');
  let ms = now() - t0;
  if (!reused) fs.writeFileSync(timeFile, String(ms));
  else ms = Number(fs.existsSync(timeFile) ? fs.readFileSync(timeFile, 'utf8') : NaN);
  emit({
    workload: WORKLOAD,
    method: 'generate',
    ms,
    unit: 'total',
    note: reused ? 'kept from an earlier run (same generator, same sizes)' : undefined,
    input,
    extra: { documents: docs, annotations, megabytes: Math.round(bytes / 1e6), root },
  });
}

export async function ours(quick: boolean): Promise<void> {
  await measureCorpus(corpus10xDir(quick), WORKLOAD, 5);
}
