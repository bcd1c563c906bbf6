import { describe, expect, it } from 'vitest';
import { LiveHeapEstimate, MemoryFollower, type MemoryReading, readMemory } from '../../../src/loadtest/memory-follower.js';

const MIB = 1_048_576;

/** A prom-client-like exposition: resident memory, heap total/used and, once there was one, major collections. */
function metricsText(o: { resident: number; total?: number; used?: number; majors?: number }): string {
  const lines = [`process_resident_memory_bytes ${o.resident}`];
  if (o.total !== undefined) lines.push(`nodejs_heap_size_total_bytes ${o.total}`);
  if (o.used !== undefined) lines.push(`nodejs_heap_size_used_bytes ${o.used}`);
  lines.push('nodejs_gc_duration_seconds_count{kind="minor"} 40');
  if (o.majors !== undefined) lines.push(`nodejs_gc_duration_seconds_count{kind="major"} ${o.majors}`);
  return `${lines.join('\n')}\n`;
}

describe('readMemory', () => {
  it('reads the resident memory and, from prom-client, the heap and its major collections', () => {
    expect(readMemory(metricsText({ resident: 90 * MIB, total: 30 * MIB, used: 20 * MIB, majors: 3 }))).toEqual({
      resident: 90 * MIB,
      heap: { total: 30 * MIB, used: 20 * MIB, majorCollections: 3 },
    });
  });

  it('counts no major collection when prom-client has not listed one yet', () => {
    expect(readMemory(metricsText({ resident: 90 * MIB, total: 30 * MIB, used: 20 * MIB }))?.heap?.majorCollections).toBe(0);
  });

  it('has no heap for a target without the heap metrics, and nothing without resident memory', () => {
    expect(readMemory(metricsText({ resident: 90 * MIB }))).toEqual({ resident: 90 * MIB, heap: null });
    expect(readMemory('nodejs_heap_size_total_bytes 1\n')).toBeNull();
  });
});

/** A Node service's readings: `outside` MiB resident beside the heap, the heap's committed and used MiB, majors so far. */
const reading = (outside: number, total: number, used: number, majors: number): MemoryReading => ({
  resident: (outside + total) * MIB,
  heap: { total: total * MIB, used: used * MIB, majorCollections: majors },
});

describe('LiveHeapEstimate', () => {
  it('keeps a sawtooth of the heap (garbage between major collections, pages given back) out of the judged series', () => {
    const estimate = new LiveHeapEstimate();
    // Two teeth: the heap fills with garbage (used and committed grow), a major collection brings it back to 15 MiB live.
    const readings = [
      reading(60, 20, 15, 1),
      reading(60, 24, 18, 1),
      reading(60, 28, 22, 1),
      reading(60, 21, 15, 2),
      reading(60, 27, 20, 2),
    ];
    const judged = readings.map((r, i) => estimate.judged(i * 1000, r)! / MIB);
    expect(readings.map((r) => r.resident / MIB)).toEqual([80, 84, 88, 81, 87]);
    expect(judged).toEqual([75, 75, 75, 75, 75]);
  });

  it('lets a leak outside the heap through as it grows, and a leak of JS objects at each major collection', () => {
    const buffers = new LiveHeapEstimate();
    expect(
      [reading(60, 20, 15, 1), reading(61, 24, 19, 1), reading(62, 20, 15, 2)].map((r, i) => buffers.judged(i * 1000, r)! / MIB),
    ).toEqual([75, 76, 77]);
    const objects = new LiveHeapEstimate();
    // Live heap 15 -> 17 -> 19 MiB, seen after each major collection.
    expect(
      [reading(60, 20, 15, 1), reading(60, 26, 21, 1), reading(60, 22, 17, 2), reading(60, 28, 23, 2), reading(60, 24, 19, 3)].map(
        (r, i) => objects.judged(i * 1000, r)! / MIB,
      ),
    ).toEqual([75, 75, 77, 77, 79]);
  });

  it('judges nothing for a target without heap metrics', () => {
    expect(new LiveHeapEstimate().judged(0, { resident: 80 * MIB, heap: null })).toBeNull();
  });

  it('holds the live size read in the first seconds after a major collection: later lows are the young generation ebbing', () => {
    const estimate = new LiveHeapEstimate();
    const at = [0, 5_000, 20_000, 40_000];
    const readings = [reading(60, 24, 18, 1), reading(60, 24, 16, 1), reading(60, 24, 15, 1), reading(60, 24, 14, 1)];
    expect(readings.map((r, i) => estimate.judged(at[i] ?? 0, r)! / MIB)).toEqual([78, 76, 76, 76]);
  });
});

describe('MemoryFollower series', () => {
  it('judges the Node series while every reading has the heap metrics, the resident memory otherwise', () => {
    const node = new MemoryFollower('http://127.0.0.1:1/metrics', 1000);
    node.add(1000, reading(60, 20, 15, 1));
    node.add(2000, reading(60, 24, 18, 1));
    expect(node.judgesNodeMemory).toBe(true);
    expect([...node.judgedSeries().v].map((v) => v / MIB)).toEqual([75, 75]);
    expect(node.series()).toEqual({ t: [1000, 2000], v: [80 * MIB, 84 * MIB], judged: [75 * MIB, 75 * MIB] });

    const mixed = new MemoryFollower('http://127.0.0.1:1/metrics', 1000);
    mixed.add(1000, reading(60, 20, 15, 1));
    mixed.add(2000, { resident: 84 * MIB, heap: null });
    expect(mixed.judgesNodeMemory).toBe(false);
    expect([...mixed.judgedSeries().v].map((v) => v / MIB)).toEqual([80, 84]);
    expect(mixed.series().judged).toBeUndefined();
  });

  it('continues an earlier judged series on resume, and falls back to resident memory when the earlier one had none', () => {
    const resumed = new MemoryFollower('http://127.0.0.1:1/metrics', 1000, { t: [1000], v: [80 * MIB], judged: [75 * MIB] });
    resumed.add(2000, reading(60, 22, 16, 4));
    expect(resumed.series().judged).toEqual([75 * MIB, 76 * MIB]);
    const older = new MemoryFollower('http://127.0.0.1:1/metrics', 1000, { t: [1000], v: [80 * MIB] });
    older.add(2000, reading(60, 22, 16, 4));
    expect(older.judgesNodeMemory).toBe(false);
    expect(older.series()).toEqual({ t: [1000, 2000], v: [80 * MIB, 82 * MIB] });
  });
});
