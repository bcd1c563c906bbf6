import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

/** The built CLI, as a person or CI runs it: exit codes 0/1/2, one line per issue, --json. */

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const main = 'dist/cli/main.js';

async function vigil(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [main, ...args], {
      cwd: root,
      timeout: 30_000,
      // No VIGIL_* from the developer's shell may change the outcome.
      env: { PATH: process.env.PATH ?? '' },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

beforeAll(async () => {
  // Others' half-finished files may fail type checking; tsc still emits, and the verbs here
  // only load src/config. A missing main.js fails below, loudly.
  await run('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: root, timeout: 170_000 }).catch(() => undefined);
  expect(existsSync(`${root}${main}`)).toBe(true);
}, 180_000);

describe('vigil validate', () => {
  it('exits 0 for the shipped SLO folder, with the shipped config', async () => {
    const result = await vigil('validate', '--config', 'vigil.yaml', 'slo');
    expect(result).toMatchObject({ code: 0, stdout: 'valid: 1 SLO file, 10 objectives, config vigil.yaml\n' });
  });

  it('exits 0 without arguments: the default config points at ./slo', async () => {
    const result = await vigil('validate');
    expect(result).toMatchObject({ code: 0, stdout: 'valid: 1 SLO file, 10 objectives\n' });
  });

  it('exits 1 for the invalid fixtures, one line per issue and a summary', async () => {
    const result = await vigil('validate', '--config', 'test/fixtures/valid/vigil.yaml', 'test/fixtures/invalid-slo');
    expect(result.code).toBe(1);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toContain(
      'test/fixtures/invalid-slo/bad-duration.yaml:9:12 objectives[0].threshold.max: expected a duration like "50ms", got "fast"',
    );
    expect(lines.at(-1)).toBe('invalid: 33 issues in 27 files');
    expect(lines).toHaveLength(34);
    expect(result.stderr).toBe('');
  });

  it('accepts a multi-document OpenSLO file (Service + SLI + SLOs), and positions its mistakes', async () => {
    const ok = await vigil('validate', '--config', 'test/fixtures/valid/vigil.yaml', 'test/fixtures/openslo/web-availability.yaml');
    expect(ok).toMatchObject({ code: 0, stdout: 'valid: 1 SLO file, 2 objectives, config test/fixtures/valid/vigil.yaml\n' });
    const broken = await vigil('validate', 'test/fixtures/openslo/invalid.yaml');
    expect(broken.code).toBe(1);
    expect(broken.stdout).toBe(
      'test/fixtures/openslo/invalid.yaml:12:15 spec.objectives[0].target: document 1/2: expected a target below 1 (1 leaves no error budget)\n' +
        'test/fixtures/openslo/invalid.yaml:26:17 spec.indicator.spec.thresholdMetric.metricSource.type: document 2/2: vigil reads Prometheus metric sources only, got "Datadog"\n' +
        'invalid: 2 issues in 1 file\n',
    );
  });

  it('exits 2 when a path does not exist, still reporting the others', async () => {
    const result = await vigil('validate', 'no/such/folder', 'test/fixtures/invalid-slo/empty.yaml');
    expect(result.code).toBe(2);
    expect(result.stdout).toBe(
      'no/such/folder: no such file or folder\n' +
        'test/fixtures/invalid-slo/empty.yaml: is empty; expected a YAML mapping\n' +
        'could not validate: 2 issues in 2 files\n',
    );
  });

  it('exits 2 when the config file does not exist', async () => {
    const result = await vigil('validate', '--config', 'nope.yaml', 'slo');
    expect(result).toMatchObject({ code: 2, stdout: 'nope.yaml: no such file or folder\ncould not validate: 1 issue in 1 file\n' });
  });

  it('--json gives the issues as data', async () => {
    const result = await vigil('validate', '--json', 'test/fixtures/invalid-slo/target-100.yaml');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      valid: false,
      issues: [
        {
          file: 'test/fixtures/invalid-slo/target-100.yaml',
          line: 10,
          column: 13,
          path: 'objectives[0].target',
          message: 'expected a target above 0% and below 100%, got 100%',
          code: 'VIGIL_ERR_CONFIG_TARGET_RANGE',
        },
      ],
      warnings: [],
      summary: 'invalid: 1 issue in 1 file',
    });
    const ok = await vigil('validate', '--json', 'slo');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ valid: true, services: ['ml-services'], issues: [] });
  });

  it('--help documents the exit codes', async () => {
    const result = await vigil('validate', '--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Exit codes: 0 valid, 1 invalid, 2 could not run');
    expect(result.stdout).toContain('--json');
  });
});

describe('vigil schema', () => {
  it('prints the JSON Schema the repository commits (regenerate with `vigil schema --out schema/vigil-slo.schema.json`)', async () => {
    const result = await vigil('schema');
    expect(result.code).toBe(0);
    const committed = await readFile(`${root}schema/vigil-slo.schema.json`, 'utf8');
    expect(result.stdout).toBe(committed);
    expect(JSON.parse(result.stdout)).toMatchObject({ $id: 'urn:vigil:schema:slo:v1', title: 'vigil SLO file (vigil/v1)' });
  });
});
