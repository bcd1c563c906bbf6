import { z } from 'zod';
import { IssueSink, vigilName } from './import-issues.js';

/**
 * Sloth `prometheus/v1` SLO specs -> vigil/v1. Sloth's meaning is kept: `objective` is a
 * percentage of good events, the SLI is `error_query / total_query` (or a raw error ratio),
 * windows are substituted where Sloth writes `{{.window}}`, the period is Sloth's default 30
 * days, and the alerts are the workbook's multi-window multi-burn-rate page and ticket alerts
 * (vigil's `google-sre-30d` window set is exactly Sloth's default).
 */

const labels = z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'expected a Prometheus label name'), z.string());
const query = z.string().min(1, 'expected a PromQL query');

const alertBody = z.strictObject({
  disable: z.boolean().optional(),
  labels: labels.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

const slothSloSchema = z.strictObject({
    name: z.string().min(1),
    objective: z.number().gt(0, 'expected an objective above 0 (a percentage)').lt(100, 'expected an objective below 100 (100% leaves no error budget)'),
    description: z.string().optional(),
    labels: labels.optional(),
    sli: z.strictObject({
      events: z.strictObject({ error_query: query, total_query: query }).optional(),
      raw: z.strictObject({ error_ratio_query: query }).optional(),
      plugin: z.strictObject({ id: z.string(), options: z.record(z.string(), z.unknown()).optional() }).optional(),
    }),
    alerting: z
      .strictObject({
        name: z.string().optional(),
        labels: labels.optional(),
        annotations: z.record(z.string(), z.string()).optional(),
        page_alert: alertBody.optional(),
        ticket_alert: alertBody.optional(),
      })
      .optional(),
});

/** The top level; each SLO is parsed on its own so one broken SLO does not hide another's errors. */
export const slothSpecSchema = z.strictObject({
  version: z.literal('prometheus/v1'),
  service: z.string().min(1),
  labels: labels.optional(),
  slos: z.array(z.unknown()).min(1, 'expected at least one SLO'),
});

type SlothSlo = z.infer<typeof slothSloSchema>;

export function isSlothDocument(doc: unknown): boolean {
  return doc !== null && typeof doc === 'object' && !Array.isArray(doc) && (doc as { version?: unknown }).version === 'prometheus/v1';
}

/**
 * Sloth's Kubernetes form (`apiVersion: sloth.slok.dev/v1`, `kind: PrometheusServiceLevel`) holds
 * the prometheus/v1 fields under `spec`. vigil does not read it (a cluster object, not a file
 * of SLOs); the loader says so in one issue rather than six schema errors.
 */
export function isSlothKubernetesDocument(doc: unknown): boolean {
  const v = doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? (doc as { apiVersion?: unknown }).apiVersion : undefined;
  return typeof v === 'string' && v.startsWith('sloth.slok.dev/');
}

export const SLOTH_KUBERNETES_MESSAGE =
  "Sloth's Kubernetes format (PrometheusServiceLevel) is not supported: use the prometheus/v1 form " +
  '(version: "prometheus/v1" with the service, labels and slos of its spec)';

/** Sloth's `{{.window}}` (Go template) is vigil's `{{window}}`. */
export function slothWindow(q: string): string {
  return q.replace(/\{\{-?\s*\.window\s*-?\}\}/g, '{{window}}');
}

const SLOTH_PERIOD = '30d';
const RUNBOOK_KEYS = ['runbook_url', 'runbook'];

export function convertSloth(doc: unknown, sink: IssueSink): Record<string, unknown> | null {
  const parsed = slothSpecSchema.safeParse(doc);
  if (!parsed.success) {
    sink.zod(parsed.error);
    return null;
  }
  const spec = parsed.data;
  const service = vigilName(spec.service);
  if (service === null) sink.error(['service'], `cannot make a vigil service name of "${spec.service}"`);
  const names = new Map<string, number>();
  const objectives = spec.slos.map((raw, i) => {
    const at = sink.at(['slos', i]);
    const one = slothSloSchema.safeParse(raw);
    if (!one.success) {
      at.zod(one.error);
      return null;
    }
    const slo = one.data;
    const name = vigilName(slo.name);
    if (name === null) at.error(['name'], `cannot make a vigil objective name of "${slo.name}"`);
    else if (names.has(name)) at.error(['name'], `"${slo.name}" gives the objective name ${name}, already used by slos[${names.get(name)}]`);
    else names.set(name, i);
    const ratio = sliRatio(slo.sli, at.at(['sli']));
    const objective: Record<string, unknown> = { name };
    if (slo.description !== undefined) objective.description = slo.description;
    const objectiveLabels = { ...(slo.labels ?? {}), ...(slo.alerting?.labels ?? {}) };
    if (Object.keys(objectiveLabels).length > 0) objective.labels = objectiveLabels;
    objective.indicator = { ratio };
    objective.target = `${slo.objective}%`;
    objective.period = SLOTH_PERIOD;
    objective.alert = alertSettings(slo.alerting, at.at(['alerting']));
    return objective;
  });
  if (!sink.ok) return null;
  const out: Record<string, unknown> = { apiVersion: 'vigil/v1', kind: 'ServiceLevels', service };
  if (spec.labels !== undefined) out.labels = spec.labels;
  out.objectives = objectives;
  return out;
}

function sliRatio(sli: SlothSlo['sli'], sink: IssueSink): Record<string, string> | null {
  const kinds = (['events', 'raw', 'plugin'] as const).filter((k) => sli[k] !== undefined);
  if (kinds.length !== 1) {
    sink.error([], `expected exactly one of events, raw or plugin, got ${kinds.length === 0 ? 'none' : kinds.join(' and ')}`);
    return null;
  }
  if (sli.plugin !== undefined) {
    sink.error(['plugin'], `Sloth SLI plugins (${sli.plugin.id}) run Go code vigil cannot; write the SLI as events or raw queries`);
    return null;
  }
  const needsWindow = (q: string, path: string[]) => {
    if (!/\{\{-?\s*\.window\s*-?\}\}/.test(q)) sink.error(path, 'expected a {{.window}} placeholder where the range goes, e.g. rate(x[{{.window}}])');
  };
  if (sli.events !== undefined) {
    needsWindow(sli.events.error_query, ['events', 'error_query']);
    needsWindow(sli.events.total_query, ['events', 'total_query']);
    return { errors: slothWindow(sli.events.error_query.trim()), total: slothWindow(sli.events.total_query.trim()) };
  }
  const raw = sli.raw!.error_ratio_query;
  needsWindow(raw, ['raw', 'error_ratio_query']);
  const q = slothWindow(raw.trim());
  // A raw ratio has no event counts: one "event" per evaluation, its error share the ratio.
  return { errors: `(${q})`, total: `(${q}) * 0 + 1` };
}

function alertSettings(alerting: SlothSlo['alerting'], sink: IssueSink): Record<string, unknown> {
  const alert: Record<string, unknown> = { burnRateWindows: 'google-sre-30d' };
  if (alerting === undefined) return alert;
  if (alerting.name !== undefined) sink.warn(['name'], `alert name "${alerting.name}" dropped: vigil names burn-rate alerts VigilErrorBudgetBurn`);
  for (const [key, value] of Object.entries(alerting.annotations ?? {})) {
    if (RUNBOOK_KEYS.includes(key) && /^https?:\/\//.test(value)) alert.runbookUrl = value;
    else sink.warn(['annotations', key], 'annotation dropped: vigil writes its own summary and description');
  }
  for (const which of ['page_alert', 'ticket_alert'] as const) {
    const body = alerting[which];
    if (body?.labels !== undefined || body?.annotations !== undefined) {
      sink.warn([which], `${which} labels/annotations dropped: vigil sets severity page/ticket from the window set`);
    }
  }
  const pageOff = alerting.page_alert?.disable === true;
  const ticketOff = alerting.ticket_alert?.disable === true;
  if (pageOff && ticketOff) alert.disabled = true;
  else if (pageOff) alert.burnRateWindows = 'ticket-only-30d';
  else if (ticketOff) alert.burnRateWindows = 'page-only-30d';
  return alert;
}
