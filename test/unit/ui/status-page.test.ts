import Ajv2020 from 'ajv/dist/2020.js';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { buildServer } from '../../../src/server/build-server.js';
import type { Snapshot } from '../../../src/snapshot/snapshot-schema.js';
import type { SampleStore } from '../../../src/store/sample-store.js';
import { HISTORY_METRICS } from '../../../src/ui/history-recorder.js';
import { CONTENT_SECURITY_POLICY } from '../../../src/ui/status-routes.js';
import { BREACH_FROM, BREACH_TO, FIXTURE_NOW, HOSTILE, statusPageFixture } from '../../support/status-page-fixture.js';

const apps: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

function server(snapshot: Snapshot | null, store?: SampleStore) {
  const app = buildServer({
    getSnapshot: () => snapshot,
    metricsRegistry: new Registry(),
    ...(store ? { store } : {}),
    uiAssets: null,
    pollSeconds: () => 2,
  });
  apps.push(app);
  return app;
}

const enc = encodeURIComponent;
const range = `from=${(FIXTURE_NOW - 2 * 3_600_000) / 1000}&to=${FIXTURE_NOW / 1000}`;

describe('the status page (server-rendered)', () => {
  it('lists services worst first, escapes every value, and sends a CSP without inline script', async () => {
    const { snapshot, store } = statusPageFixture();
    const res = await server(snapshot, store).inject({ url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toMatch(/script-src 'self'(;|$)/);
    const body = res.body;
    expect(body).not.toContain('<script>window');
    expect(body).not.toContain('<img src=x');
    expect(body).toContain(
      '&lt;script&gt;window.__pwned=1&lt;/script&gt;svc&quot;&gt;&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;',
    );
    // Worst first: the breaching service before the calm one; status in words, not only colour.
    expect(body.indexOf('data-status="breach"')).toBeLessThan(body.indexOf('calm-service'));
    expect(body).toMatch(/✖<\/span> breach/);
    // The only script is the bundle, by URL.
    expect(body.match(/<script/g)).toHaveLength(1);
    expect(body).toMatch(/<script type="module" src="\/ui\/app\.js"><\/script>/);
  });

  it('filters by search text and label without JavaScript (GET form)', async () => {
    const { snapshot } = statusPageFixture();
    const app = server(snapshot);
    const bySearch = (await app.inject({ url: '/?q=calm' })).body;
    expect(bySearch).toContain('calm-service');
    expect(bySearch).not.toContain('tier=gold');
    const byLabel = (await app.inject({ url: `/?label=${enc('tier=gold')}` })).body;
    expect(byLabel).not.toContain('>calm-service<');
    expect(byLabel).toContain('tier=gold');
  });

  it('renders a service page with figures, budget ETA, burn table, leak verdict, statements and sources, all escaped', async () => {
    const { snapshot, service } = statusPageFixture();
    const res = await server(snapshot).inject({ url: `/services/${enc(service)}?range=6h` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    const body = res.body;
    for (const raw of Object.values(HOSTILE)) expect(body).not.toContain(raw);
    expect(body).toContain('&lt;script&gt;window.__pwned=4&lt;/script&gt; Decision latency');
    expect(body).toContain('queryid=&quot;&gt;&lt;script&gt;window.__pwned=6&lt;/script&gt;');
    expect(body).toMatch(
      /<tr class="burning"><th scope="row">1h<\/th><td class="num">4\.20×<\/td><td><strong>▲ faster than the budget allows<\/strong>/,
    );
    expect(body).toMatch(
      /postgres\/default<\/th><td><span class="st st-breach" data-status="breach"><span class="st-shape" aria-hidden="true">✖<\/span> down<\/span> \(3 failures\)/,
    );
    expect(body).toMatch(/data-leak="leak">leak \(confidence 99%\)/);
    expect(body).toContain('40MiB/h');
    expect(body).toMatch(/aria-current="true">6h</);
    // Budget 40 % of 30 d at the 5m window's 0.5x burn: 0.4 * 30 d / 0.5 = 24 d.
    expect(body).toMatch(/<td class="num">40.0%<\/td>\n<td class="num">in 24d<\/td>/);
  });

  it('marks the alert window pair that fires', async () => {
    const { snapshot, service } = statusPageFixture();
    const pairs = {
      set: 'test-set',
      pairs: [
        { severity: 'page', long: '1h', short: '5m', factor: 14.4 },
        { severity: 'ticket', long: '6h', short: '1h', factor: 1.2 },
      ],
    };
    const app = buildServer({
      getSnapshot: () => snapshot,
      metricsRegistry: new Registry(),
      uiAssets: null,
      burnPairs: (_s, o) => (o === 'decide-latency-p95' ? pairs : null),
    });
    apps.push(app);
    const body = (await app.inject({ url: `/services/${enc(service)}` })).body;
    expect(body).toMatch(
      /<tr class="" data-fires="false"><th scope="row">page<\/th><td>1h \/ 5m<\/td><td class="num">14.4×<\/td><td class="num">4.20×<\/td><td class="num">0.50×<\/td><td>quiet<\/td><\/tr>/,
    );
    expect(body).toMatch(
      /<tr class="burning" data-fires="true"><th scope="row">ticket<\/th><td>6h \/ 1h<\/td><td class="num">1.2×<\/td><td class="num">1.30×<\/td><td class="num">4.20×<\/td><td><strong>✖ firing<\/strong><\/td><\/tr>/,
    );
    expect(body.match(/data-fires=/g)).toHaveLength(2);
  });

  it('answers an unknown service with a 404 page', async () => {
    const { snapshot } = statusPageFixture();
    const res = await server(snapshot).inject({ url: '/services/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('No such service');
  });
});

describe('the history API', () => {
  it('returns the recorded figures in buckets, the breach interval marked, matching the store', async () => {
    const { snapshot, store, service } = statusPageFixture();
    const res = await server(snapshot, store).inject({
      url: `/api/sla/${enc(service)}/objectives/decide-latency-p95/history?${range}&step=5m`,
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.step_seconds).toBe(300);
    expect(body.t).toHaveLength(25);
    expect(body.threshold).toEqual({ max: 0.05, min: null, warning: 0.04 });
    // Each bucket's value is the last point the store holds in it.
    const [series] = store.select(HISTORY_METRICS.value, (l) => l.service === service && l.objective === 'decide-latency-p95');
    body.t.forEach((t: number, k: number) => {
      const { v } = series!.buffer.range(Math.max(t * 1000, FIXTURE_NOW - 2 * 3_600_000), Math.min(t * 1000 + 299_999, FIXTURE_NOW));
      expect(body.value[k]).toBe(v.length > 0 ? v[v.length - 1] : null);
    });
    const breached = body.t.filter((_: number, k: number) => body.status[k] === 'breach').map((t: number) => t * 1000);
    expect(breached[0]).toBe(BREACH_FROM);
    expect(breached[breached.length - 1]).toBe(BREACH_TO - 300_000);
  });

  it('gives the resource charts container memory with floors and the leak trend, and the Redis hit ratio', async () => {
    const { snapshot, store, service } = statusPageFixture();
    const res = await server(snapshot, store).inject({ url: `/api/sla/${enc(service)}/resources?${range}&step=10m` });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.containers).toHaveLength(1);
    const c = body.containers[0];
    expect(c.limit_bytes).toBe(512 * 2 ** 20);
    expect(c.leak).toMatchObject({ verdict: 'leak', growth_bytes_per_hour: 40 * 2 ** 20 });
    expect(c.trend.growth_bytes_per_hour).toBe(40 * 2 ** 20);
    for (let k = 0; k < c.floor_bytes.length; k++)
      if (c.floor_bytes[k] !== null) expect(c.floor_bytes[k]).toBeLessThanOrEqual(c.working_set_bytes[k]);
    expect(body.redis[0].hit_ratio[0]).toBeCloseTo(0.9, 5);
    expect(body.statements.map((s: { labels: { queryid: string } }) => s.labels.queryid)).toEqual([HOSTILE.queryid, '42']);
  });

  it('answers bad parameters and unknown names with the API error shape, as documented', async () => {
    const { snapshot, store, service } = statusPageFixture();
    const app = server(snapshot, store);
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    const ajv = new Ajv2020.default({ strict: false });
    const path = '/api/sla/{service}/objectives/{objective}/history';
    const schemaOf = (status: string) => doc.paths[path].get.responses[status].content['application/json'].schema;
    const url = (q: string, objective = 'decide-latency-p95') => `/api/sla/${enc(service)}/objectives/${objective}/history?${q}`;

    const ok = await app.inject({ url: url(range) });
    const validOk = ajv.compile(schemaOf('200'));
    expect(validOk(ok.json()), JSON.stringify(validOk.errors)).toBe(true);

    const validError = ajv.compile(schemaOf('400'));
    for (const q of ['from=soon', 'step=1s&from=0', `${range}&step=1s`, 'to=1&from=2']) {
      const res = await app.inject({ url: url(q) });
      expect(res.statusCode, q).toBe(400);
      expect(validError(res.json())).toBe(true);
      expect(res.json().code).toBe('VIGIL_ERR_BAD_RANGE');
    }
    const unknown = await app.inject({ url: url(range, 'nope') });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('VIGIL_ERR_UNKNOWN_OBJECTIVE');
    expect((await app.inject({ url: '/api/sla/nope/resources' })).json().code).toBe('VIGIL_ERR_UNKNOWN_SERVICE');
  });
});

describe('conditional polling', () => {
  it('answers 304 while the snapshot is unchanged and 200 once a new one is published', async () => {
    let { snapshot } = statusPageFixture();
    const app = buildServer({ getSnapshot: () => snapshot, metricsRegistry: new Registry(), uiAssets: null });
    apps.push(app);
    const first = await app.inject({ url: '/api/sla' });
    const etag = first.headers.etag as string;
    expect(etag).toBe(`W/"${FIXTURE_NOW}"`);
    expect((await app.inject({ url: '/api/sla', headers: { 'if-none-match': etag } })).statusCode).toBe(304);
    snapshot = { ...snapshot, evaluatedAt: FIXTURE_NOW + 1000 };
    const next = await app.inject({ url: '/api/sla', headers: { 'if-none-match': etag } });
    expect(next.statusCode).toBe(200);
    expect(next.headers.etag).toBe(`W/"${FIXTURE_NOW + 1000}"`);
  });
});
