/** The gate_results table: one row per verdict, with the thresholds, checks and statistics it was judged by. */
import type { Database } from '../db/database.js';

export interface GateResultValues {
  readonly backtestId: number;
  readonly sweepId: number | null;
  readonly gateSet: string;
  readonly thresholds: unknown;
  readonly passed: boolean;
  readonly checks: unknown;
  readonly statistics: unknown;
}

/** Stores a verdict; returns its id and the time it was evaluated. */
export async function insertGateResult(db: Database, values: GateResultValues): Promise<{ id: number; evaluatedAt: Date }> {
  const row = await db.kysely
    .insertInto('gate_results')
    .values({
      backtest_id: values.backtestId,
      sweep_id: values.sweepId,
      gate_set: values.gateSet,
      thresholds: JSON.stringify(values.thresholds),
      passed: values.passed,
      checks: JSON.stringify(values.checks),
      statistics: JSON.stringify(values.statistics),
    })
    .returning(['id', 'evaluated_at'])
    .executeTakeFirstOrThrow();
  return { id: Number(row.id), evaluatedAt: row.evaluated_at };
}

/** Every verdict of these backtests, by backtest, newest first within each. */
export async function gateResultRows(db: Database, backtestIds: readonly number[]) {
  return db.kysely
    .selectFrom('gate_results')
    .selectAll()
    .where('backtest_id', 'in', backtestIds)
    .orderBy('backtest_id')
    .orderBy('id', 'desc')
    .execute();
}
