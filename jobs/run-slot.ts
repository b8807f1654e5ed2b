/**
 * Runs one slot of one entry: claim it, run the job with its lease renewed, record the outcome, call
 * the failure hook, and log one line. A job that throws is a failed run, never a crash; a slot whose
 * claim cannot be made (database unreachable) is logged and left for the next start's catch-up.
 */
import { ConfigError, MomentumError, errorMessage } from '../src/errors.js';
import type { Environment, MomentumConfig } from '../src/config.js';
import type { Database } from '../src/db/database.js';
import { redactSecrets } from '../src/util/redact.js';
import { sleep } from '../src/util/retry.js';
import type { Job, JobLogger, JobRegistry, JobResult, JobRun, RunTrigger } from './job.js';
import { claimSlot, finishRun, renewLease, type RunOutcome } from './job-runs.js';

export interface RunnerOptions {
  readonly db: Database;
  readonly env: Environment;
  readonly config: MomentumConfig;
  readonly jobs: JobRegistry;
  /** The service's log: one line per slot. */
  readonly log: JobLogger;
  readonly leaseMs: number;
  /** Aborted when jobs should stop at their next safe point (end of the shutdown grace period). */
  readonly signal: AbortSignal;
  readonly host: string;
  readonly pid: number;
  /** Called with every failed run (errors it throws are logged, never propagated). */
  readonly onFailure?: ((run: JobRun) => void | Promise<void>) | undefined;
  /** Runs in progress in this process, so shutdown can wait for them and record the ones it interrupts. */
  readonly inFlight: Set<InFlightRun>;
}

export interface SlotRequest {
  /** The entry's name (job_runs.entry). */
  readonly entry: string;
  readonly job: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly slot: Date;
  readonly trigger: RunTrigger;
}

export interface InFlightRun {
  readonly request: SlotRequest;
  readonly id: number;
  readonly attempt: number;
  readonly startedAt: number;
}

export type SlotOutcome =
  | { readonly kind: 'ran'; readonly run: JobRun }
  /** Run by another process (or already done). */
  | { readonly kind: 'taken'; readonly run: JobRun }
  /** Recorded as skipped: the entry's previous run was still running. */
  | { readonly kind: 'skipped'; readonly run: JobRun }
  /** The run happened but its end could not be recorded (claim lost, or database gone). */
  | { readonly kind: 'unrecorded'; readonly error: string };

const FINISH_RETRIES = [1_000, 2_000, 4_000, 8_000];

/** @example const outcome = await runSlot(options, { entry: 'ingest', job: 'ingest', args: {}, slot: new Date(), trigger: 'manual' }) */
export async function runSlot(options: RunnerOptions, request: SlotRequest): Promise<SlotOutcome> {
  const label = `${request.entry} ${request.slot.toISOString()} (${request.trigger})`;
  let claim;
  try {
    claim = await claimSlot(options.db, {
      entry: request.entry,
      job: request.job,
      slot: request.slot,
      trigger: request.trigger,
      args: request.args,
      leaseMs: options.leaseMs,
      host: options.host,
      pid: options.pid,
    });
  } catch (error) {
    const text = `cannot claim the slot: ${errorMessage(error)}`;
    options.log.error(`${label}: not run, ${text}`);
    return { kind: 'unrecorded', error: text };
  }
  if (claim.kind === 'taken') {
    const run = claim.run;
    options.log.info(`${label}: taken by ${run.host}:${run.pid} (run ${run.id}, ${run.status})`);
    return { kind: 'taken', run };
  }
  if (claim.kind === 'overlap') {
    options.log.warn(`${label}: skipped, ${claim.skipped.error} (run ${claim.skipped.id})`);
    return { kind: 'skipped', run: claim.skipped };
  }

  const handle: InFlightRun = { request, id: claim.id, attempt: claim.attempt, startedAt: Date.now() };
  options.inFlight.add(handle);
  const heartbeat = setInterval(
    () => {
      renewLease(options.db, claim.id, claim.attempt, options.leaseMs).then(
        (ours) => ours || options.log.warn(`${label}: the claim of run ${claim.id} was taken over (its lease lapsed)`),
        () => undefined, // database briefly away: the next beat tries again
      );
    },
    Math.max(1_000, Math.floor(options.leaseMs / 3)),
  );
  heartbeat.unref();
  let outcome: RunOutcome;
  try {
    const result = await runJob(options, request);
    outcome = {
      status: result.error ? 'failed' : 'succeeded',
      counts: finiteCounts(result.counts),
      notes: [...(result.notes ?? [])],
      error: result.error ?? null,
    };
  } catch (error) {
    outcome = { status: 'failed', counts: {}, notes: [], error: errorText(error) };
  } finally {
    clearInterval(heartbeat);
  }
  try {
    const run = await recordOutcome(options.db, claim.id, claim.attempt, outcome);
    if (!run) {
      const text = `run ${claim.id} ended ${outcome.status} but its row was no longer this attempt's (recorded as interrupted at shutdown, or its slot taken over after the lease lapsed); not recorded`;
      options.log.warn(`${label}: ${text}`);
      return { kind: 'unrecorded', error: text };
    }
    options.log[run.status === 'failed' ? 'error' : 'info'](`${label}: ${describeRun(run)}`);
    if (run.status === 'failed') await callFailureHook(options, run);
    return { kind: 'ran', run };
  } catch (error) {
    const text = `run ${claim.id} ended ${outcome.status} but could not be recorded: ${errorMessage(error)}; it stays 'running' until its lease lapses`;
    options.log.error(`${label}: ${text}`);
    return { kind: 'unrecorded', error: text };
  } finally {
    options.inFlight.delete(handle);
  }
}

