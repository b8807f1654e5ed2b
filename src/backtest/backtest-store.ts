/**
 * Stored backtests: the spec and provenance (data fingerprint, code version), metrics, equity
 * curve and trades. One backtest is one transaction, which also records it as a trial of its
 * research family (trial-store.ts): no stored backtest escapes the count.
 */
import { formatBarTime, type Interval } from '../data/bar.js';
import type { DataUsed } from '../data/strategy-data.js';
import { sql } from 'kysely';
import type { Database } from '../db/database.js';
import { DataError, NotFoundError } from '../errors.js';
import { base64ToFloats, floatsToBase64 } from '../util/float-bytes.js';
import { parseStoredJson } from '../util/stored-json.js';
import { parseBacktestSpec, type BacktestSpec, type BacktestSpecInput } from './backtest-spec.js';
import { backtestMetricsSchema } from './metrics-schema.js';
import type { BacktestMetrics } from './metrics.js';
import type { BacktestOutcome, TradeRecord } from './run-backtest.js';
import type { ParamValue } from '../strategies/strategy.js';
import { trialRun, type TrialFigures } from './trial-registry.js';
import { recordTrials } from './trial-store.js';

export interface StoreOptions {
  readonly sweepId?: number;
  /** What the run is (default 'backtest'); out-of-sample simulations and walk-forwards store theirs too. */
  readonly role?: 'backtest' | 'simulation' | 'walk-forward';
  /** Store the trade list (default true; sweeps may skip it: a re-run reproduces it). */
  readonly trades?: boolean;
  /** Store the equity curve (default true; a sweep keeps metrics only unless asked: sweep-curves.ts rebuilds a curve when read). */
  readonly equity?: boolean;
  /** Store cash and gross exposure with the equity (default true). */
  readonly fullSeries?: boolean;
  /** Each outcome's trial figures, when computed where its curve was (a sweep's workers: the curve need not cross over). */
  readonly trialFigures?: readonly TrialFigures[];
  /** The dates the sweep's row holds (setSweepDates): a combination on exactly these stores none of its own. */
  readonly sweepDates?: Float64Array;
}

const TRADE_BATCH = 2_000;

/** @example const id = await storeBacktest(db, outcome) */
export async function storeBacktest(db: Database, outcome: BacktestOutcome, options: StoreOptions = {}): Promise<number> {
  const [id] = await storeBacktests(db, [outcome], options);
  return id!;
}

/** Several backtests in one transaction; ids in the order given. */
export async function storeBacktests(db: Database, outcomes: readonly BacktestOutcome[], options: StoreOptions = {}): Promise<number[]> {
  const ids = await insertBacktests(db, outcomes, options);
  return ids as number[];
}

/**
 * A batch of a sweep's combinations in one transaction, each keyed by its position in the grid
 * (`indexes[i]` for `outcomes[i]`). One stored before (a chunk run again after its worker died) is
 * left as it is, with its trial: the map holds the combinations stored now, index -> backtest id.
 */
export async function storeSweepCombinations(
  db: Database,
  outcomes: readonly BacktestOutcome[],
  indexes: readonly number[],
  options: StoreOptions & { readonly sweepId: number },
): Promise<Map<number, number>> {
  const ids = await insertBacktests(db, outcomes, options, indexes);
  return new Map(ids.flatMap((id, i) => (id === null ? [] : [[indexes[i]!, id] as const])));
}

