import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../src/evaluate/evaluate.js';
import type { Snapshot } from '../../../src/snapshot/snapshot-schema.js';
import { roundFigure } from '../../../src/units/units.js';
import { configWith, container, fill, H, MIN, NOW, newStore, S } from './evaluate-fixtures.js';

const MiB = 2 ** 20;

type ObjectiveResult = Snapshot['services'][number]['objectives'][number];

function only(snapshotObjectives: readonly ObjectiveResult[], name: string): ObjectiveResult {
  const found = snapshotObjectives.find((o) => o.name === name);
  if (!found) throw new Error(`no objective ${name}`);
  return found;
}

describe('container memory and CPU', () => {
  const config = configWith([
    { name: 'mem', indicator: { containerMemory: { containers: 'ml-serving*' } }, threshold: { max: '100MiB', warning: '80MiB' } },
    { name: 'cpu', indicator: { containerCpu: { containers: 'ml-serving*' } }, threshold: { max: '60%' } },
  ]);

  it('takes the largest container, breaks it down per container, and compares it with the bound', () => {
    const store = newStore();
    fill(
      store,
      'container_memory_working_set_bytes',
      container('ml-serving-1', 'a', 'aaaaaaaaaaaa'),
      NOW - 125 * S,
      NOW - 5 * S,
      15 * S,
      () => 50 * MiB,
    );
    fill(
      store,
      'container_memory_working_set_bytes',
      container('ml-serving-2', 'a', 'bbbbbbbbbbbb'),
      NOW - 125 * S,
      NOW - 5 * S,
      15 * S,
      () => 90 * MiB,
    );
    fill(
      store,
      'container_memory_working_set_bytes',
      container('other', 'a', 'cccccccccccc'),
      NOW - 125 * S,
      NOW - 5 * S,
      15 * S,
      () => 500 * MiB,
    );
    fill(
      store,
      'container_cpu_usage_ratio',
      container('ml-serving-1', 'a', 'aaaaaaaaaaaa'),
      NOW - 125 * S,
      NOW - 5 * S,
      15 * S,
      () => 0.25,
    );
    const snap = evaluate(config, store, NOW);
    const svc = snap.services[0]!;
    const mem = only(svc.objectives, 'mem');
    expect(mem.value).toEqual({ value: 90 * MiB, unit: 'bytes', display: '90MiB' });
    expect(mem.status).toBe('warning');
    expect(mem.breakdown.map((b) => b.labels.container)).toEqual(['ml-serving-2', 'ml-serving-1']);
    expect(mem.dataAgeSeconds).toBe(5);
    const cpu = only(svc.objectives, 'cpu');
    expect(cpu.status).toBe('ok');
    expect(cpu.value?.display).toBe('25%');
    expect(svc.status).toBe('warning');
    expect(svc.summary.memory_usage_bytes).toBe(90 * MiB);
    expect(svc.summary.cpu_usage_percent).toBe(25);
  });

  it('is a breach past the bound (a CPU-burning container)', () => {
    const store = newStore();
    fill(store, 'container_cpu_usage_ratio', container('ml-serving-1'), NOW - MIN, NOW, 15 * S, () => 0.98);
    const cpu = only(evaluate(config, store, NOW).services[0]!.objectives, 'cpu');
    expect(cpu.status).toBe('breach');
    expect(cpu.value?.value).toBeCloseTo(0.98);
  });

  it('is no_data, never ok, when the newest point is stale (3 intervals of 15 s)', () => {
    const store = newStore();
    fill(store, 'container_memory_working_set_bytes', container('ml-serving-1'), NOW - 226 * S, NOW - 46 * S, 15 * S, () => 10 * MiB);
    const mem = only(evaluate(config, store, NOW).services[0]!.objectives, 'mem');
    expect(mem.status).toBe('no_data');
    expect(mem.value).toBeNull();
    expect(mem.error).toMatch(/stale/);
    expect(mem.dataAgeSeconds).toBe(46);
    // Within 3 intervals it is current.
    const fresh = only(evaluate(config, store, NOW - 2 * S).services[0]!.objectives, 'mem');
    expect(fresh.status).toBe('ok');
  });

  it("is no_data when no container matches, and leaves the restarted container's old series out", () => {
    expect(only(evaluate(config, newStore(), NOW).services[0]!.objectives, 'mem').status).toBe('no_data');
    const store = newStore();
    fill(
      store,
      'container_memory_working_set_bytes',
      container('ml-serving-1', 'run1', 'aaaaaaaaaaaa'),
      NOW - 10 * MIN,
      NOW - 3 * MIN,
      15 * S,
      () => 99 * MiB,
    );
    fill(
      store,
      'container_memory_working_set_bytes',
      container('ml-serving-1', 'run2', 'dddddddddddd'),
      NOW - 2 * MIN,
      NOW,
      15 * S,
      () => 20 * MiB,
    );
    const mem = only(evaluate(config, store, NOW).services[0]!.objectives, 'mem');
    expect(mem.value?.value).toBe(20 * MiB);
    expect(mem.breakdown).toHaveLength(1);
  });

  it('says so when the source is not configured', () => {
    const cfg = configWith([{ name: 'lat', indicator: { latency: { source: 'nope', histogram: 'h' } }, threshold: { max: '1s' } }]);
    const lat = evaluate(cfg, newStore(), NOW).services[0]!.objectives[0]!;
    expect(lat.status).toBe('no_data');
    expect(lat.source).toEqual({ kind: null, name: 'nope' });
    expect(lat.error).toMatch(/not configured/);
  });
});

