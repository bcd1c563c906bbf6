// `npm run bench:scale`: one daemon watching 100, 500, 1000 and 2000 services x 10 objectives over
// real sources on loopback: a synthetic exporter (bench/scale-exporters.ts, its own process)
// serving Prometheus text for groups of 100 services, read by one `scrape` source per group
// every 5 s, and a `probe` source checking each service's /health every 10 s.
// For each size a fresh daemon (bench/scale-daemon.ts, its own process) runs:
//   1. warm-up until /readyz answers and WARM_S more seconds (every source sampled a few times);
//   2. MEASURE_S seconds idle: every evaluation cycle's time (evaluateEvery 2 s, or BENCH_EVALUATE_EVERY), the daemon's CPU;
//   3. (each phase after WARM_API_S seconds at the same rate, not counted) the floor: 1000 req/s for FLOOR_S seconds on a bare route of the exporter process (what the
//      shared machine alone does to a P99); then 1000 req/s for API_S seconds on /api/sla/<service>/current (services in turn), then 1000
//      req/s on /api/sla (the whole list) for LIST_S seconds: autocannon from this process;
//   4. stop (the store is written) and the data folder read back: bytes per stored sample.
// Ratios are against the first size of the same run (100 services). The bodies are not parsed
// beyond their status, so renamed keys do not break the bench.
// `npm run bench:scale -- 100 2000` runs chosen sizes; `-- --svg docs/images/scale.svg` writes the curve.
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { EVALUATE_EVERY, OBJECTIVES_PER_SERVICE, serviceName } from './scale-fleet.js';

const here = new URL('.', import.meta.url).pathname;
const WARM_S = 20;
const MEASURE_S = 20;
const API_S = 10;
const LIST_S = 5;
const FLOOR_S = 5;
const WARM_API_S = 2;
const RATE = 1000;

const args = process.argv.slice(2);
const svgAt = args.indexOf('--svg');
const svgPath = svgAt >= 0 ? args.splice(svgAt, 2)[1] : undefined;
const SIZES = args.length > 0 ? args.map(Number) : [100, 500, 1000, 2000];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mib = (b: number) => b / 2 ** 20;
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
}

/** Waits `graceMs` for the child to end by itself (a CPU profile is written at exit), then ends it. */
function stop(child: ChildProcess, graceMs = 0): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    setTimeout(() => child.kill('SIGTERM'), graceMs).unref();
    setTimeout(() => child.kill('SIGKILL'), graceMs + 5000).unref();
  });
}

async function startExporters(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [`${here}scale-exporters.js`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`exporter exited with ${code}`)));
  });
  return { child, port: (JSON.parse(line) as { port: number }).port };
}

type Message = { type: string } & Record<string, unknown>;
interface Stats {
  /** Per evaluation cycle: start to publish (wall), and the time it held the daemon's event loop. */
  evalMs: number[];
  busyMs: number[];
  /** CPU time of the daemon process during the cycle's slices: what the shared cores do not inflate. */
  evalCpuMs: number[];
  /** Per cycle: the publishing alone. */
  publishMs: number[];
  /** Event-loop delay over the period (1 ms resolution): its longest blocks, whatever held it. */
  loopDelayMs: { p99: number; max: number };
  /** Each feed of the API front thread (empty without it): what sending the views cost the daemon's thread. */
  feeds: Array<{ bytes: number; wallMs: number; busyMs: number; longestSliceMs: number }>;
  rss: number;
  peakRss: number;
  heapUsed: number;
  cpuMs: number;
  wallMs: number;
}
interface Stopped {
  stopMs: number;
  series: number;
  points: number;
  fileBytes: number;
  memoryBytes: number;
}

/** The daemon child: its messages in arrival order, asked for one type at a time. */
class DaemonChild {
  private readonly inbox: Message[] = [];
  private waiting: ((m: Message) => void) | null = null;
  readonly child: ChildProcess;

  constructor(services: number, port: number) {
    this.child = fork(`${here}scale-daemon.js`, [String(services), String(port)], {
      execArgv: [
        ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
        // Extra flags for the daemon alone, e.g. `--heapsnapshot-signal=SIGUSR2` or a capped old space
        // with `--heapsnapshot-near-heap-limit=1` to see what is live at a peak.
        ...(process.env.BENCH_DAEMON_FLAGS ?? '').split(' ').filter(Boolean),
      ],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (m: Message) => {
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = null;
        w(m);
      } else this.inbox.push(m);
    });
  }

