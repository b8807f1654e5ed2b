/**
 * One combination of a sweep, as every runner computes it (a worker thread of a local sweep, a
 * `momentum worker` running a chunk): the backtest on the loaded panel, its trial figures computed
 * beside its curve, and the outcome the store keeps. One code path, so a sweep's figures are the
 * same wherever it ran.
 */
import type { SignalMemo } from '../strategies/signal-memo.js';
import type { BacktestSpec } from './backtest-spec.js';
import { backtestOnPanel, type BacktestData, type BacktestOutcome } from './run-backtest.js';
import type { JobResult, SweepJob } from './sweep-protocol.js';
import { trialFigures } from './trial-registry.js';

export interface CombinationSetup {
  readonly spec: BacktestSpec;
  readonly storeTrades: boolean;
  readonly keepCurves: boolean;
}

/**
 * Runs `job` on `data`; `withDates`: the result carries the bars traded (a runner sends them once).
 * @example const result = runCombination(setup, data, { index: 0, params }, memo, true)
 */
export function runCombination(
  setup: CombinationSetup,
  data: BacktestData,
  job: SweepJob,
  memo: SignalMemo,
  withDates: boolean,
): JobResult {
  const spec = { ...setup.spec, params: job.params };
  const outcome = backtestOnPanel(spec, data, { memo });
  return {
    type: 'result',
    index: job.index,
    metrics: outcome.metrics,
    dates: withDates ? outcome.dates : null,
    equity: setup.keepCurves ? outcome.equity : null,
    trial: trialFigures(spec, outcome.equity),
    trades: setup.storeTrades ? outcome.trades : null,
    warnings: outcome.warnings,
    dataFingerprint: outcome.dataFingerprint,
    dataUsed: outcome.dataUsed,
    codeVersion: outcome.codeVersion,
    symbols: outcome.symbols,
  };
}

/** What the store keeps of a combination's result (its spec with the resolved params; the sweep's shared dates). */
export function sweepOutcome(spec: BacktestSpec, result: JobResult, dates: Float64Array): BacktestOutcome {
  const empty = new Float64Array(0);
  return {
    spec,
    symbols: result.symbols,
    dates: result.dates ?? dates,
    // Without kept curves, neither the store nor the trial registry reads it (the runner sent the trial's figures).
    equity: result.equity ?? empty,
    cash: empty,
    grossExposure: empty,
    traded: empty,
    benchmarkEquity: null,
    trades: result.trades ?? [],
    metrics: result.metrics,
    warnings: result.warnings,
    dataFingerprint: result.dataFingerprint,
    dataUsed: result.dataUsed,
    codeVersion: result.codeVersion,
  };
}
