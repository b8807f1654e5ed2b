/**
 * Rebalancing a book (shares per asset plus cash) toward target weights, on arrays:
 *
 * - Contribution-only: the cash (new money included) buys toward the targets and nothing is sold,
 *   however far off the book is; underweights get the money first because buying them lowers the
 *   tracking error most (lot-allocation.ts, weights as fractions of the value after buying).
 * - Full: first sell each overweight position down to its target value (to the nearest whole lot;
 *   all of a position whose target is 0), then buy as in contribution-only with the proceeds.
 *   An asset sold is not bought back in the same rebalance.
 *
 * Targets are fractions of the book's value, each >= 0 and summing to at most 1 (the rest is cash).
 * Costs are the engine's TransactionCost: slippage moves the price against the trade, commission
 * is bps of the executed value, plus a fixed fee per order; all of it is paid from cash.
 */
import { TransactionCost, type CostModel } from '../backtest/transaction-cost.js';
import { allocateBuys, trackingErrorAfter, type LotProblem } from './lot-allocation.js';

export interface Book {
  /** Shares held per asset (>= 0). */
  readonly shares: Float64Array;
  /** Cash available, new money included (>= 0). */
  readonly cash: number;
}

export interface RebalanceProblem extends Book {
  /** Reference price per asset: values the book and prices its trades; 0 where unknown (not traded). */
  readonly price: Float64Array;
  /** Shares per lot (ignored in fractional mode). */
  readonly lotSize: Float64Array;
  /** Target weight per asset. */
  readonly target: Float64Array;
  readonly costs: CostModel;
  /** 1 where the asset may trade now (default: every asset with a price > 0). */
  readonly tradable?: Uint8Array;
  /** Fractional shares instead of whole lots. */
  readonly fractional?: boolean;
}

export interface RebalanceTrades {
  /** Shares sold per asset (>= 0). */
  readonly sold: Float64Array;
  /** Shares bought per asset (>= 0). */
  readonly bought: Float64Array;
  /** The book after trading. */
  readonly shares: Float64Array;
  readonly cash: number;
  /** Σ shares x reference price of the sales and of the purchases. */
  readonly soldValue: number;
  readonly boughtValue: number;
  /** Slippage, commission and fixed fees paid. */
  readonly costs: number;
  /** Book value (Σ shares x price + cash) before and after trading; they differ by the costs. */
  readonly valueBefore: number;
  readonly valueAfter: number;
  /** Tracking error to the targets (cash a position, weights of the book's own value) before and after. */
  readonly trackingErrorBefore: number;
  readonly trackingError: number;
}

/**
 * New money (and idle cash) buys toward the targets; nothing is sold.
 * @example contributionRebalance({ shares: Float64Array.of(10, 0), cash: 1000, price: Float64Array.of(100, 50),
 *   lotSize: Float64Array.of(1, 1), target: Float64Array.of(0.5, 0.5), costs: NO_COSTS }).bought // [0, 20]
 */
export function contributionRebalance(problem: RebalanceProblem): RebalanceTrades {
  const n = problem.shares.length;
  return buyAfterSales(problem, new Float64Array(n), problem.cash, new Uint8Array(n));
}

/**
 * Sells overweights to their targets, then buys underweights with the proceeds and the cash.
 * @example fullRebalance({ shares: Float64Array.of(30, 0), cash: 0, price: Float64Array.of(100, 50),
 *   lotSize: Float64Array.of(1, 1), target: Float64Array.of(0.5, 0.5), costs: NO_COSTS }) // sells 15 A, buys 30 B
 */
export function fullRebalance(problem: RebalanceProblem): RebalanceTrades {
  const { shares, price, lotSize, target } = problem;
  const cost = new TransactionCost(problem.costs);
  const n = shares.length;
  const tradable = tradableMask(problem);
  const value = bookValue(problem);
  const sold = new Float64Array(n);
  const soldMask = new Uint8Array(n);
  let cash = problem.cash;
  for (let j = 0; j < n; j++) {
    if (!tradable[j] || !(shares[j]! > 0)) continue;
    const excess = shares[j]! * price[j]! - target[j]! * value;
    let sell: number;
    if (target[j] === 0) sell = shares[j]!;
    else if (excess <= 0) continue;
    else if (problem.fractional) sell = Math.min(shares[j]!, excess / price[j]!);
    else sell = Math.min(shares[j]!, Math.round(excess / (lotSize[j]! * price[j]!)) * lotSize[j]!);
    const proceeds = cost.sell(sell, price[j]!).total;
    // A sale whose fee eats its proceeds only loses money (and could overdraw the cash).
    if (!(sell > 0) || !(proceeds > 0)) continue;
    sold[j] = sell;
    soldMask[j] = 1;
    cash += proceeds;
  }
  return buyAfterSales(problem, sold, cash, soldMask);
}

/** Σ shares x price + cash (assets without a price count 0). */
export function bookValue(book: Book & { readonly price: Float64Array }): number {
  let value = book.cash;
  for (let j = 0; j < book.shares.length; j++) if (book.shares[j]! > 0 && book.price[j]! > 0) value += book.shares[j]! * book.price[j]!;
  return value;
}

function tradableMask(problem: RebalanceProblem): Uint8Array {
  return Uint8Array.from(problem.price, (p, j) => (p > 0 && (problem.tradable?.[j] ?? 1) ? 1 : 0));
}

/** Buys with `cash` on top of the book less `sold`, never buying back an asset in `soldMask`. */
function buyAfterSales(problem: RebalanceProblem, sold: Float64Array, cash: number, soldMask: Uint8Array): RebalanceTrades {
  const n = problem.shares.length;
  const tradable = tradableMask(problem);
  const price = Float64Array.from(problem.price, (p) => (p > 0 ? p : 0));
  const held = Float64Array.from(problem.shares, (s, j) => s - sold[j]!);
  const cost = new TransactionCost(problem.costs);
  const lots: LotProblem = {
    cash,
    shares: held,
    price,
    lotSize: problem.fractional ? new Float64Array(n).fill(1) : problem.lotSize,
    target: problem.target,
    buyable: Uint8Array.from(problem.target, (t, j) => (t > 0 && tradable[j] && !soldMask[j] ? 1 : 0)),
    cost,
  };
  const before: LotProblem = { ...lots, cash: problem.cash, shares: problem.shares };
  const solution = allocateBuys(lots, { fractional: problem.fractional ?? false });
  let soldValue = 0;
  let costs = 0;
  for (let j = 0; j < n; j++) {
    const sale = cost.sell(sold[j]!, price[j]!);
    soldValue += sale.value;
    costs += sale.cost;
  }
  let boughtValue = 0;
  let spent = 0;
  for (let j = 0; j < n; j++) {
    const buy = cost.buy(solution.bought[j]!, price[j]!);
    boughtValue += buy.value;
    costs += buy.cost;
    spent += buy.total;
  }
  const shares = Float64Array.from(held, (s, j) => s + solution.bought[j]!);
  const after = { cash: cash - spent, shares, price };
  return {
    sold,
    bought: solution.bought,
    shares,
    cash: after.cash,
    soldValue,
    boughtValue,
    costs,
    valueBefore: bookValue({ cash: problem.cash, shares: problem.shares, price }),
    valueAfter: bookValue(after),
    trackingErrorBefore: trackingErrorAfter(before, new Float64Array(n)),
    trackingError: solution.trackingError,
  };
}
