import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SampleStore } from '../../../src/store/sample-store.js';
import { DEFAULT_TIERS, SeriesBuffer } from '../../../src/store/series-buffer.js';
import { decodeStoreFile, encodeStoreFile, restoreStore, snapshotStore } from '../../../src/store/store-file.js';

const H = 3_600_000;
const DAY = 24 * H;
const NOW = Date.UTC(2026, 10, 26, 12);
const SEED = 20261201;

function all(buffer: SeriesBuffer): { t: number[]; v: number[] } {
  const { t, v } = buffer.range(-Infinity, Infinity);
  return { t: [...t], v: [...v] };
}

describe('a series keeps its old points compressed', { timeout: 60_000 }, () => {
  it('30 days at 15 s: every point reads back, the raw tier is the last hours, memory stays within its bound', () => {
    const buffer = new SeriesBuffer(20_000);
    const t: number[] = [];
    const v: number[] = [];
    for (let x = NOW - 30 * DAY, i = 0; x <= NOW; x += 15_000, i++) {
      // Jittered stamps and a memory gauge moving in pages.
      t.push(x + ((i * 7919) % 5) - 2);
      v.push(2 ** 28 + 4096 * Math.round(Math.sin(i / 100) * 200));
      buffer.append(t.at(-1)!, v.at(-1)!, 31 * DAY);
    }
    expect(all(buffer)).toEqual({ t, v });
    expect(buffer.pointCount).toBe(t.length);
    expect(buffer.oldestTime()).toBe(t[0]);
    expect(buffer.timeAt(0)).toBeGreaterThanOrEqual(NOW - DEFAULT_TIERS.rawMs - DEFAULT_TIERS.blockMs);
    // A window inside the history tier reads exactly its points.
    const from = NOW - 20 * DAY + 7;
    const to = NOW - 19 * DAY;
    expect([...buffer.range(from, to).t]).toEqual(t.filter((x) => x >= from && x <= to));
    expect(buffer.byteLength).toBeLessThanOrEqual(20_000 * 16 + DEFAULT_TIERS.maxHistoryBytes + 960 * 16);
    // Bytes per point over the month (raw day included).
    expect(buffer.byteLength / buffer.pointCount).toBeLessThan(2);
  });

  it('points past the retention go, chunk by chunk; the history cap drops the oldest chunks first', () => {
    const buffer = new SeriesBuffer(1_000, 64, { rawMs: H, blockMs: H, maxHistoryBytes: 2_000 });
    for (let x = NOW - 10 * DAY; x <= NOW; x += 60_000) buffer.append(x, Math.floor(x / 7919) % 1000, 2 * DAY);
    const { t } = all(buffer);
    expect(t.at(-1)).toBe(NOW);
    // The byte cap bites before the 2-day retention: fewer than 2 days are left, all contiguous and newest.
    expect(t[0]!).toBeGreaterThan(NOW - 2 * DAY);
    for (let i = 1; i < t.length; i++) expect(t[i]! - t[i - 1]!).toBe(60_000);
    expect(buffer.byteLength).toBeLessThanOrEqual(1_000 * 16 + 2_000 + 60 * 16 * 2);
  });

  it('whatever the timestamps (clock steps back into the history), times stay ascending and the newest append is newest', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 * H }), { minLength: 1, maxLength: 300 }), (times) => {
        const buffer = new SeriesBuffer(16, 4, { rawMs: H, blockMs: H, maxHistoryBytes: 1 << 20 });
        const kept: Array<[number, number]> = [];
        times.forEach((t, i) => {
          buffer.append(t, i, 1e12);
          // The model: a step back forgets every point at or after the new time.
          while (kept.length > 0 && kept.at(-1)![0] >= t) kept.pop();
          kept.push([t, i]);
          expect(buffer.timeAt(buffer.length - 1)).toBe(t);
        });
        expect(all(buffer)).toEqual({ t: kept.map((p) => p[0]), v: kept.map((p) => p[1]) });
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });
});

