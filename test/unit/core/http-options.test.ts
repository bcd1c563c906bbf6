import { describe, expect, it } from 'vitest';
import { daemonConfigSchema } from '../../../src/config/daemon-schema.js';
import { httpEndpoint, requestHeaders } from '../../../src/core/http-credentials.js';

const prometheus = (extra: Record<string, unknown>) =>
  daemonConfigSchema.safeParse({ sources: { prometheus: { mimir: { url: 'https://mimir.example/prometheus', ...extra } } } });

describe('Prometheus source headers and TLS', () => {
  it('takes a tenant header beside bearer credentials; the credentials win over a same-named extra', () => {
    const parsed = prometheus({ auth: { bearer: 't0k3n' }, headers: { 'X-Scope-OrgID': 'team-a' } });
    expect(parsed.success).toBe(true);
    const endpoint = httpEndpoint('https://mimir.example/prometheus', { bearer: 't0k3n' });
    expect(requestHeaders(endpoint, { 'X-Scope-OrgID': 'team-a' })).toEqual({ 'X-Scope-OrgID': 'team-a', authorization: 'Bearer t0k3n' });
  });

  it('refuses an Authorization header among the extras (credentials go in auth)', () => {
    const parsed = prometheus({ headers: { AUTHORIZATION: 'Bearer x1' } });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.message).toMatch(/auth/);
  });

  it('takes TLS options; a client certificate needs its key', () => {
    expect(prometheus({ tls: { caFile: '/etc/ssl/ca.pem', serverName: 'mimir' } }).success).toBe(true);
    const half = prometheus({ tls: { certFile: '/etc/ssl/client.pem' } });
    expect(half.success).toBe(false);
    expect(half.error!.issues[0]!.message).toMatch(/certFile and keyFile together/);
  });
});
