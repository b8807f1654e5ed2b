/**
 * What a job is: a plain async function from a context (database, configuration, the slot it runs
 * for, a logger, a shutdown signal) to a result (counts and notes). The service records every run
 * in job_runs; a job never writes its own run row.
 */
import type { Environment, MomentumConfig } from '../src/config.js';
import type { Database } from '../src/db/database.js';

export interface JobLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export type RunTrigger = 'schedule' | 'catch-up' | 'manual';

export interface JobContext {
  readonly db: Database;
  readonly env: Environment;
  readonly config: MomentumConfig;
  /** The schedule entry (its name; the job's name unless named). */
  readonly entry: string;
  /**
   * The slot this run is for: the scheduled time (for a caught-up slot, the time it should have run;
   * for `momentum run-job`, the time it was asked). A job's "now": ingest fetches up to it.
   */
  readonly slot: Date;
  readonly trigger: RunTrigger;
  /** The entry's `args` from the configuration file (or `run-job --args`); each job validates its own. */
  readonly args: Readonly<Record<string, unknown>>;
  readonly log: JobLogger;
  /**
   * Aborted when the service stops and the shutdown grace period is over, or when this run's claim
   * was lost (its lease lapsed and the slot was recovered elsewhere): stop at the next safe point.
   */
  readonly signal: AbortSignal;
}

export interface JobResult {
  /** What the job did, e.g. `{ symbols_ok: 12, symbols_failed: 1, bars_inserted: 12 }`. */
  readonly counts: Readonly<Record<string, number>>;
  /** Things the operator should read: per-item failures of a partial success, "nothing to do" and why. */
  readonly notes?: readonly string[];
  /**
   * Set when the job did not do its work although it did not throw (e.g. every symbol failed): the run
   * is recorded as failed with this text, and the counts are kept.
   */
  readonly error?: string;
}

/**
 * A job. `checkArgs`, when present, validates a schedule entry's args when the service starts (throw
 * a ValidationError naming the field), so a typo fails at start rather than at 22:30. `retrySafe`
 * says that running a slot again after its runner died part way is harmless (the job is idempotent:
 * what it did before dying is found done, not done twice), so the service runs it again.
 * @example const hello: Job = async (ctx) => ({ counts: { greeted: 1 }, notes: [`hello at ${ctx.slot.toISOString()}`] });
 */
export interface Job {
  (context: JobContext): Promise<JobResult>;
  readonly checkArgs?: (args: Readonly<Record<string, unknown>>) => void;
  readonly retrySafe?: boolean;
}

/** Job names to jobs. */
export type JobRegistry = Readonly<Record<string, Job>>;

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'skipped';

/** A job_runs row as the service and `momentum jobs` see it. */
export interface JobRun {
  readonly id: number;
  readonly entry: string;
  readonly job: string;
  readonly scheduledFor: Date;
  readonly trigger: RunTrigger;
  readonly status: RunStatus;
  readonly startedAt: Date;
  readonly endedAt: Date | null;
  readonly attempt: number;
  readonly args: Readonly<Record<string, unknown>>;
  readonly counts: Readonly<Record<string, number>>;
  readonly notes: readonly string[];
  readonly error: string | null;
  readonly host: string;
  readonly pid: number;
  /** The runner process's start time (processStartTime), null where unknown. */
  readonly pidStart: string | null;
}
