import type { Slice } from './rate-curve.js';
import { seededRandom } from './seeded-random.js';

/**
 * When each request of an open-model run is due, pure. The rate curve (constant-rate slices) gives
 * the expected number of requests up to a time, Λ(t). The k-th request is due when Λ reaches the
 * k-th point of a unit-rate sequence: evenly spaced points give a request every 1/rate ("uniform",
 * as wrk2 paces), exponential gaps give Poisson arrivals whose rate follows the curve (the
 * time-rescaling construction of a non-homogeneous Poisson process). One construction for both,
 * and the count of requests is the curve's integral either way.
 */

export type ArrivalProcess = 'uniform' | 'poisson';

/** Gaps between successive points of a unit-rate sequence. */
function unitGaps(process: ArrivalProcess, seed: number): () => number {
  if (process === 'uniform') return () => 1;
  const uniform = seededRandom(seed);
  // 1 - u is in (0, 1]: the logarithm stays finite.
  return () => -Math.log(1 - uniform());
}

/**
 * Due times in ms from the start of the run, in order. Uniform arrivals start half a gap into the
 * run, so a 1-second run at 10 req/s sends at 50, 150, ... 950 ms (ten requests, evenly spread).
 */
export function* arrivalOffsets(slices: readonly Slice[], process: ArrivalProcess, seed = 1): Generator<number, void, undefined> {
  const gap = unitGaps(process, seed);
  let target = process === 'uniform' ? 0.5 : gap();
  let before = 0; // expected requests before the current slice
  for (const slice of slices) {
    const inSlice = (slice.rate * slice.durationMs) / 1000;
    while (slice.rate > 0 && target < before + inSlice) {
      yield slice.startMs + ((target - before) / slice.rate) * 1000;
      target += gap();
    }
    before += inSlice;
  }
}

/**
 * Picks request kinds in proportion to their weights, deterministically and evenly interleaved
 * (smooth weighted round-robin, as nginx balances upstreams): over any run of picks, each kind's
 * count stays within one of its exact share.
 */
export class WeightedPicker<T extends { readonly weight: number }> {
  private readonly current: number[];
  private readonly total: number;

  constructor(private readonly items: readonly T[]) {
    if (items.length === 0 || items.some((i) => !(i.weight >= 0))) throw new RangeError('weights must be non-negative, at least one item');
    this.total = items.reduce((sum, i) => sum + i.weight, 0);
    if (!(this.total > 0)) throw new RangeError('weights must have a positive sum');
    this.current = items.map(() => 0);
  }

  next(): T {
    let best = 0;
    for (let i = 0; i < this.items.length; i++) {
      this.current[i] = (this.current[i] ?? 0) + (this.items[i]?.weight ?? 0);
      if ((this.current[i] ?? 0) > (this.current[best] ?? 0)) best = i;
    }
    this.current[best] = (this.current[best] ?? 0) - this.total;
    const picked = this.items[best];
    if (picked === undefined) throw new RangeError('no item to pick');
    return picked;
  }
}
