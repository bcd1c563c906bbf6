import type { MemoryLeakIndicator, Objective, SloFile } from '../config/slo-schema.js';
import { indicatorKind } from '../config/slo-schema.js';
import { matchers, promFor } from '../promql/promql-text.js';
import { alertLabels, type GenerateOptions, linkAnnotations, type ObjectiveContext } from './generate-context.js';
import { containerMatchers, type IndicatorQuery, indicatorQuery } from './indicator-queries.js';
import { leakRules } from './leak-rules.js';
import { ratioRules } from './ratio-rules.js';
import type { AlertingRule, Rule, RuleFile, RuleGroup } from './rule-model.js';
import { thresholdRules } from './threshold-rules.js';
import { badSliceRecord, timesliceQuery } from './timeslice-rules.js';

/**
 * One rule file per service: a group per objective (recording rules first, then the alerts
 * that read them: rules of a group run in order, so an alert sees this cycle's ratios).
 */

export const ABSENT_ALERT = 'VigilNoData';

export interface ServiceRules {
  readonly file: RuleFile;
  /** Things left out, for the CLI to print (e.g. a leak objective without a memory limit). */
  readonly notes: string[];
}

export function serviceDashboardUid(service: string): string {
  // Grafana uids are at most 40 characters; service names at most 63.
  const uid = `vigil-svc-${service}`;
  if (uid.length <= 40) return uid;
  let hash = 0x811c9dc5;
  for (const ch of service) hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return `vigil-svc-${service.slice(0, 21)}-${hash.toString(16).padStart(8, '0')}`;
}

export function serviceRules(slo: SloFile, options: GenerateOptions): ServiceRules {
  const notes: string[] = [];
  const groups: RuleGroup[] = [];
  for (const objective of slo.objectives) {
    const ctx: ObjectiveContext = { slo, objective, options, dashboardUid: serviceDashboardUid(slo.service) };
    const rules: Rule[] = [];
    if (indicatorKind(objective.indicator) === 'memoryLeak') {
      const leak = (objective.indicator as { memoryLeak: MemoryLeakIndicator }).memoryLeak;
      const out = leakRules(ctx, leak);
      rules.push(...out.rules);
      notes.push(...out.notes);
      const absent = absentRule(
        ctx,
        `vigil_container_memory_working_set_bytes${matchers(containerMatchers(leak.source, leak.containers))}`,
      );
      if (absent) rules.push(absent);
    } else {
      const query = indicatorQuery(objective);
      if (query.kind === 'ratio') {
        rules.push(...ratioRules(ctx, query));
      } else {
        if (objective.target !== undefined && objective.threshold !== undefined) {
          rules.push(badSliceRecord(ctx, query), ...ratioRules(ctx, timesliceQuery(ctx, query)));
        }
        rules.push(...thresholdRules(ctx, query));
      }
      const absent = absentRule(ctx, query.absent);
      if (absent) rules.push(absent);
    }
    if (rules.length > 0) groups.push({ name: groupName(slo, objective), rules });
  }
  return { file: { groups }, notes };
}

function groupName(slo: SloFile, objective: Objective): string {
  return `vigil.${slo.service}.${objective.name}`;
}

/** Opt-in: no data at all for `absent.for` (or the alert's `for:`) is an alert of its own. */
function absentRule(ctx: ObjectiveContext, selector: string): AlertingRule | undefined {
  const { absent, disabled } = ctx.objective.alert;
  if (absent === false || disabled) return undefined;
  const held = promFor(absent === true ? ctx.objective.alert.for : absent.for);
  return {
    alert: ABSENT_ALERT,
    expr: `absent(${selector})`,
    for: held,
    labels: alertLabels(ctx, ctx.objective.alert.severity),
    annotations: {
      summary: `${ctx.slo.service}/${ctx.objective.name}: no data`,
      description: `No series for ${ctx.slo.service}/${ctx.objective.name} for ${held}; the bound is data present (${selector}).`,
      ...linkAnnotations(ctx, 'no-data'),
    },
  };
}

export type { IndicatorQuery };