/** The insert behind both: with `indexes`, rows already there are skipped (null in their place). */
async function insertBacktests(
  db: Database,
  outcomes: readonly BacktestOutcome[],
  options: StoreOptions,
  indexes?: readonly number[],
): Promise<(number | null)[]> {
  if (outcomes.length === 0) return [];
  const full = options.fullSeries ?? true;
  return db.kysely.transaction().execute(async (trx) => {
    const insert = trx.insertInto('backtests').values(
      outcomes.map((outcome, i) => ({
        sweep_id: options.sweepId ?? null,
        sweep_index: indexes?.[i] ?? null,
        role: options.role ?? 'backtest',
        strategy: outcome.spec.strategy,
        params: JSON.stringify(outcome.spec.params),
        universe: outcome.spec.universe,
        // The requested symbols (the spec); those without bars are named in the warnings.
        symbols: JSON.stringify(outcome.spec.symbols),
        interval: outcome.spec.interval,
        period_from: new Date(outcome.dates[0]!),
        period_to: new Date(outcome.dates[outcome.dates.length - 1]!),
        engine: JSON.stringify(engineRecord(outcome.spec)),
        costs: JSON.stringify(outcome.spec.costs),
        benchmark: outcome.spec.benchmark,
        risk_free_rate: outcome.spec.riskFreeRate,
        risk_free_symbol: outcome.spec.riskFreeSymbol,
        metrics: JSON.stringify(outcome.metrics),
        warnings: JSON.stringify(outcome.warnings),
        data_fingerprint: outcome.dataFingerprint,
        data_used: outcome.dataUsed && JSON.stringify(outcome.dataUsed),
        code_version: outcome.codeVersion,
      })),
    );
    let ids: (number | null)[];
    if (indexes) {
      const inserted = await insert
        .onConflict((oc) => oc.columns(['sweep_id', 'sweep_index']).doNothing())
        .returning(['id', 'sweep_index'])
        .execute();
      const idOf = new Map(inserted.map((row) => [row.sweep_index, Number(row.id)]));
      ids = indexes.map((index) => idOf.get(index) ?? null);
    } else {
      // Identity values are assigned in VALUES order within one statement.
      ids = (await insert.returning('id').execute()).map((row) => Number(row.id)).sort((a, b) => a - b);
    }
    const stored = ids.flatMap((id, i) => (id === null ? [] : [{ id, outcome: outcomes[i]!, figures: options.trialFigures?.[i] }]));
    if (stored.length === 0) return ids;
    if (options.equity ?? true) {
      await trx
        .insertInto('backtest_equity')
        .values(
          stored.map(({ id, outcome }) => ({
            backtest_id: id,
            dates: sameSeries(outcome.dates, options.sweepDates) ? null : bytea(outcome.dates),
            equity: bytea(outcome.equity),
            cash: full ? bytea(outcome.cash) : null,
            gross_exposure: full ? bytea(outcome.grossExposure) : null,
            traded: full ? bytea(outcome.traded) : null,
          })),
        )
        .execute();
    }
    const source = options.role === 'simulation' || options.role === 'walk-forward' ? options.role : options.sweepId ? 'sweep' : 'backtest';
    await recordTrials(
      trx,
      stored.map(({ id, outcome, figures }) => trialRun(outcome.spec, outcome, { source, backtestId: id }, figures)),
    );
    if (options.trades ?? true) {
      const rows = stored.flatMap(({ id, outcome }) =>
        outcome.trades.map((t, seq) => ({
          backtest_id: id,
          seq,
          symbol: t.symbol,
          direction: t.direction,
          entry_ts: new Date(t.entry),
          exit_ts: t.exit === null ? null : new Date(t.exit),
          max_shares: t.maxShares,
          entry_price: t.entryPrice,
          exit_price: t.exitPrice,
          pnl: t.pnl,
          fees: t.fees,
          pnl_net: t.pnlNet,
          bars_held: t.barsHeld,
          open: t.open,
        })),
      );
      for (let i = 0; i < rows.length; i += TRADE_BATCH)
        await trx
          .insertInto('backtest_trades')
          .values(rows.slice(i, i + TRADE_BATCH))
          .execute();
    }
    return ids;
  });
}

