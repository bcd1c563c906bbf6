import type { Config } from '../config/config.js';
import { redact } from '../core/redact.js';
import { BASELINE_FORMAT, BASELINE_VERSION, type BaselineFile, type Figure } from './baseline-schema.js';

/**
 * The saved file around a list of figures: when (start and end), how (command, sampling, tool
 * versions) and against what (config, SLO files, the sources read, a load if one was applied).
 * Source targets pass the one redaction function, so a password in a connection URL never lands
 * in a file that people pass around.
 */

export interface RecordInput {
  readonly kind: BaselineFile['kind'];
  readonly service: string;
  readonly config: Config;
  readonly from: number;
  readonly to: number;
  readonly figures: readonly Figure[];
  readonly how: BaselineFile['how'];
  readonly load?: BaselineFile['against']['load'];
}

/** Where a source instance points (URL, socket, host), without credentials. */
function sourceTarget(settings: Record<string, unknown>): string | null {
  for (const key of ['url', 'baseUrl', 'connectionString', 'socketPath', 'host']) {
    const v = settings[key];
    if (typeof v === 'string') return redact(v);
  }
  return null;
}

/** The source instances the service's objectives read, with where each points. */
export function sourcesOf(config: Config, service: string): BaselineFile['against']['sources'] {
  const read = new Set(config.services.filter((s) => s.slo.service === service).flatMap((s) => s.slo.objectives.map((o) => o.source)));
  return config.sources
    .filter((instance) => read.has(instance))
    .map((instance) => ({ kind: instance.kind, name: instance.name, target: sourceTarget(instance.settings as Record<string, unknown>) }));
}

export function recordMeasurement(input: RecordInput): BaselineFile {
  return {
    format: BASELINE_FORMAT,
    version: BASELINE_VERSION,
    kind: input.kind,
    service: input.service,
    started_at: new Date(input.from).toISOString(),
    ended_at: new Date(input.to).toISOString(),
    how: input.how,
    against: {
      config_file: input.config.configPath,
      slo_files: input.config.services.filter((s) => s.slo.service === input.service).map((s) => s.path),
      sources: sourcesOf(input.config, input.service),
      load: input.load ?? null,
    },
    figures: [...input.figures],
  };
}
