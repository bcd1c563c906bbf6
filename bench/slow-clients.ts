// `npm run bench:slow-clients`: the API under a slow-body attack, with its default limits.
// A child process serves the API (build-server with HTTP_LIMITS); this process opens 300
// connections that each POST a body of N bytes one byte every 10 s, and meanwhile asks /healthz
// twice a second on fresh connections. Reported: sockets the server still holds over time, how
// they ended (status line), and /healthz latency during the attack as a ratio to the same
// server's latency before it (baseline in the same run). Loopback only.
import { fork } from 'node:child_process';
import { Registry } from 'prom-client';
import { buildServer, HTTP_LIMITS } from '../src/server/build-server.js';
import { openCount, slowBodyClients, timedGet } from '../test/support/slow-clients.js';

const CLIENTS = 300;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function serve(): Promise<void> {
  const app = buildServer({
    getSnapshot: () => null,
    metricsRegistry: new Registry(),
    reload: async () => ({ ok: true, services: [] }),
    reloadToken: 'a-token-of-16-characters',
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? NaN;
}

let refused = 0;
async function healthLatencies(port: number, ms: number): Promise<number[]> {
  const out: number[] = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const r = await timedGet(`http://127.0.0.1:${port}/healthz`);
    if (r.status === 200) out.push(r.ms);
    else refused++;
    await sleep(500);
  }
  return out;
}

async function attack(port: number, contentLength: number): Promise<void> {
  const baseline = await healthLatencies(port, 3_000);
  refused = 0;
  const started = performance.now();
  const clients = slowBodyClients(port, CLIENTS, { path: '/-/reload', contentLength, everyMs: 10_000 });
  const held: string[] = [];
  const during: number[] = [];
  for (let s = 0; s < 16; s += 2) {
    during.push(...(await healthLatencies(port, 2_000)));
    held.push(`${Math.round((performance.now() - started) / 1000)}s:${openCount(clients)}`);
  }
  const statuses = new Map<string, number>();
  for (const c of clients)
    statuses.set(c.status ?? '(closed without answer)', (statuses.get(c.status ?? '(closed without answer)') ?? 0) + 1);
  const lastClose = Math.max(...clients.map((c) => (c.closedAt ?? Infinity) - started));
  for (const c of clients) c.socket.destroy();
  const p50 = quantile(during, 0.5);
  const b50 = quantile(baseline, 0.5);
  console.log(`Content-Length ${contentLength}, ${CLIENTS} slow-body clients, 1 byte / 10 s:`);
  console.log(`  sockets still open (time since start: count): ${held.join('  ')}`);
  console.log(
    `  last socket closed after ${(lastClose / 1000).toFixed(1)} s; answers: ${[...statuses].map(([k, v]) => `${v} x ${k}`).join(', ')}`,
  );
  console.log(
    `  /healthz during: ${during.length} ok, ${refused} failed, p50 ${p50.toFixed(2)} ms, max ${Math.max(...during).toFixed(2)} ms; before: p50 ${b50.toFixed(2)} ms; ratio p50 ${(p50 / b50).toFixed(2)}`,
  );
}

if (process.argv[2] === 'server') {
  await serve();
} else {
  const child = fork(new URL(import.meta.url).pathname, ['server'], { stdio: 'inherit' });
  const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
  console.log(`limits: ${JSON.stringify(HTTP_LIMITS)}`);
  try {
    await attack(port, 900);
    await attack(port, 60_000);
  } finally {
    child.kill('SIGTERM');
  }
}
