/**
 * The trial registry in the database (owner of trial_families and trials; what is counted:
 * trial-registry.ts). Runs are recorded in the caller's transaction, with the backtests they stored.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { Schema } from '../db/schema.js';
import { DataError } from '../errors.js';
import { configKey, familyKey, type TrialFamilyIdentity, type TrialRun, type TrialSource } from './trial-registry.js';

export interface StoredTrialFamily extends TrialFamilyIdentity {
  readonly id: number;
  /** N: the configurations tried in the family. */
  readonly trials: number;
  /** Every run of them, re-runs included. */
  readonly runs: number;
  readonly createdAt: Date;
}

export interface StoredTrial {
  readonly id: number;
  readonly familyId: number;
  readonly configKey: string;
  readonly strategy: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** Per-period Sharpe ratio of the latest run (0 for constant returns). */
  readonly sharpe: number;
  readonly observations: number;
  readonly constantReturns: boolean;
  readonly backtestId: number | null;
  readonly source: TrialSource;
  readonly runs: number;
  readonly lastRunAt: Date;
}

/** Rows a statement: 13 parameters each, far below PostgreSQL's 65,535. */
const BATCH = 2_000;

/**
 * Records runs: a new configuration adds a trial to its family (created on first use); a known one
 * counts one more run and keeps its latest Sharpe ratio and backtest. `onlyNew` records only what the
 * registry has not seen (backtests stored before it), never counting a run twice.
 * @example await recordTrials(trx, [trialRun(outcome.spec, outcome, { source: 'backtest', backtestId })])
 */
export async function recordTrials(db: Kysely<Schema>, runs: readonly TrialRun[], options: { onlyNew?: boolean } = {}): Promise<void> {
  if (runs.length === 0) return;
  const families = new Map(runs.map((run) => [familyKey(run.family), run.family]));
  const ids = new Map<string, number>();
  for (const [key, family] of families) {
    const row = await db
      .insertInto('trial_families')
      .values({
        family_key: key,
        kind: family.kind,
        name: family.name,
        universe: family.universe,
        symbols: JSON.stringify(family.symbols),
        symbols_key: symbolsKey(family.symbols),
        interval: family.interval,
        period_from: family.periodFrom,
        period_to: family.periodTo,
      })
      // A no-op update, so that the row comes back whether it was new or not.
      .onConflict((oc) => oc.column('family_key').doUpdateSet({ family_key: (eb) => eb.ref('excluded.family_key') }))
      .returning('id')
      .executeTakeFirstOrThrow();
    ids.set(key, Number(row.id));
  }
  // One row per trial: the same configuration twice in one statement counts as two runs.
  const rows = new Map<string, { run: TrialRun; familyId: number; key: string; count: number }>();
  for (const run of runs) {
    const familyId = ids.get(familyKey(run.family))!;
    const key = configKey(run.config);
    const known = rows.get(`${familyId}:${key}`);
    rows.set(`${familyId}:${key}`, { run, familyId, key, count: (known?.count ?? 0) + 1 });
  }
  const values = [...rows.values()].map(({ run, familyId, key, count }) => ({
    family_id: familyId,
    config_key: key,
    strategy: run.config.strategy,
    config: JSON.stringify(run.config),
    sharpe: run.sharpe,
    observations: run.observations,
    constant_returns: run.constantReturns,
    backtest_id: run.backtestId,
    source: run.source,
    runs: count,
  }));
  for (let i = 0; i < values.length; i += BATCH) {
    await db
      .insertInto('trials')
      .values(values.slice(i, i + BATCH))
      .onConflict((oc) => {
        const target = oc.columns(['family_id', 'config_key']);
        return options.onlyNew
          ? target.doNothing()
          : target.doUpdateSet({
              runs: sql<number>`trials.runs + excluded.runs`,
              sharpe: (eb) => eb.ref('excluded.sharpe'),
              observations: (eb) => eb.ref('excluded.observations'),
              constant_returns: (eb) => eb.ref('excluded.constant_returns'),
              backtest_id: sql<number | null>`coalesce(excluded.backtest_id, trials.backtest_id)`,
              last_run_at: sql<Date>`now()`,
            });
      })
      .execute();
  }
}

