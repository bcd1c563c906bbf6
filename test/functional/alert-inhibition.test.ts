// On-call is paged once when both vigil's daemon alerts and its generated Prometheus rules are on:
// the shipped inhibition rules (examples/alertmanager/inhibit-rules.yaml) loaded into a real
// Alertmanager mute the daemon's alert for an objective a generated rule already fires for, and an
// objective's warning while its page fires. What the webhook receives is what on-call gets.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type AlertmanagerHandle, startAlertmanager, WebhookReceiver } from '../harness/launchers.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const shipped = parse(readFileSync(join(ROOT, 'examples/alertmanager/inhibit-rules.yaml'), 'utf8')) as {
  inhibit_rules: Array<{ source_matchers: string[]; target_matchers: string[]; equal: string[] }>;
};

interface Delivered {
  status: string;
  labels: Record<string, string>;
}

let am: AlertmanagerHandle;
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await WebhookReceiver.start();
  // group_by service+objective: the way the docs route vigil's alerts; one notification per objective.
  am = await startAlertmanager({ webhookUrl: receiver.url, groupBy: ['service', 'objective'], inhibitRules: shipped.inhibit_rules });
}, 60_000);

afterAll(async () => {
  await am?.stop();
  await receiver?.close();
});

async function post(alerts: Array<Record<string, string>>): Promise<void> {
  const res = await fetch(`${am.url}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(alerts.map((labels) => ({ labels, annotations: { summary: labels.alertname! } }))),
  });
  expect(res.status).toBe(200);
}

function deliveredFor(objective: string): Delivered[] {
  return receiver.received.flatMap((r) =>
    ((r.body as { alerts?: Delivered[] }).alerts ?? []).filter((a) => a.labels.objective === objective),
  );
}

describe('shipped Alertmanager inhibition rules', () => {
  it('name every alert the generated rules can raise', () => {
    const generated = new Set<string>();
    for (const file of readdirSync(join(ROOT, 'alerts')).filter((f) => f.endsWith('.yaml'))) {
      for (const m of readFileSync(join(ROOT, 'alerts', file), 'utf8').matchAll(/^\s+- alert: (\w+)$/gm)) generated.add(m[1]!);
    }
    const source = shipped.inhibit_rules[0]!.source_matchers[0]!;
    for (const name of generated) {
      if (name === 'VigilMemoryLeak') continue; // same name and labels from both: Alertmanager deduplicates it itself
      expect(source, name).toContain(name);
    }
  });

  it('pages once for an objective both the daemon and a generated rule fire for', async () => {
    await post([
      { alertname: 'VigilLatencyHigh', service: 'ml-services', objective: 'decide-latency-p95', severity: 'page' },
      { alertname: 'VigilObjectiveBreach', service: 'ml-services', objective: 'decide-latency-p95', severity: 'page' },
      // Only the daemon fires for this one: it must still reach on-call.
      { alertname: 'VigilObjectiveBreach', service: 'ml-services', objective: 'serving-cpu', severity: 'page' },
    ]);
    await receiver.waitFor(() => deliveredFor('decide-latency-p95').length > 0 && deliveredFor('serving-cpu').length > 0, 30_000);
    // Past another group interval: an inhibited alert is never sent later either.
    await new Promise((r) => setTimeout(r, 3_000));
    expect([...new Set(deliveredFor('decide-latency-p95').map((a) => a.labels.alertname))]).toEqual(['VigilLatencyHigh']);
    expect(deliveredFor('serving-cpu').map((a) => a.labels.alertname)).toContain('VigilObjectiveBreach');
  });

  it('keeps the page and mutes the warning of the same objective', async () => {
    await post([
      { alertname: 'VigilErrorBudgetBurn', service: 'ml-services', objective: 'decide-availability', severity: 'page', window: '1h/5m' },
      { alertname: 'VigilErrorBudgetBurn', service: 'ml-services', objective: 'decide-availability', severity: 'ticket', window: '1d/2h' },
    ]);
    await receiver.waitFor(() => deliveredFor('decide-availability').length > 0, 30_000);
    await new Promise((r) => setTimeout(r, 3_000));
    expect([...new Set(deliveredFor('decide-availability').map((a) => a.labels.severity))]).toEqual(['page']);
  });
});
