/**
 * Statistics of closed round trips (engine.ts `Trade`), all on `pnlNet` (P&L after fees):
 *
 * - won: pnlNet > 0; lost: pnlNet < 0; breakEven: pnlNet = 0 (so won + lost + breakEven = closed).
 * - winRate = won / closed.
 * - profitFactor = sum of positive pnlNet / |sum of negative pnlNet|; null with no losing trade.
 * - avgWin = mean pnlNet of the won trades (> 0), avgLoss = mean pnlNet of the lost ones (< 0).
 * - avgBarsHeld = mean of (exitBar - entryBar).
 *
 * Every figure that averages over an empty set is null; counts and sums are 0.
 */
import type { Trade } from './engine.js';

export interface TradeMetrics {
  readonly closed: number;
  readonly won: number;
  readonly lost: number;
  readonly breakEven: number;
  /** Fraction (0.4 = 40%), null with no closed trade. */
  readonly winRate: number | null;
  readonly profitFactor: number | null;
  /** Sum of pnlNet over the closed trades. */
  readonly netPnl: number;
  readonly avgWin: number | null;
  /** Negative (a mean of losses). */
  readonly avgLoss: number | null;
  readonly avgPnlNet: number | null;
  readonly best: number | null;
  readonly worst: number | null;
  readonly avgBarsHeld: number | null;
  /** Trades still open at the last bar (not counted above). */
  readonly openAtEnd: number;
}

/**
 * @example tradeMetrics([{ ...trade, pnlNet: 30 }, { ...trade, pnlNet: -10 }], []).profitFactor // 3
 */
export function tradeMetrics(trades: readonly Trade[], openTrades: readonly Trade[]): TradeMetrics {
  const wins = trades.filter((t) => t.pnlNet > 0).map((t) => t.pnlNet);
  const losses = trades.filter((t) => t.pnlNet < 0).map((t) => t.pnlNet);
  const all = trades.map((t) => t.pnlNet);
  const grossLoss = sum(losses);
  return {
    closed: trades.length,
    won: wins.length,
    lost: losses.length,
    breakEven: trades.length - wins.length - losses.length,
    winRate: trades.length > 0 ? wins.length / trades.length : null,
    profitFactor: grossLoss < 0 ? sum(wins) / -grossLoss : null,
    netPnl: sum(all),
    avgWin: average(wins),
    avgLoss: average(losses),
    avgPnlNet: average(all),
    best: all.length > 0 ? all.reduce((a, b) => Math.max(a, b)) : null,
    worst: all.length > 0 ? all.reduce((a, b) => Math.min(a, b)) : null,
    avgBarsHeld: average(trades.map((t) => t.exitBar - t.entryBar)),
    openAtEnd: openTrades.length,
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, v) => total + v, 0);
}

function average(values: readonly number[]): number | null {
  return values.length > 0 ? sum(values) / values.length : null;
}
