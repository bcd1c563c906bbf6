import { describe, expect, it } from 'vitest';
import { generatorHealth, LATE_MS, MAX_LOOP_DELAY_P99_MS } from '../../../src/loadtest/generator-health.js';

const lateness = (onTime: number, late: number) =>
  Float64Array.from([...Array<number>(onTime).fill(0.4), ...Array<number>(late).fill(LATE_MS + 5)]);

describe('generatorHealth', () => {
  it('a generator that kept its schedule did not limit the run', () => {
    const h = generatorHealth(lateness(1000, 40), { p99: 3, max: 20 }, 1);
    expect(h.limited).toBe(false);
    expect(h.reason).toBeNull();
    expect(h.sendLatenessMs.lateShare).toBeCloseTo(40 / 1040, 9);
    // A short step with one pause: 3 of 40 late is 7.5 %, but too few sends to blame the generator.
    expect(generatorHealth(lateness(37, 3), { p99: 3, max: 20 }, 1).limited).toBe(false);
  });

  it('more than 5 % of sends late: the generator limited the run, and the report says how to fix it', () => {
    const h = generatorHealth(lateness(1000, 60), { p99: 3, max: 20 }, 2);
    expect(h.limited).toBe(true);
    expect(h.reason).toMatch(/the generator limited the run: 5\.7% of requests were sent more than 10 ms after their due time/);
    expect(h.reason).toMatch(/more --workers \(now 2 worker threads\)/);
  });

  it('a blocked event loop limits a closed-model run too (no schedule to be late against)', () => {
    const h = generatorHealth(new Float64Array(0), { p99: MAX_LOOP_DELAY_P99_MS + 1, max: 200 }, 1);
    expect(h.limited).toBe(true);
    expect(h.sendLatenessMs).toEqual({ p50: null, p99: null, max: null, lateShare: 0 });
    expect(h.reason).toMatch(/event loop was blocked/);
  });
});