describe('container selection by Docker labels (label_* series labels from the docker source)', () => {
  const config = configWith([
    { name: 'mem-ml', indicator: { containerMemory: { containerLabels: { team: 'ml' } } }, threshold: { max: '1GiB' } },
    {
      name: 'mem-both',
      indicator: { containerMemory: { containers: 'api-*', containerLabels: { team: 'ml' } } },
      threshold: { max: '1GiB' },
    },
    { name: 'cpu-web', indicator: { containerCpu: { containerLabels: { team: 'web', tier: 'serving' } } }, threshold: { max: '90%' } },
    { name: 'leak-ml', indicator: { memoryLeak: { containerLabels: { team: 'ml' }, limit: '1GiB' } } },
  ]);
  const series = (name: string, id: string, dockerLabels: Record<string, string>) => ({ ...container(name, 'a', id), ...dockerLabels });

  it('sees only the containers whose series carry every wanted label as label_<key>, with the glob when given', () => {
    const store = newStore();
    const ml = series('worker-ml', 'aaaaaaaaaaaa', { label_team: 'ml' });
    const apiMl = series('api-ml', 'bbbbbbbbbbbb', { label_team: 'ml' });
    const web = series('api-web', 'cccccccccccc', { label_team: 'web', label_tier: 'serving' });
    const webBatch = series('api-web-batch', 'dddddddddddd', { label_team: 'web', label_tier: 'batch' });
    // Picked by another objective's name glob only: no team label, so no label objective sees it.
    const plain = series('api-plain', 'eeeeeeeeeeee', {});
    for (const [labels, mib] of [
      [ml, 10],
      [apiMl, 20],
      [web, 30],
      [webBatch, 40],
      [plain, 50],
    ] as const) {
      fill(store, 'container_memory_working_set_bytes', labels, NOW - 24 * H, NOW, 5 * MIN, () => mib * MiB);
      fill(store, 'container_cpu_usage_ratio', labels, NOW - 24 * H, NOW, 5 * MIN, () => mib / 100);
    }
    const objectives = evaluate(config, store, NOW).services[0]!.objectives;
    const containers = (name: string) =>
      only(objectives, name)
        .breakdown.map((b) => b.labels.container)
        .sort();
    expect(containers('mem-ml')).toEqual(['api-ml', 'worker-ml']);
    expect(only(objectives, 'mem-ml').value?.value).toBe(20 * MiB);
    expect(containers('mem-both')).toEqual(['api-ml']);
    expect(containers('cpu-web')).toEqual(['api-web']);
    expect(only(objectives, 'cpu-web').value?.value).toBeCloseTo(0.3);
    expect(containers('leak-ml')).toEqual(['api-ml', 'worker-ml']);
  });

  it('is no_data when no series carries the labels (never falls back to other containers)', () => {
    const store = newStore();
    fill(store, 'container_memory_working_set_bytes', series('api-plain', 'eeeeeeeeeeee', {}), NOW - MIN, NOW, 15 * S, () => 50 * MiB);
    const mem = only(evaluate(config, store, NOW).services[0]!.objectives, 'mem-ml');
    expect(mem.status).toBe('no_data');
    expect(mem.error).toMatch(/no container matches/);
  });
});

