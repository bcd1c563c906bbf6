import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { byteSystem, formatBound, grafanaBytesUnit, humanizeBytes } from '../../../src/generate/bound-text.js';
import { serviceDashboard } from '../../../src/generate/dashboards/service-dashboard.js';
import { isAlertingRule } from '../../../src/generate/rule-model.js';
import { serviceRules } from '../../../src/generate/service-rules.js';
import { parseBytes } from '../../../src/units/units.js';
import { shippedOptions, slo } from './fixtures.js';

/**
 * Issue 12 item 15: at 2.1e9 bytes against a 2 GB bound the alert read "is 1.956GiB; the bound
 * is at most 2GB". The value in the annotation and the dashboard axis now use the bound's system.
 */

const DECIMAL = ['KB', 'MB', 'GB', 'TB'];
const BINARY = ['KiB', 'MiB', 'GiB', 'TiB'];

describe('byte sizes keep the unit system of their bound', () => {
  it('the bound text reads back as the bound, and value text and axis use its system', () => {
    const written = fc.tuple(fc.integer({ min: 1, max: 999 }), fc.constantFrom(...DECIMAL, ...BINARY)).map(([n, unit]) => `${n}${unit}`);
    fc.assert(
      fc.property(written, (text) => {
        const value = parseBytes(text);
        const shown = formatBound({ value, unit: 'bytes' });
        expect(parseBytes(shown)).toBeCloseTo(value, -Math.floor(Math.log10(value)) + 5);
        const binary = shown.endsWith('iB');
        expect(byteSystem(value)).toBe(binary ? 'binary' : 'decimal');
        expect(humanizeBytes(byteSystem(value))).toBe(binary ? '{{ $value | humanize1024 }}B' : '{{ $value | humanize }}B');
        expect(grafanaBytesUnit(byteSystem(value))).toBe(binary ? 'bytes' : 'decbytes');
      }),
      { seed: 15, numRuns: 2000 },
    );
  });

  it.each([
    ['2GB', 'humanize', 'decbytes'],
    ['1.6GB', 'humanize', 'decbytes'],
    ['500MB', 'humanize', 'decbytes'],
    ['2GiB', 'humanize1024', 'bytes'],
    ['512MiB', 'humanize1024', 'bytes'],
  ])('a %s memory bound: the alert shows the value with %s, the dashboard in %s', async (bound, fn, unit) => {
    const file = slo({
      apiVersion: 'vigil/v1',
      kind: 'ServiceLevels',
      service: 'ml',
      objectives: [
        { name: 'mem', indicator: { containerMemory: { containers: 'ml-*' } }, threshold: { max: bound } },
        { name: 'leak', indicator: { memoryLeak: { containers: 'ml-*', limit: bound } } },
      ],
    });
    const options = await shippedOptions();
    const alerts = serviceRules(file, options)
      .file.groups.flatMap((g) => g.rules)
      .filter(isAlertingRule);
    const memory = alerts.find((a) => a.alert === 'VigilContainerMemoryHigh')!;
    expect(memory.annotations.description).toContain(`is {{ $value | ${fn} }}B; the bound is at most ${bound} `);
    const exhaustion = alerts.find((a) => a.labels.objective === 'leak' && a.annotations.description?.includes('extrapolated'))!;
    expect(exhaustion.annotations.description).toContain(`reaches {{ $value | ${fn} }}B; the bound is at most ${bound} `);
    const units = JSON.stringify(serviceDashboard(file, options)).match(/"unit":"[a-z]*bytes"/g);
    expect(new Set(units)).toEqual(new Set([`"unit":"${unit}"`]));
  });
});
