/**
 * Downsampling for the history API: points fall into buckets of `stepMs` aligned to the epoch
 * (so two requests for overlapping ranges agree on every shared bucket), and each bucket keeps
 * its last, smallest and largest value. Empty buckets are null, so a chart shows a gap rather
 * than a line drawn across missing data. Pure: arrays in, arrays out.
 */
export interface Buckets {
  /** Bucket starts, unix ms. */
  readonly t: number[];
  readonly last: (number | null)[];
  readonly min: (number | null)[];
  readonly max: (number | null)[];
}

/** The bucket starts covering `[from, to]`: the first is `from` rounded down to a step. */
export function bucketStarts(from: number, to: number, stepMs: number): number[] {
  const first = Math.floor(from / stepMs) * stepMs;
  const out: number[] = [];
  for (let b = first; b <= to; b += stepMs) out.push(b);
  return out;
}

/** How many buckets `[from, to]` needs at `stepMs` (what `bucketStarts` would return, without building it). */
export function bucketCount(from: number, to: number, stepMs: number): number {
  const first = Math.floor(from / stepMs) * stepMs;
  return Math.floor((to - first) / stepMs) + 1;
}

/** Points `(t[i], v[i])`, oldest first, reduced to the buckets of `[from, to]`. Points outside are ignored. */
export function downsample(t: ArrayLike<number>, v: ArrayLike<number>, from: number, to: number, stepMs: number): Buckets {
  const starts = bucketStarts(from, to, stepMs);
  const n = starts.length;
  // Typed accumulators (NaN = empty) keep the loop on unboxed doubles; nulls are put in at the end.
  const last = new Float64Array(n).fill(NaN);
  const min = new Float64Array(n).fill(NaN);
  const max = new Float64Array(n).fill(NaN);
  const first = starts[0] ?? from;
  for (let i = 0; i < t.length; i++) {
    const ti = t[i]!;
    if (ti < from || ti > to) continue;
    const k = Math.floor((ti - first) / stepMs);
    if (k < 0 || k >= n) continue;
    const vi = v[i]!;
    last[k] = vi;
    if (!(min[k]! <= vi)) min[k] = vi;
    if (!(max[k]! >= vi)) max[k] = vi;
  }
  const nullable = (xs: Float64Array) => Array.from(xs, (x) => (Number.isNaN(x) ? null : x));
  return { t: starts, last: nullable(last), min: nullable(min), max: nullable(max) };
}