describe('memory leak', () => {
  const config = configWith([{ name: 'leak', indicator: { memoryLeak: { containers: 'ml-serving*', window: '24h', limit: '1GiB' } } }]);

  it('is a breach for steady growth over the window, per container with the worst verdict', () => {
    const store = newStore();
    // A leaking container: +20 MiB/h with a sawtooth of GC, and a flat one.
    fill(
      store,
      'container_memory_working_set_bytes',
      container('ml-serving-1', 'a', 'aaaaaaaaaaaa'),
      NOW - 24 * H,
      NOW,
      5 * MIN,
      (t, i) => 100 * MiB + ((t - (NOW - 24 * H)) / H) * 20 * MiB + (i % 4) * MiB,
    );
    fill(
      store,
      'container_memory_working_set_bytes',
      container('ml-serving-2', 'a', 'bbbbbbbbbbbb'),
      NOW - 24 * H,
      NOW,
      5 * MIN,
      (_t, i) => 100 * MiB + (i % 4) * MiB,
    );
    const leak = evaluate(config, store, NOW).services[0]!.objectives[0]!;
    expect(leak.status).toBe('breach');
    expect(leak.leak?.verdict).toBe('leak');
    expect(leak.value!.value).toBeGreaterThan(15 * MiB);
    expect(leak.value!.display).toMatch(/\/h$/);
    expect(leak.breakdown).toHaveLength(2);
    expect(leak.breakdown[0]!.labels.container).toBe('ml-serving-1');
    expect(leak.breakdown[1]!.leak?.verdict).toBe('ok');
  });

  it("takes the container's reported limit when the objective gives none", () => {
    const cfg = configWith([{ name: 'leak', indicator: { memoryLeak: { containers: 'ml-serving*' } } }]);
    const store = newStore();
    const labels = container('ml-serving-1');
    fill(
      store,
      'container_memory_working_set_bytes',
      labels,
      NOW - 24 * H,
      NOW,
      5 * MIN,
      (t, i) => 100 * MiB + ((t - (NOW - 24 * H)) / H) * 20 * MiB + (i % 4) * MiB,
    );
    fill(store, 'container_memory_limit_bytes', labels, NOW - 24 * H, NOW, 5 * MIN, () => 1024 * MiB);
    const leak = evaluate(cfg, store, NOW).services[0]!.objectives[0]!;
    expect(leak.leak!.growthShareOfLimit).toBeGreaterThan(0.3);
    expect(leak.leak!.exhaustionEtaSeconds).toBeGreaterThan(0);
  });

  it('is a warning when the detector only suspects a leak (growth over a third of the window)', () => {
    const store = newStore();
    fill(
      store,
      'container_memory_working_set_bytes',
      container('ml-serving-1'),
      NOW - 8 * H,
      NOW,
      5 * MIN,
      (t, i) => 100 * MiB + ((t - (NOW - 8 * H)) / H) * 2 * MiB + (i % 4) * 64 * 1024,
    );
    const leak = evaluate(config, store, NOW).services[0]!.objectives[0]!;
    expect(leak.leak?.verdict).toBe('suspected');
    expect(leak.status).toBe('warning');
  });

  it('is ok for a flat series and no_data with too little history', () => {
    const flat = newStore();
    fill(
      flat,
      'container_memory_working_set_bytes',
      container('ml-serving-1'),
      NOW - 24 * H,
      NOW,
      5 * MIN,
      (_t, i) => 100 * MiB + (i % 4) * MiB,
    );
    expect(evaluate(config, flat, NOW).services[0]!.objectives[0]!.status).toBe('ok');
    const short = newStore();
    fill(short, 'container_memory_working_set_bytes', container('ml-serving-1'), NOW - 20 * MIN, NOW, 15 * S, (t) => t / 1000);
    const r = evaluate(config, short, NOW).services[0]!.objectives[0]!;
    expect(r.status).toBe('no_data');
    expect(r.error).toMatch(/insufficient data/);
  });
});

