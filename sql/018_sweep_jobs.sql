-- The distributed job engine (pg-boss keeps its queue in a schema of its own, `pgboss`, created
-- by the first `momentum worker`; these tables are the project's side of it).
--
-- A sweep's combination is stored once: its position in the grid's order is its key within the
-- sweep, so a chunk run again after its worker died (at-least-once delivery) finds the
-- combinations it stored before and adds only the rest (`on conflict do nothing`). Null outside
-- sweeps (NULLs never conflict).
alter table backtests add column sweep_index integer;
alter table backtests add constraint backtests_sweep_combination unique (sweep_id, sweep_index);

-- Combinations that could not run (refused parameters, a failed backtest), once each, so the
-- progress of a sweep run by several workers counts them as done.
create table sweep_failures (
  sweep_id    bigint not null references sweeps (id) on delete cascade,
  sweep_index integer not null,
  params      jsonb not null,
  error       text not null,
  primary key (sweep_id, sweep_index)
);

-- Every `momentum worker` beats here while it runs (and removes its row when it stops): what
-- `momentum sweep --distributed` and the scheduler read to know whether any worker is there.
create table job_workers (
  id          text primary key,
  host        text not null,
  pid         integer not null,
  queues      jsonb not null,
  concurrency integer not null,
  started_at  timestamptz not null default now(),
  seen_at     timestamptz not null default now()
);

-- One queued job per portfolio, day and kind (rebalance, report): the scheduler's slot enqueues
-- them in the transaction that adds this row, so enqueueing a day twice queues nothing twice.
create table portfolio_jobs (
  queue      text not null,
  portfolio  text not null,
  day        date not null,
  job_id     uuid not null,
  created_at timestamptz not null default now(),
  primary key (queue, portfolio, day)
);