/** Every family (with its counts) whose trials include this configuration on this universe, interval and period. */
export async function familiesWithConfig(db: Database, family: TrialFamilyIdentity, config: string): Promise<StoredTrialFamily[]> {
  const rows = await familyQuery(db)
    .where('f.id', 'in', (eb) =>
      eb
        .selectFrom('trials as t')
        .innerJoin('trial_families as g', 'g.id', 't.family_id')
        .select('g.id')
        .where('t.config_key', '=', config)
        .where('g.symbols_key', '=', symbolsKey(family.symbols))
        .where('g.interval', '=', family.interval)
        .where('g.period_from', '=', family.periodFrom)
        .where('g.period_to', '=', family.periodTo),
    )
    .execute();
  return rows.map(toFamily);
}

/**
 * The other families of the same strategy, universe and interval whose periods overlap this one's:
 * research on the same data that this family's count does not include (a period shifted by a day is
 * a family of its own).
 */
export async function overlappingFamilies(db: Database, family: StoredTrialFamily): Promise<StoredTrialFamily[]> {
  const rows = await familyQuery(db)
    .where('f.id', '!=', family.id)
    .where('f.kind', '=', family.kind)
    .where('f.name', '=', family.name)
    .where('f.symbols_key', '=', symbolsKey(family.symbols))
    .where('f.interval', '=', family.interval)
    .where('f.period_from', '<=', family.periodTo)
    .where('f.period_to', '>=', family.periodFrom)
    .orderBy('f.id')
    .execute();
  return rows.map(toFamily);
}

/** One family with its counts, or a DataError naming it. */
export async function getTrialFamily(db: Database, id: number): Promise<StoredTrialFamily> {
  const row = await familyQuery(db).where('f.id', '=', id).executeTakeFirst();
  if (!row) throw new DataError(`trial family ${id} does not exist; see momentum trials`);
  return toFamily(row);
}

/** The family of this identity with its counts, or null before its first trial. */
export async function findTrialFamily(db: Database, family: TrialFamilyIdentity): Promise<StoredTrialFamily | null> {
  const row = await familyQuery(db).where('f.family_key', '=', familyKey(family)).executeTakeFirst();
  return row ? toFamily(row) : null;
}

/** Families, most recently created first. */
export async function listTrialFamilies(db: Database, filter: { strategy?: string; limit?: number } = {}): Promise<StoredTrialFamily[]> {
  let query = familyQuery(db)
    .orderBy('f.id', 'desc')
    .limit(filter.limit ?? 100);
  if (filter.strategy) query = query.where('f.name', '=', filter.strategy);
  return (await query.execute()).map(toFamily);
}

/** The trials of a family, in the order they were first tried. */
export async function familyTrials(db: Database, familyId: number): Promise<StoredTrial[]> {
  const rows = await db.kysely.selectFrom('trials').selectAll().where('family_id', '=', familyId).orderBy('id').execute();
  return rows.map((r) => ({
    id: Number(r.id),
    familyId: Number(r.family_id),
    configKey: r.config_key,
    strategy: r.strategy,
    params: (r.config as { params?: Record<string, unknown> }).params ?? {},
    sharpe: r.sharpe,
    observations: r.observations,
    constantReturns: r.constant_returns,
    backtestId: r.backtest_id === null ? null : Number(r.backtest_id),
    source: r.source,
    runs: r.runs,
    lastRunAt: r.last_run_at,
  }));
}

function symbolsKey(symbols: readonly string[]): string {
  return [...symbols].sort().join(',');
}

function familyQuery(db: Database) {
  return db.kysely
    .selectFrom('trial_families as f')
    .selectAll('f')
    .select((eb) => [
      eb
        .selectFrom('trials')
        .select((c) => c.fn.countAll<number>().as('n'))
        .whereRef('trials.family_id', '=', 'f.id')
        .as('trials'),
      eb
        .selectFrom('trials')
        .select((c) => c.fn.coalesce(c.fn.sum<number>('runs'), c.lit(0)).as('r'))
        .whereRef('trials.family_id', '=', 'f.id')
        .as('runs'),
    ]);
}

function toFamily(row: Awaited<ReturnType<ReturnType<typeof familyQuery>['executeTakeFirstOrThrow']>>): StoredTrialFamily {
  return {
    id: Number(row.id),
    kind: row.kind,
    name: row.name,
    universe: row.universe,
    symbols: row.symbols,
    interval: row.interval as StoredTrialFamily['interval'],
    periodFrom: row.period_from,
    periodTo: row.period_to,
    trials: Number(row.trials),
    runs: Number(row.runs),
    createdAt: row.created_at,
  };
}
