import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ConfigIssue } from '../config/config.js';
import { redactText } from '../config/redact.js';
import type { ServiceResult, Snapshot } from '../snapshot/snapshot-schema.js';
import { jsonSchemaOf, type ErrorResponse } from './api-schemas.js';
import { openApiDocument } from './openapi.js';
import { routeSpec, type RouteSpec } from './routes.js';
import { ServiceViews } from './service-views.js';
import type { SampleStore } from '../store/sample-store.js';
import type { UiAssets } from '../ui/assets.js';
import { findObjective, objectiveHistory, resourceHistory } from '../ui/history.js';
import { parseRange, type RangeQuery } from '../ui/history-params.js';
import { registerStatusPage } from '../ui/status-routes.js';
import { SnapshotMemo } from '../ui/snapshot-memo.js';
import type { ObjectivePairs } from '../ui/burn-pairs.js';

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
  /** The sample store the history API reads; without it the history routes answer 404. */
  store?: SampleStore;
  /** Seconds between the status page's polls (the evaluation interval); 5 when not given. */
  pollSeconds?: () => number;
  /** The status page's bundle; read from the build output when not given (null: pages without charts). */
  uiAssets?: UiAssets | null;
  /** An objective's alert window pairs, for the status page to mark the one that fires. */
  burnPairs?: (service: string, objective: string) => ObjectivePairs | null;
}

