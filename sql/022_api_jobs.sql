-- The jobs of the HTTP API v1 (POST /api/v1/backtests, /simulations, /sweeps, /portfolios,
-- /ingest): each request is a row, run by the `momentum serve` that took it in (src/api/v1/).
-- The row is the queue: a server that starts again runs what was still queued, and a job whose
-- runner stopped beating (a crash, a kill) is marked failed, never left "running" for ever.
create table api_jobs (
  id           uuid primary key default gen_random_uuid(),
  kind         text not null check (kind in ('backtest', 'simulation', 'sweep', 'portfolio', 'ingest')),
  -- json, not jsonb: the request as given, its keys in their order (a sweep's grid order is its combinations' order).
  spec         json not null,
  status       text not null default 'queued' check (status in ('queued', 'running', 'succeeded', 'failed')),
  progress     double precision not null default 0 check (progress >= 0 and progress <= 1),
  message      text,
  -- What the job made, e.g. {"backtestId": 12}: the result routes are built from it.
  result       jsonb,
  error        text,
  -- The server process running it, and when it last said it was alive.
  runner       text,
  heartbeat_at timestamptz,
  created_at   timestamptz not null default now(),
  started_at   timestamptz,
  finished_at  timestamptz
);

create index api_jobs_queued on api_jobs (created_at) where status = 'queued';
create index api_jobs_running on api_jobs (heartbeat_at) where status = 'running';
