// An HA pair: two vigil daemons (real processes) with the same config file send to a two-peer
// Alertmanager cluster gossiping on loopback. On-call (a webhook receiver) gets each alert once,
// though each replica sends it to both peers; with one replica killed, alerts still arrive and
// resolve. Both replicas' alerts carry identical labels (Alertmanager holds one alert, and the
// raw posts of each replica, captured on a side channel, have the same label set).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertmanagerHandle, startAlertmanagerCluster, WebhookReceiver } from '../harness/launchers.js';
import { GiveUp } from '../harness/process-utils.js';
import { freePort, sleep, waitFor } from '../harness/services.js';

const MAIN = new URL('../../dist/cli/main.js', import.meta.url).pathname;
/** Longer than Alertmanager's default --cluster.peer-timeout (15 s): a duplicate would be sent by now. */
const DUPLICATE_WINDOW_MS = 20_000;

interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
}
interface WebhookBody {
  status: 'firing' | 'resolved';
  alerts: WebhookAlert[];
}
interface PostedAlert {
  labels: Record<string, string>;
}

let dir: string;
let receiver: WebhookReceiver;
let capture: WebhookReceiver;
let cluster: AlertmanagerHandle[] = [];
let target: Server;
/**
 * The service's request-duration histogram as its /metrics shows it: every scrape adds ten
 * requests, fast (under 50 ms) or, while `slow` is set, slow (under 1 s). The test sets `slow` to
 * cause a P95 breach and clears it to resolve it.
 */
let slow = false;
const counts = { fast: 0, slow: 0 };
function histogramText(): string {
  if (slow) counts.slow += 10;
  else counts.fast += 10;
  const total = counts.fast + counts.slow;
  return [
    '# TYPE req_seconds histogram',
    `req_seconds_bucket{le="0.05"} ${counts.fast}`,
    `req_seconds_bucket{le="1"} ${total}`,
    `req_seconds_bucket{le="+Inf"} ${total}`,
    `req_seconds_sum ${counts.fast * 0.01 + counts.slow * 0.8}`,
    `req_seconds_count ${total}`,
    '',
  ].join('\n');
}
const replicas = new Map<string, ChildProcess>();

/** Starts replica `name` on the shared config file; only its port, data folder and capture path differ. */
async function startReplica(name: string): Promise<string> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN, 'run', '--config', join(dir, 'vigil.yaml')], {
    cwd: dir,
    stdio: ['ignore', openSync(join(dir, `replica-${name}.log`), 'a'), 'inherit'],
    env: {
      ...process.env,
      VIGIL_LISTEN_PORT: String(port),
      VIGIL_DATA_DIR: join(dir, `data-${name}`),
      CAPTURE_URL: `${capture.url}/${name}`,
    },
  });
  replicas.set(name, child);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new GiveUp(`replica ${name} exited with ${child.exitCode}`);
      return (await fetch(`${url}/readyz`)).status === 200;
    },
    { timeoutMs: 30_000, what: `replica ${name}` },
  );
  return url;
}

/** Webhook notifications for the test's alert, by status. */
function notifications(status: 'firing' | 'resolved'): WebhookBody[] {
  return receiver.received
    .map((r) => r.body as WebhookBody)
    .filter((b) => b.status === status && b.alerts.some((a) => a.labels.service === 'checkout'));
}

