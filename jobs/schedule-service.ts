/**
 * The batch service: runs the configured entries on node-cron, once per slot across replicas (the
 * slot claim of job-runs.ts), catches up missed slots at start, serves GET /health, and stops
 * gracefully. Jobs come from a registry given at construction, so the caller decides which exist.
 *
 * - Overlap: node-cron's noOverlap keeps one execution per entry in this process; the claim's rule
 *   (no new slot while a run of the entry is running anywhere) covers catch-up and other replicas.
 *   A slot that overlaps is recorded as skipped.
 * - A slot node-cron reports as missed (the process was blocked past the next slot) runs late.
 * - Dead runs (recover-runs.ts): at start, before catching up, and every half lease, runs whose
 *   runner died are recorded failed (the operator is told) and their slots run again when safe.
 * - stop(): no new slots; running jobs get the grace period, then their signal is aborted, and
 *   those still running a moment later are recorded as failed (interrupted).
 */
import { hostname } from 'node:os';
import { createTask, type ScheduledTask } from 'node-cron';
import type { Environment, MomentumConfig, ScheduleConfig, ScheduleEntry } from '../src/config.js';
import type { Database } from '../src/db/database.js';
import { ConfigError, DatabaseError, errorMessage, InterruptedError, MomentumError } from '../src/errors.js';
import { processStartTime } from '../src/util/process-alive.js';
import { planCatchUp } from './catch-up.js';
import { startHealthServer, type HealthServer } from './health-server.js';
import type { JobLogger, JobRegistry, JobRun, RunTrigger } from './job.js';
import { lastRunPerEntry } from './job-runs.js';
import { recordDeadRuns, retryRefusal } from './recover-runs.js';
import { recordInterrupted, runSlot, type InFlightRun, type RunnerOptions, type SlotOutcome } from './run-slot.js';
import { consoleLogger } from './service-log.js';

export interface ScheduleServiceOptions {
  readonly db: Database;
  readonly env: Environment;
  readonly config: MomentumConfig;
  /** The jobs that entries may name, e.g. `jobRegistry({ rebalance, monitor })` (registry.ts). */
  readonly jobs: JobRegistry;
  /** Default: the configuration file's `schedule` section. */
  readonly schedule?: ScheduleConfig;
  /** Called with every failed run, e.g. to queue an operator email; its errors are logged only. */
  readonly onFailure?: (run: JobRun) => void | Promise<void>;
  readonly log?: JobLogger;
  /** Serve GET /health (default true, on the schedule's healthHost/healthPort; a port here overrides it, 0: any free port). */
  readonly health?: boolean | { readonly host?: string; readonly port?: number };
  /** Run missed slots at start (default true; the window is the schedule's). */
  readonly catchUp?: boolean;
  /** Identity written to job_runs (default: this host and process). */
  readonly host?: string;
  readonly pid?: number;
}

export interface EntryHealth {
  readonly name: string;
  readonly job: string;
  readonly cron: string;
  readonly timezone: string;
  readonly nextSlot: string | null;
  readonly runningHere: boolean;
  readonly lastRun: {
    readonly id: number;
    readonly scheduledFor: string;
    readonly status: JobRun['status'];
    readonly startedAt: string;
    readonly endedAt: string | null;
    readonly host: string;
    readonly pid: number;
    readonly error: string | null;
  } | null;
}

export interface HealthReport {
  readonly status: 'ok' | 'stopping' | 'database-unreachable';
  readonly host: string;
  readonly pid: number;
  readonly startedAt: string | null;
  readonly database: string;
  readonly entries: readonly EntryHealth[];
}

export interface StopSummary {
  /** Runs still going when the grace period ended, recorded as failed. */
  readonly interrupted: readonly JobRun[];
}

export interface ScheduleService {
  /** Validates nothing more (construction did), schedules the entries, starts /health and the catch-up. */
  start(): Promise<void>;
  /** Settles when the start-up catch-up has run (its outcomes, oldest slot first). */
  readonly caughtUp: Promise<readonly SlotOutcome[]>;
  stop(options?: { readonly graceMs?: number }): Promise<StopSummary>;
  health(): Promise<HealthReport>;
  /** `http://127.0.0.1:8787` once started with /health on. */
  readonly healthUrl: string | undefined;
}

