import type { Config } from '../config/config.js';
import { DEFAULT_SCHEDULES, type SourceKind } from '../config/daemon-schema.js';
import type { SourceRef } from './reader-factory.js';

/** A point is current for this many source intervals; after that the objective is `no_data`. */
export const STALE_INTERVALS = 3;
/** Never call data stale sooner than this (a 1 s schedule with a slow sample). */
const MIN_STALE_MS = 5_000;

/**
 * The interval of the common node-cron forms, without scheduling anything: `*\/N` or `*` in the
 * first field (seconds with six fields, minutes with five). Other expressions count as one minute,
 * which errs on the side of calling data current a little longer.
 */
export function scheduleIntervalMs(expression: string): number {
  const fields = expression.trim().split(/\s+/);
  const unit = fields.length === 6 ? 1000 : 60_000;
  const first = fields[0] ?? '';
  if (first === '*') return unit;
  const step = /^\*\/(\d+)$/.exec(first);
  if (step && Number(step[1]) > 0) return Number(step[1]) * unit;
  if (fields.length === 6 && /^\d+$/.test(first)) {
    const minute = fields[1] ?? '';
    if (minute === '*') return 60_000;
    const m = /^\*\/(\d+)$/.exec(minute);
    if (m && Number(m[1]) > 0) return Number(m[1]) * 60_000;
  }
  return 60_000;
}

export function sourceIntervalMs(config: Config, kind: SourceKind, name: string): number {
  const instance = (config.daemon.sources[kind] as Record<string, { schedule?: string | undefined }>)[name];
  return scheduleIntervalMs(instance?.schedule ?? DEFAULT_SCHEDULES[kind]);
}

/**
 * How old the newest point may be and still count: 3 source intervals, but never more than the
 * objective's window (a 5-minute window says nothing about now from a 10-minute-old point).
 */
export function staleAfterMs(config: Config, source: SourceRef, windowMs: number): number {
  const interval = source.kind === null ? 60_000 : sourceIntervalMs(config, source.kind, source.name);
  return Math.min(windowMs, Math.max(STALE_INTERVALS * interval, MIN_STALE_MS));
}
