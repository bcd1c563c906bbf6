import { parseExposition } from '../sources/scrape/exposition-parser.js';

/**
 * Follows the target's resident memory during a soak: its `/metrics` `process_resident_memory_bytes`
 * (what prom-client, the Go and Python clients and most exporters expose), read every `everyMs`.
 * The series feeds vigil's leak detector.
 */
export const RESIDENT_MEMORY_METRIC = 'process_resident_memory_bytes';

/** The resident memory in a `/metrics` text; null when the target does not expose it. */
export function residentMemory(text: string): number | null {
  const sample = parseExposition(text).samples.find((s) => s.name === RESIDENT_MEMORY_METRIC);
  return sample && Number.isFinite(sample.value) ? sample.value : null;
}

export class MemoryFollower {
  private readonly t: number[];
  private readonly v: number[];
  private timer: NodeJS.Timeout | undefined;
  private reading = false;
  lastError: string | null = null;

  /** `earlier`: the series of an interrupted soak this one continues. */
  constructor(
    private readonly metricsUrl: string,
    private readonly everyMs: number,
    earlier: { readonly t: readonly number[]; readonly v: readonly number[] } = { t: [], v: [] },
  ) {
    this.t = [...earlier.t];
    this.v = [...earlier.v];
  }

  start(): void {
    void this.readOnce();
    this.timer = setInterval(() => void this.readOnce(), this.everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async readOnce(): Promise<void> {
    if (this.reading) return; // never overlap reads
    this.reading = true;
    try {
      const res = await fetch(this.metricsUrl, { signal: AbortSignal.timeout(Math.max(1000, this.everyMs)) });
      const bytes = res.ok ? residentMemory(await res.text()) : null;
      if (!res.ok) this.lastError = `${this.metricsUrl} answered ${res.status}`;
      else if (bytes === null) this.lastError = `${this.metricsUrl} has no ${RESIDENT_MEMORY_METRIC}`;
      else {
        this.t.push(Date.now());
        this.v.push(bytes);
        this.lastError = null;
      }
    } catch (err) {
      this.lastError = err instanceof Error ? err.message : String(err);
    } finally {
      this.reading = false;
    }
  }

  series(): { t: Float64Array; v: Float64Array } {
    return { t: Float64Array.from(this.t), v: Float64Array.from(this.v) };
  }
}
