// The leak detector on real containers: a busybox shell that keeps appending to a variable leaks;
// one that appends and then drops the variable every few turns is a GC-like sawtooth. The docker
// source samples them about once a second into the sample store, over a shortened window; the
// detector reads the store like the evaluator does. Its thresholds are adapted to the short window
// through its options (bucket count, minimum buckets), not by special cases.
import { afterAll, describe, expect, it } from 'vitest';
import { dockerSourceSchema } from '../../src/config/daemon-schema.js';
import { detectLeak } from '../../src/leak/detect-leak.js';
import type { LeakVerdict } from '../../src/leak/leak-verdict.js';
import { DOCKER_METRICS, DockerSource } from '../../src/sources/docker/docker-source.js';
import { SampleStore } from '../../src/store/sample-store.js';
import { type RunningContainer, runContainer, sleep, testServices } from '../harness/services.js';

const MiB = 2 ** 20;
const WINDOW_MS = 90_000;
const SAMPLE_EVERY_MS = 1_000;
/** One 200 kB chunk of random bytes, base64-encoded (~270 kB), per loop turn. */
const CHUNK = '$(head -c 200000 /dev/urandom | base64)';
const LEAKING = `x=; while true; do x="$x${CHUNK}"; sleep 1; done`;
/** Grows for 5 turns, then drops the variable: memory returns to the floor, like a GC. */
const SAWTOOTH = `x=; i=0; while true; do x="$x${CHUNK}"; i=$((i+1)); if [ $i -ge 5 ]; then x=; i=0; fi; sleep 1; done`;

/** The one series of a container, as the evaluator would read it, and the detector's verdict. */
function judge(
  store: SampleStore,
  container: string,
  now: number,
): { t: Float64Array; v: Float64Array; limit: number | null; verdict: LeakVerdict } {
  const memory = store.select(DOCKER_METRICS.workingSet, (l) => l.container === container);
  expect(memory).toHaveLength(1); // no restart: one series
  const { t, v } = memory[0]!.buffer.range(now - WINDOW_MS, now);
  const limitSeries = store.select(DOCKER_METRICS.limit, (l) => l.container === container)[0];
  const limit = limitSeries && limitSeries.buffer.length > 0 ? limitSeries.buffer.valueAt(limitSeries.buffer.length - 1) : null;
  // 90 s window sampled about every second: 15 buckets of 6 s, at least 10 of them with data.
  const verdict = detectLeak(t, v, { windowMs: WINDOW_MS, now, limitBytes: limit, bucketCount: 15, minBuckets: 10 });
  return { t, v, limit, verdict };
}

describe('leak detection on real containers', () => {
  const started: RunningContainer[] = [];
  afterAll(async () => {
    await Promise.allSettled(started.map((c) => c.remove()));
  });

  it('a container that keeps growing is a leak; a sawtooth one is not', { timeout: 170_000 }, async () => {
    const { docker } = testServices();
    const label = { 'vigil-test': `leak-${process.pid}` };
    const leaking = await runContainer(docker, { cmd: ['sh', '-c', LEAKING], memoryBytes: 64 * MiB, labels: label });
    started.push(leaking);
    const sawtooth = await runContainer(docker, { cmd: ['sh', '-c', SAWTOOTH], memoryBytes: 64 * MiB, labels: label });
    started.push(sawtooth);

    const source = new DockerSource({
      name: 'test',
      config: dockerSourceSchema.parse({ socketPath: docker.socketPath }),
      selectors: [{ containerLabels: label }],
    });
    const store = new SampleStore({ retentionMs: 10 * 60_000, maxPointsPerSeries: 10_000 });
    const deadline = Date.now() + WINDOW_MS + 3_000;
    try {
      for (let i = 0; i < 300 && Date.now() < deadline; i++) {
        const began = Date.now();
        const { points } = await source.sample(AbortSignal.timeout(10_000));
        for (const p of points) store.append(p);
        const spent = Date.now() - began;
        if (spent < SAMPLE_EVERY_MS) await sleep(SAMPLE_EVERY_MS - spent);
      }
    } finally {
      await source.close();
    }
    const now = Date.now();
    const leak = judge(store, leaking.name, now);
    const saw = judge(store, sawtooth.name, now);
    for (const [name, r] of [
      [leaking.name, leak],
      [sawtooth.name, saw],
    ] as const) {
      const mib = Array.from(r.v, (x) => (x / MiB).toFixed(1)).join(' ');
      console.log(`${name}: ${r.v.length} samples, limit ${(r.limit ?? 0) / MiB} MiB, ${JSON.stringify(r.verdict)}\n  MiB: ${mib}`);
    }
    expect(leak.limit).toBe(64 * MiB);
    expect(leak.v.length).toBeGreaterThan(40);
    expect(leak.verdict.verdict).toBe('leak');
    expect(leak.verdict.growthBytesPerHour!).toBeGreaterThan(0);
    expect(leak.verdict.exhaustionEtaSeconds).not.toBeNull();
    expect(saw.v.length).toBeGreaterThan(40);
    expect(saw.verdict.verdict).not.toBe('leak');
  });
});
