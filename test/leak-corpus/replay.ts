import { CORPUS_WINDOW_MS, type CorpusSeries } from './leak-corpus.js';

/** A method under test: does it call this series, evaluated at `now`, a leak? */
export type LeakJudge = (t: Float64Array, v: Float64Array, now: number) => boolean;

export interface ReplayResult {
  /** Called a leak at the end of the series (the full judgement). */
  finalLeak: boolean;
  /** First `now` (unix ms) at which it was called a leak while replaying, or null. */
  firstLeakAt: number | null;
  /** Time from the leak's start to the first leak verdict, ms; null when never called or not a leak. */
  timeToDetectMs: number | null;
}

/** Replay step: the daemon evaluates far more often, 15 min keeps the corpus run fast. */
export const REPLAY_STEP_MS = 15 * 60_000;

/** Evaluates `judge` at increasing `now` over the series, as the daemon would while it grows. */
export function replay(series: CorpusSeries, judge: LeakJudge): ReplayResult {
  const { t, v } = series;
  const first = t[0]!;
  const last = t[t.length - 1]!;
  let firstLeakAt: number | null = null;
  for (let now = first + REPLAY_STEP_MS; now < last; now += REPLAY_STEP_MS) {
    if (judge(t, v, now)) {
      firstLeakAt = now;
      break;
    }
  }
  const finalLeak = judge(t, v, last);
  if (firstLeakAt === null && finalLeak) firstLeakAt = last;
  const timeToDetectMs = firstLeakAt !== null && series.leakStartMs !== null ? Math.max(0, firstLeakAt - series.leakStartMs) : null;
  return { finalLeak, firstLeakAt, timeToDetectMs };
}

export const REPLAY_WINDOW_MS = CORPUS_WINDOW_MS;