async function runJob(options: RunnerOptions, request: SlotRequest): Promise<JobResult> {
  const job: Job | undefined = options.jobs[request.job];
  if (!job) throw new ConfigError(`no job named ${JSON.stringify(request.job)}; known: ${Object.keys(options.jobs).join(', ')}`);
  const prefix = `[${request.entry}] `;
  return job({
    db: options.db,
    env: options.env,
    config: options.config,
    entry: request.entry,
    slot: request.slot,
    trigger: request.trigger,
    args: request.args,
    signal: options.signal,
    log: {
      info: (m) => options.log.info(prefix + m),
      warn: (m) => options.log.warn(prefix + m),
      error: (m) => options.log.error(prefix + m),
    },
  });
}

/** Records the end of a run, retrying while the database is away (a restart) for about 15 s. */
async function recordOutcome(db: Database, id: number, attempt: number, outcome: RunOutcome): Promise<JobRun | undefined> {
  for (let i = 0; ; i++) {
    try {
      return await finishRun(db, id, attempt, outcome);
    } catch (error) {
      if (i >= FINISH_RETRIES.length) throw error;
      await sleep(FINISH_RETRIES[i]!);
    }
  }
}

/** Records runs that shutdown interrupted (still running after the grace period) as failed. */
export async function recordInterrupted(options: RunnerOptions, graceMs: number): Promise<JobRun[]> {
  const runs: JobRun[] = [];
  for (const handle of [...options.inFlight]) {
    const error = `interrupted: the service stopped and the job did not finish within the ${Math.round(graceMs / 1000)} s grace period`;
    try {
      const run = await finishRun(options.db, handle.id, handle.attempt, { status: 'failed', counts: {}, notes: [], error });
      if (run) {
        runs.push(run);
        options.log.error(`${handle.request.entry} ${handle.request.slot.toISOString()} (${handle.request.trigger}): ${describeRun(run)}`);
        await callFailureHook(options, run);
      }
    } catch (e) {
      options.log.error(`${handle.request.entry}: could not record run ${handle.id} as interrupted: ${errorMessage(e)}`);
    }
  }
  return runs;
}

async function callFailureHook(options: RunnerOptions, run: JobRun): Promise<void> {
  if (!options.onFailure) return;
  try {
    await options.onFailure(run);
  } catch (error) {
    options.log.error(`${run.entry}: the failure hook failed for run ${run.id}: ${errorMessage(error)}`);
  }
}

/** `succeeded in 2.3 s (run 17): symbols_ok=12 bars_inserted=12; 1 note` (counts that are 0 left out) */
export function describeRun(run: JobRun): string {
  const seconds = run.endedAt ? ((run.endedAt.getTime() - run.startedAt.getTime()) / 1000).toFixed(1) : '?';
  const counts = Object.entries(run.counts)
    .filter(([, v]) => v !== 0)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const notes = run.notes.length > 0 ? `; ${run.notes.length} note${run.notes.length === 1 ? '' : 's'}` : '';
  const error = run.error ? `; ${run.error}` : '';
  return `${run.status} in ${seconds} s (run ${run.id}${run.attempt > 1 ? `, attempt ${run.attempt}` : ''})${counts ? `: ${counts}` : ''}${notes}${error}`;
}

/** Messages of our own errors as they are, others with their type (a TypeError is a bug worth seeing); credentials redacted (the row is mailed). */
function errorText(error: unknown): string {
  if (error instanceof MomentumError) return redactSecrets(error.message);
  if (error instanceof Error) return redactSecrets(`${error.name}: ${error.message}`);
  return redactSecrets(String(error));
}

function finiteCounts(counts: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).filter(([, v]) => typeof v === 'number' && Number.isFinite(v)));
}
