/**
 * The figures of a backtest's tearsheet, computed from its equity curve, exposure, traded value,
 * benchmark prices and trades: pure, so the CLI, notebooks and tests get the same numbers. The
 * summary figures are the backtest's metrics (metrics.ts, as stored with it); the rest are the
 * series and tables built on the same definitions: drawdown from the running peak (drawdown.ts),
 * calendar returns, rolling 6- and 12-month statistics (barsPerMonth x 6 and x 12 bars), the
 * deepest drawdown episodes, the return distribution, exposure and monthly turnover.
 */
import type { Interval } from '../data/bar.js';
import { barsPerMonth } from '../strategies/strategy.js';
import { calendarReturns, monthlyTurnover, type CalendarReturns, type MonthTurnover } from './calendar-returns.js';
import { drawdownStats } from './drawdown.js';
import { worstDrawdowns, type DrawdownPeriod } from './drawdown-episodes.js';
import type { BacktestMetrics } from './metrics.js';
import { returnDistribution, type ReturnDistribution } from './return-distribution.js';
import { equityReturns } from './return-statistics.js';
import { priceReturns, rollingStatistics, type RollingStatistics } from './rolling-statistics.js';
import type { TradeRecord } from './run-backtest.js';

export interface TearsheetInput {
  /** What the backtest is called on the page, e.g. "#12 xs-momentum". */
  readonly label: string;
  /** What else identifies it, e.g. its hyperparameters "lookback=252 skip=21". */
  readonly description: string;
  readonly interval: Interval;
  /** Bar times (epoch ms) and the equity at each bar's close. */
  readonly dates: Float64Array;
  readonly equity: Float64Array;
  readonly initialCash: number;
  /** Null when not stored (a sweep's light series): no exposure chart. */
  readonly grossExposure: Float64Array | null;
  /** Null when not stored: no turnover chart. */
  readonly traded: Float64Array | null;
  /** Adjusted closes on the same dates (NaN before its first price): the rolling beta. */
  readonly benchmark: { readonly symbol: string; readonly prices: Float64Array } | null;
  readonly trades: readonly TradeRecord[];
  /** The risk-free return of each bar, as the metrics measured against (null: 0). */
  readonly riskFreeReturns: Float64Array | null;
  /** computeMetrics' figures for this curve (stored with the backtest). */
  readonly metrics: BacktestMetrics;
}

export interface Tearsheet {
  readonly label: string;
  readonly description: string;
  readonly interval: Interval;
  readonly metrics: BacktestMetrics;
  readonly dates: Float64Array;
  readonly equity: Float64Array;
  /** Drawdown from the running peak (the initial capital included), fractions >= 0. */
  readonly drawdown: Float64Array;
  readonly calendar: CalendarReturns;
  readonly rolling: { readonly sixMonths: RollingStatistics; readonly twelveMonths: RollingStatistics };
  readonly benchmarkSymbol: string | null;
  readonly worstDrawdowns: readonly DrawdownPeriod[];
  readonly distribution: ReturnDistribution;
  /** Gross exposure / equity per bar; null when not stored. */
  readonly exposure: Float64Array | null;
  readonly turnover: readonly MonthTurnover[] | null;
  readonly trades: readonly TradeRecord[];
}

/** @example const sheet = tearsheetOf(await loadTearsheetInput(db, 12)); sheet.worstDrawdowns[0].depthPct */
export function tearsheetOf(input: TearsheetInput): Tearsheet {
  const { dates, equity, initialCash, interval, metrics } = input;
  const returns = equityReturns(equity, initialCash);
  const benchmarkReturns = input.benchmark ? priceReturns(input.benchmark.prices) : null;
  const rolling = (months: number) =>
    rollingStatistics({
      returns,
      benchmarkReturns,
      window: barsPerMonth(interval) * months,
      periodsPerYear: metrics.period.periodsPerYear,
      riskFreeReturns: input.riskFreeReturns,
    });
  return {
    label: input.label,
    description: input.description,
    interval,
    metrics,
    dates,
    equity,
    drawdown: drawdownStats(equity, initialCash).series,
    calendar: calendarReturns(dates, equity, initialCash),
    rolling: { sixMonths: rolling(6), twelveMonths: rolling(12) },
    benchmarkSymbol: input.benchmark?.symbol ?? null,
    worstDrawdowns: worstDrawdowns(dates, equity, initialCash, interval, 5),
    distribution: returnDistribution(returns),
    exposure: input.grossExposure ? input.grossExposure.map((g, t) => g / equity[t]!) : null,
    turnover: input.traded ? monthlyTurnover(dates, equity, input.traded) : null,
    trades: input.trades,
  };
}
