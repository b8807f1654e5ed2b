/**
 * Runs one slot of one entry: claim it, run the job with its lease renewed, record the outcome, call
 * the failure hook, and log one line. A job that throws is a failed run, never a crash; a slot whose
 * claim cannot be made (database unreachable) is logged and left for the next start's catch-up. A
 * slot whose runner died (`retryOf`, recorded failed by recover-runs.ts) is claimed again as the next
 * attempt of its row. A run whose claim is lost (its lease lapsed and another replica recovered the
 * slot) is asked to stop through its signal.
 */
import { ConfigError, MomentumError, errorMessage } from '../src/errors.js';
import type { Environment, MomentumConfig } from '../src/config.js';
import type { Database } from '../src/db/database.js';
import { redactSecrets } from '../src/util/redact.js';
import { sleep } from '../src/util/retry.js';
import type { Job, JobLogger, JobRegistry, JobResult, JobRun, RunTrigger } from './job.js';
import { claimRetry, claimSlot, finishRun, renewLease, type RunOutcome } from './job-runs.js';

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
  /** The runner's start time (processStartTime), recorded with each claim so a restart tells its dead runs (default: unknown). */
  readonly pidStart?: string | null | undefined;
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
  /** The failed attempt of this slot whose runner died: run the slot again as its next attempt. */
  readonly retryOf?: JobRun;
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
  const claim = await claimFor(options, request, label);
  if (claim.kind !== 'claimed') return claim.outcome;
  const { id, attempt } = claim;
  const handle: InFlightRun = { request, id, attempt, startedAt: Date.now() };
  options.inFlight.add(handle);
  const lost = new AbortController();
  const heartbeat = setInterval(
    () => {
      renewLease(options.db, id, attempt, options.leaseMs).then(
        (ours) => {
          if (ours || lost.signal.aborted) return;
          options.log.warn(
            `${label}: the claim of run ${id} was lost (its lease lapsed and the slot was recovered): asking the job to stop`,
          );
          lost.abort(new Error(`the claim of run ${id} was lost`));
        },
        () => undefined, // database briefly away: the next beat tries again
      );
    },
    Math.max(1_000, Math.floor(options.leaseMs / 3)),
  );
  heartbeat.unref();
  let outcome: RunOutcome;
  const history = request.retryOf ? [retryNote(request.retryOf, options)] : [];
  try {
    const result = await runJob(options, request, AbortSignal.any([options.signal, lost.signal]));
    outcome = {
      status: result.error ? 'failed' : 'succeeded',
      counts: finiteCounts(result.counts),
      notes: [...history, ...(result.notes ?? [])],
      error: result.error ?? null,
    };
  } catch (error) {
    outcome = { status: 'failed', counts: {}, notes: history, error: errorText(error) };
  } finally {
    clearInterval(heartbeat);
  }
  try {
    const run = await recordOutcome(options.db, id, attempt, outcome);
    if (!run) {
      const text = `run ${id} ended ${outcome.status} but its row was no longer this attempt's (recorded as interrupted at shutdown, or as dead after its lease lapsed); not recorded`;
      options.log.warn(`${label}: ${text}`);
      return { kind: 'unrecorded', error: text };
    }
    options.log[run.status === 'failed' ? 'error' : 'info'](`${label}: ${describeRun(run)}`);
    if (run.status === 'failed') await callFailureHook(options, run);
    return { kind: 'ran', run };
  } catch (error) {
    const text = `run ${id} ended ${outcome.status} but could not be recorded: ${errorMessage(error)}; it stays 'running' until its lease lapses`;
    options.log.error(`${label}: ${text}`);
    return { kind: 'unrecorded', error: text };
  } finally {
    options.inFlight.delete(handle);
  }
}

/** Claims the slot (or, for `retryOf`, the dead run's row again); what to answer when this process does not run it. */
async function claimFor(
  options: RunnerOptions,
  request: SlotRequest,
  label: string,
): Promise<{ kind: 'claimed'; id: number; attempt: number } | { kind: 'not-here'; outcome: SlotOutcome }> {
  const owner = { leaseMs: options.leaseMs, host: options.host, pid: options.pid, pidStart: options.pidStart ?? null };
  const unrecorded = (text: string, level: 'warn' | 'error') => {
    options.log[level](`${label}: ${text}`);
    return { kind: 'not-here' as const, outcome: { kind: 'unrecorded' as const, error: text } };
  };
  try {
    const dead = request.retryOf;
    if (dead) {
      const claim = await claimRetry(options.db, dead, owner);
      if (claim.kind === 'claimed') return claim;
      if (claim.kind === 'gone') return unrecorded(`not run again: run ${dead.id} is no longer the failed attempt ${dead.attempt}`, 'warn');
      const { running } = claim;
      return unrecorded(
        `not run again: the run of slot ${running.scheduledFor.toISOString()} (${running.host}:${running.pid}) is running`,
        'warn',
      );
    }
    const claim = await claimSlot(options.db, {
      ...owner,
      entry: request.entry,
      job: request.job,
      slot: request.slot,
      trigger: request.trigger,
      args: request.args,
    });
    if (claim.kind === 'claimed') return claim;
    if (claim.kind === 'taken') {
      const run = claim.run;
      options.log.info(`${label}: taken by ${run.host}:${run.pid} (run ${run.id}, ${run.status})`);
      return { kind: 'not-here', outcome: { kind: 'taken', run } };
    }
    options.log.warn(`${label}: skipped, ${claim.skipped.error} (run ${claim.skipped.id})`);
    return { kind: 'not-here', outcome: { kind: 'skipped', run: claim.skipped } };
  } catch (error) {
    return unrecorded(`not run, cannot claim the slot: ${errorMessage(error)}`, 'error');
  }
}

/** `attempt 1 (host:pid) died: runner died: ...; run again by host:pid`: the history a run again carries in its notes. */
function retryNote(dead: JobRun, options: RunnerOptions): string {
  return `attempt ${dead.attempt} (${dead.host}:${dead.pid}) died: ${dead.error ?? 'runner died'}; run again by ${options.host}:${options.pid}`;
}

async function runJob(options: RunnerOptions, request: SlotRequest, signal: AbortSignal): Promise<JobResult> {
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
    signal,
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

export async function callFailureHook(options: RunnerOptions, run: JobRun): Promise<void> {
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
