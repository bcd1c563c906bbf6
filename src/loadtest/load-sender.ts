import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { type ArrivalProcess, arrivalOffsets, WeightedPicker } from './arrivals.js';
import { LatencyRecorder, type RecorderData } from './latency-recorder.js';
import { fillTemplate, PayloadCorpus } from './payload-corpus.js';
import type { CorpusSpec, RequestSpec } from './profile-schema.js';
import type { Slice } from './rate-curve.js';
import { Timeline, type TimelineData } from './timeline.js';

/**
 * Sends the load, in this thread: the open model (requests due on a schedule, whatever the
 * target does) or the closed model (a fixed number of connections, each sending its next request
 * when the previous one is answered, as wrk does). Everything in and out is plain data, so a
 * worker thread runs the same function over its share of the load.
 *
 * Why our own scheduler rather than autocannon: autocannon paces per connection and per
 * wall-clock second (a second's quota goes out back to back), and measures from the actual send.
 * An open-model test needs each request sent at its own due time and timed from that due time,
 * so that a stalled target is charged for the requests that queued up behind the stall
 * (coordinated omission). undici's Pool does the HTTP.
 */

export type TrafficKind = Readonly<RequestSpec>;

export type LoadModel =
  | {
      readonly kind: 'open';
      readonly slices: readonly Slice[];
      readonly arrivals: ArrivalProcess;
      readonly seed: number;
      /** At most this many connections; requests beyond them queue and their wait counts. */
      readonly maxConnections: number;
    }
  | { readonly kind: 'closed'; readonly connections: number; readonly durationMs: number };

export interface LoadSpec {
  readonly base: string;
  readonly kinds: readonly TrafficKind[];
  readonly corpus: { readonly spec: Pick<CorpusSpec, 'distinct' | 'hotSet' | 'hotShare' | 'seed'>; readonly extra: readonly string[] };
  readonly model: LoadModel;
  readonly timeoutS: number;
  /** This sender's share: every `count`-th arrival (or connection) starting at `index`. */
  readonly share: { readonly index: number; readonly count: number };
}

export interface LoadResult {
  readonly perKind: Record<string, RecorderData>;
  /** How late each request was sent after its due time (ms); empty for the closed model. */
  readonly lateness: Float64Array;
  /** The sender's event-loop delay while it ran (ms). */
  readonly loopDelayMs: { readonly p99: number; readonly max: number };
  /** Unix ms of the first and the last answer. */
  readonly firstAnswerAt: number | null;
  readonly lastAnswerAt: number | null;
  /** The load over time (the HTML report's charts). */
  readonly timeline: TimelineData;
}

export interface LoadProgress {
  attempts: number;
  errors: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));
/** Unix ms of a `performance.now()` reading (comparable across worker threads). */
const unixMs = (perfMs: number) => performance.timeOrigin + perfMs;
const yieldToAnswers = () => new Promise<void>((resolve) => setImmediate(resolve));
/** Sends in a row without letting answers in, at most (a sender far behind its schedule catches up in such runs). */
const MAX_SENDS_WITHOUT_YIELD = 64;

interface Prepared {
  readonly path: string;
  readonly method: TrafficKind['method'];
  readonly headers: Record<string, string>;
  readonly body: () => string | undefined;
}

function prepare(kind: TrafficKind, corpus: PayloadCorpus): Prepared {
  const hasBody = kind.body !== undefined && kind.method !== 'GET' && kind.method !== 'HEAD';
  return {
    path: kind.path,
    method: kind.method,
    headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...kind.headers },
    body: hasBody ? () => JSON.stringify(fillTemplate(kind.body, corpus.next())) : () => undefined,
  };
}

/**
 * What both models send: this sender's own corpus (its seed offset by its share, so senders differ)
 * and the weighted mix of prepared requests.
 */
function requestSource(spec: LoadSpec) {
  const corpus = new PayloadCorpus({ ...spec.corpus.spec, seed: spec.corpus.spec.seed + spec.share.index }, spec.corpus.extra);
  const picker = new WeightedPicker(spec.kinds.map((k) => ({ weight: k.weight, kind: k, prepared: prepare(k, corpus) })));
  return { picker, timeoutMs: spec.timeoutS * 1000 };
}

/** One sender's measurements while it runs. */
class Measurements {
  readonly recorders: Map<string, LatencyRecorder>;
  readonly lateness: number[] = [];
  readonly timeline = new Timeline();
  firstAnswerAt: number | null = null;
  lastAnswerAt: number | null = null;

  constructor(kinds: readonly TrafficKind[]) {
    this.recorders = new Map(kinds.map((k) => [k.name, new LatencyRecorder()]));
  }

  recorder(kind: TrafficKind): LatencyRecorder {
    let r = this.recorders.get(kind.name);
    if (!r) this.recorders.set(kind.name, (r = new LatencyRecorder()));
    return r;
  }

  answered(): void {
    const now = Date.now();
    this.firstAnswerAt ??= now;
    this.lastAnswerAt = now;
  }

