/**
 * Independent reference computations for the portfolio tests, written from the definitions and
 * sharing no code with src/portfolio: the cost of a purchase, the tracking error of a book, and
 * brute-force enumeration of whole-lot purchases.
 */
import type { CostModel } from '../../src/backtest/transaction-cost.js';

/** Cash a purchase takes: shares x price with slippage, commission on that, plus the fixed fee. */
export function purchaseCash(shares: number, price: number, costs: CostModel): number {
  if (shares === 0) return 0;
  const executed = shares * price * (1 + costs.slippageBps / 10_000);
  return executed + (executed * costs.bps) / 10_000 + costs.fixedFee;
}

/** Cash a sale brings: shares x price less slippage, less commission on that, less the fixed fee. */
export function saleCash(shares: number, price: number, costs: CostModel): number {
  if (shares === 0) return 0;
  const executed = shares * price * (1 - costs.slippageBps / 10_000);
  return executed - (executed * costs.bps) / 10_000 - costs.fixedFee;
}

/**
 * sqrt(Σ_j (v_j / D - t_j)^2 + (cash / D - (1 - Σ t))^2) with v_j = shares_j x price_j and D the
 * given base (a lump-sum budget) or, without one, the book's own value Σ v + cash.
 */
export function bookTrackingError(
  shares: readonly number[],
  price: readonly number[],
  cash: number,
  target: readonly number[],
  base?: number,
): number {
  const values = shares.map((s, j) => s * price[j]!);
  const d = base ?? values.reduce((a, b) => a + b, 0) + cash;
  const cashTarget = Math.max(0, 1 - target.reduce((a, b) => a + b, 0));
  let sum = (cash / d - cashTarget) ** 2;
  values.forEach((v, j) => (sum += (v / d - target[j]!) ** 2));
  return Math.sqrt(sum);
}

export interface BruteForceCase {
  readonly cash: number;
  /** Held before buying (all 0 for a lump sum). */
  readonly held: readonly number[];
  readonly price: readonly number[];
  readonly lotSize: readonly number[];
  readonly target: readonly number[];
  readonly costs: CostModel;
  /** Fixed base for the weights (lump sum); omitted: the book's value after buying. */
  readonly base?: number;
}

/** The smallest tracking error over every affordable whole-lot purchase of assets with a positive target. */
export function bruteForce(c: BruteForceCase): { trackingError: number; shares: number[] } {
  const n = c.price.length;
  const lots = new Array<number>(n).fill(0);
  let best = { trackingError: Number.POSITIVE_INFINITY, shares: new Array<number>(n).fill(0) };
  const visit = (j: number, spent: number): void => {
    if (spent > c.cash) return;
    if (j === n) {
      const bought = lots.map((k, i) => k * c.lotSize[i]!);
      const te = bookTrackingError(
        bought.map((b, i) => b + c.held[i]!),
        c.price,
        c.cash - spent,
        c.target,
        c.base,
      );
      if (te < best.trackingError) best = { trackingError: te, shares: bought };
      return;
    }
    if (c.target[j] === 0) return visit(j + 1, spent);
    for (let k = 0; ; k++) {
      const cost = purchaseCash(k * c.lotSize[j]!, c.price[j]!, c.costs);
      if (spent + cost > c.cash) break;
      lots[j] = k;
      visit(j + 1, spent + cost);
    }
    lots[j] = 0;
  };
  visit(0, 0);
  return best;
}
