/**
 * SLO files write the window of a query as `{{window}}` (spaces allowed inside the braces); the
 * daemon's queries and the generated rules fill it the same way.
 */
export const WINDOW_PLACEHOLDER = /\{\{\s*window\s*\}\}/g;

/** Replaces every `{{window}}` with a PromQL duration such as `5m`. */
export function fillWindow(query: string, window: string): string {
  return query.replace(WINDOW_PLACEHOLDER, window);
}