  next<T>(type: string): Promise<T> {
    const queued = this.inbox.shift();
    const got = queued
      ? Promise.resolve(queued)
      : new Promise<Message>((resolve, reject) => {
          this.waiting = resolve;
          this.child.once('exit', (code) => reject(new Error(`the daemon exited with ${code} while waiting for ${type}`)));
        });
    return got.then((m) => {
      if (m.type !== type) throw new Error(`expected ${type} from the daemon, got ${m.type}`);
      return m as unknown as T;
    });
  }

  ask<T>(what: 'stats' | 'stop', type: string): Promise<T> {
    this.child.send(what);
    return this.next<T>(type);
  }
}

async function untilReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(`${url}/readyz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await sleep(500);
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms`);
}

async function cannon(url: string, paths: readonly string[], seconds: number) {
  let i = 0;
  const result = await autocannon({
    url,
    duration: seconds,
    connections: 20,
    overallRate: RATE,
    requests: [
      {
        setupRequest: (req) => {
          req.path = paths[i++ % paths.length]!;
          return req;
        },
      },
    ],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    bytes: result.throughput.average / Math.max(1, result.requests.average),
    failed: result.errors + result.non2xx,
  };
}

/** Objectives still without data in one service's current answer (a sanity check; key names aside). */
async function noDataCount(url: string, service: string): Promise<number> {
  const text = await (await fetch(`${url}/api/sla/${service}/current`)).text();
  return text.split('"no_data"').length - 1;
}

interface Row {
  services: number;
  loadBefore: string;
  startMs: number;
  /** Idle API: per cycle, start to publish (wall) and time on the event loop (busy). */
  wall: number[];
  busy: number[];
  cpu: number[];
  /** Under the API load. */
  busyUnderLoad: number[];
  publish: number[];
  loopDelay: Stats['loopDelayMs'];
  feeds: Stats['feeds'];
  cpuShare: number;
  rss: number;
  peakRss: number;
  heapUsed: number;
  /** The same rate against a bare node:http route of the exporter process: what the shared machine alone costs. */
  floor: Awaited<ReturnType<typeof cannon>>;
  current: Awaited<ReturnType<typeof cannon>>;
  list: Awaited<ReturnType<typeof cannon>>;
  noData: number;
  stopped: Stopped;
}

/** With BENCH_MEMORY_TRACE set, each phase's start goes into the daemon's memory trace file. */
function phase(name: string): void {
  if (process.env.BENCH_MEMORY_TRACE) appendFileSync(process.env.BENCH_MEMORY_TRACE, `${Date.now()} phase=${name}\n`);
}

async function measure(services: number, port: number): Promise<Row> {
  await cannon(`http://127.0.0.1:${port}`, ['/health/floor'], WARM_API_S);
  const floor = await cannon(`http://127.0.0.1:${port}`, ['/health/floor'], FLOOR_S);
  const loadBefore = load();
  const d = new DaemonChild(services, port);
  try {
    const ready = await d.next<{ url: string; startMs: number }>('ready');
    await untilReady(ready.url, 120_000);
    phase('warm-up');
    await sleep(WARM_S * 1000);
    await d.ask<Stats>('stats', 'stats');
    phase('measure');
    await sleep(MEASURE_S * 1000);
    const idle = await d.ask<Stats>('stats', 'stats');
    const noData = await noDataCount(ready.url, serviceName(services - 1));
    const paths = Array.from({ length: services }, (_, i) => `/api/sla/${serviceName(i)}/current`);
    // Each measured phase after WARM_API_S at the same rate (connections opened, routes compiled), as bench:api does.
    phase('current');
    await cannon(ready.url, paths, WARM_API_S);
    const current = await cannon(ready.url, paths, API_S);
    phase('list');
    await cannon(ready.url, ['/api/sla'], WARM_API_S);
    const list = await cannon(ready.url, ['/api/sla'], LIST_S);
    phase('stop');
    const busy = await d.ask<Stats>('stats', 'stats');
    const stopped = await d.ask<Stopped>('stop', 'stopped');
    return {
      services,
      loadBefore,
      startMs: ready.startMs,
      wall: idle.evalMs,
      busy: idle.busyMs,
      cpu: idle.evalCpuMs,
      busyUnderLoad: busy.busyMs,
      publish: idle.publishMs,
      loopDelay: idle.loopDelayMs,
      feeds: [...idle.feeds, ...busy.feeds],
      cpuShare: idle.cpuMs / idle.wallMs,
      rss: idle.rss,
      peakRss: Math.max(idle.peakRss, busy.peakRss),
      heapUsed: idle.heapUsed,
      floor,
      current,
      list,
      noData,
      stopped,
    };
  } finally {
    await stop(d.child, 10_000);
  }
}

function printTable(rows: readonly Row[]): void {
  const base = rows[0]!;
  const work = (r: Row) => r.services * OBJECTIVES_PER_SERVICE;
  const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '–');
  const med = (xs: readonly number[]) => quantile(xs, 0.5);
  const top = (xs: readonly number[]) => (xs.length ? Math.max(...xs) : Number.NaN);
  const api = (a: Row['current'], extra = '') =>
    `${f(a.p50)} / ${f(a.p99)} / ${f(a.max)} ms (${f(a.rps, 0)} req/s${extra}${a.failed ? `, ${a.failed} failed` : ''})`;
  console.log(
    `\n### bench:scale (${OBJECTIVES_PER_SERVICE} objectives per service; ratios against ${base.services} services in the same run)`,
  );
  console.log(
    '| services | objectives | stored series | evaluation cycle, start to publish: median / max (cycles) | event-loop time per cycle: median / max | CPU time per cycle: median / max | × base | CPU µs per objective per cycle | daemon CPU, idle API | RSS / peak | × base | `/api/sla/<service>/current` at 1000 req/s: p50 / p99 / max | `/api/sla` at 1000 req/s: p50 / p99 / max | floor: bare node:http route of another process at 1000 req/s | stored samples | bytes per sample: file / memory | load avg at start |',
  );
  console.log(`|${'---|'.repeat(17)}`);
  for (const r of rows) {
    const s = r.stopped;
    console.log(
      `| ${r.services} | ${work(r)} | ${s.series} | ${f(med(r.wall))} / ${f(top(r.wall))} ms (${r.wall.length}) | ${f(med(r.busy))} / ${f(top(r.busy))} ms | ${f(med(r.cpu))} / ${f(top(r.cpu))} ms | ${f(med(r.cpu) / med(base.cpu), 2)} | ${f((med(r.cpu) * 1000) / work(r), 1)} | ${f(r.cpuShare * 100, 0)} % | ${f(mib(r.rss), 0)} / ${f(mib(r.peakRss), 0)} MiB | ${f(r.peakRss / base.peakRss, 2)} | ${api(r.current)} | ${api(r.list, `, ${f(r.list.bytes / 1024, 0)} KiB`)} | ${api(r.floor)} | ${s.points} | ${f(s.fileBytes / s.points, 1)} / ${f(s.memoryBytes / s.points, 1)} | ${r.loadBefore} |`,
    );
  }
  const big = rows[rows.length - 1]!;
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  console.log(
    `\nGoals at ${big.services} services: evaluation < 1 s per cycle (max start to publish ${f(top(big.wall))} ms: ${verdict(top(big.wall) < 1000)}; ` +
      `max on the event loop ${f(top(big.busy))} ms: ${verdict(top(big.busy) < 1000)}; max CPU ${f(top(big.cpu))} ms: ${verdict(top(big.cpu) < 1000)}), ` +
      `RSS < 1 GiB (peak ${f(mib(big.peakRss), 0)} MiB: ${verdict(big.peakRss < 2 ** 30)}), ` +
      `API P99 < 10 ms at 1000 req/s (/current ${f(big.current.p99)} ms: ${verdict(big.current.p99 < 10 && big.current.failed === 0 && big.current.rps > 0)}; ` +
      `/api/sla ${f(big.list.p99)} ms: ${verdict(big.list.p99 < 10 && big.list.failed === 0 && big.list.rps > 0)}).`,
  );
  for (const r of rows) {
    console.log(
      `event-loop time per cycle under the API load, ${r.services} services: median ${f(med(r.busyUnderLoad))} ms, max ${f(top(r.busyUnderLoad))} ms`,
    );
    console.log(
      `without API load, ${r.services} services: publishing ${f(med(r.publish))} / ${f(top(r.publish))} ms per cycle (median / max); event-loop delay p99 ${f(r.loopDelay.p99)} ms, max ${f(r.loopDelay.max)} ms`,
    );
    const feeds = r.feeds;
    console.log(
      feeds.length === 0
        ? `${r.services} services: no API front thread`
        : `API front feeds, ${r.services} services (${feeds.length}): start to commit median ${f(med(feeds.map((x) => x.wallMs)))} / max ${f(top(feeds.map((x) => x.wallMs)))} ms, ` +
            `event-loop time median ${f(med(feeds.map((x) => x.busyMs)))} / max ${f(top(feeds.map((x) => x.busyMs)))} ms, longest slice ${f(top(feeds.map((x) => x.longestSliceMs)))} ms, ${f(mib(feeds[0]!.bytes), 1)} MiB each`,
    );
    if (r.noData > 0) console.log(`note: at ${r.services} services ${r.noData} objective(s) of the last service had no data when measured`);
  }
}

