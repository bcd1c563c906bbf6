import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FastifyInstance, InjectOptions } from 'fastify';
import type { Logger } from 'pino';
import type { ResolvedShard } from '../config/shard.js';
import { describeError } from '../core/describe-error.js';
import { ERR, vigilError } from '../core/errors.js';
import type { Snapshot } from '../snapshot/snapshot-schema.js';
import type { ForwardedRequest, ForwardedResponse, FromFront, FrontStart, ToFront } from './front-protocol.js';
import { commitMessage, sliceMessage } from './front-versions.js';
import { type HotViews, SnapshotHotViews } from './hot-routes.js';
import { errorBody, type HttpLimits, JSON_TYPE } from './http-hardening.js';
import { ServiceViews } from './service-views.js';

/**
 * The API front: a worker thread that owns the listening socket and answers `GET /api/sla` and
 * `GET /api/sla/:service/current` from bytes it holds, so those answers never wait for this
 * thread's work (publishing a snapshot, appending a scrape, saving the store, a garbage
 * collection of a large heap). Every other request comes back here as it came and is answered by
 * the daemon's own fastify app (`inject`), so those routes behave exactly as without the front.
 *
 * After each snapshot its views are sent in slices of about `FEED_SLICE_MS` of work, the event
 * loop free in between; the front swaps to them when the last has come (`front-versions.ts`).
 * The first snapshot (and the current one after a restart of the thread) is sent at once: until
 * the front has it, the hot routes would answer 503 while `/readyz` says ready.
 *
 * A front thread that dies is logged and started again on the same port; while it is down the
 * port refuses connections (a load balancer's health check sees it).
 */

const WORKER_SCRIPT = new URL('./api-front-worker.js', import.meta.url);
const FEED_SLICE_MS = 3;
/** Restart delays after the thread dies, doubling, capped. */
const RESTART_FIRST_MS = 200;
const RESTART_MAX_MS = 30_000;
/** A thread that does not end after `close` within this is terminated. */
const CLOSE_WAIT_MS = 1_000;

/** What sending one snapshot's views to the front cost this thread. */
export interface FeedFigures {
  readonly evaluatedAt: number;
  readonly services: number;
  /** Bytes posted (every view and the list). */
  readonly bytes: number;
  /** From the first slice to the commit, pauses between slices included. */
  readonly wallMs: number;
  /** Time the slices held the event loop, in all and the longest one. */
  readonly busyMs: number;
  readonly longestSliceMs: number;
}

export interface ApiFrontOptions {
  /** The daemon's API: answers every request the front passes on. */
  app: FastifyInstance;
  shard: () => ResolvedShard | null;
  logger: Logger;
  limits?: Partial<HttpLimits> | undefined;
}

/** A listen that failed in the front thread, as Node would have thrown it here (`code` kept). */
function listenError(code: string | undefined, message: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(message);
  if (code !== undefined) err.code = code;
  return err;
}

export class ApiFront {
  private worker: Worker | null = null;
  private readonly hot = new SnapshotHotViews(new ServiceViews());
  private version = 0;
  /** The snapshot the front holds (or is being sent), and the newest published. */
  private fed: Snapshot | null = null;
  private latest: Snapshot | null = null;
  private feeding: Promise<void> | null = null;
  private closing = false;
  private restartDelayMs = RESTART_FIRST_MS;
  private restartTimer: NodeJS.Timeout | null = null;
  private start: FrontStart | null = null;
  private feedFigures: FeedFigures | null = null;

  constructor(private readonly options: ApiFrontOptions) {}

  /** Whether the compiled front script exists (not when running from the TypeScript sources). */
  static available(): boolean {
    return existsSync(fileURLToPath(WORKER_SCRIPT));
  }

  /** Starts the front thread listening; resolves with its address, rejects as a listen would. */
  async listen(host: string, port: number): Promise<string> {
    const { address, port: bound } = await this.spawn({ host, port, limits: this.options.limits });
    // A restart listens on the port the first start was given (port 0 picked one).
    this.start = { host, port: bound, limits: this.options.limits };
    return address;
  }

  /** After each publish: the front gets the snapshot's views. */
  onSnapshot(snapshot: Snapshot): void {
    this.latest = snapshot;
    if (!this.worker) return;
    if (this.fed === null) {
      void this.feed(this.worker, snapshot, Number.POSITIVE_INFINITY);
      return;
    }
    this.feeding ??= this.feedNewest().finally(() => {
      this.feeding = null;
    });
  }

  /** What the last complete feed cost; null before the first. */
  get lastFeed(): FeedFigures | null {
    return this.feedFigures;
  }

