import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { ConfigIssue } from '../../../src/config/config.js';
import { loadDaemonConfig } from '../../../src/config/load-daemon.js';
import { validateSloSources } from '../../../src/config/load-slo.js';
import { parseYamlDocuments } from '../../../src/config/yaml-source.js';
import { isVigilErrorCode } from '../../../src/core/errors.js';
import { counted, countedAsync, expectCleanMessage, FUZZ_RUNS, FUZZ_SEED, FUZZ_TIMEOUT_MS, fuzzCounts } from './fuzz-support.js';

// Issue 12 item 22: the SLO and daemon config loaders take whatever a file holds. Each input
// loads, or gives issues that each have a catalogue code, a position in the file, and a
// readable message; never an exception.

const VALID_SLO = parse(readFileSync(new URL('../../fixtures/valid/slo/every-indicator.yaml', import.meta.url), 'utf8')) as unknown;
const VALID_DAEMON = parse(readFileSync(new URL('../../fixtures/valid/vigil.yaml', import.meta.url), 'utf8')) as unknown;

/** Scalars and shapes a config value can take, hostile ones included. */
const value = fc.oneof(
  fc.constantFrom(
    '',
    '0',
    '-1',
    '1e999',
    'NaN',
    '99.9%',
    '101%',
    '0s',
    '25d',
    '-5m',
    '1h30m',
    '* * * * * *',
    '0-99999999 * * * * *',
    '${X}',
    '$${',
    '{{window}}',
    'http://u:p@h',
    'redis://',
    '__proto__',
    'constructor',
  ),
  fc.string({ maxLength: 30 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }),
);

/** Paths into a document: every path that exists in it, and one key more below each. */
function pathsOf(doc: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (doc !== null && typeof doc === 'object') {
    for (const [k, v] of Object.entries(doc as Record<string, unknown>))
      out.push(...pathsOf(v, [...prefix, Array.isArray(doc) ? Number(k) : k]));
  }
  return out;
}

/** The document with the value at `path` replaced (or a key added there). */
function mutate(doc: unknown, path: (string | number)[], replacement: unknown, extraKey: string | null): unknown {
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  if (path.length === 0) return replacement;
  if (copy === null || typeof copy !== 'object') return copy;
  let at: Record<string | number, unknown> = copy;
  for (const k of path.slice(0, -1)) {
    const next = at[k];
    // An earlier edit replaced a parent with a scalar: this edit has nowhere to go.
    if (next === null || typeof next !== 'object') return copy;
    at = next as Record<string | number, unknown>;
  }
  const last = path[path.length - 1]!;
  if (extraKey !== null && at[last] !== null && typeof at[last] === 'object' && !Array.isArray(at[last])) {
    (at[last] as Record<string, unknown>)[extraKey] = replacement;
  } else {
    at[last] = replacement;
  }
  return copy;
}

function mutatedText(base: unknown): fc.Arbitrary<string> {
  const paths = pathsOf(base);
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .tuple(
          fc.array(fc.tuple(fc.constantFrom(...paths), value, fc.option(fc.string({ maxLength: 8 }), { nil: null })), {
            minLength: 1,
            maxLength: 4,
          }),
        )
        .map(([edits]) => stringify(edits.reduce((d, [p, v, k]) => mutate(d, p, v, k), base))),
    },
    // Raw text: YAML syntax errors, anchors and aliases, tabs, several documents.
    {
      weight: 2,
      arbitrary: fc
        .array(
          fc.constantFrom(
            'a: 1\n',
            'a:\n  - b\n',
            '- x\n',
            '---\n',
            '&a [*a]\n',
            'x: &a 1\ny: *a\n',
            '\t',
            ': :\n',
            '{\n',
            '"\n',
            'objectives:\n',
            'service: s\n',
            '? a\n',
          ),
          { maxLength: 10 },
        )
        .map((xs) => xs.join('')),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  );
}

const WHOLE_FILE_CODES = [
  'VIGIL_ERR_CONFIG_EMPTY',
  'VIGIL_ERR_CONFIG_BINARY',
  'VIGIL_ERR_CONFIG_TOO_LARGE',
  'VIGIL_ERR_CONFIG_MULTI_DOCUMENT',
  'VIGIL_ERR_CONFIG_IMPORT',
];

function expectPositioned(issues: readonly ConfigIssue[], text: string): void {
  expect(issues.length).toBeGreaterThan(0);
  const lines = text.split('\n').length;
  for (const issue of issues) {
    expect(isVigilErrorCode(issue.code), issue.code).toBe(true);
    expect(issue.file).not.toBe('');
    // Line 0 is the whole file (empty, binary, several documents): allowed only for those.
    if (issue.line === 0) {
      expect(WHOLE_FILE_CODES, JSON.stringify(issue)).toContain(issue.code);
      continue;
    }
    expect(issue.line, JSON.stringify(issue)).toBeLessThanOrEqual(lines + 1);
    expect(issue.column).toBeGreaterThanOrEqual(1);
    expectCleanMessage(issue.message);
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-fuzz-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  console.log(`fuzz counts: ${[...fuzzCounts].map(([k, v]) => `${k} ${v}`).join(', ')}`);
});

describe('fuzz: config loaders', () => {
  it('what the fuzzer found: alias errors and self-referring aliases are positioned issues, not crashes', async () => {
    for (const text of ['*!', '&a [*a]\n', 'x: &a\n  y: *a\n', 'sources: &s\n  redis: { r: *s }\n']) {
      const read = parseYamlDocuments(text, 'f.yaml');
      expect(read.ok, text).toBe(false);
      if (!read.ok) expectPositioned(read.issues, text);
      const configPath = join(dir, 'vigil.yaml');
      await writeFile(configPath, text);
      const loaded = await loadDaemonConfig({ configPath, env: {}, cwd: dir });
      expect(loaded.ok).toBe(false);
    }
  });

  it(
    'SLO files: load, or positioned coded issues',
    () => {
      fc.assert(
        fc.property(
          mutatedText(VALID_SLO),
          counted('config.slo', (text: string) => {
            const read = parseYamlDocuments(text, 'slo.yaml');
            if (!read.ok) return expectPositioned(read.issues, text);
            const result = validateSloSources(read.sources);
            if (result.loaded.length === 0) expectPositioned(result.issues, text);
          }),
        ),
        { seed: FUZZ_SEED, numRuns: FUZZ_RUNS },
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'daemon config: loads, or positioned coded issues',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          mutatedText(VALID_DAEMON),
          countedAsync('config.daemon', async (text: string) => {
            const configPath = join(dir, 'vigil.yaml');
            await writeFile(configPath, text);
            const result = await loadDaemonConfig({ configPath, env: { X: 'x' }, cwd: dir });
            if (!result.ok) expectPositioned(result.issues, text);
          }),
        ),
        { seed: FUZZ_SEED, numRuns: FUZZ_RUNS },
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});
