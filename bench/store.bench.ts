/**
 * `npm run bench:store`: 30 days of history for 200 series at 15 s in the tiered store
 * (issue 16 item 4; design in docs/storage.md).
 *
 * Series, 50 of each (timestamps jittered ±2 ms, as a timer-driven sampler stamps them):
 * - probe results (1, a failure in 500), probe latencies to the microsecond (jittery, log-normal),
 * - request counters (150 ± 30 a sample, restarting now and then),
 * - container memory (page-sized random walk with a GC sawtooth).
 * Reports bytes per point held in memory (the store's own count, and the heap and array buffers it
 * holds, with --expose-gc) and persisted (the store file), per kind; the time to write and load the
 * file; and a 30-day read (`range()`) of every series. Baseline in the same run: the version 1 layout
 * (every point raw, 16 bytes) for the sizes, and the same read from a store holding every point raw
 * (20 series, to stay within memory) for the read time.
 * Then one evaluation cycle of event objectives over 30 days (50 probe uptime, 50 scrape-backed
 * ratios, 150 series): reading the whole period every cycle (no memo, the baseline) against the
 * memo of finished hour blocks (error-budget.ts), cycles 5 s apart with new points in between.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { daemonConfigSchema } from '../src/config/daemon-schema.js';
import { resolveConfig } from '../src/config/resolve-config.js';
import { sloFileSchema } from '../src/config/slo-schema.js';
import { SHIPPED_WINDOW_SETS } from '../src/config/window-sets.js';
import type { BudgetMemo } from '../src/evaluate/error-budget.js';
import { evaluate } from '../src/evaluate/evaluate.js';
import { StorePersister } from '../src/store/persist.js';
import { SampleStore } from '../src/store/sample-store.js';
import { encodeStoreFile, snapshotStore } from '../src/store/store-file.js';

const SERIES = 200;
const STEP_MS = 15_000;
const DAY_MS = 86_400_000;
const PERIOD_MS = 30 * DAY_MS;
const NOW = Date.UTC(2026, 11, 1);
const KINDS = ['probe_success', 'probe_duration_seconds', 'http_requests_total', 'container_memory_working_set_bytes'] as const;
type Kind = (typeof KINDS)[number];

const gc = (globalThis as { gc?: () => void }).gc;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const held = () => {
  // Twice: array buffers freed by the first collection are released by the second.
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

/** A seeded generator, so every run measures the same data. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = Math.imul(s ^ (s >>> 15), 1 | s);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** The value generator of one series of `kind`. */
function series(kind: Kind, rnd: () => number): () => number {
  switch (kind) {
    case 'probe_success':
      return () => (rnd() < 0.002 ? 0 : 1);
    case 'probe_duration_seconds':
      return () => Math.round(0.025 * Math.exp(0.35 * Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd())) * 1e6) / 1e6;
    case 'http_requests_total': {
      let c = 0;
      return () => (rnd() < 1e-4 ? (c = 0) : (c += 150 + Math.floor(rnd() * 61) - 30));
    }
    case 'container_memory_working_set_bytes': {
      let m = 300 * 2 ** 20;
      let i = 0;
      return () => {
        m = Math.max(100 * 2 ** 20, m + 4096 * Math.round((rnd() - 0.45) * 40));
        if (++i % 240 === 0) m -= 4096 * Math.floor(rnd() * 5000); // a collection every hour
        return m;
      };
    }
  }
}

/** Fills `store` with `count` series (kinds in turn) over the 30 days; returns points per kind. */
function fill(store: SampleStore, count: number): Map<Kind, number> {
  const points = new Map<Kind, number>();
  for (let s = 0; s < count; s++) {
    const kind = KINDS[s % KINDS.length]!;
    const rnd = random(s + 1);
    const next = series(kind, rnd);
    const entry = store.seriesFor(kind, { source: 'bench', instance: `i-${s}` });
    let n = 0;
    for (let t = NOW - PERIOD_MS; t <= NOW; t += STEP_MS, n++) {
      entry.buffer.append(t + Math.floor(rnd() * 5) - 2, next(), store.retentionMs);
    }
    points.set(kind, (points.get(kind) ?? 0) + n);
  }
  return points;
}

function readAll(store: SampleStore): { ms: number; points: number } {
  const t0 = performance.now();
  let points = 0;
  for (const s of store.all()) points += s.buffer.range(NOW - PERIOD_MS, NOW).t.length;
  return { ms: performance.now() - t0, points };
}

const EVENT_OBJECTIVES = 50;

