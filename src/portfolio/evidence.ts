/**
 * The evidence behind a portfolio: the stored backtest of its strategy (the one given, or the
 * latest with the same strategy, hyperparameters, universe and interval), its gate verdict
 * (judged now with the named gate set when it has none) and its latest out-of-sample simulation.
 * A portfolio follows an unproven strategy only when the user says so, and then says it loudly.
 */
import { backtestsOfStrategy, getBacktest, type StoredBacktest } from '../backtest/backtest-store.js';
import type { Database } from '../db/database.js';
import { DataError } from '../errors.js';
import { trialCount } from '../backtest/trial-registry.js';
import type { GateSet } from '../research/gate-set.js';
import { gateBacktest, latestGateResults } from '../research/gate-runner.js';
import { listSimulations } from '../research/simulate.js';
import type { Interval } from '../data/bar.js';
import type { StrategyParams } from '../strategies/strategy.js';

export interface BacktestEvidence {
  readonly id: number;
  readonly from: string;
  readonly to: string;
  readonly totalReturnPct: number;
  readonly cagr: number | null;
  readonly sharpe: number | null;
  readonly maxDrawdownPct: number;
  readonly trades: number;
}

export interface GateEvidence {
  readonly id: number;
  readonly gateSet: string;
  readonly passed: boolean;
  /** The reason of every failed threshold. */
  readonly failures: readonly string[];
  readonly psr: number | null;
  readonly dsr: number | null;
  readonly pbo: number | null;
  /** N, the trials of the research family the DSR and PBO counted (null in evidence stored before the trial registry). */
  readonly trials: number | null;
  /** That family, e.g. "donchian on SPY (1d), 2003-01-02 .. 2014-12-31". */
  readonly family: string | null;
}

export interface SimulationEvidence {
  readonly id: number;
  readonly oosBacktestId: number;
  readonly period: string;
  readonly totalReturnPct: number;
  readonly cagr: number | null;
  readonly sharpe: number | null;
  readonly maxDrawdownPct: number;
  /** Out-of-sample Sharpe over in-sample Sharpe (1: no degradation). */
  readonly sharpeRatio: number | null;
}

export type Verdict = 'passed' | 'failed' | 'no-backtest';

export interface Evidence {
  readonly backtest: BacktestEvidence | null;
  readonly gate: GateEvidence | null;
  readonly simulation: SimulationEvidence | null;
  readonly verdict: Verdict;
  readonly gatesIgnored: boolean;
  /** A plain, loud statement when the portfolio does not rest on a passed gate; null when it does. */
  readonly note: string | null;
}

export interface StrategyIdentity {
  readonly strategy: string;
  readonly params: StrategyParams;
  readonly symbols: readonly string[];
  readonly interval: Interval;
}

/** The latest stored backtest (not a simulation) of exactly this strategy, params, symbol set and interval. */
export async function findMatchingBacktest(db: Database, identity: StrategyIdentity): Promise<number | null> {
  const rows = await backtestsOfStrategy(db, identity.strategy, identity.interval, 1000);
  const symbols = [...identity.symbols].sort().join(',');
  const params = canonical(identity.params);
  const match = rows.find((r) => [...r.symbols].sort().join(',') === symbols && canonical(r.params) === params);
  return match ? match.id : null;
}

function canonical(params: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(
    Object.keys(params)
      .sort()
      .map((k) => [k, params[k]]),
  );
}

/**
 * Gathers the evidence; a backtest without a verdict is gated now with `gates`.
 * @example const evidence = await gatherEvidence(db, { backtestId: 12, ignoreGates: false, gates })
 */
