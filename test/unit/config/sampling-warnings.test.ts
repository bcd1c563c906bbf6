import { describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/config.js';
import { samplingWarnings } from '../../../src/config/sampling-warnings.js';
import { configWith as fixtureConfig } from '../evaluate/evaluate-fixtures.js';

/** As if loaded from a vigil.yaml someone wrote (on defaults nothing is judged). */
const configWith = (...args: Parameters<typeof fixtureConfig>): Config => ({ ...fixtureConfig(...args), configPath: '/tmp/vigil.yaml' });

describe('sampling warnings', () => {
  it('a 5-minute cron against a 5m window: one sample per window is not enough', () => {
    const config = configWith([{ name: 'uptime', indicator: { probe: { path: '/health' } }, target: '99%', window: '5m', period: '1d' }], {
      sources: { probe: { default: { baseUrl: 'http://127.0.0.1:8095', schedule: '0 */5 * * * *' } } },
    });
    const [warning, ...rest] = samplingWarnings(config);
    expect(rest).toEqual([]);
    expect(warning).toBe(
      "/tmp/ml-services.yaml: ml-services/uptime: source probe/default samples every 5m, not well inside the objective's 5m window " +
        '(fewer than 3 samples per window): sample at least every 1m40s or widen the window',
    );
  });

  it('a period the store cannot hold at the source interval', () => {
    const config = configWith([{ name: 'uptime', indicator: { probe: { path: '/health' } }, target: '99%', window: '5m', period: '30d' }], {
      sources: { probe: { default: { baseUrl: 'http://127.0.0.1:8095', schedule: '*/5 * * * * *' } } },
      store: { maxPointsPerSeries: 20_000 },
    });
    expect(samplingWarnings(config)).toEqual([
      expect.stringMatching(
        /samples every 5s; the store keeps 20000 raw points per series .* and about 262144 compressed, about 16d7h52m of history, shorter than the 30d period: .*at most 54% .*raise maxPointsPerSeries to 256256/,
      ),
    ]);
  });

  it('says nothing when the interval fits the window and the store holds the period', () => {
    const config = configWith([{ name: 'uptime', indicator: { probe: { path: '/health' } }, target: '99%', window: '5m', period: '1d' }], {
      sources: { probe: { default: { baseUrl: 'http://127.0.0.1:8095', schedule: '*/15 * * * * *' } } },
    });
    expect(samplingWarnings(config)).toEqual([]);
  });

  it('judges nothing on defaults (no vigil.yaml written)', () => {
    const config = fixtureConfig(
      [{ name: 'uptime', indicator: { probe: { path: '/health' } }, target: '99%', window: '5m', period: '30d' }],
      { sources: { probe: { default: { baseUrl: 'http://127.0.0.1:8095', schedule: '0 */5 * * * *' } } } },
    );
    expect(samplingWarnings(config)).toEqual([]);
  });

  it('a Prometheus-backed objective is not held to the store cap (Prometheus keeps its history)', () => {
    const config = configWith(
      [
        {
          name: 'availability',
          indicator: { ratio: { errors: 'sum(rate(e[{{window}}]))', total: 'sum(rate(t[{{window}}]))' } },
          target: '99.9%',
          period: '30d',
        },
      ],
      { store: { maxPointsPerSeries: 100 } },
    );
    expect(samplingWarnings(config).filter((w) => w.includes('maxPointsPerSeries'))).toEqual([]);
  });
});
