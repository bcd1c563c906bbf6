/**
 * The one parser for quantities as people write them in SLO files and config:
 * durations (`250ms 5m 24h 30d`), sizes (`512MiB 2GiB 2GB`), ratios (`80%` or `0.8`).
 * Everything is converted once, here, to base units: milliseconds for durations used as
 * windows and schedules, seconds/bytes/ratio (0..1) for values compared with measurements.
 */

import { ERR, vigilError } from '../core/errors.js';

export type QuantityUnit = 'seconds' | 'bytes' | 'ratio' | 'number';

/** A measured or bound value in base units (Prometheus convention). */
export interface Quantity {
  readonly value: number;
  readonly unit: QuantityUnit;
}

const DURATION_MS: Record<string, number> = {
  us: 0.001,
  µs: 0.001,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

const SIZE_BYTES: Record<string, number> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  TiB: 2 ** 40,
  // Kubernetes spelling of the binary units, common in container limits.
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

const NUMBER = String.raw`(\d+(?:\.\d+)?|\.\d+)`;
// Compound durations such as `1h30m` are accepted, as Prometheus does.
const DURATION_UNIT = '(us|µs|ms|s|m|h|d|w|y)';
const DURATION_RE = new RegExp(String.raw`^(?:${NUMBER}${DURATION_UNIT})+$`);
const DURATION_PART_RE = new RegExp(String.raw`${NUMBER}${DURATION_UNIT}`, 'g');
const SIZE_RE = new RegExp(String.raw`^${NUMBER}\s?(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB|Ki|Mi|Gi|Ti)$`);
const PERCENT_RE = new RegExp(String.raw`^${NUMBER}\s?%$`);

/** How a rejected input is shown in a message: strings quoted, long text cut. */
export function describeInput(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (input === null) return 'null';
  if (typeof input === 'string') return JSON.stringify(input.length > 60 ? `${input.slice(0, 57)}...` : input);
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a map';
  return String(input);
}

/**
 * Units are case-sensitive (`mb` could be millibits, `Mb` megabits); when only the case is
 * wrong, say what was probably meant instead of a bare refusal.
 */
function caseHint(input: unknown, units: readonly string[]): string {
  if (typeof input !== 'string') return '';
  const match = /^(\d+(?:\.\d+)?|\.\d+)\s?([a-zA-Zµ]+)$/.exec(input.trim());
  if (!match) return '';
  const unit = units.find((u) => u.toLowerCase() === match[2]!.toLowerCase() && u !== match[2]);
  return unit === undefined ? '' : ` (units are case-sensitive: did you mean "${match[1]}${unit}"?)`;
}

/**
 * `"100 ms"` is the way people write it in prose; the config wants the unit attached. Say so
 * rather than only repeating the expected shape.
 */
function spaceHint(input: unknown, units: readonly string[]): string {
  if (typeof input !== 'string') return '';
  const match = /^(\d+(?:\.\d+)?|\.\d+)\s+([a-zA-Zµ]+)$/.exec(input.trim());
  if (!match || !units.includes(match[2]!)) return '';
  return ` (no space between the number and the unit: did you mean "${match[1]}${match[2]}"?)`;
}

/** Parses `250ms`, `5m`, `1h30m`, `30d` into milliseconds. Zero is refused: a window must have a length. */
export function parseDuration(input: unknown, options: { allowZero?: boolean } = {}): number {
  if (typeof input === 'string') {
    const text = input.trim();
    if (DURATION_RE.test(text)) {
      let total = 0;
      for (const match of text.matchAll(DURATION_PART_RE)) {
        total += Number(match[1]) * DURATION_MS[match[2]!]!;
      }
      if (total > 0 || (options.allowZero && total === 0)) return total;
    }
  }
  throw vigilError(ERR.VIGIL_ERR_UNIT, {
    detail: `expected a duration like ${options.allowZero ? '"5m" or "0s"' : '"50ms"'}, got ${describeInput(input)}${spaceHint(input, Object.keys(DURATION_MS)) || caseHint(input, Object.keys(DURATION_MS))}`,
  });
}

/** Parses `512MiB`, `2GiB`/`2Gi` (2^30) or `2GB` (10^9) into bytes; a bare number is bytes. */
export function parseBytes(input: unknown): number {
  if (typeof input === 'number' && Number.isFinite(input) && input >= 0) return input;
  if (typeof input === 'string') {
    const match = SIZE_RE.exec(input.trim());
    if (match) return Math.round(Number(match[1]) * SIZE_BYTES[match[2]!]!);
  }
  throw vigilError(ERR.VIGIL_ERR_UNIT, {
    detail: `expected a size like "512MiB" or "2GB", got ${describeInput(input)}${spaceHint(input, Object.keys(SIZE_BYTES)) || caseHint(input, Object.keys(SIZE_BYTES))}`,
  });
}

/** Parses `80%` or `0.8` into a ratio 0..1. Numbers above 1 are refused: write `80%`. */
export function parseRatio(input: unknown): number {
  if (typeof input === 'number' && Number.isFinite(input) && input >= 0 && input <= 1) return input;
  if (typeof input === 'string') {
    const text = input.trim();
    const percent = PERCENT_RE.exec(text);
    if (percent) {
      const value = Number(percent[1]) / 100;
      if (value <= 1) return value;
    } else if (/^\d*\.?\d+$/.test(text) && Number(text) <= 1) {
      return Number(text);
    }
  }
  throw vigilError(ERR.VIGIL_ERR_UNIT, { detail: `expected a ratio like "80%" or 0.8, got ${describeInput(input)}` });
}

/**
 * Parses a bound whose unit is told by its suffix: a duration (seconds), a size (bytes),
 * a percentage (ratio) or a plain number.
 */
export function parseQuantity(input: unknown): Quantity {
  if (typeof input === 'number' && Number.isFinite(input)) return { value: input, unit: 'number' };
  if (typeof input === 'string') {
    const text = input.trim();
    if (PERCENT_RE.test(text)) return { value: Number(PERCENT_RE.exec(text)![1]) / 100, unit: 'ratio' };
    if (SIZE_RE.test(text)) return { value: parseBytes(text), unit: 'bytes' };
    if (DURATION_RE.test(text)) return { value: parseDuration(text) / 1000, unit: 'seconds' };
    if (/^-?\d*\.?\d+(e[+-]?\d+)?$/i.test(text)) return { value: Number(text), unit: 'number' };
  }
  throw vigilError(ERR.VIGIL_ERR_UNIT, {
    detail:
      `expected a value with its unit like "50ms", "2GiB", "60%" or a plain number, got ${describeInput(input)}` +
      caseHint(input, [...Object.keys(DURATION_MS), ...Object.keys(SIZE_BYTES)]),
  });
}

/**
 * Milliseconds as an exact Prometheus duration (`90000` -> `1m30s`, `3600000` -> `1h`).
 * Days are the largest unit: SLO periods are written `30d`, and `4w2d` would read as a typo.
 */
export function formatDuration(ms: number): string {
  const units: Array<[string, number]> = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ];
  if (ms <= 0) return '0s';
  let rest = Math.round(ms);
  let out = '';
  for (const [suffix, size] of units) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${suffix}`;
      rest %= size;
    }
  }
  return out;
}

/** A quantity as a person reads it: `42.1ms`, `1.50GiB`, `83.2%`. */
export function formatQuantity(q: Quantity): string {
  switch (q.unit) {
    case 'seconds':
      return q.value < 1 ? `${round(q.value * 1000)}ms` : `${round(q.value)}s`;
    case 'bytes': {
      const steps: Array<[string, number]> = [
        ['GiB', 2 ** 30],
        ['MiB', 2 ** 20],
        ['KiB', 2 ** 10],
      ];
      for (const [suffix, size] of steps) if (Math.abs(q.value) >= size) return `${round(q.value / size)}${suffix}`;
      return `${Math.round(q.value)}B`;
    }
    case 'ratio':
      return `${round(q.value * 100)}%`;
    default:
      return `${round(q.value)}`;
  }
}

function round(n: number): string {
  return roundFigure(n, 'display').toString();
}

/**
 * Significant digits kept in figures meant for people, by what they are: enough to tell apart
 * what the measurement can, none of binary floating point's noise (0.03475 × 100 is
 * 3.4750000000000005). Percentages keep 6 so an uptime tells 99.9999 from 99.999; a latency in ms
 * or a burn-rate factor is an estimate good to 4; `display` strings show 4.
 */
export const FIGURE_DIGITS = { percent: 6, milliseconds: 4, factor: 4, display: 4 } as const;
export type FigureKind = keyof typeof FIGURE_DIGITS;

/** The one rounding of figures for people (API summary fields, burn-rate factors, display strings). */
export function roundFigure(n: number, kind: FigureKind): number {
  if (!Number.isFinite(n) || n === 0) return n;
  return Number(n.toPrecision(FIGURE_DIGITS[kind]));
}
