/**
 * The portfolio_ledger table: each corporate action applied to a rebalance's holdings, written by
 * rebalancing (the events before trading) and monitoring (the events since the latest rebalance).
 * Upserted on (rebalance, symbol, ex-date, kind): an event is recorded once, and a restated one
 * replaces its entry.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { LedgerEntry } from './ledger.js';

type Executor = Kysely<Schema> | Transaction<Schema>;

export type RecordedEntry = LedgerEntry & { readonly rebalanceId: number };

/** @example await recordLedger(trx, portfolioId, path.ledger) */
export async function recordLedger(db: Executor, portfolioId: number, entries: readonly RecordedEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db
    .insertInto('portfolio_ledger')
    .values(
      entries.map((e) => ({
        portfolio_id: portfolioId,
        rebalance_id: e.rebalanceId,
        symbol: e.symbol,
        ex_date: e.exDate,
        kind: e.kind,
        value: e.value,
        shares_before: e.sharesBefore,
        shares_after: e.sharesAfter,
        cash: e.cash,
        price: e.price,
        note: e.note,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['rebalance_id', 'symbol', 'ex_date', 'kind']).doUpdateSet((eb) => ({
        value: eb.ref('excluded.value'),
        shares_before: eb.ref('excluded.shares_before'),
        shares_after: eb.ref('excluded.shares_after'),
        cash: eb.ref('excluded.cash'),
        price: eb.ref('excluded.price'),
        note: eb.ref('excluded.note'),
        recorded_at: sql<Date>`now()`,
      })),
    )
    .execute();
}

/** A portfolio's ledger, oldest event first (optionally only the entries of some rebalances). */
export async function ledgerOf(db: Executor, portfolioId: number, rebalanceIds?: readonly number[]): Promise<RecordedEntry[]> {
  let query = db.selectFrom('portfolio_ledger').selectAll().where('portfolio_id', '=', portfolioId);
  if (rebalanceIds !== undefined) {
    if (rebalanceIds.length === 0) return [];
    query = query.where('rebalance_id', 'in', [...rebalanceIds]);
  }
  const rows = await query.orderBy('ex_date').orderBy('symbol').orderBy('kind', 'desc').execute();
  return rows.map((r) => ({
    rebalanceId: Number(r.rebalance_id),
    symbol: r.symbol,
    exDate: r.ex_date,
    kind: r.kind,
    value: r.value,
    sharesBefore: r.shares_before,
    sharesAfter: r.shares_after,
    cash: r.cash,
    price: r.price,
    note: r.note,
  }));
}
