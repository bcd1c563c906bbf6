/**
 * `npm run bench:sources`: the docker source against `docker stats --no-stream`, and the store.
 *
 * 1. Starts its own Docker Engine (the test harness's launcher), runs 50 `sleep` containers.
 * 2. One sampling cycle of the docker source over the 50 (wall time and this process's CPU
 *    time, `process.cpuUsage()`), against `/usr/bin/docker stats --no-stream` for the same 50,
 *    alternating, in the same run. First cycle (no previous sample: the engine primes CPU) is
 *    reported apart from the steady state (one-shot).
 * 3. The store: 200 series × 24 h at 15 s, its memory (point buffers and heap), and the snapshot
 *    written and read (binary store.v1.bin against JSON + gzip as the baseline).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import Docker from 'dockerode';
import { dockerSourceSchema } from '../src/config/daemon-schema.js';
import { settleBounded } from '../src/core/bounded-async.js';
import { DockerSource } from '../src/sources/docker/docker-source.js';
import { StorePersister } from '../src/store/persist.js';
import { SampleStore } from '../src/store/sample-store.js';
import { snapshotStore } from '../src/store/store-file.js';
import { DOCKER_CLIENT, type DockerHandle, startDocker } from '../test/harness/docker-launcher.js';

const run = promisify(execFile);
const CONTAINERS = 50;
const CYCLES = 7;
const SERIES = 200;
const STEP_MS = 15_000;
const DAY_MS = 24 * 3_600_000;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const ms = (x: number) => `${x.toFixed(0)} ms`;
const mb = (x: number) => `${(x / 2 ** 20).toFixed(1)} MiB`;

async function timeCycle(source: DockerSource): Promise<{ wallMs: number; cpuMs: number; points: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await source.sample(AbortSignal.timeout(60_000));
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, points: result.points.length };
}

async function timeCli(engine: DockerHandle, names: string[]): Promise<number> {
  const t0 = performance.now();
  const { stdout } = await run(
    DOCKER_CLIENT,
    ['-H', `unix://${engine.socketPath}`, 'stats', '--no-stream', '--format', '{{.Name}} {{.CPUPerc}} {{.MemUsage}}', ...names],
    {
      timeout: 120_000,
      maxBuffer: 16 * 2 ** 20,
    },
  );
  const elapsed = performance.now() - t0;
  const rows = stdout.trim().split('\n').length;
  if (rows !== names.length) throw new Error(`docker stats printed ${rows} rows for ${names.length} containers`);
  return elapsed;
}

async function benchDocker(): Promise<void> {
  console.log(`starting a Docker Engine and ${CONTAINERS} containers ...`);
  const engine = await startDocker();
  try {
    const client = new Docker({ socketPath: engine.socketPath });
    const names = Array.from({ length: CONTAINERS }, (_, i) => `bench-${process.pid}-${String(i).padStart(2, '0')}`);
    const created = await settleBounded(names, 8, async (name) => {
      const c = await client.createContainer({ Image: engine.image, Cmd: ['sleep', '3600'], name, HostConfig: { NetworkMode: 'none' } });
      await c.start();
    });
    const failed = created.filter((c) => !c.ok);
    if (failed.length) throw (failed[0] as { error: unknown }).error;

    for (const concurrency of [64, 16]) {
      const source = new DockerSource({
        name: 'bench',
        config: dockerSourceSchema.parse({ socketPath: engine.socketPath, concurrency }),
        selectors: [{ containers: `bench-${process.pid}-*` }],
      });
      const first = await timeCycle(source);
      const vigil: Array<{ wallMs: number; cpuMs: number }> = [];
      const cli: number[] = [];
      for (let i = 0; i < CYCLES; i++) {
        // Alternate who goes first, so neither always meets the engine's collector at the same phase.
        if (i % 2 === 0) {
          vigil.push(await timeCycle(source));
          cli.push(await timeCli(engine, names));
        } else {
          cli.push(await timeCli(engine, names));
          vigil.push(await timeCycle(source));
        }
      }
      await source.close();
      const v = median(vigil.map((x) => x.wallMs));
      const c = median(cli);
      console.log(`\n### docker source, ${CONTAINERS} containers, concurrency ${concurrency} (median of ${CYCLES})`);
      console.log(`| | wall time per cycle | CPU time of this process per cycle |`);
      console.log(`|---|---|---|`);
      console.log(
        `| vigil docker source, first cycle (engine primes CPU, ${first.points} points) | ${ms(first.wallMs)} | ${ms(first.cpuMs)} |`,
      );
      console.log(
        `| vigil docker source, steady (one-shot, ${CYCLES} cycles) | ${ms(v)} (min ${ms(Math.min(...vigil.map((x) => x.wallMs)))}, max ${ms(Math.max(...vigil.map((x) => x.wallMs)))}) | ${ms(median(vigil.map((x) => x.cpuMs)))} |`,
      );
      console.log(
        `| \`docker stats --no-stream\` (same ${CONTAINERS}) | ${ms(c)} (min ${ms(Math.min(...cli))}, max ${ms(Math.max(...cli))}) | (separate process) |`,
      );
      console.log(`| ratio docker stats / vigil | **${(c / v).toFixed(2)}×** | |`);
    }
  } finally {
    await engine.stop();
  }
}

async function benchStore(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heap0 = process.memoryUsage();
  const store = new SampleStore({ retentionMs: DAY_MS, maxPointsPerSeries: 20_000 });
  const now = Date.now();
  const points = DAY_MS / STEP_MS;
  for (let s = 0; s < SERIES; s++) {
    const labels = {
      source: 'default',
      container: `svc-${s}`,
      container_id: s.toString(16).padStart(12, '0'),
      started_at: new Date(now - DAY_MS).toISOString(),
    };
    for (let i = 0; i < points; i++)
      store.appendRaw('container_memory_working_set_bytes', labels, now - DAY_MS + i * STEP_MS, 1e8 + i * 1000 + (s % 7));
  }
  gc?.();
  const heap1 = process.memoryUsage();
  const held = heap1.heapUsed + heap1.arrayBuffers - (heap0.heapUsed + heap0.arrayBuffers);
  console.log(`\n### store, ${SERIES} series × 24 h at 15 s (${points} points each, ${SERIES * points} points)`);
  console.log(`| figure | value |`);
  console.log(`|---|---|`);
  console.log(`| \`store.memoryBytes()\` (point buffers) | ${mb(store.memoryBytes())} |`);
  console.log(`| heap + array buffers held by the store${gc ? '' : ' (no --expose-gc: rough)'} | ${mb(held)} |`);

  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-store-'));
  try {
    const persister = new StorePersister({ store, dataDir: dir, intervalMs: 60_000 });
    const saves: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 3; i++) {
      const r = await persister.save();
      saves.push(r.ms);
      bytes = r.bytes;
    }
    const loads: number[] = [];
    for (let i = 0; i < 3; i++) {
      const fresh = new SampleStore({ retentionMs: DAY_MS, maxPointsPerSeries: 20_000 });
      const r = await new StorePersister({ store: fresh, dataDir: dir, intervalMs: 60_000 }).load();
      if (r.status !== 'loaded' || r.points !== SERIES * points) throw new Error(`load gave ${JSON.stringify(r)}`);
      loads.push(r.ms);
    }
    // Baseline: the same snapshot as JSON, gzip'd (level 6), then parsed back.
    const jsonSaves: number[] = [];
    const jsonLoads: number[] = [];
    let gzBytes = 0;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const snap = snapshotStore(store).map((s) => ({ m: s.metric, l: s.labels, e: s.ended, t: Array.from(s.t), v: Array.from(s.v) }));
      const gz = gzipSync(JSON.stringify(snap));
      jsonSaves.push(performance.now() - t0);
      gzBytes = gz.length;
      const t1 = performance.now();
      const back = JSON.parse(gunzipSync(gz).toString('utf8')) as unknown[];
      if (back.length !== SERIES) throw new Error('json round trip lost series');
      jsonLoads.push(performance.now() - t1);
    }
    console.log(`| snapshot write, store.v1.bin (encode + temp + fsync + rename) | ${ms(median(saves))}, ${mb(bytes)} |`);
    console.log(`| snapshot load, store.v1.bin (read + check + restore) | ${ms(median(loads))} |`);
    console.log(`| baseline JSON + gzip: encode (no disk) | ${ms(median(jsonSaves))}, ${mb(gzBytes)} |`);
    console.log(`| baseline JSON + gzip: decode (no restore) | ${ms(median(jsonLoads))} |`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const only = process.argv[2];
if (only !== 'store') await benchDocker();
if (only !== 'docker') await benchStore();
