/**
 * Equity curves on demand. A sweep keeps each combination's metrics, not its curve (storing 1,000
 * curves was most of a sweep's time and memory; `--curves` keeps them all). A curve is rebuilt when
 * something reads it (a gate's PBO and deflated Sharpe ratios, a tearsheet, a selection): the
 * sweep's combinations still missing one are run again together on the sweep's data up to its last
 * bar, each checked to reproduce its stored data fingerprint and metrics, then stored, so the next
 * read is a plain read. When the prices under the sweep changed since (restated or back-filled
 * bars) or the code computes different figures, nothing is guessed: the reader is told to run the
 * sweep again.
 */
import { availableParallelism } from 'node:os';
import type { Database } from '../db/database.js';
import type { BacktestSpec } from './backtest-spec.js';
import { DataError } from '../errors.js';
import { getStrategy, prepareStrategy, strategySource } from '../strategies/registry.js';
import { resolveParams } from '../strategies/strategy.js';
import { codeVersion } from '../util/code-version.js';
import { getBacktest, readStoredSeries, storeSweepCurves, sweepCombinationsWithoutCurves, type BacktestSeries } from './backtest-store.js';
import { metricDifferences } from './rerun.js';
import { loadBacktestData } from './run-backtest.js';
import { startSweepWorkers } from './sweep-pool.js';
import { shareData, type SweepJob, type WorkerSetup } from './sweep-protocol.js';

/** A stored backtest's series: as stored, or for a sweep's combination kept as metrics, rebuilt (with the rest of its sweep) and stored. */
export async function getBacktestSeries(db: Database, id: number): Promise<BacktestSeries> {
  const stored = await readStoredSeries(db, id);
  if (stored) return stored;
  const backtest = await getBacktest(db, id);
  if (backtest.sweepId === null) throw new DataError(`backtest ${id} has no stored equity curve`);
  await rebuildOnce(db, backtest.sweepId);
  const rebuilt = await readStoredSeries(db, id);
  if (!rebuilt) throw new DataError(`backtest ${id} of sweep ${backtest.sweepId} has no equity curve even after rebuilding it`);
  return rebuilt;
}

// Reads of several combinations at once (a Promise.all over a selection) share one rebuild.
const rebuilding = new WeakMap<Database, Map<number, Promise<number>>>();

function rebuildOnce(db: Database, sweepId: number): Promise<number> {
  let running = rebuilding.get(db);
  if (!running) rebuilding.set(db, (running = new Map()));
  let rebuild = running.get(sweepId);
  if (!rebuild) {
    rebuild = rebuildSweepCurves(db, sweepId).finally(() => running.delete(sweepId));
    running.set(sweepId, rebuild);
  }
  return rebuild;
}

/**
 * Rebuilds and stores the curves a sweep's combinations lack, on the sweep's worker threads;
 * returns how many. Each is checked against its stored fingerprint and metrics before it is kept.
 */
export async function rebuildSweepCurves(db: Database, sweepId: number, options: { readonly workers?: number } = {}): Promise<number> {
  const missing = await sweepCombinationsWithoutCurves(db, sweepId);
  if (missing.length === 0) return 0;
  // Every combination of a sweep shares its spec but for the parameters.
  const { spec, periodTo } = await getBacktest(db, missing[0]!.id);
  const upToLastBar = { ...spec, to: spec.to ?? periodTo };
  await prepareStrategy(spec.strategy);
  const setup: WorkerSetup = {
    spec: upToLastBar,
    storeTrades: false,
    keepCurves: true,
    codeVersion: codeVersion(),
    strategyFile: strategySource(spec.strategy),
  };
  // In parameter order, as a sweep runs them, so that combinations sharing signal inputs come
  // together (a worker's memo keeps a few): keys in the strategy's schema order (signal inputs
  // first), not in the database's (jsonb sorts keys by length).
  const keys = schemaKeys(spec) ?? Object.keys(missing[0]!.params);
  const sortKey = (params: Readonly<Record<string, unknown>>) => JSON.stringify(keys.map((key) => params[key] ?? null));
  const order = missing.map((_, i) => i).sort((a, b) => compareText(sortKey(missing[a]!.params), sortKey(missing[b]!.params)));
  const jobs: SweepJob[] = order.map((i) => ({ index: i, params: missing[i]!.params }));
  const pool = startSweepWorkers(setup, Math.max(1, Math.min(options.workers ?? availableParallelism(), jobs.length)));
  const rebuilt: { backtestId: number; equity: Float64Array }[] = [];
  let stored = Promise.resolve();
  const flush = () => {
    const curves = rebuilt.splice(0);
    if (curves.length > 0) stored = stored.then(() => storeSweepCurves(db, curves));
  };
  let refused: Error | undefined;
  try {
    const data = await loadBacktestData(db, upToLastBar);
    if (data.fingerprint !== missing[0]!.dataFingerprint) {
      throw new DataError(
        `sweep ${sweepId} kept its combinations' metrics, not their equity curves, and the prices under it changed since it ran (restated or back-filled bars): its curves cannot be rebuilt exactly; run the sweep again (with --curves to keep every curve)`,
      );
    }
    await pool.run(shareData(data), jobs, {
      onResult: (result) => {
        const combination = missing[result.index]!;
        const differences = metricDifferences(combination.metrics, result.metrics);
        if (!refused && (differences.length > 0 || result.dataFingerprint !== combination.dataFingerprint)) {
          void pool.stop(); // the rest cannot be kept anyway
          refused = new DataError(
            `sweep ${sweepId}: backtest ${combination.id} run again does not reproduce its stored figures (${differences.slice(0, 3).join('; ') || 'its data fingerprint differs'}), so its equity curve cannot be rebuilt; run the sweep again (with --curves to keep every curve)`,
          );
        }
        if (refused) return;
        rebuilt.push({ backtestId: combination.id, equity: result.equity! });
        if (rebuilt.length >= CURVES_PER_WRITE) flush();
      },
      onError: (index, error) => {
        refused ??= new DataError(`sweep ${sweepId}: backtest ${missing[index]!.id} could not be run again: ${error}`);
      },
      onProgress: () => undefined,
    });
    if (refused) throw refused;
    flush();
    await stored;
  } catch (error) {
    await pool.stop();
    await stored.catch(() => undefined);
    throw error;
  }
  return missing.length;
}

const CURVES_PER_WRITE = 100;

/** The strategy's parameters in its schema's order; undefined when it has no defaults for all of them. */
function schemaKeys(spec: BacktestSpec): string[] | undefined {
  try {
    return Object.keys(resolveParams(getStrategy(spec.strategy), spec.interval, {}));
  } catch {
    return undefined;
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
