import { type ObjectiveResult, type ServiceResult, type Snapshot, STATUS_RANK } from '../snapshot/snapshot-schema.js';
import type { ObjectivePairs } from './burn-pairs.js';
import { lowestBudget, worstFirst } from './history.js';
import { type Html, html } from './html.js';
import { objectiveAnchor, servicePath } from './page-links.js';
import { age, percent, shell, statusBadge } from './page-parts.js';

/** A service another shard owns, as its `/api/sla?scope=local` lists it. */
export interface OtherShardService {
  readonly service: string;
  readonly status: ServiceResult['status'];
  readonly objectives: { readonly total: number; readonly breach: number; readonly warning: number; readonly no_data: number };
  readonly shard: number | undefined;
  /** The owning shard's page of the service (a full URL). */
  readonly pageUrl: string;
}

/** Sharded with peers: what the other shards answered, and which did not answer in time. */
export interface OtherShards {
  readonly services: readonly OtherShardService[];
  readonly failed: ReadonlyArray<{ readonly url: string; readonly error: string }>;
}

export interface OverviewQuery {
  /** Text searched in service names and label values. */
  q?: string | undefined;
  /** `key=value`: only services with that label. */
  label?: string | undefined;
}

/** A label filter `key=value`; null when the text is not one. */
function parseLabel(text: string | undefined): [string, string] | null {
  if (!text) return null;
  const at = text.indexOf('=');
  return at > 0 ? [text.slice(0, at).trim(), text.slice(at + 1).trim()] : null;
}

/** The services a query keeps, worst first. */
export function filterServices(services: readonly ServiceResult[], query: OverviewQuery): ServiceResult[] {
  const q = query.q?.trim().toLowerCase() ?? '';
  const label = parseLabel(query.label);
  return worstFirst(services).filter(
    (s) =>
      (q === '' || s.service.toLowerCase().includes(q) || Object.values(s.labels).some((v) => v.toLowerCase().includes(q))) &&
      (label === null || s.labels[label[0]] === label[1]),
  );
}

/** The objective that sets a service's status (the lowest budget among equals). */
export function worstObjective(service: ServiceResult): ObjectiveResult | undefined {
  let worst: ObjectiveResult | undefined;
  for (const o of service.objectives) {
    if (
      worst === undefined ||
      STATUS_RANK[o.status] > STATUS_RANK[worst.status] ||
      (STATUS_RANK[o.status] === STATUS_RANK[worst.status] && (o.errorBudgetRemaining ?? 2) < (worst.errorBudgetRemaining ?? 2))
    ) {
      worst = o;
    }
  }
  return worst;
}

export function boundText(o: ObjectiveResult): string {
  const t = o.threshold;
  if (t?.max && t.min) return `${t.min.display}..${t.max.display}`;
  if (t?.max) return `≤ ${t.max.display}`;
  if (t?.min) return `≥ ${t.min.display}`;
  return o.target !== null ? `target ${percent(o.target, 2)}` : '';
}

function labelChips(labels: Readonly<Record<string, string>>): Html {
  return html`${Object.entries(labels).map(([k, v]) => html`<a class="chip" href="/?label=${encodeURIComponent(`${k}=${v}`)}">${k}=${v}</a> `)}`;
}

function serviceRow(s: ServiceResult): Html {
  const worst = worstObjective(s);
  const budget = lowestBudget(s);
  return html`<tr data-service="${s.service}" data-status="${s.status}">
<td class="status-cell">${statusBadge(s.status)}</td>
<th scope="row"><a href="${servicePath(s.service)}">${s.service}</a></th>
<td>${worst ? html`<a href="${servicePath(s.service)}#${objectiveAnchor(worst.name)}">${worst.name}</a>: <span class="value">${worst.value?.display ?? 'no data'}</span> <span class="bound">${boundText(worst)}</span>` : '–'}</td>
<td class="num${budget !== null && budget <= 0 ? ' overspent' : ''}">${percent(budget)}</td>
<td class="num">${age(s.dataAgeSeconds)}</td>
<td>${labelChips(s.labels)}</td>
</tr>`;
}

function otherShardRow(s: OtherShardService): Html {
  const o = s.objectives;
  return html`<tr data-service="${s.service}" data-status="${s.status}" data-shard="${s.shard ?? ''}">
<td class="status-cell">${statusBadge(s.status)}</td>
<th scope="row"><a href="${s.pageUrl}">${s.service}</a></th>
<td>on shard ${s.shard ?? '?'}: ${o.breach} in breach, ${o.warning} warning, ${o.no_data} without data of ${o.total} objectives</td>
<td class="num">–</td>
<td class="num">–</td>
<td></td>
</tr>`;
}

