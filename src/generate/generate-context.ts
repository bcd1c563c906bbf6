import type { Objective, SloFile } from '../config/slo-schema.js';
import type { WindowSets } from '../config/window-sets.js';
import { objectivePageUrl } from '../ui/page-links.js';

/** Everything generation needs besides the SLO files; all of it is data, so generation is pure. */
export interface GenerateOptions {
  /** Burn-rate window sets by name: the config's (shipped ones and the team's own). */
  readonly windowSets: WindowSets;
  /** Grafana base URL for `dashboard_url` annotations; a relative `/d/<uid>` path when left out. */
  readonly grafanaUrl?: string;
  /**
   * Where a team's runbooks live when an objective names none (`<base>#<alert kind anchor>`).
   * Without it such alerts get no `runbook_url`: a link vigil would have to guess is worse than none.
   */
  readonly runbookBase?: string;
  /** The daemon's external URL: alerts get a `status_page_url` to the objective on the status page. */
  readonly externalUrl?: string;
}

export interface ObjectiveContext {
  readonly slo: SloFile;
  readonly objective: Objective;
  readonly options: GenerateOptions;
  readonly dashboardUid: string;
}

/** Labels every alert of an objective carries; vigil's own labels win over user labels. */
export function alertLabels(ctx: ObjectiveContext, severity: string, extra: Record<string, string> = {}): Record<string, string> {
  return sortKeys({
    ...(ctx.slo.labels ?? {}),
    ...(ctx.objective.labels ?? {}),
    ...extra,
    service: ctx.slo.service,
    objective: ctx.objective.name,
    severity,
  });
}

/** `runbook_url` only when the objective or the caller names where runbooks are; `dashboard_url` always. */
export function linkAnnotations(
  ctx: ObjectiveContext,
  anchor: string,
): { runbook_url?: string; dashboard_url: string; status_page_url?: string } {
  const runbook =
    ctx.objective.alert.runbookUrl ?? (ctx.options.runbookBase !== undefined ? `${ctx.options.runbookBase}#${anchor}` : undefined);
  const base = (ctx.options.grafanaUrl ?? '').replace(/\/+$/, '');
  const dashboard = ctx.objective.alert.dashboardUrl ?? `${base}/d/${ctx.dashboardUid}/${ctx.slo.service}`;
  const statusPage =
    ctx.options.externalUrl === undefined
      ? {}
      : { status_page_url: objectivePageUrl(ctx.options.externalUrl, ctx.slo.service, ctx.objective.name) };
  return { ...(runbook !== undefined ? { runbook_url: runbook } : {}), dashboard_url: dashboard, ...statusPage };
}

/** The record with its keys in code-point order (not locale order), so generated files are byte-stable. */
export function sortKeys<T>(record: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** `{service="x",objective="y"}`: how rules select an objective's recorded series. */
export function objectiveSelector(ctx: ObjectiveContext): string {
  return `{service=${JSON.stringify(ctx.slo.service)},objective=${JSON.stringify(ctx.objective.name)}}`;
}
