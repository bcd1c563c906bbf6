import SerializerSelector from '@fastify/fast-json-stringify-compiler';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ResolvedShard } from '../config/shard.js';
import { ERR, vigilError } from '../core/errors.js';
import { toWireByJsonSchema } from '../core/wire-keys.js';
import type { Snapshot } from '../snapshot/snapshot-schema.js';
import { jsonSchemaOf } from './api-schemas.js';
import { echo, fail, JSON_TYPE, notReady, scrubbedBytes } from './http-hardening.js';
import { type RouteSpec, routeSpec } from './routes.js';
import type { Serialize, ServiceViews } from './service-views.js';
import { withShard } from './shard-fanout.js';

// The two routes a dashboard or a script asks most, `GET /api/sla` and
// `GET /api/sla/:service/current`, answered from one snapshot's bytes. The same handlers serve
// in the daemon's thread (`buildServer`) and in the API front thread (`api-front-worker.ts`),
// each from its own `HotViews`, so the two answer alike by construction.

/** One snapshot's answers to the hot routes, as bytes ready to send (serialised and scrubbed). */
export interface HotViews {
  /** The snapshot's evaluation time (unix ms): the validator of every view in it. */
  readonly evaluatedAt: number;
  /** Service names in the snapshot's order (a 404 lists them). */
  readonly services: readonly string[];
  /** This replica's shard: null when not sharded; `peers` is how many other shards it asks. */
  readonly shard: { readonly peers: number } | null;
  /** undefined for a service the snapshot does not know. */
  current(service: string): Buffer | undefined;
  /** The list; a sharded replica's own services only (the fan-out is elsewhere). */
  list(): Buffer;
}

export interface HotRouteOptions {
  views: () => HotViews | null;
  /** A sharded replica's `/api/sla` with peers to ask: answered outside the hot views. */
  fanOut: (req: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> | FastifyReply;
}

type JsonSchema = ReturnType<typeof jsonSchemaOf>;

export function responseSchemas(spec: RouteSpec): Record<number, JsonSchema> {
  const out: Record<number, JsonSchema> = {};
  for (const [status, res] of Object.entries(spec.responses)) if (res.schema) out[Number(status)] = jsonSchemaOf(res.schema);
  return out;
}

const compileSerializer = SerializerSelector()({}, {});

/**
 * The route's 200 body serialiser, compiled as fastify compiles it (the same compiler, the same
 * schema) and after the wire naming: the views' bytes are made outside any request (the front
 * thread is fed before anyone asks), and must equal what the route would have sent.
 */
function okSerializer(spec: RouteSpec): Serialize {
  const schema = responseSchemas(spec)[200]!;
  const fn = compileSerializer({ schema, method: spec.method, url: spec.url, httpStatus: '200' }) as (payload: unknown) => string;
  return (payload) => fn(toWireByJsonSchema(schema, payload));
}

const LIST = routeSpec('listServices');
const CURRENT = routeSpec('getServiceCurrent');
const serializeList = okSerializer(LIST);
const serializeCurrent = okSerializer(CURRENT);

/**
 * Each snapshot's hot views over `views` (built once per snapshot, serialised on first use),
 * kept beside the snapshot. `shard` is as the daemon resolves it now: a sharded list carries this
 * replica's identity, so the views are rebuilt when it changes.
 */
export class SnapshotHotViews {
  private readonly cache = new WeakMap<Snapshot, { shardKey: string; hot: HotViews }>();

  constructor(private readonly views: ServiceViews) {}

  of(snapshot: Snapshot, shard: ResolvedShard | null): HotViews {
    const shardKey = shard ? `${shard.index}/${shard.total}/${shard.peers.length}` : '';
    let entry = this.cache.get(snapshot);
    if (entry?.shardKey !== shardKey) {
      entry = { shardKey, hot: this.build(snapshot, shard) };
      this.cache.set(snapshot, entry);
    }
    return entry.hot;
  }

  private build(snapshot: Snapshot, shard: ResolvedShard | null): HotViews {
    const views = this.views;
    let services: string[] | undefined;
    let shardList: Buffer | undefined;
    return {
      evaluatedAt: snapshot.evaluatedAt,
      get services() {
        services ??= snapshot.services.map((s) => s.service);
        return services;
      },
      shard: shard ? { peers: shard.peers.length } : null,
      current: (service) => {
        const bytes = views.currentJson(snapshot, service, serializeCurrent);
        return bytes && scrubbedBytes(bytes);
      },
      list: () => {
        if (!shard) return scrubbedBytes(views.listJson(snapshot, serializeList));
        shardList ??= scrubbedBytes(Buffer.from(serializeList(withShard(views.list(snapshot), shard)), 'utf8'));
        return shardList;
      },
    };
  }
}

/** Registers the two hot routes on `app`. */
export function registerHotRoutes(app: FastifyInstance, options: HotRouteOptions): void {
  // Conditional polling (the status page's live updates): a snapshot's views never change, so its
  // evaluation time is their validator and an unchanged poll costs a 304 without a body.
  const unchanged = (req: FastifyRequest, reply: FastifyReply, views: HotViews): boolean => {
    const etag = `W/"${views.evaluatedAt}"`;
    reply.header('etag', etag).header('cache-control', 'no-cache');
    return req.headers['if-none-match'] === etag;
  };

  app.get<{ Querystring: { scope?: string } }>(LIST.url, { schema: { response: responseSchemas(LIST) } }, (req, reply) => {
    const views = options.views();
    if (!views) return notReady(reply);
    if (!views.shard) {
      if (unchanged(req, reply, views)) return reply.code(304).send();
      return reply.type(JSON_TYPE).send(views.list());
    }
    // Sharded: the merged answer rests on the peers' snapshots too, so this one's time is no validator.
    if (req.query.scope === 'local' || views.shard.peers === 0) return reply.type(JSON_TYPE).send(views.list());
    return options.fanOut(req, reply);
  });

  app.get<{ Params: { service: string } }>(CURRENT.url, { schema: { response: responseSchemas(CURRENT) } }, (req, reply) => {
    const views = options.views();
    if (!views) return notReady(reply);
    if (unchanged(req, reply, views)) return reply.code(304).send();
    const json = views.current(req.params.service);
    if (json === undefined) return unknownService(reply, views.services, req.params.service);
    return reply.type(JSON_TYPE).send(json);
  });
}

/** The 404 of a service the snapshot does not know, listing those it does. */
export function unknownService(reply: FastifyReply, services: readonly string[], service: string): FastifyReply {
  return fail(
    reply,
    vigilError(ERR.VIGIL_ERR_UNKNOWN_SERVICE, { service: JSON.stringify(echo(service)), known: services.join(', ') || 'none' }),
  );
}
