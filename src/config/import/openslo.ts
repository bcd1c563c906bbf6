import { z } from 'zod';
import { ERR, isVigilError } from '../../core/errors.js';
import { parseDuration } from '../../units/units.js';
import { IssueSink, type Locate, vigilName } from './import-issues.js';
import { warnUnknownOpenSloKeys } from './openslo-keys.js';
import { isOpenSloV1alpha, v1alphaAsV1 } from './openslo-v1alpha.js';

/**
 * OpenSLO v1 (`apiVersion: openslo/v1`; kinds SLO, SLI, Service; `v1alpha` is read as v1 by
 * openslo-v1alpha.ts) -> vigil/v1, one vigil file per service. Meaning kept:
 * - ratioMetric good|bad / total -> a ratio objective (`budgetingMethod: Occurrences`); counters
 *   (`counter: true`, the default) are turned into per-second rates over vigil's `{{window}}`.
 * - thresholdMetric + objective `op`/`value` -> a promql threshold objective (lt/lte = max,
 *   gt/gte = min); with a target it counts good time slices (`Timeslices`), like OpenSLO.
 * - `timeWindow[0].duration` (rolling) -> `period`; `objectives[].target` -> `target`.
 * Only `metricSource.type: Prometheus` can be evaluated by vigil; other sources are errors.
 */

const meta = z.looseObject({ name: z.string().min(1), displayName: z.string().optional() });

const metricSource = z.looseObject({
  metricSourceRef: z.string().optional(),
  type: z.string().min(1),
  spec: z.looseObject({}),
});
const metricHolder = z.looseObject({ metricSource });

const sliSpec = z.looseObject({
  description: z.string().optional(),
  thresholdMetric: metricHolder.optional(),
  ratioMetric: z
    .looseObject({
      counter: z.boolean().optional(),
      good: metricHolder.optional(),
      bad: metricHolder.optional(),
      total: metricHolder.optional(),
      rawType: z.enum(['success', 'failure']).optional(),
      raw: metricHolder.optional(),
    })
    .optional(),
});

const objective = z.looseObject({
  displayName: z.string().optional(),
  op: z.enum(['lt', 'lte', 'gt', 'gte']).optional(),
  value: z.number().optional(),
  target: z.number().gt(0, 'expected a target above 0').lt(1, 'expected a target below 1 (1 leaves no error budget)').optional(),
  targetPercent: z.number().gt(0).lt(100).optional(),
  timeSliceTarget: z.number().gt(0).lt(1).optional(),
  timeSliceWindow: z.string().optional(),
});

const sloSpec = z.looseObject({
  description: z.string().optional(),
  service: z.string().min(1),
  indicator: z.looseObject({ metadata: meta, spec: sliSpec }).optional(),
  indicatorRef: z.string().optional(),
  timeWindow: z
    .array(z.looseObject({ duration: z.string(), isRolling: z.boolean().optional(), calendar: z.unknown().optional() }))
    .min(1)
    .optional(),
  budgetingMethod: z.enum(['Occurrences', 'Timeslices', 'RatioTimeslices']).optional(),
  objectives: z.array(objective).min(1),
});

const document = z.looseObject({ apiVersion: z.literal('openslo/v1'), kind: z.string(), metadata: meta, spec: z.unknown() });

type SliSpec = z.infer<typeof sliSpec>;
type SloSpec = z.infer<typeof sloSpec>;

export function isOpenSloDocument(doc: unknown): boolean {
  const v = doc !== null && typeof doc === 'object' ? (doc as { apiVersion?: unknown }).apiVersion : undefined;
  return typeof v === 'string' && v.startsWith('openslo/');
}

export interface OpenSloInput {
  readonly value: unknown;
  readonly locate: Locate;
  /** `document 2/3` in a file of several documents, said before each message. */
  readonly document?: string;
}

export interface OpenSloService {
  readonly service: string;
  readonly slo: Record<string, unknown>;
  /** The input document of the service's first SLO. */
  readonly doc: number;
}

const SLO_KINDS = new Set(['SLO', 'SLI', 'Service']);
const IGNORED_KINDS = new Set(['AlertPolicy', 'AlertCondition', 'AlertNotificationTarget', 'DataSource']);

