/**
 * A follower's money since they started, against a benchmark: their book (portfolio/follower-book.ts)
 * valued on every bar through the ledger (value-path.ts), and the same contributions put into the
 * benchmark on the same days at its adjusted close (total return, no costs):
 *
 *   units_k = contribution_k / A(d_k),   B(t) = A(t) x sum_{k: d_k <= t} units_k
 *
 * with A the benchmark's adjusted close (the last one on or before t) and d_k the data date of the
 * k-th step. A benchmark without bars leaves its line out, and says so.
 */
import { dateToTs, formatBarTime, MS_PER_DAY } from '../data/bar.js';
import { loadActions } from '../data/corporate-actions-store.js';
import { DataError } from '../errors.js';
import { loadPanel } from '../data/panel.js';
import type { Database } from '../db/database.js';
import type { FollowerStep } from '../portfolio/follower-book.js';
import type { StoredPortfolio } from '../portfolio/portfolio-store.js';
import { loadPrices } from './monitor-store.js';
import { portfolioPath, type MonitoredRebalance } from './value-path.js';

export interface FollowerPath {
  readonly dates: readonly string[];
  readonly value: readonly number[];
  /** The benchmark's symbol and its value of the same money per date; null when it has no bars. */
  readonly benchmark: { readonly symbol: string; readonly value: readonly (number | null)[] } | null;
  /** Money put in up to each date. */
  readonly invested: readonly number[];
  readonly note: string | null;
}

/**
 * @example const path = await followerPath(db, portfolio, steps, 'SPY', '2024-06-28')
 */
export async function followerPath(
  db: Database,
  portfolio: StoredPortfolio,
  steps: readonly FollowerStep[],
  benchmark: string,
  asOf: string,
): Promise<FollowerPath> {
  const interval = portfolio.request.interval;
  const rebalances: MonitoredRebalance[] = steps.map((s) => ({
    id: s.rebalance.id,
    asOf: s.rebalance.asOf,
    dataAsOf: s.rebalance.dataAsOf,
    cash: s.trades.cash,
    holdings: s.trades.holdings
      .filter((h) => h.shares > 0)
      .map((h) => ({ symbol: h.symbol, shares: h.shares, price: h.price, targetWeight: h.targetWeight, weight: h.weight })),
  }));
  const symbols = [...new Set(rebalances.flatMap((r) => r.holdings.map((h) => h.symbol)))].sort();
  const first = rebalances[0]!;
  const prices = await loadPrices(db, symbols, interval, first.asOf, asOf);
  const actions = await loadActions(db, symbols, first.dataAsOf ?? first.asOf, asOf);
  const path = portfolioPath(rebalances, prices, { asOf, actions, dividends: portfolio.request.dividends });
  const dates = Array.from(path.ts, (t) => formatBarTime(t, interval));
  const contributions = steps.map((s) => ({ date: s.rebalance.asOf, dataDate: s.rebalance.dataAsOf, amount: s.contribution }));
  const invested = dates.map((d) => contributions.filter((c) => c.date <= d).reduce((sum, c) => sum + c.amount, 0));
  const { series, note } = await benchmarkValues(db, benchmark, interval, contributions, path.ts, first.asOf, asOf);
  return { dates, value: Array.from(path.value), benchmark: series ? { symbol: benchmark, value: series } : null, invested, note };
}

async function benchmarkValues(
  db: Database,
  symbol: string,
  interval: StoredPortfolio['request']['interval'],
  contributions: readonly { date: string; dataDate: string; amount: number }[],
  times: Float64Array,
  from: string,
  asOf: string,
): Promise<{ series: (number | null)[] | null; note: string | null }> {
  let panel;
  try {
    panel = await loadPanel(db, {
      symbols: [symbol],
      interval,
      from: dateToTs(from) - 10 * MS_PER_DAY,
      to: dateToTs(asOf) + MS_PER_DAY - 1,
      field: ['adj_close'],
    });
  } catch (error) {
    if (error instanceof DataError)
      return { series: null, note: `benchmark ${symbol}: no ${interval} bars stored for the period (ingest it)` };
    throw error;
  }
  const dates = panel.dates;
  const adj = panel.values.adj_close[0]!;
  /** The adjusted close of the last bar on or before day t (NaN before the first). */
  const at = (t: number): number => {
    let lo = 0;
    let hi = dates.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (dates[mid]! < t + MS_PER_DAY) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo - 1; i >= 0; i--) if (adj[i]! > 0) return adj[i]!;
    return Number.NaN;
  };
  const units = contributions.map((c) => ({ from: dateToTs(c.date), units: c.amount / at(dateToTs(c.dataDate)) }));
  if (units.some((u) => !Number.isFinite(u.units)))
    return { series: null, note: `benchmark ${symbol}: no bar on or before the first contribution` };
  const series = Array.from(times, (t) => {
    const held = units.filter((u) => u.from <= t).reduce((sum, u) => sum + u.units, 0);
    const price = at(t);
    return Number.isFinite(price) ? held * price : null;
  });
  return { series, note: null };
}
