import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { BaselineFile } from '../compare/baseline-schema.js';
import { formatFigure } from '../compare/compare-report.js';
import { measureService } from '../compare/measure.js';
import { recordMeasurement } from '../compare/record.js';
import { formatIssue, loadConfig } from '../config/load-config.js';
import { ERR, isVigilError } from '../core/errors.js';
import { samplePeriod } from '../daemon/sample-period.js';
import { parseDuration } from '../units/units.js';

/**
 * `vigil baseline [service] --save before.json`: samples the service's sources for `--duration`,
 * every `--every`, and saves every figure vigil measures with the data behind it (see
 * src/compare/). Prints one line per figure. Exit 0 saved with at least one figure known, 2 otherwise.
 */

export interface SaveOptions {
  config?: string;
  slo?: string[];
  duration: string;
  every: string;
}

export function vigilVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function measurementLines(file: BaselineFile): string[] {
  return file.figures.map((f) => `${f.name} ${formatFigure(f.value, f.unit)}${f.data ? '' : ' (no data)'}`);
}

export async function saveBaseline(service: string | undefined, options: SaveOptions, path: string): Promise<number> {
  const loaded = await loadConfig({ configPath: options.config, sloPaths: options.slo });
  for (const warning of loaded.warnings) console.error(`warning: ${warning}`);
  if (!loaded.ok) {
    for (const issue of loaded.issues) console.error(formatIssue(issue));
    return 2;
  }
  const names = loaded.config.services.map((s) => s.slo.service);
  const chosen = service ?? (names.length === 1 ? names[0] : undefined);
  if (chosen === undefined) {
    console.error(`vigil baseline: --save measures one service; name it (known: ${names.join(', ') || 'none'})`);
    return 2;
  }
  const durationMs = parseDuration(options.duration);
  const everyMs = parseDuration(options.every);
  const seed = Date.now() % 2 ** 31;
  try {
    const period = await samplePeriod(loaded.config, { service: chosen, durationMs, everyMs });
    const slo = period.config.services[0]!.slo;
    const figures = measureService({ ...period, slo, seed });
    const file = recordMeasurement({
      kind: 'baseline',
      service: chosen,
      config: period.config,
      from: period.from,
      to: period.to,
      figures,
      how: {
        command: `vigil baseline ${chosen} --save ${path} --duration ${options.duration} --every ${options.every}`,
        vigil_version: vigilVersion(),
        node_version: process.version,
        host: hostname(),
        sampling_rounds: period.rounds.length,
        sampling_every_seconds: everyMs / 1000,
        seed,
      },
    });
    await writeFile(path, `${JSON.stringify(file, null, 1)}\n`);
    for (const line of measurementLines(file)) console.log(line);
    console.log(`saved ${figures.length} figures to ${path}`);
    return figures.some((f) => f.data !== null) ? 0 : 2;
  } catch (err) {
    if (isVigilError(err, ERR.VIGIL_ERR_UNKNOWN_SERVICE)) {
      console.error(`vigil baseline: ${err.message}`);
      return 2;
    }
    throw err;
  }
}