/** Converts the documents of one file; every issue lands in `sinks[i]`, the sink of the document it is about. */
export function convertOpenSlo(docs: readonly OpenSloInput[], file: string): { services: OpenSloService[]; sinks: IssueSink[] } {
  const sinks = docs.map((d) => new IssueSink(file, d.locate, { document: d.document }));
  // On the documents as written: a v1alpha document's keys are checked before its rewrite to v1.
  docs.forEach((d, i) => warnUnknownOpenSloKeys(d.value, sinks[i]!));
  // A v1alpha document is read as the v1 documents it means; `origin` is the input document.
  const read = docs.flatMap((d, origin) =>
    (isOpenSloV1alpha(d.value) ? v1alphaAsV1(d.value, sinks[origin]!) : [{ value: d.value, sink: sinks[origin]! }]).map((v) => ({
      ...v,
      origin,
    })),
  );
  const slis = new Map<string, { spec: SliSpec; doc: number }>();
  const serviceDescriptions = new Map<string, string>();
  const slos: Array<{ name: string; spec: SloSpec; doc: number }> = [];

  read.forEach((d, i) => {
    const sink = d.sink;
    const head = document.safeParse(d.value);
    if (!head.success) {
      if ((d.value as { apiVersion?: unknown })?.apiVersion !== 'openslo/v1') {
        sink.error(
          ['apiVersion'],
          `expected apiVersion openslo/v1 or openslo/v1alpha (v2 is not supported), got ${JSON.stringify((d.value as { apiVersion?: unknown })?.apiVersion)}`,
        );
      } else sink.zod(head.error);
      return;
    }
    const { kind, metadata } = head.data;
    if (IGNORED_KINDS.has(kind)) {
      sink.warn(['kind'], `${kind} ignored: vigil alerts with its burn-rate window sets`);
      return;
    }
    if (!SLO_KINDS.has(kind)) {
      sink.error(['kind'], `expected kind SLO, SLI or Service, got ${JSON.stringify(kind)}`);
      return;
    }
    const at = sink.at(['spec']);
    if (kind === 'Service') {
      const spec = z.looseObject({ description: z.string().optional() }).safeParse(head.data.spec ?? {});
      if (!spec.success) return at.zod(spec.error);
      serviceDescriptions.set(metadata.name, spec.data.description ?? metadata.displayName ?? '');
    } else if (kind === 'SLI') {
      const spec = sliSpec.safeParse(head.data.spec);
      if (!spec.success) return at.zod(spec.error);
      slis.set(metadata.name, { spec: spec.data, doc: i });
    } else {
      const spec = sloSpec.safeParse(head.data.spec);
      if (!spec.success) return at.zod(spec.error);
      slos.push({ name: metadata.name, spec: spec.data, doc: i });
    }
  });

  if (slos.length === 0 && sinks.every((s) => s.ok)) {
    read[0]?.sink.error(['kind'], 'no OpenSLO SLO document here (Service and SLI documents alone hold no objectives)');
  }

  const byService = new Map<string, Record<string, unknown>[]>();
  const firstDoc = new Map<string, number>();
  const serviceNames = new Map<string, string>();
  for (const slo of slos) {
    const sink = read[slo.doc]!.sink.at(['spec']);
    const service = vigilName(slo.spec.service);
    if (service === null) {
      sink.error(['service'], `cannot make a vigil service name of "${slo.spec.service}"`);
      continue;
    }
    serviceNames.set(service, slo.spec.service);
    if (!firstDoc.has(service)) firstDoc.set(service, read[slo.doc]!.origin);
    let sli: SliSpec | undefined;
    let sliSink = sink.at(['indicator', 'spec']);
    if (slo.spec.indicator !== undefined) sli = slo.spec.indicator.spec;
    else if (slo.spec.indicatorRef !== undefined) {
      const ref = slis.get(slo.spec.indicatorRef);
      if (ref === undefined) {
        sink.error(
          ['indicatorRef'],
          `no SLI named "${slo.spec.indicatorRef}" in this file (put the SLI document in the same file, or the indicator inline)`,
        );
        continue;
      }
      sli = ref.spec;
      sliSink = read[ref.doc]!.sink.at(['spec']);
    } else {
      sink.error(['indicator'], 'expected indicator (inline SLI) or indicatorRef');
      continue;
    }
    const objectives = convertSlo(slo.name, slo.spec, sli, sink, sliSink);
    const list = byService.get(service) ?? [];
    list.push(...objectives);
    byService.set(service, list);
  }

  const services: OpenSloService[] = [];
  for (const [service, objectives] of [...byService].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const out: Record<string, unknown> = { apiVersion: 'vigil/v1', kind: 'ServiceLevels', service };
    const description = serviceDescriptions.get(serviceNames.get(service)!);
    if (description) out.description = description;
    out.objectives = objectives;
    services.push({ service, slo: out, doc: firstDoc.get(service)! });
  }
  return { services, sinks };
}

