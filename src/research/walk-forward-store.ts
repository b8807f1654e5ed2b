/**
 * Walk-forward analyses in the database: run on loaded data, store the windows and the stitched
 * curve, and record every combination tried on a training span in the trial registry.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import { backtestSpecSchema, type BacktestSpec } from '../backtest/backtest-spec.js';
import { backtestMetricsSchema } from '../backtest/metrics-schema.js';
import { loadBacktestData } from '../backtest/run-backtest.js';
import { recordTrials } from '../backtest/trial-store.js';
import type { Database } from '../db/database.js';
import { DataError } from '../errors.js';
import { prepareStrategy } from '../strategies/registry.js';
import type { StrategyParams } from '../strategies/strategy.js';
import { base64ToFloats, floatsToBase64 } from '../util/float-bytes.js';
import { parseStoredJson } from '../util/stored-json.js';
import {
  walkForwardOnData,
  type WalkForwardOptions,
  type WalkForwardResult,
  type WalkForwardWindow,
  type WindowFigures,
} from './walk-forward.js';

const windowFiguresSchema: z.ZodType<WindowFigures> = z.object({
  sharpe: z.number().nullable(),
  cagr: z.number().nullable(),
  totalReturnPct: z.number(),
  maxDrawdownPct: z.number(),
  trades: z.number(),
});
const inSampleSchema: z.ZodType<WalkForwardWindow['inSample']> = windowFiguresSchema.and(z.object({ score: z.number().nullable() }));

/** As stored: the windows, the stitched curve and its metrics (not the trades and trials of the run). */
export interface StoredWalkForward extends Omit<WalkForwardResult, 'trades' | 'closedAtWindowEnd' | 'trials'> {
  readonly id: number;
  readonly spec: BacktestSpec;
  readonly options: WalkForwardOptions;
}

/** @example const wf = await runWalkForward(db, spec, { grid, trainBars: 756, testBars: 252, mode: 'rolling', selectBy: 'sharpe' }) */
export async function runWalkForward(
  db: Database,
  spec: BacktestSpec,
  options: WalkForwardOptions,
): Promise<StoredWalkForward & WalkForwardResult> {
  await prepareStrategy(spec.strategy);
  const result = walkForwardOnData(spec, await loadBacktestData(db, spec), options);
  const id = await db.kysely.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('walkforwards')
      .values({
        strategy: spec.strategy,
        spec: JSON.stringify(spec),
        grid: JSON.stringify(options.grid),
        mode: options.mode,
        train_bars: options.trainBars,
        test_bars: options.testBars,
        select_by: options.selectBy,
        metrics: JSON.stringify(result.metrics),
        dates: sql<Uint8Array>`decode(${floatsToBase64(result.dates)}, 'base64')`,
        equity: sql<Uint8Array>`decode(${floatsToBase64(result.equity)}, 'base64')`,
        data_fingerprint: result.dataFingerprint,
        code_version: result.codeVersion,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const walkforwardId = Number(row.id);
    await trx
      .insertInto('walkforward_windows')
      .values(
        result.windows.map((w) => ({
          walkforward_id: walkforwardId,
          seq: w.seq,
          train_from: new Date(w.trainFrom),
          train_to: new Date(w.trainTo),
          test_from: new Date(w.testFrom),
          test_to: new Date(w.testTo),
          chosen_params: JSON.stringify(w.chosen),
          in_sample: JSON.stringify(w.inSample),
          out_of_sample: JSON.stringify(w.outOfSample),
        })),
      )
      .execute();
    await recordTrials(trx, result.trials);
    return walkforwardId;
  });
  return { ...result, id, spec, options };
}

export async function getWalkForward(db: Database, id: number): Promise<StoredWalkForward> {
  const row = await db.kysely
    .selectFrom('walkforwards')
    .select(['id', 'spec', 'grid', 'mode', 'train_bars', 'test_bars', 'select_by', 'metrics', 'data_fingerprint', 'code_version'])
    .select([sql<string>`encode(dates, 'base64')`.as('dates64'), sql<string>`encode(equity, 'base64')`.as('equity64')])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw new DataError(`walk-forward ${id} does not exist`);
  const windows = await db.kysely.selectFrom('walkforward_windows').selectAll().where('walkforward_id', '=', id).orderBy('seq').execute();
  const day = (d: Date) => d.toISOString().slice(0, 10);
  return {
    id: Number(row.id),
    spec: parseStoredJson(backtestSpecSchema, row.spec, `walk-forward ${id}'s spec`),
    options: {
      grid: row.grid as WalkForwardOptions['grid'],
      mode: row.mode,
      trainBars: row.train_bars,
      testBars: row.test_bars,
      selectBy: row.select_by as WalkForwardOptions['selectBy'],
    },
    windows: windows.map((w): WalkForwardWindow => ({
      seq: w.seq,
      trainFrom: day(w.train_from),
      trainTo: day(w.train_to),
      testFrom: day(w.test_from),
      testTo: day(w.test_to),
      chosen: w.chosen_params as StrategyParams,
      inSample: parseStoredJson(inSampleSchema, w.in_sample, `walk-forward ${id}'s window ${w.seq}`),
      outOfSample: parseStoredJson(windowFiguresSchema, w.out_of_sample, `walk-forward ${id}'s window ${w.seq}`),
    })),
    dates: base64ToFloats(row.dates64),
    equity: base64ToFloats(row.equity64),
    metrics: parseStoredJson(backtestMetricsSchema, row.metrics, `walk-forward ${id}'s metrics`),
    dataFingerprint: row.data_fingerprint,
    codeVersion: row.code_version,
  };
}
