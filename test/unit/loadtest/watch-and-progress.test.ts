import { describe, expect, it } from 'vitest';
import { sloFileSchema } from '../../../src/config/slo-schema.js';
import { ProgressBar } from '../../../src/loadtest/progress-bar.js';
import { implicitScrapeConfig } from '../../../src/loadtest/vigil-watch.js';

describe('implicitScrapeConfig', () => {
  it('scrapes the target for every latency/ratio source and nothing else', () => {
    const slo = sloFileSchema.parse({
      apiVersion: 'vigil/v1',
      kind: 'ServiceLevels',
      service: 'ml-services',
      objectives: [
        { name: 'p95', indicator: { latency: { histogram: 'h' } }, threshold: { max: '50ms' } },
        {
          name: 'avail',
          indicator: { ratio: { source: 'edge', errors: 'sum(rate(e[{{window}}]))', total: 'sum(rate(t[{{window}}]))' } },
          target: '99%',
        },
        { name: 'cache', indicator: { redisHitRatio: { source: 'cache' } }, threshold: { min: '80%' } },
      ],
    });
    const config = implicitScrapeConfig([{ path: 'x.yaml', slo }], 'http://127.0.0.1:8095/metrics', '/tmp');
    expect(config.daemon.sources.scrape).toEqual({
      default: expect.objectContaining({ url: 'http://127.0.0.1:8095/metrics', schedule: '* * * * * *' }),
      edge: expect.objectContaining({ url: 'http://127.0.0.1:8095/metrics' }),
    });
    expect(config.daemon.sources.redis).toEqual({});
    expect(config.services).toHaveLength(1);
  });
});

describe('ProgressBar', () => {
  function fakeStream() {
    const writes: string[] = [];
    return { writes, stream: { write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream };
  }

  it('draws on a terminal and clears its line when done', () => {
    const { writes, stream } = fakeStream();
    const bar = new ProgressBar(stream, true);
    bar.update(0.5, '30s/60s 1000 req/s');
    expect(writes[0]).toMatch(/^\r\[={15}> {14}\] {2}50% 30s\/60s 1000 req\/s/);
    bar.update(0.6, 'too soon'); // redrawn at most every 250 ms
    expect(writes).toHaveLength(1);
    bar.done();
    expect(writes[1]).toBe('\r\x1b[K');
  });

  it('stays silent when not a terminal', () => {
    const { writes, stream } = fakeStream();
    const bar = new ProgressBar(stream, false);
    bar.update(1, 'x');
    bar.done();
    expect(writes).toEqual([]);
  });
});
