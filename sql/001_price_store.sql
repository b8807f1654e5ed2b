-- The price store: instruments and bars (the price-bar spec of DESIGN.md), raw and adjusted close kept.
-- Prices are float8: JavaScript numbers round-trip exactly through PostgreSQL's shortest-exact float output.
-- bars.symbol has no foreign key to instruments: the check costs half of a bulk load's time (measured),
-- and the one writer (src/data/bar-writer.ts) refuses bars of unknown instruments before inserting.

create table instruments (
  symbol      text primary key check (symbol ~ '^[A-Z0-9^][A-Z0-9.=^_-]{0,31}$'),
  name        text,
  asset_class text check (asset_class in ('equity', 'bond', 'commodity', 'currency', 'crypto', 'index', 'fund')),
  currency    text,
  exchange    text,
  timezone    text,
  source      text not null,
  updated_at  timestamptz not null default now()
);

create table bars (
  symbol    text not null,
  interval  text not null check (interval in ('1m', '5m', '15m', '1h', '1d', '1wk', '1mo')),
  ts        timestamptz not null,
  open      double precision not null,
  high      double precision not null,
  low       double precision not null,
  close     double precision not null,
  adj_close double precision not null,
  volume    double precision not null,
  source    text not null,
  primary key (symbol, interval, ts),
  check (open > 0 and high > 0 and low > 0 and close > 0 and adj_close > 0 and volume >= 0)
);

-- With TimescaleDB available (docker-compose.yml runs it), bars become a hypertable; without it
-- (plain PostgreSQL, PGlite) they stay a plain table with the same columns. Only when the server
-- preloads it (its loader's settings exist): creating it on a server that merely has its files installed
-- loads a library that then fails every later statement of the session ("must be preloaded").
do $$
begin
  if exists (select 1 from pg_available_extensions where name = 'timescaledb')
    and current_setting('timescaledb.max_background_workers', true) is not null then
    begin
      create extension if not exists timescaledb;
      perform create_hypertable('bars', 'ts', chunk_time_interval => interval '365 days', if_not_exists => true);
    exception when others then
      raise notice 'timescaledb is installed but could not be enabled (%): bars stay a plain table', sqlerrm;
    end;
  end if;
end
$$;

create table ingest_runs (
  id            bigint generated always as identity primary key,
  source        text not null,
  interval      text not null,
  request       jsonb not null,
  status        text not null check (status in ('running', 'ok', 'partial', 'failed', 'aborted')),
  started_at    timestamptz not null default now(),
  finished_at   timestamptz,
  host          text not null,
  pid           integer not null,
  symbols_ok     integer not null default 0,
  symbols_failed integer not null default 0,
  bars_fetched   integer not null default 0,
  bars_inserted  integer not null default 0,
  bars_updated   integer not null default 0,
  bars_unchanged integer not null default 0,
  bars_rejected  integer not null default 0,
  bars_flagged   integer not null default 0,
  error          text
);

create table ingest_run_symbols (
  run_id    bigint not null references ingest_runs (id) on delete cascade,
  symbol    text not null,
  status    text not null check (status in ('ok', 'failed')),
  fetched   integer not null default 0,
  inserted  integer not null default 0,
  updated   integer not null default 0,
  unchanged integer not null default 0,
  rejected  integer not null default 0,
  flagged   integer not null default 0,
  first_ts  timestamptz,
  last_ts   timestamptz,
  notes     jsonb not null default '[]',
  error     text,
  primary key (run_id, symbol)
);

-- Rows rejected by validation and rows flagged as suspicious, with the reason, per run.
create table ingest_issues (
  id      bigint generated always as identity primary key,
  run_id  bigint not null references ingest_runs (id) on delete cascade,
  symbol  text not null,
  kind    text not null check (kind in ('rejected', 'flagged')),
  line    integer,
  ts      text,
  reason  text not null
);
create index ingest_issues_run on ingest_issues (run_id, symbol);
