/**
 * The job_runs record and the slot claim.
 *
 * A run starts by claiming its slot: one row per (entry, scheduled_for), so of two replicas that
 * claim the same slot one wins and the other sees it taken. Claims of one entry are serialised by a
 * transaction-scoped advisory lock, which also makes the overlap rule exact: while a run of the entry
 * is 'running' with a live lease (anywhere), a new slot is recorded as 'skipped', never started
 * beside it. The lease (lease_expires_at, on the database's clock) is renewed while the job runs; a
 * 'running' row whose lease lapsed belongs to a dead process and its slot may be taken over.
 */
import { sql, type Selectable } from 'kysely';
import type { Database } from '../src/db/database.js';
import type { JobRunsTable } from '../src/db/schema.js';
import type { JobRun, RunStatus, RunTrigger } from './job.js';

export interface SlotClaim {
  readonly entry: string;
  readonly job: string;
  readonly slot: Date;
  readonly trigger: RunTrigger;
  readonly args: Readonly<Record<string, unknown>>;
  readonly leaseMs: number;
  readonly host: string;
  readonly pid: number;
}

export type ClaimOutcome =
  /** This process runs the slot (attempt > 1: taken over from a process whose lease lapsed). */
  | { readonly kind: 'claimed'; readonly id: number; readonly attempt: number }
  /** The slot has a row already: run (or running) elsewhere, or done. */
  | { readonly kind: 'taken'; readonly run: JobRun }
  /** Another run of the entry is still running: the slot is recorded as skipped. */
  | { readonly kind: 'overlap'; readonly running: JobRun; readonly skipped: JobRun };

const lease = (ms: number) => sql<Date>`now() + cast(${ms} as double precision) * interval '1 millisecond'`;

