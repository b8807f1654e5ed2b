/**
 * Runs the API's jobs in this process, at most `concurrency` at a time, from the api_jobs table
 * (the queue is the table: a job queued before a restart runs after it). While it runs, a job's
 * progress is written as it goes and the runner beats; a job whose runner is gone (its process
 * on this host has ended) or stopped beating (a server elsewhere, killed or crashed) is marked failed
 * by the next runner that looks, at start and then every beat. The distributed job engine (jobs/queue, pg-boss) could take the same rows later:
 * `JOB_DEFINITIONS[kind].run` is a function of the stored request alone.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Database } from '../../db/database.js';
import { errorMessage, MomentumError } from '../../errors.js';
import type { GateSet } from '../../research/gate-set.js';
import { latestOnly } from '../../util/latest-only.js';
import { isSameProcessAlive, processStartTime } from '../../util/process-alive.js';
import {
  beatJobs,
  claimNextJob,
  failAbandonedJobs,
  finishJob,
  recordProgress,
  runnersOfRunningJobs,
  type ApiJob,
} from './api-job-store.js';
import { JOB_DEFINITIONS } from './job-kinds.js';

export type WithDb = <T>(work: (db: Database) => Promise<T>) => Promise<T>;

type Outcome = { readonly result: Record<string, unknown> } | { readonly error: string };

export interface JobRunnerOptions {
  readonly withDb: WithDb;
  readonly gateSets: Readonly<Record<string, GateSet>>;
  /** Jobs run at once (default 1: a sweep already uses every core). */
  readonly concurrency?: number;
  readonly sweepWorkers?: number | undefined;
  /** How often running jobs beat and abandoned ones are looked for (default 10 s). */
  readonly beatMs?: number;
  /** A running job not heard from for this long is taken for abandoned (default 60 s). */
  readonly staleSeconds?: number;
  readonly log: (line: string) => void;
}

export interface JobRunner {
  /** Looks for queued jobs now (after one was submitted). */
  wake(): void;
  /** Stops taking jobs and waits for those running to finish. */
  close(): Promise<void>;
}

/** Marks abandoned jobs failed, then takes queued ones (both in the background). */
export function startJobRunner(options: JobRunnerOptions): JobRunner {
  const runner = runnerId(process.pid);
  const { withDb, log } = options;
  const concurrency = options.concurrency ?? 1;
  const staleSeconds = options.staleSeconds ?? 60;
  const running = new Set<Promise<void>>();
  /** Jobs claimed whose outcome is not recorded yet: beaten, so never taken for abandoned while this server lives. */
  const claimed = new Set<string>();
  /** Outcomes the database refused (it was unreachable): recorded again at each beat. */
  const unrecorded = new Map<string, Outcome>();
  let closing = false;
  let pumping = Promise.resolve();

  const reclaim = async () => {
    const failed = await withDb(async (db) =>
      failAbandonedJobs(db, runner, staleSeconds, (await runnersOfRunningJobs(db)).filter(isGoneFromThisHost)),
    );
    if (failed.length > 0) log(`api jobs ${failed.join(', ')}: marked failed, their server stopped while they ran`);
  };
  const claimWhileRoom = async () => {
    while (!closing && running.size < concurrency) {
      const job = await withDb((db) => claimNextJob(db, runner));
      if (!job) return;
      claimed.add(job.id);
      const done: Promise<void> = execute(job).finally(() => {
        running.delete(done);
        wake();
      });
      running.add(done);
    }
  };
  // One claim loop at a time: a wake while one runs queues one more pass.
  const wake = () => {
    pumping = pumping.then(claimWhileRoom).catch((error: unknown) => log(`api jobs: cannot take queued jobs: ${errorMessage(error)}`));
  };
  const execute = async (job: ApiJob) => {
    const definition = JOB_DEFINITIONS[job.kind];
    const progress = latestOnly((p: { fraction: number; message: string }) =>
      withDb((db) => recordProgress(db, job.id, runner, p.fraction, p.message)).catch((error: unknown) =>
        log(`api job ${job.id}: progress not recorded: ${errorMessage(error)}`),
      ),
    );
    let outcome: Outcome;
    try {
      const request = definition.schema.parse(job.spec);
      const result = await withDb((db) =>
        definition.run(request, {
          db,
          gateSets: options.gateSets,
          sweepWorkers: options.sweepWorkers,
          progress: (fraction, message) => progress.push({ fraction, message }),
        }),
      );
      outcome = { result };
    } catch (error) {
      // The project's own errors say what was wrong to the user; anything else goes to the log in full.
      if (!(error instanceof MomentumError))
        log(`api job ${job.id} (${job.kind}): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      outcome = { error: errorMessage(error) };
    }
    await progress.settled();
    unrecorded.set(job.id, outcome);
    await record().catch((error: unknown) =>
      log(`api job ${job.id}: outcome not recorded yet (tried again at each beat): ${errorMessage(error)}`),
    );
  };
  const record = async () => {
    for (const [id, outcome] of unrecorded) {
      await withDb((db) => finishJob(db, id, runner, outcome));
      unrecorded.delete(id);
      claimed.delete(id);
    }
  };

  const timer = setInterval(() => {
    void withDb((db) => beatJobs(db, runner, [...claimed]))
      .then(record)
      .then(reclaim)
      .then(wake)
      .catch((error: unknown) => log(`api jobs: beat failed: ${errorMessage(error)}`));
  }, options.beatMs ?? 10_000);
  timer.unref();
  // In the background: the server answers at once, the database opens meanwhile (or the next beat tries again).
  pumping = reclaim()
    .then(claimWhileRoom)
    .catch((error: unknown) => log(`api jobs: cannot look for jobs left by a previous server: ${errorMessage(error)}`));
  return {
    wake,
    async close() {
      closing = true;
      clearInterval(timer);
      await pumping;
      await Promise.all(running);
    },
  };
}

/** `host/pid/start time/random`: what tells a runner's process from a later one that reuses its pid. */
export function runnerId(pid: number): string {
  return `${hostname()}/${pid}/${processStartTime(pid) ?? '-'}/${randomUUID().slice(0, 8)}`;
}

/** A runner of this host whose process has ended (a server restarted here): its jobs need not wait for the lease. */
function isGoneFromThisHost(runner: string): boolean {
  const [host, pid, started] = runner.split('/');
  if (host !== hostname() || !/^\d+$/.test(pid ?? '')) return false;
  return !isSameProcessAlive(Number(pid), started === '-' ? undefined : started);
}
