import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BudgetMemo } from '../../../src/evaluate/error-budget.js';
import { evaluate } from '../../../src/evaluate/evaluate.js';
import { ratioOfEvents } from '../../../src/evaluate/event-counts.js';
import { ScrapeRatioReader } from '../../../src/evaluate/readers/scrape-reader.js';
import { ratioOverWindow } from '../../../src/sources/scrape/window-queries.js';
import { SampleStore } from '../../../src/store/sample-store.js';
import { configWith, H, MIN, NOW, S } from './evaluate-fixtures.js';

// Event objectives (probe uptime, scrape-backed ratios) memoise the counts of finished hour
// blocks between cycles (error-budget.ts). Pure memoisation: every figure must equal the one read
// fresh over the whole period, cycle after cycle, whatever the points do (resets, gaps, a clock
// that steps back, history cut by the byte cap).

const DAY = 24 * H;
const probe = { source: 'default', url: 'http://127.0.0.1:8095/health' };
const scrape = (code: string) => ({ source: 'direct', code });

const config = configWith(
  [
    { name: 'uptime', indicator: { probe: { path: '/health' } }, target: '99%', period: '1d', window: '5m' },
    {
      name: 'errors',
      indicator: {
        ratio: { source: 'direct', errors: 'sum(rate(req_total{code=~"5.."}[{{window}}]))', total: 'sum(rate(req_total[{{window}}]))' },
      },
      target: '99%',
      period: '1d',
    },
    {
      name: 'good',
      indicator: {
        ratio: {
          source: 'direct',
          good: 'sum(increase(req_total{code="200"}[{{window}}]))',
          total: 'sum(increase(req_total[{{window}}]))',
        },
      },
      target: '95%',
      period: '1d',
    },
  ],
  { sources: { scrape: { direct: { url: 'http://127.0.0.1:8095/metrics' } } } },
);

/** Small chunks and a small byte cap, so a day of history is sealed and the oldest chunks get dropped. */
function newStore(): SampleStore {
  return new SampleStore({ retentionMs: 31 * DAY, maxPointsPerSeries: 2_000, tiers: { rawMs: H, blockMs: H, maxHistoryBytes: 2_048 } });
}

/** What happens between two cycles. */
interface Step {
  /** How far the clock moves (negative: it stepped back). */
  advanceMs: number;
  /** Sampling every this often until the new now; 0: a gap (nothing sampled). */
  everyMs: number;
  /** Share of probes failing, and of requests failing. */
  badShare: number;
  /** The scraped process restarts (its counters start again from zero) at the first sample. */
  restart: boolean;
}

class Simulation {
  private ok = 0;
  private errors = 0;
  private rnd: number;

  constructor(
    readonly store: SampleStore,
    seed: number,
  ) {
    this.rnd = seed >>> 0;
  }

  private next(): number {
    this.rnd = (this.rnd * 1664525 + 1013904223) >>> 0;
    return this.rnd / 2 ** 32;
  }

  sample(t: number, badShare: number, restart: boolean): void {
    if (restart) this.ok = this.errors = 0;
    const requests = Math.floor(this.next() * 40);
    const failed = Math.round(requests * badShare * this.next());
    this.ok += requests - failed;
    this.errors += failed;
    this.store.appendRaw('probe_success', probe, t, this.next() < badShare ? 0 : 1);
    this.store.appendRaw('scrape:req_total', scrape('200'), t, this.ok);
    this.store.appendRaw('scrape:req_total', scrape('500'), t, this.errors);
  }

  /** Samples `(from, to]` as the step says, timestamps jittered by a few ms. */
  run(from: number, to: number, step: Step): void {
    if (step.everyMs === 0) return;
    let restart = step.restart;
    for (let t = from + step.everyMs; t <= to; t += step.everyMs) {
      this.sample(Math.min(to, t + Math.floor(this.next() * 5)), step.badShare, restart);
      restart = false;
    }
  }
}

type Objectives = ReturnType<typeof evaluate>['services'][number]['objectives'];

/** Runs the steps, evaluating with the memo and fresh after each; returns both sets of figures per cycle. */
function cycles(steps: readonly Step[], seed: number): Array<{ memoised: Objectives; fresh: Objectives }> {
  const sim = new Simulation(newStore(), seed);
  const memo: BudgetMemo = new WeakMap();
  let now = NOW - 2 * DAY;
  sim.run(now - DAY, now, { advanceMs: DAY, everyMs: 60 * S, badShare: 0.02, restart: false });
  const out: Array<{ memoised: Objectives; fresh: Objectives }> = [];
  for (const step of steps) {
    const next = now + step.advanceMs;
    sim.run(Math.min(now, next), next, step);
    now = next;
    out.push({
      memoised: evaluate(config, sim.store, now, { budgetMemo: memo }).services[0]!.objectives,
      fresh: evaluate(config, sim.store, now).services[0]!.objectives,
    });
  }
  return out;
}

const step = fc.record({
  advanceMs: fc.oneof(
    fc.integer({ min: 1, max: 10 * S }),
    fc.integer({ min: 10 * S, max: 3 * H }),
    fc.integer({ min: -15 * MIN, max: -1 }),
  ),
  everyMs: fc.constantFrom(0, 15 * S, 60 * S, 7 * MIN),
  badShare: fc.constantFrom(0, 0.01, 0.3, 1),
  restart: fc.boolean(),
});

