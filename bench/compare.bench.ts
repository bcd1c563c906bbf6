/**
 * `npm run bench:compare`: how often `vigil compare` calls a regression in A/A comparisons (the
 * false-alarm rate) and how often it finds a planted P95 regression (the power), over many seeded
 * synthetic runs (test/support/synthetic-measurements.ts), with the CLI's defaults (95 %
 * intervals, 2000 resamples, 5 % tolerance). Also the time one comparison takes.
 * Arguments: [runs=500] [latencies per run=2000].
 */
import { DEFAULT_COMPARE_OPTIONS } from '../src/compare/compare.js';
import { verdictRates } from '../test/support/synthetic-measurements.js';

const runs = Number(process.argv[2] ?? 500);
const n = Number(process.argv[3] ?? 2000);

const pct = (k: number) => `${((k / runs) * 100).toFixed(1)}%`;

for (const [label, factor] of [
  ['A/A (same distribution)', 1],
  ['planted +10% P95', 1.1],
  ['planted +20% P95', 1.2],
] as const) {
  const started = performance.now();
  const r = verdictRates(runs, n, factor, DEFAULT_COMPARE_OPTIONS, factor === 1 ? 11 : 12);
  const ms = (performance.now() - started) / runs;
  console.log(`${label}: ${runs} runs of ${n} latencies each side, ${ms.toFixed(0)} ms per comparison (2 figures)`);
  for (const [name, c] of Object.entries(r.byFigure)) {
    console.log(
      `  ${name}: regressed ${pct(c.regressed)}, improved ${pct(c.improved)}, no significant change ${pct(c['no significant change'])}`,
    );
  }
  console.log(`  any figure regressed: ${pct(r.anyRegressed)}`);
}
