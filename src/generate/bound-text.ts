import { formatQuantity, type Quantity } from '../units/units.js';

/**
 * Byte sizes in the unit system their author used. A bound written `2GB` reads `2GB` (not
 * `1.863GiB`), one written `2GiB` reads `2GiB`; and the alert's value and the dashboard's axis
 * follow the bound's system, so "is 2.1GB; the bound is at most 2GB" compares like with like
 * (not "is 1.956GiB; the bound is at most 2GB").
 */

export type ByteSystem = 'decimal' | 'binary';

const DECIMAL: Array<[string, number]> = [
  ['TB', 1e12],
  ['GB', 1e9],
  ['MB', 1e6],
  ['KB', 1e3],
];
const BINARY: Array<[string, number]> = [
  ['TiB', 2 ** 40],
  ['GiB', 2 ** 30],
  ['MiB', 2 ** 20],
  ['KiB', 2 ** 10],
];

function spell(bytes: number, family: Array<[string, number]>): string | null {
  for (const [suffix, size] of family) {
    if (bytes >= size) return `${Number((bytes / size).toPrecision(6))}${suffix}`;
  }
  return null;
}

/** The system whose spelling of `bytes` is shorter (2e9 is "2GB", 2^31 "2GiB"); binary on a tie or below 1 KB. */
export function byteSystem(bytes: number): ByteSystem {
  const binary = spell(bytes, BINARY);
  const decimal = spell(bytes, DECIMAL);
  return decimal !== null && (binary === null || decimal.length < binary.length) ? 'decimal' : 'binary';
}

/** A bound as its author most likely wrote it (see above). */
export function formatBound(q: Quantity): string {
  if (q.unit !== 'bytes' || q.value === 0) return formatQuantity(q);
  return spell(q.value, byteSystem(q.value) === 'decimal' ? DECIMAL : BINARY) ?? `${q.value}B`;
}

/** A byte value in an alert template, in `system`: Prometheus's `humanize` is SI (k, M, G), `humanize1024` IEC (Ki, Mi, Gi). */
export function humanizeBytes(system: ByteSystem): string {
  return system === 'decimal' ? '{{ $value | humanize }}B' : '{{ $value | humanize1024 }}B';
}

/** Grafana's unit for bytes in `system`: `decbytes` (kB, MB, GB) or `bytes` (KiB, MiB, GiB). */
export function grafanaBytesUnit(system: ByteSystem): string {
  return system === 'decimal' ? 'decbytes' : 'bytes';
}
