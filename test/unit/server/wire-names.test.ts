import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { Wire } from '../../../src/core/wire-keys.js';
import { registerObjectiveMetrics } from '../../../src/metrics/objective-metrics.js';
import type { ServiceCurrentResponse } from '../../../src/server/api-schemas.js';
import { buildServer, type ReloadOutcome } from '../../../src/server/build-server.js';
import { openApiDocument } from '../../../src/server/openapi.js';
import { nonSnakeKeys, nonSnakeSchemaNames } from '../../support/snake-keys.js';
import { healthyFixture } from './server-fixtures.js';

/**
 * Every key of every JSON body the API sends is snake_case (issue 12 item 10), whatever the
 * route: the real responses are walked, map keys (labels) excepted.
 */
const TOKEN = 'a-reload-token-of-32-characters!';
const apps: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

function server(reload: () => Promise<ReloadOutcome>) {
  const { snapshot, store } = healthyFixture();
  const registry = new Registry();
  registerObjectiveMetrics(registry, () => snapshot);
  const app = buildServer({ getSnapshot: () => snapshot, metricsRegistry: registry, store, reloadToken: TOKEN, reload, uiAssets: null });
  apps.push(app);
  return app;
}

const GETS = [
  '/api/sla',
  '/api/sla/ml-services/current',
  '/api/sla/ml-services/objectives/uptime/history',
  '/api/sla/ml-services/objectives/serving-memory/history',
  '/api/sla/ml-services/resources',
  '/api/sla/nope/current',
  '/api/sla/ml-services/objectives/nope/history',
  '/api/sla/ml-services/resources?step=0',
  '/healthz',
  '/readyz',
  '/no/such/path',
];

describe('the API speaks snake_case', () => {
  it('in every body of every route, success and error', async () => {
    const issue = { file: 'a.yaml', line: 1, column: 1, path: 'x', message: 'bad', code: 'VIGIL_ERR_CONFIG_UNIT' as const };
    let fail = false;
    const app = server(async () => (fail ? { ok: false, issues: [issue] } : { ok: true, services: ['ml-services'] }));
    const bodies: Array<[string, unknown]> = [];
    for (const url of GETS) {
      const res = await app.inject({ url });
      bodies.push([`GET ${url} ${res.statusCode}`, res.json()]);
    }
    for (const next of [false, true]) {
      fail = next;
      const res = await app.inject({ method: 'POST', url: '/-/reload', headers: { authorization: `Bearer ${TOKEN}` } });
      bodies.push([`POST /-/reload ${res.statusCode}`, res.json()]);
    }
    const offenders = bodies.flatMap(([what, body]) => nonSnakeKeys(body).map((p) => `${what} ${p}`));
    expect(offenders).toEqual([]);
    // The walk saw what it should: the objectives with their figures, and labels left alone.
    const current = bodies.find(([w]) => w.startsWith('GET /api/sla/ml-services/current'))![1] as Wire<ServiceCurrentResponse>;
    expect(current.objectives[0]).toHaveProperty('data_age_seconds');
    expect(current.objectives.some((o) => o.burn_rates.length > 0)).toBe(true);
    expect(current.sources[0]).toHaveProperty('consecutive_failures');
    expect(current.objectives.some((o) => o.breakdown.some((b) => 'container' in b.labels))).toBe(true);
  });

  it('in the OpenAPI document: every schema property', () => {
    expect(nonSnakeSchemaNames(openApiDocument('0.0.0'))).toEqual([]);
  });
});
