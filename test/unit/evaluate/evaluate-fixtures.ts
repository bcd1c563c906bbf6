import type { Config } from '../../../src/config/config.js';
import { type DaemonConfigInput, daemonConfigSchema } from '../../../src/config/daemon-schema.js';
import { resolveConfig } from '../../../src/config/resolve-config.js';
import { type SloFileInput, sloFileSchema } from '../../../src/config/slo-schema.js';
import { SHIPPED_WINDOW_SETS } from '../../../src/config/window-sets.js';
import { SampleStore } from '../../../src/store/sample-store.js';

export const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
export const S = 1000;
export const MIN = 60_000;
export const H = 3_600_000;

type ObjectiveInput = SloFileInput['objectives'][number];

/** A config with one service and every source kind configured under the name `default`. */
export function configWith(objectives: ObjectiveInput[], daemon: DaemonConfigInput = {}, service = 'ml-services'): Config {
  const slo = sloFileSchema.parse({ apiVersion: 'vigil/v1', kind: 'ServiceLevels', service, objectives });
  return resolveConfig({
    configPath: null,
    windowSets: SHIPPED_WINDOW_SETS,
    baseDir: '/tmp',
    daemon: daemonConfigSchema.parse({
      sources: {
        prometheus: { default: { url: 'http://127.0.0.1:9090' } },
        docker: { default: {} },
        redis: { default: { url: 'redis://127.0.0.1:6379' } },
        postgres: { default: { connectionString: 'postgres://127.0.0.1/x' } },
        probe: { default: { baseUrl: 'http://127.0.0.1:8095' } },
      },
      ...daemon,
    }),
    services: [{ path: `/tmp/${service}.yaml`, slo }],
  });
}

export function newStore(): SampleStore {
  return new SampleStore({ retentionMs: 40 * 24 * H, maxPointsPerSeries: 100_000 });
}

/** Appends `value(t)` every `stepMs` over `[from, to]`. */
export function fill(
  store: SampleStore,
  metric: string,
  labels: Record<string, string>,
  from: number,
  to: number,
  stepMs: number,
  value: (t: number, i: number) => number,
): void {
  let i = 0;
  for (let t = from; t <= to; t += stepMs) store.appendRaw(metric, labels, t, value(t, i++));
}

export function container(name: string, startedAt = '2026-11-26T00:00:00Z', id = 'abcdef012345') {
  return { source: 'default', container: name, container_id: id, started_at: startedAt };
}
