// The API front thread (src/server/api-front.ts), run from the compiled build (dist/, where its
// worker script exists) inside this test process: the hot routes answer what the daemon's own
// app answers, the other routes are passed to that app, the front keeps answering while the
// daemon's thread is blocked, a front thread that dies is started again, and stop closes it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as DaemonModule from '../../src/daemon/daemon.js';
import type * as FrontModule from '../../src/server/api-front.js';
import type * as ServerModule from '../../src/server/build-server.js';
import { waitFor } from '../harness/services.js';

const DIST = new URL('../../dist/', import.meta.url);
const { Daemon } = (await import(new URL('daemon/daemon.js', DIST).href)) as typeof DaemonModule;
const { ApiFront } = (await import(new URL('server/api-front.js', DIST).href)) as typeof FrontModule;
const { buildServer } = (await import(new URL('server/build-server.js', DIST).href)) as typeof ServerModule;

const TOKEN = 'front-test-reload-token-0123456789';
const SERVICES = ['checkout', 'search'];

let dir: string;
let target: Server;
let daemon: DaemonModule.Daemon;
const logs: string[] = [];

/** The daemon's own app, which the front passes requests to (private: reached for the comparison). */
const appOf = (d: DaemonModule.Daemon) => (d as unknown as { server: FastifyInstance }).server;
const frontOf = (d: DaemonModule.Daemon) => (d as unknown as { front: { worker: Worker | null } | null }).front;

function writeFleet(apiThread: boolean): string {
  const folder = mkdtempSync(join(tmpdir(), 'vigil-front-'));
  mkdirSync(join(folder, 'slo'));
  const port = (target.address() as { port: number }).port;
  writeFileSync(
    join(folder, 'vigil.yaml'),
    [
      'listen: { host: 127.0.0.1, port: 0 }',
      `apiThread: ${apiThread}`,
      'slo: [slo]',
      'dataDir: data',
      // One snapshot for the whole test: both servers answer from the same one.
      'evaluateEvery: 1h',
      `reloadToken: ${TOKEN}`,
      'sources:',
      `  probe: { default: { baseUrl: 'http://127.0.0.1:${port}', schedule: '* * * * * *', timeout: 1s } }`,
      '',
    ].join('\n'),
  );
  for (const service of SERVICES) {
    writeFileSync(
      join(folder, 'slo', `${service}.yaml`),
      [
        'apiVersion: vigil/v1',
        'kind: ServiceLevels',
        `service: ${service}`,
        'objectives:',
        '  - { name: up, indicator: { probe: { path: /health } }, target: 99% }',
        '',
      ].join('\n'),
    );
  }
  return folder;
}

async function startDaemon(apiThread: boolean): Promise<DaemonModule.Daemon> {
  const folder = writeFleet(apiThread);
  dir = folder;
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(line) });
  return Daemon.start({ configPath: join(folder, 'vigil.yaml'), watch: false, logger });
}

/** A request through the listening socket and the same request to the daemon's app. */
async function both(path: string, init: { method?: string; headers?: Record<string, string> } = {}) {
  const viaSocket = await fetch(`${daemon.url}${path}`, init);
  const socketBody = Buffer.from(await viaSocket.arrayBuffer());
  const direct = await appOf(daemon).inject({ method: (init.method ?? 'GET') as 'GET', url: path, headers: init.headers ?? {} });
  return { viaSocket, socketBody, direct };
}

const HEADERS = ['content-type', 'etag', 'cache-control'];

beforeAll(async () => {
  target = createServer((_req, res) => res.writeHead(200).end('ok'));
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  daemon = await startDaemon(true);
});

