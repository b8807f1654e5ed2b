/**
 * Lump-sum allocation in whole shares: a budget and target weights -> whole lots per symbol that
 * track the targets as closely as the budget allows, never spending more than the budget.
 *
 * Tracking error: sqrt(Σ_j (w_j - t_j)^2 + (w_cash - t_cash)^2), weights as fractions of the
 * budget (w_j = shares_j x price_j / budget, w_cash = cash left / budget), cash a position of its
 * own with target t_cash = 1 - Σ t_j. Costs (slippage and commission on each purchase's value, a
 * fixed fee per order) leave the budget, so with costs the weights sum to less than 1.
 *
 * Method (lot-allocation.ts): local search over whole lots started from naive flooring,
 * lots_j = floor((t_j x budget - fee) / (lot price x buy rate)), which can leave much cash idle, and
 * from the floor of the continuous optimum; keep the best. Never worse than naive flooring; on
 * small cases it matches brute-force enumeration (test/portfolio/whole-shares.test.ts).
 * Holdings with a zero target weight are never bought.
 */
import { NO_COSTS, TransactionCost, type CostModel } from '../backtest/transaction-cost.js';
import { ValidationError } from '../errors.js';
import type { TargetWeight, ValuedHolding } from './trade-list.js';
import { allocateBuys, cashTarget, trackingErrorAfter, type LotProblem } from './lot-allocation.js';
import {
  money,
  requireCosts,
  requireLotSize,
  requirePositive,
  requireSymbol,
  requireWeights,
  WEIGHT_SUM_TOLERANCE,
} from './portfolio-input.js';

/** A target weight (of the budget, the rest is cash) with what buying it takes: a price and a lot size. */
export interface WholeShareTarget extends TargetWeight {
  /** Latest price per share, > 0. */
  readonly price: number;
  /** Shares per tradable lot (default 1). */
  readonly lotSize?: number;
}

export interface WholeShareRequest {
  readonly budget: number;
  readonly targets: readonly WholeShareTarget[];
  /** Slippage and commission (bps of value) and a fixed fee per order (default none). */
  readonly costs?: CostModel;
}

/** A target bought in whole lots: the shares, their value and cost, and the weight they make. */
export interface WholeShareLine extends ValuedHolding {
  readonly targetWeight: number;
  readonly lotSize: number;
  readonly lots: number;
  /** Estimated cost of buying them. */
  readonly cost: number;
  /** value / budget. */
  readonly weight: number;
}

export interface WholeShareAllocation {
  readonly budget: number;
  /** In the order of the request. */
  readonly lines: readonly WholeShareLine[];
  /** Σ value. */
  readonly invested: number;
  readonly costs: number;
  /** Leftover cash: budget - invested - costs (never negative). */
  readonly cash: number;
  readonly cashWeight: number;
  readonly cashTarget: number;
  readonly trackingError: number;
  /** Tracking error of naive flooring, for comparison. */
  readonly floorTrackingError: number;
  /** A plain statement when nothing could be (or was worth being) bought; null otherwise. */
  readonly note: string | null;
}

/**
 * @example allocateWholeShares({ budget: 1000, targets: [{ symbol: 'A', weight: 0.5, price: 300 }, { symbol: 'B', weight: 0.5, price: 90 }] })
 *   // A: 2 shares (600), B: 4 shares (360), cash 40: naive flooring would buy 1 A and 5 B and keep 250 in cash
 */
