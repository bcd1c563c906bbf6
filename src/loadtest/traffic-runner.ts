import autocannon from 'autocannon';
import { fillTemplate, type PayloadCorpus } from './payload-corpus.js';
import { LatencyRecorder } from './latency-recorder.js';
import { RateSplitter, type Slice } from './rate-curve.js';

/** One kind of request in the mix, with its own measurements. */
export interface TrafficKind {
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';
  readonly path: string;
  readonly weight: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

export interface TrafficOptions {
  /** Per-request timeout in seconds. */
  timeoutS?: number;
}

/** Requests per second one lane asks of each of its connections (autocannon paces per connection and second). */
const PER_CONNECTION_RATE = 4;
/** Lanes spread a kind's requests over the second (see `lanePlan`). */
const MAX_LANES = 20;
const RATE_PER_LANE = 20;

/**
 * How a kind's rate is split into lanes: autocannon limits each connection to `rate` requests per
 * wall-clock second, sent back to back at the start of each second. One instance at 1000 req/s
 * would thus fire its whole second's quota at once. Several instances started at offsets spread
 * evenly over the second turn that into small bursts every 1000/lanes ms: closer to the steady
 * arrivals that production traffic has, with autocannon still doing the sending.
 *
 * Every entry has the same rate on each of its connections (autocannon hands out a lane's
 * `amount` and its rate to connections independently; unequal per-connection rates would leave
 * the slow connections with requests still to send when the slice ends). So a lane of rate r is
 * one entry at PER_CONNECTION_RATE per connection plus, for the remainder, one at 1 per connection.
 */
export function lanePlan(rate: number): Array<{ offsetMs: number; rate: number; connections: number }> {
  if (rate <= 0) return [];
  const lanes = Math.max(1, Math.min(MAX_LANES, Math.floor(rate / RATE_PER_LANE)));
  const out = [];
  for (let i = 0; i < lanes; i++) {
    const laneRate = Math.floor(rate / lanes) + (i < rate % lanes ? 1 : 0);
    const offsetMs = Math.round((i * 1000) / lanes);
    const full = Math.floor(laneRate / PER_CONNECTION_RATE);
    const rest = laneRate % PER_CONNECTION_RATE;
    if (full > 0) out.push({ offsetMs, rate: full * PER_CONNECTION_RATE, connections: full });
    if (rest > 0) out.push({ offsetMs, rate: rest, connections: rest });
  }
  return out;
}

/** How long past its slice a lane may run to finish its quota. */
const LANE_GRACE_MS = 1000;

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * Sends a weighted mix of requests at given rates with autocannon (as a library), recording each
 * response's latency per kind. Rates change per slice; slices are launched on wall-clock time so
 * a run lasts as long as its profile says.
 */
export class TrafficRunner {
  readonly recorders: Map<string, LatencyRecorder>;
  /** Unix ms of the first and the last answer: throughput is measured between them. */
  firstAnswerAt: number | null = null;
  lastAnswerAt: number | null = null;
  private readonly splitter: RateSplitter;
  private readonly running = new Set<autocannon.Instance>();

  constructor(
    private readonly baseUrl: string,
    readonly kinds: readonly TrafficKind[],
    private readonly corpus: PayloadCorpus,
    private readonly options: TrafficOptions = {},
  ) {
    this.recorders = new Map(kinds.map((k) => [k.name, new LatencyRecorder()]));
    this.splitter = new RateSplitter(kinds.map((k) => k.weight));
  }

  /** Fresh recorders (a new stress step), returning the old ones. */
  resetRecorders(): Map<string, LatencyRecorder> {
    const old = new Map(this.recorders);
    for (const k of this.kinds) this.recorders.set(k.name, new LatencyRecorder());
    return old;
  }

  /** Runs the slices in order on wall-clock time; resolves when the last one ends or on abort. */
  async run(slices: readonly Slice[], signal?: AbortSignal): Promise<void> {
    const started = Date.now();
    const inFlight: Array<Promise<void>> = [];
    for (const slice of slices) {
      await sleep(started + slice.startMs - Date.now(), signal);
      if (signal?.aborted) break;
      const rates = this.splitter.split(slice.rate, slice.durationMs / 1000);
      this.kinds.forEach((kind, i) => {
        for (const lane of lanePlan(rates[i]!)) inFlight.push(this.lane(kind, lane, slice.durationMs, signal));
      });
    }
    await Promise.all(inFlight);
  }

  private async lane(
    kind: TrafficKind,
    lane: { offsetMs: number; rate: number; connections: number },
    durationMs: number,
    signal?: AbortSignal,
  ): Promise<void> {
    await sleep(lane.offsetMs, signal);
    if (signal?.aborted) return;
    const recorder = () => this.recorders.get(kind.name)!;
    const hasBody = kind.body !== undefined && kind.method !== 'GET' && kind.method !== 'HEAD';
    const headers = { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...kind.headers };
    const body = kind.body;
    const corpus = this.corpus;
    // `amount` makes the lane send exactly rate x duration requests (autocannon's per-second quotas
    // would otherwise add a partial extra second); the timer ends a lane the server cannot keep up
    // with, so a saturated target shows as a throughput shortfall instead of a longer run.
    const amount = Math.max(1, Math.round((lane.rate * durationMs) / 1000));
    const connections = Math.min(lane.connections, amount);
    await new Promise<void>((resolve) => {
      let stopTimer: NodeJS.Timeout | undefined;
      const instance = autocannon(
        {
          url: new URL(kind.path, this.baseUrl).toString(),
          method: kind.method,
          headers,
          connections,
          overallRate: lane.rate,
          amount,
          timeout: this.options.timeoutS ?? 10,
          // Latencies are recorded here from each response; autocannon's own corrected histogram is not used.
          ignoreCoordinatedOmission: true,
          requests: [
            hasBody
              ? {
                  setupRequest: (request) => {
                    request.body = JSON.stringify(fillTemplate(body, corpus.next()));
                    return request;
                  },
                }
              : {},
          ],
        },
        () => {
          clearTimeout(stopTimer);
          this.running.delete(instance);
          resolve();
        },
      );
      this.running.add(instance);
      stopTimer = setTimeout(() => instance.stop(), durationMs + LANE_GRACE_MS);
      instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
        const now = Date.now();
        this.firstAnswerAt ??= now;
        this.lastAnswerAt = now;
        recorder().record(responseTime, statusCode);
      });
      instance.on('reqError', () => recorder().recordError());
      const stop = () => instance.stop();
      signal?.addEventListener('abort', stop, { once: true });
    });
  }

  /** Stops every autocannon instance still running. */
  stop(): void {
    for (const instance of this.running) instance.stop();
  }
}
