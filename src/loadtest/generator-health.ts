import { percentiles } from './latency-recorder.js';
import type { GeneratorHealth } from './report-schema.js';

/**
 * Did the generator, not the target, limit the run? Pure. In the open model every request has a
 * due time; a request sent later than LATE_MS after it means the generator could not keep its
 * schedule (its event loop was busy or the machine was out of CPU). Its latency still counts from
 * the due time, so the figures err on the slow side, but the run is not a measurement of the
 * target at the asked rate any more, and a stress step that fails this way is no breaking point.
 * The closed model has no schedule: there the sender's event-loop delay is the sign.
 */

/** A send this much after its due time is late (timer granularity is ~1 ms; wrk2's is similar). */
export const LATE_MS = 10;
/**
 * The run was generator-limited when more than this share of sends was late: past 5 %, the P95
 * latency itself includes the generator's delay. A few late sends (at least MIN_LATE_SENDS) are
 * needed too, so that one pause of a busy machine does not condemn a short, slow step.
 */
export const MAX_LATE_SHARE = 0.05;
export const MIN_LATE_SENDS = 20;
/** ... or (both models) when the sender's event loop was blocked this long at its 99th percentile. */
export const MAX_LOOP_DELAY_P99_MS = 100;

export function generatorHealth(lateness: Float64Array, loopDelayMs: { p99: number; max: number }, workers: number): GeneratorHealth {
  let late = 0;
  for (const v of lateness) if (v > LATE_MS) late++;
  const lateShare = lateness.length ? late / lateness.length : 0;
  const [p50, p99, max] = percentiles(lateness, [0.5, 0.99, 1]);
  const reasons: string[] = [];
  if (lateShare > MAX_LATE_SHARE && late >= MIN_LATE_SENDS) {
    reasons.push(
      `${(lateShare * 100).toFixed(1)}% of requests were sent more than ${LATE_MS} ms after their due time (p99 ${(p99 ?? 0).toFixed(1)} ms late)`,
    );
  }
  if (loopDelayMs.p99 > MAX_LOOP_DELAY_P99_MS)
    reasons.push(`the generator's event loop was blocked ${loopDelayMs.p99.toFixed(0)} ms at p99`);
  const advice = reasons.length ? `; more --workers (now ${workers} worker threads) or a less loaded machine` : '';
  return {
    workers,
    sendLatenessMs: { p50: p50 ?? null, p99: p99 ?? null, max: max ?? null, lateShare },
    eventLoopDelayMs: loopDelayMs,
    limited: reasons.length > 0,
    reason: reasons.length ? `the generator limited the run: ${reasons.join('; ')}${advice}` : null,
  };
}
