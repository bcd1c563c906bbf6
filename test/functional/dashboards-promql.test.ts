import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { describe, expect, it } from 'vitest';
import { loadSloPaths } from '../../src/config/load-slo.js';
import { SHIPPED_WINDOW_SETS } from '../../src/config/window-sets.js';
import { generateAll } from '../../src/generate/generate.js';
import { testServices } from '../harness/services.js';
import { allQueries, checkDashboard } from '../unit/generate/dashboard-checks.js';

/**
 * Every query of every generated dashboard parses as PromQL in the real Prometheus:
 * `/api/v1/query` answers `success`, never `bad_data` (annotation queries too). The dashboards are also checked for
 * the structure Grafana needs to import them.
 */

const ROOT = new URL('../../', import.meta.url).pathname;

async function query(url: string, expr: string): Promise<{ status: string; errorType?: string; error?: string }> {
  const res = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: expr })}`);
  return (await res.json()) as { status: string; errorType?: string; error?: string };
}

async function generatedDashboards(): Promise<Array<[string, Dashboard]>> {
  const committed = readdirSync(join(ROOT, 'dashboards'))
    .filter((n) => n.endsWith('.json'))
    .map((n): [string, Dashboard] => [`dashboards/${n}`, JSON.parse(readFileSync(join(ROOT, 'dashboards', n), 'utf8')) as Dashboard]);
  // The promtool fixtures and the imported examples cover indicator kinds ml-services does not.
  const loaded = await loadSloPaths(
    [
      'test/promtool/slo',
      'test/fixtures/sloth/getting-started.yaml',
      'test/fixtures/sloth/raw-and-disabled.yaml',
      'test/fixtures/openslo/inline-slo.yaml',
    ],
    { cwd: ROOT },
  );
  expect(loaded.issues).toEqual([]);
  const out = generateAll(
    loaded.files.map((f) => ({ path: f.path, slo: f.slo })),
    { windowSets: SHIPPED_WINDOW_SETS },
  );
  const fresh = out.files
    .filter((f) => f.folder === 'dashboards')
    .map((f): [string, Dashboard] => [`(fixtures) ${f.name}`, JSON.parse(f.content) as Dashboard]);
  return [...committed, ...fresh];
}

describe('generated dashboards', () => {
  it('are structurally valid and every panel query parses in Prometheus', async () => {
    const { url } = testServices().prometheus;
    const dashboards = await generatedDashboards();
    expect(dashboards.map(([n]) => n)).toEqual(expect.arrayContaining(['dashboards/ml-services.json', 'dashboards/overview.json']));
    let checked = 0;
    const failures: string[] = [];
    for (const [name, d] of dashboards) {
      checkDashboard(d);
      for (const expr of new Set(allQueries(d))) {
        const answer = await query(url, expr);
        checked++;
        if (answer.status !== 'success') failures.push(`${name}: ${answer.errorType}: ${answer.error}\n  ${expr}`);
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(30);
  });

  it('a broken query is caught (the check is not vacuous)', async () => {
    const answer = await query(testServices().prometheus.url, 'sum(rate(x[5m])');
    expect(answer.status).toBe('error');
    expect(answer.errorType).toBe('bad_data');
  });
});
