import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LoadedSloFile } from '../../../src/config/config.js';
import { daemonConfigSchema, dockerSourceSchema } from '../../../src/config/daemon-schema.js';
import { sloFileSchema } from '../../../src/config/slo-schema.js';
import { hostEndpoint, httpEndpoint } from '../../../src/core/http-credentials.js';
import { indicatorQuery } from '../../../src/generate/indicator-queries.js';
import { dockerConnection } from '../../../src/sources/docker/docker-source.js';
import { probeTargets } from '../../../src/sources/probe/probe-targets.js';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('httpEndpoint', () => {
  it('lifts the userinfo out of the URL into a Basic header, decoding it, and keeps the rest as written', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z][a-z0-9_.-]{0,10}$/),
        fc.string({ minLength: 1, maxLength: 20 }),
        fc.constantFrom('http', 'https'),
        fc.constantFrom('127.0.0.1:9090', 'prom.example', '[::1]:8080'),
        fc.constantFrom('', '/', '/prometheus', '/metrics?x=1'),
        (user, password, scheme, host, rest) => {
          const url = `${scheme}://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}${rest}`;
          const endpoint = httpEndpoint(url);
          expect(endpoint.url).toBe(`${scheme}://${host}${rest}`);
          expect(endpoint.headers).toEqual({ authorization: basic(user, password) });
        },
      ),
      { seed: 20261201, numRuns: 1_000 },
    );
  });

  it('sends `auth` as configured, and nothing for a URL without credentials', () => {
    expect(httpEndpoint('http://h:9/x', { bearer: 't0ken' })).toEqual({ url: 'http://h:9/x', headers: { authorization: 'Bearer t0ken' } });
    expect(httpEndpoint('http://h:9/x', { basic: { username: 'u', password: 'p w' } }).headers).toEqual({
      authorization: basic('u', 'p w'),
    });
    expect(httpEndpoint('http://h:9/x')).toEqual({ url: 'http://h:9/x', headers: {} });
    // A token alone in the userinfo is the user name with an empty password, as curl sends it.
    expect(httpEndpoint('https://tok3n@h/').headers).toEqual({ authorization: basic('tok3n', '') });
    // An unencoded @ in the password: the userinfo ends at the last @ of the authority.
    expect(httpEndpoint('http://u:p@ss@h/x')).toEqual({ url: 'http://h/x', headers: { authorization: basic('u', 'p@ss') } });
  });

  it('splits a Docker host written as user:password@hostname', () => {
    expect(hostEndpoint('vigil:s3cret@127.0.0.1')).toEqual({ host: '127.0.0.1', headers: { authorization: basic('vigil', 's3cret') } });
    expect(hostEndpoint('127.0.0.1')).toEqual({ host: '127.0.0.1', headers: {} });
    const options = dockerConnection(dockerSourceSchema.parse({ host: 'vigil:s3cret@127.0.0.1', port: 2375 }));
    expect(options).toMatchObject({ host: '127.0.0.1', port: 2375, headers: { authorization: basic('vigil', 's3cret') } });
  });
});

describe('credentials in the daemon config', () => {
  it('takes auth on every HTTP-based source and on Alertmanager', () => {
    const parsed = daemonConfigSchema.parse({
      sources: {
        prometheus: { p: { url: 'http://h:9090', auth: { bearer: 'x1' } } },
        scrape: { s: { url: 'http://h:1/metrics', auth: { basic: { username: 'u', password: 'p' } } } },
        probe: { w: { baseUrl: 'http://h:2', auth: { bearer: 'x2' } } },
        docker: { d: { host: 'h', port: 2375, auth: { bearer: 'x3' } } },
      },
      alertmanager: { urls: ['http://h:9093'], auth: { bearer: 'x4' } },
    });
    expect(parsed.alertmanager.auth).toEqual({ bearer: 'x4' });
  });

  it('refuses credentials both in auth and in the URL, and auth with neither or both kinds', () => {
    const paths = (input: unknown) =>
      daemonConfigSchema.safeParse(input).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(paths({ sources: { scrape: { s: { url: 'http://u:p@h/metrics', auth: { bearer: 'x' } } } } })).toEqual([
      'sources.scrape.s.auth: expected credentials either in `auth` or in `url`, not both',
    ]);
    expect(paths({ sources: { docker: { d: { host: 'u:p@h', auth: { bearer: 'x' } } } } })).toEqual([
      'sources.docker.d.auth: expected credentials either in `auth` or in `host`, not both',
    ]);
    expect(paths({ alertmanager: { urls: ['http://a:9093', 'http://u:p@b:9093'], auth: { bearer: 'x' } } })).toEqual([
      'alertmanager.auth: expected credentials either in `auth` or in the `urls`, not both',
    ]);
    expect(paths({ alertmanager: { auth: {} } })).toEqual([
      'alertmanager.auth: expected exactly one of `basic: { username, password }` or `bearer: <token>`',
    ]);
    expect(paths({ alertmanager: { auth: { bearer: 'x', basic: { username: 'u', password: 'p' } } } })).toHaveLength(1);
  });
});

describe('probe targets with credentials', () => {
  const file = (objectives: unknown[]): LoadedSloFile =>
    ({
      path: 'a.yaml',
      slo: sloFileSchema.parse({ apiVersion: 'vigil/v1', kind: 'ServiceLevels', service: 'a', objectives }),
    }) as LoadedSloFile;

  it('labels probes by URLs without credentials and sends them as headers', () => {
    const files = [
      file([
        { name: 'home', indicator: { probe: { path: '/health' } }, target: '99%' },
        { name: 'other', indicator: { probe: { url: 'http://me:pw1@other:8/ping' } }, target: '99%' },
        { name: 'own', indicator: { probe: { path: '/own', headers: { Authorization: 'Bearer mine' } } }, target: '99%' },
      ]),
    ];
    const { targets, problems } = probeTargets('default', 'http://svc:pw0@web:80', 1000, files);
    expect(problems).toEqual([]);
    expect(targets.map((t) => [t.url, t.headers])).toEqual([
      ['http://web:80/health', { authorization: basic('svc', 'pw0') }],
      ['http://other:8/ping', { authorization: basic('me', 'pw1') }],
      ['http://web:80/own', { Authorization: 'Bearer mine' }],
    ]);
  });
});

describe('generated rules for a probe URL with credentials', () => {
  it('select the series by the URL the probe source labels it with, without the credentials', () => {
    const slo = sloFileSchema.parse({
      apiVersion: 'vigil/v1',
      kind: 'ServiceLevels',
      service: 'a',
      objectives: [{ name: 'up', indicator: { probe: { url: 'https://vigil:s3cretPW@web.internal/health' } }, target: '99%' }],
    });
    const query = indicatorQuery(slo.objectives[0]!);
    const text = JSON.stringify(query.absent);
    expect(text).toContain('url=\\"https://web.internal/health\\"');
    expect(text).not.toContain('s3cretPW');
  });
});
