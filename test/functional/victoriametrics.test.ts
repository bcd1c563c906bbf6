// vigil on VictoriaMetrics: the Prometheus source reads it through vmauth (bearer token) behind a
// tenant-checking loopback proxy (X-Scope-OrgID), and the generated rules run unchanged in vmalert,
// where the same alerts become active as in Prometheus for the same input series (both scrape the
// same loopback target every second).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daemonConfigSchema } from '../../src/config/daemon-schema.js';
import { sloFileSchema } from '../../src/config/slo-schema.js';
import { SHIPPED_WINDOW_SETS } from '../../src/config/window-sets.js';
import { generateAll } from '../../src/generate/generate.js';
import { PrometheusSource } from '../../src/sources/prometheus/prometheus-source.js';
import {
  type PrometheusHandle,
  startPrometheus,
  startVictoriaMetrics,
  startVmalert,
  startVmauth,
  type VictoriaHandle,
} from '../harness/launchers.js';
import { freePort, waitFor } from '../harness/services.js';

const TOKEN = 'vt-token-7f3a9c';
const TENANT = 'team-a';

/** Counters growing at fixed rates from the moment the target starts, and fixed gauges. */
function exporterText(startedAt: number): string {
  const s = (Date.now() - startedAt) / 1000;
  const lines = [
    `redis_keyspace_hits_total{job_name="cache"} ${3 * s}`,
    `redis_keyspace_misses_total{job_name="cache"} ${1 * s}`,
    `http_requests_total{code="200"} ${1 * s}`,
    `http_requests_total{code="500"} ${1 * s}`,
    `container_memory_working_set_bytes{name="svc-a",id="/docker/a"} ${200 * 1024 * 1024}`,
    `container_memory_working_set_bytes{name="svc-b",id="/docker/b"} ${10 * 1024 * 1024}`,
    `pg_stat_statements_calls_total{datname="shop",user="app",queryid="11"} ${100 * s}`,
    `pg_stat_statements_seconds_total{datname="shop",user="app",queryid="11"} ${5 * s}`,
    `pg_stat_statements_query_id{queryid="11",query="SELECT * FROM orders WHERE id = $1"} 1`,
  ];
  return `${lines.join('\n')}\n`;
}

const SLO_INPUT = {
  apiVersion: 'vigil/v1',
  kind: 'ServiceLevels',
  service: 'shop',
  objectives: [
    { name: 'hit-ratio-90', indicator: { redisHitRatio: { metrics: 'redis_exporter' } }, threshold: { min: '90%' }, alert: { for: '0s' } },
    { name: 'hit-ratio-50', indicator: { redisHitRatio: { metrics: 'redis_exporter' } }, threshold: { min: '50%' }, alert: { for: '0s' } },
    {
      name: 'memory',
      indicator: { containerMemory: { metrics: 'cadvisor', containers: 'svc-*' } },
      threshold: { max: '100MiB' },
      alert: { for: '0s' },
    },
    {
      name: 'orders',
      indicator: { postgresQueryLatency: { metrics: 'postgres_exporter', match: '%orders%', statistic: 'mean' } },
      threshold: { max: '20ms' },
      alert: { for: '0s' },
    },
    {
      name: 'availability',
      indicator: {
        ratio: { errors: 'sum(rate(http_requests_total{code="500"}[{{window}}]))', total: 'sum(rate(http_requests_total[{{window}}]))' },
      },
      target: '99%',
    },
  ],
};
const SLO = sloFileSchema.parse(SLO_INPUT);

let dir: string;
let target: Server;
let notifier: Server;
let tenantProxy: Server;
let prometheus: PrometheusHandle;
let vm: VictoriaHandle;
let vmauth: VictoriaHandle;
let vmalert: VictoriaHandle;
let proxyUrl: string;
const seenByProxy: IncomingHttpHeaders[] = [];

async function listen(server: Server): Promise<number> {
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return port;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-vm-'));
  const startedAt = Date.now();
  target = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(exporterText(startedAt)));
  notifier = createServer((req, res) => req.resume().on('end', () => res.writeHead(200).end()));
  const targetPort = await listen(target);
  const notifierPort = await listen(notifier);

  const rulesFile = join(dir, 'shop.rules.yaml');
  const generated = generateAll([{ path: 'slo/shop.yaml', slo: SLO }], { windowSets: SHIPPED_WINDOW_SETS });
  writeFileSync(rulesFile, generated.files.find((f) => f.folder === 'alerts')!.content);

  const scrape = [{ job_name: 'exporters', static_configs: [{ targets: [`127.0.0.1:${targetPort}`] }] }];
  [prometheus, vm] = await Promise.all([
    startPrometheus({ scrapeConfigs: scrape, ruleFiles: [rulesFile] }),
    startVictoriaMetrics({ scrapeConfigs: scrape }),
  ]);
  [vmauth, vmalert] = await Promise.all([
    startVmauth([{ bearerToken: TOKEN, urlPrefix: vm.url }]),
    startVmalert([rulesFile], vm.url, `http://127.0.0.1:${notifierPort}`),
  ]);

  // The tenant check a Mimir/Cortex/Thanos gateway does, in front of vmauth's token check.
  tenantProxy = createServer((req, res) => {
    seenByProxy.push(req.headers);
    if (req.headers['x-scope-orgid'] !== TENANT) {
      res.writeHead(401).end('no tenant');
      req.resume();
      return;
    }
    const upstream = new URL(req.url ?? '/', vmauth.url);
    const forward = httpRequest(upstream, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
  });
  proxyUrl = `http://127.0.0.1:${await listen(tenantProxy)}`;
}, 120_000);

