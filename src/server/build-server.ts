import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ConfigIssue } from '../config/config.js';
import { redactText } from '../config/redact.js';
import type { Snapshot } from '../snapshot/snapshot-schema.js';
import { jsonSchemaOf, type ErrorResponse } from './api-schemas.js';
import { openApiDocument } from './openapi.js';
import { routeSpec, type RouteSpec } from './routes.js';
import { ServiceViews } from './service-views.js';

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
  /** True when the snapshot is older than a few evaluation intervals: `/readyz` then fails. */
  snapshotStale?: () => boolean;
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

  const list = routeSpec('listServices');
  app.get(list.url, { schema: { response: responseSchemas(list) } }, (_req, reply) => {
    const snapshot = options.getSnapshot();
    if (!snapshot) return notReady(reply);
    return reply.type(JSON_TYPE).send(views.listJson(snapshot, serializerOf(reply)));
  });

  const current = routeSpec('getServiceCurrent');
  app.get<{ Params: { service: string } }>(current.url, { schema: { response: responseSchemas(current) } }, (req, reply) => {
    const snapshot = options.getSnapshot();
    if (!snapshot) return notReady(reply);
    const json = views.currentJson(snapshot, req.params.service, serializerOf(reply));
    if (json === undefined) {
      const known = snapshot.services.map((s) => s.service).join(', ') || 'none';
      return fail(reply, 404, 'Not Found', 'VIGIL_ERR_UNKNOWN_SERVICE', `no service ${JSON.stringify(req.params.service)}; known: ${known}`);
    }
    return reply.type(JSON_TYPE).send(json);
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
