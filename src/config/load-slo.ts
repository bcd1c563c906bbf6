import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { ERR, type VigilErrorCode } from '../core/errors.js';
import type { ConfigIssue, LoadedSloFile } from './config.js';
import type { DaemonConfig } from './daemon-schema.js';
import { convertDocuments, type ImportResult, importForeignDocument, isForeignDocument } from './import/index.js';
import { compareIssues, formatPath } from './issue-format.js';
import { withProfileDefaults } from './resolve-config.js';
import { checkSloDocument } from './slo-checks.js';
import { type SloFile, sloFileSchema } from './slo-schema.js';
import { checkWindowSetUse } from './window-set-checks.js';
import { SHIPPED_WINDOW_SETS, type WindowSets } from './window-sets.js';
import { type DocumentsResult, multiDocumentIssue, readYamlDocuments, type YamlSource } from './yaml-source.js';
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
  /** The window sets objectives may name; the shipped ones when left out. */
  readonly windowSets?: WindowSets;
}

export interface SloLoadResult {
  readonly files: LoadedSloFile[];
  readonly issues: ConfigIssue[];
  /** What converting Sloth/OpenSLO files dropped or reinterpreted: `file:line:col path: message`. */
  readonly warnings: string[];
}

const YAML_FILE = /\.ya?ml$/i;

export function displayPath(absolute: string, cwd: string): string {
  const rel = relative(cwd, absolute);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? absolute : rel;
}

function pathIssue(file: string, code: VigilErrorCode, message: string): ConfigIssue {
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
          ? pathIssue(display, ERR.VIGIL_ERR_CONFIG_NOT_FOUND, 'no such file or folder')
          : pathIssue(display, ERR.VIGIL_ERR_CONFIG_UNREADABLE, `cannot be read (${code ?? String(err)})`),
      );
      continue;
    }
    if (info.isDirectory()) {
      let names: string[];
      try {
        names = await readdir(absolute);
      } catch (err) {
        issues.push(
          pathIssue(display, ERR.VIGIL_ERR_CONFIG_UNREADABLE, `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`),
        );
        continue;
      }
      const yamlFiles = names.filter((n) => YAML_FILE.test(n)).sort();
      if (yamlFiles.length === 0) issues.push(pathIssue(display, ERR.VIGIL_ERR_CONFIG_NO_FILES, 'folder holds no *.yaml or *.yml file'));
      files.push(...yamlFiles.map((n) => join(absolute, n)));
    } else {
      files.push(absolute);
    }
  }
  return { files: [...new Set(files)], issues };
}

/** Validates one parsed SLO document: schema, then the cross-field checks. */
export function validateSloSource(source: YamlSource, daemon?: DaemonConfig): SloValidation {
  const raw = source.value as { apiVersion?: unknown } | null;
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw) && raw.apiVersion !== 'vigil/v1') {
    const imported = importForeignDocument(source.value, source.file, { locate: (path, at) => source.locate(path, at) });
    if (imported !== null) return validateImported(imported, source, daemon);
  }
  return validateDocument(source.value, source, daemon);
}

/**
 * Validates the documents of one file: a file of one document as above; a file of several when
 * they are all Sloth or OpenSLO documents (one vigil service per Sloth document, the OpenSLO
 * documents converted together), each service then checked like any vigil file. A vigil/v1 file
 * stays one document.
 */
export function validateSloSources(sources: readonly YamlSource[], daemon?: DaemonConfig): FileValidation {
  if (sources.length === 1) {
    const one = validateSloSource(sources[0]!, daemon);
    return { loaded: one.slo ? [{ slo: one.slo, source: sources[0]! }] : [], issues: one.issues, warnings: one.warnings ?? [] };
  }
  if (!sources.every((s) => isForeignDocument(s.value))) return { loaded: [], issues: [multiDocumentIssue(sources)], warnings: [] };
  const converted = convertDocuments(sources, sources[0]!.file);
  if (converted.issues.length > 0) return { loaded: [], issues: converted.issues, warnings: converted.warnings };
  const loaded: FileValidation['loaded'] = [];
  const issues: ConfigIssue[] = [];
  for (const service of converted.services) {
    const checked = validateDocument(service.slo, service.source, daemon, service.document ?? '');
    issues.push(...checked.issues);
    if (checked.slo) loaded.push({ slo: checked.slo, source: service.source });
  }
  return { loaded: issues.length === 0 ? loaded : [], issues, warnings: converted.warnings };
}

