import { readFile } from 'node:fs/promises';
import type { ConfigIssue } from '../config/config.js';
import { type Position, parseYamlBytes } from '../config/yaml-source.js';
import { PARSE_OPTIONS, toConfigIssues } from '../config/zod-issues.js';
import { ERR, type VigilErrorCode } from '../core/errors.js';
import { BASELINE_FORMAT, BASELINE_VERSION, type BaselineFile, baselineFileSchema } from './baseline-schema.js';
import { figureValue } from './compare.js';

/**
 * Reading a saved measurement. Everything wrong with a file is an issue with a line and column:
 * a truncated file (the JSON ends early), a hand edit that breaks the syntax or the schema, a
 * `value` that no longer matches the data behind it, or a file of another format or version.
 */

const MEASUREMENT_ISSUE_CODES = {
  unreadable: ERR.VIGIL_ERR_MEASUREMENT_UNREADABLE,
  syntax: ERR.VIGIL_ERR_MEASUREMENT_SYNTAX,
  format: ERR.VIGIL_ERR_MEASUREMENT_FORMAT,
  invalid: ERR.VIGIL_ERR_MEASUREMENT_INVALID,
  edited: ERR.VIGIL_ERR_MEASUREMENT_EDITED,
} as const;

/** Raw values are capped per figure, so a file stays a few megabytes at most. */
export const MAX_MEASUREMENT_BYTES = 64 * 1024 * 1024;

export type ReadMeasurement = { ok: true; file: BaselineFile } | { ok: false; issues: ConfigIssue[] };

function issue(file: string, code: VigilErrorCode, message: string, at: Position = { line: 0, column: 0 }, path = ''): ConfigIssue {
  return { file, line: at.line, column: at.column, path, message, code };
}

function positionOfOffset(text: string, offset: number): Position {
  let line = 1;
  let column = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      column = 1;
    } else column++;
  }
  return { line, column };
}

/** JSON.parse's error, positioned: Node says "at position N", or nothing when the text ends early. */
function jsonSyntaxIssue(text: string, file: string, err: SyntaxError): ConfigIssue {
  const m = /position (\d+)/.exec(err.message);
  const offset = m ? Number(m[1]) : text.length;
  const truncated = !m || offset >= text.trimEnd().length;
  const message = truncated
    ? 'ends before the JSON is complete (a truncated file?)'
    : `is not valid JSON: ${err.message.replace(/^JSON\.parse: /, '').replace(/ in JSON at position \d+.*$/, '')}`;
  return issue(file, MEASUREMENT_ISSUE_CODES.syntax, message, positionOfOffset(text, offset));
}

export function parseMeasurement(bytes: Uint8Array, file: string): ReadMeasurement {
  const text = new TextDecoder('utf-8').decode(bytes);
  try {
    JSON.parse(text);
  } catch (err) {
    if (err instanceof SyntaxError) return { ok: false, issues: [jsonSyntaxIssue(text, file, err)] };
    throw err;
  }
  // JSON is YAML: the YAML document maps a field path back to its line and column.
  const read = parseYamlBytes(bytes, file);
  if (!read.ok) return read;
  const value = read.source.value as Record<string, unknown> | null;
  const head = { format: value?.format, version: value?.version };
  // The head is checked before the schema: a foreign file or another version gets one clear issue.
  const refuse = (key: 'format' | 'version', message: string): ReadMeasurement => ({
    ok: false,
    issues: [issue(file, MEASUREMENT_ISSUE_CODES.format, message, read.source.locate([key]), key)],
  });
  if (head.format !== BASELINE_FORMAT) {
    return refuse(
      'format',
      `is not a vigil measurement (format ${JSON.stringify(head.format)}, expected ${JSON.stringify(BASELINE_FORMAT)})`,
    );
  }
  if (head.version !== BASELINE_VERSION) {
    return refuse('version', `is measurement format version ${JSON.stringify(head.version)}; this vigil reads version ${BASELINE_VERSION}`);
  }
  const parsed = baselineFileSchema.safeParse(read.source.value, PARSE_OPTIONS);
  if (!parsed.success) {
    const issues = toConfigIssues(parsed.error.issues, { source: read.source, input: read.source.value, schema: baselineFileSchema });
    return { ok: false, issues: issues.map((i) => ({ ...i, code: MEASUREMENT_ISSUE_CODES.invalid })) };
  }
  const edited = editedValues(parsed.data, file, (path) => read.source.locate(path));
  return edited.length ? { ok: false, issues: edited } : { ok: true, file: parsed.data };
}

/** A `value` that its data does not give back was changed by hand (or the file was damaged). */
function editedValues(data: BaselineFile, file: string, locate: (path: Array<string | number>) => Position): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  data.figures.forEach((f, i) => {
    const derived = f.data ? figureValue(f.data) : null;
    const same =
      derived === null || f.value === null ? derived === f.value : Math.abs(derived - f.value) <= 1e-9 * Math.max(1, Math.abs(derived));
    if (!same) {
      const path = ['figures', i, 'value'];
      issues.push(
        issue(
          file,
          MEASUREMENT_ISSUE_CODES.edited,
          `figure ${JSON.stringify(f.name)}: value ${f.value} does not match its data (${derived}); the file was edited or damaged`,
          locate(path),
          `figures[${i}].value`,
        ),
      );
    }
  });
  return issues;
}

export async function readMeasurement(path: string): Promise<ReadMeasurement> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    return { ok: false, issues: [issue(path, MEASUREMENT_ISSUE_CODES.unreadable, `cannot be read: ${(err as Error).message}`)] };
  }
  if (bytes.length > MAX_MEASUREMENT_BYTES) {
    return {
      ok: false,
      issues: [
        issue(path, MEASUREMENT_ISSUE_CODES.unreadable, `is ${bytes.length} bytes; a measurement is at most ${MAX_MEASUREMENT_BYTES}`),
      ],
    };
  }
  return parseMeasurement(bytes, path);
}
