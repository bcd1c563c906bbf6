import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { daemonConfigSchema } from '../../../src/config/daemon-schema.js';
import { objectiveSchema } from '../../../src/config/slo-schema.js';
import { lookupSource } from '../../../src/config/source-lookup.js';
import {
  cadvisorLabelName,
  containerSeries,
  likeToRegex,
  postgresSeries,
  redisSeries,
  seriesMatchers,
} from '../../../src/promql/metric-profiles.js';
import { objectiveQueries } from '../../../src/sources/prometheus/promql-builder.js';

/** What RE2's full-match of `likeToRegex` does, in JS: the test's oracle is SQL LIKE written out plainly. */
function sqlLike(pattern: string, text: string): boolean {
  const re = pattern
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/%/g, '[\\s\\S]*')
    .replace(/_/g, '[\\s\\S]');
  return new RegExp(`^${re}$`).test(text);
}

describe('metric profiles', () => {
  it('a LIKE pattern becomes an RE2 pattern that matches what LIKE matches', () => {
    const alphabet = fc.constantFrom('a', 'b', '%', '_', '.', '*', '(', '\n');
    fc.assert(
      fc.property(
        fc.string({ unit: alphabet, maxLength: 6 }),
        fc.string({ unit: fc.constantFrom('a', 'b', '.', '*', '(', '\n'), maxLength: 8 }),
        (pattern, text) => {
          const re2 = likeToRegex(pattern);
          expect(re2.startsWith('(?s)')).toBe(true);
          // RE2's (?s) is JS's s flag; Prometheus anchors the whole pattern.
          const js = new RegExp(`^(?:${re2.slice(4)})$`, 's');
          expect(js.test(text)).toBe(sqlLike(pattern, text));
        },
      ),
    );
  });

  it('Docker label keys become cAdvisor label names', () => {
    expect(cadvisorLabelName('com.docker.compose.service')).toBe('container_label_com_docker_compose_service');
    expect(cadvisorLabelName('a-b/c')).toBe('container_label_a_b_c');
  });

  it('seriesMatch values with * or ? are globs, others exact, in label order', () => {
    expect(seriesMatchers({ job: 'redis', instance: 'cache-*:9121' })).toEqual([
      ['instance', '=~', 'cache-.*:9121'],
      ['job', '=', 'redis'],
    ]);
  });

  it('vigil profile keeps its own names pinned to the source; exporter profiles do not', () => {
    expect(redisSeries({ source: 'cache' }).absent).toBe('vigil_redis_keyspace_hits_total{source="cache"}');
    expect(redisSeries({ source: 'cache', metrics: 'redis_exporter', seriesMatch: { job: 'redis' } }).absent).toBe(
      'redis_keyspace_hits_total{job="redis"}',
    );
    const pg = postgresSeries({ source: 'db', database: 'shop', statistic: 'mean', metrics: 'postgres_exporter' });
    expect(pg.calls(60_000)).toBe('increase(pg_stat_statements_calls_total{datname="shop"}[1m])');
  });

  it('the kubelet profile refuses Docker labels, which its series do not carry', () => {
    expect(() => containerSeries('memory', { source: 'k', metrics: 'kubelet', containerLabels: { a: 'b' } })).toThrow(/kubelet profile/);
  });

  it('an exporter profile looks its source up among prometheus instances', () => {
    const d = daemonConfigSchema.parse({
      sources: { prometheus: { default: { url: 'http://127.0.0.1:9090' } }, redis: { cache: { url: 'redis://127.0.0.1:6379' } } },
    });
    expect(lookupSource(d.sources, 'redisHitRatio', 'default', true)).toEqual({ ok: true, kind: 'prometheus', name: 'default' });
    expect(lookupSource(d.sources, 'redisHitRatio', 'cache', true)).toMatchObject({ ok: false });
    expect(lookupSource(d.sources, 'redisHitRatio', 'cache')).toEqual({ ok: true, kind: 'redis', name: 'cache' });
  });

  it("the Prometheus source asks for an exporter-profile objective with the rules' own PromQL, reduced to one value", () => {
    const objective = objectiveSchema.parse({
      name: 'cpu',
      indicator: { containerCpu: { metrics: 'cadvisor', containers: 'svc-*' } },
      threshold: { max: '80%' },
    });
    const [q, ...rest] = objectiveQueries('shop', objective, 'default', new Map() as never);
    expect(rest).toEqual([]);
    expect(q).toMatchObject({ part: 'value', window: '5m' });
    expect(q!.query).toBe(
      `max(${containerSeries('cpu', { source: 'default', metrics: 'cadvisor', containers: 'svc-*' }).perContainer(300_000)})`,
    );
    expect(objectiveQueries('shop', objective, 'other', new Map() as never)).toEqual([]);
  });
});
