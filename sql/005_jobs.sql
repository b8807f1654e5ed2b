-- The batch service (momentum schedule): one row per run of a scheduled slot or a manual run.
--
-- The unique (entry, scheduled_for) row is the slot claim: two service replicas on one database
-- insert the same row and only one succeeds, so each slot runs once. While a run lasts, its
-- process renews lease_expires_at; a 'running' row whose lease has expired belongs to a process
-- that died, and the slot may be taken over (attempt + 1). `entry` is the schedule entry's name
-- (the job's name unless the entry is named, e.g. two rebalance calendars); `job` the job run.

create table job_runs (
  id               bigint generated always as identity primary key,
  entry            text not null,
  job              text not null,
  scheduled_for    timestamptz not null,
  trigger          text not null check (trigger in ('schedule', 'catch-up', 'manual')),
  status           text not null check (status in ('running', 'succeeded', 'failed', 'skipped')),
  started_at       timestamptz not null default now(),
  ended_at         timestamptz,
  lease_expires_at timestamptz,
  attempt          integer not null default 1,
  args             jsonb not null default '{}',
  counts           jsonb not null default '{}',
  notes            jsonb not null default '[]',
  error            text,
  host             text not null,
  pid              integer not null,
  unique (entry, scheduled_for)
);

create index job_runs_recent on job_runs (started_at desc);
create index job_runs_running on job_runs (entry) where status = 'running';
