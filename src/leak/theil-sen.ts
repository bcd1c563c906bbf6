/**
 * Theil–Sen slope: the median of the slopes of all pairs of points, over `x/y[from..to)`.
 * Robust to up to ~29 % outlying points, which is what a few spiky buckets or a partial GC look
 * like. O(m^2) in the number of points, so it is only ever run on bucket floors (tens of points).
 * `scratch` must hold m(m-1)/2 values; it is overwritten. Returns NaN with fewer than 2 points.
 */
export function theilSenSlope(x: Float64Array, y: Float64Array, from: number, to: number, scratch: Float64Array): number {
  let k = 0;
  for (let i = from; i < to - 1; i++) {
    const xi = x[i]!;
    const yi = y[i]!;
    for (let j = i + 1; j < to; j++) {
      const dx = x[j]! - xi;
      if (dx !== 0) scratch[k++] = (y[j]! - yi) / dx;
    }
  }
  return median(scratch, k);
}

/** Median of `a[0..n)`, in place (reorders the values), by quickselect: O(n) on average. */
export function median(a: Float64Array, n: number): number {
  if (n === 0) return Number.NaN;
  const mid = n >> 1;
  select(a, n, mid);
  if (n % 2 === 1) return a[mid]!;
  // After selecting `mid`, every value before it is <= a[mid]: the lower middle is their maximum.
  let lower = a[0]!;
  for (let i = 1; i < mid; i++) if (a[i]! > lower) lower = a[i]!;
  return (lower + a[mid]!) / 2;
}

/** Hoare-style quickselect: afterwards a[k] holds the k-th smallest, smaller ones before it. */
function select(a: Float64Array, n: number, k: number): void {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    // Median of three as pivot keeps sorted input (a steady leak gives sorted slopes) linear.
    const m = (lo + hi) >> 1;
    const p = median3(a[lo]!, a[m]!, a[hi]!);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < p) i++;
      while (a[j]! > p) j--;
      if (i <= j) {
        const tmp = a[i]!;
        a[i] = a[j]!;
        a[j] = tmp;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

function median3(a: number, b: number, c: number): number {
  if (a < b) return b < c ? b : Math.max(a, c);
  return a < c ? a : Math.max(b, c);
}
