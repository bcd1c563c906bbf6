// Issue 13 (bad input): "a thousand open pages do not starve /api/sla". The status page polls
// /api/sla once per evaluation interval on a keep-alive connection. With the default interval
// (5 s) no page connection is ever idle long enough for the keep-alive timeout (5 s), so a
// thousand open pages held a thousand sockets: past the connection cap (512) every new client,
// an SRE's curl included, was closed at accept. Idle keep-alive sockets are now reclaimed when
// the server nears its cap, so an active request always finds room.
import { Agent, get } from 'node:http';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, HTTP_LIMITS } from '../../src/server/build-server.js';
import { objectiveResult, serviceSnapshot } from '../support/snapshot-builders.js';

const PAGES = 1_000;
/** Faster than the keep-alive timeout, as the page's poll at the default 5 s interval is. */
const POLL_MS = 4_000;
const RUN_MS = 14_000;

let app: ReturnType<typeof buildServer>;
let port = 0;

beforeAll(async () => {
  const snapshot = serviceSnapshot('ml-services', [objectiveResult({ name: 'uptime', kind: 'ratio', status: 'ok' })], Date.now());
  app = buildServer({
    getSnapshot: () => snapshot,
    metricsRegistry: new Registry(),
    reload: async () => ({ ok: true, services: [] }),
    reloadToken: 'a-token-of-16-characters',
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  port = address.port;
});
afterAll(async () => {
  app.server.closeAllConnections();
  await app.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One conditional poll on the page's own keep-alive socket: its status, or 0 when the connection failed. */
function poll(agent: Agent, etag: string | undefined): Promise<{ status: number; etag: string | undefined }> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = etag === undefined ? {} : { 'if-none-match': etag };
    const req = get({ host: '127.0.0.1', port, path: '/api/sla', agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, etag: (res.headers.etag as string | undefined) ?? etag }));
      res.on('error', () => resolve({ status: 0, etag }));
    });
    // The page aborts a poll after one interval; so does this one.
    req.setTimeout(POLL_MS, () => req.destroy());
    req.on('error', () => resolve({ status: 0, etag }));
  });
}

/** One GET on a new connection, as an SRE's curl makes it: its status (0: refused, reset or no answer in 10 s: a loaded machine is slow, a starved server refuses at once). */
function freshGet(): Promise<number> {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path: '/api/sla', agent: false, headers: { connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.setTimeout(10_000, () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/** A page left open: polls until `until`, as the status page's script does, and counts its answers. */
async function openPage(index: number, until: number): Promise<{ answered: number; failed: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const tally = { answered: 0, failed: 0 };
  let etag: string | undefined;
  await sleep((index / PAGES) * POLL_MS);
  while (Date.now() < until) {
    const answer = await poll(agent, etag);
    etag = answer.etag;
    if (answer.status === 200 || answer.status === 304) tally.answered += 1;
    else tally.failed += 1;
    await sleep(POLL_MS);
  }
  agent.destroy();
  return tally;
}

describe('a thousand open status pages', () => {
  it('hold fewer sockets than the cap, and a new client is answered throughout', async () => {
    expect(PAGES).toBeGreaterThan(HTTP_LIMITS.maxConnections);
    const until = Date.now() + RUN_MS;
    const pages = Array.from({ length: PAGES }, (_, i) => openPage(i, until));
    const fresh: number[] = [];
    let peakSockets = 0;
    await sleep(POLL_MS); // every page has opened its connection
    while (Date.now() < until - 1_000) {
      fresh.push(await freshGet());
      peakSockets = Math.max(peakSockets, await new Promise<number>((r) => app.server.getConnections((_e, n) => r(n))));
      await sleep(250);
    }
    const tallies = await Promise.all(pages);

    expect(fresh.length).toBeGreaterThan(10);
    expect(fresh.filter((status) => status !== 200)).toEqual([]);
    expect(peakSockets).toBeLessThan(HTTP_LIMITS.maxConnections);
    // Every page kept getting answers: a reclaimed idle socket costs a page at most the odd poll.
    expect(tallies.filter((t) => t.answered === 0)).toEqual([]);
    const answered = tallies.reduce((n, t) => n + t.answered, 0);
    const failed = tallies.reduce((n, t) => n + t.failed, 0);
    expect(failed / (answered + failed)).toBeLessThan(0.05);
  }, 60_000);
});
