import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIssue, loadConfig } from '../../../src/config/load-config.js';
import { sloFileSchema } from '../../../src/config/slo-schema.js';

const withLabels = (containerLabels: Record<string, string>) => ({
  apiVersion: 'vigil/v1',
  kind: 'ServiceLevels',
  service: 'compose-app',
  objectives: [{ name: 'mem', indicator: { containerMemory: { containerLabels } }, threshold: { max: '2GB' } }],
});

describe('containerLabels keys', () => {
  it('accepts Docker label keys as Docker writes them', () => {
    const parsed = sloFileSchema.parse(withLabels({ 'com.docker.compose.service': 'ml-serving', 'org.example/tier': 'gold' }));
    expect(parsed.objectives[0]!.indicator).toEqual({
      containerMemory: { source: 'default', containerLabels: { 'com.docker.compose.service': 'ml-serving', 'org.example/tier': 'gold' } },
    });
  });

  it('refuses a key with spaces, naming the file, position and what a key may hold', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-labels-'));
    try {
      const file = join(dir, 'app.yaml');
      writeFileSync(file, JSON.stringify(withLabels({ 'has space': 'x' }), null, 2));
      const result = await loadConfig({ sloPaths: [file], cwd: dir, env: {} });
      expect(result.ok).toBe(false);
      const lines = result.ok ? [] : result.issues.map(formatIssue);
      expect(lines).toEqual([
        `app.yaml:11:13 objectives[0].indicator.containerMemory.containerLabels["has space"]: expected a Docker label key (letters, digits, ".", "_", "-", "/"), got "has space"`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
