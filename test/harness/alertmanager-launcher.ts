// Throwaway Alertmanager whose only receiver is a webhook URL the caller gives, with short
// grouping intervals so tests see notifications within seconds. Clustering is off, unless a
// cluster of peers gossiping on loopback is asked for (startAlertmanagerCluster).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort, ManagedProcess, makeTempDir, onFreePort, requireBinary, waitFor, waitForHttp } from './process-utils.js';
import { Service, type ServiceControl } from './service-handle.js';

export interface AlertmanagerAddress {
  url: string;
}

export interface AlertmanagerOptions {
  /** Where notifications are POSTed (e.g. a WebhookReceiver's url). */
  webhookUrl: string;
  port?: number;
  groupWait?: string;
  groupInterval?: string;
  repeatInterval?: string;
  /** Default ['...']: every alert is its own group, so each one is delivered separately. */
  groupBy?: string[];
  /** Alertmanager `inhibit_rules`, as in its config file. */
  inhibitRules?: unknown[];
}

/** Gossip settings of one cluster peer. */
interface ClusterMembership {
  /** 127.0.0.1 port this peer gossips on. */
  listenPort: number;
  /** `127.0.0.1:<port>` of peers to join. */
  peers: string[];
}

export type AlertmanagerHandle = AlertmanagerAddress & ServiceControl & { clusterAddress: string | null };

export function startAlertmanager(opts: AlertmanagerOptions): Promise<AlertmanagerHandle> {
  return onFreePort(opts.port, (port) => startAlertmanagerOn(port, opts, null));
}

/**
 * `size` Alertmanagers forming one cluster by real gossip on loopback (the second and later join
 * the first); resolves once every peer's /api/v2/status lists them all. Deduplication across the
 * peers is Alertmanager's own: the notification log is gossiped, and a peer waits its position
 * times `--cluster.peer-timeout` (default 15 s) before sending what another peer has not sent.
 */
export async function startAlertmanagerCluster(opts: AlertmanagerOptions, size: number): Promise<AlertmanagerHandle[]> {
  const peers: AlertmanagerHandle[] = [];
  try {
    for (let i = 0; i < size; i++) {
      const join = peers[0]?.clusterAddress ? [peers[0].clusterAddress] : [];
      peers.push(
        await onFreePort(undefined, async (port) => startAlertmanagerOn(port, opts, { listenPort: await freePort(), peers: join })),
      );
    }
    await waitFor(
      async () => {
        const counts = await Promise.all(
          peers.map(
            async (p) =>
              ((await (await fetch(`${p.url}/api/v2/status`)).json()) as { cluster: { peers?: unknown[] } }).cluster.peers?.length ?? 0,
          ),
        );
        return counts.every((n) => n === size);
      },
      { timeoutMs: 60_000, intervalMs: 250, what: `an Alertmanager cluster of ${size} peers` },
    );
    return peers;
  } catch (err) {
    await Promise.allSettled(peers.map((p) => p.stop()));
    throw err;
  }
}

async function startAlertmanagerOn(
  port: number,
  opts: AlertmanagerOptions,
  cluster: ClusterMembership | null,
): Promise<AlertmanagerHandle> {
  const bin = requireBinary('/usr/bin/prometheus-alertmanager', 'prometheus-alertmanager', 'prometheus-alertmanager');
  const dir = makeTempDir('am');
  const config = {
    route: {
      receiver: 'test-webhook',
      group_by: opts.groupBy ?? ['...'],
      group_wait: opts.groupWait ?? '1s',
      group_interval: opts.groupInterval ?? '1s',
      repeat_interval: opts.repeatInterval ?? '1h',
    },
    receivers: [{ name: 'test-webhook', webhook_configs: [{ url: opts.webhookUrl, send_resolved: true }] }],
    ...(opts.inhibitRules ? { inhibit_rules: opts.inhibitRules } : {}),
  };
  const configFile = join(dir, 'alertmanager.yml');
  writeFileSync(configFile, stringify(config));
  const url = `http://127.0.0.1:${port}`;
  const proc = new ManagedProcess({
    command: bin,
    args: [
      `--config.file=${configFile}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      ...clusterArgs(cluster),
      '--log.level=warn',
    ],
    logFile: join(dir, 'alertmanager.log'),
    pidFile: join(dir, 'server.pid'),
    cwd: dir,
  });
  const service = new Service({
    name: 'alertmanager',
    dir,
    process: proc,
    graceMs: 10_000,
    ready: () => waitForHttp(`${url}/-/ready`, proc, 60_000, 'alertmanager'),
  });
  await service.start();
  return Object.assign(service, { url, clusterAddress: cluster ? `127.0.0.1:${cluster.listenPort}` : null });
}

function clusterArgs(cluster: ClusterMembership | null): string[] {
  // Empty = clustering off (no gossip port to collide on).
  if (!cluster) return ['--cluster.listen-address='];
  const address = `127.0.0.1:${cluster.listenPort}`;
  return [
    `--cluster.listen-address=${address}`,
    `--cluster.advertise-address=${address}`,
    ...cluster.peers.map((p) => `--cluster.peer=${p}`),
  ];
}
