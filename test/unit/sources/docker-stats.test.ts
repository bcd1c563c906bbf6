import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cpuCounters, cpuPercent, memoryLimit, memoryWorkingSet, type StatsDoc } from '../../../src/sources/docker/docker-stats.js';

const fixture = (name: string): StatsDoc =>
  JSON.parse(readFileSync(new URL(`./docker-fixtures/${name}.json`, import.meta.url), 'utf8')) as StatsDoc;

describe('docker stats math', () => {
  it('cgroup v1: CPU % from the engine-primed precpu_stats (one full core of two = 100 %)', () => {
    const doc = fixture('cgroup-v1-burner-2');
    const prev = cpuCounters(doc.precpu_stats)!;
    const cur = cpuCounters(doc.cpu_stats)!;
    expect(cur).toEqual({ totalUsage: 31e9, systemUsage: 900002000000000, onlineCpus: 2 });
    expect(cpuPercent(prev, cur)).toBeCloseTo(100, 9);
  });

  it('cgroup v1: CPU % from our own previous sample equals the engine-primed figure', () => {
    const first = cpuCounters(fixture('cgroup-v1-burner-1').cpu_stats)!;
    const second = cpuCounters(fixture('cgroup-v1-burner-2').cpu_stats)!;
    expect(cpuPercent(first, second)).toBeCloseTo(100, 9);
  });

  it('falls back to the number of per-CPU counters when online_cpus is missing', () => {
    const doc = fixture('cgroup-v1-no-online-cpus');
    const cur = cpuCounters(doc.cpu_stats)!;
    expect(cur.onlineCpus).toBe(2);
    expect(cpuPercent(cpuCounters(doc.precpu_stats)!, cur)).toBeCloseTo(100, 9);
  });

  it('one-shot stats have an empty precpu_stats: no counters from it', () => {
    expect(cpuCounters(fixture('cgroup-v2-idle-oneshot').precpu_stats)).toBeNull();
  });

  it('cgroup v2: CPU % over 15 s between two one-shot samples (half a core)', () => {
    const a = cpuCounters(fixture('cgroup-v2-idle-oneshot').cpu_stats)!;
    const b = cpuCounters(fixture('cgroup-v2-half-core-oneshot').cpu_stats)!;
    expect(b.onlineCpus).toBe(4);
    expect(cpuPercent(a, b)).toBeCloseTo(50, 9);
  });

  it('gives no CPU figure when no time passed or the counter went down (restarted cgroup)', () => {
    const a = { totalUsage: 5e9, systemUsage: 1e12, onlineCpus: 2 };
    expect(cpuPercent(a, a)).toBeNull();
    expect(cpuPercent(a, { ...a, totalUsage: 1e6, systemUsage: 2e12 })).toBeNull();
    expect(cpuPercent(a, { ...a, systemUsage: 2e12 })).toBe(0); // idle: a real 0 %
  });

  it('memory working set: cgroup v1 subtracts total_inactive_file', () => {
    const doc = fixture('cgroup-v1-burner-1');
    // usage 10 000 000 − total_inactive_file 2 000 000 (not inactive_file 1 500 000).
    expect(memoryWorkingSet(doc.memory_stats)).toBe(8_000_000);
    expect(memoryLimit(doc.memory_stats)).toBe(64 * 2 ** 20);
  });

  it('memory working set: cgroup v2 subtracts inactive_file', () => {
    const doc = fixture('cgroup-v2-idle-oneshot');
    expect(memoryWorkingSet(doc.memory_stats)).toBe(7_000_000);
    expect(memoryLimit(doc.memory_stats)).toBe(16_777_216_000);
  });

  it('memory working set: a cache figure above usage leaves the usage; no usage gives nothing', () => {
    expect(memoryWorkingSet({ usage: 100, stats: { total_inactive_file: 500 } })).toBe(100);
    expect(memoryWorkingSet({ usage: 100, stats: { inactive_file: 500 } })).toBe(100);
    expect(memoryWorkingSet({ usage: 100 })).toBe(100);
    // A stopped container's stats: an empty memory section.
    expect(memoryWorkingSet({})).toBeNull();
    expect(memoryLimit({})).toBeNull();
  });
});
