import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { SloFileInput } from '../../../src/config/slo-schema.js';
import { generateAll } from '../../../src/generate/generate.js';
import { type AlertingRule, isAlertingRule, type RecordingRule } from '../../../src/generate/rule-model.js';
import { serviceRules } from '../../../src/generate/service-rules.js';
import { shippedOptions, slo } from './fixtures.js';

const ratioSlo = (alert: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): SloFileInput => ({
  apiVersion: 'vigil/v1',
  kind: 'ServiceLevels',
  service: 'shop',
  labels: { team: 'web' },
  objectives: [
    {
      name: 'availability',
      indicator: {
        ratio: { errors: 'sum(rate(req_total{code=~"5.."}[{{window}}]))', total: 'sum(rate(req_total[{{window}}]))' },
      },
      target: '99.9%',
      period: '30d',
      alert,
      ...extra,
    },
  ],
});

async function rulesOf(input: SloFileInput) {
  const out = serviceRules(slo(input), await shippedOptions());
  const rules = out.file.groups.flatMap((g) => g.rules);
  return {
    notes: out.notes,
    groups: out.file.groups,
    records: rules.filter((r): r is RecordingRule => !isAlertingRule(r)),
    alerts: rules.filter(isAlertingRule),
  };
}

describe('ratio objectives', () => {
  it('records the error ratio over 5m, 30m, 1h, 2h, 6h, 1d, 3d and the period', async () => {
    const { records } = await rulesOf(ratioSlo());
    const names = records.map((r) => r.record);
    for (const w of ['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d']) expect(names).toContain(`slo:sli_error:ratio_rate${w}`);
    const r1h = records.find((r) => r.record === 'slo:sli_error:ratio_rate1h')!;
    expect(r1h.expr).toBe('(sum(rate(req_total{code=~"5.."}[1h])) or vector(0))\n/\nsum(rate(req_total[1h]))');
    expect(r1h.labels).toEqual({ objective: 'availability', service: 'shop' });
  });

  it('weights the period ratio by traffic: summed events, not an average of ratios', async () => {
    const { records } = await rulesOf(ratioSlo());
    const period = records.find((r) => r.record === 'slo:sli_error:ratio_rate30d')!;
    expect(period.expr).toBe(
      'sum_over_time(slo:sli_errors:rate5m{service="shop",objective="availability"}[30d])\n/\n' +
        'sum_over_time(slo:sli_requests:rate5m{service="shop",objective="availability"}[30d])',
    );
    expect(period.expr).not.toMatch(/avg_over_time|count_over_time/);
    expect(records.find((r) => r.record === 'slo:sli_errors:rate5m')!.expr).toBe('sum(rate(req_total{code=~"5.."}[5m])) or vector(0)');
    expect(records.find((r) => r.record === 'slo:sli_requests:rate5m')!.expr).toBe('sum(rate(req_total[5m]))');
  });

  it('alerts per window pair with the workbook factors, saying which pair fired', async () => {
    const { alerts } = await rulesOf(ratioSlo());
    expect(alerts.map((a) => [a.labels.window, a.labels.severity])).toEqual([
      ['1h/5m', 'page'],
      ['6h/30m', 'page'],
      ['1d/2h', 'ticket'],
      ['3d/6h', 'ticket'],
    ]);
    const page = alerts[0]!;
    expect(page.alert).toBe('VigilErrorBudgetBurn');
    expect(page.expr).toBe(
      'slo:sli_error:ratio_rate1h{service="shop",objective="availability"} > (14.4 * 0.001)\nand\n' +
        'slo:sli_error:ratio_rate5m{service="shop",objective="availability"} > (14.4 * 0.001)',
    );
    expect(page.for).toBeUndefined();
    expect(page.labels).toMatchObject({ service: 'shop', objective: 'availability', severity: 'page', team: 'web' });
    expect(page.annotations.description).toContain('window pair 1h/5m');
    expect(page.annotations.description).toContain('bound 1.44% (14.4 x the 0.1% error budget of the 99.9% target over 30d)');
    expect(Object.keys(page.annotations).sort()).toEqual(['dashboard_url', 'description', 'summary']);
    expect(alerts.map((a) => a.expr.match(/\((\S+) \* 0.001\)/)![1])).toEqual(['14.4', '6', '3', '1']);
  });

  it('links each alert to the objective on the status page when an external URL is given', async () => {
    const options = { ...(await shippedOptions()), externalUrl: 'https://vigil.example.com/' };
    const alerts = serviceRules(slo(ratioSlo()), options)
      .file.groups.flatMap((g) => g.rules)
      .filter(isAlertingRule);
    expect(alerts.map((a) => a.annotations.status_page_url)).toEqual(
      Array(4).fill('https://vigil.example.com/services/shop#o-availability'),
    );
  });

  it('links a runbook only where one is named: alert.runbookUrl, else --runbook-base, else none', async () => {
    const without = await rulesOf(ratioSlo());
    expect(without.alerts.every((a) => !('runbook_url' in a.annotations))).toBe(true);
    const options = { ...(await shippedOptions()), runbookBase: 'https://runbooks.example.com/slo' };
    const based = serviceRules(slo(ratioSlo()), options)
      .file.groups.flatMap((g) => g.rules)
      .filter(isAlertingRule);
    expect(based.map((a) => a.annotations.runbook_url)).toEqual(Array(4).fill('https://runbooks.example.com/slo#error-budget-burn'));
    const own = serviceRules(slo(ratioSlo({ runbookUrl: 'https://wiki.example.com/shop' })), options)
      .file.groups.flatMap((g) => g.rules)
      .filter(isAlertingRule);
    expect(own.map((a) => a.annotations.runbook_url)).toEqual(Array(4).fill('https://wiki.example.com/shop'));
  });

  it('scales the factors for a 28-day period', async () => {
    const { alerts, records } = await rulesOf(ratioSlo({}, { period: '28d' }));
    expect(alerts.map((a) => a.expr.match(/\((\S+) \* 0.001\)/)![1])).toEqual(['13.44', '5.6', '2.8', '0.9333333333']);
    expect(records.map((r) => r.record)).toContain('slo:sli_error:ratio_rate28d');
  });

  it('guards burn alerts with the minimum traffic over the long window', async () => {
    const { alerts } = await rulesOf(ratioSlo({ minTraffic: 5 }));
    expect(alerts[0]!.expr).toMatch(/\nand on \(\)\nsum\(rate\(req_total\[1h\]\)\) > 5$/);
    expect(alerts[3]!.expr).toMatch(/sum\(rate\(req_total\[3d\]\)\) > 5$/);
  });

  it('uses the named window set and fails clearly on an unknown one', async () => {
    const { alerts } = await rulesOf(ratioSlo({ burnRateWindows: 'page-only-30d' }));
    expect(alerts.map((a) => a.labels.window)).toEqual(['1h/5m', '6h/30m']);
    await expect(rulesOf(ratioSlo({ burnRateWindows: 'nope' }))).rejects.toThrow(
      /unknown burn-rate window set "nope" \(known: google-sre-30d, page-only-30d, page-only-7d, sre-7d, ticket-only-30d, ticket-only-7d\)/,
    );
  });

  it('supports good/total as 1 - good/total', async () => {
    const input = ratioSlo();
    (input.objectives[0]!.indicator as { ratio: Record<string, string> }).ratio = {
      good: 'sum(rate(ok_total[{{window}}]))',
      total: 'sum(rate(all_total[{{window}}]))',
    };
    const { records } = await rulesOf(input);
    expect(records.find((r) => r.record === 'slo:sli_error:ratio_rate5m')!.expr).toBe(
      '1 - ((sum(rate(ok_total[5m])) or vector(0))\n/\nsum(rate(all_total[5m])))',
    );
    expect(records.find((r) => r.record === 'slo:sli_errors:rate5m')!.expr).toBe(
      'sum(rate(all_total[5m])) - (sum(rate(ok_total[5m])) or vector(0))',
    );
  });

  it('records but does not alert when alerts are disabled; absent alert is opt-in', async () => {
    const off = await rulesOf(ratioSlo({ disabled: true }));
    expect(off.alerts).toEqual([]);
    expect(off.records.length).toBeGreaterThan(8);
    const absent = await rulesOf(ratioSlo({ absent: { for: '15m' } }));
    const noData = absent.alerts.find((a) => a.alert === 'VigilNoData')!;
    expect(noData.expr).toBe('absent(sum(rate(req_total[5m])))');
    expect(noData.for).toBe('15m');
    expect((await rulesOf(ratioSlo())).alerts.some((a) => a.alert === 'VigilNoData')).toBe(false);
  });
});