const HEALTH_QUERY_TIMEOUT_MS = 3_000;
/** After the grace period and the abort signal, how long jobs get to wind down before they are recorded as interrupted. */
const ABORT_GRACE_MS = 2_000;
/** node-cron drops a tick that fires later than this after its slot; the next slot bounds lateness anyway. */
const LATE_TICK_TOLERANCE_MS = 24 * 3_600_000;

/**
 * Checks the schedule against the jobs: every entry names a known job and its args pass the job's
 * own check. Throws a ConfigError naming the entry.
 */
export function checkSchedule(schedule: ScheduleConfig, jobs: JobRegistry, configPath: string): void {
  schedule.entries.forEach((entry, i) => {
    const where = `invalid configuration ${configPath}: schedule.entries.${i} (${JSON.stringify(entry.name)})`;
    const job = jobs[entry.job];
    if (!job) throw new ConfigError(`${where}: unknown job ${JSON.stringify(entry.job)}; known jobs: ${Object.keys(jobs).join(', ')}`);
    try {
      job.checkArgs?.(entry.args);
    } catch (error) {
      throw new ConfigError(`${where}: args: ${errorMessage(error)}`);
    }
  });
}

/** The configuration's schedule, or a ConfigError saying how to add one. */
export function requireSchedule(config: MomentumConfig): ScheduleConfig {
  if (config.schedule) return config.schedule;
  throw new ConfigError(
    `${config.path} has no "schedule" section; add one, e.g. "schedule": { "entries": [{ "job": "ingest", "cron": "30 22 * * 1-5", "timezone": "America/New_York" }] }`,
  );
}

/**
 * @example
 * const service = createScheduleService({ db, env, config, jobs: jobRegistry(), onFailure: (run) => queueOperatorMail(run) });
 * await service.start(); ...; await service.stop();
 */
