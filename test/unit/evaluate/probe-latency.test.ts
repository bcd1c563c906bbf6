import { describe, expect, it } from 'vitest';
import { quantileOverTime } from '../../../src/core/quantile.js';
import { evaluate } from '../../../src/evaluate/evaluate.js';
import { configWith, fill, H, MIN, NOW, newStore, S } from './evaluate-fixtures.js';

/**
 * A probe objective whose threshold is a duration bounds the probes' P95 response time (seconds),
 * not their success share: a healthy, fast endpoint is ok, a slow one breaches.
 */

const URL = 'http://127.0.0.1:8095/health';
const labels = { source: 'default', url: URL };
const probeEvery = 15 * S;

/** Probes every 15 s over `[from, NOW]`, all successful, with durations from `seconds`. */
function probes(from: number, seconds: (t: number, i: number) => number) {
  const store = newStore();
  fill(store, 'probe_success', labels, from, NOW, probeEvery, () => 1);
  fill(store, 'probe_duration_seconds', labels, from, NOW, probeEvery, seconds);
  return store;
}

describe('probe with a duration threshold', () => {
  const config = configWith([
    { name: 'fast', indicator: { probe: { path: '/health' } }, threshold: { max: '100ms', warning: '50ms' }, window: '5m' },
  ]);
  const objective = (store: ReturnType<typeof newStore>, now = NOW) => evaluate(config, store, now).services[0]!.objectives[0]!;

  it('is ok when the probes answer fast, its value the P95 duration in seconds', () => {
    const durations = (_t: number, i: number) => (i % 7 === 0 ? 0.03 : 0.01);
    const o = objective(probes(NOW - 10 * MIN, durations));
    // The 5-minute window holds the last 21 probes (indexes 20..40).
    const inWindow = Array.from({ length: 21 }, (_, k) => durations(0, 20 + k));
    expect(o.status).toBe('ok');
    expect(o.value).toMatchObject({ unit: 'seconds' });
    expect(o.value!.value).toBeCloseTo(quantileOverTime(0.95, inWindow)!, 12);
    expect(o.breakdown).toEqual([{ labels: { url: URL, probes: '21' }, value: o.value!.value }]);
  });

  it('breaches when the P95 is past the bound although every probe succeeded', () => {
    const o = objective(probes(NOW - 10 * MIN, () => 0.25));
    expect(o.value!.value).toBeCloseTo(0.25, 12);
    expect(o.status).toBe('breach');
  });

  it('warns between the warning bound and the max', () => {
    expect(objective(probes(NOW - 10 * MIN, () => 0.07)).status).toBe('warning');
  });

  it('looks at the P95, not the mean: 1 very slow probe in 21 is ok, 2 slightly slow ones breach', () => {
    // One 3 s probe: mean 152 ms, P95 (rank 19 of 0..20) 10 ms.
    expect(objective(probes(NOW - 5 * MIN, (_t, i) => (i < 1 ? 3 : 0.01))).status).toBe('ok');
    // Two 150 ms probes: mean 23 ms, P95 150 ms.
    expect(objective(probes(NOW - 5 * MIN, (_t, i) => (i < 2 ? 0.15 : 0.01))).status).toBe('breach');
  });

  it('is no_data when the newest probe is stale (3 probe intervals)', () => {
    const store = probes(NOW - 10 * MIN, () => 0.01);
    expect(objective(store, NOW + 44 * S).status).toBe('ok');
    const stale = objective(store, NOW + 46 * S);
    expect(stale.status).toBe('no_data');
    expect(stale.error).toMatch(/stale/);
  });

  it('is no_data without any probe series', () => {
    const o = objective(newStore());
    expect(o.status).toBe('no_data');
    expect(o.error).toContain(URL);
  });

  it('leaves the uptime headline to uptime objectives', () => {
    const both = configWith([
      { name: 'fast', indicator: { probe: { path: '/health' } }, threshold: { max: '100ms' } },
      { name: 'up', indicator: { probe: { path: '/health' } }, target: '99%', period: '1d' },
    ]);
    const svc = evaluate(
      both,
      probes(NOW - 10 * MIN, () => 0.02),
      NOW,
    ).services[0]!;
    expect(svc.objectives.map((o) => o.value?.unit)).toEqual(['seconds', 'ratio']);
    expect(svc.summary.uptime_percentage).toBe(100);
  });
});

describe('probe with a duration threshold and a target (timeslices)', () => {
  const config = configWith([
    { name: 'fast', indicator: { probe: { path: '/health' } }, threshold: { max: '100ms' }, target: '90%', window: '5m', period: '1d' },
  ]);

  it('counts 5-minute slices whose P95 is past the bound as bad', () => {
    // 2 h of probes; the last 20 minutes slow: 4 bad slices of the 24 full ones (+ the slice at NOW).
    const store = probes(NOW - 2 * H, (t) => (t > NOW - 20 * MIN ? 0.3 : 0.02));
    const o = evaluate(config, store, NOW).services[0]!.objectives[0]!;
    expect(o.status).toBe('breach');
    const slices = 25;
    const bad = 5;
    expect(o.compliance).toBeCloseTo(1 - bad / slices, 12);
    // The budget is time (docs/architecture.md): 4 whole bad slices (20 min; the slice starting at
    // NOW has no length yet) against the whole period's allowance, 10 % of 1 d.
    expect(o.errorBudgetRemaining).toBeCloseTo(1 - (20 * MIN) / (0.1 * 24 * H), 12);
    expect(o.burnRates[0]).toEqual({ window: '5m', rate: expect.closeTo(1 / 0.1, 9) });
  });

  it('has full compliance when every slice is fast, whatever the success share', () => {
    const store = newStore();
    fill(store, 'probe_success', labels, NOW - 2 * H, NOW, probeEvery, (_t, i) => i % 2);
    fill(store, 'probe_duration_seconds', labels, NOW - 2 * H, NOW, probeEvery, () => 0.02);
    const o = evaluate(config, store, NOW).services[0]!.objectives[0]!;
    expect(o.status).toBe('ok');
    expect(o.compliance).toBe(1);
  });
});

describe('probe with a threshold that is not a duration', () => {
  it('reads nothing and says why (the loader rejects it; a config built in code must not compare a share with seconds)', () => {
    const config = configWith([{ name: 'up', indicator: { probe: { path: '/health' } }, threshold: { min: '99%' } }]);
    const o = evaluate(
      config,
      probes(NOW - 10 * MIN, () => 0.01),
      NOW,
    ).services[0]!.objectives[0]!;
    expect(o.status).toBe('no_data');
    expect(o.error).toBe('a probe threshold bounds the response time: expected durations, got ratio');
  });
});
