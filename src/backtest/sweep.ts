/**
 * Parameter sweeps: every combination of a grid, run on worker threads against one panel loaded
 * once, each result's metrics stored (linked to one sweep row) as it arrives; equity curves are
 * rebuilt when read (sweep-curves.ts) unless the sweep keeps them. Combinations the strategy's
 * schema refuses (e.g. skip >= lookback) are reported, not run.
 */
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import type { Database } from '../db/database.js';
import { errorMessage, ValidationError } from '../errors.js';
import { resolveParams, type ParamValue, type Strategy, type StrategyParams } from '../strategies/strategy.js';
import { parseParamValue, splitAssignment } from '../strategies/param-text.js';
import { getStrategy, isFilelessUserStrategy, strategySource } from '../strategies/registry.js';
import { codeVersion } from '../util/code-version.js';
import { backtestSpecSchema, type BacktestSpec } from './backtest-spec.js';
import { closeSweep, openSweep, recordSweepFailures, setSweepDates, storeSweepCombinations } from './backtest-store.js';
import type { BacktestMetrics } from './metrics.js';
import { paramValueSchema } from './spec-schemas.js';
import { loadBacktestData } from './run-backtest.js';
import { sweepOutcome, type CombinationSetup } from './sweep-combination.js';
import { startSweepWorkers } from './sweep-pool.js';
import { shareData, type JobResult, type SweepJob, type WorkerSetup } from './sweep-protocol.js';

export type SweepGrid = Readonly<Record<string, readonly ParamValue[]>>;

/**
 * A sweep as a request (the HTTP API): the backtest spec with the grid (`--grid`; none: the
 * strategy's documented ranges) and what to keep (`--store-trades`, `--curves`).
 */
export const sweepRequestSchema = backtestSpecSchema.extend({
  grid: z.record(z.string(), z.array(paramValueSchema).min(1)).optional(),
  storeTrades: z.boolean().default(false),
  keepCurves: z.boolean().default(false),
});

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

export interface SweepPlan {
  /** Every combination of the grid, in its order. */
  readonly combos: readonly Record<string, ParamValue>[];
  /** Those that run, with their resolved params; `index` is the position in the grid. */
  readonly jobs: readonly SweepJob[];
  /** Those the strategy's schema refuses (e.g. skip >= lookback), with why. */
  readonly refused: readonly { readonly index: number; readonly params: Record<string, ParamValue>; readonly error: string }[];
}

/**
 * The combinations of a sweep, checked: refused when too many, or when the strategy exists only in
 * this process (sweep workers load a user's strategy from its file). `range`: only positions
 * [from, to) are resolved (a chunk of a distributed sweep).
 */
export function planSweep(spec: BacktestSpec, grid: SweepGrid, range?: { readonly from: number; readonly to: number }): SweepPlan {
  const strategy = getStrategy(spec.strategy);
  if (isFilelessUserStrategy(spec.strategy)) {
    throw new ValidationError(
      'strategy',
      `${spec.strategy} was defined in this process, not loaded from a file: sweep workers load a user's strategy from its file (save it and use loadStrategyFile)`,
    );
  }
  const combos = gridCombinations(grid);
  if (combos.length > MAX_COMBINATIONS) throw new ValidationError('grid', `${combos.length} combinations; at most ${MAX_COMBINATIONS}`);
  const jobs: SweepJob[] = [];
  const refused: { index: number; params: Record<string, ParamValue>; error: string }[] = [];
  const from = range?.from ?? 0;
  combos.slice(from, range?.to ?? combos.length).forEach((combo, i) => {
    try {
      jobs.push({ index: from + i, params: resolveParams(strategy, spec.interval, { ...spec.params, ...combo }) });
    } catch (error) {
      refused.push({ index: from + i, params: combo, error: errorMessage(error) });
    }
  });
  return { combos, jobs, refused };
}

/** @example const result = await runSweep(db, spec, { lookback: [126, 252], topPct: [10, 20] }) */
export async function runSweep(db: Database, spec: BacktestSpec, grid: SweepGrid, options: SweepOptions = {}): Promise<SweepResult> {
  const started = Date.now();
  const { combos, jobs, refused } = planSweep(spec, grid);
  const byIndex = new Map(jobs.map((job) => [job.index, job]));
  const failures = refused.map(({ params, error }) => ({ params, error }));
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
        const ids = await storeSweepResults(db, { sweepId, setup, dates: sweepDates }, results, byIndex);
        for (const result of results) {
          entries.push({
            backtestId: ids.get(result.index)!,
            index: result.index,
            combo: combos[result.index]!,
            params: byIndex.get(result.index)!.params,
            metrics: result.metrics,
          });
        }
      });
    };
    const errors: { index: number; params: Record<string, ParamValue>; error: string }[] = [];
    await pool.run(shareData(data), jobs, {
      onResult: (result) => {
        batch.push(result);
        if (batch.length >= STORE_BATCH) flush();
      },
      onError: (index, error) => errors.push({ index, params: byIndex.get(index)!.params, error }),
      onProgress: (done) =>
        options.onProgress?.({ done: done + refused.length, total: combos.length, failed: refused.length + errors.length }),
    });
    flush();
    await stored;
    await recordSweepFailures(db, sweepId, [...refused, ...errors]);
    failures.push(...errors.map(({ params, error }) => ({ params, error })));
    await closeSweep(db, sweepId);
  } catch (error) {
    await pool.stop();
    await closeSweep(db, sweepId, errorMessage(error)).catch(() => undefined);
    throw error;
  }
  entries.sort((a, b) => a.index - b.index);
  return sweepResult({ sweepId, combinations: combos.length, workers, seconds: (Date.now() - started) / 1000, entries, failures });
}

/** A sweep's result, ranked on demand. */
export function sweepResult(result: Omit<SweepResult, 'ranked'>): SweepResult {
  return {
    ...result,
    ranked: (key) => [...result.entries].sort((a, b) => (scoreOf(b.metrics, key) ?? -Infinity) - (scoreOf(a.metrics, key) ?? -Infinity)),
  };
}

/**
 * Stores a batch of a sweep's results, keyed by grid position: one stored before (a chunk run
 * again) is kept as it was. Returns index -> backtest id of those stored now.
 */
export async function storeSweepResults(
  db: Database,
  sweep: { readonly sweepId: number; readonly setup: CombinationSetup; readonly dates: Float64Array },
  results: readonly JobResult[],
  jobs: ReadonlyMap<number, SweepJob>,
): Promise<Map<number, number>> {
  const { sweepId, setup, dates } = sweep;
  return storeSweepCombinations(
    db,
    results.map((result) => sweepOutcome({ ...setup.spec, params: jobs.get(result.index)!.params }, result, dates)),
    results.map((result) => result.index),
    {
      sweepId,
      trades: setup.storeTrades,
      equity: setup.keepCurves,
      fullSeries: false,
      sweepDates: dates,
      trialFigures: results.map((result) => result.trial),
    },
  );
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
