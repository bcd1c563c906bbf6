// Part 3 of `npm run bench:api`: one evaluation cycle over a FULL store (every series at the
// store's cap of 20 000 points, 15 s apart = 3.5 days), the repo's ml-services SLO file with a
// target on the latency and CPU objectives (timeslice compliance walks the whole history).
// The evaluator runs on the daemon's event loop every `evaluateEvery`; this is its cost.
import { join } from 'node:path';
import { loadConfig } from '../src/config/load-config.js';
import type { BudgetMemo } from '../src/evaluate/error-budget.js';
import { evaluate } from '../src/evaluate/evaluate.js';
import { SampleStore } from '../src/store/sample-store.js';

const ROOT = new URL('../../../../', import.meta.url).pathname;

export async function evaluationCost() {
  const loaded = await loadConfig({ configPath: join(ROOT, 'vigil.yaml'), env: {}, cwd: ROOT });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  // Give the threshold objectives a target, so compliance is computed from timeslices.
  const config = {
    ...loaded.config,
    services: loaded.config.services.map((f) => ({
      ...f,
      slo: { ...f.slo, objectives: f.slo.objectives.map((o) => (o.threshold && o.target === undefined ? { ...o, target: 0.99 } : o)) },
    })),
  };
  const points = 20_000;
  const store = new SampleStore({ retentionMs: 40 * 86_400_000, maxPointsPerSeries: points });
  const now = Date.now();
  const step = 15_000;
  const t0 = now - (points - 1) * step;
  const buckets = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '+Inf'];
  for (let i = 0; i < points; i++) {
    const t = t0 + i * step;
    for (const c of ['ml-serving-1', 'ml-serving-2', 'ml-serving-3']) {
      const labels = { source: 'default', container: c, container_id: c.padEnd(12, '0'), started_at: '2026-11-20T00:00:00.000Z' };
      store.appendRaw('container_memory_working_set_bytes', labels, t, 400e6 + (i % 97) * 1e5);
      store.appendRaw('container_cpu_usage_ratio', labels, t, 0.2 + (i % 13) * 0.02);
      store.appendRaw('container_memory_limit_bytes', labels, t, 2e9);
    }
    store.appendRaw('probe_success', { source: 'default', url: 'http://127.0.0.1:8095/health' }, t, i % 1000 === 0 ? 0 : 1);
    store.appendRaw('redis_keyspace_hits_total', { source: 'cache', run_id: 'r' }, t, i * 900);
    store.appendRaw('redis_keyspace_misses_total', { source: 'cache', run_id: 'r' }, t, i * 100);
    for (const [objective, window] of [
      ['decide-latency-p95', '5m'],
      ['feature-preparation-latency-p95', '5m'],
      ['inference-latency-p95', '5m'],
    ] as const) {
      store.appendRaw(
        'promql_value',
        { source: 'default', service: 'ml-services', objective, part: 'value', window },
        t,
        0.01 + (i % 11) * 0.001,
      );
    }
    for (const le of buckets)
      store.appendRaw(
        'scrape:http_request_duration_seconds_bucket',
        { source: 'ml-serving', route: '/api/documentation-keeper/decide', le },
        t,
        i * 10,
      );
  }
  const time = (memo?: BudgetMemo) => {
    const times: number[] = [];
    for (let k = 0; k < 7; k++) {
      const started = performance.now();
      evaluate(config, store, now + k * 5_000, memo ? { budgetMemo: memo } : {});
      times.push(performance.now() - started);
    }
    return times.sort((a, b) => a - b);
  };
  const cold = time();
  const memo: BudgetMemo = new WeakMap();
  const warm = time(memo).slice(0); // the first of these fills the memo
  let total = 0;
  for (const s of store.all()) total += s.buffer.length;
  return { series: store.seriesCount, points: total, coldMedianMs: cold[3]!, coldMaxMs: cold[6]!, medianMs: warm[3]!, maxMs: warm[5]! };
}
