import { createHash, timingSafeEqual } from 'node:crypto';
import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ConfigIssue } from '../config/config.js';
import type { ResolvedShard } from '../config/shard.js';
import { ERR, isVigilError, type VigilError, vigilError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { toWireByJsonSchema } from '../core/wire-keys.js';
import type { ServiceResult, Snapshot } from '../snapshot/snapshot-schema.js';
import type { SampleStore } from '../store/sample-store.js';
import type { UiAssets } from '../ui/assets.js';
import type { ObjectivePairs } from '../ui/burn-pairs.js';
import { findObjective, objectiveHistory, resourceHistory } from '../ui/history.js';
import { parseRange, type RangeQuery } from '../ui/history-params.js';
import { SnapshotMemo } from '../ui/snapshot-memo.js';
import { registerStatusPage } from '../ui/status-routes.js';
import { type ErrorResponse, jsonSchemaOf } from './api-schemas.js';
import { reclaimIdleSocketsNearCap } from './idle-reclaim.js';
import { openApiDocument } from './openapi.js';
import { type RouteSpec, routeSpec } from './routes.js';
import { ServiceViews } from './service-views.js';
import { askPeers, mergeLists, withShard } from './shard-fanout.js';

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
 * What one client may hold. The API answers from memory in microseconds, so a request that has
 * not arrived whole within seconds is a broken or hostile client (a slow-body or slow-header
 * attack): it gets a 408 and its socket is closed, and the connection cap keeps file
 * descriptors for the store file and the sources whatever the number of clients.
 */
export interface HttpLimits {
  /** Headers must arrive within this. */
  readonly headersTimeoutMs: number;
  /** The whole request (headers and body) must arrive within this. */
  readonly requestTimeoutMs: number;
  /** A socket with no traffic at all is closed after this. */
  readonly idleTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  readonly keepAliveTimeoutMs: number;
  /** Connections open at once; further ones are closed at accept. */
  readonly maxConnections: number;
  /** How often Node checks the header and request timeouts (their precision). */
  readonly checkIntervalMs: number;
}

export const HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  idleTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 512,
  checkIntervalMs: 1_000,
};

