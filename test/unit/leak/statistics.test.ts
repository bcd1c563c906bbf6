import { describe, expect, it } from 'vitest';
import { mannKendall } from '../../../src/leak/mann-kendall.js';
import { normalUpperTail } from '../../../src/leak/normal-distribution.js';
import { median, theilSenSlope } from '../../../src/leak/theil-sen.js';

const f64 = (xs: number[]) => Float64Array.from(xs);
const scratch = () => new Float64Array(64);

describe('normalUpperTail', () => {
  it('matches table values of the standard normal', () => {
    expect(normalUpperTail(0)).toBeCloseTo(0.5, 7);
    expect(normalUpperTail(1.959964)).toBeCloseTo(0.025, 6);
    expect(normalUpperTail(2.326348)).toBeCloseTo(0.01, 6);
    expect(normalUpperTail(-1.959964)).toBeCloseTo(0.975, 6);
    // Far tail stays positive and tiny instead of cancelling to 0.
    expect(normalUpperTail(8)).toBeGreaterThan(0);
    expect(normalUpperTail(8)).toBeLessThan(1e-14);
  });
});

describe('mannKendall', () => {
  it('strictly increasing 1..5: S = 10, Var = 5*4*15/18, z = (S-1)/sd', () => {
    const r = mannKendall(f64([1, 2, 3, 4, 5]), 0, 5, scratch());
    expect(r.s).toBe(10);
    expect(r.variance).toBeCloseTo(300 / 18, 10);
    expect(r.z).toBeCloseTo(9 / Math.sqrt(300 / 18), 10);
    expect(r.pIncreasing).toBeCloseTo(normalUpperTail(9 / Math.sqrt(300 / 18)), 12);
  });

  it('applies the tie correction: [1, 2, 2, 3] has S = 5 and Var = (4*3*13 - 2*1*9)/18', () => {
    const r = mannKendall(f64([1, 2, 2, 3]), 0, 4, scratch());
    expect(r.s).toBe(5);
    expect(r.variance).toBeCloseTo((156 - 18) / 18, 10);
    expect(r.z).toBeCloseTo(4 / Math.sqrt(138 / 18), 10);
  });

  it('counts several tie groups: [1, 1, 2, 2, 2, 3] has S = 11 and Var = (6*5*17 - 2*1*9 - 3*2*11)/18', () => {
    const r = mannKendall(f64([1, 1, 2, 2, 2, 3]), 0, 6, scratch());
    expect(r.s).toBe(11);
    expect(r.variance).toBeCloseTo((510 - 18 - 66) / 18, 10);
  });

  it('decreasing series: negative S, continuity correction towards 0, p close to 1', () => {
    const r = mannKendall(f64([4, 3, 2, 1]), 0, 4, scratch());
    expect(r.s).toBe(-6);
    expect(r.z).toBeCloseTo(-5 / Math.sqrt((4 * 3 * 13) / 18), 10);
    expect(r.pIncreasing).toBeGreaterThan(0.9);
  });

  it('all values tied: variance 0, no trend (p = 1)', () => {
    const r = mannKendall(f64([7, 7, 7, 7, 7]), 0, 5, scratch());
    expect(r.s).toBe(0);
    expect(r.variance).toBe(0);
    expect(r.pIncreasing).toBe(1);
  });

  it('honours the [from, to) range', () => {
    const r = mannKendall(f64([100, 1, 2, 3, -100]), 1, 4, scratch());
    expect(r.s).toBe(3);
  });
});

describe('theilSenSlope', () => {
  it('median of the pairwise slopes: (0,0) (1,1) (2,2) (3,10) gives (1 + 10/3) / 2', () => {
    // Pairwise slopes: 1, 1, 10/3, 1, 4.5, 8 -> sorted 1 1 1 3.33 4.5 8 -> median (1 + 3.33) / 2.
    const s = theilSenSlope(f64([0, 1, 2, 3]), f64([0, 1, 2, 10]), 0, 4, scratch());
    expect(s).toBeCloseTo((1 + 10 / 3) / 2, 12);
  });

  it('ignores one outlier that drags a least-squares line', () => {
    const x = f64([0, 1, 2, 3, 4, 5, 6]);
    const y = f64([0, 2, 4, 6, 100, 10, 12]);
    expect(theilSenSlope(x, y, 0, 7, scratch())).toBe(2);
  });

  it('is NaN with fewer than two points', () => {
    expect(theilSenSlope(f64([1]), f64([1]), 0, 1, scratch())).toBeNaN();
  });
});

describe('median (quickselect)', () => {
  it('odd and even counts, any order, duplicates', () => {
    expect(median(f64([5, 1, 3]), 3)).toBe(3);
    expect(median(f64([4, 1, 3, 2]), 4)).toBe(2.5);
    expect(median(f64([2, 2, 2, 1, 3, 2]), 6)).toBe(2);
    expect(median(f64([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]), 10)).toBe(4.5);
  });

  it('agrees with sorting on pseudo-random inputs', () => {
    let x = 12345;
    for (let round = 0; round < 50; round++) {
      const n = 1 + (round % 17);
      const a = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        x = (x * 1103515245 + 12345) % 2147483648;
        a[i] = x % 7; // many ties
      }
      const sorted = Array.from(a).sort((p, q) => p - q);
      const expected = n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
      expect(median(a, n)).toBe(expected);
    }
  });
});
