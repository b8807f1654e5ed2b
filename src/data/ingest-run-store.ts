/**
 * The ingest_runs record: one row per ingest with totals and status, one row per symbol, and the
 * rejected and flagged rows with their reasons. A run killed mid-way stays 'running'; the next
 * ingest on the same host marks it 'aborted' once its process is gone.
 */
import { hostname } from 'node:os';
import { sql, type Selectable } from 'kysely';
import type { IngestRunsTable } from '../db/schema.js';
import type { Database } from '../db/database.js';
import type { RowIssue } from './validate-bars.js';
import { isProcessAlive } from '../util/process-alive.js';

export type RunStatus = 'running' | 'ok' | 'partial' | 'failed' | 'aborted';

export interface SymbolOutcome {
  readonly symbol: string;
  readonly status: 'ok' | 'failed';
  readonly fetched: number;
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly rejected: readonly RowIssue[];
  readonly flagged: readonly RowIssue[];
  readonly first: number | undefined;
  readonly last: number | undefined;
  readonly notes: readonly string[];
  readonly error: string | undefined;
}

export async function startRun(
  database: Database,
  run: { source: string; interval: string; request: Record<string, unknown> },
): Promise<number> {
  await markAbandonedRuns(database);
  const row = await database.kysely
    .insertInto('ingest_runs')
    .values({
      source: run.source,
      interval: run.interval,
      request: JSON.stringify(run.request),
      status: 'running',
      host: hostname(),
      pid: process.pid,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

const ISSUE_BATCH = 1_000;

export async function recordSymbol(database: Database, runId: number, outcome: SymbolOutcome): Promise<void> {
  await database.kysely.transaction().execute(async (trx) => {
    await trx
      .insertInto('ingest_run_symbols')
      .values({
        run_id: runId,
        symbol: outcome.symbol,
        status: outcome.status,
        fetched: outcome.fetched,
        inserted: outcome.inserted,
        updated: outcome.updated,
        unchanged: outcome.unchanged,
        rejected: outcome.rejected.length,
        flagged: outcome.flagged.length,
        first_ts: outcome.first === undefined ? null : new Date(outcome.first),
        last_ts: outcome.last === undefined ? null : new Date(outcome.last),
        notes: JSON.stringify(outcome.notes),
        error: outcome.error ?? null,
      })
      .execute();
    const issues = [
      ...outcome.rejected.map((i) => ({ ...i, kind: 'rejected' as const })),
      ...outcome.flagged.map((i) => ({ ...i, kind: 'flagged' as const })),
    ];
    for (let start = 0; start < issues.length; start += ISSUE_BATCH) {
      await trx
        .insertInto('ingest_issues')
        .values(
          issues.slice(start, start + ISSUE_BATCH).map((i) => ({
            run_id: runId,
            symbol: outcome.symbol,
            kind: i.kind,
            line: i.line ?? null,
            ts: i.ts ?? null,
            reason: i.reason,
          })),
        )
        .execute();
    }
  });
}

export interface RunTotals {
  readonly symbols_ok: number;
  readonly symbols_failed: number;
  readonly bars_fetched: number;
  readonly bars_inserted: number;
  readonly bars_updated: number;
  readonly bars_unchanged: number;
  readonly bars_rejected: number;
  readonly bars_flagged: number;
}

export function totalsOf(outcomes: readonly SymbolOutcome[]): RunTotals {
  const sum = (f: (o: SymbolOutcome) => number) => outcomes.reduce((acc, o) => acc + f(o), 0);
  return {
    symbols_ok: outcomes.filter((o) => o.status === 'ok').length,
    symbols_failed: outcomes.filter((o) => o.status === 'failed').length,
    bars_fetched: sum((o) => o.fetched),
    bars_inserted: sum((o) => o.inserted),
    bars_updated: sum((o) => o.updated),
    bars_unchanged: sum((o) => o.unchanged),
    bars_rejected: sum((o) => o.rejected.length),
    bars_flagged: sum((o) => o.flagged.length),
  };
}

export function runStatus(totals: RunTotals): Exclude<RunStatus, 'running' | 'aborted'> {
  if (totals.symbols_failed === 0) return 'ok';
  return totals.symbols_ok > 0 ? 'partial' : 'failed';
}

export async function finishRun(database: Database, runId: number, totals: RunTotals, status: RunStatus, error?: string): Promise<void> {
  await database.kysely
    .updateTable('ingest_runs')
    .set({ ...totals, status, error: error ?? null, finished_at: sql`now()` })
    .where('id', '=', runId)
    .execute();
}

/** Runs left 'running' by a process on this host that no longer exists were killed: say so. */
async function markAbandonedRuns(database: Database): Promise<void> {
  const running = await database.kysely
    .selectFrom('ingest_runs')
    .select(['id', 'pid'])
    .where('status', '=', 'running')
    .where('host', '=', hostname())
    .execute();
  const dead = running.filter((r) => r.pid !== process.pid && !isProcessAlive(r.pid)).map((r) => Number(r.id));
  if (dead.length === 0) return;
  await database.kysely
    .updateTable('ingest_runs')
    .set({
      status: 'aborted',
      error: 'the ingest process ended before finishing (killed or crashed); bars it committed are kept',
      finished_at: sql`now()`,
    })
    .where('id', 'in', dead)
    .execute();
}

export interface RunSummary {
  readonly id: number;
  readonly source: string;
  readonly interval: string;
  readonly status: RunStatus;
  readonly started_at: Date;
  readonly finished_at: Date | null;
  readonly totals: RunTotals;
  readonly error: string | null;
}

export async function recentRuns(database: Database, limit = 20): Promise<RunSummary[]> {
  const rows = await database.kysely.selectFrom('ingest_runs').selectAll().orderBy('id', 'desc').limit(limit).execute();
  return rows.map(runSummary);
}

/** One run by id, or undefined when there is none. */
export async function findRun(database: Database, runId: number): Promise<RunSummary | undefined> {
  const row = await database.kysely.selectFrom('ingest_runs').selectAll().where('id', '=', runId).executeTakeFirst();
  return row && runSummary(row);
}

function runSummary(r: Selectable<IngestRunsTable>): RunSummary {
  return {
    id: Number(r.id),
    source: r.source,
    interval: r.interval,
    status: r.status,
    started_at: r.started_at,
    finished_at: r.finished_at,
    error: r.error,
    totals: {
      symbols_ok: r.symbols_ok,
      symbols_failed: r.symbols_failed,
      bars_fetched: r.bars_fetched,
      bars_inserted: r.bars_inserted,
      bars_updated: r.bars_updated,
      bars_unchanged: r.bars_unchanged,
      bars_rejected: r.bars_rejected,
      bars_flagged: r.bars_flagged,
    },
  };
}

/** The rejected and flagged rows of one run, in the order they were recorded. */
export async function runIssues(database: Database, runId: number) {
  return database.kysely
    .selectFrom('ingest_issues')
    .select(['symbol', 'kind', 'line', 'ts', 'reason'])
    .where('run_id', '=', runId)
    .orderBy('id')
    .execute();
}
