-- Corporate actions as data, the ledger of what they did to model portfolios, and the day each
-- subscriber joined.
--
-- corporate_actions: one split or cash dividend of a symbol on its ex-date (YYYY-MM-DD text, as
-- the other bar dates). split: value = new shares per old share (0.125 for a 1:8 reverse split);
-- dividend: value = cash per share. source: 'yahoo' (chart events), 'csv' (an events file beside
-- the prices) or 'derived' (from the step of adj_close / close, src/data/derive-actions.ts); a
-- derived row never replaces a sourced one. Re-ingest upserts: an event is stored once.
create table corporate_actions (
  symbol     text not null,
  ex_date    text not null check (ex_date ~ '^\d{4}-\d{2}-\d{2}$'),
  kind       text not null check (kind in ('split', 'dividend')),
  value      double precision not null check (value > 0 and value < 'Infinity'::float8),
  source     text not null,
  note       text,
  updated_at timestamptz not null default now(),
  primary key (symbol, ex_date, kind)
);

-- What a portfolio does with dividends: credit them to cash (default) or reinvest them in whole
-- shares of the same symbol at the ex-date's close.
alter table portfolios add column dividends text not null default 'cash' check (dividends in ('cash', 'reinvest'));

-- Each corporate action applied to the holdings of a rebalance (the holdings held until the next
-- one): the shares before and after, and the cash it credited (cash in lieu of a fractional share
-- after a split, or a dividend net of what was reinvested). Written by rebalancing and monitoring,
-- upserted on its key, so an event is recorded (and applied) once.
create table portfolio_ledger (
  portfolio_id  bigint not null references portfolios (id) on delete cascade,
  rebalance_id  bigint not null references portfolio_rebalances (id) on delete cascade,
  symbol        text not null,
  ex_date       text not null check (ex_date ~ '^\d{4}-\d{2}-\d{2}$'),
  kind          text not null check (kind in ('split', 'dividend')),
  value         double precision not null,
  shares_before double precision not null,
  shares_after  double precision not null,
  cash          double precision not null,
  -- the raw close used for cash in lieu or for reinvesting (null when none was needed)
  price         double precision,
  note          text not null,
  recorded_at   timestamptz not null default now(),
  primary key (rebalance_id, symbol, ex_date, kind)
);
create index portfolio_ledger_by_portfolio on portfolio_ledger (portfolio_id, ex_date);

-- The day a subscriber (re)joined: alerts observed before it are not theirs, and their own book
-- (the report's shares, sized to their amount) starts at the first rebalance on or after it.
alter table subscribers add column since text check (since ~ '^\d{4}-\d{2}-\d{2}$');
update subscribers set since = to_char(created_at at time zone 'UTC', 'YYYY-MM-DD');
alter table subscribers alter column since set not null;
