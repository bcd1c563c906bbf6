import { ERR, type VigilErrorCode } from '../core/errors.js';
import { type DaemonConfig, SOURCE_KINDS, SOURCE_SCHEMAS, type SourceKind } from './daemon-schema.js';
import { suggestion } from './did-you-mean.js';
import { DEFAULT_SOURCE_NAME, type Indicator, type IndicatorKind, indicatorKind, indicatorProfile } from './slo-schema.js';

/**
 * Which source kinds can serve each indicator. An objective's `source` is a bare instance name;
 * it is looked up among the instances of these kinds, so `source: default` works whether the
 * daemon reads a Prometheus server or scrapes the service itself. A name defined under two
 * suitable kinds is ambiguous and refused rather than guessed. `promql` needs a real Prometheus:
 * a scrape source answers latency and ratio indicators from its own series, not arbitrary PromQL.
 */
export const INDICATOR_SOURCE_KINDS: Readonly<Record<IndicatorKind, readonly SourceKind[]>> = {
  latency: ['prometheus', 'scrape'],
  ratio: ['prometheus', 'scrape'],
  promql: ['prometheus'],
  containerMemory: ['docker'],
  containerCpu: ['docker'],
  memoryLeak: ['docker'],
  redisHitRatio: ['redis'],
  postgresQueryLatency: ['postgres'],
  probe: ['probe'],
};

export type SourceLookup =
  /** `implicit`: not in vigil.yaml, but the kind runs on defaults (docker on its default socket, probe with absolute URLs). */
  | { readonly ok: true; readonly kind: SourceKind; readonly name: string; readonly implicit?: true }
  | { readonly ok: false; readonly code: VigilErrorCode; readonly message: string };

type Sources = DaemonConfig['sources'];

function instancesOf(sources: Sources, kind: SourceKind): string[] {
  return Object.keys(sources[kind] ?? {});
}

function either(kinds: readonly string[]): string {
  return kinds.length === 1 ? kinds[0]! : `${kinds.slice(0, -1).join(', ')} or ${kinds[kinds.length - 1]}`;
}

/** Whether an instance of this kind is valid with no settings at all, so it can run on defaults. */
export function runsOnDefaults(kind: SourceKind): boolean {
  return SOURCE_SCHEMAS[kind].safeParse({}).success;
}

/** An indicator that reads an exporter's metrics (a metric profile other than vigil's) reads them from Prometheus. */
const EXPORTER_SOURCE_KINDS: readonly SourceKind[] = ['prometheus'];

/**
 * The one way to find the source instance an indicator reads. `exporterProfile`: the indicator
 * names an exporter's metric profile, so a Prometheus that scrapes that exporter serves it.
 */
export function lookupSource(sources: Sources, indicator: IndicatorKind, name: string, exporterProfile = false): SourceLookup {
  const suitable = exporterProfile ? EXPORTER_SOURCE_KINDS : INDICATOR_SOURCE_KINDS[indicator];
  const matches = suitable.filter((kind) => instancesOf(sources, kind).includes(name));
  if (matches.length === 1) return { ok: true, kind: matches[0]!, name };
  if (matches.length > 1) {
    return {
      ok: false,
      code: ERR.VIGIL_ERR_CONFIG_SOURCE_KIND,
      message: `source "${name}" is defined as both ${matches.join(' and ')} in vigil.yaml; rename one so the ${indicator} indicator knows which to read`,
    };
  }
  const fallback = suitable[0]!;
  if (suitable.length === 1 && runsOnDefaults(fallback)) return { ok: true, kind: fallback, name, implicit: true };
  const elsewhere = SOURCE_KINDS.filter((kind) => instancesOf(sources, kind).includes(name));
  if (elsewhere.length > 0) {
    return {
      ok: false,
      code: ERR.VIGIL_ERR_CONFIG_SOURCE_KIND,
      message: `source "${name}" is a ${elsewhere.join('/')} source; a ${indicator} indicator needs a ${either(suitable)} source`,
    };
  }
  const candidates = suitable.flatMap((kind) => instancesOf(sources, kind));
  const defined = suitable.flatMap((kind) => instancesOf(sources, kind).map((n) => `${n} (${kind})`)).join(', ');
  return {
    ok: false,
    code: ERR.VIGIL_ERR_CONFIG_UNKNOWN_SOURCE,
    message:
      `source "${name}" is not defined in vigil.yaml under ${either(suitable.map((k) => `sources.${k}`))}` +
      (suggestion(name, candidates) || (defined === '' ? ` (none is defined)` : ` (defined: ${defined})`)),
  };
}

/** The instance name a parsed indicator's `source` gives (the schema fills in `default`). */
export function indicatorSourceName(indicator: Indicator): string {
  const body = Object.values(indicator)[0] as { source?: string };
  return body.source ?? DEFAULT_SOURCE_NAME;
}

/** `lookupSource` for a parsed indicator. */
export function lookupIndicatorSource(sources: Sources, indicator: Indicator): SourceLookup {
  return lookupSource(sources, indicatorKind(indicator), indicatorSourceName(indicator), indicatorProfile(indicator) !== 'vigil');
}
