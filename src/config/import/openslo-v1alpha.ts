import { z } from 'zod';
import type { PathSegment } from '../yaml-source.js';
import { type IssueSink, vigilName } from './import-issues.js';
import { V1ALPHA_OBJECTIVE_KEYS, V1ALPHA_SLO_KEYS } from './openslo-keys.js';

/**
 * OpenSLO `v1alpha` (the version Sloth reads) read as `v1` documents, so one converter holds the
 * meaning. The differences that matter:
 * - an SLO's ratio lives in each objective (`objectives[].ratioMetrics`, spelt `ratioMetric` in
 *   parts of the spec) where v1 has one indicator per SLO: each objective becomes a v1 SLO of its
 *   own (named `<name>-<displayName or index>` when there are several);
 * - a metric is `{ source, queryType, query }` where v1 nests `metricSource: { type, spec }`;
 *   vigil takes `source: prometheus` (or `sloth`, as Sloth does) with `queryType: promql`;
 * - `timeWindows: [{ count, unit }]` where v1 writes a duration.
 * Each v1 document's sink maps paths back to the keys as written in the v1alpha file.
 */

const metric = z.looseObject({
  source: z.string().min(1),
  queryType: z.string().min(1),
  query: z.string(),
});
type Metric = z.infer<typeof metric>;

const ratio = z.looseObject({
  counter: z.boolean().optional(),
  // An older spelling of `counter` in the v1alpha drafts.
  incremental: z.boolean().optional(),
  good: metric.optional(),
  bad: metric.optional(),
  total: metric.optional(),
});

const objective = z.looseObject({
  displayName: z.string().optional(),
  ratioMetrics: ratio.optional(),
  ratioMetric: ratio.optional(),
});

const sloSpec = z.looseObject({
  service: z.string().min(1),
  indicator: z.looseObject({ thresholdMetric: metric }).optional(),
  timeWindows: z
    .array(
      z.looseObject({
        unit: z.string(),
        count: z.number().int('expected a whole count').positive('expected a count above 0'),
        isRolling: z.boolean().optional(),
        calendar: z.unknown().optional(),
      }),
    )
    .min(1)
    .optional(),
  objectives: z.array(objective).min(1, 'expected at least one objective'),
});

const head = z.looseObject({ kind: z.string(), metadata: z.looseObject({ name: z.string().min(1) }), spec: z.unknown() });

const UNITS: Readonly<Record<string, string>> = { second: 's', minute: 'm', hour: 'h', day: 'd', week: 'w' };

export function isOpenSloV1alpha(doc: unknown): boolean {
  return doc !== null && typeof doc === 'object' && (doc as { apiVersion?: unknown }).apiVersion === 'openslo/v1alpha';
}

export interface AsV1 {
  readonly value: unknown;
  readonly sink: IssueSink;
}

/**
 * The v1 documents a v1alpha document means. Nothing readable (issues in `sink`) gives none; a
 * kind other than SLO is passed on as v1 for the converter's own kind rules.
 */
export function v1alphaAsV1(doc: unknown, sink: IssueSink): AsV1[] {
  const parsed = head.safeParse(doc);
  const value = { ...(doc as object), apiVersion: 'openslo/v1' };
  if (!parsed.success || parsed.data.kind !== 'SLO') return [{ value, sink }];
  const spec = sloSpec.safeParse(parsed.data.spec);
  if (!spec.success) {
    sink.at(['spec']).zod(spec.error);
    return [];
  }
  const { metadata } = parsed.data;
  const raw = (parsed.data.spec as { objectives: Record<string, unknown>[] }).objectives;
  const timeWindow = windowOf(spec.data.timeWindows?.[0], sink.at(['spec', 'timeWindows', 0]));
  const several = spec.data.objectives.length > 1;
  // The spec's other keys (description, budgetingMethod, ...) are v1's too; keys v1alpha does not
  // define are left behind (warned about as ignored), not read with their v1 meaning.
  const { timeWindows: _t, indicator: _i, objectives: _o, ...specRest } = definedOnly(parsed.data.spec, V1ALPHA_SLO_KEYS);
  return spec.data.objectives.flatMap((o, i) => {
    const at = sink.at(['spec', 'objectives', i]);
    const ratioKey = o.ratioMetrics !== undefined ? 'ratioMetrics' : 'ratioMetric';
    const indicator = indicatorOf(o[ratioKey], spec.data.indicator?.thresholdMetric, ratioKey, at, sink.at(['spec', 'indicator']));
    if (indicator === null) return [];
    const { ratioMetrics: _r, ratioMetric: _m, ...rest } = definedOnly(raw[i], V1ALPHA_OBJECTIVE_KEYS);
    const name = several ? `${metadata.name}-${vigilName(o.displayName ?? '') ?? String(i + 1)}` : metadata.name;
    const v1 = {
      ...value,
      metadata: { ...metadata, name },
      spec: {
        ...specRest,
        ...(timeWindow === undefined ? {} : { timeWindow: [timeWindow] }),
        indicator: { metadata: { name }, spec: indicator },
        objectives: [rest],
      },
    };
    return [{ value: v1, sink: sink.mapped((p) => writtenPath(p, i, ratioKey)) }];
  });
}

