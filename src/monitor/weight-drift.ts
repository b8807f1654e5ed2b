/**
 * Drift of the held weights from the strategy's target weights since the latest rebalance.
 *
 *   V = cash + sum_j v_j,  w_j = v_j / V,  w_cash = cash / V,  target cash = 1 - sum_j t_j
 *   drift_j = w_j - t_j
 *   total   = 1/2 (sum_j |w_j - t_j| + |w_cash - t_cash|)
 *
 * The total counts cash as a position, so it is the fraction of the portfolio that would have to
 * trade to restore the targets (one-way turnover): 0 on target, 1 when nothing held is wanted.
 */
import type { MonitoredHolding } from './value-path.js';

export interface DriftRow {
  readonly symbol: string;
  readonly targetWeight: number;
  /** Weight right after the rebalance (whole-share rounding already moved it from the target). */
  readonly weightAtRebalance: number;
  readonly weight: number;
  /** weight - targetWeight */
  readonly drift: number;
}

export interface WeightDrift {
  readonly positions: readonly DriftRow[];
  readonly cash: { readonly targetWeight: number; readonly weight: number; readonly drift: number };
  /** Half the sum of absolute differences, cash included. */
  readonly total: number;
}

/**
 * @example weightDrift([{ symbol: 'A', shares: 10, price: 10, targetWeight: 0.5, weight: 0.5 }], new Map([['A', 120]]), 100).total // ≈ 0.0455
 */
export function weightDrift(holdings: readonly MonitoredHolding[], values: ReadonlyMap<string, number>, cash: number): WeightDrift {
  const total = holdings.reduce((sum, h) => sum + (values.get(h.symbol) ?? 0), cash);
  const share = (x: number) => (total > 0 ? x / total : 0);
  const positions = holdings.map((h) => {
    const weight = share(values.get(h.symbol) ?? 0);
    return { symbol: h.symbol, targetWeight: h.targetWeight, weightAtRebalance: h.weight, weight, drift: weight - h.targetWeight };
  });
  const cashTarget = 1 - holdings.reduce((sum, h) => sum + h.targetWeight, 0);
  const cashWeight = share(cash);
  const absolute = positions.reduce((sum, row) => sum + Math.abs(row.drift), Math.abs(cashWeight - cashTarget));
  return {
    positions,
    cash: { targetWeight: cashTarget, weight: cashWeight, drift: cashWeight - cashTarget },
    total: absolute / 2,
  };
}
