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

export function sourcesOf(config: Config): BaselineFile['against']['sources'] {
  const out: BaselineFile['against']['sources'] = [];
  for (const [kind, instances] of Object.entries(config.daemon.sources)) {
    for (const [name, settings] of Object.entries(instances as Record<string, Record<string, unknown>>)) {
      out.push({ kind, name, target: sourceTarget(settings) });
    }
  }
  return out;
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
      sources: sourcesOf(input.config),
      load: input.load ?? null,
    },
    figures: [...input.figures],
  };
}
