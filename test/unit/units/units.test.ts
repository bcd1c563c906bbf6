import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FIGURE_DIGITS,
  type FigureKind,
  formatDuration,
  formatQuantity,
  parseBytes,
  parseDuration,
  parseQuantity,
  parseRatio,
  roundFigure,
} from '../../../src/units/units.js';

/** The error a parser throws: the unit code and exactly this message. */
const unitError = (message: string) => expect.objectContaining({ code: 'VIGIL_ERR_UNIT', message });

describe('parseDuration (milliseconds)', () => {
  it.each([
    ['250ms', 250],
    ['1.5s', 1500],
    ['5m', 300_000],
    ['24h', 86_400_000],
    ['30d', 2_592_000_000],
    ['2w', 1_209_600_000],
    ['1y', 31_536_000_000],
    ['500us', 0.5],
    ['1h30m', 5_400_000],
    ['1d12h', 129_600_000],
    ['1m30s500ms', 90_500],
    [' 5m ', 300_000],
  ])('%s -> %d', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it.each([
    ['fast', 'expected a duration like "50ms", got "fast"'],
    ['5', 'expected a duration like "50ms", got "5"'],
    ['0s', 'expected a duration like "50ms", got "0s"'],
    ['-5m', 'expected a duration like "50ms", got "-5m"'],
    ['5 minutes', 'expected a duration like "50ms", got "5 minutes"'],
    ['5M', 'expected a duration like "50ms", got "5M" (units are case-sensitive: did you mean "5m"?)'],
    ['100 ms', 'expected a duration like "50ms", got "100 ms" (no space between the number and the unit: did you mean "100ms"?)'],
    [' 2.5  s ', 'expected a duration like "50ms", got " 2.5  s " (no space between the number and the unit: did you mean "2.5s"?)'],
    [50, 'expected a duration like "50ms", got 50'],
    [true, 'expected a duration like "50ms", got true'],
    [null, 'expected a duration like "50ms", got null'],
  ])('refuses %j', (input, message) => {
    expect(() => parseDuration(input)).toThrow(unitError(message));
  });
});

describe('parseBytes', () => {
  it.each([
    ['2GB', 2_000_000_000],
    ['2GiB', 2_147_483_648],
    ['2Gi', 2_147_483_648],
    ['512MiB', 536_870_912],
    ['512MB', 512_000_000],
    ['1.5GiB', 1_610_612_736],
    ['64 KiB', 65_536],
    ['100B', 100],
    ['1TB', 1e12],
    [1024, 1024],
  ])('%s -> %d', (input, bytes) => {
    expect(parseBytes(input)).toBe(bytes);
  });

  it('GB and GiB differ by the factor 2^30 / 10^9', () => {
    expect(parseBytes('1GiB') / parseBytes('1GB')).toBeCloseTo(1.073741824, 9);
  });

  it.each([
    ['2 gigs', 'expected a size like "512MiB" or "2GB", got "2 gigs"'],
    ['2gb', 'expected a size like "512MiB" or "2GB", got "2gb" (units are case-sensitive: did you mean "2GB"?)'],
    ['2gib', 'expected a size like "512MiB" or "2GB", got "2gib" (units are case-sensitive: did you mean "2GiB"?)'],
    ['GB', 'expected a size like "512MiB" or "2GB", got "GB"'],
    [-1, 'expected a size like "512MiB" or "2GB", got -1'],
  ])('refuses %j', (input, message) => {
    expect(() => parseBytes(input)).toThrow(unitError(message));
  });
});

describe('parseRatio', () => {
  it.each([
    ['80%', 0.8],
    ['99.9%', 0.999],
    ['100%', 1],
    ['0%', 0],
    [0.8, 0.8],
    ['0.8', 0.8],
    [1, 1],
  ])('%j -> %d', (input, ratio) => {
    expect(parseRatio(input)).toBeCloseTo(ratio, 12);
  });

  it.each([
    ['150%', 'expected a ratio like "80%" or 0.8, got "150%"'],
    [80, 'expected a ratio like "80%" or 0.8, got 80'],
    ['eighty', 'expected a ratio like "80%" or 0.8, got "eighty"'],
    [-0.1, 'expected a ratio like "80%" or 0.8, got -0.1'],
  ])('refuses %j', (input, message) => {
    expect(() => parseRatio(input)).toThrow(unitError(message));
  });
});

describe('parseQuantity: the unit comes from the suffix', () => {
  it.each([
    ['50ms', { value: 0.05, unit: 'seconds' }],
    ['1h30m', { value: 5400, unit: 'seconds' }],
    ['2GB', { value: 2e9, unit: 'bytes' }],
    ['2GiB', { value: 2 ** 31, unit: 'bytes' }],
    ['60%', { value: 0.6, unit: 'ratio' }],
    ['150%', { value: 1.5, unit: 'ratio' }],
    [100, { value: 100, unit: 'number' }],
    ['-3.5', { value: -3.5, unit: 'number' }],
    ['1e3', { value: 1000, unit: 'number' }],
  ])('%j -> %j', (input, quantity) => {
    const parsed = parseQuantity(input);
    expect(parsed.unit).toBe(quantity.unit);
    expect(parsed.value).toBeCloseTo(quantity.value, 12);
  });

  it('refuses text with no known unit, naming what it accepts', () => {
    expect(() => parseQuantity('fast')).toThrow(
      unitError('expected a value with its unit like "50ms", "2GiB", "60%" or a plain number, got "fast"'),
    );
  });
});

describe('formatting', () => {
  it.each([
    [90_000, '1m30s'],
    [3_600_000, '1h'],
    [86_400_000 * 30, '30d'],
    [86_400_000 * 14, '14d'],
    [250, '250ms'],
    [0, '0s'],
  ])('formatDuration(%d) = %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('formatDuration round-trips through parseDuration', () => {
    for (const text of ['5m', '1h30m', '24h', '250ms', '1d12h'])
      expect(formatDuration(parseDuration(text))).toBe(text === '24h' ? '1d' : text);
  });

  it.each([
    [{ value: 0.0421, unit: 'seconds' as const }, '42.1ms'],
    [{ value: 2.5, unit: 'seconds' as const }, '2.5s'],
    [{ value: 1.5 * 2 ** 30, unit: 'bytes' as const }, '1.5GiB'],
    [{ value: 512, unit: 'bytes' as const }, '512B'],
    [{ value: 0.832, unit: 'ratio' as const }, '83.2%'],
    [{ value: 7, unit: 'number' as const }, '7'],
  ])('formatQuantity(%j) = %s', (quantity, text) => {
    expect(formatQuantity(quantity)).toBe(text);
  });
});

