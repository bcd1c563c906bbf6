import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatIssue, loadConfig } from '../../../src/config/load-config.js';
import { ERR } from '../../../src/core/errors.js';

/**
 * Every broken file under test/fixtures/invalid-slo with the exact lines `vigil validate`
 * prints for it: file, line, column, field path and message. Loaded with the fixture daemon
 * config, so source names are checked too.
 */

const root = fileURLToPath(new URL('../../../', import.meta.url));
const dir = 'test/fixtures/invalid-slo';
const config = 'test/fixtures/valid/vigil.yaml';

async function issuesOf(paths: string[], withConfig = true) {
  const result = await loadConfig({ configPath: withConfig ? config : undefined, sloPaths: paths, cwd: root, env: {} });
  if (result.ok) throw new Error(`expected ${paths.join(', ')} to be invalid`);
  return result.issues;
}

const CASES: Array<[file: string, code: string, lines: string[]]> = [
  [
    'not-yaml.yaml',
    ERR.VIGIL_ERR_CONFIG_YAML_SYNTAX,
    ['not-yaml.yaml:7:5: not valid YAML: flow map in block collection must be sufficiently indented and end with a }'],
  ],
  ['empty.yaml', ERR.VIGIL_ERR_CONFIG_EMPTY, ['empty.yaml: is empty; expected a YAML mapping']],
  ['binary.yaml', ERR.VIGIL_ERR_CONFIG_BINARY, ['binary.yaml:3:16: is binary (NUL byte at offset 56); expected YAML text']],
  ['not-utf8.yaml', ERR.VIGIL_ERR_CONFIG_BINARY, ['not-utf8.yaml:3:13: is not UTF-8 text (byte 0xe9 at offset 53); expected YAML text']],
  [
    'multi-document.yaml',
    ERR.VIGIL_ERR_CONFIG_MULTI_DOCUMENT,
    ['multi-document.yaml:8:1: holds 2 YAML documents; expected one (put each in its own file)'],
  ],
  ['duplicate-yaml-key.yaml', ERR.VIGIL_ERR_CONFIG_YAML_SYNTAX, ['duplicate-yaml-key.yaml:8:5: not valid YAML: map keys must be unique']],
  ['not-a-map.yaml', ERR.VIGIL_ERR_CONFIG_INVALID_TYPE, ['not-a-map.yaml:1:1: expected a map, got a list']],
  [
    'unknown-key.yaml',
    ERR.VIGIL_ERR_CONFIG_UNKNOWN_KEY,
    ['unknown-key.yaml:8:5 objectives[0].treshold: unknown key "treshold"; did you mean "threshold"?'],
  ],
  [
    'unknown-indicator.yaml',
    ERR.VIGIL_ERR_CONFIG_UNKNOWN_INDICATOR,
    [
      'unknown-indicator.yaml:7:7 objectives[0].indicator.latancy: unknown indicator kind "latancy"; did you mean "latency"? ' +
        '(known: latency, ratio, promql, containerMemory, containerCpu, memoryLeak, redisHitRatio, postgresQueryLatency, probe)',
    ],
  ],
  [
    'bad-duration.yaml',
    ERR.VIGIL_ERR_CONFIG_UNIT,
    ['bad-duration.yaml:9:12 objectives[0].threshold.max: expected a duration like "50ms", got "fast"'],
  ],
  [
    'duration-with-space.yaml',
    ERR.VIGIL_ERR_CONFIG_UNIT,
    [
      'duration-with-space.yaml:9:12 objectives[0].threshold.max: expected a duration like "50ms", got "100 ms" ' +
        '(no space between the number and the unit: did you mean "100ms"?)',
    ],
  ],
  [
    'bad-size.yaml',
    ERR.VIGIL_ERR_CONFIG_UNIT,
    ['bad-size.yaml:8:23 objectives[0].threshold.max: expected a size like "512MiB" or "2GB", got "2 gigs"'],
  ],
  [
    'size-wrong-case.yaml',
    ERR.VIGIL_ERR_CONFIG_UNIT,
    [
      'size-wrong-case.yaml:7:55 objectives[0].indicator.memoryLeak.limit: expected a size like "512MiB" or "2GB", got "2gb" ' +
        '(units are case-sensitive: did you mean "2GB"?)',
    ],
  ],
  [
    'target-100.yaml',
    ERR.VIGIL_ERR_CONFIG_TARGET_RANGE,
    ['target-100.yaml:10:13 objectives[0].target: expected a target above 0% and below 100%, got 100%'],
  ],
  [
    'target-0.yaml',
    ERR.VIGIL_ERR_CONFIG_TARGET_RANGE,
    ['target-0.yaml:8:13 objectives[0].target: expected a target above 0% and below 100%, got 0%'],
  ],
  [
    'ratio-without-window.yaml',
    ERR.VIGIL_ERR_CONFIG_RATIO_WINDOW,
    [
      'ratio-without-window.yaml:8:17 objectives[0].indicator.ratio.errors: expected a {{window}} placeholder for the range, ' +
        'e.g. rate(http_requests_total[{{window}}])',
    ],
  ],
  [
    'duplicate-objective.yaml',
    ERR.VIGIL_ERR_CONFIG_DUPLICATE_OBJECTIVE,
    ['duplicate-objective.yaml:8:11 objectives[1].name: duplicate objective name "serving-cpu"; first used at line 5'],
  ],
  [
    'unknown-source.yaml',
    ERR.VIGIL_ERR_CONFIG_UNKNOWN_SOURCE,
    [
      'unknown-source.yaml:7:32 objectives[0].indicator.redisHitRatio.source: source "predictions" is not defined in vigil.yaml ' +
        'under sources.redis (defined: cache (redis))',
    ],
  ],
  [
    'wrong-source-kind.yaml',
    ERR.VIGIL_ERR_CONFIG_SOURCE_KIND,
    [
      'wrong-source-kind.yaml:7:26 objectives[0].indicator.latency.source: source "cache" is a redis source; ' +
        'a latency indicator needs a prometheus or scrape source',
    ],
  ],
  [
    'wrong-unit.yaml',
    ERR.VIGIL_ERR_CONFIG_WRONG_UNIT,
    [
      'wrong-unit.yaml:8:23 objectives[0].threshold.max: expected a duration like "50ms", got "2GiB" ' +
        '(a postgresQueryLatency indicator is measured in time)',
    ],
  ],
  [
    'probe-share-threshold.yaml',
    ERR.VIGIL_ERR_CONFIG_WRONG_UNIT,
    [
      'probe-share-threshold.yaml:8:23 objectives[0].threshold.min: expected a duration like "50ms", got "99%" ' +
        "(a probe's threshold bounds its response time; uptime is a `target` like 99.9%)",
    ],
  ],
  [
    'promql-mixed-units.yaml',
    ERR.VIGIL_ERR_CONFIG_WRONG_UNIT,
    [
      'promql-mixed-units.yaml:8:35 objectives[0].threshold.min: expected a duration as `max` is, got a percentage "10%" ' +
        '(the bounds of one threshold share a unit)',
    ],
  ],
  [
    'leak-with-threshold.yaml',
    ERR.VIGIL_ERR_CONFIG_OBJECTIVE_SHAPE,
    [
      'leak-with-threshold.yaml:8:5 objectives[0].threshold: a memoryLeak indicator takes no threshold: ' +
        'its leak verdict is the objective (tune `window` and `limit`)',
    ],
  ],
  [
    'missing-field.yaml',
    ERR.VIGIL_ERR_CONFIG_MISSING_KEY,
    ['missing-field.yaml:7:7 objectives[0].indicator.latency.histogram: required key is missing (expected a string)'],
  ],
  [
    'missing-threshold.yaml',
    ERR.VIGIL_ERR_CONFIG_MISSING_KEY,
    [
      'missing-threshold.yaml:5:5 objectives[0].threshold: required key is missing: a containerMemory indicator needs a ' +
        'threshold with `max` or `min`',
    ],
  ],
  [
    'wrong-api-version.yaml',
    ERR.VIGIL_ERR_CONFIG_API_VERSION,
    ['wrong-api-version.yaml:1:13 apiVersion: expected "vigil/v1", got "vigil/v2"'],
  ],
  [
    'several-mistakes.yaml',
    ERR.VIGIL_ERR_CONFIG_INVALID_VALUE,
    [
      'several-mistakes.yaml:7:70 objectives[0].indicator.latency.quantile: expected a number below 1, got 95 ' +
        '(a quantile is a fraction: did you mean 0.95?)',
      'several-mistakes.yaml:9:24 objectives[0].alert.severity: expected one of "critical", "page", "ticket", "warning", "info", ' +
        'got "pager"; did you mean "page"?',
      'several-mistakes.yaml:9:36 objectives[0].alert.for: expected a duration like "5m" or "0s", got "soon"',
      'several-mistakes.yaml:10:11 objectives[1].name: expected a lowercase name of letters, digits and dashes, got "Serving_CPU"',
      'several-mistakes.yaml:11:63 objectives[1].indicator.ratio: expected exactly one indicator kind, got containerCpu and ratio',
      "several-mistakes.yaml:15:14 objectives[2].indicator.probe: expected exactly one of `url` or `path` (joined with the probe source's baseUrl)",
      'several-mistakes.yaml:17:13 objectives[2].period: expected a duration like "50ms", got "30 days"',
    ],
  ],
];

