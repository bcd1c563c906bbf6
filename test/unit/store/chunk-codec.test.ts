import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeChunk, encodeChunk } from '../../../src/store/chunk-codec.js';

const SEED = 20261201;

function roundTrip(t: number[], v: number[]): void {
  const out = decodeChunk(encodeChunk(t, v));
  expect(out.t.length).toBe(t.length);
  for (let i = 0; i < t.length; i++) {
    // Bit for bit: -0 stays -0, every double keeps its last bit.
    expect(Object.is(out.t[i], t[i]), `t[${i}]`).toBe(true);
    expect(Object.is(out.v[i], v[i]), `v[${i}]`).toBe(true);
  }
}

describe('chunk codec', () => {
  it('round-trips any ascending times and any finite values exactly', () => {
    const times = fc.array(fc.integer({ min: 0, max: 10 ** 7 }), { maxLength: 300 }).map((gaps) => {
      let t = 1.7e12;
      return gaps.map((g) => (t += g + 1));
    });
    const value = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
      fc.integer({ min: 0, max: 10 ** 6 }).map((x) => x / 10 ** 6),
      fc.constantFrom(0, -0, 1, 0.1, 0.30000000000000004, 2 ** 49, -(2 ** 49), 2 ** 49 + 1),
    );
    fc.assert(
      fc.property(times, fc.array(value, { maxLength: 300 }), (t, vs) => {
        const v = t.map((_, i) => vs[i % Math.max(1, vs.length)] ?? 0);
        roundTrip(t, v);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('round-trips fractional and far-apart timestamps (raw column)', () => {
    roundTrip([0.5, 1.25, 1e15, 2e15], [1, 2, 3, 4]);
    roundTrip([], []);
    roundTrip([42], [-0]);
  });

  it('regular probes cost well under a byte a point; jittered counters under two', () => {
    const n = 480;
    const aligned = Array.from({ length: n }, (_, i) => 1.7e12 + i * 15_000);
    const jittered = aligned.map((t, i) => t + ((i * 7919) % 5) - 2);
    const ones = aligned.map(() => 1);
    expect(encodeChunk(aligned, ones).length / n).toBeLessThan(0.1);
    let c = 0;
    const counter = aligned.map((_, i) => (c += 150 + ((i * 104729) % 31)));
    expect(encodeChunk(jittered, counter).length / n).toBeLessThan(2);
  });
});
