/**
 * The job_workers table: each running `momentum worker` beats here (and removes its row when it
 * stops), so whoever queues work can tell whether anyone will take it. A worker killed without
 * stopping leaves its row behind, stale after STALE_SECONDS.
 */
import { sql } from 'kysely';
import type { Database } from '../../src/db/database.js';

/** How often a worker beats. */
export const HEARTBEAT_MS = 5_000;
/** A worker not seen for this long is taken for gone (a few beats: a long chunk holds the beat back). */
export const STALE_SECONDS = 30;

export interface WorkerIdentity {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly queues: readonly string[];
  readonly concurrency: number;
}

/** Records that this worker is alive now. */
export async function beat(db: Database, worker: WorkerIdentity): Promise<void> {
  await db.kysely
    .insertInto('job_workers')
    .values({ ...worker, queues: JSON.stringify(worker.queues), seen_at: sql<Date>`now()` })
    .onConflict((oc) => oc.column('id').doUpdateSet({ seen_at: sql<Date>`now()` }))
    .execute();
}

export async function removeWorker(db: Database, id: string): Promise<void> {
  await db.kysely.deleteFrom('job_workers').where('id', '=', id).execute();
}

/** Workers of `queue` seen within STALE_SECONDS (by the server's clock). */
export async function liveWorkers(db: Database, queue: string): Promise<{ host: string; pid: number; concurrency: number }[]> {
  return db.kysely
    .selectFrom('job_workers')
    .select(['host', 'pid', 'concurrency'])
    .where(sql<boolean>`queues @> ${JSON.stringify([queue])}::jsonb`)
    .where('seen_at', '>', sql<Date>`now() - make_interval(secs => ${STALE_SECONDS})`)
    .orderBy('started_at')
    .execute();
}

/** Live workers on one host (a container's health check). */
export async function liveWorkersOn(db: Database, host: string): Promise<{ pid: number; queues: string[]; seenSecondsAgo: number }[]> {
  const rows = await db.kysely
    .selectFrom('job_workers')
    .select(['pid', 'queues', sql<number>`round(extract(epoch from now() - seen_at))::int`.as('ago')])
    .where('host', '=', host)
    .where('seen_at', '>', sql<Date>`now() - make_interval(secs => ${STALE_SECONDS})`)
    .orderBy('started_at')
    .execute();
  return rows.map((row) => ({ pid: row.pid, queues: row.queues, seenSecondsAgo: row.ago }));
}

export interface QueueCounts {
  /** pg-boss's schema version; null when no process has opened the queue yet. */
  readonly version: number | null;
  /** Jobs per queue and state (pg-boss's job table, not its archive). */
  readonly jobs: readonly { readonly queue: string; readonly state: string; readonly count: number }[];
  readonly liveWorkers: number;
}

/** What `momentum db status` says of the queue (PostgreSQL only), read from pg-boss's own tables. */
export async function queueCounts(db: Database, schema: string): Promise<QueueCounts> {
  const exists = async (table: string) =>
    (await sql<{ t: string | null }>`select to_regclass(${table})::text as t`.execute(db.kysely)).rows[0]!.t !== null;
  const workers = (await exists('job_workers'))
    ? (
        await sql<{ n: number }>`select count(*)::int as n from job_workers
          where seen_at > now() - make_interval(secs => ${STALE_SECONDS})`.execute(db.kysely)
      ).rows[0]!.n
    : 0;
  if (!(await exists(`${schema}.version`))) return { version: null, jobs: [], liveWorkers: workers };
  const version = await sql<{ version: number }>`select version from ${sql.table(`${schema}.version`)}`.execute(db.kysely);
  const jobs = await sql<{ queue: string; state: string; count: number }>`
    select name as queue, state::text as state, count(*)::int as count from ${sql.table(`${schema}.job`)}
    group by name, state order by name, state`.execute(db.kysely);
  return { version: version.rows[0]?.version ?? null, jobs: jobs.rows, liveWorkers: workers };
}
