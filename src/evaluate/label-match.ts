import type { Labels } from '../sources/source.js';

const globCache = new Map<string, RegExp>();

/** A shell-style glob (`ml-serving*`, `api-?`) as an anchored RegExp; cached, as it runs every cycle. */
export function globToRegExp(glob: string): RegExp {
  let re = globCache.get(glob);
  if (!re) {
    const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    re = new RegExp(`^${body}$`);
    if (globCache.size > 1000) globCache.clear();
    globCache.set(glob, re);
  }
  return re;
}

export interface ContainerSelector {
  source: string;
  containers?: string | undefined;
  containerLabels?: Record<string, string> | undefined;
}

/**
 * Whether a docker series belongs to the selector: same source instance, container name matching
 * the glob, and every wanted container label equal as series label `label_<k>`. The docker source
 * does not (yet) copy container labels onto its series; a series without any `label_*` key is
 * judged by the name glob alone (the source already sampled only containers some selector picks).
 */
export function containerMatcher(sel: ContainerSelector): (labels: Labels) => boolean {
  const glob = sel.containers !== undefined ? globToRegExp(sel.containers) : null;
  const wanted = Object.entries(sel.containerLabels ?? {});
  return (labels) => {
    if (labels.source !== sel.source) return false;
    if (glob && !glob.test(labels.container ?? '')) return false;
    if (wanted.length === 0 || !Object.keys(labels).some((k) => k.startsWith('label_'))) return true;
    for (const [k, v] of wanted) if (labels[`label_${k}`] !== v) return false;
    return true;
  };
}
