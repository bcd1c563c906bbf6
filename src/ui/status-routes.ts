import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServiceResult, Snapshot } from '../snapshot/snapshot-schema.js';
import { type Asset, loadAssets, type UiAssets } from './assets.js';
import type { ObjectivePairs } from './burn-pairs.js';
import { html } from './html.js';
import { type OtherShards, type PageContext, renderOverview } from './overview-page.js';
import { shell } from './page-parts.js';
import { rangeOf, renderServicePage } from './service-page.js';

/**
 * Pages may load scripts, styles and data only from the daemon itself; no inline script or
 * style, no framing, no plugins. A service name holding `<script>` is escaped anyway; this is
 * the second wall if an escape were ever missed.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export interface StatusPageOptions {
  getSnapshot: () => Snapshot | null;
  /** Seconds between the page's polls: the evaluation interval, read per request (a reload may change it). */
  pollSeconds: () => number;
  /** Overrides where the bundle is read from (tests). */
  assets?: UiAssets | null;
  /** An objective's alert window pairs, to mark the one that fires. */
  pairsOf?: (service: string, objective: string) => ObjectivePairs | null;
  /** Sharded with peers: the services the other shards own (each peer asked within its timeout); null otherwise. */
  otherShards?: () => Promise<OtherShards | null>;
}

const ASSET_PREFIX = '/ui/';

function sendAsset(req: FastifyRequest, reply: FastifyReply, asset: Asset): FastifyReply {
  const etag = `"${asset.hash}"`;
  reply.header('etag', etag).header('cache-control', 'public, max-age=31536000, immutable').header('x-content-type-options', 'nosniff');
  if (req.headers['if-none-match'] === etag) return reply.code(304).send();
  reply.type(asset.type).header('vary', 'accept-encoding');
  if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) return reply.header('content-encoding', 'gzip').send(asset.gzip);
  return reply.send(asset.body);
}

function pageHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .type('text/html; charset=utf-8')
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-cache');
}

/** `GET /`, `GET /services/:service` and the bundle under `/ui/`. */
export function registerStatusPage(app: FastifyInstance, options: StatusPageOptions): void {
  const assets = options.assets === undefined ? loadAssets() : options.assets;
  if (!assets) app.log.warn('status page: the script bundle is missing (run `npm run build:ui`); pages are served without charts');
  const links = {
    script: assets ? `${ASSET_PREFIX}app.js?v=${assets.script.hash}` : `${ASSET_PREFIX}app.js`,
    style: assets ? `${ASSET_PREFIX}app.css?v=${assets.style.hash}` : `${ASSET_PREFIX}app.css`,
  };
  const ctx = (): PageContext => ({ pollSeconds: options.pollSeconds(), assets: links, pairsOf: options.pairsOf });

  app.get(`${ASSET_PREFIX}app.js`, (req, reply) => (assets ? sendAsset(req, reply, assets.script) : reply.code(404).send()));
  app.get(`${ASSET_PREFIX}app.css`, (req, reply) => (assets ? sendAsset(req, reply, assets.style) : reply.code(404).send()));

  // The unfiltered overview is the same for every request until the next snapshot: rendered once.
  const overviews = new WeakMap<Snapshot, string>();
  app.get<{ Querystring: { q?: string; label?: string } }>('/', async (req, reply) => {
    const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 200) : undefined;
    const label = typeof req.query.label === 'string' ? req.query.label.slice(0, 200) : undefined;
    const snapshot = options.getSnapshot();
    // Sharded: the page rests on the peers' answers too, so it is rendered per request.
    const others = snapshot && options.otherShards ? await options.otherShards() : null;
    if (!snapshot || q || label || others) return pageHeaders(reply).send(renderOverview(snapshot, { q, label }, ctx(), others));
    let page = overviews.get(snapshot);
    if (page === undefined) overviews.set(snapshot, (page = renderOverview(snapshot, {}, ctx())));
    return pageHeaders(reply).send(page);
  });

  app.get<{ Params: { service: string }; Querystring: { range?: string } }>('/services/:service', (req, reply) => {
    const snapshot = options.getSnapshot();
    const service = snapshot?.services.find((s) => s.service === req.params.service) as ServiceResult | undefined;
    if (!snapshot || !service) {
      const body = html`<h1>${snapshot ? 'No such service' : 'Not evaluated yet'}</h1><p>${snapshot ? `No service named “${req.params.service}”.` : 'No evaluation has finished yet; retry shortly.'}</p><p><a href="/">All services</a></p>`;
      return pageHeaders(reply)
        .code(snapshot ? 404 : 503)
        .send(shell({ title: 'vigil', pollSeconds: options.pollSeconds(), mainData: html`data-page="missing"`, body, assets: links }).text);
    }
    return pageHeaders(reply).send(renderServicePage(snapshot, service, rangeOf(req.query.range), ctx()));
  });
}
