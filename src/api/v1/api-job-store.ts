/**
 * The api_jobs table (sql/022_api_jobs.sql): the jobs of the HTTP API v1, one row each. The row is the queue:
 * a runner claims the oldest queued job (`for update skip locked`, so two servers on one database
 * never take the same one), beats while it runs, and records the outcome; a job whose runner
 * stopped beating is marked failed by the next runner that looks. Times are the database's clock.
 */
import { sql } from 'kysely';
import type { Database } from '../../db/database.js';

export const JOB_KINDS = ['backtest', 'simulation', 'sweep', 'portfolio', 'ingest'] as const;
export type JobKind = (typeof JOB_KINDS)[number];
export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface ApiJob {
  readonly id: string;
  readonly kind: JobKind;
  readonly spec: unknown;
  readonly status: JobStatus;
  /** 0..1 */
  readonly progress: number;
  readonly message: string | null;
  /** What the job made, e.g. `{ backtestId: 12 }`; null until it succeeded. */
  readonly result: Record<string, unknown> | null;
  readonly error: string | null;
  readonly createdAt: Date;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
}

const COLUMNS = [
  'id',
  'kind',
  'spec',
  'status',
  'progress',
  'message',
  'result',
  'error',
  'created_at',
  'started_at',
  'finished_at',
] as const;

type Row = {
  id: string;
  kind: string;
  spec: unknown;
  status: JobStatus;
  progress: number;
  message: string | null;
  result: Record<string, unknown> | null;
  error: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
};

function jobOf(row: Row): ApiJob {
  return {
    id: row.id,
    kind: row.kind as JobKind,
    spec: row.spec,
    status: row.status,
    progress: row.progress,
    message: row.message,
    result: row.result,
    error: row.error,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

/** Queues a job; returns it as stored. */
export async function insertJob(db: Database, kind: JobKind, spec: unknown): Promise<ApiJob> {
  const row = await db.kysely
    .insertInto('api_jobs')
    .values({ kind, spec: JSON.stringify(spec), message: 'queued' })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
  return jobOf(row);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Jobs waiting to run. */
export async function queuedJobCount(db: Database): Promise<number> {
  const row = await db.kysely
    .selectFrom('api_jobs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'queued')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The jobs, newest first: `limit` of them after the first `offset`. */
export async function listJobs(db: Database, limit: number, offset: number): Promise<ApiJob[]> {
  const rows = await db.kysely
    .selectFrom('api_jobs')
    .select(COLUMNS)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
  return rows.map(jobOf);
}

/** A job by id; undefined when there is none (an id that is not a UUID included). */
export async function findJob(db: Database, id: string): Promise<ApiJob | undefined> {
  if (!UUID.test(id)) return undefined;
  const row = await db.kysely.selectFrom('api_jobs').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  return row && jobOf(row);
}

/** Takes the oldest queued job for `runner` (running, beating now), or undefined when none waits. */
export async function claimNextJob(db: Database, runner: string): Promise<ApiJob | undefined> {
  const row = await db.kysely
    .updateTable('api_jobs')
    .set({
      status: 'running',
      runner,
      message: 'started',
      started_at: sql<Date>`now()`,
      heartbeat_at: sql<Date>`now()`,
    })
    .where(
      'id',
      '=',
      db.kysely
        .selectFrom('api_jobs')
        .select('id')
        .where('status', '=', 'queued')
        .orderBy('created_at')
        .orderBy('id')
        .limit(1)
        .forUpdate()
        .skipLocked(),
    )
    .where('status', '=', 'queued')
    .returning(COLUMNS)
    .executeTakeFirst();
  return row && jobOf(row);
}

/** Records progress (and that the runner is alive); nothing once the job is no longer this runner's. */
export async function recordProgress(db: Database, id: string, runner: string, progress: number, message: string): Promise<void> {
  await db.kysely
    .updateTable('api_jobs')
    .set({ progress: Math.min(1, Math.max(0, progress)), message, heartbeat_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('runner', '=', runner)
    .where('status', '=', 'running')
    .execute();
}

/** Beats for these jobs of `runner` (those it runs, and those whose outcome it has yet to record). */
export async function beatJobs(db: Database, runner: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.kysely
    .updateTable('api_jobs')
    .set({ heartbeat_at: sql<Date>`now()` })
    .where('runner', '=', runner)
    .where('status', '=', 'running')
    .where('id', 'in', [...ids])
    .execute();
}

/** The outcome of a job this runner ran; false when it was no longer its (marked failed meanwhile). */
export async function finishJob(
  db: Database,
  id: string,
  runner: string,
  outcome: { readonly result: Record<string, unknown> } | { readonly error: string },
): Promise<boolean> {
  const done = 'result' in outcome;
  const updated = await db.kysely
    .updateTable('api_jobs')
    .set({
      status: done ? 'succeeded' : 'failed',
      progress: done ? 1 : sql<number>`progress`,
      message: done ? 'done' : 'failed',
      result: done ? JSON.stringify(outcome.result) : null,
      error: done ? null : outcome.error,
      finished_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('runner', '=', runner)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return updated.numUpdatedRows > 0n;
}

/** The runners of running jobs (to tell which of them are gone). */
export async function runnersOfRunningJobs(db: Database): Promise<string[]> {
  const rows = await db.kysely.selectFrom('api_jobs').select('runner').distinct().where('status', '=', 'running').execute();
  return rows.flatMap((r) => (r.runner === null ? [] : [r.runner]));
}

/**
 * Marks failed the running jobs of other runners that are gone (`gone`: known dead) or not heard
 * from for `staleSeconds` (their server stopped, was killed or crashed while they ran): they are
 * said failed, never lost. Returns their ids.
 */
export async function failAbandonedJobs(
  db: Database,
  runner: string,
  staleSeconds: number,
  gone: readonly string[] = [],
): Promise<string[]> {
  const rows = await db.kysely
    .updateTable('api_jobs')
    .set({
      status: 'failed',
      message: 'failed',
      error:
        'the server running this job stopped before it finished (restarted, killed or crashed); what it stored so far is not linked here: submit it again',
      finished_at: sql<Date>`now()`,
    })
    .where('status', '=', 'running')
    .where('runner', '<>', runner)
    .where((eb) =>
      eb.or([
        eb('heartbeat_at', '<', sql<Date>`now() - make_interval(secs => ${staleSeconds})`),
        ...(gone.length > 0 ? [eb('runner', 'in', [...gone])] : []),
      ]),
    )
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}
