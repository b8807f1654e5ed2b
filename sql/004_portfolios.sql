-- Model portfolios that subscribers follow: how each is generated (strategy, hyperparameters,
-- universe, optimiser, investment mode and amount), and every dated rebalance with its target
-- and held weights, whole-share holdings for the model amount, orders, and the evidence behind it.

create table portfolios (
  id           bigint generated always as identity primary key,
  name         text not null unique,
  strategy     text not null,
  params       jsonb not null,
  universe     text,
  symbols      jsonb not null,
  interval     text not null,
  backtest_id  bigint references backtests (id) on delete set null,
  optimizer    text not null check (optimizer in ('none', 'mpo')),
  mode         text not null check (mode in ('lumpsum', 'sip')),
  amount       double precision not null check (amount > 0),
  -- SIP plan: installment, every ('week' | 'month' | 'quarter'), count (null: open-ended)
  sip          jsonb,
  currency     text not null,
  lot_size     integer not null default 1 check (lot_size >= 1),
  ignore_gates boolean not null,
  -- the gate set a backtest without a verdict is judged with, and how old data may be
  gate_set     text not null default 'default',
  max_data_age_days integer not null check (max_data_age_days >= 0),
  costs        jsonb not null,
  created_at   timestamptz not null default now()
);

create table portfolio_rebalances (
  id               bigint generated always as identity primary key,
  portfolio_id     bigint not null references portfolios (id) on delete cascade,
  -- the day the portfolio was (re)generated, and the strategy's signal bar behind its weights
  -- dates as ISO text (YYYY-MM-DD): read back exactly on every engine, with no time zone shift
  as_of            text not null check (as_of ~ '^\d{4}-\d{2}-\d{2}$'),
  signal_date      text not null check (signal_date ~ '^\d{4}-\d{2}-\d{2}$'),
  data_as_of       timestamptz not null,
  next_rebalance   text check (next_rebalance ~ '^\d{4}-\d{2}-\d{2}$'),
  -- new money added at this rebalance (the amount at the first, SIP installments later)
  contribution     double precision not null,
  value            double precision not null,
  cash             double precision not null,
  turnover         double precision not null,
  costs            double precision not null,
  evidence         jsonb not null,
  warnings         jsonb not null default '[]',
  data_fingerprint text not null,
  code_version     text not null,
  created_at       timestamptz not null default now(),
  unique (portfolio_id, as_of)
);

create table portfolio_holdings (
  rebalance_id  bigint not null references portfolio_rebalances (id) on delete cascade,
  symbol        text not null,
  target_weight double precision not null,
  weight        double precision not null,
  shares        double precision not null,
  price         double precision not null,
  value         double precision not null,
  score         double precision,
  reason        text not null,
  primary key (rebalance_id, symbol)
);

create table portfolio_orders (
  rebalance_id bigint not null references portfolio_rebalances (id) on delete cascade,
  seq          integer not null,
  symbol       text not null,
  side         text not null check (side in ('buy', 'sell')),
  shares       double precision not null check (shares > 0),
  price        double precision not null,
  value        double precision not null,
  cost         double precision not null,
  primary key (rebalance_id, seq)
);
