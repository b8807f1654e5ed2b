/** `momentum schedule`, `run-job`, `worker`, `jobs`, `health`: the batch service, its workers and its record (work in job-actions.ts). */
import type { Command } from 'commander';
import type { Output } from './cli-context.js';
import type { HealthFlags } from './health-action.js';
import type { RunJobFlags, ScheduleFlags, WorkerFlags } from './job-actions.js';
import type { JobsFlags } from './jobs-action.js';

const actions = () => import('./job-actions.js');

export function registerJobCommands(program: Command, output: Output): void {
  program
    .command('schedule')
    .description("run the batch service: the configuration file's schedule, catch-up of missed slots, GET /health; SIGTERM stops it")
    .option('--config <path>', 'the configuration file (default: MOMENTUM_CONFIG, else ./momentum.config.json)')
    .option('--health-port <n>', 'port of GET /health (default: schedule.healthPort; 0: any free port)')
    .option('--no-health', 'do not serve GET /health')
    .option('--no-catch-up', 'do not run the slots missed while the service was down')
    .option('--jobs-module <path>', 'also load jobs from a module that exports `jobs` (name -> async (context) => result)')
    .action(async (flags: ScheduleFlags) => (await actions()).scheduleAction(flags, output));

  program
    .command('run-job <name>')
    .description('run a job (or a schedule entry, with its args) once now, recorded in job_runs; exit 1 if it failed, 2 if skipped')
    .option('--config <path>', 'the configuration file (default: MOMENTUM_CONFIG, else ./momentum.config.json)')
    .option('--args <json>', "the job's arguments as a JSON object (default: the schedule entry's, else {})")
    .option('--jobs-module <path>', 'also load jobs from a module that exports `jobs`')
    .option('--json', 'print the run as JSON')
    .action(async (name: string, flags: RunJobFlags) => (await actions()).runJobAction(name, flags, output));

  program
    .command('worker')
    .description(
      'run queued jobs (sweep chunks, per-portfolio rebalances and reports) on this machine, against the PostgreSQL server of DATABASE_URL; SIGTERM stops it',
    )
    .option('--config <path>', 'the configuration file (default: MOMENTUM_CONFIG, else ./momentum.config.json)')
    .option(
      '--queues <names>',
      'which queues to take jobs from, comma-separated: sweep, rebalance, report, api (the HTTP API v1 jobs; default: all)',
    )
    .option('--concurrency <n>', 'jobs of each queue run at once (default 1; a sweep chunk keeps a core busy: run one worker per core)')
    .action(async (flags: WorkerFlags) => (await actions()).workerAction(flags, output));

  program
    .command('jobs')
    .description('recent job runs, newest first: slot, status, counts, error')
    .option('--limit <n>', 'how many (default 20)')
    .option('--job <name>', 'only this job or schedule entry')
    .option('--json', 'print JSON')
    .action(async (flags: JobsFlags) => (await import('./jobs-action.js')).jobsAction(flags, output));

  program
    .command('health')
    .description('ask the running batch service for GET /health (schedule.healthHost and healthPort): exit 0 when healthy, 1 when not')
    .option('--config <path>', 'the configuration file (default: MOMENTUM_CONFIG, else ./momentum.config.json)')
    .option('--worker', "instead: whether a momentum worker on this machine beats in the job queue's table (a worker container's check)")
    .action(async (flags: HealthFlags) => (await import('./health-action.js')).healthAction(flags, output));
}
