/**
 * Parameter sweeps: every combination of a grid, run on worker threads against one panel loaded
 * once, each result's metrics stored (linked to one sweep row) as it arrives; equity curves are
 * rebuilt when read (sweep-curves.ts) unless the sweep keeps them. Combinations the strategy's
 * schema refuses (e.g. skip >= lookback) are reported, not run.
 */
import { availableParallelism } from 'node:os';
import type { Database } from '../db/database.js';
import { errorMessage, ValidationError } from '../errors.js';
import { resolveParams, type ParamValue, type Strategy, type StrategyParams } from '../strategies/strategy.js';
import { parseParamValue, splitAssignment } from '../strategies/param-text.js';
import { getStrategy, isFilelessUserStrategy, strategySource } from '../strategies/registry.js';
import { codeVersion } from '../util/code-version.js';
import type { BacktestSpec } from './backtest-spec.js';
import { closeSweep, openSweep, setSweepDates, storeBacktests } from './backtest-store.js';
import type { BacktestMetrics } from './metrics.js';
import { loadBacktestData, type BacktestOutcome } from './run-backtest.js';
import { startSweepWorkers } from './sweep-pool.js';
import { shareData, type JobResult, type SweepJob, type WorkerSetup } from './sweep-protocol.js';

export type SweepGrid = Readonly<Record<string, readonly ParamValue[]>>;

export const SWEEP_SORT_KEYS = ['sharpe', 'cagr', 'sortino', 'calmar', 'total-return'] as const;
export type SweepSortKey = (typeof SWEEP_SORT_KEYS)[number];

/** Above this many combinations a sweep is refused: it would store more than anyone reads. */
export const MAX_COMBINATIONS = 100_000;
/** Results stored per transaction. */
const STORE_BATCH = 100;

export interface SweepEntry {
  readonly backtestId: number;
  /** Position of the combination in the grid's order. */
  readonly index: number;
  /** The grid values of this combination. */
  readonly combo: Readonly<Record<string, ParamValue>>;
  /** Every hyperparameter, resolved. */
  readonly params: StrategyParams;
  readonly metrics: BacktestMetrics;
}

export interface SweepProgress {
  readonly done: number;
  readonly total: number;
  readonly failed: number;
}

export interface SweepOptions {
  readonly workers?: number;
  readonly storeTrades?: boolean;
  /** Store every combination's equity curve (default false: metrics only; sweep-curves.ts rebuilds a curve when it is read). */
  readonly keepCurves?: boolean;
  readonly onProgress?: ((progress: SweepProgress) => void) | undefined;
}

export interface SweepResult {
  readonly sweepId: number;
  readonly combinations: number;
  readonly workers: number;
  readonly seconds: number;
  readonly entries: readonly SweepEntry[];
  readonly failures: readonly { readonly params: Record<string, ParamValue>; readonly error: string }[];
  ranked(key: SweepSortKey): SweepEntry[];
}

/**
 * `['lookback=126,252', 'topPct=10,20']` -> { lookback: [126, 252], topPct: [10, 20] }; no flags:
 * the strategy's documented sweep ranges.
 */
export function parseGrid(strategy: Strategy<StrategyParams>, flags: readonly string[]): SweepGrid {
  if (flags.length === 0) return strategy.sweep as SweepGrid;
  const grid: Record<string, ParamValue[]> = {};
  for (const flag of flags) {
    const [name, values] = splitAssignment(flag, 'grid');
    grid[name] = values.split(',').map(parseParamValue);
  }
  return grid;
}

/** Every combination of the grid's values (cartesian product), in a stable order. */
export function gridCombinations(grid: SweepGrid): Record<string, ParamValue>[] {
  let combos: Record<string, ParamValue>[] = [{}];
  for (const [name, values] of Object.entries(grid)) {
    if (values.length === 0) throw new ValidationError(`grid.${name}`, 'needs at least one value');
    combos = combos.flatMap((combo) => values.map((value) => ({ ...combo, [name]: value })));
  }
  return combos;
}

