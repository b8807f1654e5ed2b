/**
 * Model portfolios, rebalances and bars written straight into the tables (the generator's rows,
 * without running it), for the monitor's database tests.
 */
import { dateToTs, type Bar } from '../../src/data/bar.js';
import { writeBars } from '../../src/data/bar-writer.js';
import { upsertInstruments } from '../../src/data/price-store.js';
import type { Database } from '../../src/db/database.js';

export interface SeedHolding {
  readonly symbol: string;
  readonly shares: number;
  readonly price: number;
  readonly targetWeight: number;
}

export async function seedPortfolio(
  db: Database,
  name: string,
  options: { symbols: readonly string[]; strategy?: string; params?: Record<string, unknown>; maxDataAgeDays?: number },
): Promise<number> {
  const row = await db.kysely
    .insertInto('portfolios')
    .values({
      name,
      strategy: options.strategy ?? 'ma-trend',
      params: JSON.stringify(options.params ?? { window: 3 }),
      universe: null,
      symbols: JSON.stringify(options.symbols),
      interval: '1d',
      optimizer: 'none',
      mode: 'lumpsum',
      amount: 10_000,
      sip: JSON.stringify(null),
      currency: 'USD',
      lot_size: 1,
      ignore_gates: true,
      max_data_age_days: options.maxDataAgeDays ?? 4,
      costs: JSON.stringify({ bps: 0, slippageBps: 0, fixedFee: 0 }),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function seedRebalance(
  db: Database,
  portfolioId: number,
  asOf: string,
  cash: number,
  holdings: readonly SeedHolding[],
): Promise<number> {
  const value = holdings.reduce((sum, h) => sum + h.shares * h.price, cash);
  const row = await db.kysely
    .insertInto('portfolio_rebalances')
    .values({
      portfolio_id: portfolioId,
      as_of: asOf,
      signal_date: asOf,
      data_as_of: new Date(dateToTs(asOf)),
      next_rebalance: null,
      contribution: value,
      value,
      cash,
      turnover: 1,
      costs: 0,
      evidence: JSON.stringify({}),
      warnings: JSON.stringify([]),
      data_fingerprint: 'test',
      code_version: 'test',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const id = Number(row.id);
  if (holdings.length > 0) {
    await db.kysely
      .insertInto('portfolio_holdings')
      .values(
        holdings.map((h) => ({
          rebalance_id: id,
          symbol: h.symbol,
          target_weight: h.targetWeight,
          weight: (h.shares * h.price) / value,
          shares: h.shares,
          price: h.price,
          value: h.shares * h.price,
          score: null,
          reason: 'test',
        })),
      )
      .execute();
  }
  return id;
}

/** Daily bars with the given closes (open = close, high/low around it, adj_close = close). */
export async function seedBars(db: Database, symbol: string, closes: Readonly<Record<string, number>>): Promise<void> {
  await upsertInstruments(db, [{ symbol, name: `${symbol} test`, asset_class: 'equity', currency: 'USD' }], 'test');
  const bars: Bar[] = Object.entries(closes).map(([date, close]) => ({
    symbol,
    interval: '1d',
    ts: dateToTs(date),
    open: close,
    high: close * 1.01,
    low: close * 0.99,
    close,
    adj_close: close,
    volume: 1000,
    source: 'test',
  }));
  await writeBars(db, bars);
}
