/**
 * Cross-checks of vigil's load generator, same machine, same run (see docs/load-testing.md):
 *   wrk   — closed model against a CPU-bound target: vigil's throughput with the same number of
 *           connections as `wrk`'s, alternating runs, ratio per pair;
 *   stall — coordinated omission: a target that stalls 1 s every 10 s under a constant 200 req/s.
 *           vigil's open-model P99 (from each request's due time) against the analytic value, and
 *           what closed loops (vigil's closed model, wrk) report for the same target.
 * Run: npm run bench:loadgen [-- wrk|stall]
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { promisify } from 'node:util';
import type { LoadtestReport } from '../src/loadtest/report-schema.js';
import { runLoadtest } from '../src/loadtest/run-loadtest.js';

const run = promisify(execFile);
const here = new URL('.', import.meta.url).pathname;
const STALL_EVERY_MS = 10_000;
const STALL_MS = 1000;

async function startTarget(mode: 'cpu' | 'stall', burnMs = 0): Promise<{ url: string; child: ChildProcess }> {
  const args = mode === 'cpu' ? [String(burnMs)] : [String(STALL_EVERY_MS), String(STALL_MS)];
  const child = spawn(process.execPath, [`${here}loadgen-target.js`, mode, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`target exited (${code})`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      const m = /PORT (\d+)/.exec(chunk.toString());
      if (m) resolve(Number(m[1]));
    });
  });
  return { url: `http://127.0.0.1:${port}/`, child };
}

const toMs = (value: string, unit: string) => Number(value) * ({ us: 0.001, ms: 1, s: 1000 }[unit] ?? Number.NaN);

interface WrkResult {
  throughput: number;
  requests: number;
  p50: number;
  p99: number;
}

async function wrk(url: string, connections: number, seconds: number): Promise<WrkResult> {
  const { stdout } = await run('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url], { timeout: (seconds + 30) * 1000 });
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
  const pct = (p: string) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(stdout);
    return m?.[1] && m[2] ? toMs(m[1], m[2]) : Number.NaN;
  };
  if (!rps?.[1]) throw new Error(`wrk printed no Requests/sec:\n${stdout}`);
  const requests = Number(/(\d+) requests in/.exec(stdout)?.[1] ?? Number.NaN);
  return { throughput: Number(rps[1]), requests, p50: pct('50'), p99: pct('99') };
}

const quiet = { watch: false, progress: false, sloPaths: [] as string[] };

function vigilClosed(url: string, connections: number, seconds: number): Promise<LoadtestReport> {
  return runLoadtest({ url, connections, durationMs: seconds * 1000, ...quiet });
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/**
 * A target that does work (0.5 ms of CPU per request) is what a load test meets; an empty one
 * (0 ms) measures the generators' own speed, where wrk (C, one thread) is faster than Node.
 */
async function wrkCrossCheck(burnMs: number, connections: number): Promise<void> {
  const { url, child } = await startTarget('cpu', burnMs);
  try {
    const seconds = 5;
    console.log(`\n## closed model vs wrk: target burns ${burnMs} ms of CPU per request, ${connections} connections, ${seconds} s per run`);
    console.log(`machine: ${cpus().length} cores, load average before: ${load()}`);
    console.log('| pair | wrk req/s | vigil closed req/s | vigil / wrk | wrk p50 | vigil p50 | generator limited |');
    console.log('|---|---|---|---|---|---|---|');
    await wrk(url, connections, 2); // warm the target's JIT
    const ratios: number[] = [];
    // Short runs in alternating order: on a shared machine the CPU left over drifts from second
    // to second, and a pair run back to back sees about the same.
    for (let pair = 1; pair <= 8; pair++) {
      const wrkFirst = pair % 2 === 1;
      const first = wrkFirst ? await wrk(url, connections, seconds) : await vigilClosed(url, connections, seconds);
      const second = wrkFirst ? await vigilClosed(url, connections, seconds) : await wrk(url, connections, seconds);
      const w = (wrkFirst ? first : second) as WrkResult;
      const v = (wrkFirst ? second : first) as LoadtestReport;
      const ratio = v.throughput / w.throughput;
      ratios.push(ratio);
      console.log(
        `| ${pair} | ${w.throughput.toFixed(0)} | ${v.throughput.toFixed(0)} | ${ratio.toFixed(3)} | ${w.p50.toFixed(2)} ms | ${(v.latencyMs.p50 ?? 0).toFixed(2)} ms | ${v.generator.limited ? 'yes' : 'no'} |`,
      );
    }
    console.log(
      `median vigil / wrk: ${median(ratios).toFixed(3)} (within 10 %: ${Math.abs(median(ratios) - 1) <= 0.1 ? 'yes' : 'NO'}); load average after: ${load()}`,
    );
  } finally {
    child.kill('SIGTERM');
  }
}