function indicatorOf(
  r: z.infer<typeof ratio> | undefined,
  threshold: Metric | undefined,
  ratioKey: string,
  at: IssueSink,
  indicatorSink: IssueSink,
): Record<string, unknown> | null {
  if (r !== undefined && threshold !== undefined) {
    at.error([ratioKey], 'expected either ratioMetrics here or spec.indicator.thresholdMetric, not both');
    return null;
  }
  if (r === undefined && threshold === undefined) {
    at.error([], 'expected ratioMetrics (good or bad, and total), or a thresholdMetric under spec.indicator');
    return null;
  }
  if (threshold !== undefined) {
    const m = metricSource(threshold, indicatorSink.at(['thresholdMetric']));
    return m === null ? null : { thresholdMetric: m };
  }
  const out: Record<string, unknown> = {};
  const counter = r!.counter ?? r!.incremental;
  if (counter !== undefined) out.counter = counter;
  let ok = true;
  for (const side of ['good', 'bad', 'total'] as const) {
    const m = r![side];
    if (m === undefined) continue;
    const source = metricSource(m, at.at([ratioKey, side]));
    if (source === null) ok = false;
    else out[side] = source;
  }
  return ok ? { ratioMetric: out } : null;
}

/** `{ source, queryType, query }` as v1's `{ metricSource: { type, spec: { query } } }`; PromQL only. */
function metricSource(m: Metric, sink: IssueSink): Record<string, unknown> | null {
  if (m.queryType.toLowerCase() !== 'promql') {
    sink.error(['queryType'], `expected queryType promql (vigil evaluates PromQL), got ${JSON.stringify(m.queryType)}`);
    return null;
  }
  // Sloth takes `sloth` as a name for its Prometheus.
  const type = m.source.toLowerCase() === 'sloth' ? 'Prometheus' : m.source;
  return { metricSource: { type, spec: { query: m.query } } };
}

function definedOnly(value: unknown, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).filter(([k]) => keys.includes(k)));
}

type TimeWindow = NonNullable<z.infer<typeof sloSpec>['timeWindows']>[number];

function windowOf(w: TimeWindow | undefined, sink: IssueSink): Record<string, unknown> | undefined {
  if (w === undefined) return undefined;
  const unit = UNITS[w.unit.toLowerCase()];
  if (unit === undefined) {
    sink.error(
      ['unit'],
      `expected unit Second, Minute, Hour, Day or Week (months, quarters and years vary in length), got ${JSON.stringify(w.unit)}`,
    );
    return undefined;
  }
  const out: Record<string, unknown> = { duration: `${w.count}${unit}` };
  if (w.isRolling !== undefined) out.isRolling = w.isRolling;
  if (w.calendar !== undefined) out.calendar = w.calendar;
  return out;
}

/** A path of the v1 document made from objective `i` -> the path in the v1alpha document. */
function writtenPath(p: readonly PathSegment[], i: number, ratioKey: string): PathSegment[] {
  if (p[0] !== 'spec') return [...p];
  if (p[1] === 'indicator') {
    if (p[3] === 'ratioMetric') {
      const [side, ...rest] = p.slice(4);
      return side === undefined ? ['spec', 'objectives', i, ratioKey] : ['spec', 'objectives', i, ratioKey, side, ...metricPath(rest)];
    }
    if (p[3] === 'thresholdMetric') return ['spec', 'indicator', 'thresholdMetric', ...metricPath(p.slice(4))];
    return ['spec', 'objectives', i];
  }
  if (p[1] === 'objectives') return ['spec', 'objectives', i, ...p.slice(3)];
  if (p[1] === 'timeWindow') return p[3] === 'duration' ? ['spec', 'timeWindows', 0, 'count'] : ['spec', 'timeWindows', ...p.slice(2)];
  return [...p];
}

/** `metricSource.type` is `source`, `metricSource.spec.query` is `query`. */
function metricPath(p: readonly PathSegment[]): PathSegment[] {
  if (p[0] !== 'metricSource') return [...p];
  if (p[1] === 'type') return ['source'];
  if (p[1] === 'spec') return ['query'];
  return [];
}
