/**
 * Gating stored backtests: the overfitting statistics a verdict needs, counted in the backtest's
 * research family (trial-families.ts: every configuration tried on the same strategy, universe,
 * interval and period, in sweeps or one by one, on any day): PSR from its returns, the DSR
 * against the family's N trials and the variance of their Sharpe ratios, the family's PBO by CSCV;
 * then the verdict, and its row in gate_results. Constant returns (a configuration that never
 * trades) get Sharpe 0 and every statistical check skipped, never an error. The PSR and DSR are of
 * the returns over the backtest's risk-free rate (its spec's constant or symbol, as its Sharpe);
 * the family's trial Sharpe ratios and PBO, shared by runs measured against any rate, are of the
 * returns themselves.
 */
import { getBacktest, sweepBacktestIds, type StoredBacktest } from '../backtest/backtest-store.js';
import { getBacktestSeries } from '../backtest/sweep-curves.js';
import { equityReturns, isConstantSpread, mean, sampleStd } from '../backtest/return-statistics.js';
import { loadRiskFree } from '../backtest/risk-free.js';
import { describeFamily } from '../backtest/trial-registry.js';
import type { Database } from '../db/database.js';
import { parseStoredJson } from '../util/stored-json.js';
import { DataError, ValidationError } from '../errors.js';
import type { GateSet } from './gate-set.js';
import { gateResultRows, insertGateResult } from './gate-store.js';
import { evaluateGates, overfittingStatisticsSchema, type GateCheck, type OverfittingStatistics } from './gates.js';
import { DEFAULT_BLOCKS, type PboOptions, type PboResult } from './pbo.js';
import { deflatedSharpe, probabilisticSharpe, sharpeStatistics } from './sharpe-statistics.js';
import { familyEvidence, familyOfBacktest, type FamilyEvidence } from './trial-families.js';

export interface StoredGateResult {
  readonly id: number;
  readonly backtestId: number;
  readonly sweepId: number | null;
  readonly gateSet: string;
  readonly thresholds: GateSet;
  readonly passed: boolean;
  readonly checks: readonly GateCheck[];
  readonly statistics: OverfittingStatistics;
  readonly evaluatedAt: Date;
}

/** Blocks of the CSCV split (Bailey et al. use 16). */
export const DEFAULT_PBO_BLOCKS = DEFAULT_BLOCKS;

/**
 * PSR against 0, and the DSR against the expected best of the family's N trials; the family's PBO.
 * @example statisticsOf(equityReturns(series.equity, 1e6), await familyEvidence(db, family))
 */
export function statisticsOf(returns: Float64Array, evidence: FamilyEvidence): OverfittingStatistics {
  const own = sharpeStatistics(returns);
  const { family, sharpes, pbo } = evidence;
  const trials = family.trials;
  const valid = !own.constant && own.n > 2;
  const psr = valid
    ? probabilisticSharpe({ sharpe: own.sharpe, benchmark: 0, n: own.n, skewness: own.skewness, kurtosis: own.kurtosis })
    : null;
  const deflated =
    valid && trials > 1
      ? deflatedSharpe({ sharpe: own.sharpe, n: own.n, skewness: own.skewness, kurtosis: own.kurtosis, trials, trialSharpes: sharpes })
      : null;
  return {
    trials,
    family: { id: family.id, kind: family.kind, description: describeFamily(family), runs: family.runs },
    overlapping: evidence.overlapping,
    sharpePerPeriod: own.sharpe,
    constantReturns: own.constant,
    psr,
    // One trial: nothing to deflate by, the DSR is the PSR against 0.
    dsr: deflated ? deflated.dsr : psr,
    expectedMaxSharpe: deflated ? deflated.benchmark : valid ? 0 : null,
    trialSharpeVariance: deflated ? deflated.variance : null,
    pbo: pbo?.pbo ?? null,
    pboSplits: pbo?.splits ?? null,
    pboConfigurations: pbo?.configurations ?? null,
    pboSplit: pbo?.split ?? null,
    pboWarning: pbo?.warning ?? null,
    pboNote: evidence.pboNote,
  };
}

async function storeResult(
  db: Database,
  stored: StoredBacktest,
  gateSet: string,
  gates: GateSet,
  statistics: OverfittingStatistics,
): Promise<StoredGateResult> {
  const verdict = evaluateGates(stored.metrics, statistics, gates);
  const result = {
    backtestId: stored.id,
    sweepId: stored.sweepId,
    gateSet,
    thresholds: gates,
    passed: verdict.passed,
    checks: verdict.checks,
    statistics,
  };
  const row = await insertGateResult(db, result);
  return { id: row.id, ...result, evaluatedAt: row.evaluatedAt };
}

/** Judges stored backtests, each in its family; the evidence of a family is read once. */
async function gateAll(
  db: Database,
  backtestIds: readonly number[],
  gateSet: string,
  gates: GateSet,
  pbo: PboOptions,
): Promise<{ results: StoredGateResult[]; evidence: FamilyEvidence[] }> {
  const members = [];
  for (const id of backtestIds) {
    const stored = await getBacktest(db, id);
    const series = await getBacktestSeries(db, id);
    members.push({
      stored,
      returns: await excessReturns(db, stored, series.dates, equityReturns(series.equity, stored.spec.initialCash)),
      family: await familyOfBacktest(db, stored, series),
    });
  }
  // Families are read after every member is registered, so none is judged on a partial count.
  const evidence = new Map<number, FamilyEvidence>();
  const results: StoredGateResult[] = [];
  for (const { stored, returns, family } of members) {
    if (!evidence.has(family.id)) evidence.set(family.id, await familyEvidence(db, family, pbo));
    results.push(await storeResult(db, stored, gateSet, gates, statisticsOf(returns, evidence.get(family.id)!)));
  }
  return { results, evidence: [...evidence.values()] };
}

