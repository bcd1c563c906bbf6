import { describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/config.js';
import { daemonConfigSchema, type DaemonConfigInput } from '../../../src/config/daemon-schema.js';
import { sloFileSchema, type SloFileInput } from '../../../src/config/slo-schema.js';
import { createSources, sourceInstances } from '../../../src/sources/create-sources.js';
import { Scheduler, scheduleFor } from '../../../src/sources/scheduler.js';
import { SampleStore } from '../../../src/store/sample-store.js';
import { SHIPPED_WINDOW_SETS } from '../../../src/config/window-sets.js';

function config(daemon: DaemonConfigInput, objectives: SloFileInput['objectives']): Config {
  return {
    configPath: null,
    baseDir: '/',
    daemon: daemonConfigSchema.parse(daemon),
    services: [{ path: 's.yaml', slo: sloFileSchema.parse({ apiVersion: 'vigil/v1', kind: 'ServiceLevels', service: 's', objectives }) }],
    windowSets: SHIPPED_WINDOW_SETS,
  };
}

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
    expect(sourceInstances(cfg).map((i) => `${i.kind}/${i.name}`)).toEqual(['docker/remote', 'redis/cache', 'docker/default']);
    const sources = createSources(cfg);
    expect(sources.map((s) => `${s.kind}/${s.name}`)).toEqual(['docker/remote', 'redis/cache', 'docker/default']);
    await Promise.all(sources.map((s) => s.close()));
  });

  it('an objective naming an unconfigured instance that needs settings gets no source (the loader reports it)', () => {
    const c = config({}, [{ name: 'q', indicator: { promql: { source: 'prom', query: 'up' } }, threshold: { max: 1 } }]);
    expect(sourceInstances(c)).toEqual([]);
  });

  it('schedules each instance from its config or the defaults', async () => {
    const sources = createSources(cfg);
    const byName = Object.fromEntries(sources.map((s) => [`${s.kind}/${s.name}`, scheduleFor(cfg, s)]));
    expect(byName['docker/remote']).toEqual({ schedule: '*/30 * * * * *', timeoutMs: 3000 });
    expect(byName['docker/default']).toEqual({ schedule: '*/15 * * * * *', timeoutMs: 10_000 });
    const scheduler = Scheduler.fromConfig(cfg, sources, { store: new SampleStore({ retentionMs: 1000, maxPointsPerSeries: 16 }) });
    expect(scheduler.health().map((h) => [h.kind, h.name, h.up, h.lastSuccess])).toEqual([
      ['docker', 'remote', false, null],
      ['redis', 'cache', false, null],
      ['docker', 'default', false, null],
    ]);
    await scheduler.close();
  });
});
