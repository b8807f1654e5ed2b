-- The point-in-time data a backtest's strategy read besides prices (issue 19): the fundamental
-- fields and period type, the as-of rule, the publication lag, the event kinds, and a sha256 of
-- every value and event its bars could see (src/data/strategy-data.ts). The data fingerprint covers
-- it too. Null for a price-only strategy, and for rows before it.
alter table backtests add column data_used jsonb;
