import { PayloadCorpus } from '../../loadtest/payload-corpus.js';

/**
 * Light steady traffic for the demo: a few requests per second, mostly decisions over a small hot
 * set of tasks (so the prediction cache warms up) and some feature requests. Plain fetch on a
 * timer: this is background traffic for the dashboards, not a load test.
 */
export class DemoTraffic {
  private timer: NodeJS.Timeout | undefined;
  private readonly corpus = new PayloadCorpus({ distinct: 2000, hotSet: 20, hotShare: 0.9, seed: 7 });
  sent = 0;
  failed = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly ratePerSecond = 10,
  ) {}

  start(): void {
    const every = Math.max(10, Math.round(1000 / this.ratePerSecond));
    let n = 0;
    this.timer = setInterval(() => {
      n++;
      const features = n % 5 === 0;
      const path = features ? '/api/documentation-keeper/features' : '/api/documentation-keeper/decide';
      const body = features ? { context: this.corpus.next() } : { task: this.corpus.next() };
      this.sent++;
      fetch(`${this.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(5000),
      })
        .then((res) => res.body?.cancel())
        .catch(() => {
          this.failed++;
        });
    }, every);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
