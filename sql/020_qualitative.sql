-- Qualitative data stored with its timestamps (issue 19): analysts' actions, earnings announcements
-- with their surprises, and news headlines. As for fundamentals, nothing is updated in place: a
-- re-fetch of the same item is "on conflict do nothing", and each row says when it could be known.

-- An analyst's upgrade, downgrade, initiation or reiteration (Yahoo's upgradeDowngradeHistory).
-- acted_at is the instant of the action as the source gives it; a bar sees it by the as-of rule of
-- src/data/fundamentals.ts (from the UTC day after).
create table analyst_actions (
  symbol      text not null,
  acted_at    timestamptz not null,
  firm        text not null,
  action      text not null check (action in ('up', 'down', 'init', 'main', 'reit')),
  from_grade  text,
  to_grade    text,
  source      text not null,
  fetched_at  timestamptz not null default now(),
  primary key (symbol, acted_at, firm, source)
);

-- Analysts' recommendation counts for a month (Yahoo's recommendationTrend). Yahoo gives a snapshot
-- of the current and the three past months, so a row is known from the fetch (known_at), never before.
create table recommendation_trends (
  symbol      text not null,
  month       date not null,
  strong_buy  integer not null check (strong_buy >= 0),
  buy         integer not null check (buy >= 0),
  hold        integer not null check (hold >= 0),
  sell        integer not null check (sell >= 0),
  strong_sell integer not null check (strong_sell >= 0),
  known_at    timestamptz not null,
  source      text not null,
  primary key (symbol, month, known_at, source)
);

-- An earnings announcement: the quarter (period_end), the reported EPS against the analysts'
-- consensus, and when it was known. known_at is the announcement's date where the source gives it
-- (known_rule 'reported'), otherwise period_end plus the quarterly publication lag of
-- src/data/fundamental.ts (known_rule 'lag'). eps_actual is null for an announced date still to come.
create table earnings_events (
  symbol       text not null,
  period_end   date not null,
  eps_actual   double precision,
  eps_estimate double precision,
  known_at     timestamptz not null,
  known_rule   text not null check (known_rule in ('reported', 'lag')),
  source       text not null,
  fetched_at   timestamptz not null default now(),
  primary key (symbol, period_end, known_at, source),
  check (known_at >= period_end::timestamp at time zone 'UTC')
);

-- A news headline about a symbol, as the source listed it.
create table news_headlines (
  symbol       text not null,
  id           text not null,
  title        text not null,
  publisher    text not null,
  link         text not null check (link ~ '^https?://'),
  published_at timestamptz not null,
  source       text not null,
  fetched_at   timestamptz not null default now(),
  primary key (symbol, id, source)
);
create index news_headlines_latest on news_headlines (symbol, published_at desc);
