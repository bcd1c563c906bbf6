import fc from 'fast-check';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../../src/server/build-server.js';
import { healthySnapshot } from '../server/server-fixtures.js';
import { countedAsync, expectCleanMessage, FUZZ_RUNS, FUZZ_SEED, FUZZ_TIMEOUT_MS, fuzzCounts } from './fuzz-support.js';

// Issue 12 item 22: the API's path handling takes any URL. Every answer is a known status, and
// every error answer is the documented `{error, code, message}` with a short message.

const app = buildServer({
  getSnapshot: () => healthySnapshot(),
  metricsRegistry: new Registry(),
  reloadToken: 'a-token-of-16-characters',
  reload: async () => ({ ok: true, services: [] }),
});
beforeAll(() => app.ready());
afterAll(async () => {
  await app.close();
  console.log(`fuzz counts: ${[...fuzzCounts].map(([k, v]) => `${k} ${v}`).join(', ')}`);
});

const segment = fc.oneof(
  fc.constantFrom(
    'api',
    'sla',
    'current',
    'ml-services',
    'history',
    'healthz',
    'readyz',
    'metrics',
    'openapi.json',
    '-',
    'reload',
    '..',
    '.',
    '',
    '%',
    '%2F',
    '%zz',
    '%00',
    '%E2%82',
    '%C0%AF',
    '?',
    '#',
    ';',
    '*',
    '~',
  ),
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
  fc.string({ maxLength: 8 }),
  fc.integer({ min: 90, max: 20_000 }).map((n) => 'a'.repeat(n)),
);
const path = fc.array(segment, { minLength: 1, maxLength: 6 }).map((s) => `/${s.join('/')}`);
const query = fc.option(
  fc.string({ maxLength: 20 }).map((q) => `?${q}`),
  { nil: '' },
);
const method = fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH');

describe('fuzz: API path handling', () => {
  it(
    'any path and method: a known status; errors in the documented shape, short',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.tuple(method, path, query),
          countedAsync('api.paths', async ([m, p, q]: [string, string, string]) => {
            let res;
            try {
              res = await app.inject({ method: m as 'GET', url: p + q });
            } catch (err) {
              // inject refuses a URL no client could send (a space, a control character): not the server's answer.
              expect(String(err)).toMatch(/Invalid URL|ERR_INVALID|URL|character/i);
              return;
            }
            expect([200, 204, 400, 403, 404, 405, 408, 413, 414, 415, 422, 431, 503]).toContain(res.statusCode);
            if (res.statusCode >= 400 && m !== 'HEAD') {
              const body = res.json() as { error: string; code: string; message: string };
              expect(Object.keys(body).sort()).toEqual(['code', 'error', 'message']);
              expect(body.code).toMatch(/^VIGIL_ERR_[A-Z_]+$/);
              expectCleanMessage(body.message, 400);
            }
          }),
        ),
        { seed: FUZZ_SEED, numRuns: FUZZ_RUNS },
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});