function convertSlo(name: string, spec: SloSpec, sli: SliSpec, sink: IssueSink, sliSink: IssueSink): Record<string, unknown>[] {
  const base = vigilName(name);
  if (base === null) {
    sink.error([], `cannot make a vigil objective name of "${name}"`);
    return [];
  }
  const period = periodOf(spec, sink);
  const method = spec.budgetingMethod ?? 'Occurrences';
  const out: Record<string, unknown>[] = [];
  spec.objectives.forEach((o, i) => {
    const at = sink.at(['objectives', i]);
    const suffix = spec.objectives.length > 1 ? `-${vigilName(o.displayName ?? '') ?? String(i + 1)}` : '';
    const objective: Record<string, unknown> = { name: `${base}${suffix}`.slice(0, 63).replace(/-+$/, '') };
    if (spec.description) objective.description = spec.description;
    // `timeSliceTarget` is not the objective's target: it says when one slice is good (below).
    const target = o.target ?? (o.targetPercent !== undefined ? o.targetPercent / 100 : undefined);

    if (sli.ratioMetric !== undefined) {
      const ratio = ratioIndicator(sli.ratioMetric, sliSink.at(['ratioMetric']));
      if (ratio === null) return;
      if (target === undefined) return at.error(['target'], 'expected a target (a ratio objective needs one)');
      if (method === 'Timeslices' && o.timeSliceTarget !== undefined) {
        // A slice is good when its ratio reaches timeSliceTarget; the target is the share of good
        // slices: a threshold objective on the good ratio with a target (vigil's timeslices).
        const goodRatio = ratio.good !== undefined ? `(${ratio.good}) / (${ratio.total})` : `1 - (${ratio.errors}) / (${ratio.total})`;
        Object.assign(objective, { indicator: { promql: { query: goodRatio } }, threshold: { min: o.timeSliceTarget }, target, period });
        if (!sliceWindow(o, objective, at))
          at.warn(['timeSliceTarget'], "Timeslices without timeSliceWindow: slices of vigil's default window (5m)");
      } else {
        if (method !== 'Occurrences') {
          const reason =
            method === 'Timeslices' ? 'there is no timeSliceTarget saying when a slice is good' : 'vigil has no average of slice ratios';
          sink.warn(['budgetingMethod'], `${method} on a ratio metric is evaluated as Occurrences (events, not time slices): ${reason}`);
        }
        if (o.timeSliceTarget !== undefined)
          at.warn(['timeSliceTarget'], `dropped: with ${method} the objective counts events, not slices`);
        Object.assign(objective, { indicator: { ratio }, target, period });
      }
    } else if (sli.thresholdMetric !== undefined) {
      const query = prometheusQuery(sli.thresholdMetric.metricSource, sliSink.at(['thresholdMetric', 'metricSource']));
      if (query === null) return;
      if (o.op === undefined || o.value === undefined)
        return at.error(['op'], 'expected op (lt, lte, gt, gte) and value for a threshold metric');
      const side = o.op === 'lt' || o.op === 'lte' ? 'max' : 'min';
      if (o.op === 'lt' || o.op === 'gt') at.warn(['op'], `${o.op} is read as ${o.op}e: vigil bounds are inclusive`);
      Object.assign(objective, { indicator: { promql: { query } }, threshold: { [side]: o.value } });
      if (target !== undefined) {
        if (method !== 'Timeslices')
          sink.warn(['budgetingMethod'], `${method} on a threshold metric with a target is evaluated as Timeslices (good slices)`);
        objective.target = target;
        objective.period = period;
      }
      if (o.timeSliceTarget !== undefined)
        at.warn(['timeSliceTarget'], 'dropped: a slice of a threshold metric is good when the value is within the bound');
      sliceWindow(o, objective, at);
    } else {
      sliSink.error([], 'expected ratioMetric or thresholdMetric');
      return;
    }
    out.push(objective);
  });
  return out;
}

/** `timeSliceWindow` -> the objective's `window`; false when the objective has none. */
function sliceWindow(o: z.infer<typeof objective>, out: Record<string, unknown>, at: IssueSink): boolean {
  if (o.timeSliceWindow === undefined) return false;
  try {
    parseDuration(o.timeSliceWindow);
    out.window = o.timeSliceWindow;
  } catch (err) {
    at.error(['timeSliceWindow'], isVigilError(err, ERR.VIGIL_ERR_UNIT) ? err.message : String(err));
  }
  return true;
}

function periodOf(spec: SloSpec, sink: IssueSink): string {
  const tw = spec.timeWindow?.[0];
  if (tw === undefined) return '30d';
  if (tw.isRolling === false || tw.calendar !== undefined)
    sink.warn(['timeWindow', 0], 'calendar windows are evaluated as rolling windows of the same length');
  try {
    parseDuration(tw.duration);
    return tw.duration;
  } catch {
    sink.error(
      ['timeWindow', 0, 'duration'],
      `expected a duration in m, h, d or w (months, quarters and years vary in length), got ${JSON.stringify(tw.duration)}`,
    );
    return '30d';
  }
}