export function allocateWholeShares(request: WholeShareRequest): WholeShareAllocation {
  const budget = requirePositive(request.budget, 'budget', 'the budget');
  const cost = new TransactionCost(requireCosts(request.costs ?? NO_COSTS));
  const targets = validateTargets(request.targets);
  const n = targets.length;
  const lotSize = Float64Array.from(targets, (t) => t.lotSize);
  const price = Float64Array.from(targets, (t) => t.price);
  const target = Float64Array.from(targets, (t) => t.weight);
  const floor = naiveFloor(budget, target, price, lotSize, cost);
  const problem: LotProblem = {
    cash: budget,
    shares: new Float64Array(n),
    price,
    lotSize,
    target,
    buyable: Uint8Array.from(target, (t) => (t > 0 ? 1 : 0)),
    cost,
    base: budget,
    starts: [floor],
  };
  const solution = allocateBuys(problem);
  let invested = 0;
  let spent = 0;
  const lines = targets.map((t, j): WholeShareLine => {
    const shares = solution.bought[j]!;
    const { value, cost: paid, total } = cost.buy(shares, t.price);
    invested += value;
    spent += total;
    return {
      symbol: t.symbol,
      targetWeight: t.weight,
      price: t.price,
      lotSize: t.lotSize,
      lots: shares / t.lotSize,
      shares,
      value,
      cost: paid,
      weight: value / budget,
    };
  });
  const cash = budget - spent;
  return {
    budget,
    lines,
    invested,
    costs: spent - invested,
    cash,
    cashWeight: cash / budget,
    cashTarget: cashTarget(target),
    trackingError: solution.trackingError,
    floorTrackingError: trackingErrorAfter(
      problem,
      Float64Array.from(floor, (x, j) => x * lotSize[j]!),
    ),
    note: invested > 0 ? null : allCashNote(budget, targets, cost),
  };
}

/** Naive flooring: the whole lots each target's share of the budget pays for, costs included. */
function naiveFloor(budget: number, target: Float64Array, price: Float64Array, lotSize: Float64Array, cost: TransactionCost): Float64Array {
  const rate = cost.buyRate;
  return Float64Array.from(target, (t, j) => Math.max(0, Math.floor((t * budget - cost.fixedFee) / (lotSize[j]! * price[j]! * rate))));
}

type ValidTarget = Required<WholeShareTarget>;

function validateTargets(targets: readonly WholeShareTarget[]): ValidTarget[] {
  if (!Array.isArray(targets)) throw new ValidationError('targets', 'expected a list of { symbol, weight, price, lotSize? }');
  const seen = new Set<string>();
  const valid = targets.map((t, i) => {
    const symbol = requireSymbol(t.symbol, `targets[${i}].symbol`);
    if (seen.has(symbol)) throw new ValidationError(`targets[${i}].symbol`, `${symbol} is listed twice: give each symbol once`);
    seen.add(symbol);
    return {
      symbol,
      weight: t.weight,
      price: requirePositive(t.price, `targets[${i}].price`, `the price of ${symbol}`),
      lotSize: requireLotSize(t.lotSize, `targets[${i}].lotSize`),
    };
  });
  requireWeights(
    valid.map((t) => t.weight),
    valid.map((_, i) => `targets[${i}].weight`),
  );
  return valid;
}

/** Why nothing was bought, plainly. */
function allCashNote(budget: number, targets: readonly ValidTarget[], cost: TransactionCost): string {
  const wanted = targets.filter((t) => t.weight > 0);
  if (wanted.length === 0) return `no holding has a positive target weight: all ${money(budget)} stays in cash`;
  const lotCost = (t: ValidTarget) => cost.buy(t.lotSize, t.price).total;
  const costly = !cost.free;
  const cheapest = wanted.reduce((a, b) => (lotCost(b) < lotCost(a) ? b : a));
  const lot = `${cheapest.lotSize} share${cheapest.lotSize === 1 ? '' : 's'} x ${money(cheapest.price)}`;
  if (lotCost(cheapest) > budget * (1 + WEIGHT_SUM_TOLERANCE)) {
    return (
      `the budget of ${money(budget)} buys no lot of any holding: the cheapest is ${cheapest.symbol} ` +
      `(${lot} = ${money(lotCost(cheapest))}${costly ? ' with costs' : ''}); all cash. Raise the amount to at least that.`
    );
  }
  return `every lot the budget of ${money(budget)} could buy moves the portfolio further from its targets (lots too large for the weights): all cash`;
}
