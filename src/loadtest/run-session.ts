import { setMaxListeners } from 'node:events';
import type { LoadModel, LoadProgress, LoadSpec } from './load-sender.js';
import { type MergedLoad, sendSpread } from './load-workers.js';
import { ProgressBar } from './progress-bar.js';
import type { RunPlan } from './run-plan.js';
import { VigilWatch } from './vigil-watch.js';
import { afterSaturation, calibrateSender, type WorkerChoice, workersFor } from './worker-count.js';

/** What a run needs while it lasts: vigil's watch, the progress line, the abort. */
export class RunSession {
  readonly watch: VigilWatch | null;
  readonly abort = new AbortController();
  private readonly progressBar: ProgressBar;
  private ticker: NodeJS.Timeout | undefined;
  private sent: LoadProgress = { attempts: 0, errors: 0 };
  private readonly onSignal = () => this.abort.abort();
  /** The senders the next part is sent with, and why. */
  workers: WorkerChoice;
  /** Requests per second one sender managed in the calibration (automatic workers; measured once). */
  private calibrated: number | null = null;
  /** Automatic workers never go below this once the generator fell behind. */
  private atLeast = 1;

  constructor(readonly plan: RunPlan) {
    const { watchConfig, files, implicit } = plan.objectives;
    this.watch = watchConfig && files.length ? new VigilWatch(watchConfig, implicit ? { kinds: ['scrape'] } : {}) : null;
    this.workers =
      plan.workers === 'auto'
        ? { count: 1, reason: 'automatic: closed model, one sender (--workers N spreads the connections)' }
        : { count: plan.workers, reason: `--workers ${plan.workers}` };
    this.progressBar = new ProgressBar(process.stderr, plan.progress && Boolean(process.stderr.isTTY));
    // Every sender listens for the abort.
    setMaxListeners(0, this.abort.signal);
    // Ctrl-C or a polite kill ends the run with everything measured so far (a soak's checkpoint file included).
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  /** Sends one part of the run (the whole of it, or a stress step) with the plan's senders. */
  send(model: LoadModel): Promise<MergedLoad> {
    const { plan } = this;
    const spec: Omit<LoadSpec, 'share'> = { base: plan.base, kinds: plan.kinds, corpus: plan.corpus, model, timeoutS: plan.timeoutS };
    return sendSpread(spec, this.workers.count, this.abort.signal, (p) => (this.sent = p));
  }

  /** Before an open-model part peaking at `peakRate`: with automatic workers, enough senders for it. */
  async planWorkers(peakRate: number): Promise<void> {
    if (this.plan.workers !== 'auto') return;
    this.calibrated ??= await calibrateSender(this.abort.signal);
    const chosen = workersFor(peakRate, this.calibrated, this.plan.maxWorkers);
    if (chosen.count >= this.atLeast) this.workers = chosen;
  }

  /**
   * After a part the generator could not drive: with automatic workers and cores to spare, one
   * more sender from the next part on. True when one was added (a stress step is then repeated).
   */
  moreWorkersAfter(limited: boolean, atRate: number): boolean {
    if (!limited || this.plan.workers !== 'auto') return false;
    const next = afterSaturation(this.workers, this.plan.maxWorkers, atRate);
    if (next.count === this.workers.count) return false;
    this.workers = next;
    this.atLeast = next.count;
    return true;
  }

  /** Redraws the progress line every 500 ms: elapsed time, the send rate and errors so far. */
  track(totalMs: number, label: () => string): void {
    const t0 = Date.now();
    let last = { count: 0, at: t0 };
    this.sent = { attempts: 0, errors: 0 };
    clearInterval(this.ticker);
    this.ticker = setInterval(() => {
      const now = Date.now();
      const { attempts, errors } = this.sent;
      const rate = ((attempts - last.count) * 1000) / Math.max(1, now - last.at);
      last = { count: attempts, at: now };
      const elapsed = `${Math.round((now - t0) / 1000)}s/${Math.round(totalMs / 1000)}s`;
      this.progressBar.update(Math.min(1, (now - t0) / totalMs), `${label()} ${elapsed}  ${Math.round(rate)} req/s  errors ${errors}`);
    }, 500);
  }

  /** A line of its own on stderr (soak checkpoints), when progress is shown. */
  note(line: string): void {
    if (this.plan.progress) process.stderr.write(`${line}\n`);
  }

  endTracking(): void {
    clearInterval(this.ticker);
    this.progressBar.done();
  }

  async close(): Promise<void> {
    this.endTracking();
    process.removeListener('SIGINT', this.onSignal);
    process.removeListener('SIGTERM', this.onSignal);
    await this.watch?.close();
  }
}

export function openModel(plan: RunPlan, slices: Extract<LoadModel, { kind: 'open' }>['slices']): LoadModel {
  return { kind: 'open', slices, arrivals: plan.arrivals, seed: plan.seed, maxConnections: plan.maxConnections };
}
