/** The simulations table: each out-of-sample run of a stored backtest, with its comparison to the in-sample figures. */
import type { Database } from '../db/database.js';

export interface SimulationValues {
  readonly backtestId: number;
  readonly oosBacktestId: number;
  readonly gateResultId: number;
  readonly allowedOverlap: boolean;
  readonly ignoredGates: boolean;
  readonly comparison: unknown;
}

/** Stores a simulation; returns its id. */
export async function insertSimulation(db: Database, values: SimulationValues): Promise<number> {
  const { id } = await db.kysely
    .insertInto('simulations')
    .values({
      backtest_id: values.backtestId,
      oos_backtest_id: values.oosBacktestId,
      gate_result_id: values.gateResultId,
      allowed_overlap: values.allowedOverlap,
      ignored_gates: values.ignoredGates,
      comparison: JSON.stringify(values.comparison),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(id);
}

/** The stored simulations (of one backtest, when given), newest first. */
export async function simulationRows(db: Database, backtestId?: number) {
  let query = db.kysely.selectFrom('simulations').selectAll().orderBy('id', 'desc');
  if (backtestId !== undefined) query = query.where('backtest_id', '=', backtestId);
  return query.execute();
}

/** One stored simulation by id, or undefined. */
export async function simulationRow(db: Database, id: number) {
  return db.kysely.selectFrom('simulations').selectAll().where('id', '=', id).executeTakeFirst();
}
