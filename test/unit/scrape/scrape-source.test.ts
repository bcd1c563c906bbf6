import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ScrapeSource } from '../../../src/sources/scrape/scrape-source.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A loopback target answering with whatever `respond` gives. */
async function target(respond: (n: number) => { status?: number; body: string; delayMs?: number }): Promise<string> {
  let n = 0;
  server = createServer((_req, res) => {
    const r = respond(++n);
    setTimeout(() => res.writeHead(r.status ?? 200, { 'content-type': 'text/plain; version=0.0.4' }).end(r.body), r.delayMs ?? 0);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
}

describe('ScrapeSource', () => {
  it('turns a scrape into scrape: points with one timestamp, and reports series that went away', async () => {
    const url = await target((n) => ({
      body: n === 1 ? 'a_total{code="200"} 1\na_total{code="500"} 2\n' : 'a_total{code="200"} 5\n',
    }));
    const source = new ScrapeSource('svc', { url, timeout: 2000 });
    const first = await source.sample(AbortSignal.timeout(5000));
    expect(first.points.map((p) => [p.metric, p.labels, p.value])).toEqual([
      ['scrape:a_total', { code: '200', source: 'svc' }, 1],
      ['scrape:a_total', { code: '500', source: 'svc' }, 2],
    ]);
    expect(new Set(first.points.map((p) => p.t)).size).toBe(1);
    expect(first.ended).toBeUndefined();
    const second = await source.sample(AbortSignal.timeout(5000));
    expect(second.points).toHaveLength(1);
    expect(second.ended).toEqual([{ metric: 'scrape:a_total', labels: { code: '500', source: 'svc' } }]);
    await source.close();
  });

  it('fails a sample on an HTTP error, a timeout, or a body that is not the format', async () => {
    const url = await target((n) =>
      n === 1 ? { status: 503, body: 'down' } : n === 2 ? { body: 'x 1', delayMs: 500 } : { body: '<html>' },
    );
    const source = new ScrapeSource('svc', { url, timeout: 200 });
    await expect(source.sample(AbortSignal.timeout(5000))).rejects.toThrow(/HTTP 503/);
    await expect(source.sample(AbortSignal.timeout(5000))).rejects.toThrow(expect.objectContaining({ code: 'VIGIL_ERR_SCRAPE_FAILED' }));
    await expect(source.sample(AbortSignal.timeout(5000))).rejects.toThrow(/line 1/);
  });

  it('reports a refused connection with the URL', async () => {
    const source = new ScrapeSource('svc', { url: 'http://127.0.0.1:1/metrics', timeout: 1000 });
    await expect(source.sample(AbortSignal.timeout(5000))).rejects.toThrow(/scrape svc \(http:\/\/127.0.0.1:1\/metrics\)/);
  });
});
