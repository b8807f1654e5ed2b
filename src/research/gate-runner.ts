/**
 * Gating stored backtests: the overfitting statistics a verdict needs (PSR and DSR from the
 * equity curve; for a sweep, DSR against its N trials and the sweep's PBO by CSCV), the verdict,
 * and its row in gate_results.
 */
import { getBacktest, getBacktestSeries, type StoredBacktest } from '../backtest/backtest-store.js';
import type { Database } from '../db/database.js';
import { DataError, ValidationError } from '../errors.js';
import type { GateSet } from './gate-set.js';
import { evaluateGates, type GateCheck, type OverfittingStatistics } from './gates.js';
import { DEFAULT_BLOCKS, probabilityOfBacktestOverfitting, type PboResult } from './pbo.js';
import { deflatedSharpe, probabilisticSharpe, sharpeStatistics } from './sharpe-statistics.js';

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

/** Per-bar returns of a stored equity curve, the first against the initial capital. */
export function equityReturns(equity: Float64Array, initialCash: number): Float64Array {
  const returns = new Float64Array(equity.length);
  let previous = initialCash;
  for (let t = 0; t < equity.length; t++) {
    returns[t] = equity[t]! / previous - 1;
    previous = equity[t]!;
  }
  return returns;
}

/** PSR against 0 and, with other trials, the DSR against their expected best. */
function statisticsOf(
  returns: Float64Array,
  trialSharpes: readonly number[] | null,
  pbo: { value: number; splits: number } | null,
): OverfittingStatistics {
  const own = sharpeStatistics(returns);
  const valid = Number.isFinite(own.sharpe) && own.n > 2;
  const psr = valid
    ? probabilisticSharpe({ sharpe: own.sharpe, benchmark: 0, n: own.n, skewness: own.skewness, kurtosis: own.kurtosis })
    : null;
  const deflated =
    valid && trialSharpes && trialSharpes.length > 1
      ? deflatedSharpe({
          sharpe: own.sharpe,
          n: own.n,
          skewness: own.skewness,
          kurtosis: own.kurtosis,
          trials: trialSharpes.length,
          trialSharpes: Float64Array.from(trialSharpes),
        })
      : null;
  return {
    trials: trialSharpes?.length ?? 1,
    sharpePerPeriod: valid ? own.sharpe : null,
    psr,
    // One trial: nothing to deflate by, the DSR is the PSR against 0.
    dsr: deflated ? deflated.dsr : psr,
    expectedMaxSharpe: deflated ? deflated.benchmark : valid ? 0 : null,
    pbo: pbo?.value ?? null,
    pboSplits: pbo?.splits ?? null,
  };
}

interface SweepData {
  readonly ids: readonly number[];
  readonly returns: readonly Float64Array[];
  readonly sharpes: readonly number[];
  readonly pbo: { value: number; splits: number };
  readonly cscv: PboResult;
}

/** Every stored backtest of a sweep, with returns, Sharpe ratios and the sweep's PBO. */
async function sweepData(db: Database, sweepId: number, blocks: number): Promise<SweepData> {
  const rows = await db.kysely.selectFrom('backtests').select(['id', 'engine']).where('sweep_id', '=', sweepId).orderBy('id').execute();
  if (rows.length === 0) throw new DataError(`sweep ${sweepId} has no stored backtests (or does not exist); see momentum backtests list`);
  if (rows.length < 2) {
    throw new ValidationError(
      'sweep',
      `sweep ${sweepId} has ${rows.length} configuration; the PBO and the deflated Sharpe ratio compare configurations and need at least 2 configurations: sweep a grid with more values`,
    );
  }
  const returns: Float64Array[] = [];
  for (const row of rows) {
    const series = await getBacktestSeries(db, Number(row.id));
    returns.push(equityReturns(series.equity, (row.engine as { initialCash: number }).initialCash));
  }
  const sharpes = returns.map((r) => sharpeStatistics(r).sharpe).map((s) => (Number.isFinite(s) ? s : 0));
  const result = probabilityOfBacktestOverfitting(returns, { blocks });
  return { ids: rows.map((r) => Number(r.id)), returns, sharpes, pbo: { value: result.pbo, splits: result.splits }, cscv: result };
}

