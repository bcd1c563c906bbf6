/**
 * `npm run example:tuning`: the performance tuning guide's worked example, end to end on real
 * services (a throwaway PostgreSQL 15 with pg_stat_statements and a Redis 7, started on free
 * loopback ports by the test harness and stopped afterwards). Every figure comes from vigil:
 *
 *  1. the example ML service runs slow: no prediction cache, an expensive feature step
 *     (`--slow no-cache,features=30`), a 1 M-row `ml_learning_task_history` table read without
 *     an index, and a Redis with `noeviction` at a small bound filled with keys without TTL;
 *  2. `vigil baseline --save before.json` under steady traffic;
 *  3. `vigil advise redis --apply` and `vigil advise postgres --apply`; the service restarted
 *     without its slow switches;
 *  4. `vigil baseline --save after.json`, then `vigil compare before.json after.json`.
 * Output files go to the folder given as the first argument (default: a temporary folder).
 * Arguments: [outDir] [measure duration, default 30s] [requests per second, default 10].
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { advisePostgresCommand } from '../src/cli/advise-postgres.js';
import { adviseRedisCommand } from '../src/cli/advise-redis.js';
import { saveBaseline } from '../src/cli/baseline-save.js';
import { compare } from '../src/cli/compare.js';
import { DemoTraffic } from '../src/examples/ml-serving/demo-traffic.js';
import type { SlowModes } from '../src/examples/ml-serving/ml-serving-app.js';
import { type MlServingHandle, startMlServing } from '../src/examples/ml-serving/start-ml-serving.js';
import { startPostgres, startRedis } from '../test/harness/launchers.js';

const outDir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'vigil-tuning-'));
const duration = process.argv[3] ?? '30s';
const rate = Number(process.argv[4] ?? 10);
mkdirSync(outDir, { recursive: true });

const SLO = `apiVersion: vigil/v1
kind: ServiceLevels
service: ml-services
objectives:
  - name: decide-latency
    indicator:
      latency: { histogram: 'http_request_duration_seconds{route="/api/documentation-keeper/decide"}', quantile: 0.95 }
    threshold: { max: 10ms }
  - name: feature-preparation
    indicator:
      latency: { histogram: ml_feature_preparation_seconds, quantile: 0.95 }
    threshold: { max: 5ms }
  - name: availability
    indicator:
      ratio:
        errors: sum(rate(http_requests_total{code=~"5.."}[{{window}}]))
        total: sum(rate(http_requests_total[{{window}}]))
    target: 99.9%
  - name: prediction-cache
    indicator:
      redisHitRatio: {}
    threshold: { min: 80% }
  - name: ml-queries
    indicator:
      postgresQueryLatency: { match: '%ml_learning%' }
    threshold: { max: 10ms }
`;

async function step<T>(title: string, run: () => Promise<T>): Promise<T> {
  console.log(`\n=== ${title}`);
  const started = Date.now();
  const result = await run();
  console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return result;
}

const postgres = await startPostgres();
const redis = await startRedis();
let service: MlServingHandle | undefined;
let traffic: DemoTraffic | undefined;
try {
  const cache = new Redis(redis.url);
  await cache.config('SET', 'maxmemory', String(16 * 2 ** 20));
  await cache.config('SET', 'maxmemory-policy', 'noeviction');
  for (let i = 0; ; i += 100) {
    const batch = cache.pipeline();
    for (let j = 0; j < 100; j++) batch.set(`session:${i + j}`, 'y'.repeat(1000));
    if (((await batch.exec()) ?? []).some(([err]) => err)) break;
  }
  cache.disconnect();

  const start = async (slow: SlowModes | undefined) => {
    await service?.close();
    service = await startMlServing({
      port: 0,
      redisUrl: redis.url,
      postgresUrl: postgres.connectionString,
      historyRows: 1_000_000,
      ...(slow ? { slow } : {}),
    });
    writeFileSync(join(outDir, 'slo.yaml'), SLO);
    writeFileSync(
      join(outDir, 'vigil.yaml'),
      `slo: [slo.yaml]
sources:
  scrape: { default: { url: '${service.url}/metrics' } }
  redis: { default: { url: '${redis.url}' } }
  postgres: { default: { connectionString: '${postgres.connectionString}' } }
`,
    );
    return service.url;
  };
  const measure = async (file: string, url: string) => {
    traffic = new DemoTraffic(url, rate);
    traffic.start();
    try {
      await new Promise((r) => setTimeout(r, 5000)); // warm-up
      return await saveBaseline('ml-services', { config: join(outDir, 'vigil.yaml'), duration, every: '2s' }, join(outDir, file));
    } finally {
      traffic.stop();
    }
  };

  const slowUrl = await step('start the slow service (seeds 1 M history rows)', () => start({ noCache: true, featureRepeats: 30 }));
  await step(`vigil baseline --save before.json --duration ${duration}`, () => measure('before.json', slowUrl));
  await step('vigil advise redis --apply', async () => {
    traffic = new DemoTraffic(slowUrl, rate);
    traffic.start();
    try {
      return await adviseRedisCommand({
        url: redis.url,
        source: 'default',
        period: '10s',
        keys: '50000',
        out: join(outDir, 'redis-ml-cache-config.sh'),
        apply: true,
      });
    } finally {
      traffic.stop();
    }
  });
  await step("vigil advise postgres --match '%ml_learning%' --apply", () =>
    advisePostgresCommand({
      url: postgres.connectionString,
      source: 'default',
      match: '%ml_learning%',
      limit: '20',
      out: join(outDir, 'ml-query-optimization.sql'),
      apply: true,
    }),
  );
  const fastUrl = await step('restart the service without its slow switches', () => start(undefined));
  await step(`vigil baseline --save after.json --duration ${duration}`, () => measure('after.json', fastUrl));
  const code = await step('vigil compare before.json after.json', () =>
    compare(join(outDir, 'before.json'), join(outDir, 'after.json'), { confidence: '0.95', replicates: '2000', seed: '1' }),
  );
  console.log(`\ncompare exit code ${code}; files in ${outDir}`);
} finally {
  traffic?.stop();
  await service?.close();
  await redis.stop();
  await postgres.stop();
}
