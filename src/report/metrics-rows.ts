/**
 * A backtest's metrics as labelled, formatted rows: what the CLI prints, notebooks show in a table
 * and reports render, said the same way everywhere.
 */
import type { BacktestMetrics } from '../backtest/metrics.js';
import { formatDrawdown, formatNumber, formatPercent } from './report-format.js';

export interface MetricRow {
  readonly label: string;
  readonly value: string;
}

const pct = (x: number | null | undefined, digits = 2) => formatPercent(x, digits);
const num = (x: number | null | undefined) => formatNumber(x, 2);
/** Figures the metrics already hold in percent (totalReturnPct, maxDepthPct). */
const points = (x: number | null) => formatPercent(x === null ? null : x / 100, 2);
const depth = (x: number | null) => formatDrawdown(x === null ? null : x / 100);

/** @example console.table(metricsRows(outcome.metrics)) */
export function metricsRows(m: BacktestMetrics): MetricRow[] {
  const rows: MetricRow[] = [
    {
      label: 'period',
      value: `${m.period.start} .. ${m.period.end} (${m.period.bars} bars, ${formatNumber(m.period.years, 2)} years, ${m.period.interval})`,
    },
    { label: 'total return', value: points(m.returns.totalReturnPct) },
    { label: 'CAGR', value: pct(m.returns.cagr) },
    { label: 'volatility (ann.)', value: pct(m.returns.volatility) },
    { label: 'Sharpe / Sortino / Calmar', value: `${num(m.returns.sharpe)} / ${num(m.returns.sortino)} / ${num(m.returns.calmar)}` },
    {
      label: 'max drawdown',
      value:
        m.drawdown.maxDepthPct > 0
          ? `${depth(m.drawdown.maxDepthPct)} (peak ${m.drawdown.start}, trough ${m.drawdown.trough}, ${m.drawdown.recovery ? `recovered ${m.drawdown.recovery}` : 'not recovered'}; ${m.drawdown.durationBars} bars)`
          : 'none',
    },
    {
      label: 'trades',
      value: `${m.trades.closed} closed: ${m.trades.won} won, ${m.trades.lost} lost; win rate ${pct(m.trades.winRate, 1)}, profit factor ${num(m.trades.profitFactor)}; ${m.trades.openAtEnd} open at end`,
    },
    { label: 'turnover (ann.) / time in market', value: `${num(m.activity.turnover)}x / ${pct(m.activity.timeInMarket, 1)}` },
  ];
  if (m.warmUp) rows.push({ label: 'warm-up', value: warmUpText(m.warmUp) });
  if (m.returns.riskFreeRate !== 0) rows.push({ label: 'risk-free rate (ann.)', value: pct(m.returns.riskFreeRate) });
  if (m.benchmark) {
    const b = m.benchmark;
    rows.push({
      label: `vs buy-and-hold ${b.symbol}`,
      value: `excess CAGR ${pct(b.excessCagr)}, beta ${num(b.beta)}, alpha ${pct(b.alpha)}, information ratio ${num(b.informationRatio)}`,
    });
  }
  return rows;
}

function warmUpText(w: NonNullable<BacktestMetrics['warmUp']>): string {
  if (w.fullSignal === null) return `the signal was never full in the period: ${w.cashBars} of ${w.barsBefore} bars in cash`;
  if (w.barsBefore === 0) return `full signal from the first bar (${w.fullSignal})`;
  return `full signal from ${w.fullSignal}, ${w.barsBefore} bars (${w.daysBefore} days) after the start; ${w.cashBars} bars in cash before it`;
}

/** A figure of the strategy beside the same figure of its benchmark held. */
export interface ComparisonRow {
  readonly label: string;
  readonly strategy: string;
  readonly benchmark: string;
}

/**
 * The strategy and its benchmark's buy-and-hold side by side, by the same formulas (metrics.ts);
 * empty without a benchmark. Fractions as percents (drawdowns negative), ratios as numbers.
 * @example console.table(comparisonRows(outcome.metrics))
 */
export function comparisonRows(m: BacktestMetrics): ComparisonRow[] {
  const b = m.benchmark;
  if (!b) return [];
  return [
    { label: 'total return', strategy: points(m.returns.totalReturnPct), benchmark: points(b.totalReturnPct) },
    { label: 'CAGR', strategy: pct(m.returns.cagr), benchmark: pct(b.cagr) },
    { label: 'volatility (ann.)', strategy: pct(m.returns.volatility), benchmark: pct(b.volatility) },
    { label: 'Sharpe', strategy: num(m.returns.sharpe), benchmark: num(b.sharpe) },
    { label: 'Sortino', strategy: num(m.returns.sortino), benchmark: num(b.sortino) },
    { label: 'max drawdown', strategy: depth(m.drawdown.maxDepthPct), benchmark: depth(b.maxDrawdownPct) },
    { label: 'Calmar', strategy: num(m.returns.calmar), benchmark: num(b.calmar) },
  ];
}