function sameSeries(a: Float64Array, b: Float64Array | undefined): boolean {
  if (b === undefined || a.length !== b.length) return false;
  // A plain loop: a sweep compares every combination's dates.
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The spec as stored; re-running it reproduces the backtest. */
function engineRecord(spec: BacktestSpec) {
  return {
    initialCash: spec.initialCash,
    fill: spec.fill,
    wholeShares: spec.wholeShares,
    allowShort: spec.allowShort,
    maxLeverage: spec.maxLeverage,
    from: spec.from,
    to: spec.to,
  };
}

export interface StoredBacktest {
  readonly id: number;
  readonly role: 'backtest' | 'simulation' | 'walk-forward';
  readonly sweepId: number | null;
  readonly spec: BacktestSpec;
  readonly symbols: readonly string[];
  readonly periodFrom: string;
  readonly periodTo: string;
  readonly metrics: BacktestMetrics;
  readonly warnings: readonly string[];
  readonly dataFingerprint: string;
  /** The point-in-time data its strategy read besides prices; null for none. */
  readonly dataUsed: DataUsed | null;
  readonly codeVersion: string;
  readonly createdAt: Date;
}

/**
 * A backtest's metrics JSON as it was written, before the schema fills in the fields added since
 * (a re-run tells a metric that changed from one that did not exist then).
 */
export async function backtestMetricsAsWritten(db: Database, id: number): Promise<unknown> {
  const row = await db.kysely.selectFrom('backtests').select('metrics').where('id', '=', id).executeTakeFirst();
  if (!row) throw new DataError(`backtest ${id} does not exist (it may have been deleted); see momentum backtests list`);
  return typeof row.metrics === 'string' ? JSON.parse(row.metrics) : row.metrics;
}

/** A stored backtest, or a NotFoundError saying it does not exist. */
export async function getBacktest(db: Database, id: number): Promise<StoredBacktest> {
  const row = await db.kysely.selectFrom('backtests').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row)
    throw new NotFoundError(
      'backtest',
      String(id),
      `backtest ${id} does not exist (it may have been deleted); see momentum backtests list`,
    );
  const engine = row.engine as Record<string, unknown>;
  const spec = parseBacktestSpec({
    strategy: row.strategy,
    params: row.params as Record<string, number | string | boolean>,
    universe: row.universe,
    symbols: row.symbols,
    interval: row.interval as BacktestSpec['interval'],
    from: (engine.from as string | null) ?? null,
    to: (engine.to as string | null) ?? null,
    initialCash: engine.initialCash as number,
    fill: engine.fill as BacktestSpec['fill'],
    wholeShares: engine.wholeShares as boolean,
    allowShort: engine.allowShort as boolean,
    maxLeverage: engine.maxLeverage as number,
    costs: row.costs as BacktestSpec['costs'],
    benchmark: row.benchmark,
    riskFreeRate: row.risk_free_rate,
    riskFreeSymbol: row.risk_free_symbol,
  });
  return {
    id: Number(row.id),
    role: row.role,
    sweepId: row.sweep_id === null ? null : Number(row.sweep_id),
    spec,
    symbols: row.symbols,
    periodFrom: row.period_from.toISOString().slice(0, 10),
    periodTo: row.period_to.toISOString().slice(0, 10),
    metrics: parseStoredJson(backtestMetricsSchema, row.metrics, `backtest ${id}'s metrics`),
    warnings: row.warnings,
    dataFingerprint: row.data_fingerprint,
    dataUsed: row.data_used as DataUsed | null,
    codeVersion: row.code_version,
    createdAt: row.created_at,
  };
}

export interface BacktestSeries {
  readonly dates: Float64Array;
  readonly equity: Float64Array;
  readonly cash: Float64Array | null;
  readonly grossExposure: Float64Array | null;
  /** Value traded per bar; null for light series and backtests stored before it was kept. */
  readonly traded: Float64Array | null;
}

