/**
 * `momentum worker`: takes jobs from the queue (job-queue.ts) and runs them with the same code the
 * local paths run: a sweep's chunk (src/backtest/sweep-chunk.ts), a portfolio's rebalance or
 * report (portfolio-jobs.ts). It beats in job_workers while it runs, so whoever queues work knows
 * it is there; on stop it takes no new job, lets running ones finish within the grace period
 * (then hands them back to the queue), and removes its row.
 *
 * The queue `api` is the HTTP API v1's jobs (backtests, simulations, sweeps, portfolios, ingests
 * queued by `momentum serve`): their queue is the api_jobs table, and the worker runs the same
 * runner the server runs (src/api/v1/job-runner.ts), so a server started with `--api-jobs 0` only
 * queues them and the workers run them, each claimed by one process.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { startJobRunner } from '../src/api/v1/job-runner.js';
import { describeChunk } from '../src/backtest/sweep-chunks.js';
import { runSweepChunk, type ChunkCache, type ChunkJob } from '../src/backtest/sweep-chunk.js';
import type { Environment, MomentumConfig } from '../src/config.js';
import type { Database } from '../src/db/database.js';
import { errorMessage } from '../src/errors.js';
import type { JobLogger } from './job.js';
import { portfolioJobHandlers } from './portfolio-jobs.js';
import { openJobQueue, QUEUE_NAMES, type JobHandler, type QueueName } from './queue/job-queue.js';
import { beat, HEARTBEAT_MS, removeWorker } from './queue/job-workers-store.js';

export interface WorkerOptions {
  readonly db: Database;
  readonly env: Environment;
  readonly config: MomentumConfig;
  readonly queues: readonly WorkerQueue[];
  /** Jobs of each queue run at once in this process. */
  readonly concurrency: number;
  readonly log: JobLogger;
}

/** The queues a worker takes jobs from: pg-boss's, and `api` (the api_jobs table). */
export const WORKER_QUEUES = [...QUEUE_NAMES, 'api'] as const;
export type WorkerQueue = (typeof WORKER_QUEUES)[number];

export interface WorkerHandle {
  readonly id: string;
  /** Stops taking jobs; running ones get the configured grace period. */
  stop(): Promise<void>;
}

/** @example const worker = await startWorker({ db, env, config, queues: ['sweep'], concurrency: 1, log }) */
export async function startWorker(options: WorkerOptions): Promise<WorkerHandle> {
  const { db, env, config, log } = options;
  const identity = {
    id: randomUUID(),
    host: hostname(),
    pid: process.pid,
    queues: [...options.queues],
    concurrency: options.concurrency,
  };
  const queue = await openJobQueue(db, env.databaseUrl, config.jobs, {
    worker: true,
    onError: (error) => log.warn(`queue: ${errorMessage(error)}`),
  });
  const handlers: Record<QueueName, JobHandler> = {
    sweep: sweepChunkHandler(db),
    ...portfolioJobHandlers({ db, env, config, log }),
  };
  await beat(db, identity);
  const heartbeat = setInterval(
    () => void beat(db, identity).catch((error) => log.warn(`heartbeat: ${errorMessage(error)}`)),
    HEARTBEAT_MS,
  );
  const apiJobs = options.queues.includes('api')
    ? startJobRunner({
        withDb: (work) => work(db),
        gateSets: config.gates,
        concurrency: options.concurrency,
        log: (line) => log.info(`[api] ${line}`),
      })
    : undefined;
  for (const name of options.queues) {
    if (name === 'api') continue;
    await queue.work<never>(name, options.concurrency, async (job) => {
      const label = `[${name}] job ${job.id.slice(0, 8)}`;
      const started = Date.now();
      log.info(`${label}: started ${describeJob(name, job.data)} (job ${job.id})`);
      try {
        const summary = await handlers[name](job, queue);
        log.info(`${label}: done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${summary}`);
      } catch (error) {
        log.error(`${label}: failed: ${errorMessage(error)} (the queue runs it again up to ${config.jobs.retryLimit} times)`);
        throw error;
      }
    });
  }
  return {
    id: identity.id,
    async stop() {
      clearInterval(heartbeat);
      // API jobs are not handed back: one still running when the process ends is marked failed by the next runner.
      await apiJobs?.close();
      await queue.stop(config.jobs.shutdownGraceMs);
      await removeWorker(db, identity.id).catch((error) => log.warn(`could not remove this worker's heartbeat: ${errorMessage(error)}`));
    },
  };
}

function describeJob(name: QueueName, data: unknown): string {
  if (name === 'sweep') return describeChunk(data as ChunkJob);
  const { portfolio, day } = data as { portfolio: string; day: string };
  return `${portfolio} as of ${day}`;
}

/** A sweep's chunk: its combinations computed and stored (those stored by an earlier run skipped). */
function sweepChunkHandler(db: Database): JobHandler {
  // The panel of the sweep last run: the next chunk of the same sweep reuses it.
  const cache: ChunkCache = {};
  return async (job) => {
    const outcome = await runSweepChunk(db, job.data as ChunkJob, cache);
    const skipped = outcome.skipped > 0 ? `, ${outcome.skipped} stored before` : '';
    return `stored ${outcome.stored}${skipped}, ${outcome.failed} failed${outcome.sweepDone ? `; sweep ${(job.data as ChunkJob).sweepId} is complete` : ''}`;
  };
}
