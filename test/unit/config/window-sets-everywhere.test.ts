import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Config } from '../../../src/config/config.js';
import { formatIssue, loadConfig } from '../../../src/config/load-config.js';
import { retentionFor } from '../../../src/daemon/retention.js';
import { evaluate } from '../../../src/evaluate/evaluate.js';
import { generateAll } from '../../../src/generate/generate.js';
import { buildQueries } from '../../../src/sources/prometheus/promql-builder.js';
import { SampleStore } from '../../../src/store/sample-store.js';

/**
 * One source for burn-rate windows: a team's own window set, named in vigil.yaml, changes the
 * generated rules, the burn rates the API reports, the store's retention and the queries the
 * Prometheus source runs, all from the one loaded config.
 */

const DAY = 86_400_000;
let dir: string;
let config: Config;

const FAST_SET = `name: fast
description: pages on a 10-minute burn, tickets on a 12-hour one
referencePeriod: 30d
alerts:
  - { severity: page, longWindow: 10m, shortWindow: 1m, budgetConsumed: 1% }
  - { severity: ticket, longWindow: 12h, shortWindow: 1h, budgetConsumed: 10% }
`;

const objective = (name: string, alert: string) => `
  - name: ${name}
    indicator:
      ratio:
        errors: sum(rate(http_requests_total{code=~"5.."}[{{window}}]))
        total: sum(rate(http_requests_total[{{window}}]))
    target: 99.9%
    alert: ${alert}`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-window-use-'));
  await mkdir(join(dir, 'slo'));
  await mkdir(join(dir, 'team-windows'));
  await writeFile(join(dir, 'team-windows', 'fast.yaml'), FAST_SET);
  await writeFile(
    join(dir, 'slo', 'shop.yaml'),
    `apiVersion: vigil/v1\nkind: ServiceLevels\nservice: shop\nobjectives:${objective('custom', '{ burnRateWindows: fast }')}${objective('default', '{}')}\n`,
  );
  await writeFile(
    join(dir, 'vigil.yaml'),
    'slo: [slo]\nwindowSets: [team-windows]\nsources: { prometheus: { default: { url: "http://127.0.0.1:9090" } } }\n',
  );
  const loaded = await loadConfig({ configPath: join(dir, 'vigil.yaml'), cwd: dir });
  if (!loaded.ok) throw new Error(loaded.issues.map(formatIssue).join('\n'));
  config = loaded.config;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const WORKBOOK = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'];
const FAST = ['1m', '10m', '1h', '12h'];

describe('a custom window set changes every reader of burn-rate windows', () => {
  it('the generated rules record and alert on its windows', () => {
    const rules = generateAll(
      config.services.map((s) => ({ path: 'slo/shop.yaml', slo: s.slo })),
      { windowSets: config.windowSets },
    ).files.find((f) => f.name === 'shop.rules.yaml')!.content;
    const parsed = parse(rules) as { groups: Array<{ rules: Array<{ record?: string; labels?: Record<string, string> }> }> };
    const recorded = (name: string) =>
      parsed.groups
        .flatMap((g) => g.rules)
        .filter((r) => r.labels?.objective === name && r.record?.startsWith('slo:sli_error:ratio_rate'))
        .map((r) => r.record!.slice('slo:sli_error:ratio_rate'.length));
    expect(recorded('custom')).toEqual([...FAST, '30d']);
    expect(recorded('default')).toEqual([...WORKBOOK, '30d']);
    expect([...rules.matchAll(/window: (\S+)\n/g)].map((m) => m[1])).toEqual(['10m/1m', '12h/1h', '1h/5m', '6h/30m', '1d/2h', '3d/6h']);
    expect(rules).toContain('slo:sli_error:ratio_rate10m{service="shop",objective="custom"} > (43.2 * 0.001)');
  });

  it('the API reports burn rates over its windows', () => {
    const snapshot = evaluate(config, new SampleStore({ retentionMs: 31 * DAY, maxPointsPerSeries: 100 }), Date.UTC(2026, 11, 1));
    const windows = snapshot.services[0]!.objectives.map((o) => [o.name, o.burnRates.map((b) => b.window)]);
    expect(windows).toEqual([
      ['custom', FAST],
      ['default', WORKBOOK],
    ]);
  });

  it('the Prometheus source queries its windows', () => {
    const { queries, problems } = buildQueries('default', config.services, config.windowSets);
    expect(problems).toEqual([]);
    const windowsOf = (name: string) => queries.filter((q) => q.objective === name).map((q) => q.window);
    expect(windowsOf('custom')).toEqual([...FAST, '5m', '30d']);
    expect(windowsOf('default')).toEqual([...WORKBOOK, '30d']);
  });

  it('retention covers its longest window', () => {
    // The loader refuses a set with a window longer than the period, so retention is the period
    // for every loaded config; a set widened by hand shows retention reads the set, not a constant.
    expect(retentionFor(config)).toBe(30 * DAY);
    const fast = config.windowSets.fast!;
    const widened: Config = {
      ...config,
      windowSets: {
        ...config.windowSets,
        fast: { ...fast, alerts: [...fast.alerts, { severity: 'ticket', longWindow: 45 * DAY, shortWindow: DAY, budgetConsumed: 1 }] },
      },
    };
    expect(retentionFor(widened)).toBe(45 * DAY);
    const defaultOnly: Config = {
      ...widened,
      services: [{ ...config.services[0]!, slo: { ...config.services[0]!.slo, objectives: [config.services[0]!.slo.objectives[1]!] } }],
    };
    expect(retentionFor(defaultOnly)).toBe(30 * DAY);
  });
});
