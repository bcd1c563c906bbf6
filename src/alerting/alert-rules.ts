import type { LoadedSloFile } from '../config/config.js';
import type { Objective } from '../config/slo-schema.js';
import type { Snapshot } from '../snapshot/snapshot-schema.js';
import { objectivePageUrl } from '../ui/page-links.js';
import { formatDuration, formatQuantity } from '../units/units.js';
import type { AlertContent } from './alert-tracker.js';

/**
 * Which alerts fire for a snapshot: one per breached objective (and, where opted in, one per
 * objective without data), with the labels on-call routes on and the annotations they read.
 * Pure: snapshot and SLO files in, alert contents out.
 */

export interface AlertLinks {
  /** Grafana base URL; the dashboard link is `<grafanaUrl>/d/<uid>`. */
  grafanaUrl?: string | undefined;
  /** Uid of a service's generated dashboard. */
  dashboardUid: (service: string) => string;
  /** The daemon's external URL; alerts then link to the objective on the status page. */
  externalUrl?: string | undefined;
}

type ServiceResult = Snapshot['services'][number];
type ObjectiveResult = ServiceResult['objectives'][number];

const RESERVED = new Set(['alertname', 'service', 'objective', 'severity']);

interface ServiceEntry {
  readonly labels: Readonly<Record<string, string>>;
  readonly objectives: ReadonlyMap<string, Objective>;
}

/** The files' services by name, built once per config (its file list is replaced whole on reload). */
const servicesByFiles = new WeakMap<readonly LoadedSloFile[], ReadonlyMap<string, ServiceEntry>>();
function servicesOf(files: readonly LoadedSloFile[]): ReadonlyMap<string, ServiceEntry> {
  let services = servicesByFiles.get(files);
  if (!services) {
    const built = new Map<string, ServiceEntry>();
    for (const { slo } of files)
      built.set(slo.service, { labels: slo.labels ?? {}, objectives: new Map(slo.objectives.map((o) => [o.name, o])) });
    servicesByFiles.set(files, (services = built));
  }
  return services;
}

export function firingAlerts(snapshot: Snapshot, files: readonly LoadedSloFile[], links: AlertLinks): AlertContent[] {
  const services = servicesOf(files);
  const out: AlertContent[] = [];
  for (const service of snapshot.services) {
    const entry = services.get(service.service);
    for (const result of service.objectives) {
      const objective = entry?.objectives.get(result.name);
      if (!entry || !objective || objective.alert.disabled) continue;
      const alertname = alertNameFor(result, objective);
      if (alertname === null) continue;
      const absent = objective.alert.absent;
      out.push({
        labels: labelsFor(alertname, service, result, objective, entry.labels),
        annotations: annotationsFor(service, result, objective, links),
        forMs: result.status === 'no_data' && typeof absent === 'object' ? absent.for : objective.alert.for,
      });
    }
  }
  return out;
}

function alertNameFor(result: ObjectiveResult, objective: Objective): string | null {
  if (result.status === 'breach') return result.kind === 'memoryLeak' ? 'VigilMemoryLeak' : 'VigilObjectiveBreach';
  if (result.status === 'no_data' && objective.alert.absent !== false) return 'VigilObjectiveNoData';
  return null;
}

function labelsFor(
  alertname: string,
  service: ServiceResult,
  result: ObjectiveResult,
  objective: Objective,
  serviceLabels: Readonly<Record<string, string>>,
): Record<string, string> {
  const labels: Record<string, string> = {};
  // Service and objective labels (team, tier, ...) route alerts; they never override identity.
  for (const [k, v] of Object.entries({ ...serviceLabels, ...(objective.labels ?? {}) })) {
    if (!RESERVED.has(k)) labels[k] = v;
  }
  labels.alertname = alertname;
  labels.service = service.service;
  labels.objective = result.name;
  labels.severity = objective.alert.severity;
  return labels;
}

function annotationsFor(service: ServiceResult, result: ObjectiveResult, objective: Objective, links: AlertLinks): Record<string, string> {
  const what = `${service.service}/${result.name}`;
  const value = result.value?.display ?? 'no data';
  const bound = describeBound(result);
  const summary =
    result.status === 'no_data'
      ? `${what} has no data`
      : result.kind === 'memoryLeak'
        ? `${what}: memory leak detected`
        : `${what} breached: ${value}${bound ? ` against ${bound}` : ''}`;

  const parts: string[] = [];
  if (objective.description) parts.push(objective.description.trim());
  if (result.status === 'no_data') parts.push(result.error ?? 'The indicator has no recent data.');
  else parts.push(`Value ${value}${bound ? ` against ${bound}` : ''} over ${result.window}.`);
  if (result.leak && result.leak.growthBytesPerHour !== null) {
    const eta = result.leak.exhaustionEtaSeconds;
    parts.push(
      `Memory floor grows ${formatBytesPerHour(result.leak.growthBytesPerHour)} (confidence ${pct(result.leak.confidence)})` +
        (eta !== null ? `; the limit is reached in about ${formatDuration(eta * 1000)}.` : '.'),
    );
  }
  if (result.errorBudgetRemaining !== null && result.target !== null) {
    parts.push(
      `Error budget remaining: ${pct(result.errorBudgetRemaining)} of ${pct(1 - result.target)} over ${result.period ?? 'the period'}.`,
    );
  }
  const worstBurn = result.burnRates.reduce<number | null>((m, b) => (b.rate !== null && (m === null || b.rate > m) ? b.rate : m), null);
  if (worstBurn !== null && worstBurn > 1) parts.push(`Highest burn rate: ${worstBurn.toFixed(1)}x.`);

  const annotations: Record<string, string> = { summary, description: parts.join(' ') };
  if (objective.alert.runbookUrl) annotations.runbook_url = objective.alert.runbookUrl;
  const dashboard =
    objective.alert.dashboardUrl ??
    (links.grafanaUrl ? `${links.grafanaUrl.replace(/\/$/, '')}/d/${links.dashboardUid(service.service)}` : undefined);
  if (dashboard) annotations.dashboard_url = dashboard;
  if (links.externalUrl) annotations.status_page_url = objectivePageUrl(links.externalUrl, service.service, result.name);
  return annotations;
}

function describeBound(result: ObjectiveResult): string | null {
  const t = result.threshold;
  if (t?.max && t?.min) return `${t.min.display}..${t.max.display}`;
  if (t?.max) return `max ${t.max.display}`;
  if (t?.min) return `min ${t.min.display}`;
  if (result.target !== null) return `target ${pct(result.target)}`;
  return null;
}

function pct(ratio: number): string {
  return formatQuantity({ value: ratio, unit: 'ratio' });
}

function formatBytesPerHour(bytesPerHour: number): string {
  const mib = bytesPerHour / 2 ** 20;
  return `${Number(mib.toPrecision(3))} MiB/h`;
}
