/**
 * Input checks shared by the allocation and rebalancing functions. They throw ValidationError at
 * the API edge (naming the field and what to pass instead); the kernels behind them never throw.
 */
import type { CostModel } from '../backtest/transaction-cost.js';
import { ValidationError } from '../errors.js';

/** Weights may sum to 1 plus this much (rounding in the strategy's arithmetic). */
export const WEIGHT_SUM_TOLERANCE = 1e-9;

/** A finite number > 0 (a budget, a price). */
export function requirePositive(value: number, field: string, what: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new ValidationError(field, `${what} must be a finite number > 0, got ${value}`);
  return value;
}

/** A finite number >= 0 (cash, an installment, a cost rate, a share count). */
export function requireNonNegative(value: number, field: string, what: string): number {
  if (!Number.isFinite(value) || value < 0) throw new ValidationError(field, `${what} must be a finite number >= 0, got ${value}`);
  return value;
}

/** A lot size: a positive integer number of shares (default 1). */
export function requireLotSize(value: number | undefined, field: string): number {
  if (value === undefined) return 1;
  if (!Number.isInteger(value) || value <= 0) {
    throw new ValidationError(field, `lot size must be a positive whole number of shares, got ${value}`);
  }
  return value;
}

/** A symbol: a non-empty string. */
export function requireSymbol(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ValidationError(field, `expected a symbol (a non-empty string), got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Target weights: each finite and >= 0, summing to at most 1 (the rest is cash). */
export function requireWeights(weights: readonly number[], fields: readonly string[], label = 'targets'): void {
  let sum = 0;
  weights.forEach((w, i) => {
    if (!Number.isFinite(w) || w < 0) {
      throw new ValidationError(fields[i]!, `target weight must be a finite number >= 0 (no shorts), got ${w}`);
    }
    sum += w;
  });
  if (sum > 1 + WEIGHT_SUM_TOLERANCE) {
    throw new ValidationError(label, `target weights sum to ${sum}, more than 1: scale them so they sum to 1 or less (the rest is cash)`);
  }
}

/** A cost model: every rate finite and >= 0. */
export function requireCosts(costs: CostModel, field = 'costs'): CostModel {
  requireNonNegative(costs.bps, `${field}.bps`, 'commission (bps)');
  requireNonNegative(costs.slippageBps, `${field}.slippageBps`, 'slippage (bps)');
  requireNonNegative(costs.fixedFee, `${field}.fixedFee`, 'fixed fee per order');
  return costs;
}

/** Money as text for notes: two decimals. */
export function money(value: number): string {
  return value.toFixed(2);
}
