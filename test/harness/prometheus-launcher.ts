// Throwaway Prometheus with 1 s scrape/evaluation intervals and a file_sd target file that tests
// rewrite at run time (Prometheus watches it).
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ManagedProcess, makeTempDir, onFreePort, requireBinary, waitForHttp } from './process-utils.js';
import { Service, type ServiceControl } from './service-handle.js';

export interface PrometheusAddress {
  url: string;
  /** file_sd JSON file of job `file-targets`; write it with setTargets(). */
  targetsFile: string;
}

export interface TargetGroup {
  targets: string[];
  labels?: Record<string, string>;
}

export interface PrometheusOptions {
  port?: number;
  /** Rule files (absolute paths) loaded via rule_files. */
  ruleFiles?: string[];
  /** Alertmanager base URLs like http://127.0.0.1:9093. */
  alertmanagers?: string[];
  /** Extra scrape_configs entries, as objects. */
  scrapeConfigs?: object[];
  /** Initial file_sd targets. */
  targets?: TargetGroup[];
  /** Scrape and evaluation interval (default '1s'). */
  interval?: string;
}

export type PrometheusHandle = PrometheusAddress &
  ServiceControl & {
    /** Replaces the file_sd targets (atomically); Prometheus picks them up within a second or two. */
    setTargets(groups: TargetGroup[]): void;
    /** POST /-/reload (after rewriting rule files). */
    reload(): Promise<void>;
  };

/** Writes file_sd JSON atomically so Prometheus never reads half a file. */
export function writeTargets(file: string, groups: TargetGroup[]): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(groups.map((g) => ({ targets: g.targets, labels: g.labels ?? {} }))));
  renameSync(tmp, file);
}

export function startPrometheus(opts: PrometheusOptions = {}): Promise<PrometheusHandle> {
  return onFreePort(opts.port, (port) => startPrometheusOn(port, opts));
}

async function startPrometheusOn(port: number, opts: PrometheusOptions): Promise<PrometheusHandle> {
  const bin = requireBinary('/usr/bin/prometheus', 'prometheus', 'prometheus');
  const dir = makeTempDir('prom');
  const targetsFile = join(dir, 'targets.json');
  writeTargets(targetsFile, opts.targets ?? []);
  const interval = opts.interval ?? '1s';
  const config: Record<string, unknown> = {
    global: { scrape_interval: interval, evaluation_interval: interval, scrape_timeout: interval },
    scrape_configs: [
      { job_name: 'prometheus', static_configs: [{ targets: [`127.0.0.1:${port}`] }] },
      { job_name: 'file-targets', file_sd_configs: [{ files: [targetsFile], refresh_interval: '1s' }] },
      ...(opts.scrapeConfigs ?? []),
    ],
  };
  if (opts.ruleFiles?.length) config.rule_files = opts.ruleFiles;
  if (opts.alertmanagers?.length) {
    config.alerting = {
      alertmanagers: [
        {
          static_configs: [{ targets: opts.alertmanagers.map((u) => new URL(u).host) }],
          api_version: 'v2',
        },
      ],
    };
  }
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, stringify(config));
  const url = `http://127.0.0.1:${port}`;
  const proc = new ManagedProcess({
    command: bin,
    args: [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
      '--log.level=warn',
    ],
    logFile: join(dir, 'prometheus.log'),
    pidFile: join(dir, 'server.pid'),
    cwd: dir,
  });
  const service = new Service({
    name: 'prometheus',
    dir,
    process: proc,
    graceMs: 10_000,
    ready: () => waitForHttp(`${url}/-/ready`, proc, 60_000, 'prometheus'),
  });
  await service.start();
  return Object.assign(service, {
    url,
    targetsFile,
    setTargets: (groups: TargetGroup[]) => writeTargets(targetsFile, groups),
    reload: async () => {
      const res = await fetch(`${url}/-/reload`, { method: 'POST' });
      if (!res.ok) throw new Error(`prometheus reload failed: ${res.status} ${await res.text()}`);
    },
  });
}