/** A backtest's stored series; undefined when it has none (a sweep's combination kept as metrics: use sweep-curves.ts' getBacktestSeries). */
export async function readStoredSeries(db: Database, id: number): Promise<BacktestSeries | undefined> {
  const base64 = (column: string) => sql<string | null>`encode(${sql.ref(column)}, 'base64')`;
  // A sweep's combination shares its sweep's dates.
  const row = await db.kysely
    .selectFrom('backtest_equity as e')
    .innerJoin('backtests as b', 'b.id', 'e.backtest_id')
    .leftJoin('sweeps as s', 's.id', 'b.sweep_id')
    .select([
      sql<string | null>`encode(coalesce(e.dates, s.dates), 'base64')`.as('dates'),
      base64('e.equity').as('equity'),
      base64('e.cash').as('cash'),
      base64('e.gross_exposure').as('gross_exposure'),
      base64('e.traded').as('traded'),
    ])
    .where('e.backtest_id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  const floats = (text: string | null) => (text === null ? null : base64ToFloats(text));
  return {
    dates: floats(row.dates)!,
    equity: floats(row.equity)!,
    cash: floats(row.cash),
    grossExposure: floats(row.gross_exposure),
    traded: floats(row.traded),
  };
}

/** Equity curves rebuilt for a sweep's combinations (on the sweep's dates); one already there is left as it is. */
export async function storeSweepCurves(
  db: Database,
  curves: readonly { readonly backtestId: number; readonly equity: Float64Array }[],
): Promise<void> {
  for (let i = 0; i < curves.length; i += CURVE_BATCH) {
    await db.kysely
      .insertInto('backtest_equity')
      .values(
        curves.slice(i, i + CURVE_BATCH).map(({ backtestId, equity }) => ({ backtest_id: backtestId, dates: null, equity: bytea(equity) })),
      )
      .onConflict((oc) => oc.column('backtest_id').doNothing())
      .execute();
  }
}
const CURVE_BATCH = 50;

/** A sweep's combinations without a stored curve: their id, resolved parameters and metrics as written, in id order. */
export async function sweepCombinationsWithoutCurves(
  db: Database,
  sweepId: number,
): Promise<{ id: number; params: Record<string, ParamValue>; metrics: unknown; dataFingerprint: string }[]> {
  const rows = await db.kysely
    .selectFrom('backtests as b')
    .leftJoin('backtest_equity as e', 'e.backtest_id', 'b.id')
    .select(['b.id', 'b.params', 'b.metrics', 'b.data_fingerprint'])
    .where('b.sweep_id', '=', sweepId)
    .where('e.backtest_id', 'is', null)
    .orderBy('b.id')
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    params: r.params as Record<string, ParamValue>,
    metrics: typeof r.metrics === 'string' ? JSON.parse(r.metrics) : r.metrics,
    dataFingerprint: r.data_fingerprint,
  }));
}

/** A series for a bytea column, sent as base64 text and decoded by the database. */
function bytea(values: Float64Array) {
  return sql<Uint8Array>`decode(${floatsToBase64(values)}, 'base64')`;
}

export async function getBacktestTrades(db: Database, id: number): Promise<TradeRecord[]> {
  const backtest = await db.kysely.selectFrom('backtests').select('interval').where('id', '=', id).executeTakeFirst();
  if (!backtest) throw new DataError(`backtest ${id} does not exist`);
  const time = (d: Date) => formatBarTime(d.getTime(), backtest.interval as Interval);
  const rows = await db.kysely.selectFrom('backtest_trades').selectAll().where('backtest_id', '=', id).orderBy('seq').execute();
  return rows.map((r) => ({
    symbol: r.symbol,
    direction: r.direction < 0 ? -1 : 1,
    entry: time(r.entry_ts),
    exit: r.exit_ts ? time(r.exit_ts) : null,
    maxShares: r.max_shares,
    entryPrice: r.entry_price,
    exitPrice: r.exit_price,
    pnl: r.pnl,
    fees: r.fees,
    pnlNet: r.pnl_net,
    barsHeld: r.bars_held,
    open: r.open,
  }));
}

export interface BacktestListItem {
  readonly id: number;
  readonly role: 'backtest' | 'simulation' | 'walk-forward';
  readonly sweepId: number | null;
  readonly strategy: string;
  readonly params: Record<string, unknown>;
  readonly universe: string | null;
  readonly periodFrom: string;
  readonly periodTo: string;
  readonly totalReturnPct: number | null;
  readonly cagr: number | null;
  readonly sharpe: number | null;
  readonly maxDrawdownPct: number | null;
  readonly trades: number | null;
  readonly createdAt: Date;
}

