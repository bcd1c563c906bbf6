import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  API_ERROR_CODES,
  ERR,
  ERROR_CATALOGUE,
  ERROR_CODES,
  exitCodeForAll,
  formatMessage,
  inContext,
  isVigilError,
  isVigilErrorCode,
  VigilError,
  vigilError,
} from '../../../src/core/errors.js';
import { errorsMarkdown } from '../../../src/core/errors-doc.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('the error catalogue', () => {
  it('names every code VIGIL_ERR_* and gives each a meaning, a message and sensible status and exit codes', () => {
    expect(ERROR_CATALOGUE.length).toBeGreaterThan(60);
    for (const entry of ERROR_CATALOGUE) {
      expect(entry.code).toMatch(/^VIGIL_ERR_[A-Z][A-Z0-9_]*$/);
      expect(entry.meaning.length, entry.code).toBeGreaterThan(10);
      expect(entry.message.length, entry.code).toBeGreaterThan(0);
      if (entry.http !== undefined) expect(entry.http, entry.code).toBeGreaterThanOrEqual(400);
      if (entry.http !== undefined) expect(entry.http, entry.code).toBeLessThan(600);
      if (entry.exit !== undefined) expect([1, 2], entry.code).toContain(entry.exit);
    }
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CATALOGUE.length);
    expect(API_ERROR_CODES).toEqual(ERROR_CATALOGUE.filter((e) => e.http !== undefined).map((e) => e.code));
  });

  it('is the only place in src/ a code is written as a string', () => {
    const outside: string[] = [];
    for (const file of sourceFiles(join(root, 'src'))) {
      if (relative(root, file) === join('src', 'core', 'errors.ts')) continue;
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/['"`]VIGIL_ERR_/.test(line)) outside.push(`${relative(root, file)}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(outside).toEqual([]);
  });

  it('has no code nobody raises', () => {
    const text = sourceFiles(join(root, 'src'))
      .filter((f) => !f.endsWith(join('core', 'errors.ts')))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const unused = ERROR_CODES.filter((code) => !new RegExp(`\\bERR\\.${code}\\b`).test(text));
    expect(unused).toEqual([]);
  });

  it('maps each code to itself through ERR', () => {
    for (const code of ERROR_CODES) expect(ERR[code]).toBe(code);
    expect(isVigilErrorCode('VIGIL_ERR_UNIT')).toBe(true);
    expect(isVigilErrorCode('VIGIL_ERR_NOPE')).toBe(false);
    expect(isVigilErrorCode('toString')).toBe(false);
  });
});

describe('vigilError', () => {
  it('fills the message template and carries the code, HTTP status and exit code', () => {
    const err = vigilError(ERR.VIGIL_ERR_UNKNOWN_SERVICE, { service: '"nope"', known: 'a, b' });
    expect(err).toBeInstanceOf(VigilError);
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toBe('no service "nope"; known: a, b');
    expect(err.code).toBe('VIGIL_ERR_UNKNOWN_SERVICE');
    expect(err.httpStatus).toBe(404);
    expect(err.exitCode).toBe(2);
  });

  it('keeps a cause and details, and leaves text that only looks like a placeholder alone', () => {
    const cause = new Error('socket hang up');
    const err = vigilError(
      ERR.VIGIL_ERR_SCRAPE_FAILED,
      { source: 'app', detail: 'rate(x[{{window}}]) {nope}' },
      { cause, details: { n: 1 } },
    );
    expect(err.message).toBe('scrape app: rate(x[{{window}}]) {nope}');
    expect(err.cause).toBe(cause);
    expect(err.details).toEqual({ n: 1 });
    expect(err.httpStatus).toBeUndefined();
    expect(err.exitCode).toBeUndefined();
  });

  it('writes messages without placeholders as they are', () => {
    expect(vigilError(ERR.VIGIL_ERR_NOT_READY).message).toBe('no evaluation has finished yet; retry shortly');
    expect(formatMessage(ERR.VIGIL_ERR_PG_STAT_STATEMENTS_NOT_CREATED, { source: 'db', database: 'app' })).toBe(
      'postgres db: pg_stat_statements is preloaded but the extension is not created: run CREATE EXTENSION pg_stat_statements; in database "app"',
    );
  });

  it('puts context in front without changing the code', () => {
    const inner = vigilError(ERR.VIGIL_ERR_GENERATE_TARGET, { objective: 'avail' });
    const outer = inContext(inner, 'slo/a.yaml');
    expect(outer.message).toBe('slo/a.yaml: objective avail: a ratio objective needs a target');
    expect(outer.code).toBe('VIGIL_ERR_GENERATE_TARGET');
    expect(outer.cause).toBe(inner);
  });

  it('is recognised by code', () => {
    const err = vigilError(ERR.VIGIL_ERR_UNIT, { detail: 'x' });
    expect(isVigilError(err)).toBe(true);
    expect(isVigilError(err, ERR.VIGIL_ERR_UNIT)).toBe(true);
    expect(isVigilError(err, ERR.VIGIL_ERR_SCHEDULE_INVALID)).toBe(false);
    expect(isVigilError(Object.assign(new Error('x'), { code: 'VIGIL_ERR_UNIT' }))).toBe(false);
  });
});

describe('exitCodeForAll', () => {
  it('is 2 when any code means the command could not run, else 1', () => {
    expect(exitCodeForAll([ERR.VIGIL_ERR_CONFIG_UNKNOWN_KEY, ERR.VIGIL_ERR_CONFIG_INVALID])).toBe(1);
    expect(exitCodeForAll([ERR.VIGIL_ERR_CONFIG_UNKNOWN_KEY, ERR.VIGIL_ERR_CONFIG_NOT_FOUND])).toBe(2);
    expect(exitCodeForAll([ERR.VIGIL_ERR_CONFIG_UNREADABLE])).toBe(2);
    expect(exitCodeForAll([])).toBe(1);
  });
});

describe('docs/errors.md', () => {
  it('is the generated page (run `npm run docs:errors` when this fails)', () => {
    const onDisk = readFileSync(join(root, 'docs', 'errors.md'), 'utf8');
    expect(onDisk).toBe(errorsMarkdown());
  });

  it('lists every code with its status and exit code', () => {
    const page = errorsMarkdown();
    for (const e of ERROR_CATALOGUE) {
      const row = page.split('\n').find((line) => line.startsWith(`| \`${e.code}\` |`));
      expect(row, e.code).toBeDefined();
      const cells = row!.split(' | ');
      expect(cells[2], e.code).toBe(e.http === undefined ? '' : String(e.http));
      expect(cells[3], e.code).toBe(e.exit === undefined ? '' : String(e.exit));
    }
  });
});