  /** Stops the front: it stops accepting and finishes what is in progress. Idempotent. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'close' } satisfies ToFront);
    const timer = setTimeout(() => void worker.terminate(), CLOSE_WAIT_MS);
    await exited;
    clearTimeout(timer);
    this.worker = null;
  }

  private spawn(start: FrontStart): Promise<{ address: string; port: number }> {
    const worker = new Worker(WORKER_SCRIPT, { workerData: start });
    return new Promise((resolve, reject) => {
      let listening = false;
      worker.on('message', (message: FromFront) => {
        if (message.type === 'request') void this.answer(worker, message);
        else if (message.type === 'listening') {
          listening = true;
          if (this.closing) {
            // A restart that came up after `close()` ran: nobody will close it, so it closes now.
            worker.postMessage({ type: 'close' } satisfies ToFront);
            resolve({ address: message.address, port: message.port });
            return;
          }
          this.worker = worker;
          this.fed = null;
          this.restartDelayMs = RESTART_FIRST_MS;
          if (this.latest) this.onSnapshot(this.latest);
          resolve({ address: message.address, port: message.port });
        } else reject(listenError(message.code, message.message));
      });
      worker.on('error', (err) => {
        this.options.logger.error({ err: describeError(err) }, 'API front thread failed');
        if (!listening) reject(err);
      });
      worker.on('exit', (code) => {
        if (this.worker !== worker) return;
        this.worker = null;
        if (this.closing) return;
        this.options.logger.error({ code, restartInMs: this.restartDelayMs }, 'API front thread exited; restarting it');
        this.restartLater();
      });
    });
  }

  private restartLater(): void {
    const delay = this.restartDelayMs;
    this.restartDelayMs = Math.min(delay * 2, RESTART_MAX_MS);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.closing || !this.start) return;
      this.spawn(this.start).then(
        () => {
          if (!this.closing) this.options.logger.info('API front thread restarted');
        },
        (err: unknown) => {
          this.options.logger.error({ err: describeError(err) }, 'API front thread did not restart');
          this.restartLater();
        },
      );
    }, delay);
    this.restartTimer.unref();
  }

  /** Sends the newest snapshot until the front holds it (a newer one published meanwhile is sent next). */
  private async feedNewest(): Promise<void> {
    while (this.worker && this.latest !== null && this.latest !== this.fed) {
      await this.feed(this.worker, this.latest, FEED_SLICE_MS);
    }
  }

  /**
   * Posts `snapshot`'s views in slices of about `sliceMs` of work, then the commit. Gives up
   * (the front keeps what it has) when a newer snapshot is published or the thread changes.
   */
  private async feed(worker: Worker, snapshot: Snapshot, sliceMs: number): Promise<void> {
    const version = ++this.version;
    this.fed = snapshot;
    const views: HotViews = this.hot.of(snapshot, this.options.shard());
    const meter = new FeedMeter();
    let entries: Array<[string, Buffer]> = [];
    for (const service of views.services) {
      entries.push([service, views.current(service)!]);
      if (meter.sliceMs() < sliceMs) continue;
      const slice = sliceMessage(version, entries);
      meter.endSlice(slice.bytes.byteLength); // before the transfer empties it
      worker.postMessage(slice satisfies ToFront, [slice.bytes]);
      entries = [];
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.latest !== snapshot || this.worker !== worker) {
        if (this.fed === snapshot) this.fed = null;
        return;
      }
      meter.startSlice();
    }
    // The last slice, then the commit (its list serialised in the same stretch of the loop).
    const last = sliceMessage(version, entries);
    const commit = commitMessage(version, views);
    meter.endSlice(last.bytes.byteLength + commit.list.byteLength);
    worker.postMessage(last satisfies ToFront, [last.bytes]);
    worker.postMessage(commit satisfies ToFront, [commit.list]);
    this.feedFigures = meter.figures(views);
  }

  /** A request the front passed on, answered by the daemon's app as if it had come to it. */
  private async answer(worker: Worker, req: ForwardedRequest): Promise<void> {
    let response: ForwardedResponse;
    try {
      const res = await this.options.app.inject({
        method: req.method as InjectOptions['method'],
        url: req.url,
        headers: req.headers as InjectOptions['headers'],
        ...(req.body ? { payload: Buffer.from(req.body.buffer, req.body.byteOffset, req.body.byteLength) } : {}),
        ...(req.remoteAddress ? { remoteAddress: req.remoteAddress } : {}),
      });
      response = { type: 'response', id: req.id, status: res.statusCode, headers: res.headers, body: res.rawPayload };
    } catch {
      // The app is closing (the daemon stops): the answer a stopping server gives.
      const { status, body } = errorBody(vigilError(ERR.VIGIL_ERR_NOT_READY));
      const bytes = Buffer.from(JSON.stringify(body));
      response = { type: 'response', id: req.id, status, headers: { 'content-type': JSON_TYPE }, body: bytes };
    }
    worker.postMessage(response satisfies ToFront);
  }
}

/** Time and bytes of one feed, slice by slice. */
class FeedMeter {
  private readonly started = performance.now();
  private sliceStart = this.started;
  private busyMs = 0;
  private longestSliceMs = 0;
  private bytes = 0;

  sliceMs(): number {
    return performance.now() - this.sliceStart;
  }

  startSlice(): void {
    this.sliceStart = performance.now();
  }

  endSlice(bytes: number): void {
    const ms = this.sliceMs();
    this.busyMs += ms;
    this.longestSliceMs = Math.max(this.longestSliceMs, ms);
    this.bytes += bytes;
  }

  figures(views: HotViews): FeedFigures {
    const { busyMs, longestSliceMs, bytes } = this;
    return {
      evaluatedAt: views.evaluatedAt,
      services: views.services.length,
      bytes,
      wallMs: performance.now() - this.started,
      busyMs,
      longestSliceMs,
    };
  }
}
