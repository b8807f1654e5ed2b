/**
 * TimescaleDB continuous aggregates over `bars` (sql/017): whether one exists here, how far it is
 * materialised, and whether bars were written or restated below that point since its last refresh
 * (those are not in it until refreshed; newer buckets are computed at read time).
 */
import { sql } from 'kysely';
import type { Database } from './database.js';

export interface AggregateState {
  /** Buckets before this instant (epoch ms) are materialised; null while none of the bars are. */
  readonly materialisedUntil: number | null;
  /** Bars changed below that point since the last refresh. */
  readonly stale: boolean;
}

/** Null where the aggregate does not exist (plain PostgreSQL, PGlite, TimescaleDB's Apache build). */
export async function aggregateState(database: Database, view: string): Promise<AggregateState | null> {
  if (database.engine !== 'postgres') return null;
  const { rows: exists } = await sql<{ view: string | null }>`select to_regclass(${view})::text as view`.execute(database.kysely);
  if (exists[0]?.view === null || exists[0]?.view === undefined) return null;
  // Times are microseconds since 1970 in TimescaleDB's catalog.
  const earliest = sql`(select (extract(epoch from min(first_ts)) * 1000000)::bigint from bar_series where interval = '1d')`;
  const { rows } = await sql<{ watermark: string | null; stale: boolean }>`
    select case when _timescaledb_functions.cagg_watermark(c.mat_hypertable_id) > ${earliest}
        then (_timescaledb_functions.cagg_watermark(c.mat_hypertable_id) / 1000)::text end as watermark,
      exists (
        select 1 from _timescaledb_catalog.continuous_aggs_hypertable_invalidation_log l
        where l.hypertable_id = c.raw_hypertable_id)
      or exists (
        -- Ranges the last refresh covered. TimescaleDB also keeps here the ranges before the
        -- earliest representable time and after the refresh window: those are not stale.
        select 1 from _timescaledb_catalog.continuous_aggs_materialization_invalidation_log m
        where m.materialization_id = c.mat_hypertable_id
          and m.lowest_modified_value < _timescaledb_functions.cagg_watermark(c.mat_hypertable_id)
          and m.greatest_modified_value >= ${earliest}) as stale
    from _timescaledb_catalog.continuous_agg c
    where c.user_view_name = ${view} and c.user_view_schema = current_schema()`.execute(database.kysely);
  const row = rows[0];
  if (!row) return null;
  // Before the first refresh every bucket is computed at read time: nothing can be stale.
  if (row.watermark === null) return { materialisedUntil: null, stale: false };
  return { materialisedUntil: Number(row.watermark), stale: row.stale };
}

/** Refreshes what was invalidated over the whole history; false when it could not (e.g. inside a transaction). */
export async function refreshAggregate(database: Database, view: string): Promise<boolean> {
  return sql`call refresh_continuous_aggregate(${view}, null::timestamptz, null::timestamptz)`.execute(database.kysely).then(
    () => true,
    () => false,
  );
}
