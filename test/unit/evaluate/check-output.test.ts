import { describe, expect, it } from 'vitest';
import { baselineLines } from '../../../src/cli/baseline.js';
import { CHECK_EXIT, exitCodeFor, observedText, renderTable } from '../../../src/cli/check.js';
import { evaluate } from '../../../src/evaluate/evaluate.js';
import { configWith, container, fill, MIN, NOW, newStore, S } from './evaluate-fixtures.js';

const config = configWith([
  { name: 'mem', indicator: { containerMemory: { containers: 'ml*' } }, threshold: { max: '100MiB' } },
  { name: 'cpu', indicator: { containerCpu: { containers: 'ml*' } }, threshold: { max: '60%' } },
  { name: 'uptime', indicator: { probe: { path: '/health' } }, target: '99.9%' },
]);

describe('vigil check output and exit code', () => {
  it('exits 0 with everything ok, 1 on any breach, 2 when nothing has data, 3 when some objectives had none', () => {
    expect(exitCodeFor(evaluate(config, newStore(), NOW))).toBe(CHECK_EXIT.cannotEvaluate);
    const store = newStore();
    fill(store, 'container_memory_working_set_bytes', container('ml-1'), NOW - MIN, NOW, 15 * S, () => 10 * 2 ** 20);
    const partial = evaluate(config, store, NOW);
    // A gate that did not see cpu and uptime must not say ok, unless told to.
    expect(exitCodeFor(partial)).toBe(CHECK_EXIT.incomplete);
    expect(exitCodeFor(partial, { allowNoData: true })).toBe(CHECK_EXIT.ok);
    expect(observedText({ ...partial, sampleSpan: '3s' })).toMatch(/^observed: 1 of 3 objectives had data, judged over a 3s sample/);
    fill(store, 'container_cpu_usage_ratio', container('ml-1'), NOW - MIN, NOW, 15 * S, () => 0.9);
    const breached = evaluate(config, store, NOW);
    expect(exitCodeFor(breached)).toBe(1);
    const table = renderTable({ ...breached, sampleSpan: null }).split('\n');
    expect(table[0]).toMatch(/^SERVICE\s+OBJECTIVE\s+VALUE\s+BOUND\s+STATUS\s+NOTE$/);
    expect(table[1]).toMatch(/^ml-services\s+mem\s+10MiB\s+<= 100MiB\s+OK$/);
    expect(table[2]).toMatch(/^ml-services\s+cpu\s+90%\s+<= 60%\s+BREACH$/);
    expect(table[3]).toMatch(/^ml-services\s+uptime\s+-\s+>= 99.9% of 30d\s+NO_DATA\s+no probe results/);
    // A local check judges its sample, and says so in the bound it prints.
    const local = renderTable({ ...breached, sampleSpan: '3s' }).split('\n');
    expect(local[3]).toMatch(/^ml-services\s+uptime\s+-\s+>= 99.9% over 3s sample\s+NO_DATA/);
  });

  it('says in NOTE how many probes failed when a probe objective breaches', () => {
    const store = newStore();
    const labels = { source: 'default', url: 'http://127.0.0.1:8095/health' };
    fill(store, 'probe_success', labels, NOW - MIN, NOW, 15 * S, () => 0);
    const snapshot = evaluate(config, store, NOW);
    const row = renderTable({ ...snapshot, sampleSpan: '3s' })
      .split('\n')
      .find((l) => l.includes('uptime'))!;
    expect(row).toMatch(/BREACH\s+5 of 5 probes of http:\/\/127\.0\.0\.1:8095\/health failed$/);
  });

  it('prints baseline figures as `key value unit` lines, n/a when unknown', () => {
    const lines = baselineLines({
      uptime_percentage: 100,
      response_time_p95: 42.123,
      memory_usage_bytes: 123456789.4,
      cpu_usage_percent: 12.5,
      cache_hit_ratio: 0.93,
      db_query_p95_ms: null,
    });
    expect(lines).toEqual([
      'p95_latency 42.12 ms',
      'memory_usage 123456789 bytes',
      'cpu_usage 12.5 percent',
      'cache_hit_ratio 0.93 ratio',
      'db_query_p95 n/a ms',
      'uptime 100 percent',
    ]);
  });
});
