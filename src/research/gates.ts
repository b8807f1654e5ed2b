/**
 * Gate verdicts: a backtest's metrics and overfitting statistics against a gate set, with a
 * plain reason for every threshold that failed or could not be checked. Pure.
 */
import type { BacktestMetrics } from '../backtest/metrics.js';
import type { GateSet } from './gate-set.js';

/** What a sweep (or a lone backtest) says about overfitting; per-period Sharpe ratios. */
export interface OverfittingStatistics {
  /** Configurations tried (1 for a backtest run alone). */
  readonly trials: number;
  readonly sharpePerPeriod: number | null;
  /** Probabilistic Sharpe ratio against 0. */
  readonly psr: number | null;
  /** Deflated Sharpe ratio: PSR against the best Sharpe expected from `trials` luck draws. */
  readonly dsr: number | null;
  readonly expectedMaxSharpe: number | null;
  /** Probability of backtest overfitting of the sweep (CSCV); null without a sweep. */
  readonly pbo: number | null;
  readonly pboSplits: number | null;
}

export type CheckStatus = 'pass' | 'fail' | 'skipped';

export interface GateCheck {
  readonly name: keyof GateSet;
  readonly threshold: number;
  readonly value: number | null;
  readonly status: CheckStatus;
  readonly reason: string;
}

export interface GateVerdict {
  /** Every evaluated threshold passed (skipped ones are listed, not counted). */
  readonly passed: boolean;
  readonly checks: readonly GateCheck[];
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const two = (x: number) => x.toFixed(2);

/**
 * @example evaluateGates(stored.metrics, statistics, { minSharpe: 0.5, maxPbo: 0.5 }).passed
 */
export function evaluateGates(metrics: BacktestMetrics, statistics: OverfittingStatistics, gates: GateSet): GateVerdict {
  const checks: GateCheck[] = [];
  const atLeast = (
    name: keyof GateSet,
    threshold: number | undefined,
    value: number | null,
    label: string,
    show: (x: number) => string,
    why = '',
  ) => {
    if (threshold === undefined) return;
    if (value === null) {
      checks.push({ name, threshold, value, status: 'skipped', reason: `${label} is not defined for this backtest${why}` });
      return;
    }
    const passed = value >= threshold;
    checks.push({
      name,
      threshold,
      value,
      status: passed ? 'pass' : 'fail',
      reason: `${label} ${show(value)} is ${passed ? 'at least' : 'below'} the minimum ${show(threshold)}${passed ? '' : why}`,
    });
  };
  const atMost = (
    name: keyof GateSet,
    threshold: number | undefined,
    value: number | null,
    label: string,
    show: (x: number) => string,
    why = '',
    missing = '',
  ) => {
    if (threshold === undefined) return;
    if (value === null) {
      checks.push({ name, threshold, value, status: 'skipped', reason: missing || `${label} is not defined for this backtest` });
      return;
    }
    const passed = value <= threshold;
    checks.push({
      name,
      threshold,
      value,
      status: passed ? 'pass' : 'fail',
      reason: `${label} ${show(value)} is ${passed ? 'within' : 'above'} the maximum ${show(threshold)}${passed ? '' : why}`,
    });
  };

  atLeast('minSharpe', gates.minSharpe, metrics.returns.sharpe, 'Sharpe ratio', two);
  atLeast('minCagr', gates.minCagr, metrics.returns.cagr, 'CAGR', pct);
  atMost('maxDrawdown', gates.maxDrawdown, metrics.drawdown.maxDepthPct / 100, 'maximum drawdown', pct);
  atLeast(
    'minTrades',
    gates.minTrades,
    metrics.trades.closed,
    'closed trades',
    (x) => String(x),
    ': too few round trips to judge the strategy',
  );
  const expected = statistics.expectedMaxSharpe;
  atLeast(
    'minDeflatedSharpe',
    gates.minDeflatedSharpe,
    statistics.dsr,
    'deflated Sharpe ratio',
    two,
    statistics.trials > 1 && expected !== null
      ? `: with ${statistics.trials} configurations tried, luck alone is expected to reach a Sharpe of ${two(expected)} per bar; this one may not be better than the best of them`
      : '',
  );
  atMost(
    'maxPbo',
    gates.maxPbo,
    statistics.pbo,
    'probability of backtest overfitting',
    two,
    `: the in-sample best configuration ranked below the median out of sample in ${pct(statistics.pbo ?? 0)} of ${statistics.pboSplits ?? 0} splits`,
    'PBO needs a sweep of at least 2 configurations; this backtest ran alone (momentum gate --sweep ID judges a whole sweep)',
  );
  return { passed: checks.every((c) => c.status !== 'fail'), checks };
}
