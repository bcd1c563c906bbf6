// Every generated dashboard against the JSON Schema of the Grafana foundation SDK's `Dashboard`
// model (derived from the SDK's type declarations with ts-json-schema-generator, with unknown
// keys refused), the stand-in for importing into Grafana 10/11 where no Grafana runs.

import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import { createGenerator } from 'ts-json-schema-generator';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateAll } from '../../../src/generate/generate.js';
import { loadSlo, ROOT, shippedOptions } from './fixtures.js';

const require = createRequire(import.meta.url);
let validate: ValidateFunction;

/** The JSON Schema of one exported type of an SDK package, unknown keys refused. */
function sdkSchema(pkg: string, type: string): { definitions: Record<string, object> } {
  const types = require.resolve(`@grafana/grafana-foundation-sdk/${pkg}`).replace(/index\.(c?js)$/, 'types.gen.d.ts');
  return createGenerator({ path: types, type, skipTypeCheck: true, expose: 'export', additionalProperties: false }).createSchema(
    type,
  ) as never;
}

beforeAll(() => {
  const schema = sdkSchema('dashboard', 'Dashboard');
  // A panel's queries are the generic `Dataquery` there; ours are Prometheus queries, checked
  // against the Prometheus package's own query model.
  const prometheus = sdkSchema('prometheus', 'Dataquery');
  schema.definitions = { ...prometheus.definitions, ...schema.definitions, Dataquery: prometheus.definitions.Dataquery! };
  validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
}, 60_000);

async function dashboards(): Promise<Array<{ name: string; json: unknown }>> {
  const files = await loadSlo(['slo', 'test/promtool/slo']);
  const out = generateAll(
    files.map((f) => ({ path: f.path.slice(ROOT.length), slo: f.slo })),
    await shippedOptions(),
  );
  return out.files.filter((f) => f.folder === 'dashboards').map((f) => ({ name: f.name, json: JSON.parse(f.content) }));
}

describe('dashboards against the foundation SDK dashboard schema', () => {
  it('every generated dashboard (plain and exporter profiles) is valid', async () => {
    const all = await dashboards();
    expect(all.length).toBeGreaterThan(3);
    for (const { name, json } of all) {
      const ok = validate(json);
      expect(ok, `${name}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
    }
  });

  it('refuses an unknown key and a wrongly typed field (the check can fail)', async () => {
    const { json } = (await dashboards())[0]!;
    expect(validate({ ...(json as object), notAGrafanaKey: 1 })).toBe(false);
    expect(validate({ ...(json as object), title: 42 })).toBe(false);
    const withBadQuery = structuredClone(json) as { panels: Array<{ targets?: Array<Record<string, unknown>> }> };
    withBadQuery.panels.find((p) => p.targets)!.targets![0]!.legendFormatt = '{{container}}';
    expect(validate(withBadQuery)).toBe(false);
  });
});
