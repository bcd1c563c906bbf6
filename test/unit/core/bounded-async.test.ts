import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { raceAbort, settleBounded, waitAtMost } from '../../../src/core/bounded-async.js';

describe('settleBounded', () => {
  it('keeps at most `limit` in flight, keeps order, and settles every item', async () => {
    let inFlight = 0;
    let peak = 0;
    const results = await settleBounded([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      if (n === 4) throw new Error('four');
      return n * 10;
    });
    expect(peak).toBe(3);
    expect(results.map((r) => (r.ok ? r.value : (r.error as Error).message))).toEqual([10, 20, 30, 'four', 50, 60, 70]);
  });

  it('for any items, limit and failures: one outcome per item, in order, never more than the limit in flight', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ value: fc.integer(), fails: fc.boolean(), yields: fc.nat({ max: 3 }) }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 8 }),
        async (items, limit) => {
          let inFlight = 0;
          let peak = 0;
          const results = await settleBounded(items, limit, async (item, index) => {
            inFlight++;
            peak = Math.max(peak, inFlight);
            for (let i = 0; i < item.yields; i++) await Promise.resolve();
            inFlight--;
            if (item.fails) throw new Error(`item ${index}`);
            return item.value;
          });
          expect(peak).toBeLessThanOrEqual(limit);
          expect(results).toEqual(
            items.map((item, index) => (item.fails ? { ok: false, error: new Error(`item ${index}`) } : { ok: true, value: item.value })),
          );
        },
      ),
    );
  });
});

describe('raceAbort', () => {
  it('answers the work when it settles first, and leaves no listener on the signal', async () => {
    const controller = new AbortController();
    const add = vi.spyOn(controller.signal, 'addEventListener');
    const remove = vi.spyOn(controller.signal, 'removeEventListener');
    await expect(raceAbort(Promise.resolve(42), controller.signal)).resolves.toBe(42);
    await expect(raceAbort(Promise.reject(new Error('down')), controller.signal)).rejects.toThrow('down');
    expect(add).toHaveBeenCalledTimes(2);
    expect(remove.mock.calls).toEqual(add.mock.calls.map(([type, listener]) => [type, listener]));
  });

  it('rejects with the abort reason while the work still runs', async () => {
    const controller = new AbortController();
    const pending = raceAbort(new Promise<never>(() => undefined), controller.signal);
    controller.abort(new Error('timed out after 5 ms'));
    await expect(pending).rejects.toThrow('timed out after 5 ms');
  });

  it('rejects at once on a signal that is already aborted (a reason that is no Error reads "aborted")', async () => {
    await expect(raceAbort(Promise.resolve(1), AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
    await expect(raceAbort(Promise.resolve(1), AbortSignal.abort('not an error'))).rejects.toThrow('aborted');
  });
});

describe('waitAtMost', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ends when the promise settles, either way, and leaves no timer behind', async () => {
    vi.useFakeTimers();
    await waitAtMost(Promise.resolve('done'), 1_000);
    await waitAtMost(Promise.reject(new Error('swallowed')), 1_000);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('ends after `ms` when the promise never settles', async () => {
    vi.useFakeTimers();
    let ended = false;
    void waitAtMost(new Promise(() => undefined), 400).then(() => {
      ended = true;
    });
    await vi.advanceTimersByTimeAsync(399);
    expect(ended).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(ended).toBe(true);
  });
});
