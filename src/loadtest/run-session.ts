import { setMaxListeners } from 'node:events';
import type { LoadModel, LoadProgress, LoadSpec } from './load-sender.js';
import { type MergedLoad, sendSpread } from './load-workers.js';
import { ProgressBar } from './progress-bar.js';
import type { RunPlan } from './run-plan.js';
import { VigilWatch } from './vigil-watch.js';

/** What a run needs while it lasts: vigil's watch, the progress line, the abort. */
export class RunSession {
  readonly watch: VigilWatch | null;
  readonly abort = new AbortController();
  private readonly progressBar: ProgressBar;
  private ticker: NodeJS.Timeout | undefined;
  private sent: LoadProgress = { attempts: 0, errors: 0 };
  private readonly onSignal = () => this.abort.abort();

  constructor(readonly plan: RunPlan) {
    const { watchConfig, files, implicit } = plan.objectives;
    this.watch = watchConfig && files.length ? new VigilWatch(watchConfig, implicit ? { kinds: ['scrape'] } : {}) : null;
    this.progressBar = new ProgressBar(process.stderr, plan.progress && Boolean(process.stderr.isTTY));
    // Every sender listens for the abort.
    setMaxListeners(0, this.abort.signal);
    process.on('SIGINT', this.onSignal);
  }

  /** Sends one part of the run (the whole of it, or a stress step) with the plan's senders. */
  send(model: LoadModel): Promise<MergedLoad> {
    const { plan } = this;
    const spec: Omit<LoadSpec, 'share'> = { base: plan.base, kinds: plan.kinds, corpus: plan.corpus, model, timeoutS: plan.timeoutS };
    return sendSpread(spec, plan.workers, this.abort.signal, (p) => (this.sent = p));
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
    await this.watch?.close();
  }
}

export function openModel(plan: RunPlan, slices: Extract<LoadModel, { kind: 'open' }>['slices']): LoadModel {
  return { kind: 'open', slices, arrivals: plan.arrivals, seed: plan.seed, maxConnections: plan.maxConnections };
}
