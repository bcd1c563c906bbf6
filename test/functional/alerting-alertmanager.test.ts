import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertNotifier } from '../../src/alerting/alert-notifier.js';
import type { Config } from '../../src/config/config.js';
import { daemonConfigSchema } from '../../src/config/daemon-schema.js';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { sloFileSchema } from '../../src/config/slo-schema.js';
import { SHIPPED_WINDOW_SETS } from '../../src/config/window-sets.js';
import type { ObjectiveResult, Snapshot } from '../../src/snapshot/snapshot-schema.js';
import { type AlertmanagerHandle, startAlertmanager, WebhookReceiver } from '../harness/launchers.js';
import { objectiveResult, serviceSnapshot } from '../support/snapshot-builders.js';

/**
 * The notifier against a real Alertmanager whose webhook receiver stands in for on-call:
 * what on-call receives for a breach, its resolution, and an Alertmanager outage.
 */

interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  endsAt: string;
}
interface WebhookBody {
  status: string;
  alerts: WebhookAlert[];
}

const slo = sloFileSchema.parse({
  apiVersion: 'vigil/v1',
  kind: 'ServiceLevels',
  service: 'ml-services',
  objectives: [
    { name: 'serving-cpu', indicator: { containerCpu: { containers: 'ml-*' } }, threshold: { max: '60%' }, alert: { for: '0s' } },
    { name: 'cache-hit-ratio', indicator: { redisHitRatio: {} }, threshold: { min: '80%' }, alert: { severity: 'ticket', for: '0s' } },
  ],
});

const pct = (v: number) => ({ value: v, unit: 'ratio' as const, display: `${Math.round(v * 100)}%` });

function objective(
  name: string,
  kind: ObjectiveResult['kind'],
  status: ObjectiveResult['status'],
  value: number,
  bound: 'max' | 'min',
): ObjectiveResult {
  return objectiveResult({
    name,
    kind,
    status,
    value: pct(value),
    threshold: { max: bound === 'max' ? pct(0.6) : null, min: bound === 'min' ? pct(0.8) : null, warning: null },
  });
}

function snapshot(cpu: number, hitRatio: number): Snapshot {
  return serviceSnapshot(
    'ml-services',
    [
      objective('serving-cpu', 'containerCpu', cpu > 0.6 ? 'breach' : 'ok', cpu, 'max'),
      objective('cache-hit-ratio', 'redisHitRatio', hitRatio < 0.8 ? 'breach' : 'ok', hitRatio, 'min'),
    ],
    Date.now(),
  );
}

const logs: string[] = [];
const logger = { info: (_o: object, m: string) => logs.push(m), warn: (_o: object, m: string) => logs.push(m) };

function notifications(receiver: WebhookReceiver): WebhookAlert[] {
  return receiver.received.flatMap((r) => (r.body as WebhookBody).alerts);
}

describe('alerting to a real Alertmanager', () => {
  let receiver: WebhookReceiver;
  let am: AlertmanagerHandle;
  let notifier: AlertNotifier;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    am = await startAlertmanager({ webhookUrl: receiver.url });
    const config: Config = resolveConfig({
      configPath: null,
      windowSets: SHIPPED_WINDOW_SETS,
      baseDir: process.cwd(),
      daemon: daemonConfigSchema.parse({
        alertmanager: { urls: [am.url], resendInterval: '2s', timeout: '2s' },
        grafanaUrl: 'http://127.0.0.1:3000',
      }),
      services: [{ path: 'slo/ml-services.yaml', slo }],
    });
    notifier = new AlertNotifier(config, logger, { dashboardUid: (s) => `vigil-${s}` });
  });

  afterAll(async () => {
    await notifier?.stop();
    await am?.stop();
    await receiver?.close();
  });

  it('delivers a breach to on-call with its labels and annotations, then its resolution', async () => {
    notifier.onSnapshot(snapshot(0.95, 0.9));
    const firing = await receiver.waitFor((r) =>
      (r.body as WebhookBody).alerts.some((a) => a.labels.objective === 'serving-cpu' && a.status === 'firing'),
    );
    const alert = (firing.body as WebhookBody).alerts.find((a) => a.labels.objective === 'serving-cpu')!;
    expect(alert.labels).toEqual({
      alertname: 'VigilObjectiveBreach',
      service: 'ml-services',
      objective: 'serving-cpu',
      severity: 'page',
    });
    expect(alert.annotations.summary).toBe('ml-services/serving-cpu breached: 95% against max 60%');
    expect(alert.annotations.dashboard_url).toBe('http://127.0.0.1:3000/d/vigil-ml-services');

    // Re-sent while it fires (the resend interval is 2 s) without a second notification.
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 1500));
      notifier.onSnapshot(snapshot(0.95, 0.9));
    }
    const firingNotifications = notifications(receiver).filter((a) => a.labels.objective === 'serving-cpu' && a.status === 'firing');
    expect(firingNotifications).toHaveLength(1);

    notifier.onSnapshot(snapshot(0.1, 0.9));
    await receiver.waitFor((r) =>
      (r.body as WebhookBody).alerts.some((a) => a.labels.objective === 'serving-cpu' && a.status === 'resolved'),
    );
    const inAm = (await (await fetch(`${am.url}/api/v2/alerts?active=true`)).json()) as Array<{ labels: Record<string, string> }>;
    expect(inAm.filter((a) => a.labels.objective === 'serving-cpu')).toEqual([]);
  });

  it('loses nothing while Alertmanager is down: the alert that fired meanwhile arrives after its restart', async () => {
    await am.halt();
    notifier.onSnapshot(snapshot(0.1, 0.5));
    await new Promise((r) => setTimeout(r, 2500));
    notifier.onSnapshot(snapshot(0.1, 0.5));
    const status = notifier.status()[0]!;
    // The new breach, and the earlier resolution that is re-sent for a while, wait for delivery.
    expect(status.pending).toBe(2);
    expect(status.consecutiveFailures).toBeGreaterThan(0);
    expect(status.lastError).toMatch(/unreachable/);

    await am.restart();
    const delivered = await receiver.waitFor(
      (r) => (r.body as WebhookBody).alerts.some((a) => a.labels.objective === 'cache-hit-ratio' && a.status === 'firing'),
      45_000,
    );
    const alert = (delivered.body as WebhookBody).alerts.find((a) => a.labels.objective === 'cache-hit-ratio')!;
    expect(alert.labels.severity).toBe('ticket');
    expect(alert.annotations.summary).toBe('ml-services/cache-hit-ratio breached: 50% against min 80%');
    expect(notifier.status()[0]).toMatchObject({ pending: 0, consecutiveFailures: 0 });
  });
});
