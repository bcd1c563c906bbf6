import { STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ERROR_CODES, ERROR_CATALOGUE } from '../../../src/core/errors.js';
import { registerObjectiveMetrics } from '../../../src/metrics/objective-metrics.js';
import { errorResponseSchema } from '../../../src/server/api-schemas.js';
import { buildServer } from '../../../src/server/build-server.js';
import { rawHttp } from '../../support/raw-http.js';
import { healthySnapshot } from './server-fixtures.js';

/**
 * Every error answer, whoever produces it (a route, fastify's router or body parser, Node's HTTP
 * parser), has the documented shape `{ error, code, message }` with a catalogue code whose status
 * it carries, and echoes nothing long: the classes of hostile input below each get a few members.
 */

const TOKEN = 'a-reload-token-of-32-characters!';
/** An error body is short whatever the request was: a path echo is cut to 80 characters. */
const MAX_ERROR_BODY_BYTES = 400;

function serverUnderTest(registry?: Registry) {
  const snapshot = healthySnapshot();
  const metrics = registry ?? new Registry();
  if (!registry) registerObjectiveMetrics(metrics, () => snapshot);
  return buildServer({
    getSnapshot: () => snapshot,
    metricsRegistry: metrics,
    reloadToken: TOKEN,
    reload: async () => ({ ok: true, services: [] }),
  });
}

/** Asserts the contract and returns the code. */
function expectErrorContract(status: number, text: string, what: string): string {
  expect(Buffer.byteLength(text), `${what}: body size`).toBeLessThanOrEqual(MAX_ERROR_BODY_BYTES);
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(Object.keys(body).sort(), what).toEqual(['code', 'error', 'message']);
  expect(errorResponseSchema.safeParse(body).success, what).toBe(true);
  expect(API_ERROR_CODES, what).toContain(body.code);
  const entry = ERROR_CATALOGUE.find((e) => e.code === body.code)!;
  expect(status, `${what}: status of ${entry.code}`).toBe(entry.http);
  expect(body.error, what).toBe(STATUS_CODES[status]);
  return body.code as string;
}

