import { describe, expect, it } from 'vitest';
import { burnRateFactor, resolveWindowSet, windowSetSchema } from '../../../src/generate/window-sets.js';
import { shippedOptions } from './fixtures.js';

const DAY = 86_400_000;

describe('burn-rate window sets (alerts/windows/*.yaml)', () => {
  it('google-sre-30d gives the workbook factors over 30 days', async () => {
    const set = (await shippedOptions()).windowSets.get('google-sre-30d')!;
    const resolved = resolveWindowSet(set, 30 * DAY);
    expect(resolved.map((a) => [a.severity, a.windowLabel, a.factor])).toEqual([
      ['page', '1h/5m', 14.4],
      ['page', '6h/30m', 6],
      ['ticket', '1d/2h', 3],
      ['ticket', '3d/6h', 1],
    ]);
  });

  it('scales the factors for other periods: same budget share, same windows', async () => {
    const set = (await shippedOptions()).windowSets.get('google-sre-30d')!;
    expect(resolveWindowSet(set, 28 * DAY).map((a) => a.factor)).toEqual([13.44, 5.6, 2.8, 0.9333333333]);
    // A 7-day period: 2% of a week's budget in 1h is 3.36x.
    expect(resolveWindowSet(set, 7 * DAY).map((a) => a.factor)).toEqual([3.36, 1.4, 0.7, 0.2333333333]);
  });

  it('factor = budget share consumed / window share of the period', () => {
    expect(burnRateFactor({ severity: 'page', longWindow: 3_600_000, shortWindow: 300_000, budgetConsumed: 0.02 }, 30 * DAY)).toBeCloseTo(14.4, 10);
  });

  it('refuses a set whose short window is not shorter', () => {
    const parsed = windowSetSchema.safeParse({
      name: 'bad',
      referencePeriod: '30d',
      alerts: [{ severity: 'page', longWindow: '5m', shortWindow: '1h', budgetConsumed: '2%' }],
    });
    expect(parsed.success).toBe(false);
  });

  it('ships page-only and ticket-only halves', async () => {
    const sets = (await shippedOptions()).windowSets;
    expect(resolveWindowSet(sets.get('page-only-30d')!, 30 * DAY).map((a) => a.windowLabel)).toEqual(['1h/5m', '6h/30m']);
    expect(resolveWindowSet(sets.get('ticket-only-30d')!, 30 * DAY).map((a) => a.windowLabel)).toEqual(['1d/2h', '3d/6h']);
  });
});
