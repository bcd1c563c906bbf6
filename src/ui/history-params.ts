import { parseDuration } from '../units/units.js';
import { bucketCount } from './downsample.js';

/** A history request's range, resolved and checked. */
export interface HistoryRange {
  readonly from: number;
  readonly to: number;
  readonly stepMs: number;
}

/** At most this many points per series in one answer (Prometheus refuses past 11 000; a chart needs far fewer). */
export const MAX_POINTS = 1000;
/** With no `step`, the range is cut into about this many buckets. */
export const DEFAULT_POINTS = 300;
/** With no `from`, this much before `to`. */
export const DEFAULT_SPAN_MS = 3_600_000;
/** The longest range one request may ask for (the longest compliance period vigil keeps is shorter). */
export const MAX_SPAN_MS = 90 * 86_400_000;

export type ParsedRange = { ok: true; range: HistoryRange } | { ok: false; message: string };

export interface RangeQuery {
  from?: string | undefined;
  to?: string | undefined;
  step?: string | undefined;
}

/** A time as unix seconds (`1733000000`, `1733000000.5`) or RFC 3339 (`2026-12-01T14:00:00Z`), as Prometheus takes it. */
function parseTime(name: string, raw: string): number | string {
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Math.round(Number(raw) * 1000);
  if (/^\d{4}-\d{2}-\d{2}T/.test(raw)) {
    const ms = Date.parse(raw);
    if (Number.isFinite(ms)) return ms;
  }
  return `${name}: expected unix seconds or an RFC 3339 time, got ${JSON.stringify(raw.slice(0, 64))}`;
}

/** A step as a duration (`30s`, `5m`) or a number of seconds. */
function parseStep(raw: string): number | string {
  try {
    const ms = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) * 1000 : parseDuration(raw);
    if (ms >= 1000) return Math.round(ms);
  } catch {
    // fall through to the message below
  }
  return `step: expected a duration of at least 1s (\`30s\`, \`5m\`) or seconds, got ${JSON.stringify(raw.slice(0, 64))}`;
}

/** Step for a range when none is asked: a whole number of seconds giving about DEFAULT_POINTS buckets. */
export function defaultStep(spanMs: number): number {
  return Math.max(1000, Math.ceil(spanMs / DEFAULT_POINTS / 1000) * 1000);
}

/**
 * `from`, `to` and `step` of a history request, with defaults (the last hour up to `now`) and the
 * bounds: `from` before `to`, at most MAX_SPAN_MS, at most MAX_POINTS buckets (a smaller step
 * is refused, not silently coarsened, so an answer always has the step that was asked).
 */
export function parseRange(query: RangeQuery, now: number): ParsedRange {
  const to = query.to === undefined || query.to === '' ? now : parseTime('to', query.to);
  if (typeof to === 'string') return { ok: false, message: to };
  const from = query.from === undefined || query.from === '' ? to - DEFAULT_SPAN_MS : parseTime('from', query.from);
  if (typeof from === 'string') return { ok: false, message: from };
  if (from >= to) return { ok: false, message: `from (${new Date(from).toISOString()}) must be before to (${new Date(to).toISOString()})` };
  if (to - from > MAX_SPAN_MS) return { ok: false, message: `the range is longer than ${MAX_SPAN_MS / 86_400_000} days` };
  const stepMs = query.step === undefined || query.step === '' ? defaultStep(to - from) : parseStep(query.step);
  if (typeof stepMs === 'string') return { ok: false, message: stepMs };
  const points = bucketCount(from, to, stepMs);
  if (points > MAX_POINTS) {
    return {
      ok: false,
      message: `step ${stepMs / 1000}s gives ${points} points; at most ${MAX_POINTS}: use a step of at least ${Math.ceil((to - from) / (MAX_POINTS - 1) / 1000)}s`,
    };
  }
  return { ok: true, range: { from, to, stepMs } };
}