/** Constant-time token check: both sides are hashed first, so even their lengths leak nothing. */
export function tokenMatches(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * The route's schema-compiled serializer for 200. The API serialises a view once per snapshot
 * with it and sends the text to every request until the next cycle (a string payload skips
 * fastify's per-request serialisation).
 */
function serializerOf(reply: FastifyReply): (payload: unknown) => string {
  const fn = reply.getSerializationFunction('200') as ((payload: unknown) => string) | undefined;
  return fn ?? ((payload) => JSON.stringify(payload));
}

function fail(reply: FastifyReply, status: number, error: string, code: string, message: string): FastifyReply {
  const body: ErrorResponse = { error, code, message };
  return reply.code(status).send(body);
}

function responseSchemas(spec: RouteSpec): Record<number, unknown> {
  const out: Record<number, unknown> = {};
  for (const [status, res] of Object.entries(spec.responses)) if (res.schema) out[Number(status)] = jsonSchemaOf(res.schema);
  return out;
}

/**
 * The HTTP API. Read-only except `POST /-/reload`. Handlers only read the current snapshot (and
 * views built once per snapshot); response schemas are declared so fastify serialises with a
 * compiled serializer, and so the OpenAPI document is the truth.
 */
export function buildServer(options: ServerOptions): FastifyInstance {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    // One log line per request would cost more than serving it; the daemon logs what matters.
    logController: new LogController({ disableRequestLogging: true }),
    // Reload requests carry no body worth keeping; anything big is a mistake.
    bodyLimit: 64 * 1024,
  }) as unknown as FastifyInstance;
  const views = new ServiceViews();
  const openapi = JSON.stringify(openApiDocument(options.version ?? '0.0.0'));
  const tokenOf = () => (typeof options.reloadToken === 'function' ? options.reloadToken() : options.reloadToken);

  app.setErrorHandler((err: { statusCode?: number; code?: string; message: string }, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) app.log.error({ err: { message: redactText(err.message), code: err.code } }, 'request failed');
    return fail(reply, status, status >= 500 ? 'Internal Server Error' : 'Bad Request', err.code?.startsWith('VIGIL_') ? err.code : status >= 500 ? 'VIGIL_ERR_INTERNAL' : 'VIGIL_ERR_BAD_REQUEST', redactText(err.message));
  });
  app.setNotFoundHandler((req, reply) => fail(reply, 404, 'Not Found', 'VIGIL_ERR_NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`));

  const notReady = (reply: FastifyReply) =>
    fail(reply, 503, 'Service Unavailable', 'VIGIL_ERR_NOT_READY', 'no evaluation has finished yet; retry shortly');

  // Conditional polling (the status page's live updates): a snapshot's views never change, so its
  // evaluation time is their validator and an unchanged poll costs a 304 without a body.
  const unchanged = (req: FastifyRequest, reply: FastifyReply, snapshot: Snapshot): boolean => {
    const etag = `W/"${snapshot.evaluatedAt}"`;
    reply.header('etag', etag).header('cache-control', 'no-cache');
    return req.headers['if-none-match'] === etag;
  };

  const list = routeSpec('listServices');
  app.get(list.url, { schema: { response: responseSchemas(list) } }, (req, reply) => {
    const snapshot = options.getSnapshot();
    if (!snapshot) return notReady(reply);
    if (unchanged(req, reply, snapshot)) return reply.code(304).send();
    return reply.type(JSON_TYPE).send(views.listJson(snapshot, serializerOf(reply)));
  });

  const current = routeSpec('getServiceCurrent');
  app.get<{ Params: { service: string } }>(current.url, { schema: { response: responseSchemas(current) } }, (req, reply) => {
    const snapshot = options.getSnapshot();
    if (!snapshot) return notReady(reply);
    if (unchanged(req, reply, snapshot)) return reply.code(304).send();
    const json = views.currentJson(snapshot, req.params.service, serializerOf(reply));
    if (json === undefined) {
      const known = snapshot.services.map((s) => s.service).join(', ') || 'none';
      return fail(reply, 404, 'Not Found', 'VIGIL_ERR_UNKNOWN_SERVICE', `no service ${JSON.stringify(req.params.service)}; known: ${known}`);
    }
    return reply.type(JSON_TYPE).send(json);
  });

  const unknownService = (reply: FastifyReply, snapshot: Snapshot, service: string) =>
    fail(reply, 404, 'Not Found', 'VIGIL_ERR_UNKNOWN_SERVICE', `no service ${JSON.stringify(service)}; known: ${snapshot.services.map((s) => s.service).join(', ') || 'none'}`);
  const badRange = (reply: FastifyReply, message: string) => fail(reply, 400, 'Bad Request', 'VIGIL_ERR_BAD_RANGE', message);

  // Open pages ask the same history questions until the next snapshot: answered once each.
  const historyMemo = new SnapshotMemo<string>();
  const resourcesMemo = new SnapshotMemo<string>();
  const history = routeSpec('getObjectiveHistory');
  app.get<{ Params: { service: string; objective: string }; Querystring: RangeQuery }>(history.url, { schema: { response: responseSchemas(history) } }, (req, reply) => {
    const snapshot = options.getSnapshot();
    if (!snapshot || !options.store) return notReady(reply);
    const found = findObjective(snapshot, req.params.service, req.params.objective);
    if (!found) {
      if (!snapshot.services.some((s) => s.service === req.params.service)) return unknownService(reply, snapshot, req.params.service);
      return fail(reply, 404, 'Not Found', 'VIGIL_ERR_UNKNOWN_OBJECTIVE', `service ${JSON.stringify(req.params.service)} has no objective ${JSON.stringify(req.params.objective)}`);
    }
    const parsed = parseRange(req.query, Date.now());
    if (!parsed.ok) return badRange(reply, parsed.message);
    const { from, to, stepMs } = parsed.range;
    const key = `${req.params.service}\n${req.params.objective}\n${from}\n${to}\n${stepMs}`;
    const json = historyMemo.get(snapshot, key, () => serializerOf(reply)(objectiveHistory(options.store!, req.params.service, found.objective, parsed.range)));
    return reply.type(JSON_TYPE).send(json);
  });

  const resources = routeSpec('getServiceResources');
  app.get<{ Params: { service: string }; Querystring: RangeQuery }>(resources.url, { schema: { response: responseSchemas(resources) } }, (req, reply) => {
    const snapshot = options.getSnapshot();
    if (!snapshot || !options.store) return notReady(reply);
    const service = snapshot.services.find((s) => s.service === req.params.service);
    if (!service) return unknownService(reply, snapshot, req.params.service);
    const parsed = parseRange(req.query, Date.now());
    if (!parsed.ok) return badRange(reply, parsed.message);
    const { from, to, stepMs } = parsed.range;
    const json = resourcesMemo.get(snapshot, `${req.params.service}\n${from}\n${to}\n${stepMs}`, () =>
      serializerOf(reply)(resourceHistory(options.store!, service as ServiceResult, parsed.range)),
    );
    return reply.type(JSON_TYPE).send(json);
  });

  registerStatusPage(app, {
    getSnapshot: options.getSnapshot,
    pollSeconds: options.pollSeconds ?? (() => 5),
    ...(options.uiAssets !== undefined ? { assets: options.uiAssets } : {}),
    ...(options.burnPairs ? { pairsOf: options.burnPairs } : {}),
  });

  const health = routeSpec('health');
  app.get(health.url, { schema: { response: responseSchemas(health) } }, (_req, reply) => reply.send({ status: 'ok' }));

  const ready = routeSpec('ready');
  app.get(ready.url, { schema: { response: responseSchemas(ready) } }, (_req, reply) =>
    options.getSnapshot() ? reply.send({ status: 'ready' }) : reply.code(503).send({ status: 'not_ready' }),
  );

  app.get('/metrics', async (_req, reply) => {
    const body = await options.metricsRegistry.metrics();
    return reply.type(options.metricsRegistry.contentType).send(body);
  });

  app.get('/openapi.json', (_req, reply) => reply.type('application/json; charset=utf-8').send(openapi));

  const reloadSpec = routeSpec('reload');
  app.post(reloadSpec.url, { schema: { response: responseSchemas(reloadSpec) } }, async (req, reply) => {
    const expected = tokenOf();
    if (expected === undefined || !options.reload) {
      return fail(reply, 404, 'Not Found', 'VIGIL_ERR_RELOAD_DISABLED', 'reload is off: set `reloadToken` in vigil.yaml');
    }
    const header = req.headers.authorization ?? '';
    const given = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim() ?? '';
    if (!tokenMatches(given, expected)) {
      app.log.warn({ ip: req.ip }, 'reload refused: missing or wrong bearer token');
      return fail(reply, 403, 'Forbidden', 'VIGIL_ERR_RELOAD_FORBIDDEN', 'missing or wrong bearer token');
    }
    const outcome = await options.reload();
    if (!outcome.ok) {
      const issues = outcome.issues.map((i) => ({ file: i.file, line: i.line, column: i.column, path: i.path, message: redactText(i.message), code: i.code }));
      return reply.code(422).send({
        error: 'Unprocessable Entity',
        code: 'VIGIL_ERR_CONFIG_INVALID',
        message: `the new config has ${issues.length} issue(s); the running config is kept`,
        issues,
      });
    }
    return reply.send({ reloaded: true, services: outcome.services, message: `reloaded ${outcome.services.length} service(s)` });
  });

  return app;
}
