/**
 * One rebalance seen as a book: shares and cash just before trading (after the corporate actions
 * since the previous rebalance), the new money, the orders, and shares and cash after. The model's
 * book comes from its stored rebalance (its shares before are its shares after less the net orders);
 * a follower's from their replayed book (follower-book.ts). Either way it reconciles exactly:
 *
 *   before_j + bought_j - sold_j = after_j                          for every symbol j
 *   cashBefore + contribution + sum(sells - cost) - sum(buys + cost) = cashAfter
 */
import { DataError } from '../errors.js';
import type { FollowerStep } from './follower-book.js';
import type { LedgerEntry } from './ledger.js';
import type { StoredRebalance } from './portfolio-store.js';
import type { Holding, Order } from './trade-list.js';

export interface RebalanceBook {
  readonly before: readonly Holding[];
  readonly cashBefore: number;
  readonly contribution: number;
  /** Sells first. */
  readonly orders: readonly Order[];
  readonly after: readonly Holding[];
  readonly cashAfter: number;
  readonly costs: number;
  /** The price of every symbol held before or after. */
  readonly prices: Readonly<Record<string, number>>;
  readonly corporateActions: readonly LedgerEntry[];
}

/**
 * The model portfolio's book of a stored rebalance; `corporateActions` are the ledger entries of the
 * previous rebalance's holdings (what happened to them before this one traded).
 */
export function modelBook(rebalance: StoredRebalance, corporateActions: readonly LedgerEntry[]): RebalanceBook {
  const prices: Record<string, number> = {};
  for (const o of rebalance.orders) prices[o.symbol] = o.price;
  for (const h of rebalance.holdings) prices[h.symbol] = h.price;
  const after = rebalance.holdings.filter((h) => h.shares > 0).map((h) => ({ symbol: h.symbol, shares: h.shares }));
  const net = new Map<string, number>();
  for (const o of rebalance.orders) net.set(o.symbol, (net.get(o.symbol) ?? 0) + (o.side === 'buy' ? o.shares : -o.shares));
  const symbols = [...new Set([...after.map((h) => h.symbol), ...net.keys()])].sort();
  const afterOf = new Map(after.map((h) => [h.symbol, h.shares]));
  const before = symbols
    .map((symbol) => ({ symbol, shares: (afterOf.get(symbol) ?? 0) - (net.get(symbol) ?? 0) }))
    .filter((h) => h.shares > 0);
  const flow = rebalance.orders.reduce((sum, o) => sum + (o.side === 'buy' ? -o.value - o.cost : o.value - o.cost), 0);
  return checked({
    before,
    cashBefore: rebalance.cash - rebalance.contribution - flow,
    contribution: rebalance.contribution,
    orders: rebalance.orders,
    after,
    cashAfter: rebalance.cash,
    costs: rebalance.costs,
    prices,
    corporateActions,
  });
}

/** A follower's book at one of their steps. */
export function followerBookAt(step: FollowerStep): RebalanceBook {
  return checked({
    before: step.before.holdings.filter((h) => h.shares > 0),
    cashBefore: step.before.cash,
    contribution: step.contribution,
    orders: step.trades.orders,
    after: step.trades.holdings.filter((h) => h.shares > 0).map((h) => ({ symbol: h.symbol, shares: h.shares })),
    cashAfter: step.trades.cash,
    costs: step.trades.costs,
    prices: step.prices,
    corporateActions: step.corporateActions,
  });
}

/** A symbol's place in a book: its weight and shares before and after the orders, at the book's prices. */
export interface BookPosition extends Holding {
  /** Its share of the total before trading (holdings, cash and the new money). */
  readonly previousWeight: number;
  /** Its share of the total after trading (holdings and cash). */
  readonly weight: number;
  readonly sharesBefore: number;
  /** Its value after the orders. */
  readonly value: number;
  /** The book's price of it; null when the book has none. */
  readonly price: number | null;
}

/**
 * The positions of a book: `symbols` (the model's, in their order), then every other symbol held
 * before (sold at this rebalance); with the book's total value after the orders.
 * @example bookPositions(modelBook(rebalance, []), rebalance.holdings.map((h) => h.symbol)).totalAfter
 */
export function bookPositions(book: RebalanceBook, symbols: readonly string[]): { positions: BookPosition[]; totalAfter: number } {
  const price = (symbol: string) => book.prices[symbol] ?? null;
  const valueOf = (lines: RebalanceBook['before']) => new Map(lines.map((h) => [h.symbol, h.shares * (price(h.symbol) ?? 0)]));
  const before = valueOf(book.before);
  const after = valueOf(book.after);
  const shares = new Map(book.after.map((h) => [h.symbol, h.shares]));
  const held = new Map(book.before.map((h) => [h.symbol, h.shares]));
  const totalBefore = [...before.values()].reduce((sum, v) => sum + v, book.cashBefore + book.contribution);
  const totalAfter = [...after.values()].reduce((sum, v) => sum + v, book.cashAfter);
  const share = (value: number | undefined, total: number) => (total > 0 ? (value ?? 0) / total : 0);
  const position = (symbol: string): BookPosition => ({
    symbol,
    previousWeight: share(before.get(symbol), totalBefore),
    weight: share(after.get(symbol), totalAfter),
    shares: shares.get(symbol) ?? 0,
    sharesBefore: held.get(symbol) ?? 0,
    value: after.get(symbol) ?? 0,
    price: price(symbol),
  });
  const listed = new Set(symbols);
  const sold = [...before.keys()].filter((symbol) => !listed.has(symbol));
  return { positions: [...symbols.map(position), ...sold.map(position)], totalAfter };
}

/** The share identity of the module header, per symbol; a book that breaks it is a bug, not a report. */
export function checked(book: RebalanceBook): RebalanceBook {
  const delta = new Map<string, number>();
  for (const h of book.before) delta.set(h.symbol, (delta.get(h.symbol) ?? 0) + h.shares);
  for (const o of book.orders) delta.set(o.symbol, (delta.get(o.symbol) ?? 0) + (o.side === 'buy' ? o.shares : -o.shares));
  for (const h of book.after) delta.set(h.symbol, (delta.get(h.symbol) ?? 0) - h.shares);
  for (const [symbol, left] of delta) {
    if (Math.abs(left) > 1e-9)
      throw new DataError(`the book does not reconcile for ${symbol}: shares before + trades - shares after = ${left}`);
  }
  return book;
}
