/**
 * Queries over the price store: instruments, the latest stored bar per symbol (delta ingest),
 * and the data summary a user checks after an ingest.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { Schema } from '../db/schema.js';
import { dateToTs, formatBarTime, MS_PER_DAY, type Instrument, type InstrumentInfo, type Interval } from './bar.js';

/**
 * Inserts or updates instruments. Known fields overwrite stored ones; fields the source does not
 * know (undefined or null) keep what is stored, so a CSV import never erases Yahoo's metadata.
 */
export async function upsertInstruments(database: Database, infos: readonly InstrumentInfo[], source: string): Promise<void> {
  if (infos.length === 0) return;
  await upsertInstrumentsQuery(database.kysely, infos, source).execute();
}

/** upsertInstruments as a query, to run in a caller's transaction (`.compile()`). */
export function upsertInstrumentsQuery(kysely: Kysely<Schema>, infos: readonly InstrumentInfo[], source: string) {
  const rows = infos.map((info) => ({
    symbol: info.symbol,
    name: info.name ?? null,
    asset_class: info.asset_class ?? null,
    currency: info.currency ?? null,
    exchange: info.exchange ?? null,
    timezone: info.timezone ?? null,
    source,
  }));
  const keep = (column: 'name' | 'asset_class' | 'currency' | 'exchange' | 'timezone') =>
    sql<string | null>`coalesce(excluded.${sql.ref(column)}, instruments.${sql.ref(column)})`;
  return kysely
    .insertInto('instruments')
    .values(rows)
    .onConflict((oc) =>
      oc.column('symbol').doUpdateSet({
        name: keep('name'),
        asset_class: keep('asset_class'),
        currency: keep('currency'),
        exchange: keep('exchange'),
        timezone: keep('timezone'),
        updated_at: sql`now()`,
      }),
    );
}

export async function getInstruments(database: Database, symbols?: readonly string[]): Promise<Instrument[]> {
  let query = database.kysely.selectFrom('instruments').select(['symbol', 'name', 'asset_class', 'currency', 'exchange', 'timezone']);
  if (symbols) {
    if (symbols.length === 0) return [];
    query = query.where('symbol', 'in', symbols);
  }
  const rows = await query.orderBy('symbol').execute();
  return rows.map((r) => ({ ...r, asset_class: r.asset_class as Instrument['asset_class'] }));
}

export interface StoredBarRef {
  readonly ts: number;
  readonly close: number;
  readonly adj_close: number;
}

/** The last stored bar of each symbol at an interval (symbols with no bars are absent). */
export async function latestBars(database: Database, symbols: readonly string[], interval: Interval): Promise<Map<string, StoredBarRef>> {
  if (symbols.length === 0) return new Map();
  const rows = await database.kysely
    .selectFrom('bars')
    .distinctOn('symbol')
    .select(['symbol', 'ts', 'close', 'adj_close'])
    .where('interval', '=', interval)
    .where('symbol', 'in', symbols)
    .orderBy('symbol')
    .orderBy('ts', 'desc')
    .execute();
  return new Map(rows.map((r) => [r.symbol, { ts: r.ts.getTime(), close: r.close, adj_close: r.adj_close }]));
}

/** The last stored bar strictly before `ts` (to check the first new bar of a batch for jumps), as a query to run in a caller's transaction (`.compile()`). */
export function barBeforeQuery(kysely: Kysely<Schema>, symbol: string, interval: Interval, ts: number) {
  return kysely
    .selectFrom('bars')
    .select(['ts', 'close', 'adj_close'])
    .where('symbol', '=', symbol)
    .where('interval', '=', interval)
    .where('ts', '<', new Date(ts))
    .orderBy('ts', 'desc')
    .limit(1);
}

/**
 * The raw close of each (symbol, date)'s first bar on or after the date (`after`: the ledger's price
 * for cash in lieu and reinvested dividends) or last bar on or before it (`before`: a price to value
 * a holding at), keyed `SYMBOL|date`; absent when there is none.
 */
export async function closesNear(
  database: Database,
  interval: Interval,
  wanted: readonly { readonly symbol: string; readonly date: string }[],
  side: 'after' | 'before',
): Promise<Map<string, number>> {
  const closes = new Map<string, number>();
  for (const { symbol, date } of wanted) {
    const key = `${symbol}|${date}`;
    if (closes.has(key)) continue;
    let query = database.kysely.selectFrom('bars').select('close').where('symbol', '=', symbol).where('interval', '=', interval);
    const day = new Date(`${date}T00:00:00Z`);
    query =
      side === 'after'
        ? query.where('ts', '>=', day).orderBy('ts')
        : query.where('ts', '<', new Date(day.getTime() + MS_PER_DAY)).orderBy('ts', 'desc');
    const row = await query.limit(1).executeTakeFirst();
    if (row) closes.set(key, row.close);
  }
  return closes;
}

