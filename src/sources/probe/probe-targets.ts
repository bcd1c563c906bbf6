import type { LoadedSloFile } from '../../config/config.js';
import type { ProbeIndicator } from '../../config/slo-schema.js';
import { type HttpAuth, type HttpEndpoint, httpEndpoint } from '../../core/http-credentials.js';

/** One HTTP check, possibly shared by several objectives that probe the same URL. */
export interface ProbeTarget {
  readonly url: string;
  readonly method: ProbeIndicator['method'];
  readonly body: string | undefined;
  readonly headers: Readonly<Record<string, string>> | undefined;
  /** Status codes counted as success; undefined = any 2xx or 3xx. */
  readonly expectStatus: readonly number[] | undefined;
  readonly timeoutMs: number;
  /** `service/objective` of every objective that reads this URL's series. */
  readonly objectives: readonly string[];
}

export interface ProbeBuildProblem {
  readonly service: string;
  readonly objective: string;
  readonly message: string;
}

/**
 * A probe objective with a duration threshold bounds this quantile of the probes' durations over
 * its window. The evaluator's probe latency reader and the generated rules (`quantile_over_time`)
 * both read it, so `vigil run` and Prometheus compare the same figure with the bound.
 */
export const PROBE_LATENCY_QUANTILE = 0.95;

/** `baseUrl` + `path`, without doubling or dropping the slash between them. */
export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${path}`;
}

/**
 * The URL a probe objective checks and labels its series with: its `url`, or the source's
 * `baseUrl` joined with `path`, without credentials. The probe source and the evaluator's probe
 * reader both use this, so the series they write and read are the same.
 */
export function probeUrl(indicator: Pick<ProbeIndicator, 'url' | 'path'>, baseUrl: string | undefined): string | null {
  if (indicator.url !== undefined) return httpEndpoint(indicator.url).url;
  if (indicator.path === undefined || baseUrl === undefined) return null;
  return joinUrl(httpEndpoint(baseUrl).url, indicator.path);
}

export function isExpectedStatus(status: number, expect: readonly number[] | undefined): boolean {
  return expect ? expect.includes(status) : status >= 200 && status < 400;
}

/** The objective's own headers over the credentials' header (an objective may send its own Authorization). */
function mergeHeaders(endpoint: HttpEndpoint, own: ProbeIndicator['headers']): Readonly<Record<string, string>> | undefined {
  if (Object.keys(endpoint.headers).length === 0) return own;
  const ownNames = new Set(Object.keys(own ?? {}).map((k) => k.toLowerCase()));
  const inherited = Object.entries(endpoint.headers).filter(([k]) => !ownNames.has(k.toLowerCase()));
  return { ...Object.fromEntries(inherited), ...own };
}

/**
 * The probes of instance `name`. Credentials never stay in a URL (they would end up in the
 * `url` label): the source's `auth` or `baseUrl` userinfo goes with the paths under `baseUrl`,
 * an objective's own `url` userinfo with that URL only; both as an Authorization header. Series are labelled by URL only, so objectives probing the same
 * URL share one probe; when they disagree on method, body, headers or expected status, the first
 * one wins and the others are reported, rather than two checks writing one series.
 */
export function probeTargets(
  name: string,
  baseUrl: string | undefined,
  defaultTimeoutMs: number,
  files: readonly LoadedSloFile[],
  auth?: HttpAuth,
): { targets: ProbeTarget[]; problems: ProbeBuildProblem[] } {
  const base = baseUrl === undefined ? undefined : httpEndpoint(baseUrl, auth);
  const byUrl = new Map<string, ProbeTarget & { objectives: string[] }>();
  const problems: ProbeBuildProblem[] = [];
  for (const file of files) {
    for (const objective of file.slo.objectives) {
      if (!('probe' in objective.indicator)) continue;
      const ind = objective.indicator.probe;
      if (ind.source !== name) continue;
      const at = { service: file.slo.service, objective: objective.name };
      const url = probeUrl(ind, baseUrl);
      if (url === null) {
        problems.push({ ...at, message: `path ${ind.path} needs a baseUrl on probe source "${name}" in the daemon config` });
        continue;
      }
      // The objective's own URL carries its own credentials; paths get the source's.
      const endpoint = ind.url !== undefined ? httpEndpoint(ind.url) : { url, headers: base!.headers };
      const target = {
        url,
        method: ind.method,
        body: ind.body,
        headers: mergeHeaders(endpoint, ind.headers),
        expectStatus: ind.expectStatus,
        timeoutMs: ind.timeout ?? defaultTimeoutMs,
        objectives: [`${at.service}/${at.objective}`],
      };
      const existing = byUrl.get(url);
      if (!existing) {
        byUrl.set(url, target);
        continue;
      }
      const same =
        existing.method === target.method &&
        existing.body === target.body &&
        JSON.stringify(existing.headers ?? {}) === JSON.stringify(target.headers ?? {}) &&
        JSON.stringify(existing.expectStatus ?? null) === JSON.stringify(target.expectStatus ?? null);
      if (same) existing.objectives.push(...target.objectives);
      else {
        problems.push({
          ...at,
          message: `probes ${url} like ${existing.objectives[0]} but with other settings; the first objective's settings are used`,
        });
        existing.objectives.push(...target.objectives);
      }
    }
  }
  return { targets: [...byUrl.values()], problems };
}
