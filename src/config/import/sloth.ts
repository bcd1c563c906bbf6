import { z } from 'zod';
import { suggestion } from '../did-you-mean.js';
import type { PathSegment } from '../yaml-source.js';
import { type IssueSink, vigilName } from './import-issues.js';

/**
 * Sloth `prometheus/v1` SLO specs -> vigil/v1. Sloth's meaning is kept: `objective` is a
 * percentage of good events, the SLI is `error_query / total_query` (or a raw error ratio),
 * windows are substituted where Sloth writes `{{.window}}`, the period is Sloth's default 30
 * days, and the alerts are the workbook's multi-window multi-burn-rate page and ticket alerts
 * (vigil's `google-sre-30d` window set is exactly Sloth's default).
 */

/** Sloth reads label values as strings; YAML types `true` or `2` otherwise, so they are spelt back. */
const labelValue = z.union([z.string(), z.number(), z.boolean()]).transform(String);
const labels = z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'expected a Prometheus label name'), labelValue);
const query = z.string().min(1, 'expected a PromQL query');

const alertBody = z.looseObject({
  disable: z.boolean().optional(),
  labels: labels.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

const slothSloSchema = z.looseObject({
  name: z.string().min(1),
  objective: z
    .number()
    .gt(0, 'expected an objective above 0 (a percentage)')
    .lt(100, 'expected an objective below 100 (100% leaves no error budget)'),
  description: z.string().optional(),
  labels: labels.optional(),
  plugins: z.unknown().optional(),
  sli: z.looseObject({
    events: z.looseObject({ error_query: query, total_query: query }).optional(),
    raw: z.looseObject({ error_ratio_query: query }).optional(),
    plugin: z.looseObject({ id: z.string(), options: z.record(z.string(), z.unknown()).optional() }).optional(),
  }),
  alerting: z
    .looseObject({
      name: z.string().optional(),
      labels: labels.optional(),
      annotations: z.record(z.string(), z.string()).optional(),
      page_alert: alertBody.optional(),
      ticket_alert: alertBody.optional(),
    })
    .optional(),
});

/** The top level; each SLO is parsed on its own so one broken SLO does not hide another's errors. */
export const slothSpecSchema = z.looseObject({
  version: z.literal('prometheus/v1'),
  service: z.string().min(1),
  labels: labels.optional(),
  slo_plugins: z.unknown().optional(),
  slos: z.array(z.unknown()).min(1, 'expected at least one SLO'),
});

type SlothSlo = z.infer<typeof slothSloSchema>;

/**
 * Sloth's YAML decoding ignores keys it does not know (`pageAlert` beside `page_alert` is silently
 * nothing there); vigil reads the file the same way but says so: a positioned warning per unknown
 * key, with the nearest known key.
 */
function warnUnknownKeys(value: unknown, shape: Record<string, unknown>, sink: IssueSink, path: PathSegment[] = []): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
  const known = Object.keys(shape);
  for (const [key, inner] of Object.entries(value)) {
    if (!known.includes(key)) {
      sink.warn([...path, key], `key ignored (Sloth ignores it too)${suggestion(key, known)}`);
      continue;
    }
    const child = unwrapShape(shape[key]);
    if (child !== null) warnUnknownKeys(inner, child, sink, [...path, key]);
  }
}

/** The object shape under optional/transform wrappers, or null for a leaf or a record. */
function unwrapShape(schema: unknown): Record<string, unknown> | null {
  let s = schema as { shape?: Record<string, unknown>; unwrap?: () => unknown; def?: { type?: string } } | undefined;
  for (let guard = 0; s && guard < 5; guard++) {
    if (s.shape !== undefined) return s.shape;
    if (typeof s.unwrap !== 'function') return null;
    s = s.unwrap() as typeof s;
  }
  return null;
}

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

/**
 * The Kubernetes form read as Sloth's controller reads it: its `spec` is a prometheus/v1 spec
 * (service, labels, slos); issues point into `spec`.
 */
export function convertSlothKubernetes(doc: unknown, sink: IssueSink): Record<string, unknown> | null {
  const d = doc as { apiVersion?: unknown; kind?: unknown; spec?: unknown };
  if (d.apiVersion !== 'sloth.slok.dev/v1') {
    sink.error(
      ['apiVersion'],
      `expected apiVersion sloth.slok.dev/v1 (the version Sloth's PrometheusServiceLevel is served as), got ${JSON.stringify(d.apiVersion)}`,
    );
    return null;
  }
  if (d.kind === 'AlertWindows') {
    sink.error(
      ['kind'],
      "Sloth AlertWindows (custom burn-rate windows) are not read: name one of vigil's window sets in the objectives (alert.burnRateWindows), or define one in a windowSets file named in vigil.yaml (docs/alerting-rules.md)",
    );
    return null;
  }
  if (d.kind !== 'PrometheusServiceLevel') {
    sink.error(['kind'], `expected kind PrometheusServiceLevel for apiVersion sloth.slok.dev/v1, got ${JSON.stringify(d.kind)}`);
    return null;
  }
  if (d.spec === null || typeof d.spec !== 'object' || Array.isArray(d.spec)) {
    sink.error(['spec'], 'expected a spec with service and slos');
    return null;
  }
  // The custom resource spells the spec's keys in camelCase; the converter reads the file form,
  // and positions and paths are mapped back to the keys as written.
  const inner = sink.mapped((p) => ['spec', ...p.map(toCamel)]);
  return convertSloth({ version: 'prometheus/v1', ...(renameKeys(d.spec, ['spec'], sink) as object) }, inner);
}

/** The CRD's camelCase keys and the file form's snake_case ones. */
const CAMEL_TO_SNAKE: Readonly<Record<string, string>> = {
  errorQuery: 'error_query',
  totalQuery: 'total_query',
  errorRatioQuery: 'error_ratio_query',
  pageAlert: 'page_alert',
  ticketAlert: 'ticket_alert',
  sloPlugins: 'slo_plugins',
};
const SNAKE_TO_CAMEL = Object.fromEntries(Object.entries(CAMEL_TO_SNAKE).map(([c, s]) => [s, c]));

function toCamel(segment: PathSegment): PathSegment {
  return typeof segment === 'string' ? (SNAKE_TO_CAMEL[segment] ?? segment) : segment;
}

/**
 * The custom resource with the file form's keys. A file-form spelling in the resource
 * (`page_alert`) is no field of the CRD, so Sloth never sees it: dropped with a warning, as
 * Sloth's file decoder drops `pageAlert`.
 */
function renameKeys(value: unknown, path: PathSegment[], sink: IssueSink): unknown {
  if (Array.isArray(value)) return value.map((v, i) => renameKeys(v, [...path, i], sink));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (SNAKE_TO_CAMEL[k] !== undefined) {
      sink.warn([...path, k], `key ignored (a PrometheusServiceLevel has no such field); did you mean "${SNAKE_TO_CAMEL[k]}"?`);
      continue;
    }
    out[CAMEL_TO_SNAKE[k] ?? k] = renameKeys(v, [...path, k], sink);
  }
  return out;
}

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
  warnUnknownKeys(doc, { ...slothSpecSchema.shape, slos: null }, sink);
  refusePlugins(spec.slo_plugins, ['slo_plugins'], sink);
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
    warnUnknownKeys(raw, slothSloSchema.shape, at);
    refusePlugins(slo.plugins, ['plugins'], at);
    const name = vigilName(slo.name);
    if (name === null) at.error(['name'], `cannot make a vigil objective name of "${slo.name}"`);
    else if (names.has(name))
      at.error(['name'], `"${slo.name}" gives the objective name ${name}, already used by slos[${names.get(name)}]`);
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

