/**
 * The job queue: pg-boss on the PostgreSQL server, in its own schema (`pgboss`, created by the
 * first process that opens the queue). This module is the only one that knows pg-boss; the rest
 * see named queues, plain job data and the few states they wait on. Delivery is at least once: a
 * job whose worker died is failed when it expires and run again, so every handler is idempotent.
 */
import { createHash } from 'node:crypto';
import PgBoss from 'pg-boss';
import type { JobsConfig } from '../../src/config.js';
import type { Database } from '../../src/db/database.js';
import { ConfigError, errorMessage } from '../../src/errors.js';

export const QUEUE_NAMES = ['sweep', 'rebalance', 'report'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** pg-boss's schema: apart from the project's tables, migrated by pg-boss itself. */
export const QUEUE_SCHEMA = 'pgboss';

/** What runs a query in the caller's transaction (pg-boss's `db` option): a job sent with it is queued only if the transaction commits. */
export interface QueueConnection {
  executeSql(text: string, values: unknown[]): Promise<{ rows: unknown[] }>;
}

export interface QueuedJob<T> {
  readonly id: string;
  readonly data: T;
}

export interface JobStates {
  readonly created: number;
  readonly retry: number;
  readonly active: number;
  readonly completed: number;
  readonly cancelled: number;
  readonly failed: number;
  /** The error of each job failed for good (its retries spent). */
  readonly errors: readonly string[];
}

/** Runs one job of a queue (the queue at hand, to queue what follows); what it did, for the worker's log. */
export type JobHandler = (job: QueuedJob<never>, queue: JobQueue) => Promise<string>;

export interface JobQueue {
  /** Queues jobs; an id already queued is skipped (ids derived from what a job does make sending twice harmless). */
  send<T extends object>(queue: QueueName, jobs: readonly QueuedJob<T>[], connection?: QueueConnection): Promise<void>;
  /** Runs `handler` on jobs of `queue`, `concurrency` at a time; a handler that throws fails its job (run again up to the retry limit). */
  work<T>(queue: QueueName, concurrency: number, handler: (job: QueuedJob<T>) => Promise<unknown>): Promise<void>;
  /** The states of these jobs of `queue` (those archived long after they ended are not counted). */
  states(queue: QueueName, ids: readonly string[]): Promise<JobStates>;
  /** Stops taking jobs; running ones get `graceMs` to finish, then are failed, to be run again by another worker. */
  stop(graceMs: number): Promise<void>;
}

/**
 * Why the queue needs a server, and what to do: the message of every refusal on the embedded engine.
 * `what` names the refused command.
 */
export function embeddedRefusal(what: string, local: string): string {
  return (
    `${what} needs a PostgreSQL server: the job queue (pg-boss) lives in the database that every worker shares, and the ` +
    `embedded engine (PGlite, used because DATABASE_URL is unset) serves one machine. ${local} ` +
    'Switch when one machine is not enough: set DATABASE_URL to a PostgreSQL or TimescaleDB server that every machine reaches, ' +
    'then start `momentum worker` on each.'
  );
}

/** A job id made from a key (a UUID's shape of its SHA-256): the same work gets the same id, so queueing it twice queues it once. */
export function jobId(key: string): string {
  const hex = createHash('sha256').update(key).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Opens the queue on the database's server (creating pg-boss's schema and the named queues when
 * missing). `worker`: this process runs jobs, so it also takes its turn at maintenance (expiring
 * the jobs of dead workers).
 * @example const queue = await openJobQueue(db, env.databaseUrl, config.jobs, { worker: true })
 */
export async function openJobQueue(
  db: Database,
  url: string | undefined,
  settings: JobsConfig,
  options: { readonly worker: boolean; readonly onError?: (error: Error) => void },
): Promise<JobQueue> {
  if (db.engine !== 'postgres') throw new ConfigError(embeddedRefusal('the job queue', 'Sweeps run on local threads there.'));
  if (!url) throw new ConfigError('the job queue needs DATABASE_URL, the server the database was opened on');
  const boss = new PgBoss({
    connectionString: url,
    schema: QUEUE_SCHEMA,
    application_name: 'momentum-queue',
    max: 4,
    supervise: options.worker,
    maintenanceIntervalSeconds: settings.maintenanceSeconds,
    schedule: false,
    migrate: true,
    expireInSeconds: settings.expireSeconds,
    retryLimit: settings.retryLimit,
    retryDelay: 0,
    pollingIntervalSeconds: settings.pollSeconds,
  });
  // pg-boss reports a lost connection or a failed poll here and goes on; unheard, it would end the process.
  boss.on('error', (error) => options.onError?.(error));
  await boss.start();
  for (const name of QUEUE_NAMES) await ensureQueue(boss, name);
  const pollingIntervalSeconds = settings.pollSeconds;
  return {
    async send(queue, jobs, connection) {
      if (jobs.length === 0) return;
      await boss.insert(
        jobs.map((job) => ({
          id: job.id,
          name: queue,
          data: job.data,
          expireInSeconds: settings.expireSeconds,
          retryLimit: settings.retryLimit,
          retryDelay: 0,
        })),
        connection ? { db: connection as PgBoss.Db } : {},
      );
    },
    async work(queue, concurrency, handler) {
      for (let i = 0; i < concurrency; i++) {
        // pg-boss sleeps a polling interval after each job: a worker that just finished one asks again at once.
        let id = '';
        id = await boss.work<object>(queue, { batchSize: 1, pollingIntervalSeconds }, async ([job]) => {
          try {
            return await handler({ id: job!.id, data: job!.data as never });
          } finally {
            boss.notifyWorker(id);
          }
        });
      }
    },
    async states(queue, ids) {
      const { rows } = (await boss.getDb().executeSql(
        `select state, count(*)::int as n, array_agg(coalesce(output->>'message', output->'value'->>'message')) filter (where state = 'failed') as errors
           from ${QUEUE_SCHEMA}.job where name = $1 and id = any($2::uuid[]) group by state`,
        [queue, ids],
      )) as { rows: { state: keyof Omit<JobStates, 'errors'>; n: number; errors: (string | null)[] | null }[] };
      const states = { created: 0, retry: 0, active: 0, completed: 0, cancelled: 0, failed: 0 };
      for (const row of rows) states[row.state] = row.n;
      const errors = rows.flatMap((row) => row.errors ?? []).map((e) => e ?? 'unknown error');
      return { ...states, errors };
    },
    async stop(graceMs) {
      await boss.stop({ graceful: true, timeout: graceMs, wait: true });
    },
  };
}

/** Creates a named queue unless it exists; another process creating it at the same moment is fine. */
async function ensureQueue(boss: PgBoss, name: QueueName): Promise<void> {
  if (await boss.getQueue(name)) return;
  try {
    await boss.createQueue(name, { name, policy: 'standard' });
  } catch (error) {
    if (!(await boss.getQueue(name))) throw new ConfigError(`cannot create the job queue ${name}: ${errorMessage(error)}`);
  }
}
