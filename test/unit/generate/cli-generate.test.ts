import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { convert } from '../../../src/cli/convert.js';
import { generate } from '../../../src/cli/generate.js';
import { ROOT } from './fixtures.js';

const dir = mkdtempSync('/tmp/vigil-cli-generate-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

function capture() {
  const out: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  return out;
}

const opts = (name: string) => ({
  slo: [join(dir, name, 'slo')],
  alertsDir: join(dir, name, 'alerts'),
  dashboardsDir: join(dir, name, 'dashboards'),
});

function setup(name: string): void {
  mkdirSync(join(dir, name, 'slo'), { recursive: true });
  cpSync(join(ROOT, 'slo/ml-services.yaml'), join(dir, name, 'slo/ml-services.yaml'));
}

describe('vigil generate', () => {
  it('writes a rule file and a dashboard per service plus the overview; --check passes when current', async () => {
    setup('a');
    capture();
    expect(await generate(opts('a'))).toBe(0);
    expect(readdirSync(join(dir, 'a/alerts'))).toEqual(['ml-services.rules.yaml']);
    expect(readdirSync(join(dir, 'a/dashboards')).sort()).toEqual(['ml-services.json', 'overview.json']);
    const first = readFileSync(join(dir, 'a/alerts/ml-services.rules.yaml'), 'utf8');
    expect(await generate(opts('a'))).toBe(0);
    expect(readFileSync(join(dir, 'a/alerts/ml-services.rules.yaml'), 'utf8')).toBe(first);
    const out = capture();
    expect(await generate({ ...opts('a'), check: true })).toBe(0);
    expect(out.join('\n')).toMatch(/3 file\(s\) up to date/);
  });

  it('--check exits 1 listing changed, missing and stale files, and writes nothing', async () => {
    setup('b');
    capture();
    await generate(opts('b'));
    const dash = join(dir, 'b/dashboards/ml-services.json');
    writeFileSync(dash, '{}\n');
    rmSync(join(dir, 'b/dashboards/overview.json'));
    writeFileSync(join(dir, 'b/alerts/gone.rules.yaml'), 'groups: []\n');
    const out = capture();
    expect(await generate({ ...opts('b'), check: true })).toBe(1);
    const text = out.join('\n');
    expect(text).toContain(`out of date: ${dash}`);
    expect(text).toContain(`out of date: ${join(dir, 'b/dashboards/overview.json')}`);
    expect(text).toContain(`not generated from any SLO file: ${join(dir, 'b/alerts/gone.rules.yaml')}`);
    expect(readFileSync(dash, 'utf8')).toBe('{}\n');
  });

  it("reads a team's window sets from the config's windowSets, never from the alerts folder", async () => {
    setup('d');
    capture();
    // A folder of window sets beside the rules is not read (generate writes there).
    mkdirSync(join(dir, 'd/alerts/windows'), { recursive: true });
    writeFileSync(join(dir, 'd/alerts/windows/google-sre-30d.yaml'), 'name: google-sre-30d\nnot: a window set\n');
    expect(await generate(opts('d'))).toBe(0);
    expect(readFileSync(join(dir, 'd/alerts/ml-services.rules.yaml'), 'utf8')).toContain('window: 1h/5m');

    mkdirSync(join(dir, 'd/windows'));
    writeFileSync(
      join(dir, 'd/windows/fast.yaml'),
      'name: fast\nreferencePeriod: 30d\nalerts:\n  - { severity: page, longWindow: 10m, shortWindow: 1m, budgetConsumed: 1% }\n',
    );
    writeFileSync(join(dir, 'd/vigil.yaml'), `${readFileSync(join(ROOT, 'vigil.yaml'), 'utf8')}\nwindowSets: [windows]\n`);
    const slo = join(dir, 'd/slo/ml-services.yaml');
    writeFileSync(slo, readFileSync(slo, 'utf8').replace('burnRateWindows: google-sre-30d', 'burnRateWindows: fast'));
    capture();
    expect(await generate({ ...opts('d'), config: join(dir, 'd/vigil.yaml') })).toBe(0);
    const rules = readFileSync(join(dir, 'd/alerts/ml-services.rules.yaml'), 'utf8');
    expect(rules).toContain('window: 10m/1m');
    // Without the config the set is unknown: a positioned error, nothing generated.
    const out = capture();
    expect(await generate(opts('d'))).toBe(1);
    expect(out.join('\n')).toMatch(
      /ml-services\.yaml:\d+:\d+ objectives\[\d+\]\.alert\.burnRateWindows: unknown burn-rate window set "fast"/,
    );
  });

  it('--runbook-base gives alerts without alert.runbookUrl a runbook_url; a bad base is refused (exit 2)', async () => {
    setup('e');
    capture();
    expect(await generate(opts('e'))).toBe(0);
    const plain = readFileSync(join(dir, 'e/alerts/ml-services.rules.yaml'), 'utf8');
    expect(plain).not.toContain('runbook_url');
    expect(await generate({ ...opts('e'), runbookBase: 'https://runbooks.example.com/slo' })).toBe(0);
    const linked = readFileSync(join(dir, 'e/alerts/ml-services.rules.yaml'), 'utf8');
    expect(linked).toContain('runbook_url: https://runbooks.example.com/slo#error-budget-burn');
    expect(linked).toContain('runbook_url: https://runbooks.example.com/slo#threshold-alerts');
    const out = capture();
    expect(await generate({ ...opts('e'), runbookBase: 'runbooks' })).toBe(2);
    expect(await generate({ ...opts('e'), runbookBase: 'https://r.example.com/x#y' })).toBe(2);
    expect(out).toEqual([
      'vigil generate: --runbook-base "runbooks" is not a URL; expected e.g. https://runbooks.example.com/slo',
      'vigil generate: --runbook-base must not have a #fragment (vigil appends #<alert kind>), got "https://r.example.com/x#y"',
    ]);
    expect(readFileSync(join(dir, 'e/alerts/ml-services.rules.yaml'), 'utf8')).toBe(linked);
  });

  it('refuses invalid SLO files with their positions (exit 1) and a missing folder (exit 2)', async () => {
    setup('c');
    writeFileSync(join(dir, 'c/slo/bad.yaml'), 'apiVersion: vigil/v1\nkind: ServiceLevels\nservice: Bad Name\nobjectives: []\n');
    const out = capture();
    expect(await generate(opts('c'))).toBe(1);
    expect(out.join('\n')).toMatch(/bad\.yaml:3:10 service: /);
    expect(await generate({ ...opts('c'), slo: [join(dir, 'nope')] })).toBe(2);
  });
});

describe('vigil convert', () => {
  it('writes one vigil file per service that then loads and generates', async () => {
    const out = join(dir, 'converted');
    capture();
    expect(
      await convert([join(ROOT, 'test/fixtures/sloth/getting-started.yaml'), join(ROOT, 'test/fixtures/openslo/web-availability.yaml')], {
        out,
      }),
    ).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['myservice.yaml', 'web-shop.yaml']);
    expect(readFileSync(join(out, 'web-shop.yaml'), 'utf8')).toMatch(
      /^# Converted by `vigil convert` from web-availability.yaml \(OpenSLO\)\.\napiVersion: vigil\/v1\n/,
    );
    expect(await generate({ slo: [out], alertsDir: join(dir, 'conv-alerts'), dashboardsDir: join(dir, 'conv-dash') })).toBe(0);
    expect(readdirSync(join(dir, 'conv-alerts')).sort()).toEqual(['myservice.rules.yaml', 'web-shop.rules.yaml']);
  });

  it('exits 1 with positioned issues and writes nothing', async () => {
    const out = join(dir, 'converted-bad');
    const lines = capture();
    expect(await convert([join(ROOT, 'test/fixtures/openslo/invalid.yaml')], { out })).toBe(1);
    expect(lines.join('\n')).toMatch(/invalid\.yaml:12:15 spec\.objectives\[0\]\.target: /);
    expect(() => readdirSync(out)).toThrow();
  });
});
