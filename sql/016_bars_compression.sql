-- On TimescaleDB (bars a hypertable, 001), native compression: each compressed segment holds one
-- symbol's bars of one interval in time order, the way panels read them; a policy compresses chunks
-- once they are two years old (recent bars are the ones still corrected by re-ingest, though
-- upserts into compressed chunks work too). Plain PostgreSQL, PGlite and TimescaleDB's Apache build:
-- nothing to do.
do $$
begin
  if to_regclass('timescaledb_information.hypertables') is not null then
    if exists (select 1 from timescaledb_information.hypertables where hypertable_name = 'bars')
      and current_setting('timescaledb.license', true) is distinct from 'timescale' then
      -- TimescaleDB's Apache-licensed build (some hosts offer only that) has no compression.
      raise notice 'TimescaleDB % build: no native compression, bars stay uncompressed', current_setting('timescaledb.license', true);
    elsif exists (select 1 from timescaledb_information.hypertables where hypertable_name = 'bars') then
      alter table bars set (
        timescaledb.compress,
        timescaledb.compress_segmentby = 'symbol, interval',
        timescaledb.compress_orderby = 'ts'
      );
      -- First run an hour after the migration, not at once: a fresh database's first ingest is not
      -- raced by a compression job over the chunks it is writing.
      perform add_compression_policy('bars', compress_after => interval '2 years', if_not_exists => true,
        initial_start => now() + interval '1 hour');
    end if;
  end if;
end
$$;