function prometheusQuery(source: z.infer<typeof metricSource>, sink: IssueSink): string | null {
  if (source.type.toLowerCase() !== 'prometheus') {
    sink.error(['type'], `vigil reads Prometheus metric sources only, got ${JSON.stringify(source.type)}`);
    return null;
  }
  const query = (source.spec as { query?: unknown }).query;
  if (typeof query !== 'string' || query.trim() === '') {
    sink.error(['spec', 'query'], 'expected a PromQL query');
    return null;
  }
  return query.trim();
}

const WINDOW = /\{\{-?\s*\.?window\s*-?\}\}/g;
/** The same without `g`: `test` on a global regex keeps state between calls. */
const HAS_WINDOW = /\{\{-?\s*\.?window\s*-?\}\}/;
const SELECTOR = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^{}]*\})?$/;

/**
 * OpenSLO queries name the metric; vigil needs events per second over `{{window}}`. Counters
 * become `sum(rate(...))`, gauges `sum(avg_over_time(...))`; an expression (not a bare
 * selector) goes through a subquery. A query that already has a window placeholder is kept.
 */
export function windowed(query: string, counter: boolean): string {
  if (HAS_WINDOW.test(query)) return query.replace(WINDOW, '{{window}}');
  const fn = counter ? 'rate' : 'avg_over_time';
  return SELECTOR.test(query) ? `sum(${fn}(${query}[{{window}}]))` : `sum(${fn}((${query})[{{window}}:]))`;
}

function ratioIndicator(r: NonNullable<SliSpec['ratioMetric']>, sink: IssueSink): Record<string, string> | null {
  if (r.raw !== undefined) {
    const q = prometheusQuery(r.raw.metricSource, sink.at(['raw', 'metricSource']));
    if (q === null) return null;
    const ratio = HAS_WINDOW.test(q) ? q.replace(WINDOW, '{{window}}') : `avg_over_time((${q})[{{window}}:])`;
    const errors = r.rawType === 'success' ? `1 - (${ratio})` : `(${ratio})`;
    return { errors, total: `(${ratio}) * 0 + 1` };
  }
  if (r.total === undefined) {
    sink.error(['total'], 'expected total beside good or bad');
    return null;
  }
  if ((r.good === undefined) === (r.bad === undefined)) {
    sink.error([r.good === undefined ? 'good' : 'bad'], 'expected exactly one of good or bad beside total');
    return null;
  }
  const side = r.good !== undefined ? 'good' : 'bad';
  const total = countedQuery(r.total.metricSource, r.counter, sink.at(['total', 'metricSource']));
  const partQuery = countedQuery((r.good ?? r.bad!).metricSource, r.counter, sink.at([side, 'metricSource']));
  if (total === null || partQuery === null) return null;
  return r.good !== undefined ? { good: partQuery, total } : { errors: partQuery, total };
}

/** A range-vector function over a fixed window: the query is already a per-second rate (or an increase). */
const ALREADY_RATE = /\b(?:rate|irate|increase|delta|idelta|deriv)\s*\(/;

/**
 * One side of a ratio metric as events per second over `{{window}}`. A query that already is a
 * rate (`sum(rate(x[5m]))`) must not be taken for a counter: `rate()` of a rate is nonsense
 * (every ratio NaN, no alert ever). With `counter: true` written out that contradiction is an
 * error; with `counter` left out (its default is true) the query is read as the rate it is,
 * averaged over the window, with a warning.
 */
function countedQuery(source: z.infer<typeof metricSource>, counter: boolean | undefined, sink: IssueSink): string | null {
  const query = prometheusQuery(source, sink);
  if (query === null) return null;
  if (counter === false || HAS_WINDOW.test(query) || !ALREADY_RATE.test(query)) return windowed(query, counter ?? true);
  const rate = ALREADY_RATE.exec(query)![0].replace(/\s*\($/, '');
  if (counter === true) {
    sink.error(
      ['spec', 'query'],
      `the query is already a rate (${rate}(...)) but counter is true, so vigil would take the rate of a rate: ` +
        'write the counter itself (e.g. http_requests_total{...}), or set counter: false',
    );
    return null;
  }
  sink.warn(
    ['spec', 'query'],
    `the query is already a rate (${rate}(...)): read as per-second values averaged over the window, as with counter: false`,
  );
  return windowed(query, false);
}