/** The other shards' services a query keeps: by name (their labels are not in the list; a label filter keeps none). */
function filterOthers(others: readonly OtherShardService[], query: OverviewQuery): OtherShardService[] {
  if (parseLabel(query.label) !== null) return [];
  const q = query.q?.trim().toLowerCase() ?? '';
  return others.filter((s) => q === '' || s.service.toLowerCase().includes(q));
}

/** This shard's rows (worst first) and the others' (by name) in one table, worst status first. */
function rows(local: readonly ServiceResult[], others: readonly OtherShardService[]): Html[] {
  const all = [
    ...local.map((s) => ({ rank: STATUS_RANK[s.status], row: serviceRow(s) })),
    ...[...others].sort((a, b) => a.service.localeCompare(b.service)).map((s) => ({ rank: STATUS_RANK[s.status], row: otherShardRow(s) })),
  ];
  return all.sort((a, b) => b.rank - a.rank).map((r) => r.row);
}

function partialNotice(failed: OtherShards['failed']): Html {
  if (failed.length === 0) return html``;
  return html`<p class="partial" id="partial" role="status"><strong>Partial view:</strong> ${failed.length === 1 ? 'a shard' : `${failed.length} shards`} did not answer in time, so ${failed.length === 1 ? 'its' : 'their'} services are missing: ${failed.map((f, i) => html`${i > 0 ? '; ' : ''}<a href="${f.url}">${f.url}</a> (${f.error})`)}.</p>`;
}

function counts(services: ReadonlyArray<{ readonly status: string }>): Html {
  const n = (status: string) => services.filter((s) => s.status === status).length;
  return html`<p class="counts" id="counts" data-services="${services.length}">${services.length} services: <strong>${n('breach')}</strong> in breach, ${n('no_data')} without data, ${n('warning')} warning, ${n('ok')} ok.</p>`;
}

export interface PageContext {
  pollSeconds: number;
  assets: { script: string; style: string };
  /** An objective's alert window pairs (from the config's window sets); pages without it list none. */
  pairsOf?: ((service: string, objective: string) => ObjectivePairs | null) | undefined;
}

/**
 * `GET /`: every service, worst first, with search and a label filter that work without JavaScript
 * (a GET form). Sharded with peers, `others` adds the services other shards own (rows linking to
 * the owning shard's page) and names the shards that did not answer.
 */
export function renderOverview(snapshot: Snapshot | null, query: OverviewQuery, ctx: PageContext, others?: OtherShards | null): string {
  const services = snapshot ? filterServices(snapshot.services as ServiceResult[], query) : [];
  const otherServices = snapshot && others ? filterOthers(others.services, query) : [];
  const everyService = [...(snapshot?.services ?? []), ...(others?.services ?? [])];
  const body = html`<header>
<h1>Service levels</h1>
<p class="meta">Evaluated <time id="evaluated-at" datetime="${snapshot ? new Date(snapshot.evaluatedAt).toISOString() : ''}">${snapshot ? new Date(snapshot.evaluatedAt).toISOString() : 'not yet'}</time>. <span id="live" aria-live="polite"></span></p>
</header>
${snapshot ? counts(everyService) : html`<p>No evaluation has finished yet; this page fills in after the first one.</p>`}
${others ? partialNotice(others.failed) : ''}
<form class="filters" method="get" action="/" role="search">
<label>Search <input type="search" name="q" value="${query.q ?? ''}" placeholder="service or label"></label>
<label>Label <input type="text" name="label" value="${query.label ?? ''}" placeholder="team=ml"></label>
<button type="submit">Filter</button> ${query.q || query.label ? html`<a href="/">Clear</a>` : ''}
</form>
<div class="table-wrap">
<table class="services" id="services">
<caption>Services, worst first${query.q || query.label ? ' (filtered)' : ''}</caption>
<thead><tr><th scope="col">Status</th><th scope="col">Service</th><th scope="col">Worst objective</th><th scope="col">Lowest budget left</th><th scope="col">Data age</th><th scope="col">Labels</th></tr></thead>
<tbody>
${rows(services, otherServices)}
</tbody>
</table>
</div>
${snapshot && services.length + otherServices.length === 0 ? html`<p>No service matches.</p>` : ''}
<footer><a href="/openapi.json">API</a> · <a href="/metrics">Metrics</a></footer>`;
  return shell({
    title: 'vigil: service levels',
    pollSeconds: ctx.pollSeconds,
    mainData: html`data-page="overview"`,
    body,
    assets: ctx.assets,
  }).text;
}
