import { describe, expect, it } from 'vitest';
import { AlertNotifier } from '../../../src/alerting/alert-notifier.js';
import type { PostableAlert } from '../../../src/alerting/alert-tracker.js';
import type { AlertSender } from '../../../src/alerting/delivery-queue.js';
import type { Config } from '../../../src/config/config.js';
import { daemonConfigSchema } from '../../../src/config/daemon-schema.js';
import { resolveConfig } from '../../../src/config/resolve-config.js';
import { sloFileSchema } from '../../../src/config/slo-schema.js';
import { SHIPPED_WINDOW_SETS } from '../../../src/config/window-sets.js';
import type { Snapshot } from '../../../src/snapshot/snapshot-schema.js';
import { objectiveResult, serviceSnapshot } from '../../support/snapshot-builders.js';

const slo = sloFileSchema.parse({
  apiVersion: 'vigil/v1',
  kind: 'ServiceLevels',
  service: 'svc',
  objectives: [{ name: 'mem', indicator: { containerMemory: { containers: 'a*' } }, threshold: { max: '2GiB' }, alert: { for: '0s' } }],
});

function config(urls: string[]): Config {
  return resolveConfig({
    configPath: null,
    baseDir: '/',
    daemon: daemonConfigSchema.parse({ alertmanager: { urls, resendInterval: '1m' } }),
    services: [{ path: 'svc.yaml', slo }],
    windowSets: SHIPPED_WINDOW_SETS,
  });
}

function snapshot(status: 'ok' | 'breach'): Snapshot {
  return serviceSnapshot('svc', [
    objectiveResult({
      name: 'mem',
      kind: 'containerMemory',
      source: { kind: 'docker', name: 'default' },
      status,
      value: { value: 3 * 2 ** 30, unit: 'bytes', display: '3GiB' },
      threshold: { max: { value: 2 ** 31, unit: 'bytes', display: '2GiB' }, min: null, warning: null },
    }),
  ]);
}

class RecordingSender implements AlertSender {
  posted: PostableAlert[][] = [];
  down = false;
  constructor(readonly baseUrl: string) {}
  async post(alerts: readonly PostableAlert[]): Promise<void> {
    if (this.down) throw new Error('down');
    this.posted.push([...alerts]);
  }
}

const quiet = { info: () => undefined, warn: () => undefined };
const tick = () => new Promise((r) => setTimeout(r, 5));

/** A notifier whose Alertmanagers are recording stand-ins, on a clock the test moves. */
function recordingNotifier(urls: string[]) {
  const senders = new Map<string, RecordingSender>();
  const clock = { now: 0 };
  const notifier = new AlertNotifier(config(urls), quiet, {
    dashboardUid: (s) => s,
    now: () => clock.now,
    createSender: (url) => {
      const sender = new RecordingSender(url);
      senders.set(url, sender);
      return sender;
    },
  });
  return { notifier, senders, clock };
}

describe('AlertNotifier', () => {
  it('sends every alert to every Alertmanager, each with its own retries', async () => {
    const { notifier, senders, clock } = recordingNotifier(['http://am-a:9093', 'http://am-b:9093']);
    senders.get('http://am-b:9093')!.down = true;
    notifier.onSnapshot(snapshot('breach'));
    await tick();
    expect(senders.get('http://am-a:9093')!.posted).toHaveLength(1);
    expect(notifier.status().find((s) => s.url === 'http://am-b:9093')).toMatchObject({ pending: 1, consecutiveFailures: 1 });

    // Unchanged breach inside the resend interval: no second firing anywhere.
    clock.now = 30_000;
    notifier.onSnapshot(snapshot('breach'));
    await tick();
    expect(senders.get('http://am-a:9093')!.posted).toHaveLength(1);
    await notifier.stop();
  });

  it('keeps firing state across a reload and stops delivering to a removed Alertmanager', async () => {
    const { notifier, senders, clock } = recordingNotifier(['http://am-a:9093']);
    notifier.onSnapshot(snapshot('breach'));
    await tick();
    notifier.reconfigure(config(['http://am-c:9093']));
    clock.now = 10_000;
    notifier.onSnapshot(snapshot('ok'));
    await tick();
    expect(senders.get('http://am-a:9093')!.posted).toHaveLength(1);
    const resolved = senders.get('http://am-c:9093')!.posted.flat();
    expect(resolved).toHaveLength(1);
    expect(resolved[0]!.endsAt).toBe(new Date(10_000).toISOString());
    expect(resolved[0]!.startsAt).toBe(new Date(0).toISOString());
    await notifier.stop();
  });
});