  progress(): LoadProgress {
    let attempts = 0;
    let errors = 0;
    for (const r of this.recorders.values()) {
      attempts += r.attempts;
      errors += r.serverErrors + r.connectionErrors;
    }
    return { attempts, errors };
  }
}

/**
 * Sends one request; resolves with its status, or null when there was no answer. Through undici's
 * `dispatch` with a handler that drops the body as it arrives: `pool.request` would wrap every
 * answer in a body stream and a response object, which at tens of thousands of requests a second
 * is most of the generator's CPU — CPU a busy target on the same machine then does not get.
 */
function send(pool: Pool, p: Prepared, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    let status: number | null = null;
    pool.dispatch(
      { path: p.path, method: p.method, headers: p.headers, body: p.body() ?? null, headersTimeout: timeoutMs, bodyTimeout: timeoutMs },
      {
        onRequestStart: () => {},
        onResponseStart: (_controller, statusCode) => {
          status = statusCode;
        },
        onResponseEnd: () => resolve(status),
        onResponseError: () => resolve(null),
      },
    );
  });
}

async function runOpen(
  spec: LoadSpec,
  model: Extract<LoadModel, { kind: 'open' }>,
  pool: Pool,
  m: Measurements,
  signal: AbortSignal,
): Promise<void> {
  const { picker, timeoutMs } = requestSource(spec);
  const inFlight = new Set<Promise<void>>();
  const start = performance.now();
  let index = 0;
  let inARow = 0;
  for (const due of arrivalOffsets(model.slices, model.arrivals, model.seed)) {
    if (index++ % spec.share.count !== spec.share.index) continue;
    if (signal.aborted) break;
    // Never early: a timer wakes us at or after the due time; every request due by then goes out.
    const wait = start + due - performance.now();
    if (wait > 0) {
      await sleep(wait);
      inARow = 0;
    } else if (++inARow % MAX_SENDS_WITHOUT_YIELD === 0) await yieldToAnswers();
    const sentAt = performance.now();
    m.lateness.push(Math.max(0, sentAt - (start + due)));
    m.timeline.asked(unixMs(start + due));
    const { kind, prepared } = picker.next();
    const request = send(pool, prepared, timeoutMs).then((status) => {
      const end = performance.now();
      if (status === null) {
        m.recorder(kind).recordError();
        m.timeline.failed(unixMs(end));
      } else {
        m.answered();
        m.recorder(kind).record(end - (start + due), status, end - sentAt);
        m.timeline.answered(unixMs(end), end - (start + due), status);
      }
      inFlight.delete(request);
    });
    inFlight.add(request);
  }
  await Promise.all(inFlight);
}

async function runClosed(
  spec: LoadSpec,
  model: Extract<LoadModel, { kind: 'closed' }>,
  pool: Pool,
  m: Measurements,
  signal: AbortSignal,
): Promise<void> {
  const { picker, timeoutMs } = requestSource(spec);
  const end = performance.now() + model.durationMs;
  const connections = Math.floor(model.connections / spec.share.count) + (spec.share.index < model.connections % spec.share.count ? 1 : 0);
  const loop = async () => {
    while (performance.now() < end && !signal.aborted) {
      const { kind, prepared } = picker.next();
      const sentAt = performance.now();
      const status = await send(pool, prepared, timeoutMs);
      const end = performance.now();
      if (status === null) {
        m.recorder(kind).recordError();
        m.timeline.failed(unixMs(end));
      } else {
        m.answered();
        m.recorder(kind).record(end - sentAt, status);
        m.timeline.answered(unixMs(end), end - sentAt, status);
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
}

/** Sends this sender's share of the load; `onProgress` is called every `progressMs` while it runs. */
export async function sendLoad(
  spec: LoadSpec,
  signal: AbortSignal,
  onProgress?: (p: LoadProgress) => void,
  progressMs = 500,
): Promise<LoadResult> {
  const m = new Measurements(spec.kinds);
  const connections = spec.model.kind === 'open' ? spec.model.maxConnections : spec.model.connections;
  const pool = new Pool(spec.base, { connections: Math.max(1, Math.ceil(connections / spec.share.count)), pipelining: 1 });
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const ticker = onProgress ? setInterval(() => onProgress(m.progress()), progressMs) : undefined;
  try {
    if (spec.model.kind === 'open') await runOpen(spec, spec.model, pool, m, signal);
    else await runClosed(spec, spec.model, pool, m, signal);
  } finally {
    clearInterval(ticker);
    loopDelay.disable();
    await pool.destroy();
  }
  onProgress?.(m.progress());
  return {
    perKind: Object.fromEntries([...m.recorders].map(([name, r]) => [name, r.toData()])),
    lateness: Float64Array.from(m.lateness),
    loopDelayMs: { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
    firstAnswerAt: m.firstAnswerAt,
    lastAnswerAt: m.lastAnswerAt,
    timeline: m.timeline.toData(),
  };
}
