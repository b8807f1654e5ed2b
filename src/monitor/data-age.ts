/**
 * How fresh each held symbol's data is on the as-of date: its last bar, the age of that bar in
 * calendar days, whether that is stale, and whether it is missing: no bar at all, or none since
 * the latest rebalance while other holdings have one (then it is valued at the rebalance price).
 */
import { MS_PER_DAY, utcDayStart } from '../data/bar.js';

export interface SymbolAge {
  readonly symbol: string;
  /** Time of the last bar on or before the as-of date; null: no bar at all. */
  readonly lastBarTs: number | null;
  /** Whole calendar days from the last bar's date to the as-of date; null without a bar. */
  readonly ageDays: number | null;
  /** Older than the allowed age, or no bar at all. */
  readonly stale: boolean;
  /** No bar at all, or none since the latest rebalance while other holdings have one: marked at the rebalance price. */
  readonly missing: boolean;
}

/**
 * @example symbolAge('SPY', Date.UTC(2024, 0, 5), Date.UTC(2024, 0, 10), 4, false).ageDays // 5 (stale)
 */
export function symbolAge(symbol: string, lastBarTs: number | null, asOfTs: number, staleAfterDays: number, missing: boolean): SymbolAge {
  if (lastBarTs === null) return { symbol, lastBarTs: null, ageDays: null, stale: true, missing: true };
  const ageDays = Math.max(0, Math.floor((asOfTs - utcDayStart(lastBarTs)) / MS_PER_DAY));
  return { symbol, lastBarTs, ageDays, stale: ageDays > staleAfterDays, missing };
}
