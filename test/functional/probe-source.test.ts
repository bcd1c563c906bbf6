// The probe source against a real local HTTP server: up, down, hanging, refused.
import { createServer, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedSloFile } from '../../src/config/config.js';
import { sloFileSchema } from '../../src/config/slo-schema.js';
import { ProbeSource } from '../../src/sources/probe/probe-source.js';
import { freePort } from '../harness/services.js';

function sloFile(objectives: unknown[]): LoadedSloFile {
  return {
    path: 'slo/ml.yaml',
    slo: sloFileSchema.parse({ apiVersion: 'vigil/v1', kind: 'ServiceLevels', service: 'ml-services', objectives }),
  };
}

describe('probe source', () => {
  let server: Server;
  let base: string;
  const hanging = new Set<ServerResponse>();
  const seen: Array<{ method: string; url: string; body: string; header: string | undefined }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', body, header: req.headers['x-probe'] as string | undefined });
        if (req.url === '/ok') res.writeHead(200).end('fine');
        else if (req.url === '/slow') setTimeout(() => res.writeHead(200).end('late but fine'), 150);
        else if (req.url === '/fail') res.writeHead(500).end('boom');
        else if (req.url === '/moved') res.writeHead(302, { location: '/fail' }).end();
        else if (req.url === '/created') res.writeHead(201).end();
        else if (req.url === '/hang')
          hanging.add(res); // never answers
        else res.writeHead(404).end();
      });
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('200 is success, 500 failure, a hang a timeout failure, refused a failure; all are data points', async () => {
    const refusedPort = await freePort();
    const files = [
      sloFile([
        { name: 'ok', indicator: { probe: { path: '/ok' } }, target: '99%' },
        { name: 'slow', indicator: { probe: { path: '/slow' } }, target: '99%' },
        { name: 'fail', indicator: { probe: { path: '/fail' } }, target: '99%' },
        { name: 'moved', indicator: { probe: { path: '/moved' } }, target: '99%' },
        { name: 'hang', indicator: { probe: { path: '/hang', timeout: '300ms' } }, target: '99%' },
        { name: 'refused', indicator: { probe: { url: `http://127.0.0.1:${refusedPort}/x` } }, target: '99%' },
        {
          name: 'post',
          indicator: { probe: { path: '/created', method: 'POST', body: 'ping', headers: { 'x-probe': 'vigil' }, expectStatus: [201] } },
          target: '99%',
        },
      ]),
    ];
    const source = new ProbeSource('default', { baseUrl: base, timeout: 5_000 }, files);
    const started = Date.now();
    const result = await source.sample(AbortSignal.timeout(10_000));
    const took = Date.now() - started;

    const by = (url: string, metric: string) => result.points.find((p) => p.labels.url === url && p.metric === metric)?.value;
    expect(by(`${base}/ok`, 'probe_success')).toBe(1);
    expect(by(`${base}/slow`, 'probe_success')).toBe(1);
    expect(by(`${base}/fail`, 'probe_success')).toBe(0);
    expect(by(`${base}/moved`, 'probe_success')).toBe(1); // a 302 is judged as itself, not followed
    expect(by(`${base}/hang`, 'probe_success')).toBe(0);
    expect(by(`http://127.0.0.1:${refusedPort}/x`, 'probe_success')).toBe(0);
    expect(by(`${base}/created`, 'probe_success')).toBe(1);

    // latency of each probe, in seconds
    expect(by(`${base}/slow`, 'probe_duration_seconds')).toBeGreaterThanOrEqual(0.14);
    expect(by(`${base}/slow`, 'probe_duration_seconds')).toBeLessThan(2);
    expect(by(`${base}/ok`, 'probe_duration_seconds')).toBeLessThan(by(`${base}/slow`, 'probe_duration_seconds')!);
    const hang = by(`${base}/hang`, 'probe_duration_seconds')!;
    expect(hang).toBeGreaterThanOrEqual(0.29);
    expect(hang).toBeLessThan(1.5);
    expect(took).toBeLessThan(3_000); // probes ran in parallel, the hang bounded by its timeout

    for (const p of result.points) expect(Object.keys(p.labels).sort()).toEqual(['source', 'url']);

    const reasons = Object.fromEntries(source.lastOutcomes().map((o) => [o.url.replace(base, ''), o.reason]));
    expect(reasons['/ok']).toBeNull();
    expect(reasons['/fail']).toMatch(/unexpected status 500/);
    expect(reasons['/hang']).toBe('timed out after 300 ms');
    expect(source.lastOutcomes().find((o) => o.url.includes(String(refusedPort)))?.reason).toMatch(/ECONNREFUSED/);

    const post = seen.find((s) => s.url === '/created')!;
    expect(post).toEqual({ method: 'POST', url: '/created', body: 'ping', header: 'vigil' });
    await source.close();
  });
});