export async function listBacktests(
  db: Database,
  filter: { strategy?: string; sweepId?: number; limit?: number; offset?: number } = {},
): Promise<BacktestListItem[]> {
  let query = db.kysely
    .selectFrom('backtests')
    .select(['id', 'role', 'sweep_id', 'strategy', 'params', 'universe', 'period_from', 'period_to', 'created_at', 'metrics'])
    .orderBy('id', 'desc')
    .limit(filter.limit ?? 50)
    .offset(filter.offset ?? 0);
  if (filter.strategy) query = query.where('strategy', '=', filter.strategy);
  if (filter.sweepId !== undefined) query = query.where('sweep_id', '=', filter.sweepId);
  const rows = await query.execute();
  return rows.map((r) => {
    const m = parseStoredJson(backtestMetricsSchema, r.metrics, `backtest ${r.id}'s metrics`);
    return {
      id: Number(r.id),
      role: r.role,
      sweepId: r.sweep_id === null ? null : Number(r.sweep_id),
      strategy: r.strategy,
      params: r.params,
      universe: r.universe,
      periodFrom: r.period_from.toISOString().slice(0, 10),
      periodTo: r.period_to.toISOString().slice(0, 10),
      totalReturnPct: m.returns?.totalReturnPct ?? null,
      cagr: m.returns?.cagr ?? null,
      sharpe: m.returns?.sharpe ?? null,
      maxDrawdownPct: m.drawdown?.maxDepthPct ?? null,
      trades: m.trades?.closed ?? null,
      createdAt: r.created_at,
    };
  });
}

export async function deleteBacktest(db: Database, id: number): Promise<boolean> {
  const result = await db.kysely.deleteFrom('backtests').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export interface SweepSummary {
  readonly id: number;
  readonly strategy: string;
  readonly grid: Record<string, unknown>;
  readonly combinations: number;
  readonly status: 'running' | 'done' | 'failed';
  readonly error: string | null;
  readonly createdAt: Date;
  readonly stored: number;
}

/** The sweeps, newest first: `limit` of them after the first `offset`. */
export async function listSweeps(db: Database, limit = 20, offset = 0): Promise<SweepSummary[]> {
  const rows = await db.kysely
    .selectFrom('sweeps as s')
    .leftJoin('backtests as b', 'b.sweep_id', 's.id')
    .select((eb) => [
      's.id',
      's.strategy',
      's.grid',
      's.combinations',
      's.status',
      's.error',
      's.created_at',
      eb.fn.count<number>('b.id').as('stored'),
    ])
    .groupBy(['s.id', 's.strategy', 's.grid', 's.combinations', 's.status', 's.error', 's.created_at'])
    .orderBy('s.id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    strategy: r.strategy,
    grid: r.grid,
    combinations: r.combinations,
    status: r.status,
    error: r.error,
    createdAt: r.created_at,
    stored: Number(r.stored),
  }));
}

