-- The risk-free rate a backtest's Sharpe, Sortino and alpha (and its gates) were measured against,
-- stored with its spec so a re-run measures the same way: an annual constant, or the adjusted-close
-- returns of a stored symbol (a T-bill fund) when risk_free_symbol is set. Rows before it: 0.
alter table backtests add column risk_free_rate double precision not null default 0;
alter table backtests add column risk_free_symbol text;
