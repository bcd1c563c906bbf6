import { renameSync, writeFileSync } from 'node:fs';
import type { z } from 'zod';
import { toWire } from '../core/wire-keys.js';
import { detectLeak } from '../leak/detect-leak.js';
import { generatorHealth } from './generator-health.js';
import { LatencyRecorder, summarize } from './latency-recorder.js';
import { describeLeak } from './leak-text.js';
import type { MergedLoad } from './load-workers.js';
import { JUDGED_NODE_MEMORY, MemoryFollower, RESIDENT_MEMORY_METRIC } from './memory-follower.js';
import { type SoakCheckpoint, type SoakResult, soakCheckpointFileSchema } from './report-schema.js';
import type { RunShape } from './run-plan.js';
import { openModel, type RunSession } from './run-session.js';
import { SoakTotals } from './soak-totals.js';
import { errorRatioOf } from './stress-step.js';

/**
 * A soak: steady load at one rate for a long time (24 h for "no memory leaks in a 24 h stress
 * test"), sent in checkpoint-long parts. After each part: a summary row, the leak detector's verdict
 * on the target's memory so far, a progress line, and the checkpoint file rewritten whole. A day of
 * raw latencies would not fit in memory, so the run's totals keep a uniform sample of at most
 * SAMPLE_CAPACITY latencies (exact counts); each checkpoint's percentiles are exact.
 */

type SoakShape = Extract<RunShape, { mode: 'soak' }>;

/** Replaces the checkpoint file whole (write, then rename), so a reader never sees half a file. */
function writeCheckpoint(file: string, content: z.output<typeof soakCheckpointFileSchema>): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(toWire(soakCheckpointFileSchema, content), null, 2)}\n`);
  renameSync(tmp, file);
}

const hms = (s: number) =>
  `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;

export function soakProgressLine(c: SoakCheckpoint, plannedS: number): string {
  const mem = c.memoryBytes === null ? 'memory -' : `memory ${(c.memoryBytes / 1_048_576).toFixed(1)} MiB`;
  const p95 = c.latencyMs.p95 === null ? '-' : `${c.latencyMs.p95.toFixed(1)}ms`;
  return `soak ${hms(c.atS)}/${hms(plannedS)}  ${c.throughput.toFixed(0)} req/s  p95 ${p95}  errors ${(c.errorRatio * 100).toFixed(2)}%  ${mem}  leak: ${describeLeak(c.leak)}`;
}

/** The warm-up is sent in parts this long; after each (past the minimum) the memory is judged. */
const WARMUP_PART_MS = 10_000;

/**
 * Load before the soak, not measured: at least `warmupMs`, then on until the target's memory has
 * settled — vigil's leak detector, over the last `settleWindowMs` of the warm-up (a whole window of
 * readings, so at least that long), calls it `ok` (neither a significant nor a material rise) — and
 * at most `maxWarmupMs`. A Node or JVM service's
 * resident memory climbs for minutes after it starts taking load (the heap growing to its working
 * size); judged from a short soak's start, that climb is `suspected`. A leak never settles: its
 * warm-up runs to the maximum and the soak after it judges the leak all the same.
 */
async function warmUp(session: RunSession, shape: SoakShape): Promise<{ ms: number; reason: string }> {
  if (shape.maxWarmupMs <= 0) return { ms: 0, reason: 'no warm-up' };
  const memory = new MemoryFollower(`${session.plan.base}/metrics`, shape.memoryEveryMs);
  const started = Date.now();
  memory.start();
  let settled: string | null = null;
  try {
    session.track(shape.maxWarmupMs, () => 'soak warm-up (not measured)');
    let sent = 0;
    while (sent < shape.maxWarmupMs && !session.abort.signal.aborted) {
      const partMs = Math.min(WARMUP_PART_MS, shape.maxWarmupMs - sent);
      await session.send(openModel(session.plan, [{ phase: 'warm-up', startMs: 0, durationMs: partMs, rate: shape.rate }]));
      sent += partMs;
      if (sent < shape.warmupMs) continue;
      const { t, v } = memory.judgedSeries();
      if (!t.length) break; // memory not followed: the minimum warm-up is all
      // Judged on a whole window of readings, as the soak will be: a climb too slow to be
      // significant over a few readings is significant over a window's worth.
      if (Date.now() - started < shape.settleWindowMs) continue;
      const verdict = detectLeak(t, v, { windowMs: shape.settleWindowMs, now: Date.now(), limitBytes: shape.limitBytes });
      if (verdict.verdict === 'ok') {
        settled = `memory settled after ${Math.round(sent / 1000)} s (the leak detector calls its last ${Math.round(shape.settleWindowMs / 1000)} s ok)`;
        break;
      }
    }
    session.endTracking();
    const ms = Date.now() - started;
    if (settled) return { ms, reason: settled };
    if (!memory.series().t.length) return { ms, reason: `fixed (${memory.lastError ?? 'memory not followed'})` };
    return { ms, reason: `memory still rising after the longest warm-up (${Math.round(shape.maxWarmupMs / 1000)} s)` };
  } finally {
    memory.stop();
  }
}

