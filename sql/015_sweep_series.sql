-- Sweeps store a thousand equity curves at a time; two things made that slow for nothing.
--
-- Float64 bytes do not compress: PostgreSQL's default (extended) storage tried pglz on every
-- series over ~2 kB and kept it uncompressed anyway, which roughly doubled the cost of a write on
-- the embedded engine. External storage skips the attempt (values still move out of line).
alter table backtest_equity alter column dates set storage external;
alter table backtest_equity alter column equity set storage external;
alter table backtest_equity alter column cash set storage external;
alter table backtest_equity alter column gross_exposure set storage external;

-- A sweep's combinations run on one panel over one period: they share their bar dates, kept once
-- on the sweep; a combination's own `dates` is null then.
alter table sweeps add column dates bytea;
alter table sweeps alter column dates set storage external;
alter table backtest_equity alter column dates drop not null;