describe('redis hit ratio', () => {
  const config = configWith([{ name: 'cache', indicator: { redisHitRatio: {} }, threshold: { min: '80%' }, window: '15m' }]);
  const labels = { source: 'default', run_id: 'r1' };

  it('uses the increase over the window, not lifetime totals, and survives a reset', () => {
    const store = newStore();
    // Lifetime: 1e6 hits, 0 misses before the window; in the window 900 hits / 100 misses with a reset.
    store.appendRaw('redis_keyspace_hits_total', labels, NOW - 10 * MIN, 1_000_000);
    store.appendRaw('redis_keyspace_misses_total', labels, NOW - 10 * MIN, 0);
    store.appendRaw('redis_keyspace_hits_total', labels, NOW - 5 * MIN, 1_000_400);
    store.appendRaw('redis_keyspace_misses_total', labels, NOW - 5 * MIN, 50);
    store.appendRaw('redis_keyspace_hits_total', labels, NOW - 10 * S, 500); // CONFIG RESETSTAT, then 500 hits
    store.appendRaw('redis_keyspace_misses_total', labels, NOW - 10 * S, 100);
    const cache = evaluate(config, store, NOW).services[0]!.objectives[0]!;
    expect(cache.value?.value).toBeCloseTo(900 / 1000);
    expect(cache.status).toBe('ok');
    expect(evaluate(config, store, NOW).services[0]!.summary.cache_hit_ratio).toBeCloseTo(0.9);
  });

  it('is a breach after a burst of misses, and no_data without lookups', () => {
    const store = newStore();
    store.appendRaw('redis_keyspace_hits_total', labels, NOW - 60 * S, 100);
    store.appendRaw('redis_keyspace_misses_total', labels, NOW - 60 * S, 10);
    store.appendRaw('redis_keyspace_hits_total', labels, NOW - 30 * S, 100);
    store.appendRaw('redis_keyspace_misses_total', labels, NOW - 30 * S, 10);
    expect(evaluate(config, store, NOW - 29 * S).services[0]!.objectives[0]!.status).toBe('no_data');
    store.appendRaw('redis_keyspace_hits_total', labels, NOW, 150);
    store.appendRaw('redis_keyspace_misses_total', labels, NOW, 510);
    const cache = evaluate(config, store, NOW).services[0]!.objectives[0]!;
    expect(cache.status).toBe('breach');
    expect(cache.value?.value).toBeCloseTo(50 / 550);
  });
});

describe('postgres statement latency', () => {
  const config = configWith([
    { name: 'db', indicator: { postgresQueryLatency: { match: '%ml_learning%', statistic: 'p95' } }, threshold: { max: '10ms' } },
  ]);
  const statement = (queryid: string) => ({
    source: 'default',
    dbid: '1',
    userid: '10',
    queryid,
    database: 'ml',
    selector: '%ml_learning%|',
  });

  function addStatement(
    store: ReturnType<typeof newStore>,
    queryid: string,
    t: number,
    calls: number,
    total: number,
    sq: number,
    max: number,
  ) {
    store.appendRaw('postgres_statement_calls_total', statement(queryid), t, calls);
    store.appendRaw('postgres_statement_exec_seconds_total', statement(queryid), t, total);
    store.appendRaw('postgres_statement_exec_seconds_sq_total', statement(queryid), t, sq);
    store.appendRaw('postgres_statement_max_seconds', statement(queryid), t, max);
  }

  it('estimates P95 from window deltas of calls, time and squared time', () => {
    const store = newStore();
    addStatement(store, '1', NOW - 4 * MIN, 1000, 50, 10, 0.5); // lifetime history is ignored
    addStatement(store, '1', NOW, 1100, 50.2, 10.0004, 0.5); // 100 calls of exactly 2 ms
    const db = evaluate(config, store, NOW).services[0]!.objectives[0]!;
    expect(db.value?.value).toBeCloseTo(0.002, 6);
    expect(db.status).toBe('ok');
    expect(db.breakdown[0]!.labels.queryid).toBe('1');
    expect(evaluate(config, store, NOW).services[0]!.summary.db_query_p95_ms).toBeCloseTo(2, 3);
  });

  it('is no_data when the newest sample is stale or no statement ran in the window', () => {
    const store = newStore();
    addStatement(store, '3', NOW - 8 * MIN, 10, 0.01, 0.00001, 0.001);
    addStatement(store, '3', NOW - 7 * MIN, 20, 0.02, 0.00002, 0.001);
    const stale = evaluate(config, store, NOW).services[0]!.objectives[0]!;
    expect(stale.status).toBe('no_data');
    expect(stale.error).toMatch(/stale/);
    addStatement(store, '3', NOW - 2 * MIN, 20, 0.02, 0.00002, 0.001);
    addStatement(store, '3', NOW, 20, 0.02, 0.00002, 0.001);
    const idle = evaluate(config, store, NOW).services[0]!.objectives[0]!;
    expect(idle.status).toBe('no_data');
    expect(idle.error).toMatch(/no matching statement ran/);
  });

  it('is a breach when slow statements push P95 past 10 ms', () => {
    const store = newStore();
    addStatement(store, '2', NOW - 4 * MIN, 0, 0, 0, 0);
    addStatement(store, '2', NOW, 10, 0.3, 0.01, 0.05); // mean 30 ms
    expect(evaluate(config, store, NOW).services[0]!.objectives[0]!.status).toBe('breach');
  });
});

