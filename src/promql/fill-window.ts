/**
 * SLO files write the window of a query as `{{window}}` (spaces allowed inside the braces); the
 * daemon's queries and the generated rules fill it the same way.
 */
export const WINDOW_PLACEHOLDER = /\{\{\s*window\s*\}\}/g;

/** One placeholder, for parsers that read it in place (the scrape source's PromQL subset). */
export const ONE_WINDOW_PLACEHOLDER = new RegExp(WINDOW_PLACEHOLDER.source);

/** Replaces every `{{window}}` with a PromQL duration such as `5m`. */
export function fillWindow(query: string, window: string): string {
  return query.replace(WINDOW_PLACEHOLDER, window);
}
