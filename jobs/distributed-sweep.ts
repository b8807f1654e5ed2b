/**
 * `momentum sweep --distributed`: the sweep is opened as a local one is, its combinations cut into
 * chunks (src/backtest/sweep-chunks.ts), each chunk one job for whichever `momentum worker` takes
 * it; this process follows the sweep's progress in the database (combinations stored and failed,
 * by every worker) and ends with the same result a local sweep returns. Nothing is made when no
 * worker is there to run it. Interrupted, the sweep goes on on the workers.
 */
import { availableParallelism } from 'node:os';
import { closeSweep, closeSweepIfComplete, openSweep, sweepCounts, sweepResults } from '../src/backtest/backtest-store.js';
import type { BacktestSpec } from '../src/backtest/backtest-spec.js';
import { dataSummary } from '../src/data/price-store.js';
import type { ChunkJob } from '../src/backtest/sweep-chunk.js';
import { sweepChunks } from '../src/backtest/sweep-chunks.js';
import { planSweep, sweepResult, type SweepGrid, type SweepProgress, type SweepResult } from '../src/backtest/sweep.js';
import type { Environment, MomentumConfig } from '../src/config.js';
import type { Database } from '../src/db/database.js';
import { ConfigError, DataError, errorMessage } from '../src/errors.js';
import { strategySource } from '../src/strategies/registry.js';
import { sleep } from '../src/util/retry.js';
import { embeddedRefusal, jobId, openJobQueue } from './queue/job-queue.js';
import { liveWorkers } from './queue/job-workers-store.js';

/** How often the follower reads the sweep's progress. */
const FOLLOW_MS = 250;
/** How often it checks that a worker is still there. */
const WORKERS_CHECK_MS = 5_000;

export interface DistributedSweepOptions {
  readonly storeTrades?: boolean;
  readonly keepCurves?: boolean;
  /** Combinations per job (default: the configuration's jobs.chunkSize). */
  readonly chunkSize?: number;
  readonly onProgress?: ((progress: SweepProgress) => void) | undefined;
  /** Called once the sweep's chunks are queued: from then on, it goes on on the workers whatever this process does. */
  readonly onQueued?: ((sweepId: number, jobs: number) => void) | undefined;
  /** Told what the user should know meanwhile (no worker seen lately). */
  readonly onNote?: ((text: string) => void) | undefined;
}

/** The refusal when no worker is running: what to start, or the local way. */
export function noWorkerMessage(): string {
  return (
    'no worker is running: start `momentum worker` on any machine with DATABASE_URL set to this server, ' +
    `or run without --distributed to use ${availableParallelism()} local threads`
  );
}

/** @example const result = await runDistributedSweep(db, env, config, spec, grid, { onProgress }) */
export async function runDistributedSweep(
  db: Database,
  env: Environment,
  config: MomentumConfig,
  asked: BacktestSpec,
  grid: SweepGrid,
  options: DistributedSweepOptions = {},
): Promise<SweepResult> {
  const started = Date.now();
  if (db.engine !== 'postgres')
    throw new ConfigError(
      embeddedRefusal(
        'momentum sweep --distributed',
        `Without --distributed this sweep runs here on ${availableParallelism()} local threads, as it does on the embedded engine.`,
      ),
    );
  const spec = await pinnedToLastBar(db, asked);
  const { combos, jobs: planned } = planSweep(spec, grid);
  if ((await liveWorkers(db, 'sweep')).length === 0) throw new ConfigError(noWorkerMessage());
  const queue = await openJobQueue(db, env.databaseUrl, config.jobs, { worker: false });
  try {
    const sweepId = await openSweep(db, { strategy: spec.strategy, grid, spec, combinations: combos.length });
    const chunks = sweepChunks(sweepId, combos.length, options.chunkSize ?? config.jobs.chunkSize);
    const jobs = chunks.map((chunk) => ({
      id: jobId(`sweep:${chunk.sweepId}:${chunk.from}`),
      data: {
        ...chunk,
        grid: Object.entries(grid),
        storeTrades: options.storeTrades ?? false,
        keepCurves: options.keepCurves ?? false,
        strategyFile: strategySource(spec.strategy),
      } satisfies ChunkJob,
    }));
    try {
      await queue.send('sweep', jobs);
    } catch (error) {
      await closeSweep(db, sweepId, `could not queue its chunks: ${errorMessage(error)}`);
      throw error;
    }
    options.onQueued?.(sweepId, chunks.length);
    const workers = await follow(
      db,
      sweepId,
      jobs.map((job) => job.id),
      queue,
      options,
    );
    const { entries, failures } = await sweepResults(db, sweepId);
    const resolved = new Map(planned.map((job) => [job.index, job.params]));
    return sweepResult({
      sweepId,
      combinations: combos.length,
      workers,
      seconds: (Date.now() - started) / 1000,
      // The params as resolved here (the database's JSON orders their keys its own way).
      entries: entries.map((entry) => ({ ...entry, combo: combos[entry.index]!, params: resolved.get(entry.index) ?? entry.params })),
      failures: failures.map(({ params, error }) => ({ params, error })),
    });
  } finally {
    await queue.stop(0);
  }
}

/**
 * A spec without `to` ends at the last bar stored now: every worker loads the panel when it takes
 * its first chunk, and bars ingested meanwhile must not give later chunks other data than the
 * first ones (their fingerprints and metrics would not match a local sweep's).
 */
async function pinnedToLastBar(db: Database, spec: BacktestSpec): Promise<BacktestSpec> {
  if (spec.to) return spec;
  const symbols = [spec.symbols, spec.benchmark ?? [], spec.riskFreeSymbol ?? []].flat();
  // Weekly and monthly bars may be made from daily ones.
  const lasts = (await dataSummary(db, { symbols }))
    .filter((row) => row.interval === spec.interval || row.interval === '1d')
    .map((row) => row.last.slice(0, 10))
    .sort();
  const last = lasts[lasts.length - 1];
  return last === undefined ? spec : { ...spec, to: last };
}

/**
 * Waits, reading the database, until every combination is stored or failed; throws when a chunk
 * failed for good (its retries spent). Returns the most workers seen at once.
 */
async function follow(
  db: Database,
  sweepId: number,
  ids: readonly string[],
  queue: Awaited<ReturnType<typeof openJobQueue>>,
  options: DistributedSweepOptions,
): Promise<number> {
  let workers = 0;
  let checked = 0;
  let warned = false;
  for (;;) {
    const counts = await sweepCounts(db, sweepId);
    const done = counts.stored + counts.failed;
    options.onProgress?.({ done, total: counts.combinations, failed: counts.failed });
    if (done >= counts.combinations) {
      await closeSweepIfComplete(db, sweepId);
      return Math.max(1, workers);
    }
    const states = await queue.states('sweep', ids);
    if (states.failed > 0) {
      const error = `${states.failed} chunk(s) failed after their retries: ${[...new Set(states.errors)].join('; ')}`;
      await closeSweep(db, sweepId, error);
      throw new DataError(`sweep ${sweepId}: ${error}; ${done} of ${counts.combinations} combinations were stored`);
    }
    if (Date.now() - checked >= WORKERS_CHECK_MS) {
      checked = Date.now();
      const live = (await liveWorkers(db, 'sweep')).length;
      workers = Math.max(workers, live);
      if (live === 0 && !warned) {
        warned = true;
        options.onNote?.(
          `no worker has been seen lately: sweep ${sweepId}'s remaining chunks wait in the queue until \`momentum worker\` runs (stopping here leaves them queued)`,
        );
      }
    }
    await sleep(FOLLOW_MS);
  }
}