async function storeResult(
  db: Database,
  stored: StoredBacktest,
  gateSet: string,
  gates: GateSet,
  statistics: OverfittingStatistics,
): Promise<StoredGateResult> {
  const verdict = evaluateGates(stored.metrics, statistics, gates);
  const row = await db.kysely
    .insertInto('gate_results')
    .values({
      backtest_id: stored.id,
      sweep_id: stored.sweepId,
      gate_set: gateSet,
      thresholds: JSON.stringify(gates),
      passed: verdict.passed,
      checks: JSON.stringify(verdict.checks),
      statistics: JSON.stringify(statistics),
    })
    .returning(['id', 'evaluated_at'])
    .executeTakeFirstOrThrow();
  return {
    id: Number(row.id),
    backtestId: stored.id,
    sweepId: stored.sweepId,
    gateSet,
    thresholds: gates,
    passed: verdict.passed,
    checks: verdict.checks,
    statistics,
    evaluatedAt: row.evaluated_at,
  };
}

/**
 * Gates one stored backtest; one of a sweep is judged with the sweep's trials and PBO.
 * @example const verdict = await gateBacktest(db, 42, 'default', config.gates.default)
 */
export async function gateBacktest(
  db: Database,
  backtestId: number,
  gateSet: string,
  gates: GateSet,
  blocks = DEFAULT_PBO_BLOCKS,
): Promise<StoredGateResult> {
  const stored = await getBacktest(db, backtestId);
  if (stored.sweepId !== null) {
    const sweep = await sweepData(db, stored.sweepId, blocks);
    const index = sweep.ids.indexOf(backtestId);
    return storeResult(db, stored, gateSet, gates, statisticsOf(sweep.returns[index]!, sweep.sharpes, sweep.pbo));
  }
  const series = await getBacktestSeries(db, backtestId);
  return storeResult(db, stored, gateSet, gates, statisticsOf(equityReturns(series.equity, stored.spec.initialCash), null, null));
}

export interface SweepVerdict {
  readonly sweepId: number;
  readonly configurations: number;
  readonly pbo: number;
  readonly pboSplits: number;
  /** The whole CSCV result (logits, chosen configurations, IS/OOS pairs); configuration i is `results[i]`'s backtest. */
  readonly cscv: PboResult;
  /** One verdict per backtest, in backtest id order. */
  readonly results: readonly StoredGateResult[];
}

/** Gates every backtest of a sweep (one PBO for the sweep, a DSR for each). */
export async function gateSweep(
  db: Database,
  sweepId: number,
  gateSet: string,
  gates: GateSet,
  blocks = DEFAULT_PBO_BLOCKS,
): Promise<SweepVerdict> {
  const sweep = await sweepData(db, sweepId, blocks);
  const results: StoredGateResult[] = [];
  for (const [i, id] of sweep.ids.entries()) {
    const stored = await getBacktest(db, id);
    results.push(await storeResult(db, stored, gateSet, gates, statisticsOf(sweep.returns[i]!, sweep.sharpes, sweep.pbo)));
  }
  return { sweepId, configurations: sweep.ids.length, pbo: sweep.pbo.value, pboSplits: sweep.pbo.splits, cscv: sweep.cscv, results };
}

/** The most recent verdict of each backtest that has one. */
export async function latestGateResults(db: Database, backtestIds: readonly number[]): Promise<Map<number, StoredGateResult>> {
  if (backtestIds.length === 0) return new Map();
  const rows = await db.kysely
    .selectFrom('gate_results')
    .selectAll()
    .where('backtest_id', 'in', backtestIds)
    .orderBy('backtest_id')
    .orderBy('id', 'desc')
    .execute();
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
      statistics: r.statistics as unknown as OverfittingStatistics,
      evaluatedAt: r.evaluated_at,
    });
  }
  return latest;
}
