// Shard assignment: Prometheus's hashmod arithmetic (checked against MD5 digests computed
// independently), the StatefulSet ordinal, the owned part of a config, and an even split.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/config.js';
import { daemonConfigSchema, shardSchema } from '../../../src/config/daemon-schema.js';
import { resolveConfig } from '../../../src/config/resolve-config.js';
import { configForShard, hashmod, ordinalOf, ownsService, resolveShard } from '../../../src/config/shard.js';
import { sloFileSchema } from '../../../src/config/slo-schema.js';
import { SHIPPED_WINDOW_SETS } from '../../../src/config/window-sets.js';

describe('hashmod', () => {
  // md5("checkout") = 177627f91af678a9 b03e993f1a91917f; 0xb03e993f1a91917f mod 3 = 0, and so on.
  it.each([
    ['checkout', 3, 0],
    ['payments', 3, 2],
    ['ml-serving', 2, 1],
    ['a', 1000, 697],
    ['', 7, 1],
  ])('hashmod(%j, %i) = %i, as Prometheus computes it', (value, modulus, expected) => {
    expect(hashmod(value, modulus)).toBe(expected);
  });

  it('is stable and in range', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 64 }), (value, modulus) => {
        const shard = hashmod(value, modulus);
        expect(Number.isInteger(shard) && shard >= 0 && shard < modulus).toBe(true);
        expect(hashmod(value, modulus)).toBe(shard);
      }),
    );
  });

  it('splits 1000 service names within 10 % of a third each over three shards', () => {
    const counts = [0, 0, 0];
    for (let i = 0; i < 1000; i++) counts[hashmod(`svc-${String(i).padStart(4, '0')}`, 3)]!++;
    for (const c of counts) expect(Math.abs(c - 1000 / 3) / (1000 / 3)).toBeLessThanOrEqual(0.1);
  });
});

describe('the shard index', () => {
  const shard = (input: object) => shardSchema.parse(input);

  it('reads the StatefulSet ordinal from the host name', () => {
    expect(ordinalOf('vigil-2')).toBe(2);
    expect(ordinalOf('vigil-10.vigil.monitoring.svc')).toBe(10);
    expect(ordinalOf('vigil')).toBeNull();
    expect(resolveShard(shard({ total: 3 }), 'vigil-1')).toMatchObject({ index: 1, total: 3 });
  });

  it('prefers the configured index, and is null when not sharded', () => {
    expect(resolveShard(shard({ index: 0, total: 3 }), 'vigil-2')?.index).toBe(0);
    expect(resolveShard(undefined, 'vigil-2')).toBeNull();
  });

  it('says what to set when neither gives an index, or it is out of range', () => {
    expect(() => resolveShard(shard({ total: 3 }), 'monitoring-host')).toThrow(/set shard.index \(or VIGIL_SHARD_INDEX\)/);
    expect(() => resolveShard(shard({ total: 3 }), 'vigil-3')).toThrow(
      /index 3 \(from the host name "vigil-3"\) is not below shard.total 3/,
    );
    expect(shardSchema.safeParse({ index: 3, total: 3 }).success).toBe(false);
  });
});

describe('configForShard', () => {
  const services = ['checkout', 'payments', 'ml-serving', 'search', 'cart', 'auth'].map((service) => ({
    path: `/slo/${service}.yaml`,
    slo: sloFileSchema.parse({
      apiVersion: 'vigil/v1',
      kind: 'ServiceLevels',
      service,
      objectives: [{ name: 'up', indicator: { probe: { url: `http://127.0.0.1:1/${service}` } }, target: '99%' }],
    }),
  }));
  const config: Config = resolveConfig({
    configPath: null,
    baseDir: '/',
    daemon: daemonConfigSchema.parse({}),
    services,
    windowSets: SHIPPED_WINDOW_SETS,
  });

  it('keeps exactly the owned services; the shards together keep each once', () => {
    const kept = [0, 1, 2].map((index) =>
      configForShard(config, { index, total: 3, peers: [], peerTimeoutMs: 1000 }).services.map((s) => s.slo.service),
    );
    for (const [index, names] of kept.entries()) {
      for (const name of names) expect(ownsService(name, { index, total: 3, peers: [], peerTimeoutMs: 1000 })).toBe(true);
    }
    expect(kept.flat().sort()).toEqual(services.map((s) => s.slo.service).sort());
  });

  it('keeps the implicit source instances its own objectives read, and only those', () => {
    // Each objective reads the implicit probe instance `default` (vigil.yaml names none).
    const implicit = config.sources.filter((i) => i.implicit);
    expect(implicit.map((i) => `${i.kind}/${i.name}`)).toEqual(['probe/default']);
    // Shard 0 of 3 owns checkout and cart: it keeps the instance.
    const zero = configForShard(config, { index: 0, total: 3, peers: [], peerTimeoutMs: 1000 });
    expect(zero.services.map((s) => s.slo.service).sort()).toEqual(['cart', 'checkout']);
    expect(zero.sources).toEqual(implicit);
    // Shard 0 of 1000 owns none of the six (their hashmods are 241 ... 916): no instance to run.
    const empty = configForShard(config, { index: 0, total: 1000, peers: [], peerTimeoutMs: 1000 });
    expect(empty.services).toEqual([]);
    expect(empty.sources).toEqual([]);
  });

  it('leaves an unsharded config as it is', () => {
    expect(configForShard(config, null)).toBe(config);
  });
});