describe('probe (uptime) with a target', () => {
  const config = configWith([{ name: 'uptime', indicator: { probe: { path: '/health' } }, target: '99%', period: '1d', window: '5m' }]);
  const labels = { source: 'default', url: 'http://127.0.0.1:8095/health' };

  it('is ok with every probe up: uptime 100 %, full budget, zero burn', () => {
    const store = newStore();
    fill(store, 'probe_success', labels, NOW - 2 * H, NOW, 15 * S, () => 1);
    fill(store, 'probe_duration_seconds', labels, NOW - 2 * H, NOW, 15 * S, (_t, i) => (i % 20 === 0 ? 0.2 : 0.002));
    const svc = evaluate(config, store, NOW).services[0]!;
    const up = svc.objectives[0]!;
    // 20 probes in the 5 m window (open at its start, as PromQL's); the latency reads its
    // timeslice [from, to], 21 durations, two of them 200 ms: the nearest-rank P95 (the 20th) is 200 ms.
    expect(up.breakdown[0]!.labels).toMatchObject({ url: labels.url, probes: '20', failed: '0', duration_p95_ms: '200' });
    expect(up.status).toBe('ok');
    expect(up.value?.value).toBe(1);
    expect(up.compliance).toBe(1);
    expect(up.errorBudgetRemaining).toBe(1);
    expect(up.complianceCoverage).toBeCloseTo(2 / 24);
    expect(up.burnRates.map((b) => b.window)).toEqual(['5m', '30m', '1h', '2h', '6h', '1d', '3d']);
    expect(up.burnRates[0]!.rate).toBe(0);
    expect(svc.summary.uptime_percentage).toBe(100);
  });

  it("states the budget as bad time against the whole period's allowance", () => {
    const store = newStore();
    // 481 probes over 2 h; the last 21 (5 min) failed: error ratio 5m = 1, 2 h = 21/481. Bad
    // time ≈ 5.2 min of the 14.4 min a day at 99 % allows: budget left, the window burns.
    fill(store, 'probe_success', labels, NOW - 2 * H, NOW, 15 * S, (t) => (t >= NOW - 5 * MIN ? 0 : 1));
    const up = evaluate(config, store, NOW).services[0]!.objectives[0]!;
    const total = 481;
    const bad = 21;
    expect(up.compliance).toBeCloseTo(1 - bad / total);
    expect(up.errorBudgetRemaining).toBeCloseTo(1 - ((bad / total) * (2 * H)) / (0.01 * 24 * H));
    expect(up.burnRates[0]!.rate).toBeCloseTo(1 / 0.01);
    // 1 h window (NOW − 1 h, NOW]: 21 bad of 240 probes.
    expect(up.burnRates.find((b) => b.window === '1h')!.rate).toBeCloseTo(21 / 240 / 0.01);
    // 2 h of a day's history: the status follows the burn-rate pairs, and 1h/5m both burn
    // above the paging factor of the objective's set (8 % of the budget in 1 h over 1 d: 1.92x).
    expect(up.status).toBe('breach');
  });

  it("breaches when the bad time exceeds the period's allowance", () => {
    const store = newStore();
    // The last 20 min of 2 h failed: 20 min > the 14.4 min a day at 99 % allows.
    fill(store, 'probe_success', labels, NOW - 2 * H, NOW, 15 * S, (t) => (t >= NOW - 20 * MIN ? 0 : 1));
    const up = evaluate(config, store, NOW).services[0]!.objectives[0]!;
    expect(up.errorBudgetRemaining).toBeCloseTo(1 - ((81 / 481) * (2 * H)) / (0.01 * 24 * H));
    expect(up.errorBudgetRemaining!).toBeLessThan(0);
    expect(up.status).toBe('breach');
  });

  it('cold start: 50 s of history with a 20 s outage spends 20 s of a 30-day allowance, no breach', () => {
    const month = configWith([{ name: 'uptime', indicator: { probe: { path: '/health' } }, target: '99.9%', period: '30d', window: '5m' }]);
    const store = newStore();
    // A probe a second for 50 s; the last 20 failed.
    fill(store, 'probe_success', labels, NOW - 50 * S, NOW, S, (t) => (t > NOW - 20 * S ? 0 : 1));
    const up = evaluate(month, store, NOW).services[0]!.objectives[0]!;
    const ratio = 20 / 51;
    // Compliance is what the 50 s show; the budget is 20 s against 0.1 % of 30 days (2592 s).
    expect(up.compliance).toBeCloseTo(1 - ratio);
    expect(up.complianceCoverage).toBeCloseTo(50 / (30 * 86_400), 8);
    expect(up.errorBudgetRemaining).toBeCloseTo(1 - (ratio * 50) / 2592, 6);
    expect(up.errorBudgetRemaining!).toBeGreaterThan(0.99);
    // Burn rates against each window's allowance: 5m at 0.3 s allowed burns fast, 1h does not
    // reach the 14.4x a page needs on both windows. Factors are rounded to 4 significant digits.
    expect(up.burnRates.find((b) => b.window === '5m')!.rate).toBe(roundFigure((ratio * 50) / 300 / 0.001, 'factor'));
    expect(up.burnRates.find((b) => b.window === '1h')!.rate).toBe(roundFigure((ratio * 50) / 3600 / 0.001, 'factor'));
    expect(up.burnRates.find((b) => b.window === '1h')!.rate!).toBeLessThan(14.4);
    // No pair of the 30-day set burns on both windows (1h/5m, 6h/30m at 14.4x and 6x; 1d/2h,
    // 3d/6h at 3x and 1x): as the generated rules, nothing fires, and the probe answers now.
    expect(up.status).toBe('ok');
  });

  it('cold start: a sustained outage pages through the burn-rate pairs before the budget is spent', () => {
    const month = configWith([{ name: 'uptime', indicator: { probe: { path: '/health' } }, target: '99.9%', period: '30d', window: '5m' }]);
    const store = newStore();
    // 1 h of history, the last 30 min down: 30 of the 43.2 min a 30-day 99.9 % allows.
    fill(store, 'probe_success', labels, NOW - H, NOW, 15 * S, (t) => (t > NOW - 30 * MIN ? 0 : 1));
    const up = evaluate(month, store, NOW).services[0]!.objectives[0]!;
    expect(up.errorBudgetRemaining!).toBeGreaterThan(0);
    expect(up.burnRates.find((b) => b.window === '1h')!.rate!).toBeGreaterThan(14.4);
    expect(up.burnRates.find((b) => b.window === '5m')!.rate!).toBeGreaterThan(14.4);
    expect(up.status).toBe('breach');
  });

  it('warns when the current window burns faster than the budget allows but budget is left', () => {
    const store = newStore();
    // 1 failure in the last 5 minutes out of ~6000 probes over 25 h (the whole 1 d period).
    fill(store, 'probe_success', labels, NOW - 25 * H, NOW, 15 * S, (t) => (t === NOW - 60 * S ? 0 : 1));
    const up = evaluate(config, store, NOW).services[0]!.objectives[0]!;
    expect(up.errorBudgetRemaining).toBeGreaterThan(0);
    expect(up.status).toBe('warning');
  });
});