/** Constant-time token check: both sides are hashed first, so even their lengths leak nothing. */
export function tokenMatches(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

const JSON_TYPE = 'application/json; charset=utf-8';

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

/** The route's declared (wire-named) JSON Schema of a status's body; undefined when it declares none. */
function responseSchemaOf(req: FastifyRequest, status: number): Record<string, unknown> | undefined {
  const responses = (req.routeOptions.schema?.response ?? {}) as Record<string, Record<string, unknown> | undefined>;
  return responses[status];
}

/**
 * Bodies sent as objects take their wire names (snake_case keys, maps untouched) from the route's
 * response schema before fastify serialises them with that schema: the naming is decided in
 * `core/wire-keys.ts` alone, never per route.
 */
function wireNames(app: FastifyInstance): void {
  app.addHook('preSerialization', (req, reply, payload, done) => {
    const schema = responseSchemaOf(req, reply.statusCode);
    done(null, schema ? toWireByJsonSchema(schema, payload) : payload);
  });
}

/** No route takes a big body: anything over this is a mistake or an attack. */
const BODY_LIMIT = 16 * 1024;
/** `POST /-/reload` takes no body at all. */
const RELOAD_BODY_LIMIT = 1024;
/** Longer than any service name (63 characters): a longer path segment is refused with 414. */
const MAX_PARAM_LENGTH = 100;
/** How long a connection refused by the HTTP parser may stay open after its answer. */
const CLIENT_ERROR_LINGER_MS = 1_000;
/** Request text echoed in an error message (a path, a name) is cut to this many characters. */
const ECHO_LIMIT = 80;

/**
 * Echoed request text: cut, then redacted, so an answer never repeats a long or secret input.
 * Cut first: redaction's patterns take time quadratic in the length on a long run without `:`
 * (a 16 KB path took over half a second), and a request controls that length.
 */
function echo(text: string): string {
  const head = redact(text.slice(0, ECHO_LIMIT));
  return text.length > ECHO_LIMIT ? `${head}... (${text.length} characters)` : head;
}

/** The documented error body of any error: `{ error, code, message }`, status from the catalogue. */
function errorBody(err: VigilError): { status: number; body: ErrorResponse } {
  const status = err.httpStatus ?? 500;
  return { status, body: { error: STATUS_CODES[status] ?? 'Error', code: err.code, message: err.message } };
}

function fail(reply: FastifyReply, err: VigilError): FastifyReply {
  const { status, body } = errorBody(err);
  return reply.code(status).send(body);
}

/**
 * An error fastify or its body parser raised (they carry `statusCode`), as a catalogue error.
 * Their messages can quote the request: a 400's and a 500's are kept, cut; the others are ours.
 */
function fromFramework(err: { statusCode?: number; message: string }, bodyLimit = BODY_LIMIT): VigilError {
  const status = err.statusCode ?? 500;
  if (status === 413) return vigilError(ERR.VIGIL_ERR_BODY_TOO_LARGE, { max: bodyLimit });
  if (status === 415) return vigilError(ERR.VIGIL_ERR_UNSUPPORTED_MEDIA_TYPE);
  if (status === 408) return vigilError(ERR.VIGIL_ERR_REQUEST_TIMEOUT);
  if (status >= 400 && status < 500) return vigilError(ERR.VIGIL_ERR_BAD_REQUEST, { detail: echo(err.message) });
  return vigilError(ERR.VIGIL_ERR_INTERNAL, { detail: echo(err.message) });
}

/**
 * Errors Node's HTTP parser finds before fastify sees a request (headers too large, a request
 * that is not HTTP, a request timeout), answered in the API's shape and the connection closed.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const vigil =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? vigilError(ERR.VIGIL_ERR_HEADERS_TOO_LARGE, { max: maxHeaderSize })
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? vigilError(ERR.VIGIL_ERR_REQUEST_TIMEOUT)
        : vigilError(ERR.VIGIL_ERR_BAD_REQUEST, { detail: 'not a valid HTTP/1.1 request' });
  const { status, body } = errorBody(vigil);
  const text = JSON.stringify(body);
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  // end() sends the answer before the FIN (destroy() could drop it); a client that then keeps
  // the connection open loses it shortly after.
  socket.end(
    `HTTP/1.1 ${status} ${body.error}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
  setTimeout(() => socket.destroy(), CLIENT_ERROR_LINGER_MS).unref();
}

function responseSchemas(spec: RouteSpec): Record<number, unknown> {
  const out: Record<number, unknown> = {};
  for (const [status, res] of Object.entries(spec.responses)) if (res.schema) out[Number(status)] = jsonSchemaOf(res.schema);
  return out;
}

/**
 * Every response leaves through here (API bodies, `/metrics`, error answers, 404s), so none can
 * carry a credential whatever its handler put in it. The views' bytes, cached per snapshot, are
 * scrubbed once each (remembered by identity); other payloads are scrubbed per response.
 */
function scrubResponses(app: FastifyInstance): void {
  const scrubbed = new WeakMap<Buffer, Buffer>();
  app.addHook('onSend', (_req, reply, payload, done) => {
    // An encoded body (the status page's pre-compressed assets, vigil's own bundle) is bytes, not
    // text: scrubbing it would corrupt it, and nothing in it comes from config or sources.
    if (reply.getHeader('content-encoding') !== undefined) return done(null, payload);
    if (typeof payload === 'string') return done(null, redact(payload));
    if (!Buffer.isBuffer(payload)) return done(null, payload);
    let clean = scrubbed.get(payload);
    if (clean === undefined) {
      const text = payload.toString('utf8');
      const safe = redact(text);
      clean = safe === text ? payload : Buffer.from(safe, 'utf8');
      scrubbed.set(payload, clean);
    }
    return done(null, clean);
  });
}

/**
 * The HTTP API. Read-only except `POST /-/reload`. Handlers only read the current snapshot (and
 * views built once per snapshot); response schemas are declared so fastify serialises with a
 * compiled serializer, and so the OpenAPI document is the truth.
 */
export function buildServer(options: ServerOptions): FastifyInstance {
  const limits = { ...HTTP_LIMITS, ...options.limits };
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    // One log line per request would cost more than serving it; the daemon logs what matters.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    http: { headersTimeout: limits.headersTimeoutMs, connectionsCheckingInterval: limits.checkIntervalMs },
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Bad `%` escapes and over-long path segments are found by the router, before any route.
    frameworkErrors: (err, _req, reply) =>
      fail(
        reply,
        err.code === 'FST_ERR_BAD_URL'
          ? vigilError(ERR.VIGIL_ERR_BAD_URL)
          : err.code === 'FST_ERR_MAX_PARAM_LENGTH'
            ? vigilError(ERR.VIGIL_ERR_URL_TOO_LONG, { max: MAX_PARAM_LENGTH })
            : fromFramework(err),
      ),
    clientErrorHandler: answerClientError,
  }) as unknown as FastifyInstance;
  app.server.maxConnections = limits.maxConnections;
  reclaimIdleSocketsNearCap(app.server, limits.maxConnections);
  const views = new ServiceViews();
  const openapi = JSON.stringify(openApiDocument(options.version ?? '0.0.0'));
  const tokenOf = () => (typeof options.reloadToken === 'function' ? options.reloadToken() : options.reloadToken);

  scrubResponses(app);
  wireNames(app);
  app.setErrorHandler((err: { statusCode?: number; code?: string; message: string }, req, reply) => {
    const vigil = isVigilError(err) && err.httpStatus !== undefined ? err : fromFramework(err, req.routeOptions.bodyLimit);
    if (vigil.code === ERR.VIGIL_ERR_INTERNAL) app.log.error({ err: { message: err.message, code: err.code } }, 'request failed');
    return fail(reply, vigil);
  });
  app.setNotFoundHandler((req, reply) =>
    fail(reply, vigilError(ERR.VIGIL_ERR_NOT_FOUND, { method: echo(req.method), path: echo(req.url.split('?')[0] ?? '') })),
  );

  const notReady = (reply: FastifyReply) => fail(reply, vigilError(ERR.VIGIL_ERR_NOT_READY));

  // Conditional polling (the status page's live updates): a snapshot's views never change, so its
  // evaluation time is their validator and an unchanged poll costs a 304 without a body.
  const unchanged = (req: FastifyRequest, reply: FastifyReply, snapshot: Snapshot): boolean => {
    const etag = `W/"${snapshot.evaluatedAt}"`;
    reply.header('etag', etag).header('cache-control', 'no-cache');
    return req.headers['if-none-match'] === etag;
  };

  const list = routeSpec('listServices');
  app.get<{ Querystring: { scope?: string } }>(list.url, { schema: { response: responseSchemas(list) } }, async (req, reply) => {
    const snapshot = options.getSnapshot();
    if (!snapshot) return notReady(reply);
    const shard = options.shard?.() ?? null;
    if (!shard) {
      if (unchanged(req, reply, snapshot)) return reply.code(304).send();
      return reply.type(JSON_TYPE).send(views.listJson(snapshot, serializerOf(reply)));
    }
    // Sharded: the answer rests on the peers' snapshots too, so this one's time is no validator.
    const local = withShard(views.list(snapshot), shard);
    if (req.query.scope === 'local' || shard.peers.length === 0) return reply.send(local);
    return reply.send(mergeLists(local, await askPeers(shard)));
  });

  const current = routeSpec('getServiceCurrent');
  app.get<{ Params: { service: string } }>(current.url, { schema: { response: responseSchemas(current) } }, (req, reply) => {
    const snapshot = options.getSnapshot();
    if (!snapshot) return notReady(reply);
    if (unchanged(req, reply, snapshot)) return reply.code(304).send();
    const json = views.currentJson(snapshot, req.params.service, serializerOf(reply));
    if (json === undefined) {
      const known = snapshot.services.map((s) => s.service).join(', ') || 'none';
      return fail(reply, vigilError(ERR.VIGIL_ERR_UNKNOWN_SERVICE, { service: JSON.stringify(echo(req.params.service)), known }));
    }
    return reply.type(JSON_TYPE).send(json);
  });

  const unknownService = (reply: FastifyReply, snapshot: Snapshot, service: string) =>
    fail(
      reply,
      vigilError(ERR.VIGIL_ERR_UNKNOWN_SERVICE, {
        service: JSON.stringify(echo(service)),
        known: snapshot.services.map((s) => s.service).join(', ') || 'none',
      }),
    );
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
        if (!snapshot.services.some((s) => s.service === req.params.service)) return unknownService(reply, snapshot, req.params.service);
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
      if (!service) return unknownService(reply, snapshot, req.params.service);
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
