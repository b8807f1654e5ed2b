/**
 * The portfolio page's figures, read with the stores' own queries: the holdings of the latest
 * rebalance, every rebalance, the monitor's alerts, and the money since the start against the
 * benchmark (the model's own amount followed through its rebalances, as a subscriber's report
 * computes it) with its time-weighted drawdown.
 */
import type { Database } from '../../db/database.js';
import { DataError } from '../../errors.js';
import { followerPath, type FollowerPath } from '../../monitor/follower-path.js';
import { listAlerts } from '../../monitor/monitor-store.js';
import { followerBook } from '../../portfolio/follower-book.js';
import { getPortfolio, rebalances } from '../../portfolio/portfolio-store.js';
import { allStrategies } from '../../strategies/registry.js';

/** @example const view = await portfolioView(db, 'core', () => 'SPY', '2026-12-07') */
export async function portfolioView(db: Database, name: string, benchmarkOf: (universe: string | null) => string, today: string) {
  const portfolio = await getPortfolio(db, name);
  const benchmark = benchmarkOf(portfolio.request.universe);
  const history = await rebalances(db, portfolio.id, 10_000);
  const latest = history[0] ?? null;
  const alerts = await listAlerts(db, { portfolio: portfolio.name, limit: 50 });
  const since = await sinceStart(db, portfolio, [...history].reverse(), benchmark, today);
  const drawdown = since.path ? timeWeightedDrawdown(since.path) : null;
  return {
    portfolio,
    latest,
    history,
    alerts,
    exitRule: allStrategies().find((s) => s.name === portfolio.request.strategy)?.exitRule ?? null,
    sinceStart: since.path && lastPoint(since.path),
    sinceStartNote: since.note,
    drawdown: drawdown && {
      current: drawdown.at(-1) ?? 0,
      max: drawdown.reduce((low, d) => Math.min(low, d), 0),
    },
    chart: since.path && drawdown && { ...since.path, drawdown, currency: portfolio.request.currency },
  };
}

/** The since-start summary: the first and last date, the money put in, its value and the benchmark's. */
function lastPoint(path: FollowerPath) {
  const last = path.dates.length - 1;
  return {
    from: path.dates[0] ?? null,
    to: path.dates[last] ?? null,
    invested: path.invested[last] ?? null,
    value: path.value[last] ?? null,
    benchmarkSymbol: path.benchmark?.symbol ?? null,
    benchmarkValue: path.benchmark?.value[last] ?? null,
  };
}

async function sinceStart(
  db: Database,
  portfolio: Awaited<ReturnType<typeof getPortfolio>>,
  oldestFirst: Awaited<ReturnType<typeof rebalances>>,
  benchmark: string,
  today: string,
): Promise<{ path: FollowerPath | null; note: string | null }> {
  const first = oldestFirst[0];
  if (!first) return { path: null, note: 'no rebalance stored yet' };
  try {
    const steps = await followerBook(db, portfolio, oldestFirst, { amount: portfolio.request.amount, since: first.asOf });
    const path = await followerPath(db, portfolio, steps, benchmark, today > first.asOf ? today : first.asOf);
    return { path, note: path.note };
  } catch (error) {
    if (error instanceof DataError) return { path: null, note: error.message };
    throw error;
  }
}

/**
 * The drawdown of the value with new money taken out (each point's return is its value less the
 * money put in since the previous point, over the previous value), so a SIP installment is no gain.
 * @example timeWeightedDrawdown({ value: [100, 90, 200], invested: [100, 100, 200] }) // [0, -0.1, -0.1]
 */
export function timeWeightedDrawdown(path: Pick<FollowerPath, 'value' | 'invested'>): number[] {
  let index = 1;
  let peak = 1;
  return path.value.map((v, i) => {
    if (i > 0) {
      const previous = path.value[i - 1]!;
      const added = path.invested[i]! - path.invested[i - 1]!;
      if (previous > 0) index *= (v - added) / previous;
    }
    peak = Math.max(peak, index);
    return index / peak - 1;
  });
}
