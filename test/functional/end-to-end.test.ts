// End to end on real services: vigil's daemon (in this process) samples real containers (the
// harness's Docker Engine), a real Redis, a real PostgreSQL with pg_stat_statements, a real
// Prometheus scraping a small prom-client-instrumented HTTP server started here, and probes that
// server. /api/sla/<service>/current must show the right statuses; pushing one figure over its
// bound (a CPU-burning container, a burst of cache misses) must turn that objective to `breach`.
// The breach also reaches on-call: the daemon's alert notifier posts to a real Alertmanager,
// which delivers the alert and then its resolution to a webhook receiver started here.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import pino from 'pino';
import { Counter, Histogram, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baselineLines } from '../../src/cli/baseline.js';
import { exitCodeFor, renderTable } from '../../src/cli/check.js';
import { loadConfig } from '../../src/config/load-config.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { sampleOnce } from '../../src/daemon/sample-once.js';
import {
  type AlertmanagerHandle,
  type PrometheusHandle,
  type RedisHandle,
  startAlertmanager,
  startPrometheus,
  startRedis,
  WebhookReceiver,
} from '../harness/launchers.js';
import { freePort, type RunningContainer, runContainer, testServices, waitFor } from '../harness/services.js';

const SERVICE = 'ml-services';
const PREFIX = `e2e-ml-${process.pid}`;

/** A tiny instrumented ML-ish server: /decide observes its own latency, /health answers 200. */
class InstrumentedServer {
  readonly registry = new Registry();
  readonly duration = new Histogram({
    name: 'e2e_request_duration_seconds',
    help: 'request duration',
    labelNames: ['route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
    registers: [this.registry],
  });
  readonly requests = new Counter({ name: 'e2e_requests_total', help: 'requests', labelNames: ['code'], registers: [this.registry] });
  readonly server: Server = createServer((req, res) => {
    if (req.url === '/metrics') {
      void this.registry.metrics().then((body) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(body));
      return;
    }
    if (req.url === '/health') {
      res.writeHead(200).end('ok');
      return;
    }
    if (req.url === '/decide') {
      const end = this.duration.startTimer({ route: '/decide' });
      // A few milliseconds of "inference".
      setTimeout(() => {
        end();
        this.requests.inc({ code: '200' });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"decision":"ok"}');
      }, 3);
      return;
    }
    res.writeHead(404).end();
  });
  port = 0;