/** Cost against work: evaluation ms per cycle and RSS against objectives, on one plot with two scales. */
function curveSvg(rows: readonly Row[]): string {
  const W = 640;
  const H = 360;
  const m = { l: 60, r: 70, t: 30, b: 50 };
  const maxX = Math.max(...rows.map((r) => r.services * OBJECTIVES_PER_SERVICE));
  const cost = (r: Row) => quantile(r.cpu, 0.5);
  const maxEval = Math.max(...rows.map(cost), 1) * 1.15;
  const maxRss = Math.max(...rows.map((r) => mib(r.peakRss)), 1) * 1.15;
  const x = (v: number) => m.l + (v / maxX) * (W - m.l - m.r);
  const y = (v: number, max: number) => H - m.b - (v / max) * (H - m.t - m.b);
  const line = (pts: Array<[number, number]>, colour: string) =>
    `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${pts.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ')}"/>` +
    pts.map(([a, b]) => `<circle cx="${a.toFixed(1)}" cy="${b.toFixed(1)}" r="3" fill="${colour}"/>`).join('');
  const evalPts = rows.map((r) => [x(r.services * OBJECTIVES_PER_SERVICE), y(cost(r), maxEval)] as [number, number]);
  const rssPts = rows.map((r) => [x(r.services * OBJECTIVES_PER_SERVICE), y(mib(r.peakRss), maxRss)] as [number, number]);
  const ticks = rows
    .map((r) => {
      const px = x(r.services * OBJECTIVES_PER_SERVICE);
      return `<line x1="${px}" y1="${H - m.b}" x2="${px}" y2="${H - m.b + 5}" stroke="#333"/><text x="${px}" y="${H - m.b + 18}" text-anchor="middle">${r.services * OBJECTIVES_PER_SERVICE}</text>`;
    })
    .join('');
  const yTicks = [0, 0.5, 1]
    .map(
      (k) =>
        `<text x="${m.l - 6}" y="${y(k * maxEval, maxEval) + 4}" text-anchor="end" fill="#1f77b4">${(k * maxEval).toFixed(0)}</text>` +
        `<text x="${W - m.r + 6}" y="${y(k * maxRss, maxRss) + 4}" fill="#d62728">${(k * maxRss).toFixed(0)}</text>`,
    )
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="14">bench:scale: cost against work (one daemon, 10 objectives per service)</text>`,
    `<line x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}" stroke="#333"/>`,
    `<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${H - m.b}" stroke="#333"/>`,
    `<line x1="${W - m.r}" y1="${m.t}" x2="${W - m.r}" y2="${H - m.b}" stroke="#333"/>`,
    ticks,
    yTicks,
    `<text x="${(m.l + W - m.r) / 2}" y="${H - 12}" text-anchor="middle">objectives (services × 10)</text>`,
    `<text transform="translate(16 ${H / 2}) rotate(-90)" text-anchor="middle" fill="#1f77b4">evaluation CPU ms per cycle (median)</text>`,
    `<text transform="translate(${W - 14} ${H / 2}) rotate(90)" text-anchor="middle" fill="#d62728">peak RSS MiB</text>`,
    line(evalPts, '#1f77b4'),
    line(rssPts, '#d62728'),
    '</svg>',
    '',
  ].join('\n');
}

console.log(`bench:scale: sizes ${SIZES.join(', ')}; evaluateEvery ${EVALUATE_EVERY}; load average (1, 5, 15 min) at start: ${load()}`);
const exporter = await startExporters();
const rows: Row[] = [];
try {
  for (const services of SIZES) {
    console.log(`${new Date().toISOString()} ${services} services ...`);
    rows.push(await measure(services, exporter.port));
  }
} finally {
  await stop(exporter.child);
}
printTable(rows);
console.log(`load average (1, 5, 15 min) at the end: ${load()}`);
if (svgPath) {
  writeFileSync(svgPath, curveSvg(rows));
  console.log(`curve written to ${svgPath}`);
}