describe('Prometheus-backed latency and ratio', () => {
  const config = configWith([
    {
      name: 'decide-latency-p95',
      indicator: { latency: { histogram: 'http_request_duration_seconds{route="/decide"}', quantile: 0.95 } },
      threshold: { max: '50ms' },
    },
    {
      name: 'availability',
      indicator: { ratio: { errors: 'sum(rate(e[{{window}}]))', total: 'sum(rate(t[{{window}}]))' } },
      target: '99.9%',
    },
  ]);
  const value = { source: 'default', service: 'ml-services', objective: 'decide-latency-p95', part: 'value', window: '5m' };
  const ratio = (window: string) => ({ source: 'default', service: 'ml-services', objective: 'availability', part: 'ratio', window });

  it('reads the stored PromQL answers: latency in seconds, ratio as good share, burn rates per window', () => {
    const store = newStore();
    fill(store, 'promql_value', value, NOW - MIN, NOW, 15 * S, () => 0.042);
    for (const [w, r] of [
      ['5m', 0.0144],
      ['30m', 0.006],
      ['1h', 0.0144],
      ['2h', 0.003],
      ['6h', 0.006],
      ['1d', 0.003],
      ['3d', 0.001],
      ['4w2d', 0.0005],
    ] as const) {
      store.appendRaw('promql_value', ratio(w), NOW - 3 * S, r);
    }
    const svc = evaluate(config, store, NOW).services[0]!;
    const lat = only(svc.objectives, 'decide-latency-p95');
    expect(lat.value).toEqual({ value: 0.042, unit: 'seconds', display: '42ms' });
    expect(lat.status).toBe('ok');
    expect(svc.summary.response_time_p95).toBeCloseTo(42);
    const av = only(svc.objectives, 'availability');
    expect(av.value?.value).toBeCloseTo(1 - 0.0144);
    expect(av.compliance).toBeCloseTo(0.9995);
    expect(av.errorBudgetRemaining).toBeCloseTo(0.5);
    expect(av.complianceCoverage).toBeNull();
    expect(av.burnRates.find((b) => b.window === '1h')!.rate).toBeCloseTo(14.4);
    expect(av.burnRates.find((b) => b.window === '3d')!.rate).toBeCloseTo(1);
    expect(av.status).toBe('warning');
    expect(svc.summary.uptime_percentage).toBeCloseTo(98.56);
  });

  it('is a breach past the bound and no_data when Prometheus answers are stale', () => {
    const store = newStore();
    fill(store, 'promql_value', value, NOW - MIN, NOW, 15 * S, () => 0.08);
    expect(only(evaluate(config, store, NOW).services[0]!.objectives, 'decide-latency-p95').status).toBe('breach');
    const later = only(evaluate(config, store, NOW + 50 * S).services[0]!.objectives, 'decide-latency-p95');
    expect(later.status).toBe('no_data');
    expect(only(evaluate(config, store, NOW).services[0]!.objectives, 'availability').status).toBe('no_data');
  });
});

