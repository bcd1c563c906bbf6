/**
 * Rate curves of a load profile: what arrival rate (requests per second) a phase asks for at a
 * moment, and how a run is cut into short slices of constant rate (the open-model scheduler turns
 * them into due times, `arrivals.ts`). A slice's rate is the curve's mean over the slice, so the number of
 * requests a profile sends is the integral of its curve, whatever the slice length.
 */

export type PhaseShape =
  | { kind: 'constant'; rate: number }
  /** Linear from `from` to `to`. */
  | { kind: 'ramp'; from: number; to: number }
  /** A daily wave compressed into `periodMs`: starts at `min` (night), peaks at `max` mid-period. */
  | { kind: 'wave'; min: number; max: number; periodMs: number }
  /** `base`, with a burst at `peak` for `lengthMs` at the start of every `everyMs`. */
  | { kind: 'burst'; base: number; peak: number; everyMs: number; lengthMs: number };

export interface Phase {
  readonly name: string;
  readonly durationMs: number;
  readonly shape: PhaseShape;
}

export interface Slice {
  readonly phase: string;
  /** Offset from the start of the run. */
  readonly startMs: number;
  readonly durationMs: number;
  /** Mean requests per second over the slice. */
  readonly rate: number;
}

/** The rate of one phase `t` ms into it. */
export function phaseRateAt(shape: PhaseShape, t: number, durationMs: number): number {
  switch (shape.kind) {
    case 'constant':
      return shape.rate;
    case 'ramp':
      return durationMs > 0 ? shape.from + (shape.to - shape.from) * Math.min(1, Math.max(0, t / durationMs)) : shape.to;
    case 'wave':
      return shape.min + ((shape.max - shape.min) * (1 - Math.cos((2 * Math.PI * t) / shape.periodMs))) / 2;
    case 'burst':
      return t % shape.everyMs < shape.lengthMs ? shape.peak : shape.base;
  }
}

/** The integral of a phase's rate over [a, b] ms, in requests (closed forms, no sampling error). */
export function phaseRequests(shape: PhaseShape, a: number, b: number, durationMs: number): number {
  if (b <= a) return 0;
  const seconds = (b - a) / 1000;
  switch (shape.kind) {
    case 'constant':
      return shape.rate * seconds;
    case 'ramp':
      // Linear: the mean of the two ends.
      return ((phaseRateAt(shape, a, durationMs) + phaseRateAt(shape, b, durationMs)) / 2) * seconds;
    case 'wave': {
      const w = (2 * Math.PI) / shape.periodMs;
      const mid = (shape.min + shape.max) / 2;
      const amp = (shape.max - shape.min) / 2;
      // ∫ (mid - amp cos(w t)) dt, t in ms, converted to seconds.
      return (mid * (b - a) - (amp / w) * (Math.sin(w * b) - Math.sin(w * a))) / 1000;
    }
    case 'burst': {
      let total = 0;
      // Walk the burst/base boundaries between a and b (bounded by the number of periods).
      let t = a;
      for (let guard = 0; t < b && guard < 1_000_000; guard++) {
        const inPeriod = t % shape.everyMs;
        const inBurst = inPeriod < shape.lengthMs;
        const boundary = t - inPeriod + (inBurst ? shape.lengthMs : shape.everyMs);
        const end = Math.min(b, boundary);
        total += ((inBurst ? shape.peak : shape.base) * (end - t)) / 1000;
        t = end;
      }
      return total;
    }
  }
}

export function totalDurationMs(phases: readonly Phase[]): number {
  return phases.reduce((sum, p) => sum + p.durationMs, 0);
}

/** The curve's rate `t` ms into the run (0 after its end). */
export function rateAt(phases: readonly Phase[], t: number): number {
  let start = 0;
  for (const p of phases) {
    if (t < start + p.durationMs) return phaseRateAt(p.shape, t - start, p.durationMs);
    start += p.durationMs;
  }
  return 0;
}

/** Requests the whole profile asks for. */
export function expectedRequests(phases: readonly Phase[]): number {
  return phases.reduce((sum, p) => sum + phaseRequests(p.shape, 0, p.durationMs, p.durationMs), 0);
}

/**
 * Cuts the run into slices of at most `sliceMs` that never straddle a phase boundary (a burst
 * phase's slices are also cut at burst edges, so a burst is not averaged away).
 */
export function slices(phases: readonly Phase[], sliceMs: number): Slice[] {
  if (!(sliceMs > 0)) throw new RangeError('slice length must be positive');
  const out: Slice[] = [];
  let offset = 0;
  for (const p of phases) {
    const cuts = new Set<number>([0, p.durationMs]);
    for (let t = sliceMs; t < p.durationMs; t += sliceMs) cuts.add(t);
    if (p.shape.kind === 'burst') {
      for (let t = 0; t < p.durationMs; t += p.shape.everyMs) {
        cuts.add(t);
        if (t + p.shape.lengthMs < p.durationMs) cuts.add(t + p.shape.lengthMs);
      }
    }
    const sorted = [...cuts].sort((a, b) => a - b);
    let a = 0; // the first cut
    for (const b of sorted.slice(1)) {
      const requests = phaseRequests(p.shape, a, b, p.durationMs);
      out.push({ phase: p.name, startMs: offset + a, durationMs: b - a, rate: requests / ((b - a) / 1000) });
      a = b;
    }
    offset += p.durationMs;
  }
  return out;
}
