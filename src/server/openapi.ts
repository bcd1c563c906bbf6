import { jsonSchemaOf } from './api-schemas.js';
import { ROUTES } from './routes.js';

/** The OpenAPI 3.1 document of the HTTP API, generated from the same route table and schemas fastify uses. */
export function openApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTES) {
    const path = r.url.replace(/:([a-zA-Z_]+)/g, '{$1}');
    const responses: Record<string, unknown> = {};
    for (const [status, res] of Object.entries(r.responses)) {
      responses[status] = {
        description: res.description,
        content: res.schema
          ? { 'application/json': { schema: jsonSchemaOf(res.schema) } }
          : { [res.text ?? 'text/plain']: { schema: { type: 'string' } } },
      };
    }
    paths[path] ??= {};
    paths[path][r.method.toLowerCase()] = {
      operationId: r.operationId,
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      tags: r.tags,
      ...(r.params || r.query
        ? {
            parameters: [
              ...Object.entries(r.params ?? {}).map(([name, description]) => ({
                name,
                in: 'path',
                required: true,
                description,
                schema: { type: 'string' },
              })),
              ...Object.entries(r.query ?? {}).map(([name, description]) => ({
                name,
                in: 'query',
                required: false,
                description,
                schema: { type: 'string' },
              })),
            ],
          }
        : {}),
      ...(r.secured ? { security: [{ reloadToken: [] }] } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'vigil',
      version,
      description: 'Performance SLO status of ML services: read-only except `POST /-/reload` (bearer token).',
    },
    servers: [{ url: 'http://127.0.0.1:8093' }],
    tags: [
      { name: 'sla', description: 'Service level results' },
      { name: 'ops', description: 'Health, metrics and control' },
    ],
    paths,
    components: { securitySchemes: { reloadToken: { type: 'http', scheme: 'bearer', description: '`reloadToken` from vigil.yaml' } } },
  };
}
