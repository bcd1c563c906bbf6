import { describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/config.js';
import { daemonConfigSchema } from '../../../src/config/daemon-schema.js';
import { sloFileSchema } from '../../../src/config/slo-schema.js';
import { resolveSource } from '../../../src/evaluate/reader-factory.js';
import { sourceInstances } from '../../../src/sources/create-sources.js';

/** The evaluator and the source factory find an objective's instance as the config loader does (src/config/source-lookup.ts). */
function config(objectives: unknown[]): Config {
  const slo = sloFileSchema.parse({ apiVersion: 'vigil/v1', kind: 'ServiceLevels', service: 'svc', objectives });
  const daemon = daemonConfigSchema.parse({ sources: { scrape: { app: { url: 'http://127.0.0.1:9/metrics' } } } });
  return { configPath: null, baseDir: '/tmp', daemon, services: [{ path: 'svc.yaml', slo }] } as unknown as Config;
}

describe('resolveSource', () => {
  const cfg = config([
    { name: 'lat', indicator: { latency: { source: 'app', histogram: 'h' } }, threshold: { max: '1s' } },
    { name: 'raw', indicator: { promql: { source: 'app', query: 'up' } }, threshold: { min: 1 } },
    { name: 'mem', indicator: { containerMemory: { source: 'local', containers: 'ml-*' } }, threshold: { max: '1GiB' } },
  ]);
  const [lat, raw, mem] = cfg.services[0]!.slo.objectives;

  it('reads latency from a scrape instance, refuses promql there (it needs a Prometheus)', () => {
    expect(resolveSource(cfg, lat!)).toEqual({ kind: 'scrape', name: 'app' });
    expect(resolveSource(cfg, raw!)).toEqual({ kind: null, name: 'app' });
  });

  it('runs a docker instance an objective names on defaults, and nothing for the unresolvable promql one', () => {
    expect(resolveSource(cfg, mem!)).toEqual({ kind: 'docker', name: 'local' });
    expect(sourceInstances(cfg).map((i) => `${i.kind}/${i.name}`)).toEqual(['scrape/app', 'docker/local']);
  });
});