afterAll(async () => {
  await daemon?.stop();
  await new Promise((r) => target?.close(r));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the API front thread', () => {
  it('is used when the compiled worker exists, and answers the hot routes as the daemon app does', async () => {
    expect(frontOf(daemon)?.worker).toBeInstanceOf(Worker);
    for (const path of ['/api/sla', ...SERVICES.map((s) => `/api/sla/${s}/current`), '/api/sla/nope/current']) {
      const { viaSocket, socketBody, direct } = await both(path);
      expect(viaSocket.status, path).toBe(direct.statusCode);
      expect(socketBody.equals(direct.rawPayload), path).toBe(true);
      for (const h of HEADERS) expect(viaSocket.headers.get(h), `${path} ${h}`).toBe(direct.headers[h] ?? null);
    }
    const list = (await (await fetch(`${daemon.url}/api/sla`)).json()) as { services: Array<{ service: string }> };
    expect(list.services.map((s) => s.service).sort()).toEqual(SERVICES);
    const unknown = (await (await fetch(`${daemon.url}/api/sla/nope/current`)).json()) as { code: string; message: string };
    expect(unknown.code).toBe('VIGIL_ERR_UNKNOWN_SERVICE');
    expect(unknown.message).toContain('checkout, search');
  });

  it('answers 304 to a poll with the current ETag', async () => {
    for (const path of ['/api/sla', '/api/sla/checkout/current']) {
      const first = await fetch(`${daemon.url}${path}`);
      const etag = first.headers.get('etag')!;
      expect(etag).toMatch(/^W\/"\d+"$/);
      const again = await fetch(`${daemon.url}${path}`, { headers: { 'if-none-match': etag } });
      expect(again.status).toBe(304);
      expect(again.headers.get('etag')).toBe(etag);
      expect((await again.arrayBuffer()).byteLength).toBe(0);
    }
  });

  it('passes every other route to the daemon app: status page, /metrics, /readyz, openapi, reload, unknown paths', async () => {
    const page = await fetch(`${daemon.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('checkout');
    const metrics = await fetch(`${daemon.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('vigil_');
    for (const path of ['/readyz', '/healthz', '/openapi.json', '/no/such/route', '/api/sla/checkout/objectives/up/history']) {
      const { viaSocket, socketBody, direct } = await both(path);
      expect(viaSocket.status, path).toBe(direct.statusCode);
      expect(viaSocket.headers.get('content-type'), path).toBe(direct.headers['content-type'] ?? null);
      if (!path.includes('history')) expect(socketBody.equals(direct.rawPayload), path).toBe(true);
    }
    const refused = await fetch(`${daemon.url}/-/reload`, {
      method: 'POST',
      headers: { authorization: 'Bearer wrong-token-wrong-token-000' },
    });
    expect(refused.status).toBe(403);
    // The daemon's log names the client's address, as it did when it listened itself.
    expect(logs.some((l) => l.includes('reload refused') && l.includes('"ip":"127.0.0.1"'))).toBe(true);
    const reloaded = await fetch(`${daemon.url}/-/reload`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(reloaded.status).toBe(200);
    expect(((await reloaded.json()) as { services: string[] }).services.sort()).toEqual(SERVICES);
    // A body over the reload route's limit is judged by the daemon app, as before.
    const big = await fetch(`${daemon.url}/-/reload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(4000) }),
    });
    expect(big.status).toBe(413);
  });

  it('answers /current while the daemon thread is blocked; a passed-on route waits for it', async () => {
    const base = daemon.url;
    await waitFor(async () => (await fetch(`${base}/api/sla/checkout/current`)).status === 200, { timeoutMs: 10_000, what: 'front fed' });
    // 0: go, 1: /current's status, 2: /readyz's status (0 while unanswered).
    const flags = new Int32Array(new SharedArrayBuffer(12));
    const client = new Worker(
      `const { workerData } = require('node:worker_threads');
       const flags = new Int32Array(workerData.flags);
       (async () => {
         while (Atomics.load(flags, 0) === 0) await new Promise((r) => setTimeout(r, 2));
         fetch(workerData.base + '/readyz').then(async (r) => { await r.arrayBuffer(); Atomics.store(flags, 2, r.status); });
         const r = await fetch(workerData.base + '/api/sla/checkout/current');
         await r.arrayBuffer();
         Atomics.store(flags, 1, r.status);
         Atomics.notify(flags, 1);
       })();`,
      { eval: true, workerData: { flags: flags.buffer, base } },
    );
    await new Promise((r) => client.once('online', r));
    Atomics.store(flags, 0, 1);
    // This thread is the daemon's: blocked here until the client has its /current answer.
    Atomics.wait(flags, 1, 0, 60_000);
    const readyzDuringBlock = Atomics.load(flags, 2);
    expect(Atomics.load(flags, 1)).toBe(200);
    expect(readyzDuringBlock).toBe(0);
    await waitFor(() => Atomics.load(flags, 2) !== 0, { timeoutMs: 10_000, what: '/readyz answered after the block' });
    expect(Atomics.load(flags, 2)).toBe(200);
    await client.terminate();
  });

  it('starts a front thread that died again, logging it, and answers again', async () => {
    const front = frontOf(daemon)!;
    await front.worker!.terminate();
    await waitFor(async () => logs.some((l) => l.includes('API front thread exited')), { timeoutMs: 5_000, what: 'the exit logged' });
    await waitFor(
      async () =>
        fetch(`${daemon.url}/api/sla/search/current`)
          .then((r) => r.status === 200)
          .catch(() => false),
      { timeoutMs: 15_000, what: 'the restarted front answering' },
    );
    expect(logs.some((l) => l.includes('API front thread restarted'))).toBe(true);
  });

  it('answers 503 on the hot routes before the first snapshot, as the daemon app does', async () => {
    const app = buildServer({ getSnapshot: () => null, metricsRegistry: (await import('prom-client')).register });
    const front = new ApiFront({ app, shard: () => null, logger: pino({ level: 'silent' }) });
    const url = await front.listen('127.0.0.1', 0);
    try {
      for (const path of ['/api/sla', '/api/sla/checkout/current', '/readyz']) {
        const res = await fetch(`${url}${path}`);
        const direct = await app.inject({ url: path });
        expect(res.status, path).toBe(503);
        expect(Buffer.from(await res.arrayBuffer()).equals(direct.rawPayload), path).toBe(true);
      }
    } finally {
      await front.close();
      await app.close();
    }
  });

  it('stop closes the front: the port refuses connections and the thread has ended', async () => {
    const url = daemon.url;
    const front = frontOf(daemon)!;
    await daemon.stop();
    expect(front.worker).toBeNull();
    await expect(fetch(`${url}/api/sla`)).rejects.toThrow();
  });

  it('with apiThread: false the daemon listens itself, as before', async () => {
    const inProcess = await startDaemon(false);
    try {
      expect(frontOf(inProcess)).toBeNull();
      const res = await fetch(`${inProcess.url}/api/sla/checkout/current`);
      expect(res.status).toBe(200);
    } finally {
      await inProcess.stop();
    }
  });
});
