import { Command } from 'commander';
import { formatIssue, loadConfig } from '../config/load-config.js';
import { ERR, isVigilError } from '../core/errors.js';
import { sampleOnce } from '../daemon/sample-once.js';
import type { ServiceSummary } from '../snapshot/snapshot-schema.js';
import { saveBaseline } from './baseline-save.js';
import { parseGap } from './check.js';
import { sloOption } from './slo-option.js';

/**
 * `vigil baseline [service]`: the current figures as `key value unit` lines, one per figure, for
 * scripts that `grep -E "p95_latency|memory_usage|cpu_usage"`. A figure without data prints
 * `n/a` as its value. Exit 0 when at least one figure is known, 2 otherwise.
 */

interface Options {
  config?: string;
  slo?: string[];
  gap: string;
  save?: string;
  duration: string;
  every: string;
}

const LINES: ReadonlyArray<[key: string, field: keyof ServiceSummary, unit: string]> = [
  ['p95_latency', 'response_time_p95', 'ms'],
  ['memory_usage', 'memory_usage_bytes', 'bytes'],
  ['cpu_usage', 'cpu_usage_percent', 'percent'],
  ['cache_hit_ratio', 'cache_hit_ratio', 'ratio'],
  ['db_query_p95', 'db_query_p95_ms', 'ms'],
  ['uptime', 'uptime_percentage', 'percent'],
];

export function command(): Command {
  return new Command('baseline')
    .description('print current p95_latency, memory_usage, cpu_usage (and cache hit ratio, DB P95) as `key value unit` lines')
    .argument('[service]', 'service name (default: every service)')
    .option('-c, --config <file>', 'daemon config (vigil.yaml)')
    .addOption(sloOption())
    .option('--gap <duration>', 'time between the two sampling rounds (CPU and counters are deltas)', '3s')
    .option('--save <file>', 'measure for --duration and save every figure with its data, for `vigil compare`')
    .option('--duration <duration>', 'with --save: how long to measure', '30s')
    .option('--every <duration>', 'with --save: time between sampling rounds', '2s')
    .action(async (service: string | undefined, options: Options) => {
      process.exitCode = options.save !== undefined ? await saveBaseline(service, options, options.save) : await baseline(service, options);
    });
}

function format(value: number | null, unit: string): string {
  if (value === null) return 'n/a';
  if (unit === 'bytes') return String(Math.round(value));
  if (unit === 'ratio') return String(Number(value.toFixed(4)));
  return String(Number(value.toFixed(2)));
}

export function baselineLines(summary: ServiceSummary): string[] {
  return LINES.map(([key, field, unit]) => `${key} ${format(summary[field], unit)} ${unit}`);
}

export async function baseline(service: string | undefined, options: Options): Promise<number> {
  const loaded = await loadConfig({ configPath: options.config, sloPaths: options.slo });
  for (const warning of loaded.warnings) console.error(`warning: ${warning}`);
  if (!loaded.ok) {
    for (const issue of loaded.issues) console.error(formatIssue(issue));
    return 2;
  }
  const gap = parseGap(options.gap);
  if (!gap.ok) {
    console.error(`vigil baseline: ${gap.message}`);
    return 2;
  }
  try {
    const snapshot = await sampleOnce(loaded.config, { service, gapMs: gap.ms });
    let known = 0;
    for (const svc of snapshot.services) {
      if (snapshot.services.length > 1) console.log(`# ${svc.service}`);
      for (const line of baselineLines(svc.summary)) console.log(line);
      known += Object.values(svc.summary).filter((v) => v !== null).length;
    }
    return known > 0 ? 0 : 2;
  } catch (err) {
    if (isVigilError(err, ERR.VIGIL_ERR_UNKNOWN_SERVICE)) {
      console.error(`vigil baseline: ${err.message}`);
      return 2;
    }
    throw err;
  }
}
