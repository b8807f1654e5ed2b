/**
 * The fundamentals table (sql/019_fundamentals.sql): written by imports, read point in time by
 * fundamentals.ts. Rows are never updated: a restatement is a new row with its own known_at.
 */
import { sql } from 'kysely';
import type { Database } from '../db/database.js';
import type { FundamentalValue, PeriodType } from './fundamental.js';

export interface FundamentalWrite {
  readonly value: FundamentalValue;
  /** 'stored': a new row; 'unchanged': already stored as it is; 'conflict': its key is stored with another value or flag. */
  readonly outcome: 'stored' | 'unchanged' | 'conflict';
  /** The stored value, for a conflict. */
  readonly existing?: number;
}

/** Rows per statement: 8 arrays of parameters, so any size fits; this bounds one statement's work. */
const BATCH = 5000;

/**
 * Inserts the values whose key (symbol, field, period end, period type, known_at, source) is new and
 * says what happened to each, in one statement a batch: importing the same file again stores nothing.
 * @example await storeFundamentals(db, [{ symbol: 'AAPL', field: 'revenue', periodEnd: '2024-03-30', periodType: 'quarterly', value: 9.08e10, knownAt: Date.UTC(2024, 4, 2), source: 'csv', flag: null }])
 */
export async function storeFundamentals(db: Database, values: readonly FundamentalValue[]): Promise<FundamentalWrite[]> {
  const out: FundamentalWrite[] = [];
  for (let at = 0; at < values.length; at += BATCH) out.push(...(await storeBatch(db, values.slice(at, at + BATCH))));
  return out;
}

async function storeBatch(db: Database, values: readonly FundamentalValue[]): Promise<FundamentalWrite[]> {
  if (values.length === 0) return [];
  const column = <T>(pick: (v: FundamentalValue) => T) => values.map(pick);
  // The outer select sees the table as it was before the insert: a row found there was stored already.
  const { rows } = await sql<{ n: number; inserted: boolean; existing: number | null; existing_flag: string | null }>`
    with input as (
      select * from unnest(
        ${column((v) => v.symbol)}::text[], ${column((v) => v.field)}::text[], ${column((v) => v.periodEnd)}::date[],
        ${column((v) => v.periodType)}::text[], ${column((v) => v.value)}::float8[],
        ${column((v) => new Date(v.knownAt).toISOString())}::timestamptz[], ${column((v) => v.source)}::text[],
        ${column((v) => v.flag)}::text[]
      ) with ordinality as i(symbol, field, period_end, period_type, value, known_at, source, flag, n)
    ), inserted as (
      insert into fundamentals (symbol, field, period_end, period_type, value, known_at, source, flag)
      select symbol, field, period_end, period_type, value, known_at, source, flag from input order by n
      on conflict do nothing
      returning symbol, field, period_end, period_type, known_at, source
    )
    select input.n::int as n, inserted.symbol is not null as inserted, f.value as existing, f.flag as existing_flag
    from input
    left join inserted using (symbol, field, period_end, period_type, known_at, source)
    left join fundamentals f using (symbol, field, period_end, period_type, known_at, source)
    order by input.n`.execute(db.kysely);
  return rows.map((row) => {
    const value = values[row.n - 1]!;
    if (row.inserted) return { value, outcome: 'stored' };
    const same = row.existing === value.value && row.existing_flag === value.flag;
    return same ? { value, outcome: 'unchanged' } : { value, outcome: 'conflict', existing: row.existing ?? Number.NaN };
  });
}

/** One symbol's rows of one field, in the order they became known (ties: the later period end first). */
export interface FundamentalSeriesRow {
  readonly symbol: string;
  readonly field: string;
  readonly knownAt: readonly number[];
  readonly periodEnd: readonly number[];
  readonly value: readonly number[];
}

export interface FundamentalSeriesQuery {
  readonly symbols: readonly string[];
  readonly fields: readonly string[];
  readonly periodType: PeriodType;
  /** Only rows known before this instant (epoch ms, exclusive). */
  readonly knownBefore: number;
  /** And, when given, known at or before this one (epoch ms, inclusive). */
  readonly asOf?: number | undefined;
  /** Include rows stored with a flag. */
  readonly includeFlagged: boolean;
}