describe('invalid SLO files', () => {
  it.each(CASES)('%s', async (file, code, lines) => {
    const issues = await issuesOf([`${dir}/${file}`]);
    expect(issues.map(formatIssue)).toEqual(lines.map((l) => `${dir}/${l}`));
    expect(issues.map((i) => i.code)).toContain(code);
  });

  it('covers every fixture in the folder, so a new fixture cannot go untested', async () => {
    const { readdir } = await import('node:fs/promises');
    const files = (await readdir(join(root, dir))).filter((f) => f.endsWith('.yaml')).sort();
    expect(files).toEqual(CASES.map(([f]) => f).sort());
    expect(files.length).toBeGreaterThanOrEqual(15);
  });

  it('reports every error of every file in one run, sorted by file and position', async () => {
    const issues = await issuesOf([dir]);
    const expected = CASES.flatMap(([, , lines]) => lines.map((l) => `${dir}/${l}`)).sort();
    expect(issues.map(formatIssue).sort()).toEqual(expected);
    const files = issues.map((i) => i.file);
    expect(files).toEqual([...files].sort((a, b) => a.localeCompare(b)));
  });

  it('a service defined in two files: the second file is pointed at', async () => {
    const issues = await issuesOf([`${dir}/duplicate-service`], false);
    expect(issues.map(formatIssue)).toEqual([
      `${dir}/duplicate-service/b.yaml:4:10 service: duplicate service "ml-services"; already defined in ${dir}/duplicate-service/a.yaml`,
    ]);
    expect(issues[0]!.code).toBe(ERR.VIGIL_ERR_CONFIG_DUPLICATE_SERVICE);
  });

  it('source names are not checked without a daemon config', async () => {
    const result = await loadConfig({ sloPaths: [`${dir}/unknown-source.yaml`], cwd: root, env: {} });
    expect(result.ok).toBe(true);
  });
});