/** 50 probe uptime and 50 scrape ratio objectives, each with a 30-day period. */
function eventConfig() {
  const objectives = Array.from({ length: EVENT_OBJECTIVES }, (_, i) => [
    { name: `uptime-${i}`, indicator: { probe: { path: `/p-${i}` } }, target: '99.9%', period: '30d', window: '5m' },
    {
      name: `errors-${i}`,
      indicator: {
        ratio: {
          source: 'bench',
          errors: `sum(rate(req_total{instance="i-${i}",code="500"}[{{window}}]))`,
          total: `sum(rate(req_total{instance="i-${i}"}[{{window}}]))`,
        },
      },
      target: '99%',
      period: '30d',
      window: '5m',
    },
  ]).flat();
  const slo = sloFileSchema.parse({ apiVersion: 'vigil/v1', kind: 'ServiceLevels', service: 'bench', objectives });
  return resolveConfig({
    configPath: null,
    windowSets: SHIPPED_WINDOW_SETS,
    baseDir: tmpdir(),
    daemon: daemonConfigSchema.parse({
      sources: { probe: { default: { baseUrl: 'http://127.0.0.1:8095' } }, scrape: { bench: { url: 'http://127.0.0.1:8095/metrics' } } },
    }),
    services: [{ path: join(tmpdir(), 'bench.yaml'), slo }],
  });
}

/** Appends one sample of every event series at `t` (probes, and the counters of each instance). */
function eventSample(store: SampleStore, t: number, rnd: () => number, counters: Float64Array): void {
  for (let i = 0; i < EVENT_OBJECTIVES; i++) {
    store.appendRaw(
      'probe_success',
      { source: 'default', url: `http://127.0.0.1:8095/p-${i}` },
      t + Math.floor(rnd() * 5),
      rnd() < 0.002 ? 0 : 1,
    );
    counters[2 * i] = counters[2 * i]! + 150 + Math.floor(rnd() * 61) - 30;
    if (rnd() < 0.01) counters[2 * i + 1] = counters[2 * i + 1]! + 1;
    const at = t + Math.floor(rnd() * 5);
    store.appendRaw('scrape:req_total', { source: 'bench', instance: `i-${i}`, code: '200' }, at, counters[2 * i]!);
    store.appendRaw('scrape:req_total', { source: 'bench', instance: `i-${i}`, code: '500' }, at, counters[2 * i + 1]!);
  }
}

/**
 * Milliseconds per evaluation cycle of the event objectives, without and with the memo, on the
 * same store: cycles 5 s apart (a new sample every third cycle, at 15 s).
 */
function eventCycles(): {
  series: number;
  points: number;
  freshMs: number[];
  firstMemoMs: number;
  memoMs: number[];
  figuresEqual: boolean;
} {
  const config = eventConfig();
  const store = new SampleStore({ retentionMs: 31 * DAY_MS, maxPointsPerSeries: 20_000 });
  const rnd = random(4242);
  const counters = new Float64Array(2 * EVENT_OBJECTIVES);
  for (let t = NOW - PERIOD_MS; t <= NOW; t += STEP_MS) eventSample(store, t, rnd, counters);
  const memo: BudgetMemo = new WeakMap();
  const cycle = (now: number, withMemo: boolean) => {
    const started = performance.now();
    const snapshot = evaluate(config, store, now, withMemo ? { budgetMemo: memo } : {});
    return { ms: performance.now() - started, objectives: snapshot.services[0]!.objectives };
  };
  const freshMs: number[] = [];
  const memoMs: number[] = [];
  let firstMemoMs = 0;
  let figuresEqual = true;
  let now = NOW;
  for (let k = 0; k < 13; k++) {
    now += 5_000;
    if (k % 3 === 0) eventSample(store, now - 1_000, rnd, counters);
    const m = cycle(now, true);
    if (k === 0) firstMemoMs = m.ms;
    else memoMs.push(m.ms);
    // The baseline on a few of the same cycles (each reads the whole month).
    if (k % 4 === 0) {
      const f = cycle(now, false);
      freshMs.push(f.ms);
      figuresEqual &&= JSON.stringify(f.objectives) === JSON.stringify(m.objectives);
    }
  }
  return { series: store.seriesCount, points: store.pointCount(), freshMs, firstMemoMs, memoMs, figuresEqual };
}

