import { sql } from 'kysely';
import { dateToTs } from '../../src/data/bar.js';
import type { CandidateBar } from '../../src/data/providers/price-provider.js';
import type { Database } from '../../src/db/database.js';

/** A valid daily row closing at `close` (high and low 1 away), as a provider returns it. */
export const dailyRow = (date: string, close: number, extra: Partial<CandidateBar> = {}): CandidateBar => ({
  ts: dateToTs(date),
  open: close,
  high: close + 1,
  low: close - 1,
  close,
  adj_close: close,
  volume: 100,
  ...extra,
});

/** A hash of every stored bar (all columns), computed by the database, to compare two stores. */
export async function storeFingerprint(db: Database): Promise<{ count: number; md5: string }> {
  const result = await sql<{ count: number; md5: string }>`
    select count(*)::int as count,
      coalesce(md5(string_agg(concat_ws('|', symbol, interval, extract(epoch from ts), open, high, low, close, adj_close, volume, source), ',' order by symbol, interval, ts)), '') as md5
    from bars`.execute(db.kysely);
  return result.rows[0]!;
}

export async function barCount(db: Database, symbol?: string): Promise<number> {
  let query = db.kysely.selectFrom('bars').select((eb) => eb.fn.countAll<number>().as('n'));
  if (symbol) query = query.where('symbol', '=', symbol);
  return Number((await query.executeTakeFirstOrThrow()).n);
}
