/**
 * The trade list that takes an existing portfolio (holdings and cash) to target weights:
 * contribution-only (cash and new money buy toward the targets, nothing is sold) or full (sell
 * overweights, and everything no longer targeted, then buy); see contribution.ts.
 *
 * Orders: sells first, then buys (sales fund purchases), each group in symbol order. Prices are
 * the reference prices given; `value` = shares x price, `cost` = slippage + commission + fixed fee,
 * so a buy takes value + cost from cash and a sell adds value - cost.
 *
 * turnover = (Σ bought value + Σ sold value) / 2 / value before trading (holdings at the prices
 * plus the cash, new money included): one-sided, Σ|Δw| / 2 when no money comes in; putting new
 * money to work counts (a first purchase of 100% of the value is 0.5).
 */
import { NO_COSTS, TransactionCost, type CostModel } from '../backtest/transaction-cost.js';
import { ValidationError } from '../errors.js';
import { contributionRebalance, fullRebalance, type RebalanceTrades } from './contribution.js';
import { requireCosts, requireLotSize, requireNonNegative, requirePositive, requireSymbol, requireWeights } from './portfolio-input.js';

/** Shares of one symbol: the base the other holding shapes extend (ValuedHolding, BookPosition, ProposedHolding, ...). */
export interface Holding {
  readonly symbol: string;
  /** Shares held, >= 0 (fractions allowed). */
  readonly shares: number;
}

/** A holding valued at one price per share. */
export interface ValuedHolding extends Holding {
  readonly price: number;
  /** shares x price. */
  readonly value: number;
}

export interface TargetWeight {
  readonly symbol: string;
  /** Fraction of the portfolio value, >= 0; the weights sum to 1 or less (the rest is cash). */
  readonly weight: number;
}

/** 'contribution' buys with new money only; 'full' also sells back to the targets. */
export const REBALANCE_MODES = ['contribution', 'full'] as const;
export type RebalanceMode = (typeof REBALANCE_MODES)[number];

export interface TradeListRequest {
  readonly holdings: readonly Holding[];
  /** Cash on hand, new money included, >= 0. */
  readonly cash: number;
  /** Reference price per symbol; needed for every symbol held or targeted. */
  readonly prices: Readonly<Record<string, number>>;
  readonly targets: readonly TargetWeight[];
  readonly mode: RebalanceMode;
  /** Default: no costs. */
  readonly costs?: CostModel;
  /** Shares per lot: one for every symbol, or per symbol (default 1). */
  readonly lotSize?: number | Readonly<Record<string, number>>;
  /** Fractional shares instead of whole lots. */
  readonly fractional?: boolean;
}

export interface Order {
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  /** > 0. */
  readonly shares: number;
  readonly price: number;
  /** shares x price. */
  readonly value: number;
  /** Slippage, commission and fixed fee. */
  readonly cost: number;
}

/** A holding after a trade list: valued, with the shares it had before and its weight against the target. */
export interface HoldingAfter extends ValuedHolding {
  readonly previousShares: number;
  /** value / value after trading. */
  readonly weight: number;
  readonly targetWeight: number;
}

export interface TradeList {
  readonly mode: RebalanceMode;
  /** Sells first, then buys. */
  readonly orders: readonly Order[];
  /** Every symbol held before or targeted now, in symbol order (held ones at 0 shares included). */
  readonly holdings: readonly HoldingAfter[];
  /** Cash after trading (never negative). */
  readonly cash: number;
  readonly valueBefore: number;
  /** valueBefore - costs. */
  readonly valueAfter: number;
  /** Σ value of the buys and of the sells. */
  readonly bought: number;
  readonly sold: number;
  /** (bought + sold) / 2 / valueBefore (see the module comment). */
  readonly turnover: number;
  /** Estimated costs of all orders. */
  readonly costs: number;
  readonly trackingErrorBefore: number;
  readonly trackingError: number;
}

/**
 * @example tradeList({ holdings: [{ symbol: 'A', shares: 30 }], cash: 0, prices: { A: 100, B: 50 },
 *   targets: [{ symbol: 'A', weight: 0.5 }, { symbol: 'B', weight: 0.5 }], mode: 'full' }).orders
 *   // [{ symbol: 'A', side: 'sell', shares: 15, ... }, { symbol: 'B', side: 'buy', shares: 30, ... }]
 */
export function tradeList(request: TradeListRequest): TradeList {
  const { symbols, held, target } = validate(request);
  const costs = requireCosts(request.costs ?? NO_COSTS);
  const cash = requireNonNegative(request.cash, 'cash', 'cash');
  const price = Float64Array.from(symbols, (s, j) =>
    held[j]! > 0 || target[j]! > 0 ? requirePositive(request.prices[s] ?? Number.NaN, `prices.${s}`, `the price of ${s}`) : 0,
  );
  const lotSize = Float64Array.from(symbols, (s) => lotSizeOf(request.lotSize, s));
  const problem = { shares: held, cash, price, lotSize, target, costs, fractional: request.fractional ?? false };
  const trades = request.mode === 'full' ? fullRebalance(problem) : contributionRebalance(problem);
  return describeTrades(request.mode, symbols, problem, trades);
}

