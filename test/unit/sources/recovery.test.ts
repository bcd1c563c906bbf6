import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HealthTransitions } from '../../../src/sources/health-transitions.js';
import { Scheduler } from '../../../src/sources/scheduler.js';
import type { SampleResult, Source, SourceHealth } from '../../../src/sources/source.js';
import { type RunOutcome, SourceRunner } from '../../../src/sources/source-runner.js';
import { SampleStore } from '../../../src/store/sample-store.js';

// Issue 12 item 9: a restored Redis was seen again only after up to 32 s at a 1 s interval
// (backoff capped at 5 min whatever the interval), and no log line said it came back.

const SEED = 20261201;
const newStore = () => new SampleStore({ retentionMs: 86_400_000, maxPointsPerSeries: 1000 });

/** Fails while `down()` says so; counts attempts. */
class ScriptedSource implements Source {
  readonly kind = 'redis' as const;
  attempts: number[] = [];
  constructor(
    readonly name: string,
    private readonly down: (attempt: number) => boolean,
    private readonly clock: () => number = () => 0,
  ) {}
  async sample(): Promise<SampleResult> {
    const attempt = this.attempts.length;
    this.attempts.push(this.clock());
    if (this.down(attempt)) throw new Error('ECONNREFUSED');
    return { points: [{ metric: 'm', labels: { source: this.name }, t: attempt + 1, value: 1 }] };
  }
  async close(): Promise<void> {}
}

describe('backoff is capped relative to the interval', () => {
  it('a source that stays down is tried at least every 4 intervals, whatever the interval', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 3600 }), fc.integer({ min: 20, max: 120 }), async (intervalSeconds, ticks) => {
        const intervalMs = intervalSeconds * 1000;
        let now = 0;
        const source = new ScriptedSource(
          'r',
          () => true,
          () => now,
        );
        const runner = new SourceRunner(source, newStore(), { timeoutMs: 1000, intervalMs, now: () => now });
        for (let tick = 0; tick < ticks; tick++, now += intervalMs) await runner.run();
        const gaps = source.attempts.slice(1).map((t, i) => t - source.attempts[i]!);
        // Ticks come once an interval, so a wait ends at the first tick past (half an interval before) it is due.
        expect(Math.max(...gaps)).toBeLessThanOrEqual(Math.max(intervalMs, Math.min(4 * intervalMs, 5 * 60_000 + intervalMs / 2)));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe('up and down are logged once per transition', () => {
  const health = (failures: number): SourceHealth => ({
    kind: 'redis',
    name: 'r',
    up: failures === 0,
    lastSuccess: null,
    lastError: failures ? 'x' : null,
    consecutiveFailures: failures,
    lastDurationMs: 1,
  });

  it('any sequence of outcomes: one "down" per run of failures, one "up" per recovery', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom<RunOutcome>('ok', 'failed', 'skipped-backoff', 'skipped-overlap'), { maxLength: 300 }),
        (outcomes) => {
          const t = new HealthTransitions();
          let failures = 0;
          let downs = 0;
          let ups = 0;
          outcomes.forEach((o, i) => {
            if (o === 'failed') failures++;
            if (o === 'ok') failures = 0;
            const change = t.record(o, health(failures), i * 1000);
            if (change?.to === 'down') downs++;
            if (change?.to === 'up') ups++;
          });
          // Expected from the sequence itself: failures separated by successes (skips change nothing).
          const real = outcomes.filter((o) => o === 'ok' || o === 'failed');
          const expectedDowns = real.filter((o, i) => o === 'failed' && real[i - 1] !== 'failed').length;
          const expectedUps = real.filter((o, i) => o === 'ok' && real[i - 1] === 'failed').length;
          expect(downs).toBe(expectedDowns);
          expect(ups).toBe(expectedUps);
        },
      ),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('under the real scheduler: three failures then recovery is one warning and one info line', async () => {
    const lines: string[] = [];
    const logger = { debug: () => undefined, info: (m: string) => lines.push(`info ${m}`), warn: (m: string) => lines.push(`warn ${m}`) };
    const scheduler = new Scheduler({ store: newStore(), logger, random: () => 0 });
    const source = new ScriptedSource('cache', (attempt) => attempt < 3);
    scheduler.add(source, { schedule: '* * * * * *', timeoutMs: 500, maxBackoffMs: 1000 });
    scheduler.start();
    try {
      for (let waited = 0; source.attempts.length < 5 && waited < 15_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
    } finally {
      await scheduler.close();
    }
    expect(lines).toEqual([
      expect.stringMatching(/^warn redis\/cache down: .*ECONNREFUSED/),
      expect.stringMatching(/^info redis\/cache up again after 3 failed sample\(s\), \d+\.\d s down$/),
    ]);
  });
});