describe('error answers through fastify (inject)', () => {
  const app = serverUnderTest();
  afterAll(() => app.close());

  const cases: Array<{
    what: string;
    method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'OPTIONS';
    url: string;
    headers?: Record<string, string>;
    body?: string;
    code: string;
  }> = [
    // Long path parameters: no service name is longer than 63 characters.
    { what: 'a 101-character service name', url: `/api/sla/${'a'.repeat(101)}/current`, code: 'VIGIL_ERR_URL_TOO_LONG' },
    { what: 'a 10 KB service name', url: `/api/sla/${'a'.repeat(10_000)}/current`, code: 'VIGIL_ERR_URL_TOO_LONG' },
    { what: 'a 100-character unknown service', url: `/api/sla/${'b'.repeat(100)}/current`, code: 'VIGIL_ERR_UNKNOWN_SERVICE' },
    // Bad percent-encoding, in a parameter and in an unknown route.
    { what: 'a %zz escape', url: '/api/sla/%zz/current', code: 'VIGIL_ERR_BAD_URL' },
    { what: 'a cut-off escape', url: '/api/sla/abc%E0%A4%A/current', code: 'VIGIL_ERR_BAD_URL' },
    { what: 'a lone %', url: '/api/sla/%/current', code: 'VIGIL_ERR_BAD_URL' },
    { what: 'an overlong UTF-8 escape', url: '/api/sla/%C0%AF/current', code: 'VIGIL_ERR_BAD_URL' },
    { what: 'a bad escape on an unknown route', url: '/nope/%zz', code: 'VIGIL_ERR_BAD_URL' },
    // Unknown routes, short and long.
    { what: 'an unknown route', url: '/nope', code: 'VIGIL_ERR_NOT_FOUND' },
    { what: 'a 5000-character unknown route', url: `/${'u'.repeat(5000)}`, code: 'VIGIL_ERR_NOT_FOUND' },
    { what: 'a deep unknown route', url: '/api/sla/ml-services/current/extra', code: 'VIGIL_ERR_NOT_FOUND' },
    { what: 'an unknown service', url: '/api/sla/nope/current', code: 'VIGIL_ERR_UNKNOWN_SERVICE' },
    // Wrong methods on the read-only API.
    { what: 'DELETE /api/sla', method: 'DELETE', url: '/api/sla', code: 'VIGIL_ERR_NOT_FOUND' },
    { what: 'PUT a service', method: 'PUT', url: '/api/sla/ml-services/current', code: 'VIGIL_ERR_NOT_FOUND' },
    { what: 'PATCH /healthz', method: 'PATCH', url: '/healthz', code: 'VIGIL_ERR_NOT_FOUND' },
    { what: 'OPTIONS /metrics', method: 'OPTIONS', url: '/metrics', code: 'VIGIL_ERR_NOT_FOUND' },
    { what: 'GET /-/reload', url: '/-/reload', code: 'VIGIL_ERR_NOT_FOUND' },
    // Bad bodies on the one route that takes one.
    {
      what: 'a body that is not JSON',
      method: 'POST',
      url: '/-/reload',
      headers: { 'content-type': 'application/json' },
      body: '{nope',
      code: 'VIGIL_ERR_BAD_REQUEST',
    },
    {
      what: 'an empty JSON body',
      method: 'POST',
      url: '/-/reload',
      headers: { 'content-type': 'application/json' },
      body: '',
      code: 'VIGIL_ERR_BAD_REQUEST',
    },
    {
      what: 'a 100 KB body',
      method: 'POST',
      url: '/-/reload',
      headers: { 'content-type': 'application/json' },
      body: `"${'x'.repeat(100_000)}"`,
      code: 'VIGIL_ERR_BODY_TOO_LARGE',
    },
    {
      what: 'an XML body',
      method: 'POST',
      url: '/-/reload',
      headers: { 'content-type': 'application/xml' },
      body: '<reload/>',
      code: 'VIGIL_ERR_UNSUPPORTED_MEDIA_TYPE',
    },
    {
      what: 'a long content type',
      method: 'POST',
      url: '/-/reload',
      headers: { 'content-type': `application/${'x'.repeat(3000)}` },
      body: 'a',
      code: 'VIGIL_ERR_UNSUPPORTED_MEDIA_TYPE',
    },
    {
      what: 'JSON with __proto__',
      method: 'POST',
      url: '/-/reload',
      headers: { 'content-type': 'application/json' },
      body: '{"__proto__":{"x":1}}',
      code: 'VIGIL_ERR_BAD_REQUEST',
    },
    {
      what: 'a wrong token',
      method: 'POST',
      url: '/-/reload',
      headers: { authorization: 'Bearer nope' },
      code: 'VIGIL_ERR_RELOAD_FORBIDDEN',
    },
  ];

  it.each(cases)('$what -> $code', async ({ what, method, url, headers, body, code }) => {
    const res = await app.inject({
      method: method ?? 'GET',
      url,
      ...(headers ? { headers } : {}),
      ...(body !== undefined ? { payload: body } : {}),
    });
    expect(expectErrorContract(res.statusCode, res.body, what)).toBe(code);
  });

  it('keeps the contract for any path (seeded property: 2000 generated paths)', async () => {
    const segment = fc.oneof(
      fc.stringMatching(/^[a-z0-9-]{0,70}$/),
      fc.constantFrom('api', 'sla', 'current', 'ml-services', 'healthz', '-', 'reload', '..', '.', '', 'é'),
      fc.constantFrom('%', '%zz', '%E0%A4%A', '%C0%AF', '%2F', '%00', '%25', '%FF%FE'),
      fc.nat({ max: 12_000 }).map((n) => 'a'.repeat(n)),
      fc.string({ maxLength: 40 }).map(encodeURIComponent),
    );
    const path = fc.array(segment, { maxLength: 6 }).map((parts) => `/${parts.join('/')}`);
    const method = fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS');
    await fc.assert(
      fc.asyncProperty(path, method, async (url, verb) => {
        const res = await app.inject({ method: verb, url });
        if (res.statusCode < 400 || verb === 'HEAD') return;
        expectErrorContract(res.statusCode, res.body, `${verb} ${url.slice(0, 60)}`);
      }),
      { seed: 20_261_201, numRuns: 2000 },
    );
  }, 120_000);

  it('echoes a long path cut, not whole, and redacts what it echoes', async () => {
    const res = await app.inject({ url: `/${'u'.repeat(5000)}` });
    expect(res.json().message).toBe(`no route GET /${'u'.repeat(79)}... (5001 characters)`);
    const secret = await app.inject({ url: '/x/postgres:s3cretPW@db' });
    expect(secret.json().message).toBe('no route GET /x/postgres:***@db');
  });

  it('answers a failure inside vigil with 500 VIGIL_ERR_INTERNAL and a short message', async () => {
    const broken = {
      contentType: 'text/plain',
      metrics: async () => Promise.reject(new Error(`collect failed: ${'x'.repeat(5000)}`)),
    } as unknown as Registry;
    const failing = serverUnderTest(broken);
    try {
      const res = await failing.inject({ url: '/metrics' });
      expect(expectErrorContract(res.statusCode, res.body, 'a throwing collector')).toBe('VIGIL_ERR_INTERNAL');
    } finally {
      await failing.close();
    }
  });
});