/** @example const result = await runSweep(db, spec, { lookback: [126, 252], topPct: [10, 20] }) */
export async function runSweep(db: Database, spec: BacktestSpec, grid: SweepGrid, options: SweepOptions = {}): Promise<SweepResult> {
  const started = Date.now();
  const strategy = getStrategy(spec.strategy);
  if (isFilelessUserStrategy(spec.strategy)) {
    throw new ValidationError(
      'strategy',
      `${spec.strategy} was defined in this process, not loaded from a file: sweep workers load a user's strategy from its file (save it and use loadStrategyFile)`,
    );
  }
  const combos = gridCombinations(grid);
  if (combos.length > MAX_COMBINATIONS) throw new ValidationError('grid', `${combos.length} combinations; at most ${MAX_COMBINATIONS}`);
  const failures: { params: Record<string, ParamValue>; error: string }[] = [];
  const jobs: SweepJob[] = [];
  const comboOf: Record<string, ParamValue>[] = [];
  combos.forEach((combo) => {
    try {
      jobs.push({ index: jobs.length, params: resolveParams(strategy, spec.interval, { ...spec.params, ...combo }) });
      comboOf.push(combo);
    } catch (error) {
      failures.push({ params: combo, error: errorMessage(error) });
    }
  });
  const sweepId = await openSweep(db, { strategy: spec.strategy, grid, spec, combinations: combos.length });
  const entries: SweepEntry[] = [];
  const workers = Math.max(1, Math.min(options.workers ?? availableParallelism(), jobs.length));
  const setup: WorkerSetup = {
    spec,
    storeTrades: options.storeTrades ?? false,
    keepCurves: options.keepCurves ?? false,
    codeVersion: codeVersion(),
    strategyFile: strategySource(spec.strategy),
  };
  // Started first: each loads its code while the panel loads.
  const pool = startSweepWorkers(setup, workers);
  try {
    const data = await loadBacktestData(db, spec);
    // Results are stored in batches, one transaction each, while the workers go on computing.
    let stored = Promise.resolve();
    let batch: JobResult[] = [];
    // The combinations' shared bar dates, kept once on the sweep's row.
    let sweepDates: Float64Array | undefined;
    const flush = () => {
      const results = batch;
      batch = [];
      if (results.length === 0) return;
      stored = stored.then(async () => {
        // The first result of all is a worker's first: it brings the dates.
        if (!sweepDates) await setSweepDates(db, sweepId, (sweepDates = results[0]!.dates!));
        const dates = sweepDates;
        const outcomes = results.map((result) => toOutcome({ ...spec, params: jobs[result.index]!.params }, result, dates));
        const ids = await storeBacktests(db, outcomes, {
          sweepId,
          trades: setup.storeTrades,
          equity: setup.keepCurves,
          fullSeries: false,
          sweepDates,
          trialFigures: results.map((result) => result.trial),
        });
        ids.forEach((backtestId, i) => {
          const index = results[i]!.index;
          entries.push({ backtestId, index, combo: comboOf[index]!, params: outcomes[i]!.spec.params, metrics: results[i]!.metrics });
        });
      });
    };
    await pool.run(shareData(data), jobs, {
      onResult: (result) => {
        batch.push(result);
        if (batch.length >= STORE_BATCH) flush();
      },
      onError: (index, error) => failures.push({ params: jobs[index]!.params, error }),
      onProgress: (done) => options.onProgress?.({ done: done + failures.length, total: combos.length, failed: failures.length }),
    });
    flush();
    await stored;
    await closeSweep(db, sweepId);
  } catch (error) {
    await pool.stop();
    await closeSweep(db, sweepId, errorMessage(error)).catch(() => undefined);
    throw error;
  }
  entries.sort((a, b) => a.index - b.index);
  return {
    sweepId,
    combinations: combos.length,
    workers,
    seconds: (Date.now() - started) / 1000,
    entries,
    failures,
    ranked: (key) => [...entries].sort((a, b) => (scoreOf(b.metrics, key) ?? -Infinity) - (scoreOf(a.metrics, key) ?? -Infinity)),
  };
}

/** The figure a sweep ranks by (and a walk-forward selects by); null when the metrics have none. */
export function scoreOf(metrics: BacktestMetrics, key: SweepSortKey): number | null {
  switch (key) {
    case 'sharpe':
      return metrics.returns.sharpe;
    case 'cagr':
      return metrics.returns.cagr;
    case 'sortino':
      return metrics.returns.sortino;
    case 'calmar':
      return metrics.returns.calmar;
    case 'total-return':
      return metrics.returns.totalReturnPct;
  }
}

function toOutcome(spec: BacktestSpec, result: JobResult, dates: Float64Array): BacktestOutcome {
  const empty = new Float64Array(0);
  return {
    spec,
    symbols: result.symbols,
    dates: result.dates ?? dates,
    // Without kept curves, neither the store nor the trial registry reads it (the worker sent the trial's figures).
    equity: result.equity ?? empty,
    cash: empty,
    grossExposure: empty,
    traded: empty,
    benchmarkEquity: null,
    trades: result.trades ?? [],
    metrics: result.metrics,
    warnings: result.warnings,
    dataFingerprint: result.dataFingerprint,
    codeVersion: result.codeVersion,
  };
}