describe('raw PromQL objective', () => {
  it('compares the instant answer with a plain-number bound', () => {
    const config = configWith([
      { name: 'queue', indicator: { promql: { query: 'sum(queue_depth)' } }, threshold: { max: 100, warning: 80 } },
    ]);
    const labels = { source: 'default', service: 'ml-services', objective: 'queue', part: 'value', window: '' };
    const at = (v: number) => {
      const store = newStore();
      store.appendRaw('promql_value', labels, NOW - S, v);
      return evaluate(config, store, NOW).services[0]!.objectives[0]!;
    };
    expect(at(50).status).toBe('ok');
    expect(at(90).status).toBe('warning');
    const breach = at(150);
    expect(breach.status).toBe('breach');
    expect(breach.value).toEqual({ value: 150, unit: 'number', display: '150' });
  });
});

describe('threshold objective with a target (timeslices)', () => {
  const config = configWith([
    { name: 'cpu', indicator: { containerCpu: { containers: '*' } }, threshold: { max: '60%' }, target: '90%', period: '1d', window: '5m' },
  ]);

  it('counts good slices over the stored history and says how much of the period it covers', () => {
    const store = newStore();
    // 10 hours of data; one hour (12 five-minute slices of 120) above 60 %.
    fill(store, 'container_cpu_usage_ratio', container('ml-serving-1'), NOW - 10 * H + 1, NOW, 15 * S, (t) =>
      t > NOW - 3 * H && t <= NOW - 2 * H ? 0.9 : 0.2,
    );
    const cpu = evaluate(config, store, NOW).services[0]!.objectives[0]!;
    expect(cpu.status).toBe('ok');
    expect(cpu.compliance).toBeCloseTo(1 - 12 / 120, 1);
    expect(cpu.complianceCoverage).toBeCloseTo(10 / 24, 1);
    // The budget is bad time against the whole day's allowance: 1 h of the 2.4 h 90 % allows.
    expect(cpu.errorBudgetRemaining).toBeCloseTo(1 - 1 / 24 / 0.1, 1);
    expect(cpu.burnRates.find((b) => b.window === '1h')!.rate).toBe(0);
    expect(cpu.burnRates.find((b) => b.window === '6h')!.rate!).toBeGreaterThan(1.5);
  });
});

