// The workloads of `npm run bench` and their variants, in the table's order: scripts/bench.mjs runs each variant in
// its own node process (out/bench/run.js <workload> <variant>), `processes` times for a variant that measures a whole
// load (each process is one run; report.ts merges them), once for one that repeats its work inside the process.
// A new workload: its module in bench/, an entry here, its key in report.ts's WORKLOAD_ORDER and its block in
// benchRows.
import * as reanchor from './reanchor';
import * as typing from './typing';
import * as hover from './hover';
import * as corpus from './corpus';
import * as agreement from './agreement';
import * as relations from './relations';
import * as corpus10x from './corpus10x';
import * as firstTree from './firstTree';
import * as importYaml from './importYaml';

export interface Variant {
  run: (quick: boolean) => void | Promise<void>;
  /** Separate processes to run it in (default 1); each is one run of a whole load. */
  processes?: number;
}

export const WORKLOADS: Record<string, Record<string, Variant>> = {
  reanchor: { ours: { run: reanchor.ours }, hypothesis: { run: reanchor.hypothesis }, dmp: { run: reanchor.dmp } },
  typing: { ours: { run: typing.ours }, naive: { run: typing.naive } },
  typing100k: { ours: { run: typing.ours100k }, naive: { run: typing.naive100k } },
  hover: { ours: { run: hover.ours }, linear: { run: hover.linear } },
  corpus: {
    generate: { run: corpus.generate },
    ours: { run: corpus.ours, processes: 5 },
    alternative: { run: corpus.alternative },
    clean: { run: corpus.clean },
  },
  firstTree: { cached: { run: firstTree.cached }, uncached: { run: firstTree.uncached } },
  import: {
    generate: { run: importYaml.generate },
    ours: { run: importYaml.ours },
    alternative: { run: importYaml.alternative },
    large: { run: importYaml.oursLarge },
    clean: { run: importYaml.clean },
  },
  agreement: { ours: { run: agreement.ours }, naive: { run: agreement.naive } },
  relations: { ours: { run: relations.ours }, naive: { run: relations.naive } },
  corpus10x: { generate: { run: corpus10x.generate }, ours: { run: corpus10x.ours, processes: 5 } },
};

/** The variants in order, with how many processes each takes: what scripts/bench.mjs reads. */
export function variantList(): Array<{ workload: string; variant: string; processes: number }> {
  return Object.entries(WORKLOADS).flatMap(([workload, vs]) => Object.entries(vs).map(([variant, v]) => ({ workload, variant, processes: v.processes ?? 1 })));
}
