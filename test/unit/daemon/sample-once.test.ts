import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/config.js';
import { daemonConfigSchema } from '../../../src/config/daemon-schema.js';
import { resolveConfig } from '../../../src/config/resolve-config.js';
import { type SloFileInput, sloFileSchema } from '../../../src/config/slo-schema.js';
import { SHIPPED_WINDOW_SETS } from '../../../src/config/window-sets.js';
import { sampleOnce } from '../../../src/daemon/sample-once.js';

const EXPOSITION =
  'http_request_duration_seconds_bucket{le="+Inf"} 5\nhttp_request_duration_seconds_count 5\nhttp_request_duration_seconds_sum 0.2\n';

describe('sampleOnce', () => {
  const target = createServer((_req, res) => res.end(EXPOSITION));
  let config: Config;

  beforeAll(async () => {
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(target.address() as AddressInfo).port}/metrics`;
    const file = (service: string, objectives: SloFileInput['objectives']) => ({
      path: `${service}.yaml`,
      slo: sloFileSchema.parse({ apiVersion: 'vigil/v1', kind: 'ServiceLevels', service, objectives }),
    });
    config = resolveConfig({
      configPath: null,
      baseDir: '/tmp',
      windowSets: SHIPPED_WINDOW_SETS,
      daemon: daemonConfigSchema.parse({
        // Nothing listens on port 1: were the cache built and sampled, it would show up as down.
        sources: { scrape: { app: { url } }, redis: { cache: { url: 'redis://127.0.0.1:1' } } },
      }),
      services: [
        file('web', [
          { name: 'p95', indicator: { latency: { source: 'app', histogram: 'http_request_duration_seconds' } }, threshold: { max: '1s' } },
        ]),
        file('store', [{ name: 'hits', indicator: { redisHitRatio: { source: 'cache' } }, threshold: { min: '80%' } }]),
      ],
    });
  });

  afterAll(async () => {
    await new Promise((resolve) => target.close(resolve));
  });

  it('builds and samples only the instances the chosen service reads', async () => {
    const snapshot = await sampleOnce(config, { service: 'web', gapMs: 10 });
    expect(snapshot.services.map((s) => s.service)).toEqual(['web']);
    expect(snapshot.sources.map((s) => [s.kind, s.name, s.up])).toEqual([['scrape', 'app', true]]);
  });

  it('refuses a service the config does not have, naming the known ones', async () => {
    await expect(sampleOnce(config, { service: 'nope', gapMs: 10 })).rejects.toMatchObject({
      code: 'VIGIL_ERR_UNKNOWN_SERVICE',
      message: expect.stringContaining('known: web, store'),
    });
  });
});
