import { Command } from 'commander';
import { sloOption } from './slo-option.js';
import { formatIssue, loadConfig } from '../config/load-config.js';
import { ERR, isVigilError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { sampleOnce } from '../daemon/sample-once.js';
import type { Snapshot } from '../snapshot/snapshot-schema.js';
import { parseDuration } from '../units/units.js';

/**
 * `vigil check`: the deploy gate. Samples every source the objectives need (twice, a short gap
 * apart, for deltas), evaluates, prints a table or JSON.
 * Exit 0 when nothing is breached, 1 when any objective is breached, 2 when it could not
 * evaluate (invalid config, unknown service, or no objective had data).
 */

export const CHECK_EXIT = { ok: 0, breach: 1, cannotEvaluate: 2 } as const;

interface Options {
  config?: string;
  slo?: string[];
  service?: string;
  json?: boolean;
  gap: string;
}

export function command(): Command {
  return new Command('check')
    .description('sample once, evaluate, print a table; exit 0 ok, 1 any breach, 2 could not evaluate')
    .option('-c, --config <file>', 'daemon config (vigil.yaml)')
    .addOption(sloOption())
    .option('-s, --service <name>', 'check one service only')
    .option('--json', 'print the evaluation as JSON')
    .option('--gap <duration>', 'time between the two sampling rounds (CPU and counters are deltas)', '3s')
    .addHelpText('after', '\nExit codes: 0 nothing breached, 1 any objective breached, 2 could not evaluate.')
    .action(async (options: Options) => {
      process.exitCode = await check(options);
    });
}

export function exitCodeFor(snapshot: Snapshot): number {
  const objectives = snapshot.services.flatMap((s) => s.objectives);
  if (objectives.some((o) => o.status === 'breach')) return CHECK_EXIT.breach;
  if (objectives.length === 0 || objectives.every((o) => o.status === 'no_data')) return CHECK_EXIT.cannotEvaluate;
  return CHECK_EXIT.ok;
}

export async function check(options: Options): Promise<number> {
  const loaded = await loadConfig({ configPath: options.config, sloPaths: options.slo });
  for (const warning of loaded.warnings) console.error(`warning: ${warning}`);
  if (!loaded.ok) {
    for (const issue of loaded.issues) console.error(formatIssue(issue));
    console.error(`vigil check: invalid config (${loaded.issues.length} issue(s))`);
    return CHECK_EXIT.cannotEvaluate;
  }
  let snapshot: Snapshot;
  try {
    snapshot = await sampleOnce(loaded.config, { service: options.service, gapMs: parseDuration(options.gap) });
  } catch (err) {
    if (isVigilError(err, ERR.VIGIL_ERR_UNKNOWN_SERVICE)) {
      console.error(`vigil check: ${err.message}`);
      return CHECK_EXIT.cannotEvaluate;
    }
    throw err;
  }
  const code = exitCodeFor(snapshot);
  if (options.json) {
    console.log(redact(JSON.stringify({ exitCode: code, ...snapshot }, null, 2)));
  } else {
    console.log(redact(renderTable(snapshot)));
    const verdict = code === 0 ? 'ok' : code === 1 ? 'BREACH' : 'could not evaluate (no data)';
    console.log(`\nresult: ${verdict} (exit ${code})`);
  }
  return code;
}

/** `<= 50ms`, `>= 80%`, `>= 99.9% of 30d` (a target), `no leak`. */
function boundOf(o: Snapshot['services'][number]['objectives'][number]): string {
  const parts: string[] = [];
  if (o.threshold?.max) parts.push(`<= ${o.threshold.max.display}`);
  if (o.threshold?.min) parts.push(`>= ${o.threshold.min.display}`);
  if (o.target !== null) parts.push(`>= ${Number((o.target * 100).toPrecision(6))}% of ${o.period}`);
  if (o.kind === 'memoryLeak') parts.push('no leak');
  return parts.join(', ') || '-';
}

export function renderTable(snapshot: Snapshot): string {
  const rows: string[][] = [['SERVICE', 'OBJECTIVE', 'VALUE', 'BOUND', 'STATUS', 'NOTE']];
  for (const svc of snapshot.services) {
    for (const o of svc.objectives) {
      const value = o.value?.display ?? '-';
      const note = o.error ? o.error : o.leak ? `leak verdict: ${o.leak.verdict}` : '';
      rows.push([svc.service, o.name, value, boundOf(o), o.status.toUpperCase(), note]);
    }
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const lines = rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ').trimEnd());
  const down = snapshot.sources.filter((s) => !s.up);
  if (down.length > 0) {
    lines.push('', 'sources down:');
    for (const s of down) lines.push(`  ${s.kind}/${s.name}: ${s.lastError ?? 'no sample yet'}`);
  }
  return lines.join('\n');
}
