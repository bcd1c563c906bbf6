import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LatencyRecorder } from './latency-recorder.js';
import { type LoadProgress, type LoadResult, type LoadSpec, sendLoad } from './load-sender.js';
import { Timeline } from './timeline.js';

/**
 * Sends the load from worker threads, so that nothing else the load test does (vigil's sources
 * scraping and evaluating, the progress line) delays a send, and so that a rate one event loop
 * cannot keep is spread: worker i sends every n-th request of the same schedule (or its share of
 * the closed model's connections), and the arrivals stay evenly spaced overall. Run from the
 * TypeScript sources (tests), where there is no compiled worker script, the load is sent from
 * this thread; the report says which.
 */

const WORKER_SCRIPT = new URL('./load-worker.js', import.meta.url);

export interface MergedLoad {
  readonly perKind: Map<string, LatencyRecorder>;
  readonly lateness: Float64Array;
  readonly loopDelayMs: { readonly p99: number; readonly max: number };
  readonly firstAnswerAt: number | null;
  readonly lastAnswerAt: number | null;
  readonly timeline: Timeline;
  /** Worker threads that sent the load (0: this thread). */
  readonly workerThreads: number;
  /** Seconds spent answering, when not last - first answer: a resumed soak leaves its interruptions out. */
  readonly answeringS?: number;
}

type WorkerMessage = { type: 'progress'; progress: LoadProgress } | { type: 'done'; result: LoadResult };

function inWorker(spec: LoadSpec, signal: AbortSignal, onProgress: (p: LoadProgress) => void): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SCRIPT, { workerData: spec });
    const stop = () => worker.postMessage('stop');
    signal.addEventListener('abort', stop, { once: true });
    let result: LoadResult | null = null;
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') onProgress(m.progress);
      else result = m.result;
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      signal.removeEventListener('abort', stop);
      if (result) resolve(result);
      else reject(new Error(`load worker ${spec.share.index} exited (code ${code}) without a result`));
    });
  });
}

const minOf = (values: Array<number | null>) =>
  values.reduce<number | null>((a, v) => (v === null ? a : a === null ? v : Math.min(a, v)), null);
const maxOf = (values: Array<number | null>) =>
  values.reduce<number | null>((a, v) => (v === null ? a : a === null ? v : Math.max(a, v)), null);

/** A sender's result as recorders. */
function asMerged(r: LoadResult, workerThreads: number): MergedLoad {
  return {
    workerThreads,
    perKind: new Map(Object.entries(r.perKind).map(([name, d]) => [name, LatencyRecorder.fromData(d)])),
    lateness: r.lateness,
    loopDelayMs: r.loopDelayMs,
    firstAnswerAt: r.firstAnswerAt,
    lastAnswerAt: r.lastAnswerAt,
    timeline: Timeline.fromData(r.timeline),
  };
}

export function mergeLoads(results: readonly LoadResult[], workerThreads: number): MergedLoad {
  return combineLoads(results.map((r) => asMerged(r, workerThreads)));
}

/** Sends the load over `workers` senders; `onProgress` gets the sum over all of them. */
export async function sendSpread(
  spec: Omit<LoadSpec, 'share'>,
  workers: number,
  signal: AbortSignal,
  onProgress: (p: LoadProgress) => void,
): Promise<MergedLoad> {
  if (!existsSync(fileURLToPath(WORKER_SCRIPT)))
    return mergeLoads([await sendLoad({ ...spec, share: { index: 0, count: 1 } }, signal, onProgress)], 0);
  const latest: LoadProgress[] = Array.from({ length: workers }, () => ({ attempts: 0, errors: 0 }));
  const report = () =>
    onProgress(latest.reduce((s, p) => ({ attempts: s.attempts + p.attempts, errors: s.errors + p.errors }), { attempts: 0, errors: 0 }));
  const results = await Promise.all(
    latest.map((_, index) =>
      inWorker({ ...spec, share: { index, count: workers } }, signal, (p) => {
        latest[index] = p;
        report();
      }),
    ),
  );
  return mergeLoads(results, workers);
}

/** Several parts of one run (stress steps) as one. */
export function combineLoads(loads: readonly MergedLoad[]): MergedLoad {
  const only = loads.length === 1 ? loads[0] : undefined;
  if (only) return only;
  const perKind = new Map<string, LatencyRecorder>();
  for (const name of new Set(loads.flatMap((l) => [...l.perKind.keys()]))) {
    perKind.set(name, LatencyRecorder.combine(loads.flatMap((l) => l.perKind.get(name) ?? [])));
  }
  const lateness = new Float64Array(loads.reduce((n, l) => n + l.lateness.length, 0));
  let at = 0;
  for (const l of loads) {
    lateness.set(l.lateness, at);
    at += l.lateness.length;
  }
  return {
    workerThreads: Math.max(0, ...loads.map((l) => l.workerThreads)),
    perKind,
    lateness,
    loopDelayMs: { p99: Math.max(0, ...loads.map((l) => l.loopDelayMs.p99)), max: Math.max(0, ...loads.map((l) => l.loopDelayMs.max)) },
    firstAnswerAt: minOf(loads.map((l) => l.firstAnswerAt)),
    lastAnswerAt: maxOf(loads.map((l) => l.lastAnswerAt)),
    timeline: Timeline.combine(loads.map((l) => l.timeline)),
  };
}
