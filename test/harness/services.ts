// What functional tests use to reach the shared throwaway services started by global-setup.ts.
// Tests that stop or restart a service must start their OWN instance (see launchers.ts).
import Docker from 'dockerode';
import { inject } from 'vitest';
import type { AlertmanagerAddress } from './alertmanager-launcher.js';
import type { DockerAddress } from './docker-launcher.js';
import type { PostgresAddress } from './postgres-launcher.js';
import type { PrometheusAddress } from './prometheus-launcher.js';
import type { RedisAddress } from './redis-launcher.js';

export { freePort, sleep, waitFor } from './process-utils.js';
export { WebhookReceiver } from './webhook-receiver.js';

import { SERVICE_NAMES } from './service-names.js';

export { SERVICE_NAMES, type ServiceName } from './service-names.js';

export interface TestServices {
  postgres: PostgresAddress;
  redis: RedisAddress;
  docker: DockerAddress;
  prometheus: PrometheusAddress;
  alertmanager: AlertmanagerAddress;
}

/** What the global setup provides: only the services it started. */
export type ProvidedServices = Partial<TestServices> & { requested: string };

declare module 'vitest' {
  export interface ProvidedContext {
    services: ProvidedServices;
  }
}

/**
 * The shared services' addresses. Accessing one the run did not start throws, naming the
 * service and the VIGIL_TEST_SERVICES value, so a narrowed run fails loudly instead of skipping.
 */
export function testServices(): TestServices {
  const provided = inject('services');
  if (!provided) {
    throw new Error('no services were provided: run this file in the vitest project "functional" (its globalSetup starts them)');
  }
  return new Proxy(provided as unknown as TestServices, {
    get(target, key: string | symbol) {
      const value = (target as unknown as Record<string | symbol, unknown>)[key];
      if (typeof key === 'string' && (SERVICE_NAMES as readonly string[]).includes(key) && value === undefined) {
        throw new Error(
          `test service "${key}" was not started: VIGIL_TEST_SERVICES=${provided.requested || '(unset = all)'}; ` +
            `add ${key} to VIGIL_TEST_SERVICES or unset it`,
        );
      }
      return value;
    },
  });
}

/** A dockerode client for a DockerAddress (unix socket by default, TCP when asked). */
export function dockerClient(docker: DockerAddress, via: 'socket' | 'tcp' = 'socket'): Docker {
  if (via === 'tcp') {
    if (!docker.tcpHost || !docker.tcpPort) throw new Error('this docker engine was started without tcp');
    return new Docker({ host: docker.tcpHost, port: docker.tcpPort, protocol: 'http' });
  }
  return new Docker({ socketPath: docker.socketPath });
}

export interface RunContainerOptions {
  /** Command run by the image's busybox sh, e.g. ['sh', '-c', 'while true; do :; done']. */
  cmd: string[];
  name?: string;
  memoryBytes?: number;
  labels?: Record<string, string>;
}

export interface RunningContainer {
  id: string;
  name: string;
  remove(): Promise<void>;
}

let containerSeq = 0;

/** Starts a container from the test image with no network; remove() force-removes it. */
export async function runContainer(docker: DockerAddress, opts: RunContainerOptions): Promise<RunningContainer> {
  const client = dockerClient(docker);
  const name = opts.name ?? `vigil-test-${process.pid}-${Date.now()}-${++containerSeq}`;
  const container = await client.createContainer({
    Image: docker.image,
    Cmd: opts.cmd,
    name,
    Labels: opts.labels ?? {},
    HostConfig: { NetworkMode: 'none', ...(opts.memoryBytes ? { Memory: opts.memoryBytes } : {}) },
  });
  await container.start();
  return {
    id: container.id,
    name,
    remove: async () => {
      await container.remove({ force: true, v: true }).catch((err: { statusCode?: number }) => {
        if (err.statusCode !== 404) throw err;
      });
    },
  };
}
