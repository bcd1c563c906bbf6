/**
 * Finds keys of a JSON body that are not snake_case. Keys inside user-data maps (labels, HTTP
 * status counts, a run's load parameters, per-column statistics) are data, not field names, and
 * are not judged; their values are still walked.
 */
const USER_DATA_MAPS = new Set(['labels', 'status_counts', 'statusCounts', 'load', 'distinct']);
const SNAKE = /^[a-z0-9]+(_[a-z0-9]+)*$/;

export function nonSnakeKeys(json: unknown, path = '$', inMap = false): string[] {
  if (Array.isArray(json)) return json.flatMap((v, i) => nonSnakeKeys(v, `${path}[${i}]`));
  if (json === null || typeof json !== 'object') return [];
  return Object.entries(json).flatMap(([key, value]) => [
    ...(!inMap && !SNAKE.test(key) ? [`${path}.${key}`] : []),
    ...nonSnakeKeys(value, `${path}.${key}`, USER_DATA_MAPS.has(key)),
  ]);
}

/** The declared property names (and `required` entries) of every schema in an OpenAPI or JSON Schema document that are not snake_case. */
export function nonSnakeSchemaNames(doc: unknown, path = '$'): string[] {
  if (Array.isArray(doc)) return doc.flatMap((v, i) => nonSnakeSchemaNames(v, `${path}[${i}]`));
  if (doc === null || typeof doc !== 'object') return [];
  const node = doc as Record<string, unknown>;
  const own = [
    ...Object.keys((node.properties as object | undefined) ?? {}).filter((k) => !SNAKE.test(k)),
    ...(Array.isArray(node.required) ? (node.required as string[]).filter((k) => !SNAKE.test(k)) : []),
  ].map((k) => `${path}: ${k}`);
  return [...own, ...Object.entries(node).flatMap(([k, v]) => nonSnakeSchemaNames(v, `${path}.${k}`))];
}
