import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { postgresAdviceOutputSchema, redisAdviceOutputSchema } from '../../../src/advise/advice-schema.js';
import { checkJson, checkOutputSchema } from '../../../src/cli/check.js';
import { declaredKeys, fromWire, toWire, type Wire, wireJsonSchema, wireKey } from '../../../src/core/wire-keys.js';
import { evaluate } from '../../../src/evaluate/evaluate.js';
import { loadtestReportSchema, soakCheckpointFileSchema } from '../../../src/loadtest/report-schema.js';
import { reportJson } from '../../../src/loadtest/report-text.js';
import {
  reloadErrorResponseSchema,
  type ServiceCurrentResponse,
  serviceCurrentResponseSchema,
  serviceListResponseSchema,
} from '../../../src/server/api-schemas.js';
import { snapshotSchema } from '../../../src/snapshot/snapshot-schema.js';
import { objectiveHistoryResponseSchema, resourceHistoryResponseSchema } from '../../../src/ui/history-schema.js';
import { HOSTILE_REPORT, profileReport, stressReport } from '../../support/loadtest-report-fixture.js';
import { nonSnakeKeys } from '../../support/snake-keys.js';
import { configWith, container, fill, MIN, NOW, newStore, S } from '../evaluate/evaluate-fixtures.js';

type Json = Record<string, unknown>;

/** A value of the schema with every declared field present, one element per array, one `myLabel` entry per map. */
function exemplar(schema: z.ZodType): unknown {
  const root = z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any' }) as Json;
  const walk = (raw: Json): unknown => {
    const node =
      typeof raw.$ref === 'string' ? (raw.$ref === '#' ? root : ((root.$defs as Json)[raw.$ref.split('/').pop()!] as Json)) : raw;
    if (node.const !== undefined) return node.const;
    if (Array.isArray(node.enum)) return node.enum[0];
    const branches = (node.anyOf ?? node.oneOf) as Json[] | undefined;
    if (branches) return walk(branches.find((b) => b.type !== 'null') ?? branches[0]!);
    const type = Array.isArray(node.type) ? node.type.find((t) => t !== 'null') : node.type;
    if (type === 'object') {
      const props = Object.entries((node.properties as Record<string, Json> | undefined) ?? {});
      if (props.length > 0) return Object.fromEntries(props.map(([k, v]) => [k, walk(v)]));
      const values = node.additionalProperties as Json | undefined;
      return values && typeof values === 'object' ? { myLabel: walk(values) } : {};
    }
    if (type === 'array') return [walk((node.items as Json | undefined) ?? {})];
    if (type === 'string') return 'text';
    if (type === 'number' || type === 'integer') return 1;
    if (type === 'boolean') return true;
    return null;
  };
  return walk(root);
}

const WIRE_SCHEMAS = {
  snapshotSchema,
  serviceCurrentResponseSchema,
  serviceListResponseSchema,
  reloadErrorResponseSchema,
  objectiveHistoryResponseSchema,
  resourceHistoryResponseSchema,
  loadtestReportSchema,
  soakCheckpointFileSchema,
  checkOutputSchema,
  postgresAdviceOutputSchema,
  redisAdviceOutputSchema,
};

describe('wireKey', () => {
  it.each([
    ['dataAgeSeconds', 'data_age_seconds'],
    ['data_age_seconds', 'data_age_seconds'],
    ['p95', 'p95'],
    ['latencyMs', 'latency_ms'],
    ['atS', 'at_s'],
    ['no_data', 'no_data'],
    ['lastDurationMs', 'last_duration_ms'],
  ])('%s -> %s', (code, wire) => expect(wireKey(code)).toBe(wire));

  it('is idempotent: a wire key maps to itself', () => {
    fc.assert(fc.property(fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,20}$/), (k) => wireKey(wireKey(k)) === wireKey(k)));
  });
});

