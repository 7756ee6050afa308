// One workload variant in this process: `node out/bench/run.js <workload> <variant> [--quick]`. It prints one
// BENCH_RESULT line per measured row (see support.ts); scripts/bench.mjs starts one process per variant so that
// each row's peak memory is its own.
import * as reanchor from './reanchor';
import * as typing from './typing';
import * as hover from './hover';
import * as corpus from './corpus';
import * as firstTree from './firstTree';
import * as importYaml from './importYaml';

const VARIANTS: Record<string, Record<string, (quick: boolean) => void | Promise<void>>> = {
  reanchor: { ours: reanchor.ours, hypothesis: reanchor.hypothesis, dmp: reanchor.dmp },
  typing: { ours: typing.ours, naive: typing.naive, ours100k: typing.ours100k, naive100k: typing.naive100k },
  hover: { ours: hover.ours, linear: hover.linear },
  corpus: { generate: corpus.generate, ours: corpus.ours, alternative: corpus.alternative, clean: corpus.clean },
  firstTree: { cached: firstTree.cached, uncached: firstTree.uncached },
  import: { generate: importYaml.generate, ours: importYaml.ours, alternative: importYaml.alternative, large: importYaml.oursLarge, clean: importYaml.clean },
};

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const [workload, variant] = args.filter((a) => !a.startsWith('--'));
  const fn = VARIANTS[workload]?.[variant];
  if (!fn) {
    const known = Object.entries(VARIANTS).flatMap(([w, vs]) => Object.keys(vs).map((v) => `${w} ${v}`));
    throw new Error(`unknown workload "${workload} ${variant}"; known: ${known.join(', ')}`);
  }
  await fn(quick);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : String(e));
  process.exit(1);
});
