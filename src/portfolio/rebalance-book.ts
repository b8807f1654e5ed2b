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
import type { Order } from './trade-list.js';

export interface BookLine {
  readonly symbol: string;
  readonly shares: number;
}

export interface RebalanceBook {
  readonly before: readonly BookLine[];
  readonly cashBefore: number;
  readonly contribution: number;
  /** Sells first. */
  readonly orders: readonly Order[];
  readonly after: readonly BookLine[];
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
