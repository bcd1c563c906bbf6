import { describe, expect, it } from 'vitest';
import { objectivePairs, pairFires } from '../../../src/ui/burn-pairs.js';
import { configWith } from '../evaluate/evaluate-fixtures.js';

describe('objectivePairs', () => {
  it("reads the objective's window set with its factors for the period, as the generated rules do", () => {
    const config = configWith([
      { name: 'availability', indicator: { probe: { path: '/health' } }, target: '99.9%' },
      { name: 'latency', indicator: { probe: { path: '/health' } }, threshold: { max: '100ms' } },
    ]);
    expect(objectivePairs(config, 'ml-services', 'availability')).toEqual({
      set: 'google-sre-30d',
      pairs: [
        { severity: 'page', long: '1h', short: '5m', factor: 14.4 },
        { severity: 'page', long: '6h', short: '30m', factor: 6 },
        { severity: 'ticket', long: '1d', short: '2h', factor: 3 },
        { severity: 'ticket', long: '3d', short: '6h', factor: 1 },
      ],
    });
    expect(objectivePairs(config, 'ml-services', 'latency')).toBeNull();
    expect(objectivePairs(config, 'nope', 'availability')).toBeNull();
  });

  it('fires a pair only when both its windows burn faster than its factor', () => {
    const pair = { severity: 'page', long: '1h', short: '5m', factor: 14.4 };
    expect(
      pairFires(pair, [
        { window: '1h', rate: 15 },
        { window: '5m', rate: 20 },
      ]),
    ).toBe(true);
    expect(
      pairFires(pair, [
        { window: '1h', rate: 15 },
        { window: '5m', rate: 2 },
      ]),
    ).toBe(false);
    expect(
      pairFires(pair, [
        { window: '1h', rate: 15 },
        { window: '5m', rate: null },
      ]),
    ).toBe(false);
    expect(
      pairFires(pair, [
        { window: '1h', rate: 14.4 },
        { window: '5m', rate: 20 },
      ]),
    ).toBe(false);
  });
});
