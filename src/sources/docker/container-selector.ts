import type { LoadedSloFile } from '../../config/config.js';
import { globToRegex } from '../../promql/promql-text.js';

/** Picks containers: a name glob and/or labels that must all match exactly (both when both are given). */
export interface ContainerSelector {
  readonly containers?: string | undefined;
  readonly containerLabels?: Readonly<Record<string, string>> | undefined;
}

/** What selection needs to know of a container (from the container list). */
export interface ContainerInfo {
  /** Name without the leading `/`. */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * A glob over container names as a regular expression: `*` any run of characters, `?` one
 * character, everything else literal. Anchored: `ml-serving*` does not match `old-ml-serving`.
 * The same pattern the generated rules use in `container=~"..."` (PromQL anchors it there).
 */
export function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${globToRegex(glob)}$`, 's');
}

/**
 * The series label that carries the Docker label `key`: `label_` and the key with every character
 * outside `[a-zA-Z0-9_]` as `_` (a Prometheus label name), e.g. `com.example/team` -> `label_com_example_team`.
 * The contract between the docker source, which writes it, and the evaluator, which matches on it.
 */
export function containerLabelSeriesName(key: string): string {
  return `label_${key.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

/**
 * The Docker label keys the selectors name in `containerLabels`, sorted, without duplicates: the
 * only labels the source copies onto its series, so their number stays bounded by the SLO files.
 */
export function selectedLabelKeys(selectors: readonly ContainerSelector[]): string[] {
  const keys = new Set<string>();
  for (const s of selectors) for (const k of Object.keys(s.containerLabels ?? {})) keys.add(k);
  return [...keys].sort();
}

/** A compiled set of selectors: a container is picked when any selector matches it. */
export class ContainerMatcher {
  private readonly compiled: Array<{ name: RegExp | null; labels: Array<[string, string]> }>;

  constructor(selectors: readonly ContainerSelector[]) {
    this.compiled = selectors.map((s) => ({
      name: s.containers !== undefined ? globToRegExp(s.containers) : null,
      labels: Object.entries(s.containerLabels ?? {}),
    }));
  }

  get empty(): boolean {
    return this.compiled.length === 0;
  }

  matches(container: ContainerInfo): boolean {
    return this.compiled.some(
      (s) => (s.name === null || s.name.test(container.name)) && s.labels.every(([k, v]) => container.labels[k] === v),
    );
  }
}

/**
 * The selectors of every objective that reads containers from the docker instance `source`
 * (containerMemory, containerCpu, memoryLeak), without duplicates.
 */
export function containerSelectorsFor(config: { readonly services: readonly LoadedSloFile[] }, source: string): ContainerSelector[] {
  const seen = new Map<string, ContainerSelector>();
  for (const { slo } of config.services) {
    for (const objective of slo.objectives) {
      const indicator = objective.indicator;
      let selector: (ContainerSelector & { source: string }) | undefined;
      if ('containerMemory' in indicator) selector = indicator.containerMemory;
      else if ('containerCpu' in indicator) selector = indicator.containerCpu;
      else if ('memoryLeak' in indicator) selector = indicator.memoryLeak;
      if (!selector || selector.source !== source) continue;
      const picked: ContainerSelector = { containers: selector.containers, containerLabels: selector.containerLabels };
      seen.set(JSON.stringify([picked.containers ?? null, Object.entries(picked.containerLabels ?? {}).sort()]), picked);
    }
  }
  return [...seen.values()];
}
