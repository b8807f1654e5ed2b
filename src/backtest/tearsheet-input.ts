/**
 * A stored backtest as tearsheet input: its metrics, equity curve, exposure, traded value and
 * trades from the store, and its benchmark's adjusted closes from the price store, put on the
 * backtest's dates (the last price carried over bars it lacks); the risk-free return of each bar as
 * its spec says (risk-free.ts).
 */
import { MS_PER_DAY } from '../data/bar.js';
import { loadPanel } from '../data/panel.js';
import type { Database } from '../db/database.js';
import { DataError } from '../errors.js';
import { getBacktest, getBacktestTrades } from './backtest-store.js';
import { getBacktestSeries } from './sweep-curves.js';
import { loadRiskFree } from './risk-free.js';
import { alignTo } from './run-backtest.js';
import type { TearsheetInput } from './tearsheet.js';

/** @example tearsheetOf(await loadTearsheetInput(db, 12)) */
export async function loadTearsheetInput(db: Database, id: number): Promise<TearsheetInput> {
  const stored = await getBacktest(db, id);
  const series = await getBacktestSeries(db, id);
  const trades = await getBacktestTrades(db, id);
  const { spec } = stored;
  let benchmark: TearsheetInput['benchmark'] = null;
  if (spec.benchmark) {
    const to = series.dates[series.dates.length - 1]! + MS_PER_DAY - 1;
    // A benchmark without bars (deleted since) leaves the tearsheet without a beta, as the backtest was without its figures.
    const panel = await loadPanel(db, { symbols: [spec.benchmark], interval: spec.interval, to }).catch((error: unknown) => {
      if (error instanceof DataError) return null;
      throw error;
    });
    if (panel) benchmark = { symbol: spec.benchmark, prices: alignTo(series.dates, panel.dates, panel.values.adj_close[0]!) };
  }
  const { periodsPerYear } = stored.metrics.period;
  const riskFreeReturns = spec.riskFreeSymbol
    ? (await loadRiskFree(db, spec.riskFreeSymbol, spec.interval, series.dates)).returns
    : new Float64Array(series.dates.length).fill(spec.riskFreeRate / periodsPerYear);
  return {
    label: `#${id} ${spec.strategy}`,
    description: Object.entries(spec.params)
      .map(([k, v]) => `${k}=${v}`)
      .join(' '),
    interval: spec.interval,
    dates: series.dates,
    equity: series.equity,
    initialCash: spec.initialCash,
    grossExposure: series.grossExposure,
    traded: series.traded,
    benchmark,
    trades,
    riskFreeReturns,
    metrics: stored.metrics,
  };
}
