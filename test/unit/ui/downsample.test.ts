import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketCount, bucketStarts, downsample } from '../../../src/ui/downsample.js';
import { MAX_POINTS, parseRange } from '../../../src/ui/history-params.js';
import { escapeHtml, html } from '../../../src/ui/html.js';

const sortedPoints = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 10_000_000 }), fc.double({ min: -1e9, max: 1e9, noNaN: true })), { maxLength: 300 })
  .map((pairs) => {
    const byT = new Map(pairs.map(([t, v]) => [t, v]));
    const t = [...byT.keys()].sort((a, b) => a - b);
    return { t, v: t.map((x) => byT.get(x)!) };
  });

describe('downsample', () => {
  it('puts every point of the range in exactly one bucket, with min <= last <= max', () => {
    fc.assert(
      fc.property(
        sortedPoints,
        fc.integer({ min: 0, max: 5_000_000 }),
        fc.integer({ min: 1, max: 5_000_000 }),
        fc.integer({ min: 1000, max: 2_000_000 }),
        ({ t, v }, from, span, step) => {
          const to = from + span;
          const b = downsample(t, v, from, to, step);
          expect(b.t.length).toBe(bucketCount(from, to, step));
          expect(b.t).toEqual(bucketStarts(from, to, step));
          for (let k = 0; k < b.t.length; k++) {
            const inside = t.flatMap((x, i) => (x >= from && x <= to && x >= b.t[k]! && x < b.t[k]! + step ? [v[i]!] : []));
            if (inside.length === 0) {
              expect([b.last[k], b.min[k], b.max[k]]).toEqual([null, null, null]);
            } else {
              expect(b.last[k]).toBe(inside[inside.length - 1]);
              expect(b.min[k]).toBe(Math.min(...inside));
              expect(b.max[k]).toBe(Math.max(...inside));
            }
          }
        },
      ),
    );
  });

  it('aligns buckets to multiples of the step, so overlapping ranges agree on shared buckets', () => {
    expect(bucketStarts(61_000, 200_000, 60_000)).toEqual([60_000, 120_000, 180_000]);
  });
});

describe('html', () => {
  it('escapes every interpolated value, so data never becomes markup', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const out = html`<td title="${s}">${s}</td>`.text;
        const inner = escapeHtml(s);
        expect(out).toBe(`<td title="${inner}">${inner}</td>`);
        expect(inner).not.toMatch(/[<>"']/);
      }),
    );
    expect(html`${'"><img src=x onerror=alert(1)>'}`.text).toBe('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
  });
});

describe('parseRange', () => {
  const now = Date.UTC(2026, 11, 1, 12);

  it('defaults to the last hour up to now, in about 300 buckets', () => {
    const r = parseRange({}, now);
    expect(r).toEqual({ ok: true, range: { from: now - 3_600_000, to: now, stepMs: 12_000 } });
  });

  it('takes unix seconds, RFC 3339 and durations', () => {
    const r = parseRange({ from: String(now / 1000 - 600), to: new Date(now).toISOString(), step: '1m' }, 0);
    expect(r).toEqual({ ok: true, range: { from: now - 600_000, to: now, stepMs: 60_000 } });
    expect(parseRange({ from: String(now / 1000 - 600), to: String(now / 1000), step: '30' }, 0)).toMatchObject({
      ok: true,
      range: { stepMs: 30_000 },
    });
  });

  it('refuses malformed and out-of-bound parameters with a message naming the parameter', () => {
    const bad = (q: Record<string, string>) => {
      const r = parseRange(q, now);
      if (r.ok) throw new Error(`accepted ${JSON.stringify(q)}`);
      return r.message;
    };
    expect(bad({ from: 'yesterday' })).toMatch(/^from: expected unix seconds or an RFC 3339 time, got "yesterday"/);
    expect(bad({ to: '<script>' })).toMatch(/^to: /);
    expect(bad({ from: String(now / 1000), to: String(now / 1000 - 1) })).toMatch(/must be before/);
    expect(bad({ from: '0' })).toMatch(/longer than 90 days/);
    expect(bad({ step: '0s' })).toMatch(/^step: /);
    expect(bad({ step: '1s' })).toMatch(new RegExp(`at most ${MAX_POINTS}: use a step of at least 4s`));
  });
});
