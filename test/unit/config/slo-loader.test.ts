import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type DaemonConfig, daemonConfigSchema } from '../../../src/config/daemon-schema.js';
import { formatIssue } from '../../../src/config/load-config.js';
import { loadSloPaths, validateSloSource } from '../../../src/config/load-slo.js';
import { indicatorKind } from '../../../src/config/slo-schema.js';
import { lookupSource } from '../../../src/config/source-lookup.js';
import { parseYamlBytes, parseYamlText } from '../../../src/config/yaml-source.js';
import { ERR } from '../../../src/core/errors.js';

/** The loader on in-memory documents: each rule, one small document each. */

const HEAD = 'apiVersion: vigil/v1\nkind: ServiceLevels\nservice: s\nobjectives:\n';

function daemon(sources: unknown): DaemonConfig {
  return daemonConfigSchema.parse({ sources });
}

function check(text: string, config?: DaemonConfig): string[] {
  const read = parseYamlText(text, 'x.yaml');
  if (!read.ok) return read.issues.map(formatIssue);
  return validateSloSource(read.source, config).issues.map(formatIssue);
}

function objective(body: string): string {
  return `${HEAD}  - ${body.replace(/\n/g, '\n    ')}\n`;
}

describe('indicator union', () => {
  it('an empty indicator names the kinds', () => {
    expect(check(objective('name: a\nindicator: {}\nthreshold: { max: 1 }'))).toEqual([
      'x.yaml:6:16 objectives[0].indicator: names no indicator kind; expected one of latency, ratio, promql, containerMemory, ' +
        'containerCpu, memoryLeak, redisHitRatio, postgresQueryLatency, probe',
    ]);
  });

  it('an indicator that is not a map', () => {
    expect(check(objective('name: a\nindicator: latency\nthreshold: { max: 1 }'))[0]).toBe(
      'x.yaml:6:16 objectives[0].indicator: expected a map with one key naming the indicator kind (latency, ratio, promql, ' +
        'containerMemory, containerCpu, memoryLeak, redisHitRatio, postgresQueryLatency, probe), got "latency"',
    );
  });

  it('errors come from the named kind only', () => {
    expect(check(objective('name: a\nindicator: { redisHitRatio: { sourse: cache } }\nthreshold: { min: 80% }'))).toEqual([
      'x.yaml:6:35 objectives[0].indicator.redisHitRatio.sourse: unknown key "sourse"; did you mean "source"?',
    ]);
  });

  it('indicatorKind names the kind of a parsed indicator', () => {
    const read = parseYamlText(objective("name: a\nindicator: { containerCpu: { containers: 'x*' } }\nthreshold: { max: 60% }"), 'x.yaml');
    if (!read.ok) throw new Error('parse');
    const { slo } = validateSloSource(read.source);
    expect(slo && indicatorKind(slo.objectives[0]!.indicator)).toBe('containerCpu');
  });
});

describe('objective shape and units', () => {
  it.each([
    ["containerCpu: { containers: 'x*' }", 'max: 0.6', []],
    ["containerCpu: { containers: 'x*' }", 'max: 150%', []],
    ["containerMemory: { containers: 'x*' }", 'max: 2147483648', []],
    [
      'redisHitRatio: {}',
      'min: 1.5',
      [
        'x.yaml:8:23 objectives[0].threshold.min: expected a percentage like "60%", got 1.5 (a redisHitRatio indicator is measured in percent)',
      ],
    ],
    [
      "postgresQueryLatency: { match: '%x%' }",
      'max: 10',
      [
        'x.yaml:8:23 objectives[0].threshold.max: expected a duration like "50ms", got 10 (a postgresQueryLatency indicator is measured in time)',
      ],
    ],
    [
      "containerMemory: { containers: 'x*' }",
      'max: 60%',
      [
        'x.yaml:8:23 objectives[0].threshold.max: expected a size like "512MiB" or "2GB", got "60%" (a containerMemory indicator is measured in bytes)',
      ],
    ],
    ['promql: { query: up }', 'min: 1', []],
  ])('%s with %s', (indicator, bound, expected) => {
    expect(check(objective(`name: a\nindicator:\n  ${indicator}\nthreshold: { ${bound} }`))).toEqual(expected);
  });

  it('a ratio indicator takes a target, not a threshold', () => {
    expect(
      check(objective("name: a\nindicator: { ratio: { errors: 'e[{{window}}]', total: 't[{{window}}]' } }\nthreshold: { max: 1 }")),
    ).toEqual(
      [
        'x.yaml:7:5 objectives[0].threshold: a ratio indicator takes a `target` (e.g. 99.9%), not a threshold',
        'x.yaml:5:5 objectives[0].target: required key is missing: a ratio indicator needs a `target` like "99.9%"',
      ].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })),
    );
  });

  it('a probe needs a target or a threshold', () => {
    expect(check(objective("name: a\nindicator: { probe: { url: 'http://127.0.0.1/health' } }"))).toEqual([
      'x.yaml:5:5 objectives[0].target: a probe indicator needs a `target` (uptime, e.g. 99.9%) and/or a `threshold` (probe latency)',
    ]);
  });
});

