// The server half of `npm run bench:api` (run as a child process so autocannon, in the parent,
// does not share an event loop with the servers it measures). Modes:
//   throughput: vigil's API (buildServer over a realistic snapshot) and a bare fastify
//               hello-world, both in this process; prints {"vigil":port,"hello":port}.
//   daemon:     the real daemon sampling an instrumented target (probe + scrape every second,
//               evaluation every second) plus a bare hello-world; prints {"vigil":port,"hello":port}.

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import pino from 'pino';
import { Counter, Histogram, Registry } from 'prom-client';
import { loadConfig } from '../src/config/load-config.js';
import { deepFreeze } from '../src/core/freeze.js';
import { Daemon } from '../src/daemon/daemon.js';
import { evaluate } from '../src/evaluate/evaluate.js';
import { registerObjectiveMetrics } from '../src/metrics/objective-metrics.js';
import { buildServer } from '../src/server/build-server.js';
import { SampleStore } from '../src/store/sample-store.js';

const ROOT = new URL('../../../../', import.meta.url).pathname;

async function hello(sameBytes?: Buffer): Promise<number> {
  const app = Fastify({ logger: false });
  // A static route sending a body as large as vigil's: shows what the bytes alone cost.
  const body = sameBytes ?? Buffer.from('{}');
  app.get('/same-bytes', (_req, reply) => reply.type('application/json; charset=utf-8').send(body));
  app.get('/hello', { schema: { response: { 200: { type: 'object', properties: { hello: { type: 'string' } } } } } }, () => ({
    hello: 'world',
  }));
  // The process's CPU time so far (µs), for CPU per request: robust to other load on the cores.
  app.get('/cpu', () => process.cpuUsage());
  await app.listen({ host: '127.0.0.1', port: 0 });
  return (app.server.address() as { port: number }).port;
}

/** The repo's ml-services SLO file over a store holding a few minutes of plausible samples. */
async function realisticSnapshot() {
  const loaded = await loadConfig({ configPath: join(ROOT, 'vigil.yaml'), env: {}, cwd: ROOT });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  const config = loaded.config;
  const store = new SampleStore({ retentionMs: 86_400_000, maxPointsPerSeries: 20_000 });
  const now = Date.now();
  for (let t = now - 10 * 60_000; t <= now; t += 5_000) {
    const i = (t - now) / 5_000;
    for (const c of ['ml-serving-1', 'ml-serving-2', 'ml-serving-3']) {
      const labels = {
        source: 'default',
        container: c,
        container_id: `${c}-id`.padEnd(12, '0').slice(0, 12),
        started_at: '2026-11-26T00:00:00.000Z',
      };
      store.appendRaw('container_memory_working_set_bytes', labels, t, 400e6 + (i % 7) * 1e6);
      store.appendRaw('container_cpu_usage_ratio', labels, t, 0.2 + (i % 5) * 0.01);
    }
    store.appendRaw('probe_success', { source: 'default', url: 'http://127.0.0.1:8095/health' }, t, 1);
    store.appendRaw('redis_keyspace_hits_total', { source: 'cache', run_id: 'r' }, t, 1e6 + i * 900);
    store.appendRaw('redis_keyspace_misses_total', { source: 'cache', run_id: 'r' }, t, 1e5 + i * 100);
    const promql = (objective: string, part: string, window: string, v: number) =>
      store.appendRaw('promql_value', { source: 'default', service: 'ml-services', objective, part, window }, t, v);
    promql('decide-latency-p95', 'value', '5m', 0.021);
    promql('feature-preparation-latency-p95', 'value', '5m', 0.0012);
    promql('inference-latency-p95', 'value', '5m', 0.008);
    for (const w of ['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d']) promql('decide-availability', 'ratio', w, 0.0002);
    const stmt = { source: 'default', dbid: '1', userid: '10', database: 'ml', selector: '%ml_learning%|' };
    for (const [queryid, ms] of [
      ['101', 2],
      ['102', 4],
    ] as const) {
      const calls = 1000 + (i + 120) * 50;
      store.appendRaw('postgres_statement_calls_total', { ...stmt, queryid }, t, calls);
      store.appendRaw('postgres_statement_exec_seconds_total', { ...stmt, queryid }, t, (calls * ms) / 1000);
      store.appendRaw('postgres_statement_exec_seconds_sq_total', { ...stmt, queryid }, t, calls * (ms / 1000) ** 2 * 1.1);
      store.appendRaw('postgres_statement_max_seconds', { ...stmt, queryid }, t, (ms * 5) / 1000);
    }
  }
  return deepFreeze(evaluate(config, store, now));
}