/** Where the memory came from and, for a Node target, which series the leak detector judges. */
function memorySource(metricsUrl: string, nodeMemory: boolean): string {
  return nodeMemory ? `${metricsUrl} ${RESIDENT_MEMORY_METRIC}; judged: ${JUDGED_NODE_MEMORY}` : `${metricsUrl} ${RESIDENT_MEMORY_METRIC}`;
}

/** Where a soak starts: fresh, or where an interrupted one stopped. */
function startingPoint(shape: SoakShape) {
  const earlier = shape.resume?.soak;
  const now = Date.now();
  const lastRead = earlier?.memory.t.at(-1);
  return {
    startedAt: shape.resume ? Date.parse(shape.resume.startedAt) : now,
    checkpoints: earlier ? [...earlier.checkpoints] : [],
    memory: earlier?.memory ?? { t: [], v: [] },
    doneMs: (earlier?.doneS ?? 0) * 1000,
    resumedAtS: earlier ? [...earlier.resumedAtS, earlier.doneS] : [],
    // The time between the last reading and now: the detector's window spans it too.
    pausedMs: (earlier?.pausedS ?? 0) * 1000 + (lastRead !== undefined ? Math.max(0, now - lastRead) : 0),
  };
}

export async function runSoak(
  session: RunSession,
  shape: SoakShape,
  target: string,
): Promise<{ load: MergedLoad; soak: SoakResult; requested: number }> {
  const from = startingPoint(shape);
  const follower = new MemoryFollower(`${session.plan.base}/metrics`, shape.memoryEveryMs, from.memory);
  const totals = new SoakTotals(shape.resume?.totals);
  const checkpoints = from.checkpoints;
  let doneMs = from.doneMs;
  const judge = () => {
    const { t, v } = follower.judgedSeries();
    const windowMs = shape.plannedMs + from.pausedMs;
    return t.length ? detectLeak(t, v, { windowMs, now: Date.now(), limitBytes: shape.limitBytes }) : null;
  };
  const result = (): SoakResult => {
    const memory = follower.series();
    return {
      plannedS: shape.plannedMs / 1000,
      checkpointS: shape.checkpointMs / 1000,
      warmupS: warmup.ms / 1000,
      warmupReason: warmup.reason,
      checkpoints,
      memorySource: memory.t.length ? memorySource(`${session.plan.base}/metrics`, follower.judgesNodeMemory) : null,
      memoryError: follower.lastError,
      limitBytes: shape.limitBytes,
      memory,
      leak: judge(),
      checkpointFile: shape.checkpointFile,
      doneS: doneMs / 1000,
      resumedAtS: from.resumedAtS,
      pausedS: from.pausedMs / 1000,
    };
  };
  const save = () => {
    if (shape.checkpointFile)
      writeCheckpoint(shape.checkpointFile, {
        target,
        startedAt: new Date(from.startedAt).toISOString(),
        rate: shape.rate,
        soak: result(),
        totals: totals.toData((shape.rate * (doneMs - from.doneMs)) / 1000),
      });
  };
  await session.planWorkers(shape.rate);
  const warmup = await warmUp(session, shape);
  follower.start();
  try {
    // Fixed parts of the schedule: the run sends exactly rate x duration requests; the few ms
    // between parts (a new sender) make it last that much longer. An interrupted part counts
    // for the time it ran, so that a resumed run sends the rest.
    for (let k = 0; k * shape.checkpointMs < shape.durationMs && !session.abort.signal.aborted; k++) {
      const partMs = Math.min(shape.checkpointMs, shape.durationMs - k * shape.checkpointMs);
      session.track(partMs, () => `soak part ${checkpoints.length + 1}`);
      const partStart = Date.now();
      const load = await session.send(
        openModel(session.plan, [{ phase: `soak-${checkpoints.length + 1}`, startMs: 0, durationMs: partMs, rate: shape.rate }]),
      );
      session.endTracking();
      const ranMs = session.abort.signal.aborted ? Math.min(partMs, Date.now() - partStart) : partMs;
      doneMs += ranMs;
      totals.add(load);
      const part = LatencyRecorder.combine([...load.perKind.values()]);
      const checkpoint: SoakCheckpoint = {
        atS: Math.round(doneMs / 100) / 10,
        requests: part.responses,
        throughput: part.responses / (ranMs / 1000),
        latencyMs: summarize(part.latencies()),
        errorRatio: errorRatioOf(part),
        memoryBytes: follower.lastResident,
        leak: judge(),
        generatorLimited: generatorHealth(load.lateness, load.loopDelayMs, load.workerThreads).limited,
      };
      session.moreWorkersAfter(checkpoint.generatorLimited, shape.rate);
      checkpoints.push(checkpoint);
      session.note(soakProgressLine(checkpoint, shape.plannedMs / 1000));
      save();
    }
  } finally {
    follower.stop();
  }
  const soak = result();
  save();
  return { load: totals.asLoad(), soak, requested: totals.requested(shape.requested) };
}
