// The prometheus source's `tls:` options against a real https endpoint: a loopback https reverse
// proxy in front of the harness Prometheus, with a CA, server and client certificates made by
// the openssl CLI at test time. With the CA it reads; without it (or with the wrong name, or
// without the client certificate the server wants) the sample fails with VIGIL_ERR_SOURCE_TLS,
// naming the certificate problem and the setting that fixes it, and the runner reports the
// source down without stopping; the bearer token and the client key never appear in any of it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daemonConfigSchema } from '../../src/config/daemon-schema.js';
import { sloFileSchema } from '../../src/config/slo-schema.js';
import { SHIPPED_WINDOW_SETS } from '../../src/config/window-sets.js';
import { describeError } from '../../src/core/describe-error.js';
import { ERR, isVigilError } from '../../src/core/errors.js';
import { PrometheusSource } from '../../src/sources/prometheus/prometheus-source.js';
import { SourceRunner } from '../../src/sources/source-runner.js';
import { SampleStore } from '../../src/store/sample-store.js';
import { testServices } from '../harness/services.js';
import { makeTestPki, startTlsProxy, type TestPki, type TlsProxy } from '../harness/tls-proxy.js';

const TOKEN = 'tls-test-token-5d1e0b7a';

let dir: string;
let pki: TestPki;
let proxy: TlsProxy;
let mtlsProxy: TlsProxy;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-tls-'));
  pki = await makeTestPki(dir);
  const upstream = testServices().prometheus.url;
  proxy = await startTlsProxy({ upstream, pki, bearer: TOKEN });
  mtlsProxy = await startTlsProxy({ upstream, pki, bearer: TOKEN, requireClientCert: true });
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await mtlsProxy?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A prometheus source `tls` reading one constant objective through `url`, with a bearer token. */
function source(url: string, tls?: Record<string, unknown>, bearer = TOKEN): PrometheusSource {
  const config = daemonConfigSchema.parse({
    sources: { prometheus: { secure: { url, auth: { bearer }, timeout: '10s', ...(tls ? { tls } : {}) } } },
  }).sources.prometheus.secure!;
  const slo = sloFileSchema.parse({
    apiVersion: 'vigil/v1',
    kind: 'ServiceLevels',
    service: 'shop',
    objectives: [{ name: 'constant', indicator: { promql: { source: 'secure', query: 'vector(0.25)' } }, threshold: { max: 1 } }],
  });
  return new PrometheusSource('secure', config, [{ path: 'slo/shop.yaml', slo }], SHIPPED_WINDOW_SETS);
}

async function read(s: PrometheusSource): Promise<number | undefined> {
  return (await s.sample(AbortSignal.timeout(15_000))).points[0]?.value;
}

async function failure(s: PrometheusSource): Promise<unknown> {
  return s.sample(AbortSignal.timeout(15_000)).then(
    () => {
      throw new Error('expected the sample to fail');
    },
    (err: unknown) => err,
  );
}

/** Every way an error reaches a person or a log: its message, the runner's line, its full inspection. */
function allText(err: unknown): string {
  return [String(err), describeError(err), inspect(err, { depth: 10, showHidden: true })].join('\n');
}

function expectNoSecrets(text: string): void {
  expect(text).not.toContain(TOKEN);
  // The client key's body (any 40 characters of it) appears nowhere.
  const keyBody = readFileSync(pki.clientKey, 'utf8').split('\n')[1]!;
  expect(keyBody.length).toBeGreaterThan(40);
  expect(text).not.toContain(keyBody.slice(0, 40));
}

describe('prometheus source over https (tls options)', () => {
  it('with tls.caFile it reads through the proxy', async () => {
    expect(await read(source(proxy.url, { caFile: pki.caFile }))).toBe(0.25);
    expect(proxy.forwarded()).toBeGreaterThan(0);
  });

  it('without the CA: a catalogued error naming the certificate problem, reported by the runner, not fatal', async () => {
    const before = proxy.forwarded();
    const untrusted = source(proxy.url);
    const err = await failure(untrusted);
    expect(isVigilError(err, ERR.VIGIL_ERR_SOURCE_TLS)).toBe(true);
    expect((err as Error).message).toBe(
      `prometheus secure (${proxy.url}): TLS UNABLE_TO_VERIFY_LEAF_SIGNATURE: the server's certificate is not signed by a CA vigil trusts: set tls.caFile to the CA that signed it`,
    );
    expect(proxy.forwarded()).toBe(before);
    expectNoSecrets(allText(err));

    // Through the runner, as the daemon runs it: the source is down with that reason, and the
    // runner goes on (a later sample of a well-configured source still reads).
    const warnings: string[] = [];
    const store = new SampleStore({ retentionMs: 86_400_000, maxPointsPerSeries: 100 });
    const runner = new SourceRunner(untrusted, store, { timeoutMs: 15_000, intervalMs: 1000, warn: (m) => warnings.push(m) });
    expect(await runner.run(true)).toBe('failed');
    const health = runner.health();
    expect(health).toMatchObject({ up: false, consecutiveFailures: 1 });
    expect(health.lastError).toMatch(/^VIGIL_ERR_SOURCE_TLS: prometheus secure .*not signed by a CA vigil trusts/);
    expectNoSecrets(`${health.lastError}\n${warnings.join('\n')}`);
    const good = new SourceRunner(source(proxy.url, { caFile: pki.caFile }), store, { timeoutMs: 15_000, intervalMs: 1000 });
    expect(await good.run(true)).toBe('ok');
  });

  it('insecureSkipVerify reads without the CA', async () => {
    expect(await read(source(proxy.url, { insecureSkipVerify: true }))).toBe(0.25);
  });

  it('serverName is the name verified: the certificate name reads, another is refused', async () => {
    expect(await read(source(proxy.url, { caFile: pki.caFile, serverName: pki.serverName }))).toBe(0.25);
    const err = await failure(source(proxy.url, { caFile: pki.caFile, serverName: 'other.vigil.test' }));
    expect(isVigilError(err, ERR.VIGIL_ERR_SOURCE_TLS)).toBe(true);
    expect((err as Error).message).toMatch(/TLS ERR_TLS_CERT_ALTNAME_INVALID: the server's certificate does not carry the name asked for/);
    expectNoSecrets(allText(err));
  });

  it('a server that wants a client certificate: refused without one, read with tls.certFile and keyFile', async () => {
    const err = await failure(source(mtlsProxy.url, { caFile: pki.caFile }));
    expect(isVigilError(err, ERR.VIGIL_ERR_SOURCE_TLS)).toBe(true);
    expect((err as Error).message).toMatch(/client certificate/);
    expectNoSecrets(allText(err));
    expect(await read(source(mtlsProxy.url, { caFile: pki.caFile, certFile: pki.clientCert, keyFile: pki.clientKey }))).toBe(0.25);
  });

  it('a wrong token over good TLS is a query error that does not show the token', async () => {
    const wrong = source(proxy.url, { caFile: pki.caFile }, `${TOKEN}-wrong`);
    const result = await wrong.sample(AbortSignal.timeout(15_000));
    expect(result.points).toEqual([]);
    const errors = wrong.queryErrors();
    expect(errors.map((e) => e.code)).toEqual([ERR.VIGIL_ERR_PROMQL_QUERY]);
    expect(errors[0]!.message).toMatch(/HTTP 401/);
    expect(inspect(errors, { depth: 10 })).not.toContain(TOKEN);
  });
});
