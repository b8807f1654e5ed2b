/**
 * Model portfolios in the database: the request each is generated from, and every dated rebalance
 * with its holdings and orders. A rebalance is written in one transaction (all of it or none),
 * and at most once per portfolio and as-of day.
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import type { PortfoliosTable, Schema } from '../db/schema.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { parseStoredJson } from '../util/stored-json.js';
import type { Evidence } from './evidence.js';
import type { ProposedHolding } from './generate.js';
import { evidenceSchema } from './evidence-schema.js';
import type { Order } from './trade-list.js';
import { parsePortfolioRequest, type PortfolioRequest, type PortfolioRequestInput } from './portfolio-spec.js';

/**
 * A ProposedHolding as stored with its rebalance: what the trades and reports need of it, the
 * score null where the strategy had none (NaN does not survive JSON).
 */
export interface HoldingRecord extends Pick<
  ProposedHolding,
  'symbol' | 'targetWeight' | 'weight' | 'shares' | 'price' | 'value' | 'reason'
> {
  readonly score: number | null;
}

/** A stored order: the trade list's Order. */
export type OrderRecord = Order;

export interface RebalanceRecord {
  readonly asOf: string;
  readonly signalDate: string;
  readonly dataAsOf: string;
  readonly nextRebalance: string | null;
  /** New money added: the amount at creation, SIP installments later. */
  readonly contribution: number;
  /** Holdings plus cash after the orders. */
  readonly value: number;
  readonly cash: number;
  readonly turnover: number;
  readonly costs: number;
  readonly evidence: Evidence;
  readonly warnings: readonly string[];
  readonly dataFingerprint: string;
  readonly codeVersion: string;
  readonly holdings: readonly HoldingRecord[];
  /** Sells first. */
  readonly orders: readonly OrderRecord[];
}

export interface StoredRebalance extends RebalanceRecord {
  readonly id: number;
  readonly portfolioId: number;
  readonly createdAt: Date;
}

