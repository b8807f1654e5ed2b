/**
 * Dead runs: 'running' rows whose runner will never finish them (killed, its machine gone). Any live
 * service finds them: a lapsed lease (the runner stopped renewing it, on any host), or a runner on
 * this host whose process is gone (pid and start time), which a restart finds at once, within the
 * lease. Each is recorded failed ("runner died") once, whichever replica sees it first, and the
 * failure hook tells the operator. The service then runs the slot again if that is safe
 * (`retryRefusal`): a scheduled slot of one of its entries whose job is marked `retrySafe`.
 */
import type { ScheduleEntry } from '../src/config.js';
import { isSameProcessAlive } from '../src/util/process-alive.js';
import type { JobRegistry, JobRun } from './job.js';
import { markDead, runningRuns } from './job-runs.js';
import { callFailureHook, describeRun, type RunnerOptions } from './run-slot.js';

/**
 * Records every dead run failed and calls the failure hook for each; returns those this call
 * recorded (another replica's are its own). Runs in progress in this process are never dead.
 * @example for (const dead of await recordDeadRuns(runner)) ...
 */
export async function recordDeadRuns(runner: RunnerOptions): Promise<JobRun[]> {
  const here = new Set([...runner.inFlight].map((r) => `${r.id}/${r.attempt}`));
  const recorded: JobRun[] = [];
  for (const { run, lapsed } of await runningRuns(runner.db)) {
    if (here.has(`${run.id}/${run.attempt}`)) continue;
    const gone = run.host === runner.host && !isSameProcessAlive(run.pid, run.pidStart ?? undefined);
    if (!gone && !lapsed) continue;
    const error = gone
      ? `runner died: ${run.host}:${run.pid} is no longer running`
      : `runner died: ${run.host}:${run.pid} stopped renewing its lease`;
    const dead = await markDead(runner.db, run, error, !gone);
    if (!dead) continue;
    runner.log.error(`${dead.entry} ${dead.scheduledFor.toISOString()} (${dead.trigger}): ${describeRun(dead)}`);
    await callFailureHook(runner, dead);
    recorded.push(dead);
  }
  return recorded;
}

/**
 * Why a dead run's slot is not run again here, or undefined when it is: only scheduled slots
 * (a `run-job` was asked by a person), of an entry of this service's schedule, of a job marked
 * `retrySafe`.
 */
export function retryRefusal(dead: JobRun, entry: ScheduleEntry | undefined, jobs: JobRegistry): string | undefined {
  if (dead.trigger === 'manual') return 'a run started by hand (momentum run-job) is not run again automatically';
  if (!entry) return `entry ${dead.entry} is not in this service's schedule`;
  if (!jobs[entry.job]?.retrySafe) return `job ${entry.job} is not marked safe to run again (retrySafe)`;
  return undefined;
}