export async function gatherEvidence(
  db: Database,
  options: {
    readonly backtestId: number | null;
    readonly ignoreGates: boolean;
    readonly gates: { readonly name: string; readonly set: GateSet };
    readonly describe: string;
  },
): Promise<Evidence> {
  const { ignoreGates } = options;
  if (options.backtestId === null) {
    return {
      backtest: null,
      gate: null,
      simulation: null,
      verdict: 'no-backtest',
      gatesIgnored: ignoreGates,
      note: `GATES IGNORED: no stored backtest of ${options.describe}; this portfolio rests on no evidence at all.`,
    };
  }
  const stored = await getBacktest(db, options.backtestId);
  const gate =
    (await latestGateResults(db, [stored.id])).get(stored.id) ?? (await gateBacktest(db, stored.id, options.gates.name, options.gates.set));
  const simulation = (await listSimulations(db, stored.id))[0];
  const verdict: Verdict = gate.passed ? 'passed' : 'failed';
  const failures = gate.checks.filter((c) => c.status === 'fail').map((c) => c.reason);
  return {
    backtest: backtestEvidence(stored),
    gate: {
      id: gate.id,
      gateSet: gate.gateSet,
      passed: gate.passed,
      failures,
      psr: gate.statistics.psr,
      dsr: gate.statistics.dsr,
      pbo: gate.statistics.pbo,
      trials: gate.statistics.trials,
      family: gate.statistics.family?.description ?? null,
    },
    simulation: simulation
      ? {
          id: simulation.id,
          oosBacktestId: simulation.oosBacktestId,
          period: simulation.comparison.outOfSample.period,
          totalReturnPct: simulation.comparison.outOfSample.totalReturnPct,
          cagr: simulation.comparison.outOfSample.cagr,
          sharpe: simulation.comparison.outOfSample.sharpe,
          maxDrawdownPct: simulation.comparison.outOfSample.maxDrawdownPct,
          sharpeRatio: simulation.comparison.sharpeRatio,
        }
      : null,
    verdict,
    gatesIgnored: ignoreGates && verdict !== 'passed',
    note:
      verdict === 'passed'
        ? null
        : `GATES ${ignoreGates ? 'IGNORED' : 'FAILED'}: backtest ${stored.id} failed the ${gate.gateSet} gates, ${trialCount(gate.statistics.trials)} (${failures.join('; ')}).`,
  };
}

/** Refuses a portfolio on failed or missing evidence unless the user asked to ignore the gates. */
export function requireEvidence(evidence: Evidence, describe: string): void {
  if (evidence.verdict === 'passed' || evidence.gatesIgnored) return;
  if (evidence.verdict === 'no-backtest') {
    throw new DataError(
      `no stored backtest of ${describe}: run \`momentum backtest run\` with them and \`momentum gate --backtest ID\` first, ` +
        'or pass --ignore-gates (ignoreGates: true) to generate the portfolio without evidence (it will say so)',
    );
  }
  const { gateSet, trials, failures } = evidence.gate!;
  throw new DataError(
    `backtest ${evidence.backtest!.id} failed the ${gateSet} gates${trials ? ` (${trialCount(trials)})` : ''}: ${failures.join('; ')}. ` +
      'Choose a strategy that passes, or pass --ignore-gates (ignoreGates: true) to generate the portfolio anyway (it will say so)',
  );
}

function backtestEvidence(stored: StoredBacktest): BacktestEvidence {
  const m = stored.metrics;
  return {
    id: stored.id,
    from: stored.periodFrom,
    to: stored.periodTo,
    totalReturnPct: m.returns.totalReturnPct,
    cagr: m.returns.cagr,
    sharpe: m.returns.sharpe,
    maxDrawdownPct: m.drawdown.maxDepthPct,
    trades: m.trades.closed,
  };
}

/** A short evidence line for tables and notes. */
export function describeEvidence(evidence: Evidence): string {
  const b = evidence.backtest;
  if (!b) return 'none: no stored backtest';
  const fmt = (x: number | null, digits = 2) => (x === null ? 'n/a' : x.toFixed(digits));
  const parts = [
    `backtest ${b.id} (${b.from} to ${b.to}): Sharpe ${fmt(b.sharpe)}, CAGR ${b.cagr === null ? 'n/a' : `${(b.cagr * 100).toFixed(1)}%`}, max drawdown ${b.maxDrawdownPct.toFixed(1)}%`,
  ];
  const gate = evidence.gate;
  if (gate) {
    const counted = gate.trials ? ` (${trialCount(gate.trials)})` : '';
    parts.push(`gates ${gate.gateSet}: ${gate.passed ? 'passed' : 'FAILED'}, DSR ${fmt(gate.dsr)}${counted}`);
  }
  const s = evidence.simulation;
  parts.push(
    s ? `out of sample ${s.period}: Sharpe ${fmt(s.sharpe)}, return ${s.totalReturnPct.toFixed(1)}%` : 'no out-of-sample simulation yet',
  );
  return parts.join('; ');
}