describe('error answers over a real socket', () => {
  const app = serverUnderTest();
  let port = 0;
  beforeAll(async () => {
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
  });
  afterAll(() => app.close());

  const get = (target: string, extraHeaders = '') =>
    `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extraHeaders}Connection: close\r\n\r\n`;

  it.each([
    {
      what: 'a 20 KB header',
      request: get('/healthz', `X-Big: ${'b'.repeat(20_000)}\r\n`),
      status: 431,
      code: 'VIGIL_ERR_HEADERS_TOO_LARGE',
    },
    {
      what: 'a hundred 200-byte headers',
      request: get('/healthz', Array.from({ length: 100 }, (_, i) => `X-H${i}: ${'h'.repeat(200)}\r\n`).join('')),
      status: 431,
      code: 'VIGIL_ERR_HEADERS_TOO_LARGE',
    },
    { what: 'a 20 KB URL', request: get(`/api/sla/${'a'.repeat(20_000)}/current`), status: 431, code: 'VIGIL_ERR_HEADERS_TOO_LARGE' },
    { what: 'a 10 KB service name', request: get(`/api/sla/${'a'.repeat(10_000)}/current`), status: 414, code: 'VIGIL_ERR_URL_TOO_LONG' },
    { what: 'a bad escape', request: get('/api/sla/%zz/current'), status: 400, code: 'VIGIL_ERR_BAD_URL' },
    { what: 'a line that is not HTTP', request: 'GARBAGE\r\n\r\n', status: 400, code: 'VIGIL_ERR_BAD_REQUEST' },
    { what: 'an unknown method', request: get('/api/sla').replace(/^GET/, 'FOO'), status: 400, code: 'VIGIL_ERR_BAD_REQUEST' },
    { what: 'a control character in the path', request: get('/api/sla/\u0001x/current'), status: 400, code: 'VIGIL_ERR_BAD_REQUEST' },
  ])('$what -> $status $code', async ({ what, request, status, code }) => {
    const res = await rawHttp(port, request);
    expect(res.status, what).toBe(status);
    expect(res.head, what).toMatch(/\r\ncontent-type: application\/json/i);
    expect(expectErrorContract(res.status, res.body, what)).toBe(code);
  });

  it('still serves after the hostile requests', async () => {
    const res = await rawHttp(port, get('/healthz'));
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ status: 'ok' });
  });
});
