-- Stored backtests: everything needed to reproduce one (strategy, resolved hyperparameters,
-- universe, period, interval, engine and cost settings, the data fingerprint, the code version)
-- and what it produced (metrics, equity curve, trades). Sweeps group the backtests of a grid.
-- Series are stored as little-endian float64 arrays (bytea): exact, and ~8 bytes a value.

create table sweeps (
  id           bigint generated always as identity primary key,
  strategy     text not null,
  grid         jsonb not null,
  spec         jsonb not null,
  combinations integer not null,
  status       text not null check (status in ('running', 'done', 'failed')),
  error        text,
  created_at   timestamptz not null default now(),
  finished_at  timestamptz
);

create table backtests (
  id               bigint generated always as identity primary key,
  sweep_id         bigint references sweeps (id) on delete cascade,
  strategy         text not null,
  params           jsonb not null,
  universe         text,
  symbols          jsonb not null,
  interval         text not null,
  period_from      timestamptz not null,
  period_to        timestamptz not null,
  engine           jsonb not null,
  costs            jsonb not null,
  benchmark        text,
  metrics          jsonb not null,
  warnings         jsonb not null default '[]',
  data_fingerprint text not null,
  code_version     text not null,
  created_at       timestamptz not null default now()
);
create index backtests_sweep on backtests (sweep_id);
create index backtests_strategy on backtests (strategy, created_at);

create table backtest_equity (
  backtest_id    bigint primary key references backtests (id) on delete cascade,
  dates          bytea not null,
  equity         bytea not null,
  cash           bytea,
  gross_exposure bytea
);

create table backtest_trades (
  backtest_id bigint not null references backtests (id) on delete cascade,
  seq         integer not null,
  symbol      text not null,
  direction   smallint not null check (direction in (-1, 1)),
  entry_ts    timestamptz not null,
  exit_ts     timestamptz,
  max_shares  double precision not null,
  entry_price double precision not null,
  exit_price  double precision not null,
  pnl         double precision not null,
  fees        double precision not null,
  pnl_net     double precision not null,
  bars_held   integer not null,
  open        boolean not null,
  primary key (backtest_id, seq)
);
