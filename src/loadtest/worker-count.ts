import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MergedLoad } from './load-workers.js';
import { sendSpread } from './load-workers.js';

/**
 * How many worker threads send the load, when `--workers` is not given. Open-model sends must go
 * out on time; an event loop that is busy more than about half the time sends late whenever the
 * machine hiccups. So: a short calibration measures how many requests one sender pushes through
 * per second on this machine now, and the planned peak rate is spread over enough senders that
 * each runs at most at HEADROOM of that, bounded by the cores. During the run, a part (stress
 * step, soak checkpoint) whose generator fell behind adds a sender for the next part.
 */

/** A sender is planned at most at this share of its calibrated rate. */
export const HEADROOM = 0.5;
const CALIBRATION_MS = 500;
const CALIBRATION_CONNECTIONS = 32;

export interface WorkerChoice {
  readonly count: number;
  /** Why this many, in words (the report's `generator.workers_reason`). */
  readonly reason: string;
}

/** Pure: senders needed for `peakRate` when one sends `perSenderRate` req/s, at most `max`. */
export function workersFor(peakRate: number, perSenderRate: number, max: number): WorkerChoice {
  const perSender = Math.max(1, perSenderRate * HEADROOM);
  const needed = Math.ceil(peakRate / perSender);
  const count = Math.max(1, Math.min(max, needed));
  const calibrated = `one sender calibrated at ${Math.round(perSenderRate)} req/s, planned at most ${Math.round(HEADROOM * 100)}% of it`;
  if (needed <= 1) return { count, reason: `automatic: the peak ${peakRate} req/s fits one sender (${calibrated})` };
  const capped = count < needed ? `; ${needed} would be needed, capped at the ${max} cores` : '';
  return { count, reason: `automatic: the peak ${peakRate} req/s needs ${count} senders (${calibrated})${capped}` };
}

/** Pure: after a part the generator could not drive, one more sender (while cores remain). */
export function afterSaturation(current: WorkerChoice, max: number, atRate: number): WorkerChoice {
  if (current.count >= max) return current;
  return {
    count: current.count + 1,
    reason: `${current.reason}; the generator fell behind at ${atRate} req/s, so ${current.count + 1} senders from there on`,
  };
}

/**
 * Requests per second one sender (a worker thread, as in the run) gets answered by a local sink
 * that answers at once: the sender's own speed on this machine now. The sink runs on this thread,
 * so the figure is, if anything, low, and more senders are chosen rather than fewer.
 */
export async function calibrateSender(signal: AbortSignal): Promise<number> {
  const sink = createServer((_req, res) => res.writeHead(204).end());
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = sink.address() as AddressInfo;
    const load: MergedLoad = await sendSpread(
      {
        base: `http://127.0.0.1:${port}`,
        kinds: [{ name: 'calibration', method: 'GET', path: '/', weight: 1, headers: {} }],
        corpus: { spec: { distinct: 1, hotSet: 1, hotShare: 1, seed: 1 }, extra: [] },
        model: { kind: 'closed', connections: CALIBRATION_CONNECTIONS, durationMs: CALIBRATION_MS },
        timeoutS: 5,
      },
      1,
      signal,
      () => {},
    );
    let answered = 0;
    for (const r of load.perKind.values()) answered += r.responses;
    const { firstAnswerAt: first, lastAnswerAt: last } = load;
    return first !== null && last !== null && last > first ? (answered * 1000) / (last - first) : answered / (CALIBRATION_MS / 1000);
  } finally {
    sink.closeAllConnections();
    await new Promise<void>((resolve) => sink.close(() => resolve()));
  }
}
