/**
 * The chunk interval of `bars` on TimescaleDB, chosen from how densely bars arrive. TimescaleDB
 * advises chunks whose recent data and indexes fit in about a quarter of memory, and not so many
 * that planning suffers. A stored bar takes ~120 bytes with its primary-key entry, so a chunk of
 * about 1,000,000 bars (~120 MB) suits a small server: daily bars (~252 a year) of up to ~4,000
 * symbols keep a year (the migration's default, 365 days); minute bars of 100 stocks (~28,000 a calendar day)
 * get 30-day chunks. Steps, not exact quotients, so the interval does not change at every ingest.
 * A new interval applies to chunks created from then on.
 */
import { sql } from 'kysely';
import type { Database } from './database.js';

const TARGET_BARS_PER_CHUNK = 1_000_000;
const STEPS_DAYS = [1, 7, 30, 90, 182, 365] as const;

/** @example chunkIntervalDays(300) // 365 (daily bars of ~430 symbols); chunkIntervalDays(28_000) // 30 */
export function chunkIntervalDays(barsPerDay: number): number {
  if (!(barsPerDay > 0)) return 365;
  const ideal = TARGET_BARS_PER_CHUNK / barsPerDay;
  return [...STEPS_DAYS].reverse().find((days) => days <= ideal) ?? 1;
}

/**
 * After an ingest: bars per calendar day over the stored series (each series' count over its own
 * span), and the hypertable's chunk interval set from it when that differs. Null where bars are not
 * a hypertable; otherwise the interval in days now in force.
 */
export async function tuneChunkInterval(database: Database): Promise<number | null> {
  if (database.engine !== 'postgres') return null;
  const { rows: table } = await sql<{
    view: string | null;
  }>`select to_regclass('timescaledb_information.dimensions')::text as view`.execute(database.kysely);
  if (!table[0]?.view) return null;
  const { rows } = await sql<{ days: number | null; density: number | null }>`
    select (select extract(epoch from time_interval) / 86400 from timescaledb_information.dimensions
        where hypertable_name = 'bars' and column_name = 'ts')::float8 as days,
      (select sum(bars / greatest(1, extract(epoch from last_ts - first_ts) / 86400 + 1)) from bar_series)::float8 as density`.execute(
    database.kysely,
  );
  const current = rows[0]?.days;
  if (current === null || current === undefined) return null;
  const wanted = chunkIntervalDays(rows[0]?.density ?? 0);
  if (wanted === current) return current;
  await sql`select set_chunk_time_interval('bars', ${`${wanted} days`}::interval)`.execute(database.kysely);
  return wanted;
}
