import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateAll } from '../../../src/generate/generate.js';
import { loadSlo, ROOT, shippedOptions } from './fixtures.js';

/** What `vigil generate --check` enforces in CI, also as a test: committed output is current. */
async function expectCurrent(sloDir: string, alertsDir: string, dashboardsDir: string | null) {
  const files = await loadSlo([sloDir]);
  const out = generateAll(
    files.map((f) => ({ path: f.path.slice(ROOT.length), slo: f.slo })),
    await shippedOptions(),
  );
  for (const f of out.files) {
    const dir = f.folder === 'alerts' ? alertsDir : dashboardsDir;
    if (dir === null) continue;
    expect(readFileSync(`${ROOT}${dir}/${f.name}`, 'utf8'), `${dir}/${f.name} is out of date: run vigil generate`).toBe(f.content);
  }
  return out;
}

describe('committed generated files', () => {
  it('alerts/ and dashboards/ match slo/ (run `vigil generate` when this fails)', async () => {
    const out = await expectCurrent('slo', 'alerts', 'dashboards');
    const rules = readdirSync(`${ROOT}alerts`).filter((n) => n.endsWith('.rules.yaml'));
    expect(rules.sort()).toEqual(
      out.files
        .filter((f) => f.folder === 'alerts')
        .map((f) => f.name)
        .sort(),
    );
  });

  it('the promtool fixtures in test/promtool/rules match test/promtool/slo', async () => {
    await expectCurrent('test/promtool/slo', 'test/promtool/rules', null);
  });
});
