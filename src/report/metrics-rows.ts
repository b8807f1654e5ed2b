/**
 * A backtest's metrics as labelled, formatted rows: what the CLI prints, notebooks show in a table
 * and reports render, said the same way everywhere.
 */
import type { BacktestMetrics } from '../backtest/metrics.js';

export interface MetricRow {
  readonly label: string;
  readonly value: string;
}

const pct = (x: number | null | undefined, digits = 2) => (x === null || x === undefined ? '-' : `${(x * 100).toFixed(digits)}%`);
const num = (x: number | null | undefined, digits = 2) => (x === null || x === undefined ? '-' : x.toFixed(digits));

/** @example console.table(metricsRows(outcome.metrics)) */
export function metricsRows(m: BacktestMetrics): MetricRow[] {
  const rows: MetricRow[] = [
    {
      label: 'period',
      value: `${m.period.start} .. ${m.period.end} (${m.period.bars} bars, ${m.period.years.toFixed(2)} years, ${m.period.interval})`,
    },
    { label: 'total return', value: `${m.returns.totalReturnPct.toFixed(2)}%` },
    { label: 'CAGR', value: pct(m.returns.cagr) },
    { label: 'volatility (ann.)', value: pct(m.returns.volatility) },
    { label: 'Sharpe / Sortino / Calmar', value: `${num(m.returns.sharpe)} / ${num(m.returns.sortino)} / ${num(m.returns.calmar)}` },
    {
      label: 'max drawdown',
      value:
        m.drawdown.maxDepthPct > 0
          ? `${m.drawdown.maxDepthPct.toFixed(2)}% (peak ${m.drawdown.start}, trough ${m.drawdown.trough}, ${m.drawdown.recovery ? `recovered ${m.drawdown.recovery}` : 'not recovered'}; ${m.drawdown.durationBars} bars)`
          : 'none',
    },
    {
      label: 'trades',
      value: `${m.trades.closed} closed: ${m.trades.won} won, ${m.trades.lost} lost; win rate ${pct(m.trades.winRate, 1)}, profit factor ${num(m.trades.profitFactor)}; ${m.trades.openAtEnd} open at end`,
    },
    { label: 'turnover (ann.) / time in market', value: `${num(m.activity.turnover)}x / ${pct(m.activity.timeInMarket, 1)}` },
  ];
  if (m.benchmark) {
    const b = m.benchmark;
    rows.push({
      label: `vs buy-and-hold ${b.symbol}`,
      value: `its CAGR ${pct(b.cagr)} (excess ${pct(b.excessCagr)}), beta ${num(b.beta)}, alpha ${pct(b.alpha)}, information ratio ${num(b.informationRatio)}`,
    });
  }
  return rows;
}