describe('files too large to read', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'vigil-huge-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('refuses a file over 1 MiB without parsing it', async () => {
    const huge = join(tmp, 'huge.yaml');
    const line = '# padding padding padding padding padding padding padding padding\n';
    await writeFile(huge, `apiVersion: vigil/v1\n${line.repeat(Math.ceil((1024 * 1024) / line.length))}`);
    const { size } = await import('node:fs').then((fs) => fs.statSync(huge));
    const result = await loadConfig({ sloPaths: [huge], cwd: tmp, env: {} });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map(formatIssue)).toEqual([`huge.yaml: is ${size} bytes; the limit is 1048576 (1 MiB)`]);
    expect(result.issues[0]!.code).toBe(ERR.VIGIL_ERR_CONFIG_TOO_LARGE);
  });

  it('accepts a file just under the limit', async () => {
    const big = join(tmp, 'big.yaml');
    const head =
      'apiVersion: vigil/v1\nkind: ServiceLevels\nservice: big\nobjectives:\n' +
      "  - { name: cpu, indicator: { containerCpu: { containers: 'a*' } }, threshold: { max: 60% } }\n";
    await writeFile(big, `${head + '#'.repeat(1024 * 1024 - head.length - 1)}\n`);
    const result = await loadConfig({ sloPaths: [big], cwd: tmp, env: {} });
    expect(result.ok).toBe(true);
  });
});