/** The rows of the symbols and fields, one array row per symbol and field (one query). */
export async function fundamentalSeries(db: Database, query: FundamentalSeriesQuery): Promise<FundamentalSeriesRow[]> {
  if (query.symbols.length === 0 || query.fields.length === 0) return [];
  // period_end as a timestamp without zone: 00:00 UTC of the date whatever the session's time zone
  const ms = (column: string) => sql`date_part('epoch', ${sql.raw(column)}) * 1000`;
  const order = sql`order by known_at, period_end, fetched_at, source`;
  const { rows } = await sql<{ symbol: string; field: string; known_at: number[]; period_end: number[]; value: number[] }>`
    select symbol, field,
      array_agg(${ms('known_at')} ${order}) as known_at,
      array_agg(${ms('period_end::timestamp')} ${order}) as period_end,
      array_agg(value ${order}) as value
    from fundamentals
    where symbol in (${sql.join([...query.symbols])}) and field in (${sql.join([...query.fields])})
      and period_type = ${query.periodType} and known_at < ${new Date(query.knownBefore).toISOString()}::timestamptz
      ${query.asOf === undefined ? sql`` : sql`and known_at <= ${new Date(query.asOf).toISOString()}::timestamptz`}
      ${query.includeFlagged ? sql`` : sql`and flag is null`}
    group by symbol, field`.execute(db.kysely);
  return rows.map((row) => ({
    symbol: row.symbol,
    field: row.field,
    knownAt: row.known_at.map(Number),
    periodEnd: row.period_end.map(Number),
    value: row.value.map(Number),
  }));
}

/**
 * Each symbol's latest stored period end (YYYY-MM-DD) among the rows of a provider: source `source`
 * or `source-...` (Yahoo's statements are 'yahoo', its earnings history 'yahoo-earnings'), so a
 * user's CSV rows do not shorten what the provider is asked for. Symbols with none are absent.
 */
export async function latestPeriodEnds(db: Database, symbols: readonly string[], source: string): Promise<Map<string, string>> {
  if (symbols.length === 0) return new Map();
  const { rows } = await sql<{ symbol: string; latest: string }>`
    select symbol, to_char(max(period_end), 'YYYY-MM-DD') as latest from fundamentals
    where symbol in (${sql.join([...symbols])}) and (source = ${source} or starts_with(source, ${`${source}-`}))
    group by symbol`.execute(db.kysely);
  return new Map(rows.map((r) => [r.symbol, r.latest]));
}

/** One symbol's stored fundamentals, for `momentum data summary`. */
export interface FundamentalsSummaryRow {
  readonly symbol: string;
  readonly values: number;
  readonly fields: number;
  /** YYYY-MM-DD */
  readonly latest_period_end: string;
  /** ISO instant */
  readonly latest_known_at: string;
  readonly flagged: number;
}

/** Per symbol (all, or these): values, distinct fields, latest period end and known_at, flagged values. */
export async function fundamentalsSummary(db: Database, symbols?: readonly string[]): Promise<FundamentalsSummaryRow[]> {
  const { rows } = await sql<{ symbol: string; n: number; fields: number; period: string; known: Date; flagged: number }>`
    select symbol, count(*)::int as n, count(distinct field)::int as fields,
      to_char(max(period_end), 'YYYY-MM-DD') as period, max(known_at) as known,
      (count(*) filter (where flag is not null))::int as flagged
    from fundamentals where ${ofSymbols(symbols)}
    group by symbol order by symbol`.execute(db.kysely);
  return rows.map((r) => ({
    symbol: r.symbol,
    values: Number(r.n),
    fields: Number(r.fields),
    latest_period_end: r.period,
    latest_known_at: new Date(r.known).toISOString(),
    flagged: Number(r.flagged),
  }));
}

/** A value stored with a flag, for `momentum data issues --fundamentals`. */
export interface FlaggedFundamental {
  readonly symbol: string;
  readonly field: string;
  /** YYYY-MM-DD */
  readonly period_end: string;
  readonly period_type: string;
  readonly value: number;
  readonly flag: string;
  readonly source: string;
  /** ISO instant */
  readonly known_at: string;
}

/** The values stored flagged (of all symbols, or these), by symbol, field and period. */
export async function flaggedFundamentals(db: Database, symbols?: readonly string[]): Promise<FlaggedFundamental[]> {
  const { rows } = await sql<Omit<FlaggedFundamental, 'known_at'> & { known_at: Date }>`
    select symbol, field, to_char(period_end, 'YYYY-MM-DD') as period_end, period_type, value, flag, source, known_at
    from fundamentals where flag is not null and ${ofSymbols(symbols)}
    order by symbol, field, period_end, period_type, known_at, source`.execute(db.kysely);
  return rows.map((r) => ({ ...r, value: Number(r.value), known_at: new Date(r.known_at).toISOString() }));
}

/** A where-clause of every symbol (undefined), or these (none: no row). */
export const ofSymbols = (symbols: readonly string[] | undefined) =>
  symbols === undefined ? sql`true` : sql`symbol in (${sql.join(symbols.length > 0 ? [...symbols] : [''])})`;
