import { describe, expect, it } from 'vitest';
import { firingAlerts } from '../../../src/alerting/alert-rules.js';
import { sloFileSchema } from '../../../src/config/slo-schema.js';
import { objectiveResult as result, serviceSnapshot } from '../../support/snapshot-builders.js';

const slo = sloFileSchema.parse({
  apiVersion: 'vigil/v1',
  kind: 'ServiceLevels',
  service: 'ml-services',
  labels: { team: 'ml-platform', service: 'must-not-override' },
  objectives: [
    {
      name: 'decide-latency-p95',
      description: 'ML decisions answer fast.',
      indicator: { latency: { histogram: 'http_request_duration_seconds{route="/decide"}' } },
      threshold: { max: '50ms' },
      alert: { severity: 'page', runbookUrl: 'https://runbooks.example/decide' },
    },
    {
      name: 'availability',
      indicator: { ratio: { errors: 'sum(rate(e[{{window}}]))', total: 'sum(rate(t[{{window}}]))' } },
      target: '99.9%',
      alert: { severity: 'ticket', absent: true },
    },
    { name: 'cpu', indicator: { containerCpu: { containers: 'ml-*' } }, threshold: { max: '60%' }, alert: { disabled: true } },
  ],
});

const links = { grafanaUrl: 'https://grafana.example/', dashboardUid: (s: string) => `vigil-${s}` };
const ms = (v: number) => ({ value: v / 1000, unit: 'seconds' as const, display: `${v}ms` });

describe('firingAlerts', () => {
  it('fires one alert per breached objective with routing labels and readable annotations', () => {
    const alerts = firingAlerts(
      serviceSnapshot('ml-services', [
        result({
          name: 'decide-latency-p95',
          kind: 'latency',
          status: 'breach',
          value: ms(72),
          threshold: { max: ms(50), min: null, warning: null },
        }),
        result({ name: 'availability', kind: 'ratio', status: 'ok' }),
      ]),
      [{ path: 'slo/ml.yaml', slo }],
      links,
    );
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.labels).toEqual({
      team: 'ml-platform',
      alertname: 'VigilObjectiveBreach',
      service: 'ml-services',
      objective: 'decide-latency-p95',
      severity: 'page',
    });
    expect(alerts[0]!.annotations).toEqual({
      summary: 'ml-services/decide-latency-p95 breached: 72ms against max 50ms',
      description: 'ML decisions answer fast. Value 72ms against max 50ms over 5m.',
      runbook_url: 'https://runbooks.example/decide',
      dashboard_url: 'https://grafana.example/d/vigil-ml-services',
    });
  });

  it('links to the objective on the status page when the daemon has an external URL', () => {
    const [alert] = firingAlerts(
      serviceSnapshot('ml-services', [
        result({
          name: 'decide-latency-p95',
          kind: 'latency',
          status: 'breach',
          value: ms(72),
          threshold: { max: ms(50), min: null, warning: null },
        }),
      ]),
      [{ path: 'slo/ml.yaml', slo }],
      { ...links, externalUrl: 'https://vigil.example.com' },
    );
    expect(alert!.annotations.status_page_url).toBe('https://vigil.example.com/services/ml-services#o-decide-latency-p95');
  });

  it('states the remaining budget and burn rate for target objectives', () => {
    const [alert] = firingAlerts(
      serviceSnapshot('ml-services', [
        result({
          name: 'availability',
          kind: 'ratio',
          status: 'breach',
          target: 0.999,
          period: '30d',
          errorBudgetRemaining: 0.25,
          burnRates: [
            { window: '5m', rate: 16.2 },
            { window: '1h', rate: 14.9 },
          ],
          value: { value: 0.98, unit: 'ratio', display: '98%' },
        }),
      ]),
      [{ path: 'slo/ml.yaml', slo }],
      links,
    );
    expect(alert!.labels.severity).toBe('ticket');
    expect(alert!.annotations.summary).toBe('ml-services/availability breached: 98% against target 99.9%');
    expect(alert!.annotations.description).toContain('Error budget remaining: 25% of 0.1% over 30d.');
    expect(alert!.annotations.description).toContain('Highest burn rate: 16.2x.');
  });

  it('fires a no-data alert only where opted in, and nothing for disabled objectives', () => {
    const alerts = firingAlerts(
      serviceSnapshot('ml-services', [
        result({ name: 'decide-latency-p95', kind: 'latency', status: 'no_data', error: 'stale' }),
        result({ name: 'availability', kind: 'ratio', status: 'no_data', error: 'Prometheus unreachable' }),
        result({ name: 'cpu', kind: 'containerCpu', status: 'breach' }),
      ]),
      [{ path: 'slo/ml.yaml', slo }],
      links,
    );
    expect(alerts.map((a) => [a.labels.alertname, a.labels.objective])).toEqual([['VigilObjectiveNoData', 'availability']]);
    expect(alerts[0]!.annotations.description).toBe('Prometheus unreachable');
  });
});