/** The q-quantile of the latency when a share f = STALL_MS / STALL_EVERY_MS of arrivals waits U(0, STALL_MS), the rest ~0. */
export function analyticStallQuantile(q: number): number {
  const f = STALL_MS / STALL_EVERY_MS;
  return q <= 1 - f ? 0 : STALL_MS * (1 - (1 - q) / f);
}

async function stallTest(): Promise<void> {
  const { url, child } = await startTarget('stall');
  try {
    const rate = 200;
    const seconds = 60;
    console.log(`\n## coordinated omission: target stalls ${STALL_MS} ms every ${STALL_EVERY_MS / 1000} s, ${rate} req/s for ${seconds} s`);
    console.log(`machine: ${cpus().length} cores, load average before: ${load()}`);
    const open = await runLoadtest({ url, rate, durationMs: seconds * 1000, ...quiet });
    const closed = await vigilClosed(url, 10, 30);
    const w = await wrk(url, 10, 30);
    const p95 = analyticStallQuantile(0.95);
    const p99 = analyticStallQuantile(0.99);
    console.log('| measurement | P50 | P95 | P99 | P99 / analytic |');
    console.log('|---|---|---|---|---|');
    console.log(`| analytic (open arrivals) | 0 ms | ${p95.toFixed(0)} ms | ${p99.toFixed(0)} ms | 1 |`);
    const row = (name: string, p50: number | null, p95v: number | null, p99v: number | null) =>
      console.log(
        `| ${name} | ${(p50 ?? Number.NaN).toFixed(1)} ms | ${p95v === null ? '-' : `${p95v.toFixed(0)} ms`} | ${(p99v ?? Number.NaN).toFixed(0)} ms | ${((p99v ?? Number.NaN) / p99).toFixed(3)} |`,
      );
    row('vigil open model, from due time', open.latencyMs.p50, open.latencyMs.p95, open.latencyMs.p99);
    row('vigil open model, from send', open.latencyFromSendMs.p50, open.latencyFromSendMs.p95, open.latencyFromSendMs.p99);
    row('vigil closed model (10 connections)', closed.latencyMs.p50, closed.latencyMs.p95, closed.latencyMs.p99);
    row('wrk (10 connections)', w.p50, null, w.p99);
    console.log(`closed runs: vigil ${closed.responses} answers, wrk ${w.requests} requests`);
    console.log(
      `open run: ${open.responses} answered of ${open.requested}, generator limited: ${open.generator.limited ? 'yes' : 'no'} (sent late p99 ${(open.generator.sendLatenessMs.p99 ?? 0).toFixed(1)} ms)`,
    );
    console.log(`load average after: ${load()}`);
  } finally {
    child.kill('SIGTERM');
  }
}

const only = process.argv[2];
if (!only || only === 'wrk') {
  // 50 connections keep the busy target's queue 25 ms deep: a generator that is briefly not
  // scheduled on a shared machine does not leave the target idle (which would measure the machine).
  await wrkCrossCheck(0.5, 50);
  await wrkCrossCheck(0, 10);
}
if (!only || only === 'stall') await stallTest();
