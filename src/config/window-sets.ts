import { z } from 'zod';
import { formatDuration } from '../units/units.js';
import { durationSchema, ratioSchema } from './units-schema.js';

/**
 * Burn-rate window sets are data: each alert of a set is a long/short window pair and the share
 * of the error budget that may burn within the long window. The sets vigil ships live here, with
 * the code; a team's own sets are files named by `windowSets` in vigil.yaml. Both are loaded once
 * into the resolved config, and everything that speaks of burn rates reads them from there: the
 * generated rules, the API's `burnRates`, the store's retention and the Prometheus queries.
 *
 * The burn-rate factor follows from the objective's period:
 *
 *   factor = budgetConsumed / (longWindow / period)
 *
 * i.e. how many times faster than "exactly the budget over the period" the errors arrive. For the
 * Google SRE workbook over 30 days: 2% in 1h -> 0.02 / (1h / 720h) = 14.4; 5% in 6h -> 6;
 * 10% in 1d -> 3; 10% in 3d -> 1. Over 28 days the same shares give 13.44, 5.6, 2.8 and 0.933:
 * the windows stay, the factors scale.
 */
export const windowSetSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a lowercase name of letters, digits and dashes'),
  description: z.string().optional(),
  /** The period the set was designed for; documents the factors it gives there. */
  referencePeriod: durationSchema,
  alerts: z
    .array(
      z
        .strictObject({
          severity: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'expected a severity like page or ticket'),
          longWindow: durationSchema,
          shortWindow: durationSchema,
          /** Share of the whole period's error budget allowed to burn within longWindow. */
          budgetConsumed: ratioSchema,
        })
        .refine((a) => a.shortWindow < a.longWindow, { message: 'expected shortWindow shorter than longWindow' })
        .refine((a) => a.budgetConsumed > 0 && a.budgetConsumed <= 1, { message: 'expected budgetConsumed above 0% and at most 100%' }),
    )
    .min(1),
});

export type WindowSet = z.infer<typeof windowSetSchema>;
export type WindowSetInput = z.input<typeof windowSetSchema>;
export type WindowSetAlert = WindowSet['alerts'][number];
/** Every window set the config knows, by name: the shipped ones and the team's own. */
export type WindowSets = Readonly<Record<string, WindowSet>>;

/** One burn-rate window as the API labels it (`5m` ... `3d`). */
export interface BurnWindow {
  readonly label: string;
  readonly ms: number;
}

const workbookPairs = (shares: readonly [string, string, string, string]): WindowSetInput['alerts'] => [
  { severity: 'page', longWindow: '1h', shortWindow: '5m', budgetConsumed: shares[0] },
  { severity: 'page', longWindow: '6h', shortWindow: '30m', budgetConsumed: shares[1] },
  { severity: 'ticket', longWindow: '1d', shortWindow: '2h', budgetConsumed: shares[2] },
  { severity: 'ticket', longWindow: '3d', shortWindow: '6h', budgetConsumed: shares[3] },
];
const pages = (alerts: WindowSetInput['alerts']) => alerts.filter((a) => a.severity === 'page');
const tickets = (alerts: WindowSetInput['alerts']) => alerts.filter((a) => a.severity === 'ticket');

/** The workbook's windows with its 30-day budget shares (factors 14.4, 6, 3, 1 over 30 days). */
const SRE_30D = workbookPairs(['2%', '5%', '10%', '10%']);
/**
 * The same windows for a 7-day period, with larger budget shares so the factors stay sensible
 * (13.44, 3.5, 1.4, 0.98 over 7 days); the shares follow Sloth's published 7-day example.
 */
const SRE_7D = workbookPairs(['8%', '12.5%', '20%', '42%']);

const SHIPPED_INPUT: readonly WindowSetInput[] = [
  {
    name: 'google-sre-30d',
    description: 'Google SRE workbook multi-window multi-burn-rate alerts (page 2%/1h and 5%/6h, ticket 10%/1d and 10%/3d).',
    referencePeriod: '30d',
    alerts: SRE_30D,
  },
  {
    name: 'page-only-30d',
    description: 'The paging half of google-sre-30d, without ticket alerts.',
    referencePeriod: '30d',
    alerts: pages(SRE_30D),
  },
  {
    name: 'ticket-only-30d',
    description: 'The ticket half of google-sre-30d, without pages.',
    referencePeriod: '30d',
    alerts: tickets(SRE_30D),
  },
  {
    name: 'sre-7d',
    description: 'The workbook windows for a 7-day period (page 8%/1h and 12.5%/6h, ticket 20%/1d and 42%/3d).',
    referencePeriod: '7d',
    alerts: SRE_7D,
  },
  { name: 'page-only-7d', description: 'The paging half of sre-7d, without ticket alerts.', referencePeriod: '7d', alerts: pages(SRE_7D) },
  { name: 'ticket-only-7d', description: 'The ticket half of sre-7d, without pages.', referencePeriod: '7d', alerts: tickets(SRE_7D) },
];

