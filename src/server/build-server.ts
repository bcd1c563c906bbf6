import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ConfigIssue } from '../config/config.js';
import type { ResolvedShard } from '../config/shard.js';
import { ERR, vigilError } from '../core/errors.js';
import { toWireByJsonSchema } from '../core/wire-keys.js';
import type { ServiceResult, Snapshot } from '../snapshot/snapshot-schema.js';
import type { SampleStore } from '../store/sample-store.js';
import type { UiAssets } from '../ui/assets.js';
import type { ObjectivePairs } from '../ui/burn-pairs.js';
import { findObjective, objectiveHistory, resourceHistory } from '../ui/history.js';
import { parseRange, type RangeQuery } from '../ui/history-params.js';
import { SnapshotMemo } from '../ui/snapshot-memo.js';
import { registerStatusPage } from '../ui/status-routes.js';
import { registerHotRoutes, responseSchemas, SnapshotHotViews, unknownService } from './hot-routes.js';
import {
  echo,
  errorBody,
  fail,
  HTTP_LIMITS,
  type HttpLimits,
  hardenedFastify,
  JSON_TYPE,
  notReady,
  responseSchemaOf,
  tokenMatches,
} from './http-hardening.js';
import { openApiDocument } from './openapi.js';
import { routeSpec } from './routes.js';
import { ServiceViews } from './service-views.js';
import { askPeers, mergeLists, otherShardServices, withShard } from './shard-fanout.js';

export { HTTP_LIMITS, type HttpLimits, tokenMatches };

export type ReloadOutcome = { ok: true; services: string[] } | { ok: false; issues: ConfigIssue[] };

export interface ServerOptions {
  /** The current snapshot; null before the first evaluation. */
  getSnapshot: () => Snapshot | null;
  metricsRegistry: Registry;
  /** Reloads the config; omitted when the caller cannot reload. */
  reload?: () => Promise<ReloadOutcome>;
  /** The bearer token `POST /-/reload` needs, read per request (a reload may change it); reload is off when undefined. */
  reloadToken?: string | (() => string | undefined);
  logger?: Logger;
  version?: string;
  /** This replica's shard (null when not sharded): `/api/sla` merges the peers' lists. */
  shard?: () => ResolvedShard | null;
  /** True when the snapshot is older than a few evaluation intervals: `/readyz` then fails. */
  snapshotStale?: () => boolean;
  /** Connection and request limits; the defaults (`HTTP_LIMITS`) suit every deployment, tests shorten them. */
  limits?: Partial<HttpLimits>;
  /** The sample store the history API reads; without it the history routes answer 404. */
  store?: SampleStore;
  /** Seconds between the status page's polls (the evaluation interval); 5 when not given. */
  pollSeconds?: () => number;
  /** The status page's bundle; read from the build output when not given (null: pages without charts). */
  uiAssets?: UiAssets | null;
  /** An objective's alert window pairs, for the status page to mark the one that fires. */
  burnPairs?: (service: string, objective: string) => ObjectivePairs | null;
}

/**
 * The route's schema-compiled serializer for 200, after the wire naming (`toWire`). The API
 * serialises a view once per snapshot with it and sends the text to every request until the next
 * cycle (a string payload skips fastify's per-request serialisation).
 */
function serializerOf(reply: FastifyReply): (payload: unknown) => string {
  const fn = reply.getSerializationFunction('200') as ((payload: unknown) => string) | undefined;
  const schema = responseSchemaOf(reply.request, 200);
  const wire = (payload: unknown) => (schema ? toWireByJsonSchema(schema, payload) : payload);
  return fn ? (payload) => fn(wire(payload)) : (payload) => JSON.stringify(wire(payload));
}

/** `POST /-/reload` takes no body at all. */
const RELOAD_BODY_LIMIT = 1024;

/**
 * The HTTP API. Read-only except `POST /-/reload`. Handlers only read the current snapshot (and
 * views built once per snapshot); response schemas are declared so fastify serialises with a
 * compiled serializer, and so the OpenAPI document is the truth.
 */
