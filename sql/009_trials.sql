-- The trial registry: every configuration ever tried, counted per research family, so the deflated
-- Sharpe ratio of a candidate knows how many trials stand behind it, whether they ran as one sweep or
-- one by one, on any day (Bailey and Lopez de Prado 2014).
--
-- A research family is a strategy (kind 'strategy'), or a selection made by code among strategies
-- (kind 'selection', e.g. the demo's), on one universe (its sorted symbols), one bar interval and one
-- in-sample period (first and last bar). A trial is one configuration in a family: the strategy, its
-- resolved hyperparameters, costs and engine settings. Running a configuration again is the same
-- trial (`runs` counts the runs); deleting its backtest keeps the trial, so the count never resets.

create table trial_families (
  id          bigint generated always as identity primary key,
  -- SHA-256 of the identity below (kind, name, symbols, interval, period)
  family_key  text not null unique,
  kind        text not null check (kind in ('strategy', 'selection')),
  -- the strategy's name, or the selection's
  name        text not null,
  -- the universe's name when the symbols came from one (the first run's; not part of the identity)
  universe    text,
  symbols     jsonb not null,
  -- the sorted symbols joined by ','
  symbols_key text not null,
  interval    text not null,
  -- first and last bar of the in-sample period (YYYY-MM-DD; an ISO instant for intraday bars)
  period_from text not null,
  period_to   text not null,
  created_at  timestamptz not null default now()
);

create table trials (
  id               bigint generated always as identity primary key,
  family_id        bigint not null references trial_families (id) on delete cascade,
  -- SHA-256 of the configuration
  config_key       text not null,
  strategy         text not null,
  -- strategy, params, costs, fill, wholeShares, allowShort, maxLeverage
  config           jsonb not null,
  -- of the latest run: per-period Sharpe ratio (0 for constant returns) and the returns behind it
  sharpe           double precision not null,
  observations     integer not null,
  constant_returns boolean not null,
  -- the latest stored backtest of this configuration in the family (null: not stored, or deleted)
  backtest_id      bigint references backtests (id) on delete set null,
  -- how the configuration was first tried
  source           text not null check (source in ('backtest', 'sweep', 'simulation', 'walk-forward', 'selection')),
  runs             integer not null,
  first_run_at     timestamptz not null default now(),
  last_run_at      timestamptz not null default now(),
  unique (family_id, config_key)
);
create index trials_config on trials (config_key);
create index trials_backtest on trials (backtest_id);
