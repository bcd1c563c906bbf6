import type { z } from 'zod';
import { objectiveHistoryResponseSchema, resourceHistoryResponseSchema } from '../ui/history-schema.js';
import {
  errorResponseSchema,
  healthResponseSchema,
  reloadErrorResponseSchema,
  reloadResponseSchema,
  serviceCurrentResponseSchema,
  serviceListResponseSchema,
} from './api-schemas.js';

/** One route as data: fastify registers it, the OpenAPI document describes it. */
export interface RouteSpec {
  method: 'GET' | 'POST';
  url: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  params?: Record<string, string>;
  /** Optional query parameters and what they mean. */
  query?: Record<string, string>;
  /** Bearer token needed. */
  secured?: boolean;
  /** Status -> body schema; `text` for non-JSON bodies. */
  responses: Record<number, { description: string; schema?: z.ZodType; text?: string }>;
}

const notFound = { description: 'Unknown service', schema: errorResponseSchema };
const notReady = { description: 'No evaluation has finished yet', schema: errorResponseSchema };
const badRange = { description: 'A range parameter is malformed or out of bounds', schema: errorResponseSchema };
const rangeQuery = {
  from: 'Start: unix seconds or RFC 3339; default `to` minus 1 h',
  to: 'End: unix seconds or RFC 3339; default now',
  step: 'Bucket width: a duration (`30s`, `5m`) or seconds; default about 300 buckets; at most 1000 buckets, at most 90 days',
};

export const ROUTES: readonly RouteSpec[] = [
  {
    method: 'GET',
    url: '/api/sla',
    operationId: 'listServices',
    summary: 'Every service with its status',
    description:
      "Sharded (`shard` in vigil.yaml): this shard's services merged with every peer's (asked with `scope=local`, each within `shard.peerTimeout`); `partial` is true when a peer did not answer.",
    tags: ['sla'],
    query: { scope: "`local`: only this shard's services, no fan-out to peers." },
    responses: { 200: { description: 'Services and their worst-objective status', schema: serviceListResponseSchema }, 503: notReady },
  },
  {
    method: 'GET',
    url: '/api/sla/:service/current',
    operationId: 'getServiceCurrent',
    summary: "A service's current result: status, summary figures, every objective, source health",
    description:
      "Summary figures are top-level fields so scripts can gate on them, e.g. `jq '.uptime_percentage > 99.9 and .response_time_p95 < 100'`.",
    tags: ['sla'],
    params: { service: 'Service name from its SLO file' },
    responses: {
      200: { description: "The service's result from the last evaluation", schema: serviceCurrentResponseSchema },
      404: notFound,
      503: notReady,
    },
  },
  {
    method: 'GET',
    url: '/api/sla/:service/objectives/:objective/history',
    operationId: 'getObjectiveHistory',
    summary: "An objective's value, status and error budget over time, downsampled to buckets of `step`",
    description:
      "Read from the store, where the daemon records each evaluation's figures. Each bucket keeps the last, smallest and largest value and the worst status.",
    tags: ['sla'],
    params: { service: 'Service name from its SLO file', objective: 'Objective name' },
    query: rangeQuery,
    responses: {
      200: { description: 'Columns aligned with `t`', schema: objectiveHistoryResponseSchema },
      400: badRange,
      404: { description: 'Unknown service or objective', schema: errorResponseSchema },
      503: notReady,
    },
  },
  {
    method: 'GET',
    url: '/api/sla/:service/resources',
    operationId: 'getServiceResources',
    summary: "What the service's resource charts show: container memory with floors and leak trend, Redis hit ratio, slowest statements",
    tags: ['sla'],
    params: { service: 'Service name from its SLO file' },
    query: rangeQuery,
    responses: {
      200: { description: 'Columns aligned with `t`', schema: resourceHistoryResponseSchema },
      400: badRange,
      404: notFound,
      503: notReady,
    },
  },
  {
    method: 'GET',
    url: '/healthz',
    operationId: 'health',
    summary: 'Liveness: the process answers',
    tags: ['ops'],
    responses: { 200: { description: 'Alive', schema: healthResponseSchema } },
  },
  {
    method: 'GET',
    url: '/readyz',
    operationId: 'ready',
    summary: 'Readiness: the first evaluation has finished and the snapshot is recent (younger than a few evaluation intervals)',
    tags: ['ops'],
    responses: {
      200: { description: 'Ready', schema: healthResponseSchema },
      503: { description: 'Not ready yet (`not_ready`), or evaluation is stuck (`stale`)', schema: healthResponseSchema },
    },
  },
  {
    method: 'GET',
    url: '/metrics',
    operationId: 'metrics',
    summary: 'Prometheus exposition: source samples and objective figures',
    tags: ['ops'],
    responses: { 200: { description: 'Prometheus text format 0.0.4', text: 'text/plain; version=0.0.4; charset=utf-8' } },
  },
  {
    method: 'GET',
    url: '/openapi.json',
    operationId: 'openapi',
    summary: 'This document',
    tags: ['ops'],
    responses: { 200: { description: 'OpenAPI 3.1 document', text: 'application/json' } },
  },
  {
    method: 'POST',
    url: '/-/reload',
    operationId: 'reload',
    summary: 'Reload vigil.yaml and the SLO files; an invalid config is rejected and the running one kept',
    tags: ['ops'],
    secured: true,
    responses: {
      200: { description: 'Reloaded', schema: reloadResponseSchema },
      403: { description: 'Missing or wrong bearer token', schema: errorResponseSchema },
      404: { description: 'Reload is off (no `reloadToken` configured)', schema: errorResponseSchema },
      422: { description: 'The new config is invalid; the running config is kept', schema: reloadErrorResponseSchema },
    },
  },
];

export function routeSpec(operationId: string): RouteSpec {
  const spec = ROUTES.find((r) => r.operationId === operationId);
  if (!spec) throw new Error(`no route ${operationId}`);
  return spec;
}
