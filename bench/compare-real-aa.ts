/**
 * `npm run bench:compare-aa`: A/A comparisons on the real example service. The same build runs
 * under the same steady traffic; vigil saves `runs` consecutive measurements (scraping the
 * service's /metrics and probing /health) and compares each with the next. Every "regressed"
 * is a false alarm. Prints the verdict counts per figure and the share of comparisons with any
 * regression. Arguments: [runs=8] [duration per measurement=10s] [requests per second=20].
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveBaseline } from '../src/cli/baseline-save.js';
import { readMeasurement } from '../src/compare/baseline-file.js';
import { compareFiles, DEFAULT_COMPARE_OPTIONS } from '../src/compare/compare.js';
import { DemoTraffic } from '../src/examples/ml-serving/demo-traffic.js';
import { startMlServing } from '../src/examples/ml-serving/start-ml-serving.js';

const runs = Number(process.argv[2] ?? 8);
const duration = process.argv[3] ?? '10s';
const rate = Number(process.argv[4] ?? 20);
const dir = mkdtempSync(join(tmpdir(), 'vigil-aa-'));

const service = await startMlServing({ port: 0 });
writeFileSync(
  join(dir, 'slo.yaml'),
  `apiVersion: vigil/v1
kind: ServiceLevels
service: ml-services
objectives:
  - name: decide-latency
    indicator:
      latency: { histogram: 'http_request_duration_seconds{route="/api/documentation-keeper/decide"}', quantile: 0.95 }
    threshold: { max: 50ms }
  - name: availability
    indicator:
      ratio:
        errors: sum(rate(http_requests_total{code=~"5.."}[{{window}}]))
        total: sum(rate(http_requests_total[{{window}}]))
    target: 99.9%
  - name: health
    indicator:
      probe: { path: /health }
    target: 99.9%
`,
);
writeFileSync(
  join(dir, 'vigil.yaml'),
  `slo: [slo.yaml]\nsources:\n  scrape: { default: { url: '${service.url}/metrics' } }\n  probe: { default: { baseUrl: '${service.url}' } }\n`,
);
const traffic = new DemoTraffic(service.url, rate);
traffic.start();
const log = console.log;
try {
  await new Promise((r) => setTimeout(r, 3000));
  console.log = () => undefined;
  for (let i = 0; i < runs; i++)
    await saveBaseline('ml-services', { config: join(dir, 'vigil.yaml'), duration, every: '1s' }, join(dir, `run-${i}.json`));
  console.log = log;
  const counts = new Map<string, Record<string, number>>();
  let any = 0;
  for (let i = 0; i + 1 < runs; i++) {
    const a = await readMeasurement(join(dir, `run-${i}.json`));
    const b = await readMeasurement(join(dir, `run-${i + 1}.json`));
    if (!a.ok || !b.ok) throw new Error('a saved measurement did not read back');
    const result = compareFiles(a.file, b.file, DEFAULT_COMPARE_OPTIONS);
    if (result.regressed) any++;
    for (const f of result.figures) {
      const c = counts.get(f.name) ?? {};
      c[f.verdict] = (c[f.verdict] ?? 0) + 1;
      counts.set(f.name, c);
    }
  }
  const comparisons = runs - 1;
  console.log(`A/A on the example service: ${runs} measurements of ${duration} at ${rate} req/s, ${comparisons} comparisons`);
  for (const [name, c] of counts)
    console.log(
      `  ${name}: ${Object.entries(c)
        .map(([v, n]) => `${v} ${n}`)
        .join(', ')}`,
    );
  console.log(`  comparisons with any figure regressed: ${any} of ${comparisons}`);
} finally {
  console.log = log;
  traffic.stop();
  await service.close();
  rmSync(dir, { recursive: true, force: true });
}
