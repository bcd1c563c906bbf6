import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  GraphThresholdsStyleConfigBuilder,
  GraphThresholdsStyleMode,
  ReduceDataOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import {
  AnnotationQueryBuilder,
  type Threshold as GrafanaThreshold,
  MappingType,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  type ValueMapping,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as GaugePanelBuilder } from '@grafana/grafana-foundation-sdk/gauge';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { STATUS_RANK } from '../../snapshot/snapshot-schema.js';
import type { Quantity, QuantityUnit } from '../../units/units.js';
import { byteSystem, grafanaBytesUnit } from '../bound-text.js';

/**
 * The small vocabulary every vigil dashboard is built from, over the foundation SDK's builders:
 * every panel reads the dashboard's `datasource` variable, every query has a refId, every
 * bound is a threshold step so Grafana colours the value and draws the line.
 */

export const DATASOURCE_VARIABLE = 'datasource';
export const DATASOURCE = { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` };

export interface Query {
  readonly expr: string;
  readonly legend?: string;
}

/** Grafana unit ids for vigil's base units. */
/** Grafana's unit for a value; bytes in the unit system of the bound the panel shows. */
export function grafanaUnit(unit: QuantityUnit, bound?: Quantity): string {
  switch (unit) {
    case 'seconds':
      return 's';
    case 'bytes':
      return grafanaBytesUnit(bound === undefined ? 'binary' : byteSystem(bound.value));
    case 'ratio':
      return 'percentunit';
    default:
      return 'short';
  }
}

export function queries(list: readonly Query[], instant = false): cog.Builder<cog.Dataquery>[] {
  return list.map((q, i) => {
    const b = new DataqueryBuilder()
      .refId(String.fromCharCode(65 + i))
      .expr(q.expr)
      .legendFormat(q.legend ?? '__auto');
    return instant ? b.instant() : b.range();
  });
}

/** Steps for a bound: green within, red past it (orange past the warning bound). */
export function boundSteps(bound: { max?: number; min?: number; warning?: number }): GrafanaThreshold[] {
  if (bound.max !== undefined) {
    const steps: GrafanaThreshold[] = [{ value: null, color: 'green' }];
    if (bound.warning !== undefined && bound.warning < bound.max) steps.push({ value: bound.warning, color: 'orange' });
    steps.push({ value: bound.max, color: 'red' });
    return steps;
  }
  if (bound.min !== undefined) {
    const steps: GrafanaThreshold[] = [{ value: null, color: 'red' }];
    if (bound.warning !== undefined && bound.warning > bound.min) {
      steps.push({ value: bound.min, color: 'orange' }, { value: bound.warning, color: 'green' });
    } else {
      steps.push({ value: bound.min, color: 'green' });
    }
    return steps;
  }
  return [{ value: null, color: 'green' }];
}

/**
 * Step values as the decimals their author wrote: `99.9%` parses to 0.9990000000000001, and a
 * step there shows a compliance of exactly 99.9 % (0.999) red. 12 significant digits, as PromQL
 * numbers in the rules (promNumber).
 */
export function thresholds(steps: GrafanaThreshold[]): ThresholdsConfigBuilder {
  const decimal = steps.map((s) => (s.value === null ? s : { ...s, value: Number(s.value.toPrecision(12)) }));
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(decimal);
}

export function statPanel(title: string, list: readonly Query[], unit: string, steps: GrafanaThreshold[]): StatPanelBuilder {
  return new StatPanelBuilder()
    .title(title)
    .datasource(DATASOURCE)
    .targets(queries(list, true))
    .unit(unit)
    .thresholds(thresholds(steps))
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']))
    .span(6)
    .height(7);
}

export function gaugePanel(title: string, list: readonly Query[], unit: string, steps: GrafanaThreshold[]): GaugePanelBuilder {
  return new GaugePanelBuilder()
    .title(title)
    .datasource(DATASOURCE)
    .targets(queries(list, true))
    .unit(unit)
    .min(0)
    .max(1)
    .thresholds(thresholds(steps))
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']))
    .span(6)
    .height(7);
}

/** A time series; with bound steps the bound is drawn as a dashed line. */
export function timeseriesPanel(
  title: string,
  list: readonly Query[],
  unit: string,
  steps?: GrafanaThreshold[],
  span = 12,
): TimeseriesPanelBuilder {
  const b = new TimeseriesPanelBuilder().title(title).datasource(DATASOURCE).targets(queries(list)).unit(unit).span(span).height(8);
  if (steps !== undefined) {
    b.thresholds(thresholds(steps)).thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.Dashed));
  }
  return b;
}

/**
 * vigil exports `vigil_objective_status` one-hot (a series per `status`, 1 for the current one).
 * A panel needs one number per objective to colour: the status rank of the snapshot schema
 * (ok 0, warning 1, no_data 2, breach 3), so `max` over objectives is the worst status.
 */
export function statusRankExpr(selector: ReadonlyArray<readonly [string, string]>, by: readonly string[]): string {
  const base = selector.map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  const terms = (Object.entries(STATUS_RANK) as Array<[string, number]>)
    .sort(([, a], [, b]) => a - b)
    .map(([status, rank]) => `vigil_objective_status{${[...base, `status=${JSON.stringify(status)}`].join(',')}} * ${rank}`);
  return `max by (${by.join(', ')}) (\n  ${terms.join('\n  or\n  ')}\n)`;
}

/** Status ranks shown as words. */
export function statusMappings(): ValueMapping[] {
  const colors: Record<keyof typeof STATUS_RANK, string> = { ok: 'green', warning: 'orange', no_data: 'blue', breach: 'red' };
  const options: Record<string, { text: string; color: string; index: number }> = {};
  for (const [status, rank] of Object.entries(STATUS_RANK) as Array<[keyof typeof STATUS_RANK, number]>) {
    options[String(rank)] = { text: status, color: colors[status], index: rank };
  }
  return [{ type: MappingType.ValueToText, options }];
}

export function statusSteps(): GrafanaThreshold[] {
  return [
    { value: null, color: 'green' },
    { value: STATUS_RANK.warning, color: 'orange' },
    { value: STATUS_RANK.no_data, color: 'blue' },
    { value: STATUS_RANK.breach, color: 'red' },
  ];
}

/**
 * Grafana's built-in "Annotations & Alerts" (what Grafana adds to every new dashboard; an import
 * without it has no annotation list) and the vigil alerts that fired, from Prometheus' ALERTS.
 */
export function annotations(alertsSelector: string): AnnotationQueryBuilder[] {
  return [
    new AnnotationQueryBuilder()
      .name('Annotations & Alerts')
      .datasource({ type: 'grafana', uid: '-- Grafana --' })
      .builtIn(1)
      .enable(true)
      .hide(true)
      .iconColor('rgba(0, 211, 255, 1)')
      .type('dashboard'),
    new AnnotationQueryBuilder()
      .name('vigil alerts firing')
      .datasource(DATASOURCE)
      .enable(true)
      .iconColor('red')
      .expr(`ALERTS${alertsSelector}`)
      .step('60s')
      .titleFormat('{{alertname}} {{objective}} ({{severity}})')
      .textFormat('{{window}}')
      .useValueForTime(false),
  ];
}
