import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { writeStoreFile } from '../../../src/store/persist.js';
import { SampleStore } from '../../../src/store/sample-store.js';
import { decodeStoreFile, encodeStoreFile, restoreStore, snapshotPoints, snapshotStore } from '../../../src/store/store-file.js';

// The daemon writes its store file a slice of series at a time (persist.ts), the header last.
// With the store unchanged meanwhile, the bytes must be the whole-file encoder's.

const H = 3_600_000;
const NOW = Date.UTC(2026, 11, 1, 12);

/**
 * A file handle that keeps what is written at each position in memory; `between` runs after every
 * write; at most `perWrite` bytes go out per call (a disk nearly full writes short).
 */
function memoryFile(between: () => void = () => undefined, perWrite = Number.POSITIVE_INFINITY) {
  let bytes = Buffer.alloc(0);
  return {
    handle: {
      async write(buffer: Uint8Array, offset: number, asked: number, position: number) {
        const length = Math.min(asked, perWrite);
        const end = position + length;
        if (end > bytes.length) bytes = Buffer.concat([bytes, Buffer.alloc(end - bytes.length)]);
        bytes.set(buffer.subarray(offset, offset + length), position);
        between();
        return { bytesWritten: length, buffer };
      },
    } as unknown as Parameters<typeof writeStoreFile>[0],
    bytes: () => bytes,
  };
}

/** Series with raw points and (small tiers) sealed history chunks; some ended. */
const series = fc.array(
  fc.record({
    metric: fc.constantFrom('scrape:a_total', 'probe_success', 'vigil_history_objective_value'),
    label: fc.string({ maxLength: 6 }),
    points: fc.array(fc.record({ gapMs: fc.integer({ min: 1, max: 20 * 60_000 }), v: fc.double({ noNaN: true }) }), { maxLength: 60 }),
    ended: fc.boolean(),
  }),
  { maxLength: 30 },
);

function storeOf(list: Array<{ metric: string; label: string; points: Array<{ gapMs: number; v: number }>; ended: boolean }>): SampleStore {
  const store = new SampleStore({ retentionMs: 40 * 24 * H, maxPointsPerSeries: 1_000, tiers: { rawMs: H, blockMs: H } });
  for (const s of list) {
    let t = NOW - 20 * H;
    for (const p of s.points) store.appendRaw(s.metric, { source: 'x', l: s.label }, (t += p.gapMs), p.v);
    if (s.ended) store.markEnded(s.metric, { source: 'x', l: s.label });
  }
  return store;
}

describe('store file written in slices', () => {
  it('is byte for byte the whole-file encoding, whatever the slice length', async () => {
    await fc.assert(
      fc.asyncProperty(series, fc.constantFrom(0, 0.01, 5, 1000), async (list, sliceMs) => {
        const store = storeOf(list);
        const file = memoryFile();
        const written = await writeStoreFile(file.handle, store, sliceMs);
        const whole = encodeStoreFile(snapshotStore(store));
        expect(file.bytes().equals(whole)).toBe(true);
        expect(written.bytes).toBe(whole.length);
        expect(written.series).toBe(store.seriesCount);
        expect(written.points).toBe(store.pointCount());
      }),
      { seed: 20261201, numRuns: 150 },
    );
  });

  it('short writes are continued until every byte is out; a write of nothing is an error, not a short file', async () => {
    const store = storeOf([
      { metric: 'probe_success', label: 'a', points: Array.from({ length: 40 }, () => ({ gapMs: 15_000, v: 1 })), ended: false },
    ]);
    const short = memoryFile(undefined, 7);
    await writeStoreFile(short.handle, store, 0);
    expect(short.bytes().equals(encodeStoreFile(snapshotStore(store)))).toBe(true);
    const full = memoryFile(undefined, 0);
    await expect(writeStoreFile(full.handle, store, 0)).rejects.toMatchObject({ code: 'VIGIL_ERR_STORE_UNWRITABLE' });
  });

  it('a store written to between slices gives a readable file of whole series', async () => {
    const store = storeOf(
      Array.from({ length: 20 }, (_, i) => ({
        metric: 'scrape:a_total',
        label: `s${i}`,
        points: Array.from({ length: 30 }, () => ({ gapMs: 60_000, v: i })),
        ended: false,
      })),
    );
    let t = NOW;
    // Every write (one series a slice) is followed by samples: a point for every series and, for
    // the first ten, a new series (which the save may or may not reach).
    let writes = 0;
    const file = memoryFile(() => {
      t += 15_000;
      for (const s of [...store.all()]) store.appendRaw(s.metric, s.labels, t, 1);
      if (++writes <= 10) store.appendRaw('scrape:new_total', { source: 'x', n: String(t) }, t, 1);
    });
    const written = await writeStoreFile(file.handle, store, 0);
    const decoded = decodeStoreFile(file.bytes());
    expect(decoded).toHaveLength(written.series);
    const copy = new SampleStore({ retentionMs: 40 * 24 * H, maxPointsPerSeries: 1_000 });
    expect(restoreStore(copy, decoded).points).toBe(written.points);
    // Each of the first 20 series holds its 30 points and whatever was sampled before its slice ran, in order.
    for (const s of decoded.filter((d) => d.metric === 'scrape:a_total')) {
      expect(snapshotPoints(s)).toBeGreaterThanOrEqual(30);
      expect([...s.t]).toEqual([...s.t].sort((a, b) => a - b));
    }
  });
});
