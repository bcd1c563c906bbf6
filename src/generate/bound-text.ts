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
  // The shorter of the two spellings wins: 2e9 is "2GB" (not "1.86265GiB"), 2^31 is "2GiB".
  const spell = (family: Array<[string, number]>): string | null => {
    for (const [suffix, size] of family) {
      if (q.value >= size) return `${Number((q.value / size).toPrecision(6))}${suffix}`;
    }
    return null;
  };
  const candidates = [spell(binary), spell(decimal)].filter((c): c is string => c !== null);
  if (candidates.length > 0) return candidates.sort((a, b) => a.length - b.length)[0]!;
  return `${q.value}B`;
}
