/**
 * The strategies the portfolios follow: portfolios with the same configuration (reference
 * backtest, strategy, params, symbol set, interval, costs and gate settings) share one, so the
 * `gates` job backtests and simulates each configuration once.
 */
import { parseBacktestSpec, type BacktestSpec, type BacktestSpecInput } from '../backtest/backtest-spec.js';
import type { Database } from '../db/database.js';
import { portfolioRows, type PortfolioRow } from './portfolio-store.js';

/** Portfolios that follow the same configuration share one backtest and one simulation. */
export interface FollowedStrategy {
  /** The names of the portfolios that follow it, in order of creation. */
  readonly portfolios: string[];
  /** The first of them. */
  readonly row: PortfolioRow;
}

/**
 * The followed strategies of every portfolio (or only of those named), in order of creation.
 * @example (await followedStrategies(db)).map((s) => s.portfolios) // [['core', 'core-copy'], ['growth']]
 */
export async function followedStrategies(db: Database, only?: readonly string[]): Promise<FollowedStrategy[]> {
  const rows = await portfolioRows(db, { order: 'id', names: only });
  const byKey = new Map<string, FollowedStrategy>();
  for (const row of rows) {
    const key = JSON.stringify([
      row.backtestId,
      row.strategy,
      row.params,
      [...row.symbols].sort(),
      row.interval,
      row.costs,
      row.ignoreGates,
      row.gateSet,
    ]);
    const known = byKey.get(key);
    if (known) known.portfolios.push(row.name);
    else byKey.set(key, { portfolios: [row.name], row });
  }
  return [...byKey.values()];
}

/** The portfolio's own configuration as a backtest spec over all the data (its costs without the lot-level fields). */
export function portfolioBacktestSpec(row: PortfolioRow): BacktestSpec {
  const costs = Object.fromEntries(Object.entries(row.costs).filter(([k]) => ['bps', 'slippageBps', 'fixedFee'].includes(k)));
  return parseBacktestSpec({
    strategy: row.strategy,
    params: row.params as BacktestSpecInput['params'],
    universe: row.universe,
    symbols: row.symbols,
    interval: row.interval as BacktestSpec['interval'],
    costs,
  });
}