describe('sources against the daemon config', () => {
  const sources = {
    prometheus: { default: { url: 'http://127.0.0.1:9090' }, both: { url: 'http://127.0.0.1:9090' } },
    scrape: { direct: { url: 'http://127.0.0.1:8095/metrics' }, both: { url: 'http://127.0.0.1:8095/metrics' } },
    probe: { bare: {} },
  };

  it('a name is looked up across the kinds that can serve the indicator', () => {
    const d = daemon(sources);
    expect(lookupSource(d.sources, 'latency', 'default')).toEqual({ ok: true, kind: 'prometheus', name: 'default' });
    expect(lookupSource(d.sources, 'ratio', 'direct')).toEqual({ ok: true, kind: 'scrape', name: 'direct' });
    expect(lookupSource(d.sources, 'promql', 'both')).toEqual({ ok: true, kind: 'prometheus', name: 'both' });
    expect(lookupSource(d.sources, 'latency', 'both')).toMatchObject({ ok: false, code: ERR.VIGIL_ERR_CONFIG_SOURCE_KIND });
  });

  it('an ambiguous name, a missing instance and a probe path without baseUrl are errors', () => {
    expect(
      check(
        HEAD +
          '  - { name: a, indicator: { latency: { source: both, histogram: h } }, threshold: { max: 1s } }\n' +
          '  - { name: b, indicator: { redisHitRatio: {} }, threshold: { min: 80% } }\n' +
          '  - { name: c, indicator: { probe: { source: bare, path: /health } }, target: 99% }\n' +
          '  - { name: d, indicator: { promql: { source: direct, query: up } }, threshold: { min: 1 } }\n' +
          '  - { name: e, indicator: { latency: { source: dierct, histogram: h } }, threshold: { max: 1s } }\n',
        daemon(sources),
      ),
    ).toEqual([
      'x.yaml:5:48 objectives[0].indicator.latency.source: source "both" is defined as both prometheus and scrape in vigil.yaml; ' +
        'rename one so the latency indicator knows which to read',
      'x.yaml:6:29 objectives[1].indicator.redisHitRatio: source "default" is a prometheus source; a redisHitRatio indicator ' +
        'needs a redis source (no `source` given, so "default" is used)',
      'x.yaml:7:58 objectives[2].indicator.probe.path: a probe `path` needs a `baseUrl` on probe source "bare" in vigil.yaml; or give a full `url`',
      'x.yaml:8:47 objectives[3].indicator.promql.source: source "direct" is a scrape source; a promql indicator needs a prometheus source',
      'x.yaml:9:48 objectives[4].indicator.latency.source: source "dierct" is not defined in vigil.yaml under sources.prometheus ' +
        'or sources.scrape; did you mean "direct"?',
    ]);
  });

  it('an instance defined nowhere', () => {
    expect(
      check(`${HEAD}  - { name: b, indicator: { postgresQueryLatency: { match: x } }, threshold: { max: 1ms } }\n`, daemon({})),
    ).toEqual([
      'x.yaml:5:29 objectives[0].indicator.postgresQueryLatency: source "default" is not defined in vigil.yaml under ' +
        'sources.postgres (none is defined) (no `source` given, so "default" is used)',
    ]);
  });

  it('docker and probe instances run on defaults when vigil.yaml leaves them out', () => {
    const d = daemon(sources);
    expect(lookupSource(d.sources, 'containerCpu', 'default')).toEqual({ ok: true, kind: 'docker', name: 'default', implicit: true });
    expect(lookupSource(d.sources, 'probe', 'other')).toEqual({ ok: true, kind: 'probe', name: 'other', implicit: true });
    expect(check(`${HEAD}  - { name: b, indicator: { containerCpu: { containers: 'x*' } }, threshold: { max: 60% } }\n`, d)).toEqual([]);
  });
});

describe('YAML edge cases', () => {
  it('an alias bomb is refused, not expanded', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...'bcdefghij'.split('').map((k, i) => `${k}: &${k} [${(`*${'abcdefghij'[i]}, `).repeat(10)}]`),
    ].join('\n');
    const issues = check(bomb);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^x\.yaml:\d+:\d+: not valid YAML: /);
  });

  it('tabs for indentation get a position', () => {
    expect(check('apiVersion: vigil/v1\nobjectives:\n\t- name: a\n')[0]).toMatch(/^x\.yaml:3:1: not valid YAML: /);
  });

  it('merge keys work, and an error in a merged value points at the anchor it came from', () => {
    expect(
      check(
        HEAD +
          "  - name: a\n    indicator: { containerCpu: { containers: 'a*' } }\n    threshold: { max: 60% }\n" +
          '    alert: &alert { severity: ticket, for: 15min }\n' +
          "  - name: b\n    indicator: { containerCpu: { containers: 'b*' } }\n    threshold: { max: 60% }\n" +
          '    alert: { <<: *alert, severity: page }\n',
      ),
    ).toEqual([
      'x.yaml:8:44 objectives[0].alert.for: expected a duration like "5m" or "0s", got "15min"',
      'x.yaml:8:44 objectives[1].alert.for: expected a duration like "5m" or "0s", got "15min"',
    ]);
  });

  it('a byte-order mark is fine; bytes that are not UTF-8 get their line and column', () => {
    const bom = parseYamlBytes(new TextEncoder().encode('\uFEFFa: 1\n'), 'bom.yaml');
    expect(bom.ok && bom.source.value).toEqual({ a: 1 });
    const latin1 = parseYamlBytes(Uint8Array.from([...new TextEncoder().encode('a: "été"\nb: caf'), 0xc3, 0x0a]), 'l.yaml');
    expect(latin1.ok ? [] : latin1.issues.map(formatIssue)).toEqual([
      'l.yaml:2:7: is not UTF-8 text (byte 0xc3 at offset 17); expected YAML text',
    ]);
  });

  it('a document of only `---` is empty', () => {
    expect(check('---\n')).toEqual(['x.yaml: is empty; expected a YAML mapping']);
  });
});

