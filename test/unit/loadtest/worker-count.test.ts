import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { afterSaturation, HEADROOM, workersFor } from '../../../src/loadtest/worker-count.js';

describe('automatic worker count', () => {
  it('one sender while the peak fits in its headroom; more when it does not, bounded by the cores', () => {
    expect(workersFor(1000, 20_000, 2)).toMatchObject({ count: 1 });
    expect(workersFor(1000, 20_000, 2).reason).toMatch(/the peak 1000 req\/s fits one sender \(one sender calibrated at 20000 req\/s/);
    // 15 000 req/s at 50 % of 20 000 per sender: 2 senders.
    expect(workersFor(15_000, 20_000, 8)).toMatchObject({ count: 2 });
    const capped = workersFor(50_000, 10_000, 2);
    expect(capped.count).toBe(2);
    expect(capped.reason).toMatch(/10 would be needed, capped at the 2 cores/);
  });

  it('never plans a sender above its headroom unless capped, and never fewer than one', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 1e6, noNaN: true }),
        fc.double({ min: 100, max: 1e5, noNaN: true }),
        fc.integer({ min: 1, max: 64 }),
        (peak, perSender, max) => {
          const { count } = workersFor(peak, perSender, max);
          expect(count).toBeGreaterThanOrEqual(1);
          expect(count).toBeLessThanOrEqual(max);
          if (count < max) expect(peak / count).toBeLessThanOrEqual(perSender * HEADROOM + 1e-6);
        },
      ),
    );
  });

  it('a part the generator could not drive adds one sender, until the cores are used up', () => {
    const one = workersFor(500, 20_000, 2);
    const two = afterSaturation(one, 2, 500);
    expect(two.count).toBe(2);
    expect(two.reason).toMatch(/fell behind at 500 req\/s, so 2 senders from there on/);
    expect(afterSaturation(two, 2, 500)).toBe(two);
  });
});
