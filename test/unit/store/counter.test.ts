import { describe, expect, it } from 'vitest';
import { counterDelta, increase, jointIncrease } from '../../../src/store/counter.js';

describe('increase', () => {
  it('sums rises inside the window only', () => {
    const t = [0, 10, 20, 30, 40];
    const v = [100, 110, 130, 160, 200];
    expect(increase(t, v, 10, 30)).toBe(50);
    expect(increase(t, v, 0, 40)).toBe(100);
  });

  it('counts a decrease as a reset: the new value is all increase', () => {
    // 100 -> 120 (+20), reset, 5 (+5), 15 (+10)
    expect(increase([1, 2, 3, 4], [100, 120, 5, 15], 0, 10)).toBe(35);
    expect(counterDelta(120, 5)).toBe(5);
    expect(counterDelta(5, 15)).toBe(10);
  });

  it('is null with fewer than two points in the window', () => {
    expect(increase([1, 2], [1, 2], 2, 5)).toBeNull();
    expect(increase([], [], 0, 5)).toBeNull();
  });

  it('is never negative, whatever the resets', () => {
    const v = [50, 0, 0, 3, 1, 0, 7];
    const t = v.map((_, i) => i);
    // 50->0 reset (+0), 0->0, 0->3 (+3), 3->1 reset (+1), 1->0 reset (+0), 0->7 (+7)
    expect(increase(t, v, 0, 10)).toBe(11);
  });
});

describe('jointIncrease', () => {
  it('treats a reset in any column as a reset of all', () => {
    // calls: 100 -> reset -> 150 looks like +50 alone; total fell, so both are reset.
    const calls = { t: [1, 2], v: [100, 150] };
    const total = { t: [1, 2], v: [10, 3] };
    expect(jointIncrease([calls, total], 0, 10)).toEqual([150, 3]);
  });

  it('uses a reset-if-lower column (a lifetime max) to see resets the counters hide', () => {
    const calls = { t: [1, 2], v: [100, 150] };
    const total = { t: [1, 2], v: [10, 12] };
    const max = { t: [1, 2], v: [0.5, 0.1] };
    expect(jointIncrease([calls, total], 0, 10, [max])).toEqual([150, 12]);
    expect(jointIncrease([calls, total], 0, 10)).toEqual([50, 2]);
  });

  it('joins on timestamps and skips rows missing from a column', () => {
    const a = { t: [1, 2, 3, 4], v: [1, 2, 3, 4] };
    const b = { t: [1, 3, 4], v: [10, 30, 40] };
    // rows at 1, 3, 4: a rises 3, b rises 30
    expect(jointIncrease([a, b], 0, 10)).toEqual([3, 30]);
    expect(jointIncrease([a, b], 2, 3)).toBeNull();
  });

  it('gives the same answer on the aligned fast path and the general join', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const t: number[] = [];
    const a: number[] = [];
    const b: number[] = [];
    let va = 0;
    let vb = 0;
    for (let i = 0; i < 500; i++) {
      t.push(i * 10);
      // occasional resets
      if (rand() < 0.03) {
        va = Math.floor(rand() * 5);
        vb = rand();
      } else {
        va += Math.floor(rand() * 4);
        vb += rand();
      }
      a.push(va);
      b.push(vb);
    }
    const cols = [
      { t, v: a },
      { t, v: b },
    ];
    // A never-falling extra column with extra timestamps forces the general merge join.
    const extraT = [...t.flatMap((x) => [x, x + 5])];
    const extra = { t: extraT, v: extraT.map((x) => x) };
    for (const [from, to] of [
      [0, 5000],
      [1234, 3456],
      [10, 20],
    ] as const) {
      const fast = jointIncrease(cols, from, to)!;
      const general = jointIncrease(cols, from, to, [extra])!;
      expect(general[0]).toBe(fast[0]);
      expect(general[1]).toBeCloseTo(fast[1]!, 9);
    }
  });
});
