/**
 * Gate verdicts: a backtest's metrics and overfitting statistics against a gate set, with a
 * plain reason for every threshold that failed or could not be checked. Pure.
 */
import { z } from 'zod';
import type { BacktestMetrics } from '../backtest/metrics.js';
import { trialCount } from '../backtest/trial-registry.js';
import type { GateSet } from './gate-set.js';

/** The research family a verdict counted its trials in (trial-registry.ts). */
export interface FamilySummary {
  readonly id: number;
  readonly kind: 'strategy' | 'selection';
  /** "donchian on SPY (1d), 2003-01-02 .. 2014-12-31" */
  readonly description: string;
  readonly runs: number;
}

/**
 * What the research family of a backtest says about overfitting; per-period Sharpe ratios. Verdicts
 * stored before the trial registry lack the fields marked "(registry)".
 */
export interface OverfittingStatistics {
  /** N: the configurations tried in the family (1 when it was tried alone). */
  readonly trials: number;
  /** (registry) */
  readonly family: FamilySummary | null;
  /** (registry) Other families of the same strategy and universe over overlapping periods: research on the same data outside this count. */
  readonly overlapping: { readonly families: number; readonly trials: number } | null;
  readonly sharpePerPeriod: number | null;
  /** (registry) The backtest's returns are constant: every statistical check is skipped. */
  readonly constantReturns: boolean;
  /** Probabilistic Sharpe ratio against 0. */
  readonly psr: number | null;
  /** Deflated Sharpe ratio: PSR against the best Sharpe expected from `trials` luck draws. */
  readonly dsr: number | null;
  readonly expectedMaxSharpe: number | null;
  /** (registry) V: the sample variance of the family's per-period Sharpe ratios; null with one trial. */
  readonly trialSharpeVariance: number | null;
  /** Probability of backtest overfitting of the family's configurations (CSCV); null with `pboNote`. */
  readonly pbo: number | null;
  readonly pboSplits: number | null;
  /** (registry) Configurations in the PBO and its block split (`T = ... rows in S = ... blocks ...`). */
  readonly pboConfigurations: number | null;
  readonly pboSplit: string | null;
  /** (registry) Set when S does not divide T (pbo.ts). */
  readonly pboWarning: string | null;
  /** (registry) Why there is no PBO. */
  readonly pboNote: string | null;
}

/**
 * OverfittingStatistics as stored with each verdict (gate_verdicts.statistics), read back through
 * this schema. Verdicts stored before the trial registry lack the "(registry)" fields: they read
 * back as null (as false for constantReturns, which those verdicts never skipped on).
 */
export const overfittingStatisticsSchema: z.ZodType<OverfittingStatistics> = z.object({
  trials: z.number(),
  family: z
    .object({ id: z.number(), kind: z.enum(['strategy', 'selection']), description: z.string(), runs: z.number() })
    .nullable()
    .default(null),
  overlapping: z.object({ families: z.number(), trials: z.number() }).nullable().default(null),
  sharpePerPeriod: z.number().nullable(),
  constantReturns: z.boolean().default(false),
  psr: z.number().nullable(),
  dsr: z.number().nullable(),
  expectedMaxSharpe: z.number().nullable(),
  trialSharpeVariance: z.number().nullable().default(null),
  pbo: z.number().nullable(),
  pboSplits: z.number().nullable(),
  pboConfigurations: z.number().nullable().default(null),
  pboSplit: z.string().nullable().default(null),
  pboWarning: z.string().nullable().default(null),
  pboNote: z.string().nullable().default(null),
});

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

/** One threshold to judge: at least (default) or at most. */
interface Threshold {
  readonly name: keyof GateSet;
  readonly threshold: number | undefined;
  readonly value: number | null;
  readonly label: string;
  readonly show: (x: number) => string;
  readonly atMost?: boolean;
  /** Appended when it passes, and when it fails. */
  readonly note?: string;
  readonly why?: string;
  /** The reason when the value is not defined. */
  readonly missing?: string;
}

const CONSTANT_RETURNS = 'skipped: constant returns (its value never moved: no trade, or no exposure), so no statistical check applies';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const two = (x: number) => x.toFixed(2);

/**
 * @example evaluateGates(stored.metrics, statistics, { minSharpe: 0.5, maxPbo: 0.5 }).passed
 */
export function evaluateGates(metrics: BacktestMetrics, statistics: OverfittingStatistics, gates: GateSet): GateVerdict {
  const checks: GateCheck[] = [];
  const judge = (check: Threshold) => {
    const { name, threshold, value, label, show } = check;
    if (threshold === undefined) return;
    if (value === null) {
      checks.push({ name, threshold, value, status: 'skipped', reason: check.missing ?? `${label} is not defined for this backtest` });
      return;
    }
    const passed = check.atMost ? value <= threshold : value >= threshold;
    const [met, missed, bound] = check.atMost ? ['within', 'above', 'maximum'] : ['at least', 'below', 'minimum'];
    checks.push({
      name,
      threshold,
      value,
      status: passed ? 'pass' : 'fail',
      reason: `${label} ${show(value)} is ${passed ? met : missed} the ${bound} ${show(threshold)}${passed ? (check.note ?? '') : (check.why ?? '')}`,
    });
  };

  judge({ name: 'minSharpe', threshold: gates.minSharpe, value: metrics.returns.sharpe, label: 'Sharpe ratio', show: two });
  judge({ name: 'minCagr', threshold: gates.minCagr, value: metrics.returns.cagr, label: 'CAGR', show: pct });
  const depth = metrics.drawdown.maxDepthPct / 100;
  judge({ name: 'maxDrawdown', threshold: gates.maxDrawdown, value: depth, label: 'maximum drawdown', show: pct, atMost: true });
  judge({
    name: 'minTrades',
    threshold: gates.minTrades,
    value: metrics.trades.closed,
    label: 'closed trades',
    show: (x) => String(x),
    why: ': too few round trips to judge the strategy',
  });
  // Nothing statistical can be said of constant returns (a configuration that never trades).
  const constant = statistics.constantReturns === true ? CONSTANT_RETURNS : undefined;
  const counted = trialCount(statistics.trials);
  const expected = statistics.expectedMaxSharpe;
  judge({
    name: 'minDeflatedSharpe',
    threshold: gates.minDeflatedSharpe,
    value: constant ? null : statistics.dsr,
    label: 'deflated Sharpe ratio',
    show: two,
    note: ` (${counted})`,
    why:
      statistics.trials > 1 && expected !== null
        ? `: with ${counted}, luck alone is expected to reach a Sharpe of ${two(expected)} per bar; this one may not be better than the best of them`
        : ` (${counted})`,
    ...(constant ? { missing: constant } : {}),
  });
  judge({
    name: 'maxPbo',
    threshold: gates.maxPbo,
    value: constant ? null : statistics.pbo,
    label: 'probability of backtest overfitting',
    show: two,
    atMost: true,
    why: `: the in-sample best configuration ranked below the median out of sample in ${pct(statistics.pbo ?? 0)} of ${statistics.pboSplits ?? 0} splits`,
    missing:
      constant ??
      statistics.pboNote ??
      'PBO needs a sweep of at least 2 configurations; this backtest ran alone (momentum gate --sweep ID judges a whole sweep)',
  });
  return { passed: checks.every((c) => c.status !== 'fail'), checks };
}
