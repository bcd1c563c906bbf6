/**
 * Where the status page shows a service and an objective. The pages link with these paths, and
 * alerts (the daemon's and the generated rules) carry the absolute URL under the daemon's
 * `externalUrl`, so on-call lands on the chart that explains the page.
 */
export function servicePath(service: string): string {
  return `/services/${encodeURIComponent(service)}`;
}

/** The anchor of an objective's section on its service page. */
export function objectiveAnchor(objective: string): string {
  return `o-${encodeURIComponent(objective)}`;
}

export function objectivePageUrl(externalUrl: string, service: string, objective: string): string {
  return `${externalUrl.replace(/\/+$/, '')}${servicePath(service)}#${objectiveAnchor(objective)}`;
}
