import type { IndicatorKind } from '../config/slo-schema.js';
import { indicatorKind } from '../config/slo-schema.js';
import { ERR, vigilError } from '../core/errors.js';
import { paren, promDuration, promFor, promNumber } from '../promql/promql-text.js';
import type { Quantity, QuantityUnit } from '../units/units.js';
import { byteSystem, formatBound, humanizeBytes } from './bound-text.js';
import { alertLabels, linkAnnotations, type ObjectiveContext } from './generate-context.js';
import type { ThresholdQuery } from './indicator-queries.js';
import type { AlertingRule } from './rule-model.js';

/**
 * Threshold objectives: the indicator's value over the objective's window against `max`/`min`
 * (and an earlier `warning` bound), each held for `for:` before it fires.
 */

type Side = 'max' | 'min';

/** How Prometheus templates print a value of each unit in a description. */
/** The alert's value in a template; bytes in the unit system of the bound they are compared with. */
export function humanizeValue(unit: QuantityUnit, bound?: Quantity): string {
  switch (unit) {
    case 'seconds':
      return '{{ $value | humanizeDuration }}';
    case 'bytes':
      return humanizeBytes(bound === undefined ? 'binary' : byteSystem(bound.value));
    case 'ratio':
      return '{{ $value | humanizePercentage }}';
    default:
      return '{{ $value | humanize }}';
  }
}

function pascal(kind: IndicatorKind): string {
  return kind.charAt(0).toUpperCase() + kind.slice(1);
}

export function thresholdAlertName(kind: IndicatorKind, side: Side): string {
  if (kind === 'probe' && side === 'min') return 'VigilProbeDown';
  return `Vigil${pascal(kind)}${side === 'max' ? 'High' : 'Low'}`;
}

/** Which side the `warning` bound belongs to: the side whose bound it precedes. */
function warningSide(max: Quantity | undefined, min: Quantity | undefined, warning: Quantity): Side {
  if (max !== undefined && (min === undefined || warning.value <= max.value)) return 'max';
  return 'min';
}

export function thresholdRules(ctx: ObjectiveContext, query: ThresholdQuery): AlertingRule[] {
  const { objective } = ctx;
  if (objective.alert.disabled) return [];
  const kind = indicatorKind(objective.indicator);
  const threshold = objective.threshold;
  const bounds: Array<{ side: Side; bound: Quantity; severity: string }> = [];
  if (threshold === undefined) {
    // A probe without threshold or target: any failed probe held for `for:` is an outage.
    if (kind !== 'probe') {
      throw vigilError(ERR.VIGIL_ERR_GENERATE_THRESHOLD, { objective: objective.name, kind });
    }
    bounds.push({ side: 'min', bound: { value: 1, unit: 'number' }, severity: objective.alert.severity });
  } else {
    if (threshold.max !== undefined) bounds.push({ side: 'max', bound: threshold.max, severity: objective.alert.severity });
    if (threshold.min !== undefined) bounds.push({ side: 'min', bound: threshold.min, severity: objective.alert.severity });
    if (threshold.warning !== undefined) {
      bounds.push({ side: warningSide(threshold.max, threshold.min, threshold.warning), bound: threshold.warning, severity: 'warning' });
    }
  }
  return bounds.map(({ side, bound, severity }) => thresholdAlert(ctx, query, kind, side, bound, severity));
}

function thresholdAlert(
  ctx: ObjectiveContext,
  query: ThresholdQuery,
  kind: IndicatorKind,
  side: Side,
  bound: Quantity,
  severity: string,
): AlertingRule {
  const { slo, objective } = ctx;
  const op = side === 'max' ? '>' : '<';
  const window = promDuration(objective.window);
  let expr = `${paren(query.value(objective.window))} ${op} ${promNumber(bound.value)}`;
  const minTraffic = objective.alert.minTraffic;
  if (minTraffic !== undefined && query.traffic !== undefined) {
    expr += `\nand on ()\n${paren(query.traffic(objective.window))} > ${promNumber(minTraffic)}`;
  }
  const boundText = `${side === 'max' ? 'at most' : 'at least'} ${formatBound({ value: bound.value, unit: displayUnit(bound, query.unit) })}`;
  const which = query.perLabel !== undefined ? ` of {{ $labels.${query.perLabel} }}` : '';
  const held = promFor(objective.alert.for);
  const alert: AlertingRule = {
    alert: thresholdAlertName(kind, side),
    expr,
    for: held,
    labels: alertLabels(ctx, severity),
    annotations: {
      summary: `${slo.service}/${objective.name}: ${query.what}${which} ${side === 'max' ? 'above' : 'below'} ${boundText.replace(/^at (most|least) /, '')}`,
      description:
        `The ${query.what}${which} over ${window} is ${humanizeValue(query.unit, bound)}; ` +
        `the ${severity === 'warning' ? 'warning bound' : 'bound'} is ${boundText} (${slo.service}/${objective.name}), broken for ${held}.`,
      ...linkAnnotations(ctx, 'threshold-alerts'),
    },
  };
  return alert;
}

/** A plain-number bound on a seconds/bytes/ratio value is shown in the value's unit. */
function displayUnit(bound: Quantity, unit: QuantityUnit): QuantityUnit {
  return bound.unit === 'number' ? unit : bound.unit;
}
