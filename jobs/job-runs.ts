/**
 * The job_runs record and the slot claim.
 *
 * A run starts by claiming its slot: one row per (entry, scheduled_for), so of two replicas that
 * claim the same slot one wins and the other sees it taken. Claims of one entry are serialised by a
 * transaction-scoped advisory lock, which also makes the overlap rule exact: while a run of the entry
 * is 'running' with a live lease (anywhere), a new slot is recorded as 'skipped', never started
 * beside it. The lease (lease_expires_at, on the database's clock) is renewed while the job runs.
 *
 * A 'running' row whose lease lapsed (or whose process is known gone) belongs to a runner that
 * died: `markDead` records it failed, once however many replicas try (the update that finds it
 * still running wins), and `claimRetry` lets the replica that recorded it run the slot again as the
 * next attempt of the same row.
 */
import { sql, type Selectable, type Transaction } from 'kysely';
import type { Database } from '../src/db/database.js';
import type { JobRunsTable, Schema } from '../src/db/schema.js';
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
  readonly pidStart: string | null;
}

export type ClaimOutcome =
  /** This process runs the slot (attempt > 1: again, after the runner of the previous attempt died). */
  | { readonly kind: 'claimed'; readonly id: number; readonly attempt: number }
  /** The slot has a row already: run (or running) elsewhere, or done. */
  | { readonly kind: 'taken'; readonly run: JobRun }
  /** Another run of the entry is still running: the slot is recorded as skipped. */
  | { readonly kind: 'overlap'; readonly running: JobRun; readonly skipped: JobRun };

const lease = (ms: number) => sql<Date>`now() + cast(${ms} as double precision) * interval '1 millisecond'`;

/** @example const outcome = await claimSlot(db, { entry: 'ingest', job: 'ingest', slot, trigger: 'schedule', args: {}, leaseMs: 60_000, host, pid }) */
export async function claimSlot(db: Database, claim: SlotClaim): Promise<ClaimOutcome> {
  return db.kysely.transaction().execute(async (trx) => {
    await lockEntry(trx, claim.entry);
    const existing = await trx
      .selectFrom('job_runs')
      .selectAll()
      .where('entry', '=', claim.entry)
      .where('scheduled_for', '=', claim.slot)
      .executeTakeFirst();
    // Done, running, or a dead runner's (recovered by markDead and claimRetry, never taken over here).
    if (existing) return { kind: 'taken', run: toJobRun(existing) };
    const running = await liveRun(trx, claim.entry);
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
      .values({ ...values, pid_start: claim.pidStart, lease_expires_at: lease(claim.leaseMs), status: 'running' })
      .returning(['id', 'attempt'])
      .executeTakeFirstOrThrow();
    return { kind: 'claimed', id: Number(row.id), attempt: row.attempt };
  });
}

type Executor = Transaction<Schema>;

/** Serialises claims of one entry until the end of the transaction. */
async function lockEntry(trx: Executor, entry: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`job_runs:${entry}`}))`.execute(trx);
}

/** The entry's run that is running with a live lease, if any. */
function liveRun(trx: Executor, entry: string) {
  return trx
    .selectFrom('job_runs')
    .selectAll()
    .where('entry', '=', entry)
    .where('status', '=', 'running')
    .where(sql<boolean>`lease_expires_at > now()`)
    .orderBy('scheduled_for', 'desc')
    .executeTakeFirst();
}

/** A 'running' row: its runner, and whether its lease has lapsed. */
export interface RunningRow {
  readonly run: JobRun;
  readonly lapsed: boolean;
}

/** Every run recorded as running, with whether its lease lapsed (its runner stopped renewing it). */
export async function runningRuns(db: Database): Promise<RunningRow[]> {
  const rows = await db.kysely
    .selectFrom('job_runs')
    .selectAll()
    .select(sql<boolean>`lease_expires_at is null or lease_expires_at <= now()`.as('lapsed'))
    .where('status', '=', 'running')
    .orderBy('scheduled_for')
    .execute();
  return rows.map((row) => ({ run: toJobRun(row), lapsed: Boolean(row.lapsed) }));
}

/**
 * Records a run whose runner died as failed, with `error`; undefined when it is no longer that
 * attempt's running row (it finished, or another replica recorded it first). `lapsedOnly`: only if
 * its lease has lapsed by the database's clock (a runner on another host: its lease is the only word).
 */
export async function markDead(db: Database, run: JobRun, error: string, lapsedOnly: boolean): Promise<JobRun | undefined> {
  let query = db.kysely
    .updateTable('job_runs')
    .set({ status: 'failed', ended_at: sql`now()`, lease_expires_at: null, error })
    .where('id', '=', run.id)
    .where('attempt', '=', run.attempt)
    .where('status', '=', 'running');
  if (lapsedOnly) query = query.where(sql<boolean>`lease_expires_at is null or lease_expires_at <= now()`);
  const row = await query.returningAll().executeTakeFirst();
  return row ? toJobRun(row) : undefined;
}

export type RetryClaim =
  | { readonly kind: 'claimed'; readonly id: number; readonly attempt: number }
  /** Another run of the entry is running: the slot is not run beside it. */
  | { readonly kind: 'overlap'; readonly running: JobRun }
  /** The row is no longer that failed attempt (someone else ran it again, or an operator changed it). */
  | { readonly kind: 'gone' };

/** Claims a dead run's slot again, as the next attempt of its row (after markDead). */
export async function claimRetry(
  db: Database,
  dead: JobRun,
  owner: Pick<SlotClaim, 'leaseMs' | 'host' | 'pid' | 'pidStart'>,
): Promise<RetryClaim> {
  return db.kysely.transaction().execute(async (trx) => {
    await lockEntry(trx, dead.entry);
    const running = await liveRun(trx, dead.entry);
    if (running) return { kind: 'overlap', running: toJobRun(running) };
    const row = await trx
      .updateTable('job_runs')
      .set({
        status: 'running',
        attempt: sql`attempt + 1`,
        started_at: sql`now()`,
        ended_at: null,
        error: null,
        host: owner.host,
        pid: owner.pid,
        pid_start: owner.pidStart,
        lease_expires_at: lease(owner.leaseMs),
      })
      .where('id', '=', dead.id)
      .where('attempt', '=', dead.attempt)
      .where('status', '=', 'failed')
      .returning(['id', 'attempt'])
      .executeTakeFirst();
    return row ? { kind: 'claimed', id: Number(row.id), attempt: row.attempt } : { kind: 'gone' };
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

/** How many slots of an entry have a row in [from, to]. */
export async function countRecordedSlots(db: Database, entry: string, from: Date, to: Date): Promise<number> {
  const row = await db.kysely
    .selectFrom('job_runs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('entry', '=', entry)
    .where('scheduled_for', '>=', from)
    .where('scheduled_for', '<=', to)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Slots (epoch ms) of an entry that have a row in [from, to]: run, running, skipped or failed. */
export async function recordedSlots(db: Database, entry: string, from: Date, to: Date): Promise<Set<number>> {
  const rows = await db.kysely
    .selectFrom('job_runs')
    .select('scheduled_for')
    .where('entry', '=', entry)
    .where('scheduled_for', '>=', from)
    .where('scheduled_for', '<=', to)
    .execute();
  return new Set(rows.map((r) => r.scheduled_for.getTime()));
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
    pidStart: row.pid_start,
  };
}
