import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import {
  burnRateFactor,
  burnWindows,
  defaultWindowSet,
  MIN_BURN_FACTOR,
  SHIPPED_WINDOW_SETS,
  type WindowSet,
  windowSetMisfit,
  windowSetSchema,
} from '../../../src/config/window-sets.js';
import { ERR } from '../../../src/core/errors.js';
import { resolveWindowSet } from '../../../src/generate/window-sets.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const shipped = (name: string): WindowSet => SHIPPED_WINDOW_SETS[name]!;

describe('shipped burn-rate window sets', () => {
  it('google-sre-30d gives the workbook factors over 30 days, and scales them over 28', () => {
    const set = shipped('google-sre-30d');
    expect(resolveWindowSet(set, 30 * DAY).map((a) => [a.severity, a.windowLabel, a.factor])).toEqual([
      ['page', '1h/5m', 14.4],
      ['page', '6h/30m', 6],
      ['ticket', '1d/2h', 3],
      ['ticket', '3d/6h', 1],
    ]);
    expect(resolveWindowSet(set, 28 * DAY).map((a) => a.factor)).toEqual([13.44, 5.6, 2.8, 0.9333333333]);
  });

  it('sre-7d keeps the factors sensible over 7 days', () => {
    expect(resolveWindowSet(shipped('sre-7d'), 7 * DAY).map((a) => a.factor)).toEqual([13.44, 3.5, 1.4, 0.98]);
  });

  it('ships page-only and ticket-only halves of both', () => {
    for (const period of ['30d', '7d']) {
      const full = SHIPPED_WINDOW_SETS[period === '30d' ? 'google-sre-30d' : 'sre-7d']!;
      expect(shipped(`page-only-${period}`).alerts).toEqual(full.alerts.filter((a) => a.severity === 'page'));
      expect(shipped(`ticket-only-${period}`).alerts).toEqual(full.alerts.filter((a) => a.severity === 'ticket'));
    }
  });

  it('the default set has the seven windows the API always reported (5m ... 3d)', () => {
    expect(burnWindows(shipped('google-sre-30d')).map((w) => w.label)).toEqual(['5m', '30m', '1h', '2h', '6h', '1d', '3d']);
  });

  it('refuses a set whose short window is not shorter', () => {
    const parsed = windowSetSchema.safeParse({
      name: 'bad',
      referencePeriod: '30d',
      alerts: [{ severity: 'page', longWindow: '5m', shortWindow: '1h', budgetConsumed: '2%' }],
    });
    expect(parsed.success).toBe(false);
  });
});

describe('window sets against the period', () => {
  const pair = fc.record({
    severity: fc.constantFrom('page', 'ticket'),
    longWindow: fc.integer({ min: 2, max: 90 * 24 }).map((h) => h * HOUR),
    budgetConsumed: fc.integer({ min: 1, max: 100 }).map((p) => p / 100),
  });
  const set = fc.array(pair, { minLength: 1, maxLength: 5 }).map(
    (alerts): WindowSet => ({
      name: 'gen',
      referencePeriod: 30 * DAY,
      alerts: alerts.map((a) => ({ ...a, shortWindow: a.longWindow / 12 })),
    }),
  );
  const period = fc.integer({ min: 1, max: 120 * 24 }).map((h) => h * HOUR);

  it('a set fits exactly when no long window passes the period and no factor falls below the minimum', () => {
    fc.assert(
      fc.property(set, period, (s, p) => {
        const fits = s.alerts.every((a) => a.longWindow <= p && burnRateFactor(a, p) >= MIN_BURN_FACTOR);
        const misfit = windowSetMisfit(s, p);
        expect(misfit === null).toBe(fits);
        if (misfit !== null) expect(misfit).toMatch(/longer than the period|below 0\.9/);
      }),
      { seed: 12, numRuns: 2000 },
    );
  });

  it('the default for a period fits it whenever one of the full shipped sets (pages and tickets) does', () => {
    fc.assert(
      fc.property(period, (p) => {
        const anyFits = ['google-sre-30d', 'sre-7d'].some((name) => windowSetMisfit(shipped(name), p) === null);
        if (anyFits) expect(windowSetMisfit(shipped(defaultWindowSet(p)), p)).toBeNull();
      }),
      { seed: 12, numRuns: 1000 },
    );
  });

  it('says why google-sre-30d does not fit a 1-day period', () => {
    expect(windowSetMisfit(shipped('google-sre-30d'), DAY)).toBe(
      'window set google-sre-30d (made for 30d) has window pairs longer than the period 1d: 3d/6h',
    );
    expect(windowSetMisfit(shipped('google-sre-30d'), 7 * DAY)).toMatch(
      /burn factors below 0\.9 over the period 7d \(0\.7x over 1d, 0\.233x over 3d\)/,
    );
  });
});

