import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeriesBuffer } from '../../../src/store/series-buffer.js';

// `window()` hands out views into the ring where it can; it must always hold the points `range()`
// copies: after growth, wrap-around at the cap, retention drops, clock steps back, and windows
// that reach into the compressed history chunks.

describe('SeriesBuffer.window', () => {
  it('holds the same points as range(), whatever the ring has been through', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 4, max: 40 }),
        fc.array(fc.integer({ min: -3, max: 10 }), { maxLength: 120 }),
        fc.integer({ min: 5, max: 400 }),
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 0, max: 500 }),
        fc.boolean(),
        (maxPoints, steps, retentionMs, a, b, tiny) => {
          // Tiny tiers seal older points into chunks within the test's few hundred milliseconds.
          const buffer = tiny
            ? new SeriesBuffer(maxPoints, 8, { rawMs: 20, blockMs: 10, maxHistoryBytes: 10_000 })
            : new SeriesBuffer(maxPoints);
          let t = 0;
          for (const [i, step] of steps.entries()) {
            t += step;
            buffer.append(t, i, retentionMs);
          }
          const [from, to] = a <= b ? [a - 100, b - 100] : [b - 100, a - 100];
          const copied = buffer.range(from, to);
          const viewed = buffer.window(from, to);
          expect(Array.from(viewed.t)).toEqual(Array.from(copied.t));
          expect(Array.from(viewed.v)).toEqual(Array.from(copied.v));
        },
      ),
    );
  });
});
