-- Research gates: threshold verdicts, out-of-sample simulations and walk-forward analyses.

-- What a stored backtest is: an ordinary run, the out-of-sample run of a simulation, or a walk-forward's.
alter table backtests add column role text not null default 'backtest'
  check (role in ('backtest', 'simulation', 'walk-forward'));

create table gate_results (
  id           bigint generated always as identity primary key,
  backtest_id  bigint not null references backtests (id) on delete cascade,
  sweep_id     bigint references sweeps (id) on delete cascade,
  gate_set     text not null,
  thresholds   jsonb not null,
  passed       boolean not null,
  -- one entry per threshold: name, threshold, value, status ('pass' | 'fail' | 'skipped'), reason
  checks       jsonb not null,
  -- PSR, DSR (with the trials and their variance), PBO when a sweep gave them
  statistics   jsonb not null,
  evaluated_at timestamptz not null default now()
);
create index gate_results_backtest on gate_results (backtest_id, evaluated_at);

create table simulations (
  id              bigint generated always as identity primary key,
  backtest_id     bigint not null references backtests (id) on delete cascade,
  oos_backtest_id bigint not null references backtests (id) on delete cascade,
  gate_result_id  bigint references gate_results (id) on delete set null,
  allowed_overlap boolean not null,
  ignored_gates   boolean not null,
  -- in-sample vs out-of-sample: Sharpe, CAGR, total return, drawdown and how much each degraded
  comparison      jsonb not null,
  created_at      timestamptz not null default now()
);
create index simulations_backtest on simulations (backtest_id);

create table walkforwards (
  id               bigint generated always as identity primary key,
  strategy         text not null,
  spec             jsonb not null,
  grid             jsonb not null,
  mode             text not null check (mode in ('rolling', 'anchored')),
  train_bars       integer not null,
  test_bars        integer not null,
  select_by        text not null,
  -- metrics of the stitched out-of-sample equity curve
  metrics          jsonb not null,
  dates            bytea not null,
  equity           bytea not null,
  data_fingerprint text not null,
  code_version     text not null,
  created_at       timestamptz not null default now()
);

create table walkforward_windows (
  walkforward_id bigint not null references walkforwards (id) on delete cascade,
  seq            integer not null,
  train_from     timestamptz not null,
  train_to       timestamptz not null,
  test_from      timestamptz not null,
  test_to        timestamptz not null,
  chosen_params  jsonb not null,
  in_sample      jsonb not null,
  out_of_sample  jsonb not null,
  primary key (walkforward_id, seq)
);