describe('slice memo', () => {
  it('gives the same figures as walking the whole history every cycle', () => {
    const config = configWith([
      {
        name: 'cpu',
        indicator: { containerCpu: { containers: '*' } },
        threshold: { max: '60%' },
        target: '90%',
        period: '1d',
        window: '5m',
      },
    ]);
    const store = newStore();
    fill(store, 'container_cpu_usage_ratio', container('ml-serving-1'), NOW - 10 * H + 1, NOW + 20 * MIN, 15 * S, (t) =>
      Math.floor(t / (7 * MIN)) % 5 === 0 ? 0.9 : 0.2,
    );
    const memo = new WeakMap();
    for (let k = 0; k <= 4; k++) {
      const at = NOW + k * 5 * MIN;
      const plain = evaluate(config, store, at).services[0]!.objectives[0]!;
      const memoised = evaluate(config, store, at, { budgetMemo: memo }).services[0]!.objectives[0]!;
      expect(memoised).toEqual(plain);
    }
    expect(memo.get(config.services[0]!.slo.objectives[0]!)!.slices.size).toBeGreaterThan(100);
  });
});

describe('summary figures for people', () => {
  it('are rounded off float noise: a CPU share of 0.03475 is 3.475 %, not 3.4750000000000005', () => {
    expect(0.03475 * 100).not.toBe(3.475); // binary floating point: 3.4750000000000005
    const config = configWith([{ name: 'cpu', indicator: { containerCpu: { containers: 'ml*' } }, threshold: { max: '60%' } }]);
    const store = newStore();
    fill(store, 'container_cpu_usage_ratio', container('ml-1'), NOW - MIN, NOW, 15 * S, () => 0.03475);
    expect(evaluate(config, store, NOW).services[0]!.summary.cpu_usage_percent).toBe(3.475);
  });
});

describe('service status and snapshot', () => {
  it('takes the worst objective, passes source health through and evaluates every service', () => {
    const config = configWith([
      { name: 'mem', indicator: { containerMemory: { containers: '*' } }, threshold: { max: '1GiB' } },
      { name: 'cpu', indicator: { containerCpu: { containers: '*' } }, threshold: { max: '60%' } },
    ]);
    const store = newStore();
    fill(store, 'container_memory_working_set_bytes', container('x'), NOW - MIN, NOW, 15 * S, () => MiB);
    const health = {
      kind: 'docker' as const,
      name: 'default',
      up: false,
      lastSuccess: null,
      lastError: 'ECONNREFUSED',
      consecutiveFailures: 3,
      lastDurationMs: 2,
    };
    const snap = evaluate(config, store, NOW, { sources: [health] });
    expect(snap.evaluatedAt).toBe(NOW);
    expect(snap.services[0]!.status).toBe('no_data');
    expect(snap.sources).toEqual([health]);
    fill(store, 'container_cpu_usage_ratio', container('x'), NOW - MIN, NOW, 15 * S, () => 0.99);
    expect(evaluate(config, store, NOW).services[0]!.status).toBe('breach');
    expect(evaluate(config, store, NOW).services[0]!.summary).toEqual({
      uptime_percentage: null,
      response_time_p95: null,
      memory_usage_bytes: MiB,
      cpu_usage_percent: 99,
      cache_hit_ratio: null,
      db_query_p95_ms: null,
    });
  });
});
