/** What the batch-service commands do (see job-commands.ts for their options). */
import { availableParallelism, hostname } from 'node:os';
import { resolve } from 'node:path';
import type { JobRegistry, JobRun } from '../../jobs/job.js';
import { jobRegistry, loadJobsModule } from '../../jobs/registry.js';
import { describeRun, runSlot } from '../../jobs/run-slot.js';
import { checkSchedule, createScheduleService, requireSchedule } from '../../jobs/schedule-service.js';
import { notifyOperator } from '../../jobs/notify.js';
import { distributedScheduleRefusal } from '../../jobs/portfolio-jobs.js';
import { embeddedRefusal } from '../../jobs/queue/job-queue.js';
import { startWorker, WORKER_QUEUES } from '../../jobs/worker-service.js';
import { consoleLogger } from '../../jobs/service-log.js';
import { loadConfig, type Environment, type MomentumConfig } from '../config.js';
import { ConfigError, ValidationError, errorMessage } from '../errors.js';
import { processStartTime } from '../util/process-alive.js';
import { environment, waitForStopSignal, withDatabase, type Output } from './cli-context.js';
import { parseChoice, parseIntegerOption, parseList } from './options.js';

export interface ScheduleFlags {
  config?: string;
  healthPort?: string;
  health: boolean;
  catchUp: boolean;
  jobsModule?: string;
}

export interface WorkerFlags {
  config?: string;
  queues?: string;
  concurrency?: string;
}

export interface RunJobFlags {
  config?: string;
  args?: string;
  jobsModule?: string;
  json?: boolean;
}

/** The environment and configuration, with `--config` taking the place of MOMENTUM_CONFIG. */
function setup(configFlag: string | undefined): { env: Environment; config: MomentumConfig } {
  const base = environment();
  const env = configFlag ? { ...base, configPath: resolve(configFlag) } : base;
  return { env, config: loadConfig(env.configPath) };
}

async function registry(jobsModule: string | undefined): Promise<JobRegistry> {
  return jobRegistry(jobsModule ? await loadJobsModule(jobsModule) : {});
}

export async function scheduleAction(flags: ScheduleFlags, output: Output): Promise<void> {
  const { env, config } = setup(flags.config);
  const jobs = await registry(flags.jobsModule);
  const schedule = requireSchedule(config);
  checkSchedule(schedule, jobs, config.path);
  if (config.jobs.distributed && !env.databaseUrl) throw distributedScheduleRefusal();
  const port = parseIntegerOption(flags.healthPort, 'health-port', 0, 65_535);
  await withDatabase(
    async (db) => {
      const service = createScheduleService({
        db,
        env,
        config,
        jobs,
        log: consoleLogger(output.out, output.err),
        onFailure: (run) => notifyOperator(db, env, run),
        health: flags.health === false ? false : port === undefined ? true : { port },
        catchUp: flags.catchUp,
      });
      const stopped = waitForStopSignal();
      await service.start();
      output.out(
        `momentum schedule: ${schedule.entries.length} entr${schedule.entries.length === 1 ? 'y' : 'ies'} on ${db.location}` +
          `${service.healthUrl ? `; GET ${service.healthUrl}/health` : ''}; SIGTERM or Ctrl-C stops it`,
      );
      for (const e of schedule.entries) output.out(`  ${e.name}: job ${e.job}, "${e.cron}" ${e.timezone}`);
      const signal = await stopped;
      output.err(
        `${signal}: no new slots; running jobs get up to ${Math.round(schedule.shutdownGraceMs / 1000)} s to finish (send it again to stop at once)`,
      );
      const force = () => process.exit(1);
      process.once('SIGINT', force);
      process.once('SIGTERM', force);
      const summary = await service.stop();
      output.err(
        `stopped${summary.interrupted.length > 0 ? `; ${summary.interrupted.length} run(s) interrupted and recorded as failed` : ''}`,
      );
    },
    env,
    { share: true },
  );
}

