import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toWire } from '../../../src/core/wire-keys.js';
import { registerObjectiveMetrics } from '../../../src/metrics/objective-metrics.js';
import { buildServer, type ReloadOutcome, tokenMatches } from '../../../src/server/build-server.js';
import { openApiDocument } from '../../../src/server/openapi.js';
import { type ObjectiveResult, objectiveResultSchema, type Snapshot } from '../../../src/snapshot/snapshot-schema.js';
import { healthySnapshot } from './server-fixtures.js';

const TOKEN = 'a-reload-token-of-32-characters!';
const apps: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

function server(snapshot: Snapshot | null, extra: { reload?: () => Promise<ReloadOutcome>; reloadToken?: string } = {}) {
  const registry = new Registry();
  registerObjectiveMetrics(registry, () => snapshot);
  const app = buildServer({ getSnapshot: () => snapshot, metricsRegistry: registry, ...extra });
  apps.push(app);
  return app;
}

describe('before the first evaluation', () => {
  it('is alive but not ready, and the API says why with a 503', async () => {
    const app = server(null);
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    const sla = await app.inject({ url: '/api/sla' });
    expect(sla.statusCode).toBe(503);
    expect(sla.json().code).toBe('VIGIL_ERR_NOT_READY');
  });
});

describe('the SLA API', () => {
  it('lists every service with its status and objective counts', async () => {
    const res = await server(healthySnapshot()).inject({ url: '/api/sla' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.evaluated_at).toBe('2026-11-26T12:00:00.000Z');
    expect(body.services).toEqual([
      {
        service: 'ml-services',
        status: 'no_data',
        objectives: { total: 6, ok: 5, warning: 0, breach: 0, no_data: 1 },
        href: '/api/sla/ml-services/current',
      },
    ]);
  });

  it("serves a service's current result with the summary fields the mission's jq check reads", async () => {
    const app = server(healthySnapshot());
    expect((await app.inject({ url: '/readyz' })).json()).toEqual({ status: 'ready' });
    const res = await app.inject({ url: '/api/sla/ml-services/current' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    const body = res.json();
    // jq '.uptime_percentage > 99.9 and .response_time_p95 < 100'
    expect(body.uptime_percentage > 99.9 && body.response_time_p95 < 100).toBe(true);
    expect(body.response_time_p95).toBeCloseTo(42);
    expect(body.memory_usage_bytes).toBe(300e6);
    expect(body.cpu_usage_percent).toBeCloseTo(12.5);
    expect(body.cache_hit_ratio).toBeCloseTo(0.9);
    expect(body.db_query_p95_ms).toBeNull();
    expect(body.evaluated_at).toBe('2026-11-26T12:00:00.000Z');
    expect(body.data_age_seconds).toBe(0);
    const uptime = body.objectives.find((o: { name: string }) => o.name === 'uptime');
    expect(uptime).toMatchObject({ status: 'ok', error_budget_remaining: 1, period: '30d' });
    expect(uptime.target).toBeCloseTo(0.999, 12);
    expect(uptime.burn_rates).toHaveLength(7);
    const leak = body.objectives.find((o: { name: string }) => o.name === 'leak');
    expect(leak.status).toBe('no_data');
    expect(leak.breakdown[0].leak.verdict).toBe('insufficient_data');
    // Only the sources the objectives read; secrets in errors redacted.
    expect(body.sources.map((s: { kind: string }) => s.kind).sort()).toEqual(['docker', 'redis']);
    expect(res.body).not.toContain('hunter2secret');
    expect(body.sources.find((s: { kind: string }) => s.kind === 'redis').last_error).toContain('redis://:***@');
  });

  it('sends exactly what the OpenAPI document describes', async () => {
    const app = server(healthySnapshot());
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    const ajv = new Ajv2020.default({ strict: false });
    const schemaOf = (path: string, status: string) => doc.paths[path].get.responses[status].content['application/json'].schema;
    const current = await app.inject({ url: '/api/sla/ml-services/current' });
    const validateCurrent = ajv.compile(schemaOf('/api/sla/{service}/current', '200'));
    expect(validateCurrent(current.json()), JSON.stringify(validateCurrent.errors)).toBe(true);
    // Serialisation drops nothing the snapshot holds (in wire form: snake_case keys).
    const snapshot = healthySnapshot();
    const objectives = toWire(z.array(objectiveResultSchema), snapshot.services[0]!.objectives as ObjectiveResult[]);
    expect(current.json().objectives).toEqual(JSON.parse(JSON.stringify(objectives)));
    const missing = await app.inject({ url: '/api/sla/nope/current' });
    const validateError = ajv.compile(schemaOf('/api/sla/{service}/current', '404'));
    expect(validateError(missing.json())).toBe(true);
  });

  it('serialises with the schema-compiled serializer, once per snapshot', async () => {
    const base = healthySnapshot();
    // A property the schema does not declare: the compiled serializer leaves it out (JSON.stringify would not).
    const snapshot = {
      ...base,
      services: base.services.map((s) => ({ ...s, objectives: s.objectives.map((o) => ({ ...o, undeclared: 'x' })) })),
    } as Snapshot;
    const app = server(snapshot);
    const first = await app.inject({ url: '/api/sla/ml-services/current' });
    expect(first.body).not.toContain('undeclared');
    expect((await app.inject({ url: '/api/sla/ml-services/current' })).body).toBe(first.body);
  });

  it('answers an unknown service with a 404 JSON error naming the known ones', async () => {
    const res = await server(healthySnapshot()).inject({ url: '/api/sla/nope/current' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'Not Found', code: 'VIGIL_ERR_UNKNOWN_SERVICE', message: 'no service "nope"; known: ml-services' });
    const route = await server(healthySnapshot()).inject({ url: '/nothing/here' });
    expect(route.statusCode).toBe(404);
    expect(route.json().code).toBe('VIGIL_ERR_NOT_FOUND');
  });

  it('is read-only: other methods on the API are not found', async () => {
    const res = await server(healthySnapshot()).inject({ method: 'DELETE', url: '/api/sla/ml-services/current' });
    expect(res.statusCode).toBe(404);
  });
});

describe('/metrics', () => {
  it('exposes objective value, one-hot status, budget, burn rates and leak figures', async () => {
    const res = await server(healthySnapshot()).inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    const text = res.body;
    expect(text).toContain(
      'vigil_objective_value{service="ml-services",objective="serving-memory",kind="containerMemory",unit="bytes"} 300000000',
    );
    expect(text).toContain('vigil_objective_status{service="ml-services",objective="serving-cpu",status="ok"} 1');
    expect(text).toContain('vigil_objective_status{service="ml-services",objective="serving-cpu",status="breach"} 0');
    expect(text).toContain('vigil_error_budget_remaining_ratio{service="ml-services",objective="uptime"} 1');
    expect(text).toContain('vigil_burn_rate{service="ml-services",objective="uptime",window="1h"} 0');
    expect(text).toContain(
      'vigil_memory_leak_suspected{service="ml-services",objective="leak",container="ml-serving-1",container_id="abcdef012345"} 0',
    );
    expect(text).toContain('# HELP vigil_memory_exhaustion_eta_seconds');
  });
});

describe('POST /-/reload', () => {
  const ok = async (): Promise<ReloadOutcome> => ({ ok: true, services: ['ml-services', 'search'] });

  it('is off (404) without a configured token', async () => {
    const res = await server(healthySnapshot(), { reload: ok }).inject({ method: 'POST', url: '/-/reload' });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('VIGIL_ERR_RELOAD_DISABLED');
  });

  it('refuses a missing or wrong token with 403 and reloads with the right one', async () => {
    let calls = 0;
    const app = server(healthySnapshot(), { reloadToken: TOKEN, reload: async () => (calls++, ok()) });
    expect((await app.inject({ method: 'POST', url: '/-/reload' })).statusCode).toBe(403);
    const wrong = await app.inject({ method: 'POST', url: '/-/reload', headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.body).not.toContain(TOKEN);
    expect(calls).toBe(0);
    const good = await app.inject({ method: 'POST', url: '/-/reload', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(good.statusCode).toBe(200);
    expect(good.json()).toEqual({ reloaded: true, services: ['ml-services', 'search'], message: 'reloaded 2 service(s)' });
    expect(calls).toBe(1);
  });

  it("returns the new config's issues with 422 (secrets redacted) when it is invalid", async () => {
    const issue = {
      file: '/etc/vigil/slo/a.yaml',
      line: 3,
      column: 5,
      path: 'objectives[0].threshold.max',
      message: 'bad postgres://u:pw123456@h/db',
      code: 'VIGIL_ERR_CONFIG_UNIT' as const,
    };
    const app = server(healthySnapshot(), { reloadToken: TOKEN, reload: async () => ({ ok: false, issues: [issue] }) });
    const res = await app.inject({ method: 'POST', url: '/-/reload', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.statusCode).toBe(422);
    const body = res.json();
    expect(body.code).toBe('VIGIL_ERR_CONFIG_INVALID');
    expect(body.issues[0]).toMatchObject({ line: 3, column: 5, path: 'objectives[0].threshold.max', code: 'VIGIL_ERR_CONFIG_UNIT' });
    expect(res.body).not.toContain('pw123456');
  });

  it('compares tokens in constant time on equal-length digests', () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches('short', TOKEN)).toBe(false);
    expect(tokenMatches('', TOKEN)).toBe(false);
  });
});

describe('docs/openapi.json', () => {
  it('is the generated document (run `npm run docs:openapi` when this fails)', () => {
    const onDisk = JSON.parse(readFileSync(new URL('../../../docs/openapi.json', import.meta.url), 'utf8'));
    const version = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).version;
    expect(onDisk).toEqual(openApiDocument(version));
    expect(onDisk.openapi).toBe('3.1.0');
  });
});
