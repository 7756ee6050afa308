// One workload variant in this process: `node --expose-gc out/bench/run.js <workload> <variant> [--quick]`. It prints
// one BENCH_RESULT line per measured row (see support.ts); scripts/bench.mjs starts one process per variant (or
// several, see registry.ts) so that each row's peak memory is its own.
import { WORKLOADS } from './registry';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const [workload, variant] = args.filter((a) => !a.startsWith('--'));
  const v = WORKLOADS[workload]?.[variant];
  if (!v) {
    const known = Object.entries(WORKLOADS).flatMap(([w, vs]) => Object.keys(vs).map((n) => `${w} ${n}`));
    throw new Error(`unknown workload "${workload} ${variant}"; known: ${known.join(', ')}`);
  }
  await v.run(quick);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : String(e));
  process.exit(1);
});
