-- The value traded at each bar (EngineResult.traded), stored with the equity curve so a stored
-- backtest's turnover can be drawn over time (the tearsheet). Null for backtests stored before it,
-- and for sweeps' light series, like cash and gross_exposure.
alter table backtest_equity add column traded bytea;