export interface SummaryRow {
  readonly symbol: string;
  readonly interval: Interval;
  readonly name: string | null;
  readonly asset_class: string | null;
  readonly sources: string;
  /** Date (1d and longer) or ISO instant (intraday). */
  readonly first: string;
  readonly last: string;
  readonly bars: number;
}

export interface SummaryFilter {
  readonly symbols?: readonly string[];
  readonly interval?: Interval;
}

/**
 * Per symbol and interval: first bar, last bar, bar count and sources, read from `bar_series`
 * (kept per series and source by the bar writer), not by aggregating the bars.
 */
export async function dataSummary(database: Database, filter: SummaryFilter = {}): Promise<SummaryRow[]> {
  let perSource = database.kysely
    .selectFrom('bar_series')
    .select(['symbol', 'interval', 'source', 'first_ts as first', 'last_ts as last', 'bars']);
  if (filter.symbols) perSource = perSource.where('symbol', 'in', filter.symbols.length > 0 ? filter.symbols : ['']);
  if (filter.interval) perSource = perSource.where('interval', '=', filter.interval);
  const rows = await database.kysely
    .selectFrom(perSource.as('s'))
    .innerJoin('instruments as i', 'i.symbol', 's.symbol')
    .select((eb) => [
      's.symbol',
      's.interval',
      'i.name',
      'i.asset_class',
      eb.fn.min('s.first').as('first'),
      eb.fn.max('s.last').as('last'),
      eb.fn.sum<number>('s.bars').as('bars'),
      sql<string>`string_agg(s.source, ',' order by s.source)`.as('sources'),
    ])
    .groupBy(['s.symbol', 's.interval', 'i.name', 'i.asset_class'])
    .orderBy('s.symbol')
    .orderBy('s.interval')
    .execute();
  return rows.map((r) => {
    const interval = r.interval as Interval;
    return {
      symbol: r.symbol,
      interval,
      name: r.name,
      asset_class: r.asset_class,
      sources: r.sources,
      first: formatBarTime(new Date(r.first).getTime(), interval),
      last: formatBarTime(new Date(r.last).getTime(), interval),
      bars: Number(r.bars),
    };
  });
}

/** The symbols among these that have at least one stored bar (any interval). */
export async function symbolsWithBars(database: Database, symbols: readonly string[]): Promise<Set<string>> {
  if (symbols.length === 0) return new Set();
  const rows = await database.kysely
    .selectFrom('bars')
    .select('symbol')
    .distinct()
    .where('symbol', 'in', [...symbols])
    .execute();
  return new Set(rows.map((r) => r.symbol));
}

/** The time of each symbol's last bar on or before the end of `asOf` (symbols without one are absent). */
export async function lastBarTimes(
  database: Database,
  symbols: readonly string[],
  interval: Interval,
  asOf: string,
): Promise<Map<string, number>> {
  if (symbols.length === 0) return new Map();
  const rows = await database.kysely
    .selectFrom('bars')
    .select(['symbol', (eb) => eb.fn.max('ts').as('last')])
    .where('interval', '=', interval)
    .where('symbol', 'in', [...symbols])
    .where('ts', '<', new Date(dateToTs(asOf) + MS_PER_DAY))
    .groupBy('symbol')
    .execute();
  return new Map(rows.map((r) => [r.symbol, new Date(r.last as Date | string).getTime()]));
}

/** A stored series: its symbol, interval and the source of its latest bar. */
export interface StoredSeries {
  readonly symbol: string;
  readonly interval: Interval;
  readonly source: string;
}

/**
 * Every stored series with the source of its latest bar. A skip scan over the bars primary key
 * (symbol, interval, ts): one index probe per series instead of reading every bar.
 */
export async function storedSeries(database: Database): Promise<StoredSeries[]> {
  const result = await sql<StoredSeries>`
    with recursive series (symbol, interval) as (
      (select symbol, interval from bars order by symbol, interval limit 1)
      union all
      select next.symbol, next.interval from series,
        lateral (select b.symbol, b.interval from bars b
                 where (b.symbol, b.interval) > (series.symbol, series.interval)
                 order by b.symbol, b.interval limit 1) next
    )
    select s.symbol, s.interval,
      (select b.source from bars b where b.symbol = s.symbol and b.interval = s.interval order by b.ts desc limit 1) as source
    from series s
    order by s.symbol, s.interval`.execute(database.kysely);
  return result.rows;
}
