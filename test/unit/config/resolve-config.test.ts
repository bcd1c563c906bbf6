import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/config.js';
import { type DaemonConfigInput, daemonConfigSchema } from '../../../src/config/daemon-schema.js';
import { formatIssue, loadConfig } from '../../../src/config/load-config.js';
import { objectivesOf, readBy, resolveConfig, servicesReading, sourceKey } from '../../../src/config/resolve-config.js';
import { type SloFileInput, sloFileSchema } from '../../../src/config/slo-schema.js';
import { SHIPPED_WINDOW_SETS } from '../../../src/config/window-sets.js';

type Objectives = SloFileInput['objectives'];

function resolved(daemon: DaemonConfigInput, ...services: Array<[string, Objectives]>): Config {
  return resolveConfig({
    configPath: null,
    baseDir: '/tmp',
    windowSets: SHIPPED_WINDOW_SETS,
    daemon: daemonConfigSchema.parse(daemon),
    services: services.map(([service, objectives]) => ({
      path: `${service}.yaml`,
      slo: sloFileSchema.parse({ apiVersion: 'vigil/v1', kind: 'ServiceLevels', service, objectives }),
    })),
  });
}

/** Each objective's source as `kind/name interval timeout` (or `unresolved name`). */
function sourcesByObjective(config: Config): Record<string, string> {
  return Object.fromEntries(
    objectivesOf(config).map((o) => [
      o.name,
      o.source.kind === null ? `unresolved ${o.source.name}` : `${sourceKey(o.source)} ${o.source.intervalMs} ${o.source.timeoutMs}`,
    ]),
  );
}

describe('resolveConfig: which instance each objective reads', () => {
  const config = resolved({ sources: { scrape: { app: { url: 'http://127.0.0.1:9/metrics' } } } }, [
    'svc',
    [
      { name: 'lat', indicator: { latency: { source: 'app', histogram: 'h' } }, threshold: { max: '1s' } },
      { name: 'raw', indicator: { promql: { source: 'app', query: 'up' } }, threshold: { min: 1 } },
      { name: 'mem', indicator: { containerMemory: { source: 'local', containers: 'ml-*' } }, threshold: { max: '1GiB' } },
    ],
  ]);

  it('reads latency from a scrape instance and refuses promql there (it needs a Prometheus)', () => {
    expect(sourcesByObjective(config)).toEqual({
      lat: 'scrape/app 15000 10000',
      raw: 'unresolved app',
      mem: 'docker/local 15000 10000',
    });
  });

  it('lists the configured instances, then the implicit ones, and nothing for the unresolvable objective', () => {
    expect(config.sources.map(sourceKey)).toEqual(['scrape/app', 'docker/local']);
    expect(config.sources.map((i) => i.implicit)).toEqual([false, true]);
  });

  it('gives an objective the very instance object the config lists (one value, not a copy)', () => {
    const [lat, , mem] = objectivesOf(config);
    expect(lat!.source).toBe(config.sources[0]);
    expect(mem!.source).toBe(config.sources[1]);
  });

  it('is frozen all the way down', () => {
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.sources)).toBe(true);
    expect(Object.isFrozen(config.sources[0]!.settings)).toBe(true);
    expect(Object.isFrozen(objectivesOf(config)[0])).toBe(true);
  });
});

