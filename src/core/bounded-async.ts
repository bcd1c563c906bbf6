/**
 * Waiting that always ends: on an abort signal, within a concurrency bound, or within a time
 * limit. Sources, the scheduler and the daemon's shutdown all need these; none owns them.
 */

/**
 * Rejects with the signal's reason once it aborts; never leaves a listener behind. For clients
 * that take no AbortSignal (Redis, PostgreSQL): the caller stops waiting on abort, and the client
 * call itself stays bounded by its own timeout.
 */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/** The outcome of one item of `settleBounded`. */
export type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/**
 * Runs `fn` over `items` with at most `limit` calls in flight, and resolves (never rejects)
 * with every outcome in input order, like `Promise.allSettled` with a concurrency bound.
 */
export async function settleBounded<I, T>(
  items: readonly I[],
  limit: number,
  fn: (item: I, index: number) => Promise<T>,
): Promise<Settled<T>[]> {
  const out = new Array<Settled<T>>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      try {
        out[i] = { ok: true, value: await fn(items[i]!, i) };
      } catch (error) {
        out[i] = { ok: false, error };
      }
    }
  };
  const workers = Math.max(1, Math.min(limit, items.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return out;
}

/** Waits for `promise` at most `ms`; errors and timeouts are swallowed (a shutdown goes on). */
export async function waitAtMost(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.catch(() => undefined),
    new Promise((r) => {
      timer = setTimeout(r, ms);
    }),
  ]);
  clearTimeout(timer);
}
