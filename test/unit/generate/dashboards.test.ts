import type { Panel } from '@grafana/grafana-foundation-sdk/dashboard';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { overviewDashboard } from '../../../src/generate/dashboards/overview-dashboard.js';
import { serviceDashboard } from '../../../src/generate/dashboards/service-dashboard.js';
import { serviceDashboardUid } from '../../../src/generate/service-rules.js';
import { STATUS_RANK } from '../../../src/snapshot/snapshot-schema.js';
import { checkDashboard, panelQueries } from './dashboard-checks.js';
import { loadSlo, shippedOptions, slo } from './fixtures.js';

describe('service dashboards', () => {
  it('the shipped ml-services dashboard is structurally valid, a row per objective', async () => {
    const [file] = await loadSlo(['slo/ml-services.yaml']);
    const d = serviceDashboard(file!.slo, await shippedOptions());
    checkDashboard(d);
    expect(d.uid).toBe('vigil-svc-ml-services');
    const rows = (d.panels as Panel[]).filter((p) => p.type === 'row').map((p) => p.title);
    for (const o of file!.slo.objectives) expect(rows.some((r) => r?.startsWith(`${o.name} (`))).toBe(true);
    expect(rows).toEqual(expect.arrayContaining(['Status', 'Containers', 'Redis', 'PostgreSQL']));
    const queries = panelQueries(d);
    const status = queries.find((q) => q.includes('vigil_objective_status'))!;
    // One-hot series turned into the status rank; max = the worst objective.
    expect(status).toBe(
      'max by (objective) (\n' +
        '  vigil_objective_status{service="ml-services",status="ok"} * 0\n  or\n' +
        '  vigil_objective_status{service="ml-services",status="warning"} * 1\n  or\n' +
        '  vigil_objective_status{service="ml-services",status="no_data"} * 2\n  or\n' +
        '  vigil_objective_status{service="ml-services",status="breach"} * 3\n)',
    );
    expect(queries).toContain('vigil_error_budget_remaining_ratio{service="ml-services",objective="decide-availability"}');
    expect(queries).toContain('vigil_burn_rate{service="ml-services",objective="decide-availability"}');
    expect(queries.some((q) => q.startsWith('histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket'))).toBe(true);
  });

  it('draws each bound as a threshold step and a dashed line', async () => {
    const [file] = await loadSlo(['slo/ml-services.yaml']);
    const d = serviceDashboard(file!.slo, await shippedOptions());
    const panels = d.panels as Panel[];
    const latencyIndex = panels.findIndex((p) => p.type === 'row' && p.title?.startsWith('decide-latency-p95'));
    const stat = panels[latencyIndex + 1]!;
    const series = panels[latencyIndex + 2]!;
    expect(stat.type).toBe('stat');
    expect(stat.fieldConfig!.defaults.thresholds!.steps).toEqual([
      { value: null, color: 'green' },
      { value: 0.04, color: 'orange' },
      { value: 0.05, color: 'red' },
    ]);
    expect(series.type).toBe('timeseries');
    expect(series.fieldConfig!.defaults.custom).toMatchObject({ thresholdsStyle: { mode: 'dashed' } });
    expect(series.fieldConfig!.defaults.unit).toBe('s');
  });

  it('derives a stable uid from the service name, within Grafana 40 characters', () => {
    expect(serviceDashboardUid('ml-services')).toBe('vigil-svc-ml-services');
    const long = 'a'.repeat(63);
    expect(serviceDashboardUid(long)).toBe(serviceDashboardUid(long));
    expect(serviceDashboardUid(long).length).toBeLessThanOrEqual(40);
    expect(serviceDashboardUid(long)).not.toBe(serviceDashboardUid(`${'a'.repeat(62)}b`));
  });
});