function thresholdSlo(
  indicator: Record<string, unknown>,
  threshold: Record<string, unknown>,
  alert: Record<string, unknown> = {},
  extra = {},
): SloFileInput {
  return {
    apiVersion: 'vigil/v1',
    kind: 'ServiceLevels',
    service: 'ml',
    objectives: [{ name: 'obj', indicator, threshold, alert, ...extra } as never],
  };
}

async function onlyAlerts(input: SloFileInput): Promise<AlertingRule[]> {
  return (await rulesOf(input)).alerts;
}

describe('threshold objectives', () => {
  it('latency: histogram_quantile over the _bucket series, for and severity', async () => {
    const [a, warn] = await onlyAlerts(
      thresholdSlo(
        { latency: { histogram: 'h_seconds{route="/d"}', quantile: 0.95 } },
        { max: '50ms', warning: '40ms' },
        { for: '3m', severity: 'critical' },
      ),
    );
    expect(a!.alert).toBe('VigilLatencyHigh');
    expect(a!.expr).toBe('histogram_quantile(0.95, sum by (le) (rate(h_seconds_bucket{route="/d"}[5m]))) > 0.05');
    expect(a!.for).toBe('3m');
    expect(a!.labels).toEqual({ objective: 'obj', service: 'ml', severity: 'critical' });
    expect(a!.annotations.description).toContain('the bound is at most 50ms');
    expect(warn!.expr).toMatch(/> 0.04$/);
    expect(warn!.labels.severity).toBe('warning');
  });

  it('latency with a minimum-traffic guard on the _count series', async () => {
    const [a] = await onlyAlerts(thresholdSlo({ latency: { histogram: 'h_seconds' } }, { max: '50ms' }, { minTraffic: 2 }));
    expect(a!.expr).toBe(
      'histogram_quantile(0.95, sum by (le) (rate(h_seconds_bucket[5m]))) > 0.05\nand on ()\nsum(rate(h_seconds_count[5m])) > 2',
    );
  });

  it('container memory and CPU over vigil_ metrics, per container', async () => {
    const [mem] = await onlyAlerts(thresholdSlo({ containerMemory: { containers: 'ml-serving*' } }, { max: '2GiB' }));
    expect(mem!.expr).toBe(
      'max by (container) (avg_over_time(vigil_container_memory_working_set_bytes{source="default",container=~"ml-serving.*"}[5m])) > 2147483648',
    );
    expect(mem!.annotations.summary).toBe('ml/obj: container memory of {{ $labels.container }} above 2GiB');
    const [cpu] = await onlyAlerts(
      thresholdSlo({ containerCpu: { containers: 'ml-serving*', source: 'docker' } }, { max: '60%' }, {}, { window: '10m' }),
    );
    expect(cpu!.expr).toBe(
      'max by (container) (avg_over_time(vigil_container_cpu_usage_ratio{source="docker",container=~"ml-serving.*"}[10m])) > 0.6',
    );
    expect(cpu!.alert).toBe('VigilContainerCpuHigh');
  });

  it('Redis hit ratio from increase() of hits and misses over the window', async () => {
    const [a] = await onlyAlerts(thresholdSlo({ redisHitRatio: { source: 'cache' } }, { min: '80%' }, {}, { window: '15m' }));
    expect(a!.alert).toBe('VigilRedisHitRatioLow');
    expect(a!.expr).toBe(
      '(sum(increase(vigil_redis_keyspace_hits_total{source="cache"}[15m]))\n/\n' +
        '(sum(increase(vigil_redis_keyspace_hits_total{source="cache"}[15m])) + sum(increase(vigil_redis_keyspace_misses_total{source="cache"}[15m])))) < 0.8',
    );
  });

  it('PostgreSQL latency per statement selector', async () => {
    const [a] = await onlyAlerts(thresholdSlo({ postgresQueryLatency: { match: '%ml_learning%' } }, { max: '10ms' }));
    expect(a!.expr).toBe(
      'max(increase(vigil_postgres_statement_exec_seconds_total{source="default",selector="%ml_learning%|"}[5m])\n/\n' +
        'increase(vigil_postgres_statement_calls_total{source="default",selector="%ml_learning%|"}[5m])) > 0.01',
    );
  });

  it('probes: target -> burn rate over probe success; threshold -> duration; neither -> down', async () => {
    const withTarget = await rulesOf({
      apiVersion: 'vigil/v1',
      kind: 'ServiceLevels',
      service: 'ml',
      objectives: [{ name: 'up', indicator: { probe: { url: 'http://x:1/health' } }, target: '99.9%' }],
    });
    expect(withTarget.records.find((r) => r.record === 'slo:sli_error:ratio_rate1h')!.expr).toBe(
      '1 - avg(avg_over_time(vigil_probe_success{source="default",url="http://x:1/health"}[1h]))',
    );
    expect(withTarget.records.find((r) => r.record === 'slo:sli_error:ratio_rate30d')!.expr).toBe(
      '1 - avg(avg_over_time(vigil_probe_success{source="default",url="http://x:1/health"}[30d]))',
    );
    expect(withTarget.alerts).toHaveLength(4);
    const [slow] = await onlyAlerts(thresholdSlo({ probe: { path: '/health' } }, { max: '200ms' }));
    expect(slow!.expr).toBe('max(quantile_over_time(0.95, vigil_probe_duration_seconds{source="default",url=~".*/health"}[5m])) > 0.2');
  });

  it('probes with a duration threshold and a target: timeslices of the P95 duration, not the success share', async () => {
    const out = await rulesOf(thresholdSlo({ probe: { path: '/health' } }, { max: '100ms' }, {}, { target: '99%', period: '7d' }));
    expect(out.records[0]!.record).toBe('slo:sli_bad_slice:bool');
    expect(out.records[0]!.expr).toBe(
      'max(max(quantile_over_time(0.95, vigil_probe_duration_seconds{source="default",url=~".*/health"}[5m])) > bool 0.1)',
    );
    expect(out.records.some((r) => r.expr.includes('vigil_probe_success'))).toBe(false);
  });

  it('promql: a threshold over the query', async () => {
    const [a] = await onlyAlerts(thresholdSlo({ promql: { query: 'sum(queue_depth)' } }, { max: 100 }));
    expect(a!.alert).toBe('VigilPromqlHigh');
    expect(a!.expr).toBe('sum(queue_depth) > 100');
  });
});

