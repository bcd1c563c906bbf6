import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance } from '../../../src/config/did-you-mean.js';

describe('did-you-mean', () => {
  it.each([
    ['threshold', 'treshold', 1],
    ['host', 'hots', 1],
    ['latency', 'latancy', 1],
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
  ])('editDistance(%s, %s) = %d', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });

  it('suggests close names, case-only differences, and nothing for far ones', () => {
    const keys = ['name', 'description', 'labels', 'indicator', 'threshold', 'target', 'window', 'period', 'alert'];
    expect(didYouMean('treshold', keys)).toBe('threshold');
    expect(didYouMean('Threshold', keys)).toBe('threshold');
    expect(didYouMean('indicators', keys)).toBe('indicator');
    expect(didYouMean('targte', keys)).toBe('target');
    expect(didYouMean('slo', keys)).toBeUndefined();
    expect(didYouMean('maximum', keys)).toBeUndefined();
  });
});