/** Deletes a sweep and every backtest it stored. */
export async function deleteSweep(db: Database, id: number): Promise<boolean> {
  const result = await db.kysely.deleteFrom('sweeps').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Opens a sweep's row (status running) before its configurations run; returns its id. */
export async function openSweep(
  db: Database,
  sweep: { readonly strategy: string; readonly grid: unknown; readonly spec: unknown; readonly combinations: number },
): Promise<number> {
  const { id } = await db.kysely
    .insertInto('sweeps')
    .values({
      strategy: sweep.strategy,
      grid: JSON.stringify(sweep.grid),
      spec: JSON.stringify(sweep.spec),
      combinations: sweep.combinations,
      status: 'running',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(id);
}

/** Keeps the bar dates a sweep's combinations share on its row (storeBacktests' `sweepDates`). */
export async function setSweepDates(db: Database, sweepId: number, dates: Float64Array): Promise<void> {
  await db.kysely
    .updateTable('sweeps')
    .set({ dates: bytea(dates) })
    .where('id', '=', sweepId)
    .execute();
}

/** Closes a sweep's row: done, or failed with the error. */
export async function closeSweep(db: Database, sweepId: number, error?: string): Promise<void> {
  await db.kysely
    .updateTable('sweeps')
    .set(error === undefined ? { status: 'done', finished_at: new Date() } : { status: 'failed', error, finished_at: new Date() })
    .where('id', '=', sweepId)
    .execute();
}

/** The ids of a sweep's stored backtests, in id order. */
export async function sweepBacktestIds(db: Database, sweepId: number): Promise<number[]> {
  const rows = await db.kysely.selectFrom('backtests').select('id').where('sweep_id', '=', sweepId).orderBy('id').execute();
  return rows.map((r) => Number(r.id));
}

/** The starting cash of each of these stored backtests. */
export async function initialCashOf(db: Database, backtestIds: readonly number[]): Promise<Map<number, number>> {
  if (backtestIds.length === 0) return new Map();
  const rows = await db.kysely.selectFrom('backtests').select(['id', 'engine']).where('id', 'in', backtestIds).execute();
  return new Map(rows.map((r) => [Number(r.id), (r.engine as { initialCash: number }).initialCash]));
}

/** The newest stored backtests (not simulations) of a strategy on an interval, with their params and symbols; at most `limit`. */
export async function backtestsOfStrategy(
  db: Database,
  strategy: string,
  interval: string,
  limit: number,
): Promise<{ id: number; params: Record<string, unknown>; symbols: string[] }[]> {
  const rows = await db.kysely
    .selectFrom('backtests')
    .select(['id', 'params', 'symbols'])
    .where('strategy', '=', strategy)
    .where('interval', '=', interval)
    .where('role', '=', 'backtest')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: Number(r.id), params: r.params, symbols: r.symbols }));
}

export interface StoredSweep {
  readonly id: number;
  readonly strategy: string;
  readonly grid: Record<string, unknown>;
  readonly spec: BacktestSpec;
  readonly combinations: number;
  readonly status: 'running' | 'done' | 'failed';
  readonly error: string | null;
  /** The bar dates its combinations share, once the first is stored. */
  readonly dates: Float64Array | null;
}

/** A sweep's row: what a worker needs to run its combinations; a NotFoundError when it is gone. */
export async function getSweep(db: Database, sweepId: number): Promise<StoredSweep> {
  const row = await db.kysely
    .selectFrom('sweeps')
    .select(['id', 'strategy', 'grid', 'spec', 'combinations', 'status', 'error', sql<string | null>`encode(dates, 'base64')`.as('dates')])
    .where('id', '=', sweepId)
    .executeTakeFirst();
  if (!row)
    throw new NotFoundError(
      'sweep',
      String(sweepId),
      `sweep ${sweepId} does not exist (it may have been deleted); see momentum backtests list`,
    );
  return {
    id: Number(row.id),
    strategy: row.strategy,
    grid: row.grid,
    spec: parseBacktestSpec(row.spec as BacktestSpecInput),
    combinations: row.combinations,
    status: row.status,
    error: row.error,
    dates: row.dates === null ? null : base64ToFloats(row.dates),
  };
}

/** Keeps the dates on the sweep's row unless a worker already did; returns the dates the row holds. */
export async function shareSweepDates(db: Database, sweepId: number, dates: Float64Array): Promise<Float64Array> {
  await db.kysely
    .updateTable('sweeps')
    .set({ dates: bytea(dates) })
    .where('id', '=', sweepId)
    .where('dates', 'is', null)
    .execute();
  return (await getSweep(db, sweepId)).dates!;
}

/** Positions in [from, to) of a sweep's grid already stored or recorded failed. */
export async function sweepIndexesDone(db: Database, sweepId: number, from: number, to: number): Promise<Set<number>> {
  const rows = await db.kysely
    .selectFrom('backtests')
    .select('sweep_index')
    .where((eb) => eb.and([eb('sweep_id', '=', sweepId), eb.between('sweep_index', from, to - 1)]))
    .unionAll((eb) =>
      eb
        .selectFrom('sweep_failures')
        .select('sweep_index')
        .where((eb) => eb.and([eb('sweep_id', '=', sweepId), eb.between('sweep_index', from, to - 1)])),
    )
    .execute();
  return new Set(rows.map((row) => Number(row.sweep_index)));
}