/** A version 1 file as vigil wrote it before the history tier (layout in store-file.ts). */
function versionOneFile(series: Array<{ m: string; l: Record<string, string>; e: boolean; t: number[]; v: number[] }>): Buffer {
  const pad8 = (n: number) => (n + 7) & ~7;
  const parts: Buffer[] = [];
  for (const s of series) {
    const meta = Buffer.from(JSON.stringify({ m: s.m, l: s.l, e: s.e }));
    const head = Buffer.alloc(8 + pad8(meta.length));
    head.writeUInt32LE(meta.length, 0);
    head.writeUInt32LE(s.t.length, 4);
    meta.copy(head, 8);
    const points = Buffer.alloc(16 * s.t.length);
    s.t.forEach((x, i) => points.writeDoubleLE(x, 8 * i));
    s.v.forEach((x, i) => points.writeDoubleLE(x, 8 * (s.t.length + i)));
    parts.push(head, points);
  }
  const payload = Buffer.concat(parts);
  const header = Buffer.alloc(32);
  header.write('VIGILSTO', 0, 'ascii');
  header.writeUInt32LE(1, 8);
  header.writeUInt32LE(series.length, 16);
  header.writeBigUInt64LE(BigInt(payload.length), 20);
  header.writeUInt32LE(crc32(payload), 28);
  return Buffer.concat([header, payload]);
}

describe('store file with history', { timeout: 60_000 }, () => {
  const newStore = () => new SampleStore({ retentionMs: 31 * DAY, maxPointsPerSeries: 20_000 });

  it('an old (version 1) file loads: its 20 000 points are all kept, the older ones compressed', () => {
    const t = Array.from({ length: 20_000 }, (_, i) => NOW - (20_000 - i) * 15_000);
    const v = t.map((_, i) => i % 7);
    const labels = { source: 'p', url: 'http://127.0.0.1/health' };
    const file = versionOneFile([{ m: 'probe_success', l: labels, e: true, t, v }]);
    const store = newStore();
    expect(restoreStore(store, decodeStoreFile(file))).toEqual({ series: 1, points: 20_000 });
    const [s] = store.all();
    expect(s!.ended).toBe(true);
    expect(s!.buffer.chunks.length).toBeGreaterThan(0);
    const back = s!.buffer.range(-Infinity, Infinity);
    expect([...back.t]).toEqual(t);
    expect([...back.v]).toEqual(v);
  });

  it('version 2 round-trips both tiers exactly and is far smaller than the points raw', () => {
    const store = newStore();
    for (let x = NOW - 30 * DAY, i = 0; x <= NOW; x += 15_000, i++) {
      store.appendRaw('scrape:req_total', { source: 'a', code: '200' }, x, i * 120 + (i % 11));
      store.appendRaw('container_memory_working_set_bytes', { source: 'd', container: 'c' }, x, 2 ** 28 + 4096 * (i % 50));
    }
    const file = encodeStoreFile(snapshotStore(store));
    const copy = newStore();
    const restored = restoreStore(copy, decodeStoreFile(file));
    expect(restored.points).toBe(store.pointCount());
    for (const s of store.all()) {
      const other = copy.select(s.metric, (l) => JSON.stringify(l) === JSON.stringify(s.labels))[0]!;
      const a = other.buffer.range(-Infinity, Infinity);
      const b = s.buffer.range(-Infinity, Infinity);
      // Byte comparison: a deep equal over 170 000-element arrays is slow.
      expect(Buffer.from(a.t.buffer).equals(Buffer.from(b.t.buffer))).toBe(true);
      expect(Buffer.from(a.v.buffer).equals(Buffer.from(b.v.buffer))).toBe(true);
      expect(a.t.length).toBe(s.buffer.pointCount);
      expect(other.buffer.chunks.length).toBe(s.buffer.chunks.length);
    }
    expect(file.length / store.pointCount()).toBeLessThan(1);
  });
});