describe('event block memo', { timeout: 120_000 }, () => {
  it('gives the same figures as reading the whole period, cycle after cycle', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 25 }), fc.integer({ min: 1, max: 2 ** 31 }), (steps, seed) => {
        for (const { memoised, fresh } of cycles(steps, seed)) expect(memoised).toEqual(fresh);
      }),
      { seed: 20261201, numRuns: 40 },
    );
  });

  it('a day of cycles with an outage, a restart, a gap and a clock step: equal figures, and blocks kept', () => {
    const sim = new Simulation(newStore(), 7);
    const memo: BudgetMemo = new WeakMap();
    let now = NOW - DAY;
    sim.run(now - DAY, now, { advanceMs: DAY, everyMs: 30 * S, badShare: 0.01, restart: false });
    const plan: Step[] = [
      { advanceMs: 2 * H, everyMs: 30 * S, badShare: 0.01, restart: false },
      { advanceMs: 20 * MIN, everyMs: 30 * S, badShare: 1, restart: true },
      { advanceMs: 90 * MIN, everyMs: 0, badShare: 0, restart: false },
      { advanceMs: -5 * MIN, everyMs: 15 * S, badShare: 0, restart: false },
      ...Array.from({ length: 40 }, () => ({ advanceMs: 5 * S, everyMs: 15 * S, badShare: 0.05, restart: false })),
      { advanceMs: 6 * H, everyMs: 60 * S, badShare: 0.02, restart: true },
    ];
    let compared = 0;
    for (const s of plan) {
      const next = now + s.advanceMs;
      sim.run(Math.min(now, next), next, s);
      now = next;
      const memoised = evaluate(config, sim.store, now, { budgetMemo: memo }).services[0]!.objectives;
      const fresh = evaluate(config, sim.store, now).services[0]!.objectives;
      expect(memoised).toEqual(fresh);
      for (const o of fresh) expect(o.compliance, o.name).not.toBeNull();
      compared++;
    }
    expect(compared).toBe(plan.length);
    // The outage is in the figures (the fresh read sees it, so the memo does too).
    const last = evaluate(config, sim.store, now).services[0]!.objectives;
    expect(last[0]!.compliance).toBeLessThan(1);
    // Each event objective keeps finished hour blocks; none older than the longest span it reads
    // (its window set's 3d burn-rate window reaches past the 1-day period).
    for (const o of config.services[0]!.slo.objectives) {
      const blocks = [...memo.get(o)!.blocks.keys()];
      expect(blocks.length, o.name).toBeGreaterThan(10);
      expect(Math.min(...blocks), o.name).toBeGreaterThan(now - 3 * DAY - H);
      expect(Math.max(...blocks) + H, o.name).toBeLessThanOrEqual(now);
    }
  });

  it('a first cycle before any sample keeps no block, and later cycles none from before history began', () => {
    const sim = new Simulation(newStore(), 3);
    const memo: BudgetMemo = new WeakMap();
    const empty = evaluate(config, sim.store, NOW, { budgetMemo: memo }).services[0]!.objectives;
    expect(empty).toEqual(evaluate(config, sim.store, NOW).services[0]!.objectives);
    for (const o of config.services[0]!.slo.objectives) expect(memo.get(o)?.blocks.size ?? 0, o.name).toBe(0);
    // Three hours of samples later: only the blocks since the first sample.
    sim.run(NOW, NOW + 3 * H, { advanceMs: 3 * H, everyMs: 60 * S, badShare: 0.02, restart: false });
    const later = NOW + 3 * H;
    expect(evaluate(config, sim.store, later, { budgetMemo: memo }).services[0]!.objectives).toEqual(
      evaluate(config, sim.store, later).services[0]!.objectives,
    );
    for (const o of config.services[0]!.slo.objectives) {
      const blocks = [...(memo.get(o)?.blocks.keys() ?? [])];
      expect(blocks.length, o.name).toBeLessThanOrEqual(3);
      for (const start of blocks) expect(start + H, o.name).toBeGreaterThan(NOW);
    }
  });
});

describe('scrape ratio events', () => {
  it('give the ratio ratioOverWindow gives over any window (same semantics as before)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ gapMs: fc.integer({ min: 1, max: 20 * MIN }), ok: fc.nat(50), bad: fc.nat(5), restart: fc.boolean() }), {
          minLength: 1,
          maxLength: 200,
        }),
        fc.integer({ min: 1, max: 6 * H }),
        fc.boolean(),
        (samples, windowMs, byGood) => {
          const store = newStore();
          let t = NOW - 6 * H;
          let ok = 0;
          let bad = 0;
          for (const s of samples) {
            t += s.gapMs;
            if (s.restart) ok = bad = 0;
            ok += s.ok;
            bad += s.bad;
            store.appendRaw('scrape:req_total', scrape('200'), t, ok);
            store.appendRaw('scrape:req_total', scrape('500'), t, bad);
          }
          const total = 'sum(increase(req_total[{{window}}]))';
          const ratio = byGood
            ? { source: 'direct', good: 'sum(increase(req_total{code="200"}[{{window}}]))', total }
            : { source: 'direct', errors: 'sum(increase(req_total{code="500"}[{{window}}]))', total };
          const now = t + 1;
          const reader = new ScrapeRatioReader({ store, now, windowMs: windowMs, staleAfterMs: H }, ratio);
          const before = ratioOverWindow(store, 'direct', ratio, now - windowMs, now);
          const after = ratioOfEvents(reader.events!(now - windowMs, now));
          expect(after).toEqual(before.errorRatio === null ? null : { ratio: before.errorRatio, newestT: before.newestT });
        },
      ),
      { seed: 20261201, numRuns: 200 },
    );
  });

  it('a query with a fixed window keeps reading the whole span', () => {
    const reader = new ScrapeRatioReader(
      { store: newStore(), now: NOW, windowMs: 5 * MIN, staleAfterMs: H },
      { source: 'direct', errors: 'sum(rate(req_total{code="500"}[5m]))', total: 'sum(rate(req_total[5m]))' },
    );
    expect(reader.events).toBeUndefined();
    expect(reader.errorRatio).toBeDefined();
  });
});