async function throughput(): Promise<void> {
  const snapshot = await realisticSnapshot();
  const registry = new Registry();
  registerObjectiveMetrics(registry, () => snapshot);
  const app = buildServer({ getSnapshot: () => snapshot, metricsRegistry: registry });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const vigil = (app.server.address() as { port: number }).port;
  const body = Buffer.from(await (await fetch(`http://127.0.0.1:${vigil}/api/sla/ml-services/current`)).arrayBuffer());
  console.log(JSON.stringify({ vigil, hello: await hello(body), bytes: body.length }));
}

/** An instrumented target with 40 routes x 9 buckets, so each scrape stores ~400 series. */
async function target(): Promise<number> {
  const registry = new Registry();
  const h = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'h',
    labelNames: ['route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  const c = new Counter({ name: 'http_requests_total', help: 'c', labelNames: ['route', 'code'], registers: [registry] });
  const timer = setInterval(() => {
    for (let r = 0; r < 40; r++) {
      const route = r === 0 ? '/api/documentation-keeper/decide' : `/r${r}`;
      for (let k = 0; k < 5; k++) h.observe({ route }, 0.002 + Math.random() * 0.03);
      c.inc({ route, code: '200' }, 5);
    }
  }, 100);
  timer.unref();
  const server = createServer((req, res) => {
    if (req.url === '/metrics') void registry.metrics().then((b) => res.writeHead(200, { 'content-type': registry.contentType }).end(b));
    else res.writeHead(200).end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

async function daemon(): Promise<void> {
  const port = await target();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-api-'));
  mkdirSync(join(dir, 'slo'));
  writeFileSync(
    join(dir, 'vigil.yaml'),
    [
      'listen: { host: 127.0.0.1, port: 0 }',
      'slo: [slo]',
      'dataDir: data',
      'evaluateEvery: 1s',
      'sources:',
      `  scrape: { default: { url: 'http://127.0.0.1:${port}/metrics', schedule: '* * * * * *' } }`,
      `  probe: { default: { baseUrl: 'http://127.0.0.1:${port}', schedule: '* * * * * *' } }`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'slo', 'ml.yaml'),
    JSON.stringify({
      apiVersion: 'vigil/v1',
      kind: 'ServiceLevels',
      service: 'ml-services',
      objectives: [
        {
          name: 'decide-latency-p95',
          indicator: { latency: { histogram: 'http_request_duration_seconds{route="/api/documentation-keeper/decide"}' } },
          threshold: { max: '50ms' },
          target: '99%',
        },
        {
          name: 'availability',
          indicator: {
            ratio: {
              errors: 'sum(rate(http_requests_total{code=~"5.."}[{{window}}]))',
              total: 'sum(rate(http_requests_total[{{window}}]))',
            },
          },
          target: '99.9%',
        },
        { name: 'uptime', indicator: { probe: { path: '/health' } }, target: '99.9%' },
      ],
    }),
  );
  // BENCH_LOG=debug shows slow evaluation cycles (over 50 ms) on stderr.
  const d = await Daemon.start({
    configPath: join(dir, 'vigil.yaml'),
    logger: pino({ level: process.env.BENCH_LOG ?? 'error' }, pino.destination(2)),
    watch: false,
  });
  console.log(JSON.stringify({ vigil: Number(new URL(d.url).port), hello: await hello(), dir }));
}

const mode = process.argv[2];
if (mode === 'throughput') await throughput();
else if (mode === 'daemon') await daemon();
else throw new Error('mode: throughput | daemon');