/** The sets shipped with vigil, parsed by the same schema as a team's own. */
export const SHIPPED_WINDOW_SETS: WindowSets = Object.freeze(
  Object.fromEntries(SHIPPED_INPUT.map((input) => [input.name, Object.freeze(windowSetSchema.parse(input))])),
);

/** The set objectives use when they name none and the period fits it (else the 7-day one; see `defaultWindowSet`). */
export const DEFAULT_WINDOW_SET = 'google-sre-30d';
const DEFAULT_SHORT_PERIOD_SET = 'sre-7d';

/**
 * A pair whose factor is below this fires while the error budget would still last the period.
 * Not 1: the workbook's own 28-day adaptation goes to 0.93 (and Sloth's 7-day example to 0.98).
 */
export const MIN_BURN_FACTOR = 0.9;

export function burnRateFactor(alert: WindowSetAlert, periodMs: number): number {
  return alert.budgetConsumed * (periodMs / alert.longWindow);
}

/**
 * Why `set` cannot serve an objective over `periodMs`, or null when it fits: a long window longer
 * than the period reads data the period does not count, and a factor below MIN_BURN_FACTOR pages
 * while the objective is being met (`google-sre-30d` over 1 day pages at 0.48x).
 */
export function windowSetMisfit(set: WindowSet, periodMs: number): string | null {
  const period = formatDuration(periodMs);
  const tooLong = set.alerts.filter((a) => a.longWindow > periodMs);
  if (tooLong.length > 0) {
    const pairs = tooLong.map((a) => `${formatDuration(a.longWindow)}/${formatDuration(a.shortWindow)}`).join(', ');
    return `window set ${set.name} (made for ${formatDuration(set.referencePeriod)}) has window pairs longer than the period ${period}: ${pairs}`;
  }
  const low = set.alerts.filter((a) => burnRateFactor(a, periodMs) < MIN_BURN_FACTOR);
  if (low.length > 0) {
    const factors = low
      .map((a) => `${Number(burnRateFactor(a, periodMs).toPrecision(3))}x over ${formatDuration(a.longWindow)}`)
      .join(', ');
    return (
      `window set ${set.name} (made for ${formatDuration(set.referencePeriod)}) gives burn factors below ${MIN_BURN_FACTOR} over the period ${period} ` +
      `(${factors}): it would alert while the error budget lasts the period`
    );
  }
  return null;
}

/** Default set by period: every objective asks every evaluation cycle, and a fleet has few distinct periods. */
const defaultByPeriod = new Map<number, string>();

/** The set an objective uses when it names none: the 30-day workbook set, or the 7-day one where 30 days' shares do not fit. */
export function defaultWindowSet(periodMs: number): string {
  let name = defaultByPeriod.get(periodMs);
  if (name === undefined) {
    name = windowSetMisfit(SHIPPED_WINDOW_SETS[DEFAULT_WINDOW_SET]!, periodMs) === null ? DEFAULT_WINDOW_SET : DEFAULT_SHORT_PERIOD_SET;
    if (defaultByPeriod.size > 1000) defaultByPeriod.clear();
    defaultByPeriod.set(periodMs, name);
  }
  return name;
}

/** What an objective needs to pick its set: the name it gives, if any, and its period. */
export interface WindowSetChoice {
  readonly period: number;
  readonly alert: { readonly burnRateWindows?: string | undefined };
}

export function windowSetName(objective: WindowSetChoice): string {
  return objective.alert.burnRateWindows ?? defaultWindowSet(objective.period);
}

/**
 * The objective's window set from the loaded ones. The config loader has checked that it exists
 * and fits, so a miss here is a bug in the caller (a config that did not come from the loader).
 */
export function windowSetOf(sets: WindowSets, objective: WindowSetChoice): WindowSet {
  const name = windowSetName(objective);
  const set = sets[name];
  if (set === undefined) throw new Error(`unknown burn-rate window set "${name}" (known: ${Object.keys(sets).sort().join(', ')})`);
  return set;
}

/** Windows by set (sets are loaded once and frozen): every objective asks every evaluation cycle. */
const windowsBySet = new WeakMap<WindowSet, readonly BurnWindow[]>();

/** The distinct windows of a set, shortest first: what burn rates are reported and queried over. */
export function burnWindows(set: WindowSet): readonly BurnWindow[] {
  let windows = windowsBySet.get(set);
  if (!windows) {
    const ms = [...new Set(set.alerts.flatMap((a) => [a.shortWindow, a.longWindow]))].sort((a, b) => a - b);
    windows = Object.freeze(ms.map((w) => Object.freeze({ label: formatDuration(w), ms: w })));
    windowsBySet.set(set, windows);
  }
  return windows;
}

/** The burn-rate windows of an objective: those of its window set. */
export function objectiveBurnWindows(sets: WindowSets, objective: WindowSetChoice): readonly BurnWindow[] {
  return burnWindows(windowSetOf(sets, objective));
}
