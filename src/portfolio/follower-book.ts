/**
 * A follower's own book: the whole shares and cash of someone who follows a model portfolio with
 * their own amount, replayed over the model's rebalances from the first one on or after the day
 * they joined (they cannot trade at an earlier rebalance's prices: their first report is the next
 * rebalance's). Each step brings their holdings forward through the ledger (splits, dividends), adds
 * their share of new money (a SIP installment scaled by amount / model amount), and trades toward
 * the model's targets with the same rule (trade-list.ts, the model's costs and lot size), so
 *
 *   shares before + shares bought - shares sold = shares after, for every symbol, exactly,
 *
 * and the report a subscriber reads is computed for their money, not scaled from the model's.
 * Prices are the model's at each rebalance (the raw close on its data date), or, for a symbol only
 * the follower holds, the stored close on or before that date.
 */
import { closesNear } from '../data/price-store.js';
import type { Database } from '../db/database.js';
import { DataError } from '../errors.js';
import { carryForward } from './current-holdings.js';
import type { LedgerEntry } from './ledger.js';
import { rebalanceModeOf } from './model-portfolio.js';
import type { StoredPortfolio, StoredRebalance } from './portfolio-store.js';
import { tradeList, type Holding, type TradeList } from './trade-list.js';

export interface Follower {
  /** The amount they follow with: what their first step invests. */
  readonly amount: number;
  /** YYYY-MM-DD they joined. */
  readonly since: string;
}

export interface FollowerStep {
  /** The model's rebalance this step follows. */
  readonly rebalance: StoredRebalance;
  /** New money put in at this step (the amount at the first). */
  readonly contribution: number;
  /** The splits and dividends applied to the follower's holdings since the previous step. */
  readonly corporateActions: readonly LedgerEntry[];
  /** Holdings and cash just before trading (after the corporate actions, before the new money). */
  readonly before: { readonly holdings: readonly Holding[]; readonly cash: number };
  readonly prices: Readonly<Record<string, number>>;
  /** The orders and the book after them. */
  readonly trades: TradeList;
}

/**
 * The rebalance a follower starts at: the first on or after the day they joined (history.length: none yet).
 * @example startIndex(historyOldestFirst, '2024-03-15')
 */
export function startIndex(history: readonly Pick<StoredRebalance, 'asOf'>[], since: string): number {
  const start = history.findIndex((r) => r.asOf >= since);
  return start < 0 ? history.length : start;
}

/**
 * Replays the follower's book up to and including `until` (an as-of day; default: the latest rebalance).
 * @example const steps = await followerBook(db, portfolio, historyOldestFirst, { amount: 25_000, since: '2024-01-15' })
 */
export async function followerBook(
  db: Database,
  portfolio: StoredPortfolio,
  history: readonly StoredRebalance[],
  follower: Follower,
  until?: string,
): Promise<FollowerStep[]> {
  const ordered = [...history].sort((a, b) => (a.asOf < b.asOf ? -1 : a.asOf > b.asOf ? 1 : 0));
  if (ordered.length === 0) throw new DataError(`${portfolio.name} has no rebalance yet: nothing to follow`);
  const request = portfolio.request;
  const scale = follower.amount / request.amount;
  const steps: FollowerStep[] = [];
  let holdings: readonly Holding[] = [];
  let cash = 0;
  for (let i = startIndex(ordered, follower.since); i < ordered.length; i++) {
    const rebalance = ordered[i]!;
    if (until !== undefined && rebalance.asOf > until) break;
    const previous = steps[steps.length - 1]?.rebalance;
    const carried = previous
      ? await carryForward(db, {
          interval: request.interval,
          dividends: request.dividends,
          holdings,
          cash,
          after: previous.dataAsOf,
          through: rebalance.dataAsOf,
        })
      : { holdings, cash, entries: [] };
    const contribution = previous ? rebalance.contribution * scale : follower.amount;
    const prices = await pricesAt(db, portfolio, rebalance, carried.holdings);
    const trades = tradeList({
      holdings: carried.holdings.filter((h) => h.shares > 0),
      cash: carried.cash + contribution,
      prices,
      targets: rebalance.holdings.map((h) => ({ symbol: h.symbol, weight: h.targetWeight })),
      mode: previous ? rebalanceModeOf(request, previous.signalDate, rebalance.signalDate) : 'full',
      costs: request.costs,
      lotSize: request.lotSize,
    });
    steps.push({
      rebalance,
      contribution,
      corporateActions: carried.entries,
      before: { holdings: carried.holdings, cash: carried.cash },
      prices,
      trades,
    });
    holdings = trades.holdings.filter((h) => h.shares > 0).map((h) => ({ symbol: h.symbol, shares: h.shares }));
    cash = trades.cash;
  }
  return steps;
}

/**
 * The follower's steps up to and including `rebalance`, or undefined when they joined after it
 * (the next rebalance is their first).
 * @example const steps = await followerStepsTo(db, portfolio, historyOldestFirst, subscriber, latest)
 */
export async function followerStepsTo(
  db: Database,
  portfolio: StoredPortfolio,
  history: readonly StoredRebalance[],
  follower: Follower,
  rebalance: StoredRebalance,
): Promise<FollowerStep[] | undefined> {
  const steps = await followerBook(db, portfolio, history, follower, rebalance.asOf);
  const step = steps[steps.length - 1];
  return step && step.rebalance.id === rebalance.id ? steps : undefined;
}

/** The model's prices at a rebalance, plus stored closes for symbols only the follower holds. */
async function pricesAt(
  db: Database,
  portfolio: StoredPortfolio,
  rebalance: StoredRebalance,
  holdings: readonly Holding[],
): Promise<Record<string, number>> {
  const prices: Record<string, number> = {};
  for (const o of rebalance.orders) prices[o.symbol] = o.price;
  for (const h of rebalance.holdings) prices[h.symbol] = h.price;
  const missing = holdings.filter((h) => h.shares > 0 && !(prices[h.symbol]! > 0));
  if (missing.length > 0) {
    const closes = await closesNear(
      db,
      portfolio.request.interval,
      missing.map((h) => ({ symbol: h.symbol, date: rebalance.dataAsOf })),
      'before',
    );
    for (const h of missing) {
      const close = closes.get(`${h.symbol}|${rebalance.dataAsOf}`);
      if (close === undefined)
        throw new DataError(`${h.symbol} has no ${portfolio.request.interval} bar on or before ${rebalance.dataAsOf}`);
      prices[h.symbol] = close;
    }
  }
  return prices;
}