afterAll(async () => {
  await Promise.all([vmalert?.stop(), vmauth?.stop(), prometheus?.stop()]);
  await vm?.stop();
  for (const server of [target, notifier, tenantProxy])
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Active (pending or firing) alerts as `alertname objective severity [container] [other labels]`, sorted. */
async function activeAlerts(baseUrl: string): Promise<string[]> {
  const body = (await (await fetch(`${baseUrl}/api/v1/alerts`)).json()) as {
    data: { alerts: Array<{ labels: Record<string, string>; state: string }> };
  };
  return body.data.alerts
    .filter((a) => a.state === 'pending' || a.state === 'firing')
    .map((a) => {
      const { alertname, objective, severity, container, alertgroup: _group, ...rest } = a.labels;
      const extra = Object.entries(rest)
        .filter(([k]) => k !== 'service')
        .sort(([x], [y]) => (x < y ? -1 : 1))
        .map(([k, v]) => `${k}=${v}`);
      return [alertname, objective, severity, container ?? '', ...extra].join(' ').replace(/\s+/g, ' ').trim();
    })
    .sort();
}

function sourceFor(config: Record<string, unknown>): PrometheusSource {
  const parsed = daemonConfigSchema.parse({ sources: { prometheus: { vm: config } } }).sources.prometheus.vm!;
  return new PrometheusSource(
    'vm',
    parsed,
    [
      {
        path: 'slo/shop.yaml',
        slo: sloFileSchema.parse({
          ...SLO_INPUT,
          objectives: [
            { name: 'hit-ratio', indicator: { redisHitRatio: { source: 'vm', metrics: 'redis_exporter' } }, threshold: { min: '90%' } },
          ],
        }),
      },
    ],
    SHIPPED_WINDOW_SETS,
  );
}

describe('VictoriaMetrics', () => {
  it('the Prometheus source reads it through vmauth with a bearer token and a tenant header', async () => {
    const good = sourceFor({ url: proxyUrl, auth: { bearer: TOKEN }, headers: { 'X-Scope-OrgID': TENANT } });
    const value = await waitFor(
      async () => {
        const result = await good.sample(AbortSignal.timeout(10_000));
        return result.points[0]?.value;
      },
      { timeoutMs: 30_000, intervalMs: 500, what: 'a hit ratio from VictoriaMetrics' },
    );
    // 3 hits and 1 miss a second: 75 %, exactly, whatever the window's sample count.
    expect(value).toBeCloseTo(0.75, 6);
    expect(good.queryErrors()).toEqual([]);
    const last = seenByProxy.at(-1)!;
    expect(last.authorization).toBe(`Bearer ${TOKEN}`);
    expect(last['x-scope-orgid']).toBe(TENANT);

    // Without the tenant the proxy refuses; with a wrong token vmauth does. Either way no value.
    for (const config of [
      { url: proxyUrl, auth: { bearer: TOKEN } },
      { url: proxyUrl, auth: { bearer: 'wrong' }, headers: { 'X-Scope-OrgID': TENANT } },
    ]) {
      const refused = await sourceFor(config)
        .sample(AbortSignal.timeout(10_000))
        .then(
          (r) => r.points,
          () => [],
        );
      expect(refused).toEqual([]);
    }
  }, 60_000);

  it('the generated rules run unchanged in vmalert, with the same active alerts as in Prometheus', async () => {
    const rules = (await (await fetch(`${vmalert.url}/api/v1/rules`)).json()) as { data: { groups: Array<{ rules: unknown[] }> } };
    expect(rules.data.groups.length).toBeGreaterThan(0);
    const expected = [
      'VigilContainerMemoryHigh memory page svc-a',
      'VigilPostgresQueryLatencyHigh orders page',
      'VigilRedisHitRatioLow hit-ratio-90 page',
    ];
    // Both have seen enough scrapes once Prometheus shows the threshold alerts and the page burn alert.
    let seen: string[] = [];
    const fromPrometheus = await waitFor(
      async () => {
        const active = await activeAlerts(prometheus.url);
        seen = active;
        return expected.every((a) => active.includes(a)) && active.some((a) => a.startsWith('VigilErrorBudgetBurn')) ? active : null;
      },
      { timeoutMs: 60_000, intervalMs: 1_000, what: 'the alerts in Prometheus' },
    ).catch((err: Error) => {
      throw new Error(`${err.message}; active: ${seen.join(', ')}`);
    });
    const fromVmalert = await waitFor(
      async () => {
        const active = await activeAlerts(vmalert.url);
        return active.length >= fromPrometheus.length ? active : null;
      },
      { timeoutMs: 60_000, intervalMs: 1_000, what: `vmalert's alerts (Prometheus has ${fromPrometheus.join(', ')})` },
    );
    expect(fromVmalert).toEqual(fromPrometheus);
    expect(fromPrometheus).not.toContain('VigilRedisHitRatioLow hit-ratio-50 page');
  }, 150_000);
});
