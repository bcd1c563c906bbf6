import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { deepFreeze } from '../../../src/core/freeze.js';
import { createLogger } from '../../../src/daemon/logger.js';
import { evaluate } from '../../../src/evaluate/evaluate.js';
import { createMetricsRegistry } from '../../../src/metrics/metrics-registry.js';
import { registerObjectiveMetrics } from '../../../src/metrics/objective-metrics.js';
import { buildServer } from '../../../src/server/build-server.js';
import { decodeStoreFile, encodeStoreFile, snapshotStore } from '../../../src/store/store-file.js';
import { configWith, fill, MIN, NOW, newStore, S } from '../evaluate/evaluate-fixtures.js';

/**
 * The boundaries scrub whatever reaches them: here a credential sits where sources never put one
 * (a probe URL label, a source's error), and no response, metric, log line or store file shows it.
 */

const SECRET = 'Pl4nted-s3cret';
const URL_WITH_SECRET = `http://vigil:${SECRET}@127.0.0.1:8095/health`;

function planted() {
  const config = configWith([{ name: 'uptime', indicator: { probe: { path: '/health' } }, target: '99.9%' }]);
  const store = newStore();
  fill(store, 'probe_success', { source: 'default', url: URL_WITH_SECRET }, NOW - 10 * MIN, NOW, 15 * S, () => 1);
  const health = [
    {
      kind: 'probe' as const,
      name: 'default',
      up: false,
      lastSuccess: NOW - 30 * S,
      lastError: `GET ${URL_WITH_SECRET} failed; password=${SECRET}`,
      consecutiveFailures: 1,
      lastDurationMs: 3,
    },
  ];
  const snapshot = deepFreeze(evaluate(config, store, NOW, { sources: health }));
  return { store, snapshot, health };
}

describe('redaction at the boundaries', () => {
  it('the API and /metrics never send a credential, whatever the snapshot holds', async () => {
    const { store, snapshot, health } = planted();
    // The planted label does reach the snapshot: the boundary, not the evaluator, is under test.
    expect(JSON.stringify(snapshot)).toContain(SECRET);
    const { registry } = createMetricsRegistry({ store, health: () => health });
    registerObjectiveMetrics(registry, () => snapshot);
    const app = buildServer({ getSnapshot: () => snapshot, metricsRegistry: registry });
    try {
      for (const url of [
        '/api/sla',
        '/api/sla/ml-services/current',
        '/api/sla/ml-services/current',
        '/metrics',
        '/api/sla/nope/current',
        '/nowhere',
      ]) {
        const res = await app.inject({ url });
        expect(res.body, url).not.toContain(SECRET);
      }
      const current = (await app.inject({ url: '/api/sla/ml-services/current' })).json();
      expect(JSON.stringify(current)).toContain('http://vigil:***@127.0.0.1:8095/health');
      const metrics = (await app.inject({ url: '/metrics' })).body;
      expect(metrics).toContain('url="http://vigil:***@127.0.0.1:8095/health"');
    } finally {
      await app.close();
    }
  });

  it('every log line passes redaction, whatever the caller logged', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger('info', sink);
    logger.warn(
      { url: URL_WITH_SECRET, headers: { authorization: `Bearer ${SECRET}` }, deep: { a: { password: SECRET } } },
      `retrying ${URL_WITH_SECRET}`,
    );
    logger.child({ component: 'http' }).error(new Error(`connect to redis://:${SECRET}@cache:6379 failed`));
    await new Promise((r) => setImmediate(r));
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).not.toContain(SECRET);
      expect(() => JSON.parse(line)).not.toThrow();
    }
    expect(JSON.parse(lines[0]!).msg).toBe('retrying http://vigil:***@127.0.0.1:8095/health');
  });

  it('the store file holds no credential', () => {
    const { store } = planted();
    const file = encodeStoreFile(snapshotStore(store));
    expect(file.toString('latin1')).not.toContain(SECRET);
    expect(decodeStoreFile(file).map((s) => s.labels.url)).toEqual(['http://vigil:***@127.0.0.1:8095/health']);
  });
});
