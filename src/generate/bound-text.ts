import { formatQuantity, type Quantity } from '../units/units.js';

/**
 * A bound as its author most likely wrote it: `2GB` stays `2GB` (not `1.863GiB`), `2GiB` stays
 * `2GiB`. Sizes divisible by 1000 read in decimal units, by 1024 in binary ones.
 */
export function formatBound(q: Quantity): string {
  if (q.unit !== 'bytes' || q.value === 0) return formatQuantity(q);
  const decimal: Array<[string, number]> = [
    ['TB', 1e12],
    ['GB', 1e9],
    ['MB', 1e6],
    ['KB', 1e3],
  ];
  const binary: Array<[string, number]> = [
    ['TiB', 2 ** 40],
    ['GiB', 2 ** 30],
    ['MiB', 2 ** 20],
    ['KiB', 2 ** 10],
  ];
  const family = q.value % 2 ** 10 === 0 ? binary : q.value % 1e3 === 0 ? decimal : null;
  if (family === null) return formatQuantity(q);
  for (const [suffix, size] of family) {
    if (q.value >= size) return `${Number((q.value / size).toPrecision(6))}${suffix}`;
  }
  return `${q.value}B`;
}