/**
 * Sloth SLO plugins (`slo_plugins` on the spec, `plugins` on an SLO) are Go code run on Sloth's
 * rule generation; vigil generates its own rules and cannot run them: one positioned error.
 */
function refusePlugins(plugins: unknown, path: PathSegment[], sink: IssueSink): void {
  if (plugins === undefined || plugins === null) return;
  const chain = (plugins as { chain?: unknown }).chain;
  const ids = Array.isArray(chain) ? chain.map((p) => (p as { id?: unknown })?.id).filter((id) => typeof id === 'string') : [];
  sink.error(
    path,
    `Sloth SLO plugins${ids.length > 0 ? ` (${ids.join(', ')})` : ''} run Go code on Sloth's rule generation, which vigil cannot; remove them (vigil writes its own rules, see docs/importing.md)`,
  );
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
    if (!/\{\{-?\s*\.window\s*-?\}\}/.test(q))
      sink.error(path, 'expected a {{.window}} placeholder where the range goes, e.g. rate(x[{{.window}}])');
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
  if (alerting.name !== undefined)
    sink.warn(['name'], `alert name "${alerting.name}" dropped: vigil names burn-rate alerts VigilErrorBudgetBurn`);
  for (const [key, value] of Object.entries(alerting.annotations ?? {})) {
    if (RUNBOOK_KEYS.includes(key) && /^https?:\/\//.test(value)) alert.runbookUrl = value;
    else sink.warn(['annotations', key], 'annotation dropped: vigil writes its own summary and description');
  }
  for (const which of ['page_alert', 'ticket_alert'] as const) {
    const body = alerting[which];
    if (body?.labels !== undefined || body?.annotations !== undefined) {
      // Named by severity, not by key: the Kubernetes form spells the key pageAlert (the path shows it as written).
      sink.warn(
        [which],
        `${which === 'page_alert' ? 'page' : 'ticket'} alert labels/annotations dropped: vigil sets severity page/ticket from the window set`,
      );
    }
  }
  const pageOff = alerting.page_alert?.disable === true;
  const ticketOff = alerting.ticket_alert?.disable === true;
  if (pageOff && ticketOff) alert.disabled = true;
  else if (pageOff) alert.burnRateWindows = 'ticket-only-30d';
  else if (ticketOff) alert.burnRateWindows = 'page-only-30d';
  return alert;
}