/** Returns less the backtest's risk-free return of each bar; constant returns (never traded) are left as they are. */
async function excessReturns(db: Database, stored: StoredBacktest, dates: Float64Array, returns: Float64Array): Promise<Float64Array> {
  const { riskFreeRate, riskFreeSymbol, interval } = stored.spec;
  if (isConstantSpread(mean(returns), sampleStd(returns)) || (riskFreeRate === 0 && !riskFreeSymbol)) return returns;
  const rf = riskFreeSymbol
    ? (await loadRiskFree(db, riskFreeSymbol, interval, dates)).returns
    : new Float64Array(returns.length).fill(riskFreeRate / stored.metrics.period.periodsPerYear);
  return returns.map((r, t) => r - rf[t]!);
}

/**
 * Gates one stored backtest in its research family (its trials and their PBO).
 * @example const verdict = await gateBacktest(db, 42, 'default', config.gates.default)
 */
export async function gateBacktest(
  db: Database,
  backtestId: number,
  gateSet: string,
  gates: GateSet,
  pbo: PboOptions = {},
): Promise<StoredGateResult> {
  return (await gateBacktests(db, [backtestId], gateSet, gates, pbo))[0]!;
}

/**
 * Gates stored backtests, each in its research family, reading each family once (the candidates
 * of one selection share theirs).
 * @example const verdicts = await gateBacktests(db, [12, 13, 14], 'default', config.gates.default)
 */
export async function gateBacktests(
  db: Database,
  backtestIds: readonly number[],
  gateSet: string,
  gates: GateSet,
  pbo: PboOptions = {},
): Promise<StoredGateResult[]> {
  return (await gateAll(db, backtestIds, gateSet, gates, pbo)).results;
}

export interface SweepVerdict {
  readonly sweepId: number;
  readonly configurations: number;
  /** The PBO of the sweep's research family (its configurations and any tried before), null with `pboNote`. */
  readonly pbo: number | null;
  readonly pboSplits: number | null;
  readonly pboNote: string | null;
  /** The whole CSCV result (logits, chosen configurations, IS/OOS pairs, its split); configuration i is `pboBacktests[i]`. */
  readonly cscv: PboResult | null;
  readonly pboBacktests: readonly number[];
  /** N, the trials of the sweep's family: the sweep's configurations and every other tried on the same question. */
  readonly trials: number;
  readonly family: string;
  /** One verdict per backtest, in backtest id order. */
  readonly results: readonly StoredGateResult[];
}

/** Gates every backtest of a sweep (one PBO for the sweep's family, a DSR for each). */
export async function gateSweep(
  db: Database,
  sweepId: number,
  gateSet: string,
  gates: GateSet,
  pbo: PboOptions = {},
): Promise<SweepVerdict> {
  const ids = await sweepBacktestIds(db, sweepId);
  if (ids.length === 0) throw new DataError(`sweep ${sweepId} has no stored backtests (or does not exist); see momentum backtests list`);
  if (ids.length < 2) {
    throw new ValidationError(
      'sweep',
      `sweep ${sweepId} has ${ids.length} configuration; the PBO and the deflated Sharpe ratio compare configurations and need at least 2 configurations: sweep a grid with more values`,
    );
  }
  const { results, evidence } = await gateAll(db, ids, gateSet, gates, pbo);
  // The sweep's own family: its strategy's (a member may also belong to a larger selection).
  const own = evidence.find((e) => e.family.kind === 'strategy') ?? evidence[0]!;
  return {
    sweepId,
    configurations: ids.length,
    pbo: own.pbo?.pbo ?? null,
    pboSplits: own.pbo?.splits ?? null,
    pboNote: own.pboNote,
    cscv: own.pbo,
    pboBacktests: own.pboBacktests,
    trials: own.family.trials,
    family: describeFamily(own.family),
    results,
  };
}

/** The most recent verdict of each backtest that has one. */
export async function latestGateResults(db: Database, backtestIds: readonly number[]): Promise<Map<number, StoredGateResult>> {
  if (backtestIds.length === 0) return new Map();
  const rows = await gateResultRows(db, backtestIds);
  const latest = new Map<number, StoredGateResult>();
  for (const r of rows) {
    const backtestId = Number(r.backtest_id);
    if (latest.has(backtestId)) continue;
    latest.set(backtestId, {
      id: Number(r.id),
      backtestId,
      sweepId: r.sweep_id === null ? null : Number(r.sweep_id),
      gateSet: r.gate_set,
      thresholds: r.thresholds as GateSet,
      passed: r.passed,
      checks: r.checks as GateCheck[],
      statistics: parseStoredJson(overfittingStatisticsSchema, r.statistics, `gate verdict ${r.id}'s statistics`),
      evaluatedAt: r.evaluated_at,
    });
  }
  return latest;
}
