import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../src/evaluate/evaluate.js';
import { SampleStore } from '../../../src/store/sample-store.js';
import { configWith, container, H, NOW, S } from './evaluate-fixtures.js';

// Issue 16 item 4: a 30-day budget rests on 30 days of data. The store keeps the last day raw and
// older points in compressed chunks; the budget read through both tiers must equal the one read
// from the same points all raw (goal: within 0.1 % of the budget; the chunks are lossless, so equal).

const DAY = 24 * H;
type Results = ReturnType<typeof evaluate>['services'][number]['objectives'];
const SEED = 20261201;
const probe = { source: 'default', url: 'http://127.0.0.1:8095/health' };
const scrape = (code: string) => ({ source: 'direct', code });

const config = configWith(
  [
    { name: 'uptime', indicator: { probe: { path: '/health' } }, target: '99.9%', period: '30d', window: '5m' },
    {
      name: 'availability',
      indicator: {
        ratio: { source: 'direct', errors: 'sum(rate(req_total{code=~"5.."}[{{window}}]))', total: 'sum(rate(req_total[{{window}}]))' },
      },
      target: '99%',
      period: '30d',
    },
    {
      name: 'memory',
      indicator: { containerMemory: { containers: 'ml-serving*' } },
      threshold: { max: '100MiB' },
      target: '99%',
      period: '30d',
      window: '5m',
    },
  ],
  { sources: { scrape: { direct: { url: 'http://127.0.0.1:8095/metrics' } } } },
);

/** Two stores with the same points: one with the default tiers, one that keeps every point raw. */
function twoStores(): { tiered: SampleStore; raw: SampleStore } {
  const retentionMs = 31 * DAY;
  return {
    tiered: new SampleStore({ retentionMs, maxPointsPerSeries: 20_000 }),
    raw: new SampleStore({ retentionMs, maxPointsPerSeries: 1_000_000, tiers: { rawMs: Number.POSITIVE_INFINITY } }),
  };
}

interface Outage {
  /** Start, as a share of the 30 days. */
  at: number;
  minutes: number;
  /** Share of requests failing during the outage. */
  errorShare: number;
}

/** 30 days every `stepMs` with jittered timestamps: probes, request counters and a memory gauge, bad during the outages. */
function fill(stores: SampleStore[], outages: readonly Outage[], stepMs: number, seed: number): void {
  let rnd = seed >>> 0;
  const next = () => {
    rnd = (rnd * 1664525 + 1013904223) >>> 0;
    return rnd / 2 ** 32;
  };
  const from = NOW - 30 * DAY - H;
  const bad = (t: number) =>
    outages.find((o) => t >= NOW - 30 * DAY + o.at * 30 * DAY && t < NOW - 30 * DAY + o.at * 30 * DAY + o.minutes * 60_000);
  let ok = 0;
  let errors = 0;
  for (let t0 = from; t0 <= NOW; t0 += stepMs) {
    const t = Math.min(NOW, t0 + Math.floor(next() * 5) - 2);
    const outage = bad(t);
    const requests = 100 + Math.floor(next() * 50);
    const failed = outage ? Math.round(requests * outage.errorShare) : next() < 0.05 ? 1 : 0;
    ok += requests - failed;
    errors += failed;
    const memory = (outage ? 120 : 60) * 2 ** 20 + 4096 * Math.floor(next() * 100);
    for (const store of stores) {
      store.appendRaw('probe_success', probe, t, outage ? 0 : 1);
      store.appendRaw('probe_duration_seconds', probe, t, Math.round((0.02 + next() * 0.01) * 1e6) / 1e6);
      store.appendRaw('scrape:req_total', scrape('200'), t, ok);
      store.appendRaw('scrape:req_total', scrape('500'), t, errors);
      store.appendRaw('container_memory_working_set_bytes', container('ml-serving-1'), t, memory);
    }
  }
}

function objectives(store: SampleStore): Results {
  return evaluate(config, store, NOW).services[0]!.objectives;
}

function expectSameBudgets(tiered: Results, raw: Results): void {
  for (let i = 0; i < raw.length; i++) {
    const a = tiered[i]!;
    const b = raw[i]!;
    expect(b.errorBudgetRemaining, b.name).not.toBeNull();
    // Within 0.1 % of the budget (budget remaining is a share of the budget).
    expect(Math.abs(a.errorBudgetRemaining! - b.errorBudgetRemaining!), a.name).toBeLessThanOrEqual(0.001);
    expect(Math.abs(a.compliance! - b.compliance!), a.name).toBeLessThanOrEqual(0.001 * (1 - (b.target ?? 0)));
    expect(a.complianceCoverage, a.name).toBe(b.complianceCoverage);
  }
}

// A month of points per case: slow on a shared two-core machine, so a generous limit.
describe('30-day budgets over the compressed history tier', { timeout: 120_000 }, () => {
  it('a deterministic month: equal to the all-raw figures, coverage the whole period', () => {
    const { tiered, raw } = twoStores();
    const outages = [
      { at: 0.05, minutes: 20, errorShare: 0.5 },
      { at: 0.4, minutes: 7, errorShare: 1 },
      { at: 0.999, minutes: 3, errorShare: 0.2 },
    ];
    fill([tiered, raw], outages, 15 * S, SEED);
    // The tiered store really holds most of the month compressed.
    const [series] = tiered.select('probe_success');
    expect(series!.buffer.chunks.length).toBeGreaterThan(150);
    expect(series!.buffer.length).toBeLessThanOrEqual(20_000);
    const a = objectives(tiered);
    const b = objectives(raw);
    expectSameBudgets(a, b);
    for (const o of a) expect(o.complianceCoverage).toBe(1);
    // 30 min of probe outage in a 43.2 min allowance: about 30 % of the budget left.
    expect(a[0]!.errorBudgetRemaining).toBeGreaterThan(0.25);
    expect(a[0]!.errorBudgetRemaining).toBeLessThan(0.35);
    expect(tiered.memoryBytes()).toBeLessThan(raw.memoryBytes() / 4);
  });

  it('random months: the budget over the tiers equals the exact figure from the raw points', () => {
    const outage = fc.record({
      at: fc.double({ min: 0, max: 0.999, noNaN: true }),
      minutes: fc.integer({ min: 1, max: 120 }),
      errorShare: fc.double({ min: 0.01, max: 1, noNaN: true }),
    });
    fc.assert(
      fc.property(fc.array(outage, { maxLength: 4 }), fc.integer({ min: 1, max: 2 ** 31 }), (outages, seed) => {
        const { tiered, raw } = twoStores();
        // Two minutes between samples keep the property fast; the deterministic case runs at 15 s.
        fill([tiered, raw], outages, 2 * 60 * S, seed);
        expectSameBudgets(objectives(tiered), objectives(raw));
      }),
      { seed: SEED, numRuns: 6 },
    );
  });
});
