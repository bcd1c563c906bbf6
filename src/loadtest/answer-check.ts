/**
 * A load test whose answers are mostly 4xx measured a 404 page, not the service: latency and
 * availability figures built only from 5xx would say "every objective held". This check fails the
 * run when the share of answers that are not good (any 4xx or 5xx) is over the error bound, and says
 * what was sent where, so a wrong `--url` or profile path is obvious. Pure: counts in, check out.
 */
export interface AnswerCounts {
  readonly attempts: number;
  readonly statusCounts: ReadonlyMap<number, number>;
}

export interface SentTo {
  readonly base: string;
  readonly kinds: ReadonlyArray<{ readonly method: string; readonly path: string }>;
}

export function answersCheck(
  counts: AnswerCounts,
  sent: SentTo,
  bound: number,
): { name: string; held: boolean; value: number; bound: number; detail: string } {
  let bad = 0;
  const badStatuses: Array<[status: number, count: number]> = [];
  for (const [status, count] of counts.statusCounts) {
    if (status < 400) continue;
    bad += count;
    badStatuses.push([status, count]);
  }
  const share = counts.attempts > 0 ? bad / counts.attempts : 0;
  const where = sent.kinds.map((k) => `${k.method} ${new URL(k.path, sent.base).toString()}`).join(', ');
  const top = badStatuses
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([status, count]) => `${count}× ${status}`)
    .join(', ');
  const held = share <= bound;
  return {
    name: 'good-answers',
    held,
    value: share,
    bound,
    detail: held
      ? `${bad} of ${counts.attempts} answers were 4xx/5xx; sent ${where}`
      : `${bad} of ${counts.attempts} answers were not good (${top}); sent ${where}: is --url or the profile's path right?`,
  };
}
