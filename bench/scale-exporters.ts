// The synthetic fleet of `npm run bench:scale` (run as a child process, so its work is not
// counted in the daemon's figures): one loopback HTTP server standing in for many services.
//   GET /g/<k>/metrics    Prometheus text for the services of group k (GROUP_SIZE services each):
//                         per service two routes, a latency histogram (9 buckets + sum + count)
//                         and a request counter by status code: 26 series per service.
//   GET /health/<service> 200 "ok" (what the probe objectives check).
// Counters grow with the wall clock (10 req/s per route, 0.1 % errors), so rates are real
// rates between two scrapes. Prints {"port":N} when listening.
import { createServer } from 'node:http';
import { GROUP_SIZE, ROUTES, serviceName } from './scale-fleet.js';

const BUCKETS = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '+Inf'] as const;
/** Cumulative share of requests at or under each bucket's bound. */
const SHARE = [0.3, 0.5, 0.7, 0.85, 0.95, 0.985, 0.995, 0.999, 1] as const;
const RATE = 10;
const ERROR_SHARE = 0.001;

/** The label text of every series of one group, built once; only the values change per scrape. */
function groupTemplate(group: number): { buckets: string[][]; sums: string[]; counts: string[]; ok: string[]; errors: string[] } {
  const t = { buckets: [] as string[][], sums: [] as string[], counts: [] as string[], ok: [] as string[], errors: [] as string[] };
  for (let s = group * GROUP_SIZE; s < (group + 1) * GROUP_SIZE; s++) {
    for (const route of ROUTES) {
      const l = `service="${serviceName(s)}",route="${route}"`;
      t.buckets.push(BUCKETS.map((le) => `http_request_duration_seconds_bucket{${l},le="${le}"} `));
      t.sums.push(`http_request_duration_seconds_sum{${l}} `);
      t.counts.push(`http_request_duration_seconds_count{${l}} `);
      t.ok.push(`http_requests_total{${l},code="200"} `);
      t.errors.push(`http_requests_total{${l},code="500"} `);
    }
  }
  return t;
}

const started = Date.now();
const templates = new Map<number, ReturnType<typeof groupTemplate>>();

function exposition(group: number): string {
  let t = templates.get(group);
  if (!t) {
    t = groupTemplate(group);
    templates.set(group, t);
  }
  const requests = Math.floor(((Date.now() - started) / 1000) * RATE) + 1000;
  const errors = Math.floor(requests * ERROR_SHARE);
  const parts: string[] = ['# TYPE http_request_duration_seconds histogram\n'];
  for (let r = 0; r < t.counts.length; r++) {
    const names = t.buckets[r]!;
    for (let b = 0; b < names.length; b++) parts.push(names[b]!, String(Math.floor(requests * SHARE[b]!)), '\n');
    parts.push(t.sums[r]!, (requests * 0.031).toFixed(3), '\n', t.counts[r]!, String(requests), '\n');
  }
  parts.push('# TYPE http_requests_total counter\n');
  for (let r = 0; r < t.ok.length; r++) parts.push(t.ok[r]!, String(requests - errors), '\n', t.errors[r]!, String(errors), '\n');
  return parts.join('');
}

const server = createServer((req, res) => {
  const url = req.url ?? '/';
  const group = /^\/g\/(\d+)\/metrics$/.exec(url);
  if (group) {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(exposition(Number(group[1])));
  } else if (url.startsWith('/health/')) {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  } else {
    res.writeHead(404).end();
  }
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: (server.address() as { port: number }).port }));
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
