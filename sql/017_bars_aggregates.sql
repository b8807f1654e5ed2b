-- Weekly and monthly bars over the daily ones (src/data/derived-bars.ts): first open, highest high,
-- lowest low, last close and adjusted close, summed volume, per symbol and calendar week (Monday,
-- UTC) or month. On TimescaleDB they are continuous aggregates refreshed by policy, real-time
-- (materialized_only = false: the buckets past the last refresh are computed from the bars at
-- read time). Plain PostgreSQL and PGlite compute the same bars with a query; so does TimescaleDB's
-- Apache-licensed build, which has no continuous aggregates (said with a notice).
do $$
begin
  -- Nested: the catalog view cannot be named where TimescaleDB is absent.
  if to_regclass('timescaledb_information.hypertables') is null then
    return;
  end if;
  if not exists (select 1 from timescaledb_information.hypertables where hypertable_name = 'bars') then
    return;
  end if;
  if current_setting('timescaledb.license', true) is distinct from 'timescale' then
    raise notice 'TimescaleDB % build: no continuous aggregates, weekly and monthly bars are computed by query',
      current_setting('timescaledb.license', true);
    return;
  end if;
  execute $view$
    create materialized view bars_1wk with (timescaledb.continuous, timescaledb.materialized_only = false) as
    select symbol, time_bucket(interval '1 week', ts) as ts, first(open, ts) as open, max(high) as high, min(low) as low,
      last(close, ts) as close, last(adj_close, ts) as adj_close, sum(volume) as volume
    from bars where interval = '1d'
    group by symbol, time_bucket(interval '1 week', ts)
    with no data $view$;
  execute $view$
    create materialized view bars_1mo with (timescaledb.continuous, timescaledb.materialized_only = false) as
    select symbol, time_bucket(interval '1 month', ts) as ts, first(open, ts) as open, max(high) as high, min(low) as low,
      last(close, ts) as close, last(adj_close, ts) as adj_close, sum(volume) as volume
    from bars where interval = '1d'
    group by symbol, time_bucket(interval '1 month', ts)
    with no data $view$;
  -- Every hour, whatever was written or restated since (start_offset null: the whole history, but
  -- only its invalidated ranges are recomputed); the current bucket stays real-time.
  perform add_continuous_aggregate_policy('bars_1wk', start_offset => null, end_offset => interval '1 week',
    schedule_interval => interval '1 hour', initial_start => now() + interval '1 hour');
  perform add_continuous_aggregate_policy('bars_1mo', start_offset => null, end_offset => interval '1 month',
    schedule_interval => interval '1 hour', initial_start => now() + interval '1 hour');
end
$$;
