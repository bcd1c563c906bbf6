// VictoriaMetrics (Debian `victoria-metrics`): the single-node server, vmauth in front of it and
// vmalert evaluating rule files against it, each on a free loopback port, stopped by its own pid.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ManagedProcess, makeTempDir, onFreePort, requireBinary, waitForHttp } from './process-utils.js';
import { Service, type ServiceControl } from './service-handle.js';

export type VictoriaHandle = ServiceControl & { url: string };

interface Launch {
  name: string;
  bin: string;
  pkg: string;
  /** Command-line flags for this port and folder. */
  args(port: number, dir: string): string[];
  /** Files to write into the folder first (name -> content). */
  files?: Record<string, string>;
  /** Path answered once the server is ready. */
  readyPath: string;
}

function launch(spec: Launch): Promise<VictoriaHandle> {
  const bin = requireBinary(spec.bin, spec.name, spec.pkg);
  return onFreePort(undefined, async (port) => {
    const dir = makeTempDir(spec.name);
    for (const [name, content] of Object.entries(spec.files ?? {})) writeFileSync(join(dir, name), content);
    const url = `http://127.0.0.1:${port}`;
    const proc = new ManagedProcess({
      command: bin,
      args: spec.args(port, dir),
      logFile: join(dir, `${spec.name}.log`),
      pidFile: join(dir, 'server.pid'),
      cwd: dir,
    });
    const service = new Service({
      name: spec.name,
      dir,
      process: proc,
      graceMs: 5_000,
      ready: () => waitForHttp(`${url}${spec.readyPath}`, proc, 30_000, spec.name),
    });
    await service.start();
    return Object.assign(service, { url });
  });
}

/** victoria-metrics; with `scrapeConfigs` it scrapes those targets itself every second. */
export function startVictoriaMetrics(opts: { scrapeConfigs?: object[] } = {}): Promise<VictoriaHandle> {
  const scrape: Record<string, string> = opts.scrapeConfigs
    ? { 'scrape.yml': stringify({ global: { scrape_interval: '1s' }, scrape_configs: opts.scrapeConfigs }) }
    : {};
  return launch({
    name: 'victoria-metrics',
    bin: '/usr/bin/victoria-metrics',
    pkg: 'victoria-metrics',
    files: scrape,
    args: (port, dir) => [
      `-storageDataPath=${join(dir, 'data')}`,
      `-httpListenAddr=127.0.0.1:${port}`,
      // Freshly written samples are searchable at once (the default waits 30 s).
      '-search.latencyOffset=0s',
      '-loggerLevel=WARN',
      ...(opts.scrapeConfigs ? [`-promscrape.config=${join(dir, 'scrape.yml')}`] : []),
    ],
    readyPath: '/health',
  });
}

/** vmauth: each bearer token gets through to its URL prefix; anything else is refused. */
export function startVmauth(users: Array<{ bearerToken: string; urlPrefix: string }>): Promise<VictoriaHandle> {
  const config = { users: users.map((u) => ({ bearer_token: u.bearerToken, url_prefix: u.urlPrefix })) };
  return launch({
    name: 'vmauth',
    bin: '/usr/bin/vmauth',
    pkg: 'victoria-metrics',
    files: { 'auth.yml': stringify(config) },
    args: (port, dir) => [`-auth.config=${join(dir, 'auth.yml')}`, `-httpListenAddr=127.0.0.1:${port}`, '-loggerLevel=WARN'],
    readyPath: '/health',
  });
}

/** vmalert evaluating `ruleFiles` against `datasourceUrl`; recording rules are written back there. */
export function startVmalert(ruleFiles: string[], datasourceUrl: string, notifierUrl: string, interval = '1s'): Promise<VictoriaHandle> {
  return launch({
    name: 'vmalert',
    bin: '/usr/bin/vmalert',
    pkg: 'victoria-metrics',
    args: (port) => [
      ...ruleFiles.map((f) => `-rule=${f}`),
      `-datasource.url=${datasourceUrl}`,
      `-remoteWrite.url=${datasourceUrl}`,
      `-remoteRead.url=${datasourceUrl}`,
      `-notifier.url=${notifierUrl}`,
      `-evaluationInterval=${interval}`,
      `-httpListenAddr=127.0.0.1:${port}`,
      '-loggerLevel=WARN',
    ],
    readyPath: '/health',
  });
}