/** Label sets a replica posted to Alertmanager (its side-channel copy). */
function postedBy(name: string): Array<Record<string, string>> {
  return capture.received.filter((r) => r.path.startsWith(`/${name}/`)).flatMap((r) => (r.body as PostedAlert[]).map((a) => a.labels));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-ha-'));
  receiver = await WebhookReceiver.start();
  capture = await WebhookReceiver.start('');
  // group_interval above the peers' 15 s peer timeout, as in production (5 m): a peer that
  // waits its turn holds a copy of the group taken when it started waiting, and when that wait
  // outlasts the other peer's resolved notification, it sends the stale copy as a new firing.
  cluster = await startAlertmanagerCluster({ webhookUrl: receiver.url, groupWait: '1s', groupInterval: '20s' }, 2);
  target = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(histogramText());
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  const address = target.address();
  const targetPort = typeof address === 'object' && address ? address.port : 0;

  mkdirSync(join(dir, 'slo'));
  writeFileSync(
    join(dir, 'vigil.yaml'),
    [
      'slo: [slo]',
      'sources:',
      `  scrape: { default: { url: 'http://127.0.0.1:${targetPort}/metrics', schedule: '* * * * * *', timeout: 5s } }`,
      'alertmanager:',
      `  urls: ['${cluster[0]!.url}', '${cluster[1]!.url}', '\${CAPTURE_URL}']`,
      '  resendInterval: 2s',
      // Longer than the replicas may disagree (a scrape or two): Alertmanager resolves when the
      // last replica has cleared, so a late replica does not re-fire the alert.
      '  resolveDelay: 10s',
      '  timeout: 2s',
      'evaluateEvery: 1s',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'slo', 'checkout.yaml'),
    [
      'apiVersion: vigil/v1',
      'kind: ServiceLevels',
      'service: checkout',
      'objectives:',
      '  - { name: latency, indicator: { latency: { histogram: req_seconds, quantile: 0.95 } }, threshold: { max: 300ms }, window: 5s, alert: { for: 0s } }',
      '',
    ].join('\n'),
  );
  await Promise.all([startReplica('a'), startReplica('b')]);
}, 180_000);

afterAll(async () => {
  // VIGIL_HA_DEBUG=1: what each side saw, to diagnose a failure: the notifications in order (which
  // peer sent each) and the replicas' alerting log lines.
  if (process.env.VIGIL_HA_DEBUG) {
    for (const r of receiver.received) {
      const b = r.body as WebhookBody & { externalURL?: string };
      process.stderr.write(
        `${new Date(r.receivedAt).toISOString()} ${b.externalURL} ${b.status} ${JSON.stringify(b.alerts.map((a) => [a.startsAt, a.endsAt]))}\n`,
      );
    }
    for (const n of replicas.keys())
      process.stderr.write(
        `${readFileSync(join(dir, `replica-${n}.log`), 'utf8')
          .split('\n')
          .filter((l) => /alert|deliver|down|slow|warn/.test(l))
          .join('\n')}\n`,
      );
  }
  for (const child of replicas.values()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.allSettled(cluster.map((p) => p.stop()));
  await Promise.allSettled([receiver?.close(), capture?.close(), new Promise((r) => target?.close(r))]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('an HA pair behind an Alertmanager cluster', () => {
  it('delivers each alert once with both replicas, and still after one is killed', async () => {
    // --- both replicas up: a breach fires once and resolves once ---
    slow = true;
    await waitFor(() => notifications('firing').length >= 1, { timeoutMs: 60_000, what: 'the firing notification' });
    // Both replicas sent it, to both peers, with the same labels; Alertmanager holds one alert.
    await waitFor(() => postedBy('a').length > 0 && postedBy('b').length > 0, { timeoutMs: 10_000, what: 'posts from both replicas' });
    const labelsA = postedBy('a').find((l) => l.service === 'checkout');
    const labelsB = postedBy('b').find((l) => l.service === 'checkout');
    expect(labelsA).toBeDefined();
    expect(labelsB).toEqual(labelsA);
    for (const peer of cluster) {
      const held = (await (await fetch(`${peer.url}/api/v2/alerts?filter=service%3D%22checkout%22`)).json()) as unknown[];
      expect(held).toHaveLength(1);
    }
    await sleep(DUPLICATE_WINDOW_MS);
    expect(notifications('firing')).toHaveLength(1);

    slow = false;
    await waitFor(() => notifications('resolved').length >= 1, { timeoutMs: 120_000, what: 'the resolved notification' });
    await sleep(DUPLICATE_WINDOW_MS);
    expect(notifications('resolved')).toHaveLength(1);
    expect(notifications('firing')).toHaveLength(1);

    // --- replica b killed: the next breach still fires once and resolves once ---
    const b = replicas.get('b')!;
    b.kill('SIGKILL');
    await new Promise((r) => (b.exitCode !== null || b.signalCode !== null ? r(null) : b.once('exit', r)));
    slow = true;
    await waitFor(() => notifications('firing').length >= 2, { timeoutMs: 60_000, what: 'the second firing notification' });
    slow = false;
    await waitFor(() => notifications('resolved').length >= 2, { timeoutMs: 120_000, what: 'the second resolved notification' });
    await sleep(DUPLICATE_WINDOW_MS);
    expect(notifications('firing')).toHaveLength(2);
    expect(notifications('resolved')).toHaveLength(2);
  }, 360_000);
});