export interface StoredPortfolio {
  readonly id: number;
  readonly name: string;
  readonly request: PortfolioRequest;
  readonly backtestId: number | null;
  readonly createdAt: Date;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;

/** A portfolio name: letters, digits, space, dot, dash and underscore, up to 64 characters. */
export function requirePortfolioName(name: string): string {
  const trimmed = name.trim();
  if (!NAME.test(trimmed)) {
    throw new ValidationError(
      'name',
      `${JSON.stringify(name)} is not a portfolio name: use letters, digits, spaces, dots, dashes or underscores (up to 64)`,
    );
  }
  return trimmed;
}

/** Stores a new portfolio with its first rebalance; a taken name is refused. */
export async function insertPortfolio(
  db: Database,
  name: string,
  request: PortfolioRequest,
  backtestId: number | null,
  first: RebalanceRecord,
): Promise<{ portfolioId: number; rebalanceId: number }> {
  const valid = requirePortfolioName(name);
  return db.kysely.transaction().execute(async (trx) => {
    const taken = await trx.selectFrom('portfolios').select('id').where('name', '=', valid).executeTakeFirst();
    if (taken)
      throw new ValidationError(
        'name',
        `a portfolio named ${valid} exists: rebalance it (momentum portfolio rebalance ${valid}) or choose another name`,
      );
    const row = await trx
      .insertInto('portfolios')
      .values({
        name: valid,
        strategy: request.strategy!,
        params: JSON.stringify(request.hyperparameters),
        universe: request.universe,
        symbols: JSON.stringify(request.symbols ?? []),
        interval: request.interval,
        backtest_id: backtestId,
        optimizer: request.optimizer,
        mode: request.mode,
        amount: request.amount,
        sip: JSON.stringify(request.sip ?? null),
        currency: request.currency,
        lot_size: request.lotSize,
        ignore_gates: request.ignoreGates,
        gate_set: request.gateSet,
        max_data_age_days: request.maxDataAgeDays,
        costs: JSON.stringify(request.costs),
        dividends: request.dividends,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const portfolioId = Number(row.id);
    const rebalanceId = await insertRebalance(trx, portfolioId, first);
    return { portfolioId, rebalanceId };
  });
}

/** Writes one rebalance with its holdings and orders (inside the caller's transaction). */
export async function insertRebalance(
  trx: Transaction<Schema> | Kysely<Schema>,
  portfolioId: number,
  record: RebalanceRecord,
): Promise<number> {
  const row = await trx
    .insertInto('portfolio_rebalances')
    .values({
      portfolio_id: portfolioId,
      as_of: record.asOf,
      signal_date: record.signalDate,
      data_as_of: new Date(record.dataAsOf.length === 10 ? `${record.dataAsOf}T00:00:00Z` : record.dataAsOf),
      next_rebalance: record.nextRebalance,
      contribution: record.contribution,
      value: record.value,
      cash: record.cash,
      turnover: record.turnover,
      costs: record.costs,
      evidence: JSON.stringify(record.evidence),
      warnings: JSON.stringify(record.warnings),
      data_fingerprint: record.dataFingerprint,
      code_version: record.codeVersion,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const rebalanceId = Number(row.id);
  if (record.holdings.length > 0) {
    await trx
      .insertInto('portfolio_holdings')
      .values(
        record.holdings.map((h) => ({
          rebalance_id: rebalanceId,
          symbol: h.symbol,
          target_weight: h.targetWeight,
          weight: h.weight,
          shares: h.shares,
          price: h.price,
          value: h.value,
          score: h.score !== null && Number.isFinite(h.score) ? h.score : null,
          reason: h.reason,
        })),
      )
      .execute();
  }
  if (record.orders.length > 0) {
    await trx
      .insertInto('portfolio_orders')
      .values(record.orders.map((o, seq) => ({ rebalance_id: rebalanceId, seq, ...o })))
      .execute();
  }
  return rebalanceId;
}

/** The day of a portfolio's first rebalance (its creation), null when it has none. */
export async function firstRebalanceDay(db: Database, portfolioId: number): Promise<string | null> {
  const row = await db.kysely
    .selectFrom('portfolio_rebalances')
    .select((eb) => eb.fn.min('as_of').as('first'))
    .where('portfolio_id', '=', portfolioId)
    .executeTakeFirst();
  return row?.first ?? null;
}

/** Whether the portfolio has a rebalance as of that day (read inside the writer's transaction). */
export async function hasRebalanceOn(trx: Transaction<Schema> | Kysely<Schema>, portfolioId: number, asOf: string): Promise<boolean> {
  const row = await trx
    .selectFrom('portfolio_rebalances')
    .select('id')
    .where('portfolio_id', '=', portfolioId)
    .where('as_of', '=', asOf)
    .executeTakeFirst();
  return row !== undefined;
}

/** A rebalance as the monitor values it: the cash and the shares held after it, at the prices paid. */
export interface HeldRebalanceRow {
  readonly id: number;
  readonly asOf: string;
  readonly dataAsOf: string;
  readonly cash: number;
  readonly holdings: readonly { symbol: string; shares: number; price: number; targetWeight: number; weight: number }[];
}

/** The portfolio's rebalances on or before `asOf` with their holdings (by symbol), oldest first. */
export async function heldRebalances(db: Database, portfolioId: number, asOf: string): Promise<HeldRebalanceRow[]> {
  const rows = await db.kysely
    .selectFrom('portfolio_rebalances')
    .select(['id', 'as_of', 'cash', 'data_as_of'])
    .where('portfolio_id', '=', portfolioId)
    .where('as_of', '<=', asOf)
    .orderBy('as_of')
    .execute();
  if (rows.length === 0) return [];
  const holdings = await db.kysely
    .selectFrom('portfolio_holdings')
    .select(['rebalance_id', 'symbol', 'shares', 'price', 'target_weight', 'weight'])
    .where(
      'rebalance_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('symbol')
    .execute();
  return rows.map((r) => {
    const id = Number(r.id);
    return {
      id,
      asOf: r.as_of,
      dataAsOf: r.data_as_of.toISOString().slice(0, 10),
      cash: r.cash,
      holdings: holdings
        .filter((h) => Number(h.rebalance_id) === id)
        .map((h) => ({ symbol: h.symbol, shares: h.shares, price: h.price, targetWeight: h.target_weight, weight: h.weight })),
    };
  });
}

/** A portfolio by name, or a NotFoundError listing what exists. */
export async function getPortfolio(db: Database, name: string): Promise<StoredPortfolio> {
  return portfolioOf(await rowByName(db, name));
}

/** The one "find by name, else list the names": every by-name read goes through it. */
async function rowByName(db: Database, name: string): Promise<Selectable<PortfoliosTable>> {
  const row = await db.kysely.selectFrom('portfolios').selectAll().where('name', '=', name.trim()).executeTakeFirst();
  if (!row) throw await noSuchPortfolio(db, name);
  return row;
}

/**
 * A portfolio's stored columns as they are, for readers that need a few of them (the monitor, the
 * gates and ingest jobs, subscribers) without parsing its request.
 */
export interface PortfolioRow {
  readonly id: number;
  readonly name: string;
  readonly strategy: string;
  readonly params: Record<string, unknown>;
  readonly universe: string | null;
  readonly symbols: string[];
  readonly interval: string;
  readonly backtestId: number | null;
  readonly costs: Record<string, unknown>;
  readonly ignoreGates: boolean;
  readonly gateSet: string;
  readonly currency: string;
  readonly maxDataAgeDays: number;
  readonly dividends: 'cash' | 'reinvest';
}

/** One portfolio's row by name, or the NotFoundError listing what exists. */
export async function portfolioRow(db: Database, name: string): Promise<PortfolioRow> {
  return rowOf(await rowByName(db, name));
}

/**
 * Every portfolio's row (or only those named, when `names` is given), in `order`.
 * @example await portfolioRows(db, { order: 'id', names: ['core'] })
 */
export async function portfolioRows(
  db: Database,
  options: { readonly order: 'id' | 'name'; readonly names?: readonly string[] | undefined },
): Promise<PortfolioRow[]> {
  let query = db.kysely.selectFrom('portfolios').selectAll().orderBy(options.order);
  if (options.names) query = query.where('name', 'in', options.names.length > 0 ? [...options.names] : ['']);
  return (await query.execute()).map(rowOf);
}

/** The names of the portfolios with these ids. */
export async function portfolioNames(db: Database, ids: readonly number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.kysely
    .selectFrom('portfolios')
    .select(['id', 'name'])
    .where('id', 'in', [...ids])
    .execute();
  return new Map(rows.map((p) => [p.id, p.name]));
}

/** Takes the portfolio's row lock until the transaction ends (the monitor applies one portfolio's alerts at a time). */
export async function lockPortfolio(trx: Transaction<Schema> | Kysely<Schema>, portfolioId: number): Promise<void> {
  await trx.selectFrom('portfolios').select('id').where('id', '=', portfolioId).forUpdate().execute();
}

function rowOf(r: Selectable<PortfoliosTable>): PortfolioRow {
  return {
    id: Number(r.id),
    name: r.name,
    strategy: r.strategy,
    params: r.params,
    universe: r.universe,
    symbols: r.symbols,
    interval: r.interval,
    backtestId: r.backtest_id === null ? null : Number(r.backtest_id),
    costs: r.costs,
    ignoreGates: r.ignore_gates,
    gateSet: r.gate_set,
    currency: r.currency,
    maxDataAgeDays: r.max_data_age_days,
    dividends: r.dividends,
  };
}

/**
 * The one error for a portfolio name that does not exist: it lists the portfolios there are.
 * @example if (!row) throw await noSuchPortfolio(db, name) // no portfolio named "nope"; there are core, growth
 */
export async function noSuchPortfolio(db: Database, name: string): Promise<NotFoundError> {
  const names = (await db.kysely.selectFrom('portfolios').select('name').orderBy('name').execute()).map((r) => r.name);
  const there = names.length > 0 ? `there are ${names.join(', ')}` : 'create one with momentum portfolio create';
  return new NotFoundError('portfolio', name, `no portfolio named ${JSON.stringify(name)}; ${there}`);
}

/** The portfolios, newest first: `limit` of them after the first `offset`. */
export async function portfolioPage(db: Database, limit: number, offset: number): Promise<StoredPortfolio[]> {
  const rows = await db.kysely.selectFrom('portfolios').selectAll().orderBy('id', 'desc').limit(limit).offset(offset).execute();
  return rows.map(portfolioOf);
}

export async function listPortfolios(db: Database): Promise<(StoredPortfolio & { readonly latest: StoredRebalance | null })[]> {
  const rows = await db.kysely.selectFrom('portfolios').selectAll().orderBy('name').execute();
  return Promise.all(rows.map(async (row) => ({ ...portfolioOf(row), latest: (await rebalances(db, Number(row.id), 1))[0] ?? null })));
}

/** The portfolio's rebalances, newest first. */
export async function rebalances(db: Database, portfolioId: number, limit = 100): Promise<StoredRebalance[]> {
  const rows = await db.kysely
    .selectFrom('portfolio_rebalances')
    .selectAll()
    .where('portfolio_id', '=', portfolioId)
    .orderBy('as_of', 'desc')
    .limit(limit)
    .execute();
  if (rows.length === 0) return [];
  const ids = rows.map((r) => Number(r.id));
  const holdings = await db.kysely
    .selectFrom('portfolio_holdings')
    .selectAll()
    .where('rebalance_id', 'in', ids)
    .orderBy('target_weight', 'desc')
    .orderBy('symbol')
    .execute();
  const orders = await db.kysely.selectFrom('portfolio_orders').selectAll().where('rebalance_id', 'in', ids).orderBy('seq').execute();
  return rows.map((r) => {
    const id = Number(r.id);
    return {
      id,
      portfolioId,
      asOf: r.as_of,
      signalDate: r.signal_date,
      dataAsOf: r.data_as_of.toISOString().slice(0, 10),
      nextRebalance: r.next_rebalance,
      contribution: r.contribution,
      value: r.value,
      cash: r.cash,
      turnover: r.turnover,
      costs: r.costs,
      evidence: parseStoredJson(evidenceSchema, r.evidence, `rebalance ${id}'s evidence`),
      warnings: r.warnings,
      dataFingerprint: r.data_fingerprint,
      codeVersion: r.code_version,
      createdAt: r.created_at,
      holdings: holdings
        .filter((h) => Number(h.rebalance_id) === id)
        .map((h) => ({
          symbol: h.symbol,
          targetWeight: h.target_weight,
          weight: h.weight,
          shares: h.shares,
          price: h.price,
          value: h.value,
          score: h.score,
          reason: h.reason,
        })),
      orders: orders
        .filter((o) => Number(o.rebalance_id) === id)
        .map((o) => ({ symbol: o.symbol, side: o.side, shares: o.shares, price: o.price, value: o.value, cost: o.cost })),
    };
  });
}

function portfolioOf(row: Selectable<PortfoliosTable>): StoredPortfolio {
  const input: PortfolioRequestInput = {
    strategy: row.strategy,
    hyperparameters: row.params as PortfolioRequestInput['hyperparameters'],
    universe: row.universe,
    symbols: row.symbols,
    interval: row.interval as PortfolioRequestInput['interval'],
    ignoreGates: row.ignore_gates,
    gateSet: row.gate_set,
    optimizer: row.optimizer,
    mode: row.mode,
    amount: row.amount,
    ...(row.sip ? { sip: row.sip as PortfolioRequestInput['sip'] } : {}),
    currency: row.currency,
    lotSize: row.lot_size,
    costs: row.costs as PortfolioRequestInput['costs'],
    maxDataAgeDays: row.max_data_age_days,
    dividends: row.dividends,
  };
  return {
    id: Number(row.id),
    name: row.name,
    request: parsePortfolioRequest(input),
    backtestId: row.backtest_id === null ? null : Number(row.backtest_id),
    createdAt: row.created_at,
  };
}
