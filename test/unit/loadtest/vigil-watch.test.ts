import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daemonConfigSchema } from '../../../src/config/daemon-schema.js';
import { resolveConfig } from '../../../src/config/resolve-config.js';
import { sloFileSchema } from '../../../src/config/slo-schema.js';
import { SHIPPED_WINDOW_SETS } from '../../../src/config/window-sets.js';
import { VigilWatch } from '../../../src/loadtest/vigil-watch.js';

const EXPOSITION = [
  '# TYPE http_request_duration_seconds histogram',
  'http_request_duration_seconds_bucket{le="0.1"} 5',
  'http_request_duration_seconds_bucket{le="+Inf"} 5',
  'http_request_duration_seconds_sum 0.2',
  'http_request_duration_seconds_count 5',
  '',
].join('\n');

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
}

describe('VigilWatch', () => {
  // One target answers; the other accepts the request and never answers.
  const answering = createServer((_req, res) => res.end(EXPOSITION));
  const hanging = createServer(() => undefined);
  let watch: VigilWatch;

  beforeAll(async () => {
    const [fast, slow] = [await listen(answering), await listen(hanging)];
    const config = resolveConfig({
      configPath: null,
      baseDir: '/tmp',
      windowSets: SHIPPED_WINDOW_SETS,
      daemon: daemonConfigSchema.parse({
        sources: { scrape: { app: { url: fast, schedule: '* * * * * *' }, stuck: { url: slow, timeout: '300ms' } } },
      }),
      services: [
        {
          path: 'svc.yaml',
          slo: sloFileSchema.parse({
            apiVersion: 'vigil/v1',
            kind: 'ServiceLevels',
            service: 'svc',
            objectives: [
              {
                name: 'fast',
                indicator: { latency: { source: 'app', histogram: 'http_request_duration_seconds' } },
                threshold: { max: '1s' },
              },
              {
                name: 'slow',
                indicator: { latency: { source: 'stuck', histogram: 'http_request_duration_seconds' } },
                threshold: { max: '1s' },
              },
              // Implies docker on its default socket; the kind filter keeps it from being built at all.
              { name: 'mem', indicator: { containerMemory: { containers: 'x*' } }, threshold: { max: '1GiB' } },
            ],
          }),
        },
      ],
    });
    expect(config.sources.map((i) => `${i.kind}/${i.name}`)).toEqual(['scrape/app', 'scrape/stuck', 'docker/default']);
    watch = new VigilWatch(config, { kinds: ['scrape'], sampleEveryMs: 60_000, evaluateEveryMs: 60_000 });
  });

  afterAll(async () => {
    await watch?.close();
    hanging.closeAllConnections();
    await Promise.all([answering, hanging].map((s) => new Promise((resolve) => s.close(resolve))));
  });

  it('samples only the kinds asked for, bounded by each instance timeout, with the daemon health', async () => {
    await watch.start();
    const health = Object.fromEntries(watch.sourceHealth().map((h) => [`${h.kind}/${h.name}`, h]));
    expect(Object.keys(health)).toEqual(['scrape/app', 'scrape/stuck']);
    expect(health['scrape/app']).toMatchObject({ up: true, consecutiveFailures: 0, lastError: null });
    expect(health['scrape/stuck']).toMatchObject({ up: false, consecutiveFailures: 1 });
    // The stuck target is cut off at its own resolved timeout (300 ms), not a watcher-wide one.
    expect(health['scrape/stuck']!.lastError).toMatch(/timed out after 300 ms/);
  });

  it('judges the objectives of instances it could not sample or did not build as no_data', async () => {
    const results = await watch.finish();
    const byName = Object.fromEntries(results.map((r) => [r.objective, r]));
    expect(byName.slow!.last).toBe('no_data');
    expect(byName.mem!.last).toBe('no_data');
    expect(watch.lastSnapshot?.sources.map((s) => s.name)).toEqual(['app', 'stuck']);
  });
});