describe('folders and foreign formats', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-slo-'));
    await mkdir(join(dir, 'slo', 'nested'), { recursive: true });
    await mkdir(join(dir, 'nothing'));
    const file = (service: string) =>
      `${HEAD.replace('service: s', `service: ${service}`)}  - { name: m, indicator: { redisHitRatio: {} }, threshold: { min: 80% } }\n`;
    await writeFile(join(dir, 'slo', 'b.yml'), file('b'));
    await writeFile(join(dir, 'slo', 'a.yaml'), file('a'));
    await writeFile(join(dir, 'slo', 'README.md'), '# not an SLO file\n');
    await writeFile(join(dir, 'slo', 'nested', 'c.yaml'), file('c'));
    const sloth = (slis: string): string =>
      `version: prometheus/v1\nservice: f\nslos:\n  - name: avail\n    objective: 99.5\n    sli:\n${slis}`;
    await writeFile(
      join(dir, 'foreign.yaml'),
      sloth('      events:\n        error_query: sum(rate(e[{{.window}}]))\n        total_query: sum(rate(t[{{.window}}]))\n'),
    );
    await writeFile(join(dir, 'foreign-broken.yaml'), sloth('      plugin:\n        id: sloth-common/availability\n'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a folder loads its *.yaml and *.yml files, sorted, without recursing', async () => {
    const result = await loadSloPaths(['slo'], { cwd: dir });
    expect(result.issues).toEqual([]);
    expect(result.files.map((f) => f.slo.service)).toEqual(['a', 'b']);
    expect(result.files[0]!.path).toBe(join(dir, 'slo', 'a.yaml'));
  });

  it('a folder without SLO files is an error', async () => {
    const result = await loadSloPaths(['nothing'], { cwd: dir });
    expect(result.issues.map(formatIssue)).toEqual(['nothing: folder holds no *.yaml or *.yml file']);
  });

  it('foreign documents are converted by the importers, or their issues reported', async () => {
    const ok = await loadSloPaths(['foreign.yaml'], { cwd: dir });
    expect(ok.issues).toEqual([]);
    expect(ok.files[0]!.slo.service).toBe('f');
    const broken = await loadSloPaths(['foreign-broken.yaml'], { cwd: dir });
    expect(broken.issues.map(formatIssue)).toEqual([
      'foreign-broken.yaml:8:9 slos[0].sli.plugin: Sloth SLI plugins (sloth-common/availability) run Go code vigil cannot; write the SLI as events or raw queries',
    ]);
    // Not every apiVersion is foreign: unknown ones still get the plain message.
    expect(check('apiVersion: other/v9\nkind: ServiceLevels\nservice: s\nobjectives: []\n')[0]).toBe(
      'x.yaml:1:13 apiVersion: expected "vigil/v1", got "other/v9"',
    );
  });

  it('parses the shipped SLO file to the mission numbers', async () => {
    const result = await loadSloPaths(['slo/ml-services.yaml'], { cwd: new URL('../../../', import.meta.url).pathname });
    expect(result.issues).toEqual([]);
    const byName = new Map(result.files[0]!.slo.objectives.map((o) => [o.name, o]));
    expect(byName.get('decide-latency-p95')!.threshold!.max).toEqual({ value: 0.05, unit: 'seconds' });
    expect(byName.get('serving-memory')!.threshold!.max).toEqual({ value: 2e9, unit: 'bytes' });
    expect(byName.get('serving-cpu')!.threshold!.max).toEqual({ value: 0.6, unit: 'ratio' });
    expect(byName.get('prediction-cache-hit-ratio')!.threshold!.min).toEqual({ value: 0.8, unit: 'ratio' });
    expect(byName.get('ml-query-latency-p95')!.threshold!.max!.value).toBeCloseTo(0.01, 12);
    expect(byName.get('decide-availability')!.target).toBeCloseTo(0.999, 12);
    expect(byName.get('uptime')!.target).toBeCloseTo(0.999, 12);
    expect(byName.get('serving-memory-leak')!.indicator).toMatchObject({ memoryLeak: { window: 86_400_000 } });
    expect(parse('a: 1')).toEqual({ a: 1 });
  });
});
