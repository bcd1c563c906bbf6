import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daemonConfigSchema } from '../../../src/config/daemon-schema.js';
import { formatIssue, loadConfig } from '../../../src/config/load-config.js';
import { loadSloPaths } from '../../../src/config/load-slo.js';
import { ERR } from '../../../src/core/errors.js';

/**
 * OpenSLO files of several documents (Service, SLI, SLO) load wherever a vigil SLO file does:
 * converted whole, then validated like any vigil file, with the OpenSLO file's positions.
 */

const root = fileURLToPath(new URL('../../../', import.meta.url));
const config = 'test/fixtures/valid/vigil.yaml';
const EXAMPLE = 'test/fixtures/openslo/web-availability.yaml';

const SERVICE = 'apiVersion: openslo/v1\nkind: Service\nmetadata: { name: web-shop }\nspec: { description: shop }\n';
const slo = (name: string, service = 'web-shop') =>
  [
    'apiVersion: openslo/v1',
    'kind: SLO',
    `metadata: { name: ${name} }`,
    'spec:',
    `  service: ${service}`,
    '  indicator:',
    '    metadata: { name: ok }',
    '    spec: { ratioMetric: { good: { metricSource: { type: Prometheus, spec: { query: ok_total } } }, total: { metricSource: { type: Prometheus, spec: { query: all_total } } } } }',
    '  timeWindow: [{ duration: 28d, isRolling: true }]',
    '  objectives: [{ target: 0.99 }]',
    '',
  ].join('\n');

describe('multi-document OpenSLO files in the loader', () => {
  it('a Service + SLI + SLO file loads through loadConfig as one vigil service', async () => {
    const result = await loadConfig({ configPath: config, sloPaths: [EXAMPLE], cwd: root, env: {} });
    if (!result.ok) throw new Error(result.issues.map(formatIssue).join('\n'));
    expect(result.config.services).toHaveLength(1);
    const { slo: file, path } = result.config.services[0]!;
    expect(path).toBe(join(root, EXAMPLE));
    expect(file.service).toBe('web-shop');
    expect(file.description).toBe('The public web shop frontend');
    expect(file.objectives.map((o) => o.name)).toEqual(['web-availability', 'web-latency']);
    const availability = file.objectives[0]!;
    expect(availability.indicator).toEqual({
      ratio: {
        source: 'default',
        good: 'sum(rate(http_requests_total{service="web",code!~"5.."}[{{window}}]))',
        total: 'sum(rate(http_requests_total{service="web"}[{{window}}]))',
      },
    });
    expect(availability.target).toBeCloseTo(0.995, 12);
    expect(file.objectives[1]!.threshold!.max!.value).toBeCloseTo(0.25, 12);
  });

  it('a broken one gives file:line:col issues in the document each mistake is in', async () => {
    const result = await loadConfig({ configPath: config, sloPaths: ['test/fixtures/openslo/invalid.yaml'], cwd: root, env: {} });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map(formatIssue)).toEqual([
      'test/fixtures/openslo/invalid.yaml:12:15 spec.objectives[0].target: document 1/2: expected a target below 1 (1 leaves no error budget)',
      'test/fixtures/openslo/invalid.yaml:26:17 spec.indicator.spec.thresholdMetric.metricSource.type: document 2/2: vigil reads Prometheus metric sources only, got "Datadog"',
    ]);
    expect(result.issues.every((i) => i.code === ERR.VIGIL_ERR_CONFIG_IMPORT)).toBe(true);
  });
});

describe('multi-document files on disk', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-openslo-'));
    await writeFile(join(dir, 'web.yaml'), `${SERVICE}---\n${slo('web-ok')}`);
    await writeFile(join(dir, 'trailing.yaml'), `${slo('web-ok')}---\n`);
    await writeFile(join(dir, 'two-services.yaml'), `${slo('a-ok', 'shop')}---\n${slo('b-ok', 'cart')}`);
    await writeFile(
      join(dir, 'mixed.yaml'),
      `${slo('web-ok')}---\napiVersion: vigil/v1\nkind: ServiceLevels\nservice: x\nobjectives: []\n`,
    );
    await writeFile(join(dir, 'same-name.yaml'), `${SERVICE}---\n${slo('web-ok')}---\n${slo('web-ok')}`);
    await writeFile(
      join(dir, 'vigil-web-shop.yaml'),
      "apiVersion: vigil/v1\nkind: ServiceLevels\nservice: web-shop\nobjectives:\n  - { name: cpu, indicator: { containerCpu: { containers: 'w*' } }, threshold: { max: 60% } }\n",
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('the converted document gets the cross-field checks of a vigil file (here: source names)', async () => {
    const daemon = daemonConfigSchema.parse({ sources: { prometheus: { metrics: { url: 'http://127.0.0.1:9090' } } } });
    const result = await loadSloPaths(['web.yaml'], { cwd: dir, daemon });
    expect(result.files).toEqual([]);
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]).toMatchObject({
      file: 'web.yaml',
      // The top of the service's first SLO document (the Service document comes first).
      line: 6,
      column: 1,
      code: ERR.VIGIL_ERR_CONFIG_IMPORT,
      path: 'objectives[0].indicator.ratio',
    });
    expect(result.issues[0]!.message).toMatch(
      /^document 2\/2: after conversion: source "default" is not defined in vigil.yaml under sources\.prometheus/,
    );
  });

  it('duplicate objective names across SLO documents are caught', async () => {
    const result = await loadSloPaths(['same-name.yaml'], { cwd: dir });
    expect(result.files).toEqual([]);
    // Converted paths have no place in the OpenSLO file, so the issue points at the top of the
    // service's first SLO document.
    expect(result.issues.map(formatIssue)).toEqual([
      expect.stringMatching(
        /^same-name\.yaml:6:1 objectives\[1\]\.name: document 2\/3: after conversion: duplicate objective name "web-ok"/,
      ),
    ]);
  });

  it('a file holding SLOs of two services loads as two services', async () => {
    const result = await loadSloPaths(['two-services.yaml'], { cwd: dir });
    expect(result.issues).toEqual([]);
    expect(result.files.map((f) => [f.slo.service, f.slo.objectives.map((o) => o.name)])).toEqual([
      ['cart', ['b-ok']],
      ['shop', ['a-ok']],
    ]);
  });

  it('several documents that are not all OpenSLO keep the one-document error', async () => {
    const result = await loadSloPaths(['mixed.yaml'], { cwd: dir });
    expect(result.issues.map(formatIssue)).toEqual(['mixed.yaml:11:1: holds 2 YAML documents; expected one (put each in its own file)']);
    expect(result.issues[0]!.code).toBe(ERR.VIGIL_ERR_CONFIG_MULTI_DOCUMENT);
  });

  it('a trailing empty document is no second document', async () => {
    const result = await loadSloPaths(['trailing.yaml'], { cwd: dir });
    expect(result.issues).toEqual([]);
    expect(result.files[0]!.slo.objectives.map((o) => o.name)).toEqual(['web-ok']);
  });

  it('the service name of a converted file counts for duplicate services', async () => {
    const result = await loadSloPaths(['web.yaml', 'vigil-web-shop.yaml'], { cwd: dir });
    expect(result.issues.map(formatIssue)).toEqual([
      'vigil-web-shop.yaml:3:10 service: duplicate service "web-shop"; already defined in web.yaml',
    ]);
    expect(result.files.map((f) => f.slo.service)).toEqual(['web-shop']);
  });
});
