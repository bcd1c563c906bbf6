import { expect } from 'vitest';

/** One seed for every fuzz target, so a failure reproduces (fast-check prints the path too). */
export const FUZZ_SEED = Number(process.env.VIGIL_FUZZ_SEED ?? 20261201);

/** Inputs per target and run. */
export const FUZZ_RUNS = Number(process.env.VIGIL_FUZZ_RUNS ?? 2000);

/** Counts per target, printed at the end of each file (the figure the issue asks for). */
export const fuzzCounts = new Map<string, number>();

export function counted<T>(target: string, check: (input: T) => void): (input: T) => void {
  return (input: T) => {
    fuzzCounts.set(target, (fuzzCounts.get(target) ?? 0) + 1);
    check(input);
  };
}

export function countedAsync<T>(target: string, check: (input: T) => Promise<void>): (input: T) => Promise<void> {
  return (input: T) => {
    fuzzCounts.set(target, (fuzzCounts.get(target) ?? 0) + 1);
    return check(input);
  };
}

/** Slow targets (a file per input, a whole SLO validation) need more than the unit default. */
export const FUZZ_TIMEOUT_MS = 180_000;

/** Text a user may see: never a stack trace, never empty, never unbounded. */
export function expectCleanMessage(message: string, maxLength = 2_000): void {
  expect(message.length).toBeGreaterThan(0);
  expect(message.length).toBeLessThanOrEqual(maxLength);
  expect(message).not.toMatch(
    /\n\s+at \S+ \(|\bat file:\/\/|node:internal|TypeError|RangeError|ReferenceError|undefined is not|Cannot read propert/,
  );
}