// Issue 12 item 16: resource rows were always drawn, and without a selecting objective they
// charted every container, Redis and database the sources see.
describe('resource rows follow what the objectives select', () => {
  const kinds = {
    containers: { name: 'mem', indicator: { containerMemory: { containers: 'api-*' } }, threshold: { max: '1GB' } },
    labelled: { name: 'cpu', indicator: { containerCpu: { containerLabels: { app: 'api' } } }, threshold: { max: 0.8 } },
    redis: { name: 'hits', indicator: { redisHitRatio: { source: 'cache' } }, threshold: { min: '90%' } },
    postgres: { name: 'pg', indicator: { postgresQueryLatency: { match: 'SELECT%' } }, threshold: { max: '20ms' } },
    latency: { name: 'lat', indicator: { latency: { histogram: 'h_seconds' } }, threshold: { max: '50ms' } },
  };
  const ROW_OF = { containers: 'Containers', labelled: 'Containers', redis: 'Redis', postgres: 'PostgreSQL', latency: null } as const;
  type Kind = keyof typeof kinds;
  const subsets = (list: Kind[]): Kind[][] =>
    list.length === 0 ? [[]] : subsets(list.slice(1)).flatMap((rest) => [rest, [list[0]!, ...rest]]);

  it.each(
    subsets(Object.keys(kinds) as Kind[])
      .filter((k) => k.length > 0)
      .map((k) => [k.join('+'), k] as const),
  )('%s: a row only for what is selected, never an unfiltered query', async (_name, chosen) => {
    const d = serviceDashboard(
      slo({ apiVersion: 'vigil/v1', kind: 'ServiceLevels', service: 'svc', objectives: chosen.map((k) => kinds[k]) }),
      await shippedOptions(),
    );
    checkDashboard(d);
    const rows = (d.panels as Panel[]).filter((p) => p.type === 'row').map((p) => p.title);
    const expected = [...new Set(chosen.map((k) => ROW_OF[k]).filter((r) => r !== null))];
    expect(rows.filter((r) => ['Containers', 'Redis', 'PostgreSQL'].includes(r!)).sort()).toEqual(expected.sort());
    const queries = panelQueries(d);
    if (chosen.includes('containers') && !chosen.includes('labelled')) {
      expect(queries).toContain('max by (container) (vigil_container_memory_working_set_bytes{source=~"default",container=~"api-.*"})');
    }
    // Every resource series is narrowed by a matcher (a bare `metric[5m]` or `metric)` reads them all).
    for (const q of queries) expect(q).not.toMatch(/vigil_(redis|postgres|container)_\w+[[)]/);
  });
});

describe('overview dashboard', () => {
  it('lists every service with its status and links to its dashboard', async () => {
    const [file] = await loadSlo(['slo/ml-services.yaml']);
    const other = { ...file!.slo, service: 'search' };
    const d = overviewDashboard([other, file!.slo]);
    checkDashboard(d);
    expect(d.uid).toBe('vigil-overview');
    const stats = (d.panels as Panel[]).filter((p) => p.type === 'stat');
    expect(stats.map((p) => p.title)).toEqual(['ml-services', 'search', 'Every objective']);
    expect(
      panelQueries(d).some(
        (q) => q.startsWith('max by (service) (') && q.includes('vigil_objective_status{service="search",status="breach"} * 3'),
      ),
    ).toBe(true);
    expect(stats[0]!.links).toEqual([expect.objectContaining({ url: '/d/vigil-svc-ml-services/ml-services' })]);
    const mapping = stats[0]!.fieldConfig!.defaults.mappings![0] as { options: Record<string, { text: string }> };
    expect(mapping.options[String(STATUS_RANK.breach)]!.text).toBe('breach');
  });
});

// Issue 12 item 16: `99.9%` parses to 0.9990000000000001, and a threshold step there showed a
// compliance of exactly 99.9 % red. Every target and bound as written, for any decimal.
describe('threshold steps are the decimals the author wrote', () => {
  it('targets and bounds of up to three decimals', async () => {
    const options = await shippedOptions();
    const decimals = fc.integer({ min: 1, max: 99_999 }).map((k) => Number(`${k}e-3`));
    fc.assert(
      fc.property(decimals, decimals, (percent, bound) => {
        const d = serviceDashboard(
          slo({
            apiVersion: 'vigil/v1',
            kind: 'ServiceLevels',
            service: 'svc',
            objectives: [
              { name: 'avail', indicator: { probe: { path: '/healthz' } }, target: `${percent}%` },
              { name: 'cpu', indicator: { containerCpu: { containers: 'a*' } }, threshold: { max: `${bound}%` } },
            ],
          }),
          options,
        );
        const steps = JSON.stringify(d)
          .match(/"value":-?[0-9.e-]+/g)!
          .map((m) => m.slice('"value":'.length));
        expect(steps).toContain(String(Number(`${percent}e-2`)));
        expect(steps).toContain(String(Number(`${bound}e-2`)));
        for (const text of steps) expect(text.replace(/^-?0\./, '').length).toBeLessThan(12);
      }),
      { seed: 16, numRuns: 300 },
    );
  });
});