export function createScheduleService(options: ScheduleServiceOptions): ScheduleService {
  const schedule = options.schedule ?? requireSchedule(options.config);
  checkSchedule(schedule, options.jobs, options.config.path);
  const log = options.log ?? consoleLogger();
  const abort = new AbortController();
  const runner: RunnerOptions = {
    db: options.db,
    env: options.env,
    config: options.config,
    jobs: options.jobs,
    log,
    leaseMs: schedule.leaseMs,
    signal: abort.signal,
    host: options.host ?? hostname(),
    pid: options.pid ?? process.pid,
    // With another identity given (tests, an embedding), its process is not this one.
    pidStart: options.pid === undefined ? (processStartTime(process.pid) ?? null) : null,
    onFailure: options.onFailure,
    inFlight: new Set<InFlightRun>(),
  };
  const tasks = new Map<string, ScheduledTask>();
  const pending = new Set<Promise<unknown>>();
  let state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  let startedAt: Date | null = null;
  let healthServer: HealthServer | undefined;
  let sweeper: NodeJS.Timeout | undefined;
  let resolveCaughtUp: (outcomes: readonly SlotOutcome[]) => void = () => undefined;
  const caughtUp = new Promise<readonly SlotOutcome[]>((resolve) => (resolveCaughtUp = resolve));

  function track<T>(promise: Promise<T>): Promise<T> {
    pending.add(promise);
    void promise.finally(() => pending.delete(promise)).catch(() => undefined);
    return promise;
  }

  /** The latest slot started in this process per entry, so late slots can wait for it instead of being skipped. */
  const local = new Map<string, Promise<SlotOutcome>>();

  function run(entry: ScheduleEntry, slot: Date, trigger: RunTrigger, retryOf?: JobRun): Promise<SlotOutcome> {
    const request = { entry: entry.name, job: entry.job, args: entry.args, slot, trigger, ...(retryOf ? { retryOf } : {}) };
    const outcome = track(runSlot(runner, request));
    local.set(entry.name, outcome);
    void outcome.finally(() => local.get(entry.name) === outcome && local.delete(entry.name));
    return outcome;
  }

  /** A missed slot: after this process's own run of the entry ends (a slot that overlaps a run elsewhere is still skipped). */
  async function runMissed(entry: ScheduleEntry, slot: Date): Promise<SlotOutcome> {
    for (let busy = local.get(entry.name); busy; busy = local.get(entry.name)) await busy;
    return run(entry, slot, 'catch-up');
  }

  /** Dead runs recorded failed and, where safe, their slots run again (after this process's own run of the entry). */
  let recovering: Promise<void> | undefined;
  /** The dead runs found at start, recorded (what the first ticks wait for). */
  let startupRecovery: Promise<void> = Promise.resolve();
  function recover(): Promise<void> {
    recovering ??= track(
      (async () => {
        try {
          for (const dead of await recordDeadRuns(runner)) {
            const entry = schedule.entries.find((e) => e.name === dead.entry);
            const refusal = retryRefusal(dead, entry, options.jobs);
            if (refusal || !entry) log.warn(`${dead.entry} ${dead.scheduledFor.toISOString()}: not run again: ${refusal}`);
            else void track(runAgain(entry, dead));
          }
        } catch (error) {
          log.error(`looking for runs whose runner died failed: ${errorMessage(error)}; trying again shortly`);
        } finally {
          recovering = undefined;
        }
      })(),
    );
    return recovering;
  }

  async function runAgain(entry: ScheduleEntry, dead: JobRun): Promise<void> {
    for (let busy = local.get(entry.name); busy; busy = local.get(entry.name)) await busy;
    if (state === 'running') await run(entry, dead.scheduledFor, dead.trigger, dead);
  }

  function scheduleEntry(entry: ScheduleEntry): ScheduledTask {
    // A tick waits for the start-up recovery: a slot due while a dead run of this host is being
    // recorded would otherwise be skipped against it ("still running").
    const tick = (date: Date) => startupRecovery.then(() => (state === 'running' ? run(entry, date, 'schedule') : undefined));
    const task = createTask(entry.cron, (context) => (state === 'running' ? tick(context.date) : undefined), {
      name: `momentum:${entry.name}`,
      timezone: entry.timezone,
      noOverlap: true,
      missedExecutionTolerance: LATE_TICK_TOLERANCE_MS,
      logger: { info: () => undefined, warn: () => undefined, debug: () => undefined, error: () => undefined },
    });
    // Blocked by noOverlap: record the slot as skipped (the claim sees the running row and says so).
    task.on('execution:overlap', (context) => void (state === 'running' && run(entry, context.date, 'schedule')));
    // The process was blocked past the next slot (a long pause, a suspended machine): run the missed slot late rather than never.
    task.on('execution:missed', (context) => {
      if (state === 'running') runLate(entry, context.date);
    });
    return task;
  }

  /** Missed slots of an entry, run one after another; after a long pause only the `catchUpLimit` most recent. */
  const late = new Map<string, Date[]>();
  function runLate(entry: ScheduleEntry, slot: Date): void {
    const queue = late.get(entry.name);
    if (queue) return void queue.push(slot);
    const slots = [slot];
    late.set(entry.name, slots);
    void track(
      (async () => {
        // Let node-cron report every slot of this beat before choosing.
        await new Promise((resolve) => setImmediate(resolve));
        while (slots.length > 0 && state === 'running') {
          const batch = slots.splice(0);
          const kept = batch.slice(-Math.max(1, schedule.catchUpLimit));
          if (kept.length < batch.length) log.warn(`${entry.name}: ${batch.length - kept.length} missed slot(s) given up (catchUpLimit)`);
          for (const missed of kept) if (state === 'running') await runMissed(entry, missed);
        }
        late.delete(entry.name);
      })(),
    );
  }

  async function catchUp(): Promise<readonly SlotOutcome[]> {
    const outcomes: SlotOutcome[] = [];
    try {
      const plan = await planCatchUp(options.db, schedule, Date.now(), { stopped: () => state !== 'running' });
      for (const [entry, { count, notCountedBefore }] of plan.dropped) {
        const uncounted = notCountedBefore ? `, nor any before ${notCountedBefore.toISOString()} (not counted)` : '';
        log.warn(`${entry}: ${count} older missed slot(s) not caught up (catchUpLimit)${uncounted}`);
      }
      if (plan.slots.length > 0) log.info(`catching up ${plan.slots.length} missed slot(s), oldest first`);
      for (const missed of plan.slots) {
        if (state !== 'running') break;
        outcomes.push(await runMissed(missed.entry, missed.slot));
      }
    } catch (error) {
      log.error(`catch-up failed: ${errorMessage(error)}; missed slots run at the next start`);
    }
    return outcomes;
  }

  async function health(): Promise<HealthReport> {
    const names = schedule.entries.map((e) => e.name);
    let database = 'ok';
    let last = new Map<string, JobRun>();
    try {
      last = await withTimeout(lastRunPerEntry(options.db, names), HEALTH_QUERY_TIMEOUT_MS);
    } catch (error) {
      database = `unreachable: ${errorMessage(error)}`;
    }
    const running = new Set([...runner.inFlight].map((r) => r.request.entry));
    const entries = schedule.entries.map((entry): EntryHealth => {
      const run = last.get(entry.name);
      const next = state === 'running' ? tasks.get(entry.name)?.getNextRun() : null;
      return {
        name: entry.name,
        job: entry.job,
        cron: entry.cron,
        timezone: entry.timezone,
        nextSlot: next ? next.toISOString() : null,
        runningHere: running.has(entry.name),
        lastRun: run
          ? {
              id: run.id,
              scheduledFor: run.scheduledFor.toISOString(),
              status: run.status,
              startedAt: run.startedAt.toISOString(),
              endedAt: run.endedAt?.toISOString() ?? null,
              host: run.host,
              pid: run.pid,
              error: run.error,
            }
          : null,
      };
    });
    const status = state !== 'running' ? 'stopping' : database === 'ok' ? 'ok' : 'database-unreachable';
    return { status, host: runner.host, pid: runner.pid, startedAt: startedAt?.toISOString() ?? null, database, entries };
  }

  const service: ScheduleService = {
    caughtUp,
    get healthUrl() {
      return healthServer?.url;
    },
    async start() {
      if (state !== 'new') throw new MomentumError('the schedule service was started already: a service starts once');
      if (options.health !== false) {
        const chosen = typeof options.health === 'object' ? options.health : {};
        const host = chosen.host ?? schedule.healthHost;
        const port = chosen.port ?? schedule.healthPort;
        try {
          healthServer = await startHealthServer(host, port, async () => {
            const report = await health();
            return { healthy: report.status === 'ok', body: report };
          });
        } catch (error) {
          throw new ConfigError(
            `cannot serve GET /health on ${host}:${port}: ${errorMessage(error)}; set schedule.healthPort to a free port (or --health-port)`,
          );
        }
      }
      state = 'running';
      startedAt = new Date();
      // Dead runs first (a restart's own included, whatever the window), so neither catch-up slots
      // nor the first ticks are skipped against them.
      startupRecovery = recover();
      for (const entry of schedule.entries) {
        const task = scheduleEntry(entry);
        tasks.set(entry.name, task);
        await task.start();
      }
      // Catch-up is taken after the tasks started, so no slot falls between catch-up and the first
      // tick (a slot both see is claimed once).
      const outcomes = track(startupRecovery.then(() => (options.catchUp === false ? [] : catchUp())));
      void outcomes.then(resolveCaughtUp, () => resolveCaughtUp([]));
      sweeper = setInterval(() => state === 'running' && void recover(), Math.max(1_000, Math.floor(schedule.leaseMs / 2)));
      sweeper.unref();
    },
    async stop(stopOptions = {}) {
      if (state === 'stopped' || state === 'stopping') return { interrupted: [] };
      if (state === 'new') resolveCaughtUp([]);
      state = 'stopping';
      clearInterval(sweeper);
      for (const task of tasks.values()) await task.destroy();
      const graceMs = stopOptions.graceMs ?? schedule.shutdownGraceMs;
      let interrupted: JobRun[] = [];
      if (!(await settleWithin([...pending], graceMs))) {
        log.warn(`jobs still running after the ${Math.round(graceMs / 1000)} s grace period: asking them to stop`);
        abort.abort(new InterruptedError('the schedule service is stopping'));
        if (!(await settleWithin([...pending], ABORT_GRACE_MS))) interrupted = await recordInterrupted(runner, graceMs);
      }
      await healthServer?.close();
      state = 'stopped';
      return { interrupted };
    },
    health,
  };
  return service;
}

/** True when every promise settled within `ms`. */
async function settleWithin(promises: readonly Promise<unknown>[], ms: number): Promise<boolean> {
  if (promises.length === 0) return true;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const settled = Promise.allSettled(promises).then(() => true as const);
  try {
    return await Promise.race([settled, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The query's answer, or a DatabaseError when the database does not answer within `ms`. */
function withTimeout<T>(query: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new DatabaseError(`the database did not answer within ${ms / 1000} s`)), ms)),
  );
  return Promise.race([query, timeout]).finally(() => clearTimeout(timer));
}
