// Throwaway Alertmanager (clustering off) whose only receiver is a webhook URL the caller gives,
// with short grouping intervals so tests see notifications within seconds.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ManagedProcess, onFreePort, makeTempDir, requireBinary, waitForHttp } from './process-utils.js';
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

export type AlertmanagerHandle = AlertmanagerAddress & ServiceControl;

export function startAlertmanager(opts: AlertmanagerOptions): Promise<AlertmanagerHandle> {
  return onFreePort(opts.port, (port) => startAlertmanagerOn(port, opts));
}

async function startAlertmanagerOn(port: number, opts: AlertmanagerOptions): Promise<AlertmanagerHandle> {
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
      // Empty = clustering off (no gossip port to collide on).
      '--cluster.listen-address=',
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
  return Object.assign(service, { url });
}
