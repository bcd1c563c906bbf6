import { Command } from 'commander';
import { z } from 'zod';
import { formatIssue, loadConfig } from '../config/load-config.js';
import { samplingWarnings } from '../config/sampling-warnings.js';
import { describeError } from '../core/describe-error.js';
import { ERR, isVigilError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { fromWire, toWire } from '../core/wire-keys.js';
import { sampleOnce } from '../daemon/sample-once.js';
import { serviceCurrentResponseSchema, serviceListResponseSchema } from '../server/api-schemas.js';
import { type Snapshot, serviceResultSchema, sourceHealthSchema } from '../snapshot/snapshot-schema.js';
import { sloOption } from './slo-option.js';

type ServiceResult = Snapshot['services'][number];
type ObjectiveResult = ServiceResult['objectives'][number];
type SourceHealth = Snapshot['sources'][number];

import { parseDuration } from '../units/units.js';

/**
 * `vigil check`: the deploy gate, in one of two modes that say what they judged.
 * - local (default): samples every source the objectives need twice, a short gap apart, and judges
 *   what it saw in that gap. Targets are applied to the sample, not to the period's budget, and the
 *   table says so (`>= 99.5% over 3s sample`).
 * - `--from http://host:8093`: reads a running daemon's last evaluation (`/api/sla`), which judges
 *   the configured windows and periods; same table, same exit codes.
 * Exit 0 nothing breached, 1 any breach, 2 could not evaluate (invalid config, unknown service, no
 * objective had data, daemon unreachable), 3 some objectives had no data (a gate that did not see
 * them must not say ok; `--allow-no-data` turns that into 0).
 */

export const CHECK_EXIT = { ok: 0, breach: 1, cannotEvaluate: 2, incomplete: 3 } as const;

interface Options {
  config?: string;
  slo?: string[];
  service?: string;
  json?: boolean;
  gap: string;
  from?: string;
  allowNoData?: boolean;
}

/** What the table and the exit code read: a local sample or a daemon's answer, in one shape. */
export interface GateView {
  services: ReadonlyArray<Pick<ServiceResult, 'service' | 'objectives'>>;
  sources: readonly SourceHealth[];
  /** Local: the sampling gap (`3s`), printed as the judged span; daemon: null (its windows and periods). */
  sampleSpan: string | null;
}

/** `vigil check --json`: the exit code, what was observed, and the results the verdict rests on. */
export const checkOutputSchema = z.object({
  exitCode: z.number(),
  observed: z.string(),
  /** Local checks: every field of the service's result; `--from`: the service and its objectives. */
  services: z.array(serviceResultSchema),
  sources: z.array(sourceHealthSchema),
  sampleSpan: z.string().nullable(),
});

/** The `--json` text: the gate's view in wire form (snake_case keys, see core/wire-keys.ts). */
export function checkJson(view: GateView, code: number): string {
  const output = { exitCode: code, observed: observedText(view), ...view } as z.output<typeof checkOutputSchema>;
  return JSON.stringify(toWire(checkOutputSchema, output), null, 2);
}

export function command(): Command {
  return new Command('check')
    .description('deploy gate: judge a fresh sample (or a running daemon with --from) and print a table')
    .option('-c, --config <file>', 'daemon config (vigil.yaml)')
    .addOption(sloOption())
    .option('-s, --service <name>', 'check one service only')
    .option('--json', 'print the evaluation as JSON')
    .option('--gap <duration>', 'time between the two sampling rounds (CPU and counters are deltas)', '3s')
    .option('--from <url>', "gate on a running daemon's verdict (e.g. http://127.0.0.1:8093) instead of sampling")
    .option('--allow-no-data', 'objectives without data do not fail the gate (exit 0 instead of 3)')
    .addHelpText(
      'after',
      '\nExit codes: 0 nothing breached, 1 any objective breached, 2 could not evaluate, 3 some objectives had no data.' +
        "\nWithout --from, targets are judged over the sample only (the gap); --from judges the daemon's windows and periods.",
    )
    .action(async (options: Options) => {
      process.exitCode = await check(options);
    });
}

export function exitCodeFor(view: Pick<GateView, 'services'>, options: { allowNoData?: boolean } = {}): number {
  const objectives = view.services.flatMap((s) => s.objectives);
  if (objectives.some((o) => o.status === 'breach')) return CHECK_EXIT.breach;
  if (objectives.length === 0 || objectives.every((o) => o.status === 'no_data')) return CHECK_EXIT.cannotEvaluate;
  if (!options.allowNoData && objectives.some((o) => o.status === 'no_data')) return CHECK_EXIT.incomplete;
  return CHECK_EXIT.ok;
}

/** The longest `--gap`: a pause between two sampling rounds, not a soak (Node's timers clamp far larger values to 1 ms). */
export const MAX_GAP_MS = 10 * 60_000;

/** `--gap` in ms, or the reason it is refused. */
export function parseGap(text: string): { ok: true; ms: number } | { ok: false; message: string } {
  try {
    const ms = parseDuration(text);
    if (ms <= MAX_GAP_MS) return { ok: true, ms };
    return { ok: false, message: `--gap: expected at most 10m (the pause between two sampling rounds), got ${JSON.stringify(text)}` };
  } catch (err) {
    return { ok: false, message: `--gap: ${(err as Error).message}` };
  }
}

export async function check(options: Options): Promise<number> {
  const view = options.from !== undefined ? await fromDaemon(options.from, options.service) : await sampleLocally(options);
  if (typeof view === 'number') return view;
  const code = exitCodeFor(view, { allowNoData: options.allowNoData });
  if (options.json) {
    console.log(redact(checkJson(view, code)));
  } else {
    console.log(redact(renderTable(view)));
    console.log(`\n${observedText(view)}`);
    console.log(`result: ${VERDICTS[code]} (exit ${code})`);
  }
  return code;
}

const VERDICTS: Record<number, string> = {
  [CHECK_EXIT.ok]: 'ok',
  [CHECK_EXIT.breach]: 'BREACH',
  [CHECK_EXIT.cannotEvaluate]: 'could not evaluate (no data)',
  [CHECK_EXIT.incomplete]: 'INCOMPLETE: some objectives had no data (--allow-no-data to pass anyway)',
};

async function sampleLocally(options: Options): Promise<GateView | number> {
  const gap = parseGap(options.gap);
  if (!gap.ok) {
    console.error(`vigil check: ${gap.message}`);
    return CHECK_EXIT.cannotEvaluate;
  }
  const loaded = await loadConfig({ configPath: options.config, sloPaths: options.slo });
  for (const warning of loaded.warnings) console.error(`warning: ${warning}`);
  if (!loaded.ok) {
    for (const issue of loaded.issues) console.error(formatIssue(issue));
    console.error(`vigil check: invalid config (${loaded.issues.length} issue(s))`);
    return CHECK_EXIT.cannotEvaluate;
  }
  for (const warning of samplingWarnings(loaded.config)) console.error(`warning: ${warning}`);
  try {
    const snapshot = await sampleOnce(loaded.config, { service: options.service, gapMs: gap.ms });
    return { services: snapshot.services, sources: snapshot.sources, sampleSpan: options.gap };
  } catch (err) {
    if (isVigilError(err, ERR.VIGIL_ERR_UNKNOWN_SERVICE)) {
      console.error(`vigil check: ${err.message}`);
      return CHECK_EXIT.cannotEvaluate;
    }
    throw err;
  }
}

/** The daemon's last evaluation over its API, validated against the API's own schemas. */
async function fromDaemon(base: string, service: string | undefined): Promise<GateView | number> {
  const get = async (path: string): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(new URL(path, base), { signal: AbortSignal.timeout(10_000), headers: { accept: 'application/json' } });
    return { status: res.status, body: await res.json().catch(() => null) };
  };
  try {
    const list = await get('/api/sla');
    if (list.status !== 200) {
      console.error(`vigil check: ${base}/api/sla answered ${list.status}${list.status === 503 ? ' (no evaluation finished yet)' : ''}`);
      return CHECK_EXIT.cannotEvaluate;
    }
    const names = fromWire(serviceListResponseSchema, list.body).services.map((s) => s.service);
    if (service !== undefined && !names.includes(service)) {
      console.error(`vigil check: unknown service ${JSON.stringify(service)} at ${base} (known: ${names.join(', ') || 'none'})`);
      return CHECK_EXIT.cannotEvaluate;
    }
    const services = [];
    const sources = new Map<string, SourceHealth>();
    for (const name of service !== undefined ? [service] : names) {
      const current = await get(`/api/sla/${encodeURIComponent(name)}/current`);
      if (current.status !== 200) {
        console.error(`vigil check: ${base}/api/sla/${name}/current answered ${current.status}`);
        return CHECK_EXIT.cannotEvaluate;
      }
      const body = fromWire(serviceCurrentResponseSchema, current.body);
      services.push({ service: body.service, objectives: body.objectives });
      for (const s of body.sources) sources.set(`${s.kind}/${s.name}`, s);
    }
    return { services, sources: [...sources.values()], sampleSpan: null };
  } catch (err) {
    console.error(redact(`vigil check: cannot read the daemon at ${base}: ${describeError(err)}`));
    return CHECK_EXIT.cannotEvaluate;
  }
}