describe('resolveConfig: implicit instances and defaults', () => {
  const config = resolved(
    {
      sources: {
        docker: { remote: { host: '127.0.0.1', port: 2375, schedule: '*/30 * * * * *', timeout: '3s' } },
        redis: { cache: { url: 'redis://127.0.0.1:1', schedule: '*/5 * * * * *' } },
        probe: { site: { baseUrl: 'http://127.0.0.1:8095', timeout: '2s' } },
      },
    },
    [
      'a',
      [
        // No `source`: "default", not configured, docker runs on its default socket.
        { name: 'mem', indicator: { containerMemory: { containers: 'ml-*' } }, threshold: { max: '2GiB' } },
        { name: 'cpu', indicator: { containerCpu: { source: 'remote', containers: 'db' } }, threshold: { max: '60%' } },
        { name: 'hit', indicator: { redisHitRatio: { source: 'cache' } }, threshold: { min: '80%' } },
        { name: 'up', indicator: { probe: { source: 'site', path: '/healthz' } }, target: '99%' },
      ],
    ],
    [
      'b',
      [
        // A second service naming the same implicit instance shares it.
        { name: 'leak', indicator: { memoryLeak: { containers: 'db*' } } },
        { name: 'ext', indicator: { probe: { source: 'outside', url: 'http://127.0.0.1:9/x' } }, target: '99%' },
      ],
    ],
  );

  it('fills an implicit instance in as the schema would for an empty entry', () => {
    const docker = config.sources.find((i) => sourceKey(i) === 'docker/default');
    expect(docker).toEqual({
      kind: 'docker',
      name: 'default',
      settings: { timeout: 10_000, protocol: 'http', concurrency: 64 },
      implicit: true,
      schedule: '*/15 * * * * *',
      intervalMs: 15_000,
      timeoutMs: 10_000,
    });
    const probe = config.sources.find((i) => sourceKey(i) === 'probe/outside');
    expect(probe).toMatchObject({ implicit: true, settings: { timeout: 10_000 }, intervalMs: 15_000 });
    expect(probe?.kind === 'probe' && probe.settings.baseUrl).toBeUndefined();
  });

  it('takes each objective interval from its instance schedule and its timeout from the instance or the default', () => {
    expect(sourcesByObjective(config)).toEqual({
      mem: 'docker/default 15000 10000',
      cpu: 'docker/remote 30000 3000',
      hit: 'redis/cache 5000 10000',
      up: 'probe/site 15000 2000',
      leak: 'docker/default 15000 10000',
      ext: 'probe/outside 15000 10000',
    });
  });

  it('lists configured instances by kind, then each implicit one once, in the order objectives name them', () => {
    expect(config.sources.map(sourceKey)).toEqual(['docker/remote', 'redis/cache', 'probe/site', 'docker/default', 'probe/outside']);
    const [mem] = objectivesOf(config);
    const leak = objectivesOf(config).find((o) => o.name === 'leak');
    expect(leak!.source).toBe(mem!.source);
  });

  it('servicesReading hands each instance the objectives bound to it, by service', () => {
    const bound = (key: string) =>
      servicesReading(config, config.sources.find((i) => sourceKey(i) === key)!).map((f) => [
        f.slo.service,
        f.slo.objectives.map((o) => o.name),
      ]);
    expect(bound('docker/default')).toEqual([
      ['a', ['mem']],
      ['b', ['leak']],
    ]);
    expect(bound('docker/remote')).toEqual([['a', ['cpu']]]);
    expect(bound('probe/outside')).toEqual([['b', ['ext']]]);
  });

  it('readBy keeps exactly the instances some objectives read', () => {
    const onlyB = config.services.find((s) => s.slo.service === 'b')!.slo.objectives;
    expect(config.sources.filter(readBy(onlyB)).map(sourceKey)).toEqual(['docker/default', 'probe/outside']);
    expect(config.sources.filter(readBy([])).map(sourceKey)).toEqual([]);
  });
});

describe('loadConfig resolves sources', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-resolve-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('hands out a config whose objectives already carry their instance, interval and timeout', async () => {
    await mkdir(join(dir, 'slo'));
    await writeFile(
      join(dir, 'slo/a.yaml'),
      'apiVersion: vigil/v1\nkind: ServiceLevels\nservice: a\nobjectives:\n' +
        '  - { name: hits, indicator: { redisHitRatio: { source: cache } }, threshold: { min: 80% } }\n' +
        '  - { name: mem, indicator: { containerMemory: { containers: "x*" } }, threshold: { max: 1GB } }\n',
    );
    await writeFile(
      join(dir, 'vigil.yaml'),
      'sources:\n  redis:\n    cache: { url: "redis://127.0.0.1:6379", schedule: "*/2 * * * * *", timeout: 1500ms }\n',
    );
    const result = await loadConfig({ configPath: join(dir, 'vigil.yaml'), cwd: dir, env: {} });
    if (!result.ok) throw new Error(result.issues.map(formatIssue).join('\n'));
    expect(sourcesByObjective(result.config)).toEqual({ hits: 'redis/cache 2000 1500', mem: 'docker/default 15000 10000' });
    expect(result.config.sources.map(sourceKey)).toEqual(['redis/cache', 'docker/default']);
    expect(Object.isFrozen(result.config.sources[1])).toBe(true);
  });
});
