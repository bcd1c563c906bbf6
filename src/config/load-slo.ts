import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { ConfigIssue, LoadedSloFile } from './config.js';
import type { DaemonConfig } from './daemon-schema.js';
import { importForeign } from './document-importers.js';
import './import/index.js'; // registers the Sloth and OpenSLO importers
import { ISSUE_CODES } from './issue-codes.js';
import { compareIssues, formatPath } from './issue-format.js';
import { checkSloDocument } from './slo-checks.js';
import { sloFileSchema, type SloFile } from './slo-schema.js';
import { readYamlFile, type ReadResult, type YamlSource } from './yaml-source.js';
import { PARSE_OPTIONS, toConfigIssues } from './zod-issues.js';

/**
 * SLO files: paths (files or folders) -> validated `LoadedSloFile`s, or every issue found in
 * all of them. Folders contribute their `*.yaml` / `*.yml` files, sorted, not recursing.
 */

export interface SloLoadOptions {
  /** When given, objectives' `source` names are checked against its instances. */
  readonly daemon?: DaemonConfig;
  /** Relative paths resolve here; issue file names are shown relative to it. */
  readonly cwd?: string;
}

export interface SloLoadResult {
  readonly files: LoadedSloFile[];
  readonly issues: ConfigIssue[];
}

const YAML_FILE = /\.ya?ml$/i;

export function displayPath(absolute: string, cwd: string): string {
  const rel = relative(cwd, absolute);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? absolute : rel;
}

function pathIssue(file: string, code: string, message: string): ConfigIssue {
  return { file, line: 0, column: 0, path: '', message, code };
}

/** Files named by the paths, folders expanded; issues for paths that do not exist or hold nothing. */
export async function expandSloPaths(paths: readonly string[], cwd: string): Promise<{ files: string[]; issues: ConfigIssue[] }> {
  const files: string[] = [];
  const issues: ConfigIssue[] = [];
  for (const given of paths) {
    const absolute = resolve(cwd, given);
    const display = displayPath(absolute, cwd);
    let info;
    try {
      info = await stat(absolute);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      issues.push(
        code === 'ENOENT'
          ? pathIssue(display, ISSUE_CODES.notFound, 'no such file or folder')
          : pathIssue(display, ISSUE_CODES.unreadable, `cannot be read (${code ?? String(err)})`),
      );
      continue;
    }
    if (info.isDirectory()) {
      let names: string[];
      try {
        names = await readdir(absolute);
      } catch (err) {
        issues.push(pathIssue(display, ISSUE_CODES.unreadable, `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`));
        continue;
      }
      const yamlFiles = names.filter((n) => YAML_FILE.test(n)).sort();
      if (yamlFiles.length === 0) issues.push(pathIssue(display, ISSUE_CODES.noFiles, 'folder holds no *.yaml or *.yml file'));
      files.push(...yamlFiles.map((n) => join(absolute, n)));
    } else {
      files.push(absolute);
    }
  }
  return { files: [...new Set(files)], issues };
}

/** Validates one parsed SLO document: schema, then the cross-field checks. */
export function validateSloSource(source: YamlSource, daemon?: DaemonConfig): { slo?: SloFile; issues: ConfigIssue[] } {
  let input = source.value;
  let foreign = false;
  const raw = input as { apiVersion?: unknown } | null;
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw) && raw.apiVersion !== 'vigil/v1') {
    const imported = importForeign(input, source.file, { locate: (path) => source.locate(path) });
    if (imported !== null) {
      if ('issues' in imported) return { issues: imported.issues };
      input = imported.slo;
      foreign = true;
    }
  }

  const parsed = sloFileSchema.safeParse(input, PARSE_OPTIONS);
  let issues = parsed.success ? [] : toConfigIssues(parsed.error.issues, { source, input, schema: sloFileSchema });
  const checks = checkSloDocument(input, source, daemon);
  issues = [...issues.filter((i) => !checks.replaces.has(i.path)), ...checks.issues];
  if (foreign) {
    // Paths of the converted document do not exist in the foreign file: point at its top.
    const top = source.locate([]);
    issues = issues.map((i) => ({ ...i, line: top.line, column: top.column, code: ISSUE_CODES.import, message: `after conversion: ${i.message}` }));
  }
  issues.sort(compareIssues);
  return parsed.success && issues.length === 0 ? { slo: parsed.data, issues } : { issues };
}

async function loadOne(absolute: string, cwd: string, daemon?: DaemonConfig): Promise<{ read: ReadResult; slo?: SloFile; issues: ConfigIssue[] }> {
  const read = await readYamlFile(absolute, displayPath(absolute, cwd));
  if (!read.ok) return { read, issues: read.issues };
  return { read, ...validateSloSource(read.source, daemon) };
}

export async function loadSloPaths(paths: readonly string[], options: SloLoadOptions = {}): Promise<SloLoadResult> {
  const cwd = options.cwd ?? process.cwd();
  const expanded = await expandSloPaths(paths, cwd);
  const issues = [...expanded.issues];
  const files: LoadedSloFile[] = [];
  const services = new Map<string, string>();
  for (const absolute of expanded.files) {
    const result = await loadOne(absolute, cwd, options.daemon);
    issues.push(...result.issues);
    // Duplicates are checked on the raw name, so they show up even when the file has other errors.
    const service = result.slo?.service ?? (result.read.ok ? (result.read.source.value as { service?: unknown } | null)?.service : undefined);
    if (typeof service === 'string' && result.read.ok) {
      const first = services.get(service);
      if (first === undefined) services.set(service, result.read.source.file);
      else {
        const { line, column } = result.read.source.locate(['service']);
        issues.push({
          file: result.read.source.file,
          line,
          column,
          path: formatPath(['service']),
          message: `duplicate service "${service}"; already defined in ${first}`,
          code: ISSUE_CODES.duplicateService,
        });
        continue;
      }
    }
    if (result.slo) files.push({ path: absolute, slo: result.slo });
  }
  return { files, issues };
}