export function buildServer(options: ServerOptions): FastifyInstance {
  const app = hardenedFastify({ limits: options.limits, logger: options.logger });
  const views = new ServiceViews();
  const openapi = JSON.stringify(openApiDocument(options.version ?? '0.0.0'));
  const tokenOf = () => (typeof options.reloadToken === 'function' ? options.reloadToken() : options.reloadToken);

  app.setNotFoundHandler((req, reply) =>
    fail(reply, vigilError(ERR.VIGIL_ERR_NOT_FOUND, { method: echo(req.method), path: echo(req.url.split('?')[0] ?? '') })),
  );
  const hotViews = new SnapshotHotViews(views);
  registerHotRoutes(app, {
    views: () => {
      const snapshot = options.getSnapshot();
      return snapshot && hotViews.of(snapshot, options.shard?.() ?? null);
    },
    fanOut: (_req, reply) => fanOutList(options, views, reply),
  });

  const badRange = (reply: FastifyReply, message: string) => fail(reply, vigilError(ERR.VIGIL_ERR_BAD_RANGE, { detail: message }));

  // Open pages ask the same history questions until the next snapshot: answered once each.
  const historyMemo = new SnapshotMemo<string>();
  const resourcesMemo = new SnapshotMemo<string>();
  const history = routeSpec('getObjectiveHistory');
  app.get<{ Params: { service: string; objective: string }; Querystring: RangeQuery }>(
    history.url,
    { schema: { response: responseSchemas(history) } },
    (req, reply) => {
      const snapshot = options.getSnapshot();
      if (!snapshot || !options.store) return notReady(reply);
      const found = findObjective(snapshot, req.params.service, req.params.objective);
      if (!found) {
        if (!snapshot.services.some((s) => s.service === req.params.service))
          return unknownService(reply, serviceNames(snapshot), req.params.service);
        return fail(
          reply,
          vigilError(ERR.VIGIL_ERR_UNKNOWN_OBJECTIVE, {
            service: JSON.stringify(echo(req.params.service)),
            objective: JSON.stringify(echo(req.params.objective)),
          }),
        );
      }
      const parsed = parseRange(req.query, Date.now());
      if (!parsed.ok) return badRange(reply, parsed.message);
      const { from, to, stepMs } = parsed.range;
      const key = `${req.params.service}\n${req.params.objective}\n${from}\n${to}\n${stepMs}`;
      const json = historyMemo.get(snapshot, key, () =>
        serializerOf(reply)(objectiveHistory(options.store!, req.params.service, found.objective, parsed.range)),
      );
      return reply.type(JSON_TYPE).send(json);
    },
  );

  const resources = routeSpec('getServiceResources');
  app.get<{ Params: { service: string }; Querystring: RangeQuery }>(
    resources.url,
    { schema: { response: responseSchemas(resources) } },
    (req, reply) => {
      const snapshot = options.getSnapshot();
      if (!snapshot || !options.store) return notReady(reply);
      const service = snapshot.services.find((s) => s.service === req.params.service);
      if (!service) return unknownService(reply, serviceNames(snapshot), req.params.service);
      const parsed = parseRange(req.query, Date.now());
      if (!parsed.ok) return badRange(reply, parsed.message);
      const { from, to, stepMs } = parsed.range;
      const json = resourcesMemo.get(snapshot, `${req.params.service}\n${from}\n${to}\n${stepMs}`, () =>
        serializerOf(reply)(resourceHistory(options.store!, service as ServiceResult, parsed.range)),
      );
      return reply.type(JSON_TYPE).send(json);
    },
  );

  registerStatusPage(app, {
    getSnapshot: options.getSnapshot,
    pollSeconds: options.pollSeconds ?? (() => 5),
    ...(options.uiAssets !== undefined ? { assets: options.uiAssets } : {}),
    ...(options.burnPairs ? { pairsOf: options.burnPairs } : {}),
    otherShards: async () => {
      const shard = options.shard?.() ?? null;
      const snapshot = options.getSnapshot();
      if (!shard || shard.peers.length === 0 || !snapshot) return null;
      return otherShardServices(await askPeers(shard), new Set(snapshot.services.map((s) => s.service)));
    },
  });

  const health = routeSpec('health');
  app.get(health.url, { schema: { response: responseSchemas(health) } }, (_req, reply) => reply.send({ status: 'ok' }));

  const ready = routeSpec('ready');
  app.get(ready.url, { schema: { response: responseSchemas(ready) } }, (_req, reply) => {
    if (!options.getSnapshot()) return reply.code(503).send({ status: 'not_ready' });
    // Evaluation stuck: the figures served are old, so a load balancer should look elsewhere.
    if (options.snapshotStale?.()) return reply.code(503).send({ status: 'stale' });
    return reply.send({ status: 'ready' });
  });

  app.get('/metrics', async (_req, reply) => {
    const body = await options.metricsRegistry.metrics();
    return reply.type(options.metricsRegistry.contentType).send(body);
  });

  app.get('/openapi.json', (_req, reply) => reply.type('application/json; charset=utf-8').send(openapi));

  const reloadSpec = routeSpec('reload');
  app.post(reloadSpec.url, { bodyLimit: RELOAD_BODY_LIMIT, schema: { response: responseSchemas(reloadSpec) } }, async (req, reply) => {
    const expected = tokenOf();
    if (expected === undefined || !options.reload) {
      return fail(reply, vigilError(ERR.VIGIL_ERR_RELOAD_DISABLED));
    }
    const header = req.headers.authorization ?? '';
    const given = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim() ?? '';
    if (!tokenMatches(given, expected)) {
      app.log.warn({ ip: req.ip }, 'reload refused: missing or wrong bearer token');
      return fail(reply, vigilError(ERR.VIGIL_ERR_RELOAD_FORBIDDEN));
    }
    const outcome = await options.reload();
    if (!outcome.ok) {
      const issues = outcome.issues.map((i) => ({
        file: i.file,
        line: i.line,
        column: i.column,
        path: i.path,
        message: i.message,
        code: i.code,
      }));
      const { status, body } = errorBody(
        vigilError(ERR.VIGIL_ERR_CONFIG_INVALID, { count: issues.length, detail: '; the running config is kept' }),
      );
      return reply.code(status).send({ ...body, issues });
    }
    return reply.send({ reloaded: true, services: outcome.services, message: `reloaded ${outcome.services.length} service(s)` });
  });

  return app;
}

const serviceNames = (snapshot: Snapshot) => snapshot.services.map((s) => s.service);

/** A sharded replica's `/api/sla`: its own list merged with every peer's. */
async function fanOutList(options: ServerOptions, views: ServiceViews, reply: FastifyReply): Promise<FastifyReply> {
  const snapshot = options.getSnapshot();
  const shard = options.shard?.() ?? null;
  if (!snapshot || !shard) return fail(reply, vigilError(ERR.VIGIL_ERR_NOT_READY));
  return reply.send(mergeLists(withShard(views.list(snapshot), shard), await askPeers(shard)));
}
