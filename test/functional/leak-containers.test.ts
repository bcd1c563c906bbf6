// The leak detector on real containers: a busybox shell that keeps appending to a variable leaks;
// one that appends and then drops the variable every few seconds is a GC-like sawtooth. Memory is
// read from the harness's Docker Engine once a second over a shortened window; the detector's
// thresholds are adapted to that window through its options (bucket count, minimum buckets), not
// by special cases.
import type Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { detectLeak } from '../../src/leak/detect-leak.js';
import type { LeakOptions, LeakVerdict } from '../../src/leak/leak-verdict.js';
import { dockerClient, runContainer, sleep, testServices, type RunningContainer } from '../harness/services.js';

const MiB = 2 ** 20;
const WINDOW_MS = 90_000;
const SAMPLE_EVERY_MS = 1_000;
/** One 200 kB chunk of random bytes, base64-encoded (~270 kB), per loop turn. */
const CHUNK = '$(head -c 200000 /dev/urandom | base64)';
const LEAKING = `x=; while true; do x="$x${CHUNK}"; sleep 1; done`;
/** Grows for 5 turns, then drops the variable: memory returns to the floor, like a GC. */
const SAWTOOTH = `x=; i=0; while true; do x="$x${CHUNK}"; i=$((i+1)); if [ $i -ge 5 ]; then x=; i=0; fi; sleep 1; done`;

interface MemoryStats {
  usage?: number;
  limit?: number;
  stats?: Record<string, number | undefined>;
}

/** What `docker stats` shows as memory: usage minus inactive file cache (cgroup v1 and v2 names). */
function workingSet(m: MemoryStats): number | null {
  if (m.usage === undefined) return null;
  const inactive = m.stats?.total_inactive_file ?? m.stats?.inactive_file ?? 0;
  return Math.max(0, m.usage - inactive);
}

class MemorySeries {
  readonly t: number[] = [];
  readonly v: number[] = [];
  limit: number | null = null;
  constructor(readonly container: RunningContainer) {}
  arrays(): { t: Float64Array; v: Float64Array } {
    return { t: Float64Array.from(this.t), v: Float64Array.from(this.v) };
  }
}

async function sampleOnce(client: Docker, s: MemorySeries): Promise<void> {
  const stats = (await client.getContainer(s.container.id).stats({ stream: false })) as { memory_stats?: MemoryStats };
  const ws = stats.memory_stats ? workingSet(stats.memory_stats) : null;
  if (ws === null) return;
  s.t.push(Date.now());
  s.v.push(ws);
  s.limit = stats.memory_stats?.limit ?? null;
}

/** The detector tuned for a 90 s window sampled every second: 15 buckets of 6 s. */
function judge(s: MemorySeries): LeakVerdict {
  const { t, v } = s.arrays();
  const options: LeakOptions = {
    windowMs: WINDOW_MS,
    now: t[t.length - 1]!,
    limitBytes: s.limit,
    bucketCount: 15,
    minBuckets: 10,
  };
  return detectLeak(t, v, options);
}

describe('leak detection on real containers', () => {
  const started: RunningContainer[] = [];
  afterAll(async () => {
    await Promise.allSettled(started.map((c) => c.remove()));
  });

  it('a container that keeps growing is a leak; a sawtooth one is not', { timeout: 170_000 }, async () => {
    const { docker } = testServices();
    const client = dockerClient(docker);
    const leaking = await runContainer(docker, { cmd: ['sh', '-c', LEAKING], memoryBytes: 64 * MiB });
    started.push(leaking);
    const sawtooth = await runContainer(docker, { cmd: ['sh', '-c', SAWTOOTH], memoryBytes: 64 * MiB });
    started.push(sawtooth);
    const series = [new MemorySeries(leaking), new MemorySeries(sawtooth)];

    const deadline = Date.now() + WINDOW_MS + 5_000;
    for (let i = 0; i < 200 && Date.now() < deadline; i++) {
      const began = Date.now();
      await Promise.all(series.map((s) => sampleOnce(client, s)));
      const spent = Date.now() - began;
      if (spent < SAMPLE_EVERY_MS) await sleep(SAMPLE_EVERY_MS - spent);
    }
    const [leak, saw] = series.map((s) => ({ s, verdict: judge(s) }));
    for (const { s, verdict } of [leak!, saw!]) {
      const mb = s.v.map((x) => (x / MiB).toFixed(1)).join(' ');
      console.log(`${s.container.name}: ${s.v.length} samples, limit ${(s.limit ?? 0) / MiB} MiB, verdict ${JSON.stringify(verdict)}\n  MiB: ${mb}`);
    }
    expect(leak!.s.limit).toBe(64 * MiB);
    expect(leak!.s.v.length).toBeGreaterThan(40);
    expect(leak!.verdict.verdict).toBe('leak');
    expect(leak!.verdict.growthBytesPerHour!).toBeGreaterThan(0);
    expect(leak!.verdict.exhaustionEtaSeconds).not.toBeNull();
    expect(saw!.s.v.length).toBeGreaterThan(40);
    expect(saw!.verdict.verdict).not.toBe('leak');
  });
});
