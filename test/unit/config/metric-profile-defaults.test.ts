import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatIssue, loadConfig } from '../../../src/config/load-config.js';
import { withProfileDefaults } from '../../../src/config/resolve-config.js';
import { indicatorProfile } from '../../../src/config/slo-schema.js';

/**
 * Metric profile defaults: an indicator's own `metrics:` > the SLO file's `metricProfiles` >
 * vigil.yaml's `metricProfiles` > vigil. Resolved once, in resolve-config.ts, before validation.
 */

const DAEMON = (profiles: string) =>
  [
    'sources:',
    '  prometheus:',
    "    default: { url: 'http://127.0.0.1:9090' }",
    '  docker:',
    '    default: { socketPath: /var/run/docker.sock }',
    '  redis:',
    "    default: { url: 'redis://127.0.0.1:6379/0' }",
    '  postgres:',
    "    default: { connectionString: 'postgres://vigil@127.0.0.1:5432/ml' }",
    profiles,
    '',
  ].join('\n');

const SLO = (fileProfiles: string) =>
  [
    'apiVersion: vigil/v1',
    'kind: ServiceLevels',
    'service: shop',
    fileProfiles,
    'objectives:',
    '  - name: memory',
    '    indicator: { containerMemory: { containers: api } }',
    '    threshold: { max: 512MiB }',
    '  - name: cpu-own',
    '    indicator: { containerCpu: { containers: api, metrics: vigil } }',
    '    threshold: { max: 200% }',
    '  - name: hits',
    '    indicator: { redisHitRatio: {} }',
    '    threshold: { min: 90% }',
    '  - name: statements',
    "    indicator: { postgresQueryLatency: { match: '%orders%' } }",
    '    threshold: { max: 20ms }',
    '  - name: leak',
    '    indicator: { memoryLeak: { containers: api } }',
    '',
  ].join('\n');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-profiles-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function load(daemonProfiles: string, fileProfiles: string) {
  await writeFile(join(dir, 'vigil.yaml'), DAEMON(daemonProfiles));
  await writeFile(join(dir, 'shop.yaml'), SLO(fileProfiles));
  return loadConfig({ configPath: 'vigil.yaml', sloPaths: ['shop.yaml'], cwd: dir, env: {} });
}

async function profiles(daemonProfiles: string, fileProfiles: string): Promise<Record<string, string>> {
  const result = await load(daemonProfiles, fileProfiles);
  if (!result.ok) throw new Error(result.issues.map(formatIssue).join('\n'));
  return Object.fromEntries(result.config.services[0]!.slo.objectives.map((o) => [o.name, indicatorProfile(o.indicator)]));
}

describe('metric profile defaults', () => {
  it('none given: every indicator reads vigil (files without defaults do not change)', async () => {
    expect(await profiles('', '')).toEqual({ memory: 'vigil', 'cpu-own': 'vigil', hits: 'vigil', statements: 'vigil', leak: 'vigil' });
    const doc = { apiVersion: 'vigil/v1', objectives: [{ indicator: { containerMemory: {} } }] };
    expect(withProfileDefaults(doc, undefined)).toBe(doc);
  });

  it("vigil.yaml's defaults apply per family; an indicator's own metrics: wins; memoryLeak stays vigil", async () => {
    expect(await profiles('metricProfiles: { containers: kubelet, redis: redis_exporter }', '')).toEqual({
      memory: 'kubelet',
      'cpu-own': 'vigil',
      hits: 'redis_exporter',
      statements: 'vigil',
      leak: 'vigil',
    });
  });

  it("the SLO file's defaults win over vigil.yaml's", async () => {
    expect(
      await profiles('metricProfiles: { containers: kubelet, postgres: postgres_exporter }', 'metricProfiles: { containers: cadvisor }'),
    ).toEqual({ memory: 'cadvisor', 'cpu-own': 'vigil', hits: 'vigil', statements: 'postgres_exporter', leak: 'vigil' });
  });

  it('a defaulted exporter profile reads from the prometheus source (the checks see it)', async () => {
    const result = await load('metricProfiles: { redis: redis_exporter }', '');
    if (!result.ok) throw new Error(result.issues.map(formatIssue).join('\n'));
    const hits = result.config.services[0]!.slo.objectives.find((o) => o.name === 'hits')!;
    expect(hits.source).toMatchObject({ kind: 'prometheus', name: 'default' });
  });

  it('an unknown profile name is a positioned error, in the SLO file or in vigil.yaml', async () => {
    const inFile = await load('', 'metricProfiles: { containers: kubelett }');
    expect(inFile.ok).toBe(false);
    expect(inFile.ok ? [] : inFile.issues.map(formatIssue)).toEqual([
      expect.stringMatching(/^shop\.yaml:4:31 metricProfiles\.containers: .*did you mean "kubelet"/),
    ]);
    const inDaemon = await load('metricProfiles: { redis: redis-exporter }', '');
    expect(inDaemon.ok ? [] : inDaemon.issues.map(formatIssue)).toEqual([
      expect.stringMatching(/^vigil\.yaml:10:26 metricProfiles\.redis: .*did you mean "redis_exporter"/),
    ]);
    const wrongFamily = await load('', 'metricProfiles: { redis: kubelet }');
    expect(wrongFamily.ok ? [] : wrongFamily.issues.map(formatIssue)).toEqual([
      expect.stringMatching(/^shop\.yaml:4:26 metricProfiles\.redis: .*vigil.*redis_exporter/),
    ]);
  });
});
