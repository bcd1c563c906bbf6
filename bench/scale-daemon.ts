// The daemon half of `npm run bench:scale`, one child process per fleet size (so RSS is the
// daemon's own): writes vigil.yaml and one SLO file per service into a temp folder, starts the
// real daemon on it and answers the parent over IPC.
//   argv: <services> <exporter port>
//   -> {type:'ready', url, dir, startMs}
//   <- 'stats'  -> {type:'stats', evalMs:[...], busyMs:[...], publishMs:[...], loopDelayMs:{p99,max}, feeds:[...] (API front feeds),
//                   rss, peakRss, heapUsed, cpuMs, wallMs} (since the last 'stats')
//   <- 'stop'   -> {type:'stopped', stopMs, series, points, fileBytes, memoryBytes}: the daemon stops
//                  (writing its store), then the data folder is read back through the store's API.
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pino from 'pino';
import { Daemon } from '../src/daemon/daemon.js';
import { StorePersister } from '../src/store/persist.js';
import { SampleStore } from '../src/store/sample-store.js';
import { daemonYaml, serviceName, sloFile } from './scale-fleet.js';

const services = Number(process.argv[2]);
const port = Number(process.argv[3]);
const send = (m: object) => process.send!(m);

function writeConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), `vigil-bench-scale-${services}-`));
  mkdirSync(join(dir, 'slo'));
  writeFileSync(join(dir, 'vigil.yaml'), daemonYaml(services, port));
  // JSON is YAML: the loader reads it as it reads the hand-written files.
  for (let i = 0; i < services; i++) writeFileSync(join(dir, 'slo', `${serviceName(i)}.yaml`), JSON.stringify(sloFile(i)));
  return dir;
}

/** Every file under the data folder, whatever tiers the store writes there. */
function folderBytes(path: string): number {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    total += entry.isDirectory() ? folderBytes(full) : statSync(full).size;
  }
  return total;
}

// BENCH_HEAP_PROFILE=<file>: a sampling heap profile from the start to the second 'stats' (the end of
// the measured cycles without API load), counting objects a major GC collected: what reached the
// old generation, live or garbage (the garbage is what lets the heap grow between major GCs).
const heapProfile = process.env.BENCH_HEAP_PROFILE;
const inspector = heapProfile ? new Session() : null;
if (inspector) {
  inspector.connect();
  await inspector.post('HeapProfiler.enable');
  await inspector.post('HeapProfiler.startSampling', { samplingInterval: 16_384, includeObjectsCollectedByMajorGC: true });
}
let statsAsked = 0;

const dir = writeConfig();
const t0 = performance.now();
const daemon = await Daemon.start({
  configPath: join(dir, 'vigil.yaml'),
  logger: pino({ level: process.env.BENCH_LOG ?? 'warn' }, pino.destination(2)),
  watch: false,
});
const startMs = performance.now() - t0;

// BENCH_MEMORY_TRACE=<file>: one line of memory figures every 100 ms (unix ms first), to line up with the phases' times.
const trace = process.env.BENCH_MEMORY_TRACE;
function traceMemory(file: string): void {
  const m = process.memoryUsage();
  const mib = (b: number) => Math.round(b / 2 ** 20);
  appendFileSync(
    file,
    `${Date.now()} rss=${mib(m.rss)} heapUsed=${mib(m.heapUsed)} heapTotal=${mib(m.heapTotal)} external=${mib(m.external)} arrayBuffers=${mib(m.arrayBuffers)}\n`,
  );
}

// Every evaluation cycle the daemon's timer runs (cycles are seconds apart; this looks 10 times a second).
let evalMs: number[] = [];
let busyMs: number[] = [];
let cpuMs: number[] = [];
let publishMs: number[] = [];
// The longest blocks of the event loop (publishing, a scrape's appends, a store save...), per stats period.
let loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();
let seen = daemon.lastEvaluation?.evaluatedAt;
// Every feed of the API front thread (null when the daemon runs without it).
let feeds: object[] = [];
let seenFeed = daemon.lastApiFeed;
let peakRss = 0;
const watchTimer = setInterval(() => {
  const last = daemon.lastEvaluation;
  if (last && last.evaluatedAt !== seen) {
    seen = last.evaluatedAt;
    evalMs.push(last.wallMs);
    busyMs.push(last.busyMs);
    cpuMs.push(last.cpuMs);
    publishMs.push(last.publishMs);
  }
  const feed = daemon.lastApiFeed;
  if (feed && feed !== seenFeed) {
    seenFeed = feed;
    feeds.push(feed);
  }
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  if (trace) traceMemory(trace);
}, 100);
let cpu0 = process.cpuUsage();
let wall0 = performance.now();

process.on('message', (msg: string) => {
  if (msg === 'stats') {
    if (inspector && ++statsAsked === 2) {
      void inspector.post('HeapProfiler.stopSampling').then(({ profile }) => writeFileSync(heapProfile!, JSON.stringify(profile)));
    }
    const cpu = process.cpuUsage(cpu0);
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    send({
      type: 'stats',
      evalMs,
      busyMs,
      evalCpuMs: cpuMs,
      publishMs,
      loopDelayMs: { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
      feeds,
      rss: m.rss,
      peakRss,
      heapUsed: m.heapUsed,
      cpuMs: (cpu.user + cpu.system) / 1000,
      wallMs: performance.now() - wall0,
    });
    evalMs = [];
    busyMs = [];
    cpuMs = [];
    publishMs = [];
    loopDelay.disable();
    loopDelay = monitorEventLoopDelay({ resolution: 1 });
    loopDelay.enable();
    feeds = [];
    cpu0 = process.cpuUsage();
    wall0 = performance.now();
  } else if (msg === 'stop') {
    void stop();
  }
});

async function stop(): Promise<void> {
  clearInterval(watchTimer);
  const s0 = performance.now();
  await daemon.stop();
  const stopMs = performance.now() - s0;
  const dataDir = join(dir, 'data');
  const fileBytes = folderBytes(dataDir);
  const store = new SampleStore({ retentionMs: 40 * 86_400_000, maxPointsPerSeries: 1_000_000 });
  const loaded = await new StorePersister({ store, dataDir, intervalMs: 60_000 }).load();
  if (loaded.status !== 'loaded') throw new Error(`the data folder did not load: ${JSON.stringify(loaded)}`);
  send({ type: 'stopped', stopMs, series: loaded.series, points: loaded.points, fileBytes, memoryBytes: store.memoryBytes() });
  rmSync(dir, { recursive: true, force: true });
  process.disconnect();
  process.exit(0);
}

send({ type: 'ready', url: daemon.url, dir, startMs });
