import { parseExposition } from '../sources/scrape/exposition-parser.js';

/**
 * Follows the target's memory during a soak: its `/metrics` `process_resident_memory_bytes` (what
 * prom-client, the Go and Python clients and most exporters expose), read every `everyMs`. The
 * series feeds vigil's leak detector.
 *
 * A Node target's resident memory is mostly its JS heap, and V8 sizes that heap on its own: the
 * young generation is grown and shrunk, old space fills with garbage for minutes between major
 * collections and pages are given back after them. That makes a sawtooth of several minutes and
 * 5–10 MiB on a healthy service — as large as the leak a 10-minute soak must find. So when the
 * target exposes prom-client's heap metrics, the series judged is what a leak raises and the
 * collector's sizing does not: the resident memory outside the JS heap (native memory, buffers,
 * code) plus the heap's live size, the lowest heap use read just after its latest major collection.
 * A leak in buffers or native memory raises the first part as it happens; a leak of JS objects
 * raises the second at each major collection (V8 collects the old space more often as it fills).
 */
export const RESIDENT_MEMORY_METRIC = 'process_resident_memory_bytes';
const HEAP_TOTAL_METRIC = 'nodejs_heap_size_total_bytes';
const HEAP_USED_METRIC = 'nodejs_heap_size_used_bytes';
const GC_COUNT_METRIC = 'nodejs_gc_duration_seconds_count';

export const JUDGED_NODE_MEMORY = `resident memory outside the JS heap + the heap's live size after its latest major collection (${RESIDENT_MEMORY_METRIC} - ${HEAP_TOTAL_METRIC} + lowest ${HEAP_USED_METRIC} in the 15 s after ${GC_COUNT_METRIC}{kind="major"} last rose)`;

/** What one `/metrics` text says about the target's memory; null when it has no resident memory. */
export interface MemoryReading {
  resident: number;
  /** Only for a Node target with prom-client's heap metrics. */
  heap: { total: number; used: number; majorCollections: number } | null;
}

export function readMemory(text: string): MemoryReading | null {
  const value = new Map<string, number>();
  let majorCollections = 0;
  for (const s of parseExposition(text).samples) {
    if (!Number.isFinite(s.value)) continue;
    // prom-client lists a collection kind only once it has happened: no `major` line is none yet.
    if (s.name === GC_COUNT_METRIC) {
      if (s.labels.kind === 'major') majorCollections = s.value;
    } else value.set(s.name, s.value);
  }
  const resident = value.get(RESIDENT_MEMORY_METRIC);
  if (resident === undefined) return null;
  const total = value.get(HEAP_TOTAL_METRIC);
  const used = value.get(HEAP_USED_METRIC);
  return { resident, heap: total !== undefined && used !== undefined ? { total, used, majorCollections } : null };
}

/** The resident memory in a `/metrics` text; null when the target does not expose it. */
export function residentMemory(text: string): number | null {
  return readMemory(text)?.resident ?? null;
}

/**
 * The heap's live size is read in this long after a major collection (its lowest use then), and
 * held until the next one. Later lows are only the young generation's ebb between scavenges:
 * following them would pull the series down a little at a time all through a collection cycle,
 * which on a leak reads as a slowing growth.
 */
export const LIVE_HEAP_SETTLE_MS = 15_000;

/**
 * Turns readings into the judged series (see the file's comment). Causal: each value uses only the
 * readings up to it, so the series can be judged while it grows. Before the first major collection
 * seen, the lowest heap use of the first readings stands for the live size.
 */
export class LiveHeapEstimate {
  private majors = Number.NaN;
  private since = 0;
  private live = Infinity;

  judged(atMs: number, reading: MemoryReading): number | null {
    const heap = reading.heap;
    if (!heap) return null;
    if (heap.majorCollections !== this.majors) {
      this.majors = heap.majorCollections;
      this.since = atMs;
      this.live = heap.used;
    } else if (atMs - this.since <= LIVE_HEAP_SETTLE_MS) this.live = Math.min(this.live, heap.used);
    return reading.resident - heap.total + this.live;
  }
}

export interface MemorySeries {
  readonly t: readonly number[];
  /** Resident memory (bytes). */
  readonly v: readonly number[];
  /** The judged series, one per reading; absent when the resident memory itself is judged. */
  readonly judged?: readonly number[] | undefined;
}

export class MemoryFollower {
  private readonly t: number[];
  private readonly v: number[];
  /** Null once a reading lacked the heap metrics: the series judged is then the resident memory. */
  private judgedValues: number[] | null;
  private readonly estimate = new LiveHeapEstimate();
  private timer: NodeJS.Timeout | undefined;
  private reading = false;
  lastError: string | null = null;

  /** `earlier`: the series of an interrupted soak this one continues. */
  constructor(
    private readonly metricsUrl: string,
    private readonly everyMs: number,
    earlier: MemorySeries = { t: [], v: [] },
  ) {
    this.t = [...earlier.t];
    this.v = [...earlier.v];
    this.judgedValues = earlier.t.length === 0 ? [] : earlier.judged?.length === earlier.t.length ? [...earlier.judged] : null;
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
      const memory = res.ok ? readMemory(await res.text()) : null;
      if (!res.ok) this.lastError = `${this.metricsUrl} answered ${res.status}`;
      else if (memory === null) this.lastError = `${this.metricsUrl} has no ${RESIDENT_MEMORY_METRIC}`;
      else this.add(Date.now(), memory);
    } catch (err) {
      this.lastError = err instanceof Error ? err.message : String(err);
    } finally {
      this.reading = false;
    }
  }

  /** One reading (public for tests). */
  add(t: number, memory: MemoryReading): void {
    this.t.push(t);
    this.v.push(memory.resident);
    const judged = this.estimate.judged(t, memory);
    // One series is judged throughout: a reading without the heap metrics turns back to the resident memory.
    if (judged === null) this.judgedValues = null;
    else this.judgedValues?.push(judged);
    this.lastError = null;
  }

  /** The Node series when every reading had the heap metrics, else null (the resident memory is judged). */
  private get nodeSeries(): number[] | null {
    return this.judgedValues !== null && this.judgedValues.length > 0 ? this.judgedValues : null;
  }

  /** Whether the judged series is the Node one (else the resident memory). */
  get judgesNodeMemory(): boolean {
    return this.nodeSeries !== null;
  }

  /** What the leak detector judges: `v` is the judged series. */
  judgedSeries(): { t: Float64Array; v: Float64Array } {
    return { t: Float64Array.from(this.t), v: Float64Array.from(this.nodeSeries ?? this.v) };
  }

  /** Everything read, for the report and the checkpoint file. */
  series(): { t: number[]; v: number[]; judged?: number[] } {
    const judged = this.nodeSeries;
    return { t: [...this.t], v: [...this.v], ...(judged ? { judged: [...judged] } : {}) };
  }

  /** The last resident memory read, if any. */
  get lastResident(): number | null {
    return this.v.at(-1) ?? null;
  }
}
