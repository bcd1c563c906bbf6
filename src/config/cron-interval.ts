import cron from 'node-cron';
import { ERR, vigilError } from '../core/errors.js';
import { checkCronStructure } from './cron-check.js';

/** A schedule whose next firings cannot be listed is taken as once a minute. */
const FALLBACK_INTERVAL_MS = 60_000;

/**
 * The smallest gap between the next few firings of a cron expression: a source's interval.
 * The config resolver works it out once per instance when the config is loaded; the scheduler
 * (jitter, first backoff step), the staleness rule and the alert warm-up read that figure.
 */
export function cronIntervalMs(expression: string): number {
  // Structure first: node-cron's validator expands ranges, so a huge one would exhaust memory.
  if (checkCronStructure(expression) !== null || !cron.validate(expression))
    throw vigilError(ERR.VIGIL_ERR_SCHEDULE_INVALID, { expression: JSON.stringify(expression) });
  const task = cron.createTask(expression, noop);
  try {
    const runs = task.getNextRuns(6).map((d) => d.getTime());
    let min = Infinity;
    for (let i = 1; i < runs.length; i++) min = Math.min(min, runs[i]! - runs[i - 1]!);
    return Number.isFinite(min) && min > 0 ? min : FALLBACK_INTERVAL_MS;
  } finally {
    void Promise.resolve(task.destroy()).catch(noop);
  }
}

function noop(): void {}