/** `<= 50ms`, `>= 80%`, `>= 99.9% of 30d` (the daemon), `>= 99.9% over 3s sample` (a local check), `no leak`. */
function boundOf(o: ObjectiveResult, sampleSpan: string | null): string {
  const parts: string[] = [];
  if (o.threshold?.max) parts.push(`<= ${o.threshold.max.display}`);
  if (o.threshold?.min) parts.push(`>= ${o.threshold.min.display}`);
  if (o.target !== null) {
    const scope = sampleSpan === null ? `of ${o.period}` : `over ${sampleSpan} sample`;
    parts.push(`>= ${Number((o.target * 100).toPrecision(6))}% ${scope}`);
  }
  if (o.kind === 'memoryLeak') parts.push('no leak');
  return parts.join(', ') || '-';
}

/** Why a row looks the way it does: the error, the leak verdict, or how many probes failed. */
export function noteOf(o: ObjectiveResult): string {
  if (o.error) return o.error;
  if (o.leak) return `leak verdict: ${o.leak.verdict}`;
  if (o.kind === 'probe') {
    const failed = o.breakdown.filter((b) => Number(b.labels.failed ?? 0) > 0);
    if (failed.length > 0) {
      return failed.map((b) => `${b.labels.failed} of ${b.labels.probes} probes of ${b.labels.url} failed`).join('; ');
    }
  }
  return '';
}

