/**
 * A readable one-line reason for a failure; network errors often carry only a code. Node's fetch
 * rejects with a bare "fetch failed" and keeps the reason (ECONNREFUSED, ENOTFOUND, a TLS error) in
 * `cause`: the cause chain is followed so the code the docs promise reaches the reader.
 */
export function describeError(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) {
    return [...new Set(err.errors.map(describeError))].join('; ');
  }
  if (err instanceof Error) {
    const cause: unknown = err.cause;
    if (err.message === 'fetch failed' && cause !== undefined && cause !== err) return describeError(cause);
    const code = (err as { code?: unknown }).code;
    const message = err.message || err.name;
    return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
  }
  return String(err);
}
