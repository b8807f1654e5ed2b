/**
 * Rebalance schedules: which bars a strategy sets targets on. Calendar boundaries are read from
 * the bar dates only (known in advance), never from prices: `month-end` is the last bar of each
 * month in the data, so a holiday on the month's last weekday moves the rebalance to the bar before.
 */
import { z } from 'zod';
import { isIntraday, MS_PER_DAY, type Interval } from '../data/bar.js';
import { barsPerMonth, barsPerYear } from './strategy.js';

export const REBALANCE_SCHEDULES = ['daily', 'weekly', 'month-end', 'quarter-end', 'year-end', 'every'] as const;
export type RebalanceSchedule = (typeof REBALANCE_SCHEDULES)[number];

export interface ScheduleParams {
  readonly rebalance: RebalanceSchedule;
  /** Bars between rebalances when `rebalance` is 'every'. */
  readonly every: number;
}

/** zod fields every strategy shares; `fallback` is the strategy's natural schedule. */
export function scheduleFields(fallback: RebalanceSchedule, every = 21) {
  return {
    rebalance: z.enum(REBALANCE_SCHEDULES).default(fallback),
    every: z.number().int().min(1).max(10_000).default(every),
  };
}

/**
 * 1 at the bars where targets are set. `daily`: every bar (for intraday bars, the last bar of each
 * UTC day); `weekly`: the last bar of each ISO week; `month-end`, `quarter-end`, `year-end`: the last
 * bar of each month, calendar quarter, year; `every`: bars 0, N, 2N, ...
 * @example rebalanceMask(panel.dates, '1d', { rebalance: 'month-end', every: 21 })
 */
export function rebalanceMask(dates: Float64Array, interval: Interval, schedule: ScheduleParams): Uint8Array {
  const mask = new Uint8Array(dates.length);
  if (schedule.rebalance === 'every') {
    for (let t = 0; t < dates.length; t += schedule.every) mask[t] = 1;
    return mask;
  }
  if (schedule.rebalance === 'daily' && !isIntraday(interval)) return mask.fill(1);
  const period = PERIOD_KEYS[schedule.rebalance];
  const keys = Float64Array.from(dates, period);
  for (let t = 0; t + 1 < dates.length; t++) if (keys[t + 1] !== keys[t]) mask[t] = 1;
  const last = dates.length - 1;
  const next = last >= 0 ? nextCalendarBar(dates[last]!, interval) : undefined;
  if (next !== undefined && period(next) !== keys[last]) mask[last] = 1;
  return mask;
}

/**
 * Bars between two rebalances of a schedule before the data shows them: `every` N, a calendar
 * period's bars, one bar for `daily` (a day's bars for intraday intervals).
 * @example nominalSpacing({ rebalance: 'quarter-end', every: 21 }, '1d') // 63
 */
export function nominalSpacing(schedule: ScheduleParams, interval: Interval): number {
  switch (schedule.rebalance) {
    case 'every':
      return schedule.every;
    case 'weekly':
      return Math.max(1, Math.round(barsPerYear(interval) / 52));
    case 'month-end':
      return barsPerMonth(interval);
    case 'quarter-end':
      return Math.max(1, Math.round(barsPerYear(interval) / 4));
    case 'year-end':
      return barsPerYear(interval);
    case 'daily':
      return isIntraday(interval) ? Math.max(1, Math.round(barsPerYear(interval) / 252)) : 1;
  }
}

/** The last bar has no successor in the data: for daily bars the next weekday is known; intraday it is not. */
function nextCalendarBar(ts: number, interval: Interval): number | undefined {
  if (isIntraday(interval)) return undefined;
  if (interval === '1wk') return ts + 7 * MS_PER_DAY;
  if (interval === '1mo') return Date.UTC(new Date(ts).getUTCFullYear(), new Date(ts).getUTCMonth() + 1, 1);
  let next = ts + MS_PER_DAY;
  while ([0, 6].includes(new Date(next).getUTCDay())) next += MS_PER_DAY;
  return next;
}

const dayKey = (ts: number): number => Math.floor(ts / MS_PER_DAY);
const monthKey = (ts: number): number => {
  const date = new Date(ts);
  return date.getUTCFullYear() * 12 + date.getUTCMonth();
};
/** Monday-based week number since the epoch (1970-01-01 was a Thursday: shift by 3 days). */
const weekKey = (ts: number): number => Math.floor((Math.floor(ts / MS_PER_DAY) + 3) / 7);
const quarterKey = (ts: number): number => Math.floor(monthKey(ts) / 3);
const yearKey = (ts: number): number => new Date(ts).getUTCFullYear();

/** The calendar period of a bar for each calendar schedule: a rebalance falls on a period's last bar. */
const PERIOD_KEYS: Record<Exclude<RebalanceSchedule, 'every'>, (ts: number) => number> = {
  daily: dayKey,
  weekly: weekKey,
  'month-end': monthKey,
  'quarter-end': quarterKey,
  'year-end': yearKey,
};