  async listen(): Promise<void> {
    this.port = await freePort();
    await new Promise<void>((r) => this.server.listen(this.port, '127.0.0.1', r));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

/** Runs `fn` every `ms` until stopped; errors are counted, not thrown (traffic is background). */
function every(ms: number, fn: () => Promise<unknown>): { stop(): Promise<void> } {
  let running = true;
  const loop = (async () => {
    while (running) {
      await fn().catch(() => undefined);
      await new Promise((r) => setTimeout(r, ms));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

type Current = {
  status: string;
  uptime_percentage: number | null;
  response_time_p95: number | null;
  cpu_usage_percent: number | null;
  memory_usage_bytes: number | null;
  cache_hit_ratio: number | null;
  db_query_p95_ms: number | null;
  objectives: Array<{ name: string; status: string; value: { value: number; display: string } | null; error?: string }>;
  sources: Array<{ kind: string; name: string; up: boolean; last_error: string | null }>;
};

describe('end to end: real services -> /api/sla', () => {
  let dir: string;
  let app: InstrumentedServer;
  let prometheus: PrometheusHandle;
  let daemon: Daemon;
  let redis: Redis;
  // Its own Redis: keyspace hits and misses are server-wide, and other test files run alongside.
  let redisServer: RedisHandle;
  let receiver: WebhookReceiver;
  let alertmanager: AlertmanagerHandle;
  let db: pg.Client;
  const database = `vigil_e2e_${process.pid}`;
  let admin: pg.Client;
  const containers: RunningContainer[] = [];
  const traffic: Array<{ stop(): Promise<void> }> = [];

  async function current(): Promise<Current> {
    const res = await fetch(`${daemon.url}/api/sla/${SERVICE}/current`);
    expect(res.status).toBe(200);
    return (await res.json()) as Current;
  }

  /** Waits for `pred` on the current result; on timeout the error shows every objective and source. */
  async function until(what: string, timeoutMs: number, pred: (b: Current) => boolean): Promise<Current> {
    return waitFor(
      async () => {
        const b = await current();
        return pred(b) ? b : false;
      },
      { timeoutMs, intervalMs: 1_000, what },
    ).catch(async (err: Error) => {
      const b = await current();
      const objectives = b.objectives.map((o) => [o.name, o.status, o.value?.display, o.error]);
      throw new Error(`${err.message}: ${JSON.stringify(objectives)} sources ${JSON.stringify(b.sources)}`);
    });
  }

  function objective(body: Current, name: string) {
    const o = body.objectives.find((x) => x.name === name);
    if (!o) throw new Error(`objective ${name} missing`);
    return o;
  }

  beforeAll(async () => {
    const { docker, postgres } = testServices();
    redisServer = await startRedis();
    receiver = await WebhookReceiver.start();
    alertmanager = await startAlertmanager({ webhookUrl: receiver.url });
    const redisAddr = redisServer;
    dir = mkdtempSync(join(tmpdir(), 'vigil-e2e-'));

    app = new InstrumentedServer();
    await app.listen();
    prometheus = await startPrometheus({ targets: [{ targets: [`127.0.0.1:${app.port}`], labels: { job: 'ml' } }] });

    containers.push(await runContainer(docker, { name: `${PREFIX}-idle`, cmd: ['sh', '-c', 'sleep 3600'], memoryBytes: 64 * 2 ** 20 }));

    admin = new pg.Client({ connectionString: postgres.connectionString });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    const url = new URL(postgres.connectionString);
    url.pathname = `/${database}`;
    db = new pg.Client({ connectionString: url.toString() });
    await db.connect();
    await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await db.query('CREATE TABLE ml_learning_features (id int PRIMARY KEY, label text)');
    await db.query("INSERT INTO ml_learning_features SELECT g, 'l-' || g FROM generate_series(1, 2000) g");

    redis = new Redis(redisAddr.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    await redis.set(`${PREFIX}:hot`, 'prediction');

    // Background traffic: decisions, cache hits, ML queries.
    traffic.push(every(20, () => fetch(`http://127.0.0.1:${app.port}/decide`).then((r) => r.text())));
    traffic.push(every(20, () => redis.get(`${PREFIX}:hot`)));
    traffic.push(every(50, () => db.query('SELECT label FROM ml_learning_features WHERE id = $1', [42])));

    const pgUrl = new URL(postgres.connectionString);
    pgUrl.pathname = `/${database}`;
    writeFileSync(
      join(dir, 'vigil.yaml'),
      [
        'listen: { host: 127.0.0.1, port: 0 }',
        'slo: [slo]',
        'dataDir: data',
        'evaluateEvery: 1s',
        `alertmanager: { urls: ['${alertmanager.url}'], resendInterval: 5s, timeout: 2s }`,
        'sources:',
        '  prometheus:',
        `    default: { url: '${prometheus.url}', schedule: '* * * * * *', timeout: 3s }`,
        '  docker:',
        `    default: { socketPath: '${docker.socketPath}', schedule: '*/2 * * * * *', timeout: 5s }`,
        '  redis:',
        `    cache: { url: '${redisAddr.url}', schedule: '* * * * * *', timeout: 2s }`,
        '  postgres:',
        `    default: { connectionString: '${pgUrl.toString()}', schedule: '*/2 * * * * *', timeout: 5s }`,
        '  probe:',
        `    default: { baseUrl: 'http://127.0.0.1:${app.port}', schedule: '* * * * * *', timeout: 2s }`,
        '',
      ].join('\n'),
    );
    const slo = {
      apiVersion: 'vigil/v1',
      kind: 'ServiceLevels',
      service: SERVICE,
      objectives: [
        {
          name: 'decide-latency-p95',
          indicator: { latency: { histogram: 'e2e_request_duration_seconds{route="/decide"}', quantile: 0.95 } },
          threshold: { max: '50ms' },
          window: '30s',
        },
        {
          name: 'decide-availability',
          indicator: {
            ratio: { errors: 'sum(rate(e2e_requests_total{code=~"5.."}[{{window}}]))', total: 'sum(rate(e2e_requests_total[{{window}}]))' },
          },
          target: '99%',
          window: '30s',
        },
        { name: 'uptime', indicator: { probe: { path: '/health' } }, target: '99.9%', window: '1m' },
        {
          name: 'serving-memory',
          indicator: { containerMemory: { containers: `${PREFIX}-*` } },
          threshold: { max: '48MiB' },
          window: '1m',
        },
        // 25 %, not the mission's 60 %: the test machine's 2 cores are shared, and a busy loop was
        // seen getting only ~27 % of a core under load. Idle containers stay near 0 %.
        // `for: 2s`: the breach must hold for two seconds (evaluations every 1 s) before it pages.
        {
          name: 'serving-cpu',
          indicator: { containerCpu: { containers: `${PREFIX}-*` } },
          threshold: { max: '25%' },
          window: '1m',
          alert: { for: '2s' },
        },
        { name: 'prediction-cache-hit-ratio', indicator: { redisHitRatio: { source: 'cache' } }, threshold: { min: '80%' }, window: '20s' },
        // Scoped to this test's database: pg_stat_statements is server-wide and other tests query
        // ml_learning tables of their own.
        {
          name: 'ml-query-latency-p95',
          indicator: { postgresQueryLatency: { match: '%ml_learning%', database, statistic: 'p95' } },
          threshold: { max: '10ms' },
          window: '1m',
        },
      ],
    };
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'slo'));
    writeFileSync(join(dir, 'slo', 'ml-services.yaml'), JSON.stringify(slo, null, 2));

    daemon = await Daemon.start({ configPath: join(dir, 'vigil.yaml'), logger: pino({ level: 'warn' }), watch: false });
  });

  afterAll(async () => {
    await Promise.all(traffic.map((t) => t.stop()));
    await daemon?.stop();
    await Promise.all(containers.map((c) => c.remove().catch(() => undefined)));
    redis?.disconnect();
    await redisServer?.stop();
    await db?.end().catch(() => undefined);
    await admin?.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    await admin?.end().catch(() => undefined);
    await prometheus?.stop();
    await alertmanager?.stop();
    await receiver?.close();
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows every objective ok on the healthy service, with the summary fields the mission checks', async () => {
    const body = await until('every objective ok', 90_000, (b) => b.objectives.every((o) => o.status === 'ok'));
    expect(body.status).toBe('ok');
    // The mission's check: jq '.uptime_percentage > 99.9 and .response_time_p95 < 100'
    expect(body.uptime_percentage! > 99.9 && body.response_time_p95! < 100).toBe(true);
    expect(body.response_time_p95!).toBeGreaterThan(3);
    expect(body.cpu_usage_percent!).toBeLessThan(25);
    expect(body.memory_usage_bytes!).toBeGreaterThan(0);
    expect(body.cache_hit_ratio!).toBeGreaterThan(0.8);
    expect(body.db_query_p95_ms!).toBeLessThan(10);
    expect(body.sources.map((s) => `${s.kind}/${s.name}`).sort()).toEqual([
      'docker/default',
      'postgres/default',
      'probe/default',
      'prometheus/default',
      'redis/cache',
    ]);
    expect(body.sources.every((s) => s.up)).toBe(true);

    const list = (await (await fetch(`${daemon.url}/api/sla`)).json()) as { services: Array<{ service: string; status: string }> };
    expect(list.services[0]).toMatchObject({ service: SERVICE, status: 'ok' });
    const metrics = await (await fetch(`${daemon.url}/metrics`)).text();
    expect(metrics).toContain(`vigil_objective_status{service="${SERVICE}",objective="serving-cpu",status="ok"} 1`);
    // The exporter's sampled figures and source health share the endpoint.
    expect(metrics).toMatch(/^vigil_container_cpu_usage_ratio\{[^}]*container="e2e-ml-/m);
    expect(metrics).toContain('vigil_source_up{kind="redis",source="cache"} 1');
  });

  it('vigil check and vigil baseline sample the same services once and agree', async () => {
    const loaded = await loadConfig({ configPath: join(dir, 'vigil.yaml') });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
    const snapshot = await sampleOnce(loaded.config, { service: SERVICE, gapMs: 2_500 });
    const table = renderTable({ ...snapshot, sampleSpan: '2.5s' });
    // Counter-based figures (pg_stat_statements) may see no statement in a 2.5 s gap: no breach is the claim here.
    expect(exitCodeFor(snapshot, { allowNoData: true }), table).toBe(0);
    expect(table).toMatch(/ml-services\s+serving-cpu\s+\S+%\s+<= 25%\s+OK/);
    const lines = baselineLines(snapshot.services[0]!.summary);
    expect(lines.find((l) => l.startsWith('p95_latency'))).toMatch(/^p95_latency \d+(\.\d+)? ms$/);
    expect(lines.find((l) => l.startsWith('memory_usage'))).toMatch(/^memory_usage \d+ bytes$/);
    expect(lines.find((l) => l.startsWith('cpu_usage'))).toMatch(/^cpu_usage \d+(\.\d+)? percent$/);
    expect(lines.find((l) => l.startsWith('cache_hit_ratio'))).toMatch(/^cache_hit_ratio (0\.\d+|1) ratio$/);
  });

  it('turns serving-cpu to breach when a container burns a core; Alertmanager delivers the alert, then its resolution', async () => {
    const { docker } = testServices();
    containers.push(
      await runContainer(docker, {
        name: `${PREFIX}-burn`,
        cmd: ['sh', '-c', 'while true; do :; done & while true; do :; done'],
        memoryBytes: 64 * 2 ** 20,
      }),
    );
    const body = await until('serving-cpu breach', 60_000, (b) => objective(b, 'serving-cpu').status === 'breach');
    expect(objective(body, 'serving-cpu').value!.value).toBeGreaterThan(0.25);
    expect(body.cpu_usage_percent!).toBeGreaterThan(25);
    expect(body.status).toBe('breach');
    // The other figures are unaffected.
    expect(objective(body, 'serving-memory').status).toBe('ok');
    // The deploy gate sees it too: exit 1.
    const loaded = await loadConfig({ configPath: join(dir, 'vigil.yaml') });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
    const gate = await sampleOnce(loaded.config, { service: SERVICE, gapMs: 2_500 });
    expect(exitCodeFor(gate), renderTable({ ...gate, sampleSpan: '2.5s' })).toBe(1);

    // On-call gets it: Alertmanager delivers the firing alert to the webhook...
    type Delivered = { status: string; labels: Record<string, string>; annotations: Record<string, string> };
    const alertsIn = (body: unknown): Delivered[] => (body as { alerts?: Delivered[] }).alerts ?? [];
    const isCpu = (a: Delivered) => a.labels.objective === 'serving-cpu' && a.labels.service === SERVICE;
    const firing = await receiver.waitFor((r) => alertsIn(r.body).some((a) => isCpu(a) && a.status === 'firing'), 30_000);
    const alert = alertsIn(firing.body).find(isCpu)!;
    expect(alert.labels).toMatchObject({ alertname: 'VigilObjectiveBreach', severity: 'page' });
    expect(alert.annotations.description).toMatch(/25%/);
    // ...and, once the burner is gone, the resolution.
    await containers.pop()!.remove();
    await until('serving-cpu ok again', 45_000, (b) => objective(b, 'serving-cpu').status === 'ok');
    await receiver.waitFor((r) => alertsIn(r.body).some((a) => isCpu(a) && a.status === 'resolved'), 30_000);
  });

  it('turns the cache hit ratio to breach on a burst of misses', async () => {
    const misses = every(5, async () => {
      const pipeline = redis.pipeline();
      for (let i = 0; i < 50; i++) pipeline.get(`${PREFIX}:missing:${Math.random()}`);
      await pipeline.exec();
    });
    try {
      const body = await until('cache hit ratio breach', 45_000, (b) => objective(b, 'prediction-cache-hit-ratio').status === 'breach');
      expect(body.cache_hit_ratio!).toBeLessThan(0.8);
    } finally {
      await misses.stop();
    }
  });
});
