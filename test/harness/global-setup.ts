// vitest globalSetup of the `functional` project: starts the five real services in parallel on
// free loopback ports, provides their addresses to the test workers, and stops every process by
// pid afterwards: after a pass, a failure, Ctrl-C or SIGTERM. No folder is left behind.
import type { TestProject } from 'vitest/node';
import { startAlertmanager } from './alertmanager-launcher.js';
import { startDocker } from './docker-launcher.js';
import { startPostgres } from './postgres-launcher.js';
import { freePort, OWNER_ENV, sweepOrphans, sweepOwnedBy } from './process-utils.js';
import { startPrometheus } from './prometheus-launcher.js';
import { startRedis } from './redis-launcher.js';
import type { ServiceControl } from './service-handle.js';
import { SERVICE_NAMES, type ServiceName } from './service-names.js';
import type { ProvidedServices } from './services.js';

/** Parses VIGIL_TEST_SERVICES ("redis,postgres"); unset or empty = all five. */
export function requestedServices(value: string | undefined): ServiceName[] {
  const raw = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (raw.length === 0) return [...SERVICE_NAMES];
  const unknown = raw.filter((s) => !(SERVICE_NAMES as readonly string[]).includes(s));
  if (unknown.length) {
    throw new Error(`VIGIL_TEST_SERVICES has unknown service(s) ${unknown.join(', ')}; known: ${SERVICE_NAMES.join(',')}`);
  }
  return [...new Set(raw)] as ServiceName[];
}

const log = (msg: string): void => {
  process.stderr.write(`[vigil harness] ${msg}\n`);
};

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const requested = process.env.VIGIL_TEST_SERVICES ?? '';
  const wanted = requestedServices(requested);
  // Workers inherit this: folders of instances tests start themselves belong to this run.
  process.env[OWNER_ENV] = String(process.pid);
  const orphans = sweepOrphans();
  if (orphans.length) log(`removed leftovers of an earlier killed run: ${orphans.join(' ')}`);

  const running: ServiceControl[] = [];
  // A service leaves `running` only once fully stopped, so the exit handler still reaches one
  // whose stop() was cut short.
  const stopAll = async (): Promise<void> => {
    await Promise.allSettled(
      [...running].map(async (s) => {
        await s.stop();
        running.splice(running.indexOf(s), 1);
      }),
    );
  };
  // (A process 'exit' hook in service-handle.ts SIGKILLs whatever is still live as a last resort.)
  const onSignal = (sig: NodeJS.Signals): void => {
    log(`${sig}: stopping test services`);
    void stopAll()
      .then(() => sweepOwnedBy(process.pid))
      .finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const detach = (): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };

  const started = Date.now();
  const provided: ProvidedServices = { requested };
  // The shared Alertmanager delivers to a port nobody listens on: tests that check deliveries
  // start their own Alertmanager with a WebhookReceiver.
  const starters: Record<ServiceName, () => Promise<void>> = {
    postgres: async () => {
      const h = await startPostgres();
      running.push(h);
      provided.postgres = { host: h.host, port: h.port, user: h.user, database: h.database, connectionString: h.connectionString };
    },
    redis: async () => {
      const h = await startRedis();
      running.push(h);
      provided.redis = { host: h.host, port: h.port, url: h.url };
    },
    docker: async () => {
      const h = await startDocker({ tcp: true });
      running.push(h);
      provided.docker = { socketPath: h.socketPath, tcpHost: h.tcpHost, tcpPort: h.tcpPort, image: h.image, dockerBin: h.dockerBin };
    },
    prometheus: async () => {
      const h = await startPrometheus();
      running.push(h);
      provided.prometheus = { url: h.url, targetsFile: h.targetsFile };
    },
    alertmanager: async () => {
      const h = await startAlertmanager({ webhookUrl: `http://127.0.0.1:${await freePort()}/unused` });
      running.push(h);
      provided.alertmanager = { url: h.url };
    },
  };

  const results = await Promise.allSettled(wanted.map((name) => starters[name]()));
  const failures = results.flatMap((r, i) => (r.status === 'rejected' ? [`${wanted[i]}: ${(r.reason as Error).message}`] : []));
  if (failures.length) {
    await stopAll();
    detach();
    throw new Error(`test services failed to start:\n${failures.join('\n')}`);
  }
  log(`started ${wanted.join(', ')} in ${Date.now() - started} ms`);
  project.provide('services', provided);

  return async () => {
    const t = Date.now();
    await stopAll();
    detach();
    const leaked = sweepOwnedBy(process.pid);
    if (leaked.length) log(`removed instances tests did not stop: ${leaked.join(' ')}`);
    log(`stopped test services in ${Date.now() - t} ms`);
  };
}
