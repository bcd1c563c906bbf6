import { dirname, isAbsolute, resolve } from 'node:path';
import type { ConfigIssue } from './config.js';
import { type DaemonConfig, daemonConfigSchema } from './daemon-schema.js';
import { applyOverrides, type Env, type EnvOverride, envOverrides, interpolateEnv } from './env.js';
import { compareIssues, formatPath } from './issue-format.js';
import { displayPath } from './load-slo.js';
import { type PathSegment, parseYamlText, readYamlFile, type YamlSource } from './yaml-source.js';
import { isPlainObject, PARSE_OPTIONS, toConfigIssues } from './zod-issues.js';

/**
 * vigil.yaml -> DaemonConfig: read, `${VAR}` interpolation, `VIGIL_*` overrides, validation,
 * then relative paths made absolute (against the file's folder; values from the environment
 * against the working directory, where the person who set them stands).
 */

export interface DaemonLoadOptions {
  readonly configPath?: string | undefined;
  readonly env?: Env;
  readonly cwd?: string;
}

export type DaemonLoadResult =
  | { readonly ok: true; readonly daemon: DaemonConfig; readonly configPath: string | null; readonly baseDir: string }
  | { readonly ok: false; readonly issues: ConfigIssue[] };

function startsWith(path: readonly PathSegment[], prefix: readonly PathSegment[]): boolean {
  return prefix.length <= path.length && prefix.every((s, i) => String(path[i]) === String(s));
}

export async function loadDaemonConfig(options: DaemonLoadOptions = {}): Promise<DaemonLoadResult> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  let source: YamlSource;
  let configPath: string | null = null;
  if (options.configPath !== undefined) {
    configPath = resolve(cwd, options.configPath);
    const read = await readYamlFile(configPath, displayPath(configPath, cwd));
    if (!read.ok) return { ok: false, issues: read.issues };
    source = read.source;
  } else {
    const defaults = parseYamlText('{}', '(defaults)');
    if (!defaults.ok) throw new Error('unreachable: "{}" is valid YAML');
    source = defaults.source;
  }
  const baseDir = configPath === null ? cwd : dirname(configPath);

  const issues: ConfigIssue[] = [];
  const interpolated = interpolateEnv(source.value, env);
  for (const problem of interpolated.problems) {
    const { line, column } = source.locate(problem.path);
    issues.push({ file: source.file, line, column, path: formatPath(problem.path), message: problem.message, code: problem.code });
  }
  const envBroken = new Set(interpolated.problems.map((p) => formatPath(p.path)));

  let input = interpolated.value;
  let overrides: EnvOverride[] = [];
  if (isPlainObject(input)) {
    overrides = envOverrides(daemonConfigSchema, env, input);
    input = applyOverrides(input, overrides);
  }
  const origin = (path: readonly PathSegment[]): string | undefined => {
    const override = overrides.find((o) => startsWith(path, o.path));
    return override ? `$${override.variable}` : undefined;
  };

  const parsed = daemonConfigSchema.safeParse(input, PARSE_OPTIONS);
  if (!parsed.success) {
    const zodIssues = toConfigIssues(parsed.error.issues, { source, input, schema: daemonConfigSchema, origin });
    // A value whose variable is missing fails validation too; one message about it is enough.
    issues.push(...zodIssues.filter((i) => !envBroken.has(i.path) || i.file !== source.file));
  }
  if (issues.length > 0 || !parsed.success) return { ok: false, issues: issues.sort(compareIssues) };

  const fromEnv = (path: PathSegment[]) => origin(path) !== undefined;
  const absolute = (path: PathSegment[], value: string) => (isAbsolute(value) ? value : resolve(fromEnv(path) ? cwd : baseDir, value));
  const daemon: DaemonConfig = {
    ...parsed.data,
    slo: parsed.data.slo.map((p, i) => absolute(['slo', i], p)),
    windowSets: parsed.data.windowSets.map((p, i) => absolute(['windowSets', i], p)),
    dataDir: absolute(['dataDir'], parsed.data.dataDir),
    sources: {
      ...parsed.data.sources,
      docker: Object.fromEntries(
        Object.entries(parsed.data.sources.docker).map(([name, docker]) => [
          name,
          docker.socketPath === undefined
            ? docker
            : { ...docker, socketPath: absolute(['sources', 'docker', name, 'socketPath'], docker.socketPath) },
        ]),
      ),
    },
  };
  return { ok: true, daemon, configPath, baseDir };
}