async function main(): Promise<void> {
  console.log(`# bench:store — ${SERIES} series × 30 days at 15 s`);
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}, load average at start ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  if (!gc) console.log('(run with --expose-gc for the heap figure)');

  const before = held();
  const store = new SampleStore({ retentionMs: 31 * DAY_MS, maxPointsPerSeries: 20_000 });
  const t0 = performance.now();
  const perKind = fill(store, SERIES);
  const fillMs = performance.now() - t0;
  const heap = held() - before;
  const points = store.pointCount();

  const file = encodeStoreFile(snapshotStore(store));
  const fileBytesOf = (kind: Kind) => encodeStoreFile(snapshotStore(store).filter((s) => s.metric === kind)).length;
  console.log(
    `\nfilled ${points} points in ${(fillMs / 1000).toFixed(1)} s (${(((points / fillMs) * 1000) / 1e6).toFixed(2)} M points/s, sealing included)\n`,
  );
  console.log('| measure | bytes | bytes per point |');
  console.log('|---|---|---|');
  const row = (name: string, bytes: number, n = points) => console.log(`| ${name} | ${bytes} | ${(bytes / n).toFixed(3)} |`);
  row('in memory: store.memoryBytes() (raw rings + chunks + decode cache)', store.memoryBytes());
  if (gc) row('in memory: heap + array buffers held (--expose-gc)', heap);
  row('persisted: store file (version 2)', file.length);
  row('baseline: version 1 layout, every point raw (16 B + meta)', 32 + SERIES * 80 + 16 * points);
  console.log('\n| kind | points | file bytes per point |');
  console.log('|---|---|---|');
  for (const kind of KINDS) console.log(`| ${kind} | ${perKind.get(kind)} | ${(fileBytesOf(kind) / perKind.get(kind)!).toFixed(3)} |`);

  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-store-'));
  try {
    const persister = new StorePersister({ store, dataDir: dir, intervalMs: 60_000, now: () => NOW });
    const saves: number[] = [];
    for (let i = 0; i < 5; i++) saves.push((await persister.save()).ms);
    const loads: number[] = [];
    for (let i = 0; i < 3; i++) {
      const copy = new SampleStore({ retentionMs: 31 * DAY_MS, maxPointsPerSeries: 20_000 });
      const report = await new StorePersister({ store: copy, dataDir: dir, intervalMs: 60_000, now: () => NOW }).load();
      if (report.status !== 'loaded' || report.points !== points) throw new Error(`load gave ${JSON.stringify(report)}`);
      loads.push(report.ms);
    }
    console.log('\n| persistence | median of runs |');
    console.log('|---|---|');
    console.log(
      `| snapshot write (encode, temp file, fsync, rename, fsync dir), ${(file.length / 2 ** 20).toFixed(1)} MiB | ${median(saves).toFixed(0)} ms (5 runs) |`,
    );
    console.log(`| snapshot load (read, check, adopt chunks, append raw tier) | ${median(loads).toFixed(0)} ms (3 runs) |`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // A 30-day read of every series: the figure each period objective needs per evaluation.
  const reads: number[] = [];
  let read = { ms: 0, points: 0 };
  for (let i = 0; i < 5; i++) reads.push((read = readAll(store)).ms);
  const rawStore = new SampleStore({ retentionMs: 31 * DAY_MS, maxPointsPerSeries: 200_000, tiers: { rawMs: Number.POSITIVE_INFINITY } });
  fill(rawStore, 20);
  const rawReads: number[] = [];
  let rawRead = { ms: 0, points: 0 };
  for (let i = 0; i < 5; i++) rawReads.push((rawRead = readAll(rawStore)).ms);
  const perMillion = (x: number, n: number) => ((x / n) * 1e6).toFixed(1);
  console.log('\n| 30-day range() of every series | median ms | ms per million points |');
  console.log('|---|---|---|');
  console.log(
    `| tiered store, ${SERIES} series (${read.points} points) | ${median(reads).toFixed(0)} | ${perMillion(median(reads), read.points)} |`,
  );
  console.log(
    `| baseline: all raw, 20 series (${rawRead.points} points) | ${median(rawReads).toFixed(0)} | ${perMillion(median(rawReads), rawRead.points)} |`,
  );
  // Event objectives over 30 days: the period read each cycle, with and without the memo.
  const ev = eventCycles();
  console.log(
    `\n| evaluation cycle, ${EVENT_OBJECTIVES * 2} event objectives (30-day period) over ${ev.series} series (${ev.points} points) | median ms per cycle | cycles |`,
  );
  console.log('|---|---|---|');
  console.log(`| baseline: no memo (whole period read every cycle) | ${median(ev.freshMs).toFixed(0)} | ${ev.freshMs.length} |`);
  console.log(`| memo, first cycle (fills it: every block read once) | ${ev.firstMemoMs.toFixed(0)} | 1 |`);
  console.log(`| memo, later cycles (partial first block + unfinished tail) | ${median(ev.memoMs).toFixed(1)} | ${ev.memoMs.length} |`);
  console.log(
    `\nmemo speed-up per cycle: ${(median(ev.freshMs) / median(ev.memoMs)).toFixed(0)}x; figures equal with and without memo: ${ev.figuresEqual}`,
  );
  console.log(
    `\nload average at end ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
