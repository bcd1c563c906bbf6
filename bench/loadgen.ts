/**
 * Cross-checks of vigil's load generator, same machine, same run (see docs/load-testing.md):
 *   wrk   — closed model against a CPU-bound target: vigil's throughput with the same number of
 *           connections as `wrk`'s, alternating runs, ratio per pair;
 *   stall — coordinated omission: a target that stalls 1 s every 10 s under a constant 200 req/s.
 *           vigil's open-model P99 (from each request's due time) against the analytic value, and
 *           what closed loops (vigil's closed model, wrk) report for the same target.
 *   cost  — each generator's CPU: fixed per run and marginal per request (wrk's and vigil's).
 * Run: npm run bench:loadgen [-- wrk|stall|cost]
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
  /** wrk's own CPU time (user + system), ms. */
  cpuMs: number;
}

/** wrk is a Debian package (`apt-get install wrk`); without it the cross-check cannot run. */
async function requireWrk(): Promise<boolean> {
  try {
    await run('wrk', ['--version']).catch((err: { stdout?: string }) => {
      // wrk --version exits 1 after printing its version.
      if (!/wrk/.test(err.stdout ?? '')) throw err;
    });
    return true;
  } catch {
    console.log('\nwrk is not installed (Debian: apt-get install -y wrk): the wrk cross-check and the wrk rows are skipped.');
    return false;
  }
}

