import { describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/config.js';
import { type DaemonConfigInput, daemonConfigSchema } from '../../../src/config/daemon-schema.js';
import { resolveConfig, sourceKey } from '../../../src/config/resolve-config.js';
import { type SloFileInput, sloFileSchema } from '../../../src/config/slo-schema.js';
import { SHIPPED_WINDOW_SETS } from '../../../src/config/window-sets.js';
import { createSources } from '../../../src/sources/create-sources.js';
import { Scheduler } from '../../../src/sources/scheduler.js';
import { SampleStore } from '../../../src/store/sample-store.js';

function config(daemon: DaemonConfigInput, objectives: SloFileInput['objectives']): Config {
  return resolveConfig({
    configPath: null,
    baseDir: '/',
    daemon: daemonConfigSchema.parse(daemon),
    services: [{ path: 's.yaml', slo: sloFileSchema.parse({ apiVersion: 'vigil/v1', kind: 'ServiceLevels', service: 's', objectives }) }],
    windowSets: SHIPPED_WINDOW_SETS,
  });
}

const store = () => new SampleStore({ retentionMs: 1000, maxPointsPerSeries: 16 });

describe('createSources', () => {
  const cfg = config(
    {
      sources: {
        docker: { remote: { host: '127.0.0.1', port: 2375, schedule: '*/30 * * * * *', timeout: '3s' } },
        redis: { cache: { url: 'redis://127.0.0.1:1' } },
      },
    },
    [
      // Names an unconfigured docker instance: runs on the default socket.
      { name: 'mem', indicator: { containerMemory: { containers: 'ml-*' } }, threshold: { max: '2GiB' } },
      { name: 'cpu', indicator: { containerCpu: { source: 'remote', containers: 'db' } }, threshold: { max: '60%' } },
      { name: 'hit', indicator: { redisHitRatio: { source: 'cache' } }, threshold: { min: '80%' } },
    ],
  );

  it('builds one source per configured instance and per implicit instance that works on defaults', async () => {
    const built = createSources(cfg);
    expect(built.map(({ source }) => `${source.kind}/${source.name}`)).toEqual(['docker/remote', 'redis/cache', 'docker/default']);
    expect(built.map(({ instance }) => instance)).toEqual([...cfg.sources]);
    await Promise.all(built.map(({ source }) => source.close()));
  });

  it('builds only the instances the filter keeps', async () => {
    const built = createSources(cfg, (instance) => instance.kind === 'redis');
    expect(built.map(({ source }) => `${source.kind}/${source.name}`)).toEqual(['redis/cache']);
    await Promise.all(built.map(({ source }) => source.close()));
  });

  it('an objective naming an unconfigured instance that needs settings gets no source (the loader reports it)', () => {
    const c = config({}, [{ name: 'q', indicator: { promql: { source: 'prom', query: 'up' } }, threshold: { max: 1 } }]);
    expect(createSources(c)).toEqual([]);
  });

  it('schedules the instances the filter keeps, each as the config resolved it', async () => {
    const scheduler = Scheduler.fromConfig(cfg, { store: store() }, (instance) => instance.kind === 'docker');
    expect(scheduler.health().map((h) => [h.kind, h.name, h.up, h.lastSuccess])).toEqual([
      ['docker', 'remote', false, null],
      ['docker', 'default', false, null],
    ]);
    expect(cfg.sources.filter((i) => i.kind === 'docker').map((i) => [sourceKey(i), i.schedule, i.intervalMs, i.timeoutMs])).toEqual([
      ['docker/remote', '*/30 * * * * *', 30_000, 3000],
      ['docker/default', '*/15 * * * * *', 15_000, 10_000],
    ]);
    await scheduler.close();
  });
});