describe('threshold objectives with a target (time slices)', () => {
  it('record bad slices as 0/1 and burn their share like a ratio', async () => {
    const out = await rulesOf(thresholdSlo({ containerCpu: { containers: 'svc*' } }, { max: '60%' }, {}, { target: '99%', period: '7d' }));
    const names = out.records.map((r) => r.record);
    expect(names[0]).toBe('slo:sli_bad_slice:bool');
    expect(out.records[0]!.expr).toBe(
      'max(max by (container) (avg_over_time(vigil_container_cpu_usage_ratio{source="default",container=~"svc.*"}[5m])) > bool 0.6)',
    );
    expect(out.records.find((r) => r.record === 'slo:sli_error:ratio_rate7d')!.expr).toBe(
      'avg_over_time(slo:sli_bad_slice:bool{service="ml",objective="obj"}[7d])',
    );
    const burn = out.alerts.filter((a) => a.alert === 'VigilErrorBudgetBurn');
    expect(burn.map((a) => a.expr.match(/> \((\S+) \* (\S+)\)/)!.slice(1))).toEqual([
      // A 7-day period takes the 7-day set (the 30-day shares would give 3.36, 1.4, 0.7, 0.233).
      ['13.44', '0.01'],
      ['3.5', '0.01'],
      ['1.4', '0.01'],
      ['0.98', '0.01'],
    ]);
    // The plain threshold alert stays.
    expect(out.alerts.map((a) => a.alert)).toContain('VigilContainerCpuHigh');
  });

  it('a min and a max bound: a slice is bad past either', async () => {
    const out = await rulesOf(thresholdSlo({ promql: { query: 'x' } }, { min: 1, max: 5 }, {}, { target: '99%' }));
    expect(out.records[0]!.expr).toBe('clamp_max(max(x > bool 5) + max(x < bool 1), 1)');
  });
});