/** CPU time (user + system) of a process so far, ms, from /proc (Linux; clock ticks of 10 ms). */
function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The bench process's own CPU time (every thread: vigil's load workers run here), ms. */
const ownCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function wrk(url: string, connections: number, seconds: number): Promise<WrkResult> {
  // bash's `times` prints its children's CPU time: wrk's, measured by the kernel.
  const { stdout } = await run('bash', ['-c', `wrk -t1 -c${connections} -d${seconds}s --latency ${url} && times`], {
    timeout: (seconds + 30) * 1000,
  });
  const children = /\n(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(stdout);
  const cpuMs = children
    ? (Number(children[1]) * 60 + Number(children[2]) + Number(children[3]) * 60 + Number(children[4])) * 1000
    : Number.NaN;
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
  const pct = (p: string) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(stdout);
    return m?.[1] && m[2] ? toMs(m[1], m[2]) : Number.NaN;
  };
  if (!rps?.[1]) throw new Error(`wrk printed no Requests/sec:\n${stdout}`);
  const requests = Number(/(\d+) requests in/.exec(stdout)?.[1] ?? Number.NaN);
  return { throughput: Number(rps[1]), requests, p50: pct('50'), p99: pct('99'), cpuMs };
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

interface Measured {
  throughput: number;
  requests: number;
  p50: number;
  /** CPU per answered request (µs): the generator's own and the target's. */
  generatorUs: number;
  targetUs: number;
}

async function measuredWrk(url: string, pid: number, connections: number, seconds: number): Promise<Measured> {
  const target = processCpuMs(pid);
  const w = await wrk(url, connections, seconds);
  const perRequest = (ms: number) => (ms * 1000) / w.requests;
  return {
    throughput: w.throughput,
    requests: w.requests,
    p50: w.p50,
    generatorUs: perRequest(w.cpuMs),
    targetUs: perRequest(processCpuMs(pid) - target),
  };
}

async function measuredVigil(url: string, pid: number, connections: number, seconds: number): Promise<Measured> {
  const target = processCpuMs(pid);
  const own = ownCpuMs();
  const v = await vigilClosed(url, connections, seconds);
  const perRequest = (ms: number) => (ms * 1000) / v.responses;
  return {
    throughput: v.throughput,
    requests: v.responses,
    p50: v.latencyMs.p50 ?? Number.NaN,
    generatorUs: perRequest(ownCpuMs() - own),
    targetUs: perRequest(processCpuMs(pid) - target),
  };
}

/**
 * A target that does work (0.5 ms of CPU per request) is what a load test meets; an empty one
 * (0 ms) measures the generators' own speed, where wrk (C, one thread) is faster than Node.
 * Beside the throughput, each run's CPU per answered request: the generator's (wrk's from the
 * kernel via bash's `times`; vigil's the whole bench process, load worker included) and the
 * target's. On a machine with fewer free cores than generator + target need, what the generator
 * spends per request is what the target does not get.
 */
async function wrkCrossCheck(burnMs: number, connections: number): Promise<void> {
  const { url, child } = await startTarget('cpu', burnMs);
  const pid = child.pid ?? 0;
  try {
    const seconds = 5;
    console.log(`\n## closed model vs wrk: target burns ${burnMs} ms of CPU per request, ${connections} connections, ${seconds} s per run`);
    console.log(`machine: ${cpus().length} cores, load average before: ${load()}`);
    console.log(
      '| pair | wrk req/s | vigil closed req/s | vigil / wrk | wrk p50 | vigil p50 | generator CPU µs/req wrk / vigil | target CPU µs/req wrk / vigil |',
    );
    console.log('|---|---|---|---|---|---|---|---|');
    await wrk(url, connections, 2); // warm the target's JIT
    await vigilClosed(url, connections, 2); // and vigil's
    const ratios: number[] = [];
    const generator = { wrk: [] as number[], vigil: [] as number[] };
    // Short runs in alternating order: on a shared machine the CPU left over drifts from second
    // to second, and a pair run back to back sees about the same.
    for (let pair = 1; pair <= 8; pair++) {
      const wrkFirst = pair % 2 === 1;
      const first = wrkFirst ? await measuredWrk(url, pid, connections, seconds) : await measuredVigil(url, pid, connections, seconds);
      const second = wrkFirst ? await measuredVigil(url, pid, connections, seconds) : await measuredWrk(url, pid, connections, seconds);
      const [w, v] = wrkFirst ? [first, second] : [second, first];
      const ratio = v.throughput / w.throughput;
      ratios.push(ratio);
      generator.wrk.push(w.generatorUs);
      generator.vigil.push(v.generatorUs);
      console.log(
        `| ${pair} | ${w.throughput.toFixed(0)} | ${v.throughput.toFixed(0)} | ${ratio.toFixed(3)} | ${w.p50.toFixed(2)} ms | ${v.p50.toFixed(2)} ms | ${w.generatorUs.toFixed(1)} / ${v.generatorUs.toFixed(1)} | ${w.targetUs.toFixed(1)} / ${v.targetUs.toFixed(1)} |`,
      );
    }
    console.log(
      `median vigil / wrk: ${median(ratios).toFixed(3)} (within 10 %: ${Math.abs(median(ratios) - 1) <= 0.1 ? 'yes' : 'NO'}); median generator CPU per request: wrk ${median(generator.wrk).toFixed(1)} µs, vigil ${median(generator.vigil).toFixed(1)} µs; load average after: ${load()}`,
    );
  } finally {
    child.kill('SIGTERM');
  }
}

/**
 * The generators' CPU as a fixed cost per run plus a marginal cost per request, from a short and a
 * long run of each against the same target: vigil's per-run cost (a worker thread starting, the
 * target's /metrics read before and after) is outside the throughput window, the marginal cost
 * is what competes with the target while the load runs.
 */
async function generatorCost(burnMs: number, connections: number): Promise<void> {
  const { url, child } = await startTarget('cpu', burnMs);
  const pid = child.pid ?? 0;
  try {
    console.log(`\n## generator CPU: fixed per run and marginal per request (target burns ${burnMs} ms, ${connections} connections)`);
    console.log(`load average before: ${load()}`);
    await vigilClosed(url, connections, 1);
    const fit = async (measure: (seconds: number) => Promise<Measured>) => {
      const short = await measure(1);
      const long = await measure(6);
      const cpu = (m: Measured) => (m.generatorUs * m.requests) / 1000; // ms
      const marginalUs = ((cpu(long) - cpu(short)) * 1000) / (long.requests - short.requests);
      return { fixedMs: cpu(short) - (marginalUs * short.requests) / 1000, marginalUs, throughput: long.throughput };
    };
    for (let round = 1; round <= 2; round++) {
      const w = await fit((s) => measuredWrk(url, pid, connections, s));
      const v = await fit((s) => measuredVigil(url, pid, connections, s));
      console.log(
        `round ${round}: wrk fixed ${w.fixedMs.toFixed(0)} ms + ${w.marginalUs.toFixed(1)} µs/request (${w.throughput.toFixed(0)} req/s); vigil fixed ${v.fixedMs.toFixed(0)} ms + ${v.marginalUs.toFixed(1)} µs/request (${v.throughput.toFixed(0)} req/s); marginal vigil / wrk ${(v.marginalUs / w.marginalUs).toFixed(2)}`,
      );
    }
    console.log(`load average after: ${load()}`);
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
    const w = hasWrk ? await wrk(url, 10, 30) : null;
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
    if (w) row('wrk (10 connections)', w.p50, null, w.p99);
    console.log(`closed runs: vigil ${closed.responses} answers, wrk ${w ? w.requests : '-'} requests`);
    console.log(
      `open run: ${open.responses} answered of ${open.requested}, generator limited: ${open.generator.limited ? 'yes' : 'no'} (sent late p99 ${(open.generator.sendLatenessMs.p99 ?? 0).toFixed(1)} ms)`,
    );
    console.log(`load average after: ${load()}`);
  } finally {
    child.kill('SIGTERM');
  }
}

const only = process.argv[2];
const hasWrk = await requireWrk();
if (hasWrk && (!only || only === 'wrk')) {
  // 50 connections keep the busy target's queue 25 ms deep: a generator that is briefly not
  // scheduled on a shared machine does not leave the target idle (which would measure the machine).
  await wrkCrossCheck(0.5, 50);
  await wrkCrossCheck(0, 10);
}
if (hasWrk && (!only || only === 'cost')) {
  await generatorCost(0.5, 50);
  await generatorCost(0, 10);
}
if (!only || only === 'stall') await stallTest();
