/**
 * Holdings of a past rebalance brought forward through the ledger: the corporate actions dated
 * after that rebalance's data date and on or before a later one, read from the store and applied
 * (portfolio/ledger.ts). What rebalancing and subscribers' reports start from before trading.
 */
import type { Interval } from '../data/bar.js';
import { loadActions } from '../data/corporate-actions-store.js';
import { closesNear } from '../data/price-store.js';
import type { Database } from '../db/database.js';
import { applyActions, type DividendPolicy, type LedgerState } from './ledger.js';
import type { Holding } from './trade-list.js';

export interface CarryForward<H extends Holding> {
  readonly interval: Interval;
  readonly dividends: DividendPolicy;
  readonly holdings: readonly H[];
  readonly cash: number;
  /** Events dated after this day (the holdings' own data date) ... */
  readonly after: string;
  /** ... and on or before this one (the new data date) are applied. */
  readonly through: string;
}

/**
 * @example const now = await carryForward(db, { interval: '1d', dividends: 'cash', holdings, cash, after: '2020-04-01', through: '2020-05-01' })
 */
export async function carryForward<H extends Holding>(db: Database, input: CarryForward<H>): Promise<LedgerState<H>> {
  const symbols = input.holdings.filter((h) => h.shares > 0).map((h) => h.symbol);
  const actions = input.through > input.after ? await loadActions(db, symbols, input.after, input.through) : [];
  if (actions.length === 0) return { holdings: input.holdings, cash: input.cash, entries: [] };
  const closes = await closesNear(
    db,
    input.interval,
    actions.map((a) => ({ symbol: a.symbol, date: a.exDate })),
    'after',
  );
  return applyActions(input.holdings, input.cash, actions, {
    dividends: input.dividends,
    closeOn: (symbol, exDate) => closes.get(`${symbol}|${exDate}`) ?? null,
  });
}