describe('roundFigure: figures for people without float noise', () => {
  it.each([
    [0.03475 * 100, 'percent', 3.475],
    [99.99912345, 'percent', 99.9991],
    [0.0139 / 0.004, 'factor', 3.475],
    [42.12345, 'milliseconds', 42.12],
    [0, 'percent', 0],
  ] as const)('%s as %s is %s', (n, kind, rounded) => expect(roundFigure(n, kind)).toBe(rounded));

  /** Significant digits of a number as printed: `0.00123` 3, `3.4750000000000005` 17, `10000` 1. */
  const significant = (text: string) => {
    const mantissa = text.replace(/^-/, '').replace(/e.*$/, '');
    const digits = mantissa.includes('.') ? mantissa.replace('.', '').replace(/^0+/, '') : mantissa.replace(/^0+/, '').replace(/0+$/, '');
    return digits.length;
  };

  it('counts float noise as noise', () => {
    expect(significant(String(0.03475 * 100))).toBe(17);
    expect(significant(String(roundFigure(0.03475 * 100, 'percent')))).toBe(4);
  });

  it('never shows more significant digits than its kind keeps (property)', () => {
    const kinds = Object.keys(FIGURE_DIGITS) as FigureKind[];
    fc.assert(
      fc.property(fc.double({ min: -1e12, max: 1e12, noNaN: true }), fc.constantFrom(...kinds), (n, kind) => {
        const text = String(roundFigure(n, kind));
        return significant(text) <= FIGURE_DIGITS[kind];
      }),
    );
  });

  it('no display string carries float noise: at most 6 significant digits (property)', () => {
    const units = ['seconds', 'bytes', 'ratio', 'number'] as const;
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e13, noNaN: true }), fc.constantFrom(...units), (value, unit) => {
        const digits = formatQuantity({ value, unit }).match(/^-?[\d.]+(e[+-]?\d+)?/)?.[0] ?? '';
        return significant(digits) <= 6;
      }),
    );
  });
});