/** @example const outcome = await claimSlot(db, { entry: 'ingest', job: 'ingest', slot, trigger: 'schedule', args: {}, leaseMs: 60_000, host, pid }) */
export async function claimSlot(db: Database, claim: SlotClaim): Promise<ClaimOutcome> {
  return db.kysely.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`job_runs:${claim.entry}`}))`.execute(trx);
    const live = sql<boolean>`lease_expires_at > now()`;
    const existing = await trx
      .selectFrom('job_runs')
      .selectAll()
      .select(live.as('live'))
      .where('entry', '=', claim.entry)
      .where('scheduled_for', '=', claim.slot)
      .executeTakeFirst();
    const owner = { host: claim.host, pid: claim.pid, lease_expires_at: lease(claim.leaseMs) };
    if (existing) {
      if (existing.status !== 'running' || existing.live) return { kind: 'taken', run: toJobRun(existing) };
      const row = await trx
        .updateTable('job_runs')
        .set({
          ...owner,
          trigger: claim.trigger,
          started_at: sql`now()`,
          attempt: sql`attempt + 1`,
          args: JSON.stringify(claim.args),
          error: null,
        })
        .where('id', '=', existing.id)
        .returning(['id', 'attempt'])
        .executeTakeFirstOrThrow();
      return { kind: 'claimed', id: Number(row.id), attempt: row.attempt };
    }
    const running = await trx
      .selectFrom('job_runs')
      .selectAll()
      .where('entry', '=', claim.entry)
      .where('status', '=', 'running')
      .where(live)
      .orderBy('scheduled_for', 'desc')
      .executeTakeFirst();
    const values = {
      entry: claim.entry,
      job: claim.job,
      scheduled_for: claim.slot,
      trigger: claim.trigger,
      args: JSON.stringify(claim.args),
      counts: '{}',
      notes: '[]',
      host: claim.host,
      pid: claim.pid,
    };
    if (running) {
      const skipped = await trx
        .insertInto('job_runs')
        .values({
          ...values,
          status: 'skipped',
          ended_at: sql`now()`,
          error: `the run of slot ${running.scheduled_for.toISOString()} (${running.host}:${running.pid}) was still running`,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return { kind: 'overlap', running: toJobRun(running), skipped: toJobRun(skipped) };
    }
    const row = await trx
      .insertInto('job_runs')
      .values({ ...values, ...owner, status: 'running' })
      .returning(['id', 'attempt'])
      .executeTakeFirstOrThrow();
    return { kind: 'claimed', id: Number(row.id), attempt: row.attempt };
  });
}

/** Extends a running claim; false when the run is no longer this attempt's (taken over, or finished). */
export async function renewLease(db: Database, id: number, attempt: number, leaseMs: number): Promise<boolean> {
  const result = await db.kysely
    .updateTable('job_runs')
    .set({ lease_expires_at: lease(leaseMs) })
    .where('id', '=', id)
    .where('attempt', '=', attempt)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export interface RunOutcome {
  readonly status: Exclude<RunStatus, 'running' | 'skipped'>;
  readonly counts: Readonly<Record<string, number>>;
  readonly notes: readonly string[];
  readonly error: string | null;
}

/** Records how a claimed run ended; undefined when the claim was lost meanwhile (another attempt owns the row). */
export async function finishRun(db: Database, id: number, attempt: number, outcome: RunOutcome): Promise<JobRun | undefined> {
  const row = await db.kysely
    .updateTable('job_runs')
    .set({
      status: outcome.status,
      ended_at: sql`now()`,
      lease_expires_at: null,
      counts: JSON.stringify(outcome.counts),
      notes: JSON.stringify(outcome.notes),
      error: outcome.error,
    })
    .where('id', '=', id)
    .where('attempt', '=', attempt)
    .where('status', '=', 'running')
    .returningAll()
    .executeTakeFirst();
  return row ? toJobRun(row) : undefined;
}

export interface RunFilter {
  readonly limit?: number;
  /** Only this entry (or job) name. */
  readonly name?: string;
}

/** The most recent runs, newest first. */
export async function recentJobRuns(db: Database, filter: RunFilter = {}): Promise<JobRun[]> {
  let query = db.kysely.selectFrom('job_runs').selectAll();
  if (filter.name) query = query.where((eb) => eb.or([eb('entry', '=', filter.name!), eb('job', '=', filter.name!)]));
  const rows = await query
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit ?? 20)
    .execute();
  return rows.map(toJobRun);
}

/** The latest slot's run of each entry (by scheduled time). */
export async function lastRunPerEntry(db: Database, entries: readonly string[]): Promise<Map<string, JobRun>> {
  if (entries.length === 0) return new Map();
  const rows = await db.kysely
    .selectFrom('job_runs')
    .distinctOn('entry')
    .selectAll()
    .where('entry', 'in', entries)
    .orderBy('entry')
    .orderBy('scheduled_for', 'desc')
    .execute();
  return new Map(rows.map((r) => [r.entry, toJobRun(r)]));
}

/** Slots of an entry that have a row in [from, to], and whether that row is a lapsed claim (a dead process's). */
export async function recordedSlots(db: Database, entry: string, from: Date, to: Date): Promise<Map<number, { lapsed: boolean }>> {
  const rows = await db.kysely
    .selectFrom('job_runs')
    .select(['scheduled_for', sql<boolean>`status = 'running' and lease_expires_at <= now()`.as('lapsed')])
    .where('entry', '=', entry)
    .where('scheduled_for', '>=', from)
    .where('scheduled_for', '<=', to)
    .execute();
  return new Map(rows.map((r) => [r.scheduled_for.getTime(), { lapsed: Boolean(r.lapsed) }]));
}

export function toJobRun(row: Selectable<JobRunsTable>): JobRun {
  return {
    id: Number(row.id),
    entry: row.entry,
    job: row.job,
    scheduledFor: row.scheduled_for,
    trigger: row.trigger,
    status: row.status,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    attempt: row.attempt,
    args: row.args,
    counts: row.counts,
    notes: row.notes,
    error: row.error,
    host: row.host,
    pid: row.pid,
  };
}
