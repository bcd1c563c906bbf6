import type { MemoryLeakIndicator, SloFile } from '../config/slo-schema.js';
import { indicatorKind } from '../config/slo-schema.js';
import { matchers, promDuration, promFor, promNumber } from '../promql/promql-text.js';
import { byteSystem, formatBound, humanizeBytes } from './bound-text.js';
import { alertLabels, linkAnnotations, type ObjectiveContext, objectiveSelector } from './generate-context.js';
import { containerMatchers } from './indicator-queries.js';
import type { AlertingRule } from './rule-model.js';

/**
 * Memory leaks: vigil's own verdict (`vigil_memory_leak_suspected == 1`, a regression over the
 * leak window), and a fallback that needs only the memory series, so it still works while vigil
 * restarts or before a verdict exists: `predict_linear` over the last hours, 24 h ahead, against
 * the memory limit.
 */

export const LEAK_ALERT = 'VigilMemoryLeak';
export const EXHAUSTION_ALERT = 'VigilMemoryExhaustionPredicted';
/** How far back the fallback fits its line. */
const FIT_WINDOW_MS = 6 * 3_600_000;
const HORIZON_SECONDS = 24 * 3600;

/**
 * The memory ceiling the fallback predicts against: the indicator's `limit`, else the `max` of a
 * containerMemory objective of the same service over the same containers.
 */
export function leakLimit(slo: SloFile, leak: MemoryLeakIndicator): number | undefined {
  if (leak.limit !== undefined) return leak.limit;
  for (const o of slo.objectives) {
    if (indicatorKind(o.indicator) !== 'containerMemory') continue;
    const mem = (o.indicator as { containerMemory: MemoryLeakIndicator }).containerMemory;
    if (mem.source === leak.source && mem.containers === leak.containers && o.threshold?.max?.unit === 'bytes') {
      return o.threshold.max.value;
    }
  }
  return undefined;
}

export function leakRules(ctx: ObjectiveContext, leak: MemoryLeakIndicator): { rules: AlertingRule[]; notes: string[] } {
  const { slo, objective } = ctx;
  if (objective.alert.disabled) return { rules: [], notes: [] };
  const severity = objective.alert.severity;
  const held = promFor(objective.alert.for);
  const rules: AlertingRule[] = [
    {
      alert: LEAK_ALERT,
      expr: `max by (container) (vigil_memory_leak_suspected${objectiveSelector(ctx)}) == 1`,
      for: held,
      labels: alertLabels(ctx, severity),
      annotations: {
        summary: `${slo.service}/${objective.name}: memory of {{ $labels.container }} leaks`,
        description:
          `vigil's leak detector finds steady memory growth in {{ $labels.container }} over ${promDuration(leak.window)} ` +
          `(${slo.service}/${objective.name}); the bound is no leak.`,
        ...linkAnnotations(ctx, 'memory-leak'),
      },
    },
  ];
  const limit = leakLimit(slo, leak);
  const notes: string[] = [];
  const fit = promDuration(Math.min(FIT_WINDOW_MS, leak.window));
  const containerSel = matchers(containerMatchers(leak.source, leak.containers));
  const sel = `vigil_container_memory_working_set_bytes${containerSel}`;
  const predicted = `predict_linear(${sel}[${fit}], ${HORIZON_SECONDS})`;
  // Without a configured limit, each container's own limit (vigil exports it per container and
  // start) is the ceiling; a container without one reports the host's memory there.
  const expr =
    limit !== undefined
      ? `max by (container) (${predicted}) > ${promNumber(limit)}`
      : `max by (container) (\n  ${predicted}\n  > on (source, container, container_id, started_at)\n  vigil_container_memory_limit_bytes${containerSel}\n)`;
  const limitText = limit !== undefined ? formatBound({ value: limit, unit: 'bytes' }) : "the container's memory limit";
  if (limit === undefined) {
    notes.push(
      `objective ${objective.name}: the predict_linear fallback compares with each container's own memory limit (give memoryLeak.limit for a fixed ceiling)`,
    );
  }
  rules.push({
    alert: EXHAUSTION_ALERT,
    expr,
    for: held,
    labels: alertLabels(ctx, severity),
    annotations: {
      summary: `${slo.service}/${objective.name}: {{ $labels.container }} will exceed ${limitText} within 24h`,
      description:
        `Memory of {{ $labels.container }}, extrapolated 24h ahead from its last ${fit}, reaches ${humanizeBytes(limit === undefined ? 'binary' : byteSystem(limit))}; ` +
        `the bound is at most ${limitText} (${slo.service}/${objective.name}).`,
      ...linkAnnotations(ctx, 'memory-exhaustion'),
    },
  });
  return { rules, notes };
}
