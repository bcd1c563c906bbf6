import { createHash, timingSafeEqual } from 'node:crypto';
import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import type { Logger } from 'pino';
import { ERR, isVigilError, type VigilError, vigilError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { toWireByJsonSchema } from '../core/wire-keys.js';
import type { ErrorResponse } from './api-schemas.js';
import { reclaimIdleSocketsNearCap } from './idle-reclaim.js';

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

/** No route takes a big body: anything over this is a mistake or an attack. */
export const BODY_LIMIT = 16 * 1024;
/** Longer than any service name (63 characters): a longer path segment is refused with 414. */
const MAX_PARAM_LENGTH = 100;
/** How long a connection refused by the HTTP parser may stay open after its answer. */
const CLIENT_ERROR_LINGER_MS = 1_000;
/** Request text echoed in an error message (a path, a name) is cut to this many characters. */
const ECHO_LIMIT = 80;

/** Constant-time token check: both sides are hashed first, so even their lengths leak nothing. */
export function tokenMatches(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * Echoed request text: cut, then redacted, so an answer never repeats a long or secret input.
 * Cut first: redaction's patterns take time quadratic in the length on a long run without `:`
 * (a 16 KB path took over half a second), and a request controls that length.
 */
export function echo(text: string): string {
  const head = redact(text.slice(0, ECHO_LIMIT));
  return text.length > ECHO_LIMIT ? `${head}... (${text.length} characters)` : head;
}

/** The documented error body of any error: `{ error, code, message }`, status from the catalogue. */
export function errorBody(err: VigilError): { status: number; body: ErrorResponse } {
  const status = err.httpStatus ?? 500;
  return { status, body: { error: STATUS_CODES[status] ?? 'Error', code: err.code, message: err.message } };
}

export function fail(reply: FastifyReply, err: VigilError): FastifyReply {
  const { status, body } = errorBody(err);
  return reply.code(status).send(body);
}

/** The answer before the first evaluation has finished. */
export const notReady = (reply: FastifyReply): FastifyReply => fail(reply, vigilError(ERR.VIGIL_ERR_NOT_READY));

/** The content type of every JSON body the API sends as bytes. */
export const JSON_TYPE = 'application/json; charset=utf-8';

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

/** Bytes already scrubbed, by identity: the views cached per snapshot are scrubbed once each. */
const scrubbed = new WeakMap<Buffer, Buffer>();

/** Marks bytes scrubbed elsewhere (the daemon's answers that the front thread passes on). */
export function markScrubbed(payload: Buffer): Buffer {
  scrubbed.set(payload, payload);
  return payload;
}

/** Response bytes as they may leave: redacted, remembered by identity, whichever server sends them. */
export function scrubbedBytes(payload: Buffer): Buffer {
  let clean = scrubbed.get(payload);
  if (clean === undefined) {
    const text = payload.toString('utf8');
    const safe = redact(text);
    clean = safe === text ? payload : Buffer.from(safe, 'utf8');
    scrubbed.set(payload, clean);
  }
  return clean;
}

/** The route's declared (wire-named) JSON Schema of a status's body; undefined when it declares none. */
export function responseSchemaOf(req: FastifyRequest, status: number): Record<string, unknown> | undefined {
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

/**
 * Every response leaves through here (API bodies, `/metrics`, error answers, 404s), so none can
 * carry a credential whatever its handler put in it. The views' bytes, cached per snapshot, are
 * scrubbed once each (remembered by identity); other payloads are scrubbed per response.
 */
function scrubResponses(app: FastifyInstance): void {
  app.addHook('onSend', (_req, reply, payload, done) => {
    // An encoded body (the status page's pre-compressed assets, vigil's own bundle) is bytes, not
    // text: scrubbing it would corrupt it, and nothing in it comes from config or sources.
    if (reply.getHeader('content-encoding') !== undefined) return done(null, payload);
    if (typeof payload === 'string') return done(null, redact(payload));
    return done(null, Buffer.isBuffer(payload) ? scrubbedBytes(payload) : payload);
  });
}

export interface HardenedOptions {
  limits?: Partial<HttpLimits> | undefined;
  logger?: Logger | undefined;
}

/**
 * A fastify instance with the API's protections and output rules (every body scrubbed of
 * credentials, objects wire-named by their route's schema), for every server that listens for vigil (the
 * in-process API and the API front thread): the connection cap with idle reclaim near it, the
 * timeouts of `HttpLimits`, the body and path segment limits, and errors from Node's parser,
 * fastify's router and the handlers all answered as catalogue errors.
 */
export function hardenedFastify(options: HardenedOptions): FastifyInstance {
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
  scrubResponses(app);
  wireNames(app);
  app.server.maxConnections = limits.maxConnections;
  reclaimIdleSocketsNearCap(app.server, limits.maxConnections);
  app.setErrorHandler((err: { statusCode?: number; code?: string; message: string }, req, reply) => {
    const vigil = isVigilError(err) && err.httpStatus !== undefined ? err : fromFramework(err, req.routeOptions.bodyLimit);
    if (vigil.code === ERR.VIGIL_ERR_INTERNAL) app.log.error({ err: { message: err.message, code: err.code } }, 'request failed');
    return fail(reply, vigil);
  });
  return app;
}
