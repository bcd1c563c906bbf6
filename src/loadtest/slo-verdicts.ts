import type { LoadedSloFile } from '../config/config.js';
import { indicatorKind, type Objective } from '../config/slo-schema.js';
import { type LabelMatcher, matchesSelector, parseRangeQuery, parseSelector } from '../sources/scrape/promql-subset.js';
import { LatencyRecorder, percentiles } from './latency-recorder.js';
import type { TrafficKind } from './load-sender.js';
import type { ClientView, ObjectiveVerdict } from './report-schema.js';
import { REQUEST_DURATION_METRIC } from './server-view.js';
import type { WatchedObjective } from './vigil-watch.js';

/**
 * Each objective's verdict for a load test, from two views:
 *  - the load test's own measurements (client side): latency objectives on the routes it hit,
 *    availability ratios from the answers it got;
 *  - vigil's evaluation during the run (server side): the target's own histograms and counters
 *    through vigil's sources and evaluator (`VigilWatch`).
 * An objective is broken when either view says so; `not_covered` when neither can judge it.
 */

/** Labels of the load test's own requests that a selector may constrain. */
const REQUEST_LABELS = new Set(['route', 'path', 'handler', 'method']);

function requestMatchers(matchers: readonly LabelMatcher[]): LabelMatcher[] {
  return matchers.filter((m) => REQUEST_LABELS.has(m.name));
}

function kindsMatching(kinds: readonly TrafficKind[], matchers: readonly LabelMatcher[]): TrafficKind[] {
  const own = requestMatchers(matchers);
  return kinds.filter((k) => matchesSelector({ route: k.path, path: k.path, handler: k.path, method: k.method }, own));
}

/** The measurements of the given kinds, together. */
function recordersOf(kinds: readonly TrafficKind[], recorders: ReadonlyMap<string, LatencyRecorder>): LatencyRecorder {
  return LatencyRecorder.combine(kinds.flatMap((k) => recorders.get(k.name) ?? []));
}

/** The client-side view of one objective, or null when the load test's requests do not speak to it. */
export function clientView(
  objective: Objective,
  kinds: readonly TrafficKind[],
  recorders: ReadonlyMap<string, LatencyRecorder>,
): ClientView | null {
  const ind = objective.indicator;
  if ('latency' in ind) {
    const max = objective.threshold?.max;
    if (max?.unit !== 'seconds') return null;
    let selector;
    try {
      selector = parseSelector(ind.latency.histogram);
    } catch {
      return null;
    }
    // Only request-duration histograms describe what a client sees; stage histograms
    // (feature preparation, inference) are server-internal and judged by vigil's view alone.
    if (!REQUEST_DURATION_METRIC.test(selector.metric)) return null;
    const matched = kindsMatching(kinds, selector.matchers);
    const data = recordersOf(matched, recorders);
    const [value] = percentiles(data.latencies(), [ind.latency.quantile]);
    if (matched.length === 0 || value === null || value === undefined) return null;
    const boundMs = max.value * 1000;
    return {
      value,
      bound: boundMs,
      held: value <= boundMs,
      kinds: matched.map((k) => k.name),
      what: `P${Math.round(ind.latency.quantile * 1000) / 10} latency (ms)`,
    };
  }
  if ('ratio' in ind && objective.target !== undefined) {
    let matched: TrafficKind[];
    try {
      const total = parseRangeQuery(ind.ratio.total);
      if (!/request/.test(total.selector.metric)) return null;
      matched = kindsMatching(kinds, total.selector.matchers);
    } catch {
      return null;
    }
    const data = recordersOf(matched, recorders);
    if (matched.length === 0 || data.attempts === 0) return null;
    // A server error or no answer at all is a bad event; 4xx are the client's own fault.
    const good = 1 - (data.serverErrors + data.connectionErrors) / data.attempts;
    return { value: good, bound: objective.target, held: good >= objective.target, kinds: matched.map((k) => k.name), what: 'good share' };
  }
  return null;
}

export function objectiveVerdicts(
  files: readonly LoadedSloFile[],
  kinds: readonly TrafficKind[],
  recorders: ReadonlyMap<string, LatencyRecorder>,
  watched: readonly WatchedObjective[],
): ObjectiveVerdict[] {
  const byKey = new Map(watched.map((w) => [`${w.service}/${w.objective}`, w]));
  const out: ObjectiveVerdict[] = [];
  for (const { slo } of files) {
    for (const objective of slo.objectives) {
      const client = clientView(objective, kinds, recorders);
      const w = byKey.get(`${slo.service}/${objective.name}`);
      const vigil = w
        ? { worst: w.worst, worstValue: w.worstValue, last: w.last, lastValue: w.lastValue, error: w.error, history: w.history }
        : null;
      const judged = vigil !== null && vigil.worst !== 'no_data';
      const broken = (client !== null && !client.held) || (judged && vigil.worst === 'breach');
      out.push({
        service: slo.service,
        objective: objective.name,
        kind: indicatorKind(objective.indicator),
        verdict: broken ? 'broken' : client !== null || judged ? 'held' : 'not_covered',
        client,
        vigil,
        judgedOn: [...(client ? ['client' as const] : []), ...(judged ? ['vigil' as const] : [])],
      });
    }
  }
  return out;
}
