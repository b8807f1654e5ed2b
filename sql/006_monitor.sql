-- Post-trade monitoring of model portfolios (src/monitor/): drawdown alerts and a snapshot per run.
--
-- De-duplication state lives in these two tables, nowhere else:
-- - an alert row with recovered_at null is an open episode: its threshold stays silent for that
--   (portfolio, scope, symbol) until the drawdown recovers (the partial unique index enforces one);
-- - max(monitor_snapshots.through) per portfolio is the last bar already applied to the alert
--   state: a run only applies bars after it, so re-running an as-of, or overlapping days, adds nothing.
-- Dates of bars are ISO text (YYYY-MM-DD for daily bars), read back exactly on every engine.

create table monitor_alerts (
  id            bigint generated always as identity primary key,
  portfolio_id  bigint not null references portfolios (id) on delete cascade,
  -- the rebalance whose holdings were held at the observed bar
  rebalance_id  bigint references portfolio_rebalances (id) on delete set null,
  scope         text not null check (scope in ('portfolio', 'position')),
  -- the position's symbol; null for the whole portfolio
  symbol        text,
  -- the threshold crossed, a negative fraction (-0.05 = a 5% drawdown)
  threshold     double precision not null check (threshold < 0 and threshold > -1),
  -- the drawdown at the observed bar (<= threshold), a negative fraction
  drawdown      double precision not null,
  -- the running peak the drawdown is measured from: its bar date and the portfolio's value there
  -- (scope portfolio) or the position's price level (scope position)
  peak_date     text not null,
  peak_value    double precision not null,
  observed_at   text not null,
  created_at    timestamptz not null default now(),
  -- the bar date the episode ended, and how: the drawdown came back to half the threshold or
  -- better ('recovered'), or the position was sold at a rebalance ('position-closed')
  recovered_at  text,
  resolution    text check (resolution in ('recovered', 'position-closed')),
  details       jsonb not null default '{}',
  check ((scope = 'portfolio') = (symbol is null)),
  check ((recovered_at is null) = (resolution is null))
);

create unique index monitor_alerts_one_open_episode
  on monitor_alerts (portfolio_id, scope, coalesce(symbol, ''), threshold)
  where recovered_at is null;
create index monitor_alerts_by_portfolio on monitor_alerts (portfolio_id, observed_at);

create table monitor_snapshots (
  id             bigint generated always as identity primary key,
  portfolio_id   bigint not null references portfolios (id) on delete cascade,
  -- the as-of date of the run; re-running it updates this row
  as_of          text not null check (as_of ~ '^\d{4}-\d{2}-\d{2}$'),
  rebalance_id   bigint references portfolio_rebalances (id) on delete set null,
  -- the latest bar used to value the holdings (null: no bar since the latest rebalance)
  last_bar_date  text,
  -- the alert state includes every bar up to this one (the portfolio's watermark is the maximum)
  through        text,
  value          double precision not null,
  cash           double precision not null,
  drawdown       double precision not null,
  peak_date      text not null,
  peak_value     double precision not null,
  -- half the sum of |actual - target| weights over positions and cash
  drift          double precision not null,
  -- age in days of the oldest last bar among held symbols (null: a held symbol has no bar at all)
  data_age_days  integer,
  stale_symbols  jsonb not null default '[]',
  positions      jsonb not null,
  details        jsonb not null default '{}',
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  unique (portfolio_id, as_of)
);
