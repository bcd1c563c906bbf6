import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registerDaemonMetrics } from '../../../src/metrics/daemon-metrics.js';
import { buildServer } from '../../../src/server/build-server.js';
import { healthySnapshot } from './server-fixtures.js';

// Issue 12 item 2: with evaluation stuck, /readyz said 200 and nothing in /metrics showed it.

describe('/readyz and the snapshot-age metrics', () => {
  it('/readyz is 503 "stale" while the snapshot is stale, 200 once it is fresh again', async () => {
    let stale = true;
    const app = buildServer({ getSnapshot: () => healthySnapshot(), metricsRegistry: new Registry(), snapshotStale: () => stale });
    try {
      const before = await app.inject({ method: 'GET', url: '/readyz' });
      expect(before.statusCode).toBe(503);
      expect(before.json()).toEqual({ status: 'stale' });
      stale = false;
      const after = await app.inject({ method: 'GET', url: '/readyz' });
      expect(after.statusCode).toBe(200);
      expect(after.json()).toEqual({ status: 'ready' });
    } finally {
      await app.close();
    }
  });

  it('/metrics says how old the snapshot is, whether it is stale, how many persists failed and what the last evaluation cost', async () => {
    const registry = new Registry();
    registerDaemonMetrics(registry, {
      snapshotAgeSeconds: () => 31.5,
      snapshotStale: () => true,
      persistFailures: () => 3,
      lastEvaluation: () => ({ wallMs: 250, busyMs: 40 }),
    });
    const text = await registry.metrics();
    expect(text).toMatch(/^vigil_snapshot_age_seconds 31\.5$/m);
    expect(text).toMatch(/^vigil_snapshot_stale 1$/m);
    expect(text).toMatch(/^vigil_store_persist_failures_total 3$/m);
    expect(text).toMatch(/^vigil_evaluation_duration_seconds 0\.25$/m);
    expect(text).toMatch(/^vigil_evaluation_busy_seconds 0\.04$/m);
  });
});
