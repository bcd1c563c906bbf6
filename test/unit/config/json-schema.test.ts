import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { sloJsonSchema } from '../../../src/config/json-schema.js';

/** The generated JSON Schema (what editors use) accepts the shipped files and refuses what the loader refuses structurally. */

const root = fileURLToPath(new URL('../../../', import.meta.url));

async function yamlFile(path: string): Promise<unknown> {
  return parse(await readFile(`${root}${path}`, 'utf8'));
}

function validator() {
  // Formats (uri) are annotations here: the loader checks URLs itself.
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, validateFormats: false });
  return ajv.compile(sloJsonSchema());
}

describe('JSON Schema of the SLO format', () => {
  const validate = validator();

  it.each(['slo/ml-services.yaml', 'test/fixtures/valid/slo/every-indicator.yaml'])('accepts %s', async (path) => {
    const ok = validate(await yamlFile(path));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it.each([
    ['test/fixtures/invalid-slo/unknown-key.yaml', 'additionalProperties'],
    ['test/fixtures/invalid-slo/unknown-indicator.yaml', 'anyOf'],
    ['test/fixtures/invalid-slo/missing-field.yaml', 'anyOf'],
    ['test/fixtures/invalid-slo/wrong-api-version.yaml', 'const'],
  ])('refuses %s (%s)', async (path, keyword) => {
    expect(validate(await yamlFile(path))).toBe(false);
    expect(validate.errors?.map((e) => e.keyword)).toContain(keyword);
  });

  it('is the committed schema/vigil-slo.schema.json', async () => {
    const committed = JSON.parse(await readFile(`${root}schema/vigil-slo.schema.json`, 'utf8')) as unknown;
    expect(committed).toEqual(sloJsonSchema());
  });

  it('describes input as written: durations and percentages are strings, with descriptions for editors', () => {
    const schema = JSON.stringify(sloJsonSchema());
    expect(schema).toContain('A duration: a number followed by');
    expect(schema).toContain('"$id":"urn:vigil:schema:slo:v1"');
    expect(schema).toContain('"$schema":"https://json-schema.org/draft/2020-12/schema"');
  });

  it('the shipped SLO file carries the modeline on line 1', async () => {
    const text = await readFile(`${root}slo/ml-services.yaml`, 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../schema/vigil-slo.schema.json');
  });
});