describe('memory leak objectives', () => {
  it('alerts on the verdict and falls back to predict_linear against the limit', async () => {
    const [verdict, fallback] = await onlyAlerts(
      thresholdSlo({ memoryLeak: { containers: 'ml-serving*', limit: '2GB' } }, undefined as never, { for: '30m', severity: 'ticket' }),
    );
    expect(verdict!.expr).toBe('max by (container) (vigil_memory_leak_suspected{service="ml",objective="obj"}) == 1');
    expect(fallback!.expr).toBe(
      'max by (container) (predict_linear(vigil_container_memory_working_set_bytes{source="default",container=~"ml-serving.*"}[6h], 86400)) > 2000000000',
    );
    expect(fallback!.annotations.description).toContain('at most 2GB');
  });

  it("takes the limit from a containerMemory objective over the same containers, else each container's own limit", async () => {
    const base = {
      apiVersion: 'vigil/v1' as const,
      kind: 'ServiceLevels' as const,
      service: 'ml',
      objectives: [
        { name: 'leak', indicator: { memoryLeak: { containers: 'svc*' } } },
        { name: 'mem', indicator: { containerMemory: { containers: 'svc*' } }, threshold: { max: '1GiB' } },
      ],
    };
    const withMem = await rulesOf(base);
    expect(withMem.alerts.find((a) => a.alert === 'VigilMemoryExhaustionPredicted')!.expr).toMatch(/> 1073741824$/);
    const alone = await rulesOf({ ...base, objectives: [base.objectives[0]!] });
    expect(alone.alerts.find((a) => a.alert === 'VigilMemoryExhaustionPredicted')!.expr).toBe(
      'max by (container) (\n' +
        '  predict_linear(vigil_container_memory_working_set_bytes{source="default",container=~"svc.*"}[6h], 86400)\n' +
        '  > on (source, container, container_id, started_at)\n' +
        '  vigil_container_memory_limit_bytes{source="default",container=~"svc.*"}\n)',
    );
    expect(alone.notes[0]).toMatch(/compares with each container's own memory limit/);
  });
});

describe('rule files', () => {
  it('are byte-identical across runs and input orders, with no timestamps', async () => {
    const options = await shippedOptions();
    const a = slo(ratioSlo());
    const b = slo({ ...thresholdSlo({ latency: { histogram: 'h' } }, { max: '1s' }), service: 'api' });
    const first = generateAll(
      [
        { path: 'slo/a.yaml', slo: a },
        { path: 'slo/b.yaml', slo: b },
      ],
      options,
    );
    const second = generateAll(
      [
        { path: 'slo/b.yaml', slo: b },
        { path: 'slo/a.yaml', slo: a },
      ],
      options,
    );
    expect(second.files).toEqual(first.files);
    expect(first.files.map((f) => `${f.folder}/${f.name}`)).toEqual([
      'alerts/api.rules.yaml',
      'dashboards/api.json',
      'alerts/shop.rules.yaml',
      'dashboards/shop.json',
      'dashboards/overview.json',
    ]);
    for (const f of first.files) expect(f.content).not.toMatch(/20\d\d-\d\d-\d\dT/);
  });

  it('parse back to the Prometheus rule-file shape, labels and annotations sorted', async () => {
    const out = generateAll([{ path: 'slo/a.yaml', slo: slo(ratioSlo()) }], await shippedOptions());
    const text = out.files[0]!.content;
    expect(text.startsWith('# Generated by `vigil generate` from slo/a.yaml; do not edit by hand.\n')).toBe(true);
    const doc = parse(text) as { groups: Array<{ name: string; rules: Array<Record<string, unknown>> }> };
    expect(doc.groups.map((g) => g.name)).toEqual(['vigil.shop.availability']);
    const alert = doc.groups[0]!.rules.find((r) => 'alert' in r)!;
    expect(Object.keys(alert)).toEqual(['alert', 'expr', 'labels', 'annotations']);
    expect(Object.keys(alert.labels as object)).toEqual(['objective', 'service', 'severity', 'team', 'window']);
  });

  it('refuse two files for one service and a service named like the overview', async () => {
    const options = await shippedOptions();
    const a = slo(ratioSlo());
    expect(() =>
      generateAll(
        [
          { path: 'x.yaml', slo: a },
          { path: 'y.yaml', slo: a },
        ],
        options,
      ),
    ).toThrow(/service shop is defined twice/);
    expect(() => generateAll([{ path: 'x.yaml', slo: { ...a, service: 'overview' } }], options)).toThrow(/clashes with the overview/);
  });
});
