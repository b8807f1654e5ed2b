/**
 * A SIP backtest from the price store: the strategy's fields plus raw closes (what installments
 * pay) up to `to`, then sipBacktest (pure) on them.
 */
import { parseBacktestSpec } from '../backtest/backtest-spec.js';
import type { CostModel } from '../backtest/transaction-cost.js';
import { MS_PER_DAY, dateToTs, type Interval } from '../data/bar.js';
import { carryForwardValues, loadPanel, type PanelField } from '../data/panel.js';
import { loadStrategyData } from '../data/strategy-data.js';
import type { Database } from '../db/database.js';
import { prepareStrategy } from '../strategies/registry.js';
import type { ParamValue } from '../strategies/strategy.js';
import { sipBacktest, type SipBacktestPlan, type SipBacktestResult } from './sip-backtest.js';

export interface SipRunRequest {
  readonly strategy: string;
  readonly params?: Readonly<Record<string, ParamValue>>;
  readonly symbols: readonly string[];
  readonly interval?: Interval;
  /** First installment on or after this day (default: after the strategy's first rebalance). */
  readonly from?: string;
  /** Last day (default: the latest data). */
  readonly to?: string;
  readonly plan: Omit<SipBacktestPlan, 'start' | 'costs'> & { readonly costs?: CostModel };
}

/**
 * @example const result = await runSipBacktest(db, { strategy: 'xs-momentum', symbols, plan: { installment: 5000, every: 'month', fullRebalance: 'on-signal' } })
 */
export async function runSipBacktest(db: Database, request: SipRunRequest): Promise<SipBacktestResult> {
  const spec = parseBacktestSpec({
    strategy: request.strategy,
    params: { ...request.params },
    symbols: [...request.symbols],
    interval: request.interval ?? '1d',
    from: request.from ?? null,
    to: request.to ?? null,
    ...(request.plan.costs ? { costs: request.plan.costs } : {}),
  });
  const strategy = await prepareStrategy(spec.strategy);
  const fields = [...new Set<PanelField>([...strategy.fields, 'adj_close', 'close'])];
  const to = spec.to ? dateToTs(spec.to) + MS_PER_DAY - 1 : undefined;
  const panel = await loadPanel(db, { symbols: spec.symbols, interval: spec.interval, to, field: fields });
  // Signals see a symbol's last price on bars it lacks, as in backtests; trades need its real bar (raw closes stay as loaded).
  const carried = carryForwardValues(panel.values);
  const values = { ...carried, close: panel.values.close };
  const pointInTime = await loadStrategyData(db, strategy.data, panel);
  return sipBacktest(strategy, { ...panel, values, ...pointInTime }, spec.params, {
    ...request.plan,
    costs: spec.costs,
    ...(spec.from ? { start: spec.from } : {}),
  });
}