/** Combinations of a sweep that could not run, once each (a second record of one is ignored). */
export async function recordSweepFailures(
  db: Database,
  sweepId: number,
  failures: readonly { readonly index: number; readonly params: Record<string, ParamValue>; readonly error: string }[],
): Promise<void> {
  if (failures.length === 0) return;
  await db.kysely
    .insertInto('sweep_failures')
    .values(failures.map((f) => ({ sweep_id: sweepId, sweep_index: f.index, params: JSON.stringify(f.params), error: f.error })))
    .onConflict((oc) => oc.columns(['sweep_id', 'sweep_index']).doNothing())
    .execute();
}

export interface SweepCounts {
  readonly combinations: number;
  readonly stored: number;
  readonly failed: number;
  readonly status: 'running' | 'done' | 'failed';
  readonly error: string | null;
}

/** How far a sweep is: its combinations stored and failed so far, and its status. */
export async function sweepCounts(db: Database, sweepId: number): Promise<SweepCounts> {
  const row = await db.kysely
    .selectFrom('sweeps as s')
    .select((eb) => [
      's.combinations',
      's.status',
      's.error',
      eb.selectFrom('backtests as b').select(eb.fn.countAll<number>().as('n')).whereRef('b.sweep_id', '=', 's.id').as('stored'),
      eb.selectFrom('sweep_failures as f').select(eb.fn.countAll<number>().as('n')).whereRef('f.sweep_id', '=', 's.id').as('failed'),
    ])
    .where('s.id', '=', sweepId)
    .executeTakeFirst();
  if (!row) throw new DataError(`sweep ${sweepId} does not exist (it may have been deleted)`);
  return { combinations: row.combinations, stored: Number(row.stored), failed: Number(row.failed), status: row.status, error: row.error };
}

/** Marks a running sweep done once every combination is stored or failed; true when it is done (now or before). */
export async function closeSweepIfComplete(db: Database, sweepId: number): Promise<boolean> {
  const counts = await sweepCounts(db, sweepId);
  if (counts.status === 'done') return true;
  if (counts.status !== 'running' || counts.stored + counts.failed < counts.combinations) return false;
  await db.kysely
    .updateTable('sweeps')
    .set({ status: 'done', finished_at: new Date() })
    .where('id', '=', sweepId)
    .where('status', '=', 'running')
    .execute();
  return true;
}

/** A sweep's stored combinations (grid position, backtest id, resolved params, metrics) and its failures, in grid order. */
export async function sweepResults(
  db: Database,
  sweepId: number,
): Promise<{
  entries: { index: number; backtestId: number; params: Record<string, ParamValue>; metrics: BacktestMetrics }[];
  failures: { index: number; params: Record<string, ParamValue>; error: string }[];
}> {
  const [stored, failed] = await Promise.all([
    db.kysely
      .selectFrom('backtests')
      .select(['id', 'sweep_index', 'params', 'metrics'])
      .where('sweep_id', '=', sweepId)
      .orderBy('sweep_index')
      .execute(),
    db.kysely
      .selectFrom('sweep_failures')
      .select(['sweep_index', 'params', 'error'])
      .where('sweep_id', '=', sweepId)
      .orderBy('sweep_index')
      .execute(),
  ]);
  return {
    entries: stored.map((r) => ({
      index: Number(r.sweep_index),
      backtestId: Number(r.id),
      params: r.params as Record<string, ParamValue>,
      metrics: parseStoredJson(backtestMetricsSchema, r.metrics, `backtest ${r.id}'s metrics`),
    })),
    failures: failed.map((r) => ({ index: r.sweep_index, params: r.params as Record<string, ParamValue>, error: r.error })),
  };
}
