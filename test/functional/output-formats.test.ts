// `vigil generate --format prometheus-operator` and `--format mimir` on every shipped and test SLO
// file: PrometheusRule and ConfigMap manifests pass the CRD models of @kubernetes-models (the
// prometheus-operator CRDs and the core API), and the mimir layout's groups are promtool-clean
// and the same groups as the plain rule files.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadSloPaths } from '../../src/config/load-slo.js';
import { SHIPPED_WINDOW_SETS } from '../../src/config/window-sets.js';
import { type GenerateResult, generateAll } from '../../src/generate/generate.js';
import { GRAFANA_SIDECAR_LABEL, inFormat } from '../../src/generate/output-formats.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const run = promisify(execFile);
const tmp = mkdtempSync('/tmp/vt-formats-');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function plain(): Promise<GenerateResult> {
  const loaded = await loadSloPaths(['slo', 'test/promtool/slo'], { cwd: ROOT });
  expect(loaded.issues).toEqual([]);
  return generateAll(
    loaded.files.map((f) => ({ path: f.path.slice(ROOT.length), slo: f.slo })),
    { windowSets: SHIPPED_WINDOW_SETS },
  );
}

describe('--format prometheus-operator', () => {
  it('writes one PrometheusRule per service and one ConfigMap per dashboard, valid against the CRD models', async () => {
    const base = await plain();
    const out = inFormat(base, 'prometheus-operator');
    const rules = out.files.filter((f) => f.folder === 'alerts');
    const maps = out.files.filter((f) => f.folder === 'dashboards');
    expect(rules.length).toBe(base.files.filter((f) => f.folder === 'alerts').length);
    for (const file of rules) {
      const manifest = parse(file.content) as { metadata: { name: string; labels: Record<string, string> }; spec: { groups: unknown[] } };
      expect(() => new PrometheusRule(manifest as never).validate(), file.name).not.toThrow();
      const service = file.name.replace(/\.prometheusrule\.yaml$/, '');
      expect(manifest.metadata.name).toBe(`vigil-${service}`);
      expect(manifest.metadata.labels['app.kubernetes.io/managed-by']).toBe('vigil');
      const original = parse(base.files.find((f) => f.name === `${service}.rules.yaml`)!.content) as { groups: unknown[] };
      expect(manifest.spec.groups).toEqual(original.groups);
    }
    for (const file of maps) {
      const manifest = parse(file.content) as { metadata: { labels: Record<string, string> }; data: Record<string, string> };
      expect(() => new ConfigMap(manifest as never).validate(), file.name).not.toThrow();
      expect(manifest.metadata.labels).toMatchObject(GRAFANA_SIDECAR_LABEL);
      const [[key, json]] = Object.entries(manifest.data) as [[string, string]];
      expect(base.files.find((f) => f.folder === 'dashboards' && f.name === key)!.content).toBe(json);
    }
  });

  it('the models refuse a rule group without a name (so the check above can fail)', async () => {
    const out = inFormat(await plain(), 'prometheus-operator');
    const manifest = parse(out.files.find((f) => f.folder === 'alerts')!.content) as { spec: { groups: Array<Record<string, unknown>> } };
    delete manifest.spec.groups[0]!.name;
    expect(() => new PrometheusRule(manifest as never).validate()).toThrow();
  });
});

describe('--format mimir', () => {
  it('puts each service in its own namespace; the groups are promtool-clean and unchanged', async () => {
    const base = await plain();
    const out = inFormat(base, 'mimir');
    const files: string[] = [];
    for (const file of out.files.filter((f) => f.folder === 'alerts')) {
      const doc = parse(file.content) as { namespace: string; groups: unknown[] };
      expect(doc.namespace).toBe(`vigil-${file.name.replace(/\.rules\.yaml$/, '')}`);
      expect(doc.groups).toEqual((parse(base.files.find((f) => f.name === file.name)!.content) as { groups: unknown[] }).groups);
      // promtool reads the Prometheus layout: the groups without mimirtool's namespace key.
      const path = join(tmp, file.name);
      writeFileSync(path, stringify({ groups: doc.groups }));
      files.push(path);
    }
    const { stdout } = await run('/usr/bin/promtool', ['check', 'rules', ...files]);
    expect(stdout.match(/SUCCESS/g)?.length).toBe(files.length);
  });
});
