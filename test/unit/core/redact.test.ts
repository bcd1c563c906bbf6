import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSecretBearingKey, redact, redactIssueMessage } from '../../../src/core/redact.js';

/**
 * The one redaction function: every way a credential is written in a URL, a connection string,
 * a header or a JSON body comes out without it, and text without credentials comes out as is.
 */

const SEED = 20261201;
const RUNS = 2_000;

// What a password can hold inside a URL's userinfo once percent-encoded, and as users type it
// (letters, digits and the sub-delimiters RFC 3986 allows unencoded).
const passwordChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&()*+,;=%'.split(''));
const password = fc.string({ unit: passwordChar, minLength: 6, maxLength: 24 }).filter((p) => /[0-9]/.test(p) && /[a-z]/i.test(p));
const user = fc.stringMatching(/^[a-z][a-z0-9_-]{0,11}$/);
const host = fc.constantFrom('127.0.0.1', 'db.internal', 'cache', '[::1]', 'prom.example.com');
const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined });
const scheme = fc.constantFrom('http', 'https', 'redis', 'rediss', 'postgres', 'postgresql', 'tcp', 'unix', 'amqp', 'mongodb+srv');
const path = fc.constantFrom('', '/', '/0', '/app?sslmode=require', '/api/v1/query', '/metrics#x');
const wrapper = fc.constantFrom(
  (u: string) => u,
  (u: string) => `connect ECONNREFUSED (${u})`,
  (u: string) => JSON.stringify({ level: 40, msg: 'failed', url: u }),
  (u: string) => `vigil_probe_success{source="web",url="${u}"} 1`,
  (u: string) => `redis cache (${u}): Connection is closed.`,
  (u: string) => `got "${u}", expected`,
);

describe('redact', () => {
  it('hides the password of a URL of any scheme, wherever the URL sits in the text', () => {
    fc.assert(
      fc.property(scheme, user, password, host, port, path, wrapper, (s, u, pw, h, p, rest, wrap) => {
        const url = `${s}://${u}:${pw}@${h}${p === undefined ? '' : `:${p}`}${rest}`;
        const out = redact(wrap(url));
        expect(out).not.toContain(pw);
        // The rest stays useful: the user and where it points.
        expect(out).toContain(`${u}:***@${h}`);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('hides a password-only or token-only userinfo, and one holding an unencoded @', () => {
    expect(redact('redis://:s3cretPW@cache:6379/0')).toBe('redis://:***@cache:6379/0');
    expect(redact('https://ghp_Tok3n@git.example/x')).toBe('https://***@git.example/x');
    expect(redact('http://me:p@ss9@host/x')).toBe('http://me:***@host/x');
    expect(redact('see http://a:b1@h1 and postgres://c:d2@h2/db')).toBe('see http://a:***@h1 and postgres://c:***@h2/db');
  });

  it('hides user:password@host without a scheme', () => {
    expect(redact('connect to vigil:hunter2@db:5432 failed')).toBe('connect to vigil:***@db:5432 failed');
  });

  it('hides secret-named pairs in query strings and connection strings', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(
          'password',
          'PASSWORD',
          'passwd',
          'pwd',
          'sslpassword',
          'token',
          'access_token',
          'api_key',
          'apikey',
          'client_secret',
        ),
        fc.stringMatching(/^[A-Za-z0-9_.~-]{6,20}$/).filter((v) => /[0-9]/.test(v)),
        fc.constantFrom(
          (k: string, v: string) => `http://h/x?user=a&${k}=${v}&b=1`,
          (k: string, v: string) => `host=db port=5432 ${k}=${v} dbname=app`,
          (k: string, v: string) => `host=db ${k}='${v} with space' dbname=app`,
          (k: string, v: string) => `Server=db;${k}=${v};Database=app`,
          (k: string, v: string) => `{${k}="${v}"}`,
        ),
        (key, value, build) => {
          expect(redact(build(key, value))).not.toContain(value);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('hides Authorization values and Bearer/Basic credentials', () => {
    const basic = Buffer.from('vigil:s3cretPW').toString('base64');
    expect(redact(`Authorization: Basic ${basic}`)).toBe('Authorization: Basic ***');
    expect(redact(`{"authorization":"Bearer abc.def-123"}`)).toBe('{"authorization":"Bearer ***"}');
    expect(redact('sent Bearer eyJhbGciOi.x_y-9 to it')).toBe('sent Bearer *** to it');
    // Prose stays prose.
    expect(redact('missing or wrong bearer token')).toBe('missing or wrong bearer token');
    expect(redact('basic auth needs a username')).toBe('basic auth needs a username');
    expect(redact('use basic auth. Or a bearer token.')).toBe('use basic auth. Or a bearer token.');
    expect(redact(`Basic ${Buffer.from('ab:cdefgh').toString('base64')} sent`)).toBe('Basic *** sent');
  });

  it('hides JSON fields named like a secret, at any depth', () => {
    const text = JSON.stringify({
      a: { password: 'p4ss "q"' },
      reloadToken: 'tok-123456789',
      list: [{ clientSecret: 'x1' }],
      name: 'kept',
    });
    const out = redact(text);
    expect(out).not.toMatch(/p4ss|tok-123456789|x1/);
    expect(JSON.parse(out)).toEqual({ a: { password: '***' }, reloadToken: '***', list: [{ clientSecret: '***' }], name: 'kept' });
  });

  it('leaves text without credentials exactly as it is, and is idempotent', () => {
    fc.assert(
      fc.property(scheme, host, port, path, (s, h, p, rest) => {
        const url = `${s}://${h}${p === undefined ? '' : `:${p}`}${rest}`;
        expect(redact(url)).toBe(url);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    const plain = [
      'sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))',
      'vigil_objective_status{service="a",objective="b"} 1',
      '{"service":"ml","labels":{"url":"http://127.0.0.1:8080/health"},"ratio":0.5}',
      'expected a duration like "5m", got "5 minutes"',
      'slo:sli_error:ratio_rate5m',
    ];
    for (const text of plain) expect(redact(text)).toBe(text);
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        const once = redact(text);
        expect(redact(once)).toBe(once);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

describe('config messages about secret-bearing keys', () => {
  it('knows which keys may hold a credential', () => {
    for (const path of [
      'sources.redis.cache.url',
      'alertmanager.urls[0]',
      'sources.probe.web.baseUrl',
      'sources.postgres.db.connectionString',
      'sources.docker.d.host',
      'reloadToken',
      'sources.scrape.s.auth.basic.password',
      'sources.prometheus.p.auth.bearer',
    ]) {
      expect(isSecretBearingKey(path), path).toBe(true);
    }
    for (const path of ['evaluateEvery', 'sources.redis.cache.schedule', 'store.maxPointsPerSeries', 'logLevel']) {
      expect(isSecretBearingKey(path), path).toBe(false);
    }
  });

  it('never quotes the rejected value of such a key', () => {
    const msg = redactIssueMessage('expected a redis:// or rediss:// URL, got "s3cretPW"', 'sources.redis.cache.url', 's3cretPW');
    expect(msg).not.toContain('s3cretPW');
    expect(msg).toContain('expected a redis:// or rediss:// URL');
    // Other keys keep their helpful echo.
    expect(redactIssueMessage('expected a duration like "5m", got "5 minutes"', 'evaluateEvery', '5 minutes')).toContain('"5 minutes"');
  });
});
