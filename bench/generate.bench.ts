// `npm run bench:generate`: time `vigil generate` for 100 services.
//
// Workload: 100 SLO files, each a copy of slo/ml-services.yaml under its own service name
// (10 objectives of every kind: latency, ratio, probe, container memory/CPU, leak, Redis,
// PostgreSQL), written to a temporary folder. Timed, in the same run:
//   load     loadSloPaths over the 100 files (read, parse YAML, validate): the baseline, the cost
//            any command reading the config pays;
//   generate generateAll on the loaded files (rules + dashboards, serialised): the pure core;
//   total    load + generate + writing 201 files, i.e. what `vigil generate` does end to end.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadSloPaths } from '../src/config/load-slo.js';
import { SHIPPED_WINDOW_SETS } from '../src/config/window-sets.js';
import { generateAll } from '../src/generate/generate.js';
import { writeOutputs } from '../src/generate/write-outputs.js';

const SERVICES = 100;
const RUNS = 7;
const root = new URL('../../../../', import.meta.url).pathname;
const template = readFileSync(join(root, 'slo/ml-services.yaml'), 'utf8');
const dir = mkdtempSync('/tmp/vigil-bench-generate-');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const sloDir = join(dir, 'slo');
  mkdirSync(sloDir);
  for (let i = 0; i < SERVICES; i++) {
    const name = `ml-service-${String(i).padStart(3, '0')}`;
    writeFileSync(join(sloDir, `${name}.yaml`), template.replace(/^service: ml-services$/m, `service: ${name}`));
  }
  const windowSets = SHIPPED_WINDOW_SETS;
  const times = { load: [] as number[], generate: [] as number[], total: [] as number[] };
  let bytes = 0;
  let files = 0;
  for (let run = 0; run < RUNS + 2; run++) {
    const t0 = performance.now();
    const loaded = await loadSloPaths([sloDir], { cwd: dir });
    if (loaded.issues.length > 0) throw new Error(`bench input invalid: ${loaded.issues[0]!.message}`);
    const t1 = performance.now();
    const out = generateAll(
      loaded.files.map((f) => ({ path: f.path.slice(dir.length + 1), slo: f.slo })),
      { windowSets },
    );
    const t2 = performance.now();
    const outDir = join(dir, `out-${run}`);
    await writeOutputs(out.files, { alerts: join(outDir, 'alerts'), dashboards: join(outDir, 'dashboards') });
    const t3 = performance.now();
    if (run >= 2) {
      times.load.push(t1 - t0);
      times.generate.push(t2 - t1);
      times.total.push(t3 - t0);
    }
    files = out.files.length;
    bytes = out.files.reduce((n, f) => n + f.content.length, 0);
  }
  console.log(
    `vigil generate, ${SERVICES} services x 10 objectives -> ${files} files, ${(bytes / 2 ** 20).toFixed(1)} MiB; median (best) of ${RUNS} runs after 2 warm-up`,
  );
  for (const [name, xs] of Object.entries(times)) {
    console.log(`  ${name.padEnd(9)} ${median(xs).toFixed(0).padStart(6)} ms  (${Math.min(...xs).toFixed(0)} ms)`);
  }
  console.log(`  generate / load (baseline): ${(median(times.generate) / median(times.load)).toFixed(2)}x`);
}

main()
  .finally(() => rmSync(dir, { recursive: true, force: true }))
  .catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