export async function workerAction(flags: WorkerFlags, output: Output): Promise<void> {
  const { env, config } = setup(flags.config);
  const queues =
    flags.queues === undefined
      ? [...WORKER_QUEUES]
      : [...new Set(parseList(flags.queues)!.map((q) => parseChoice(q, 'queues', WORKER_QUEUES)!))];
  if (queues.length === 0) throw new ValidationError('queues', `name at least one of ${WORKER_QUEUES.join(', ')}`);
  const concurrency = parseIntegerOption(flags.concurrency, 'concurrency', 1, 64) ?? 1;
  if (!env.databaseUrl) {
    const local = `On one machine, momentum sweep runs on ${availableParallelism()} local threads and momentum schedule runs the rebalances itself.`;
    throw new ConfigError(embeddedRefusal('momentum worker', local));
  }
  await withDatabase(async (db) => {
    const log = consoleLogger(output.out, output.err);
    const stopped = waitForStopSignal();
    const worker = await startWorker({ db, env, config, queues, concurrency, log });
    output.out(
      `momentum worker: ready on ${db.location}; queues ${queues.join(', ')}; ${concurrency} job(s) of each at once; SIGTERM or Ctrl-C stops it`,
    );
    const signal = await stopped;
    output.err(
      `${signal}: taking no new jobs; running ones get up to ${Math.round(config.jobs.shutdownGraceMs / 1000)} s to finish, then go back to the queue (send it again to stop at once)`,
    );
    const force = () => process.exit(1);
    process.once('SIGINT', force);
    process.once('SIGTERM', force);
    await worker.stop();
    output.err('stopped');
  }, env);
}

function parseArgsFlag(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ValidationError('args', `not JSON: ${errorMessage(error)}; e.g. --args '{"universes":["etf-multi-asset"]}'`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ValidationError('args', 'expected a JSON object');
  return value as Record<string, unknown>;
}

export async function runJobAction(name: string, flags: RunJobFlags, output: Output): Promise<void> {
  const { env, config } = setup(flags.config);
  const jobs = await registry(flags.jobsModule);
  const entry = config.schedule?.entries.find((e) => e.name === name);
  const jobName = entry?.job ?? name;
  const job = jobs[jobName];
  if (!job) {
    const entries = config.schedule ? `; schedule entries: ${config.schedule.entries.map((e) => e.name).join(', ')}` : '';
    throw new ValidationError('name', `unknown job ${JSON.stringify(name)}; known jobs: ${Object.keys(jobs).join(', ')}${entries}`);
  }
  const args = flags.args ? parseArgsFlag(flags.args) : (entry?.args ?? {});
  try {
    job.checkArgs?.(args);
  } catch (error) {
    throw new ValidationError('args', errorMessage(error));
  }
  await withDatabase(async (db) => {
    const abort = new AbortController();
    const interrupt = () => abort.abort(new Error('interrupted'));
    process.once('SIGINT', interrupt);
    process.once('SIGTERM', interrupt);
    const outcome = await runSlot(
      {
        db,
        env,
        config,
        jobs,
        // Results go to stdout; the run's log lines to stderr.
        log: consoleLogger(output.err, output.err),
        leaseMs: config.schedule?.leaseMs ?? 60_000,
        signal: abort.signal,
        host: hostname(),
        pid: process.pid,
        pidStart: processStartTime(process.pid) ?? null,
        inFlight: new Set(),
        onFailure: (run) => notifyOperator(db, env, run),
      },
      { entry: name, job: jobName, args, slot: new Date(), trigger: 'manual' },
    );
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    if (outcome.kind === 'unrecorded') {
      process.exitCode = 1;
      return output.err(`run-job ${name}: ${outcome.error}`);
    }
    const run = outcome.run;
    if (flags.json) output.out(JSON.stringify(run, null, 2));
    else printRun(run, output);
    if (outcome.kind !== 'ran') process.exitCode = 2;
    else if (run.status === 'failed') process.exitCode = 1;
  }, env);
}

function printRun(run: JobRun, output: Output): void {
  output.out(`${run.entry} (job ${run.job}): ${describeRun(run)}`);
  for (const note of run.notes) output.out(`  ${note}`);
}
