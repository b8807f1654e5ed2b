/**
 * The report's evidence figures from what research stores: a backtest's metrics, a simulation's
 * comparison figures and a gate result, in the report's units (fractions; drawdowns <= 0).
 */
import type { BacktestMetrics } from '../backtest/metrics.js';
import type { Evidence as PortfolioEvidence } from '../portfolio/evidence.js';
import type { GateCheck, OverfittingStatistics } from '../research/gates.js';
import type { Comparison } from '../research/simulate.js';
import type { KeyMetrics, RebalanceReport, ReportEvidence, ReportGateEvidence } from './report-models.js';

/** @example keyMetricsFromBacktest((await getBacktest(db, id)).metrics) */
export function keyMetricsFromBacktest(m: BacktestMetrics): KeyMetrics {
  return {
    period: `${m.period.start} .. ${m.period.end}`,
    totalReturn: m.returns.totalReturnPct / 100,
    cagr: m.returns.cagr,
    volatility: m.returns.volatility,
    sharpe: m.returns.sharpe,
    maxDrawdown: -m.drawdown.maxDepthPct / 100,
    trades: m.trades.closed,
  };
}

/** A simulation's stored comparison has no volatility: it shows as "–". @example keyMetricsFromComparison(sim.comparison.outOfSample) */
export function keyMetricsFromComparison(figures: Comparison['outOfSample']): KeyMetrics {
  return storedFigures(figures.period, figures, figures.trades);
}

/** Stored headline figures (percentages, no volatility) in the report's units. */
function storedFigures(
  period: string,
  f: { readonly totalReturnPct: number; readonly cagr: number | null; readonly sharpe: number | null; readonly maxDrawdownPct: number },
  trades: number | null,
): KeyMetrics {
  return {
    period,
    totalReturn: f.totalReturnPct / 100,
    cagr: f.cagr,
    volatility: null,
    sharpe: f.sharpe,
    maxDrawdown: -f.maxDrawdownPct / 100,
    trades,
  };
}

/** @example gateEvidence(storedGateResult) // failed checks' reasons, DSR and PBO */
export function gateEvidence(gate: {
  readonly gateSet: string;
  readonly passed: boolean;
  readonly checks: readonly GateCheck[];
  readonly statistics: OverfittingStatistics;
}): ReportGateEvidence {
  return {
    name: gate.gateSet,
    passed: gate.passed,
    failedReasons: gate.checks.filter((c) => c.status === 'fail').map((c) => c.reason),
    dsr: gate.statistics.dsr,
    pbo: gate.statistics.pbo,
    trials: gate.statistics.trials,
  };
}

/**
 * The report's evidence and gate warning from a portfolio's stored evidence (src/portfolio/evidence.ts).
 * @example const report: RebalanceReport = { ...rest, ...fromPortfolioEvidence(rebalance.evidence) };
 */
export function fromPortfolioEvidence(
  evidence: PortfolioEvidence,
): Pick<RebalanceReport, 'evidence' | 'gatesIgnored' | 'gatesFailed' | 'gateWarning'> {
  const { backtest, simulation, gate } = evidence;
  return {
    evidence: {
      backtest: backtest
        ? {
            id: backtest.id,
            metrics: storedFigures(`${backtest.from} .. ${backtest.to}`, backtest, backtest.trades),
          }
        : null,
      simulation: simulation
        ? {
            id: simulation.id,
            metrics: storedFigures(simulation.period, simulation, null),
            sharpeRatio: simulation.sharpeRatio,
          }
        : null,
      gate: gate
        ? {
            name: gate.gateSet,
            passed: gate.passed,
            failedReasons: gate.failures,
            dsr: gate.dsr,
            pbo: gate.pbo,
            trials: gate.trials ?? null,
          }
        : null,
    } satisfies ReportEvidence,
    gatesIgnored: evidence.gatesIgnored,
    // No passed gate behind it (failed, or no backtest to judge) is a failure as far as the reader is concerned.
    gatesFailed: evidence.verdict !== 'passed',
    gateWarning: evidence.note,
  };
}