describe.each(Object.entries(WIRE_SCHEMAS))('%s on the wire', (_name, schema) => {
  const value = exemplar(schema);
  const wire = toWire(schema, value as never) as Json;

  it('has snake_case keys only, outside maps, and no two fields share a wire name', () => {
    expect(nonSnakeKeys(wire)).toEqual([]);
    expect(JSON.stringify(wire).length).toBeGreaterThan(20);
    // A collision would drop a field: the wire form has as many keys as the value.
    const keyCount = (v: unknown): number =>
      Array.isArray(v)
        ? v.reduce((n, x) => n + keyCount(x), 0)
        : v && typeof v === 'object'
          ? Object.values(v).reduce((n: number, x) => n + 1 + keyCount(x), 0)
          : 0;
    expect(keyCount(wire)).toBe(keyCount(value));
  });

  it('reads back into the code names, from the wire form and from the older camelCase form', () => {
    expect(declaredKeys(schema, wire)).toEqual(value);
    expect(declaredKeys(schema, value)).toEqual(value);
  });

  it('matches its JSON Schema in wire form (the OpenAPI document and the serializer)', () => {
    const json = wireJsonSchema(z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any' })) as Json;
    const top = Object.keys((json.properties as Json | undefined) ?? {});
    if (top.length > 0) expect(Object.keys(wire).every((k) => top.includes(k))).toBe(true);
  });
});

describe('maps are user data', () => {
  it('keeps label names and HTTP status keys as they are', () => {
    const value = exemplar(serviceCurrentResponseSchema) as ServiceCurrentResponse;
    const labels = { container: 'ml-1', myLabel: 'x', 'app.kubernetes.io/name': 'y' };
    const wire = toWire(serviceCurrentResponseSchema, {
      ...value,
      labels,
      objectives: [{ ...value.objectives[0]!, breakdown: [{ labels, value: 1 }] }],
    });
    expect(wire.labels).toEqual(labels);
    expect(wire.objectives[0]!.breakdown[0]!.labels).toEqual(labels);
    expectTypeOf(wire.objectives[0]!.data_age_seconds).toEqualTypeOf<number | null>();
    expectTypeOf<Wire<{ fooBar: { a: Record<string, { bazQux: 1 }> } }>>().toEqualTypeOf<{
      foo_bar: { a: { [key: string]: { baz_qux: 1 } } };
    }>();
  });

  it("keeps a table's column names in `distinct` (vigil advise postgres --json)", () => {
    const value = exemplar(postgresAdviceOutputSchema) as z.output<typeof postgresAdviceOutputSchema>;
    const table = { ...value.tables[0]!, distinct: { userId: 3, created_at: -0.5 } };
    const wire = toWire(postgresAdviceOutputSchema, { ...value, tables: [table] });
    expect(wire.tables[0]!.distinct).toEqual({ userId: 3, created_at: -0.5 });
    expect(wire.tables[0]!.live_rows).toBe(1);
  });

  it('an older camelCase body is read with fromWire', () => {
    const value = exemplar(serviceCurrentResponseSchema) as Json;
    const objectives = [{ ...(value.objectives as Json[])[0], dataAgeSeconds: 4, burnRates: [{ window: '5m', rate: 2 }] }];
    const read = fromWire(serviceCurrentResponseSchema, { ...value, evaluated_at: new Date(0).toISOString(), objectives });
    expect(read.objectives[0]!.dataAgeSeconds).toBe(4);
    expect(read.objectives[0]!.burnRates).toEqual([{ window: '5m', rate: 2 }]);
  });
});

describe('vigil loadtest --json', () => {
  it('prints snake_case keys for a real profile and stress report, HTTP statuses kept, and reads back whole', () => {
    for (const report of [profileReport(HOSTILE_REPORT), stressReport()]) {
      const json = JSON.parse(reportJson(report));
      expect(nonSnakeKeys(json)).toEqual([]);
      expect(Object.keys(json.status_counts)).toEqual(Object.keys(report.statusCounts));
      expect(fromWire(loadtestReportSchema, json)).toEqual(JSON.parse(JSON.stringify(report)));
    }
  });
});

describe('vigil check --json', () => {
  it('prints snake_case keys, exit code included, and keeps labels', () => {
    const config = configWith([
      { name: 'mem', indicator: { containerMemory: { containers: 'ml*' } }, threshold: { max: '100MiB' } },
      { name: 'uptime', indicator: { probe: { path: '/health' } }, target: '99.9%' },
    ]);
    const store = newStore();
    fill(store, 'container_memory_working_set_bytes', container('ml-1'), NOW - MIN, NOW, 15 * S, () => 10 * 2 ** 20);
    const snapshot = evaluate(config, store, NOW);
    const json = JSON.parse(checkJson({ services: snapshot.services, sources: snapshot.sources, sampleSpan: '3s' }, 3));
    expect(nonSnakeKeys(json)).toEqual([]);
    expect(json.exit_code).toBe(3);
    expect(json.sample_span).toBe('3s');
    expect(json.services[0].objectives[0]).toHaveProperty('data_age_seconds');
    expect(json.services[0].objectives[0].breakdown[0].labels).toHaveProperty('container');
  });
});