describe('window sets in the loaded config', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-windows-'));
    await mkdir(join(dir, 'slo'));
    await mkdir(join(dir, 'windows'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const sloText = (period: string, alert = '{}') =>
    [
      'apiVersion: vigil/v1',
      'kind: ServiceLevels',
      'service: shop',
      'objectives:',
      '  - name: availability',
      '    indicator: { probe: { path: /healthz } }',
      '    target: 99.9%',
      `    period: ${period}`,
      `    alert: ${alert}`,
      '',
    ].join('\n');

  async function load(slo: string, windowSetFiles: Record<string, string> = {}, config = 'windowSets: [windows]\n') {
    await writeFile(join(dir, 'slo', 'shop.yaml'), slo);
    for (const [name, text] of Object.entries(windowSetFiles)) await writeFile(join(dir, 'windows', name), text);
    await writeFile(join(dir, 'vigil.yaml'), `slo: [slo]\nsources: { probe: { default: { baseUrl: "http://127.0.0.1:1" } } }\n${config}`);
    return loadConfig({ configPath: join(dir, 'vigil.yaml'), cwd: dir });
  }

  it.each(['1h', '6h', '1d', '2d', '3d', '6d'])('refuses a %s period with a positioned error: no shipped set fits it', async (period) => {
    const result = await load(sloText(period), {}, '');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([
      expect.objectContaining({
        file: join('slo', 'shop.yaml'),
        line: 8,
        column: 13,
        path: 'objectives[0].period',
        code: ERR.VIGIL_ERR_CONFIG_WINDOW_SET_PERIOD,
        message: expect.stringMatching(
          /^window set sre-7d \(made for 7d\) .* \(the default for this period\); (use one that fits|write one made for this period)/,
        ),
      }),
    ]);
  });

  it.each(['7d', '10d', '14d', '28d', '30d', '90d'])('takes a %s period with the default set that fits it', async (period) => {
    const result = await load(sloText(period), {}, '');
    expect(result.ok ? [] : result.issues).toEqual([]);
  });

  it('refuses a named set that does not fit the period, pointing at the name and naming the sets that do', async () => {
    const result = await load(sloText('7d', '{ burnRateWindows: google-sre-30d }'), {}, '');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]).toMatchObject({
      line: 9,
      column: 31,
      path: 'objectives[0].alert.burnRateWindows',
      code: ERR.VIGIL_ERR_CONFIG_WINDOW_SET_PERIOD,
    });
    expect(result.issues[0]!.message).toMatch(/use one that fits \(page-only-30d, page-only-7d, sre-7d, ticket-only-7d\)$/);
  });

  it('loads a team set from windowSets and lets a 1-day objective use it', async () => {
    const daily =
      'name: daily\nreferencePeriod: 1d\nalerts:\n  - { severity: page, longWindow: 1h, shortWindow: 5m, budgetConsumed: 10% }\n';
    const result = await load(sloText('1d', '{ burnRateWindows: daily }'), { 'daily.yaml': daily });
    expect(result.ok ? result.config.windowSets.daily?.alerts : result.issues).toEqual([
      { severity: 'page', longWindow: HOUR, shortWindow: 5 * 60_000, budgetConsumed: 0.1 },
    ]);
  });

  it('positions a mistake in a team set and refuses a name taken by a shipped set', async () => {
    const result = await load(sloText('30d'), {
      'a-bad.yaml':
        'name: bad\nreferencePeriod: 30d\nalerts:\n  - { severity: page, longWindow: 1h, shortWindow: 5m, budgetConsumed: 2 parsecs }\n',
      'b-taken.yaml':
        'name: google-sre-30d\nreferencePeriod: 30d\nalerts:\n  - { severity: page, longWindow: 1h, shortWindow: 5m, budgetConsumed: 2% }\n',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => [i.file, i.line, i.path, i.code])).toEqual([
      [join('windows', 'a-bad.yaml'), 4, 'alerts[0].budgetConsumed', ERR.VIGIL_ERR_CONFIG_UNIT],
      [join('windows', 'b-taken.yaml'), 1, 'name', ERR.VIGIL_ERR_CONFIG_WINDOW_SET],
    ]);
    expect(result.issues[1]!.message).toBe(
      'window set "google-sre-30d" is already defined in the sets shipped with vigil; pick another name',
    );
  });

  it('refuses an unknown set name where it is written', async () => {
    const result = await load(sloText('30d', '{ burnRateWindows: nope }'), {}, '');
    expect(result.ok ? [] : result.issues.map((i) => [i.line, i.path, i.code, i.message])).toEqual([
      [
        9,
        'objectives[0].alert.burnRateWindows',
        ERR.VIGIL_ERR_CONFIG_WINDOW_SET,
        expect.stringMatching(/^unknown burn-rate window set "nope" \(known: google-sre-30d, /),
      ],
    ]);
  });
});