type SloValidation = { slo?: SloFile; issues: ConfigIssue[]; warnings?: string[] };

/** A file's services, each with the document it came from (where its issues point). */
export interface FileValidation {
  readonly loaded: Array<{ slo: SloFile; source: YamlSource }>;
  readonly issues: ConfigIssue[];
  readonly warnings: string[];
}

/** A converted document gets the checks of any vigil file; `source` is where its issues point. */
function validateImported(imported: NonNullable<ImportResult>, source: YamlSource, daemon?: DaemonConfig): SloValidation {
  if ('issues' in imported) return { issues: imported.issues };
  return { ...validateDocument(imported.slo, source, daemon, ''), warnings: imported.warnings };
}

/**
 * Schema and cross-field checks. `foreign` (a converted document; `document 2/3` in a file of
 * several, '' otherwise) points every issue at the foreign document's top, since paths of the
 * converted document do not exist in the file.
 */
function validateDocument(read: unknown, source: YamlSource, daemon: DaemonConfig | undefined, foreign?: string): SloValidation {
  const input = withProfileDefaults(read, daemon?.metricProfiles);
  const parsed = sloFileSchema.safeParse(input, PARSE_OPTIONS);
  let issues = parsed.success ? [] : toConfigIssues(parsed.error.issues, { source, input, schema: sloFileSchema });
  const checks = checkSloDocument(input, source, daemon);
  issues = [...issues.filter((i) => !checks.replaces.has(i.path)), ...checks.issues];
  if (foreign !== undefined) {
    const top = source.locate([]);
    const said = foreign === '' ? 'after conversion' : `${foreign}: after conversion`;
    issues = issues.map((i) => ({
      ...i,
      line: top.line,
      column: top.column,
      code: ERR.VIGIL_ERR_CONFIG_IMPORT,
      message: `${said}: ${i.message}`,
    }));
  }
  issues.sort(compareIssues);
  return parsed.success && issues.length === 0 ? { slo: parsed.data, issues } : { issues };
}

async function loadOne(absolute: string, cwd: string, daemon?: DaemonConfig): Promise<FileValidation & { read: DocumentsResult }> {
  const read = await readYamlDocuments(absolute, displayPath(absolute, cwd));
  if (!read.ok) return { read, loaded: [], issues: read.issues, warnings: [] };
  return { read, ...validateSloSources(read.sources, daemon) };
}

/** The services a file names: the loaded ones, or the raw name of a file of one document that did not load. */
function namedServices(result: FileValidation & { read: DocumentsResult }): Array<{ service: unknown; source: YamlSource; slo?: SloFile }> {
  if (result.loaded.length > 0) return result.loaded.map((l) => ({ service: l.slo.service, source: l.source, slo: l.slo }));
  const source = result.read.ok ? result.read.sources[0] : undefined;
  return source ? [{ service: (source.value as { service?: unknown } | null)?.service, source }] : [];
}

export async function loadSloPaths(paths: readonly string[], options: SloLoadOptions = {}): Promise<SloLoadResult> {
  const cwd = options.cwd ?? process.cwd();
  const expanded = await expandSloPaths(paths, cwd);
  const issues = [...expanded.issues];
  const files: LoadedSloFile[] = [];
  const warnings: string[] = [];
  const services = new Map<string, string>();
  for (const absolute of expanded.files) {
    const result = await loadOne(absolute, cwd, options.daemon);
    issues.push(...result.issues);
    warnings.push(...result.warnings);
    // Duplicates are checked on the raw name, so they show up even when the file has other errors.
    for (const { service, source, slo } of namedServices(result)) {
      const first = typeof service === 'string' ? services.get(service) : undefined;
      if (typeof service === 'string' && first === undefined) services.set(service, source.file);
      else if (first !== undefined) {
        const { line, column } = source.locate(['service']);
        issues.push({
          file: source.file,
          line,
          column,
          path: formatPath(['service']),
          message: `duplicate service "${service}"; already defined in ${first}`,
          code: ERR.VIGIL_ERR_CONFIG_DUPLICATE_SERVICE,
        });
        continue;
      }
      if (slo === undefined) continue;
      const windowIssues = checkWindowSetUse(slo, source, options.windowSets ?? SHIPPED_WINDOW_SETS);
      issues.push(...windowIssues);
      if (windowIssues.length === 0) files.push({ path: absolute, slo });
    }
  }
  return { files, issues, warnings };
}