/** How much the gate saw: objectives with data, over what span. */
export function observedText(view: Pick<GateView, 'services' | 'sampleSpan'>): string {
  const objectives = view.services.flatMap((s) => s.objectives);
  const withData = objectives.filter((o) => o.status !== 'no_data').length;
  const span =
    view.sampleSpan === null
      ? "the daemon's windows and periods"
      : `a ${view.sampleSpan} sample (targets judged over the sample, not the period)`;
  return `observed: ${withData} of ${objectives.length} objectives had data, judged over ${span}`;
}

export function renderTable(view: GateView): string {
  const rows: string[][] = [['SERVICE', 'OBJECTIVE', 'VALUE', 'BOUND', 'STATUS', 'NOTE']];
  for (const svc of view.services) {
    for (const o of svc.objectives) {
      rows.push([svc.service, o.name, o.value?.display ?? '-', boundOf(o, view.sampleSpan), o.status.toUpperCase(), noteOf(o)]);
    }
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const lines = rows.map((r) =>
    r
      .map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd(),
  );
  const down = view.sources.filter((s) => !s.up);
  if (down.length > 0) {
    lines.push('', 'sources down:');
    for (const s of down) lines.push(`  ${s.kind}/${s.name}: ${s.lastError ?? 'no sample yet'}`);
  }
  return lines.join('\n');
}
