import { containerLabelSeriesName, globToRegExp } from '../sources/docker/container-selector.js';
import type { Labels } from '../store/point.js';

export interface ContainerSelector {
  source: string;
  containers?: string | undefined;
  containerLabels?: Record<string, string> | undefined;
}

/**
 * Whether a docker series belongs to the selector: same source instance, container name matching
 * the glob, and every wanted Docker label equal to the series label the docker source copies it
 * to (`containerLabelSeriesName`: `label_<sanitised key>`). The source copies every key some
 * selector of its objectives names, so a series without the label is a container without it.
 */
export function containerMatcher(sel: ContainerSelector): (labels: Labels) => boolean {
  const glob = sel.containers !== undefined ? globToRegExp(sel.containers) : null;
  const wanted = Object.entries(sel.containerLabels ?? {}).map(([k, v]) => [containerLabelSeriesName(k), v] as const);
  return (labels) => {
    if (labels.source !== sel.source) return false;
    if (glob && !glob.test(labels.container ?? '')) return false;
    for (const [name, v] of wanted) if (labels[name] !== v) return false;
    return true;
  };
}
