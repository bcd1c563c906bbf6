import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cronIntervalMs } from '../../../src/config/cron-interval.js';
import { backoffDelay, mayAttempt } from '../../../src/sources/backoff.js';
import { jitterMs, Scheduler } from '../../../src/sources/scheduler.js';
import type { SampleResult, Source } from '../../../src/sources/source.js';
import { SourceRunner } from '../../../src/sources/source-runner.js';
import { SampleStore } from '../../../src/store/sample-store.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A scripted source: each call to sample() runs the next step (the last repeats). */
class FakeSource implements Source {
  readonly kind = 'redis' as const;
  calls = 0;
  active = 0;
  maxActive = 0;
  closed = false;
  abortedWith: unknown = undefined;
  constructor(
    readonly name: string,
    private readonly steps: Array<(signal: AbortSignal, call: number) => Promise<SampleResult>>,
  ) {}
  async sample(signal: AbortSignal): Promise<SampleResult> {
    const call = this.calls++;
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    signal.addEventListener('abort', () => (this.abortedWith = signal.reason), { once: true });
    try {
      return await this.steps[Math.min(call, this.steps.length - 1)]!(signal, call);
    } finally {
      this.active--;
    }
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

const ok =
  (value = 1) =>
  async (_s: AbortSignal, call: number): Promise<SampleResult> => ({
    points: [{ metric: 'm', labels: { source: 'x' }, t: 1_000 + call, value }],
  });
const fail =
  (message = 'ECONNREFUSED') =>
  async (): Promise<SampleResult> => {
    throw new Error(message);
  };
/** Never settles and ignores the signal: the worst kind of source. */
const hang = () => () => new Promise<SampleResult>(() => undefined);
const slow =
  (ms: number) =>
  async (_s: AbortSignal, call: number): Promise<SampleResult> => {
    await sleep(ms);
    return ok()(_s, call);
  };

const newStore = () => new SampleStore({ retentionMs: 86_400_000, maxPointsPerSeries: 1000 });

let unhandled: unknown[] = [];
const onUnhandled = (err: unknown) => unhandled.push(err);
beforeEach(() => {
  unhandled = [];
  process.on('unhandledRejection', onUnhandled);
});
afterEach(async () => {
  // Give stray rejections a turn of the loop to surface.
  await sleep(20);
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

describe('backoff', () => {
  const policy = { intervalMs: 15_000, maxMs: 300_000 };
  it('doubles from one interval and stops at the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 100].map((n) => backoffDelay(n, policy))).toEqual([
      0, 15_000, 30_000, 60_000, 120_000, 240_000, 300_000, 300_000,
    ]);
  });
  it('lets the next tick run after one failure but skips ticks after more', () => {
    expect(mayAttempt(15_000, 0, 1, policy)).toBe(true);
    expect(mayAttempt(14_000, 0, 1, policy)).toBe(true); // a tick a little early still runs
    expect(mayAttempt(15_000, 0, 2, policy)).toBe(false);
    expect(mayAttempt(30_000, 0, 2, policy)).toBe(true);
    expect(mayAttempt(45_000, 0, 3, policy)).toBe(false);
    expect(mayAttempt(60_000, 0, 3, policy)).toBe(true);
    expect(mayAttempt(1, null, 5, policy)).toBe(true);
  });
});

describe('cron interval and jitter', () => {
  it('reads the interval from the expression', () => {
    expect(cronIntervalMs('*/15 * * * * *')).toBe(15_000);
    expect(cronIntervalMs('* * * * * *')).toBe(1_000);
    expect(cronIntervalMs('*/5 * * * *')).toBe(300_000);
  });
  it('rejects a bad expression with a stable code', () => {
    expect(() => cronIntervalMs('every minute')).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_SCHEDULE_INVALID' }));
  });
  it('keeps jitter under 10 % of the interval and under 1 s', () => {
    expect(jitterMs(15_000, () => 0.9999)).toBeLessThan(1_000);
    expect(jitterMs(15_000, () => 0.9999)).toBeGreaterThan(990);
    expect(jitterMs(2_000, () => 0.9999)).toBeLessThan(200);
    expect(jitterMs(2_000, () => 0)).toBe(0);
  });
});

describe('SourceRunner', () => {
  it('writes points to the store and marks the source up', async () => {
    const store = newStore();
    const runner = new SourceRunner(new FakeSource('a', [ok(7)]), store, { timeoutMs: 1000, intervalMs: 1000 });
    expect(await runner.run()).toBe('ok');
    const [series] = store.select('m');
    expect(series?.buffer.valueAt(0)).toBe(7);
    expect(runner.health()).toMatchObject({ up: true, lastError: null, consecutiveFailures: 0 });
    expect(runner.health().lastSuccess).toBeTypeOf('number');
    expect(runner.health().lastDurationMs).toBeGreaterThanOrEqual(0);
  });

  it('marks ended series in the store', async () => {
    const store = newStore();
    const source = new FakeSource('a', [ok(), async () => ({ points: [], ended: [{ metric: 'm', labels: { source: 'x' } }] })]);
    const runner = new SourceRunner(source, store, { timeoutMs: 1000, intervalMs: 1000 });
    await runner.run();
    expect(store.select('m')[0]?.ended).toBe(false);
    await runner.run();
    expect(store.select('m')[0]?.ended).toBe(true);
  });

  it('records failures, counts them, keeps the last success, and recovers', async () => {
    let now = 0;
    const source = new FakeSource('a', [ok(), fail('boom 1'), fail('boom 2'), ok()]);
    const runner = new SourceRunner(source, newStore(), { timeoutMs: 1000, intervalMs: 1000, now: () => now });
    await runner.run();
    const firstSuccess = runner.health().lastSuccess;
    now = 1000;
    expect(await runner.run()).toBe('failed');
    expect(runner.health()).toMatchObject({ up: false, lastError: 'boom 1', consecutiveFailures: 1, lastSuccess: firstSuccess });
    now = 2000;
    expect(await runner.run()).toBe('failed');
    expect(runner.health()).toMatchObject({ up: false, lastError: 'boom 2', consecutiveFailures: 2 });
    // Two failures: one tick is skipped (backoff of two intervals from the last attempt).
    now = 3000;
    expect(await runner.run()).toBe('skipped-backoff');
    expect(source.calls).toBe(3);
    now = 4000;
    expect(await runner.run()).toBe('ok');
    expect(runner.health()).toMatchObject({ up: true, lastError: null, consecutiveFailures: 0, lastSuccess: 4000 });
  });

  it('caps the backoff', async () => {
    let now = 0;
    const source = new FakeSource('a', [fail()]);
    const runner = new SourceRunner(source, newStore(), { timeoutMs: 1000, intervalMs: 1000, maxBackoffMs: 4000, now: () => now });
    // Tick every second for a minute: after the backoff reaches the cap, attempts are 4 s apart.
    const attempts: number[] = [];
    for (now = 0; now <= 60_000; now += 1000) if ((await runner.run()) === 'failed') attempts.push(now);
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
    expect(gaps.slice(0, 3)).toEqual([1000, 2000, 4000]);
    expect(new Set(gaps.slice(3))).toEqual(new Set([4000]));
  });

  it('a sample that throws synchronously is a failure, not an exception', async () => {
    const source: Source = {
      kind: 'docker',
      name: 'sync',
      sample() {
        throw new TypeError('bad');
      },
      close: async () => undefined,
    };
    const runner = new SourceRunner(source, newStore(), { timeoutMs: 1000, intervalMs: 1000 });
    expect(await runner.run()).toBe('failed');
    expect(runner.health().lastError).toBe('bad');
  });

  it('times out a hanging source, aborts its signal, and never overlaps it', async () => {
    const source = new FakeSource('a', [hang()]);
    const runner = new SourceRunner(source, newStore(), { timeoutMs: 50, intervalMs: 1000 });
    const started = Date.now();
    expect(await runner.run()).toBe('failed');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(runner.health()).toMatchObject({
      up: false,
      lastError: 'VIGIL_ERR_SOURCE_TIMEOUT: timed out after 50 ms',
      consecutiveFailures: 1,
    });
    expect(source.abortedWith).toMatchObject({ code: 'VIGIL_ERR_SOURCE_TIMEOUT' });
    // The hung call never settled: the next tick must not start a second one beside it.
    expect(await runner.run(true)).toBe('skipped-overlap');
    expect(source.calls).toBe(1);
  });

  it('a source that honours the signal can run again after a timeout', async () => {
    const honours = () => (signal: AbortSignal) =>
      new Promise<SampleResult>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    const source = new FakeSource('a', [honours(), ok()]);
    const runner = new SourceRunner(source, newStore(), { timeoutMs: 30, intervalMs: 1000 });
    expect(await runner.run()).toBe('failed');
    await runner.idle();
    expect(await runner.run(true)).toBe('ok');
  });

  it('skips an attempt while the previous run is in flight', async () => {
    const source = new FakeSource('a', [slow(100)]);
    const runner = new SourceRunner(source, newStore(), { timeoutMs: 1000, intervalMs: 1000 });
    const outcomes = await Promise.all([runner.run(), runner.run(), runner.run()]);
    expect(outcomes).toEqual(['ok', 'skipped-overlap', 'skipped-overlap']);
    expect(source.calls).toBe(1);
    expect(source.maxActive).toBe(1);
    expect(runner.skippedOverlaps).toBe(2);
  });

  it('a listener that throws does not turn a success into a failure', async () => {
    const warnings: string[] = [];
    const runner = new SourceRunner(new FakeSource('a', [ok()]), newStore(), {
      timeoutMs: 1000,
      intervalMs: 1000,
      onSample: () => {
        throw new Error('listener bug');
      },
      warn: (m) => warnings.push(m),
    });
    expect(await runner.run()).toBe('ok');
    expect(runner.health().up).toBe(true);
    expect(warnings[0]).toContain('listener bug');
  });
});

describe('Scheduler', () => {
  it('runs each source on its cron schedule, without overlap, and tells listeners', async () => {
    const store = newStore();
    const fast = new FakeSource('fast', [ok()]);
    const slowOne = new FakeSource('slow', [slow(1500)]);
    const broken = new FakeSource('broken', [fail('refused')]);
    const scheduler = new Scheduler({ store, random: () => 0 });
    scheduler.add(fast, { schedule: '* * * * * *', timeoutMs: 5000 });
    scheduler.add(slowOne, { schedule: '* * * * * *', timeoutMs: 5000 });
    scheduler.add(broken, { schedule: '* * * * * *', timeoutMs: 5000 });
    const seen: string[] = [];
    scheduler.onSample((e) => seen.push(e.source.name));
    scheduler.start();
    await sleep(3_300);
    await scheduler.stop();
    // 3 ticks in 3.3 s: the fast source sampled on (nearly) each, the slow one never twice at once.
    expect(fast.calls).toBeGreaterThanOrEqual(2);
    expect(slowOne.maxActive).toBe(1);
    expect(slowOne.calls).toBeLessThanOrEqual(2);
    expect(seen.filter((n) => n === 'fast').length).toBe(fast.calls);
    // The broken one is down but did not stop the others.
    const health = Object.fromEntries(scheduler.health().map((h) => [h.name, h]));
    expect(health.broken).toMatchObject({ up: false, lastError: 'refused' });
    expect(health.broken!.consecutiveFailures).toBeGreaterThanOrEqual(1);
    expect(health.fast).toMatchObject({ up: true });
    expect(store.select('m').length).toBe(1);
    const callsAfterStop = fast.calls;
    await sleep(1_200);
    expect(fast.calls).toBe(callsAfterStop);
  });

  it('runOnce samples every source concurrently, each bounded by its timeout', async () => {
    const a = new FakeSource('a', [slow(300)]);
    const b = new FakeSource('b', [slow(300)]);
    const c = new FakeSource('c', [hang()]);
    const scheduler = new Scheduler({ store: newStore() });
    scheduler.add(a, { schedule: '*/15 * * * * *', timeoutMs: 2000 });
    scheduler.add(b, { schedule: '*/15 * * * * *', timeoutMs: 2000 });
    scheduler.add(c, { schedule: '*/15 * * * * *', timeoutMs: 400 });
    const started = Date.now();
    const health = await scheduler.runOnce();
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(900); // concurrent; one after the other would take 300 + 300 + 400
    expect(health.map((h) => [h.name, h.up])).toEqual([
      ['a', true],
      ['b', true],
      ['c', false],
    ]);
    expect(health[2]!.lastError).toBe('VIGIL_ERR_SOURCE_TIMEOUT: timed out after 400 ms');
    await scheduler.stop();
  });

  it('stop waits for a run in flight, and aborts one that outlives the bound', async () => {
    const finishing = new FakeSource('finishing', [slow(200)]);
    const scheduler = new Scheduler({ store: newStore(), stopTimeoutMs: 2000 });
    scheduler.add(finishing, { schedule: '*/15 * * * * *', timeoutMs: 5000 });
    const run = scheduler.runOnce();
    await sleep(20);
    await scheduler.stop();
    expect(finishing.active).toBe(0);
    expect((await run)[0]!.up).toBe(true);

    const stuck = new FakeSource('stuck', [
      (signal) => new Promise<SampleResult>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    ]);
    const scheduler2 = new Scheduler({ store: newStore(), stopTimeoutMs: 100 });
    scheduler2.add(stuck, { schedule: '*/15 * * * * *', timeoutMs: 60_000 });
    const run2 = scheduler2.runOnce();
    await sleep(20);
    const t0 = Date.now();
    await scheduler2.close();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(String(stuck.abortedWith)).toContain('scheduler stopped');
    expect((await run2)[0]).toMatchObject({ up: false, lastError: 'scheduler stopped' });
    expect(stuck.closed).toBe(true);
  });
});
