// Benchmarks for the /metrics exporter and the counter window functions, each against a baseline
// in the same run. Run: npm run bench:metrics
import { Gauge, Registry } from 'prom-client';
import { redact } from '../src/core/redact.js';
import { createMetricsRegistry } from '../src/metrics/metrics-registry.js';
import { statementLatencyOverWindow } from '../src/sources/postgres/statement-latency.js';
import { hitRatioOverWindow } from '../src/sources/redis/hit-ratio.js';
import { SampleStore } from '../src/store/sample-store.js';

const STEP_MS = 15_000;
const DAY_MS = 86_400_000;
const POINTS = DAY_MS / STEP_MS; // 5 760 per series

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function time(runs: number, fn: () => unknown | Promise<unknown>): Promise<{ median: number; best: number }> {
  for (let i = 0; i < 3; i++) await fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await fn();
    ms.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return { median: median(ms), best: Math.min(...ms) };
}

/** 200 containers, 1 Redis, 50 statements, 20 probes, 100 PromQL answers: 24 h at 15 s each. */
function fillStore(now: number): SampleStore {
  const store = new SampleStore({ retentionMs: DAY_MS, maxPointsPerSeries: 20_000 });
  const specs: Array<{ metric: string; labels: Record<string, string>; value: (i: number) => number }> = [];
  for (let c = 0; c < 200; c++) {
    const labels = {
      source: 'default',
      container: `ml-${c}`,
      container_id: `c${String(c).padStart(11, '0')}`,
      started_at: '2026-11-25T00:00:00.000Z',
    };
    specs.push({ metric: 'container_memory_working_set_bytes', labels, value: (i) => 1e8 + i * 10 + c });
    specs.push({ metric: 'container_memory_limit_bytes', labels, value: () => 2 ** 31 });
    specs.push({ metric: 'container_cpu_usage_ratio', labels, value: () => 0.3 });
  }
  const redis = { source: 'cache', run_id: 'r1' };
  specs.push({ metric: 'redis_keyspace_hits_total', labels: redis, value: (i) => i * 80 });
  specs.push({ metric: 'redis_keyspace_misses_total', labels: redis, value: (i) => i * 20 });
  for (let q = 0; q < 50; q++) {
    const labels = { source: 'default', dbid: '5', userid: '10', queryid: String(q), database: 'app', selector: '%ml%|' };
    specs.push({ metric: 'postgres_statement_calls_total', labels, value: (i) => i * 10 });
    specs.push({ metric: 'postgres_statement_exec_seconds_total', labels, value: (i) => i * 0.02 });
    specs.push({ metric: 'postgres_statement_exec_seconds_sq_total', labels, value: (i) => i * 0.00005 });
    specs.push({ metric: 'postgres_statement_max_seconds', labels, value: () => 0.01 });
  }
  for (let p = 0; p < 20; p++) {
    const labels = { source: 'default', url: `http://127.0.0.1:8095/p${p}` };
    specs.push({ metric: 'probe_success', labels, value: () => 1 });
    specs.push({ metric: 'probe_duration_seconds', labels, value: () => 0.01 });
  }
  for (let o = 0; o < 100; o++) {
    specs.push({
      metric: 'promql_value',
      labels: { source: 'default', service: 'ml', objective: `o${o}`, part: 'ratio', window: '1h' },
      value: () => 0.001,
    });
  }
  // One appendRaw per series creates it; the remaining points go straight into its buffer, so
  // filling 5 million points does not time the store's per-point label hashing.
  const t0 = now - DAY_MS + STEP_MS;
  for (const spec of specs) {
    store.appendRaw(spec.metric, spec.labels, t0, spec.value(0));
    const series = store.select(spec.metric, (l) => Object.entries(spec.labels).every(([k, v]) => l[k] === v))[0]!;
    for (let i = 1; i < POINTS; i++) series.buffer.append(t0 + i * STEP_MS, spec.value(i), DAY_MS);
  }
  return store;
}

async function main(): Promise<void> {
  const now = Date.now();
  const built = process.hrtime.bigint();
  const store = fillStore(now);
  console.log(
    `store: ${store.seriesCount} series x ${POINTS} points, ${(store.memoryBytes() / 2 ** 20).toFixed(1)} MiB, filled in ${(Number(process.hrtime.bigint() - built) / 1e9).toFixed(1)} s`,
  );

  // /metrics: vigil's exporter (reads the newest point of every series at scrape time) against
  // prom-client serialising the same number of gauges whose values are already set.
  const metrics = createMetricsRegistry({ store, health: () => [], defaultMetrics: false });
  const text = await metrics.metrics();
  const exported = text.split('\n').filter((l) => l && !l.startsWith('#')).length;
  const baseline = new Registry();
  const g = new Gauge({ name: 'baseline_value', help: 'x', labelNames: ['source', 'id', 'a', 'b', 'c'], registers: [baseline] });
  for (let i = 0; i < exported; i++) g.set({ source: 'default', id: String(i), a: 'aaaaaaaa', b: 'bbbbbbbb', c: 'cccccccc' }, i);
  const scrape = await time(30, () => metrics.metrics());
  const scrapeBase = await time(30, () => baseline.metrics());
  console.log(`\n/metrics scrape, ${exported} samples`);
  console.log(`  vigil exporter          median ${scrape.median.toFixed(2)} ms  best ${scrape.best.toFixed(2)} ms`);
  console.log(`  prom-client, preset     median ${scrapeBase.median.toFixed(2)} ms  best ${scrapeBase.best.toFixed(2)} ms`);
  // What the HTTP boundary adds to a scrape: one redact() over the whole exposition text.
  const scrubbed = await time(30, async () => redact(await metrics.metrics()));
  const scrubOnly = await time(30, () => redact(text));
  console.log(
    `  exporter + redact()     median ${scrubbed.median.toFixed(2)} ms  best ${scrubbed.best.toFixed(2)} ms  (redact alone: median ${scrubOnly.median.toFixed(2)} ms over ${(text.length / 1024).toFixed(0)} KiB)`,
  );

  // Window functions against only copying the same points out of the store (the floor).
  const redisSeries = [...store.select('redis_keyspace_hits_total'), ...store.select('redis_keyspace_misses_total')];
  const stmtSeries = [
    'postgres_statement_calls_total',
    'postgres_statement_exec_seconds_total',
    'postgres_statement_exec_seconds_sq_total',
    'postgres_statement_max_seconds',
  ].flatMap((m) => store.select(m));
  for (const [label, windowMs] of [
    ['1h', 3_600_000],
    ['24h', DAY_MS],
  ] as const) {
    const from = now - windowMs;
    let sink = 0;
    const copy = await time(50, () => {
      for (const s of stmtSeries) sink += s.buffer.range(from, now).v.length;
    });
    const latency = await time(50, () => {
      sink += statementLatencyOverWindow(stmtSeries, from, now)!.calls;
    });
    const ratio = await time(50, () => {
      sink += hitRatioOverWindow(redisSeries, from, now)!.ratio;
    });
    console.log(`\nwindow ${label}: 50 statements (200 series) and 1 Redis (2 series)`);
    console.log(`  statementLatencyOverWindow  median ${latency.median.toFixed(3)} ms  best ${latency.best.toFixed(3)} ms`);
    console.log(`  range() copies only (floor) median ${copy.median.toFixed(3)} ms  best ${copy.best.toFixed(3)} ms`);
    console.log(`  hitRatioOverWindow          median ${ratio.median.toFixed(3)} ms  best ${ratio.best.toFixed(3)} ms`);
    if (sink === -1) console.log(sink);
  }
}

await main();
