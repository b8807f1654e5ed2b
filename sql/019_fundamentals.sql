-- Fundamental data stored point in time (issue 19): one row per value as it became known.
--
-- symbol, field (one of FUNDAMENTAL_FIELDS in src/data/fundamental.ts, checked there), the period
-- it describes (period_end, period_type) and its value. known_at is when the market could know it:
-- the source's reported date where it gives one, otherwise period_end plus a conservative
-- publication lag per period type (src/data/fundamental.ts: 45 days for a quarter or a trailing
-- twelve months, 90 for a year; the SEC's 10-Q and 10-K deadlines are 40 and 60 days for large
-- accelerated filers, 45 and 90 for the others). A bar sees a row only from the UTC day after its
-- known_at (src/data/fundamentals.ts). source: 'csv' or the provider; fetched_at: when it was stored.
-- flag: set by validation for a value stored but suspect ('negative' where it cannot be, 'absurd').
--
-- A restated value is a new row with its own known_at, never an update: the key holds known_at
-- and source, and an import inserts with "on conflict do nothing", so the same file twice is a no-op.
create table fundamentals (
  symbol      text not null,
  field       text not null,
  period_end  date not null,
  period_type text not null check (period_type in ('quarterly', 'annual', 'ttm')),
  value       double precision not null check (value > '-Infinity'::float8 and value < 'Infinity'::float8),
  known_at    timestamptz not null,
  source      text not null,
  fetched_at  timestamptz not null default now(),
  flag        text,
  primary key (symbol, field, period_end, period_type, known_at, source),
  -- a value cannot be known before its period ends (the date as 00:00 UTC, whatever the session's time zone)
  check (known_at >= period_end::timestamp at time zone 'UTC')
);
-- the point-in-time read: a symbol's values of some fields, in the order they became known
create index fundamentals_by_known on fundamentals (symbol, field, period_type, known_at);
