// Issue 12 item 4: a POST announcing a body and sending one byte every few seconds stayed open
// for ever; hundreds of them starved /healthz and the store's file descriptors. Requests now
// have header, request and idle timeouts, the server caps connections, and bodies are small.
import { connect, type Socket } from 'node:net';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/server/build-server.js';
import { openCount, slowBodyClients, timedGet } from '../support/slow-clients.js';

const LIMITS = {
  headersTimeoutMs: 800,
  requestTimeoutMs: 1_500,
  idleTimeoutMs: 5_000,
  keepAliveTimeoutMs: 1_000,
  maxConnections: 60,
  checkIntervalMs: 200,
};

let app: ReturnType<typeof buildServer> | null = null;
/** Every client socket a test opened: destroyed afterwards, so a failing test cannot hang the close. */
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await app?.close();
  app = null;
});

async function serve() {
  app = buildServer({
    getSnapshot: () => null,
    metricsRegistry: new Registry(),
    reload: async () => ({ ok: true, services: [] }),
    reloadToken: 'a-token-of-16-characters',
    limits: LIMITS,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('slow clients', () => {
  for (const path of ['/-/reload', '/api/sla', '/no-such-route']) {
    it(`slow-body POSTs to ${path} are answered 408 and closed; /healthz answers meanwhile`, async () => {
      const port = await serve();
      const clients = slowBodyClients(port, 40, { path, contentLength: 900, everyMs: 250 });
      sockets.push(...clients.map((c) => c.socket));
      await sleep(300);
      const during = await timedGet(`http://127.0.0.1:${port}/healthz`);
      expect(during.status).toBe(200);
      // Past the request timeout plus one check interval (and margin for a loaded machine).
      await sleep(LIMITS.requestTimeoutMs + 3 * LIMITS.checkIntervalMs + 1_000);
      expect(openCount(clients)).toBe(0);
      for (const c of clients) expect(c.status ?? '').toMatch(/^HTTP\/1\.1 (408|413)/);
    });
  }

  it('a client that never finishes its headers is closed', async () => {
    const port = await serve();
    const socket = connect({ host: '127.0.0.1', port });
    sockets.push(socket);
    let closed = false;
    socket.on('close', () => (closed = true));
    socket.on('error', () => undefined);
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const trickle = setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 200);
    await sleep(LIMITS.headersTimeoutMs + 3 * LIMITS.checkIntervalMs + 1_000);
    clearInterval(trickle);
    expect(closed).toBe(true);
  });

  it('connections past the cap are closed at once; the cap frees as they go', async () => {
    const port = await serve();
    const idle = Array.from({ length: LIMITS.maxConnections + 20 }, () => {
      const s = connect({ host: '127.0.0.1', port });
      sockets.push(s);
      const state = { closed: false };
      s.on('close', () => (state.closed = true));
      s.on('error', () => undefined);
      return { s, state };
    });
    await sleep(500);
    expect(idle.filter((c) => c.state.closed).length).toBeGreaterThanOrEqual(20);
    for (const c of idle) c.s.destroy();
    await sleep(200);
    expect((await timedGet(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });

  it('a body over the reload limit is refused with 413 before it is read', async () => {
    const port = await serve();
    const res = await fetch(`http://127.0.0.1:${port}/-/reload`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ x: 'y'.repeat(2_000) }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'VIGIL_ERR_BODY_TOO_LARGE', message: 'the request body is larger than 1024 bytes' });
  });
});