/** The order list and the book after `trades`, by symbol. */
function describeTrades(
  mode: RebalanceMode,
  symbols: readonly string[],
  problem: { readonly shares: Float64Array; readonly price: Float64Array; readonly target: Float64Array; readonly costs: CostModel },
  trades: RebalanceTrades,
): TradeList {
  const holdings = symbols.map((symbol, j): HoldingAfter => {
    const shares = trades.shares[j]!;
    const value = shares === 0 ? 0 : shares * problem.price[j]!;
    return {
      symbol,
      previousShares: problem.shares[j]!,
      shares,
      price: problem.price[j]!,
      value,
      weight: trades.valueAfter > 0 ? value / trades.valueAfter : 0,
      targetWeight: problem.target[j]!,
    };
  });
  return {
    mode,
    orders: ordersOf(symbols, problem.price, problem.costs, trades),
    holdings,
    cash: trades.cash,
    valueBefore: trades.valueBefore,
    valueAfter: trades.valueAfter,
    bought: trades.boughtValue,
    sold: trades.soldValue,
    turnover: trades.valueBefore > 0 ? (trades.boughtValue + trades.soldValue) / 2 / trades.valueBefore : 0,
    costs: trades.costs,
    trackingErrorBefore: trades.trackingErrorBefore,
    trackingError: trades.trackingError,
  };
}

/** The orders of `trades`: sells first, then buys, each group in the order of `symbols`. */
export function ordersOf(symbols: readonly string[], price: Float64Array, costs: CostModel, trades: RebalanceTrades): Order[] {
  const cost = new TransactionCost(costs);
  const sells: Order[] = [];
  const buys: Order[] = [];
  symbols.forEach((symbol, j) => {
    const p = price[j]!;
    if (trades.sold[j]! > 0)
      sells.push({ symbol, side: 'sell', shares: trades.sold[j]!, price: p, ...costOnly(cost.sell(trades.sold[j]!, p)) });
    if (trades.bought[j]! > 0)
      buys.push({ symbol, side: 'buy', shares: trades.bought[j]!, price: p, ...costOnly(cost.buy(trades.bought[j]!, p)) });
  });
  return [...sells, ...buys];
}

function costOnly({ value, cost }: { value: number; cost: number }): { value: number; cost: number } {
  return { value, cost };
}

function lotSizeOf(lotSize: TradeListRequest['lotSize'], symbol: string): number {
  if (typeof lotSize === 'number' || lotSize === undefined) return requireLotSize(lotSize, 'lotSize');
  return requireLotSize(lotSize[symbol], `lotSize.${symbol}`);
}

/** Symbols (held or targeted, sorted), shares held and target weight per symbol. */
function validate(request: TradeListRequest): { symbols: string[]; held: Float64Array; target: Float64Array } {
  if (request.mode !== 'contribution' && request.mode !== 'full') {
    throw new ValidationError('mode', `expected 'contribution' (buy only) or 'full' (sell and buy), got ${JSON.stringify(request.mode)}`);
  }
  if (!Array.isArray(request.holdings)) throw new ValidationError('holdings', 'expected a list of { symbol, shares }');
  if (!Array.isArray(request.targets)) throw new ValidationError('targets', 'expected a list of { symbol, weight }');
  const shares = new Map<string, number>();
  request.holdings.forEach((h, i) => {
    const symbol = requireSymbol(h.symbol, `holdings[${i}].symbol`);
    if (shares.has(symbol)) throw new ValidationError(`holdings[${i}].symbol`, `${symbol} is listed twice: give each holding once`);
    shares.set(symbol, requireNonNegative(h.shares, `holdings[${i}].shares`, `the shares held of ${symbol}`));
  });
  const weights = new Map<string, number>();
  request.targets.forEach((t, i) => {
    const symbol = requireSymbol(t.symbol, `targets[${i}].symbol`);
    if (weights.has(symbol)) throw new ValidationError(`targets[${i}].symbol`, `${symbol} is listed twice: give each target once`);
    weights.set(symbol, t.weight);
  });
  requireWeights(
    request.targets.map((t) => t.weight),
    request.targets.map((_, i) => `targets[${i}].weight`),
  );
  const symbols = [...new Set([...shares.keys(), ...weights.keys()])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    symbols,
    held: Float64Array.from(symbols, (s) => shares.get(s) ?? 0),
    target: Float64Array.from(symbols, (s) => weights.get(s) ?? 0),
  };
}
