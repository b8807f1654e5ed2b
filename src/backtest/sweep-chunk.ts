/**
 * Runs one chunk of a distributed sweep in this process, as a local sweep's worker thread runs its
 * combinations (sweep-combination.ts), and stores each result keyed by its grid position: a chunk
 * run again after its worker died skips what is stored and adds only the rest. Results are stored
 * a few at a time, so a chunk cut short keeps most of its work. The last chunk to finish marks
 * the sweep done.
 */
import type { Database } from '../db/database.js';
import { errorMessage } from '../errors.js';
import { boundedMemo, type SignalMemo } from '../strategies/signal-memo.js';
import { prepareStrategy, strategySource } from '../strategies/registry.js';
import { loadStrategyFile } from '../strategies/strategy-files.js';
import { closeSweepIfComplete, getSweep, recordSweepFailures, shareSweepDates, sweepIndexesDone } from './backtest-store.js';
import { loadBacktestData, type BacktestData } from './run-backtest.js';
import { runCombination, type CombinationSetup } from './sweep-combination.js';
import type { SweepChunk } from './sweep-chunks.js';
import type { JobResult } from './sweep-protocol.js';
import { planSweep, storeSweepResults } from './sweep.js';
import type { ParamValue } from '../strategies/strategy.js';

/** Results stored per transaction within a chunk. */
const STORE_EVERY = 5;
/** Signal inputs kept per sweep (as a sweep worker thread keeps them). */
const MEMO_ENTRIES = 8;

export interface ChunkJob extends SweepChunk {
  /**
   * The grid as [name, values] pairs: its order is the combinations' order, which the sweep's row
   * (JSONB, keys reordered) does not keep.
   */
  readonly grid: readonly (readonly [string, readonly ParamValue[]])[];
  readonly storeTrades: boolean;
  readonly keepCurves: boolean;
  /** A user's strategy: its file and version, loaded when this process does not know the strategy. */
  readonly strategyFile?: { readonly file: string; readonly sha256: string } | undefined;
}

export interface ChunkOutcome {
  /** Combinations stored by this run. */
  readonly stored: number;
  /** Combinations found stored (or failed) already: an earlier run of the chunk did them. */
  readonly skipped: number;
  readonly failed: number;
  /** Whether the sweep is complete now. */
  readonly sweepDone: boolean;
}

/** The panel of the sweep a process last ran a chunk of: the next chunk of the same sweep reuses it. */
export interface ChunkCache {
  sweepId?: number;
  data?: BacktestData;
  memo?: SignalMemo;
}

/** @example const outcome = await runSweepChunk(db, { sweepId: 7, from: 0, to: 50, grid: [['lookback', [126, 252]]], storeTrades: false, keepCurves: false }, {}) */
export async function runSweepChunk(db: Database, chunk: ChunkJob, cache: ChunkCache): Promise<ChunkOutcome> {
  const sweep = await getSweep(db, chunk.sweepId);
  if (chunk.strategyFile && !strategySource(sweep.spec.strategy)) {
    await loadStrategyFile(chunk.strategyFile.file, undefined, chunk.strategyFile.sha256);
  }
  await prepareStrategy(sweep.spec.strategy);
  const { jobs, refused } = planSweep(sweep.spec, Object.fromEntries(chunk.grid), chunk);
  const done = await sweepIndexesDone(db, chunk.sweepId, chunk.from, chunk.to);
  const todo = jobs.filter((job) => !done.has(job.index));
  await recordSweepFailures(
    db,
    chunk.sweepId,
    refused.filter((r) => !done.has(r.index)),
  );
  if (cache.sweepId !== chunk.sweepId || !cache.data) {
    cache.data = await loadBacktestData(db, sweep.spec);
    cache.memo = boundedMemo(MEMO_ENTRIES);
    cache.sweepId = chunk.sweepId;
  }
  const data = cache.data;
  const memo = cache.memo!;
  const setup: CombinationSetup = { spec: sweep.spec, storeTrades: chunk.storeTrades, keepCurves: chunk.keepCurves };
  const byIndex = new Map(jobs.map((job) => [job.index, job]));
  let dates = sweep.dates;
  let stored = 0;
  let failed = refused.filter((r) => !done.has(r.index)).length;
  let batch: JobResult[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    dates ??= await shareSweepDates(db, chunk.sweepId, batch[0]!.dates!);
    stored += (await storeSweepResults(db, { sweepId: chunk.sweepId, setup, dates }, batch, byIndex)).size;
    batch = [];
  };
  for (const job of todo) {
    try {
      batch.push(runCombination(setup, data, job, memo, dates === null && batch.length === 0));
    } catch (error) {
      await recordSweepFailures(db, chunk.sweepId, [{ index: job.index, params: job.params, error: errorMessage(error) }]);
      failed++;
    }
    if (batch.length >= STORE_EVERY) await flush();
  }
  await flush();
  return { stored, skipped: done.size, failed, sweepDone: await closeSweepIfComplete(db, chunk.sweepId) };
}
