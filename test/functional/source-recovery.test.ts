// Issue 12 item 9, against a real Redis: stopped for 30 s while sampled every second with the
// default backoff, then restarted. The source keeps trying at least every 4 intervals, is seen
// up again soon after the restart, and logs one "down" and one "up" line for the whole outage.
// The recovery lag is printed (the figure reported for the issue).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisSource } from '../../src/sources/redis/redis-source.js';
import { Scheduler } from '../../src/sources/scheduler.js';
import type { SampleResult, Source } from '../../src/sources/source.js';
import { SampleStore } from '../../src/store/sample-store.js';
import { type RedisHandle, startRedis } from '../harness/launchers.js';
import { sleep, waitFor } from '../harness/services.js';

const OUTAGE_MS = 30_000;

/** The real source, with the time of every attempt. */
class Counted implements Source {
  readonly kind = 'redis' as const;
  readonly attempts: number[] = [];
  constructor(private readonly inner: RedisSource) {}
  get name(): string {
    return this.inner.name;
  }
  sample(signal: AbortSignal): Promise<SampleResult> {
    this.attempts.push(performance.now());
    return this.inner.sample(signal);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

describe('a dependency restarted after a long outage', () => {
  let redis: RedisHandle;
  let scheduler: Scheduler;
  let source: Counted;
  const lines: string[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    const logger = { debug: () => undefined, info: (m: string) => lines.push(`info ${m}`), warn: (m: string) => lines.push(`warn ${m}`) };
    scheduler = new Scheduler({
      store: new SampleStore({ retentionMs: 3_600_000, maxPointsPerSeries: 10_000 }),
      logger,
      stopTimeoutMs: 2_000,
    });
    source = new Counted(new RedisSource('cache', { url: redis.url, timeout: 500 }));
    // Interval 1 s, default backoff (no maxBackoffMs): what a user gets.
    scheduler.add(source, { schedule: '* * * * * *', timeoutMs: 500 });
    scheduler.start();
  });

  afterAll(async () => {
    await scheduler?.close();
    await redis?.stop();
  });

  it('is tried through the outage, seen up again after the restart, and logged once each way', async () => {
    const up = () => scheduler.health()[0]!.up;
    await waitFor(up, { timeoutMs: 20_000, intervalMs: 50, what: 'redis source up' });
    await redis.halt();
    const haltedAt = performance.now();
    await sleep(OUTAGE_MS);
    const during = source.attempts.filter((t) => t > haltedAt).length;
    await redis.restart();
    const restartedAt = performance.now();
    await waitFor(up, { timeoutMs: 60_000, intervalMs: 20, what: 'redis source up again' });
    const lagMs = performance.now() - restartedAt;
    console.log(
      `redis at a 1 s interval: ${during} attempts during a ${OUTAGE_MS / 1000} s outage; up again ${lagMs.toFixed(0)} ms after the restart`,
    );
    // Capped at 4 intervals: about 9 attempts in 30 s (a 5-minute cap gives 5: 1, 2, 4, 8, 16 s apart).
    expect(during).toBeGreaterThanOrEqual(7);
    expect(lines.filter((l) => l.startsWith('warn'))).toEqual([expect.stringMatching(/^warn redis\/cache down: /)]);
    expect(lines.filter((l) => l.startsWith('info'))).toEqual([
      expect.stringMatching(/^info redis\/cache up again after \d+ failed sample\(s\), \d+\.\d s down$/),
    ]);
  });
});
